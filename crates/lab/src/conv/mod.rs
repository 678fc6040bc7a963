//! The model's convolutions on the CPU, done here rather than by burn Flex's general path.
//!
//! Flex runs every 2-D convolution through a general 3-D one (layout copies to
//! channels-last, tiled column matrices), its input gradient as a transposed convolution
//! and its weight gradient as a convolution with batch and channels swapped (a matrix
//! product with 9 rows): most of a training step, around the matrix products themselves
//! (BENCHMARKS.md, "Convolutions at the machine's speed"). For the only convolutions this
//! project has (square kernels, stride 1, zero padding, a bias), each pass here is one
//! column matrix (`cols`) and one batched product on Flex's own matrix multiply (`flex`).
//!
//! It is a burn operation of its own ([`FastConv`], a backend extension), with its own
//! backward pass under autodiff, so the model stays a burn module and burn's optimizer sees
//! the same gradients: [`conv`] takes it on the Flex backend, and burn's `Conv2d` stays for
//! every other backend (ndarray, the plain reference; wgpu, with its own kernels) and
//! everywhere [`usable`] says no. The tests hold it to burn's convolution, value for value.

pub mod cols;
mod flex;
pub mod matmul;

use burn::backend::Autodiff;
use burn::backend::Flex;
use burn::backend::TensorMetadata;
use burn::backend::autodiff::NodeId;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::ops::ConvOptions;
use burn::backend::tensor::FloatTensor;
use burn::backend::{Backend, Dispatch, backend_extension};
use burn::nn::PaddingConfig2d;
use burn::nn::conv::Conv2d;
use burn::tensor::{Device, Tensor};
use std::sync::atomic::{AtomicBool, Ordering};

/// burn's options for a stride-1 convolution with zero padding `pad`.
fn options(pad: usize) -> ConvOptions<2> {
    ConvOptions::new([1, 1], [pad, pad], [1, 1], 1)
}

/// A stride-1 square convolution with a bias, as a burn operation.
///
/// The default bodies are burn's own operations (correct on any backend); Flex overrides
/// them with this module's passes, and autodiff wraps the forward pass with a backward that
/// calls the other three.
#[backend_extension(Flex, Autodiff)]
pub trait FastConv: Backend {
    /// `conv(x, weight) + bias`: `x` `[n, ci, h, w]`, `weight` `[co, ci, k, k]`, `bias`
    /// `[co]`, stride 1, zero padding `pad` on every side.
    fn fast_conv(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
        pad: usize,
    ) -> FloatTensor<Self> {
        Self::conv2d(x, weight, Some(bias), options(pad))
    }

    /// The gradient with respect to `x`, given the output's gradient `dy`.
    fn fast_conv_x_backward(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        dy: FloatTensor<Self>,
        pad: usize,
    ) -> FloatTensor<Self> {
        Self::conv2d_x_backward(x, weight, dy, options(pad))
    }

    /// The gradient with respect to the weight.
    fn fast_conv_weight_backward(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        dy: FloatTensor<Self>,
        pad: usize,
    ) -> FloatTensor<Self> {
        Self::conv2d_weight_backward(x, weight, dy, options(pad))
    }

    /// The gradient with respect to the bias: `dy` summed over images and pixels.
    fn fast_conv_bias_backward(dy: FloatTensor<Self>) -> FloatTensor<Self> {
        let co = dy.shape().dims::<4>()[1];
        let summed = Self::float_sum_dim(Self::float_sum_dim(Self::float_sum_dim(dy, 3), 2), 0);
        Self::float_reshape(summed, [co].into())
    }
}

impl FastConv for Flex {
    fn fast_conv(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
        pad: usize,
    ) -> FloatTensor<Self> {
        flex::forward(x, weight, bias, pad)
    }

    fn fast_conv_x_backward(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        dy: FloatTensor<Self>,
        pad: usize,
    ) -> FloatTensor<Self> {
        let s = flex::shape_of(&x, &weight, pad);
        flex::backward_input(dy, weight, &s)
    }

    fn fast_conv_weight_backward(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        dy: FloatTensor<Self>,
        pad: usize,
    ) -> FloatTensor<Self> {
        let s = flex::shape_of(&x, &weight, pad);
        flex::backward_weight(x, dy, &s)
    }

    fn fast_conv_bias_backward(dy: FloatTensor<Self>) -> FloatTensor<Self> {
        flex::backward_bias(dy)
    }
}

/// The backward pass: the three gradients from the saved input and weight.
#[derive(Debug)]
struct FastConvBackward;

