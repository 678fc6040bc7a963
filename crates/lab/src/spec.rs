//! The tutorial's two CNNs as data.
//!
//! A [`ModelSpec`] is a list of [`LayerSpec`]s. The burn module ([`crate::model::Cnn`]),
//! the architecture table ([`ModelSpec::table`]) and the parameter counts are all computed
//! from it, so the table can never disagree with the network that trains.

use serde::{Deserialize, Serialize};

/// Convolution padding, as Keras names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Padding {
    /// Pad so the output has the input's height and width.
    Same,
    /// No padding: the output shrinks by `kernel - 1`.
    Valid,
}

/// The activation after a weighted layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Activation {
    /// `max(0, x)`.
    Relu,
    /// Class probabilities; training folds it into the cross-entropy (the module returns
    /// logits), prediction applies it.
    Softmax,
}

/// One layer of the tutorial's models, in Keras's terms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum LayerSpec {
    /// A 2-D convolution, stride 1, followed by its activation.
    Conv2d {
        /// Output channels.
        filters: usize,
        /// Square kernel side.
        kernel: usize,
        /// Padding mode.
        padding: Padding,
        /// Activation after the convolution.
        activation: Activation,
    },
    /// Max pooling with a square window and the same stride; odd sizes round down.
    MaxPool2d {
        /// Window side and stride.
        size: usize,
    },
    /// Dropout, active only while training.
    Dropout {
        /// Fraction of units zeroed.
        rate: f64,
    },
    /// Flatten C×H×W to one vector.
    Flatten,
    /// A fully connected layer followed by its activation.
    Dense {
        /// Output units.
        units: usize,
        /// Activation after the layer.
        activation: Activation,
        /// Keras `MaxNorm` on the kernel: after each update every column (the weights into
        /// one unit) is scaled back to at most this L2 norm.
        max_norm: Option<f64>,
    },
}

/// Data dimensions between layers: channels × height × width, or a flat vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Dims {
    /// Feature maps, C×H×W.
    Map {
        /// Channels.
        c: usize,
        /// Height.
        h: usize,
        /// Width.
        w: usize,
    },
    /// A flat vector.
    Flat(usize),
}

impl Dims {
    /// Number of values.
    pub fn size(self) -> usize {
        match self {
            Dims::Map { c, h, w } => c * h * w,
            Dims::Flat(n) => n,
        }
    }
}

impl std::fmt::Display for Dims {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Dims::Map { c, h, w } => write!(f, "({c}, {h}, {w})"),
            Dims::Flat(n) => write!(f, "({n})"),
        }
    }
}

/// The tutorial's two models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ModelKind {
    /// The "4-layer" CNN: four convolutions, dense 512.
    Four,
    /// The "6-layer" CNN: six convolutions, dense 1024 with max-norm.
    Six,
}

impl ModelKind {
    /// Both models, smaller first.
    pub const ALL: [ModelKind; 2] = [ModelKind::Four, ModelKind::Six];

    /// The model's description.
    pub fn spec(self) -> ModelSpec {
        match self {
            ModelKind::Four => four_layer(),
            ModelKind::Six => six_layer(),
        }
    }

    /// Short name, as the CLI takes it: `four` or `six`.
    pub fn id(self) -> &'static str {
        match self {
            ModelKind::Four => "four",
            ModelKind::Six => "six",
        }
    }

    /// Parse `four`/`4` or `six`/`6`.
    pub fn parse(s: &str) -> Option<ModelKind> {
        match s.trim().to_ascii_lowercase().as_str() {
            "four" | "4" | "4-layer" => Some(ModelKind::Four),
            "six" | "6" | "6-layer" => Some(ModelKind::Six),
            _ => None,
        }
    }
}

/// Training hyperparameters, Keras's names and meanings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Hyper {
    /// Base learning rate.
    pub lr: f64,
    /// Momentum (0 is plain SGD).
    pub momentum: f64,
    /// Nesterov momentum (no effect when momentum is 0).
    pub nesterov: bool,
    /// Keras time-based decay: the rate at update `t` is `lr / (1 + decay · t)`.
    pub decay: f64,
    /// Images per batch.
    pub batch_size: usize,
    /// Passes over the training set.
    pub epochs: usize,
}

/// A model: its name, input, layers and the tutorial's training settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSpec {
    /// Which of the tutorial's models this is.
    pub kind: ModelKind,
    /// Display name, e.g. "6-layer CNN".
    pub name: String,
    /// Input dimensions (3×32×32).
    pub input: Dims,
    /// Layers in order.
    pub layers: Vec<LayerSpec>,
    /// The tutorial's hyperparameters for this model.
    pub hyper: Hyper,
}

