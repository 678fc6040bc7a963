//! Data-parallel training steps: one batch cut into slices, each slice's gradients computed
//! on its own thread (a Web Worker in the browser), summed, and applied as one update.
//!
//! The step stays the tutorial's step: the loss is the mean over the whole batch, so each
//! slice computes the gradient of `-(1/N) Σ_{its images} log p(label)`, and the slices' gradients
//! add up to the batch's. Dropout masks come from [`crate::dropout`], keyed by each image's
//! row in the batch, so a slice drops the units the whole batch would. What differs from one
//! thread is only the order in which floating-point sums are taken.
//!
//! This module is transport-free: [`slice_gradients`] runs where a slice is computed,
//! [`crate::Session::next_batch`] and [`crate::Session::apply_gradients`] where the run lives.
//! Parameters and gradients travel as one flat `f32` vector in the module's visiting order
//! ([`flat_weights`], [`load_flat_weights`]), which is the same for every copy of a model
//! built from the same spec.

use std::ops::Range;

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param};
use burn::optim::GradientsParams;
use burn::tensor::activation::log_softmax;
use burn::tensor::{Device, Tensor, TensorData, Transaction};
use serde::{Deserialize, Serialize};

use cifar::NUM_CLASSES;

use crate::dropout::MaskKey;
use crate::metrics::argmax_rows;
use crate::model::Cnn;
use crate::session::{Gather, SessionError, images_tensor, one_hot, to_f32};

/// Cut `n` images into `parts` contiguous slices whose sizes differ by at most one (the
/// first ones take the remainder). Never returns an empty slice: fewer images than parts
/// give fewer slices.
pub fn split(n: usize, parts: usize) -> Vec<Range<usize>> {
    let parts = parts.clamp(1, n.max(1));
    let (base, extra) = (n / parts, n % parts);
    let mut start = 0;
    (0..parts)
        .map(|i| {
            let len = base + usize::from(i < extra);
            let r = start..start + len;
            start += len;
            r
        })
        .filter(|r| !r.is_empty())
        .collect()
}

/// Where a slice sits in its step: enough for any copy of the model to compute its part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SliceSpec {
    /// The run's seed (for the dropout masks).
    pub seed: u64,
    /// The update number (for the dropout masks).
    pub update: u64,
    /// Row of this slice's first image in the batch.
    pub first_row: usize,
    /// Images in the whole batch (the loss is their mean).
    pub batch_len: usize,
}

/// One batch of a run, on the host, ready to be cut into slices.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    /// The run's seed.
    pub seed: u64,
    /// The update this batch is (Keras's `t`).
    pub update: u64,
    /// Pixels, `[N, 3, 32, 32]` in `[0, 1]`, flat.
    pub pixels: Vec<f32>,
    /// Labels, one per image.
    pub labels: Vec<u8>,
}

impl Batch {
    /// Images in the batch.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether the batch is empty (never, for a batch a session hands out).
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The slice of rows `rows`: its place in the step, its pixels and its labels.
    pub fn slice(&self, rows: Range<usize>) -> (SliceSpec, &[f32], &[u8]) {
        let per_image = 3 * cifar::SIDE * cifar::SIDE;
        (
            SliceSpec {
                seed: self.seed,
                update: self.update,
                first_row: rows.start,
                batch_len: self.len(),
            },
            &self.pixels[rows.start * per_image..rows.end * per_image],
            &self.labels[rows],
        )
    }
}

/// What a slice's backward pass gives.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SliceGrads {
    /// The gradient of the batch's mean loss with respect to every parameter, restricted
    /// to this slice's images, flat in the module's visiting order.
    pub grads: Vec<f32>,
    /// Sum of the slice's per-image losses (dropout on, before the update).
    pub loss_sum: f64,
    /// Images of the slice the model classified correctly (before the update).
    pub correct: usize,
    /// Images in the slice.
    pub images: usize,
}

impl SliceGrads {
    /// Add another slice of the same step into this one.
    pub fn add(&mut self, other: &SliceGrads) -> Result<(), SessionError> {
        if self.grads.is_empty() && self.images == 0 {
            self.grads = vec![0.0; other.grads.len()];
        }
        if self.grads.len() != other.grads.len() {
            return Err(SessionError::Invalid(format!(
                "a slice's gradients have {} values, the model has {}",
                other.grads.len(),
                self.grads.len()
            )));
        }
        for (a, b) in self.grads.iter_mut().zip(&other.grads) {
            *a += b;
        }
        self.loss_sum += other.loss_sum;
        self.correct += other.correct;
        self.images += other.images;
        Ok(())
    }
}