impl<B: Backend + FastConv> Backward<B, 3> for FastConvBackward {
    /// The checkpointed input and weight, and the padding.
    type State = (NodeId, NodeId, usize);

    fn backward(
        self,
        ops: Ops<Self::State, 3>,
        grads: &mut Gradients,
        checkpointer: &mut Checkpointer,
    ) {
        let [node_x, node_weight, node_bias] = ops.parents;
        let dy = grads.consume::<B>(&ops.node);
        let (x_state, weight_state, pad) = ops.state;
        let x = checkpointer.retrieve_node_output::<B::FloatTensorPrimitive>(x_state);
        let weight = checkpointer.retrieve_node_output::<B::FloatTensorPrimitive>(weight_state);
        if let Some(node) = node_x {
            let dx = B::fast_conv_x_backward(x.clone(), weight.clone(), dy.clone(), pad);
            grads.register::<B>(node.id, dx);
        }
        if let Some(node) = node_weight {
            let dw = B::fast_conv_weight_backward(x, weight, dy.clone(), pad);
            grads.register::<B>(node.id, dw);
        }
        if let Some(node) = node_bias {
            grads.register::<B>(node.id, B::fast_conv_bias_backward(dy));
        }
    }
}

impl<B: Backend + FastConv, C: CheckpointStrategy> FastConv for Autodiff<B, C> {
    fn fast_conv(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: FloatTensor<Self>,
        pad: usize,
    ) -> FloatTensor<Self> {
        match FastConvBackward
            .prepare::<C>([x.node(), weight.node(), bias.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(mut prep) => {
                let x_state = prep.checkpoint(&x);
                let weight_state = prep.checkpoint(&weight);
                let y = B::fast_conv(
                    x.into_primitive(),
                    weight.into_primitive(),
                    bias.into_primitive(),
                    pad,
                );
                prep.finish((x_state, weight_state, pad), y)
            }
            OpsKind::UnTracked(prep) => prep.finish(B::fast_conv(
                x.into_primitive(),
                weight.into_primitive(),
                bias.into_primitive(),
                pad,
            )),
        }
    }
}

/// Whether [`conv`] takes `layer` on `device`: Flex (with or without autodiff), a square
/// kernel, stride 1, no dilation, no groups, symmetric zero padding and a bias.
pub fn usable(layer: &Conv2d, device: &Device) -> Option<usize> {
    let flex = matches!(
        device.clone().inner().as_dispatch(),
        burn::backend::DispatchDevice::Flex(_)
    );
    let [kh, kw] = layer.kernel_size;
    let pad = match layer.padding {
        PaddingConfig2d::Valid => 0,
        // With stride 1 and an odd kernel, "same" pads (k − 1) / 2 on every side.
        PaddingConfig2d::Same if kh % 2 == 1 => (kh - 1) / 2,
        PaddingConfig2d::Explicit(t, l, b, r) if t == b && l == r && t == l => t,
        _ => return None,
    };
    (flex
        && kh == kw
        && layer.stride == [1, 1]
        && layer.dilation == [1, 1]
        && layer.groups == 1
        && layer.bias.is_some())
    .then_some(pad)
}

/// Whether every convolution goes through burn's `Conv2d` (the reference), whatever the
/// backend: for the tests and benchmarks that hold this module to burn's.
static REFERENCE: AtomicBool = AtomicBool::new(false);

/// Make every convolution of this process burn's own (`true`) or this module's where it
/// can (`false`, the default). `cnnlab bench --conv burn` measures the reference.
pub fn use_reference(reference: bool) {
    REFERENCE.store(reference, Ordering::Relaxed);
}

/// `layer` on `x`: by [`FastConv`] where [`usable`], else by burn's `Conv2d`.
pub fn apply(layer: &Conv2d, x: Tensor<4>) -> Tensor<4> {
    if REFERENCE.load(Ordering::Relaxed) {
        return layer.forward(x);
    }
    match usable(layer, &x.device()) {
        Some(pad) => conv(layer, x, pad),
        None => layer.forward(x),
    }
}

/// `layer` applied to `x` by [`FastConv`] (the caller checked [`usable`]).
pub fn conv(layer: &Conv2d, x: Tensor<4>, pad: usize) -> Tensor<4> {
    let weight = layer.weight.val();
    let bias = layer.bias.as_ref().map(|b| b.val());
    match bias {
        Some(bias) => Tensor::from_dispatch(<Dispatch as FastConv>::fast_conv(
            x.into_dispatch(),
            weight.into_dispatch(),
            bias.into_dispatch(),
            pad,
        )),
        None => layer.forward(x),
    }
}
