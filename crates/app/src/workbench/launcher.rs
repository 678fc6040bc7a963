//! Starting runs in a worker and turning the worker's events into page actions.
//!
//! Besides forwarding events it makes the decisions the page would otherwise have to:
//! a GPU run whose WebGPU device cannot start is restarted on the CPU, and a GPU run whose
//! device fails later goes on on the CPU from its latest checkpoint, each with a note
//! saying why. It keeps the run's images and latest checkpoint for that.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use lab::BackendKind;
use yew::UseReducerDispatcher;

use super::action::Action;
use super::run::SavedPoint;
use super::state::WorkbenchState;
use crate::data::RunData;
use crate::estimate::{self, Speeds};
use crate::settings::DEFAULT_CPU;
use crate::store::active::ActiveRun;
use crate::workers::training::TrainerWorker;
use protocol::{Command, Event, FailureKind, Predictions, RunConfig, StartRun, Trained};

/// Where a started run continues from.
pub struct Resume {
    /// The run's key (a resumed run is saved as the run it continues).
    pub id: String,
    /// The checkpoint's bytes.
    pub checkpoint: Rc<Vec<u8>>,
    /// The saved run, when it continues after a reload.
    pub restored: Option<Box<ActiveRun>>,
}

/// Starts workers and routes their events; cheap to clone.
#[derive(Clone)]
pub struct Launcher {
    dispatch: UseReducerDispatcher<WorkbenchState>,
    worker: Rc<RefCell<Option<TrainerWorker>>>,
    data: Rc<RefCell<Option<RunData>>>,
    speeds: Rc<RefCell<Speeds>>,
    /// CPU threads the running worker trains on (its speed is remembered under them).
    threads: Rc<Cell<usize>>,
    /// The running run's key and latest checkpoint.
    id: Rc<RefCell<String>>,
    checkpoint: Rc<RefCell<Option<SavedPoint>>>,
    /// Counts launches, so that a worker's late events cannot launch twice.
    generation: Rc<Cell<u64>>,
}

impl PartialEq for Launcher {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.worker, &other.worker)
    }
}

impl Launcher {
    /// A launcher dispatching to the page's reducer.
    pub fn new(
        dispatch: UseReducerDispatcher<WorkbenchState>,
        speeds: Rc<RefCell<Speeds>>,
    ) -> Self {
        Launcher {
            dispatch,
            worker: Rc::new(RefCell::new(None)),
            data: Rc::new(RefCell::new(None)),
            speeds,
            threads: Rc::new(Cell::new(1)),
            id: Rc::new(RefCell::new(String::new())),
            checkpoint: Rc::new(RefCell::new(None)),
            generation: Rc::new(Cell::new(0)),
        }
    }

    /// Speeds measured on this device.
    pub fn speeds(&self) -> Speeds {
        self.speeds.borrow().clone()
    }

    /// Start `config` on `data` in a fresh worker (ending any earlier one), from the
    /// start or, with `resume` (and `config.resume`), from a checkpoint.
    pub fn launch(
        &self,
        config: RunConfig,
        data: RunData,
        resume: Option<Resume>,
        note: Option<String>,
    ) {
        self.worker.borrow_mut().take();
        let generation = self.generation.get() + 1;
        self.generation.set(generation);
        *self.data.borrow_mut() = Some(data.clone());
        if resume.is_none() {
            *self.checkpoint.borrow_mut() = None;
        }
        let me = self.clone();
        let cfg = config.clone();
        let worker = TrainerWorker::spawn(move |event| me.on_event(&cfg, generation, event));
        let start = StartRun {
            config: config.clone(),
            train: data.train.clone().into(),
            test: data.val.clone().into(),
            checkpoint: resume.as_ref().map(|r| r.checkpoint.clone().into()),
        };
        if let Err(e) = worker.send(&Command::Start(Box::new(start))) {
            return self.dispatch.dispatch(Action::RunError(e));
        }
        *self.worker.borrow_mut() = Some(worker);
        let (id, restored) = match resume {
            Some(r) => (r.id, r.restored),
            None => (format!("run-{}", js_sys::Date::now() as u64), None),
        };
        *self.id.borrow_mut() = id.clone();
        self.dispatch.dispatch(Action::Starting {
            id,
            config,
            note,
            data: Some(data.info),
            restored,
        });
    }

