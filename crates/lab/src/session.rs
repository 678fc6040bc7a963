//! A training run that a UI drives one batch at a time.
//!
//! [`Session::train_step`] trains one batch and returns its loss and accuracy;
//! [`Session::evaluate`] returns loss, accuracy and the confusion matrix. Between calls the
//! caller may do anything: yield to the browser, pause, stop, save. Every value read back
//! from the device goes through burn's async reads (`Transaction::execute_async`), and
//! nothing here sorts on the device or reads synchronously, so the same loop runs on WebGPU
//! in a browser tab, where a synchronous read panics.

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param, ParamId};
use burn::optim::GradientsParams;
use burn::store::ModuleRecord;
use burn::tensor::activation::log_softmax;
use burn::tensor::{Bytes, Device, Tensor, TensorData, Transaction};
use serde::{Deserialize, Serialize};

use cifar::{ImageSet, NUM_CLASSES, SIDE};

use crate::checkpoint::{Checkpoint, RunPoint};
use crate::dropout::MaskKey;
use crate::metrics::{ConfusionMatrix, accuracy, argmax_rows, keras_cross_entropy};
use crate::model::Cnn;
use crate::optim::{ModelSgd, decayed_lr};
use crate::parallel::{Batch, SliceGrads, flat_weights, gradients_params, slice_gradients, split};
use crate::spec::{Hyper, ModelSpec, SpecError};

/// A loss above this (or not finite) stops the run as diverged. Cross-entropy over 10
/// classes starts near ln 10 ≈ 2.3; 1e4 means the weights have blown up.
pub const DIVERGENCE_LOSS: f64 = 1e4;

/// Why a session call failed.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// The model description is inconsistent.
    #[error("model description: {0}")]
    Spec(#[from] SpecError),
    /// The loss became NaN, infinite or huge.
    #[error(
        "training diverged at update {step}: the loss is {loss}. The learning rate ({lr}) is probably too high for this model; try a lower one (e.g. a tenth)."
    )]
    Diverged {
        /// The update (0-based) whose loss blew up.
        step: u64,
        /// The loss seen.
        loss: f64,
        /// The learning rate in use.
        lr: f64,
    },
    /// Reading results back from the device failed (a lost GPU device, say).
    #[error("the device failed while reading results back: {0}")]
    Device(String),
    /// A weights file does not fit this model.
    #[error("{0}")]
    Weights(String),
    /// There is nothing to train on or evaluate.
    #[error("no images to {0}")]
    NoData(&'static str),
    /// The hyperparameters are out of range.
    #[error("invalid setting: {0}")]
    Invalid(String),
}

/// What one training batch did.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StepReport {
    /// 0-based epoch this batch belongs to.
    pub epoch: usize,
    /// 0-based batch within the epoch.
    pub batch: usize,
    /// Batches in an epoch.
    pub batches_per_epoch: usize,
    /// Images in this batch.
    pub images: usize,
    /// Mean cross-entropy of this batch (dropout active, before the update).
    pub loss: f64,
    /// Accuracy on this batch (before the update).
    pub accuracy: f64,
    /// Learning rate used for this update.
    pub lr: f64,
    /// Mean loss over the epoch so far (what Keras prints as `loss`).
    pub epoch_loss: f64,
    /// Accuracy over the epoch so far (what Keras prints as `accuracy`).
    pub epoch_accuracy: f64,
    /// Whether this batch finished its epoch.
    pub epoch_done: bool,
}

/// Loss, accuracy and confusion matrix of the model on a set of images.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// Mean cross-entropy.
    pub loss: f64,
    /// Fraction correct.
    pub accuracy: f64,
    /// Counts of (true, predicted) classes.
    pub confusion: ConfusionMatrix,
    /// Images evaluated.
    pub images: usize,
}

/// The sums of an evaluation done in chunks (the app evaluates a few hundred images per
/// step, between which it answers the page): the one place where validation loss,
/// accuracy and the confusion matrix are computed, for the CLI and the app alike.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EvalTally {
    loss_sum: f64,
    confusion: ConfusionMatrix,
    images: usize,
}

impl EvalTally {
    /// Add images' class probabilities (as [`predict`] gives them) and true labels.
    pub fn add(&mut self, probabilities: &[[f32; NUM_CLASSES]], labels: &[u8]) {
        let flat: Vec<f32> = probabilities.iter().flatten().copied().collect();
        self.confusion.add(&argmax_rows(&flat, NUM_CLASSES), labels);
        for (p, &label) in probabilities.iter().zip(labels) {
            self.loss_sum += keras_cross_entropy(p, label);
        }
        self.images += labels.len().min(probabilities.len());
    }

