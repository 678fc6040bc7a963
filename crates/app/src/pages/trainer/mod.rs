//! The trainer (lesson 5): load images, pick a model and settings, train live, watch it
//! learn. Its state is the shared workbench's, so a run goes on while other lessons show.

pub mod results;

use yew::prelude::*;

use crate::components::data_panel::DataPanel;
use crate::components::offline_panel::OfflinePanel;
use crate::components::run_panel::RunPanel;
use crate::components::settings_form::SettingsForm;
use crate::components::share_link::ShareLink;
use crate::estimate;
use crate::workbench::Workbench;
use crate::workbench::action::Action;
use crate::workbench::state::WorkbenchState;
use protocol::gpu::GpuStatus;
use protocol::{Command, threads_label};
use results::Results;

fn backend_label(state: &WorkbenchState) -> String {
    let kind = state.backend();
    let threads = threads_label(state.threads());
    match (kind, &state.gpu) {
        (lab::BackendKind::Wgpu, GpuStatus::Available { name, .. }) => format!("WebGPU ({name})"),
        (lab::BackendKind::Wgpu, _) => "WebGPU".into(),
        (lab::BackendKind::Flex, _) => format!("CPU (Flex) · {threads}"),
        (lab::BackendKind::NdArray, _) => format!("CPU (ndarray) · {threads}"),
    }
}

/// The trainer page.
#[function_component(TrainerPage)]
pub fn trainer_page() -> Html {
    let Some(bench) = use_context::<Workbench>() else {
        return html! {};
    };
    let state = &bench.state;
    let dispatch = state.dispatcher();
    let on_change = Callback::from(move |s| dispatch.dispatch(Action::SetSettings(s)));

    let dataset = state.data.dataset.clone();
    let (available_train, available_test) = dataset
        .as_ref()
        .map(|d| (d.train.len(), d.test.len()))
        .unwrap_or((0, 0));
    let s = &state.settings;
    let train_n = if available_train > 0 {
        s.train_size.min(available_train)
    } else {
        s.train_size
    };
    let val_n = if available_test > 0 {
        s.val_size.min(available_test)
    } else {
        s.val_size
    };
    let estimate = estimate::estimate(
        &bench.launcher.speeds(),
        s.model,
        state.backend(),
        state.threads(),
        train_n,
        val_n,
        s.hyper.batch_size,
        s.hyper.epochs,
    );
    let on_start = bench.on_start.clone();

    html! {
        <>
            if let Some(note) = &bench.link_note {
                <p class="notice" role="status">{ note.clone() }</p>
            }
            <DataPanel data={state.data.clone()} served={bench.served}
                on_served={bench.on_served.clone()} on_files={bench.on_files.clone()} on_synthetic={bench.on_synthetic.clone()} />
            <OfflinePanel status={state.offline.clone()} dataset_kept={state.dataset_kept}
                on_remove={bench.on_remove_dataset.clone()} />
            <SettingsForm settings={state.settings.clone()} gpu={state.gpu.clone()}
                backend_label={backend_label(state)}
                available_train={available_train} available_test={available_test}
                estimate={estimate} disabled={state.run.status.active()} on_change={on_change} />
            <ShareLink settings={state.settings.clone()} />
            <RunPanel run={state.run.clone()} cannot_start={state.cannot_start()}
                on_start={on_start} on_pause={bench.command(Command::Pause)} on_resume={bench.command(Command::Resume)}
                on_stop={bench.command(Command::Stop)} on_recover={bench.on_recover.clone()} />
            if let Some(e) = &state.storage_error {
                <p class="error" role="alert" id="storage-error">{ format!("Storage: {e}. The page and any training go on; what this browser kept before is still there.") }</p>
            }
            <Results run={state.run.clone()} dataset={dataset} />
        </>
    }
}
