//! The trainer: the browser side of the engine (lab and burn), a program of its own that
//! runs only in Web Workers. The page (`crates/app`) holds no burn at all; it starts this
//! program's workers (`protocol::boot`) and talks to them in `protocol`'s messages.
//!
//! `web/worker.js` loads this wasm and calls [`start`] with the boot message, whose role
//! says what the worker does:
//! - **train** ([`worker`]): one training run, on WebGPU or the CPU, checkpointing as it
//!   goes ([`runner`] is the run loop, free of any transport);
//! - **helper** ([`helper`]): one slice of every batch of a multi-threaded CPU run, for the
//!   training worker that started it ([`pool`]);
//! - **model** ([`model`]): the lessons' questions about a trained model.

mod helper;
mod model;
mod pool;
mod runner;
mod worker;

use protocol::boot::{Boot, Role};
use wasm_bindgen::prelude::*;

fn main() {
    run_constructors_once();
}

/// Runs the module's static constructors (cubecl registers its IR types with `inventory`),
/// once, before anything else.
///
/// Without an explicit call, wasm-ld treats this binary as a "command" and runs every
/// constructor again at the top of every exported function: each JS value or string handed
/// to Rust (`__externref_table_alloc`, `__wbindgen_malloc`) re-ran hundreds of them, which
/// cost about half a second per call from JS. One explicit call tells the linker not to
/// wrap the exports (see the `inventory` crate's docs, "WebAssembly and constructors").
/// `main` runs first (wasm-bindgen's start), so this is the single place.
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

/// Entry point of every worker (called by `web/worker.js` with its boot message).
#[wasm_bindgen]
pub fn start(boot: JsValue) -> Result<(), JsValue> {
    let (role, boot) = Boot::from_message(&boot).map_err(|e| JsValue::from_str(&e))?;
    match role {
        Role::Train => worker::start(boot),
        Role::Helper => helper::start(),
        Role::Model => model::start(),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    //! `web/worker-messages.js` writes the messages a worker sends when the trainer cannot
    //! load; here they are decoded exactly as written (the module run under node), in each
    //! role's own message type.
    use std::path::Path;
    use std::process::Command;

    use protocol::{Envelope, Event, FailureKind, ModelReply};

    use crate::pool::HelperEvent;

    /// What `bootFailed(role, new Error("no wasm"))` returns, as an envelope.
    fn written_by_worker_js(role: &str) -> Option<Envelope> {
        let module = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web/worker-messages.js");
        let script = format!(
            "import({:?}).then(m => process.stdout.write(JSON.stringify(m.bootFailed({role:?}, new Error('no wasm')))))",
            format!("file://{}", module.canonicalize().ok()?.display())
        );
        let out = match Command::new("node").arg("-e").arg(&script).output() {
            Ok(out) => out,
            Err(e) => {
                // CI runs the browser tests, so node is there; a developer may lack it.
                assert!(
                    std::env::var_os("CI").is_none(),
                    "CI must run this test: no node ({e})"
                );
                eprintln!("SKIPPED: no node to run web/worker-messages.js ({e})");
                return None;
            }
        };
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(value["bytes"], serde_json::json!([]));
        assert_eq!(value["floats"], serde_json::json!([]));
        Some(Envelope {
            json: value["json"].as_str().unwrap().to_string(),
            ..Envelope::default()
        })
    }

    #[test]
    fn the_messages_worker_js_writes_decode_in_each_role() {
        let Some(train) = written_by_worker_js("train") else {
            return;
        };
        match protocol::codec::decode::<Event>(train).unwrap() {
            Event::Failed(f) => {
                assert_eq!(f.kind, FailureKind::Device);
                assert_eq!(
                    f.message,
                    "the training worker could not load the trainer: no wasm"
                );
            }
            other => panic!("{other:?}"),
        }
        let helper = written_by_worker_js("helper").unwrap();
        assert_eq!(
            protocol::codec::decode::<HelperEvent>(helper).unwrap(),
            HelperEvent::Failed("a helper thread could not load the trainer: no wasm".into())
        );
        let model = written_by_worker_js("model").unwrap();
        assert_eq!(
            protocol::codec::decode::<ModelReply>(model).unwrap(),
            ModelReply::Failed("the model worker could not load the trainer: no wasm".into())
        );
    }
}
