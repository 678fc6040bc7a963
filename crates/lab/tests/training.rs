//! The step-wise session on synthetic data: learning, determinism, weights, divergence,
//! and the same step on ndarray and wgpu.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test that panics is a test that fails, with its message"
)]

use std::sync::{Mutex, MutexGuard};

use burn::tensor::Device;
use cifar::synthetic;
use lab::spec::{Activation, Hyper, LayerSpec, ModelKind, ModelSpec, Padding};
use lab::{BackendKind, Session, SessionError, block_on};

/// burn seeds one random generator per backend, process-wide: tests that seed and then
/// compare numbers take turns.
fn rng_lock() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|p| p.into_inner())
}

fn ndarray() -> Device {
    BackendKind::NdArray.device().unwrap()
}

/// A small CNN in the tutorial's style (conv, pool, dropout, dense with max-norm), quick
/// enough to train for a few epochs in a test.
fn small_spec(dropout: bool) -> ModelSpec {
    use LayerSpec::*;
    let conv = |filters| Conv2d {
        filters,
        kernel: 3,
        padding: Padding::Same,
        activation: Activation::Relu,
    };
    let mut layers = vec![
        conv(8),
        MaxPool2d { size: 2 },
        conv(16),
        MaxPool2d { size: 2 },
        Dropout { rate: 0.2 },
        Flatten,
        Dense {
            units: 32,
            activation: Activation::Relu,
            max_norm: Some(3.0),
        },
        Dense {
            units: 10,
            activation: Activation::Softmax,
            max_norm: None,
        },
    ];
    if !dropout {
        layers.retain(|l| !matches!(l, Dropout { .. }));
    }
    ModelSpec {
        kind: ModelKind::Six,
        name: "test CNN".into(),
        input: lab::spec::Dims::Map { c: 3, h: 32, w: 32 },
        layers,
        hyper: Hyper {
            lr: 0.03,
            momentum: 0.9,
            nesterov: false,
            decay: 1e-6,
            batch_size: 16,
            epochs: 1,
        },
    }
}

#[test]
fn loss_falls_and_accuracy_beats_chance_on_synthetic_data() {
    let _g = rng_lock();
    let data = synthetic::dataset(40, 20, 1);
    let spec = small_spec(true);
    let hyper = spec.hyper;
    let mut s = Session::new(spec, hyper, 3, &ndarray(), data.train.clone()).unwrap();
    let before = block_on(s.evaluate(&data.test, 100)).unwrap();
    assert_eq!(before.images, 200);
    assert_eq!(before.confusion.total(), 200);
    let mut epoch_losses = Vec::new();
    for _ in 0..(6 * s.batches_per_epoch()) {
        let r = block_on(s.train_step()).unwrap();
        assert!(r.loss.is_finite());
        if r.epoch_done {
            epoch_losses.push(r.epoch_loss);
        }
    }
    assert_eq!(s.epochs_done(), 6);
    assert_eq!(s.updates(), 6 * 25);
    let after = block_on(s.evaluate(&data.test, 64)).unwrap();
    assert!(
        epoch_losses.last().unwrap() < &(epoch_losses[0] * 0.8),
        "training loss should fall: {epoch_losses:?}"
    );
    assert!(
        after.loss < before.loss,
        "{} -> {}",
        before.loss,
        after.loss
    );
    assert!(
        after.accuracy > 0.35,
        "accuracy {:.3} should clearly beat 10%",
        after.accuracy
    );
    assert!((after.accuracy - after.confusion.accuracy()).abs() < 1e-12);
}

#[test]
fn step_reports_track_epochs_batches_and_decay() {
    let _g = rng_lock();
    let data = synthetic::dataset(5, 1, 2); // 50 images: batches of 16, 16, 16, 2
    let spec = small_spec(true);
    let hyper = Hyper {
        decay: 0.5,
        ..spec.hyper
    };
    let mut s = Session::new(spec, hyper, 1, &ndarray(), data.train).unwrap();
    assert_eq!(s.batches_per_epoch(), 4);
    let reports: Vec<_> = (0..5).map(|_| block_on(s.train_step()).unwrap()).collect();
    let shape: Vec<_> = reports
        .iter()
        .map(|r| (r.epoch, r.batch, r.images, r.epoch_done))
        .collect();
    assert_eq!(
        shape,
        vec![
            (0, 0, 16, false),
            (0, 1, 16, false),
            (0, 2, 16, false),
            (0, 3, 2, true),
            (1, 0, 16, false)
        ]
    );
    let lrs: Vec<f64> = reports.iter().map(|r| r.lr).collect();
    for (t, lr) in lrs.iter().enumerate() {
        assert!((lr - 0.03 / (1.0 + 0.5 * t as f64)).abs() < 1e-12);
    }
    // The epoch figures are image-weighted means of the batch figures.
    let want: f64 = reports[..4]
        .iter()
        .map(|r| r.loss * r.images as f64)
        .sum::<f64>()
        / 50.0;
    assert!((reports[3].epoch_loss - want).abs() < 1e-9);
}