/// One row of the architecture table: an operation and the data it produces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableRow {
    /// Keras's name for the operation: Conv2D, relu, Dropout, MaxPooling2D, Flatten,
    /// Dense, softmax.
    pub operation: String,
    /// Output dimensions of this operation.
    pub dims: Dims,
    /// Trainable weights of this operation (kernels and biases).
    pub weights: usize,
    /// Share of all the model's weights, in percent.
    pub percent: f64,
    /// Index of the [`LayerSpec`] this row comes from.
    pub layer: usize,
}

/// The architecture table the tutorial draws, computed from a [`ModelSpec`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArchTable {
    /// The input dimensions (the table's first line).
    pub input: Dims,
    /// One row per operation.
    pub rows: Vec<TableRow>,
    /// All trainable weights.
    pub total: usize,
}

/// An inconsistency in a hand-made spec (the tutorial's two are consistent).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecError {
    /// A convolution or pooling layer got a flat vector.
    #[error("layer {0} needs feature maps but gets a flat vector (missing Flatten?)")]
    NeedsMap(usize),
    /// A dense layer got feature maps.
    #[error("layer {0} needs a flat vector (add Flatten before it)")]
    NeedsFlat(usize),
    /// A layer shrinks the data to nothing.
    #[error("layer {0} leaves no data (the input is too small)")]
    Empty(usize),
}

impl LayerSpec {
    /// The dimensions this layer produces from `input`.
    pub fn output(&self, index: usize, input: Dims) -> Result<Dims, SpecError> {
        let out = match (self, input) {
            (
                LayerSpec::Conv2d {
                    filters,
                    kernel,
                    padding,
                    ..
                },
                Dims::Map { h, w, .. },
            ) => {
                let shrink = match padding {
                    Padding::Same => 0,
                    Padding::Valid => kernel - 1,
                };
                Dims::Map {
                    c: *filters,
                    h: h.saturating_sub(shrink),
                    w: w.saturating_sub(shrink),
                }
            }
            (LayerSpec::MaxPool2d { size }, Dims::Map { c, h, w }) => Dims::Map {
                c,
                h: h / size,
                w: w / size,
            },
            (LayerSpec::Conv2d { .. } | LayerSpec::MaxPool2d { .. }, Dims::Flat(_)) => {
                return Err(SpecError::NeedsMap(index));
            }
            (LayerSpec::Dropout { .. }, d) => d,
            (LayerSpec::Flatten, d) => Dims::Flat(d.size()),
            (LayerSpec::Dense { units, .. }, Dims::Flat(_)) => Dims::Flat(*units),
            (LayerSpec::Dense { .. }, Dims::Map { .. }) => return Err(SpecError::NeedsFlat(index)),
        };
        if out.size() == 0 {
            return Err(SpecError::Empty(index));
        }
        Ok(out)
    }

    /// Trainable weights (kernel and bias) this layer holds for `input`.
    pub fn weights(&self, input: Dims) -> usize {
        match (self, input) {
            (
                LayerSpec::Conv2d {
                    filters, kernel, ..
                },
                Dims::Map { c, .. },
            ) => kernel * kernel * c * filters + filters,
            (LayerSpec::Dense { units, .. }, d) => d.size() * units + units,
            _ => 0,
        }
    }

    /// Keras's name for the layer's own operation.
    pub fn operation(&self) -> &'static str {
        match self {
            LayerSpec::Conv2d { .. } => "Conv2D",
            LayerSpec::MaxPool2d { .. } => "MaxPooling2D",
            LayerSpec::Dropout { .. } => "Dropout",
            LayerSpec::Flatten => "Flatten",
            LayerSpec::Dense { .. } => "Dense",
        }
    }

    /// The activation that follows, for the layers that have one.
    pub fn activation(&self) -> Option<Activation> {
        match self {
            LayerSpec::Conv2d { activation, .. } | LayerSpec::Dense { activation, .. } => {
                Some(*activation)
            }
            _ => None,
        }
    }
}

impl ModelSpec {
    /// The dimensions after each layer, checked.
    pub fn shapes(&self) -> Result<Vec<Dims>, SpecError> {
        let mut dims = self.input;
        self.layers
            .iter()
            .enumerate()
            .map(|(i, layer)| {
                dims = layer.output(i, dims)?;
                Ok(dims)
            })
            .collect()
    }

    /// All trainable weights.
    pub fn param_count(&self) -> Result<usize, SpecError> {
        Ok(self.table()?.total)
    }

