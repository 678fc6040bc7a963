//! Where the images come from: the site's own copy of CIFAR-10, a dropped or picked
//! archive, or the synthetic demo set (labelled as not CIFAR-10).

use wasm_bindgen::JsCast;
use web_sys::{DragEvent, File, HtmlInputElement};
use yew::prelude::*;

use super::progress_bar::ProgressBar;
use crate::data::loading::DataState;

/// The panel's properties.
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct DataPanelProps {
    /// What is loaded, loading or failed.
    pub data: DataState,
    /// Whether the site serves CIFAR-10 (`None` while checking).
    pub served: Option<bool>,
    /// Load the served copy.
    pub on_served: Callback<()>,
    /// Load dropped or picked files.
    pub on_files: Callback<Vec<File>>,
    /// Use the synthetic set.
    pub on_synthetic: Callback<()>,
}

fn files_of(list: Option<web_sys::FileList>) -> Vec<File> {
    let Some(list) = list else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

/// Buttons, a drop zone, a progress bar and what is loaded.
#[function_component(DataPanel)]
pub fn data_panel(props: &DataPanelProps) -> Html {
    let dragging = use_state(|| false);
    let busy = props.data.loading.is_some();
    let on_pick = {
        let on_files = props.on_files.clone();
        Callback::from(move |e: Event| {
            if let Some(input) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            {
                on_files.emit(files_of(input.files()));
                input.set_value("");
            }
        })
    };
    let on_drop = {
        let on_files = props.on_files.clone();
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(false);
            on_files.emit(files_of(e.data_transfer().and_then(|d| d.files())));
        })
    };
    let on_over = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(true);
        })
    };
    let on_leave = {
        let dragging = dragging.clone();
        Callback::from(move |_: DragEvent| dragging.set(false))
    };
    let served_button = match props.served {
        Some(true) => html! {
            <button onclick={props.on_served.reform(|_| ())} disabled={busy}>{ "Load CIFAR-10 from this site" }</button>
        },
        Some(false) => html! {
            <p class="muted">{ "This site does not serve CIFAR-10 (a developer puts it in web/data/ with scripts/get-cifar10)." }</p>
        },
        None => html! { <p class="muted">{ "Checking whether this site serves CIFAR-10…" }</p> },
    };
    html! {
        <section class="panel" aria-labelledby="data-h">
            <h2 id="data-h">{ "1. Images" }</h2>
            <div class="row">
                { served_button }
                <button onclick={props.on_synthetic.reform(|_| ())} disabled={busy}>{ "Use the offline demo set" }</button>
            </div>
            <div class={classes!("dropzone", (*dragging).then_some("over"))}
                ondrop={on_drop} ondragover={on_over} ondragleave={on_leave}>
                <p>{ "Drop " }<code>{ "cifar-10-binary.tar.gz" }</code>{ " (or its .bin files) here, or " }</p>
                <label class="button">
                    { "choose files…" }
                    <input type="file" class="visually-hidden" multiple=true accept=".gz,.tgz,.bin,.txt"
                        onchange={on_pick} disabled={busy} />
                </label>
            </div>
            if let Some(l) = &props.data.loading {
                <ProgressBar label={l.what.clone()}
                    fraction={l.total.map(|t| l.done as f64 / t.max(1) as f64)}
                    detail={l.total.map(|t| format!("{:.1} of {:.1} MB", l.done as f64 / 1e6, t as f64 / 1e6))} />
            }
            if let Some(e) = &props.data.error {
                <p class="error" role="alert">{ e.clone() }
                    if props.data.dataset.is_some() { { " The images loaded before are still in use." } }
                </p>
            }
            if let Some(d) = &props.data.dataset {
                <p class={classes!("loaded", (!d.source.is_cifar10()).then_some("synthetic"))}>
                    <strong>{ d.source.describe() }</strong>
                    { format!(": {} training and {} test images{}.",
                        d.train.len(), d.test.len(),
                        if props.data.complete { "" } else { " so far (more arriving)" }) }
                </p>
            } else {
                <p class="muted">{ "No images loaded yet." }</p>
            }
        </section>
    }
}
