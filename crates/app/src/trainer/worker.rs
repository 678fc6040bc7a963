//! The training worker: runs a [`Runner`] inside a dedicated Web Worker.
//!
//! Every run, CPU or WebGPU, trains here rather than on the page's thread:
//! - the CPU backends compute synchronously, so on the page they would freeze it;
//! - WebGPU work is no faster in a worker, but a failing GPU (a lost device, a shader the
//!   browser rejects) can end in a panic, and a panic ends the wasm instance it happens
//!   in. Here it ends only the worker; the page keeps the run's history and its last
//!   checkpoint and offers to go on on the CPU.
//!
//! Between steps the loop awaits a zero-delay `setTimeout` (a macrotask, not a microtask),
//! so the worker's event loop delivers Pause and Stop messages within one batch.
//! The worker is the page's own wasm, started by `web/worker.js`; see `bridge`.

use std::cell::RefCell;

use cifar::{ImageSet, parse_batch};
use gloo::timers::future::TimeoutFuture;
use lab::BackendKind;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use super::pool::{BootUrls, Pool};
use super::protocol::{Command, Event, Failure, FailureKind, RunConfig, threads_label};
use super::runner::Runner;
use super::transport::{decode, encode};

#[derive(Default)]
struct Control {
    paused: bool,
    stop: bool,
    more_data: Option<ImageSet>,
    busy: bool,
}

thread_local! {
    static CONTROL: RefCell<Control> = RefCell::default();
    /// Where helper threads load the app from (set by [`start`]).
    static BOOT: RefCell<Option<BootUrls>> = const { RefCell::new(None) };
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// Send `event` (and `buffers`) to the page.
fn post(event: &Event, buffers: &[&[u8]]) {
    match encode(event, buffers) {
        Ok(out) => {
            if let Err(e) = scope().post_message_with_transfer(&out.message, &out.transfer) {
                web_sys::console::error_1(&e);
            }
        }
        Err(e) => web_sys::console::error_1(&e.into()),
    }
}

fn fail(kind: FailureKind, message: impl Into<String>) {
    post(
        &Event::Failed(Failure {
            kind,
            message: message.into(),
        }),
        &[],
    );
}

/// Install the message handler and tell the page the worker is ready. `module` and `wasm`
/// are the app's URLs, which helper threads load too.
pub fn start(module: String, wasm: String) {
    let script = scope().location().href();
    BOOT.with_borrow_mut(|b| {
        *b = Some(BootUrls {
            script,
            module,
            wasm,
        })
    });
    // A panic (a lost GPU inside cubecl, say) ends this wasm instance: tell the page first.
    std::panic::set_hook(Box::new(|info| {
        let message = format!("the training worker crashed: {info}");
        web_sys::console::error_1(&message.clone().into());
        fail(FailureKind::Device, message);
    }));
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|e: MessageEvent| handle(e.data()));
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    post(&Event::Booted, &[]);
}

fn handle(data: JsValue) {
    let (command, buffers) = match decode::<Command>(&data) {
        Ok(m) => m,
        Err(e) => return fail(FailureKind::Input, e),
    };
    match command {
        Command::Start(config) => {
            let already = CONTROL.with_borrow_mut(|c| std::mem::replace(&mut c.busy, true));
            if already {
                return fail(
                    FailureKind::Input,
                    "a run is already training in this worker",
                );
            }
            wasm_bindgen_futures::spawn_local(async move {
                if let Err(f) = run(config, buffers).await {
                    post(&Event::Failed(f), &[]);
                }
                CONTROL.with_borrow_mut(|c| *c = Control::default());
            });
        }
        Command::MoreData => match buffers.first().map(|b| parse_batch("training images", b)) {
            Some(Ok(set)) => CONTROL.with_borrow_mut(|c| c.more_data = Some(set)),
            Some(Err(e)) => fail(FailureKind::Input, e.to_string()),
            None => fail(FailureKind::Input, "more data was announced but not sent"),
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
            let adapter = super::gpu::probe().await.map_err(init)?;
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
    let Some(urls) = BOOT.with_borrow(|b| b.clone()) else {
        return Some("Training on one thread: the worker does not know the app's address.".into());
    };
    match Pool::start(config.threads - 1, config.model, config.backend, &urls).await {
        Ok(pool) => {
            runner.set_helpers(Box::new(pool));
            None
        }
        Err(why) => Some(format!("Training on one thread: {why}.")),
    }
}

async fn run(config: RunConfig, mut buffers: Vec<Vec<u8>>) -> Result<(), Failure> {
    if buffers.len() < 2 {
        return Err(Failure {
            kind: FailureKind::Input,
            message: "a run needs training and test images".into(),
        });
    }
    let weights = (buffers.len() > 2).then(|| buffers.remove(2));
    let train = parse_batch("training images", &buffers[0]).map_err(input)?;
    let test = parse_batch("test images", &buffers[1]).map_err(input)?;
    drop(buffers);
    let (device, name) = open_device(config.backend).await?;
    let train_images = train.len();
    let mut runner = Runner::new(&config, train, test, weights, &device, Box::new(now_ms))?;
    let threads_note = start_helpers(&config, &mut runner).await;
    let threads = runner.threads();
    let name = if config.backend == BackendKind::Wgpu {
        name
    } else {
        format!("{name} · {}", threads_label(threads))
    };
    post(
        &Event::Started {
            device: name,
            threads,
            threads_note,
            train_images,
            test_images: runner.test_len(),
            batches_per_epoch: train_images.div_ceil(config.hyper.batch_size),
        },
        &[],
    );
    let checkpoints = config.backend == BackendKind::Wgpu;
    let mut paused_said = false;
    let mut stopped = false;
    loop {
        let (stop, paused, more) =
            CONTROL.with_borrow_mut(|c| (c.stop, c.paused, c.more_data.take()));
        if stop && !stopped {
            // A part-trained epoch is evaluated before the run ends, so the model as
            // stopped gets its confusion matrix and predictions.
            stopped = true;
            runner.stop();
        }
        if paused && !stopped {
            if !paused_said {
                post(&Event::Paused, &[]);
                paused_said = true;
            }
            TimeoutFuture::new(100).await;
            continue;
        }
        if paused_said {
            post(&Event::Resumed, &[]);
            paused_said = false;
        }
        if let Some(set) = more {
            runner.set_train_data(set)?;
        }
        for event in runner.step().await? {
            post(&event, &[]);
            if let (Event::Epoch(report), true) = (&event, checkpoints)
                && !report.partial
            {
                let bytes = runner.weights().await?;
                post(
                    &Event::Checkpoint {
                        epochs_done: report.epoch + 1,
                    },
                    &[&bytes],
                );
            }
        }
        if runner.is_done() {
            break;
        }
        // A macrotask: lets the worker's event loop deliver Pause/Stop before the next batch.
        TimeoutFuture::new(0).await;
    }
    // The trained model and its answers, for the lessons that look at them.
    if runner.predictions().is_empty() {
        post(&Event::Finished { stopped }, &[]);
    } else {
        let weights = runner.weights().await?;
        let predictions = runner.predictions().to_bytes();
        post(&Event::Finished { stopped }, &[&weights, &predictions]);
    }
    Ok(())
}
