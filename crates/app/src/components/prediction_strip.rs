//! A strip of test images with the model's guess and the truth; wrong ones marked.

use yew::prelude::*;

use super::image_canvas::ImageCanvas;
use protocol::Prediction;

/// The strip's properties.
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct PredictionStripProps {
    /// Predictions with their test indices.
    pub predictions: Vec<Prediction>,
    /// The images, channel-major, in the same order.
    pub images: Vec<Vec<u8>>,
    /// Class names in label order.
    pub class_names: Vec<String>,
}

/// Thumbnails, each with "predicted (confidence)" and, when wrong, the true class.
#[function_component(PredictionStrip)]
pub fn prediction_strip(props: &PredictionStripProps) -> Html {
    let name = |i: u8| {
        props
            .class_names
            .get(usize::from(i))
            .cloned()
            .unwrap_or_default()
    };
    let wrong = props
        .predictions
        .iter()
        .filter(|p| p.predicted != p.label)
        .count();
    html! {
        <div>
            <p class="muted">{ format!("{} of {} right.", props.predictions.len() - wrong, props.predictions.len()) }</p>
            <ul class="strip">
                { for props.predictions.iter().zip(&props.images).map(|(p, img)| {
                    let right = p.predicted == p.label;
                    let alt = format!("test image {}: a {}", p.index, name(p.label));
                    html! {
                        <li class={if right { "right" } else { "wrong" }}>
                            <ImageCanvas pixels={img.clone()} alt={alt} size={56} />
                            <span class="guess">
                                { if right { "✓ " } else { "✗ " } }
                                { format!("{} {:.0}%", name(p.predicted), p.confidence * 100.0) }
                            </span>
                            if !right { <span class="truth">{ format!("is {}", name(p.label)) }</span> }
                        </li>
                    }
                }) }
            </ul>
        </div>
    }
}
