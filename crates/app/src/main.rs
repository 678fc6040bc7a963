//! The browser app: a yew front end over the `lab` engine, training in a Web Worker.
//!
//! One wasm serves two roles. In the page, `main` mounts the yew app. In the training
//! worker (`web/worker.js` imports this same module), there is no window, so `main` does
//! nothing and the worker calls [`worker_entry`].

mod app;
mod components;
mod data;
mod download;
mod estimate;
mod inference;
mod lessons;
mod pages;
mod routes;
mod settings;
mod store;
mod trainer;
mod workbench;

use wasm_bindgen::prelude::*;

fn main() {
    if web_sys::window().is_some() {
        yew::Renderer::<app::App>::new().render();
    }
}

/// Entry point of the training worker (called by `web/worker.js`).
#[wasm_bindgen]
pub fn worker_entry() {
    trainer::worker::start();
}
