//! A training run as both sides speak of it: its settings, its progress per batch and per
//! epoch, its answers for the validation images, and how it can fail.

use lab::{BackendKind, Hyper, ModelKind};
use serde::{Deserialize, Serialize};

/// Everything a worker needs to start (or continue) a run, apart from the image bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunConfig {
    /// Which of the tutorial's models.
    pub model: ModelKind,
    /// Learning rate, momentum, decay, batch size, epochs.
    pub hyper: Hyper,
    /// Seed for the initial weights, dropout and shuffling.
    pub seed: u64,
    /// Where to train.
    pub backend: BackendKind,
    /// Test images (indices into the test set sent) to predict after every epoch.
    pub strip: Vec<usize>,
    /// Continue from the checkpoint sent beside the message (`lab::checkpoint`: a reloaded
    /// page, a crashed worker, a GPU run handed to the CPU); `false` starts from fresh
    /// weights.
    #[serde(default)]
    pub resume: bool,
    /// CPU threads to train on (each batch cut into this many slices, one per Web Worker;
    /// see `trainer::pool`). Ignored on WebGPU. Records from before threads read as 1.
    #[serde(default = "one")]
    pub threads: usize,
}

/// Threads of a record or message from before threads were counted.
pub(crate) fn one() -> usize {
    1
}

/// "1 thread", "2 threads".
pub fn threads_label(threads: usize) -> String {
    format!("{threads} thread{}", if threads == 1 { "" } else { "s" })
}

/// The progress of one training batch.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BatchProgress {
    /// Epoch (0-based).
    pub epoch: usize,
    /// Batch within the epoch (0-based).
    pub batch: usize,
    /// Batches in each epoch.
    pub batches_per_epoch: usize,
    /// Loss of this batch.
    pub loss: f64,
    /// Accuracy of this batch.
    pub accuracy: f64,
    /// Learning rate used for this batch.
    pub lr: f64,
    /// Milliseconds per training batch (smoothed over recent batches).
    pub ms_per_batch: f64,
    /// Evaluation work still due at the end of this epoch, in milliseconds (estimated).
    pub eval_ms_per_epoch: f64,
    /// On several threads: milliseconds per batch (smoothed like `ms_per_batch`) not spent
    /// computing gradients: reading and sending the weights and slices, waiting for the
    /// slowest thread beyond its compute time, summing, updating. `None` on one thread.
    #[serde(default)]
    pub sync_ms: Option<f64>,
}

/// The prediction for one test image of the strip.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    /// Index into the test set.
    pub index: usize,
    /// True label.
    pub label: u8,
    /// Predicted class.
    pub predicted: u8,
    /// Probability of the predicted class.
    pub confidence: f32,
}

/// The model's answer for every validation image of a run: the predicted class and the
/// probability it gave that class. The page sorts mistakes by it ("most confidently
/// wrong first"). Sent beside [`Event::Finished`] as bytes (see [`Predictions::to_bytes`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Predictions {
    /// Predicted class per image.
    pub class: Vec<u8>,
    /// Probability of the predicted class per image.
    pub confidence: Vec<f32>,
}

impl Predictions {
    /// Add one image's class probabilities.
    pub fn push(&mut self, probabilities: &[f32; cifar::NUM_CLASSES]) {
        let (best, p) = probabilities
            .iter()
            .enumerate()
            .fold(
                (0, f32::MIN),
                |acc, (i, &p)| if p > acc.1 { (i, p) } else { acc },
            );
        self.class.push(best as u8);
        self.confidence.push(p);
    }

    /// Images predicted.
    pub fn len(&self) -> usize {
        self.class.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.class.is_empty()
    }

    /// N class bytes, then N little-endian f32 confidences.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = self.class.clone();
        for c in &self.confidence {
            out.extend_from_slice(&c.to_le_bytes());
        }
        out
    }

    /// The inverse of [`Predictions::to_bytes`]; `None` for bytes of the wrong length
    /// or with a class outside 0–9.
    pub fn from_bytes(bytes: &[u8]) -> Option<Predictions> {
        if !bytes.len().is_multiple_of(5) {
            return None;
        }
        let n = bytes.len() / 5;
        let class = bytes[..n].to_vec();
        if class.iter().any(|&c| usize::from(c) >= cifar::NUM_CLASSES) {
            return None;
        }
        let confidence = bytes[n..]
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        Some(Predictions { class, confidence })
    }
}

