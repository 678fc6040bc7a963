//! The browser page: the course's lessons, the trainer's controls and the learner's runs,
//! in yew. It holds no burn: training and every question about a trained model go to the
//! trainer's Web Workers (`crates/trainer`, reached through `workers`), whose 30 MB wasm
//! loads in the background while the first lesson is already on screen.

mod app;
mod components;
mod data;
mod download;
mod estimate;
mod lessons;
mod pages;
mod routes;
mod settings;
mod store;
mod words;
mod workbench;
mod workers;

fn main() {
    run_constructors_once();
    yew::Renderer::<app::App>::new().render();
}

/// Runs the module's static constructors, once, before anything else.
///
/// Without an explicit call, wasm-ld treats this binary as a "command" and runs every
/// constructor again at the top of every exported function (each JS value or string handed
/// to Rust), which once cost the first render half a second when the page still held
/// cubecl's hundreds of `inventory` registrations. One explicit call tells the linker not to
/// wrap the exports (see the `inventory` crate's docs, "WebAssembly and constructors");
/// `scripts/e2e` checks that the linked page and trainer have no wrapped exports.
#[allow(
    unsafe_code,
    reason = "the one call of the linker's constructor list, see above"
)]
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
