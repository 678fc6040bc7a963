//! The messages between the page and the training worker.
//!
//! They are small on purpose (numbers, labels, a 10×10 matrix): no tensors and no images
//! cross the boundary while training. The only large payloads are the image bytes sent
//! once when a run starts (and when more batches arrive) and, for a GPU run, the weights
//! after each epoch so that a lost GPU can hand the run to the CPU. Those travel as
//! separate byte buffers beside the JSON (see `transport`).

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

fn one() -> usize {
    1
}

/// "1 thread", "2 threads".
pub fn threads_label(threads: usize) -> String {
    format!("{threads} thread{}", if threads == 1 { "" } else { "s" })
}

/// Page → worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Command {
    /// Start a run. Buffers: training batch bytes, test batch bytes (official record
    /// layout), then the checkpoint when `resume` is set.
    Start(RunConfig),
    /// Use this larger training set (buffer 0) from the next epoch on.
    MoreData,
    /// Stop after the current batch and wait.
    Pause,
    /// Carry on after a pause.
    Resume,
    /// End the run after the current batch; the model stays for predictions.
    Stop,
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

/// Worker → page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Event {
    /// The worker's wasm is running and takes commands.
    Booted,
    /// The run is training.
    Started {
        /// What trains: the GPU adapter's name, or "CPU (Flex) · 2 threads" and the like.
        device: String,
        /// CPU threads training (1 on WebGPU).
        #[serde(default = "one")]
        threads: usize,
        /// Why fewer threads train than were asked for, in one line.
        #[serde(default)]
        threads_note: Option<String>,
        /// Training images.
        train_images: usize,
        /// Validation images.
        test_images: usize,
        /// Batches per epoch.
        batches_per_epoch: usize,
    },
    /// The run now trains on `threads` CPU threads (after a helper thread failed).
    Threads {
        /// Threads training from now on.
        threads: usize,
        /// Why, in one line.
        note: String,
    },
    /// One batch trained.
    Batch(BatchProgress),
    /// Validation images evaluated so far at the end of an epoch.
    Evaluating {
        /// Images done.
        done: usize,
        /// Images in all.
        total: usize,
    },
    /// An epoch finished and was evaluated.
    Epoch(Box<EpochReport>),
    /// Where the run stands, with everything needed to continue it exactly (buffer 0: a
    /// `lab::checkpoint`): sent after every finished epoch and at least every
    /// `CHECKPOINT_SECONDS` of training, kept by the page across reloads and crashes.
    Checkpoint {
        /// Epochs finished.
        epoch: usize,
        /// Batches of the current epoch finished.
        batch: usize,
        /// Batches per epoch.
        batches_per_epoch: usize,
    },
    /// From this epoch on the run trains on more images (more arrived while it trained).
    TrainImages {
        /// Training images now.
        train_images: usize,
        /// Batches per epoch now.
        batches_per_epoch: usize,
    },
    /// The run is paused.
    Paused,
    /// The run goes on after a pause.
    Resumed,
    /// The run ended: all epochs done, or stopped by the learner. Buffers: the trained
    /// weights, then the last evaluation's [`Predictions`] as bytes (both absent when no
    /// epoch was evaluated).
    Finished {
        /// Whether the learner stopped it early.
        stopped: bool,
    },
    /// The run failed.
    Failed(Failure),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_survive_a_json_round_trip() {
        let spec = ModelKind::Six.spec();
        let cmd = Command::Start(RunConfig {
            model: ModelKind::Six,
            hyper: spec.hyper,
            seed: 7,
            backend: BackendKind::Flex,
            strip: vec![1, 2, 3],
            resume: true,
            threads: 3,
        });
        let text = serde_json::to_string(&cmd).unwrap();
        assert_eq!(serde_json::from_str::<Command>(&text).unwrap(), cmd);

        let mut confusion = [[0; 10]; 10];
        confusion[3][5] = 17;
        let ev = Event::Epoch(Box::new(EpochReport {
            epoch: 1,
            train_loss: 1.5,
            train_accuracy: 0.4,
            val_loss: 1.4,
            val_accuracy: 0.45,
            confusion,
            strip: vec![Prediction {
                index: 4,
                label: 3,
                predicted: 5,
                confidence: 0.5,
            }],
            seconds: 12.0,
            train_seconds: 10.0,
            train_images: 500,
            partial: false,
        }));
        let text = serde_json::to_string(&ev).unwrap();
        assert_eq!(serde_json::from_str::<Event>(&text).unwrap(), ev);
    }

    #[test]
    fn configs_and_events_from_before_threads_read_as_one_thread() {
        let old = r#"{"model":"Four","hyper":{"lr":0.01,"momentum":0.9,"nesterov":false,"decay":1e-6,"batch_size":32,"epochs":1},"seed":1,"backend":"Flex","strip":[],"resume_at":null}"#;
        assert_eq!(serde_json::from_str::<RunConfig>(old).unwrap().threads, 1);
        let old = r#"{"Started":{"device":"CPU (Flex)","train_images":5,"test_images":5,"batches_per_epoch":1}}"#;
        match serde_json::from_str::<Event>(old).unwrap() {
            Event::Started {
                threads,
                threads_note,
                ..
            } => assert_eq!((threads, threads_note), (1, None)),
            other => panic!("{other:?}"),
        }
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

    mod fuzzed {
        //! What the page and the worker decode from each other, on random input: never a
        //! panic, and what decodes encodes to a message that decodes again. The same checks run
        //! for hours under cargo-fuzz (fuzz/fuzz_targets/protocol.rs).
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            #[test]
            fn any_text_as_a_message(text in any::<String>()) {
                if let Ok(c) = serde_json::from_str::<Command>(&text) {
                    let text = serde_json::to_string(&c).unwrap();
                    prop_assert!(serde_json::from_str::<Command>(&text).is_ok());
                }
                if let Ok(e) = serde_json::from_str::<Event>(&text) {
                    let text = serde_json::to_string(&e).unwrap();
                    prop_assert!(serde_json::from_str::<Event>(&text).is_ok());
                }
            }

            #[test]
            fn a_damaged_message(
                edits in proptest::collection::vec((any::<usize>(), 0x20u8..0x7f), 0..4),
                which in 0usize..2,
            ) {
                let spec = ModelKind::Four.spec();
                let valid = [
                    serde_json::to_string(&Command::Start(RunConfig {
                        model: ModelKind::Four,
                        hyper: spec.hyper,
                        seed: 3,
                        backend: BackendKind::Flex,
                        strip: vec![1, 2],
                        resume: true,
                        threads: 2,
                    })).unwrap(),
                    serde_json::to_string(&Event::Checkpoint { epoch: 1, batch: 2, batches_per_epoch: 3 }).unwrap(),
                ];
                let mut bytes = valid[which].clone().into_bytes();
                for &(at, v) in &edits {
                    let n = bytes.len();
                    bytes[at % n] = v;
                }
                let text = String::from_utf8_lossy(&bytes);
                let _ = serde_json::from_str::<Command>(&text);
                let _ = serde_json::from_str::<Event>(&text);
            }

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
