//! The model worker, from the page's side: the lessons' questions about a trained model
//! (its answer for an image, the maps inside it, its kernels, its answers for many test
//! images) and the check of a weights file the learner loads, answered by the trainer
//! (`crates/trainer/src/model.rs`) in a worker of its own.
//!
//! One worker serves the whole page, started at the first question and kept. It holds one
//! model at a time: before a question about another model (another `Rc` of weights), its
//! weights are sent once under a new key. A worker that crashed is started afresh at the
//! next question, and a question it no longer has the model for is asked again after
//! loading it.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::{Rc, Weak};

use futures::channel::oneshot;
use lab::ModelKind;
use lab::inspect::{Kernels, Maps};
use protocol::boot::Role;
use protocol::js::{decode, encode};
use protocol::{Bytes, ModelAnswer, ModelQuestion, ModelReply, ModelRequest, Predictions};
use wasm_bindgen::prelude::*;
use web_sys::{ErrorEvent, MessageEvent, Worker};

use super::boot;
use crate::store::runs::TrainedModel;

/// Where a question waits for its answer, and who hears of its progress.
struct Pending {
    answer: oneshot::Sender<Result<ModelAnswer, String>>,
    progress: Option<Rc<dyn Fn(usize, usize)>>,
}

/// The worker's message and error handlers, kept while it runs.
type Handlers = (
    Closure<dyn FnMut(MessageEvent)>,
    Closure<dyn FnMut(ErrorEvent)>,
);

/// The worker and what it was asked.
#[derive(Default)]
struct Link {
    /// The worker, once started (`None` before the first question and after a crash).
    worker: Option<Worker>,
    /// Its wasm is running (questions before that wait in `queue`).
    booted: bool,
    queue: Vec<protocol::js::Outgoing>,
    pending: HashMap<u64, Pending>,
    next_id: u64,
    /// The model the worker holds: its weights (not kept alive here) and key.
    loaded: Option<(Weak<Vec<u8>>, u64)>,
    _handlers: Option<Handlers>,
}

thread_local! {
    static LINK: RefCell<Link> = RefCell::default();
}

/// The worker is gone: every question waiting hears `why`; the next one starts a new one.
fn lost(why: String) {
    let pending = LINK.with_borrow_mut(|l| {
        if let Some(w) = l.worker.take() {
            w.terminate();
        }
        l.booted = false;
        l.queue.clear();
        l.loaded = None;
        std::mem::take(&mut l.pending)
    });
    for (_, p) in pending {
        let _ = p.answer.send(Err(why.clone()));
    }
}

fn on_reply(reply: ModelReply) {
    match reply {
        ModelReply::Booted => LINK.with_borrow_mut(|l| {
            l.booted = true;
            if let Some(w) = &l.worker {
                for out in l.queue.drain(..) {
                    let _ = w.post_message_with_transfer(&out.message, &out.transfer);
                }
            }
        }),
        ModelReply::Answer {
            id,
            answer: ModelAnswer::Progress(done, total),
        } => {
            // Called outside the borrow: what it does may ask another question.
            let progress =
                LINK.with_borrow(|l| l.pending.get(&id).and_then(|p| p.progress.clone()));
            if let Some(f) = progress {
                f(done, total);
            }
        }
        ModelReply::Answer { id, answer } => {
            if let Some(p) = LINK.with_borrow_mut(|l| l.pending.remove(&id)) {
                let _ = p.answer.send(Ok(answer));
            }
        }
        ModelReply::Failed(why) => lost(why),
    }
}

