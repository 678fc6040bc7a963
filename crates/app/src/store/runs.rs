//! Finished runs, kept in the browser: what a run was (settings, device, sizes), what it
//! did (per-epoch history, confusion matrices) and, beside it, its weights and its
//! predictions for the validation images. Also the run's downloads: the report as JSON
//! and the history as CSV.

use std::rc::Rc;

use lab::ModelKind;
use lab::report::{EpochLine, RunReport};
use serde::{Deserialize, Serialize};

use protocol::{EpochReport, Predictions, RunConfig};

/// One finished (or stopped) run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// Unique key, from the start time: `run-<ms since 1970>`.
    pub id: String,
    /// When it ended, as the browser's local date and time.
    pub ended: String,
    /// Model, hyperparameters, seed, backend.
    pub config: RunConfig,
    /// What trained it (e.g. "CPU (Flex)" or the GPU's name).
    pub device: String,
    /// Training images.
    pub train_images: usize,
    /// Validation images.
    pub test_images: usize,
    /// One report per evaluated epoch.
    pub history: Vec<EpochReport>,
    /// Whether the learner stopped it before its last epoch.
    pub stopped: bool,
    /// The images it trained and was validated on ("CIFAR-10 (served by this site)").
    #[serde(default)]
    pub data: String,
    /// CPU threads it trained on (1 on WebGPU, and for runs saved before threads).
    #[serde(default = "one_thread")]
    pub threads: usize,
}

fn one_thread() -> usize {
    1
}

impl RunRecord {
    /// Training and evaluation time, in seconds.
    pub fn seconds(&self) -> f64 {
        self.history.iter().map(|r| r.seconds).sum()
    }

    /// The last epoch's validation accuracy.
    pub fn final_accuracy(&self) -> Option<f64> {
        self.history.last().map(|r| r.val_accuracy)
    }

    /// The epoch with the best validation accuracy.
    pub fn best(&self) -> Option<&EpochReport> {
        protocol::best_epoch(&self.history)
    }

    /// A short description: "6-layer CNN, 3 epochs on 5,000 images".
    pub fn title(&self) -> String {
        let epochs = self.history.len();
        format!(
            "{}, {} epoch{} on {} images{}",
            self.config.model.spec().name,
            epochs,
            if epochs == 1 { "" } else { "s" },
            lab::spec::group_thousands(self.train_images),
            if self.stopped { " (stopped)" } else { "" }
        )
    }

    /// The run's report, in the shape `cnnlab train --json` writes (`lab::report`).
    pub fn report(&self) -> RunReport {
        let history = self
            .history
            .iter()
            .map(|r| EpochLine {
                epoch: r.epoch + 1,
                train_loss: r.train_loss,
                train_accuracy: r.train_accuracy,
                val_loss: r.val_loss,
                val_accuracy: r.val_accuracy,
                seconds: r.seconds,
                // Runs saved before these were kept: the epoch's time and the run's size.
                train_seconds: if r.train_seconds > 0.0 {
                    r.train_seconds
                } else {
                    r.seconds
                },
                train_images: if r.train_images > 0 {
                    r.train_images
                } else {
                    self.train_images
                },
                partial: r.partial,
            })
            .collect();
        let c = &self.config;
        let mut report = RunReport::new(c.model, c.backend.id(), &c.hyper, c.seed, history);
        report.device = Some(self.device.clone());
        report.threads = Some(self.threads);
        report.data = self.data.clone();
        report.train_images = self.train_images;
        report.test_images = self.test_images;
        report.confusion_matrix = self.history.last().map(|r| r.confusion);
        report.ended = Some(self.ended.clone());
        report.stopped = self.stopped;
        report
    }

    /// The report as JSON (see [`RunRecord::report`]).
    pub fn report_json(&self) -> String {
        self.report().to_json()
    }

