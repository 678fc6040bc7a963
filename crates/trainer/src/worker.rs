//! The training worker: runs a [`Runner`] inside a dedicated Web Worker.
//!
//! Every run, CPU or WebGPU, trains here rather than on the page's thread:
//! - the CPU backends compute synchronously, so on the page they would freeze it;
//! - WebGPU work is no faster in a worker, but a failing GPU (a lost device, a shader the
//!   browser rejects) can end in a panic, and a panic ends the wasm instance it happens
//!   in. Here it ends only the worker; the page keeps the run's history and its last
//!   checkpoint and continues the run on the CPU from it.
//!
//! The loop sends a checkpoint (`lab::checkpoint`) after every finished epoch and every
//! [`CHECKPOINT_SECONDS`] of training; the page keeps the latest in IndexedDB, so a
//! reload, a closed tab or a crashed worker loses at most that much work.
//!
//! Between steps the loop awaits a zero-delay `setTimeout` (a macrotask, not a microtask),
//! so the worker's event loop delivers Pause and Stop messages within one batch.
//! The page starts it (`protocol::boot`); it starts its own helper threads (`crate::pool`).

use std::cell::RefCell;

use cifar::{ImageSet, parse_batch};
use gloo::timers::future::TimeoutFuture;
use lab::BackendKind;
use protocol::boot::Boot;
use protocol::js::{decode, encode};
use protocol::{Command, Event, Failure, FailureKind, RunConfig, StartRun, Trained, threads_label};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use crate::pool::Pool;
use crate::runner::{CHECKPOINT_SECONDS, Runner};

/// What the page asked for, between two steps of the training loop.
#[derive(Default)]
struct Control {
    paused: bool,
    stop: bool,
    more_data: Option<ImageSet>,
    busy: bool,
}

/// What the training loop does next.
#[derive(Debug, PartialEq)]
enum Next {
    /// End the run (after evaluating a part-trained epoch).
    Stop,
    /// Paused: wait, keeping any images that arrived until the run goes on.
    Wait,
    /// Train the next step, first switching to the images that arrived, if any.
    Train(Option<ImageSet>),
}

impl Control {
    fn next(&mut self) -> Next {
        if self.stop {
            Next::Stop
        } else if self.paused {
            Next::Wait
        } else {
            Next::Train(self.more_data.take())
        }
    }
}

thread_local! {
    static CONTROL: RefCell<Control> = RefCell::default();
    /// Where helper threads load the trainer from (set by [`start`]).
    static BOOT: RefCell<Option<Boot>> = const { RefCell::new(None) };
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// Send `event` to the page.
fn post(event: &Event) {
    match encode(event) {
        Ok(out) => {
            if let Err(e) = scope().post_message_with_transfer(&out.message, &out.transfer) {
                web_sys::console::error_1(&e);
            }
        }
        Err(e) => web_sys::console::error_1(&e.into()),
    }
}

fn fail(kind: FailureKind, message: impl Into<String>) {
    post(&Event::Failed(Failure {
        kind,
        message: message.into(),
    }));
}

/// Install the message handler and tell the page the worker is ready. `boot` is where
/// this worker loaded the trainer from, which its helper threads load too.
pub fn start(boot: Boot) {
    BOOT.with_borrow_mut(|b| *b = Some(boot));
    // A panic (a lost GPU inside cubecl, say) ends this wasm instance: tell the page first.
    std::panic::set_hook(Box::new(|info| {
        let message = format!("the training worker crashed: {info}");
        web_sys::console::error_1(&message.clone().into());
        fail(FailureKind::Device, message);
    }));
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|e: MessageEvent| handle(e.data()));
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    post(&Event::Booted);
}

fn handle(data: JsValue) {
    let command = match decode::<Command>(&data) {
        Ok(m) => m,
        Err(e) => return fail(FailureKind::Input, e),
    };
    match command {
        Command::Start(start) => {
            let already = CONTROL.with_borrow_mut(|c| std::mem::replace(&mut c.busy, true));
            if already {
                return fail(
                    FailureKind::Input,
                    "a run is already training in this worker",
                );
            }
            wasm_bindgen_futures::spawn_local(async move {
                if let Err(f) = run(*start).await {
                    post(&Event::Failed(f));
                }
                CONTROL.with_borrow_mut(|c| *c = Control::default());
            });
        }
        Command::MoreData { train } => match parse_batch("training images", train.as_slice()) {
            Ok(set) => CONTROL.with_borrow_mut(|c| c.more_data = Some(set)),
            Err(e) => fail(FailureKind::Input, e.to_string()),
        },
        Command::Pause => CONTROL.with_borrow_mut(|c| c.paused = true),
        Command::Resume => CONTROL.with_borrow_mut(|c| c.paused = false),
        Command::Stop => CONTROL.with_borrow_mut(|c| c.stop = true),
    }
}

fn input(e: cifar::DataError) -> Failure {
    Failure {
        kind: FailureKind::Input,
        message: e.to_string(),
    }
}

fn now_ms() -> f64 {
    scope()
        .performance()
        .map(|p| p.now())
        .unwrap_or_else(js_sys::Date::now)
}

