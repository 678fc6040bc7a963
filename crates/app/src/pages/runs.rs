//! Your runs: every run kept in this browser, with its downloads (weights, report JSON,
//! history CSV), a way to look inside its model, and loading weights saved earlier.

use gloo::file::futures::read_as_bytes;
use web_sys::HtmlInputElement;
use yew::prelude::*;
use yew_router::prelude::*;

use lab::spec::group_thousands;

use crate::download::download;
use crate::estimate::format_duration;
use crate::routes::Route;
use crate::store::runs::{self, RunRecord, TrainedModel};
use crate::workbench::Workbench;
use crate::workbench::action::Action;

/// "18.3 MB".
fn megabytes(bytes: usize) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

fn row(
    r: &RunRecord,
    current: bool,
    bench: &Workbench,
    status: UseStateHandle<Option<Result<String, String>>>,
) -> Html {
    let use_it = {
        let (r, state, status) = (r.clone(), bench.state.clone(), status.clone());
        Callback::from(move |_| {
            let (r, state, status) = (r.clone(), state.clone(), status.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match runs::model(&r).await {
                    Ok(m) => {
                        state.dispatch(Action::UseModel(m));
                        status.set(Some(Ok(format!("Steps 6, 8 and 9 now use {}.", r.title()))));
                    }
                    Err(e) => status.set(Some(Err(e))),
                }
            });
        })
    };
    let weights = {
        let (r, status) = (r.clone(), status.clone());
        Callback::from(move |_| {
            let (r, status) = (r.clone(), status.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let result = match runs::weights(&r).await {
                    Ok(bytes) => download(
                        &format!("{}.bin", r.file_stem()),
                        "application/octet-stream",
                        &bytes,
                    ),
                    Err(e) => Err(e),
                };
                if let Err(e) = result {
                    status.set(Some(Err(e)));
                }
            });
        })
    };
    // A text download made from the record: (extension, type, contents).
    let text = |ext: &'static str, mime: &'static str, make: fn(&RunRecord) -> String| {
        let (r, status) = (r.clone(), status.clone());
        Callback::from(move |_| {
            let name = format!("{}.{ext}", r.file_stem());
            if let Err(e) = download(&name, mime, make(&r).as_bytes()) {
                status.set(Some(Err(e)));
            }
        })
    };
    let report = text("json", "application/json", RunRecord::report_json);
    let csv = text("csv", "text/csv", RunRecord::history_csv);
    let delete = {
        let (id, state, status) = (r.id.clone(), bench.state.clone(), status.clone());
        Callback::from(move |_| {
            let (id, state, status) = (id.clone(), state.clone(), status.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match runs::delete(&id).await {
                    Ok(()) => state.dispatch(Action::RunDeleted(id)),
                    Err(e) => status.set(Some(Err(e))),
                }
            });
        })
    };
    html! {
        <tr class={classes!(current.then_some("current"))}>
            <td>{ r.ended.clone() }</td>
            <td>{ r.config.model.spec().name }{ if r.stopped { " (stopped)" } else { "" } }</td>
            <td class="num">{ r.history.len() }</td>
            <td class="num">{ group_thousands(r.train_images) }</td>
            <td class="num">{ r.final_accuracy().map(|a| format!("{:.2}%", a * 100.0)).unwrap_or_default() }</td>
            <td>{ format_duration(r.seconds()) }</td>
            <td>{ r.device.clone() }</td>
            <td class="actions">
                <button onclick={use_it} disabled={current}>{ if current { "In use" } else { "Look inside" } }</button>
                <button onclick={weights}>{ "Download weights" }</button>
                <button onclick={report}>{ "Download report (JSON)" }</button>
                <button onclick={csv}>{ "Download history (CSV)" }</button>
                <button onclick={delete} aria-label={format!("Delete the run that ended {}", r.ended)}>{ "Delete" }</button>
            </td>
        </tr>
    }
}

