//! The app's addresses. Hash routes (`#/lesson/6`) work on any static host and under any
//! sub-path, so a teacher's link to a step opens that step wherever the site is deployed.
//!
//! Only the addresses live here (every page links with them); which page each one shows
//! is the app's frame's business (`app::switch`), so pages and routes do not import each
//! other.

use yew_router::prelude::*;

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