    /// The per-epoch history as CSV, one row per epoch.
    pub fn history_csv(&self) -> String {
        let mut out =
            String::from("epoch,train_loss,train_accuracy,val_loss,val_accuracy,seconds,partial\n");
        for r in &self.history {
            out.push_str(&format!(
                "{},{:.6},{:.6},{:.6},{:.6},{:.3},{}\n",
                r.epoch + 1,
                r.train_loss,
                r.train_accuracy,
                r.val_loss,
                r.val_accuracy,
                r.seconds,
                r.partial
            ));
        }
        out
    }

    /// A file name stem for downloads: `cnnlab-six-3ep-run-…`.
    pub fn file_stem(&self) -> String {
        format!(
            "cnnlab-{}-{}ep-{}",
            self.config.model.id(),
            self.history.len(),
            self.id
        )
    }
}

/// A trained model the lessons can look inside: its weights and, when it came from a run
/// here, its answers for that run's validation images.
#[derive(Debug, Clone)]
pub struct TrainedModel {
    /// The run it came from, if any.
    pub run_id: Option<String>,
    /// Where it came from, for the learner ("run of 14:02, 6-layer CNN…" or a file name).
    pub label: String,
    /// Which architecture.
    pub kind: ModelKind,
    /// burnpack weights.
    pub weights: Rc<Vec<u8>>,
    /// Predicted class and confidence for each of the run's validation images (the first
    /// `len` test images).
    pub predictions: Option<Rc<Predictions>>,
    /// The images those predictions are for (a dataset's description), when known.
    pub data: Option<String>,
}

impl PartialEq for TrainedModel {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.weights, &other.weights)
            && match (&self.predictions, &other.predictions) {
                (Some(a), Some(b)) => Rc::ptr_eq(a, b),
                (None, None) => true,
                _ => false,
            }
    }
}

mod browser {
    //! Saving and reading runs in IndexedDB.
    use super::*;
    use crate::store::idb::{self, BLOBS, RUNS};
    use wasm_bindgen::JsValue;

    fn weights_key(id: &str) -> String {
        format!("{id}/weights")
    }
    fn predictions_key(id: &str) -> String {
        format!("{id}/predictions")
    }

    /// Save a run with its weights and predictions.
    pub async fn save(
        record: &RunRecord,
        weights: &[u8],
        predictions: &Predictions,
    ) -> Result<(), String> {
        let json = serde_json::to_string(record).map_err(|e| e.to_string())?;
        idb::put_bytes(BLOBS, &weights_key(&record.id), weights).await?;
        idb::put_bytes(BLOBS, &predictions_key(&record.id), &predictions.to_bytes()).await?;
        idb::put(RUNS, &record.id, &JsValue::from_str(&json)).await
    }

    /// Every saved run, oldest first. Records this version cannot read are skipped.
    pub async fn list() -> Result<Vec<RunRecord>, String> {
        let values = idb::get_all(RUNS).await?;
        let mut runs: Vec<RunRecord> = values
            .iter()
            .filter_map(|v| v.as_string())
            .filter_map(|s| serde_json::from_str(&s).ok())
            .collect();
        runs.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(runs)
    }

    /// A saved run's model: weights and predictions.
    pub async fn model(record: &RunRecord) -> Result<TrainedModel, String> {
        let weights = weights(record).await?;
        let predictions = idb::get_bytes(BLOBS, &predictions_key(&record.id))
            .await?
            .and_then(|b| Predictions::from_bytes(&b))
            .map(Rc::new);
        Ok(TrainedModel {
            run_id: Some(record.id.clone()),
            label: format!("{} (ended {})", record.title(), record.ended),
            kind: record.config.model,
            weights: Rc::new(weights),
            predictions,
            data: Some(record.data.clone()).filter(|d| !d.is_empty()),
        })
    }

    /// A saved run's weights.
    pub async fn weights(record: &RunRecord) -> Result<Vec<u8>, String> {
        idb::get_bytes(BLOBS, &weights_key(&record.id))
            .await?
            .ok_or_else(|| format!("the weights of {} are missing", record.title()))
    }

