//! Loading the data the arguments name, with a spinner.

use anyhow::{Context, Result};
use cifar::Dataset;
use indicatif::{ProgressBar, ProgressStyle};

use crate::args::DataArgs;

/// Synthetic set sizes for `--synthetic`: small enough to train in seconds.
const SYNTHETIC_TRAIN_PER_CLASS: usize = 500;
const SYNTHETIC_TEST_PER_CLASS: usize = 100;

/// The synthetic set is drawn from this seed for every command, so `eval --synthetic`
/// sees the images `train --synthetic` was validated on; a run's `--seed` seeds only its
/// weights, dropout and shuffling.
const SYNTHETIC_SEED: u64 = 1;

/// Read the dataset `args` names.
pub fn load(args: &DataArgs) -> Result<Dataset> {
    let mut data = match &args.data {
        Some(path) => {
            let spinner =
                ProgressBar::new_spinner().with_message(format!("reading {}", path.display()));
            spinner.enable_steady_tick(std::time::Duration::from_millis(120));
            let data = Dataset::open(path).context("cannot load CIFAR-10");
            spinner.finish_and_clear();
            data?
        }
        None => cifar::synthetic::dataset(
            SYNTHETIC_TRAIN_PER_CLASS,
            SYNTHETIC_TEST_PER_CLASS,
            SYNTHETIC_SEED,
        ),
    };
    if let Some(n) = args.test_limit {
        anyhow::ensure!(n > 0, "--test-limit must be at least 1");
        data.test = data.test.first(n);
    }
    Ok(data)
}

/// A progress bar style for counting images.
pub fn image_bar(len: u64, prefix: String) -> ProgressBar {
    let bar = ProgressBar::new(len).with_prefix(prefix);
    if let Ok(style) = ProgressStyle::with_template(
        "{prefix} [{bar:30}] {pos}/{len} images  {per_sec}  ETA {eta}  {msg}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}