async fn open_device(backend: BackendKind) -> Result<(lab::Device, String), Failure> {
    let init = |message: String| Failure {
        kind: FailureKind::DeviceInit,
        message,
    };
    match backend {
        BackendKind::Wgpu => {
            let adapter = protocol::gpu::probe().await.map_err(init)?;
            let device = backend.device_async().await.map_err(init)?;
            Ok((device, format!("WebGPU: {}", adapter.name)))
        }
        BackendKind::Flex => Ok((
            backend.device_async().await.map_err(init)?,
            "CPU (Flex)".into(),
        )),
        BackendKind::NdArray => Ok((
            backend.device_async().await.map_err(init)?,
            "CPU (ndarray)".into(),
        )),
    }
}

/// Start the helper threads a CPU run asks for; on failure the run trains on one thread
/// and the returned line says why.
async fn start_helpers(config: &RunConfig, runner: &mut Runner) -> Option<String> {
    if config.backend == BackendKind::Wgpu || config.threads <= 1 {
        return None;
    }
    let Some(boot) = BOOT.with_borrow(|b| b.clone()) else {
        return Some(
            "Training on one thread: the worker does not know the trainer's address.".into(),
        );
    };
    match Pool::start(config.threads - 1, config.model, config.backend, &boot).await {
        Ok(pool) => {
            runner.set_helpers(Box::new(pool));
            None
        }
        Err(why) => Some(format!("Training on one thread: {why}.")),
    }
}

async fn run(start: StartRun) -> Result<(), Failure> {
    let StartRun {
        config,
        train,
        test,
        checkpoint,
    } = start;
    let train = parse_batch("training images", train.as_slice()).map_err(input)?;
    let test = parse_batch("test images", test.as_slice()).map_err(input)?;
    let checkpoint = checkpoint.map(protocol::Bytes::into_vec);
    let (device, name) = open_device(config.backend).await?;
    let train_images = train.len();
    let mut runner = Runner::new(&config, train, test, checkpoint, &device, Box::new(now_ms))?;
    let threads_note = start_helpers(&config, &mut runner).await;
    let threads = runner.threads();
    let name = if config.backend == BackendKind::Wgpu {
        name
    } else {
        format!("{name} · {}", threads_label(threads))
    };
    post(&Event::Started {
        device: name,
        threads,
        threads_note,
        train_images,
        test_images: runner.test_len(),
        batches_per_epoch: train_images.div_ceil(config.hyper.batch_size),
    });
    let mut paused_said = false;
    let mut stopped = false;
    let mut last_checkpoint = now_ms();
    loop {
        let next = CONTROL.with_borrow_mut(Control::next);
        match next {
            Next::Stop if !stopped => {
                // A part-trained epoch is evaluated before the run ends, so the model as
                // stopped gets its confusion matrix and predictions.
                stopped = true;
                runner.stop();
            }
            Next::Stop => {}
            Next::Wait => {
                if !paused_said {
                    post(&Event::Paused);
                    paused_said = true;
                }
                TimeoutFuture::new(100).await;
                continue;
            }
            Next::Train(more) => {
                if paused_said {
                    post(&Event::Resumed);
                    paused_said = false;
                }
                if let Some(set) = more
                    && let Some(event) = runner.set_train_data(set)?
                {
                    post(&event);
                }
            }
        }
        let mut epoch_ended = false;
        for event in runner.step().await? {
            epoch_ended |= matches!(&event, Event::Epoch(report) if !report.partial);
            post(&event);
        }
        // After every finished epoch, and every CHECKPOINT_SECONDS inside one.
        let due = now_ms() - last_checkpoint >= CHECKPOINT_SECONDS * 1000.0;
        if !stopped
            && !runner.is_done()
            && (epoch_ended || due)
            && let Some(event) = runner.checkpoint().await?
        {
            post(&event);
            last_checkpoint = now_ms();
        }
        if runner.is_done() {
            break;
        }
        // A macrotask: lets the worker's event loop deliver Pause/Stop before the next batch.
        TimeoutFuture::new(0).await;
    }
    // The trained model and its answers, for the lessons that look at them.
    let trained = if runner.predictions().is_empty() {
        None
    } else {
        Some(Trained {
            weights: runner.weights().await?.into(),
            predictions: runner.predictions().to_bytes().into(),
        })
    };
    post(&Event::Finished { stopped, trained });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_that_arrive_while_paused_wait_for_the_run_to_go_on() {
        let mut c = Control {
            paused: true,
            more_data: Some(cifar::synthetic::dataset(1, 1, 1).train),
            ..Control::default()
        };
        assert_eq!(c.next(), Next::Wait);
        assert_eq!(c.next(), Next::Wait);
        c.paused = false;
        match c.next() {
            Next::Train(Some(set)) => assert_eq!(set.len(), 10),
            other => panic!("{other:?}"),
        }
        assert_eq!(c.next(), Next::Train(None), "handed over once");
        c.stop = true;
        c.paused = true;
        assert_eq!(c.next(), Next::Stop, "stopping wins over a pause");
    }
}
