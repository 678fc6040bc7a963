//! One step of the course: its place in the course, its working part, its questions, and
//! the way to the previous and next steps.

use yew::prelude::*;
use yew_router::prelude::*;

use super::catalogue::{LESSONS, lesson};
use super::progress_context::CourseProgress;
use super::quiz::Quiz;
use super::toc::Toc;
use crate::pages::trainer::TrainerPage;
use crate::routes::Route;

/// The page's properties.
#[derive(Properties, PartialEq)]
pub struct LessonPageProps {
    /// The step, 1 to 9.
    pub n: usize,
}

fn body(n: usize) -> Html {
    match n {
        1 => html! { <super::intro::Intro /> },
        2 => html! { <super::dataset::DatasetLesson /> },
        3 => html! { <super::convolution::ConvolutionLesson /> },
        4 => html! { <super::build::BuildLesson /> },
        5 => html! {
            <>
                <p class="lead">{ "Time to train. The settings start at the tutorial's; the \"Quick class run\" preset (3 epochs on 5,000 images) finishes in a few minutes on a laptop's CPU, and a GPU makes the full tutorial possible. You can read the other steps while it trains: the run goes on." }</p>
                <TrainerPage />
            </>
        },
        6 => html! { <super::evaluate::EvaluateLesson /> },
        7 => html! { <super::compare::CompareLesson /> },
        8 => html! { <super::inside::InsideLesson /> },
        _ => html! { <super::own_image::OwnImageLesson /> },
    }
}

/// The step, with contents beside it.
#[function_component(LessonPage)]
pub fn lesson_page(props: &LessonPageProps) -> Html {
    let course = use_context::<CourseProgress>();
    let heading = use_node_ref();
    {
        let heading = heading.clone();
        use_effect_with(props.n, move |&n| {
            if let Some(c) = course {
                c.update(|p| {
                    p.visited.insert(n);
                });
            }
            // A new step: start at its top, and tell screen readers where they are.
            if let Some(w) = web_sys::window() {
                w.scroll_to_with_x_and_y(0.0, 0.0);
            }
            if let Some(h) = heading.cast::<web_sys::HtmlElement>() {
                let _ = h.focus();
            }
            if let Some(l) = lesson(n) {
                gloo::utils::document()
                    .set_title(&format!("{}. {} · CIFAR-10 CNN Lab", n, l.title));
            }
        });
    }
    let Some(l) = lesson(props.n) else {
        return html! {};
    };
    let n = props.n;
    html! {
        <div class="course">
            <aside class="course-side"><Toc current={n} /></aside>
            <article class="lesson" aria-labelledby="lesson-h">
                <p class="step-of">{ format!("Step {} of {}", n, LESSONS.len()) }</p>
                <h2 id="lesson-h" ref={heading} tabindex="-1">{ l.title }</h2>
                { body(n) }
                <Quiz n={n} />
                <nav class="pager" aria-label="Previous and next step">
                    if let Some(prev) = lesson(n - 1) {
                        <Link<Route> to={Route::Lesson { n: n - 1 }} classes="prev">{ format!("← {}. {}", prev.n, prev.title) }</Link<Route>>
                    }
                    if let Some(next) = lesson(n + 1) {
                        <Link<Route> to={Route::Lesson { n: n + 1 }} classes="next">{ format!("{}. {} →", next.n, next.title) }</Link<Route>>
                    }
                </nav>
            </article>
        </div>
    }
}
