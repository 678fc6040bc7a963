//! Keras's SGD, exactly: momentum in the velocity, the Nesterov flag, the old time-based
//! decay, and the `MaxNorm` kernel constraint applied after each update.
//!
//! burn's own SGD keeps the learning rate outside the velocity (`v = μv + g; w -= lr·v`),
//! which differs from Keras (`v = μv - lr·g; w += v`) as soon as the rate changes between
//! steps, as it does under decay. The tutorial's numbers come from Keras, so this module
//! implements Keras's form and plugs it into burn's [`ModuleOptimizer`].

use burn::module::{ParamGroup, ParamId};
use burn::optim::{ModuleOptimizer, Optimizer, RecordState, StateSink, StateSource};
use burn::tensor::{Device, Tensor};

use crate::spec::Hyper;

/// Keras's epsilon, used by `MaxNorm`.
pub const KERAS_EPSILON: f64 = 1e-7;

/// The learning rate Keras uses at update `t` (counted in batches from 0):
/// `lr / (1 + decay · t)`.
pub fn decayed_lr(lr: f64, decay: f64, t: u64) -> f64 {
    lr / (1.0 + decay * t as f64)
}

/// Keras `MaxNorm(max, axis=0)` on a kernel `[inputs, units]`: each column is multiplied by
/// `clip(norm, 0, max) / (ε + norm)`.
pub fn max_norm<const D: usize>(kernel: Tensor<D>, max: f64) -> Tensor<D> {
    let norms = kernel.clone().square().sum_dim(0).sqrt();
    let desired = norms.clone().clamp(0.0, max);
    kernel * (desired / (norms + KERAS_EPSILON))
}

/// Keras SGD for one parameter tensor; wrap with [`keras_sgd`] for a whole module.
#[derive(Debug, Clone, Copy)]
pub struct KerasSgd {
    /// Momentum μ (0: plain SGD, no velocity kept).
    pub momentum: f64,
    /// Nesterov update `w += μv - lr·g` instead of `w += v`.
    pub nesterov: bool,
    /// A `MaxNorm` constraint applied after the update.
    pub max_norm: Option<f64>,
}

/// The velocity Keras keeps per parameter.
#[derive(Clone)]
pub struct Velocity<const D: usize> {
    /// `v` in `v = μv - lr·g`.
    pub velocity: Tensor<D>,
}

/// Lets burn record the velocity with the optimizer (a synchronous read: native only; the
/// app never saves optimizer state).
impl<const D: usize> RecordState for Velocity<D> {
    fn state_flatten(&self, prefix: &str, out: &mut StateSink) {
        out.push_tensor(prefix, "velocity", self.velocity.to_data());
    }

    fn state_unflatten(prefix: &str, src: &mut StateSource, device: &Device) -> Option<Self> {
        let data = src.take_tensor(prefix, "velocity")?;
        Some(Velocity {
            velocity: Tensor::from_data(data, device),
        })
    }
}

impl Optimizer for KerasSgd {
    type State<const D: usize> = Velocity<D>;

    fn step<const D: usize>(
        &self,
        lr: f64,
        tensor: Tensor<D>,
        grad: Tensor<D>,
        state: Option<Velocity<D>>,
    ) -> (Tensor<D>, Option<Velocity<D>>) {
        let (updated, state) = if self.momentum == 0.0 {
            (tensor - grad.mul_scalar(lr), None)
        } else {
            let scaled = grad.mul_scalar(lr);
            let velocity = match state {
                Some(s) => s.velocity.mul_scalar(self.momentum) - scaled.clone(),
                None => scaled.clone().neg(),
            };
            let step = if self.nesterov {
                velocity.clone().mul_scalar(self.momentum) - scaled
            } else {
                velocity.clone()
            };
            (tensor + step, Some(Velocity { velocity }))
        };
        let updated = match self.max_norm {
            Some(max) => max_norm(updated, max),
            None => updated,
        };
        (updated, state)
    }

    fn to_device<const D: usize>(state: Velocity<D>, device: &Device) -> Velocity<D> {
        Velocity {
            velocity: state.velocity.to_device(device),
        }
    }
}

/// A module optimizer with Keras's SGD for every parameter, and the `MaxNorm` constraint
/// on the parameters in `constrained` (the dense kernel of the 6-layer model).
pub fn keras_sgd(hyper: &Hyper, constrained: Option<(ParamId, f64)>) -> ModuleOptimizer {
    let plain = KerasSgd {
        momentum: hyper.momentum,
        nesterov: hyper.nesterov,
        max_norm: None,
    };
    let optim = ModuleOptimizer::from(plain);
    match constrained {
        Some((id, max)) => optim.with_group(
            ParamGroup::from_ids(vec![id]),
            KerasSgd {
                max_norm: Some(max),
                ..plain
            },
            None,
        ),
        None => optim,
    }
}