    /// Remove a run and its bytes.
    pub async fn delete(id: &str) -> Result<(), String> {
        idb::delete(RUNS, id).await?;
        idb::delete(BLOBS, &weights_key(id)).await?;
        idb::delete(BLOBS, &predictions_key(id)).await
    }
}

pub use browser::{delete, list, model, save, weights};

#[cfg(test)]
mod tests {
    use super::*;
    use lab::BackendKind;

    fn record() -> RunRecord {
        let report = |epoch, acc| EpochReport {
            epoch,
            train_loss: 2.0 - epoch as f64 * 0.5,
            train_accuracy: 0.2,
            val_loss: 1.9,
            val_accuracy: acc,
            confusion: [[1; 10]; 10],
            strip: vec![],
            seconds: 10.0,
            train_seconds: 8.0,
            train_images: 5000,
            partial: false,
        };
        RunRecord {
            id: "run-1".into(),
            ended: "today".into(),
            config: RunConfig {
                model: ModelKind::Six,
                hyper: ModelKind::Six.spec().hyper,
                seed: 1,
                backend: BackendKind::Flex,
                strip: vec![],
                resume: false,
                threads: 2,
            },
            device: "CPU (Flex) · 2 threads".into(),
            train_images: 5000,
            test_images: 1000,
            history: vec![report(0, 0.3), report(1, 0.4)],
            stopped: false,
            data: "synthetic".into(),
            threads: 2,
        }
    }

    #[test]
    fn csv_has_a_header_and_one_row_per_epoch() {
        let csv = record().history_csv();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(
            lines[0],
            "epoch,train_loss,train_accuracy,val_loss,val_accuracy,seconds,partial"
        );
        assert_eq!(
            lines[2],
            "2,1.500000,0.200000,1.900000,0.400000,10.000,false"
        );
    }

    #[test]
    fn the_report_carries_the_cli_fields() {
        let r = record();
        let v: serde_json::Value = serde_json::from_str(&r.report_json()).unwrap();
        assert_eq!(v["model"], "six");
        assert_eq!(v["epochs"], 2);
        assert_eq!(v["history"][1]["epoch"], 2);
        assert_eq!(v["test_accuracy"], 0.4);
        assert_eq!(v["confusion_matrix"][3][4], 1);
        assert_eq!(v["threads"], 2);
        // The CLI's flat settings, not a nested `hyper`.
        assert_eq!(
            (v["lr"].as_f64(), v["momentum"].as_f64()),
            (Some(0.01), Some(0.9))
        );
        assert_eq!(v["decay"].as_f64(), Some(1e-6));
        assert!(v.get("hyper").is_none());
        // 2 epochs × 5,000 images in 16 s of training (20 s with the evaluations).
        assert_eq!(v["images_per_second"], 625.0);
        assert_eq!(
            (v["train_seconds"].as_f64(), v["total_seconds"].as_f64()),
            (Some(16.0), Some(20.0))
        );
        // The very type `cnnlab report` reads.
        let back = RunReport::from_json(&r.report_json()).unwrap();
        assert_eq!(back, r.report());
        assert_eq!(r.title(), "6-layer CNN, 2 epochs on 5,000 images");
        assert_eq!(r.best().map(|b| b.epoch), Some(1));
    }

    /// `cnnlab report` reads this file back (crates/cli/tests/cli.rs): it is exactly what
    /// the app writes for `record()`.
    #[test]
    fn the_report_download_is_the_fixture_cnnlab_reads_back() {
        let fixture = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/fixtures/app-report.json"
        );
        let written = record().report_json();
        if std::env::var_os("UPDATE_FIXTURES").is_some() {
            std::fs::write(fixture, &written).unwrap();
        }
        let kept = std::fs::read_to_string(fixture).unwrap_or_default();
        assert_eq!(
            kept, written,
            "rerun with UPDATE_FIXTURES=1 to refresh {fixture}"
        );
    }
}
