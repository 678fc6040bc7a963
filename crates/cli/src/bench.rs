//! `cnnlab bench`: training and inference throughput on same-shaped synthetic batches,
//! so a machine without the dataset (a GPU box, CI) can be measured the same way.
//!
//! Training runs the real step (forward, backward, Keras SGD, the async read of loss and
//! logits) on batches drawn from a random image set; inference runs the validation
//! forward pass with the logits read back. Warm-up batches are not timed.

use std::sync::{Arc, mpsc};
use std::time::Instant;

use anyhow::{Context, Result};
use cifar::ImageSet;
use lab::parallel::{SliceGrads, SliceSpec, load_flat_weights, slice_gradients, split};
use lab::{Session, block_on};
use rand::{Rng, SeedableRng, rngs::StdRng};
use serde::Serialize;

use crate::args::BenchArgs;

/// What `--json` writes.
#[derive(Debug, Serialize)]
struct BenchJson {
    model: String,
    backend: String,
    conv: String,
    batch_size: usize,
    slices: usize,
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
    lab::conv::use_reference(a.conv == crate::args::ConvArg::Burn);
    let kind = a.model.kind();
    let spec = kind.spec();
    let mut hyper = spec.hyper;
    hyper.batch_size = a.batch_size;
    let backend = a.backend.kind();
    let device = backend.device().map_err(anyhow::Error::msg)?;
    // Enough distinct images that batches differ, few enough to stay small in memory.
    let images = random_images(a.batch_size * 16, 7);
    let mut session = Session::new(spec, hyper, 1, &device, images.clone())?;

    let mut helpers =
        (a.slices > 1).then(|| SliceThreads::start(a.slices - 1, kind, session.device()));
    let mut step = |session: &mut Session| -> Result<()> {
        match helpers.as_mut() {
            Some(h) => h.step(session),
            None => block_on(session.train_step()).map(drop).map_err(Into::into),
        }
    };
    for _ in 0..a.warmup {
        step(&mut session)?;
    }
    let t = Instant::now();
    for _ in 0..a.batches {
        step(&mut session)?;
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
        conv: format!("{:?}", a.conv).to_lowercase(),
        slices: a.slices,
        batch_size: a.batch_size,
        batches: a.batches,
        train_images_per_s: n / train_s,
        infer_images_per_s: n / infer_s,
        ms_per_train_batch: train_s * 1000.0 / a.batches as f64,
    };
    println!(
        "{} on {}{}: training {:.0} images/s ({:.1} ms per batch of {}), inference {:.0} images/s",
        kind.spec().name,
        backend.id(),
        if a.slices > 1 {
            format!(" ({} slices on as many threads)", a.slices)
        } else {
            String::new()
        },
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

/// A slice of a batch for a helper thread: the weights to use, where the slice sits, its
/// pixels and labels.
type Job = (Arc<Vec<f32>>, SliceSpec, Vec<f32>, Vec<u8>);

/// A helper thread's answer: the slice's gradients, or why not.
type Reply = Result<SliceGrads, String>;

/// Helper OS threads, each with its own copy of the model: one slice of every batch each,
/// while the calling thread computes the first (`lab::parallel`; the app does the same
/// with Web Workers).
struct SliceThreads {
    helpers: Vec<(mpsc::Sender<Job>, mpsc::Receiver<Reply>)>,
}

impl SliceThreads {
    fn start(count: usize, kind: lab::ModelKind, device: &lab::Device) -> SliceThreads {
        let helpers = (0..count)
            .map(|_| {
                let (job_tx, job_rx) = mpsc::channel::<Job>();
                let (out_tx, out_rx) = mpsc::channel();
                let device = device.clone();
                std::thread::spawn(move || {
                    let mut model = lab::Cnn::new(&kind.spec(), &device).ok();
                    for (weights, slice, pixels, labels) in job_rx {
                        let result = model
                            .take()
                            .ok_or_else(|| "the helper's model could not be built".to_string())
                            .and_then(|m| load_flat_weights(m, &weights).map_err(|e| e.to_string()))
                            .and_then(|m| {
                                let grads = block_on(slice_gradients(&m, slice, &pixels, &labels))
                                    .map_err(|e| e.to_string());
                                model = Some(m);
                                grads
                            });
                        if out_tx.send(result).is_err() {
                            break;
                        }
                    }
                });
                (job_tx, out_rx)
            })
            .collect();
        SliceThreads { helpers }
    }

    fn step(&mut self, session: &mut Session) -> Result<()> {
        let batch = session.next_batch();
        let parts = split(batch.len(), self.helpers.len() + 1);
        let weights = Arc::new(block_on(session.flat_weights())?);
        for ((tx, _), rows) in self.helpers.iter().zip(&parts[1..]) {
            let (slice, pixels, labels) = batch.slice(rows.clone());
            tx.send((weights.clone(), slice, pixels.to_vec(), labels.to_vec()))
                .map_err(|_| anyhow::anyhow!("a helper thread ended"))?;
        }
        let (slice, pixels, labels) = batch.slice(parts[0].clone());
        let mut sum = block_on(slice_gradients(session.model(), slice, pixels, labels))?;
        for (_, rx) in self.helpers.iter().take(parts.len() - 1) {
            let grads = rx
                .recv()
                .map_err(|_| anyhow::anyhow!("a helper thread ended"))?
                .map_err(anyhow::Error::msg)?;
            sum.add(&grads)?;
        }
        block_on(session.apply_gradients(sum))?;
        Ok(())
    }
}
