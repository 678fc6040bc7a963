//! What the app keeps in the browser: finished runs (IndexedDB) and lesson progress
//! (localStorage).

pub mod idb;
pub mod progress;
pub mod runs;
