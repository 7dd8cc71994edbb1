//! Scores a text under one model through the Generate API and computes its figures in the browser.

use crate::api;
use likely_core::{prompt_scores, GenerateRequest, ModelMetrics, ScoredToken};

/// One model's result over the evaluated text.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelResult {
    /// The model's name.
    pub model: String,
    /// The prompt's tokens with their scores.
    pub tokens: Vec<ScoredToken>,
    /// The figures; `None` when the text has a single token, which cannot be scored.
    pub metrics: Option<ModelMetrics>,
}

/// Scores `text` under `model` with the worked example's Generate parameters.
pub async fn score_snippet(model: &str, text: &str) -> Result<ModelResult, String> {
    let request = GenerateRequest::scoring(model, text);
    let answer = api::generate(&request)
        .await
        .map_err(|failure| format!("{model}: {failure}"))?;
    let tokens = prompt_scores(text, &answer).map_err(|error| format!("{model}: {error}"))?;
    let metrics = ModelMetrics::from_snippets([tokens.as_slice()]);
    Ok(ModelResult {
        model: model.to_string(),
        tokens,
        metrics,
    })
}
