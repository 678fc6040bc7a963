//! The page's side of the training worker.
//!
//! The worker runs this app's own wasm: `web/worker.js` (a module worker) imports the same
//! JavaScript module the page loaded, whose URL the page reads from trunk's
//! `<link rel="modulepreload">`, initialises it and calls [`crate::worker_entry`]. So the
//! browser downloads and compiles one wasm file, hashed names and sub-path hosting keep
//! working, and no second build is needed. Commands sent before the worker's wasm is
//! running wait in a queue.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::{ErrorEvent, MessageEvent, Worker, WorkerOptions, WorkerType};

use super::protocol::{Command, Event, Failure, FailureKind};
use super::transport::{Outgoing, decode, encode};
use crate::js_error::describe;

#[wasm_bindgen(inline_js = r#"
export function app_urls() {
  const js = [...document.querySelectorAll('link[rel="modulepreload"][href$=".js"]')]
    .find((l) => !l.href.includes("/snippets/"));
  const wasm = document.querySelector('link[rel="preload"][href$=".wasm"]');
  return [js ? js.href : "", wasm ? wasm.href : "", new URL("worker.js", document.baseURI).href];
}
"#)]
extern "C" {
    /// `[app module URL, wasm URL, worker script URL]`, resolved against the page.
    fn app_urls() -> Vec<String>;
}

/// A message from the worker: the event and any byte buffers beside it.
pub type Incoming = (Event, Vec<Vec<u8>>);

/// A running training worker. Dropping it terminates the worker.
pub struct TrainerWorker {
    worker: Worker,
    queue: Rc<RefCell<Option<Vec<Outgoing>>>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

impl TrainerWorker {
    /// Start a worker; `on_event` receives everything it says.
    pub fn spawn(on_event: impl Fn(Incoming) + 'static) -> Result<TrainerWorker, String> {
        let urls = app_urls();
        let (Some(module), Some(wasm), Some(script)) = (urls.first(), urls.get(1), urls.get(2))
        else {
            return Err("could not find the app's own script".into());
        };
        if module.is_empty() {
            return Err(
                "could not find the app's script link (rel=modulepreload) in the page".into(),
            );
        }
        let options = WorkerOptions::new();
        options.set_type(WorkerType::Module);
        let worker = Worker::new_with_options(script, &options)
            .map_err(|e| format!("could not start a Web Worker: {}", describe(&e)))?;

        let queue: Rc<RefCell<Option<Vec<Outgoing>>>> = Rc::new(RefCell::new(Some(Vec::new())));
        let on_event = Rc::new(on_event);
        let on_message = {
            let queue = queue.clone();
            let worker = worker.clone();
            let on_event = on_event.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
                match decode::<Event>(&e.data()) {
                    Ok((Event::Booted, _)) => {
                        // Flush what waited for the worker's wasm.
                        if let Some(waiting) = queue.borrow_mut().take() {
                            for out in waiting {
                                let _ =
                                    worker.post_message_with_transfer(&out.message, &out.transfer);
                            }
                        }
                    }
                    Ok(incoming) => on_event(incoming),
                    Err(message) => on_event((
                        Event::Failed(Failure {
                            kind: FailureKind::Device,
                            message,
                        }),
                        Vec::new(),
                    )),
                }
            })
        };
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(move |e: ErrorEvent| {
            on_event((
                Event::Failed(Failure {
                    kind: FailureKind::Device,
                    message: format!("the training worker stopped: {}", e.message()),
                }),
                Vec::new(),
            ));
        });
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));

        let boot = Object::new();
        let _ = Reflect::set(&boot, &"boot".into(), &module.into());
        let _ = Reflect::set(&boot, &"wasm".into(), &wasm.into());
        worker
            .post_message(&boot)
            .map_err(|e| format!("could not talk to the worker: {}", describe(&e)))?;
        Ok(TrainerWorker {
            worker,
            queue,
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    /// Send a command (and byte buffers, transferred) to the worker.
    pub fn send(&self, command: &Command, buffers: &[&[u8]]) -> Result<(), String> {
        let out = encode(command, buffers)?;
        if let Some(waiting) = self.queue.borrow_mut().as_mut() {
            waiting.push(out);
            return Ok(());
        }
        self.worker
            .post_message_with_transfer(&out.message, &out.transfer)
            .map_err(|e| format!("could not talk to the worker: {}", describe(&e)))
    }
}

impl Drop for TrainerWorker {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}
