//! A helper thread of a data-parallel run (see `crate::pool`): a Web Worker that the
//! training worker starts, running the trainer's wasm. For each batch it is sent the weights and one
//! slice, computes that slice's gradients on its own copy of the model, and sends them back.
//! It keeps no state but the model it last used.

use std::cell::RefCell;

use lab::model::Cnn;
use lab::parallel::{load_flat_weights, slice_gradients};
use lab::{BackendKind, ModelKind};
use protocol::js::{decode, encode};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use crate::pool::{HelperCommand, HelperEvent};

thread_local! {
    static MODEL: RefCell<Option<(ModelKind, BackendKind, Cnn)>> = const { RefCell::new(None) };
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn post(event: &HelperEvent) {
    match encode(event) {
        Ok(out) => {
            if let Err(e) = scope().post_message_with_transfer(&out.message, &out.transfer) {
                web_sys::console::error_1(&e);
            }
        }
        Err(e) => web_sys::console::error_1(&e.into()),
    }
}

fn now_ms() -> f64 {
    scope()
        .performance()
        .map(|p| p.now())
        .unwrap_or_else(js_sys::Date::now)
}

/// Install the message handler and tell the training worker this helper is ready.
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        post(&HelperEvent::Failed(format!(
            "a helper thread crashed: {info}"
        )));
    }));
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|e: MessageEvent| {
        let data = e.data();
        wasm_bindgen_futures::spawn_local(async move {
            match compute(&data).await {
                Ok(event) => post(&event),
                Err(why) => post(&HelperEvent::Failed(why)),
            }
        });
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    post(&HelperEvent::Booted);
}

async fn compute(data: &JsValue) -> Result<HelperEvent, String> {
    let t0 = now_ms();
    let HelperCommand::Slice {
        model: kind,
        backend,
        slice,
        weights,
        pixels,
        labels,
    } = decode::<HelperCommand>(data)?;
    let cached = MODEL.with_borrow_mut(|m| match m.take() {
        Some((k, b, model)) if k == kind && b == backend => Some(model),
        _ => None,
    });
    let model = match cached {
        Some(model) => model,
        None => {
            let device = backend.device_async().await?.autodiff();
            Cnn::new(&kind.spec(), &device).map_err(|e| e.to_string())?
        }
    };
    let model = load_flat_weights(model, weights.as_slice()).map_err(|e| e.to_string())?;
    let grads = slice_gradients(&model, slice, pixels.as_slice(), labels.as_slice())
        .await
        .map_err(|e| e.to_string())?;
    MODEL.with_borrow_mut(|m| *m = Some((kind, backend, model)));
    Ok(HelperEvent::Grads {
        loss_sum: grads.loss_sum,
        correct: grads.correct,
        images: grads.images,
        compute_ms: now_ms() - t0,
        grads: grads.grads.into(),
    })
}
