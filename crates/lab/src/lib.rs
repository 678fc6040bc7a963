//! The engine both front ends share (the `cnnlab` CLI and the browser app).
//!
//! - [`spec`]: the tutorial's two CNNs as data, and the architecture table computed from it;
//! - [`model`]: the burn module built from a spec;
//! - [`optim`]: Keras's SGD (momentum, Nesterov, time-based decay, max-norm);
//! - [`metrics`]: accuracy, loss and the confusion matrix on host data;
//! - [`session`]: a step-wise, async-safe training session;
//! - [`checkpoint`]: a run's exact state as bytes, to continue it after a reload or crash;
//! - [`parallel`]: one batch's gradients computed in slices on several threads, and summed;
//! - [`dropout`]: dropout masks that do not depend on how a batch is sliced;
//! - [`report`]: a run's report, one shape for the CLI's `--json` and the app's download;
//! - [`backend`]: picking the device (ndarray, Flex or wgpu) at run time.
//!
//! lab knows no page and no terminal.

pub mod backend;
pub mod checkpoint;
pub mod dropout;
pub mod inspect;
pub mod metrics;
pub mod model;
pub mod optim;
pub mod parallel;
pub mod published;
pub mod report;
pub mod session;
pub mod spec;

pub use backend::BackendKind;
pub use checkpoint::Checkpoint;
pub use metrics::ConfusionMatrix;
pub use model::Cnn;
pub use session::{Evaluation, Session, SessionError, StepReport};
pub use spec::{ArchTable, Hyper, ModelKind, ModelSpec};

/// The device a session runs on (burn's run-time dispatching device), re-exported so front
/// ends need no direct burn dependency.
pub use burn::tensor::Device;

/// Run a future to completion on the current thread. For native callers (the CLI, tests):
/// the session's futures finish without an external reactor on every native backend.
#[cfg(not(target_family = "wasm"))]
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    futures_lite::future::block_on(future)
}
