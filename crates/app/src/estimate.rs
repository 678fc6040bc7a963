//! How long a run will take: from the speed measured on this device for this model,
//! backend and number of CPU threads (kept in localStorage after each run), or a rough
//! guess until one is measured.

use std::collections::BTreeMap;

use lab::{BackendKind, ModelKind};

/// Milliseconds per batch of 32 measured here, by `model/backend[/threads]`.
pub type Speeds = BTreeMap<String, f64>;

/// The share of a perfect speed-up that each extra CPU thread is assumed to give until a
/// run on that many threads is measured (two threads trained the 6-layer model 1.56× as
/// fast as one on a two-core machine: BENCHMARKS.md, "Training on several CPU threads").
pub const THREAD_EFFICIENCY: f64 = 0.55;

/// The key under which a model/backend speed on `threads` CPU threads is kept
/// (`six/flex`, `six/flex/2`; WebGPU runs ignore threads).
pub fn key(model: ModelKind, backend: BackendKind, threads: usize) -> String {
    if backend == BackendKind::Wgpu || threads <= 1 {
        format!("{}/{}", model.id(), backend.id())
    } else {
        format!("{}/{}/{threads}", model.id(), backend.id())
    }
}

/// A guess of ms per batch of 32 before anything is measured: a laptop CPU in wasm, or a
/// modest GPU. Used only until a run measures this device; the page says so.
pub fn guess_ms_per_batch(model: ModelKind, backend: BackendKind) -> f64 {
    let six = model == ModelKind::Six;
    match backend {
        BackendKind::Wgpu => {
            if six {
                40.0
            } else {
                25.0
            }
        }
        BackendKind::Flex => {
            if six {
                900.0
            } else {
                450.0
            }
        }
        BackendKind::NdArray => {
            if six {
                2400.0
            } else {
                1200.0
            }
        }
    }
}

/// An estimate of a run's length.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// Seconds for the whole run (training and the per-epoch evaluations).
    pub seconds: f64,
    /// Whether it rests on a speed measured on this device (else on a guess).
    pub measured: bool,
}

/// The time a run of `epochs` over `train` images (batches of `batch`) with `val`
/// validation images takes at `ms_per_batch32` (ms per batch of 32).
pub fn run_seconds(
    ms_per_batch32: f64,
    train: usize,
    val: usize,
    batch: usize,
    epochs: usize,
) -> f64 {
    let per_image = ms_per_batch32 / 32.0;
    let batches = train.div_ceil(batch.max(1)) as f64;
    let train_ms = batches * batch as f64 * per_image;
    // Evaluation is a forward pass only: about a third of a training image's work.
    let eval_ms = val as f64 * per_image / 3.0;
    epochs as f64 * (train_ms + eval_ms) / 1000.0
}

/// The estimate for a run on `threads` CPU threads, using `speeds` when this
/// model/backend/threads has been measured; else the one-thread speed (measured or
/// guessed) divided by the expected speed-up.
#[allow(
    clippy::too_many_arguments,
    reason = "the run's shape, each a plain number"
)]
pub fn estimate(
    speeds: &Speeds,
    model: ModelKind,
    backend: BackendKind,
    threads: usize,
    train: usize,
    val: usize,
    batch: usize,
    epochs: usize,
) -> Estimate {
    let measured = speeds.get(&key(model, backend, threads)).copied();
    let ms = measured.unwrap_or_else(|| {
        let one = speeds
            .get(&key(model, backend, 1))
            .copied()
            .unwrap_or_else(|| guess_ms_per_batch(model, backend));
        if backend == BackendKind::Wgpu || threads <= 1 {
            one
        } else {
            one / (1.0 + (threads - 1) as f64 * THREAD_EFFICIENCY)
        }
    });
    Estimate {
        seconds: run_seconds(ms, train, val, batch, epochs),
        measured: measured.is_some(),
    }
}

