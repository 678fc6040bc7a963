//! A step's check-your-understanding questions: each answers at once, says whether the
//! choice was right and explains the right answer. Answers are kept with the progress.

use yew::prelude::*;

use super::catalogue::lesson;
use super::progress_context::CourseProgress;

/// The quiz's properties.
#[derive(Properties, PartialEq)]
pub struct QuizProps {
    /// The step.
    pub n: usize,
}

/// The questions of step `n`.
#[function_component(Quiz)]
pub fn quiz(props: &QuizProps) -> Html {
    let Some(course) = use_context::<CourseProgress>() else {
        return html! {};
    };
    let Some(l) = lesson(props.n) else {
        return html! {};
    };
    let n = props.n;
    html! {
        <section class="panel quiz" aria-labelledby="quiz-h">
            <h2 id="quiz-h">{ "Check your understanding" }</h2>
            { for l.questions.iter().enumerate().map(|(q, question)| {
                let chosen = course.progress.chosen(n, q);
                let group = format!("q-{n}-{q}");
                html! {
                    <fieldset class="question">
                        <legend>{ question.prompt }</legend>
                        { for question.options.iter().enumerate().map(|(o, option)| {
                            let course = course.clone();
                            let id = format!("{group}-{o}");
                            let onchange = Callback::from(move |_| course.update(|p| p.answer(n, q, o)));
                            html! {
                                <div class="option">
                                    <input type="radio" id={id.clone()} name={group.clone()} checked={chosen == Some(o)} {onchange} />
                                    <label for={id}>{ *option }</label>
                                </div>
                            }
                        }) }
                        if let Some(c) = chosen {
                            <p class={if c == question.answer { "feedback right" } else { "feedback wrong" }} role="status">
                                <strong>{ if c == question.answer { "Right. " } else { "Not quite. " } }</strong>
                                if c != question.answer {
                                    { format!("The answer is \"{}\". ", question.options[question.answer]) }
                                }
                                { question.why }
                            </p>
                        }
                    </fieldset>
                }
            }) }
        </section>
    }
}
