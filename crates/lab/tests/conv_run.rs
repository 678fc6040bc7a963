//! Seeded training runs on Flex with this crate's convolutions (`lab::conv`) end where the
//! same runs on burn's own convolutions end, within what floating-point summation order
//! alone makes of them.
//!
//! Its own test binary: `lab::conv::use_reference` switches the whole process.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test that panics is a test that fails, with its message"
)]

use cifar::synthetic;
use lab::spec::ModelKind;
use lab::{BackendKind, Session, block_on};

/// Whose convolutions, on which backend, from which starting weights.
#[derive(Clone, Copy)]
struct Run {
    backend: BackendKind,
    /// burn's `Conv2d` (`true`) or `lab::conv` (`false`).
    reference: bool,
    /// Each starting weight scaled by 1 ± this (alternating signs): 0 for the seed's own.
    jitter: f32,
}

const LAB: Run = Run {
    backend: BackendKind::Flex,
    reference: false,
    jitter: 0.0,
};
const BURN_FLEX: Run = Run {
    backend: BackendKind::Flex,
    reference: true,
    jitter: 0.0,
};
const BURN_NDARRAY: Run = Run {
    backend: BackendKind::NdArray,
    reference: true,
    jitter: 0.0,
};
/// burn's run from starting weights moved by about one rounding of a float sum (1e-7
/// relative): what summation order alone does to this very run.
const BURN_JITTERED: Run = Run {
    backend: BackendKind::Flex,
    reference: true,
    jitter: 1e-7,
};

/// `steps` seeded updates of `kind` on batches of 32 synthetic images: each step's loss
/// and the weights after the last.
fn train(kind: ModelKind, run: Run, steps: usize) -> (Vec<f64>, Vec<f32>) {
    lab::conv::use_reference(run.reference);
    let data = synthetic::dataset(32, 1, 4);
    let hyper = kind.spec().hyper;
    assert_eq!(hyper.batch_size, 32, "the tutorial's batch");
    let device = run.backend.device().unwrap();
    let mut session = Session::new(kind.spec(), hyper, 11, &device, data.train).unwrap();
    if run.jitter != 0.0 {
        let start = block_on(session.checkpoint()).unwrap().weights;
        let moved: Vec<f32> = start
            .iter()
            .enumerate()
            .map(|(i, w)| w * (1.0 + if i % 2 == 0 { run.jitter } else { -run.jitter }))
            .collect();
        session.load_flat(&moved).unwrap();
    }
    let losses = (0..steps)
        .map(|_| block_on(session.train_step()).unwrap().loss)
        .collect();
    let weights = block_on(session.checkpoint()).unwrap().weights;
    lab::conv::use_reference(false);
    (losses, weights)
}

/// The largest difference between two weight vectors.
fn apart(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f32::max)
}

/// The largest relative difference between two loss curves.
fn losses_apart(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(a, b)| ((a - b) / a).abs())
        .fold(0.0, f64::max)
}

/// One update from the same weights: the new weights equal burn's to within a rounding
/// or two of the largest weight (against the nearer of burn's two CPU backends, which
/// themselves differ where a max-pool window holds a tie that rounding decides).
fn one_step(kind: ModelKind) {
    let (_, lab) = train(kind, LAB, 1);
    let (_, flex) = train(kind, BURN_FLEX, 1);
    let (_, ndarray) = train(kind, BURN_NDARRAY, 1);
    let scale = flex.iter().fold(0f32, |m, w| m.max(w.abs()));
    let worst = apart(&lab, &flex).min(apart(&lab, &ndarray));
    assert!(
        worst <= 1e-6 * scale,
        "{kind:?}, one update: a weight differs by {worst} (largest weight {scale})"
    );
    let (_, start) = train(kind, BURN_FLEX, 0);
    assert!(
        apart(&start, &flex) > 100.0 * worst,
        "{kind:?}: the update moved the weights"
    );
}

/// Ten updates: each small difference of summation order grows through momentum, ReLUs
/// and max-pool ties, so the tolerance is measured, not guessed: burn's own run started a
/// rounding away (`BURN_JITTERED`) drifts from burn's run by some amount; the run on this
/// crate's convolutions may drift by at most four times that, in the weights and in the
/// losses (it rounds differently at every step, the jittered run only at its start). A
/// wrong gradient drifts from the first step on, far beyond it.
fn ten_steps(kind: ModelKind) {
    let (burn_losses, burn) = train(kind, BURN_FLEX, 10);
    let (lab_losses, lab) = train(kind, LAB, 10);
    let (jit_losses, jittered) = train(kind, BURN_JITTERED, 10);
    let scale = burn.iter().fold(0f32, |m, w| m.max(w.abs()));
    let (drift, noise) = (
        apart(&burn, &lab),
        apart(&burn, &jittered).max(1e-6 * scale),
    );
    assert!(
        drift <= 4.0 * noise,
        "{kind:?}, ten updates: the weights drift {drift} from burn's, a rounding's worth drifts {noise}"
    );
    let (drift, noise) = (
        losses_apart(&burn_losses, &lab_losses),
        // Keras prints a loss to four digits: below 1e-4 relative no learner sees it.
        losses_apart(&burn_losses, &jit_losses).max(1e-4 / 4.0),
    );
    assert!(
        drift <= 4.0 * noise,
        "{kind:?}, ten updates: the losses drift {drift} (relative) from burn's, a rounding's worth drifts {noise}"
    );
}

#[test]
fn seeded_runs_on_this_crates_convolutions_match_burns() {
    // One test, so that the process-wide switch never changes under another test.
    for kind in [ModelKind::Six, ModelKind::Four] {
        one_step(kind);
        ten_steps(kind);
    }
}
