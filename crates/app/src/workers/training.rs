//! A training run's worker, from the page's side.
//!
//! The worker runs the trainer's wasm in the `train` role (`crates/trainer/src/worker.rs`),
//! started with the module [`super::boot`] compiled in the background. Commands sent
//! before the worker's wasm is running wait in a queue. Dropping the handle ends the worker.

use std::cell::RefCell;
use std::rc::Rc;

use protocol::boot::Role;
use protocol::js::{Outgoing, decode, encode};
use protocol::{Command, Event, Failure, FailureKind};
use wasm_bindgen::prelude::*;
use web_sys::{ErrorEvent, MessageEvent, Worker};

use super::boot;

/// Where the worker stands.
enum Link {
    /// Not started yet (the trainer is still compiling): what to send once it is.
    Starting(Vec<Outgoing>),
    /// Started, its wasm loading: what to send once it says it is booted.
    Booting(Worker, Vec<Outgoing>),
    /// Running.
    Ready(Worker),
    /// Ended (dropped, or it could not start).
    Ended,
}

struct Shared {
    link: Link,
    _on_message: Option<Closure<dyn FnMut(MessageEvent)>>,
    _on_error: Option<Closure<dyn FnMut(ErrorEvent)>>,
}

/// A running training worker. Dropping it terminates the worker.
pub struct TrainerWorker {
    shared: Rc<RefCell<Shared>>,
}

fn failed(message: String) -> Event {
    Event::Failed(Failure {
        kind: FailureKind::Device,
        message,
    })
}

fn post(worker: &Worker, out: &Outgoing) -> Result<(), String> {
    worker
        .post_message_with_transfer(&out.message, &out.transfer)
        .map_err(|e| {
            format!(
                "could not talk to the worker: {}",
                protocol::js::describe(&e)
            )
        })
}

impl TrainerWorker {
    /// Start a worker; `on_event` receives everything it says.
    pub fn spawn(on_event: impl Fn(Event) + 'static) -> TrainerWorker {
        let shared = Rc::new(RefCell::new(Shared {
            link: Link::Starting(Vec::new()),
            _on_message: None,
            _on_error: None,
        }));
        let on_event = Rc::new(on_event);
        let me = shared.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let boot = boot::boot().await;
            if matches!(me.borrow().link, Link::Ended) {
                return;
            }
            let worker = match boot::start(&boot, Role::Train) {
                Ok(w) => w,
                Err(e) => {
                    me.borrow_mut().link = Link::Ended;
                    return on_event(failed(format!("could not start a Web Worker: {e}")));
                }
            };
            let on_message = {
                let me = me.clone();
                let on_event = on_event.clone();
                Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
                    match decode::<Event>(&e.data()) {
                        Ok(Event::Booted) => {
                            let mut s = me.borrow_mut();
                            if let Link::Booting(worker, waiting) =
                                std::mem::replace(&mut s.link, Link::Ended)
                            {
                                for out in &waiting {
                                    let _ = post(&worker, out);
                                }
                                s.link = Link::Ready(worker);
                            }
                        }
                        Ok(event) => on_event(event),
                        Err(message) => on_event(failed(message)),
                    }
                })
            };
            worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            let on_error = {
                let on_event = on_event.clone();
                Closure::<dyn FnMut(ErrorEvent)>::new(move |e: ErrorEvent| {
                    on_event(failed(format!(
                        "the training worker stopped: {}",
                        e.message()
                    )));
                })
            };
            worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
            let mut s = me.borrow_mut();
            s.link = match std::mem::replace(&mut s.link, Link::Ended) {
                Link::Starting(waiting) => Link::Booting(worker, waiting),
                _ => {
                    worker.terminate();
                    Link::Ended
                }
            };
            s._on_message = Some(on_message);
            s._on_error = Some(on_error);
        });
        TrainerWorker { shared }
    }

    /// Send a command (its buffers transferred) to the worker.
    pub fn send(&self, command: &Command) -> Result<(), String> {
        let out = encode(command)?;
        match &mut self.shared.borrow_mut().link {
            Link::Starting(waiting) | Link::Booting(_, waiting) => {
                waiting.push(out);
                Ok(())
            }
            Link::Ready(worker) => post(worker, &out),
            Link::Ended => Err("the training worker has ended".into()),
        }
    }
}

impl Drop for TrainerWorker {
    fn drop(&mut self) {
        let mut s = self.shared.borrow_mut();
        if let Link::Booting(worker, _) | Link::Ready(worker) =
            std::mem::replace(&mut s.link, Link::Ended)
        {
            worker.set_onmessage(None);
            worker.set_onerror(None);
            worker.terminate();
        }
        // The handlers hold this state: let both go.
        s._on_message = None;
        s._on_error = None;
    }
}
