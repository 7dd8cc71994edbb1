//! `POST /v1/generate`: Cohere's v1 Generate, answered by the named model's backend.

use crate::error::AppError;
use crate::state::AppState;
use crate::validate::validate;
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::Json;
use likely_core::{GenerateRequest, GenerateResponse};

/// Validates the request, then lets the model's backend answer it.
pub async fn generate(
    State(state): State<AppState>,
    body: Result<Json<GenerateRequest>, JsonRejection>,
) -> Result<Json<GenerateResponse>, AppError> {
    let Json(request) = body.map_err(|rejection| match rejection {
        JsonRejection::MissingJsonContentType(_) => {
            AppError::BadRequest("send the request as JSON (Content-Type: application/json)".into())
        }
        other => AppError::BadRequest(format!("invalid request body: {}", other.body_text())),
    })?;
    validate(&request)?;
    let entry = state.models.get(&request.model)?;
    let answer = entry.backend.generate(request).await?;
    Ok(Json(answer))
}
