//! Where the trainer's workers load from, and the trainer's wasm, compiled once.
//!
//! The build (`scripts/build-manifest`) names the trainer's files in the page's `<meta>`
//! tags: the worker bootstrap, the trainer's JavaScript glue, its wasm and that file's
//! integrity hash. As soon as the page is up (and its service worker, if any, is in place
//! to keep the file), [`prefetch`] fetches the wasm (checked against the hash) and compiles
//! it in the background; every worker then gets the
//! compiled `WebAssembly.Module` in its boot message, so neither a run's workers nor the
//! model worker fetch or compile 30 MB again, and "Train" does not wait for it in practice.
//! Where a browser cannot hand a module to a worker, the worker gets the URL instead.

use std::cell::RefCell;

use futures::FutureExt;
use futures::future::{LocalBoxFuture, Shared};
use protocol::boot::{Boot, Role};
use protocol::js::describe;
use wasm_bindgen::prelude::*;
use web_sys::Worker;

#[wasm_bindgen(inline_js = r#"
export function trainer_files() {
  const meta = (name, fallback) => {
    const m = document.querySelector(`meta[name="${name}"]`);
    return m ? m.content : fallback;
  };
  const url = (u) => new URL(u, document.baseURI).href;
  return [
    url(meta("cnnlab-worker", "worker.js")),
    url(meta("cnnlab-trainer-glue", "cnnlab-trainer.js")),
    url(meta("cnnlab-trainer-wasm", "cnnlab-trainer_bg.wasm")),
    meta("cnnlab-trainer-integrity", ""),
  ];
}

export async function compile_trainer(url, integrity) {
  const response = await fetch(url, integrity ? { integrity } : {});
  if (!response.ok) throw new Error(`${url} answered ${response.status} ${response.statusText}`);
  const type = response.headers.get("content-type") || "";
  if (WebAssembly.compileStreaming && type.startsWith("application/wasm")) {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer());
}
"#)]
extern "C" {
    /// `[worker script, trainer glue, trainer wasm, wasm integrity]`, URLs absolute.
    fn trainer_files() -> Vec<String>;
    /// The trainer's wasm, fetched (checked against `integrity` when given) and compiled.
    #[wasm_bindgen(catch)]
    async fn compile_trainer(url: &str, integrity: &str) -> Result<JsValue, JsValue>;
}

type Compiled = Shared<LocalBoxFuture<'static, Result<JsValue, String>>>;

thread_local! {
    static COMPILED: RefCell<Option<Compiled>> = const { RefCell::new(None) };
}

/// The trainer's files as the build named them.
struct Files {
    script: String,
    glue: String,
    wasm: String,
}

fn files() -> (Files, String) {
    let mut f = trainer_files().into_iter();
    let mut next = || f.next().unwrap_or_default();
    let (script, glue, wasm, integrity) = (next(), next(), next(), next());
    (Files { script, glue, wasm }, integrity)
}

fn compiled() -> Compiled {
    COMPILED.with_borrow_mut(|c| {
        c.get_or_insert_with(|| {
            let (files, integrity) = files();
            async move {
                compile_trainer(&files.wasm, &integrity).await.map_err(|e| {
                    format!(
                        "the trainer ({}) did not load: {}",
                        files.wasm,
                        describe(&e)
                    )
                })
            }
            .boxed_local()
            .shared()
        })
        .clone()
    })
}

/// Fetch and compile the trainer now (once: later calls wait for the same compilation).
pub async fn prefetch() -> Result<(), String> {
    compiled().await.map(|_| ())
}

/// Where workers load the trainer from: the compiled module when it compiled, else its
/// URL (a worker that then fails to load it says why in its first message).
pub async fn boot() -> Boot {
    let (files, _) = files();
    let wasm = match compiled().await {
        Ok(module) => module,
        Err(_) => JsValue::from_str(&files.wasm),
    };
    Boot {
        script: files.script,
        glue: files.glue,
        wasm,
    }
}

/// Start a worker playing `role` with `boot`; if this browser cannot hand it the compiled
/// module, with the wasm's URL instead.
pub fn start(boot: &Boot, role: Role) -> Result<Worker, String> {
    match boot.start(role) {
        Ok(worker) => Ok(worker),
        Err(_) if !boot.wasm.is_string() => {
            let (files, _) = files();
            let by_url = Boot {
                wasm: JsValue::from_str(&files.wasm),
                ..boot.clone()
            };
            by_url.start(role)
        }
        Err(e) => Err(e),
    }
}
