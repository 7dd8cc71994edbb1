//! `POST /v1/completions`: OpenAI's legacy completions for scoring tools (lm-evaluation-harness's
//! `local-completions` and the like), answered for any model of the table. Each prompt goes through the
//! same path as `/v1/generate` (validation, limits, the model's backend), one after another; errors are
//! OpenAI's `{"error": {"message", "type", "code"}}` with the status and headers `/v1/generate` gives.

use super::generate::{answer, rejected};
use crate::backends::normalise::next_id;
use crate::completions::{choice, response, CompletionsRequest, CompletionsResponse, ErrorBody};
use crate::error::AppError;
use crate::state::AppState;
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use std::time::{SystemTime, UNIX_EPOCH};

/// An [`AppError`] answered in OpenAI's error shape.
pub struct OpenAiError(AppError);

impl From<AppError> for OpenAiError {
    fn from(error: AppError) -> Self {
        OpenAiError(error)
    }
}

impl IntoResponse for OpenAiError {
    fn into_response(self) -> Response {
        let message = self.0.to_string();
        // The AppError's own response logs the failure once and sets the status and headers.
        let (parts, _) = self.0.into_response().into_parts();
        let body = Json(ErrorBody::new(parts.status.as_u16(), message));
        (parts, body).into_response()
    }
}

/// Scores (and, with `max_tokens` above 0, continues) each prompt with the named model.
pub async fn completions(
    State(state): State<AppState>,
    body: Result<Json<CompletionsRequest>, JsonRejection>,
) -> Result<Json<CompletionsResponse>, OpenAiError> {
    let Json(request) = body.map_err(|rejection| rejected(&state, &rejection, "a completions"))?;
    let prompts = request.prompts()?;
    let mut parts = Vec::with_capacity(prompts.len());
    for (index, prompt) in prompts.into_iter().enumerate() {
        let generate = request.generate_request(prompt)?;
        let answered = answer(&state, generate).await?;
        parts.push(choice(
            &request.model,
            index,
            prompt,
            &answered,
            request.echo,
            request.logprobs,
        )?);
    }
    let created = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs())
        .unwrap_or_default();
    Ok(Json(response(
        next_id("cmpl"),
        created,
        request.model.clone(),
        parts,
    )))
}
