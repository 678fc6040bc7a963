//! The trainer page: load images, pick a model and settings, train live, watch it learn.

pub mod launcher;
pub mod results;
pub mod state;

use std::rc::Rc;

use gloo::storage::{LocalStorage, Storage};
use web_sys::File;
use yew::prelude::*;

use crate::components::data_panel::DataPanel;
use crate::components::run_panel::RunPanel;
use crate::components::settings_form::SettingsForm;
use crate::data;
use crate::estimate;
use crate::settings::{self, BackendChoice};
use crate::trainer::gpu;
use crate::trainer::protocol::{Command, RunConfig};
use launcher::{Launcher, RunData};
use results::Results;
use state::{Action, GpuStatus, Loading, TrainerState};

/// Which data the learner used last, so a reload brings it back.
const DATA_KEY: &str = "cnnlab.data.v1";

fn load_served(dispatch: UseReducerDispatcher<TrainerState>) {
    let _ = LocalStorage::set(DATA_KEY, "served");
    wasm_bindgen_futures::spawn_local(async move {
        let (d1, d2) = (dispatch.clone(), dispatch.clone());
        let result = data::served::load(
            move |l| d1.dispatch(Action::Loading(l)),
            move |dataset, complete| {
                d2.dispatch(Action::Loaded {
                    dataset: data::Images(dataset),
                    complete,
                })
            },
        )
        .await;
        if let Err(e) = result {
            dispatch.dispatch(Action::LoadFailed(e));
        }
    });
}

fn load_synthetic(dispatch: &UseReducerDispatcher<TrainerState>) {
    let _ = LocalStorage::set(DATA_KEY, "synthetic");
    dispatch.dispatch(Action::Loaded {
        dataset: data::Images(Rc::new(data::synthetic())),
        complete: true,
    });
}

fn backend_label(state: &TrainerState) -> String {
    let kind = state.backend();
    match (kind, &state.gpu) {
        (lab::BackendKind::Wgpu, GpuStatus::Available { name, .. }) => format!("WebGPU ({name})"),
        (lab::BackendKind::Wgpu, _) => "WebGPU".into(),
        (lab::BackendKind::Flex, _) => "CPU (Flex)".into(),
        (lab::BackendKind::NdArray, _) => "CPU (ndarray)".into(),
    }
}

/// Why the run uses the backend it does, when that is not obvious.
fn backend_note(state: &TrainerState) -> Option<String> {
    if state.settings.backend != BackendChoice::Auto {
        return None;
    }
    match &state.gpu {
        GpuStatus::Missing(why) => Some(format!("No WebGPU ({why}): training on the CPU.")),
        GpuStatus::Available {
            name,
            fallback: true,
        } => Some(format!(
            "WebGPU here is a software adapter ({name}), slower than the CPU: training on the CPU."
        )),
        _ => None,
    }
}

