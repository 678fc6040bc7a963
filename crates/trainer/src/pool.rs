//! The training worker's helper threads: Web Workers started from inside the training
//! worker, each running the trainer's wasm as a helper (`crate::helper`) and computing one
//! slice of every batch while the training worker computes the first.
//!
//! Why workers passing messages rather than shared-memory wasm threads: this runs on
//! stable Rust with the trainer's one wasm build, needs no cross-origin isolation (so any
//! static host serves it, GitHub Pages included), and works in every browser that can start
//! a worker from a worker. Per batch it moves the weights out and
//! the gradients back (2.4 M floats for the 6-layer model, transferred, not copied, by
//! `postMessage`); BENCHMARKS.md ("Training on several CPU threads") measures what that
//! costs and why this design was chosen.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use js_sys::{Array, Function, Promise, Reflect};
use lab::parallel::SliceSpec;
use lab::{BackendKind, ModelKind};
use protocol::js::{decode, describe, encode};
use protocol::{Bytes, Floats};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{ErrorEvent, MessageEvent, Worker};

use crate::runner::{HelperFuture, SliceHelpers, SliceJob, SliceResult};
use protocol::boot::{Boot, Role};

/// How long a helper may take to load the wasm and say it is ready.
const BOOT_TIMEOUT_MS: i32 = 60_000;

/// Training worker → helper.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum HelperCommand {
    /// Compute the gradients of one slice.
    Slice {
        /// Which model.
        model: ModelKind,
        /// Which CPU backend.
        backend: BackendKind,
        /// Where the slice sits in its step.
        slice: SliceSpec,
        /// The weights to compute them under, flat (`lab::parallel::flat_weights`).
        weights: Floats,
        /// The slice's pixels, `[n, 3, 32, 32]` flat.
        pixels: Floats,
        /// Its labels.
        labels: Bytes,
    },
}

/// Helper → training worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum HelperEvent {
    /// The helper's wasm runs and takes slices.
    Booted,
    /// A slice's gradients.
    Grads {
        /// The gradients, flat.
        grads: Floats,
        /// Sum of the slice's losses.
        loss_sum: f64,
        /// Images classified correctly.
        correct: usize,
        /// Images in the slice.
        images: usize,
        /// Milliseconds spent computing.
        compute_ms: f64,
    },
    /// The helper could not compute its slice (or, from `web/worker-messages.js`, load).
    Failed(String),
}

/// Messages a helper sent that nobody awaited yet, or the promise awaiting the next one.
#[derive(Default)]
struct Inbox {
    waiting: Option<(Function, Function)>,
    arrived: VecDeque<Result<JsValue, JsValue>>,
}

