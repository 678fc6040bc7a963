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
    /// Continue from the start of this epoch with weights sent beside the message
    /// (a GPU run handed to the CPU); `None` starts from fresh weights.
    pub resume_at: Option<usize>,
}

/// Page → worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Command {
    /// Start a run. Buffers: training batch bytes, test batch bytes (official record
    /// layout), then the weights when `resume_at` is set.
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
    /// The run was stopped part-way through this epoch: the figures cover the batches
    /// trained so far, and the evaluation is of the model as stopped.
    #[serde(default)]
    pub partial: bool,
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
        /// What trains: the GPU adapter's name, or "CPU (Flex)" and the like.
        device: String,
        /// Training images.
        train_images: usize,
        /// Validation images.
        test_images: usize,
        /// Batches per epoch.
        batches_per_epoch: usize,
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
    /// The weights after `epochs_done` epochs (buffer 0), for handing a GPU run to the CPU.
    Checkpoint {
        /// Epochs the weights have seen.
        epochs_done: usize,
    },
    /// The run is paused.
    Paused,
    /// The run goes on after a pause.
    Resumed,
    /// The run ended: all epochs done, or stopped by the learner.
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
            resume_at: Some(2),
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
            partial: false,
        }));
        let text = serde_json::to_string(&ev).unwrap();
        assert_eq!(serde_json::from_str::<Event>(&text).unwrap(), ev);
    }
}
