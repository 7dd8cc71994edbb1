//! Runs every pending (model, snippet) job of an evaluation, snippet by snippet, four requests at a
//! time like the page, writing each outcome into the evaluation as it arrives. A progress bar shows
//! on standard error when it is a terminal. Ctrl-C stops the run: the workers are aborted, which
//! drops their requests in flight.

use super::score::score_snippet;
use super::scorer::Scorer;
use indicatif::{ProgressBar, ProgressStyle};
use likely_core::evaluation::Evaluation;
use likely_core::results::{ModelSpec, Outcome};
use std::collections::VecDeque;
use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

/// Requests in flight at once, over all models (the page's number).
pub const CONCURRENCY: usize = 4;

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunEnd {
    /// Every job has an outcome.
    Finished,
    /// Ctrl-C stopped it; finished outcomes are kept.
    Interrupted,
}

/// One snippet to score with one model.
struct Job {
    model: ModelSpec,
    snippet: usize,
    text: String,
}

/// Every pending job of `evaluation`, snippet by snippet.
fn pending_jobs(evaluation: &Evaluation) -> VecDeque<Job> {
    let mut jobs = VecDeque::new();
    for (snippet, text) in evaluation.snippets.iter().enumerate() {
        for run in evaluation.model_results() {
            if matches!(run.outcomes.get(snippet), Some(Outcome::Pending)) {
                jobs.push_back(Job {
                    model: run.model.clone(),
                    snippet,
                    text: text.text.clone(),
                });
            }
        }
    }
    jobs
}

/// Scores the pending jobs of `evaluation` with `scorer`.
pub async fn run_jobs(scorer: &Scorer, evaluation: &mut Evaluation) -> RunEnd {
    let queue = pending_jobs(evaluation);
    let progress = progress_bar(queue.len());
    let queue = Arc::new(Mutex::new(queue));
    let (sender, mut outcomes) = mpsc::unbounded_channel::<(String, usize, Outcome)>();
    let mut workers = JoinSet::new();
    for _ in 0..CONCURRENCY {
        let queue = Arc::clone(&queue);
        let sender = sender.clone();
        let scorer = scorer.clone();
        // Each model's parameters: `top_logprobs` only where a compared model shares its tokenizer.
        let params: std::collections::HashMap<String, _> = evaluation
            .model_names()
            .map(|name| (name.to_string(), evaluation.params_for(name)))
            .collect();
        workers.spawn(async move {
            loop {
                let next = queue.lock().ok().and_then(|mut jobs| jobs.pop_front());
                let Some(job) = next else { break };
                let Some(params) = params.get(&job.model.name) else {
                    break;
                };
                let outcome = score_snippet(&scorer, &job.model, &job.text, params).await;
                if sender.send((job.model.name, job.snippet, outcome)).is_err() {
                    break;
                }
            }
        });
    }
    drop(sender);
    let interrupt = tokio::signal::ctrl_c();
    tokio::pin!(interrupt);
    let end = loop {
        tokio::select! {
            received = outcomes.recv() => match received {
                Some((model, snippet, outcome)) => {
                    // The job came from this evaluation, so the model and snippet exist.
                    let _ = evaluation.set_outcome(&model, snippet, outcome);
                    progress.inc(1);
                }
                None => break RunEnd::Finished,
            },
            _ = &mut interrupt => break RunEnd::Interrupted,
        }
    };
    workers.abort_all();
    progress.finish_and_clear();
    end
}

/// A bar on standard error when it is a terminal; hidden otherwise (logs and CI).
fn progress_bar(jobs: usize) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(jobs as u64);
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} scoring [{bar:30}] {pos}/{len} (model, snippet) jobs ({eta})",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}
