//! The app's frame: header with the course's navigation, the routed page, footer.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::resume_offer::InterruptedRun;
use crate::lessons::catalogue;
use crate::lessons::home::Home;
use crate::lessons::page::LessonPage;
use crate::lessons::progress_context::ProgressProvider;
use crate::pages::runs::RunsPage;
use crate::routes::Route;
use crate::workbench::WorkbenchProvider;

/// Moves keyboard focus to the main content (the skip link; a plain `#main` link would
/// be taken for a route).
fn skip_to_main(e: MouseEvent) {
    e.prevent_default();
    if let Some(main) = gloo::utils::document().get_element_by_id("main")
        && let Ok(main) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(main)
    {
        let _ = main.focus();
    }
}

/// The page for `route`.
pub fn switch(route: Route) -> Html {
    match route {
        Route::Home => html! { <Home /> },
        Route::Lesson { n } if catalogue::lesson(n).is_some() => {
            html! { <LessonPage n={n} /> }
        }
        Route::Runs => html! { <RunsPage /> },
        Route::Lesson { .. } | Route::NotFound => html! {
            <section class="panel">
                <h2>{ "No such page" }</h2>
                <p>{ "This address is not part of the course. " }
                    <Link<Route> to={Route::Home}>{ "See all the steps" }</Link<Route>></p>
            </section>
        },
    }
}

/// The whole app.
#[function_component(App)]
pub fn app() -> Html {
    // The static "Loading the lab…" line in index.html goes once the app is drawn, and the
    // moment is marked for the benchmarks (`performance.mark`, read by bench/first-lesson.mjs
    // in every engine: milliseconds from navigation to the first page drawn).
    use_effect_with((), |_| {
        if let Some(el) = gloo::utils::document().get_element_by_id("loading") {
            el.remove();
        }
        if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
            let _ = p.mark("cnnlab-first-render");
        }
    });
    html! {
        <HashRouter>
            <WorkbenchProvider>
                <ProgressProvider>
                    <a class="skip" href="#main" onclick={Callback::from(skip_to_main)}>{ "Skip to the content" }</a>
                    <header>
                        <h1><Link<Route> to={Route::Home}>{ "CIFAR-10 CNN Lab" }</Link<Route>></h1>
                        <p class="tagline">{ "How a convolutional network learns to see: nine short steps, with the tutorial's 4-layer and 6-layer CNNs trained live in this tab." }</p>
                        <nav class="top-nav" aria-label="Site">
                            <Link<Route> to={Route::Home}>{ "Course" }</Link<Route>>
                            <Link<Route> to={Route::Lesson { n: 5 }}>{ "Trainer" }</Link<Route>>
                            <Link<Route> to={Route::Runs}>{ "Your runs" }</Link<Route>>
                        </nav>
                    </header>
                    <main id="main" tabindex="-1">
                        <InterruptedRun />
                        <Switch<Route> render={switch} />
                    </main>
                    <footer>
                        <p class="muted">{ "Everything runs in your browser: images and models never leave this tab." }</p>
                    </footer>
                </ProgressProvider>
            </WorkbenchProvider>
        </HashRouter>
    }
}
