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

/// Charts and tables for the run.
#[function_component(Results)]
pub fn results(props: &ResultsProps) -> Html {
    let run = &props.run;
    let epochs = run.config.as_ref().map(|c| c.hyper.epochs as f64);
    let per_epoch = |f: fn(&crate::trainer::protocol::EpochReport) -> f64| {
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
                    series={vec![Series { name: "training loss, moving average".into(), color: TRAIN, points: run.batch_loss.clone(), dashed: false, dots: false }]} />
            </div>
            if !run.history.is_empty() {
                <table class="history">
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
