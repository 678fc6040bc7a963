//! The crate's own convolution (`lab::conv`) against burn's, on random shapes and values:
//! the output and all three gradients (input, weight, bias) agree within what summing
//! the same products in another order can change.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test that panics is a test that fails, with its message"
)]

use burn::module::Param;
use burn::nn::PaddingConfig2d;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::tensor::{Device, Distribution, Tensor, TensorData};
use lab::BackendKind;
use proptest::prelude::*;

fn device() -> Device {
    BackendKind::Flex.device().unwrap().autodiff()
}

/// Output and gradients of `layer` on `x`, the loss being `Σ y·r`.
struct Run {
    y: Vec<f32>,
    dx: Vec<f32>,
    dw: Vec<f32>,
    db: Vec<f32>,
}

fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_to_vec::<f32>().unwrap()
}

fn run(layer: &Conv2d, x: &Tensor<4>, r: &Tensor<4>, fast: Option<usize>) -> Run {
    let x = x.clone().detach().require_grad();
    let layer = Conv2d {
        weight: Param::from_tensor(layer.weight.val().detach().require_grad()),
        bias: layer
            .bias
            .as_ref()
            .map(|b| Param::from_tensor(b.val().detach().require_grad())),
        ..layer.clone()
    };
    let y = match fast {
        Some(pad) => lab::conv::conv(&layer, x.clone(), pad),
        None => layer.forward(x.clone()),
    };
    let grads = (y.clone() * r.clone()).sum().backward();
    Run {
        y: values(y),
        dx: values(x.grad(&grads).unwrap()),
        dw: values(layer.weight.grad(&grads).unwrap()),
        db: values(layer.bias.as_ref().unwrap().grad(&grads).unwrap()),
    }
}

/// Largest difference relative to the largest magnitude (0 for two empty lists).
fn relative_gap(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    let scale = a.iter().chain(b).fold(1e-6f32, |m, v| m.max(v.abs()));
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
        / scale
}

fn layer(ci: usize, co: usize, k: usize, padding: PaddingConfig2d, device: &Device) -> Conv2d {
    Conv2dConfig::new([ci, co], [k, k])
        .with_padding(padding)
        .init(device)
}

/// The products are the same; only the order of the sums differs (im2col and one matrix
/// product against burn's tiles): a few float epsilons relative to the largest value, far
/// below what a wrong index or a missing term gives (order 1).
const TOLERANCE: f32 = 1e-5;

fn check(layer: &Conv2d, n: usize, h: usize, w: usize, device: &Device) {
    let ci = layer.weight.dims()[1];
    let x = Tensor::<4>::random([n, ci, h, w], Distribution::Uniform(-1.0, 1.0), device);
    let pad = lab::conv::usable(layer, device).expect("a convolution the crate takes");
    let shape = layer.forward(x.clone()).dims();
    let r = Tensor::<4>::random(shape, Distribution::Uniform(-1.0, 1.0), device);
    let reference = run(layer, &x, &r, None);
    let fast = run(layer, &x, &r, Some(pad));
    assert_eq!(fast.y.len(), reference.y.len(), "same output shape");
    for (what, a, b) in [
        ("output", &fast.y, &reference.y),
        ("input gradient", &fast.dx, &reference.dx),
        ("weight gradient", &fast.dw, &reference.dw),
        ("bias gradient", &fast.db, &reference.db),
    ] {
        let gap = relative_gap(a, b);
        assert!(
            gap < TOLERANCE,
            "{what}: relative gap {gap} for {:?}",
            layer.weight.dims()
        );
    }
}

#[test]
fn the_tutorial_s_convolutions_match_burn_s() {
    let device = device();
    // 6-layer: 3→32 same at 32×32, 32→32 same; 4-layer: 32→32 valid, 64→64 valid at 15×15.
    check(
        &layer(3, 32, 3, PaddingConfig2d::Same, &device),
        4,
        32,
        32,
        &device,
    );
    check(
        &layer(32, 32, 3, PaddingConfig2d::Same, &device),
        2,
        16,
        16,
        &device,
    );
    check(
        &layer(32, 32, 3, PaddingConfig2d::Valid, &device),
        2,
        32,
        32,
        &device,
    );
    check(
        &layer(64, 64, 3, PaddingConfig2d::Valid, &device),
        2,
        15,
        15,
        &device,
    );
}

#[test]
fn only_what_it_computes_right_is_taken() {
    let device = device();
    assert_eq!(
        lab::conv::usable(&layer(3, 4, 3, PaddingConfig2d::Same, &device), &device),
        Some(1)
    );
    assert_eq!(
        lab::conv::usable(&layer(3, 4, 3, PaddingConfig2d::Valid, &device), &device),
        Some(0)
    );
    assert_eq!(
        lab::conv::usable(&layer(3, 4, 5, PaddingConfig2d::Same, &device), &device),
        Some(2)
    );
    let strided = Conv2dConfig::new([3, 4], [3, 3])
        .with_stride([2, 2])
        .init(&device);
    assert_eq!(lab::conv::usable(&strided, &device), None);
    let no_bias = Conv2dConfig::new([3, 4], [3, 3])
        .with_bias(false)
        .init(&device);
    assert_eq!(lab::conv::usable(&no_bias, &device), None);
    let ndarray = BackendKind::NdArray.device().unwrap();
    assert_eq!(
        lab::conv::usable(&layer(3, 4, 3, PaddingConfig2d::Same, &ndarray), &ndarray),
        None
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn random_convolutions_match_burn_s(
        n in 1usize..4,
        ci in 1usize..6,
        co in 1usize..6,
        k in prop_oneof![Just(1usize), Just(3), Just(5)],
        pad_share in 0usize..3,
        h in 1usize..10,
        w in 1usize..10,
        seed in any::<u64>(),
    ) {
        let pad = pad_share.min((k - 1) / 2);
        prop_assume!(h + 2 * pad >= k && w + 2 * pad >= k);
        let device = device();
        device.seed(seed);
        let l = layer(ci, co, k, PaddingConfig2d::Explicit(pad, pad, pad, pad), &device);
        check(&l, n, h, w, &device);
    }
}

#[test]
fn the_weights_are_the_module_s_own() {
    // The crate's convolution reads the layer's parameters, not copies made earlier.
    let device = device();
    let mut l = layer(2, 3, 3, PaddingConfig2d::Same, &device);
    let x = Tensor::<4>::ones([1, 2, 4, 4], &device);
    let before = values(lab::conv::conv(&l, x.clone(), 1));
    l.weight = Param::from_tensor(Tensor::from_data(
        TensorData::new(vec![0.0f32; 54], [3, 2, 3, 3]),
        &device,
    ));
    let after = values(lab::conv::conv(&l, x, 1));
    assert_ne!(before, after);
}
