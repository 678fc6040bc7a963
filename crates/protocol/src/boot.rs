//! Starting a worker of the trainer program.
//!
//! Every worker runs `web/worker.js`, a small module that waits for one message, the
//! [`Boot`]: which part to play ([`Role`]), the trainer's JavaScript glue and its wasm
//! (a compiled `WebAssembly.Module` where the starter has one, so that no worker fetches or
//! compiles the 30 MB again; else its URL). It imports the glue, instantiates the wasm and
//! hands the same object to the trainer's `start`, which plays the role; a training worker
//! passes it on to the helper threads it starts. If loading fails, `web/worker-messages.js`
//! writes the failure in the role's own message type, so the starter reads it as any other
//! message.

use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;
use web_sys::{Worker, WorkerOptions, WorkerType};

use crate::js::describe;

/// What a worker of the trainer program does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Runs one training run for the page (`Command` in, `Event` out).
    Train,
    /// Computes slices of a multi-threaded run's batches for a training worker.
    Helper,
    /// Answers the lessons' questions about a trained model (`ModelRequest` in,
    /// `ModelReply` out).
    Model,
}

impl Role {
    /// The role's name in a boot message.
    pub fn id(self) -> &'static str {
        match self {
            Role::Train => "train",
            Role::Helper => "helper",
            Role::Model => "model",
        }
    }

    /// The role named `id`.
    pub fn parse(id: &str) -> Option<Role> {
        [Role::Train, Role::Helper, Role::Model]
            .into_iter()
            .find(|r| r.id() == id)
    }
}

/// Where a worker of the trainer loads it from.
#[derive(Debug, Clone)]
pub struct Boot {
    /// The worker bootstrap (`worker.js`, under its built name), absolute.
    pub script: String,
    /// The trainer's JavaScript glue, absolute.
    pub glue: String,
    /// The trainer's wasm: a compiled `WebAssembly.Module`, or its absolute URL.
    pub wasm: JsValue,
}

impl Boot {
    /// Start a worker that plays `role`. The error says why in a few words.
    pub fn start(&self, role: Role) -> Result<Worker, String> {
        let options = WorkerOptions::new();
        options.set_type(WorkerType::Module);
        let worker = Worker::new_with_options(&self.script, &options).map_err(|e| describe(&e))?;
        if let Err(e) = worker.post_message(&self.message(role)) {
            // A browser that cannot hand this wasm (a compiled module) to a worker.
            worker.terminate();
            return Err(describe(&e));
        }
        Ok(worker)
    }

    /// The boot message for `role`.
    pub fn message(&self, role: Role) -> JsValue {
        let object = Object::new();
        for (key, value) in [
            ("role", JsValue::from_str(role.id())),
            ("script", JsValue::from_str(&self.script)),
            ("glue", JsValue::from_str(&self.glue)),
            ("wasm", self.wasm.clone()),
        ] {
            let _ = Reflect::set(&object, &JsValue::from_str(key), &value);
        }
        object.into()
    }

    /// The boot message a worker received, read back: its role and where it came from.
    pub fn from_message(value: &JsValue) -> Result<(Role, Boot), String> {
        let text = |key: &str| {
            Reflect::get(value, &JsValue::from_str(key))
                .ok()
                .and_then(|v| v.as_string())
                .ok_or_else(|| format!("a boot message without its {key}"))
        };
        let role = text("role")?;
        let role = Role::parse(&role).ok_or_else(|| format!("no worker role called {role:?}"))?;
        let wasm = Reflect::get(value, &JsValue::from_str("wasm")).unwrap_or(JsValue::UNDEFINED);
        Ok((
            role,
            Boot {
                script: text("script")?,
                glue: text("glue")?,
                wasm,
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_named_as_worker_js_reads_them() {
        for role in [Role::Train, Role::Helper, Role::Model] {
            assert_eq!(Role::parse(role.id()), Some(role));
        }
        assert_eq!(Role::parse("trainer"), None);
    }
}
