//! The confusion matrix as a heatmap table (numbers in the cells, class names on both
//! axes) and the per-class accuracy beside it.

use lab::ConfusionMatrix;
use yew::prelude::*;

/// The matrix's properties.
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct ConfusionProps {
    /// Rows: true class; columns: predicted class.
    pub counts: [[u32; cifar::NUM_CLASSES]; cifar::NUM_CLASSES],
    /// Class names in label order.
    pub class_names: Vec<String>,
    /// Caption (e.g. "Epoch 3, 2,000 validation images").
    pub caption: AttrValue,
    /// Called with (true, predicted) when a cell is chosen.
    #[prop_or_default]
    pub on_select: Option<Callback<(usize, usize)>>,
}

/// Background for a cell holding `share` of its row: diagonal cells blue, others red.
pub fn cell_color(share: f64, diagonal: bool) -> String {
    let a = share.clamp(0.0, 1.0);
    let alpha = if diagonal { a } else { (a * 2.5).min(1.0) };
    if diagonal {
        format!("rgba(37, 99, 235, {alpha:.2})")
    } else {
        format!("rgba(220, 38, 38, {alpha:.2})")
    }
}

/// The heatmap and the per-class accuracy.
#[function_component(Confusion)]
pub fn confusion(props: &ConfusionProps) -> Html {
    let matrix = ConfusionMatrix::from_rows(props.counts);
    let per_class = matrix.per_class_accuracy();
    let name = |i: usize| {
        props
            .class_names
            .get(i)
            .cloned()
            .unwrap_or_else(|| i.to_string())
    };
    html! {
        <div class="confusion-wrap">
            <table class="confusion">
                <caption>{ props.caption.clone() }</caption>
                <thead>
                    <tr>
                        <th scope="col" class="corner">{ "true ↓ / predicted →" }</th>
                        { for (0..cifar::NUM_CLASSES).map(|c| html! { <th scope="col" class="rot"><span>{ name(c) }</span></th> }) }
                        <th scope="col">{ "accuracy" }</th>
                    </tr>
                </thead>
                <tbody>
                    { for (0..cifar::NUM_CLASSES).map(|t| {
                        let row_total: u32 = props.counts[t].iter().sum();
                        html! {
                            <tr>
                                <th scope="row">{ name(t) }</th>
                                { for (0..cifar::NUM_CLASSES).map(|p| {
                                    let n = props.counts[t][p];
                                    let share = if row_total > 0 { f64::from(n) / f64::from(row_total) } else { 0.0 };
                                    let label = format!("{} taken for {}: {} images", name(t), name(p), n);
                                    let onclick = props.on_select.clone().map(|cb| Callback::from(move |_| cb.emit((t, p))));
                                    let class = if t == p { "cell diag" } else { "cell" };
                                    html! {
                                        <td class={class} style={format!("background:{}", cell_color(share, t == p))}
                                            title={label.clone()} aria-label={label}>
                                            if let Some(onclick) = onclick {
                                                <button class="cell-button" onclick={onclick}>{ n }</button>
                                            } else {
                                                { n }
                                            }
                                        </td>
                                    }
                                }) }
                                <td class="num">{ format!("{:.1}%", per_class[t] * 100.0) }</td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
            <p class="muted">{ format!("Overall accuracy {:.1}% on {} images. Blue: right; red: mistakes, darker for more.", matrix.accuracy() * 100.0, matrix.total()) }</p>
        </div>
    }
}
