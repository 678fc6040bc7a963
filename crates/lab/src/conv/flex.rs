//! The convolution's three passes on burn's Flex CPU backend, image by image: one column
//! matrix (`super::cols`) and one matrix product (`super::matmul`) per image and pass,
//! written straight into the output, with one scratch buffer per thread reused from call
//! to call (a fresh 1 MB buffer per image would cost a page fault per 4 kB). Natively, with
//! the `threads` feature, the images are spread over the cores (rayon); in the browser
//! each worker is one thread, and the images go one after the other.
//!
//! Shapes are NCHW, as burn's `Conv2d` has them; weights `[co, ci, k, k]`.

use std::cell::RefCell;

use burn::backend::flex::FlexTensor;
use burn::tensor::TensorData;

use super::cols::{ConvShape, col2im_add, im2col};
use super::matmul::{View, matmul};

thread_local! {
    /// One image's column matrix (or its gradient).
    static SCRATCH: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// Run `f` with this thread's scratch buffer, at least `len` long.
fn with_scratch<R>(len: usize, f: impl FnOnce(&mut [f32]) -> R) -> R {
    SCRATCH.with_borrow_mut(|s| {
        if s.len() < len {
            s.resize(len, 0.0);
        }
        f(&mut s[..len])
    })
}

/// A Flex tensor as contiguous `f32`s: the tensor itself when it is so already (no copy),
/// else a contiguous (converted) copy.
fn contiguous(t: &FlexTensor) -> FlexTensor {
    let t = t.to_contiguous();
    if t.as_slice::<f32>().is_some() {
        t
    } else {
        FlexTensor::from_data(t.into_data().convert::<f32>())
    }
}

/// The values of a tensor [`contiguous`] made.
fn values(t: &FlexTensor) -> &[f32] {
    t.as_slice::<f32>().unwrap_or(&[])
}

/// `f(i, chunk)` for every `size`-long chunk of `out` (the i-th image's part), on all cores
/// where there are threads.
fn each_image(out: &mut [f32], size: usize, f: impl Fn(usize, &mut [f32]) + Send + Sync) {
    #[cfg(all(feature = "threads", not(target_family = "wasm")))]
    {
        use rayon::prelude::*;
        out.par_chunks_exact_mut(size)
            .enumerate()
            .for_each(|(i, c)| f(i, c));
    }
    #[cfg(not(all(feature = "threads", not(target_family = "wasm"))))]
    {
        out.chunks_exact_mut(size)
            .enumerate()
            .for_each(|(i, c)| f(i, c));
    }
}

/// `Σᵢ f(i, acc)` over images `0..n`, each partial sum `len` long, on all cores where there
/// are threads (`f` adds image i's part into `acc`).
fn sum_images(n: usize, len: usize, f: impl Fn(usize, &mut [f32]) + Send + Sync) -> Vec<f32> {
    #[cfg(all(feature = "threads", not(target_family = "wasm")))]
    {
        use rayon::prelude::*;
        (0..n)
            .into_par_iter()
            .fold(
                || vec![0.0f32; len],
                |mut acc, i| {
                    f(i, &mut acc);
                    acc
                },
            )
            .reduce(
                || vec![0.0f32; len],
                |mut a, b| {
                    a.iter_mut().zip(&b).for_each(|(x, y)| *x += y);
                    a
                },
            )
    }
    #[cfg(not(all(feature = "threads", not(target_family = "wasm"))))]
    {
        let mut acc = vec![0.0f32; len];
        (0..n).for_each(|i| f(i, &mut acc));
        acc
    }
}

fn tensor(values: Vec<f32>, shape: [usize; 4]) -> FlexTensor {
    FlexTensor::from_data(TensorData::new(values, shape.to_vec()))
}

/// The shape of a convolution of `x` (`[n, ci, h, w]`) by `weight` (`[co, ci, k, k]`).
pub fn shape_of(x: &FlexTensor, weight: &FlexTensor, pad: usize) -> ConvShape {
    let (x, w) = (x.layout().shape(), weight.layout().shape());
    ConvShape {
        n: x[0],
        ci: x[1],
        h: x[2],
        w: x[3],
        co: w[0],
        k: w[2],
        pad,
    }
}

/// The weight `[co, ci·k·k]` as a matrix, or its transpose.
fn weight_view<'a>(s: &ConvShape, w: &'a [f32], transposed: bool) -> View<'a> {
    let v = View::row_major(w, s.co, s.col_rows());
    if transposed { v.t() } else { v }
}

