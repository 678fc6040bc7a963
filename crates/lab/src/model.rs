//! The burn module, built layer by layer from a [`ModelSpec`].

use std::sync::Mutex;

use burn::module::{Initializer, Module, ModuleVisitor, Param};
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::nn::{Dropout, DropoutConfig, Linear, LinearConfig, PaddingConfig2d, Relu};
use burn::tensor::{Device, Tensor, TensorData};

use crate::dropout::{MaskKey, fill_mask};
use crate::spec::{Activation, Dims, LayerSpec, ModelSpec, Padding, SpecError};

/// Keras's default kernel initializer.
const GLOROT_UNIFORM: Initializer = Initializer::XavierUniform { gain: 1.0 };

/// burn draws initial weights from one random generator per backend, shared by the whole
/// process, and only when a parameter is first used. Models are built and their weights
/// drawn under this lock, so a seeded model gets the same weights while other threads
/// build models too (tests in one process, `cnnlab bench --slices`).
static DRAWING: Mutex<()> = Mutex::new(());

/// Touches every parameter, so burn draws its (lazily initialised) values now.
struct DrawNow;

impl ModuleVisitor for DrawNow {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let _ = param.val();
    }
}

/// Flatten feature maps to one vector per image.
#[derive(Module, Debug, Default)]
pub struct Flatten;

/// One burn layer. The spec's activations become their own [`Layer::Relu`] entries; the
/// final softmax is left to the loss and to [`Cnn::probabilities`].
#[derive(Module, Debug)]
pub enum Layer {
    /// A convolution.
    Conv(Conv2d),
    /// ReLU, on maps or vectors.
    Relu(Relu),
    /// Max pooling.
    Pool(MaxPool2d),
    /// Dropout (identity outside training).
    Dropout(Dropout),
    /// Flatten maps to vectors.
    Flatten(Flatten),
    /// A fully connected layer.
    Dense(Linear),
}

/// A CNN built from a [`ModelSpec`]: `forward` maps NCHW images in `[0, 1]` to class logits.
#[derive(Module, Debug)]
pub struct Cnn {
    /// The layers, in order.
    pub layers: Vec<Layer>,
}

/// What flows between layers.
enum Flow {
    Maps(Tensor<4>),
    Flat(Tensor<2>),
}

impl Cnn {
    /// Build the module for `spec` on `device`: Glorot-uniform kernels, zero biases (Keras's
    /// defaults). [`Cnn::layer_index`] maps a spec layer to its place in [`Cnn::layers`].
    pub fn new(spec: &ModelSpec, device: &Device) -> Result<Cnn, SpecError> {
        let _drawing = DRAWING.lock().unwrap_or_else(|p| p.into_inner());
        Self::draw(spec, device)
    }

    /// [`Cnn::new`] with the backend's generator seeded with `seed` first: the same seed
    /// gives the same initial weights on the same backend.
    pub fn seeded(spec: &ModelSpec, device: &Device, seed: u64) -> Result<Cnn, SpecError> {
        let _drawing = DRAWING.lock().unwrap_or_else(|p| p.into_inner());
        device.seed(seed);
        Self::draw(spec, device)
    }

    fn draw(spec: &ModelSpec, device: &Device) -> Result<Cnn, SpecError> {
        let model = Self::build(spec, device)?;
        model.visit(&mut DrawNow);
        Ok(model)
    }

    fn build(spec: &ModelSpec, device: &Device) -> Result<Cnn, SpecError> {
        let mut layers = Vec::new();
        let mut dims = spec.input;
        for (i, layer) in spec.layers.iter().enumerate() {
            let input = dims;
            dims = layer.output(i, input)?;
            match (layer, input) {
                (
                    LayerSpec::Conv2d {
                        filters,
                        kernel,
                        padding,
                        ..
                    },
                    Dims::Map { c, .. },
                ) => {
                    let mut conv = Conv2dConfig::new([c, *filters], [*kernel, *kernel])
                        .with_padding(match padding {
                            Padding::Same => PaddingConfig2d::Same,
                            Padding::Valid => PaddingConfig2d::Valid,
                        })
                        .with_initializer(GLOROT_UNIFORM)
                        .init(device);
                    conv.bias = Some(Param::from_tensor(Tensor::zeros([*filters], device)));
                    layers.push(Layer::Conv(conv));
                }
                (LayerSpec::MaxPool2d { size }, _) => {
                    layers.push(Layer::Pool(MaxPool2dConfig::new([*size, *size]).init()));
                }
                (LayerSpec::Dropout { rate }, _) => {
                    layers.push(Layer::Dropout(DropoutConfig::new(*rate).init()));
                }
                (LayerSpec::Flatten, _) => layers.push(Layer::Flatten(Flatten)),
                (LayerSpec::Dense { units, .. }, d) => {
                    let mut dense = LinearConfig::new(d.size(), *units)
                        .with_initializer(GLOROT_UNIFORM)
                        .init(device);
                    dense.bias = Some(Param::from_tensor(Tensor::zeros([*units], device)));
                    layers.push(Layer::Dense(dense));
                }
                // `output` above has already rejected every other pairing.
                (LayerSpec::Conv2d { .. }, Dims::Flat(_)) => return Err(SpecError::NeedsMap(i)),
            }
            if layer.activation() == Some(Activation::Relu) {
                layers.push(Layer::Relu(Relu));
            }
        }
        Ok(Cnn { layers })
    }

