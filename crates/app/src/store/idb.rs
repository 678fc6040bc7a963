//! A few promise-shaped helpers over IndexedDB, the browser's database, on web-sys.
//!
//! The database `cnnlab` has two object stores with out-of-line keys: `runs` (each run's
//! report as a JSON string) and `blobs` (weights and predictions as bytes). Every call
//! opens its own transaction; the data is small and calls are rare (a run ending, the
//! runs page opening).

use js_sys::{Array, Promise, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbOpenDbRequest, IdbRequest, IdbTransactionMode};

use protocol::js::describe;

const NAME: &str = "cnnlab";
const VERSION: u32 = 1;
/// Run reports (JSON strings).
pub const RUNS: &str = "runs";
/// Weights and predictions (bytes).
pub const BLOBS: &str = "blobs";

fn js_error(what: &str, e: JsValue) -> String {
    format!(
        "the browser's storage (IndexedDB) could not {what}: {}",
        describe(&e)
    )
}

/// A promise that settles with the request's result (or its error).
fn settle(request: &IdbRequest) -> Promise {
    let request = request.clone();
    Promise::new(&mut |resolve, reject| {
        let r = request.clone();
        let ok = Closure::once_into_js(move |_: JsValue| {
            let value = r.result().unwrap_or(JsValue::UNDEFINED);
            let _ = resolve.call1(&JsValue::NULL, &value);
        });
        let r = request.clone();
        let fail = Closure::once_into_js(move |_: JsValue| {
            // `request.error` is a DOMException; read its message without web-sys's type.
            let err = js_sys::Reflect::get(&r, &JsValue::from_str("error"))
                .ok()
                .and_then(|e| js_sys::Reflect::get(&e, &JsValue::from_str("message")).ok())
                .filter(|m| m.is_string())
                .unwrap_or_else(|| JsValue::from_str("unknown error"));
            let _ = reject.call1(&JsValue::NULL, &err);
        });
        request.set_onsuccess(Some(ok.unchecked_ref()));
        request.set_onerror(Some(fail.unchecked_ref()));
    })
}

async fn open() -> Result<IdbDatabase, String> {
    let factory = web_sys::window()
        .and_then(|w| w.indexed_db().ok().flatten())
        .ok_or_else(|| "this browser offers no IndexedDB (private mode?)".to_string())?;
    let request: IdbOpenDbRequest = factory
        .open_with_u32(NAME, VERSION)
        .map_err(|e| js_error("open", e))?;
    let upgrade_request = request.clone();
    let upgrade = Closure::once_into_js(move |_: JsValue| {
        if let Ok(db) = upgrade_request.result()
            && let Ok(db) = db.dyn_into::<IdbDatabase>()
        {
            // Version 1 is the only version: upgrading means creating both stores.
            for store in [RUNS, BLOBS] {
                let _ = db.create_object_store(store);
            }
        }
    });
    request.set_onupgradeneeded(Some(upgrade.unchecked_ref()));
    let db = JsFuture::from(settle(&request))
        .await
        .map_err(|e| js_error("open", e))?;
    db.dyn_into::<IdbDatabase>()
        .map_err(|_| "IndexedDB returned something that is not a database".to_string())
}

async fn request(
    store: &str,
    mode: IdbTransactionMode,
    what: &str,
    call: impl FnOnce(&web_sys::IdbObjectStore) -> Result<IdbRequest, JsValue>,
) -> Result<JsValue, String> {
    let db = open().await?;
    let tx = db
        .transaction_with_str_and_mode(store, mode)
        .map_err(|e| js_error(what, e))?;
    let os = tx.object_store(store).map_err(|e| js_error(what, e))?;
    let req = call(&os).map_err(|e| js_error(what, e))?;
    let out = JsFuture::from(settle(&req))
        .await
        .map_err(|e| js_error(what, e));
    db.close();
    out
}

/// Store `value` under `key`.
pub async fn put(store: &str, key: &str, value: &JsValue) -> Result<(), String> {
    request(store, IdbTransactionMode::Readwrite, "save", |os| {
        os.put_with_key(value, &JsValue::from_str(key))
    })
    .await
    .map(|_| ())
}

/// Store bytes under `key`.
pub async fn put_bytes(store: &str, key: &str, bytes: &[u8]) -> Result<(), String> {
    put(store, key, &Uint8Array::from(bytes).into()).await
}

/// The value under `key`, if any.
pub async fn get(store: &str, key: &str) -> Result<Option<JsValue>, String> {
    let v = request(store, IdbTransactionMode::Readonly, "read", |os| {
        os.get(&JsValue::from_str(key))
    })
    .await?;
    Ok((!v.is_undefined() && !v.is_null()).then_some(v))
}

/// The bytes under `key`, if any.
pub async fn get_bytes(store: &str, key: &str) -> Result<Option<Vec<u8>>, String> {
    Ok(get(store, key)
        .await?
        .and_then(|v| v.dyn_into::<Uint8Array>().ok())
        .map(|a| a.to_vec()))
}

/// Every value in `store`, in key order.
pub async fn get_all(store: &str) -> Result<Vec<JsValue>, String> {
    let v = request(store, IdbTransactionMode::Readonly, "read", |os| {
        os.get_all()
    })
    .await?;
    Ok(v.dyn_into::<Array>()
        .map(|a| a.to_vec())
        .unwrap_or_default())
}

/// Remove `key` from `store`.
pub async fn delete(store: &str, key: &str) -> Result<(), String> {
    request(store, IdbTransactionMode::Readwrite, "delete", |os| {
        os.delete(&JsValue::from_str(key))
    })
    .await
    .map(|_| ())
}
