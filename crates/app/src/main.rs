//! The browser app: a yew front end over the `lab` engine, training in a Web Worker.
//!
//! One wasm serves three roles. In the page, `main` mounts the yew app. In the training
//! worker (`web/worker.js` imports this same module), there is no window, so `main` does
//! nothing and the worker calls [`worker_entry`]; in the helper threads that the training
//! worker starts for a multi-threaded CPU run, [`helper_entry`].

mod app;
mod components;
mod data;
mod download;
mod estimate;
mod inference;
mod js_error;
mod lessons;
mod pages;
mod routes;
mod settings;
mod store;
mod trainer;
mod workbench;

use wasm_bindgen::prelude::*;

fn main() {
    run_constructors_once();
    if web_sys::window().is_some() {
        yew::Renderer::<app::App>::new().render();
    }
}

/// Runs the module's static constructors (cubecl registers its IR types with `inventory`),
/// once, before anything else.
///
/// Without an explicit call, wasm-ld treats this binary as a "command" and runs every
/// constructor again at the top of every exported function: each JS value or string handed
/// to Rust (`__externref_table_alloc`, `__wbindgen_malloc`) re-ran hundreds of them, which
/// cost the first render about half a second and every later call from JS its share. One
/// explicit call tells the linker not to wrap the exports (see the `inventory` crate's docs,
/// "WebAssembly and constructors"). `main` runs first in the page and in the worker
/// (wasm-bindgen's start), so this is the single place.
fn run_constructors_once() {
    #[cfg(target_family = "wasm")]
    {
        unsafe extern "C" {
            fn __wasm_call_ctors();
        }
        // SAFETY: the linker-made constructor list, called exactly once, at start, before
        // any other Rust code of this instance has run.
        unsafe { __wasm_call_ctors() }
    }
}

/// Entry point of the training worker (called by `web/worker.js` with the app's module
/// and wasm URLs, which its helper threads load too).
#[wasm_bindgen]
pub fn worker_entry(module: String, wasm: String) {
    trainer::worker::start(module, wasm);
}

/// Entry point of a helper thread of a data-parallel run (called by `web/worker.js`).
#[wasm_bindgen]
pub fn helper_entry() {
    trainer::helper::start();
}
