//! The run in progress, kept in the browser so that a reload, a closed tab or a crashed
//! worker loses at most the training since its last checkpoint (`lab::checkpoint`).
//!
//! One run at a time: the latest checkpoint and what the page knows about the run (its
//! settings, its images, its history so far) are one IndexedDB value, written in one
//! transaction, so the two always belong together. The value is deleted when the run
//! ends; a new run replaces it.

use js_sys::{Object, Reflect, Uint8Array};
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};

use std::rc::Rc;

use cifar::Dataset;
use lab::spec::group_thousands;

use super::idb::{self, BLOBS};
use crate::data::RunData;
use crate::data::{self, RunDataInfo};
use protocol::{EpochReport, RunConfig};

/// The key of the run in progress in the `blobs` store.
const KEY: &str = "active-run";

/// A run in progress as saved beside its latest checkpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActiveRun {
    /// The run's key (kept when it resumes, so it is saved as one run).
    pub id: String,
    /// Its settings, as started.
    pub config: RunConfig,
    /// Its images.
    pub data: RunDataInfo,
    /// What trained it last ("CPU (Flex) · 2 threads").
    pub device: String,
    /// Finished epochs.
    pub history: Vec<EpochReport>,
    /// The smoothed loss curve so far.
    pub batch_loss: Vec<(f64, f64)>,
    /// Epochs finished at the checkpoint.
    pub epoch: usize,
    /// Batches of the current epoch finished at the checkpoint.
    pub batch: usize,
    /// Batches per epoch.
    pub batches_per_epoch: usize,
    /// When the checkpoint was taken, in the learner's local time.
    pub saved: String,
    /// The checkpoint's size in bytes (filled in when read back).
    #[serde(default)]
    pub checkpoint_bytes: usize,
}

impl ActiveRun {
    /// "6-layer CNN, epoch 3 of 10, batch 812 of 1,563".
    pub fn position(&self) -> String {
        format!(
            "{}, epoch {} of {}, batch {} of {}",
            self.config.model.spec().name,
            self.epoch + 1,
            self.config.hyper.epochs,
            group_thousands(self.batch),
            group_thousands(self.batches_per_epoch)
        )
    }

    /// Why the run cannot resume on `data` yet (its images are not all there), or `None`.
    pub fn blocked(&self, data: Option<&Dataset>) -> Option<String> {
        let want = &self.data;
        let load = format!("load the images it trained on ({})", want.source);
        let Some(d) = data else {
            return Some(load);
        };
        if d.train.len() < want.train_images || d.test.len() < want.val_images {
            return Some(format!(
                "{load}: {} of its {} training images are here",
                group_thousands(d.train.len().min(want.train_images)),
                group_thousands(want.train_images)
            ));
        }
        None
    }

    /// The run's images taken from `data`, checked to be the very images it trained on.
    pub fn run_data(&self, data: &Dataset) -> Result<RunData, String> {
        if let Some(why) = self.blocked(Some(data)) {
            return Err(format!("To resume, {why}."));
        }
        let train = data::training_subset(data, self.data.train_images).to_batch_bytes();
        let val = data::validation_subset(data, self.data.val_images).to_batch_bytes();
        let info = RunDataInfo::new(data, &train, &val);
        if info.fingerprint != self.data.fingerprint {
            return Err(format!(
                "These are not the images the interrupted run trained on ({}, {} training images): load those to resume it, or discard it.",
                self.data.source,
                group_thousands(self.data.train_images)
            ));
        }
        Ok(RunData {
            train: Rc::new(train),
            val: Rc::new(val),
            info,
        })
    }
}

/// Save `run` with its `checkpoint`, replacing the one saved before.
pub async fn save(run: &ActiveRun, checkpoint: &[u8]) -> Result<(), String> {
    let meta = serde_json::to_string(run).map_err(|e| e.to_string())?;
    let value = Object::new();
    let set = |k: &str, v: &JsValue| Reflect::set(&value, &JsValue::from_str(k), v);
    set("meta", &JsValue::from_str(&meta))
        .and_then(|_| set("checkpoint", &Uint8Array::from(checkpoint).into()))
        .map_err(|_| "could not build the checkpoint record".to_string())?;
    idb::put(BLOBS, KEY, &value).await
}

