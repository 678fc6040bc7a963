//! `cnnlab bench`: training and inference throughput on same-shaped synthetic batches,
//! so a machine without the dataset (a GPU box, CI) can be measured the same way.
//!
//! Training runs the real step (forward, backward, Keras SGD, the async read of loss and
//! logits) on batches drawn from a random image set; inference runs the validation
//! forward pass with the logits read back. Warm-up batches are not timed.

use std::time::Instant;

use anyhow::{Context, Result};
use cifar::ImageSet;
use lab::{Session, block_on};
use rand::{Rng, SeedableRng, rngs::StdRng};
use serde::Serialize;

use crate::args::BenchArgs;

/// What `--json` writes.
#[derive(Debug, Serialize)]
struct BenchJson {
    model: String,
    backend: String,
    batch_size: usize,
    batches: usize,
    train_images_per_s: f64,
    infer_images_per_s: f64,
    ms_per_train_batch: f64,
}

fn random_images(n: usize, seed: u64) -> ImageSet {
    let mut rng = StdRng::seed_from_u64(seed);
    let pixels = (0..n * cifar::IMAGE_BYTES)
        .map(|_| rng.random::<u8>())
        .collect();
    let labels = (0..n)
        .map(|_| rng.random_range(0..cifar::NUM_CLASSES as u8))
        .collect();
    ImageSet::from_raw(pixels, labels)
}

/// Run the benchmark and print (and optionally save) its result.
pub fn bench(a: &BenchArgs) -> Result<()> {
    anyhow::ensure!(
        a.batches > 0 && a.batch_size > 0,
        "--batches and --batch-size must be at least 1"
    );
    let kind = a.model.kind();
    let spec = kind.spec();
    let mut hyper = spec.hyper;
    hyper.batch_size = a.batch_size;
    let backend = a.backend.kind();
    let device = backend.device().map_err(anyhow::Error::msg)?;
    // Enough distinct images that batches differ, few enough to stay small in memory.
    let images = random_images(a.batch_size * 16, 7);
    let mut session = Session::new(spec, hyper, 1, &device, images.clone())?;

    for _ in 0..a.warmup {
        block_on(session.train_step())?;
    }
    let t = Instant::now();
    for _ in 0..a.batches {
        block_on(session.train_step())?;
    }
    let train_s = t.elapsed().as_secs_f64();

    let batch: Vec<usize> = (0..a.batch_size).collect();
    for _ in 0..a.warmup.max(1) {
        block_on(session.predict(&images, &batch))?;
    }
    let t = Instant::now();
    for _ in 0..a.batches {
        block_on(session.predict(&images, &batch))?;
    }
    let infer_s = t.elapsed().as_secs_f64();

    let n = (a.batches * a.batch_size) as f64;
    let result = BenchJson {
        model: kind.id().into(),
        backend: backend.id().into(),
        batch_size: a.batch_size,
        batches: a.batches,
        train_images_per_s: n / train_s,
        infer_images_per_s: n / infer_s,
        ms_per_train_batch: train_s * 1000.0 / a.batches as f64,
    };
    println!(
        "{} on {}: training {:.0} images/s ({:.1} ms per batch of {}), inference {:.0} images/s",
        kind.spec().name,
        backend.id(),
        result.train_images_per_s,
        result.ms_per_train_batch,
        a.batch_size,
        result.infer_images_per_s
    );
    if let Some(path) = &a.json {
        std::fs::write(path, serde_json::to_string_pretty(&result)?)
            .with_context(|| format!("{}: could not write the result", path.display()))?;
    }
    Ok(())
}
