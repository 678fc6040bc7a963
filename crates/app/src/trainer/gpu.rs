//! Asking the browser for a WebGPU adapter, to name it and to tell a real GPU from a
//! software fallback (SwiftShader), which trains far slower than the CPU backends.
//!
//! Works in the page and in a worker: it goes through the global object's `navigator`.

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::js_error::describe;

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

/// WebGPU features burn's kernels need in a browser. Without `timestamp-query` cubecl's
/// autotuner cannot time its kernel variants there (timing without it would block, which a
/// browser forbids), and it panics at the first tuned operation: seen on Dawn's OpenGL ES
/// adapter (WebGPU compatibility mode) on an NVIDIA H100 in headless Chromium.
pub const REQUIRED_FEATURES: [&str; 1] = ["timestamp-query"];

/// The required features an adapter lacks, given what it has.
pub fn missing_features(has: impl Fn(&str) -> bool) -> Vec<&'static str> {
    REQUIRED_FEATURES.into_iter().filter(|f| !has(f)).collect()
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
    let description = text(&info, "description");
    let vendor = text(&info, "vendor");
    let architecture = text(&info, "architecture");
    let name = if !description.is_empty() {
        description
    } else if !vendor.is_empty() {
        format!("{vendor} {architecture}").trim().to_string()
    } else {
        "WebGPU adapter".to_string()
    };
    let features = get(&adapter, "features");
    let has_fn = get(&features, "has").dyn_into::<Function>().ok();
    let has = |feature: &str| {
        has_fn
            .as_ref()
            .and_then(|f| f.call1(&features, &JsValue::from_str(feature)).ok())
            .and_then(|v| v.as_bool())
            .unwrap_or(false)
    };
    let missing = missing_features(has);
    if !missing.is_empty() {
        return Err(format!(
            "the adapter “{name}” lacks {}, which burn's GPU kernels need in a browser",
            missing.join(", ")
        ));
    }
    Ok(Adapter { name, fallback })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_adapter_without_timestamp_queries_is_refused() {
        assert_eq!(missing_features(|_| false), vec!["timestamp-query"]);
        assert_eq!(
            missing_features(|f| f == "shader-f16"),
            vec!["timestamp-query"]
        );
    }

    #[test]
    fn an_adapter_with_timestamp_queries_is_accepted() {
        assert!(missing_features(|f| f == "timestamp-query").is_empty());
    }
}