    /// Images added so far.
    pub fn images(&self) -> usize {
        self.images
    }

    /// Mean loss (Keras's clipped cross-entropy), accuracy and confusion matrix.
    pub fn finish(&self) -> Evaluation {
        Evaluation {
            loss: self.loss_sum / self.images.max(1) as f64,
            accuracy: self.confusion.accuracy(),
            confusion: self.confusion.clone(),
            images: self.images,
        }
    }
}

/// Running sums over the current epoch.
#[derive(Debug, Clone, Copy, Default)]
struct EpochSums {
    loss: f64,
    correct: f64,
    images: usize,
}

/// A model, its optimizer and its training data, trained one batch per call.
pub struct Session {
    spec: ModelSpec,
    hyper: Hyper,
    seed: u64,
    device: Device,
    model: Cnn,
    optim: ModelSgd,
    train: ImageSet,
    /// A new training set waiting for the current epoch to end.
    pending_train: Option<ImageSet>,
    order: Vec<usize>,
    epoch: usize,
    cursor: usize,
    updates: u64,
    sums: EpochSums,
}

impl Session {
    /// A fresh model for `spec` on `device` (autodiff is added if the device lacks it),
    /// seeded with `seed`, to be trained on `train` with `hyper`.
    ///
    /// The seed fixes the initial weights, the dropout masks and the shuffling, so the same
    /// seed on the same backend trains the same way.
    pub fn new(
        spec: ModelSpec,
        hyper: Hyper,
        seed: u64,
        device: &Device,
        train: ImageSet,
    ) -> Result<Session, SessionError> {
        check_hyper(&hyper)?;
        if train.is_empty() {
            return Err(SessionError::NoData("train on"));
        }
        let device = if device.is_autodiff() {
            device.clone()
        } else {
            device.clone().autodiff()
        };
        let model = Cnn::seeded(&spec, &device, seed)?;
        let optim = ModelSgd::new(&hyper, max_norm_param(&spec, &model));
        let order = cifar::order::epoch_order(train.len(), seed, 0);
        Ok(Session {
            spec,
            hyper,
            seed,
            device,
            model,
            optim,
            train,
            pending_train: None,
            order,
            epoch: 0,
            cursor: 0,
            updates: 0,
            sums: EpochSums::default(),
        })
    }

    /// The model description.
    pub fn spec(&self) -> &ModelSpec {
        &self.spec
    }

    /// The hyperparameters in use.
    pub fn hyper(&self) -> &Hyper {
        &self.hyper
    }

    /// The device the model trains on (with autodiff).
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// The model being trained.
    pub fn model(&self) -> &Cnn {
        &self.model
    }

    /// Training images.
    pub fn train_len(&self) -> usize {
        self.train.len()
    }

    /// Batches in one epoch (the last may be smaller, as in Keras).
    pub fn batches_per_epoch(&self) -> usize {
        self.train.len().div_ceil(self.hyper.batch_size)
    }

    /// Epochs finished so far.
    pub fn epochs_done(&self) -> usize {
        self.epoch
    }

    /// Updates (batches) done so far, across epochs: Keras's `t` in the decay.
    pub fn updates(&self) -> u64 {
        self.updates
    }

    /// The learning rate the next update will use.
    pub fn current_lr(&self) -> f64 {
        decayed_lr(self.hyper.lr, self.hyper.decay, self.updates)
    }

    /// Continue a run from the start of epoch `epoch` (e.g. on another device, with weights
    /// loaded by [`Session::load_weights`]): the shuffling and the learning-rate decay
    /// carry on as if the earlier epochs had run here. Only allowed between epochs.
    pub fn start_at_epoch(&mut self, epoch: usize) -> Result<(), SessionError> {
        if self.cursor != 0 {
            return Err(SessionError::Invalid(
                "a run can only be moved to another epoch between epochs".into(),
            ));
        }
        self.epoch = epoch;
        self.updates = (epoch * self.batches_per_epoch()) as u64;
        self.sums = EpochSums::default();
        self.order = cifar::order::epoch_order(self.train.len(), self.seed, epoch);
        Ok(())
    }

