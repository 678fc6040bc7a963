//! Start, pause, resume and stop; what trains and how fast; the progress bar with the
//! time left; and, when a run fails, why and what to do.

use yew::prelude::*;

use super::progress_bar::ProgressBar;
use crate::estimate::format_duration;
use crate::workbench::run::{RunState, RunStatus};
use protocol::FailureKind;

/// The panel's properties.
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct RunPanelProps {
    /// The current or last run.
    pub run: RunState,
    /// Why a run cannot start now (None: it can).
    pub cannot_start: Option<String>,
    /// Start a run.
    pub on_start: Callback<()>,
    /// Pause.
    pub on_pause: Callback<()>,
    /// Resume.
    pub on_resume: Callback<()>,
    /// Stop.
    pub on_stop: Callback<()>,
    /// Go on with a run whose worker crashed, from its latest checkpoint (or from the
    /// start when it had none).
    pub on_recover: Callback<()>,
}

fn status_text(status: RunStatus) -> &'static str {
    match status {
        RunStatus::Idle => "Ready.",
        RunStatus::Starting => "Starting the training worker…",
        RunStatus::Running => "Training.",
        RunStatus::Paused => "Paused.",
        RunStatus::Finished => "Finished: every epoch trained.",
        RunStatus::Stopped => "Stopped. The model trained so far is kept.",
        RunStatus::Failed => "The run stopped with a problem.",
    }
}

/// The run's controls and status.
#[function_component(RunPanel)]
pub fn run_panel(props: &RunPanelProps) -> Html {
    let run = &props.run;
    let status = run.status;
    let last = run.last;
    let speed = last.map(|p| {
        let batch = run
            .config
            .as_ref()
            .map(|c| c.hyper.batch_size)
            .unwrap_or(32) as f64;
        format!(
            "{:.0} ms per batch · {:.0} images/s",
            p.ms_per_batch,
            batch * 1000.0 / p.ms_per_batch.max(1e-9)
        )
    });
    let left = run
        .seconds_left()
        .map(|s| format!("{} left", format_duration(s)));
    let detail = match (last, run.evaluating) {
        (_, Some((done, total))) => Some(format!("validating: {done} of {total} images")),
        (Some(p), None) => Some(format!(
            "epoch {} of {}, batch {} of {}{}",
            p.epoch + 1,
            run.config.as_ref().map(|c| c.hyper.epochs).unwrap_or(0),
            p.batch + 1,
            p.batches_per_epoch,
            left.as_ref().map(|l| format!(" · {l}")).unwrap_or_default()
        )),
        (None, None) => None,
    };
    // A GPU failure goes on on the CPU by itself (`launcher`); a crashed CPU worker waits
    // for the learner (the same crash, out of memory say, could come back).
    let offer_recovery =
        run.recoverable() && run.config.as_ref().map(|c| c.backend) != Some(lab::BackendKind::Wgpu);
    html! {
        <section class="panel" aria-labelledby="run-h">
            <h2 id="run-h">{ "3. Train" }</h2>
            <div class="row controls">
                <button class="primary" onclick={props.on_start.reform(|_| ())}
                    disabled={props.cannot_start.is_some()}
                    title={props.cannot_start.clone().unwrap_or_default()}>{ "Train" }</button>
                if status == RunStatus::Running {
                    <button onclick={props.on_pause.reform(|_| ())}>{ "Pause" }</button>
                }
                if status == RunStatus::Paused {
                    <button onclick={props.on_resume.reform(|_| ())}>{ "Resume" }</button>
                }
                if status.active() {
                    <button onclick={props.on_stop.reform(|_| ())}>{ "Stop" }</button>
                }
            </div>
            if let (Some(why), false) = (&props.cannot_start, status.active()) {
                <p class="muted">{ format!("To train: {why}.") }</p>
            }
            <p class="status" role="status" aria-live="polite"
                data-sync-ms={last.and_then(|p| p.sync_ms).map(|ms| format!("{ms:.1}"))}>
                { status_text(status) }
                if let Some(device) = &run.device { { format!(" On {device}.") } }
                if let Some(speed) = &speed { { format!(" {speed}.") } }
            </p>
            if let Some(note) = &run.note { <p class="note">{ note.clone() }</p> }
            if let (Some((epoch, batch, _)), true) = (run.kept, status.active()) {
                <p class="muted" id="kept">{ format!(
                    "Kept in this browser up to epoch {}, batch {}: a reload or a crash resumes from there.",
                    epoch + 1, batch
                ) }</p>
            }
            if status != RunStatus::Idle {
                <ProgressBar label="Run" fraction={Some(run.fraction_done())} detail={detail} />
            }
            if let Some(f) = &run.failure {
                <div class="error" role="alert">
                    <p>{ f.message.clone() }</p>
                    if f.kind == FailureKind::Diverged {
                        <p>{ "The loss blew up: the steps were too big. Lower the learning rate (try a tenth of it) and train again." }</p>
                    }
                    if f.kind == FailureKind::DeviceInit {
                        <p>{ "Choose a CPU backend under “Train on” and start again." }</p>
                    }
                    if offer_recovery {
                        if let Some(point) = &run.checkpoint {
                            <p>
                                { format!(
                                    "The run is kept up to its last checkpoint (epoch {}, batch {} of {}): ",
                                    point.epoch + 1, point.batch, point.batches_per_epoch
                                ) }
                                <button onclick={props.on_recover.reform(|_| ())}>{ "Resume from the checkpoint" }</button>
                            </p>
                        } else {
                            <p>
                                { "It stopped before its first checkpoint, so there is nothing to continue from: " }
                                <button onclick={props.on_recover.reform(|_| ())}>{ "Train again" }</button>
                            </p>
                        }
                    }
                </div>
            }
        </section>
    }
}
