//! `cnnlab train` and `cnnlab eval`.

use std::fs::File;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result, bail, ensure};
use lab::{Session, block_on};

use lab::report::{EpochLine, RunReport};

use crate::args::{EvalArgs, ReportArgs, TrainArgs};
use crate::data::{image_bar, load};

/// Test images per forward pass when evaluating.
const EVAL_BATCH: usize = 500;

pub fn train(a: &TrainArgs) -> Result<()> {
    let spec = a.model.kind().spec();
    let mut hyper = spec.hyper;
    hyper.epochs = a.epochs.unwrap_or(hyper.epochs);
    hyper.batch_size = a.batch_size.unwrap_or(hyper.batch_size);
    hyper.lr = a.lr.unwrap_or(hyper.lr);
    hyper.momentum = a.momentum.unwrap_or(hyper.momentum);
    hyper.decay = a.decay.unwrap_or(hyper.decay);
    ensure!(hyper.epochs > 0, "--epochs must be at least 1");
    // Fail before an hour of training, not after it.
    for path in [&a.json, &a.save].into_iter().flatten() {
        check_writable(path)?;
    }

    let started = Instant::now();
    let data = load(&a.data)?;
    let train_set = match (a.train_limit, a.per_class) {
        (Some(n), _) => data.train.first(n),
        (_, Some(n)) => data.train.per_class(n),
        _ => data.train.clone(),
    };
    ensure!(!train_set.is_empty(), "no training images selected");
    let backend = a.data.backend.kind();
    let device = backend.device().map_err(anyhow::Error::msg)?;
    let mut session = Session::new(spec.clone(), hyper, a.seed, &device, train_set)?;
    println!(
        "{} on {} | {} | {} training, {} test images | batch {}, lr {}, momentum {}, decay {}",
        spec.name,
        backend.id(),
        data.source.describe(),
        session.train_len(),
        data.test.len(),
        hyper.batch_size,
        hyper.lr,
        hyper.momentum,
        hyper.decay
    );

    let mut history = Vec::new();
    let mut last_eval = None;
    for epoch in 0..hyper.epochs {
        let bar = image_bar(
            session.train_len() as u64,
            format!("Epoch {}/{}", epoch + 1, hyper.epochs),
        );
        let t0 = Instant::now();
        let report = loop {
            let r = block_on(session.train_step())?;
            bar.inc(r.images as u64);
            bar.set_message(format!(
                "loss {:.4} acc {:.4}",
                r.epoch_loss, r.epoch_accuracy
            ));
            if r.epoch_done {
                break r;
            }
        };
        let train_time = t0.elapsed().as_secs_f64();
        bar.set_message(format!(
            "loss {:.4} acc {:.4}  evaluating…",
            report.epoch_loss, report.epoch_accuracy
        ));
        let eval = block_on(session.evaluate(&data.test, EVAL_BATCH))?;
        bar.finish_and_clear();
        let seconds = t0.elapsed().as_secs_f64();
        println!(
            "Epoch {}/{} - {:.0}s - loss: {:.4} - accuracy: {:.4} - val_loss: {:.4} - val_accuracy: {:.4} - {:.0} images/s",
            epoch + 1,
            hyper.epochs,
            seconds,
            report.epoch_loss,
            report.epoch_accuracy,
            eval.loss,
            eval.accuracy,
            session.train_len() as f64 / train_time
        );
        history.push(EpochLine {
            epoch: epoch + 1,
            train_loss: report.epoch_loss,
            train_accuracy: report.epoch_accuracy,
            val_loss: eval.loss,
            val_accuracy: eval.accuracy,
            seconds,
            train_seconds: train_time,
            train_images: session.train_len(),
            partial: false,
        });
        last_eval = Some(eval);
    }
    let Some(eval) = last_eval else {
        bail!("no epoch ran");
    };
    println!(
        "\nConfusion matrix (rows: true class, columns: predicted)\n{}",
        eval.confusion.to_text(&data.class_names)
    );
    println!(
        "Test accuracy: {:.2}% on {} images ({})",
        100.0 * eval.accuracy,
        eval.images,
        data.source.describe()
    );
    let mut run = RunReport::new(a.model.kind(), backend.id(), &hyper, a.seed, history);
    run.data = data.source.describe();
    run.test_images = eval.images;
    run.confusion_matrix = Some(eval.confusion.counts);
    run.total_seconds = started.elapsed().as_secs_f64();
    println!(
        "Training: {:.0} images/s, {:.1} s in all",
        run.images_per_second, run.total_seconds
    );

    if let Some(path) = &a.save {
        let bytes = block_on(session.weights_bytes())?;
        std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
        println!("Weights saved to {}", path.display());
    }
    if let Some(path) = &a.json {
        std::fs::write(path, run.to_json())
            .with_context(|| format!("cannot write {}", path.display()))?;
        println!("Report written to {}", path.display());
    }
    Ok(())
}

pub fn eval(a: &EvalArgs) -> Result<()> {
    let spec = a.model.kind().spec();
    let bytes = std::fs::read(&a.weights)
        .with_context(|| format!("cannot read {}", a.weights.display()))?;
    let data = load(&a.data)?;
    let device = a.data.backend.kind().device().map_err(anyhow::Error::msg)?;
    let model = lab::session::load_weights(&spec, bytes, &device)
        .with_context(|| a.weights.display().to_string())?;
    let eval = block_on(lab::session::evaluate(&model, &data.test, EVAL_BATCH))?;
    println!(
        "{}\n\nConfusion matrix (rows: true class, columns: predicted)\n{}",
        spec.name,
        eval.confusion.to_text(&data.class_names)
    );
    println!(
        "Test accuracy: {:.2}% on {} images ({}); loss {:.4}",
        100.0 * eval.accuracy,
        eval.images,
        data.source.describe(),
        eval.loss
    );
    Ok(())
}

/// `cnnlab report`: read a run's report (from `train --json` or the browser app's
/// download) and print it as `train` prints a run.
pub fn report(a: &ReportArgs) -> Result<()> {
    let text = std::fs::read_to_string(&a.file)
        .with_context(|| format!("cannot read {}", a.file.display()))?;
    let run =
        RunReport::from_json(&text).map_err(|e| anyhow::anyhow!("{}: {e}", a.file.display()))?;
    print!("{}", run.to_text());
    Ok(())
}

/// Open (creating if needed) the file for writing without truncating, so a bad path is
/// reported now.
fn check_writable(path: &Path) -> Result<()> {
    File::options()
        .create(true)
        .append(true)
        .open(path)
        .map(|_| ())
        .with_context(|| format!("cannot write {}", path.display()))
}