/// Start the worker (after the trainer compiled) unless it runs.
async fn ensure_started() -> Result<(), String> {
    if LINK.with_borrow(|l| l.worker.is_some()) {
        return Ok(());
    }
    let boot = boot::boot().await;
    if LINK.with_borrow(|l| l.worker.is_some()) {
        return Ok(());
    }
    let worker = boot::start(&boot, Role::Model)
        .map_err(|e| format!("could not start the model worker: {e}"))?;
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|e: MessageEvent| {
        match decode::<ModelReply>(&e.data()) {
            Ok(reply) => on_reply(reply),
            Err(why) => lost(format!(
                "the model worker said something unreadable ({why})"
            )),
        }
    });
    let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(|e: ErrorEvent| {
        lost(format!("the model worker stopped: {}", e.message()));
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    LINK.with_borrow_mut(|l| {
        l.worker = Some(worker);
        l._handlers = Some((on_message, on_error));
    });
    Ok(())
}

/// Ask one question; `progress` hears (done, total) along the way.
async fn ask(
    question: ModelQuestion,
    progress: Option<Rc<dyn Fn(usize, usize)>>,
) -> Result<ModelAnswer, String> {
    ensure_started().await?;
    let (tx, rx) = oneshot::channel();
    let out = LINK.with_borrow_mut(|l| {
        let id = l.next_id;
        l.next_id += 1;
        let out = encode(&ModelRequest { id, question })?;
        l.pending.insert(
            id,
            Pending {
                answer: tx,
                progress,
            },
        );
        Ok::<_, String>(out)
    })?;
    LINK.with_borrow_mut(|l| match &l.worker {
        Some(w) if l.booted => w
            .post_message_with_transfer(&out.message, &out.transfer)
            .map_err(|e| protocol::js::describe(&e)),
        Some(_) => {
            l.queue.push(out);
            Ok(())
        }
        None => Err("the model worker has stopped".to_string()),
    })?;
    rx.await
        .map_err(|_| "the model worker stopped before answering".to_string())?
}

/// The key under which the worker holds `model`, loading it there first if needed.
async fn load(model: &TrainedModel) -> Result<u64, String> {
    let held = LINK.with_borrow(|l| {
        l.loaded
            .as_ref()
            .filter(|(w, _)| {
                w.upgrade()
                    .is_some_and(|rc| Rc::ptr_eq(&rc, &model.weights))
            })
            .map(|(_, key)| *key)
    });
    if let Some(key) = held {
        return Ok(key);
    }
    let key = LINK.with_borrow_mut(|l| {
        l.next_id += 1;
        l.next_id
    });
    let question = ModelQuestion::Load {
        key,
        kind: model.kind,
        weights: Bytes::from(model.weights.clone()),
    };
    match ask(question, None).await? {
        ModelAnswer::Loaded => {
            LINK.with_borrow_mut(|l| l.loaded = Some((Rc::downgrade(&model.weights), key)));
            Ok(key)
        }
        ModelAnswer::Failed(why) => Err(why),
        other => Err(format!(
            "the model worker answered {other:?} to loading a model"
        )),
    }
}

/// Ask about `model`: the question `make(key)` once the worker holds it, asked again
/// (after loading the model again) if the worker had lost it.
async fn ask_about(
    model: &TrainedModel,
    make: impl Fn(u64) -> ModelQuestion,
    progress: impl Fn(usize, usize) + 'static,
) -> Result<ModelAnswer, String> {
    let progress: Rc<dyn Fn(usize, usize)> = Rc::new(progress);
    for _ in 0..2 {
        let key = load(model).await?;
        match ask(make(key), Some(progress.clone())).await? {
            ModelAnswer::Unknown => LINK.with_borrow_mut(|l| l.loaded = None),
            ModelAnswer::Failed(why) => return Err(why),
            answer => return Ok(answer),
        }
    }
    Err("the model worker lost the model twice".into())
}

fn unexpected(what: &str, answer: ModelAnswer) -> String {
    format!("the model worker answered {answer:?} when asked for {what}")
}

/// Class probabilities for one image (`[3, 32, 32]` in `[0, 1]`, flat).
pub async fn probabilities(model: &TrainedModel, pixels: Vec<f32>) -> Result<[f32; 10], String> {
    let pixels = protocol::Floats::from(pixels);
    match ask_about(
        model,
        |key| ModelQuestion::Probabilities {
            key,
            pixels: pixels.clone(),
        },
        |_, _| {},
    )
    .await?
    {
        ModelAnswer::Probabilities(p) if p.len() == 10 => {
            Ok(std::array::from_fn(|i| p.as_slice()[i]))
        }
        other => Err(unexpected("probabilities", other)),
    }
}

/// The maps after every convolution for one image.
pub async fn maps(model: &TrainedModel, pixels: Vec<f32>) -> Result<Vec<Maps>, String> {
    let pixels = protocol::Floats::from(pixels);
    match ask_about(
        model,
        |key| ModelQuestion::Maps {
            key,
            pixels: pixels.clone(),
        },
        |_, _| {},
    )
    .await?
    {
        ModelAnswer::Maps { shapes, values } => {
            protocol::messages::maps_from(&shapes, values.as_slice())
        }
        other => Err(unexpected("maps", other)),
    }
}

/// The first convolution's kernels.
pub async fn kernels(model: &TrainedModel) -> Result<Kernels, String> {
    match ask_about(model, |key| ModelQuestion::Kernels { key }, |_, _| {}).await? {
        ModelAnswer::Kernels(k) => Ok(k),
        other => Err(unexpected("kernels", other)),
    }
}

/// The model's answer for every image of `images` (official record layout), reporting
/// (done, total) as it goes.
pub async fn predict(
    model: &TrainedModel,
    images: Vec<u8>,
    progress: impl Fn(usize, usize) + 'static,
) -> Result<Predictions, String> {
    let images = Bytes::from(images);
    match ask_about(
        model,
        |key| ModelQuestion::Predict {
            key,
            images: images.clone(),
        },
        progress,
    )
    .await?
    {
        ModelAnswer::Predictions(bytes) => Predictions::from_bytes(bytes.as_slice())
            .ok_or_else(|| "the model worker's predictions did not decode".to_string()),
        other => Err(unexpected("predictions", other)),
    }
}

/// Which of the tutorial's models `bytes` (a file called `file`) are weights for. The
/// error names the file and says what is wrong.
pub async fn identify(file: &str, bytes: Rc<Vec<u8>>) -> Result<ModelKind, String> {
    let question = ModelQuestion::Identify {
        file: file.to_string(),
        weights: Bytes::from(bytes),
    };
    match ask(question, None).await? {
        ModelAnswer::Identified(kind) => Ok(kind),
        ModelAnswer::Failed(why) => Err(why),
        other => Err(unexpected("the kind of a weights file", other)),
    }
}
