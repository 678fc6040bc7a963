//! The table of contents: every step, which one is open, which are visited and passed.

use yew::prelude::*;
use yew_router::prelude::*;

use super::catalogue::LESSONS;
use super::progress_context::CourseProgress;
use crate::routes::Route;

/// The contents' properties.
#[derive(Properties, PartialEq)]
pub struct TocProps {
    /// The open step (0 for none).
    #[prop_or(0)]
    pub current: usize,
    /// Show each step's one-line summary.
    #[prop_or(false)]
    pub summaries: bool,
}

/// An ordered list of the steps with their state.
#[function_component(Toc)]
pub fn toc(props: &TocProps) -> Html {
    let progress = use_context::<CourseProgress>()
        .map(|c| c.progress)
        .unwrap_or_default();
    html! {
        <nav class="toc" aria-label="Course steps">
            <p class="toc-head">{ format!("Progress: {} of {} steps passed", progress.passed_count(), LESSONS.len()) }</p>
            <ol>
                { for LESSONS.iter().map(|l| {
                    let passed = progress.passed(l.n);
                    let visited = progress.visited.contains(&l.n);
                    let (mark, state) = if passed { ("✓", "passed") } else if visited { ("•", "visited") } else { ("", "not started") };
                    let current = (l.n == props.current).then_some("page");
                    html! {
                        <li class={classes!(passed.then_some("passed"), current.map(|_| "current"))}>
                            <Link<Route> to={Route::Lesson { n: l.n }}>
                                <span class="toc-mark" aria-hidden="true">{ mark }</span>
                                <span aria-current={current}>{ format!("{}. {}", l.n, l.title) }</span>
                                <span class="visually-hidden">{ format!(" ({state})") }</span>
                            </Link<Route>>
                            if props.summaries {
                                <p class="muted">{ l.summary }</p>
                            }
                        </li>
                    }
                }) }
            </ol>
        </nav>
    }
}