#[test]
fn same_seed_same_numbers_other_seed_other_numbers() {
    let _g = rng_lock();
    let data = synthetic::dataset(4, 1, 5);
    let run = |seed| {
        let spec = small_spec(true);
        let hyper = spec.hyper;
        let mut s = Session::new(spec, hyper, seed, &ndarray(), data.train.clone()).unwrap();
        (0..3)
            .map(|_| block_on(s.train_step()).unwrap().loss)
            .collect::<Vec<_>>()
    };
    let a = run(11);
    assert_eq!(a, run(11));
    assert_ne!(a, run(12));
}

#[test]
fn max_norm_holds_on_the_dense_kernel_after_updates() {
    let _g = rng_lock();
    let data = synthetic::dataset(2, 1, 5);
    let spec = small_spec(false);
    let hyper = Hyper {
        lr: 5.0,
        momentum: 0.0,
        ..spec.hyper
    }; // huge steps stretch the kernel
    let mut s = Session::new(spec.clone(), hyper, 1, &ndarray(), data.train).unwrap();
    let _ = block_on(s.train_step());
    let idx = lab::Cnn::layer_index(&spec, spec.max_norm_layer().unwrap().0);
    let kernel = s.model().dense(idx).unwrap().weight.val().inner();
    let norms = kernel
        .square()
        .sum_dim(0)
        .sqrt()
        .into_data()
        .try_to_vec::<f32>()
        .unwrap();
    assert!(norms.iter().all(|&n| n <= 3.0 + 1e-4), "{norms:?}");
}

#[test]
fn weights_round_trip_and_mismatches_are_clear_errors() {
    let _g = rng_lock();
    let data = synthetic::dataset(4, 3, 9);
    let spec = ModelKind::Four.spec();
    let mut a = Session::new(spec.clone(), spec.hyper, 1, &ndarray(), data.train.clone()).unwrap();
    block_on(a.train_step()).unwrap();
    let bytes = block_on(a.weights_bytes()).unwrap();
    let mut b = Session::new(spec.clone(), spec.hyper, 2, &ndarray(), data.train.clone()).unwrap();
    let eval_a = block_on(a.evaluate(&data.test, 8)).unwrap();
    assert_ne!(
        block_on(b.evaluate(&data.test, 8)).unwrap().loss,
        eval_a.loss
    );
    b.load_weights(bytes.clone()).unwrap();
    let eval_b = block_on(b.evaluate(&data.test, 8)).unwrap();
    assert!((eval_a.loss - eval_b.loss).abs() < 1e-6);
    assert_eq!(eval_a.confusion, eval_b.confusion);
    // Loaded weights keep training (the optimizer was rebuilt for the new parameters).
    block_on(b.train_step()).unwrap();

    let six = ModelKind::Six.spec();
    let mut c = Session::new(six.clone(), six.hyper, 1, &ndarray(), data.train.clone()).unwrap();
    let before = block_on(c.evaluate(&data.test, 8)).unwrap();
    let err = c.load_weights(bytes).unwrap_err();
    assert!(matches!(err, SessionError::Weights(_)));
    assert!(
        err.to_string().contains("do not fit the 6-layer CNN"),
        "{err}"
    );
    let err = c
        .load_weights(b"definitely not weights".to_vec())
        .unwrap_err();
    assert!(
        err.to_string().contains("not a cnnlab weights file"),
        "{err}"
    );
    assert_eq!(
        block_on(c.evaluate(&data.test, 8)).unwrap(),
        before,
        "a failed load changes nothing"
    );
}

#[test]
fn divergence_is_an_error_with_advice() {
    let _g = rng_lock();
    let data = synthetic::dataset(4, 1, 5);
    let spec = small_spec(false);
    let hyper = Hyper {
        lr: 1e6,
        momentum: 0.0,
        ..spec.hyper
    };
    let mut s = Session::new(spec, hyper, 1, &ndarray(), data.train).unwrap();
    let err = (0..20)
        .find_map(|_| block_on(s.train_step()).err())
        .expect("a learning rate of a million must diverge");
    assert!(matches!(err, SessionError::Diverged { .. }), "{err}");
    assert!(err.to_string().contains("learning rate"));
}

#[test]
fn bad_settings_and_empty_data_are_errors() {
    let spec = small_spec(false);
    let data = synthetic::dataset(1, 1, 5);
    let bad = |h: Hyper| Session::new(spec.clone(), h, 1, &ndarray(), data.train.clone()).err();
    assert!(
        bad(Hyper {
            batch_size: 0,
            ..spec.hyper
        })
        .is_some()
    );
    assert!(
        bad(Hyper {
            lr: -1.0,
            ..spec.hyper
        })
        .is_some()
    );
    assert!(
        bad(Hyper {
            momentum: 1.5,
            ..spec.hyper
        })
        .is_some()
    );
    let empty = Session::new(
        spec.clone(),
        spec.hyper,
        1,
        &ndarray(),
        cifar::ImageSet::default(),
    );
    assert!(matches!(empty.err(), Some(SessionError::NoData(_))));
}

