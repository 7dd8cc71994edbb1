//! Scores one snippet with one model: cuts it into windows that fit the model's context, asks the
//! Generate API for each through the run's batching client (retrying 429/503 with backoff, window by
//! window), and stitches the windows' prompt tokens.
//! When a window fails, the snippet's finished windows are kept (per model, text and parameters, until
//! the snippet is scored), so Retry failed asks only for the windows still missing.

use super::control::RunControl;
use super::retry::retry_delay_ms;
use crate::api::batch::Batcher;
use crate::api::ApiFailure;
use likely_core::params::GenerateParams;
use likely_core::results::{ModelSpec, Outcome};
use likely_core::windows::{plan_for, stitch, WindowProgress};
use likely_core::{prompt_scores, GenerateResponse};
use std::cell::RefCell;
use std::collections::HashMap;

/// Which snippet a window progress belongs to: model name, text and parameters (as JSON).
type SnippetKey = (String, String, String);

thread_local! {
    /// The finished windows of snippets that failed part-way.
    static UNFINISHED: RefCell<HashMap<SnippetKey, WindowProgress>> = RefCell::new(HashMap::new());
}

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
pub async fn score_job(
    input: &JobInput,
    control: &RunControl,
    client: &Batcher,
) -> Option<Outcome> {
    let key: SnippetKey = (
        input.model.name.clone(),
        input.text.clone(),
        serde_json::to_string(&input.params).unwrap_or_default(),
    );
    let windows = plan_for(&input.text, input.model.context_length, &input.params);
    let previous = UNFINISHED.with(|kept| kept.borrow_mut().remove(&key));
    let mut progress = WindowProgress::resume(windows, previous);
    let count = progress.windows().len();
    for index in progress.missing() {
        let window = progress.windows()[index];
        let prompt = window.prompt(&input.text);
        let failure = match generate_with_retry(input, prompt, control, client).await {
            None => {
                UNFINISHED.with(|kept| kept.borrow_mut().insert(key, progress));
                return None;
            }
            Some(Ok(answer)) => match prompt_scores(prompt, &answer) {
                Ok(tokens) => {
                    progress.finish(index, tokens);
                    continue;
                }
                Err(error) => format!("the answer could not be used: {error}"),
            },
            Some(Err(failure)) => failure.to_string(),
        };
        let place = if count > 1 {
            format!(
                " (window {} of {}; finished windows are kept)",
                index + 1,
                count
            )
        } else {
            String::new()
        };
        UNFINISHED.with(|kept| kept.borrow_mut().insert(key, progress));
        return Some(Outcome::Failed {
            reason: format!("{failure}{place}"),
        });
    }
    let windows = progress.windows().to_vec();
    Some(match progress.into_results() {
        Ok(per_window) => match stitch(&input.text, &windows, per_window) {
            Ok(result) => Outcome::Scored(result),
            Err(error) => Outcome::Failed {
                reason: format!("the windows could not be joined: {error}"),
            },
        },
        Err(_) => Outcome::Failed {
            reason: "a window is missing".into(),
        },
    })
}

/// One window's answer after retries; `None` when cancelled.
async fn generate_with_retry(
    input: &JobInput,
    prompt: &str,
    control: &RunControl,
    client: &Batcher,
) -> Option<Result<GenerateResponse, ApiFailure>> {
    let request = input.params.request(input.model.name.clone(), prompt);
    let mut attempt = 1;
    loop {
        if control.cancelled() {
            return None;
        }
        let result = client.generate(request.clone()).await;
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
