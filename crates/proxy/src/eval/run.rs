//! `likely eval`'s driver of the scoring engine (`likely_core::scoring`): the engine plans the jobs,
//! windows, retries and progress; this sends its calls through the [`Scorer`] (each on its own task,
//! after the engine's backoff), four jobs under way like the page's first servers, and writes each
//! outcome into the evaluation as it arrives. A progress bar shows on standard error when it is a
//! terminal. Ctrl-C cancels the run: the tasks are aborted, which drops their requests in flight.

use super::failure::CallFailure;
use super::scorer::Scorer;
use indicatif::{ProgressBar, ProgressStyle};
use likely_core::evaluation::Evaluation;
use likely_core::scoring::{pending_jobs, Call, CallId, Engine, Settings, Step};
use likely_core::GenerateResponse;
use std::collections::HashMap;
use std::io::IsTerminal;
use std::time::Duration;
use tokio::task::{Id, JoinSet};

/// Jobs under way at once for each model: the on-board transformer runs the windows asked of it
/// at the same time in one pass (`likely_lm`'s batching), so sixteen at once score faster than
/// eight (BENCHMARKS.md); a model's own gate (`max_concurrent`, its queue) still decides how many
/// run.
pub const CONCURRENCY_PER_MODEL: usize = 16;

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunEnd {
    /// Every job has an outcome.
    Finished,
    /// Ctrl-C stopped it; finished outcomes are kept.
    Interrupted,
}

type Answer = Result<GenerateResponse, CallFailure>;

/// Scores the pending jobs of `evaluation` with `scorer`.
pub async fn run_jobs(scorer: &Scorer, evaluation: &mut Evaluation) -> RunEnd {
    let settings = Settings {
        concurrency: CONCURRENCY_PER_MODEL * evaluation.model_results().count().max(1),
        // Nothing retries a failed snippet later, so nothing is kept for it.
        keep_windows: false,
    };
    let mut engine = Engine::new(evaluation, pending_jobs(evaluation), settings);
    let progress = progress_bar(engine.progress().total);
    let mut calls: JoinSet<Answer> = JoinSet::new();
    // The call each task makes.
    let mut tasks: HashMap<Id, CallId> = HashMap::new();
    let interrupt = tokio::signal::ctrl_c();
    tokio::pin!(interrupt);
    loop {
        match engine.step() {
            Step::Call(call) => {
                let id = call.id;
                let task = calls.spawn(send(scorer.clone(), call));
                tasks.insert(task.id(), id);
            }
            Step::Finished(finished) => {
                // The job came from this evaluation, so the model and snippet exist.
                let _ = finished.record(evaluation);
                progress.set_position(engine.progress().finished as u64);
            }
            // Every job under way has its call on a task, so there is one to wait for.
            Step::Wait => tokio::select! {
                Some(joined) = calls.join_next_with_id() => {
                    let (task, answer) = match joined {
                        Ok(done) => done,
                        Err(error) => (error.id(), Err(task_failed(&error))),
                    };
                    if let Some(call) = tasks.remove(&task) {
                        engine.answer(call, answer, jitter());
                    }
                }
                _ = &mut interrupt => engine.cancel(),
            },
            Step::End => break,
        }
    }
    calls.abort_all();
    progress.finish_and_clear();
    if engine.cancelled() {
        RunEnd::Interrupted
    } else {
        RunEnd::Finished
    }
}

/// Makes `call` after its delay.
async fn send(scorer: Scorer, call: Call) -> Answer {
    if call.delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(u64::from(call.delay_ms))).await;
    }
    scorer.generate(call.request).await
}

/// The failure of a call whose task ended without an answer (final: not retried).
fn task_failed(error: &tokio::task::JoinError) -> CallFailure {
    CallFailure {
        status: Some(500),
        message: format!("the call's task failed: {error}"),
        retry_after_secs: None,
    }
}

/// A number in [0, 1) that spreads retries (the clock's sub-second nanoseconds).
fn jitter() -> f64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    f64::from(nanos) / 1e9
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
