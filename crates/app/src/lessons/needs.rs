//! What a step needs before its working part can show: loaded images, a trained model.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::data_panel::DataPanel;
use crate::routes::Route;
use crate::workbench::Workbench;

/// Shown in place of a step's working part while no images are loaded: the data panel,
/// so the learner can load them right here.
#[function_component(NeedsData)]
pub fn needs_data() -> Html {
    let Some(bench) = use_context::<Workbench>() else {
        return html! {};
    };
    html! {
        <div class="needs">
            <p>{ "This step works on real images. Load CIFAR-10 (or the offline demo set) first:" }</p>
            <DataPanel data={bench.state.data.clone()} served={bench.served}
                on_served={bench.on_served.clone()} on_files={bench.on_files.clone()} on_synthetic={bench.on_synthetic.clone()} />
        </div>
    }
}

/// Shown in place of a step's working part while there is no trained model.
#[function_component(NeedsModel)]
pub fn needs_model() -> Html {
    html! {
        <div class="needs" role="note">
            <p>{ "This step looks at a trained model, and there is none yet. " }
                <Link<Route> to={Route::Lesson { n: 5 }}>{ "Train one in step 5" }</Link<Route>>
                { " (the quick class run takes a few minutes), or load saved weights on " }
                <Link<Route> to={Route::Runs}>{ "your runs" }</Link<Route>>{ "." }</p>
        </div>
    }
}
