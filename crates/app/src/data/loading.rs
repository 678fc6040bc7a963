//! Loading images: a load's progress, what a load reports, and the images on hand as the
//! workbench keeps them (a failed load keeps what was loaded before).

use super::Images;

/// A loading job's progress.
#[derive(Debug, Clone, PartialEq)]
pub struct Loading {
    /// What is being loaded, for the progress bar's label.
    pub what: String,
    /// Bytes (or steps) done.
    pub done: u64,
    /// Bytes (or steps) in all, when known.
    pub total: Option<u64>,
}

/// The images on hand.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DataState {
    /// The dataset loaded last (kept when a later load fails).
    pub dataset: Option<Images>,
    /// Whether every training batch is in (served data arrives in parts).
    pub complete: bool,
    /// A load in progress.
    pub loading: Option<Loading>,
    /// The last load's error, in a sentence naming the file.
    pub error: Option<String>,
}

/// What a load reports, in order: progress, then the images or why they could not load.
#[derive(Debug, Clone)]
pub enum DataEvent {
    /// A load's progress.
    Loading(Loading),
    /// A load finished.
    Loaded {
        /// The images.
        dataset: Images,
        /// Whether every training batch is in.
        complete: bool,
    },
    /// A load failed; what was loaded before stays.
    Failed(String),
}

impl DataState {
    /// Take in what a load reported.
    pub fn apply(&mut self, event: DataEvent) {
        match event {
            DataEvent::Loading(loading) => {
                self.loading = Some(loading);
                self.error = None;
            }
            DataEvent::Loaded { dataset, complete } => {
                self.dataset = Some(dataset);
                self.complete = complete;
                self.loading = None;
                self.error = None;
            }
            DataEvent::Failed(message) => {
                self.loading = None;
                self.error = Some(message);
            }
        }
    }
}
