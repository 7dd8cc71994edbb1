//! One vLLM-shaped base URL per model, `/vllm/<model>`: vLLM serves one model per server, so tools
//! written for it (lm-evaluation-harness's `local-completions`, OpenAI's SDK with a `base_url`) find
//! that model's `/v1/completions`, `/v1/models`, `/tokenize`, `/detokenize` and `/tokenizer_info`
//! under it (`super::tokenize` for the token routes). Any other path under `/vllm/` is a JSON 404.

use super::completions::{complete, OpenAiError};
use super::generate::rejected;
use super::tokenize::{same_model, served};
use crate::completions::{CompletionsRequest, CompletionsResponse};
use crate::error::AppError;
use crate::state::AppState;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Path, State};
use axum::Json;
use serde::Serialize;

/// The prefix of the per-model base URLs.
pub const PREFIX: &str = "/vllm";

/// `POST /vllm/<model>/v1/completions`: `/v1/completions` for that model (`model` may be left out
/// of the body; naming another model is refused).
pub(super) async fn completions(
    State(state): State<AppState>,
    model: Result<Path<String>, PathRejection>,
    body: Result<Json<CompletionsRequest>, JsonRejection>,
) -> Result<Json<CompletionsResponse>, OpenAiError> {
    let entry = served(&state, model)?;
    let Json(mut request) =
        body.map_err(|rejection| rejected(&state, &rejection, "a completions"))?;
    same_model(&entry, Some(&request.model))?;
    request.model = entry.info.name.clone();
    complete(&state, &request).await.map(Json)
}

/// OpenAI's model list.
#[derive(Debug, Serialize)]
pub(super) struct OpenAiModels {
    object: &'static str,
    data: Vec<OpenAiModel>,
}

/// One model in OpenAI's (and vLLM's) shape.
#[derive(Debug, Serialize)]
struct OpenAiModel {
    id: String,
    object: &'static str,
    created: u64,
    owned_by: &'static str,
    max_model_len: Option<u32>,
}

/// `GET /vllm/<model>/v1/models`: that one model.
pub(super) async fn models(
    State(state): State<AppState>,
    model: Result<Path<String>, PathRejection>,
) -> Result<Json<OpenAiModels>, OpenAiError> {
    let entry = served(&state, model)?;
    Ok(Json(OpenAiModels {
        object: "list",
        data: vec![OpenAiModel {
            id: entry.info.name.clone(),
            object: "model",
            created: 0,
            owned_by: "likely",
            max_model_len: entry.info.context_length,
        }],
    }))
}

/// Any other path under `/vllm/`.
pub(super) async fn not_found() -> OpenAiError {
    OpenAiError::from(AppError::NotFound(
        "no such endpoint: a model's base URL /vllm/<model> offers /v1/completions, /v1/models, /tokenize, /detokenize and /tokenizer_info".into(),
    ))
}
