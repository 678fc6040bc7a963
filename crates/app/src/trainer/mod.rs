//! Training in a Web Worker: the messages (`protocol`), the transport-free run loop
//! (`runner`), the worker itself (`worker`), the page's handle on it (`bridge`) and the
//! WebGPU adapter probe (`gpu`).

pub mod bridge;
pub mod gpu;
pub mod protocol;
pub mod runner;
pub mod transport;
pub mod worker;
