//! The current (or last) run as the page sees it, and how the worker's events change it.

use std::rc::Rc;

use super::log::Log;
use crate::data::RunDataInfo;
use crate::store::active::ActiveRun;
use protocol::{BatchProgress, EpochReport, Event, Failure, FailureKind, Predictions, RunConfig};

/// Where a run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RunStatus {
    /// No run yet.
    #[default]
    Idle,
    /// The worker is starting.
    Starting,
    /// Training.
    Running,
    /// Paused by the learner.
    Paused,
    /// Every epoch done.
    Finished,
    /// Stopped by the learner.
    Stopped,
    /// Failed (see the failure).
    Failed,
}

impl RunStatus {
    /// Whether a run is under way (starting, running or paused).
    pub fn active(self) -> bool {
        matches!(
            self,
            RunStatus::Starting | RunStatus::Running | RunStatus::Paused
        )
    }
}

/// The latest checkpoint of a run: where it stood and the bytes to continue it from.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedPoint {
    /// Epochs finished.
    pub epoch: usize,
    /// Batches of the current epoch finished.
    pub batch: usize,
    /// Batches per epoch.
    pub batches_per_epoch: usize,
    /// The checkpoint (`lab::checkpoint`).
    pub bytes: Rc<Vec<u8>>,
}

/// The current (or last) run.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RunState {
    /// Where it stands.
    pub status: RunStatus,
    /// Its settings.
    pub config: Option<RunConfig>,
    /// What trains ("WebGPU: …" or "CPU (Flex) · 2 threads").
    pub device: Option<String>,
    /// CPU threads training (1 on WebGPU).
    pub threads: usize,
    /// Training images.
    pub train_images: usize,
    /// Validation images.
    pub test_images: usize,
    /// Batches per epoch.
    pub batches_per_epoch: usize,
    /// Finished epochs (shared between the states; copied only when an epoch ends).
    pub history: Rc<Vec<EpochReport>>,
    /// Smoothed training loss per batch: (epochs so far, loss). Shared between the
    /// states, not copied per batch (see [`Log`]).
    pub batch_loss: Log<(f64, f64)>,
    /// The last batch.
    pub last: Option<BatchProgress>,
    /// Validation progress at an epoch's end: (done, total).
    pub evaluating: Option<(usize, usize)>,
    /// Why it failed.
    pub failure: Option<Failure>,
    /// The latest checkpoint (after each epoch and every minute of training).
    pub checkpoint: Option<SavedPoint>,
    /// The images it trains on.
    pub data: Option<RunDataInfo>,
    /// The latest checkpoint known to be kept in the browser: (epoch, batch, bytes).
    pub kept: Option<(usize, usize, usize)>,
    /// A one-line note about the backend (e.g. why the CPU is used).
    pub note: Option<String>,
    /// The run's key in the saved runs (`run-<start time in ms>`).
    pub id: String,
    /// The trained weights and the answers for the validation images, once it ended.
    pub output: Option<(Rc<Vec<u8>>, Rc<Predictions>)>,
    /// Whether the ended run is saved in the browser.
    pub saved: bool,
}

/// Weight of the newest batch in the smoothed loss curve.
pub const LOSS_SMOOTHING: f64 = 0.05;

impl RunState {
    /// Seconds left in the run, from the measured speed.
    pub fn seconds_left(&self) -> Option<f64> {
        let config = self.config.as_ref()?;
        let last = self.last?;
        let epochs_left_after_this = config.hyper.epochs.saturating_sub(last.epoch + 1);
        let batches_left_this = last.batches_per_epoch.saturating_sub(last.batch + 1);
        let eval_left_this = match self.evaluating {
            Some((done, total)) if total > 0 => {
                last.eval_ms_per_epoch * (total - done) as f64 / total as f64
            }
            _ => last.eval_ms_per_epoch,
        };
        let ms = batches_left_this as f64 * last.ms_per_batch
            + eval_left_this
            + epochs_left_after_this as f64
                * (last.batches_per_epoch as f64 * last.ms_per_batch + last.eval_ms_per_epoch);
        Some(ms / 1000.0)
    }