/// What one finished epoch did, as Keras reports it, plus the confusion matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochReport {
    /// Epoch (0-based).
    pub epoch: usize,
    /// Mean training loss over the epoch.
    pub train_loss: f64,
    /// Training accuracy over the epoch.
    pub train_accuracy: f64,
    /// Loss on the validation (test) images.
    pub val_loss: f64,
    /// Accuracy on the validation (test) images.
    pub val_accuracy: f64,
    /// Rows: true class, columns: predicted class.
    pub confusion: [[u32; cifar::NUM_CLASSES]; cifar::NUM_CLASSES],
    /// Predictions for the strip of test images.
    pub strip: Vec<Prediction>,
    /// Wall-clock seconds for the epoch (training and evaluation).
    pub seconds: f64,
    /// Seconds of the epoch spent training (the batches, without the evaluation).
    #[serde(default)]
    pub train_seconds: f64,
    /// Training images the epoch trained on (fewer when it was stopped part-way, more
    /// than the first epoch's once more images arrived). 0 in runs saved before it.
    #[serde(default)]
    pub train_images: usize,
    /// The run was stopped part-way through this epoch: the figures cover the batches
    /// trained so far, and the evaluation is of the model as stopped.
    #[serde(default)]
    pub partial: bool,
}

/// The epoch with the best validation accuracy.
pub fn best_epoch(history: &[EpochReport]) -> Option<&EpochReport> {
    history
        .iter()
        .max_by(|a, b| a.val_accuracy.total_cmp(&b.val_accuracy))
}

/// Why a run stopped without finishing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FailureKind {
    /// The loss became NaN or exploded.
    Diverged,
    /// The backend could not start (no WebGPU device, say).
    DeviceInit,
    /// The device failed during the run (a lost GPU, a shader the browser rejects).
    Device,
    /// Bad data or settings.
    Input,
}

/// A run's failure: what happened and what to do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Failure {
    /// Which kind of failure.
    pub kind: FailureKind,
    /// What happened, in a sentence.
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configs_from_before_threads_read_as_one_thread() {
        let old = r#"{"model":"Four","hyper":{"lr":0.01,"momentum":0.9,"nesterov":false,"decay":1e-6,"batch_size":32,"epochs":1},"seed":1,"backend":"Flex","strip":[],"resume_at":null}"#;
        assert_eq!(serde_json::from_str::<RunConfig>(old).unwrap().threads, 1);
    }

    #[test]
    fn predictions_keep_the_best_class_and_survive_bytes() {
        let mut p = Predictions::default();
        let mut probs = [0.05f32; 10];
        probs[7] = 0.55;
        p.push(&probs);
        probs = [0.1; 10];
        probs[2] = 0.1001;
        p.push(&probs);
        assert_eq!(p.class, [7, 2]);
        assert_eq!(p.confidence, [0.55, 0.1001]);
        assert_eq!(Predictions::from_bytes(&p.to_bytes()), Some(p));
        assert_eq!(Predictions::from_bytes(&[1, 2, 3]), None);
        assert_eq!(Predictions::from_bytes(&[11, 0, 0, 0, 0]), None);
    }

    #[test]
    fn thread_counts_read_as_words() {
        assert_eq!(threads_label(1), "1 thread");
        assert_eq!(threads_label(3), "3 threads");
    }

    mod fuzzed {
        //! The predictions bytes a page reads back from its own storage, on random input.
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            #[test]
            fn any_bytes_as_predictions(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
                if let Some(p) = Predictions::from_bytes(&bytes) {
                    prop_assert_eq!(p.to_bytes(), bytes);
                    prop_assert!(p.class.iter().all(|&c| usize::from(c) < cifar::NUM_CLASSES));
                }
            }
        }
    }
}
