//! Step 7: compare. The tutorial's published results (marked as published) beside the
//! learner's own runs; the two models' validation curves overlaid; and, on the learner's
//! longest run, the gap between training and validation with the best epoch marked.

use lab::ModelKind;
use lab::published::{self, Published};
use lab::spec::group_thousands;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::components::confusion::Confusion;
use crate::components::line_chart::{LineChart, Series};
use crate::estimate::format_duration;
use crate::store::runs::RunRecord;
use crate::workbench::Workbench;

/// The newest run of `model` with at least one full epoch.
pub fn newest(runs: &[RunRecord], model: ModelKind) -> Option<&RunRecord> {
    runs.iter()
        .rev()
        .find(|r| r.config.model == model && !r.history.is_empty())
}

/// The run with the most epochs (the newest among equals).
pub fn longest(runs: &[RunRecord]) -> Option<&RunRecord> {
    runs.iter()
        .rev()
        .max_by_key(|r| r.history.len())
        .filter(|r| !r.history.is_empty())
}

fn accuracy_points(r: &RunRecord, train: bool) -> Vec<(f64, f64)> {
    r.history
        .iter()
        .map(|e| {
            (
                (e.epoch + 1) as f64,
                if train {
                    e.train_accuracy
                } else {
                    e.val_accuracy
                },
            )
        })
        .collect()
}

fn published_caption(p: &Published) -> String {
    let note = if p.total() == 10_000 {
        String::new()
    } else {
        format!(
            " As published, this matrix sums to {}, not 10,000.",
            group_thousands(p.total() as usize)
        )
    };
    format!(
        "Published: {}, {} epochs, {:.2}% reported.{}",
        p.model.spec().name,
        p.epochs,
        p.accuracy_percent,
        note
    )
}

