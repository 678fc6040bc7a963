//! A thrown JavaScript value (an `Error`, a `DOMException`, a string, anything) in words, for
//! the messages the page shows: every browser API the app calls can reject with one.

use js_sys::Reflect;
use wasm_bindgen::JsValue;

/// A thrown JavaScript value in words: a string as it is, else its `message`, else its
/// debug form.
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
