//! Step 4: build the CNN one layer at a time. Each added layer updates the output shape
//! and the weight count, computed from the same model description that builds the burn
//! module; the project's own source for that description is shown beside the table.

use lab::spec::{Activation, LayerSpec, Padding, group_thousands};
use lab::{ModelKind, ModelSpec};
use yew::prelude::*;

use crate::components::arch_table::ArchTableView;

/// The project's model descriptions, compiled in so the page shows the code that runs.
const SPEC_SOURCE: &str = include_str!("../../../lab/src/spec.rs");

/// The source of function `name` in `source`: its doc comment, signature and body.
pub fn function_source(source: &str, name: &str) -> Option<String> {
    let sig = source.find(&format!("fn {name}("))?;
    // Back to the start of the doc comment above it.
    let lines: Vec<&str> = source[..sig].lines().collect();
    let mut start = sig - lines.last().map_or(0, |l| l.len());
    for line in lines.iter().rev().skip(1) {
        if line.trim_start().starts_with("///") || line.trim_start().starts_with("#[") {
            start -= line.len() + 1;
        } else {
            break;
        }
    }
    let end = sig + source[sig..].find("\n}\n")? + 2;
    Some(source[start..end].to_string())
}

/// The layer in words, as the tutorial names it.
pub fn describe(layer: &LayerSpec) -> String {
    match layer {
        LayerSpec::Conv2d {
            filters,
            kernel,
            padding,
            activation,
        } => format!(
            "Conv2D {filters} filters {kernel}×{kernel}, padding {}{}",
            match padding {
                Padding::Same => "same",
                Padding::Valid => "none",
            },
            if *activation == Activation::Relu {
                ", ReLU"
            } else {
                ""
            }
        ),
        LayerSpec::MaxPool2d { size } => format!("MaxPooling {size}×{size}"),
        LayerSpec::Dropout { rate } => format!("Dropout {rate}"),
        LayerSpec::Flatten => "Flatten".into(),
        LayerSpec::Dense {
            units,
            activation,
            max_norm,
        } => format!(
            "Dense {units}, {}{}",
            match activation {
                Activation::Relu => "ReLU",
                Activation::Softmax => "softmax",
            },
            max_norm.map_or(String::new(), |n| format!(", max-norm {n}"))
        ),
    }
}

/// The first `k` layers of `kind`'s model.
pub fn partial(kind: ModelKind, k: usize) -> ModelSpec {
    let full = kind.spec();
    let total = full.layers.len();
    let k = k.min(total);
    ModelSpec {
        name: if k == total {
            full.name.clone()
        } else {
            format!("{} so far ({k} of {total} layers)", full.name)
        },
        layers: full.layers[..k].to_vec(),
        ..full
    }
}

/// The step's body.
#[function_component(BuildLesson)]
pub fn build_lesson() -> Html {
    let kind = use_state(|| ModelKind::Six);
    let added = use_state(|| 0usize);
    let full = kind.spec();
    let total_layers = full.layers.len();
    let spec = partial(*kind, *added);
    let weights = spec.param_count().unwrap_or(0);
    let done = *added == total_layers;
    let full_weights = full.param_count().unwrap_or(0);
    let next = full.layers.get(*added).map(describe);

    let choose = |k: ModelKind| {
        let kind = kind.clone();
        let added = added.clone();
        Callback::from(move |_| {
            kind.set(k);
            added.set(0);
        })
    };
    let add = {
        let added = added.clone();
        Callback::from(move |_| added.set((*added + 1).min(total_layers)))
    };
    let remove = {
        let added = added.clone();
        Callback::from(move |_| added.set(added.saturating_sub(1)))
    };
    let all = {
        let added = added.clone();
        Callback::from(move |_| added.set(total_layers))
    };
    let function = match *kind {
        ModelKind::Six => "six_layer",
        ModelKind::Four => "four_layer",
    };
    let code = [
        function_source(SPEC_SOURCE, "conv"),
        function_source(SPEC_SOURCE, function),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join("\n\n");

    html! {
        <>
            <p class="lead">{ "A CNN is a stack of layers. Convolutions find patterns, ReLU keeps the positive responses, max-pooling shrinks the maps, dropout (only while training) switches random units off so the network cannot lean on any one of them, and dense layers at the end turn the features into ten class scores. Add the tutorial's layers one at a time and watch the data's shape and the number of weights." }</p>
            <div class="mode" role="group" aria-label="Which model to build">
                <button aria-pressed={(*kind == ModelKind::Four).to_string()} onclick={choose(ModelKind::Four)}>{ "4-layer CNN" }</button>
                <button aria-pressed={(*kind == ModelKind::Six).to_string()} onclick={choose(ModelKind::Six)}>{ "6-layer CNN" }</button>
            </div>
            <div class="build-controls">
                if let Some(next) = &next {
                    <button class="primary" id="add-layer" onclick={add}>{ format!("Add: {next}") }</button>
                }
                <button onclick={remove} disabled={*added == 0}>{ "Remove the last layer" }</button>
                <button onclick={all} disabled={done}>{ "Add them all" }</button>
            </div>
            <p id="build-status" role="status">
                { format!("{} of {} layers, {} weights so far.", *added, total_layers, group_thousands(weights)) }
                if done {
                    <strong>{ format!(" That is the tutorial's {}: {} weights, as published.", full.name, group_thousands(full_weights)) }</strong>
                }
            </p>
            <div class="build">
                <div>
                    if *added == 0 {
                        <p class="muted">{ "Input: one image of 3 colour channels × 32 × 32 pixels. No layers yet." }</p>
                    } else {
                        <ArchTableView spec={spec} />
                    }
                </div>
                <details class="code" open={done}>
                    <summary>{ "The project's own code for this model (crates/lab/src/spec.rs)" }</summary>
                    <p class="muted">{ "This list of layers is the single description the app builds everything from: the burn module that trains (crates/lab/src/model.rs walks it layer by layer), this table and the weight counts." }</p>
                    <pre><code>{ code }</code></pre>
                </details>
            </div>
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shown_code_is_the_real_model_description() {
        for name in ["six_layer", "four_layer", "conv"] {
            let code = function_source(SPEC_SOURCE, name).unwrap();
            assert!(code.contains(&format!("fn {name}(")), "{name}");
            assert!(code.trim_end().ends_with('}'), "{name}");
        }
        let six = function_source(SPEC_SOURCE, "six_layer").unwrap();
        assert!(six.starts_with("/// The tutorial's 6-layer model"), "{six}");
        assert!(six.contains("max_norm: Some(3.0)"));
    }

    #[test]
    fn adding_every_layer_reaches_the_published_counts() {
        assert_eq!(partial(ModelKind::Six, 0).param_count().unwrap(), 0);
        assert_eq!(partial(ModelKind::Six, 1).param_count().unwrap(), 896);
        assert_eq!(
            partial(ModelKind::Six, 99).param_count().unwrap(),
            2_395_434
        );
        assert_eq!(
            partial(ModelKind::Four, 17).param_count().unwrap(),
            1_250_858
        );
        assert_eq!(
            describe(&ModelKind::Six.spec().layers[14]),
            "Dense 1024, ReLU, max-norm 3"
        );
        assert_eq!(
            describe(&ModelKind::Four.spec().layers[1]),
            "Conv2D 32 filters 3×3, padding none, ReLU"
        );
    }
}
