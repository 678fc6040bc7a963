//! Each convolution layer of a model, pass by pass, on burn Flex: the forward pass, the
//! input gradient and the weight gradient, by this project's convolutions (`lab::conv`)
//! and by burn's own (the reference), at batch 32, on random values.
//!
//! The layers are the model spec's own (the 6-layer one unless told). Prints one
//! markdown table: milliseconds per pass (median of 15 after 3 warm-up) and the
//! ratio. `RAYON_NUM_THREADS=1` measures one core, as in the browser tab.
//!
//!     cargo run --release -p cnnlab --example conv_layers [four|six]

use std::time::Instant;

use burn::backend::Dispatch;
use burn::backend::ops::{ConvOptions, ModuleOps};
use burn::backend::tensor::FloatTensor;
use burn::tensor::{Device, Distribution, Tensor};
use lab::ModelKind;
use lab::conv::FastConv;
use lab::spec::{Dims, LayerSpec};

const BATCH: usize = 32;

/// One convolution layer: `[BATCH, ci, h, w]` in, `co` filters of `k × k`, padding `pad`.
struct Shape {
    ci: usize,
    co: usize,
    h: usize,
    w: usize,
    k: usize,
    pad: usize,
}

/// Every convolution layer of `kind`, from its spec.
fn layers(kind: ModelKind) -> Vec<Shape> {
    let spec = kind.spec();
    let shapes = spec
        .shapes()
        .unwrap_or_else(|e| panic!("the built-in {} spec is invalid: {e}", kind.id()));
    let mut input = spec.input;
    let mut out = Vec::new();
    for (layer, output) in spec.layers.iter().zip(shapes) {
        if let (
            LayerSpec::Conv2d {
                filters, kernel, ..
            },
            Dims::Map { c, h, w },
            Dims::Map { h: ho, .. },
        ) = (layer, input, output)
        {
            // Stride 1: "same" keeps the size, "valid" loses k − 1.
            let pad = (kernel - 1 - (h - ho)) / 2;
            out.push(Shape {
                ci: c,
                co: *filters,
                h,
                w,
                k: *kernel,
                pad,
            });
        }
        input = output;
    }
    out
}

/// Median milliseconds of `f` over 15 runs, after 3 warm-up runs.
fn median_ms(mut f: impl FnMut()) -> f64 {
    for _ in 0..3 {
        f();
    }
    let mut times: Vec<f64> = (0..15)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

/// Reads one value back, so that the pass has surely run.
fn touch(t: FloatTensor<Dispatch>) {
    let t: Tensor<4> = Tensor::from_dispatch(t);
    let _ = t.slice([0..1, 0..1, 0..1, 0..1]).into_data();
}

fn main() {
    let kind = std::env::args()
        .nth(1)
        .and_then(|a| ModelKind::parse(&a))
        .unwrap_or(ModelKind::Six);
    let device = Device::flex();
    let random = |dims: [usize; 4]| {
        Tensor::<4>::random(dims, Distribution::Uniform(-1.0, 1.0), &device).into_dispatch()
    };
    println!("| layer | pass | lab::conv ms | burn ms | burn / lab |");
    println!("| --- | --- | ---: | ---: | ---: |");
    let (mut lab_total, mut burn_total) = (0.0, 0.0);
    for s in layers(kind) {
        let (ho, wo) = (s.h + 2 * s.pad + 1 - s.k, s.w + 2 * s.pad + 1 - s.k);
        let x = random([BATCH, s.ci, s.h, s.w]);
        let weight = random([s.co, s.ci, s.k, s.k]);
        let bias = Tensor::<1>::random([s.co], Distribution::Default, &device).into_dispatch();
        let dy = random([BATCH, s.co, ho, wo]);
        let options = ConvOptions::new([1, 1], [s.pad, s.pad], [1, 1], 1);
        let name = format!("conv {}→{} at {}×{}", s.ci, s.co, s.h, s.w);
        let passes: [(&str, f64, f64); 3] = [
            (
                "forward",
                median_ms(|| {
                    touch(Dispatch::fast_conv(
                        x.clone(),
                        weight.clone(),
                        bias.clone(),
                        s.pad,
                    ))
                }),
                median_ms(|| {
                    touch(Dispatch::conv2d(
                        x.clone(),
                        weight.clone(),
                        Some(bias.clone()),
                        options.clone(),
                    ))
                }),
            ),
            (
                "input gradient",
                median_ms(|| {
                    touch(Dispatch::fast_conv_x_backward(
                        x.clone(),
                        weight.clone(),
                        dy.clone(),
                        s.pad,
                    ))
                }),
                median_ms(|| {
                    touch(Dispatch::conv2d_x_backward(
                        x.clone(),
                        weight.clone(),
                        dy.clone(),
                        options.clone(),
                    ))
                }),
            ),
            (
                "weight gradient",
                median_ms(|| {
                    touch(Dispatch::fast_conv_weight_backward(
                        x.clone(),
                        weight.clone(),
                        dy.clone(),
                        s.pad,
                    ))
                }),
                median_ms(|| {
                    touch(Dispatch::conv2d_weight_backward(
                        x.clone(),
                        weight.clone(),
                        dy.clone(),
                        options.clone(),
                    ))
                }),
            ),
        ];
        for (pass, lab, burn) in passes {
            lab_total += lab;
            burn_total += burn;
            println!(
                "| {name} | {pass} | {lab:.2} | {burn:.2} | {:.2}x |",
                burn / lab
            );
        }
    }
    println!(
        "| all | (the first layer's input gradient included; training skips it) | {lab_total:.1} | {burn_total:.1} | {:.2}x |",
        burn_total / lab_total
    );
}
