//! Looking inside a trained model: class probabilities for one image, the feature maps
//! after every convolution, and the first layer's kernels.
//!
//! The trainer's model worker calls these for the lessons, on a CPU device, one image at
//! a time; every read is async, so the same calls work on any backend. The results
//! ([`Maps`], [`Kernels`]) are plain data, there without the engine too, for the page that
//! draws them.

#[cfg(feature = "engine")]
pub use compute::*;

/// A stack of feature maps for one image: `channels` maps of `height × width`, row-major.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Maps {
    /// Number of maps.
    pub channels: usize,
    /// Rows per map.
    pub height: usize,
    /// Columns per map.
    pub width: usize,
    /// `channels × height × width` values.
    pub values: Vec<f32>,
}

impl Maps {
    /// Map `c` as a row-major slice.
    pub fn map(&self, c: usize) -> &[f32] {
        let n = self.height * self.width;
        &self.values[c * n..(c + 1) * n]
    }
}

/// The first convolution's kernels: `filters` kernels of 3 channels × `size × size`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Kernels {
    /// Number of kernels.
    pub filters: usize,
    /// Kernel side.
    pub size: usize,
    /// `filters × 3 × size × size` weights.
    pub values: Vec<f32>,
}

/// The computations (with the engine).
#[cfg(feature = "engine")]
mod compute {
    use burn::tensor::{Tensor, TensorData};
    use cifar::{NUM_CLASSES, SIDE};

    use super::{Kernels, Maps};
    use crate::model::Cnn;
    use crate::session::SessionError;

    fn image_tensor(pixels: &[f32], model: &Cnn) -> Result<Tensor<4>, SessionError> {
        if pixels.len() != 3 * SIDE * SIDE {
            return Err(SessionError::Invalid(format!(
                "an image needs {} values (3×32×32), got {}",
                3 * SIDE * SIDE,
                pixels.len()
            )));
        }
        let device = burn::module::Module::devices(model)
            .into_iter()
            .next()
            .unwrap_or_else(crate::backend::host_device);
        Ok(Tensor::from_data(
            TensorData::new(pixels.to_vec(), [1, 3, SIDE, SIDE]),
            &device,
        ))
    }

    async fn read(t: Tensor<4>) -> Result<(Vec<usize>, Vec<f32>), SessionError> {
        let dims = t.dims().to_vec();
        let data = t
            .into_data_async()
            .await
            .map_err(|e| SessionError::Device(format!("{e:?}")))?;
        let values = data
            .try_to_vec::<f32>()
            .map_err(|e| SessionError::Device(format!("unexpected data read back: {e:?}")))?;
        Ok((dims, values))
    }

    /// A `kind` model with `weights` (burnpack bytes) on `device`, in validation mode
    /// (dropout off, no gradients): ready for the calls below.
    pub fn load_for_inference(
        kind: crate::ModelKind,
        weights: Vec<u8>,
        device: &burn::tensor::Device,
    ) -> Result<Cnn, SessionError> {
        use burn::module::Module;
        Ok(crate::session::load_weights(&kind.spec(), weights, device)?.valid())
    }

    /// Class probabilities for one image (NCHW `[0, 1]` pixels, 3×32×32) from `model` in
    /// validation mode.
    pub async fn probabilities(
        model: &Cnn,
        pixels: &[f32],
    ) -> Result<[f32; NUM_CLASSES], SessionError> {
        let logits = model.forward(image_tensor(pixels, model)?);
        let (_, values) = read(logits.unsqueeze::<4>()).await?;
        let p = crate::metrics::softmax(&values);
        Ok(std::array::from_fn(|i| p.get(i).copied().unwrap_or(0.0)))
    }

    /// The maps after each convolution (and its ReLU) for one image, in layer order.
    pub async fn conv_maps(model: &Cnn, pixels: &[f32]) -> Result<Vec<Maps>, SessionError> {
        let mut out = Vec::new();
        for t in model.conv_maps(image_tensor(pixels, model)?) {
            let (dims, values) = read(t).await?;
            out.push(Maps {
                channels: dims[1],
                height: dims[2],
                width: dims[3],
                values,
            });
        }
        Ok(out)
    }

    /// The first convolution's kernels.
    pub async fn first_kernels(model: &Cnn) -> Result<Kernels, SessionError> {
        let t = model
            .first_kernels()
            .ok_or_else(|| SessionError::Device("the model has no convolution".into()))?;
        let (dims, values) = read(t).await?;
        Ok(Kernels {
            filters: dims[0],
            size: dims[2],
            values,
        })
    }
}

#[cfg(feature = "engine")]
#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Cnn;
    use crate::session::SessionError;
    use crate::{BackendKind, ModelKind, block_on};
    use cifar::SIDE;

    fn model(kind: ModelKind) -> Cnn {
        let device = BackendKind::Flex.device().expect("flex is compiled in");
        Cnn::new(&kind.spec(), &device).expect("the tutorial's spec is consistent")
    }

    fn image() -> Vec<f32> {
        (0..3 * SIDE * SIDE)
            .map(|i| (i % 17) as f32 / 16.0)
            .collect()
    }

    #[test]
    fn maps_follow_the_architecture_table_for_both_models() {
        for kind in [ModelKind::Six, ModelKind::Four] {
            let spec = kind.spec();
            let shapes = spec.shapes().expect("consistent");
            let expected: Vec<(usize, usize, usize)> = spec
                .layers
                .iter()
                .zip(&shapes)
                .filter(|(l, _)| matches!(l, crate::spec::LayerSpec::Conv2d { .. }))
                .map(|(_, d)| match *d {
                    crate::spec::Dims::Map { c, h, w } => (c, h, w),
                    crate::spec::Dims::Flat(_) => panic!("a conv makes maps"),
                })
                .collect();
            let maps = block_on(conv_maps(&model(kind), &image())).expect("forward");
            let got: Vec<(usize, usize, usize)> = maps
                .iter()
                .map(|m| (m.channels, m.height, m.width))
                .collect();
            assert_eq!(got, expected, "{kind:?}");
            for m in &maps {
                assert_eq!(m.values.len(), m.channels * m.height * m.width);
                assert!(m.values.iter().all(|v| *v >= 0.0), "after ReLU");
            }
        }
    }

    #[test]
    fn probabilities_sum_to_one_and_kernels_have_the_first_layer_shape() {
        let m = model(ModelKind::Six);
        let p = block_on(probabilities(&m, &image())).expect("forward");
        let sum: f32 = p.iter().sum();
        assert!((sum - 1.0).abs() < 1e-4, "sum {sum}");
        let k = block_on(first_kernels(&m)).expect("read");
        assert_eq!((k.filters, k.size, k.values.len()), (32, 3, 32 * 27));
    }

    #[test]
    fn a_wrongly_sized_image_is_an_input_error_not_a_device_failure() {
        let m = model(ModelKind::Four);
        match block_on(probabilities(&m, &[0.5; 10])) {
            Err(SessionError::Invalid(message)) => {
                assert!(message.contains("3072 values"), "{message}")
            }
            other => panic!("{other:?}"),
        }
    }
}
