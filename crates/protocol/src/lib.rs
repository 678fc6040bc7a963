//! What the browser page and the trainer say to each other.
//!
//! The browser side is two programs: the page (`crates/app`: the lessons, no burn) and the
//! trainer (`crates/trainer`: burn and the engine, in Web Workers). This crate is all they
//! share:
//! - [`run`]: a training run's settings, progress, answers and failures;
//! - [`messages`]: the page's commands and questions, the workers' events and answers;
//! - [`codec`]: one encoding for every message, large parts carried beside the JSON by name;
//! - [`js`]: that encoding as `postMessage` objects;
//! - [`boot`]: starting a worker of the trainer in one of its roles;
//! - [`gpu`]: what WebGPU adapter the browser offers, and whether burn can train on it
//!   (the page chooses where to train by it, the trainer checks it before starting).

#![forbid(unsafe_code)]

pub mod boot;
pub mod codec;
pub mod gpu;
pub mod js;
pub mod messages;
pub mod run;

pub use codec::{Bytes, Envelope, Floats};
pub use messages::{
    Command, Event, ModelAnswer, ModelQuestion, ModelReply, ModelRequest, StartRun, Trained,
};
pub use run::{
    BatchProgress, EpochReport, Failure, FailureKind, Prediction, Predictions, RunConfig,
    best_epoch, threads_label,
};