/// The forward pass: `yₙ = W × cols(xₙ) + b`, `[n, co, ho, wo]`.
pub fn forward(x: FlexTensor, weight: FlexTensor, bias: FlexTensor, pad: usize) -> FlexTensor {
    let s = shape_of(&x, &weight, pad);
    let (x, weight, bias) = (contiguous(&x), contiguous(&weight), contiguous(&bias));
    let (xs, w, b) = (values(&x), values(&weight), values(&bias));
    let (pixels, per_col) = (s.col_cols(), s.col_rows() * s.col_cols());
    let mut y = vec![0.0f32; s.n * s.co * pixels];
    each_image(&mut y, s.co * pixels, |i, out| {
        with_scratch(per_col, |cols| {
            im2col(&s, &xs[i * s.image_len()..(i + 1) * s.image_len()], cols);
            for (row, &bias) in out.chunks_exact_mut(pixels).zip(b) {
                row.fill(bias);
            }
            let c = View::row_major(cols, s.col_rows(), pixels);
            matmul(out, pixels, weight_view(&s, w, false), c, true);
        })
    });
    tensor(y, [s.n, s.co, s.ho(), s.wo()])
}

/// The input gradient: `dxₙ = col2im(Wᵀ × dyₙ)`, `[n, ci, h, w]`.
pub fn backward_input(dy: FlexTensor, weight: FlexTensor, s: &ConvShape) -> FlexTensor {
    let (dy, weight) = (contiguous(&dy), contiguous(&weight));
    let (dys, w) = (values(&dy), values(&weight));
    let (pixels, per_col) = (s.col_cols(), s.col_rows() * s.col_cols());
    let mut dx = vec![0.0f32; s.n * s.image_len()];
    each_image(&mut dx, s.image_len(), |i, image| {
        with_scratch(per_col, |dcols| {
            let g = &dys[i * s.co * pixels..(i + 1) * s.co * pixels];
            let g = View::row_major(g, s.co, pixels);
            matmul(dcols, pixels, weight_view(s, w, true), g, false);
            col2im_add(s, dcols, image);
        })
    });
    tensor(dx, [s.n, s.ci, s.h, s.w])
}

/// The weight gradient, `dW = Σₙ dyₙ × cols(xₙ)ᵀ`, `[co, ci, k, k]`.
pub fn backward_weight(x: FlexTensor, dy: FlexTensor, s: &ConvShape) -> FlexTensor {
    let (x, dy) = (contiguous(&x), contiguous(&dy));
    let (xs, dys) = (values(&x), values(&dy));
    let (pixels, per_col) = (s.col_cols(), s.col_rows() * s.col_cols());
    let dw = sum_images(s.n, s.co * s.col_rows(), |i, acc| {
        with_scratch(per_col, |cols| {
            im2col(s, &xs[i * s.image_len()..(i + 1) * s.image_len()], cols);
            let g = &dys[i * s.co * pixels..(i + 1) * s.co * pixels];
            let g = View::row_major(g, s.co, pixels);
            // cols(xₙ)ᵀ: `[ho·wo, ci·k·k]`, read as the column matrix's transpose.
            let ct = View::row_major(cols, s.col_rows(), pixels).t();
            matmul(acc, s.col_rows(), g, ct, true);
        })
    });
    tensor(dw, [s.co, s.ci, s.k, s.k])
}

/// The bias gradient: `dy` summed over images and pixels, `[co]`.
pub fn backward_bias(dy: FlexTensor) -> FlexTensor {
    let shape = dy.layout().shape().to_vec();
    let dy = contiguous(&dy);
    let (co, pixels) = (shape[1], shape[2] * shape[3]);
    let mut db = vec![0.0f32; co];
    for image in values(&dy).chunks_exact(co * pixels) {
        for (d, plane) in db.iter_mut().zip(image.chunks_exact(pixels)) {
            *d += plane.iter().sum::<f32>();
        }
    }
    FlexTensor::from_data(TensorData::new(db, vec![co]))
}
