//! The engine both front ends share (the `cnnlab` CLI and the browser app).
//!
//! Always there, with no burn in them (what the browser page uses):
//! - [`spec`]: the tutorial's two CNNs as data, and the architecture table computed from it;
//! - [`published`]: the tutorial's published results;
//! - [`metrics`]: accuracy, loss and the confusion matrix on host data;
//! - [`report`]: a run's report, one shape for the CLI's `--json` and the app's download;
//! - [`checkpoint`]: a run's exact state as bytes, to continue it after a reload or crash;
//! - [`dropout`]: dropout masks that do not depend on how a batch is sliced;
//! - [`inspect`]: what a look inside a trained model gives (its computations need the engine);
//! - [`backend`]: the backends one can pick.
//!
//! With the `engine` feature (every backend feature turns it on), the burn side:
//! - [`model`]: the burn module built from a spec;
//! - [`conv`]: its convolutions on the CPU, a burn operation of this crate's own;
//! - [`optim`]: Keras's SGD (momentum, Nesterov, time-based decay, max-norm);
//! - [`session`]: a step-wise, async-safe training session;
//! - [`parallel`]: one batch's gradients computed in slices on several threads, and summed.
//!
//! lab knows no page and no terminal.

#![deny(unsafe_code)]

pub mod backend;
pub mod checkpoint;
#[cfg(feature = "flex")]
pub mod conv;
#[cfg(feature = "engine")]
pub mod cores;
pub mod dropout;
pub mod inspect;
pub mod metrics;
#[cfg(feature = "engine")]
pub mod model;
#[cfg(feature = "engine")]
pub mod optim;
#[cfg(feature = "engine")]
pub mod parallel;
pub mod published;
pub mod report;
#[cfg(feature = "engine")]
pub mod session;
pub mod spec;

pub use backend::BackendKind;
pub use checkpoint::Checkpoint;
pub use metrics::ConfusionMatrix;
#[cfg(feature = "engine")]
pub use model::Cnn;
#[cfg(feature = "engine")]
pub use session::{Evaluation, Session, SessionError, StepReport};
pub use spec::{ArchTable, Hyper, ModelKind, ModelSpec};

/// The device a session runs on (burn's run-time dispatching device), re-exported so front
/// ends need no direct burn dependency.
#[cfg(feature = "engine")]
pub use burn::tensor::Device;

/// Run a future to completion on the current thread. For native callers (the CLI, tests):
/// the session's futures finish without an external reactor on every native backend.
#[cfg(all(feature = "engine", not(target_family = "wasm")))]
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    futures_lite::future::block_on(future)
}