/// The step's body.
#[function_component(CompareLesson)]
pub fn compare_lesson() -> Html {
    let bench = use_context::<Workbench>();
    let shown = use_state(|| 0usize);
    let Some(bench) = bench else {
        return html! {};
    };
    let all = published::results();
    let runs = &bench.state.runs;
    let on_pick = {
        let shown = shown.clone();
        Callback::from(move |e: Event| {
            if let Some(s) = e.target_dyn_into::<HtmlSelectElement>()
                && let Ok(i) = s.value().parse()
            {
                shown.set(i);
            }
        })
    };
    let picked = all.get(*shown).cloned().unwrap_or_else(|| all[0].clone());
    let class_names: Vec<String> = cifar::CLASS_NAMES.iter().map(|s| s.to_string()).collect();

    let overlay: Vec<Series> = [
        (ModelKind::Four, "#7c3aed", true),
        (ModelKind::Six, "#ea580c", false),
    ]
    .into_iter()
    .filter_map(|(kind, color, dashed)| {
        newest(runs, kind).map(|r| Series {
            name: format!("{}, validation", kind.spec().name),
            color,
            points: accuracy_points(r, false),
            dashed,
            dots: true,
        })
    })
    .collect();
    let long = longest(runs);

    html! {
        <>
            <p class="lead">{ "The tutorial trained each model on all 50,000 images for 10, 20, 50 and 100 epochs on a 16-core CPU. More epochs did not mean better: both models overfit, learning their training images ever better while doing worse on the test images." }</p>
            <table class="published" tabindex="0" id="published-results">
                <caption>{ "Published results from the tutorial (test accuracy after training on all 50,000 images)" }</caption>
                <thead><tr>
                    <th scope="col">{ "model" }</th><th scope="col">{ "epochs" }</th>
                    <th scope="col" class="num">{ "accuracy" }</th><th scope="col">{ "training time" }</th><th scope="col">{ "source" }</th>
                </tr></thead>
                <tbody>
                    { for all.iter().map(|p| html! {
                        <tr>
                            <td>{ p.model.spec().name }</td><td class="num">{ p.epochs }</td>
                            <td class="num">{ format!("{:.2}%", p.accuracy_percent) }</td><td>{ p.training_time }</td>
                            <td><span class="badge">{ "published" }</span></td>
                        </tr>
                    }) }
                </tbody>
            </table>
            <h3>{ "Your runs" }</h3>
            if runs.is_empty() {
                <p class="muted">{ "No runs yet: train one in step 5 and it appears here beside the published ones." }</p>
            } else {
                <table class="own-runs" tabindex="0" id="own-runs">
                    <caption>{ "Runs trained in this browser" }</caption>
                    <thead><tr>
                        <th scope="col">{ "model" }</th><th scope="col" class="num">{ "epochs" }</th><th scope="col" class="num">{ "training images" }</th>
                        <th scope="col" class="num">{ "final val. accuracy" }</th><th scope="col">{ "best epoch" }</th><th scope="col">{ "time" }</th><th scope="col">{ "device" }</th>
                    </tr></thead>
                    <tbody>
                        { for runs.iter().rev().map(|r| html! {
                            <tr>
                                <td>{ r.config.model.spec().name }</td><td class="num">{ r.history.len() }</td>
                                <td class="num">{ group_thousands(r.train_images) }</td>
                                <td class="num">{ r.final_accuracy().map(|a| format!("{:.2}%", a * 100.0)).unwrap_or_default() }</td>
                                <td>{ r.best().map(|b| format!("{} ({:.1}%)", b.epoch + 1, b.val_accuracy * 100.0)).unwrap_or_default() }</td>
                                <td>{ format_duration(r.seconds()) }</td><td>{ r.device.clone() }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
                <p class="muted">{ "Your runs use fewer images or epochs than the tutorial unless you chose its full settings, so expect lower accuracy; the shapes of the curves are what compare." }</p>
            }
            <h3>{ "4-layer against 6-layer" }</h3>
            if overlay.is_empty() {
                <p class="muted">{ "Train each model once (step 5) to overlay their curves here." }</p>
            } else {
                <LineChart title="Validation accuracy per epoch, your newest run of each model" x_label="epoch" y_label="accuracy (%)" percent=true
                    y_range={Some((0.0, 1.0))} series={overlay} />
            }
            <h3>{ "More epochs, or overfitting?" }</h3>
            if let Some(r) = long {
                {{
                    let best = r.best().map(|b| ((b.epoch + 1) as f64, format!("best: epoch {}", b.epoch + 1)));
                    let last = r.history.last();
                    let gap = last.map(|l| (l.train_accuracy - l.val_accuracy) * 100.0).unwrap_or(0.0);
                    html! {
                        <>
                            <LineChart title={format!("Training against validation accuracy: {}", r.title())} x_label="epoch" y_label="accuracy (%)" percent=true
                                y_range={Some((0.0, 1.0))} marker={best}
                                series={vec![
                                    Series { name: "training".into(), color: "#2563eb", points: accuracy_points(r, true), dashed: false, dots: true },
                                    Series { name: "validation".into(), color: "#ea580c", points: accuracy_points(r, false), dashed: false, dots: true },
                                ]} />
                            <p id="overfit-gap">{ format!(
                                "After the last epoch, training accuracy is {:.1} points {} validation accuracy. {}",
                                gap.abs(), if gap >= 0.0 { "above" } else { "below" },
                                if gap > 5.0 { "A gap that keeps widening is overfitting: stop at the best epoch." }
                                else { "No large gap yet: this run has not started to overfit (dropout holds training accuracy down while it trains)." }
                            ) }</p>
                        </>
                    }
                }}
            } else {
                <p class="muted">{ "Your curves appear here after your first run." }</p>
            }
            <h3>{ "The published confusion matrices" }</h3>
            <label for="published-pick">{ "Show " }</label>
            <select id="published-pick" onchange={on_pick}>
                { for all.iter().enumerate().map(|(i, p)| html! {
                    <option value={i.to_string()} selected={i == *shown}>{ format!("{}, {} epochs", p.model.spec().name, p.epochs) }</option>
                }) }
            </select>
            <Confusion counts={picked.confusion} class_names={class_names} caption={published_caption(&picked)} />
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_odd_published_matrices_say_so_in_their_caption() {
        let all = published::results();
        let odd: Vec<String> = all
            .iter()
            .map(published_caption)
            .filter(|c| c.contains("not 10,000"))
            .collect();
        assert_eq!(odd.len(), 2);
        assert!(odd[0].contains("10,030"), "{}", odd[0]);
        assert!(odd[1].contains("9,964"), "{}", odd[1]);
    }
}
