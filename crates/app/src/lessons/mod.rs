//! The course: nine routed steps around the live trainer, each computed from the real
//! model and the loaded data, each ending in a few questions.

pub mod build;
pub mod catalogue;
pub mod compare;
pub mod conv_math;
pub mod convolution;
pub mod dataset;
pub mod evaluate;
pub mod home;
pub mod inside;
pub mod intro;
pub mod needs;
pub mod own_image;
pub mod page;
pub mod progress;
pub mod progress_context;
pub mod quiz;
pub mod toc;
