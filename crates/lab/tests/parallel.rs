//! The data-parallel step: a batch cut into slices, each slice's gradients computed by its
//! own copy of the model (as each Web Worker holds one), summed and applied, is the step
//! one thread takes, up to the order of floating-point sums.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test that panics is a test that fails, with its message"
)]

use std::sync::{Mutex, MutexGuard};

use burn::tensor::Device;
use cifar::synthetic;
use lab::model::Cnn;
use lab::parallel::{SliceGrads, load_flat_weights, slice_gradients, split};
use lab::spec::ModelKind;
use lab::{BackendKind, Session, block_on};

const STEPS: usize = 20;

/// burn seeds one random generator per backend, process-wide (the initial weights come
/// from it): tests that seed and then compare numbers take turns.
fn rng_lock() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|p| p.into_inner())
}

fn flex() -> Device {
    BackendKind::Flex.device().unwrap()
}

/// How a run's batches are computed.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// One thread: `Session::train_step`.
    One,
    /// The batch cut into this many slices.
    Threads(usize),
    /// Two slices, but the second draws its dropout masks as if it were the start of the
    /// batch (the mistake keyed masks exist to prevent).
    MisplacedMasks,
    /// One thread, from starting weights nudged by one unit in the last place: a
    /// rounding-sized difference and nothing else.
    OneUlp,
}

fn nudged(weights: &[f32]) -> Vec<f32> {
    weights
        .iter()
        .map(|&w| {
            if w == 0.0 {
                w
            } else {
                f32::from_bits(w.to_bits() + 1)
            }
        })
        .collect()
}

/// The 6-layer CNN (dropout, max-norm, Keras decay) for `STEPS` updates of 32 images.
/// Sliced batches are computed as the app computes them: slice 0 by the session's own
/// model, every other slice by a replica that loads the session's weights before each
/// step (what a helper worker does). Returns the weights after every step, flat.
fn train(mode: Mode) -> Vec<Vec<f32>> {
    let data = synthetic::dataset(80, 1, 9); // 800 images: 25 batches of 32
    let spec = ModelKind::Six.spec();
    let hyper = spec.hyper;
    let mut session = Session::new(spec.clone(), hyper, 5, &flex(), data.train).unwrap();
    let mut replica = Cnn::new(&spec, &session.device().clone()).unwrap();
    if mode == Mode::OneUlp {
        let start = block_on(session.flat_weights()).unwrap();
        session.load_flat(&nudged(&start)).unwrap();
    }
    let mut after = Vec::new();
    for _ in 0..STEPS {
        let threads = match mode {
            Mode::One | Mode::OneUlp => 1,
            Mode::Threads(n) => n,
            Mode::MisplacedMasks => 2,
        };
        let report = if threads == 1 {
            block_on(session.train_step()).unwrap()
        } else {
            let batch = session.next_batch();
            let weights = block_on(session.flat_weights()).unwrap();
            replica = load_flat_weights(replica, &weights).unwrap();
            let mut sum = SliceGrads::default();
            for (i, rows) in split(batch.len(), threads).into_iter().enumerate() {
                let (mut slice, pixels, labels) = batch.slice(rows);
                if mode == Mode::MisplacedMasks {
                    slice.first_row = 0;
                }
                let model = if i == 0 { session.model() } else { &replica };
                sum.add(&block_on(slice_gradients(model, slice, pixels, labels)).unwrap())
                    .unwrap();
            }
            block_on(session.apply_gradients(sum)).unwrap()
        };
        assert_eq!(report.images, 32);
        assert!(report.loss.is_finite());
        after.push(block_on(session.flat_weights()).unwrap());
    }
    assert_eq!(session.updates(), STEPS as u64);
    after
}

/// Largest difference between two vectors, relative to the first one's largest value.
fn max_relative_diff(a: &[f32], b: &[f32]) -> f64 {
    assert_eq!(a.len(), b.len());
    let scale = a.iter().fold(0f32, |m, v| m.max(v.abs())) as f64;
    let diff = a
        .iter()
        .zip(b)
        .fold(0f64, |m, (x, y)| m.max((x - y).abs() as f64));
    diff / scale
}

