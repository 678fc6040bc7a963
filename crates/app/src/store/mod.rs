//! What the app keeps in the browser: finished runs and the run in progress (IndexedDB),
//! and lesson progress (localStorage).

pub mod active;
pub mod idb;
pub mod progress;
pub mod runs;