/// The trainer page.
#[function_component(TrainerPage)]
pub fn trainer_page() -> Html {
    let state = use_reducer(|| TrainerState::new(settings::load()));
    let served = use_state(|| None::<bool>);
    let speeds = use_mut_ref(estimate::load);
    let launcher = {
        let dispatch = state.dispatcher();
        let speeds = speeds.clone();
        use_mut_ref(move || Launcher::new(dispatch, speeds))
    };
    let launcher: Launcher = launcher.borrow().clone();

    // Keep the settings across reloads.
    use_effect_with(state.settings.clone(), settings::save);

    // On first render: probe WebGPU, see whether the site serves data, reload the last data.
    {
        let dispatch = state.dispatcher();
        let served = served.clone();
        use_effect_with((), move |_| {
            let gpu_dispatch = dispatch.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let status = match gpu::probe().await {
                    Ok(a) => GpuStatus::Available {
                        name: a.name,
                        fallback: a.fallback,
                    },
                    Err(why) => GpuStatus::Missing(why),
                };
                gpu_dispatch.dispatch(Action::Gpu(status));
            });
            let last: Option<String> = LocalStorage::get(DATA_KEY).ok();
            if last.as_deref() == Some("synthetic") {
                load_synthetic(&dispatch);
            }
            wasm_bindgen_futures::spawn_local(async move {
                let available = data::served::available().await;
                served.set(Some(available));
                if available && last.as_deref() == Some("served") {
                    load_served(dispatch);
                }
            });
        });
    }

    // More training batches arrived while a run trains on fewer than it asked for.
    {
        let launcher = launcher.clone();
        let dataset = state.data.dataset.clone();
        let run = state.run.clone();
        let want = state.settings.train_size;
        use_effect_with(dataset.as_ref().map(|d| d.train.len()), move |_| {
            if let Some(d) = dataset
                && run.status.active()
                && run.train_images > 0
                && run.train_images < want.min(d.train.len())
            {
                let bytes = data::training_subset(&d, want).to_batch_bytes();
                launcher.send(Command::MoreData, &[&bytes]);
            }
        });
    }

    let dispatch = state.dispatcher();
    let on_action = Callback::from({
        let dispatch = dispatch.clone();
        move |a: Action| dispatch.dispatch(a)
    });
    let on_served = Callback::from({
        let dispatch = dispatch.clone();
        move |_| load_served(dispatch.clone())
    });
    let on_synthetic = Callback::from({
        let dispatch = dispatch.clone();
        move |_| load_synthetic(&dispatch)
    });
    let on_files = Callback::from({
        let dispatch = dispatch.clone();
        move |files: Vec<File>| {
            let dispatch = dispatch.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let progress = dispatch.clone();
                match data::dropped::load(files, move |l: Loading| {
                    progress.dispatch(Action::Loading(l))
                })
                .await
                {
                    Ok(dataset) => {
                        LocalStorage::delete(DATA_KEY);
                        dispatch.dispatch(Action::Loaded {
                            dataset: data::Images(Rc::new(dataset)),
                            complete: true,
                        })
                    }
                    Err(e) => dispatch.dispatch(Action::LoadFailed(e)),
                }
            });
        }
    });
    let on_start = Callback::from({
        let state = state.clone();
        let launcher = launcher.clone();
        move |_| {
            let Some(d) = state.data.dataset.as_ref() else {
                return;
            };
            if state.cannot_start().is_some() {
                return;
            }
            let s = &state.settings;
            let val = data::validation_subset(d, s.val_size);
            let config = RunConfig {
                model: s.model,
                hyper: s.hyper,
                seed: s.seed,
                backend: state.backend(),
                strip: data::strip_indices(&val),
                resume_at: None,
            };
            let run_data = RunData {
                train: Rc::new(data::training_subset(d, s.train_size).to_batch_bytes()),
                val: Rc::new(val.to_batch_bytes()),
            };
            launcher.launch(config, run_data, None, backend_note(&state));
        }
    });
    let command = |c: Command| {
        let launcher = launcher.clone();
        Callback::from(move |_| launcher.send(c.clone(), &[]))
    };
    let on_continue_cpu = Callback::from({
        let state = state.clone();
        let launcher = launcher.clone();
        move |_| {
            if let Some(config) = &state.run.config {
                launcher.continue_on_cpu(config, state.run.checkpoint.clone());
            }
        }
    });

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
        &launcher.speeds(),
        s.model,
        state.backend(),
        train_n,
        val_n,
        s.hyper.batch_size,
        s.hyper.epochs,
    );

    html! {
        <>
            <DataPanel data={state.data.clone()} served={*served}
                on_served={on_served} on_files={on_files} on_synthetic={on_synthetic} />
            <SettingsForm settings={state.settings.clone()} gpu={state.gpu.clone()}
                backend_label={backend_label(&state)}
                available_train={available_train} available_test={available_test}
                estimate={estimate} disabled={state.run.status.active()} on_action={on_action} />
            <RunPanel run={state.run.clone()} cannot_start={state.cannot_start()}
                on_start={on_start} on_pause={command(Command::Pause)} on_resume={command(Command::Resume)}
                on_stop={command(Command::Stop)} on_continue_cpu={on_continue_cpu} />
            <Results run={state.run.clone()} dataset={dataset} />
        </>
    }
}
