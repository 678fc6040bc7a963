//! Envelopes as JavaScript objects: `{ json, bytes: [Uint8Array…], floats: [Float32Array…] }`.
//!
//! [`to_js`] copies each buffer once out of wasm memory into its own `ArrayBuffer` and lists
//! those for `postMessage`'s transfer list, so they move to the receiver without another
//! copy; [`from_js`] copies them once into the receiver's wasm memory. Also here: thrown
//! JavaScript values in words ([`describe`]).

use js_sys::{Array, Float32Array, Object, Reflect, Uint8Array};
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};

use crate::codec::{self, Envelope};

/// A message ready for `postMessage`, and the buffers to transfer with it.
pub struct Outgoing {
    /// The message object.
    pub message: JsValue,
    /// The `ArrayBuffer`s inside it, for the transfer list.
    pub transfer: Array,
}

/// The envelope as a message object.
pub fn to_js(envelope: &Envelope) -> Result<Outgoing, String> {
    let object = Object::new();
    let transfer = Array::new();
    let bytes = Array::new();
    for b in &envelope.bytes {
        let array = Uint8Array::from(b.as_slice());
        transfer.push(&array.buffer());
        bytes.push(&array);
    }
    let floats = Array::new();
    for f in &envelope.floats {
        let array = Float32Array::from(f.as_slice());
        transfer.push(&array.buffer());
        floats.push(&array);
    }
    set(&object, "json", &JsValue::from_str(&envelope.json))?;
    set(&object, "bytes", &bytes)?;
    set(&object, "floats", &floats)?;
    Ok(Outgoing {
        message: object.into(),
        transfer,
    })
}

/// A message object as an envelope. Missing buffer lists read as empty ones (a message
/// with no buffers may leave them out); a missing or non-text `json` is an error.
pub fn from_js(value: &JsValue) -> Result<Envelope, String> {
    let json = Reflect::get(value, &JsValue::from_str("json"))
        .ok()
        .and_then(|v| v.as_string())
        .ok_or("a message without its JSON part")?;
    let list = |key: &str| match Reflect::get(value, &JsValue::from_str(key)) {
        Ok(list) if list.is_array() => Array::from(&list).iter().collect::<Vec<_>>(),
        _ => Vec::new(),
    };
    let bytes = list("bytes")
        .into_iter()
        .map(|b| b.dyn_into::<Uint8Array>().map(|b| b.to_vec().into()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| "a message whose bytes are not a Uint8Array")?;
    let floats = list("floats")
        .into_iter()
        .map(|b| b.dyn_into::<Float32Array>().map(|b| b.to_vec().into()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| "a message whose floats are not a Float32Array")?;
    Ok(Envelope {
        json,
        bytes,
        floats,
    })
}

/// Encode `message` for `postMessage`.
pub fn encode<T: Serialize>(message: &T) -> Result<Outgoing, String> {
    to_js(&codec::encode(message)?)
}

/// Decode a message object that [`encode`] made (or `web/worker-messages.js` wrote).
pub fn decode<T: DeserializeOwned>(value: &JsValue) -> Result<T, String> {
    codec::decode(from_js(value)?)
}

fn set(object: &Object, key: &str, value: &JsValue) -> Result<(), String> {
    Reflect::set(object, &JsValue::from_str(key), value)
        .map(|_| ())
        .map_err(|_| format!("could not set {key} on a message"))
}

/// A thrown JavaScript value (an `Error`, a `DOMException`, a string, anything) in words:
/// a string as it is, else its `message`, else its debug form.
pub fn describe(value: &JsValue) -> String {
    if let Some(s) = value.as_string() {
        return s;
    }
    let message = Reflect::get(value, &JsValue::from_str("message"))
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or_default();
    if !message.is_empty() {
        return message;
    }
    format!("{value:?}")
}
