//! The page's side of the trainer (`crates/trainer`), which runs in Web Workers: where its
//! workers load from and its wasm compiled once in the background (`boot`), a training run's
//! worker (`training`), and the model worker that answers the lessons (`model`).

pub mod boot;
pub mod model;
pub mod training;
