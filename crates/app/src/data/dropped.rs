//! CIFAR-10 files the learner drops on the page or picks: the official
//! `cifar-10-binary.tar.gz`, or its `.bin` batch files (and `batches.meta.txt`).
//! Unpacked and checked in wasm by the `cifar` crate.

use std::io::Cursor;

use cifar::{Dataset, DatasetBuilder};
use gloo::file::Blob;
use web_sys::File;

use super::loading::Loading;

/// Files are read in slices this large, so the progress bar moves.
const SLICE: u64 = 8 << 20;

async fn read_with_progress(file: &File, on_loading: &impl Fn(Loading)) -> Result<Vec<u8>, String> {
    let name = file.name();
    let size = file.size() as u64;
    let mut bytes = Vec::with_capacity(size as usize);
    let mut at = 0u64;
    while at < size {
        let end = (at + SLICE).min(size);
        let slice = file
            .slice_with_f64_and_f64(at as f64, end as f64)
            .map_err(|_| format!("{name}: could not be read"))?;
        let part = gloo::file::futures::read_as_bytes(&Blob::from(slice))
            .await
            .map_err(|e| format!("{name}: could not be read ({e})"))?;
        bytes.extend_from_slice(&part);
        at = end;
        on_loading(Loading {
            what: format!("Reading {name}"),
            done: at,
            total: Some(size),
        });
    }
    Ok(bytes)
}

/// Build a dataset from dropped files. A `.tar.gz` must be the whole official archive;
/// `.bin` files need at least the test batch and one training batch. Other files are
/// reported, not silently used.
pub async fn load(files: Vec<File>, on_loading: impl Fn(Loading)) -> Result<Dataset, String> {
    if files.is_empty() {
        return Err("no files were dropped".into());
    }
    let archives: Vec<&File> = files
        .iter()
        .filter(|f| {
            let n = f.name().to_ascii_lowercase();
            n.ends_with(".tar.gz") || n.ends_with(".tgz")
        })
        .collect();
    if let Some(archive) = archives.first() {
        let name = archive.name();
        let bytes = read_with_progress(archive, &on_loading).await?;
        on_loading(Loading {
            what: format!("Unpacking {name}"),
            done: 0,
            total: None,
        });
        // Let the page paint "Unpacking" before the synchronous unpack.
        gloo::timers::future::TimeoutFuture::new(30).await;
        return cifar::read_tar_gz(&name, Cursor::new(bytes), |_| {}).map_err(|e| e.to_string());
    }
    let mut builder = DatasetBuilder::new("dropped files");
    let mut ignored = Vec::new();
    for file in &files {
        let bytes = read_with_progress(file, &on_loading).await?;
        if !builder
            .add_file(&file.name(), &bytes)
            .map_err(|e| e.to_string())?
        {
            ignored.push(file.name());
        }
    }
    if !builder.can_start() {
        let extra = if ignored.is_empty() {
            String::new()
        } else {
            format!(" ({} is not a CIFAR-10 batch file)", ignored.join(", "))
        };
        return Err(format!(
            "drop cifar-10-binary.tar.gz, or test_batch.bin with at least one data_batch_N.bin{extra}"
        ));
    }
    builder.finish_partial().map_err(|e| e.to_string())
}
