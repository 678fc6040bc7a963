//! The workbench: the images, the trainer, the finished runs and the current trained
//! model, shared by every page of the course.
//!
//! It lives above the router, so a run keeps training while the learner reads another
//! lesson, and the images load once. Pages read it with `use_context::<Workbench>()`.
//! Its state is one reducer ([`WorkbenchState`]); the side effects (workers, IndexedDB,
//! fetches) are here.

use std::rc::Rc;

use gloo::storage::{LocalStorage, Storage};
use web_sys::File;
use yew::prelude::*;

pub mod action;
pub mod launcher;
pub mod log;
pub mod run;
pub mod state;

use crate::data::loading::{DataEvent, Loading};
use crate::data::{self, RunData, RunDataInfo};
use crate::estimate;
use crate::settings::{self, BackendChoice, DEFAULT_CPU};
use crate::store::active;
use crate::store::offline;
use crate::store::runs::{self, RunRecord};
use action::Action;
use launcher::{Launcher, Resume};
use protocol::gpu::GpuStatus;
use protocol::{Command, RunConfig};
use run::RunStatus;
use state::{OfflineStatus, TrainerStatus, WorkbenchState};

/// Which data the learner used last, so a reload brings it back.
const DATA_KEY: &str = "cnnlab.data.v1";

/// What every page can read and do.
#[derive(Clone, PartialEq)]
pub struct Workbench {
    /// The shared state.
    pub state: UseReducerHandle<WorkbenchState>,
    /// Whether the site serves CIFAR-10 under `data/` (None until asked).
    pub served: Option<bool>,
    /// Starts and talks to training workers.
    pub launcher: Launcher,
    /// Load the site's copy of CIFAR-10.
    pub on_served: Callback<()>,
    /// Load the synthetic stand-in.
    pub on_synthetic: Callback<()>,
    /// Load dropped or picked files.
    pub on_files: Callback<Vec<File>>,
    /// Start a run with the current settings.
    pub on_start: Callback<()>,
    /// Go on with a run whose worker crashed, from its latest checkpoint.
    pub on_recover: Callback<()>,
    /// Resume the run that was interrupted by a reload or a closed tab.
    pub on_resume_saved: Callback<()>,
    /// Forget the interrupted run.
    pub on_discard_saved: Callback<()>,
    /// Remove the dataset kept for offline use.
    pub on_remove_dataset: Callback<()>,
    /// What a shared link changed in the settings (shown once on the trainer).
    pub link_note: Option<String>,
}

impl Workbench {
    /// Send a control command to the running worker.
    pub fn command(&self, command: Command) -> Callback<()> {
        let launcher = self.launcher.clone();
        Callback::from(move |_| launcher.send(command.clone()))
    }
}

fn load_served(dispatch: UseReducerDispatcher<WorkbenchState>) {
    let _ = LocalStorage::set(DATA_KEY, "served");
    wasm_bindgen_futures::spawn_local(async move {
        let (d1, d2) = (dispatch.clone(), dispatch.clone());
        let result = data::served::load(
            move |l| d1.dispatch(Action::Data(DataEvent::Loading(l))),
            move |dataset, complete| {
                d2.dispatch(Action::Data(DataEvent::Loaded {
                    dataset: data::Images(dataset),
                    complete,
                }))
            },
        )
        .await;
        match result {
            Ok(()) => refresh_dataset_size(&dispatch).await,
            Err(e) => dispatch.dispatch(Action::Data(DataEvent::Failed(e))),
        }
    });
}

fn load_synthetic(dispatch: &UseReducerDispatcher<WorkbenchState>) {
    let _ = LocalStorage::set(DATA_KEY, "synthetic");
    dispatch.dispatch(Action::Data(DataEvent::Loaded {
        dataset: data::Images(Rc::new(data::synthetic())),
        complete: true,
    }));
}

/// Read how much of the dataset the browser keeps for offline use, into the state.
pub async fn refresh_dataset_size(dispatch: &UseReducerDispatcher<WorkbenchState>) {
    match offline::dataset_size().await {
        Ok(bytes) => dispatch.dispatch(Action::DatasetKept(bytes)),
        Err(e) => dispatch.dispatch(Action::StorageError(format!(
            "could not tell how much of the dataset this browser keeps ({e})"
        ))),
    }
}

