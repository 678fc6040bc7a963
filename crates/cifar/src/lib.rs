//! The CIFAR-10 binary format, and nothing else: no burn, no web.
//!
//! Everything that reads a user's file goes through this crate, so each bad-input error is
//! written once and names the file and the fault. The same code runs natively (the `cnnlab`
//! CLI) and in the browser (a dropped-in archive is gunzipped and untarred in wasm).
//!
//! - [`ImageSet`]: images kept as the raw bytes of the format (3,072 per image, CHW), which
//!   is four times smaller than `f32` and matters in a browser tab; batches are scaled to
//!   `[0, 1]` only when they are taken ([`ImageSet::batch_f32`]).
//! - [`parse_batch`]: one `.bin` batch file from bytes, validated record by record.
//! - [`Dataset`]: the train and test sets with their class names, from a directory
//!   ([`Dataset::from_dir`]), the official `.tar.gz` ([`Dataset::from_tar_gz`]) or
//!   in-memory files ([`DatasetBuilder`]).
//! - [`synthetic`]: a small deterministic 10-class image set that a CNN can learn, for
//!   tests and an offline demo. Its [`Source`] says plainly that it is not CIFAR-10.
//! - [`order`]: per-epoch shuffling from a seed.

#![forbid(unsafe_code)]

mod archive;
mod batch;
mod dataset;
mod error;
pub mod order;
pub mod synthetic;

pub use archive::read_tar_gz;
pub use batch::{ImageSet, parse_batch, parse_meta};
pub use dataset::{Dataset, DatasetBuilder, Source};
pub use error::DataError;

/// Image side in pixels.
pub const SIDE: usize = 32;
/// Colour channels (red, green, blue planes, in that order).
pub const CHANNELS: usize = 3;
/// Bytes of one image: three 32×32 planes.
pub const IMAGE_BYTES: usize = CHANNELS * SIDE * SIDE;
/// Bytes of one record in a batch file: the label byte and the image.
pub const RECORD_BYTES: usize = 1 + IMAGE_BYTES;
/// Number of classes.
pub const NUM_CLASSES: usize = 10;

/// The CIFAR-10 class names in label order, as `batches.meta.txt` lists them.
pub const CLASS_NAMES: [&str; NUM_CLASSES] = [
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
];

/// The five training batch files of the official binary layout, in order.
pub const TRAIN_FILES: [&str; 5] = [
    "data_batch_1.bin",
    "data_batch_2.bin",
    "data_batch_3.bin",
    "data_batch_4.bin",
    "data_batch_5.bin",
];
/// The test batch file of the official binary layout.
pub const TEST_FILE: &str = "test_batch.bin";
/// The class-name file of the official binary layout.
pub const META_FILE: &str = "batches.meta.txt";