/// The runs page.
#[function_component(RunsPage)]
pub fn runs_page() -> Html {
    let bench = use_context::<Workbench>();
    let status = use_state(|| None::<Result<String, String>>);
    use_effect_with((), |_| {
        gloo::utils::document().set_title("Your runs · CIFAR-10 CNN Lab")
    });
    let Some(bench) = bench else {
        return html! {};
    };
    let on_weights = {
        let (state, status) = (bench.state.clone(), status.clone());
        Callback::from(move |e: Event| {
            let Some(input) = e.target_dyn_into::<HtmlInputElement>() else {
                return;
            };
            let Some(file) = input.files().and_then(|f| f.get(0)) else {
                return;
            };
            input.set_value("");
            let (state, status) = (state.clone(), status.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let name = file.name();
                let file = gloo::file::File::from(file);
                let result = match read_as_bytes(&file).await {
                    Ok(bytes) => {
                        let bytes = std::rc::Rc::new(bytes);
                        crate::workers::model::identify(&name, bytes.clone())
                            .await
                            .map(|kind| (kind, bytes))
                    }
                    Err(e) => Err(format!("{name} could not be read: {e}")),
                };
                match result {
                    Ok((kind, bytes)) => {
                        state.dispatch(Action::UseModel(TrainedModel {
                            run_id: None,
                            label: format!("{} from {name}", kind.spec().name),
                            kind,
                            weights: bytes,
                            predictions: None,
                            data: None,
                        }));
                        status.set(Some(Ok(format!(
                            "Loaded {name}: weights of the {}. Steps 6, 8 and 9 now use it.",
                            kind.spec().name
                        ))));
                    }
                    // The model in use stays as it was.
                    Err(e) => status.set(Some(Err(e))),
                }
            });
        })
    };
    let status_line = match &*status {
        Some(Ok(msg)) => html! { <p class="notice" role="status">{ msg.clone() }</p> },
        Some(Err(msg)) => html! { <p class="error" role="alert">{ msg.clone() }</p> },
        None => html! {},
    };
    let state = &bench.state;
    let current_id = state.model.as_ref().and_then(|m| m.run_id.clone());
    html! {
        <section class="panel runs" aria-labelledby="runs-h">
            <h2 id="runs-h">{ "Your runs" }</h2>
            <p class="lead">{ "Every run that ends (or that you stop) is kept in this browser with its settings, history, confusion matrices and trained weights. Download them, or pick one to look inside in steps 6, 8 and 9." }</p>
            if let Some(m) = &state.model {
                <p id="model-in-use">{ format!("In use for steps 6, 8 and 9: {}.", m.label) }</p>
            }
            { status_line }
            if let Some(e) = &state.storage_error {
                <p class="error" role="alert">{ e.clone() }</p>
            }
            if let Some(saved) = &state.interrupted {
                <p id="checkpoint-size">{ format!(
                    "An interrupted run is kept for resuming ({}): its checkpoint takes {} in this browser.",
                    saved.position(), megabytes(saved.checkpoint_bytes)
                ) }</p>
            }
            if let (Some((_, _, bytes)), true) = (state.run.kept, state.run.status.active()) {
                <p id="checkpoint-size">{ format!(
                    "The run in progress keeps its latest checkpoint in this browser: {}. It is removed when the run ends.",
                    megabytes(bytes)
                ) }</p>
            }
            if state.runs.is_empty() {
                <p class="muted">{ "No runs yet. " }<Link<Route> to={Route::Lesson { n: 5 }}>{ "Train one" }</Link<Route>>{ "." }</p>
            } else {
                <table class="run-list" tabindex="0" id="run-list">
                    <caption>{ format!("{} run{} kept in this browser, newest first", state.runs.len(), if state.runs.len() == 1 { "" } else { "s" }) }</caption>
                    <thead><tr>
                        <th scope="col">{ "ended" }</th><th scope="col">{ "model" }</th><th scope="col" class="num">{ "epochs" }</th>
                        <th scope="col" class="num">{ "training images" }</th><th scope="col" class="num">{ "val. accuracy" }</th>
                        <th scope="col">{ "time" }</th><th scope="col">{ "device" }</th><th scope="col">{ "actions" }</th>
                    </tr></thead>
                    <tbody>
                        { for state.runs.iter().rev().map(|r| row(r, current_id.as_deref() == Some(r.id.as_str()), &bench, status.clone())) }
                    </tbody>
                </table>
            }
            <h3>{ "Load saved weights" }</h3>
            <p>
                <label for="load-weights">{ "A weights file (.bin) from this page or from " }<code>{ "cnnlab train --save" }</code>{ ": " }</label>
                <input id="load-weights" type="file" accept=".bin,application/octet-stream" onchange={on_weights} />
            </p>
            <p class="muted">{ "Loading weights skips training: the model is used as it was saved." }</p>
        </section>
    }
}