/// The gradients of one slice of a batch under `model` (which must be on an autodiff
/// device), its loss sum and its correct count. `pixels` and `labels` are the slice's.
pub async fn slice_gradients(
    model: &Cnn,
    slice: SliceSpec,
    pixels: &[f32],
    labels: &[u8],
) -> Result<SliceGrads, SessionError> {
    let n = labels.len();
    if n == 0 || pixels.len() != n * 3 * cifar::SIDE * cifar::SIDE {
        return Err(SessionError::Invalid(format!(
            "a slice of {n} labels came with {} pixel values",
            pixels.len()
        )));
    }
    if slice.first_row + n > slice.batch_len {
        return Err(SessionError::Invalid(format!(
            "a slice of rows {}..{} does not fit a batch of {}",
            slice.first_row,
            slice.first_row + n,
            slice.batch_len
        )));
    }
    let device = crate::session::first_device(model);
    let logits = model.forward_train(
        images_tensor(pixels, n, &device),
        MaskKey {
            seed: slice.seed,
            update: slice.update,
            first_row: slice.first_row,
        },
    );
    let loss_sum = (log_softmax(logits.clone(), 1) * one_hot(labels, &device))
        .sum()
        .neg();
    let loss = loss_sum.clone().div_scalar(slice.batch_len as f64);
    let mut grads = GradientsParams::from_grads(loss.backward(), model);
    let mut gather = GatherGrads {
        grads: &mut grads,
        transaction: Transaction::default()
            .register(loss_sum.inner())
            .register(logits.inner()),
        missing: false,
    };
    model.visit(&mut gather);
    if gather.missing {
        return Err(SessionError::Device(
            "a parameter got no gradient (is the model on an autodiff device?)".into(),
        ));
    }
    let read = gather
        .transaction
        .execute_async()
        .await
        .map_err(|e| SessionError::Device(format!("{e:?}")))?;
    let mut read = read.iter();
    let mut next = || {
        read.next()
            .ok_or_else(|| SessionError::Device("fewer values read back than asked".into()))
    };
    let loss_sum = f64::from(to_f32(next()?)?.first().copied().unwrap_or(f32::NAN));
    let logits = to_f32(next()?)?;
    let correct = argmax_rows(&logits, NUM_CLASSES)
        .iter()
        .zip(labels)
        .filter(|(p, l)| **p == usize::from(**l))
        .count();
    let mut flat = Vec::new();
    for data in read {
        flat.extend_from_slice(&to_f32(data)?);
    }
    Ok(SliceGrads {
        grads: flat,
        loss_sum,
        correct,
        images: n,
    })
}

/// Every parameter of `model`, flat in visiting order, read back asynchronously.
pub async fn flat_weights(model: &Cnn) -> Result<Vec<f32>, SessionError> {
    let mut gather = Gather::default();
    model.visit(&mut gather);
    let read = gather
        .transaction
        .execute_async()
        .await
        .map_err(|e| SessionError::Device(format!("{e:?}")))?;
    let mut flat = Vec::with_capacity(param_count(model));
    for data in &read {
        flat.extend_from_slice(&to_f32(data)?);
    }
    Ok(flat)
}

/// Values in all of `model`'s parameters.
pub fn param_count(model: &Cnn) -> usize {
    model.num_params()
}

/// `model` with its parameters replaced by `flat` (as [`flat_weights`] gives them), each on
/// its own device and keeping its id and whether it trains.
pub fn load_flat_weights(model: Cnn, flat: &[f32]) -> Result<Cnn, SessionError> {
    if flat.len() != param_count(&model) {
        return Err(SessionError::Weights(format!(
            "{} weights were sent for a model of {}",
            flat.len(),
            param_count(&model)
        )));
    }
    Ok(model.map(&mut ScatterFlat { flat, at: 0 }))
}

/// The summed gradients `flat` as burn's per-parameter gradients for `model`, on the inner
/// (non-autodiff) device as the optimizer expects them.
pub(crate) fn gradients_params(model: &Cnn, flat: &[f32]) -> Result<GradientsParams, SessionError> {
    if flat.len() != param_count(model) {
        return Err(SessionError::Invalid(format!(
            "{} gradient values for a model of {} parameters",
            flat.len(),
            param_count(model)
        )));
    }
    let mut build = BuildGrads {
        flat,
        at: 0,
        grads: GradientsParams::new(),
    };
    model.visit(&mut build);
    Ok(build.grads)
}

fn inner_device(device: Device) -> Device {
    if device.is_autodiff() {
        device.inner()
    } else {
        device
    }
}

struct GatherGrads<'a> {
    grads: &'a mut GradientsParams,
    transaction: Transaction,
    missing: bool,
}

impl ModuleVisitor for GatherGrads<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        match self.grads.remove::<D>(param.id) {
            Some(grad) => {
                let t = std::mem::take(&mut self.transaction);
                self.transaction = t.register(grad);
            }
            None => self.missing = true,
        }
    }
}

struct ScatterFlat<'a> {
    flat: &'a [f32],
    at: usize,
}

impl ModuleMapper for ScatterFlat<'_> {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let (flat, at) = (self.flat, &mut self.at);
        param.map(|t| {
            let shape = t.shape();
            let len = shape.num_elements();
            let values = flat[*at..*at + len].to_vec();
            *at += len;
            let require_grad = t.is_require_grad();
            Tensor::from_data(TensorData::new(values, shape), &t.device())
                .set_require_grad(require_grad)
        })
    }
}

struct BuildGrads<'a> {
    flat: &'a [f32],
    at: usize,
    grads: GradientsParams,
}

impl ModuleVisitor for BuildGrads<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let value = param.val();
        let shape = value.shape();
        let len = shape.num_elements();
        let values = self.flat[self.at..self.at + len].to_vec();
        self.at += len;
        let device = inner_device(value.device());
        self.grads.register::<D>(
            param.id,
            Tensor::from_data(TensorData::new(values, shape), &device),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn slices_are_contiguous_even_and_never_empty() {
        assert_eq!(split(32, 1), vec![0..32; 1]);
        assert_eq!(split(32, 2), [0..16, 16..32]);
        assert_eq!(split(32, 3), [0..11, 11..22, 22..32]);
        assert_eq!(split(5, 8), [0..1, 1..2, 2..3, 3..4, 4..5]);
        assert_eq!(split(7, 0).len(), 1);
        assert_eq!(split(7, 0)[0], 0..7);
        assert!(split(0, 3).is_empty());
    }
}
