//! The run's settings: model (with its architecture table), hyperparameters (the
//! tutorial's by default), data sizes with a time estimate, seed, backend and CPU threads.

use lab::{Hyper, ModelKind};
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::arch_table::ArchTableView;
use super::number_field::NumberField;
use crate::estimate::{Estimate, format_duration};
use crate::settings::{BackendChoice, Settings, THREADS_MAX, logical_cores, resolve_threads};
use protocol::gpu::GpuStatus;

/// The form's properties.
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct SettingsFormProps {
    /// Current settings.
    pub settings: Settings,
    /// WebGPU in this browser.
    pub gpu: GpuStatus,
    /// The backend the run would use, in words.
    pub backend_label: AttrValue,
    /// Training images available.
    pub available_train: usize,
    /// Test images available.
    pub available_test: usize,
    /// How long the run would take.
    pub estimate: Estimate,
    /// Greyed out while a run is under way.
    pub disabled: bool,
    /// Where edits go.
    pub on_change: Callback<Settings>,
}

fn select_value(e: &Event) -> Option<String> {
    e.target()
        .and_then(|t| t.dyn_into::<HtmlSelectElement>().ok())
        .map(|s| s.value())
}

#[allow(
    clippy::too_many_arguments,
    reason = "one argument per field of the form"
)]
fn number(
    id: &'static str,
    label: &'static str,
    value: String,
    step: &'static str,
    min: &'static str,
    hint: &'static str,
    disabled: bool,
    on: Callback<f64>,
) -> Html {
    html! {
        <NumberField {id} {label} value={value} {step} {min} {hint} {disabled} on_change={on} />
    }
}

