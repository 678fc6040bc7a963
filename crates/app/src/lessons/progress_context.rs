//! The learner's progress, offered to the table of contents, the lessons and the quizzes.

use yew::prelude::*;

use super::progress::{self, Progress};

/// The progress and a way to change it (saved on every change).
#[derive(Clone, PartialEq)]
pub struct CourseProgress {
    /// Steps visited and answers given.
    pub progress: Progress,
    /// Replace the progress.
    pub set: Callback<Progress>,
}

impl CourseProgress {
    /// Change the progress with `f` (skipped when nothing changes).
    pub fn update(&self, f: impl FnOnce(&mut Progress)) {
        let mut p = self.progress.clone();
        f(&mut p);
        if p != self.progress {
            self.set.emit(p);
        }
    }
}

/// The provider's properties.
#[derive(Properties, PartialEq)]
pub struct ProgressProviderProps {
    /// The pages.
    pub children: Html,
}

/// Holds the progress (from localStorage) and saves each change.
#[function_component(ProgressProvider)]
pub fn progress_provider(props: &ProgressProviderProps) -> Html {
    let state = use_state(progress::load);
    let set = {
        let state = state.clone();
        Callback::from(move |p: Progress| {
            progress::save(&p);
            state.set(p);
        })
    };
    let context = CourseProgress {
        progress: (*state).clone(),
        set,
    };
    html! {
        <ContextProvider<CourseProgress> context={context}>
            { props.children.clone() }
        </ContextProvider<CourseProgress>>
    }
}
