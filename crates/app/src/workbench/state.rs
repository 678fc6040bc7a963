//! The state every page shares (settings, images, the run, the runs kept, the model the
//! lessons look inside) and the one reducer that changes it.
//!
//! Every change comes in as an [`Action`]: the learner's edits, data loading progress,
//! the GPU probe and the worker's events. The reducer is plain Rust (no DOM), so the
//! app's logic is tested natively.

use std::rc::Rc;

use lab::BackendKind;
use yew::Reducible;

use super::action::Action;
use super::run::{RunState, RunStatus};
use crate::data::loading::DataState;
use crate::settings::Settings;
use crate::store::active::ActiveRun;
use crate::store::runs::{RunRecord, TrainedModel};
use protocol::gpu::GpuStatus;
use protocol::{Failure, FailureKind};

/// Where the trainer's wasm stands (fetched and compiled in the background).
#[derive(Debug, Clone, PartialEq, Default)]
pub enum TrainerStatus {
    /// Loading.
    #[default]
    Loading,
    /// Compiled: workers start at once.
    Ready,
    /// It could not load, and why.
    Failed(String),
}

/// Whether the course works offline in this browser.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum OfflineStatus {
    /// Being set up.
    #[default]
    Checking,
    /// Every file of the app is kept: the course opens without a network.
    Ready,
    /// Not offline here, and why.
    Unavailable(String),
}

/// The state every page shares.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkbenchState {
    /// The learner's settings for the next run.
    pub settings: Settings,
    /// The images on hand.
    pub data: DataState,
    /// WebGPU in this browser.
    pub gpu: GpuStatus,
    /// The current or last run.
    pub run: RunState,
    /// Runs kept in the browser, oldest first.
    pub runs: Rc<Vec<RunRecord>>,
    /// The model the lessons look inside (the last run's, or one the learner loaded).
    pub model: Option<TrainedModel>,
    /// The last problem with the browser's storage.
    pub storage_error: Option<String>,
    /// A run that was in progress when the page was last closed (or reloaded), kept with
    /// its checkpoint to resume.
    pub interrupted: Option<ActiveRun>,
    /// The trainer's wasm.
    pub trainer: TrainerStatus,
    /// The offline copy of the app.
    pub offline: OfflineStatus,
    /// Bytes of the dataset kept for offline use (`None` until read).
    pub dataset_kept: Option<u64>,
}

impl WorkbenchState {
    /// A page with `settings` and nothing loaded.
    pub fn new(settings: Settings) -> Self {
        WorkbenchState {
            settings,
            data: DataState::default(),
            gpu: GpuStatus::Probing,
            run: RunState::default(),
            runs: Rc::default(),
            model: None,
            storage_error: None,
            interrupted: None,
            trainer: TrainerStatus::default(),
            offline: OfflineStatus::default(),
            dataset_kept: None,
        }
    }

    /// The backend the next run would use.
    pub fn backend(&self) -> BackendKind {
        self.settings.backend.resolve(self.gpu.real_gpu())
    }

    /// The CPU threads the next run would use (on the CPU, or if its GPU falls back).
    pub fn threads(&self) -> usize {
        crate::settings::resolve_threads(self.settings.threads, crate::settings::logical_cores())
    }

    /// Why training cannot start now, if it cannot.
    pub fn cannot_start(&self) -> Option<String> {
        if self.run.status.active() {
            return Some("a run is under way".into());
        }
        if self.data.dataset.is_none() {
            return Some("load some images first".into());
        }
        self.settings.problem()
    }
}

