//! Asking the browser for a WebGPU adapter, to name it and to tell a real GPU from a
//! software fallback (SwiftShader), which trains far slower than the CPU backends.
//!
//! Works in the page and in a worker: it goes through the global object's `navigator`.
//! Any adapter will do, with or without `timestamp-query`: the trainer's workers load
//! `web/webgpu-shim.js`, which lets burn open a device on an adapter without it (and
//! BENCHMARKS.md, "WebGPU without timestamp queries", says why that is safe here).

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::js::describe;

/// What the browser offers.
#[derive(Debug, Clone, PartialEq)]
pub struct Adapter {
    /// A name for the page: the adapter's description, or vendor and architecture.
    pub name: String,
    /// A software adapter (the browser says so): slower than the CPU backends.
    pub fallback: bool,
}

/// What the browser offers for WebGPU, as the page shows it.
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

fn get(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn text(target: &JsValue, key: &str) -> String {
    get(target, key).as_string().unwrap_or_default()
}

/// The adapter `navigator.gpu.requestAdapter()` gives, or why there is none, in one line.
pub async fn probe() -> Result<Adapter, String> {
    let navigator = get(&js_sys::global(), "navigator");
    let gpu = get(&navigator, "gpu");
    if gpu.is_undefined() || gpu.is_null() {
        return Err("this browser has no WebGPU (navigator.gpu is missing)".into());
    }
    let request: Function = get(&gpu, "requestAdapter")
        .dyn_into()
        .map_err(|_| "navigator.gpu.requestAdapter is missing".to_string())?;
    let promise: Promise = request
        .call0(&gpu)
        .map_err(|e| format!("requestAdapter failed: {}", describe(&e)))?
        .dyn_into()
        .map_err(|_| "requestAdapter did not return a promise".to_string())?;
    let adapter = JsFuture::from(promise)
        .await
        .map_err(|e| format!("requestAdapter failed: {}", describe(&e)))?;
    if adapter.is_null() || adapter.is_undefined() {
        return Err("WebGPU is there but offers no adapter (GPU blocked or unsupported)".into());
    }
    let info = get(&adapter, "info");
    let fallback = get(&adapter, "isFallbackAdapter").as_bool() == Some(true)
        || get(&info, "isFallbackAdapter").as_bool() == Some(true);
    let name = adapter_name(
        &text(&info, "description"),
        &text(&info, "vendor"),
        &text(&info, "architecture"),
    );
    Ok(Adapter { name, fallback })
}

/// A name for the page from what the adapter says of itself: its description, else its
/// vendor and architecture (browsers often hide the description), else a plain word.
pub fn adapter_name(description: &str, vendor: &str, architecture: &str) -> String {
    if !description.is_empty() {
        description.to_string()
    } else if !vendor.is_empty() {
        format!("{vendor} {architecture}").trim().to_string()
    } else {
        "WebGPU adapter".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_adapter_is_named_by_what_it_says_of_itself() {
        assert_eq!(
            adapter_name("SwiftShader Device", "google", "swiftshader"),
            "SwiftShader Device"
        );
        assert_eq!(adapter_name("", "nvidia", "hopper"), "nvidia hopper");
        assert_eq!(adapter_name("", "apple", ""), "apple");
        assert_eq!(adapter_name("", "", "x"), "WebGPU adapter");
        assert!(
            GpuStatus::Available {
                name: "x".into(),
                fallback: false
            }
            .real_gpu()
        );
        assert!(
            !GpuStatus::Available {
                name: "x".into(),
                fallback: true
            }
            .real_gpu()
        );
        assert!(!GpuStatus::Missing("none".into()).real_gpu());
    }
}