    /// Replace the training images (e.g. when more batches have arrived); the new set is
    /// used from the next epoch on.
    pub fn set_train_data(&mut self, train: ImageSet) -> Result<(), SessionError> {
        if train.is_empty() {
            return Err(SessionError::NoData("train on"));
        }
        if self.cursor == 0 {
            self.train = train;
            self.order = cifar::order::epoch_order(self.train.len(), self.seed, self.epoch);
        } else {
            // The running epoch's order indexes the old set: swap at the epoch boundary.
            self.pending_train = Some(train);
        }
        Ok(())
    }

    /// Train on the next batch of the current epoch, then advance; after the last batch of
    /// an epoch the next call starts a new, reshuffled epoch.
    pub async fn train_step(&mut self) -> Result<StepReport, SessionError> {
        let batch = self.next_batch();
        let n = batch.len();
        let images = images_tensor(&batch.pixels, n, &self.device);
        let targets = one_hot(&batch.labels, &self.device);

        let logits = self.model.forward_train(
            images,
            MaskKey {
                seed: self.seed,
                update: batch.update,
                first_row: 0,
            },
        );
        let loss = (log_softmax(logits.clone(), 1) * targets)
            .sum_dim(1)
            .mean()
            .neg();
        let grads = GradientsParams::from_grads(loss.backward(), &self.model);
        let lr = self.current_lr();
        // The optimizer consumes the module; an empty one stands in for the moment.
        let model = std::mem::replace(&mut self.model, Cnn { layers: Vec::new() });
        self.model = self.optim.step(lr, model, grads);

        let read = Transaction::default()
            .register(loss.inner())
            .register(logits.inner())
            .execute_async()
            .await
            .map_err(|e| SessionError::Device(format!("{e:?}")))?;
        let loss = first_f32(&read[0])? as f64;
        let logits = to_f32(&read[1])?;
        let acc = accuracy(&argmax_rows(&logits, NUM_CLASSES), &batch.labels);
        self.advance(n, loss, acc, lr)
    }

    /// The batch the next update trains on, as host data to cut into slices (see
    /// [`crate::parallel`]). Nothing advances until [`Session::apply_gradients`].
    pub fn next_batch(&self) -> Batch {
        let end = (self.cursor + self.hyper.batch_size).min(self.order.len());
        let indices = &self.order[self.cursor..end];
        let (mut pixels, mut labels) = (Vec::new(), Vec::new());
        self.train.batch_f32(indices, &mut pixels, &mut labels);
        Batch {
            seed: self.seed,
            update: self.updates,
            pixels,
            labels,
        }
    }

    /// Apply the summed gradients of every slice of [`Session::next_batch`]'s batch as one
    /// update (Keras's SGD, decay and max-norm, as [`Session::train_step`] does), then
    /// advance. `sum.images` must be the whole batch.
    pub async fn apply_gradients(&mut self, sum: SliceGrads) -> Result<StepReport, SessionError> {
        let expected = (self.cursor + self.hyper.batch_size).min(self.order.len()) - self.cursor;
        if sum.images != expected {
            return Err(SessionError::Invalid(format!(
                "gradients of {} images for a batch of {expected}",
                sum.images
            )));
        }
        let grads = gradients_params(&self.model, &sum.grads)?;
        let lr = self.current_lr();
        let model = std::mem::replace(&mut self.model, Cnn { layers: Vec::new() });
        self.model = self.optim.step(lr, model, grads);
        let n = sum.images as f64;
        self.advance(sum.images, sum.loss_sum / n, sum.correct as f64 / n, lr)
    }

    /// Train the next batch cut into `parts` slices, computed one after the other here and
    /// summed: what `parts` threads compute together, on one. For tests and benchmarks of
    /// the data-parallel step.
    pub async fn train_step_sliced(&mut self, parts: usize) -> Result<StepReport, SessionError> {
        let batch = self.next_batch();
        let mut sum = SliceGrads::default();
        for rows in split(batch.len(), parts) {
            let (spec, pixels, labels) = batch.slice(rows);
            sum.add(&slice_gradients(&self.model, spec, pixels, labels).await?)?;
        }
        self.apply_gradients(sum).await
    }

    /// Every parameter, flat (see [`crate::parallel::flat_weights`]): what the other
    /// threads of a data-parallel run load before each step.
    pub async fn flat_weights(&self) -> Result<Vec<f32>, SessionError> {
        flat_weights(&self.model).await
    }

