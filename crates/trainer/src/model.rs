//! The model worker: answers what the lessons ask of a trained model (its probabilities for
//! an image, the maps inside it, its first kernels, its answers for a few hundred test
//! images) and checks weights files the learner loads.
//!
//! It runs beside any training worker, on the CPU (Flex), and keeps one model at a time:
//! the page loads it under a key ([`ModelQuestion::Load`]) and names the key in every
//! question, so a worker that started afresh answers [`ModelAnswer::Unknown`] and the page
//! loads the model again. Long answers (predicting many images) go in chunks with progress
//! between them, yielding to the worker's event loop, so a short question asked meanwhile
//! is answered between two chunks.

use std::cell::RefCell;
use std::rc::Rc;

use cifar::{NUM_CLASSES, SIDE, parse_batch};
use gloo::timers::future::TimeoutFuture;
use lab::{BackendKind, Cnn, ModelKind};
use protocol::js::{decode, encode};
use protocol::{ModelAnswer, ModelQuestion, ModelReply, ModelRequest, Predictions};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

/// Images per chunk when predicting many.
const CHUNK: usize = 50;

thread_local! {
    /// The loaded model and its key.
    static MODEL: RefCell<Option<(u64, Rc<Cnn>)>> = const { RefCell::new(None) };
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn post(reply: &ModelReply) {
    match encode(reply) {
        Ok(out) => {
            if let Err(e) = scope().post_message_with_transfer(&out.message, &out.transfer) {
                web_sys::console::error_1(&e);
            }
        }
        Err(e) => web_sys::console::error_1(&e.into()),
    }
}

fn answer(id: u64, answer: ModelAnswer) {
    post(&ModelReply::Answer { id, answer });
}

/// Install the message handler and tell the page the worker is ready.
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        let message = format!("the model worker crashed: {info}");
        web_sys::console::error_1(&message.clone().into());
        post(&ModelReply::Failed(message));
    }));
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|e: MessageEvent| {
        match decode::<ModelRequest>(&e.data()) {
            Ok(request) => wasm_bindgen_futures::spawn_local(async move {
                let id = request.id;
                let reply = respond(id, request.question)
                    .await
                    .unwrap_or_else(ModelAnswer::Failed);
                answer(id, reply);
            }),
            Err(why) => post(&ModelReply::Failed(why)),
        }
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    post(&ModelReply::Booted);
}

async fn cpu() -> Result<lab::Device, String> {
    BackendKind::Flex.device_async().await
}

/// The model loaded under `key`, if it is the one loaded.
fn loaded(key: u64) -> Option<Rc<Cnn>> {
    MODEL.with_borrow(|m| {
        m.as_ref()
            .filter(|(k, _)| *k == key)
            .map(|(_, c)| c.clone())
    })
}

async fn respond(id: u64, question: ModelQuestion) -> Result<ModelAnswer, String> {
    let key = match &question {
        ModelQuestion::Load { key, kind, weights } => {
            let device = cpu().await?;
            let cnn = lab::inspect::load_for_inference(*kind, weights.as_slice().to_vec(), &device)
                .map_err(|e| e.to_string())?;
            MODEL.with_borrow_mut(|m| *m = Some((*key, Rc::new(cnn))));
            return Ok(ModelAnswer::Loaded);
        }
        ModelQuestion::Identify { file, weights } => {
            return identify(file, weights.as_slice())
                .await
                .map(ModelAnswer::Identified);
        }
        ModelQuestion::Probabilities { key, .. }
        | ModelQuestion::Maps { key, .. }
        | ModelQuestion::Kernels { key }
        | ModelQuestion::Predict { key, .. } => *key,
    };
    let Some(cnn) = loaded(key) else {
        return Ok(ModelAnswer::Unknown);
    };
    let e = |e: lab::SessionError| e.to_string();
    Ok(match question {
        ModelQuestion::Probabilities { pixels, .. } => {
            let per_image = 3 * SIDE * SIDE;
            let pixels = pixels.as_slice();
            if pixels.is_empty() || !pixels.len().is_multiple_of(per_image) {
                return Err(format!(
                    "images need {per_image} values each, got {} in all",
                    pixels.len()
                ));
            }
            let mut out = Vec::with_capacity(pixels.len() / per_image * NUM_CLASSES);
            for image in pixels.chunks(per_image) {
                out.extend(lab::inspect::probabilities(&cnn, image).await.map_err(e)?);
            }
            ModelAnswer::Probabilities(out.into())
        }
        ModelQuestion::Maps { pixels, .. } => {
            let maps = lab::inspect::conv_maps(&cnn, pixels.as_slice())
                .await
                .map_err(e)?;
            ModelAnswer::maps(&maps)
        }
        ModelQuestion::Kernels { .. } => {
            ModelAnswer::Kernels(lab::inspect::first_kernels(&cnn).await.map_err(e)?)
        }
        ModelQuestion::Predict { images, .. } => {
            let set = parse_batch("test images", images.as_slice()).map_err(|e| e.to_string())?;
            let all: Vec<usize> = (0..set.len()).collect();
            let mut out = Predictions::default();
            for chunk in all.chunks(CHUNK) {
                for p in &lab::session::predict(&cnn, &set, chunk).await.map_err(e)? {
                    out.push(p);
                }
                answer(id, ModelAnswer::Progress(out.len(), set.len()));
                // Lets a question asked meanwhile through.
                TimeoutFuture::new(0).await;
            }
            ModelAnswer::Predictions(out.to_bytes().into())
        }
        ModelQuestion::Load { .. } | ModelQuestion::Identify { .. } => {
            unreachable!("answered above")
        }
    })
}

/// Which of the tutorial's models `bytes` are weights for, trying the 6-layer then the
/// 4-layer. The error names `file` and says what is wrong.
pub async fn identify(file: &str, bytes: &[u8]) -> Result<ModelKind, String> {
    if bytes.is_empty() {
        return Err(format!("{file} is empty: it holds no weights."));
    }
    let device = cpu()
        .await
        .map_err(|e| format!("no CPU backend to check {file} with: {e}"))?;
    let mut reasons = Vec::new();
    for kind in [ModelKind::Six, ModelKind::Four] {
        match lab::session::load_weights(&kind.spec(), bytes.to_vec(), &device) {
            Ok(_) => return Ok(kind),
            Err(e) => reasons.push(e.to_string()),
        }
    }
    Err(format!(
        "{file} is not a weights file for the 4-layer or 6-layer CNN ({})",
        reasons.first().cloned().unwrap_or_default()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use lab::block_on;

    #[test]
    fn weights_files_are_told_apart_and_others_refused_by_name() {
        let device = BackendKind::Flex.device().unwrap();
        let four = Cnn::new(&ModelKind::Four.spec(), &device).unwrap();
        let bytes = block_on(lab::session::weights_bytes(&four)).unwrap();
        assert_eq!(block_on(identify("w.bin", &bytes)), Ok(ModelKind::Four));
        let err = block_on(identify("photo.jpg", b"\xff\xd8 not weights")).unwrap_err();
        assert!(err.starts_with("photo.jpg is not a weights file"), "{err}");
        assert_eq!(
            block_on(identify("e.bin", b"")),
            Err("e.bin is empty: it holds no weights.".to_string())
        );
    }
}
