//! A labelled number input that keeps what the learner is typing.
//!
//! The page re-renders often while training or loading (progress arrives many times a
//! second). A plain controlled input would be reset to the stored value by each render,
//! wiping half-typed text; this field shows its own draft while it is being edited and
//! reports the number when the learner leaves the field or presses Enter.

use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// The field's properties.
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct NumberFieldProps {
    /// Element id (also used for the hint's id).
    pub id: AttrValue,
    /// Label text.
    pub label: AttrValue,
    /// The stored value, as text.
    pub value: AttrValue,
    /// The browser's step for the arrows.
    #[prop_or(AttrValue::Static("any"))]
    pub step: AttrValue,
    /// Smallest value.
    #[prop_or(AttrValue::Static("0"))]
    pub min: AttrValue,
    /// A hint under the field.
    #[prop_or_default]
    pub hint: AttrValue,
    /// Greyed out.
    #[prop_or_default]
    pub disabled: bool,
    /// Called with the new number when it is committed.
    pub on_change: Callback<f64>,
}

fn text_of(e: &Event) -> Option<String> {
    e.target()
        .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
        .map(|i| i.value())
}

/// A number input with a label and a hint.
#[function_component(NumberField)]
pub fn number_field(props: &NumberFieldProps) -> Html {
    let draft = use_state(|| None::<String>);
    let oninput = {
        let draft = draft.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(text) = text_of(&e) {
                draft.set(Some(text));
            }
        })
    };
    let onchange = {
        let draft = draft.clone();
        let on_change = props.on_change.clone();
        Callback::from(move |e: Event| {
            if let Some(v) = text_of(&e).and_then(|s| s.trim().parse::<f64>().ok())
                && v.is_finite()
            {
                on_change.emit(v);
            }
            draft.set(None);
        })
    };
    let value = (*draft).clone().unwrap_or_else(|| props.value.to_string());
    let hint_id = format!("{}-hint", props.id);
    html! {
        <div class="field">
            <label for={props.id.clone()}>{ props.label.clone() }</label>
            <input id={props.id.clone()} type="number" inputmode="decimal" value={value}
                step={props.step.clone()} min={props.min.clone()} disabled={props.disabled}
                {oninput} {onchange} aria-describedby={hint_id.clone()} />
            <small id={hint_id} class="muted">{ props.hint.clone() }</small>
        </div>
    }
}
