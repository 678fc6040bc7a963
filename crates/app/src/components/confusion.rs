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

/// The heat colours: diagonal cells blue, others red.
const BLUE: [f64; 3] = [37.0, 99.0, 235.0];
const RED: [f64; 3] = [220.0, 38.0, 38.0];

/// How strongly a cell holding `share` of its row is coloured, 0 to 1 (mistakes stand out
/// sooner: a fifth of a row taken for one other class is already dark).
fn heat(share: f64, diagonal: bool) -> f64 {
    let a = share.clamp(0.0, 1.0);
    if diagonal { a } else { (a * 2.5).min(1.0) }
}

/// Background for a cell holding `share` of its row.
pub fn cell_color(share: f64, diagonal: bool) -> String {
    let [r, g, b] = if diagonal { BLUE } else { RED };
    format!("rgba({r}, {g}, {b}, {:.2})", heat(share, diagonal))
}

/// WCAG's relative luminance of an sRGB colour (0–255 channels).
fn luminance(rgb: [f64; 3]) -> f64 {
    let lin = |c: f64| {
        let c = c / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(rgb[0]) + 0.7152 * lin(rgb[1]) + 0.0722 * lin(rgb[2])
}

/// WCAG's contrast ratio between two luminances.
fn contrast(a: f64, b: f64) -> f64 {
    (a.max(b) + 0.05) / (a.min(b) + 0.05)
}

/// Whether the cell's number is written in white rather than black, on the light scheme's
/// white panel: whichever contrasts more with the cell. One of the two always reaches 4.6:1
/// (where the heat colour is as far from black as from white, both do; the page's own
/// dark grey text would fall to 4.2:1 there). The dark scheme writes every cell in white:
/// its panel is dark, and even a full heat colour keeps white above 4.5:1.
pub fn light_ink(share: f64, diagonal: bool) -> bool {
    let a = heat(share, diagonal);
    let colour = if diagonal { BLUE } else { RED };
    let l = luminance(colour.map(|c| a * c + (1.0 - a) * 255.0));
    contrast(l, 1.0) > contrast(l, 0.0)
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
        // Focusable: a keyboard can scroll the matrix when it is wider than the screen.
        <div class="confusion-wrap" tabindex="0">
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
                                    let label = format!("{} taken for {}: {}", name(t), name(p), crate::words::count(n as usize, "image", "images"));
                                    let onclick = props.on_select.clone().map(|cb| Callback::from(move |_| cb.emit((t, p))));
                                    let ink = if light_ink(share, t == p) { "light-ink" } else { "dark-ink" };
                                    let class = classes!("cell", (t == p).then_some("diag"), ink);
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
            <p class="muted">{ format!("Overall accuracy {:.1}% on {}. Blue: right; red: mistakes, darker for more.", matrix.accuracy() * 100.0, crate::words::count(matrix.total() as usize, "image", "images")) }</p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cell_number_reads_at_four_and_a_half_to_one_or_better() {
        for diagonal in [true, false] {
            for i in 0..=100 {
                let share = f64::from(i) / 100.0;
                let a = heat(share, diagonal);
                let colour = if diagonal { BLUE } else { RED };
                let bg = luminance(colour.map(|c| a * c + (1.0 - a) * 255.0));
                let ink = if light_ink(share, diagonal) { 1.0 } else { 0.0 };
                assert!(
                    contrast(bg, ink) >= 4.5,
                    "share {share}, diagonal {diagonal}: {}",
                    contrast(bg, ink)
                );
            }
        }
        assert!(!light_ink(0.0, true) && light_ink(1.0, true));
    }
}
