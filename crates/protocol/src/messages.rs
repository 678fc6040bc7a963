//! The messages between the page and the trainer's two kinds of worker.
//!
//! - A **training worker** runs one training run: [`Command`] in, [`Event`] out. They are
//!   small on purpose (numbers, labels, a 10×10 matrix); the large parts travel as named
//!   buffers ([`Bytes`]) beside the JSON: the images when a run starts (and when more
//!   arrive), a checkpoint now and then, the trained weights at the end.
//! - The **model worker** answers what the lessons ask of a trained model: [`ModelRequest`]
//!   in, [`ModelReply`] out, each reply naming the request it answers.

use lab::ModelKind;
use lab::inspect::{Kernels, Maps};
use serde::{Deserialize, Serialize};

use crate::codec::{Bytes, Floats};
use crate::run::{BatchProgress, EpochReport, Failure, RunConfig};

/// Start a run (page → training worker).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StartRun {
    /// The run's settings.
    pub config: RunConfig,
    /// The training images, in the official record layout.
    pub train: Bytes,
    /// The validation images, likewise.
    pub test: Bytes,
    /// The checkpoint to continue from (`lab::checkpoint`), when `config.resume` is set.
    pub checkpoint: Option<Bytes>,
}

/// Page → training worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Command {
    /// Start a run.
    Start(Box<StartRun>),
    /// Use this larger training set (official record layout) from the next epoch on.
    MoreData {
        /// The training images.
        train: Bytes,
    },
    /// Stop after the current batch and wait.
    Pause,
    /// Carry on after a pause.
    Resume,
    /// End the run after the current batch; the model stays for predictions.
    Stop,
}

/// What a run that ended leaves: its model and its answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trained {
    /// The trained weights (burnpack bytes, as `cnnlab train --save` writes them).
    pub weights: Bytes,
    /// The last evaluation's answer for every validation image
    /// ([`crate::run::Predictions::to_bytes`]).
    pub predictions: Bytes,
}

/// Training worker → page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Event {
    /// The worker's wasm is running and takes commands.
    Booted,
    /// The run is training.
    Started {
        /// What trains: the GPU adapter's name, or "CPU (Flex) · 2 threads" and the like.
        device: String,
        /// CPU threads training (1 on WebGPU).
        #[serde(default = "crate::run::one")]
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
    /// Where the run stands, with everything needed to continue it exactly: sent after
    /// every finished epoch and at least every minute of training, kept by the page across
    /// reloads and crashes.
    Checkpoint {
        /// Epochs finished.
        epoch: usize,
        /// Batches of the current epoch finished.
        batch: usize,
        /// Batches per epoch.
        batches_per_epoch: usize,
        /// The checkpoint (`lab::checkpoint`).
        bytes: Bytes,
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
    /// The run ended: all epochs done, or stopped by the learner.
    Finished {
        /// Whether the learner stopped it early.
        stopped: bool,
        /// The model and its answers (none when no epoch was evaluated).
        trained: Option<Trained>,
    },
    /// The run failed.
    Failed(Failure),
}

/// A question for the model worker (page → model worker).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ModelQuestion {
    /// Keep this model under `key` for the questions that name it (replacing any other).
    Load {
        /// The page's name for this model.
        key: u64,
        /// Which architecture.
        kind: ModelKind,
        /// Its weights (burnpack bytes).
        weights: Bytes,
    },
    /// Which of the tutorial's models are these weights for? (A file the learner loads.)
    Identify {
        /// The file's name, for the error.
        file: String,
        /// Its bytes.
        weights: Bytes,
    },
    /// Class probabilities for some images (`[n, 3, 32, 32]` in `[0, 1]`, flat).
    Probabilities {
        /// The loaded model's key.
        key: u64,
        /// The images.
        pixels: Floats,
    },
    /// The maps after every convolution for one image (`[3, 32, 32]`, flat).
    Maps {
        /// The loaded model's key.
        key: u64,
        /// The image.
        pixels: Floats,
    },
    /// The first convolution's kernels.
    Kernels {
        /// The loaded model's key.
        key: u64,
    },
    /// The predicted class and its probability for the first `count` images of a set,
    /// with progress along the way.
    Predict {
        /// The loaded model's key.
        key: u64,
        /// The images, official record layout.
        images: Bytes,
    },
}

