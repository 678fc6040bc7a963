//! Messages as JavaScript objects: `{ json: "<serde JSON>", buffers: [Uint8Array, …] }`.
//!
//! JSON keeps the protocol readable in the browser's devtools; byte buffers travel beside
//! it (and are transferred, not copied) so image sets and weights never go through JSON.

use js_sys::{Array, Float32Array, Object, Reflect, Uint8Array};
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};

/// A message ready for `postMessage`, and the buffers to transfer with it.
pub struct Outgoing {
    /// The message object.
    pub message: JsValue,
    /// The `ArrayBuffer`s inside it, for the transfer list.
    pub transfer: Array,
}

/// Pack `msg` and `buffers` into a message object.
pub fn encode<T: Serialize>(msg: &T, buffers: &[&[u8]]) -> Result<Outgoing, String> {
    encode_with_floats(msg, buffers, &[])
}

/// Pack `msg`, byte `buffers` and `floats` (as `Float32Array`s under `floats`: one copy out
/// of wasm memory, no conversion) into a message object.
pub fn encode_with_floats<T: Serialize>(
    msg: &T,
    buffers: &[&[u8]],
    floats: &[&[f32]],
) -> Result<Outgoing, String> {
    let json =
        serde_json::to_string(msg).map_err(|e| format!("could not encode a message: {e}"))?;
    let object = Object::new();
    let list = Array::new();
    let transfer = Array::new();
    for bytes in buffers {
        let array = Uint8Array::from(*bytes);
        transfer.push(&array.buffer());
        list.push(&array);
    }
    set(&object, "json", &JsValue::from_str(&json))?;
    set(&object, "buffers", &list)?;
    if !floats.is_empty() {
        let list = Array::new();
        for values in floats {
            let array = Float32Array::from(*values);
            transfer.push(&array.buffer());
            list.push(&array);
        }
        set(&object, "floats", &list)?;
    }
    Ok(Outgoing {
        message: object.into(),
        transfer,
    })
}

/// Unpack a message object made by [`encode`].
pub fn decode<T: DeserializeOwned>(value: &JsValue) -> Result<(T, Vec<Vec<u8>>), String> {
    let json = Reflect::get(value, &JsValue::from_str("json"))
        .ok()
        .and_then(|v| v.as_string())
        .ok_or("a message without its JSON part")?;
    let msg =
        serde_json::from_str(&json).map_err(|e| format!("a message that is not ours: {e}"))?;
    let buffers = match Reflect::get(value, &JsValue::from_str("buffers")) {
        Ok(list) if list.is_array() => Array::from(&list)
            .iter()
            .filter_map(|b| b.dyn_into::<Uint8Array>().ok())
            .map(|b| b.to_vec())
            .collect(),
        _ => Vec::new(),
    };
    Ok((msg, buffers))
}

/// The `Float32Array`s of a message made by [`encode_with_floats`], copied into wasm.
pub fn decode_floats(value: &JsValue) -> Vec<Vec<f32>> {
    match Reflect::get(value, &JsValue::from_str("floats")) {
        Ok(list) if list.is_array() => Array::from(&list)
            .iter()
            .filter_map(|b| b.dyn_into::<Float32Array>().ok())
            .map(|b| b.to_vec())
            .collect(),
        _ => Vec::new(),
    }
}

fn set(object: &Object, key: &str, value: &JsValue) -> Result<(), String> {
    Reflect::set(object, &JsValue::from_str(key), value)
        .map(|_| ())
        .map_err(|_| format!("could not set {key} on a message"))
}
