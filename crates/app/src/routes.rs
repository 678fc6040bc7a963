//! The app's addresses. Hash routes (`#/lesson/6`) work on any static host and under any
//! sub-path, so a teacher's link to a step opens that step wherever the site is deployed.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::lessons::home::Home;
use crate::lessons::page::LessonPage;
use crate::pages::runs::RunsPage;

/// Every page.
#[derive(Clone, Debug, PartialEq, Eq, Routable)]
pub enum Route {
    /// The course's contents.
    #[at("/")]
    Home,
    /// One step of the course, 1 to 9.
    #[at("/lesson/:n")]
    Lesson {
        /// The step.
        n: usize,
    },
    /// Runs kept in this browser.
    #[at("/runs")]
    Runs,
    /// Anything else.
    #[not_found]
    #[at("/404")]
    NotFound,
}

/// The page for `route`.
pub fn switch(route: Route) -> Html {
    match route {
        Route::Home => html! { <Home /> },
        Route::Lesson { n } if crate::lessons::catalogue::lesson(n).is_some() => {
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
