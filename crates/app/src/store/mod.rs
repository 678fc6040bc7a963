//! What the app keeps in the browser: finished runs and the run in progress (IndexedDB).
//! Lesson progress (localStorage) is the course's own: `lessons::progress`.

pub mod active;
pub mod idb;
pub mod runs;
