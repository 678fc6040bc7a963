//! Keras's SGD, exactly: momentum in the velocity, the Nesterov flag, the old time-based
//! decay, and the `MaxNorm` kernel constraint applied after each update.
//!
//! burn's own SGD keeps the learning rate outside the velocity (`v = μv + g; w -= lr·v`),
//! which differs from Keras (`v = μv - lr·g; w += v`) as soon as the rate changes between
//! steps, as it does under decay. The tutorial's numbers come from Keras, so this module
//! implements Keras's form per tensor ([`KerasSgd`], a burn [`Optimizer`]) and walks the
//! whole model with it ([`ModelSgd`]).
//!
//! [`ModelSgd`] keeps each parameter's velocity itself, in the module's visiting order,
//! rather than in burn's `ModuleOptimizer`: burn records optimizer state with synchronous
//! reads (which panic on WebGPU in a browser) and keys it by parameter ids that a rebuilt
//! model does not share. Kept flat, the velocity is read back asynchronously and loaded
//! into a fresh model, so a checkpointed run continues exactly (see `crate::checkpoint`).

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param, ParamId};
use burn::optim::{GradientsParams, Optimizer, RecordState, StateSink, StateSource};
use burn::tensor::{Device, Tensor, TensorData, Transaction};

use crate::session::{SessionError, to_f32};
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

/// Lets burn's own `ModuleOptimizer` record the velocity (a synchronous read, native only),
/// as burn's `Optimizer` trait requires. This crate's runs keep velocities in [`ModelSgd`],
/// which reads them back asynchronously.
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

/// Keras's SGD over a whole model: one [`KerasSgd`] per parameter (with `MaxNorm` on the
/// constrained one) and each parameter's velocity, kept in the module's visiting order.
#[derive(Clone)]
pub struct ModelSgd {
    plain: KerasSgd,
    constrained: Option<(ParamId, f64)>,
    /// One velocity per parameter tensor, flattened, in visiting order; `None` before its
    /// first update (Keras starts from zero) and always at momentum 0.
    velocity: Vec<Option<Tensor<1>>>,
}

impl ModelSgd {
    /// Keras's SGD with `hyper`'s momentum and Nesterov flag, and the `MaxNorm` constraint
    /// on the parameter `constrained` names (the 6-layer model's dense kernel).
    pub fn new(hyper: &Hyper, constrained: Option<(ParamId, f64)>) -> Self {
        ModelSgd {
            plain: KerasSgd {
                momentum: hyper.momentum,
                nesterov: hyper.nesterov,
                max_norm: None,
            },
            constrained,
            velocity: Vec::new(),
        }
    }

    /// Update every parameter of `module` that has a gradient in `grads`, at rate `lr`.
    pub fn step<M: Module>(&mut self, lr: f64, module: M, mut grads: GradientsParams) -> M {
        module.map(&mut StepMapper {
            optim: self,
            grads: &mut grads,
            lr,
            at: 0,
        })
    }

    /// Whether this optimizer keeps a velocity (momentum above 0).
    pub fn has_velocity(&self) -> bool {
        self.plain.momentum != 0.0
    }

    /// Every parameter's velocity, flat in `module`'s visiting order (zeros where none was
    /// built yet, which is what Keras starts from), read back asynchronously; `None` at
    /// momentum 0.
    pub async fn velocity_flat<M: Module>(
        &self,
        module: &M,
    ) -> Result<Option<Vec<f32>>, SessionError> {
        if !self.has_velocity() {
            return Ok(None);
        }
        let sizes = param_sizes(module);
        let mut transaction = Transaction::default();
        for v in self.velocity.iter().flatten() {
            transaction = transaction.register(v.clone());
        }
        let read = transaction
            .execute_async()
            .await
            .map_err(|e| SessionError::Device(format!("{e:?}")))?;
        let mut read = read.iter();
        let mut flat = Vec::with_capacity(sizes.iter().sum());
        for (i, &n) in sizes.iter().enumerate() {
            match self.velocity.get(i) {
                Some(Some(_)) => {
                    let data = read.next().ok_or_else(|| {
                        SessionError::Device("fewer velocities read back than asked".into())
                    })?;
                    flat.extend_from_slice(&to_f32(data)?);
                }
                _ => flat.extend(std::iter::repeat_n(0.0, n)),
            }
        }
        Ok(Some(flat))
    }

    /// Set every parameter's velocity from `flat` (as [`ModelSgd::velocity_flat`] gives it
    /// for a model shaped like `module`), on `module`'s device.
    pub fn load_velocity<M: Module>(
        &mut self,
        module: &M,
        flat: &[f32],
    ) -> Result<(), SessionError> {
        let sizes = param_sizes(module);
        let total: usize = sizes.iter().sum();
        if flat.len() != total {
            return Err(SessionError::Weights(format!(
                "{} velocity values for a model of {total} parameters",
                flat.len()
            )));
        }
        let device = module
            .devices()
            .into_iter()
            .next()
            .unwrap_or_else(crate::backend::host_device);
        let device = if device.is_autodiff() {
            device.inner()
        } else {
            device
        };
        let mut at = 0;
        self.velocity = sizes
            .iter()
            .map(|&n| {
                let part = flat[at..at + n].to_vec();
                at += n;
                Some(Tensor::from_data(TensorData::new(part, [n]), &device))
            })
            .collect();
        Ok(())
    }
}

/// Values in each parameter tensor of `module`, in visiting order.
fn param_sizes<M: Module>(module: &M) -> Vec<usize> {
    struct Sizes(Vec<usize>);
    impl ModuleVisitor for Sizes {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            self.0.push(param.shape().num_elements());
        }
    }
    let mut sizes = Sizes(Vec::new());
    module.visit(&mut sizes);
    sizes.0
}

/// Applies one update to each parameter in turn.
struct StepMapper<'a> {
    optim: &'a mut ModelSgd,
    grads: &'a mut GradientsParams,
    lr: f64,
    /// The parameter's place in visiting order.
    at: usize,
}

impl ModuleMapper for StepMapper<'_> {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let at = self.at;
        self.at += 1;
        if self.optim.velocity.len() <= at {
            self.optim.velocity.resize(at + 1, None);
        }
        let (id, tensor, mapper) = param.consume();
        let Some(grad) = self.grads.remove::<D>(id) else {
            return Param::from_mapped_value(id, tensor, mapper);
        };
        let sgd = match self.optim.constrained {
            Some((constrained, max)) if constrained == id => KerasSgd {
                max_norm: Some(max),
                ..self.optim.plain
            },
            _ => self.optim.plain,
        };
        // What autodiff knows about the parameter, put back on the updated value.
        let require_grad = tensor.is_require_grad();
        let checkpointing = tensor.gradient_checkpointing_strategy();
        let shape = tensor.shape();
        let n = shape.num_elements();
        let state = self.optim.velocity[at].take().map(|v| Velocity {
            velocity: v.reshape(shape.clone()),
        });
        let (updated, state) = sgd.step(self.lr, tensor.inner(), grad, state);
        self.optim.velocity[at] = state.map(|s| s.velocity.reshape([n]));
        let mut value = Tensor::from_inner(updated);
        if let Some(strategy) = checkpointing {
            value = value.with_gradient_checkpointing_strategy(strategy);
        }
        if require_grad {
            value = value.require_grad();
        }
        Param::from_mapped_value(id, value, mapper)
    }
}
