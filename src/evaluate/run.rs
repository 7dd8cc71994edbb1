//! Runs the jobs of an evaluation (one per model and snippet) with bounded concurrency, writing each
//! outcome into the evaluation as it arrives (published to the views a few times a second, see
//! `publish`), so progress and figures update live and finished results survive a cancel or a failure.

use super::control::Epochs;
use super::publish::Publisher;
use super::score::{score_job, JobInput};
use crate::api::batch::Batcher;
use leptos::prelude::*;
use leptos::task::spawn_local;
use likely_core::evaluation::Evaluation;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

/// Jobs under way at once, over all models: enough callers to fill the batches in flight (the batching
/// client sends their windows together; without the batch route, four at a time).
pub const CONCURRENCY: usize = crate::api::batch::CALLERS;

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
            if matches!(
                run.outcomes.get(snippet),
                Some(likely_core::results::Outcome::Pending)
            ) {
                jobs.push(Job {
                    model: run.model.name.clone(),
                    snippet,
                });
            }
        }
    }
    jobs
}

/// Scores `jobs` into `evaluation`, `CONCURRENCY` jobs at a time, their windows sent in batches by one
/// client; `running` is true until the last worker
/// stops (all done, or cancelled through `epochs`).
pub fn start_jobs(
    evaluation: RwSignal<Option<Evaluation>>,
    jobs: Vec<Job>,
    epochs: &Epochs,
    running: RwSignal<bool>,
) {
    let control = epochs.start();
    if jobs.is_empty() {
        running.set(false);
        return;
    }
    running.set(true);
    let publisher = Publisher::new(evaluation);
    let client = Batcher::new(control.abort_signal());
    let queue = Rc::new(RefCell::new(VecDeque::from(jobs)));
    let workers = CONCURRENCY.min(queue.borrow().len());
    let active = Rc::new(std::cell::Cell::new(workers));
    for _ in 0..workers {
        let queue = queue.clone();
        let active = active.clone();
        let control = control.clone();
        let publisher = publisher.clone();
        let client = client.clone();
        spawn_local(async move {
            loop {
                if control.cancelled() {
                    break;
                }
                let Some(job) = queue.borrow_mut().pop_front() else {
                    break;
                };
                let Some(input) = job_input(evaluation, &job) else {
                    continue;
                };
                let Some(outcome) = score_job(&input, &control, &client).await else {
                    break;
                };
                if control.cancelled() {
                    break;
                }
                publisher.update(|current| {
                    if let Some(current) = current {
                        let _ = current.set_outcome(&job.model, job.snippet, outcome);
                    }
                });
            }
            active.set(active.get() - 1);
            if active.get() == 0 {
                // What arrived since the last publication, also after a cancel.
                publisher.flush();
                if !control.cancelled() {
                    running.set(false);
                }
            }
        });
    }
}

fn job_input(evaluation: RwSignal<Option<Evaluation>>, job: &Job) -> Option<JobInput> {
    evaluation.with_untracked(|current| {
        let current = current.as_ref()?;
        Some(JobInput {
            model: current.results_of(&job.model)?.model.clone(),
            text: current.snippets.get(job.snippet)?.text.clone(),
            params: current.params_for(&job.model),
        })
    })
}
