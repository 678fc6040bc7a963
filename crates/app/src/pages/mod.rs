//! Pages: each owns one reducer for its state.

pub mod trainer;