    /// Replace the model's weights with `flat` (as [`Session::flat_weights`] gives them),
    /// keeping the optimizer's state.
    pub fn load_flat(&mut self, flat: &[f32]) -> Result<(), SessionError> {
        let model = std::mem::replace(&mut self.model, Cnn { layers: Vec::new() });
        match crate::parallel::load_flat_weights(model.clone(), flat) {
            Ok(loaded) => {
                self.model = loaded;
                Ok(())
            }
            Err(e) => {
                self.model = model;
                Err(e)
            }
        }
    }

    /// Images of the current epoch trained so far (0 between epochs).
    pub fn epoch_images(&self) -> usize {
        self.cursor
    }

    /// The current epoch's running training loss and accuracy, `None` before its first
    /// batch.
    pub fn epoch_figures(&self) -> Option<(f64, f64)> {
        (self.sums.images > 0).then(|| {
            let n = self.sums.images as f64;
            (self.sums.loss / n, self.sums.correct / n)
        })
    }

    /// Where the run stands.
    pub fn point(&self) -> RunPoint {
        RunPoint {
            model: self.spec.name.to_string(),
            hyper: self.hyper,
            seed: self.seed,
            train_len: self.train.len(),
            epoch: self.epoch,
            cursor: self.cursor,
            updates: self.updates,
            loss_sum: self.sums.loss,
            correct: self.sums.correct,
            images: self.sums.images,
        }
    }

    /// Everything needed to continue this run exactly (see [`crate::checkpoint`]), read back
    /// asynchronously (so this works on WebGPU). A training set waiting for the epoch's end
    /// is not part of it: the caller hands it over again after [`Session::restore`].
    pub async fn checkpoint(&self) -> Result<Checkpoint, SessionError> {
        Ok(Checkpoint {
            point: self.point(),
            weights: flat_weights(&self.model).await?,
            velocity: self.optim.velocity_flat(&self.model).await?,
        })
    }

    /// Continue from `checkpoint`: its weights, velocities and position. It must come from a
    /// run of this model, settings, seed and number of training images; otherwise this is
    /// an error and the session is unchanged.
    pub fn restore(&mut self, checkpoint: &Checkpoint) -> Result<(), SessionError> {
        let p = &checkpoint.point;
        let mismatch = |what: &str| {
            Err(SessionError::Weights(format!(
                "this checkpoint belongs to a run with {what}"
            )))
        };
        if p.model != self.spec.name {
            return mismatch(&format!("another model ({})", p.model));
        }
        if !same_hyper(&p.hyper, &self.hyper) || p.seed != self.seed {
            return mismatch("other settings or another seed");
        }
        if p.train_len != self.train.len() {
            return mismatch(&format!(
                "{} training images, not {}",
                p.train_len,
                self.train.len()
            ));
        }
        if p.cursor >= p.train_len || p.images != p.cursor {
            return Err(SessionError::Weights(
                "the checkpoint's position is not inside an epoch".into(),
            ));
        }
        let model = crate::parallel::load_flat_weights(self.model.clone(), &checkpoint.weights)?;
        let mut optim = ModelSgd::new(&self.hyper, max_norm_param(&self.spec, &model));
        match &checkpoint.velocity {
            Some(v) if optim.has_velocity() => optim.load_velocity(&model, v)?,
            None if !optim.has_velocity() => {}
            _ => return mismatch("another momentum"),
        }
        self.model = model;
        self.optim = optim;
        self.epoch = p.epoch;
        self.cursor = p.cursor;
        self.updates = p.updates;
        self.sums = EpochSums {
            loss: p.loss_sum,
            correct: p.correct,
            images: p.images,
        };
        self.pending_train = None;
        self.order = cifar::order::epoch_order(self.train.len(), self.seed, self.epoch);
        Ok(())
    }

    /// Book a trained batch of `n` images (its loss and accuracy before the update, at
    /// rate `lr`) and move to the next one.
    fn advance(
        &mut self,
        n: usize,
        loss: f64,
        acc: f64,
        lr: f64,
    ) -> Result<StepReport, SessionError> {
        if !loss.is_finite() || loss > DIVERGENCE_LOSS {
            return Err(SessionError::Diverged {
                step: self.updates,
                loss,
                lr,
            });
        }
        let batch_size = self.hyper.batch_size;
        let end = self.cursor + n;
        self.sums.loss += loss * n as f64;
        self.sums.correct += acc * n as f64;
        self.sums.images += n;
        let report = StepReport {
            epoch: self.epoch,
            batch: self.cursor / batch_size,
            batches_per_epoch: self.batches_per_epoch(),
            images: n,
            loss,
            accuracy: acc,
            lr,
            epoch_loss: self.sums.loss / self.sums.images as f64,
            epoch_accuracy: self.sums.correct / self.sums.images as f64,
            epoch_done: end == self.order.len(),
        };
        self.updates += 1;
        self.cursor = end;
        if report.epoch_done {
            self.epoch += 1;
            self.cursor = 0;
            self.sums = EpochSums::default();
            if let Some(train) = self.pending_train.take() {
                self.train = train;
            }
            self.order = cifar::order::epoch_order(self.train.len(), self.seed, self.epoch);
        }
        Ok(report)
    }