struct Helper {
    worker: Worker,
    inbox: Rc<RefCell<Inbox>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

impl Helper {
    fn spawn(boot: &Boot) -> Result<Helper, String> {
        let worker = boot
            .start(Role::Helper)
            .map_err(|e| format!("could not start a helper worker: {e}"))?;
        let inbox = Rc::new(RefCell::new(Inbox::default()));
        let deliver = |inbox: Rc<RefCell<Inbox>>, message: Result<JsValue, JsValue>| {
            let waiting = inbox.borrow_mut().waiting.take();
            match (waiting, message) {
                (Some((resolve, _)), Ok(v)) => drop(resolve.call1(&JsValue::NULL, &v)),
                (Some((_, reject)), Err(e)) => drop(reject.call1(&JsValue::NULL, &e)),
                (None, m) => inbox.borrow_mut().arrived.push_back(m),
            }
        };
        let on_message = {
            let inbox = inbox.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
                deliver(inbox.clone(), Ok(e.data()))
            })
        };
        let on_error = {
            let inbox = inbox.clone();
            Closure::<dyn FnMut(ErrorEvent)>::new(move |e: ErrorEvent| {
                e.prevent_default();
                deliver(inbox.clone(), Err(JsValue::from_str(&e.message())))
            })
        };
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Helper {
            worker,
            inbox,
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    /// A promise for this helper's next message (rejected if the worker errors).
    fn next_message(&self) -> Promise {
        let inbox = self.inbox.clone();
        let arrived = inbox.borrow_mut().arrived.pop_front();
        match arrived {
            Some(Ok(v)) => Promise::resolve(&v),
            Some(Err(e)) => Promise::reject(&e),
            None => Promise::new(&mut |resolve, reject| {
                inbox.borrow_mut().waiting = Some((resolve, reject));
            }),
        }
    }
}

impl Drop for Helper {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

/// The helper threads of one run.
pub struct Pool {
    helpers: Vec<Helper>,
    model: ModelKind,
    backend: BackendKind,
    pending: Vec<Promise>,
}

/// A promise that resolves to `"timeout"` after `ms` milliseconds.
fn timeout(ms: i32) -> Promise {
    Promise::new(&mut |resolve, _| {
        let scope: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
        let _ = scope.set_timeout_with_callback_and_timeout_and_arguments_1(
            &resolve,
            ms,
            &JsValue::from_str("timeout"),
        );
    })
}

/// Whether this worker can start workers of its own.
pub fn nested_workers_available() -> bool {
    Reflect::get(&js_sys::global(), &"Worker".into()).is_ok_and(|w| w.is_function())
}

impl Pool {
    /// Start `count` helpers for `model` on `backend` and wait until each has loaded the
    /// wasm. An error says, in a few words, why this browser cannot have them.
    pub async fn start(
        count: usize,
        model: ModelKind,
        backend: BackendKind,
        boot: &Boot,
    ) -> Result<Pool, String> {
        if !nested_workers_available() {
            return Err("this browser cannot start workers inside the training worker".into());
        }
        let helpers = (0..count)
            .map(|_| Helper::spawn(boot))
            .collect::<Result<Vec<_>, _>>()?;
        for helper in &helpers {
            let race = Promise::race(&Array::of2(
                &helper.next_message(),
                &timeout(BOOT_TIMEOUT_MS),
            ));
            let reply = JsFuture::from(race)
                .await
                .map_err(|e| format!("a helper worker failed to start: {}", describe(&e)))?;
            if reply.as_string().as_deref() == Some("timeout") {
                return Err("a helper worker did not start within a minute".into());
            }
            match decode::<HelperEvent>(&reply) {
                Ok(HelperEvent::Booted) => {}
                Ok(HelperEvent::Failed(why)) => return Err(why),
                Ok(other) => return Err(format!("a helper worker said {other:?} first")),
                Err(why) => return Err(why),
            }
        }
        Ok(Pool {
            helpers,
            model,
            backend,
            pending: Vec::new(),
        })
    }
}

impl SliceHelpers for Pool {
    fn count(&self) -> usize {
        self.helpers.len()
    }

    fn send(&mut self, weights: Floats, jobs: Vec<SliceJob>) -> Result<(), String> {
        self.pending.clear();
        for (helper, job) in self.helpers.iter().zip(jobs) {
            let command = HelperCommand::Slice {
                model: self.model,
                backend: self.backend,
                slice: job.slice,
                weights: weights.clone(),
                pixels: job.pixels.into(),
                labels: job.labels.into(),
            };
            let out = encode(&command)?;
            self.pending.push(helper.next_message());
            helper
                .worker
                .post_message_with_transfer(&out.message, &out.transfer)
                .map_err(|e| format!("could not talk to a helper worker: {}", describe(&e)))?;
        }
        Ok(())
    }

    fn receive(&mut self) -> HelperFuture<'_> {
        let pending = std::mem::take(&mut self.pending);
        Box::pin(async move {
            let mut results = Vec::with_capacity(pending.len());
            for promise in pending {
                let reply = JsFuture::from(promise).await.map_err(|e| describe(&e))?;
                match decode::<HelperEvent>(&reply)? {
                    HelperEvent::Grads {
                        grads,
                        loss_sum,
                        correct,
                        images,
                        compute_ms,
                    } => results.push(SliceResult {
                        grads: lab::parallel::SliceGrads {
                            grads: grads.into_vec(),
                            loss_sum,
                            correct,
                            images,
                        },
                        compute_ms,
                    }),
                    HelperEvent::Failed(why) => return Err(why),
                    other => return Err(format!("a helper said {other:?}")),
                }
            }
            Ok(results)
        })
    }
}
