//! Everything that changes the workbench's state.

use std::rc::Rc;

use crate::data::RunDataInfo;
use crate::data::loading::DataEvent;
use crate::settings::Settings;
use crate::store::active::ActiveRun;
use crate::store::runs::{RunRecord, TrainedModel};
use protocol::gpu::GpuStatus;
use protocol::{Event, Predictions, RunConfig};

use super::run::SavedPoint;
use super::state::{OfflineStatus, TrainerStatus};

/// Everything that changes the workbench.
#[derive(Debug, Clone)]
pub enum Action {
    /// The learner changed the settings (a field, a preset or a shared link).
    SetSettings(Settings),
    /// The WebGPU probe's answer.
    Gpu(GpuStatus),
    /// A load reported progress, its images or its failure.
    Data(DataEvent),
    /// A run was started with this configuration.
    Starting {
        /// Its key for the saved runs.
        id: String,
        /// The run's settings.
        config: RunConfig,
        /// A one-line note about the backend choice.
        note: Option<String>,
        /// Its images.
        data: Option<RunDataInfo>,
        /// The saved run it continues after a reload (its history comes back with it).
        restored: Option<Box<ActiveRun>>,
    },
    /// The worker said something.
    Worker(Event),
    /// A checkpoint arrived.
    Checkpoint(SavedPoint),
    /// A run in progress was found saved (or is no longer: `None`).
    Interrupted(Option<Box<ActiveRun>>),
    /// The run `id`'s checkpoint at (epoch, batch), of this many bytes, is now in the
    /// browser's storage.
    CheckpointKept(String, usize, usize, usize),
    /// The run could not be started or talked to.
    RunError(String),
    /// The ended run's weights and answers arrived.
    RunOutput(Rc<Vec<u8>>, Rc<Predictions>),
    /// The saved runs, read at start.
    RunsListed(Vec<RunRecord>),
    /// A run was saved.
    RunSaved(RunRecord),
    /// A saved run was deleted.
    RunDeleted(String),
    /// Look inside this model from now on.
    UseModel(TrainedModel),
    /// The browser's storage failed.
    StorageError(String),
    /// The trainer's wasm loaded (or could not).
    Trainer(TrainerStatus),
    /// Whether the course works offline in this browser.
    Offline(OfflineStatus),
    /// Bytes of the dataset kept in this browser for offline use.
    DatasetKept(u64),
}
