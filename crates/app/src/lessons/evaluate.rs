//! Step 6: evaluate. The trained model's confusion matrix on the run's validation images,
//! per-class accuracy, the pairs it mixes up most with a reason, and, for any cell, the
//! test images behind it, the most confidently wrong first.

use std::rc::Rc;

use lab::ConfusionMatrix;
use yew::prelude::*;

use super::needs::{NeedsData, NeedsModel};
use crate::components::confusion::Confusion;
use crate::components::image_canvas::ImageCanvas;
use crate::components::progress_bar::ProgressBar;
use crate::store::runs::TrainedModel;
use crate::workbench::Workbench;
use crate::workbench::action::Action;
use crate::workers::model as model_worker;
use protocol::Predictions;

/// Images shown for a chosen cell.
const CELL_IMAGES: usize = 24;
/// Test images a loaded model (with no run behind it) is evaluated on.
const PAGE_EVAL: usize = 500;

/// The confusion matrix of `predictions` against the first labels.
pub fn confusion(predictions: &Predictions, labels: &[u8]) -> ConfusionMatrix {
    let n = predictions.len().min(labels.len());
    let mut m = ConfusionMatrix::default();
    let predicted: Vec<usize> = predictions.class[..n]
        .iter()
        .map(|&c| usize::from(c))
        .collect();
    m.add(&predicted, &labels[..n]);
    m
}

/// Images whose true class is `truth` and predicted class `guess`, the most confident
/// prediction first.
pub fn cell_images(
    predictions: &Predictions,
    labels: &[u8],
    truth: usize,
    guess: usize,
) -> Vec<usize> {
    let n = predictions.len().min(labels.len());
    let mut hits: Vec<usize> = (0..n)
        .filter(|&i| usize::from(labels[i]) == truth && usize::from(predictions.class[i]) == guess)
        .collect();
    hits.sort_by(|&a, &b| predictions.confidence[b].total_cmp(&predictions.confidence[a]));
    hits
}

/// Why a network at 32×32 pixels confuses two CIFAR-10 classes.
pub fn why_confused(a: &str, b: &str) -> &'static str {
    let pair = |x: &str, y: &str| (a == x && b == y) || (a == y && b == x);
    if pair("cat", "dog") {
        "Four legs, fur, similar poses and indoor backgrounds: at 32×32 the ears and snout that tell them apart are a handful of pixels."
    } else if pair("automobile", "truck") {
        "Both are vehicles with wheels, windows and shiny bodies on roads; a pick-up or a van sits between the two classes."
    } else if pair("airplane", "ship") {
        "Both often sit on a flat blue background (sky or sea) with a grey body in the middle: colour and background point the same way."
    } else if pair("airplane", "bird") {
        "A small shape with wings against a blue sky: the background says \"sky\" and the shape is only a few pixels."
    } else if pair("deer", "horse") {
        "Brown four-legged animals standing on grass, photographed side-on: the antlers or the mane are tiny at this size."
    } else if a == "bird" || b == "bird" || a == "deer" || b == "deer" || a == "frog" || b == "frog"
    {
        "Animals in natural scenes share greens and browns; with few pixels the network leans on background and colour more than on shape."
    } else {
        "The two classes share colours, shapes or backgrounds often enough that the features the network learned do not yet separate them."
    }
}

