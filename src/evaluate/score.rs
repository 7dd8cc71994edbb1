//! Scores one snippet with one model: cuts it into windows that fit the model's context, asks the
//! Generate API for each (retrying 429/503 with backoff), and stitches the windows' prompt tokens.

use super::control::RunControl;
use super::retry::retry_delay_ms;
use crate::api::{self, ApiFailure};
use likely_core::params::GenerateParams;
use likely_core::results::{ModelSpec, Outcome};
use likely_core::windows::{plan_for, stitch};
use likely_core::{prompt_scores, GenerateResponse};

/// What one job needs: the model, the text and the parameters.
#[derive(Debug, Clone)]
pub struct JobInput {
    /// The model to ask.
    pub model: ModelSpec,
    /// The snippet's text.
    pub text: String,
    /// The Generate parameters.
    pub params: GenerateParams,
}

/// The snippet's outcome, or `None` when the run was cancelled first.
pub async fn score_job(input: &JobInput, control: &RunControl) -> Option<Outcome> {
    let windows = plan_for(&input.text, input.model.context_length, &input.params);
    let mut per_window = Vec::with_capacity(windows.len());
    for (index, window) in windows.iter().enumerate() {
        let prompt = window.prompt(&input.text);
        let answer = match generate_with_retry(input, prompt, control).await? {
            Ok(answer) => answer,
            Err(failure) => {
                let place = if windows.len() > 1 {
                    format!(" (window {} of {})", index + 1, windows.len())
                } else {
                    String::new()
                };
                return Some(Outcome::Failed {
                    reason: format!("{failure}{place}"),
                });
            }
        };
        match prompt_scores(prompt, &answer) {
            Ok(tokens) => per_window.push(tokens),
            Err(error) => {
                return Some(Outcome::Failed {
                    reason: format!("the answer could not be used: {error}"),
                })
            }
        }
    }
    Some(match stitch(&input.text, &windows, per_window) {
        Ok(result) => Outcome::Scored(result),
        Err(error) => Outcome::Failed {
            reason: format!("the windows could not be joined: {error}"),
        },
    })
}

/// One window's answer after retries; `None` when cancelled.
async fn generate_with_retry(
    input: &JobInput,
    prompt: &str,
    control: &RunControl,
) -> Option<Result<GenerateResponse, ApiFailure>> {
    let request = input.params.request(input.model.name.clone(), prompt);
    let mut attempt = 1;
    loop {
        if control.cancelled() {
            return None;
        }
        let result = api::generate(&request, control.abort_signal().as_ref()).await;
        if control.cancelled() {
            return None;
        }
        let failure = match result {
            Ok(answer) => return Some(Ok(answer)),
            Err(failure) => failure,
        };
        match retry_delay_ms(&failure, attempt, js_sys::Math::random()) {
            Some(delay) => {
                gloo_timers::future::TimeoutFuture::new(delay).await;
                attempt += 1;
            }
            None => return Some(Err(failure)),
        }
    }
}