/// Why the run uses the backend it does, when that is not obvious.
pub fn backend_note(state: &WorkbenchState) -> Option<String> {
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

/// The settings a shared link carries, applied over the saved ones, and a note saying so.
fn initial_settings() -> (settings::Settings, Option<String>) {
    let saved = settings::load();
    let query = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    let from_link = settings::from_query(&query, &saved);
    if from_link.is_some() {
        forget_query();
    }
    match from_link {
        Some((s, ignored)) if ignored.is_empty() => (
            s,
            Some("Settings from the link you opened (the model, hyperparameters, seed and data size).".into()),
        ),
        Some((s, ignored)) => (
            s,
            Some(format!(
                "Settings from the link you opened; ignored: {}.",
                ignored.join(", ")
            )),
        ),
        None => (saved, None),
    }
}

/// Drop the query from the address bar (keeping the step): the link's settings are now
/// the learner's own, and a reload must not put the link's back over later edits.
fn forget_query() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let location = window.location();
    let (Ok(path), Ok(hash)) = (location.pathname(), location.hash()) else {
        return;
    };
    // history.replaceState(null, "", path + hash), through Reflect (no web-sys feature).
    use wasm_bindgen::{JsCast, JsValue};
    let history = js_sys::Reflect::get(&window, &JsValue::from_str("history")).ok();
    let replace = history.as_ref().and_then(|h| {
        js_sys::Reflect::get(h, &JsValue::from_str("replaceState"))
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
    });
    if let (Some(h), Some(f)) = (history, replace) {
        let _ = f.call3(
            &h,
            &JsValue::NULL,
            &JsValue::from_str(""),
            &JsValue::from_str(&format!("{path}{hash}")),
        );
    }
}

/// A date and time the learner reads: "26/11/2026, 14:02:11" in their locale.
fn now_text() -> String {
    String::from(
        js_sys::Date::new_0().to_locale_string("default", &wasm_bindgen::JsValue::UNDEFINED),
    )
}

/// The provider's properties.
#[derive(Properties, PartialEq)]
pub struct WorkbenchProviderProps {
    /// The pages.
    pub children: Html,
}

