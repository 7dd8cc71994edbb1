//! Scores one snippet with one model as the page does: cuts it into windows that fit the model's
//! context (`likely_core::windows`), asks for each with the one retry policy
//! (`likely_core::retry`), and stitches the windows' prompt tokens so each byte counts once.

use super::failure::CallFailure;
use super::scorer::Scorer;
use likely_core::params::GenerateParams;
use likely_core::results::{ModelSpec, Outcome};
use likely_core::retry::window_place;
use likely_core::windows::{plan_for, stitch};
use likely_core::{prompt_scores, GenerateResponse};
use std::time::Duration;

/// The outcome of `text` scored by `model` under `params`.
pub async fn score_snippet(
    scorer: &Scorer,
    model: &ModelSpec,
    text: &str,
    params: &GenerateParams,
) -> Outcome {
    let windows = plan_for(text, model.context_length, params);
    let mut per_window = Vec::with_capacity(windows.len());
    for (index, window) in windows.iter().enumerate() {
        let prompt = window.prompt(text);
        let request = params.request(model.name.clone(), prompt);
        let answer = match generate_with_retry(scorer, request).await {
            Ok(answer) => answer,
            Err(failure) => {
                return Outcome::Failed {
                    reason: format!("{failure}{}", window_place(index, windows.len())),
                };
            }
        };
        match prompt_scores(prompt, &answer) {
            Ok(tokens) => per_window.push(tokens),
            Err(error) => {
                return Outcome::Failed {
                    reason: format!("the answer could not be used: {error}"),
                }
            }
        }
    }
    match stitch(text, &windows, per_window) {
        Ok(result) => Outcome::Scored(result),
        Err(error) => Outcome::Failed {
            reason: format!("the windows could not be joined: {error}"),
        },
    }
}

/// One window's answer, retrying 429, 503 and lost connections as the page does.
async fn generate_with_retry(
    scorer: &Scorer,
    request: likely_core::GenerateRequest,
) -> Result<GenerateResponse, CallFailure> {
    let mut attempt = 1;
    loop {
        let failure = match scorer.generate(request.clone()).await {
            Ok(answer) => return Ok(answer),
            Err(failure) => failure,
        };
        match failure.retry_delay_ms(attempt, jitter()) {
            Some(delay) => {
                tokio::time::sleep(Duration::from_millis(u64::from(delay))).await;
                attempt += 1;
            }
            None => return Err(failure),
        }
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
