//! The app's frame: header, the page, footer.

use yew::prelude::*;

use crate::pages::trainer::TrainerPage;

/// The whole app.
#[function_component(App)]
pub fn app() -> Html {
    // The static "Loading the lab…" line in index.html goes once the app is drawn.
    use_effect_with((), |_| {
        if let Some(el) = gloo::utils::document().get_element_by_id("loading") {
            el.remove();
        }
    });
    html! {
        <>
            <a class="skip" href="#main">{ "Skip to the trainer" }</a>
            <header>
                <h1>{ "CIFAR-10 CNN Lab" }</h1>
                <p class="tagline">{ "Train the tutorial's 4-layer and 6-layer CNNs on CIFAR-10, live in this tab." }</p>
            </header>
            <main id="main">
                <TrainerPage />
            </main>
            <footer>
                <p class="muted">{ "Everything runs in your browser: images and models never leave this tab." }</p>
            </footer>
        </>
    }
}
