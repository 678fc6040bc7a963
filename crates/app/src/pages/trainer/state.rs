//! The trainer page's state and the one reducer that changes it.
//!
//! Every change comes in as an [`Action`]: the learner's edits, data loading progress,
//! the GPU probe and the worker's events. The reducer is plain Rust (no DOM), so the
//! page's logic is tested natively.

use std::rc::Rc;

use lab::{BackendKind, Hyper, ModelKind};
use yew::Reducible;

use crate::data::{Images, RunDataInfo};
use crate::settings::{BackendChoice, Settings};
use crate::store::active::ActiveRun;
use crate::store::runs::{RunRecord, TrainedModel};
use crate::trainer::protocol::{
    BatchProgress, EpochReport, Event, Failure, FailureKind, Predictions, RunConfig,
};

/// What the browser offers for WebGPU.
#[derive(Debug, Clone, PartialEq)]
pub enum GpuStatus {
    /// Not asked yet.
    Probing,
    /// An adapter; `fallback` for a software one.
    Available {
        /// Adapter name.
        name: String,
        /// A software adapter (slower than the CPU).
        fallback: bool,
    },
    /// None, and why.
    Missing(String),
}

impl GpuStatus {
    /// Whether a real (non-fallback) GPU adapter is there.
    pub fn real_gpu(&self) -> bool {
        matches!(
            self,
            GpuStatus::Available {
                fallback: false,
                ..
            }
        )
    }
}

/// A loading job's progress.
#[derive(Debug, Clone, PartialEq)]
pub struct Loading {
    /// What is being loaded, for the progress bar's label.
    pub what: String,
    /// Bytes (or steps) done.
    pub done: u64,
    /// Bytes (or steps) in all, when known.
    pub total: Option<u64>,
}

/// The images on hand.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DataState {
    /// The dataset loaded last (kept when a later load fails).
    pub dataset: Option<Images>,
    /// Whether every training batch is in (served data arrives in parts).
    pub complete: bool,
    /// A load in progress.
    pub loading: Option<Loading>,
    /// The last load's error, in a sentence naming the file.
    pub error: Option<String>,
}

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
    /// Finished epochs.
    pub history: Vec<EpochReport>,
    /// Smoothed training loss per batch: (epochs so far, loss).
    pub batch_loss: Vec<(f64, f64)>,
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
        crate::trainer::protocol::best_epoch(&self.history)
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
            history: self.history.clone(),
            batch_loss: self.batch_loss.clone(),
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

/// The trainer page's state.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainerState {
    /// The learner's settings for the next run.
    pub settings: Settings,
    /// The images on hand.
    pub data: DataState,
    /// WebGPU in this browser.
    pub gpu: GpuStatus,
    /// The current or last run.
    pub run: RunState,
    /// Runs kept in the browser, oldest first.
    pub runs: Vec<RunRecord>,
    /// The model the lessons look inside (the last run's, or one the learner loaded).
    pub model: Option<TrainedModel>,
    /// The last problem with the browser's storage.
    pub storage_error: Option<String>,
    /// A run that was in progress when the page was last closed (or reloaded), kept with
    /// its checkpoint to resume.
    pub interrupted: Option<ActiveRun>,
}