/// A question and the number its answer will carry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelRequest {
    /// Chosen by the page; the reply repeats it.
    pub id: u64,
    /// What is asked.
    pub question: ModelQuestion,
}

/// An answer from the model worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ModelAnswer {
    /// The model is loaded.
    Loaded,
    /// The weights are for this model.
    Identified(ModelKind),
    /// Ten probabilities per image.
    Probabilities(Floats),
    /// The maps of every conv layer, in layer order: (channels, height, width) of each,
    /// and all their values one layer after the other.
    Maps {
        /// Each layer's (channels, height, width).
        shapes: Vec<[usize; 3]>,
        /// The values, layer after layer.
        values: Floats,
    },
    /// The first layer's kernels.
    Kernels(Kernels),
    /// Part of a [`ModelQuestion::Predict`] done: (images done, images in all).
    Progress(usize, usize),
    /// The predictions ([`crate::run::Predictions::to_bytes`]).
    Predictions(Bytes),
    /// The question could not be answered, and why (naming a file where one is at fault).
    Failed(String),
    /// The question named a model that is not loaded (the worker started afresh).
    Unknown,
}

/// Model worker → page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ModelReply {
    /// The worker's wasm is running and takes questions.
    Booted,
    /// The answer to request `id` (a [`ModelAnswer::Progress`] is followed by more).
    Answer {
        /// The request answered.
        id: u64,
        /// The answer.
        answer: ModelAnswer,
    },
    /// The worker could not start (its wasm did not load).
    Failed(String),
}

impl ModelAnswer {
    /// The answer for `maps` (as [`ModelAnswer::Maps`]).
    pub fn maps(maps: &[Maps]) -> ModelAnswer {
        let shapes = maps
            .iter()
            .map(|m| [m.channels, m.height, m.width])
            .collect();
        let values: Vec<f32> = maps.iter().flat_map(|m| m.values.iter().copied()).collect();
        ModelAnswer::Maps {
            shapes,
            values: values.into(),
        }
    }
}