fn field(value: &JsValue, name: &str) -> Option<JsValue> {
    Reflect::get(value, &JsValue::from_str(name))
        .ok()
        .filter(|v| !v.is_undefined())
}

/// The saved run in progress, if any (without its checkpoint's bytes).
pub async fn load() -> Result<Option<ActiveRun>, String> {
    let Some(value) = idb::get(BLOBS, KEY).await? else {
        return Ok(None);
    };
    let meta = field(&value, "meta")
        .and_then(|m| m.as_string())
        .ok_or("the saved run in progress has no description")?;
    let mut run: ActiveRun = serde_json::from_str(&meta)
        .map_err(|e| format!("the saved run in progress cannot be read: {e}"))?;
    run.checkpoint_bytes = field(&value, "checkpoint")
        .and_then(|c| c.dyn_into::<Uint8Array>().ok())
        .map_or(0, |c| c.length() as usize);
    Ok(Some(run))
}

/// The saved checkpoint's bytes, if `id`'s run is the one saved.
pub async fn checkpoint(id: &str) -> Result<Option<Vec<u8>>, String> {
    let Some(value) = idb::get(BLOBS, KEY).await? else {
        return Ok(None);
    };
    let meta: Option<ActiveRun> = field(&value, "meta")
        .and_then(|m| m.as_string())
        .and_then(|m| serde_json::from_str(&m).ok());
    if meta.map(|m| m.id).as_deref() != Some(id) {
        return Ok(None);
    }
    Ok(field(&value, "checkpoint")
        .and_then(|c| c.dyn_into::<Uint8Array>().ok())
        .map(|c| c.to_vec()))
}

/// Forget the saved run in progress.
pub async fn discard() -> Result<(), String> {
    idb::delete(BLOBS, KEY).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use lab::{BackendKind, ModelKind};

    fn saved(data: &Dataset, train_images: usize) -> ActiveRun {
        let train = data::training_subset(data, train_images).to_batch_bytes();
        let val = data::validation_subset(data, 10).to_batch_bytes();
        ActiveRun {
            id: "run-1".into(),
            config: RunConfig {
                model: ModelKind::Six,
                hyper: ModelKind::Six.spec().hyper,
                seed: 1,
                backend: BackendKind::Flex,
                strip: vec![],
                resume: false,
                threads: 2,
            },
            data: RunDataInfo::new(data, &train, &val),
            device: "CPU (Flex) · 2 threads".into(),
            history: vec![],
            batch_loss: vec![],
            epoch: 2,
            batch: 812,
            batches_per_epoch: 1563,
            saved: "14:02".into(),
            checkpoint_bytes: 0,
        }
    }

    #[test]
    fn the_offer_says_where_the_run_stood_and_what_it_waits_for() {
        let data = cifar::synthetic::dataset(4, 1, 1);
        let run = saved(&data, 30);
        assert_eq!(
            run.position(),
            "6-layer CNN, epoch 3 of 10, batch 812 of 1,563"
        );
        assert!(run.blocked(None).unwrap().contains("synthetic"));
        // Served data arrives in parts: 20 of 30 training images so far.
        let part = cifar::Dataset {
            train: data.train.first(20),
            ..data.clone()
        };
        let why = run.blocked(Some(&part)).unwrap();
        assert!(why.contains("20 of its 30"), "{why}");
        assert_eq!(run.blocked(Some(&data)), None);
        let resumed = run.run_data(&data).unwrap();
        assert_eq!(resumed.info, run.data);
    }

    #[test]
    fn other_images_of_the_same_size_are_refused() {
        let data = cifar::synthetic::dataset(4, 1, 1);
        let run = saved(&data, 30);
        let other = cifar::synthetic::dataset(4, 1, 2);
        assert_eq!(run.blocked(Some(&other)), None, "the sizes fit");
        let err = run.run_data(&other).err().unwrap();
        assert!(err.contains("not the images"), "{err}");
        // The saved description survives JSON (it is stored as such).
        let text = serde_json::to_string(&run).unwrap();
        assert_eq!(serde_json::from_str::<ActiveRun>(&text).unwrap(), run);
    }
}