    /// Class logits for a batch of images `[N, 3, 32, 32]` → `[N, 10]`, as at inference:
    /// dropout is the identity.
    pub fn forward(&self, images: Tensor<4>) -> Tensor<2> {
        self.run(images, None)
    }

    /// Class logits for a training step: every dropout layer drops units with the mask
    /// that [`crate::dropout`] gives the images' rows of the batch under `key`, so a slice
    /// of a batch is treated exactly as it would be inside the whole batch.
    pub fn forward_train(&self, images: Tensor<4>, key: MaskKey) -> Tensor<2> {
        self.run(images, Some(key))
    }

    fn run(&self, images: Tensor<4>, key: Option<MaskKey>) -> Tensor<2> {
        let mut flow = Flow::Maps(images);
        for (index, layer) in self.layers.iter().enumerate() {
            flow = match (layer, flow) {
                (Layer::Conv(conv), Flow::Maps(x)) => Flow::Maps(convolve(conv, x)),
                (Layer::Pool(pool), Flow::Maps(x)) => Flow::Maps(pool.forward(x)),
                (Layer::Relu(relu), Flow::Maps(x)) => Flow::Maps(relu.forward(x)),
                (Layer::Relu(relu), Flow::Flat(x)) => Flow::Flat(relu.forward(x)),
                (Layer::Dropout(d), Flow::Maps(x)) => Flow::Maps(drop_units(x, d.prob, index, key)),
                (Layer::Dropout(d), Flow::Flat(x)) => Flow::Flat(drop_units(x, d.prob, index, key)),
                (Layer::Flatten(_), Flow::Maps(x)) => Flow::Flat(x.flatten(1, 3)),
                (Layer::Dense(dense), Flow::Flat(x)) => Flow::Flat(dense.forward(x)),
                // `Cnn::new` only builds sequences that `ModelSpec::shapes` accepted.
                _ => {
                    unreachable!("layer sequence was checked when the model was built")
                }
            };
        }
        match flow {
            Flow::Flat(logits) => logits,
            Flow::Maps(_) => unreachable!("the tutorial's models end in a dense layer"),
        }
    }

    /// The feature maps after each convolution and its ReLU, for a batch of images (one
    /// tensor per convolution, in order): what each conv layer "sees". Pooling and
    /// dropout (identity outside training) in between are applied as in [`Cnn::forward`].
    pub fn conv_maps(&self, images: Tensor<4>) -> Vec<Tensor<4>> {
        let mut maps = Vec::new();
        let mut x = images;
        let mut after_conv = false;
        for layer in &self.layers {
            x = match layer {
                Layer::Conv(conv) => convolve(conv, x),
                Layer::Relu(relu) => relu.forward(x),
                Layer::Pool(pool) => pool.forward(x),
                // Dropout is the identity outside training.
                Layer::Dropout(_) => x,
                // The convolutions all come before the first flatten.
                Layer::Flatten(_) | Layer::Dense(_) => break,
            };
            if after_conv && matches!(layer, Layer::Relu(_)) {
                maps.push(x.clone());
            }
            after_conv = matches!(layer, Layer::Conv(_));
        }
        maps
    }

    /// The first convolution's kernels, `[filters, 3, k, k]`: the patterns the network
    /// looks for in the pixels themselves.
    pub fn first_kernels(&self) -> Option<Tensor<4>> {
        self.layers.iter().find_map(|l| match l {
            Layer::Conv(conv) => Some(conv.weight.val()),
            _ => None,
        })
    }

    /// Class probabilities (softmax of the logits).
    pub fn probabilities(&self, images: Tensor<4>) -> Tensor<2> {
        burn::tensor::activation::softmax(self.forward(images), 1)
    }

    /// The dense layer at `index` of [`Cnn::layers`], if that is one.
    pub fn dense(&self, index: usize) -> Option<&Linear> {
        match self.layers.get(index) {
            Some(Layer::Dense(d)) => Some(d),
            _ => None,
        }
    }

    /// Index into [`Cnn::layers`] of the burn layer built for spec layer `spec_index`.
    pub fn layer_index(spec: &ModelSpec, spec_index: usize) -> usize {
        spec.layers[..spec_index]
            .iter()
            .map(|l| 1 + usize::from(l.activation() == Some(Activation::Relu)))
            .sum()
    }
}

/// A convolution layer on `x`: this crate's own on Flex (`crate::conv`), burn's elsewhere.
fn convolve(layer: &Conv2d, x: Tensor<4>) -> Tensor<4> {
    #[cfg(feature = "flex")]
    {
        crate::conv::apply(layer, x)
    }
    #[cfg(not(feature = "flex"))]
    {
        layer.forward(x)
    }
}

/// `x` with dropout at `rate` under `key` (dropout layer `layer`), or `x` itself at
/// inference (`key` is `None`).
fn drop_units<const D: usize>(
    x: Tensor<D>,
    rate: f64,
    layer: usize,
    key: Option<MaskKey>,
) -> Tensor<D> {
    let Some(key) = key else { return x };
    if rate <= 0.0 {
        return x;
    }
    let dims = x.dims();
    let rows = dims[0];
    let per_row: usize = dims[1..].iter().product();
    let mut mask = Vec::new();
    fill_mask(key, layer, rate, rows, per_row, &mut mask);
    let mask = Tensor::<D>::from_data(TensorData::new(mask, dims), &x.device());
    x * mask
}