impl Reducible for WorkbenchState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::SetSettings(settings) => s.settings = settings,
            Action::Gpu(status) => s.gpu = status,
            Action::Data(event) => s.data.apply(event),
            Action::Starting {
                id,
                config,
                note,
                data,
                restored,
            } => {
                let resume = config.resume;
                let old = std::mem::take(&mut s.run);
                s.run = RunState {
                    status: RunStatus::Starting,
                    config: Some(config),
                    note,
                    id,
                    data,
                    ..RunState::default()
                };
                if let Some(saved) = restored {
                    // A run saved before a reload: its curves come back.
                    s.run.history = Rc::new(saved.history);
                    s.run.batch_loss = saved.batch_loss.into();
                } else if resume {
                    // A crashed worker or a failed GPU: the same run goes on.
                    s.run.history = old.history;
                    s.run.batch_loss = old.batch_loss;
                    s.run.checkpoint = old.checkpoint;
                    s.run.kept = old.kept;
                }
                // A new run replaces the saved one; a resumed run is it.
                s.interrupted = None;
            }
            Action::Worker(event) => s.run.apply(event),
            Action::Checkpoint(point) => s.run.checkpoint = Some(point),
            Action::Interrupted(run) => s.interrupted = run.map(|r| *r),
            Action::CheckpointKept(id, epoch, batch, bytes) => {
                if id == s.run.id {
                    s.run.kept = Some((epoch, batch, bytes));
                }
            }
            Action::RunError(message) => {
                s.run.status = RunStatus::Failed;
                s.run.failure = Some(Failure {
                    kind: FailureKind::Input,
                    message,
                });
            }
            Action::RunOutput(weights, predictions) => {
                if let Some(config) = &s.run.config {
                    s.model = Some(TrainedModel {
                        run_id: Some(s.run.id.clone()),
                        label: format!("the run just trained ({})", config.model.spec().name),
                        kind: config.model,
                        weights: weights.clone(),
                        predictions: Some(predictions.clone()),
                        data: s.data.dataset.as_ref().map(|d| d.source.describe()),
                    });
                }
                s.run.output = Some((weights, predictions));
            }
            Action::RunsListed(mut runs) => {
                // Keep a run saved while the list was being read.
                for r in s.runs.iter() {
                    if !runs.iter().any(|x| x.id == r.id) {
                        runs.push(r.clone());
                    }
                }
                runs.sort_by(|a, b| a.id.cmp(&b.id));
                s.runs = Rc::new(runs);
            }
            Action::RunSaved(record) => {
                if record.id == s.run.id {
                    s.run.saved = true;
                }
                if let Some(m) = s.model.as_mut()
                    && m.run_id.as_deref() == Some(record.id.as_str())
                {
                    m.label = format!("{} (ended {})", record.title(), record.ended);
                }
                let runs = Rc::make_mut(&mut s.runs);
                runs.retain(|r| r.id != record.id);
                runs.push(record);
                runs.sort_by(|a, b| a.id.cmp(&b.id));
                s.storage_error = None;
            }
            Action::RunDeleted(id) => Rc::make_mut(&mut s.runs).retain(|r| r.id != id),
            Action::UseModel(model) => s.model = Some(model),
            Action::StorageError(message) => s.storage_error = Some(message),
            Action::Trainer(status) => s.trainer = status,
            Action::Offline(status) => s.offline = status,
            Action::DatasetKept(bytes) => s.dataset_kept = Some(bytes),
        }
        Rc::new(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::loading::DataEvent;
    use crate::data::{Images, RunDataInfo};
    use crate::workbench::run::SavedPoint;
    use lab::ModelKind;
    use protocol::{BatchProgress, EpochReport, Event, Prediction, RunConfig};

    fn state() -> Rc<WorkbenchState> {
        Rc::new(WorkbenchState::new(Settings::new(ModelKind::Four)))
    }

    fn config(epochs: usize) -> RunConfig {
        let mut hyper = ModelKind::Four.spec().hyper;
        hyper.epochs = epochs;
        RunConfig {
            model: ModelKind::Four,
            hyper,
            seed: 1,
            backend: BackendKind::Flex,
            strip: vec![],
            resume: false,
            threads: 2,
        }
    }

    fn batch(epoch: usize, batch: usize, loss: f64) -> Event {
        Event::Batch(BatchProgress {
            epoch,
            batch,
            batches_per_epoch: 10,
            loss,
            accuracy: 0.5,
            lr: 0.01,
            ms_per_batch: 100.0,
            eval_ms_per_epoch: 500.0,
            sync_ms: None,
        })
    }

    fn epoch(epoch: usize, val_accuracy: f64) -> Event {
        Event::Epoch(Box::new(EpochReport {
            epoch,
            train_loss: 1.0,
            train_accuracy: 0.6,
            val_loss: 1.1,
            val_accuracy,
            confusion: [[0; 10]; 10],
            strip: vec![Prediction {
                index: 0,
                label: 1,
                predicted: 1,
                confidence: 0.9,
            }],
            seconds: 1.5,
            train_seconds: 1.0,
            train_images: 320,
            partial: false,
        }))
    }

    #[test]
    fn a_run_goes_from_starting_to_finished_with_its_history() {
        let mut s = state().reduce(Action::Starting {
            id: "run-1".into(),
            config: config(2),
            note: None,
            data: None,
            restored: None,
        });
        assert_eq!(s.run.status, RunStatus::Starting);
        assert!(
            s.cannot_start().is_some(),
            "no second run while one is active"
        );
        s = s.reduce(Action::Worker(Event::Started {
            device: "CPU (Flex) · 2 threads".into(),
            threads: 2,
            threads_note: None,
            train_images: 320,
            test_images: 100,
            batches_per_epoch: 10,
        }));
        assert_eq!(s.run.status, RunStatus::Running);
        assert_eq!(s.run.threads, 2);
        s = s.reduce(Action::Worker(batch(0, 0, 2.0)));
        s = s.reduce(Action::Worker(batch(0, 1, 1.0)));
        // Smoothed: 2.0, then 2.0 + 0.05 · (1.0 − 2.0).
        let loss = s.run.batch_loss.to_vec();
        assert_eq!(loss.len(), 2);
        assert!((loss[1].1 - 1.95).abs() < 1e-12);
        assert!((loss[1].0 - 0.2).abs() < 1e-12);
        // 8 batches left this epoch, its evaluation, then one more epoch of 10 + eval.
        let left = s.run.seconds_left().unwrap();
        assert!((left - (0.8 + 0.5 + 1.0 + 0.5)).abs() < 1e-9, "{left}");
        assert!((s.run.fraction_done() - 0.1).abs() < 1e-12);
        s = s.reduce(Action::Worker(epoch(0, 0.3)));
        s = s.reduce(Action::Worker(epoch(1, 0.4)));
        s = s.reduce(Action::Worker(Event::Finished {
            stopped: false,
            trained: None,
        }));
        assert_eq!(s.run.status, RunStatus::Finished);
        assert_eq!(s.run.history.len(), 2);
        assert_eq!(s.run.best_epoch().unwrap().epoch, 1);
        assert_eq!(s.run.fraction_done(), 1.0);
    }

    #[test]
    fn fewer_threads_than_asked_are_shown_with_the_reason() {
        let mut s = state().reduce(Action::Starting {
            id: "run-1".into(),
            config: config(1),
            note: None,
            data: None,
            restored: None,
        });
        s = s.reduce(Action::Worker(Event::Started {
            device: "CPU (Flex) · 1 thread".into(),
            threads: 1,
            threads_note: Some("Training on one thread: no nested workers.".into()),
            train_images: 320,
            test_images: 100,
            batches_per_epoch: 10,
        }));
        assert_eq!(s.run.threads, 1);
        assert!(s.run.note.as_deref().unwrap().contains("one thread"));

        let mut s = state().reduce(Action::Starting {
            id: "run-2".into(),
            config: config(1),
            note: None,
            data: None,
            restored: None,
        });
        s = s.reduce(Action::Worker(Event::Started {
            device: "CPU (Flex) · 2 threads".into(),
            threads: 2,
            threads_note: None,
            train_images: 320,
            test_images: 100,
            batches_per_epoch: 10,
        }));
        assert!(s.run.note.is_none());
        s = s.reduce(Action::Worker(Event::Threads {
            threads: 1,
            note: "A training thread stopped (x); training goes on with one thread.".into(),
        }));
        assert_eq!(s.run.device.as_deref(), Some("CPU (Flex) · 1 thread"));
        assert_eq!(s.run.threads, 1);
        assert!(s.run.note.as_deref().unwrap().contains("stopped"));
    }

    #[test]
    fn a_failed_load_keeps_the_data_loaded_before() {
        let data = Images(Rc::new(cifar::synthetic::dataset(1, 1, 1)));
        let s = state()
            .reduce(Action::Data(DataEvent::Loaded {
                dataset: data.clone(),
                complete: true,
            }))
            .reduce(Action::Data(DataEvent::Failed(
                "x.tar.gz: not a gzip file".into(),
            )));
        assert!(s.data.dataset.as_ref() == Some(&data));
        assert_eq!(s.data.error.as_deref(), Some("x.tar.gz: not a gzip file"));
        assert!(s.cannot_start().is_none());
    }

    #[test]
    fn a_gpu_run_handed_to_the_cpu_keeps_its_curves_and_the_first_failure() {
        let mut s = state().reduce(Action::Starting {
            id: "run-1".into(),
            config: RunConfig {
                backend: BackendKind::Wgpu,
                ..config(3)
            },
            note: None,
            data: None,
            restored: None,
        });
        s = s.reduce(Action::Worker(epoch(0, 0.3)));
        s = s.reduce(Action::Checkpoint(point(1, 0)));
        let lost = Failure {
            kind: FailureKind::Device,
            message: "device lost".into(),
        };
        s = s.reduce(Action::Worker(Event::Failed(lost.clone())));
        s = s.reduce(Action::Worker(Event::Failed(Failure {
            kind: FailureKind::Device,
            message: "the worker stopped".into(),
        })));
        assert_eq!(s.run.failure.as_ref(), Some(&lost));
        s = s.reduce(Action::Starting {
            id: "run-2".into(),
            config: RunConfig {
                resume: true,
                ..config(3)
            },
            note: Some("continuing on the CPU".into()),
            data: None,
            restored: None,
        });
        assert_eq!(s.run.history.len(), 1);
        assert_eq!(s.run.checkpoint.as_ref().unwrap().epoch, 1);
        assert!(s.run.failure.is_none());
    }

    fn point(epoch: usize, batch: usize) -> SavedPoint {
        SavedPoint {
            epoch,
            batch,
            batches_per_epoch: 10,
            bytes: Rc::new(vec![1, 2, 3]),
        }
    }

    fn data_info() -> RunDataInfo {
        RunDataInfo {
            source: "CIFAR-10 (served by this site)".into(),
            train_images: 320,
            val_images: 100,
            fingerprint: 42,
        }
    }

    #[test]
    fn a_run_saved_at_a_checkpoint_comes_back_with_its_curves_after_a_reload() {
        let mut s = state().reduce(Action::Starting {
            id: "run-7".into(),
            config: config(3),
            note: None,
            data: Some(data_info()),
            restored: None,
        });
        assert!(s.run.to_active("now".into()).is_none(), "no checkpoint yet");
        s = s.reduce(Action::Worker(Event::Started {
            device: "CPU (Flex) · 2 threads".into(),
            threads: 2,
            threads_note: None,
            train_images: 320,
            test_images: 100,
            batches_per_epoch: 10,
        }));
        for b in 0..10 {
            s = s.reduce(Action::Worker(batch(0, b, 2.0)));
        }
        s = s.reduce(Action::Worker(epoch(0, 0.3)));
        s = s.reduce(Action::Worker(batch(1, 0, 1.8)));
        s = s.reduce(Action::Checkpoint(point(1, 1)));
        let saved = s.run.to_active("14:02".into()).unwrap();
        assert_eq!(
            (saved.epoch, saved.batch, saved.checkpoint_bytes),
            (1, 1, 3)
        );
        assert_eq!(saved.history.len(), 1);
        assert_eq!(saved.batch_loss.len(), 11);
        assert_eq!(saved.position(), "4-layer CNN, epoch 2 of 3, batch 1 of 10");

        // A reload: a fresh page finds it, offers it, and resumes it as the same run.
        let mut s = state().reduce(Action::Interrupted(Some(Box::new(saved.clone()))));
        assert_eq!(s.interrupted.as_ref(), Some(&saved));
        s = s.reduce(Action::Starting {
            id: saved.id.clone(),
            config: RunConfig {
                resume: true,
                ..saved.config.clone()
            },
            note: None,
            data: Some(saved.data.clone()),
            restored: Some(Box::new(saved.clone())),
        });
        assert_eq!(s.run.id, "run-7");
        assert_eq!(*s.run.history, saved.history);
        assert_eq!(s.run.batch_loss.to_vec(), saved.batch_loss);
        assert!(s.interrupted.is_none(), "no longer offered");

        // Starting a new run instead replaces the saved one.
        let s = state()
            .reduce(Action::Interrupted(Some(Box::new(saved))))
            .reduce(Action::Starting {
                id: "run-8".into(),
                config: config(1),
                note: None,
                data: Some(data_info()),
                restored: None,
            });
        assert!(s.interrupted.is_none());
        assert!(s.run.history.is_empty());
    }

    #[test]
    fn more_images_reaching_a_run_show_in_its_sizes_and_only_crashes_are_recoverable() {
        let mut s = state().reduce(Action::Starting {
            id: "run-1".into(),
            config: config(2),
            note: None,
            data: None,
            restored: None,
        });
        s = s.reduce(Action::Worker(Event::Started {
            device: "CPU (Flex) · 1 thread".into(),
            threads: 1,
            threads_note: None,
            train_images: 320,
            test_images: 100,
            batches_per_epoch: 10,
        }));
        s = s.reduce(Action::Worker(Event::TrainImages {
            train_images: 5000,
            batches_per_epoch: 157,
        }));
        assert_eq!((s.run.train_images, s.run.batches_per_epoch), (5000, 157));
        assert!(!s.run.recoverable());
        let crashed = s.clone().reduce(Action::Worker(Event::Failed(Failure {
            kind: FailureKind::Device,
            message: "the training worker stopped: out of memory".into(),
        })));
        assert!(crashed.run.recoverable());
        let diverged = s.reduce(Action::Worker(Event::Failed(Failure {
            kind: FailureKind::Diverged,
            message: "loss is NaN".into(),
        })));
        assert!(!diverged.run.recoverable());
    }

    #[test]
    fn auto_backend_uses_a_real_gpu_only() {
        let s = state().reduce(Action::Gpu(GpuStatus::Available {
            name: "SwiftShader".into(),
            fallback: true,
        }));
        assert_eq!(s.backend(), crate::settings::DEFAULT_CPU);
        let s = s.reduce(Action::Gpu(GpuStatus::Available {
            name: "NVIDIA".into(),
            fallback: false,
        }));
        assert_eq!(s.backend(), BackendKind::Wgpu);
    }
}