#[test]
fn flex_backend_trains_too() {
    let _g = rng_lock();
    let data = synthetic::dataset(4, 2, 5);
    let spec = small_spec(true);
    let hyper = spec.hyper;
    let flex = BackendKind::Flex.device().unwrap();
    let mut s = Session::new(spec, hyper, 1, &flex, data.train).unwrap();
    let r = block_on(s.train_step()).unwrap();
    assert!(r.loss.is_finite() && r.loss > 0.0);
    assert_eq!(
        block_on(s.evaluate(&data.test, 7))
            .unwrap()
            .confusion
            .total(),
        20
    );
}

/// The same step on ndarray and on wgpu (Mesa's lavapipe here, any adapter elsewhere; skipped
/// without an adapter, except under CI):
/// same starting weights (loaded from bytes), no dropout (each backend has its own random
/// generator), so the loss and the updated model must agree to float rounding.
#[test]
fn ndarray_and_wgpu_agree_on_a_seeded_step() {
    let _g = rng_lock();
    let wgpu = match BackendKind::Wgpu.device() {
        Ok(d) => d,
        Err(e) => {
            // CI installs Mesa's lavapipe (.ci/run), so there this must run.
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must run this test, but there is no wgpu adapter ({e})"
            );
            eprintln!("SKIPPED: no wgpu adapter on this machine ({e})");
            return;
        }
    };
    let data = synthetic::dataset(4, 2, 5);
    let spec = small_spec(false);
    let hyper = spec.hyper;
    let mut cpu = Session::new(spec.clone(), hyper, 1, &ndarray(), data.train.clone()).unwrap();
    let mut gpu = Session::new(spec, hyper, 1, &wgpu, data.train.clone()).unwrap();
    gpu.load_weights(block_on(cpu.weights_bytes()).unwrap())
        .unwrap();
    for _ in 0..2 {
        let (a, b) = (
            block_on(cpu.train_step()).unwrap(),
            block_on(gpu.train_step()).unwrap(),
        );
        assert!(
            (a.loss - b.loss).abs() < 1e-4 * a.loss.max(1.0),
            "{} vs {}",
            a.loss,
            b.loss
        );
        assert_eq!(a.accuracy, b.accuracy);
    }
    let (a, b) = (
        block_on(cpu.evaluate(&data.test, 10)).unwrap(),
        block_on(gpu.evaluate(&data.test, 10)).unwrap(),
    );
    assert!((a.loss - b.loss).abs() < 1e-3, "{} vs {}", a.loss, b.loss);
}

#[test]
fn new_training_data_takes_effect_at_the_next_epoch() {
    let _g = rng_lock();
    let small = synthetic::dataset(2, 1, 5).train; // 20 images: 2 batches of 16 and 4
    let spec = small_spec(false);
    let hyper = spec.hyper;
    let mut s = Session::new(spec, hyper, 1, &ndarray(), small).unwrap();
    block_on(s.train_step()).unwrap();
    s.set_train_data(synthetic::dataset(1, 1, 6).train).unwrap(); // 10 images, mid-epoch
    assert_eq!(s.train_len(), 20, "the running epoch keeps its images");
    assert!(block_on(s.train_step()).unwrap().epoch_done);
    assert_eq!(s.train_len(), 10);
    assert_eq!(s.batches_per_epoch(), 1);
    assert!(block_on(s.train_step()).unwrap().epoch_done);
}

#[test]
fn a_run_moved_to_a_later_epoch_carries_on_its_decay_and_shuffle() {
    let _g = rng_lock();
    let data = synthetic::dataset(2, 1, 5).train; // 20 images: 2 batches per epoch
    let spec = small_spec(false);
    let mut hyper = spec.hyper;
    hyper.decay = 0.1;
    let mut s = Session::new(spec, hyper, 1, &ndarray(), data).unwrap();
    block_on(s.train_step()).unwrap();
    assert!(s.start_at_epoch(3).is_err(), "refused mid-epoch");
    block_on(s.train_step()).unwrap();
    s.start_at_epoch(3).unwrap();
    assert_eq!(s.epochs_done(), 3);
    assert_eq!(s.updates(), 6);
    let r = block_on(s.train_step()).unwrap();
    assert_eq!(r.epoch, 3);
    assert!(
        (r.lr - 0.03 / (1.0 + 0.1 * 6.0)).abs() < 1e-12,
        "lr {}",
        r.lr
    );
}
