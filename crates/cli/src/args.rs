//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use lab::{BackendKind, ModelKind};

/// Train and inspect the CIFAR-10 tutorial's 4-layer and 6-layer CNNs (burn).
#[derive(Debug, Parser)]
#[command(name = "cnnlab", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print a model's architecture table (operations, data dimensions, weights).
    Summary(SummaryArgs),
    /// Train a model and report per-epoch curves, the confusion matrix and test accuracy.
    Train(TrainArgs),
    /// Evaluate saved weights on the test set.
    Eval(EvalArgs),
    /// Measure training and inference images/s on same-shaped synthetic batches.
    Bench(BenchArgs),
    /// Print a run's report (from `train --json`, or the browser app's report download).
    Report(ReportArgs),
}

/// `cnnlab report`: a saved run report, read back.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The report (JSON).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

/// `cnnlab bench`: throughput on random 3×32×32 images, no dataset needed.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Which model.
    #[arg(long, value_enum)]
    pub model: ModelArg,
    /// Backend.
    #[arg(long, value_enum, default_value = "flex")]
    pub backend: BackendArg,
    /// Timed training batches (after the warm-up).
    #[arg(long, default_value_t = 50)]
    pub batches: usize,
    /// Untimed batches first (kernel compilation, autotuning, caches).
    #[arg(long, default_value_t = 5)]
    pub warmup: usize,
    /// Images per batch.
    #[arg(long, default_value_t = 32)]
    pub batch_size: usize,
    /// Train each batch as this many slices on as many OS threads, each with its own copy
    /// of the model, gradients summed into one update: the design the browser app uses
    /// for several CPU threads (its Web Workers), measured natively. Run with
    /// RAYON_NUM_THREADS=1 to keep each thread's kernels single-threaded, as in the tab.
    #[arg(long, default_value_t = 1)]
    pub slices: usize,
    /// Whose convolutions on the CPU: this project's (`lab::conv`, the default) or burn
    /// Flex's own, the reference it is measured against.
    #[arg(long, value_enum, default_value = "lab")]
    pub conv: ConvArg,
    /// Write the result as JSON here.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
}

/// Whose convolutions the CPU backends run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ConvArg {
    /// This project's (`lab::conv`).
    Lab,
    /// burn's own `Conv2d` operations.
    Burn,
}

/// The tutorial's models, by the CLI's names.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ModelArg {
    /// The 4-layer CNN (1,250,858 weights).
    Four,
    /// The 6-layer CNN (2,395,434 weights).
    Six,
}

impl ModelArg {
    pub fn kind(self) -> ModelKind {
        match self {
            ModelArg::Four => ModelKind::Four,
            ModelArg::Six => ModelKind::Six,
        }
    }
}

/// Backends, by the CLI's names.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum BackendArg {
    /// burn-ndarray (CPU).
    Ndarray,
    /// burn's Flex CPU backend.
    Flex,
    /// burn-wgpu (Vulkan, Metal or DX12).
    Wgpu,
}

impl BackendArg {
    pub fn kind(self) -> BackendKind {
        match self {
            BackendArg::Ndarray => BackendKind::NdArray,
            BackendArg::Flex => BackendKind::Flex,
            BackendArg::Wgpu => BackendKind::Wgpu,
        }
    }
}

#[derive(Debug, Args)]
pub struct SummaryArgs {
    /// Which model.
    #[arg(long, value_enum)]
    pub model: ModelArg,
}

/// Where the images come from.
#[derive(Debug, Args)]
pub struct DataArgs {
    /// A directory of CIFAR-10 binary batch files, or the official cifar-10-binary.tar.gz.
    #[arg(long, value_name = "DIR|TAR.GZ", required_unless_present = "synthetic")]
    pub data: Option<PathBuf>,
    /// Use the generated shapes set instead of CIFAR-10 (offline demo; NOT CIFAR-10).
    #[arg(long, conflicts_with = "data")]
    pub synthetic: bool,
    /// Evaluate on only the first N test images (default: all).
    #[arg(long, value_name = "N")]
    pub test_limit: Option<usize>,
    /// Backend to run on.
    #[arg(long, value_enum, default_value = "flex")]
    pub backend: BackendArg,
}

#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Which model.
    #[arg(long, value_enum)]
    pub model: ModelArg,
    #[command(flatten)]
    pub data: DataArgs,
    /// Passes over the training set [default: the tutorial's 10].
    #[arg(long)]
    pub epochs: Option<usize>,
    /// Images per batch [default: 32, Keras's default].
    #[arg(long)]
    pub batch_size: Option<usize>,
    /// Learning rate [default: the model's, 0.01 (six) or 0.1 (four)].
    #[arg(long)]
    pub lr: Option<f64>,
    /// Momentum [default: the model's, 0.9 (six) or 0 (four)].
    #[arg(long)]
    pub momentum: Option<f64>,
    /// Keras time-based decay: lr / (1 + decay·t) at update t [default: 1e-6].
    #[arg(long)]
    pub decay: Option<f64>,
    /// Train on only the first N training images.
    #[arg(long, value_name = "N", conflicts_with = "per_class")]
    pub train_limit: Option<usize>,
    /// Train on only the first N images of each class.
    #[arg(long, value_name = "N")]
    pub per_class: Option<usize>,
    /// Seed for initial weights, dropout and shuffling.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Write the run (settings, per-epoch history, confusion matrix) as JSON here.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Save the trained weights (a burn record) here.
    #[arg(long, value_name = "FILE")]
    pub save: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Which model the weights belong to.
    #[arg(long, value_enum)]
    pub model: ModelArg,
    /// Weights saved by `cnnlab train --save`.
    #[arg(long, value_name = "FILE")]
    pub weights: PathBuf,
    #[command(flatten)]
    pub data: DataArgs,
}
