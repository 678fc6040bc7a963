//! Keras SGD semantics against hand-computed values on tiny tensors.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test that panics is a test that fails, with its message"
)]

use burn::optim::Optimizer;
use burn::tensor::{Device, Tensor, TensorData};
use lab::optim::{KerasSgd, decayed_lr, max_norm};

fn dev() -> Device {
    lab::backend::host_device()
}

fn t1(v: &[f32]) -> Tensor<1> {
    Tensor::from_data(TensorData::new(v.to_vec(), [v.len()]), &dev())
}

fn vals<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_to_vec::<f32>().unwrap()
}

fn close(a: &[f32], b: &[f32]) {
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        assert!((x - y).abs() < 1e-6, "{a:?} != {b:?}");
    }
}

#[test]
fn plain_sgd_without_momentum_keeps_no_state() {
    let sgd = KerasSgd {
        momentum: 0.0,
        nesterov: true,
        max_norm: None,
    };
    let (w, state) = sgd.step(0.1, t1(&[1.0, 2.0]), t1(&[0.5, -1.0]), None);
    close(&vals(w), &[0.95, 2.1]);
    assert!(
        state.is_none(),
        "the Nesterov flag has no effect at momentum 0"
    );
}

#[test]
fn momentum_keeps_lr_inside_the_velocity() {
    let sgd = KerasSgd {
        momentum: 0.9,
        nesterov: false,
        max_norm: None,
    };
    // v1 = -0.1 g1 = (-0.05, 0.1); w1 = (0.95, 2.1)
    let (w, s) = sgd.step(0.1, t1(&[1.0, 2.0]), t1(&[0.5, -1.0]), None);
    close(&vals(w.clone()), &[0.95, 2.1]);
    // v2 = 0.9 v1 - 0.05 g2 = (-0.095, 0.04); w2 = (0.855, 2.14)
    let (w, s) = sgd.step(0.05, w, t1(&[1.0, 1.0]), s);
    close(&vals(w), &[0.855, 2.14]);
    close(&vals(s.unwrap().velocity), &[-0.095, 0.04]);
}

#[test]
fn nesterov_looks_ahead() {
    let sgd = KerasSgd {
        momentum: 0.9,
        nesterov: true,
        max_norm: None,
    };
    // v1 = (-0.05, 0.1); w1 = w0 + 0.9 v1 - 0.1 g1 = (1 - 0.045 - 0.05, 2 + 0.09 + 0.1)
    let (w, s) = sgd.step(0.1, t1(&[1.0, 2.0]), t1(&[0.5, -1.0]), None);
    close(&vals(w.clone()), &[0.905, 2.19]);
    // v2 = 0.9 v1 - 0.1 g2 = (-0.145, -0.01); w2 = w1 + 0.9 v2 - 0.1 g2
    let (w, _) = sgd.step(0.1, w, t1(&[1.0, 1.0]), s);
    close(&vals(w), &[0.905 - 0.1305 - 0.1, 2.19 - 0.009 - 0.1]);
}

#[test]
fn time_based_decay() {
    assert_eq!(decayed_lr(0.01, 1e-6, 0), 0.01);
    assert!((decayed_lr(0.01, 1e-6, 1_000_000) - 0.005).abs() < 1e-15);
    assert!((decayed_lr(0.1, 1e-6, 15_630) - 0.1 / 1.01563).abs() < 1e-12);
}

#[test]
fn max_norm_scales_only_long_columns() {
    // Columns: (3, 4) has norm 5 → (1.8, 2.4); (0, 1) has norm 1 → kept.
    let k = Tensor::<2>::from_data(TensorData::new(vec![3.0f32, 0.0, 4.0, 1.0], [2, 2]), &dev());
    let v = vals(max_norm(k, 3.0));
    close(&v, &[1.8, 0.0, 2.4, 1.0 / (1.0 + 1e-7)]);
}

#[test]
fn max_norm_applies_after_the_update() {
    let sgd = KerasSgd {
        momentum: 0.0,
        nesterov: false,
        max_norm: Some(3.0),
    };
    let w = Tensor::<2>::from_data(TensorData::new(vec![3.0f32, 0.0, 0.0, 1.0], [2, 2]), &dev());
    let g = Tensor::<2>::from_data(
        TensorData::new(vec![0.0f32, 0.0, -40.0, 0.0], [2, 2]),
        &dev(),
    );
    // After the step column 0 is (3, 4): norm 5, scaled to 3.
    let (w, _) = sgd.step(0.1, w, g, None);
    let v = vals(w);
    close(&v, &[1.8, 0.0, 2.4, 1.0 / (1.0 + 1e-7)]);
}
