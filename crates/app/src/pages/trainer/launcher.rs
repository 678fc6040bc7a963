//! Starting runs in a worker and turning the worker's events into page actions.
//!
//! Besides forwarding events it makes two decisions the page would otherwise have to:
//! a GPU run whose WebGPU device cannot start is restarted on the CPU (with a note saying
//! why), and a GPU run's checkpoints are kept so that, if the GPU fails later, the learner
//! can continue on the CPU from the last finished epoch.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use lab::BackendKind;
use yew::UseReducerDispatcher;

use super::state::{Action, TrainerState};
use crate::estimate::{self, Speeds};
use crate::settings::DEFAULT_CPU;
use crate::trainer::bridge::TrainerWorker;
use crate::trainer::protocol::{Command, Event, FailureKind, Predictions, RunConfig};

/// The image bytes of a run (official record layout): training, validation.
#[derive(Clone)]
pub struct RunData {
    /// Training images.
    pub train: Rc<Vec<u8>>,
    /// Validation images.
    pub val: Rc<Vec<u8>>,
}

/// Starts workers and routes their events; cheap to clone.
#[derive(Clone)]
pub struct Launcher {
    dispatch: UseReducerDispatcher<TrainerState>,
    worker: Rc<RefCell<Option<TrainerWorker>>>,
    data: Rc<RefCell<Option<RunData>>>,
    speeds: Rc<RefCell<Speeds>>,
    /// CPU threads the running worker trains on (its speed is remembered under them).
    threads: Rc<Cell<usize>>,
}

impl PartialEq for Launcher {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.worker, &other.worker)
    }
}

impl Launcher {
    /// A launcher dispatching to the page's reducer.
    pub fn new(dispatch: UseReducerDispatcher<TrainerState>, speeds: Rc<RefCell<Speeds>>) -> Self {
        Launcher {
            dispatch,
            worker: Rc::new(RefCell::new(None)),
            data: Rc::new(RefCell::new(None)),
            speeds,
            threads: Rc::new(Cell::new(1)),
        }
    }

    /// Speeds measured on this device.
    pub fn speeds(&self) -> Speeds {
        self.speeds.borrow().clone()
    }

    /// Start `config` on `data` in a fresh worker (ending any earlier one); `weights`
    /// continue a run at `config.resume_at`.
    pub fn launch(
        &self,
        config: RunConfig,
        data: RunData,
        weights: Option<Rc<Vec<u8>>>,
        note: Option<String>,
    ) {
        self.worker.borrow_mut().take();
        *self.data.borrow_mut() = Some(data.clone());
        let me = self.clone();
        let cfg = config.clone();
        let spawned =
            TrainerWorker::spawn(move |(event, buffers)| me.on_event(&cfg, event, buffers));
        let worker = match spawned {
            Ok(w) => w,
            Err(e) => return self.dispatch.dispatch(Action::RunError(e)),
        };
        let mut buffers: Vec<&[u8]> = vec![&data.train, &data.val];
        if let Some(w) = &weights {
            buffers.push(w);
        }
        if let Err(e) = worker.send(&Command::Start(config.clone()), &buffers) {
            return self.dispatch.dispatch(Action::RunError(e));
        }
        *self.worker.borrow_mut() = Some(worker);
        let id = format!("run-{}", js_sys::Date::now() as u64);
        self.dispatch
            .dispatch(Action::Starting { id, config, note });
    }

    /// Send a control command (pause, resume, stop, more data) to the running worker.
    pub fn send(&self, command: Command, buffers: &[&[u8]]) {
        if let Some(w) = self.worker.borrow().as_ref()
            && let Err(e) = w.send(&command, buffers)
        {
            self.dispatch.dispatch(Action::RunError(e));
        }
    }

    /// Continue a failed GPU run on the CPU from its checkpoint (epochs done, weights), or
    /// start it again there when the GPU failed before any epoch ended.
    pub fn continue_on_cpu(&self, config: &RunConfig, checkpoint: Option<(usize, Rc<Vec<u8>>)>) {
        let Some(data) = self.data.borrow().clone() else {
            return self.dispatch.dispatch(Action::RunError(
                "the run's images are gone; load them and train again".into(),
            ));
        };
        let Some((epochs_done, weights)) = checkpoint else {
            let config = RunConfig {
                backend: DEFAULT_CPU,
                resume_at: None,
                ..config.clone()
            };
            let note = "The GPU failed; this run starts again on the CPU.".to_string();
            return self.launch(config, data, None, Some(note));
        };
        let config = RunConfig {
            backend: DEFAULT_CPU,
            resume_at: Some(epochs_done),
            ..config.clone()
        };
        let note = format!(
            "Continuing on the CPU from the end of epoch {epochs_done} (the GPU run's last checkpoint)."
        );
        self.launch(config, data, Some(weights), Some(note));
    }

    fn on_event(&self, config: &RunConfig, event: Event, buffers: Vec<Vec<u8>>) {
        match &event {
            Event::Started { threads, .. } | Event::Threads { threads, .. } => {
                self.threads.set(*threads);
            }
            Event::Checkpoint { epochs_done } => {
                if let Some(bytes) = buffers.into_iter().next() {
                    self.dispatch
                        .dispatch(Action::Checkpoint(*epochs_done, Rc::new(bytes)));
                }
                return;
            }
            Event::Failed(f)
                if f.kind == FailureKind::DeviceInit
                    && config.backend == BackendKind::Wgpu
                    && config.resume_at.is_none() =>
            {
                let cpu = RunConfig {
                    backend: DEFAULT_CPU,
                    ..config.clone()
                };
                let note = format!(
                    "WebGPU could not start ({}); training on the CPU instead.",
                    f.message
                );
                let me = self.clone();
                let data = self.data.borrow().clone();
                // Not from inside the old worker's message handler: launching ends that worker.
                wasm_bindgen_futures::spawn_local(async move {
                    if let Some(data) = data {
                        me.launch(cpu, data, None, Some(note));
                    }
                });
                return;
            }
            Event::Finished { .. } if buffers.len() == 2 => {
                let mut buffers = buffers.into_iter();
                if let (Some(weights), Some(bytes)) = (buffers.next(), buffers.next())
                    && let Some(predictions) = Predictions::from_bytes(&bytes)
                {
                    self.dispatch
                        .dispatch(Action::RunOutput(Rc::new(weights), Rc::new(predictions)));
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
