//! An accessible progress bar with a label and an optional "time left".

use yew::prelude::*;

/// The bar's properties.
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct ProgressBarProps {
    /// What is progressing.
    pub label: AttrValue,
    /// Fraction done, 0 to 1; `None` for an activity of unknown length.
    pub fraction: Option<f64>,
    /// Extra text after the percentage (e.g. "3 min 20 s left").
    #[prop_or_default]
    pub detail: Option<String>,
}

/// A `<progress>` element with its text.
#[function_component(ProgressBar)]
pub fn progress_bar(props: &ProgressBarProps) -> Html {
    let pct = props.fraction.map(|f| (f.clamp(0.0, 1.0) * 100.0).round());
    let text = match (pct, &props.detail) {
        (Some(p), Some(d)) => format!("{p:.0}% · {d}"),
        (Some(p), None) => format!("{p:.0}%"),
        (None, Some(d)) => d.clone(),
        (None, None) => String::new(),
    };
    html! {
        <div class="progress">
            <label>
                <span>{ props.label.clone() }</span>
                if let Some(p) = pct {
                    <progress max="100" value={p.to_string()} aria-valuetext={text.clone()} />
                } else {
                    <progress aria-valuetext={text.clone()} />
                }
            </label>
            <span class="progress-text" aria-live="polite">{ text }</span>
        </div>
    }
}
