//! The report of a training run: one shape, written by `cnnlab train --json` and by the
//! browser app's "report" download, and read back by `cnnlab report`.
//!
//! Speeds count training only: `images_per_second` is the images trained over
//! `train_seconds`, the time spent on training batches; `total_seconds` adds the
//! evaluations (and, for the CLI, loading the data).

use serde::{Deserialize, Serialize};

use cifar::NUM_CLASSES;

use crate::spec::{Hyper, ModelKind};

/// One epoch, as Keras prints it, plus its timings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochLine {
    /// 1-based, as Keras counts.
    pub epoch: usize,
    /// Mean training loss over the epoch.
    pub train_loss: f64,
    /// Training accuracy over the epoch.
    pub train_accuracy: f64,
    /// Loss on the validation (test) images.
    pub val_loss: f64,
    /// Accuracy on the validation images.
    pub val_accuracy: f64,
    /// Wall-clock seconds for the epoch, evaluation included.
    pub seconds: f64,
    /// Seconds of it spent training.
    #[serde(default)]
    pub train_seconds: f64,
    /// Images it trained on.
    #[serde(default)]
    pub train_images: usize,
    /// Stopped part-way (its figures cover the batches trained).
    #[serde(default)]
    pub partial: bool,
}

/// A whole run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    /// `four` or `six`.
    pub model: String,
    /// `flex`, `ndarray` or `wgpu`.
    pub backend: String,
    /// What trained it ("CPU (Flex) · 2 threads", a GPU's name), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    /// CPU threads it trained on, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threads: Option<usize>,
    /// The images ("CIFAR-10 (cifar-10-binary.tar.gz)").
    pub data: String,
    /// Epochs trained (evaluated).
    pub epochs: usize,
    /// Images per batch.
    pub batch_size: usize,
    /// Learning rate.
    pub lr: f64,
    /// Momentum.
    pub momentum: f64,
    /// Keras's time-based decay.
    pub decay: f64,
    /// Nesterov momentum.
    #[serde(default)]
    pub nesterov: bool,
    /// Seed.
    pub seed: u64,
    /// Training images (the last epoch's).
    pub train_images: usize,
    /// Validation images.
    pub test_images: usize,
    /// One line per epoch.
    pub history: Vec<EpochLine>,
    /// The last epoch's validation accuracy.
    pub test_accuracy: Option<f64>,
    /// The last epoch's confusion matrix, rows the true class.
    pub confusion_matrix: Option<[[u32; NUM_CLASSES]; NUM_CLASSES]>,
    /// Images trained per second of training.
    pub images_per_second: f64,
    /// Seconds spent training.
    pub train_seconds: f64,
    /// Seconds in all.
    pub total_seconds: f64,
    /// When it ended (the app: the learner's local time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended: Option<String>,
    /// Whether it was stopped before its last epoch.
    #[serde(default)]
    pub stopped: bool,
}

impl RunReport {
    /// A report of `history` for `model` trained with `hyper` and `seed`; the speed and the
    /// totals are computed from the history. Fill in the rest (device, threads, ended…).
    pub fn new(
        model: ModelKind,
        backend: &str,
        hyper: &Hyper,
        seed: u64,
        history: Vec<EpochLine>,
    ) -> RunReport {
        let train_seconds: f64 = history.iter().map(|e| e.train_seconds).sum();
        let trained: usize = history.iter().map(|e| e.train_images).sum();
        RunReport {
            model: model.id().into(),
            backend: backend.into(),
            device: None,
            threads: None,
            data: String::new(),
            epochs: history.len(),
            batch_size: hyper.batch_size,
            lr: hyper.lr,
            momentum: hyper.momentum,
            decay: hyper.decay,
            nesterov: hyper.nesterov,
            seed,
            train_images: history.last().map_or(0, |e| e.train_images),
            test_images: 0,
            test_accuracy: history.last().map(|e| e.val_accuracy),
            confusion_matrix: None,
            images_per_second: if train_seconds > 0.0 {
                trained as f64 / train_seconds
            } else {
                0.0
            },
            train_seconds,
            total_seconds: history.iter().map(|e| e.seconds).sum(),
            history,
            ended: None,
            stopped: false,
        }
    }

    /// Read a report, saying what is wrong with one that is not.
    pub fn from_json(text: &str) -> Result<RunReport, String> {
        serde_json::from_str(text).map_err(|e| format!("not a cnnlab run report: {e}"))
    }

    /// The report as pretty JSON.
    pub fn to_json(&self) -> String {
        // Plain numbers, strings and arrays always serialise.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The run as `cnnlab train` prints it: one Keras-style line per epoch, then the
    /// test accuracy and the speed.
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "{} model on {}{} | {} | {} training, {} test images | batch {}, lr {}, momentum {}, decay {}, seed {}\n",
            self.model,
            self.backend,
            self.device
                .as_ref()
                .map(|d| format!(" ({d})"))
                .unwrap_or_default(),
            self.data,
            self.train_images,
            self.test_images,
            self.batch_size,
            self.lr,
            self.momentum,
            self.decay,
            self.seed
        );
        for e in &self.history {
            out.push_str(&format!(
                "Epoch {}/{} - {:.0}s - loss: {:.4} - accuracy: {:.4} - val_loss: {:.4} - val_accuracy: {:.4}{}\n",
                e.epoch,
                self.epochs,
                e.seconds,
                e.train_loss,
                e.train_accuracy,
                e.val_loss,
                e.val_accuracy,
                if e.partial { " (stopped part-way)" } else { "" }
            ));
        }
        if let Some(acc) = self.test_accuracy {
            out.push_str(&format!(
                "Test accuracy: {:.2}% on {} images\n",
                100.0 * acc,
                self.test_images
            ));
        }
        out.push_str(&format!(
            "Training: {:.0} images/s, {:.1} s training, {:.1} s in all\n",
            self.images_per_second, self.train_seconds, self.total_seconds
        ));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(epoch: usize, train_images: usize) -> EpochLine {
        EpochLine {
            epoch,
            train_loss: 1.5,
            train_accuracy: 0.4,
            val_loss: 1.4,
            val_accuracy: 0.1 * epoch as f64,
            seconds: 12.0,
            train_seconds: 10.0,
            train_images,
            partial: false,
        }
    }

    #[test]
    fn speed_counts_training_time_and_every_epochs_images() {
        let hyper = ModelKind::Six.spec().hyper;
        let r = RunReport::new(
            ModelKind::Six,
            "flex",
            &hyper,
            3,
            vec![line(1, 1000), line(2, 3000)],
        );
        assert_eq!(r.images_per_second, 200.0);
        assert_eq!((r.train_seconds, r.total_seconds), (20.0, 24.0));
        assert_eq!((r.epochs, r.train_images), (2, 3000));
        assert_eq!(r.test_accuracy, Some(0.2));
        assert_eq!((r.lr, r.momentum, r.decay), (0.01, 0.9, 1e-6));
        assert_eq!(RunReport::from_json(&r.to_json()), Ok(r.clone()));
        let text = r.to_text();
        assert!(text.contains("Epoch 2/2 - 12s - loss: 1.5000"), "{text}");
        assert!(text.contains("200 images/s"), "{text}");
        let err = RunReport::from_json(r#"{"model": "six"}"#).unwrap_err();
        assert!(
            err.starts_with("not a cnnlab run report: missing field"),
            "{err}"
        );
    }
}