/// The step's body.
#[function_component(EvaluateLesson)]
pub fn evaluate_lesson() -> Html {
    let bench = use_context::<Workbench>();
    let cell = use_state(|| None::<(usize, usize)>);
    let progress = use_state(|| None::<(usize, usize)>);
    let error = use_state(|| None::<String>);
    let Some(bench) = bench else {
        return html! {};
    };
    let intro = html! {
        <p class="lead">{ "Accuracy is one number; the confusion matrix shows where it comes from. Each row is a true class, each column the class the network chose. The diagonal holds the right answers; everything else is a mistake, and which mistakes it makes says a lot about what it has learned." }</p>
    };
    let Some(d) = bench.state.data.dataset.clone() else {
        return html! { <>{ intro }<NeedsData /></> };
    };
    let Some(model) = bench.state.model.clone() else {
        return html! { <>{ intro }<NeedsModel /></> };
    };
    let labels = d.test.labels();
    let names = d.class_names.clone();

    // The stored answers are for the images the model was validated on; if other images
    // are loaded now (the demo set, then CIFAR-10, say), evaluate afresh on these.
    let other_data = model
        .data
        .as_ref()
        .filter(|was| **was != d.source.describe())
        .cloned();
    let stored = model.predictions.clone().filter(|_| other_data.is_none());
    let Some(predictions) = stored else {
        // A model loaded from a file, or answers for other images: evaluate it here on a
        // few hundred test images.
        let on_eval = {
            let model = model.clone();
            let d = d.clone();
            let progress = progress.clone();
            let error = error.clone();
            let state = bench.state.clone();
            Callback::from(move |_| {
                let (model, d, progress, error, state) = (
                    model.clone(),
                    d.clone(),
                    progress.clone(),
                    error.clone(),
                    state.clone(),
                );
                wasm_bindgen_futures::spawn_local(async move {
                    let images = d.test.first(PAGE_EVAL.min(d.test.len())).to_batch_bytes();
                    let p = progress.clone();
                    let result = model_worker::predict(&model, images, move |done, total| {
                        p.set(Some((done, total)))
                    })
                    .await;
                    progress.set(None);
                    match result {
                        Ok(predictions) => state.dispatch(Action::UseModel(TrainedModel {
                            predictions: Some(Rc::new(predictions)),
                            data: Some(d.source.describe()),
                            ..model
                        })),
                        Err(e) => error.set(Some(e)),
                    }
                });
            })
        };
        return html! {
            <>
                { intro }
                if let Some(was) = &other_data {
                    <p class="notice" role="status">{ format!("The model's stored answers are for {was}, but {} is loaded now.", d.source.describe()) }</p>
                }
                <p>{ format!("The model ({}) has not been evaluated on these images yet.", model.label) }</p>
                if let Some((done, total)) = *progress {
                    <ProgressBar label="Evaluating" fraction={Some(done as f64 / total.max(1) as f64)} detail={Some(format!("{done} of {total} images"))} />
                } else {
                    <button class="primary" onclick={on_eval}>{ format!("Evaluate it on the first {PAGE_EVAL} test images") }</button>
                }
                if let Some(e) = &*error { <p class="error" role="alert">{ e.clone() }</p> }
            </>
        };
    };

    let matrix = confusion(&predictions, labels);
    let on_select = {
        let cell = cell.clone();
        Callback::from(move |c: (usize, usize)| cell.set(Some(c)))
    };
    let top = matrix.top_confusions(3);
    let name = |i: usize| names.get(i).cloned().unwrap_or_else(|| i.to_string());
    let chosen = cell.map(|(t, p)| (t, p, cell_images(&predictions, labels, t, p)));

    html! {
        <>
            { intro }
            <p class="muted">{ format!("Model: {}. Evaluated on the first {} test images.", model.label, predictions.len().min(labels.len())) }</p>
            <Confusion counts={matrix.counts} class_names={names.clone()}
                caption={format!("Confusion matrix of {}: choose a cell to see its images", model.kind.spec().name)}
                on_select={Some(on_select)} />
            <h3>{ "What it mixes up most" }</h3>
            <ul class="top-confusions">
                { for top.iter().map(|&(t, p, n)| html! {
                    <li><strong>{ format!("{} taken for {}: {}. ", name(t), name(p), crate::words::count(n as usize, "image", "images")) }</strong>{ why_confused(&name(t), &name(p)) }</li>
                }) }
            </ul>
            if let Some((t, p, images)) = chosen {
                <section class="cell-images" aria-live="polite" aria-labelledby="cell-h">
                    <h3 id="cell-h">{
                        if t == p { format!("{}: right, {} (most confident first)", name(t), crate::words::count(images.len(), "image", "images")) }
                        else { format!("{} taken for {}: {} (most confidently wrong first)", name(t), name(p), crate::words::count(images.len(), "image", "images")) }
                    }</h3>
                    if images.is_empty() {
                        <p>{ "No images in this cell." }</p>
                    }
                    <ul class="gallery">
                        { for images.iter().take(CELL_IMAGES).map(|&i| html! {
                            <li>
                                <ImageCanvas pixels={d.test.image(i).to_vec()} alt={format!("test image {i}: {}, predicted {} with {:.0}% confidence", name(t), name(p), predictions.confidence[i] * 100.0)} size={56} />
                                <span class="caption">{ format!("{:.0}%", predictions.confidence[i] * 100.0) }</span>
                            </li>
                        }) }
                    </ul>
                </section>
            }
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn preds(class: &[u8], confidence: &[f32]) -> Predictions {
        Predictions {
            class: class.to_vec(),
            confidence: confidence.to_vec(),
        }
    }

    #[test]
    fn a_cell_lists_its_images_most_confident_first() {
        let labels = [3, 3, 5, 3, 3];
        let p = preds(&[5, 5, 5, 3, 5], &[0.4, 0.9, 0.8, 0.7, 0.6]);
        assert_eq!(cell_images(&p, &labels, 3, 5), [1, 4, 0]);
        assert_eq!(cell_images(&p, &labels, 3, 3), [3]);
        let m = confusion(&p, &labels);
        assert_eq!(m.counts[3][5], 3);
        assert_eq!(m.counts[5][5], 1);
        assert_eq!(m.total(), 5);
    }

    #[test]
    fn reasons_are_symmetric() {
        assert_eq!(why_confused("dog", "cat"), why_confused("cat", "dog"));
        assert!(why_confused("cat", "dog").contains("ears"));
    }
}
