//! The course offline: the service worker (`web/sw.js`) that keeps the app's files and,
//! once the learner loads it, the site's CIFAR-10, and what the page says about it.
//!
//! [`start`] registers the worker and waits (a few seconds at most) until it controls the
//! page, so that the trainer's 30 MB, fetched right after, pass through it and are kept as
//! they arrive; [`keep_app`] then asks it to keep the files this first visit loaded before
//! it ran (from the browser's HTTP cache, not downloaded again). [`dataset_size`] and
//! [`remove_dataset`] are the page's view of the dataset's cache, which the worker fills
//! with the downloads `data::served` marks as the learner's (`data::served::LOAD_HEADER`).

use protocol::js::describe;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = r#"
const DATA_CACHE = "cnnlab-data";

export async function sw_start() {
  if (!("serviceWorker" in navigator)) return "this browser keeps no files for offline use here";
  await navigator.serviceWorker.register("./sw.js");
  if (!navigator.serviceWorker.controller) {
    await new Promise((resolve) => {
      navigator.serviceWorker.addEventListener("controllerchange", resolve, { once: true });
      setTimeout(resolve, 5000);
    });
  }
  return navigator.serviceWorker.controller ? "" : "the offline copy is not ready yet";
}

export async function sw_keep_app() {
  const worker = navigator.serviceWorker && navigator.serviceWorker.controller;
  if (!worker) return -1;
  return await new Promise((resolve) => {
    const done = (e) => {
      if (!e.data || !e.data.appCached) return;
      navigator.serviceWorker.removeEventListener("message", done);
      resolve(e.data.missing);
    };
    navigator.serviceWorker.addEventListener("message", done);
    // What this page has downloaded already (the service worker will not download it again).
    const loaded = performance.getEntriesByType("resource").map((e) => e.name);
    loaded.push(location.href.split('#')[0].split('?')[0]);
    worker.postMessage({ keepApp: loaded });
    setTimeout(() => resolve(-1), 120000);
  });
}

export async function dataset_size() {
  if (!self.caches || !(await caches.has(DATA_CACHE))) return 0;
  const cache = await caches.open(DATA_CACHE);
  let total = 0;
  for (const request of await cache.keys()) {
    const response = await cache.match(request);
    const length = Number(response && response.headers.get("content-length"));
    total += length > 0 ? length : (await response.blob()).size;
  }
  return total;
}

export async function remove_dataset() {
  return self.caches ? caches.delete(DATA_CACHE) : false;
}
"#)]
extern "C" {
    #[wasm_bindgen(catch)]
    async fn sw_start() -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch)]
    async fn sw_keep_app() -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = dataset_size)]
    async fn dataset_size_js() -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_name = remove_dataset)]
    async fn remove_dataset_js() -> Result<JsValue, JsValue>;
}

/// Register the service worker and wait until it controls the page. `Err` says why the
/// course will not work offline here (no service workers in a private window, say).
pub async fn start() -> Result<(), String> {
    match sw_start().await {
        Ok(v) if v.as_string().unwrap_or_default().is_empty() => Ok(()),
        Ok(v) => Err(v.as_string().unwrap_or_default()),
        Err(e) => Err(format!(
            "the offline copy could not be set up ({})",
            describe(&e)
        )),
    }
}

/// Ask the service worker to keep every file of the app: `Ok` once it has them all, else
/// why not yet.
pub async fn keep_app() -> Result<(), String> {
    let missing = sw_keep_app()
        .await
        .map_err(|e| describe(&e))?
        .as_f64()
        .map_or(-1, |n| n as i64);
    match missing {
        0 => Ok(()),
        1 => Err("one of the app's files is not kept yet; it will be after the next visit".into()),
        n if n > 1 => Err(format!(
            "{n} of the app's files are not kept yet; they will be after the next visit"
        )),
        _ => Err("the offline copy did not answer".into()),
    }
}

/// Bytes of the dataset kept for offline use (0 when none).
pub async fn dataset_size() -> Result<u64, String> {
    dataset_size_js()
        .await
        .map(|v| v.as_f64().unwrap_or(0.0) as u64)
        .map_err(|e| describe(&e))
}

/// Remove the dataset kept for offline use.
pub async fn remove_dataset() -> Result<(), String> {
    remove_dataset_js()
        .await
        .map(|_| ())
        .map_err(|e| describe(&e))
}