/// Holds the workbench and offers it to everything below.
#[function_component(WorkbenchProvider)]
pub fn workbench_provider(props: &WorkbenchProviderProps) -> Html {
    let initial = use_memo((), |_| initial_settings());
    let state = {
        let initial = initial.clone();
        use_reducer(move || WorkbenchState::new(initial.0.clone()))
    };
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

    // On first render: start loading the trainer, probe WebGPU, see whether the site
    // serves data, reload the last data, list the saved runs and take the newest one's
    // model.
    {
        let dispatch = state.dispatcher();
        let served = served.clone();
        use_effect_with((), move |_| {
            // The offline copy, then the trainer's wasm (fetched through it, so it is kept
            // as it arrives), compiled while the learner reads.
            let offline_dispatch = dispatch.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let offline = offline::start().await;
                let trainer = crate::workers::boot::prefetch().await;
                offline_dispatch.dispatch(Action::Trainer(match trainer {
                    Ok(()) => TrainerStatus::Ready,
                    Err(why) => TrainerStatus::Failed(why),
                }));
                let status = match offline {
                    Ok(()) => match offline::keep_app().await {
                        Ok(()) => OfflineStatus::Ready,
                        Err(why) => OfflineStatus::Unavailable(why),
                    },
                    Err(why) => OfflineStatus::Unavailable(why),
                };
                offline_dispatch.dispatch(Action::Offline(status));
                refresh_dataset_size(&offline_dispatch).await;
            });
            let gpu_dispatch = dispatch.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let status = match protocol::gpu::probe().await {
                    Ok(a) => GpuStatus::Available {
                        name: a.name,
                        fallback: a.fallback,
                    },
                    Err(why) => GpuStatus::Missing(why),
                };
                gpu_dispatch.dispatch(Action::Gpu(status));
            });
            let active_dispatch = dispatch.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match active::load().await {
                    Ok(Some(run)) => {
                        active_dispatch.dispatch(Action::Interrupted(Some(Box::new(run))))
                    }
                    Ok(None) => {}
                    Err(e) => active_dispatch.dispatch(Action::StorageError(e)),
                }
            });
            let runs_dispatch = dispatch.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match runs::list().await {
                    Ok(list) => {
                        let newest = list.last().cloned();
                        runs_dispatch.dispatch(Action::RunsListed(list));
                        if let Some(record) = newest {
                            match runs::model(&record).await {
                                Ok(model) => runs_dispatch.dispatch(Action::UseModel(model)),
                                Err(e) => runs_dispatch.dispatch(Action::StorageError(e)),
                            }
                        }
                    }
                    Err(e) => runs_dispatch.dispatch(Action::StorageError(e)),
                }
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

    // A run that ended with a trained model is saved with its weights and answers.
    {
        let dispatch = state.dispatcher();
        let run = state.run.clone();
        let dataset = state.data.dataset.clone();
        let ended = matches!(run.status, RunStatus::Finished | RunStatus::Stopped);
        use_effect_with(
            (ended, run.output.is_some(), run.saved, run.id.clone()),
            move |_| {
                if let (true, Some((weights, predictions)), false, Some(config)) =
                    (ended, run.output.clone(), run.saved, run.config.clone())
                {
                    let record = RunRecord {
                        id: run.id.clone(),
                        ended: now_text(),
                        config,
                        device: run.device.clone().unwrap_or_default(),
                        train_images: run.train_images,
                        test_images: run.test_images,
                        history: run.history.to_vec(),
                        stopped: run.status == RunStatus::Stopped,
                        threads: run.threads.max(1),
                        data: dataset
                            .as_ref()
                            .map(|d| d.source.describe())
                            .unwrap_or_default(),
                    };
                    wasm_bindgen_futures::spawn_local(async move {
                        match runs::save(&record, &weights, &predictions).await {
                            Ok(()) => dispatch.dispatch(Action::RunSaved(record)),
                            Err(e) => dispatch.dispatch(Action::StorageError(e)),
                        }
                    });
                }
            },
        );
    }

    // Every checkpoint is kept in the browser with the run's history so far, so a reload
    // or a crash loses at most the training since.
    {
        let dispatch = state.dispatcher();
        let run = state.run.clone();
        let key = run
            .checkpoint
            .as_ref()
            .map(|p| (run.id.clone(), p.epoch, p.batch));
        use_effect_with(key, move |_| {
            if let (Some(saved), Some(point)) = (run.to_active(now_text()), run.checkpoint.clone())
            {
                wasm_bindgen_futures::spawn_local(async move {
                    match active::save(&saved, &point.bytes).await {
                        Ok(()) => dispatch.dispatch(Action::CheckpointKept(
                            saved.id,
                            point.epoch,
                            point.batch,
                            point.bytes.len(),
                        )),
                        Err(e) => dispatch.dispatch(Action::StorageError(format!(
                            "the run's checkpoint could not be kept, so a reload would lose it ({e})"
                        ))),
                    }
                });
            }
        });
    }

    // A run that ended (or failed for good) needs no checkpoint any more.
    {
        let dispatch = state.dispatcher();
        let run = &state.run;
        let over = matches!(run.status, RunStatus::Finished | RunStatus::Stopped)
            || (run.status == RunStatus::Failed && !run.recoverable());
        use_effect_with((over, run.id.clone()), move |(over, _)| {
            if *over {
                wasm_bindgen_futures::spawn_local(async move {
                    if let Err(e) = active::discard().await {
                        dispatch.dispatch(Action::StorageError(e));
                    }
                });
            }
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
                launcher.send(Command::MoreData {
                    train: bytes.into(),
                });
            }
        });
    }

    let dispatch = state.dispatcher();
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
                    progress.dispatch(Action::Data(DataEvent::Loading(l)))
                })
                .await
                {
                    Ok(dataset) => {
                        LocalStorage::delete(DATA_KEY);
                        dispatch.dispatch(Action::Data(DataEvent::Loaded {
                            dataset: data::Images(Rc::new(dataset)),
                            complete: true,
                        }))
                    }
                    Err(e) => dispatch.dispatch(Action::Data(DataEvent::Failed(e))),
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
                resume: false,
                threads: state.threads(),
            };
            let train = data::training_subset(d, s.train_size).to_batch_bytes();
            let val = val.to_batch_bytes();
            let run_data = RunData {
                info: RunDataInfo::new(d, &train, &val),
                train: Rc::new(train),
                val: Rc::new(val),
            };
            launcher.launch(config, run_data, None, backend_note(&state));
        }
    });
    let on_recover = Callback::from({
        let state = state.clone();
        let launcher = launcher.clone();
        move |_| {
            if let Some(config) = &state.run.config {
                let backend = if config.backend == lab::BackendKind::Wgpu {
                    DEFAULT_CPU
                } else {
                    config.backend
                };
                launcher.recover(config, backend, "The training worker stopped");
            }
        }
    });
    let on_resume_saved = Callback::from({
        let state = state.clone();
        let launcher = launcher.clone();
        move |_| {
            let Some(saved) = state.interrupted.clone() else {
                return;
            };
            let run_data = match state.data.dataset.as_ref().map(|d| saved.run_data(d)) {
                Some(Ok(run_data)) => run_data,
                Some(Err(e)) => return state.dispatch(Action::StorageError(e)),
                None => return,
            };
            // The learner's device now: a GPU run resumes on the CPU where there is none.
            let backend = match saved.config.backend {
                lab::BackendKind::Wgpu if !state.gpu.real_gpu() => DEFAULT_CPU,
                b => b,
            };
            let config = RunConfig {
                backend,
                threads: state.threads(),
                resume: true,
                ..saved.config.clone()
            };
            let (launcher, dispatch) = (launcher.clone(), state.dispatcher());
            wasm_bindgen_futures::spawn_local(async move {
                match active::checkpoint(&saved.id).await {
                    Ok(Some(bytes)) => {
                        let note = format!(
                            "Resumed from the checkpoint of {} ({}).",
                            saved.saved,
                            saved.position()
                        );
                        let resume = Resume {
                            id: saved.id.clone(),
                            checkpoint: Rc::new(bytes),
                            restored: Some(Box::new(saved)),
                        };
                        launcher.launch(config, run_data, Some(resume), Some(note));
                    }
                    Ok(None) => {
                        dispatch.dispatch(Action::Interrupted(None));
                        dispatch.dispatch(Action::StorageError(
                            "the interrupted run's checkpoint is no longer in this browser".into(),
                        ));
                    }
                    Err(e) => dispatch.dispatch(Action::StorageError(e)),
                }
            });
        }
    });
    let on_discard_saved = Callback::from({
        let dispatch = state.dispatcher();
        move |_| {
            let dispatch = dispatch.clone();
            // The offer goes once the checkpoint is gone, so a reload right after the click
            // cannot bring it back; a storage error is said and the offer goes anyway.
            wasm_bindgen_futures::spawn_local(async move {
                if let Err(e) = active::discard().await {
                    dispatch.dispatch(Action::StorageError(e));
                }
                dispatch.dispatch(Action::Interrupted(None));
            });
        }
    });

    let on_remove_dataset = Callback::from({
        let dispatch = state.dispatcher();
        move |_| {
            let dispatch = dispatch.clone();
            wasm_bindgen_futures::spawn_local(async move {
                if let Err(e) = offline::remove_dataset().await {
                    dispatch.dispatch(Action::StorageError(format!(
                        "the dataset kept for offline use could not be removed ({e})"
                    )));
                }
                refresh_dataset_size(&dispatch).await;
            });
        }
    });

    let workbench = Workbench {
        state,
        served: *served,
        launcher,
        on_served,
        on_synthetic,
        on_files,
        on_start,
        on_recover,
        on_resume_saved,
        on_discard_saved,
        on_remove_dataset,
        link_note: initial.1.clone(),
    };
    html! {
        <ContextProvider<Workbench> context={workbench}>
            { props.children.clone() }
        </ContextProvider<Workbench>>
    }
}
