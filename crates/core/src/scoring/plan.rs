//! What a run scores: one job per (model, snippet) whose outcome is still pending, snippet by snippet
//! (every model's job for the first snippet, then the second's…), so the figures of all models grow
//! together.

use crate::evaluation::results::Outcome;
use crate::evaluation::Evaluation;

/// One snippet to score with one model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// The model's name.
    pub model: String,
    /// The snippet's index.
    pub snippet: usize,
}

/// Every (model, snippet) job of `evaluation` that is still pending, snippet by snippet.
pub fn pending_jobs(evaluation: &Evaluation) -> Vec<Job> {
    let mut jobs = Vec::new();
    for snippet in 0..evaluation.snippets.len() {
        for run in evaluation.model_results() {
            if matches!(run.outcomes.get(snippet), Some(Outcome::Pending)) {
                jobs.push(Job {
                    model: run.model.name.clone(),
                    snippet,
                });
            }
        }
    }
    jobs
}
