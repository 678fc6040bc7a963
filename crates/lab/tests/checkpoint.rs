//! A run stopped between two batches and continued from its checkpoint (as bytes, in a new
//! session, as after a reload) trains exactly as the run that was never interrupted: the
//! same batch reports, the same weights, the same velocities, bit for bit.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test that panics is a test that fails, with its message"
)]

use std::sync::{Mutex, MutexGuard};

use cifar::{ImageSet, synthetic};
use lab::spec::ModelKind;
use lab::{BackendKind, Checkpoint, Session, SessionError, StepReport, block_on};

/// burn seeds one random generator per backend, process-wide: tests take turns.
fn rng_lock() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|p| p.into_inner())
}

fn session(kind: ModelKind, seed: u64, train: ImageSet) -> Session {
    let mut hyper = kind.spec().hyper;
    hyper.batch_size = 8;
    let device = BackendKind::Flex.device().unwrap();
    Session::new(kind.spec(), hyper, seed, &device, train).unwrap()
}

fn steps(s: &mut Session, n: usize) -> Vec<StepReport> {
    (0..n).map(|_| block_on(s.train_step()).unwrap()).collect()
}

/// 40 images in batches of 8: 5 per epoch. Train 12 updates straight through, and again
/// interrupted after `stop_at` updates, continued from the checkpoint's bytes in a new session.
fn compare(kind: ModelKind, stop_at: usize) {
    let _lock = rng_lock();
    let data = synthetic::dataset(4, 1, 3);
    let mut straight = session(kind, 5, data.train.clone());
    let expected = steps(&mut straight, 12);

    let mut first = session(kind, 5, data.train.clone());
    let mut got = steps(&mut first, stop_at);
    let bytes = block_on(first.checkpoint()).unwrap().to_bytes();
    drop(first);
    // A new session starts from other weights (another seed draws them) until restored.
    let mut resumed = session(kind, 5, data.train.clone());
    resumed
        .restore(&Checkpoint::from_bytes(&bytes).unwrap())
        .unwrap();
    assert_eq!(resumed.updates(), stop_at as u64);
    got.extend(steps(&mut resumed, 12 - stop_at));

    assert_eq!(got, expected, "{kind:?} stopped after {stop_at} updates");
    let (a, b) = (
        block_on(straight.checkpoint()).unwrap(),
        block_on(resumed.checkpoint()).unwrap(),
    );
    assert_eq!(a.weights, b.weights, "weights, bit for bit");
    assert_eq!(a.velocity, b.velocity, "velocities, bit for bit");
    assert_eq!(a.point, b.point);
    assert_eq!(
        block_on(straight.evaluate(&data.test, 16)).unwrap(),
        block_on(resumed.evaluate(&data.test, 16)).unwrap()
    );
}

#[test]
fn the_six_layer_cnn_resumed_mid_epoch_trains_as_if_never_interrupted() {
    // Momentum, max-norm, dropout and decay all carry state or depend on the update count.
    compare(ModelKind::Six, 7);
    assert!(ModelKind::Six.spec().hyper.momentum > 0.0);
}

#[test]
fn the_four_layer_cnn_resumed_at_an_epoch_boundary_trains_as_if_never_interrupted() {
    compare(ModelKind::Four, 5);
    // Momentum 0: no velocity is kept or saved.
    let _lock = rng_lock();
    let s = session(ModelKind::Four, 1, synthetic::dataset(1, 1, 1).train);
    assert_eq!(block_on(s.checkpoint()).unwrap().velocity, None);
}

#[test]
fn a_checkpoint_of_another_run_is_refused_and_changes_nothing() {
    let _lock = rng_lock();
    let data = synthetic::dataset(4, 1, 3);
    let mut run = session(ModelKind::Six, 5, data.train.clone());
    steps(&mut run, 3);
    let checkpoint = block_on(run.checkpoint()).unwrap();

    let mut other_seed = session(ModelKind::Six, 6, data.train.clone());
    let mut fewer_images = session(ModelKind::Six, 5, data.train.first(30));
    let mut other_model = session(ModelKind::Four, 5, data.train.clone());
    for (s, why) in [
        (&mut other_seed, "seed"),
        (&mut fewer_images, "40 training images"),
        (&mut other_model, "another model"),
    ] {
        let before = block_on(s.checkpoint()).unwrap();
        match s.restore(&checkpoint) {
            Err(SessionError::Weights(message)) => assert!(message.contains(why), "{message}"),
            other => panic!("{why}: {other:?}"),
        }
        assert_eq!(
            block_on(s.checkpoint()).unwrap(),
            before,
            "{why}: unchanged"
        );
    }
}