/// Seconds as the page shows them: "45 s", "3 min 20 s", "1 h 05 min".
pub fn format_duration(seconds: f64) -> String {
    if !seconds.is_finite() || seconds < 0.0 {
        return "unknown".into();
    }
    let s = seconds.round() as u64;
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min {:02} s", s / 60, s % 60),
        _ => format!("{} h {:02} min", s / 3600, (s % 3600) / 60),
    }
}

const KEY: &str = "cnnlab.speeds.v1";

/// The speeds measured on this device so far.
pub fn load() -> Speeds {
    use gloo::storage::{LocalStorage, Storage};
    LocalStorage::get(KEY).unwrap_or_default()
}

/// Remember a measured speed (ms per batch, scaled to a batch of 32) on `threads`.
pub fn remember(
    speeds: &mut Speeds,
    model: ModelKind,
    backend: BackendKind,
    threads: usize,
    ms_per_batch32: f64,
) {
    use gloo::storage::{LocalStorage, Storage};
    if ms_per_batch32.is_finite() && ms_per_batch32 > 0.0 {
        speeds.insert(key(model, backend, threads), ms_per_batch32);
        let _ = LocalStorage::set(KEY, &*speeds);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_time_scales_with_images_and_epochs() {
        let one = run_seconds(320.0, 3200, 0, 32, 1);
        assert!((one - 32.0).abs() < 1e-9, "100 batches at 320 ms: {one}");
        assert!((run_seconds(320.0, 3200, 0, 32, 3) - 96.0).abs() < 1e-9);
        // 3,000 validation images cost about 1,000 training images.
        assert!((run_seconds(320.0, 0, 3000, 32, 1) - 10.0).abs() < 1e-9);
    }

    #[test]
    fn measured_speeds_win_over_guesses() {
        let mut speeds = Speeds::new();
        let guess = estimate(
            &speeds,
            ModelKind::Six,
            BackendKind::Flex,
            1,
            3200,
            0,
            32,
            1,
        );
        assert!(!guess.measured);
        speeds.insert(key(ModelKind::Six, BackendKind::Flex, 1), 100.0);
        let e = estimate(
            &speeds,
            ModelKind::Six,
            BackendKind::Flex,
            1,
            3200,
            0,
            32,
            1,
        );
        assert!(e.measured);
        assert!((e.seconds - 10.0).abs() < 1e-9);
    }

    #[test]
    fn threads_use_their_own_speed_once_measured_and_the_expected_speed_up_before() {
        let mut speeds = Speeds::new();
        speeds.insert(key(ModelKind::Six, BackendKind::Flex, 1), 100.0);
        assert_eq!(key(ModelKind::Six, BackendKind::Flex, 1), "six/flex");
        assert_eq!(key(ModelKind::Six, BackendKind::Wgpu, 4), "six/wgpu");
        let two = estimate(
            &speeds,
            ModelKind::Six,
            BackendKind::Flex,
            2,
            3200,
            0,
            32,
            1,
        );
        assert!(!two.measured);
        assert!((two.seconds - 10.0 / (1.0 + THREAD_EFFICIENCY)).abs() < 1e-9);
        speeds.insert(key(ModelKind::Six, BackendKind::Flex, 2), 55.0);
        let two = estimate(
            &speeds,
            ModelKind::Six,
            BackendKind::Flex,
            2,
            3200,
            0,
            32,
            1,
        );
        assert!(two.measured);
        assert!((two.seconds - 5.5).abs() < 1e-9);
        // WebGPU ignores threads.
        speeds.insert(key(ModelKind::Six, BackendKind::Wgpu, 1), 10.0);
        let gpu = estimate(
            &speeds,
            ModelKind::Six,
            BackendKind::Wgpu,
            8,
            3200,
            0,
            32,
            1,
        );
        assert!(gpu.measured && (gpu.seconds - 1.0).abs() < 1e-9);
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(format_duration(45.2), "45 s");
        assert_eq!(format_duration(200.0), "3 min 20 s");
        assert_eq!(format_duration(3900.0), "1 h 05 min");
        assert_eq!(format_duration(f64::NAN), "unknown");
    }
}