    /// Send a control command (pause, resume, stop, more data) to the running worker.
    pub fn send(&self, command: Command) {
        if let Some(w) = self.worker.borrow().as_ref()
            && let Err(e) = w.send(&command)
        {
            self.dispatch.dispatch(Action::RunError(e));
        }
    }

    /// Go on with a failed run (a crashed worker, a failed GPU) on `backend`, from its
    /// latest checkpoint, or from the start when it failed before its first one.
    pub fn recover(&self, config: &RunConfig, backend: BackendKind, why: &str) {
        let Some(data) = self.data.borrow().clone() else {
            return self.dispatch.dispatch(Action::RunError(
                "the run's images are gone; load them and train again".into(),
            ));
        };
        let place = if backend == config.backend {
            String::new()
        } else {
            " on the CPU".to_string()
        };
        let checkpoint = self.checkpoint.borrow().clone();
        let Some(point) = checkpoint else {
            let config = RunConfig {
                backend,
                resume: false,
                ..config.clone()
            };
            let note = format!("{why}; the run starts again{place}.");
            return self.launch(config, data, None, Some(note));
        };
        let config = RunConfig {
            backend,
            resume: true,
            ..config.clone()
        };
        let note = format!(
            "{why}; the run goes on{place} from its last checkpoint (epoch {}, batch {}).",
            point.epoch + 1,
            point.batch
        );
        let resume = Resume {
            id: self.id.borrow().clone(),
            checkpoint: point.bytes,
            restored: None,
        };
        self.launch(config, data, Some(resume), Some(note));
    }

    /// Launch `then` after the current event is handled (launching ends the worker whose
    /// handler is running), unless another launch came first.
    fn later(&self, generation: u64, then: impl FnOnce(&Launcher) + 'static) {
        let me = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            if me.generation.get() == generation {
                then(&me);
            }
        });
    }

    fn on_event(&self, config: &RunConfig, generation: u64, event: Event) {
        match &event {
            Event::Started { threads, .. } | Event::Threads { threads, .. } => {
                self.threads.set(*threads);
            }
            Event::Checkpoint {
                epoch,
                batch,
                batches_per_epoch,
                bytes,
            } => {
                let point = SavedPoint {
                    epoch: *epoch,
                    batch: *batch,
                    batches_per_epoch: *batches_per_epoch,
                    bytes: bytes.clone().into_rc(),
                };
                *self.checkpoint.borrow_mut() = Some(point.clone());
                self.dispatch.dispatch(Action::Checkpoint(point));
                return;
            }
            Event::Failed(f)
                if f.kind == FailureKind::DeviceInit
                    && config.backend == BackendKind::Wgpu
                    && !config.resume =>
            {
                let cpu = RunConfig {
                    backend: DEFAULT_CPU,
                    ..config.clone()
                };
                let note = format!(
                    "WebGPU could not start ({}); training on the CPU instead.",
                    f.message
                );
                self.later(generation, move |me| {
                    if let Some(data) = me.data.borrow().clone() {
                        me.launch(cpu, data, None, Some(note));
                    }
                });
                return;
            }
            Event::Failed(f)
                if f.kind == FailureKind::Device && config.backend == BackendKind::Wgpu =>
            {
                // The learner may be away: the run goes on on the CPU by itself.
                let config = config.clone();
                let why = format!("The GPU failed ({})", f.message);
                self.later(generation, move |me| me.recover(&config, DEFAULT_CPU, &why));
            }
            Event::Finished {
                trained:
                    Some(Trained {
                        weights,
                        predictions,
                    }),
                ..
            } => {
                if let Some(predictions) = Predictions::from_bytes(predictions.as_slice()) {
                    self.dispatch.dispatch(Action::RunOutput(
                        weights.clone().into_rc(),
                        Rc::new(predictions),
                    ));
                }
            }
            Event::Batch(p) if p.batch % 20 == 19 => {
                let per32 = p.ms_per_batch * 32.0 / config.hyper.batch_size.max(1) as f64;
                let threads = self.threads.get();
                estimate::remember(
                    &mut self.speeds.borrow_mut(),
                    config.model,
                    config.backend,
                    threads,
                    per32,
                );
            }
            _ => {}
        }
        self.dispatch.dispatch(Action::Worker(event));
    }
}
