//! What a run has learned so far: curves, the epoch table, the confusion matrix and the
//! prediction strip.

use yew::prelude::*;

use crate::components::confusion::Confusion;
use crate::components::line_chart::{LineChart, Series};
use crate::components::prediction_strip::PredictionStrip;
use crate::data::Images;
use crate::estimate::format_duration;
use crate::workbench::run::RunState;

/// The results' properties.
#[derive(Clone, PartialEq, Properties)]
pub struct ResultsProps {
    /// The run.
    pub run: RunState,
    /// The images (for the strip's thumbnails and the class names).
    pub dataset: Option<Images>,
}

const TRAIN: &str = "#2563eb";
const VAL: &str = "#ea580c";

fn series(name: &str, color: &'static str, points: Vec<(f64, f64)>) -> Series {
    Series {
        name: name.into(),
        color,
        points,
        dashed: false,
        dots: true,
    }
}

/// Points drawn of the per-batch loss curve at most: about one per pixel of the chart's
/// width, however long the run (drawing every batch's point made each batch event's
/// render grow with the run).
const CURVE_POINTS: usize = 480;

/// At most about `max` of `points`, evenly spaced, the first and last kept.
pub fn thin(points: &[(f64, f64)], max: usize) -> Vec<(f64, f64)> {
    if points.len() <= max || max < 2 {
        return points.to_vec();
    }
    let step = (points.len() - 1) as f64 / (max - 1) as f64;
    (0..max)
        .map(|i| points[((i as f64 * step).round() as usize).min(points.len() - 1)])
        .collect()
}

/// Charts and tables for the run.
#[function_component(Results)]
pub fn results(props: &ResultsProps) -> Html {
    let run = &props.run;
    let epochs = run.config.as_ref().map(|c| c.hyper.epochs as f64);
    let per_epoch = |f: fn(&protocol::EpochReport) -> f64| {
        run.history
            .iter()
            .map(|r| ((r.epoch + 1) as f64, f(r)))
            .collect::<Vec<_>>()
    };
    let best = run
        .best_epoch()
        .filter(|_| run.history.len() > 1)
        .map(|r| ((r.epoch + 1) as f64, format!("best: epoch {}", r.epoch + 1)));
    let class_names = props
        .dataset
        .as_ref()
        .map(|d| d.class_names.clone())
        .unwrap_or_else(|| cifar::CLASS_NAMES.iter().map(|s| s.to_string()).collect());
    let latest = run.history.last();
    html! {
        <section class="panel results" aria-labelledby="results-h">
            <h2 id="results-h">{ "4. What the network learns" }</h2>
            <div class="results-wide">
            <div class="charts">
                <LineChart title="Accuracy per epoch" x_label="epoch" y_label="accuracy (%)" percent=true
                    y_range={Some((0.0, 1.0))} x_max={epochs} marker={best.clone()}
                    series={vec![
                        series("training", TRAIN, per_epoch(|r| r.train_accuracy)),
                        series("validation", VAL, per_epoch(|r| r.val_accuracy)),
                    ]} />
                <LineChart title="Loss per epoch" x_label="epoch" y_label="cross-entropy loss" x_max={epochs} marker={best}
                    series={vec![
                        series("training", TRAIN, per_epoch(|r| r.train_loss)),
                        series("validation", VAL, per_epoch(|r| r.val_loss)),
                    ]} />
                <LineChart title="Training loss per batch (smoothed)" x_label="epoch" y_label="cross-entropy loss" x_max={epochs}
                    series={vec![Series { name: "training loss, moving average".into(), color: TRAIN, points: run.batch_loss.with(|points| thin(points, CURVE_POINTS)), dashed: false, dots: false }]} />
            </div>
            <div>
            if !run.history.is_empty() {
                <table class="history" tabindex="0">
                    <caption>{ "Epoch by epoch (as Keras prints it)" }</caption>
                    <thead><tr>
                        <th scope="col">{ "epoch" }</th><th scope="col">{ "loss" }</th><th scope="col">{ "accuracy" }</th>
                        <th scope="col">{ "val. loss" }</th><th scope="col">{ "val. accuracy" }</th><th scope="col">{ "time" }</th>
                    </tr></thead>
                    <tbody>
                        { for run.history.iter().map(|r| html! {
                            <tr>
                                <td>{ r.epoch + 1 }{ if r.partial { " (stopped part-way)" } else { "" } }</td>
                                <td class="num">{ format!("{:.4}", r.train_loss) }</td>
                                <td class="num">{ format!("{:.2}%", r.train_accuracy * 100.0) }</td>
                                <td class="num">{ format!("{:.4}", r.val_loss) }</td>
                                <td class="num">{ format!("{:.2}%", r.val_accuracy * 100.0) }</td>
                                <td class="num">{ format_duration(r.seconds) }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            }
            if let Some(r) = latest {
                <h3>{ "Confusion matrix" }</h3>
                <Confusion counts={r.confusion} class_names={class_names.clone()}
                    caption={format!("Confusion matrix after epoch {}: rows are the true classes, columns the predictions", r.epoch + 1)} />
            }
            </div>
            </div>
            if let Some(r) = latest {
                if let Some(d) = &props.dataset {
                    <h3>{ "Test images: the network's guesses" }</h3>
                    <PredictionStrip predictions={r.strip.clone()} class_names={class_names}
                        images={r.strip.iter().map(|p| if p.index < d.test.len() { d.test.image(p.index).to_vec() } else { Vec::new() }).collect::<Vec<_>>()} />
                }
            } else {
                <p class="muted">{ "After each epoch the confusion matrix and a strip of test images with the network's guesses appear here." }</p>
            }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::thin;

    #[test]
    fn a_long_curve_is_thinned_to_evenly_spaced_points_with_both_ends() {
        let points: Vec<(f64, f64)> = (0..10_001).map(|i| (i as f64, (i % 7) as f64)).collect();
        let drawn = thin(&points, 480);
        assert_eq!(drawn.len(), 480);
        assert_eq!(drawn[0], points[0]);
        assert_eq!(drawn[479], points[10_000]);
        assert!(drawn.windows(2).all(|w| w[1].0 > w[0].0));
        assert_eq!(
            thin(&points[..100], 480).len(),
            100,
            "a short curve is drawn whole"
        );
    }
}
