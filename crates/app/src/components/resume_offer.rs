//! The offer to go on with a run that was in progress when the page was last closed,
//! reloaded or crashed: where it stood, and Resume or Discard. Shown above every page, so
//! a learner who comes back on any lesson sees it.

use yew::prelude::*;

use crate::store::active::ActiveRun;
use crate::workbench::Workbench;

/// The offer for the workbench's interrupted run, if there is one and no run is active.
#[function_component(InterruptedRun)]
pub fn interrupted_run() -> Html {
    let Some(bench) = use_context::<Workbench>() else {
        return html! {};
    };
    let state = &bench.state;
    let Some(run) = state
        .interrupted
        .clone()
        .filter(|_| !state.run.status.active())
    else {
        return html! {};
    };
    let blocked = run.blocked(state.data.dataset.as_deref());
    html! {
        <ResumeOffer run={run} blocked={blocked}
            on_resume={bench.on_resume_saved.clone()} on_discard={bench.on_discard_saved.clone()} />
    }
}

/// The offer's properties.
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct ResumeOfferProps {
    /// The saved run.
    pub run: ActiveRun,
    /// Why it cannot resume yet (its images are not loaded, say); `None`: it can.
    pub blocked: Option<String>,
    /// Go on with it.
    pub on_resume: Callback<()>,
    /// Forget it.
    pub on_discard: Callback<()>,
}

/// "Resume: 6-layer CNN, epoch 3 of 10, batch 812 of 1,563" with its two buttons.
#[function_component(ResumeOffer)]
pub fn resume_offer(props: &ResumeOfferProps) -> Html {
    let run = &props.run;
    let epochs = run.history.len();
    html! {
        <section class="notice resume-offer" role="region" aria-labelledby="resume-h">
            <h2 id="resume-h">{ "A run was interrupted" }</h2>
            <p>
                { format!("Resume: {}", run.position()) }
                <span class="muted">{ format!(
                    " · saved {} · {} epoch{} in its history",
                    run.saved, epochs, if epochs == 1 { "" } else { "s" }
                ) }</span>
            </p>
            <div class="row controls">
                <button class="primary" onclick={props.on_resume.reform(|_| ())}
                    disabled={props.blocked.is_some()}
                    title={props.blocked.clone().unwrap_or_default()}>{ "Resume" }</button>
                <button onclick={props.on_discard.reform(|_| ())}>{ "Discard" }</button>
            </div>
            if let Some(why) = &props.blocked {
                <p class="muted">{ format!("To resume: {why}.") }</p>
            }
        </section>
    }
}
