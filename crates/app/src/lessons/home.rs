//! The course's front page: what it teaches and every step with the learner's progress.

use yew::prelude::*;
use yew_router::prelude::*;

use super::progress_context::CourseProgress;
use super::toc::Toc;
use crate::routes::Route;

/// The front page.
#[function_component(Home)]
pub fn home() -> Html {
    use_effect_with((), |_| {
        gloo::utils::document().set_title("CIFAR-10 CNN Lab")
    });
    let progress = use_context::<CourseProgress>()
        .map(|c| c.progress)
        .unwrap_or_default();
    let next = (1..=9).find(|n| !progress.passed(*n)).unwrap_or(1);
    html! {
        <section class="panel home" aria-labelledby="home-h">
            <h2 id="home-h">{ "The course" }</h2>
            <p class="lead">{ "A convolutional neural network (CNN) learns to tell airplanes from cats from trucks by looking at thousands of labelled photos. In nine steps you will see the photos, work out what a convolution does, build the tutorial's two networks layer by layer, train one in this tab, and then look inside it: what it gets wrong, what its filters see, and what it makes of your own photo." }</p>
            <p>
                <Link<Route> to={Route::Lesson { n: next }} classes="button primary">
                    { if progress.visited.is_empty() { "Start with step 1".to_string() } else { format!("Continue with step {next}") } }
                </Link<Route>>
            </p>
            <Toc summaries=true />
        </section>
    }
}