/// One step, exactly: every one of 20 seeded steps, the gradient of the whole batch equals
/// the sum of its 2 or 3 slices' gradients (computed on the model and on a replica) to
/// within float rounding.
///
/// Why 1e-5: each gradient value is a sum over the batch (and, for a convolution's kernel,
/// over every position: up to 32 × 32 × 32 = 32,768 products). Slicing changes only the
/// order of that sum (two or three partial sums added at the end, and the matrix products
/// blocked by the rows they are given). Reordering an f32 sum moves it by at most a few
/// ε = 1.2e-7 relative to the sum of the magnitudes; measured here: about 1e-7 of the
/// gradient's largest value. 1e-5 leaves a hundredfold margin and is still far below
/// any change of maths (a lost slice or another mask moves the gradient by tens of %).
#[test]
fn every_step_s_gradient_is_the_sum_of_its_slices() {
    let _g = rng_lock();
    let data = synthetic::dataset(80, 1, 9);
    let spec = ModelKind::Six.spec();
    let mut session = Session::new(spec.clone(), spec.hyper, 5, &flex(), data.train).unwrap();
    let mut replica = Cnn::new(&spec, &session.device().clone()).unwrap();
    let mut worst: f64 = 0.0;
    for _ in 0..STEPS {
        let batch = session.next_batch();
        let weights = block_on(session.flat_weights()).unwrap();
        replica = load_flat_weights(replica, &weights).unwrap();
        let (whole, pixels, labels) = batch.slice(0..batch.len());
        let one = block_on(slice_gradients(session.model(), whole, pixels, labels)).unwrap();
        for threads in [2, 3] {
            let mut sum = SliceGrads::default();
            for (i, rows) in split(batch.len(), threads).into_iter().enumerate() {
                let (slice, pixels, labels) = batch.slice(rows);
                let model = if i == 0 { session.model() } else { &replica };
                sum.add(&block_on(slice_gradients(model, slice, pixels, labels)).unwrap())
                    .unwrap();
            }
            assert_eq!(sum.images, 32);
            assert_eq!(sum.correct, one.correct);
            assert!((sum.loss_sum - one.loss_sum).abs() < 1e-4 * one.loss_sum);
            let diff = max_relative_diff(&one.grads, &sum.grads);
            worst = worst.max(diff);
            assert!(
                diff < 1e-5,
                "{threads} slices: gradient differs by {diff:.3e}"
            );
        }
        // The run itself goes on one thread.
        block_on(session.train_step()).unwrap();
    }
    eprintln!("largest relative gradient difference over {STEPS} steps: {worst:.3e}");
}

/// Twenty steps: the weights trained on 2 threads, and on 3 (an uneven split of a batch
/// of 32), equal the 1-thread weights within what float rounding alone does to this run.
///
/// After the first step they agree to ~1e-7 of the weights' scale (rounding). Later steps
/// amplify any difference, however small: a ReLU or a max-pool whose inputs are within
/// rounding of a tie goes one way on one thread and the other on two, and SGD with momentum
/// at the tutorial's rate carries the difference forward and grows it. So the yardstick
/// is the same run on one thread from starting weights nudged by one unit in the last place
/// (a rounding-sized change, no threads at all): the threads may differ from one thread by
/// no more than twice what that nudge does. Measured here on the 6-layer model: 2 threads
/// 1.3e-3, 3 threads 5.6e-3, one-ulp nudge 6.8e-3. A real change of maths (the second
/// slice's dropout masks misplaced) is checked to fall far outside, so the test can fail.
#[test]
fn two_and_three_threads_train_the_weights_one_thread_does() {
    let _g = rng_lock();
    let one = train(Mode::One);
    for threads in [2, 3] {
        let first = train(Mode::Threads(threads));
        let diff = max_relative_diff(&one[0], &first[0]);
        assert!(diff < 1e-6, "{threads} threads, first step: {diff:.3e}");
    }
    let ulp = max_relative_diff(&one[STEPS - 1], &train(Mode::OneUlp)[STEPS - 1]);
    eprintln!("one-ulp nudge vs 1 thread after {STEPS} steps: {ulp:.3e}");
    for threads in [2, 3] {
        let many = train(Mode::Threads(threads));
        let diff = max_relative_diff(&one[STEPS - 1], &many[STEPS - 1]);
        eprintln!("{threads} threads vs 1 after {STEPS} steps: {diff:.3e}");
        assert!(
            diff <= 2.0 * ulp,
            "{threads} threads: weights differ by {diff:.3e}, rounding alone by {ulp:.3e}"
        );
    }
    let other = train(Mode::MisplacedMasks);
    let diff = max_relative_diff(&one[STEPS - 1], &other[STEPS - 1]);
    eprintln!("misplaced dropout masks vs 1 thread: {diff:.3e}");
    assert!(
        diff > 5.0 * ulp,
        "misplaced masks differ by only {diff:.3e}"
    );
}

#[test]
fn a_slice_that_does_not_fit_its_batch_is_an_error() {
    let spec = ModelKind::Four.spec();
    let device = flex().autodiff();
    let model = Cnn::new(&spec, &device).unwrap();
    let data = synthetic::dataset(1, 1, 1);
    let session = Session::new(spec.clone(), spec.hyper, 1, &flex(), data.train).unwrap();
    let batch = session.next_batch();
    let (mut slice, pixels, labels) = batch.slice(0..4);
    slice.batch_len = 2;
    let err = block_on(slice_gradients(&model, slice, pixels, labels)).unwrap_err();
    assert!(err.to_string().contains("does not fit"), "{err}");
    let err = block_on(slice_gradients(&model, slice, &pixels[..10], labels)).unwrap_err();
    assert!(err.to_string().contains("pixel values"), "{err}");
    let err = load_flat_weights(model, &[0.0; 3]).unwrap_err();
    assert!(err.to_string().contains("3 weights"), "{err}");
}
