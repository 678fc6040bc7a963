//! The train and test sets with their class names, from wherever the files are.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::{DataError, ImageSet, META_FILE, TEST_FILE, TRAIN_FILES, parse_batch, parse_meta};

/// Where a dataset's images came from. Shown to the learner, so the synthetic set can never
/// pass for CIFAR-10.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Source {
    /// The CIFAR-10 binary files; `origin` says where they were read from.
    Cifar10 {
        /// A path, an archive name or "dropped files".
        origin: String,
    },
    /// The generated stand-in of [`crate::synthetic`].
    Synthetic,
}

impl Source {
    /// A one-line description for a page or a terminal.
    pub fn describe(&self) -> String {
        match self {
            Source::Cifar10 { origin } => format!("CIFAR-10 ({origin})"),
            Source::Synthetic => "synthetic shapes — NOT CIFAR-10".to_string(),
        }
    }

    /// Whether this is real CIFAR-10.
    pub fn is_cifar10(&self) -> bool {
        matches!(self, Source::Cifar10 { .. })
    }
}

/// A labelled train set, a labelled test set, and the names of the ten classes.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// Training images (50,000 in full CIFAR-10).
    pub train: ImageSet,
    /// Test images, used as the validation set after each epoch (10,000 in full CIFAR-10).
    pub test: ImageSet,
    /// Class names in label order.
    pub class_names: Vec<String>,
    /// Where the images came from.
    pub source: Source,
}

impl Dataset {
    /// Read the official binary files from a directory: `data_batch_1.bin` …
    /// `data_batch_5.bin`, `test_batch.bin` and `batches.meta.txt`. A directory that
    /// holds a `cifar-10-batches-bin/` folder works too.
    pub fn from_dir(dir: &Path) -> Result<Dataset, DataError> {
        let nested = dir.join("cifar-10-batches-bin");
        let dir = if !dir.join(TEST_FILE).exists() && nested.is_dir() {
            nested
        } else {
            dir.to_path_buf()
        };
        let mut builder = DatasetBuilder::new(dir.display().to_string());
        for name in TRAIN_FILES.iter().chain([&TEST_FILE, &META_FILE]) {
            let path = dir.join(name);
            if !path.exists() {
                return Err(DataError::Missing {
                    file: (*name).into(),
                    place: dir.display().to_string(),
                });
            }
            let bytes = std::fs::read(&path).map_err(|source| DataError::Io {
                file: path.display().to_string(),
                source,
            })?;
            builder.add_file(&path.display().to_string(), &bytes)?;
        }
        builder.finish()
    }

    /// Read the official `cifar-10-binary.tar.gz` from a file path.
    pub fn from_tar_gz(path: &Path) -> Result<Dataset, DataError> {
        let name = path.display().to_string();
        let file = std::fs::File::open(path).map_err(|source| DataError::Io {
            file: name.clone(),
            source,
        })?;
        crate::read_tar_gz(&name, std::io::BufReader::new(file), |_| {})
    }

    /// Read either a directory of batch files or a `.tar.gz` archive, whichever `path` is.
    pub fn open(path: &Path) -> Result<Dataset, DataError> {
        if path.is_dir() {
            Self::from_dir(path)
        } else if path.exists() {
            Self::from_tar_gz(path)
        } else {
            Err(DataError::Io {
                file: path.display().to_string(),
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "no such file or directory",
                ),
            })
        }
    }
}

/// Collects batch files one at a time (from an archive, a directory, a fetch or a drop) and
/// checks at the end that the dataset is complete.
#[derive(Debug, Clone)]
pub struct DatasetBuilder {
    place: String,
    train: [Option<ImageSet>; 5],
    test: Option<ImageSet>,
    class_names: Option<Vec<String>>,
}

impl DatasetBuilder {
    /// Start collecting; `place` names where the files come from in errors and in the
    /// dataset's [`Source`].
    pub fn new(place: impl Into<String>) -> Self {
        Self {
            place: place.into(),
            train: Default::default(),
            test: None,
            class_names: None,
        }
    }

    /// Add one file by its path or name. Files are recognised by their base name
    /// (`…/data_batch_3.bin`); others are ignored and `Ok(false)` is returned.
    pub fn add_file(&mut self, path: &str, bytes: &[u8]) -> Result<bool, DataError> {
        let base = path.rsplit(['/', '\\']).next().unwrap_or(path);
        if let Some(slot) = TRAIN_FILES.iter().position(|&f| f == base) {
            self.train[slot] = Some(parse_batch(path, bytes)?);
        } else if base == TEST_FILE {
            self.test = Some(parse_batch(path, bytes)?);
        } else if base == META_FILE {
            self.class_names = Some(parse_meta(path, bytes)?);
        } else {
            return Ok(false);
        }
        Ok(true)
    }

    /// Whether the test batch and at least one training batch are in: enough to start
    /// training while the rest arrive.
    pub fn can_start(&self) -> bool {
        self.test.is_some() && self.train.iter().any(Option::is_some)
    }

    /// The dataset with every required file present, or an error naming the first missing.
    pub fn finish(self) -> Result<Dataset, DataError> {
        for (slot, name) in self.train.iter().zip(TRAIN_FILES) {
            if slot.is_none() {
                return Err(self.missing(name));
            }
        }
        self.finish_partial()
    }

    /// The dataset from the training batches that are in (in file order), the test batch
    /// and the class names; errors only if the test batch or every training batch is missing.
    /// Missing class names default to [`crate::CLASS_NAMES`] only when the meta file is absent.
    pub fn finish_partial(self) -> Result<Dataset, DataError> {
        self.snapshot()
    }

    /// What [`DatasetBuilder::finish_partial`] would give now, leaving the builder to collect
    /// more (the batches are copied once, into the dataset).
    pub fn snapshot(&self) -> Result<Dataset, DataError> {
        let Some(test) = self.test.clone() else {
            return Err(self.missing(TEST_FILE));
        };
        let mut train = ImageSet::default();
        for set in self.train.iter().flatten() {
            train.extend(set);
        }
        if train.is_empty() {
            return Err(self.missing(TRAIN_FILES[0]));
        }
        let class_names = match &self.class_names {
            Some(names) => names.clone(),
            None => crate::CLASS_NAMES.iter().map(|s| s.to_string()).collect(),
        };
        Ok(Dataset {
            train,
            test,
            class_names,
            source: Source::Cifar10 {
                origin: self.place.clone(),
            },
        })
    }

    fn missing(&self, name: &str) -> DataError {
        DataError::Missing {
            file: name.into(),
            place: self.place.clone(),
        }
    }
}
