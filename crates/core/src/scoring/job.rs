//! One job under way: its snippet's windows (resumed from kept ones), the window being asked and the
//! attempt; the request to send, what an answer or a failure leads to (the next window, the same one
//! again after a wait, or the outcome), and a failure's words.

use super::retry::CallFailure;
use super::windows::{stitch, WindowProgress};
use crate::evaluation::params::GenerateParams;
use crate::evaluation::results::Outcome;
use crate::wire::scores::prompt_scores;
use crate::wire::{GenerateRequest, GenerateResponse};

/// A job asking for its windows one at a time.
#[derive(Debug)]
pub(crate) struct ActiveJob {
    /// The job's model (an index into the engine's models).
    pub(crate) model: usize,
    /// The job's snippet.
    pub(crate) snippet: usize,
    progress: WindowProgress,
    /// The window being asked.
    window: usize,
    /// The attempt at it, from 1.
    attempt: u32,
}

/// What follows an answer.
#[derive(Debug)]
pub(crate) enum Next {
    /// Ask for the job's current window (the next one, or the same again) after `delay_ms`.
    Ask(ActiveJob, u32),
    /// The job is over.
    Done {
        /// Its outcome.
        outcome: Outcome,
        /// Its finished windows when it failed part-way (to keep for a later run).
        unfinished: Option<WindowProgress>,
    },
}

impl ActiveJob {
    /// A job over `progress`, or its outcome at once when no window is missing.
    pub(crate) fn start(
        model: usize,
        snippet: usize,
        text: &str,
        progress: WindowProgress,
    ) -> Result<ActiveJob, Outcome> {
        match progress.missing().first() {
            Some(&window) => Ok(ActiveJob {
                model,
                snippet,
                progress,
                window,
                attempt: 1,
            }),
            None => Err(finish(text, progress)),
        }
    }

    /// The request for the current window.
    pub(crate) fn request(
        &self,
        text: &str,
        model: &str,
        params: &GenerateParams,
    ) -> GenerateRequest {
        let prompt = self.progress.windows()[self.window].prompt(text);
        params.request(model, prompt)
    }

    /// What follows `result` for the current window; `jitter` in [0, 1) spreads retries, `keeps` says
    /// whether the finished windows of a failed snippet are kept (and the failure says so).
    pub(crate) fn answered(
        mut self,
        text: &str,
        result: Result<GenerateResponse, CallFailure>,
        jitter: f64,
        keeps: bool,
    ) -> Next {
        let place = place(self.window, self.progress.windows().len(), keeps);
        let reason = match result {
            Ok(answer) => {
                let prompt = self.progress.windows()[self.window].prompt(text);
                match prompt_scores(prompt, &answer) {
                    Ok(tokens) => {
                        self.progress.finish(self.window, tokens);
                        return match self.progress.missing().first() {
                            Some(&next) => {
                                self.window = next;
                                self.attempt = 1;
                                Next::Ask(self, 0)
                            }
                            None => Next::Done {
                                outcome: finish(text, self.progress),
                                unfinished: None,
                            },
                        };
                    }
                    // `likely eval` (which keeps nothing) never said where an unusable answer was.
                    Err(error) if keeps => format!("the answer could not be used: {error}{place}"),
                    Err(error) => format!("the answer could not be used: {error}"),
                }
            }
            Err(failure) => match failure.retry_delay_ms(self.attempt, jitter) {
                Some(delay_ms) => {
                    self.attempt += 1;
                    return Next::Ask(self, delay_ms);
                }
                None => format!("{failure}{place}"),
            },
        };
        Next::Done {
            outcome: Outcome::Failed { reason },
            unfinished: Some(self.progress),
        }
    }

    /// The finished windows so far.
    pub(crate) fn into_progress(self) -> WindowProgress {
        self.progress
    }
}

/// Where in a snippet a failure happened: ` (window 2 of 3)` (with `; finished windows are kept` when
/// they are), or nothing when the snippet fit in one window (`index` is 0-based).
fn place(index: usize, windows: usize, keeps: bool) -> String {
    match (windows > 1, keeps) {
        (false, _) => String::new(),
        (true, true) => format!(
            " (window {} of {windows}; finished windows are kept)",
            index + 1
        ),
        (true, false) => format!(" (window {} of {windows})", index + 1),
    }
}

/// The outcome of a snippet whose windows are all finished: their tokens stitched.
fn finish(text: &str, progress: WindowProgress) -> Outcome {
    let windows = progress.windows().to_vec();
    match progress.into_results() {
        Ok(per_window) => match stitch(text, &windows, per_window) {
            Ok(result) => Outcome::Scored(result),
            Err(error) => Outcome::Failed {
                reason: format!("the windows could not be joined: {error}"),
            },
        },
        Err(_) => Outcome::Failed {
            reason: "a window is missing".into(),
        },
    }
}
