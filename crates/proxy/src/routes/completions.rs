//! `POST /v1/completions`: OpenAI's legacy completions for scoring tools (lm-evaluation-harness's
//! `local-completions` and the like), answered for any model of the table. Each prompt goes through the
//! same path as `/v1/generate` (validation, limits, the model's backend), one after another; errors are
//! OpenAI's `{"error": {"message", "type", "code"}}` with the status and headers `/v1/generate` gives.
//!
//! A prompt of token ids is scored as exactly those tokens: the model must have a tokenizer (to check
//! the ids against its vocabulary and give the answer's text) and a backend that takes ids.

use super::generate::{answer, answer_ids, rejected};
use crate::backends::normalise::next_id;
use crate::completions::{
    choice, response, CompletionsRequest, CompletionsResponse, ErrorBody, Prompt,
};
use crate::error::AppError;
use crate::state::AppState;
use crate::tokenizers::first_unknown;
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use std::time::{SystemTime, UNIX_EPOCH};

/// An [`AppError`] answered in OpenAI's error shape.
pub(super) struct OpenAiError(AppError);

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
pub(super) async fn completions(
    State(state): State<AppState>,
    body: Result<Json<CompletionsRequest>, JsonRejection>,
) -> Result<Json<CompletionsResponse>, OpenAiError> {
    let Json(request) = body.map_err(|rejection| rejected(&state, &rejection, "a completions"))?;
    if request.model.is_empty() {
        // Only a model's own base URL (`/vllm/<model>`) may leave it out.
        return Err(AppError::Unprocessable(
            "the body is not a completions request: missing field `model`".into(),
        )
        .into());
    }
    complete(&state, &request).await.map(Json)
}

/// Answers a completions request, whichever base URL it came to.
pub(super) async fn complete(
    state: &AppState,
    request: &CompletionsRequest,
) -> Result<CompletionsResponse, OpenAiError> {
    let prompts = request.prompts()?;
    let mut parts = Vec::with_capacity(prompts.len());
    for (index, prompt) in prompts.into_iter().enumerate() {
        let (text, answered) = match prompt {
            Prompt::Text(text) => {
                let generate = request.generate_request(text)?;
                (text.to_string(), answer(state, generate).await?)
            }
            Prompt::Ids(ids) => {
                let text = ids_text(state, &request.model, &ids)?;
                let generate = request.generate_request(&text)?;
                (text, answer_ids(state, generate, ids).await?)
            }
        };
        parts.push(choice(
            &request.model,
            index,
            &text,
            &answered,
            request.echo,
            request.logprobs,
        )?);
    }
    let created = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs())
        .unwrap_or_default();
    Ok(response(
        next_id("cmpl"),
        created,
        request.model.clone(),
        parts,
    ))
}

/// The text of a token-id prompt, after checking the model can score ids: its backend takes them, it
/// has a tokenizer, every id is in its vocabulary and there are no more ids than its prompt limit
/// allows characters.
pub(super) fn ids_text(state: &AppState, model: &str, ids: &[u32]) -> Result<String, AppError> {
    if model.trim().is_empty() {
        return Err(AppError::BadRequest("`model` is required".into()));
    }
    let entry = state.models.get(model)?;
    let name = &entry.info.name;
    entry
        .backend
        .takes_ids()
        .map_err(|why| AppError::BadRequest(format!("model `{name}`: {why}")))?;
    let tokenizer = entry.tokenizer()?;
    let most = entry.limits.max_prompt_chars;
    if ids.len() > most {
        return Err(AppError::BadRequest(format!(
            "the prompt holds {} token ids; model `{name}` accepts at most {most}",
            ids.len()
        )));
    }
    if let Some((position, id)) = first_unknown(tokenizer.as_ref(), ids) {
        return Err(AppError::BadRequest(format!(
            "token id {id} (position {position} of the prompt) is outside model `{name}`'s vocabulary of {} ids",
            tokenizer.vocab_size()
        )));
    }
    tokenizer
        .decode(ids)
        .map_err(|error| AppError::BadRequest(format!("model `{name}`: {error}")))
}