    /// Evaluate the model (dropout off) on `set`, `batch` images at a time.
    pub async fn evaluate(&self, set: &ImageSet, batch: usize) -> Result<Evaluation, SessionError> {
        evaluate(&self.model.valid(), set, batch).await
    }

    /// Class probabilities for each image of `set` at `indices` (dropout off).
    pub async fn predict(
        &self,
        set: &ImageSet,
        indices: &[usize],
    ) -> Result<Vec<[f32; NUM_CLASSES]>, SessionError> {
        predict(&self.model.valid(), set, indices).await
    }

    /// The trained weights as burn record bytes (burnpack). Reads the parameters back
    /// asynchronously and writes the record from a host copy, so this works on WebGPU.
    pub async fn weights_bytes(&self) -> Result<Vec<u8>, SessionError> {
        weights_bytes(&self.model.valid()).await
    }

    /// Load weights saved by [`Session::weights_bytes`] (or `cnnlab train --save`) into this
    /// session's model. The optimizer starts afresh (its velocity is not saved). A file for
    /// another model, or not a weights file, is an error and leaves the session unchanged.
    pub fn load_weights(&mut self, bytes: Vec<u8>) -> Result<(), SessionError> {
        let model = load_weights(&self.spec, bytes, &self.device)?;
        self.optim = ModelSgd::new(&self.hyper, max_norm_param(&self.spec, &model));
        self.model = model;
        Ok(())
    }
}

/// A model of `spec` on `device` with weights from record bytes.
pub fn load_weights(
    spec: &ModelSpec,
    bytes: Vec<u8>,
    device: &Device,
) -> Result<Cnn, SessionError> {
    let record = ModuleRecord::from_bytes(Bytes::from_bytes_vec(bytes)).map_err(|e| {
        SessionError::Weights(format!("not a cnnlab weights file (burnpack record): {e}"))
    })?;
    Cnn::new(spec, device)?
        .try_load_record(record)
        .map_err(|e| {
            SessionError::Weights(format!("these weights do not fit the {}: {e}", spec.name))
        })
}

/// Evaluate `model` (already in validation mode) on `set`, `batch` images at a time.
pub async fn evaluate(
    model: &Cnn,
    set: &ImageSet,
    batch: usize,
) -> Result<Evaluation, SessionError> {
    if set.is_empty() {
        return Err(SessionError::NoData("evaluate"));
    }
    let mut tally = EvalTally::default();
    let all: Vec<usize> = (0..set.len()).collect();
    for chunk in all.chunks(batch.max(1)) {
        let probabilities = predict(model, set, chunk).await?;
        let labels: Vec<u8> = chunk.iter().map(|&i| set.label(i)).collect();
        tally.add(&probabilities, &labels);
    }
    Ok(tally.finish())
}

/// Class probabilities from `model` (in validation mode) for the images at `indices`.
pub async fn predict(
    model: &Cnn,
    set: &ImageSet,
    indices: &[usize],
) -> Result<Vec<[f32; NUM_CLASSES]>, SessionError> {
    if indices.is_empty() {
        return Ok(Vec::new());
    }
    let (mut pixels, mut labels) = (Vec::new(), Vec::new());
    set.batch_f32(indices, &mut pixels, &mut labels);
    let device = first_device(model);
    let logits = read_f32(model.forward(images_tensor(&pixels, indices.len(), &device))).await?;
    Ok(logits
        .chunks_exact(NUM_CLASSES)
        .map(|row| {
            let p = crate::metrics::softmax(row);
            std::array::from_fn(|i| p[i])
        })
        .collect())
}

