//! A learner's progress through the course: steps visited and answers given, kept in
//! localStorage so a reload (or tomorrow's lesson) starts where the learner left off.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::catalogue::{LESSONS, lesson};

/// Steps visited and answers chosen.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// Steps opened at least once.
    pub visited: BTreeSet<usize>,
    /// Chosen option per question, keyed `"<step>.<question>"`.
    pub answers: BTreeMap<String, usize>,
}

impl Progress {
    /// The option chosen for question `q` of step `n`.
    pub fn chosen(&self, n: usize, q: usize) -> Option<usize> {
        self.answers.get(&format!("{n}.{q}")).copied()
    }

    /// Record an answer.
    pub fn answer(&mut self, n: usize, q: usize, option: usize) {
        self.answers.insert(format!("{n}.{q}"), option);
    }

    /// Whether every question of step `n` has its right answer chosen.
    pub fn passed(&self, n: usize) -> bool {
        lesson(n).is_some_and(|l| {
            l.questions
                .iter()
                .enumerate()
                .all(|(q, question)| self.chosen(n, q) == Some(question.answer))
        })
    }

    /// Steps passed.
    pub fn passed_count(&self) -> usize {
        LESSONS.iter().filter(|l| self.passed(l.n)).count()
    }
}

const KEY: &str = "cnnlab.progress.v1";

/// The saved progress (none when storage is off or holds something unreadable).
pub fn load() -> Progress {
    use gloo::storage::{LocalStorage, Storage};
    LocalStorage::get(KEY).unwrap_or_default()
}

/// Save the progress.
pub fn save(progress: &Progress) {
    use gloo::storage::{LocalStorage, Storage};
    let _ = LocalStorage::set(KEY, progress);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_is_passed_once_every_question_has_its_right_answer() {
        let mut p = Progress::default();
        let step = lesson(3).unwrap();
        assert!(!p.passed(3));
        for (q, question) in step.questions.iter().enumerate() {
            p.answer(3, q, (question.answer + 1) % question.options.len());
        }
        assert!(!p.passed(3), "wrong answers do not pass");
        for (q, question) in step.questions.iter().enumerate() {
            p.answer(3, q, question.answer);
        }
        assert!(p.passed(3));
        assert_eq!(p.passed_count(), 1);
        let text = serde_json::to_string(&p).unwrap();
        assert_eq!(serde_json::from_str::<Progress>(&text).unwrap(), p);
    }
}