/// The maps a [`ModelAnswer::Maps`] carries, or why they do not add up.
pub fn maps_from(shapes: &[[usize; 3]], values: &[f32]) -> Result<Vec<Maps>, String> {
    let mut out = Vec::with_capacity(shapes.len());
    let mut at = 0usize;
    for &[channels, height, width] in shapes {
        let n = channels
            .checked_mul(height)
            .and_then(|v| v.checked_mul(width))
            .ok_or("a map shape too large")?;
        let end = at
            .checked_add(n)
            .filter(|&e| e <= values.len())
            .ok_or_else(|| {
                format!(
                    "the maps hold {} values, fewer than their shapes say",
                    values.len()
                )
            })?;
        out.push(Maps {
            channels,
            height,
            width,
            values: values[at..end].to_vec(),
        });
        at = end;
    }
    if at != values.len() {
        return Err(format!(
            "the maps hold {} values, more than their shapes say ({at})",
            values.len()
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::{Envelope, decode, encode};
    use crate::run::{FailureKind, Prediction};
    use lab::BackendKind;

    fn start() -> Command {
        let spec = ModelKind::Six.spec();
        Command::Start(Box::new(StartRun {
            config: RunConfig {
                model: ModelKind::Six,
                hyper: spec.hyper,
                seed: 7,
                backend: BackendKind::Flex,
                strip: vec![1, 2, 3],
                resume: true,
                threads: 3,
            },
            train: vec![1; 3073].into(),
            test: vec![2; 3073].into(),
            checkpoint: Some(vec![3; 10].into()),
        }))
    }

    fn epoch() -> Event {
        let mut confusion = [[0; 10]; 10];
        confusion[3][5] = 17;
        Event::Epoch(Box::new(EpochReport {
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
        }))
    }

    #[test]
    fn messages_survive_the_codec_with_their_buffers_by_name() {
        let envelope = encode(&start()).unwrap();
        assert!(
            envelope.json.contains(r#""train":{"bytes":0}"#),
            "{}",
            envelope.json
        );
        assert!(
            envelope.json.contains(r#""checkpoint":{"bytes":2}"#),
            "{}",
            envelope.json
        );
        assert_eq!(decode::<Command>(envelope).unwrap(), start());
        for event in [
            epoch(),
            Event::Checkpoint {
                epoch: 1,
                batch: 2,
                batches_per_epoch: 3,
                bytes: vec![5; 7].into(),
            },
            Event::Finished {
                stopped: true,
                trained: Some(Trained {
                    weights: vec![1, 2].into(),
                    predictions: vec![3; 5].into(),
                }),
            },
            Event::Failed(Failure {
                kind: FailureKind::Device,
                message: "lost".into(),
            }),
        ] {
            assert_eq!(decode::<Event>(encode(&event).unwrap()).unwrap(), event);
        }
        let request = ModelRequest {
            id: 9,
            question: ModelQuestion::Maps {
                key: 2,
                pixels: vec![0.5; 3072].into(),
            },
        };
        assert_eq!(
            decode::<ModelRequest>(encode(&request).unwrap()).unwrap(),
            request
        );
    }

    #[test]
    fn events_from_before_threads_read_as_one_thread() {
        let old = r#"{"Started":{"device":"CPU (Flex)","train_images":5,"test_images":5,"batches_per_epoch":1}}"#;
        let envelope = Envelope {
            json: old.into(),
            ..Envelope::default()
        };
        match decode::<Event>(envelope).unwrap() {
            Event::Started {
                threads,
                threads_note,
                ..
            } => assert_eq!((threads, threads_note), (1, None)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn maps_come_back_as_they_were_sent() {
        let maps = vec![
            Maps {
                channels: 2,
                height: 2,
                width: 1,
                values: vec![1.0, 2.0, 3.0, 4.0],
            },
            Maps {
                channels: 1,
                height: 1,
                width: 1,
                values: vec![5.0],
            },
        ];
        let ModelAnswer::Maps { shapes, values } = ModelAnswer::maps(&maps) else {
            panic!("maps")
        };
        assert_eq!(maps_from(&shapes, values.as_slice()).unwrap(), maps);
        assert!(maps_from(&shapes, &[1.0; 4]).unwrap_err().contains("fewer"));
        assert!(maps_from(&shapes, &[1.0; 6]).unwrap_err().contains("more"));
        assert!(maps_from(&[[usize::MAX, 2, 2]], &[]).is_err());
    }

    mod fuzzed {
        //! What the page and the workers decode from each other, on random input: never a
        //! panic, and what decodes encodes to a message that decodes again. The same checks
        //! run for hours under cargo-fuzz (fuzz/fuzz_targets/protocol.rs).
        use super::*;
        use proptest::prelude::*;

        fn envelope(json: String, buffers: usize) -> Envelope {
            Envelope {
                json,
                bytes: (0..buffers).map(|i| vec![i as u8; i].into()).collect(),
                floats: (0..buffers).map(|i| vec![i as f32; i].into()).collect(),
            }
        }

        fn round_trips<T>(json: &str, buffers: usize) -> Result<(), TestCaseError>
        where
            T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
        {
            if let Ok(message) = decode::<T>(envelope(json.to_string(), buffers)) {
                let again = decode::<T>(encode(&message).map_err(TestCaseError::fail)?);
                prop_assert_eq!(again.as_ref(), Ok(&message));
            }
            Ok(())
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            #[test]
            fn any_text_as_a_message(text in any::<String>(), buffers in 0usize..4) {
                round_trips::<Command>(&text, buffers)?;
                round_trips::<Event>(&text, buffers)?;
                round_trips::<ModelRequest>(&text, buffers)?;
                round_trips::<ModelReply>(&text, buffers)?;
            }

            #[test]
            fn a_damaged_message(
                edits in proptest::collection::vec((any::<usize>(), 0x20u8..0x7f), 0..4),
                which in 0usize..2,
                buffers in 0usize..4,
            ) {
                let valid = [encode(&start()).unwrap().json, encode(&epoch()).unwrap().json];
                let mut bytes = valid[which].clone().into_bytes();
                for &(at, v) in &edits {
                    let n = bytes.len();
                    bytes[at % n] = v;
                }
                let text = String::from_utf8_lossy(&bytes).into_owned();
                round_trips::<Command>(&text, buffers)?;
                round_trips::<Event>(&text, buffers)?;
            }
        }
    }
}