impl TrainerState {
    /// A page with `settings` and nothing loaded.
    pub fn new(settings: Settings) -> Self {
        TrainerState {
            settings,
            data: DataState::default(),
            gpu: GpuStatus::Probing,
            run: RunState::default(),
            runs: Vec::new(),
            model: None,
            storage_error: None,
            interrupted: None,
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

/// Everything that changes the trainer page.
#[derive(Debug, Clone)]
pub enum Action {
    /// Pick a model (its tutorial hyperparameters come with it).
    SetModel(ModelKind),
    /// Edit the hyperparameters.
    SetHyper(Hyper),
    /// Training images to use.
    SetTrainSize(usize),
    /// Validation images to use.
    SetValSize(usize),
    /// Seed.
    SetSeed(u64),
    /// Backend choice.
    SetBackend(BackendChoice),
    /// CPU threads (0: automatic).
    SetThreads(usize),
    /// Replace all settings (a preset).
    SetSettings(Settings),
    /// The WebGPU probe's answer.
    Gpu(GpuStatus),
    /// A load's progress.
    Loading(Loading),
    /// A load finished.
    Loaded {
        /// The images.
        dataset: Images,
        /// Whether every training batch is in.
        complete: bool,
    },
    /// A load failed; what was loaded before stays.
    LoadFailed(String),
    /// A run was started with this configuration.
    Starting {
        /// Its key for the saved runs.
        id: String,
        /// The run's settings.
        config: RunConfig,
        /// A one-line note about the backend choice.
        note: Option<String>,
        /// Its images.
        data: Option<RunDataInfo>,
        /// The saved run it continues after a reload (its history comes back with it).
        restored: Option<Box<ActiveRun>>,
    },
    /// The worker said something.
    Worker(Event),
    /// A checkpoint arrived.
    Checkpoint(SavedPoint),
    /// A run in progress was found saved (or is no longer: `None`).
    Interrupted(Option<Box<ActiveRun>>),
    /// The run `id`'s checkpoint at (epoch, batch), of this many bytes, is now in the
    /// browser's storage.
    CheckpointKept(String, usize, usize, usize),
    /// The run could not be started or talked to.
    RunError(String),
    /// The ended run's weights and answers arrived.
    RunOutput(Rc<Vec<u8>>, Rc<Predictions>),
    /// The saved runs, read at start.
    RunsListed(Vec<RunRecord>),
    /// A run was saved.
    RunSaved(RunRecord),
    /// A saved run was deleted.
    RunDeleted(String),
    /// Look inside this model from now on.
    UseModel(TrainedModel),
    /// The browser's storage failed.
    StorageError(String),
}

impl Reducible for TrainerState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::SetModel(kind) => s.settings = s.settings.with_model(kind),
            Action::SetHyper(hyper) => s.settings.hyper = hyper,
            Action::SetTrainSize(n) => s.settings.train_size = n,
            Action::SetValSize(n) => s.settings.val_size = n,
            Action::SetSeed(seed) => s.settings.seed = seed,
            Action::SetBackend(choice) => s.settings.backend = choice,
            Action::SetThreads(n) => s.settings.threads = n,
            Action::SetSettings(settings) => s.settings = settings,
            Action::Gpu(status) => s.gpu = status,
            Action::Loading(loading) => {
                s.data.loading = Some(loading);
                s.data.error = None;
            }
            Action::Loaded { dataset, complete } => {
                s.data.dataset = Some(dataset);
                s.data.complete = complete;
                s.data.loading = None;
                s.data.error = None;
            }
            Action::LoadFailed(message) => {
                s.data.loading = None;
                s.data.error = Some(message);
            }
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
                    s.run.history = saved.history;
                    s.run.batch_loss = saved.batch_loss;
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
            Action::Worker(event) => apply_event(&mut s.run, event),
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
                for r in &s.runs {
                    if !runs.iter().any(|x| x.id == r.id) {
                        runs.push(r.clone());
                    }
                }
                runs.sort_by(|a, b| a.id.cmp(&b.id));
                s.runs = runs;
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
                s.runs.retain(|r| r.id != record.id);
                s.runs.push(record);
                s.runs.sort_by(|a, b| a.id.cmp(&b.id));
                s.storage_error = None;
            }
            Action::RunDeleted(id) => s.runs.retain(|r| r.id != id),
            Action::UseModel(model) => s.model = Some(model),
            Action::StorageError(message) => s.storage_error = Some(message),
        }
        Rc::new(s)
    }
}

fn apply_event(run: &mut RunState, event: Event) {
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
                *device = format!(
                    "{base} · {}",
                    crate::trainer::protocol::threads_label(threads)
                );
            }
            run.threads = threads;
            run.note = Some(note);
        }
        Event::Batch(p) => {
            let x = p.epoch as f64 + (p.batch + 1) as f64 / p.batches_per_epoch.max(1) as f64;
            let smoothed = match run.batch_loss.last() {
                Some(&(_, prev)) => prev + LOSS_SMOOTHING * (p.loss - prev),
                None => p.loss,
            };
            run.batch_loss.push((x, smoothed));
            run.last = Some(p);
            run.evaluating = None;
        }
        Event::Evaluating { done, total } => run.evaluating = Some((done, total)),
        Event::Epoch(report) => {
            run.evaluating = None;
            run.history.retain(|r| r.epoch != report.epoch);
            run.history.push(*report);
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
        Event::Finished { stopped } => {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trainer::protocol::Prediction;

    fn state() -> Rc<TrainerState> {
        Rc::new(TrainerState::new(Settings::new(ModelKind::Four)))
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
        assert_eq!(s.run.batch_loss.len(), 2);
        assert!((s.run.batch_loss[1].1 - 1.95).abs() < 1e-12);
        assert!((s.run.batch_loss[1].0 - 0.2).abs() < 1e-12);
        // 8 batches left this epoch, its evaluation, then one more epoch of 10 + eval.
        let left = s.run.seconds_left().unwrap();
        assert!((left - (0.8 + 0.5 + 1.0 + 0.5)).abs() < 1e-9, "{left}");
        assert!((s.run.fraction_done() - 0.1).abs() < 1e-12);
        s = s.reduce(Action::Worker(epoch(0, 0.3)));
        s = s.reduce(Action::Worker(epoch(1, 0.4)));
        s = s.reduce(Action::Worker(Event::Finished { stopped: false }));
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
            .reduce(Action::Loaded {
                dataset: data.clone(),
                complete: true,
            })
            .reduce(Action::LoadFailed("x.tar.gz: not a gzip file".into()));
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
        assert_eq!(s.run.history, saved.history);
        assert_eq!(s.run.batch_loss, saved.batch_loss);
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
