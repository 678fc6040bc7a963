//! What `train` and `eval` print and write.

use lab::spec::ModelKind;
use serde::Serialize;

/// `cnnlab summary`: the model's name, its table and its settings.
pub fn summary(kind: ModelKind) -> String {
    let spec = kind.spec();
    let table = match spec.table() {
        Ok(t) => t.to_text(),
        Err(e) => format!("(inconsistent model description: {e})\n"),
    };
    let h = spec.hyper;
    format!(
        "{}\n\n{table}\nOptimizer: SGD, learning rate {}, momentum {}, nesterov {}, decay {}; batch {}\n",
        spec.name, h.lr, h.momentum, h.nesterov, h.decay, h.batch_size
    )
}

/// One epoch in the JSON report.
#[derive(Debug, Serialize)]
pub struct EpochJson {
    pub epoch: usize,
    pub train_loss: f64,
    pub train_accuracy: f64,
    pub val_loss: f64,
    pub val_accuracy: f64,
    pub seconds: f64,
}

/// The `--json` report of a training run.
#[derive(Debug, Serialize)]
pub struct RunJson {
    pub model: String,
    pub backend: String,
    pub data: String,
    pub epochs: usize,
    pub batch_size: usize,
    pub lr: f64,
    pub momentum: f64,
    pub decay: f64,
    pub seed: u64,
    pub train_images: usize,
    pub test_images: usize,
    pub history: Vec<EpochJson>,
    pub test_accuracy: f64,
    pub confusion_matrix: Vec<Vec<u32>>,
    pub images_per_second: f64,
    pub train_seconds: f64,
    pub total_seconds: f64,
}
