//! How fast burn's Flex backend multiplies the matrices a model's layers reduce to.
//!
//! A k×k convolution, written as im2col, is one matrix product per batch:
//! `[batch·out_h·out_w, k·k·c_in] × [k·k·c_in, filters]`; a dense layer is
//! `[batch, inputs] × [inputs, units]`. This walks a model's spec (the 6-layer one unless told;
//! the shapes are the model's own), times Flex's matmul on each layer's product at batch 32, and a
//! square 1024³ for reference, so its GFLOP/s can be set beside TensorFlow's on the same
//! shapes (`bench/gemm` runs both). Prints one JSON line per product.
//!
//!     cargo run --release -p cnnlab --example gemm [four|six]

use std::time::Instant;

use burn::tensor::{Device, Distribution, Tensor};
use lab::ModelKind;
use lab::spec::{Dims, LayerSpec};

const BATCH: usize = 32;

/// `(name, m, k, n)` for every convolution and dense layer of `kind`, then a square.
fn products(kind: ModelKind) -> Vec<(String, usize, usize, usize)> {
    let spec = kind.spec();
    let mut out = Vec::new();
    let mut input = spec.input;
    let shapes = spec
        .shapes()
        .unwrap_or_else(|e| panic!("the built-in {} spec is invalid: {e}", kind.id()));
    for (layer, output) in spec.layers.iter().zip(shapes) {
        match (layer, input, output) {
            (
                LayerSpec::Conv2d {
                    filters, kernel, ..
                },
                Dims::Map { c, .. },
                Dims::Map { h, w, .. },
            ) => {
                let name = format!("conv {c}→{filters} at {h}×{w}");
                out.push((name, BATCH * h * w, kernel * kernel * c, *filters));
            }
            (LayerSpec::Dense { units, .. }, Dims::Flat(n), _) => {
                out.push((format!("dense {n}→{units}"), BATCH, n, *units));
            }
            _ => {}
        }
        input = output;
    }
    out.push(("square 1024".into(), 1024, 1024, 1024));
    out
}

fn main() {
    let kind = std::env::args()
        .nth(1)
        .and_then(|a| ModelKind::parse(&a))
        .unwrap_or(ModelKind::Six);
    let device = Device::flex();
    for (name, m, k, n) in products(kind) {
        let a = Tensor::<2>::random([m, k], Distribution::Default, &device);
        let b = Tensor::<2>::random([k, n], Distribution::Default, &device);
        // Reading one number back makes sure the product was computed.
        let run = || {
            let _ = a.clone().matmul(b.clone()).slice([0..1, 0..1]).into_data();
        };
        for _ in 0..3 {
            run();
        }
        let reps = 20;
        let t = Instant::now();
        for _ in 0..reps {
            run();
        }
        let s = t.elapsed().as_secs_f64() / reps as f64;
        let gflops = 2.0 * (m * k * n) as f64 / s / 1e9;
        let line = serde_json::json!({
            "shape": name, "m": m, "k": k, "n": n,
            "ms": (s * 1e6).round() / 1e3, "gflops": (gflops * 10.0).round() / 10.0,
        });
        println!("{line}");
    }
}