    /// The architecture table: one row per operation (each weighted layer is followed by a
    /// row for its activation), with output dimensions, weights and their share.
    pub fn table(&self) -> Result<ArchTable, SpecError> {
        let mut rows = Vec::new();
        let mut dims = self.input;
        for (i, layer) in self.layers.iter().enumerate() {
            let weights = layer.weights(dims);
            dims = layer.output(i, dims)?;
            rows.push(TableRow {
                operation: layer.operation().into(),
                dims,
                weights,
                percent: 0.0,
                layer: i,
            });
            if let Some(act) = layer.activation() {
                rows.push(TableRow {
                    operation: match act {
                        Activation::Relu => "relu",
                        Activation::Softmax => "softmax",
                    }
                    .into(),
                    dims,
                    weights: 0,
                    percent: 0.0,
                    layer: i,
                });
            }
        }
        let total: usize = rows.iter().map(|r| r.weights).sum();
        for row in &mut rows {
            row.percent = 100.0 * row.weights as f64 / total.max(1) as f64;
        }
        Ok(ArchTable {
            input: self.input,
            rows,
            total,
        })
    }

    /// Index of the layer whose kernel carries a max-norm constraint, and the norm.
    pub fn max_norm_layer(&self) -> Option<(usize, f64)> {
        self.layers.iter().enumerate().find_map(|(i, l)| match l {
            LayerSpec::Dense {
                max_norm: Some(n), ..
            } => Some((i, *n)),
            _ => None,
        })
    }
}

impl ArchTable {
    /// The table as aligned text with the tutorial's columns.
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "{:<14}{:>18}{:>14}{:>12}\n",
            "OPERATION", "DATA DIMENSIONS", "WEIGHTS(N)", "WEIGHTS(%)"
        );
        out += &format!("{:<14}{:>18}\n", "Input", self.input.to_string());
        for row in &self.rows {
            let (n, pct) = if row.operation == "Conv2D" || row.operation == "Dense" {
                (group_thousands(row.weights), format!("{:.1}%", row.percent))
            } else {
                (String::new(), String::new())
            };
            out += &format!(
                "{:<14}{:>18}{:>14}{:>12}\n",
                row.operation,
                row.dims.to_string(),
                n,
                pct
            );
        }
        out += &format!(
            "{:<14}{:>18}{:>14}\n",
            "Total",
            "",
            group_thousands(self.total)
        );
        out
    }
}

/// `2395434` → `2,395,434`.
pub fn group_thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

fn conv(filters: usize, padding: Padding) -> LayerSpec {
    LayerSpec::Conv2d {
        filters,
        kernel: 3,
        padding,
        activation: Activation::Relu,
    }
}

const INPUT: Dims = Dims::Map { c: 3, h: 32, w: 32 };

/// The tutorial's 6-layer model: 2,395,434 weights, SGD lr 0.01, momentum 0.9, decay 1e-6.
pub fn six_layer() -> ModelSpec {
    use LayerSpec::*;
    use Padding::Same;
    ModelSpec {
        kind: ModelKind::Six,
        name: "6-layer CNN".into(),
        input: INPUT,
        layers: vec![
            conv(32, Same),
            Dropout { rate: 0.2 },
            conv(32, Same),
            MaxPool2d { size: 2 },
            conv(64, Same),
            Dropout { rate: 0.2 },
            conv(64, Same),
            MaxPool2d { size: 2 },
            conv(128, Same),
            Dropout { rate: 0.2 },
            conv(128, Same),
            MaxPool2d { size: 2 },
            Flatten,
            Dropout { rate: 0.2 },
            Dense {
                units: 1024,
                activation: Activation::Relu,
                max_norm: Some(3.0),
            },
            Dropout { rate: 0.2 },
            Dense {
                units: 10,
                activation: Activation::Softmax,
                max_norm: None,
            },
        ],
        hyper: Hyper {
            lr: 0.01,
            momentum: 0.9,
            nesterov: false,
            decay: 1e-6,
            batch_size: 32,
            epochs: 10,
        },
    }
}

/// The tutorial's 4-layer model: 1,250,858 weights, SGD lr 0.1 with the Nesterov flag but
/// momentum 0 (so plain SGD), decay 1e-6.
pub fn four_layer() -> ModelSpec {
    use LayerSpec::*;
    use Padding::{Same, Valid};
    ModelSpec {
        kind: ModelKind::Four,
        name: "4-layer CNN".into(),
        input: INPUT,
        layers: vec![
            conv(32, Same),
            conv(32, Valid),
            MaxPool2d { size: 2 },
            Dropout { rate: 0.25 },
            conv(64, Same),
            conv(64, Valid),
            MaxPool2d { size: 2 },
            Dropout { rate: 0.25 },
            Flatten,
            Dense {
                units: 512,
                activation: Activation::Relu,
                max_norm: None,
            },
            Dropout { rate: 0.5 },
            Dense {
                units: 10,
                activation: Activation::Softmax,
                max_norm: None,
            },
        ],
        hyper: Hyper {
            lr: 0.1,
            momentum: 0.0,
            nesterov: true,
            decay: 1e-6,
            batch_size: 32,
            epochs: 10,
        },
    }
}
