//! What the app keeps in the browser: finished runs and the run in progress (IndexedDB),
//! and the offline copy of the app and of the dataset (the service worker's caches).
//! Lesson progress (localStorage) is the course's own: `lessons::progress`.

pub mod active;
pub mod idb;
pub mod offline;
pub mod runs;
