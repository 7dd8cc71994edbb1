//! `POST /v1/generate`: Cohere's v1 Generate, answered by the named model's backend within the model's
//! limits (prompt length, concurrency, time).

use crate::backends::GenerateInput;
use crate::error::AppError;
use crate::state::AppState;
use crate::validate::validate;
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use likely_core::{GenerateRequest, GenerateResponse};

/// Validates the request, then lets the model's backend answer it.
pub(crate) async fn generate(
    State(state): State<AppState>,
    body: Result<Json<GenerateRequest>, JsonRejection>,
) -> Result<Json<GenerateResponse>, AppError> {
    let Json(request) = body.map_err(|rejection| rejected(&state, &rejection, "a Generate"))?;
    answer(&state, request).await.map(Json)
}

/// Checks a Generate request and lets the model's backend answer it, within the model's limits: the
/// one path every API route takes to a model.
pub async fn answer(
    state: &AppState,
    request: GenerateRequest,
) -> Result<GenerateResponse, AppError> {
    answer_prompt(state, request, None).await
}

/// [`answer`] for a prompt of token ids (`request.prompt` holds their text), scored exactly as sent.
pub(crate) async fn answer_ids(
    state: &AppState,
    request: GenerateRequest,
    ids: Vec<u32>,
) -> Result<GenerateResponse, AppError> {
    answer_prompt(state, request, Some(ids)).await
}

async fn answer_prompt(
    state: &AppState,
    request: GenerateRequest,
    ids: Option<Vec<u32>>,
) -> Result<GenerateResponse, AppError> {
    validate(&request)?;
    let entry = state.models.get(&request.model)?;
    entry
        .limits
        .check_prompt(&entry.info.name, &request.prompt)?;
    let permit = entry.gate.enter(&entry.info.name).await?;
    let timeout = entry.limits.timeout;
    match tokio::time::timeout(
        timeout,
        entry
            .backend
            .generate(GenerateInput { request, ids }, permit),
    )
    .await
    {
        Ok(answer) => answer,
        Err(_elapsed) => Err(AppError::GatewayTimeout(format!(
            "model `{}` did not answer within {} s",
            entry.info.name,
            timeout.as_secs()
        ))),
    }
}

/// The error for a body that is not `what` request, with the status axum chose for it.
pub(super) fn rejected(state: &AppState, rejection: &JsonRejection, what: &str) -> AppError {
    match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge(format!(
            "the request body is larger than this server's limit of {} bytes",
            state.max_body_bytes
        )),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => AppError::UnsupportedMediaType(
            "send the request as JSON (Content-Type: application/json)".into(),
        ),
        StatusCode::UNPROCESSABLE_ENTITY => AppError::Unprocessable(format!(
            "the body is not {what} request: {}",
            rejection.body_text()
        )),
        _ => AppError::BadRequest(format!("invalid request body: {}", rejection.body_text())),
    }
}
