//! "Share these settings": a link that opens the trainer with the same model,
//! hyperparameters, seed and data sizes, for a teacher to hand to a class.

use wasm_bindgen::{JsCast, JsValue};
use yew::prelude::*;

use crate::settings::{self, Settings};

/// The link's properties.
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct ShareLinkProps {
    /// The settings to share.
    pub settings: Settings,
}

/// The page's address without query or hash, plus `?<settings>#/lesson/5`.
fn link(settings: &Settings) -> String {
    let location = web_sys::window().map(|w| w.location());
    let base = location
        .as_ref()
        .and_then(|l| Some(format!("{}{}", l.origin().ok()?, l.pathname().ok()?)))
        .unwrap_or_default();
    format!("{base}?{}#/lesson/5", settings::to_query(settings))
}

/// A read-only field with the link and a copy button.
#[function_component(ShareLink)]
pub fn share_link(props: &ShareLinkProps) -> Html {
    let copied = use_state(|| false);
    let url = link(&props.settings);
    let on_copy = {
        let url = url.clone();
        let copied = copied.clone();
        Callback::from(move |_| {
            // navigator.clipboard.writeText(url), read through Reflect (no web-sys feature).
            let Some(navigator) = web_sys::window().map(|w| w.navigator()) else {
                return;
            };
            let clipboard = js_sys::Reflect::get(&navigator, &JsValue::from_str("clipboard"))
                .ok()
                .filter(|c| !c.is_undefined());
            let write = clipboard.as_ref().and_then(|c| {
                js_sys::Reflect::get(c, &JsValue::from_str("writeText"))
                    .ok()
                    .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
            });
            if let (Some(c), Some(write)) = (clipboard, write) {
                let _ = write.call1(&c, &JsValue::from_str(&url));
                copied.set(true);
            }
        })
    };
    html! {
        <section class="panel share" aria-labelledby="share-h">
            <h2 id="share-h">{ "Share these settings" }</h2>
            <p class="muted">{ "Anyone who opens this link starts from the same model, hyperparameters, seed and data size (their own device picks where to train, and on how many threads)." }</p>
            <div class="share-row">
                <label for="share-url" class="visually-hidden">{ "Link to these settings" }</label>
                <input id="share-url" type="text" readonly=true value={url}
                    onfocus={Callback::from(|e: FocusEvent| {
                        if let Some(i) = e.target_dyn_into::<web_sys::HtmlInputElement>() { i.select(); }
                    })} />
                <button onclick={on_copy}>{ if *copied { "Copied" } else { "Copy link" } }</button>
            </div>
        </section>
    }
}
