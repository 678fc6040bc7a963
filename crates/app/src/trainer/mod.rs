//! Training in a Web Worker: the messages (`protocol`), the transport-free run loop
//! (`runner`), the worker itself (`worker`), its helper threads for a multi-threaded CPU
//! run (`pool` on the worker's side, `helper` in each helper), the page's handle on it
//! (`bridge`) and the WebGPU adapter probe (`gpu`).

pub mod bridge;
pub mod gpu;
pub mod helper;
pub mod pool;
pub mod protocol;
pub mod runner;
pub mod transport;
pub mod worker;