    /// Fraction of the run done, 0 to 1.
    pub fn fraction_done(&self) -> f64 {
        let (Some(config), Some(last)) = (&self.config, self.last) else {
            return 0.0;
        };
        if matches!(self.status, RunStatus::Finished) {
            return 1.0;
        }
        let total = (config.hyper.epochs * last.batches_per_epoch).max(1) as f64;
        let done = (last.epoch * last.batches_per_epoch + last.batch + 1) as f64;
        (done / total).clamp(0.0, 1.0)
    }

    /// The epoch with the best validation accuracy.
    pub fn best_epoch(&self) -> Option<&EpochReport> {
        protocol::best_epoch(&self.history)
    }

    /// The run as saved beside its latest checkpoint (`saved`: when), if it has one.
    pub fn to_active(&self, saved: String) -> Option<ActiveRun> {
        let point = self.checkpoint.as_ref()?;
        Some(ActiveRun {
            id: self.id.clone(),
            config: RunConfig {
                resume: false,
                ..self.config.clone()?
            },
            data: self.data.clone()?,
            device: self.device.clone().unwrap_or_default(),
            history: self.history.to_vec(),
            batch_loss: self.batch_loss.to_vec(),
            epoch: point.epoch,
            batch: point.batch,
            batches_per_epoch: point.batches_per_epoch,
            saved,
            checkpoint_bytes: point.bytes.len(),
        })
    }

    /// Whether a failed run can go on from its latest checkpoint (its worker crashed or its
    /// GPU failed; a diverged run or bad input would fail again).
    pub fn recoverable(&self) -> bool {
        self.status == RunStatus::Failed
            && matches!(
                self.failure.as_ref().map(|f| f.kind),
                Some(FailureKind::Device)
            )
    }
}

impl RunState {
    /// Take in what the training worker said.
    pub fn apply(&mut self, event: Event) {
        let run = self;
        match event {
            Event::Booted => {}
            Event::Started {
                device,
                threads,
                threads_note,
                train_images,
                test_images,
                batches_per_epoch,
            } => {
                run.status = RunStatus::Running;
                run.device = Some(device);
                run.threads = threads;
                if threads_note.is_some() {
                    run.note = threads_note;
                }
                run.train_images = train_images;
                run.test_images = test_images;
                run.batches_per_epoch = batches_per_epoch;
            }
            Event::Threads { threads, note } => {
                if let Some(device) = run.device.as_mut() {
                    let base = device.split(" · ").next().unwrap_or_default().to_string();
                    *device = format!("{base} · {}", protocol::threads_label(threads));
                }
                run.threads = threads;
                run.note = Some(note);
            }
            Event::Batch(p) => {
                let x = p.epoch as f64 + (p.batch + 1) as f64 / p.batches_per_epoch.max(1) as f64;
                let smoothed = match run.batch_loss.last() {
                    Some((_, prev)) => prev + LOSS_SMOOTHING * (p.loss - prev),
                    None => p.loss,
                };
                run.batch_loss.push((x, smoothed));
                run.last = Some(p);
                run.evaluating = None;
            }
            Event::Evaluating { done, total } => run.evaluating = Some((done, total)),
            Event::Epoch(report) => {
                run.evaluating = None;
                let history = Rc::make_mut(&mut run.history);
                history.retain(|r| r.epoch != report.epoch);
                history.push(*report);
            }
            Event::Checkpoint { .. } => {}
            Event::TrainImages {
                train_images,
                batches_per_epoch,
            } => {
                run.train_images = train_images;
                run.batches_per_epoch = batches_per_epoch;
            }
            Event::Paused => run.status = RunStatus::Paused,
            Event::Resumed => run.status = RunStatus::Running,
            Event::Finished { stopped, .. } => {
                run.status = if stopped {
                    RunStatus::Stopped
                } else {
                    RunStatus::Finished
                };
                run.evaluating = None;
            }
            Event::Failed(failure) => {
                // A worker may report twice (its panic hook, then the error event): keep the first.
                if run.status != RunStatus::Failed {
                    run.status = RunStatus::Failed;
                    run.failure = Some(failure);
                }
            }
        }
    }
}