/// The settings form.
#[function_component(SettingsForm)]
pub fn settings_form(props: &SettingsFormProps) -> Html {
    let s = &props.settings;
    let tutorial = s.model.spec().hyper;
    // Each edit hands the whole new settings up.
    let edit = |f: fn(&mut Settings, f64)| {
        let on_change = props.on_change.clone();
        let settings = s.clone();
        Callback::from(move |v: f64| {
            let mut next = settings.clone();
            f(&mut next, v);
            on_change.emit(next);
        })
    };
    let hyper_cb = |f: fn(&mut Hyper, f64)| {
        let on_change = props.on_change.clone();
        let settings = s.clone();
        Callback::from(move |v: f64| {
            let mut next = settings.clone();
            f(&mut next.hyper, v);
            on_change.emit(next);
        })
    };
    let act = props.on_change.clone();
    let on_model = {
        let act = act.clone();
        let settings = s.clone();
        Callback::from(move |e: Event| {
            if let Some(kind) = select_value(&e).as_deref().and_then(ModelKind::parse) {
                act.emit(settings.with_model(kind));
            }
        })
    };
    let on_backend = {
        let act = act.clone();
        let settings = s.clone();
        Callback::from(move |e: Event| {
            if let Some(choice) = select_value(&e).as_deref().and_then(BackendChoice::parse) {
                act.emit(Settings {
                    backend: choice,
                    ..settings.clone()
                });
            }
        })
    };
    let on_threads = {
        let act = act.clone();
        let settings = s.clone();
        Callback::from(move |e: Event| {
            if let Some(n) = select_value(&e).and_then(|v| v.parse::<usize>().ok()) {
                act.emit(Settings {
                    threads: n,
                    ..settings.clone()
                });
            }
        })
    };
    let cores = logical_cores();
    let auto_threads = resolve_threads(0, cores);
    // A few more than the cores, so a learner can see that threads beyond them do not help.
    let most_threads = cores.clamp(4, THREADS_MAX);
    let on_nesterov = {
        let act = act.clone();
        let settings = s.clone();
        Callback::from(move |e: Event| {
            if let Some(input) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            {
                let mut next = settings.clone();
                next.hyper.nesterov = input.checked();
                act.emit(next);
            }
        })
    };
    let preset = |settings: Settings| {
        let act = act.clone();
        Callback::from(move |_| act.emit(settings.clone()))
    };
    let gpu_line = match &props.gpu {
        GpuStatus::Probing => "Looking for WebGPU…".to_string(),
        GpuStatus::Available {
            name,
            fallback: false,
        } => format!("WebGPU adapter: {name}."),
        GpuStatus::Available {
            name,
            fallback: true,
        } => {
            format!(
                "WebGPU here is a software adapter ({name}), slower than the CPU: Automatic uses the CPU."
            )
        }
        GpuStatus::Missing(why) => format!("No WebGPU: {why}. Training uses the CPU."),
    };
    let d = props.disabled;
    let train_n = s.train_size.min(props.available_train.max(1));
    let val_n = s.val_size.min(props.available_test.max(1));
    let estimate_text = format!(
        "{} for {} of {}{}",
        format_duration(props.estimate.seconds),
        crate::words::count(s.hyper.epochs, "epoch", "epochs"),
        crate::words::count(train_n, "image", "images"),
        if props.estimate.measured {
            " (at the speed measured on this device)"
        } else {
            " (a rough guess until a run measures this device)"
        }
    );
    html! {
        <section class="panel" aria-labelledby="settings-h">
            <h2 id="settings-h">{ "2. Model and settings" }</h2>
            <div class="field">
                <label for="model">{ "Model" }</label>
                <select id="model" onchange={on_model} disabled={d}>
                    { for ModelKind::ALL.iter().map(|k| html! {
                        <option value={k.id()} selected={*k == s.model}>{ k.spec().name }</option>
                    }) }
                </select>
            </div>
            <details>
                <summary>{ format!("Architecture of the {}", s.model.spec().name) }</summary>
                <ArchTableView spec={s.model.spec()} />
            </details>
            <div class="row presets">
                <button onclick={preset(Settings::quick(s.model))} disabled={d}>{ "Quick class run" }</button>
                <button onclick={preset(Settings::new(s.model))} disabled={d}>{ "Tutorial settings, 10,000 images" }</button>
                <button onclick={preset(Settings::tutorial(s.model))} disabled={d}>{ "The full tutorial (50,000 images)" }</button>
            </div>
            <div class="grid">
                { number("epochs", "Epochs", s.hyper.epochs.to_string(), "1", "1",
                    if tutorial.epochs == s.hyper.epochs { "tutorial's value" } else { "changed" }, d,
                    hyper_cb(|h, v| h.epochs = v.round().max(0.0) as usize)) }
                { number("batch", "Batch size", s.hyper.batch_size.to_string(), "1", "1",
                    if tutorial.batch_size == s.hyper.batch_size { "tutorial's value" } else { "changed" }, d,
                    hyper_cb(|h, v| h.batch_size = v.round().max(0.0) as usize)) }
                { number("lr", "Learning rate", s.hyper.lr.to_string(), "0.001", "0",
                    if tutorial.lr == s.hyper.lr { "tutorial's value" } else { "changed" }, d,
                    hyper_cb(|h, v| h.lr = v)) }
                { number("momentum", "Momentum", s.hyper.momentum.to_string(), "0.05", "0",
                    if tutorial.momentum == s.hyper.momentum { "tutorial's value" } else { "changed" }, d,
                    hyper_cb(|h, v| h.momentum = v)) }
                { number("decay", "Decay", s.hyper.decay.to_string(), "any", "0",
                    if tutorial.decay == s.hyper.decay { "tutorial's value: lr/(1+decay·t)" } else { "changed" }, d,
                    hyper_cb(|h, v| h.decay = v)) }
                <div class="field">
                    <label for="nesterov">
                        <input id="nesterov" type="checkbox" checked={s.hyper.nesterov} onchange={on_nesterov} disabled={d} />
                        { " Nesterov momentum" }
                    </label>
                </div>
                { number("train-size", "Training images", s.train_size.to_string(), "1000", "1",
                    "the first N of the training set", d,
                    edit(|s, v| s.train_size = v.round().max(0.0) as usize)) }
                { number("val-size", "Validation images", s.val_size.to_string(), "1000", "1",
                    "the first N of the test set, checked after each epoch", d,
                    edit(|s, v| s.val_size = v.round().max(0.0) as usize)) }
                { number("seed", "Seed", s.seed.to_string(), "1", "0",
                    "same seed, same start", d,
                    edit(|s, v| s.seed = v.round().max(0.0) as u64)) }
                <div class="field">
                    <label for="backend">{ "Train on" }</label>
                    <select id="backend" onchange={on_backend} disabled={d}>
                        { for BackendChoice::ALL.iter().map(|c| html! {
                            <option value={c.id()} selected={*c == s.backend}>{ c.label() }</option>
                        }) }
                    </select>
                    <small class="muted">{ format!("This run: {}", props.backend_label) }</small>
                </div>
                <div class="field">
                    <label for="threads">{ "CPU threads" }</label>
                    <select id="threads" onchange={on_threads} disabled={d}
                        aria-describedby="threads-help">
                        <option value="0" selected={s.threads == 0}>
                            { format!("Automatic ({auto_threads})") }
                        </option>
                        { for (1..=most_threads).map(|n| html! {
                            <option value={n.to_string()} selected={s.threads == n}>{ n.to_string() }</option>
                        }) }
                    </select>
                    <small class="muted" id="threads-help">
                        { format!("This device has {cores} logical core{}; each thread trains a slice of every batch on the CPU.", if cores == 1 { "" } else { "s" }) }
                    </small>
                </div>
            </div>
            <p class="muted">{ gpu_line }</p>
            if props.available_train > 0 && s.train_size > props.available_train {
                <p class="muted">{ format!("Only {} training images are loaded; the run uses those.", props.available_train) }</p>
            }
            if props.available_test > 0 && s.val_size > props.available_test {
                <p class="muted">{ format!("Only {} test images are loaded; the run validates on those.", props.available_test) }</p>
            }
            <p class="estimate"><strong>{ "Estimated time: " }</strong>{ estimate_text }{ format!(", validating on {}.", crate::words::count(val_n, "image", "images")) }</p>
            if let Some(problem) = s.problem() {
                <p class="error" role="alert">{ format!("Check the settings: {problem}.") }</p>
            }
        </section>
    }
}