/// The weights of `model` as burnpack record bytes, read back asynchronously.
pub async fn weights_bytes(model: &Cnn) -> Result<Vec<u8>, SessionError> {
    // Gather every parameter, read them all in one async transaction, then rebuild the
    // module on a CPU device where writing the record may read synchronously.
    let mut gather = Gather::default();
    model.visit(&mut gather);
    let data = gather
        .transaction
        .execute_async()
        .await
        .map_err(|e| SessionError::Device(format!("{e:?}")))?;
    let host = model.clone().map(&mut Scatter {
        data: data.into_iter(),
        device: crate::backend::host_device(),
    });
    let bytes = host
        .into_record()
        .into_bytes()
        .map_err(|e| SessionError::Weights(format!("could not write the weights: {e}")))?;
    Ok(bytes.to_vec())
}

/// Registers every parameter of a module, in visiting order, for one async read.
#[derive(Default)]
pub(crate) struct Gather {
    pub(crate) transaction: Transaction,
}

impl ModuleVisitor for Gather {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let t = std::mem::take(&mut self.transaction);
        self.transaction = t.register(param.val().inner());
    }
}

struct Scatter<I> {
    data: I,
    device: Device,
}

impl<I: Iterator<Item = TensorData>> ModuleMapper for Scatter<I> {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let id: ParamId = param.id;
        match self.data.next() {
            Some(data) => Param::initialized(id, Tensor::from_data(data, &self.device)),
            // The visitor and the mapper walk the same module in the same order.
            None => param,
        }
    }
}

/// Whether `a` and `b` are the same settings (rates compared to the last few bits: a JSON
/// header need not read back to the same bits; the session computes with its own).
fn same_hyper(a: &Hyper, b: &Hyper) -> bool {
    let close = |x: f64, y: f64| (x - y).abs() <= 1e-12 * x.abs().max(y.abs());
    a.batch_size == b.batch_size
        && a.epochs == b.epochs
        && a.nesterov == b.nesterov
        && close(a.lr, b.lr)
        && close(a.momentum, b.momentum)
        && close(a.decay, b.decay)
}

fn check_hyper(h: &Hyper) -> Result<(), SessionError> {
    let bad = |what: &str| Err(SessionError::Invalid(what.to_string()));
    if h.batch_size == 0 {
        return bad("batch size must be at least 1");
    }
    if !(h.lr.is_finite() && h.lr > 0.0) {
        return bad("learning rate must be a positive number");
    }
    if !(h.momentum.is_finite() && (0.0..1.0).contains(&h.momentum)) {
        return bad("momentum must be in [0, 1)");
    }
    if !(h.decay.is_finite() && h.decay >= 0.0) {
        return bad("decay must be zero or positive");
    }
    Ok(())
}

/// The id and norm of the max-norm-constrained kernel, if the model has one.
fn max_norm_param(spec: &ModelSpec, model: &Cnn) -> Option<(ParamId, f64)> {
    let (layer, max) = spec.max_norm_layer()?;
    let dense = model.dense(Cnn::layer_index(spec, layer))?;
    Some((dense.weight.id, max))
}

pub(crate) fn first_device(model: &Cnn) -> Device {
    model
        .devices()
        .into_iter()
        .next()
        .unwrap_or_else(crate::backend::host_device)
}

pub(crate) fn images_tensor(pixels: &[f32], n: usize, device: &Device) -> Tensor<4> {
    Tensor::from_data(TensorData::new(pixels.to_vec(), [n, 3, SIDE, SIDE]), device)
}

pub(crate) fn one_hot(labels: &[u8], device: &Device) -> Tensor<2> {
    let mut v = vec![0f32; labels.len() * NUM_CLASSES];
    for (i, &l) in labels.iter().enumerate() {
        v[i * NUM_CLASSES + usize::from(l)] = 1.0;
    }
    Tensor::from_data(TensorData::new(v, [labels.len(), NUM_CLASSES]), device)
}

async fn read_f32<const D: usize>(t: Tensor<D>) -> Result<Vec<f32>, SessionError> {
    let data = t
        .into_data_async()
        .await
        .map_err(|e| SessionError::Device(format!("{e:?}")))?;
    to_f32(&data)
}

pub(crate) fn to_f32(data: &TensorData) -> Result<Vec<f32>, SessionError> {
    data.try_to_vec::<f32>()
        .map_err(|e| SessionError::Device(format!("unexpected data read back: {e:?}")))
}

fn first_f32(data: &TensorData) -> Result<f32, SessionError> {
    to_f32(data)?
        .first()
        .copied()
        .ok_or_else(|| SessionError::Device("empty loss read back".into()))
}
