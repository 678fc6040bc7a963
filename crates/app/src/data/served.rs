//! CIFAR-10 served by the site itself under `data/` (put there by `scripts/get-cifar10`).
//!
//! The test batch and the first training batch come first, so a run can start while the
//! other four arrive. Downloads stream, so the progress bar moves with the bytes.

use std::rc::Rc;

use cifar::{Dataset, DatasetBuilder, META_FILE, TEST_FILE, TRAIN_FILES};
use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{ReadableStreamDefaultReader, Response};

use super::loading::Loading;
use protocol::js::describe;

/// Bytes of one batch file.
const BATCH_BYTES: u64 = 10_000 * cifar::RECORD_BYTES as u64;

/// The folder, relative to the page.
pub const DIR: &str = "data/";

/// The request header that asks the service worker (`web/sw.js`) to keep a dataset file
/// for offline use: set on the downloads the learner started, not on the probe.
pub const LOAD_HEADER: &str = "x-cnnlab-load";

/// Whether the site serves the dataset (its small meta file answers).
pub async fn available() -> bool {
    match fetch(&format!("{DIR}{META_FILE}"), false).await {
        Ok(r) => r.ok(),
        Err(_) => false,
    }
}

/// `url` fetched; `keep` asks the service worker to keep the file for offline use (a
/// download the learner started), see `store::offline`.
async fn fetch(url: &str, keep: bool) -> Result<Response, String> {
    let window = web_sys::window().ok_or("no window")?;
    let init = web_sys::RequestInit::new();
    if keep {
        let headers = web_sys::Headers::new().map_err(|e| describe(&e))?;
        headers.set(LOAD_HEADER, "1").map_err(|e| describe(&e))?;
        init.set_headers(&headers);
    }
    let response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .map_err(|e| format!("{url}: could not be fetched ({})", describe(&e)))?;
    response
        .dyn_into::<Response>()
        .map_err(|_| format!("{url}: not a response"))
}

/// Download `url` whole, calling `progress` with the bytes received so far.
async fn download(url: &str, mut progress: impl FnMut(u64)) -> Result<Vec<u8>, String> {
    let response = fetch(url, true).await?;
    if !response.ok() {
        return Err(format!(
            "{url}: the site answered {} {}",
            response.status(),
            response.status_text()
        ));
    }
    let body = response
        .body()
        .ok_or_else(|| format!("{url}: empty response"))?;
    let reader: ReadableStreamDefaultReader = body
        .get_reader()
        .dyn_into()
        .map_err(|_| format!("{url}: the response cannot be streamed"))?;
    let mut bytes = Vec::new();
    loop {
        let chunk = JsFuture::from(reader.read())
            .await
            .map_err(|e| format!("{url}: the download broke off ({})", describe(&e)))?;
        let done = Reflect::get(&chunk, &JsValue::from_str("done"))
            .ok()
            .and_then(|d| d.as_bool())
            .unwrap_or(true);
        if done {
            break;
        }
        if let Ok(value) = Reflect::get(&chunk, &JsValue::from_str("value")) {
            let array: Uint8Array = value.unchecked_into();
            let start = bytes.len();
            bytes.resize(start + array.length() as usize, 0);
            array.copy_to(&mut bytes[start..]);
            progress(bytes.len() as u64);
        }
    }
    Ok(bytes)
}

/// Load the served dataset. `on_loading` gets progress; `on_data` gets the dataset as soon
/// as the test batch and the first training batch are in (`complete` false), and again
/// with all five. An error names the file; what was delivered before stays delivered.
pub async fn load(
    on_loading: impl Fn(Loading),
    on_data: impl Fn(Rc<Dataset>, bool),
) -> Result<(), String> {
    let files: Vec<&str> = [META_FILE, TEST_FILE]
        .into_iter()
        .chain(TRAIN_FILES)
        .collect();
    let total = 6 * BATCH_BYTES;
    let mut done = 0u64;
    let mut builder = DatasetBuilder::new("served by this site");
    for (i, name) in files.iter().enumerate() {
        let url = format!("{DIR}{name}");
        let before = done;
        // Report in steps of 0.5% so the page re-renders a few hundred times, not once
        // per network chunk.
        let mut reported = u64::MAX;
        let bytes = download(&url, |n| {
            let step = (before + n) * 200 / total;
            if step != reported {
                reported = step;
                on_loading(Loading {
                    what: format!("Downloading {name}"),
                    done: before + n,
                    total: Some(total),
                });
            }
        })
        .await?;
        done += bytes.len() as u64;
        builder.add_file(name, &bytes).map_err(|e| e.to_string())?;
        // After the test batch and data_batch_1 (files 0..=2), and after each later batch.
        if i >= 2 {
            let complete = i + 1 == files.len();
            let dataset = builder.snapshot().map_err(|e| e.to_string())?;
            on_data(Rc::new(dataset), complete);
        }
    }
    Ok(())
}
