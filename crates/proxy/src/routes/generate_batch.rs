//! `POST /v1/generate/batch`: up to `MAX_BATCH_REQUESTS` Generate requests in one body, each taking the
//! path of `/v1/generate` (`generate::answer`: validation, the model's limits, its queue and timeout),
//! a few at a time, each answered on its own NDJSON line as soon as it is done. A client pays one
//! HTTP exchange for many windows (the browser's cost per request was the page's wall, BENCHMARKS.md).
//!
//! An item that fails (unknown model, invalid options, a busy model) is an `error` line with the
//! status and message `/v1/generate` would have answered; the others go on. When the client leaves,
//! the answer's stream is dropped and with it every item still queued or computing.

use super::generate::{answer, rejected};
use crate::error::AppError;
use crate::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::stream::{self, StreamExt};
use likely_core::batch::{
    BatchItemError, BatchLine, BatchRequest, MAX_BATCH_REQUESTS, NDJSON_CONTENT_TYPE,
};
use likely_core::GenerateRequest;
use serde_json::Value;
use std::convert::Infallible;

/// Items of one batch under way at once. Each model's own gate (`max_concurrent`, its queue) still
/// decides how many run; this only keeps one batch from filling the queues on its own.
const IN_FLIGHT: usize = 8;

/// Answers every item of the batch, streaming one NDJSON line per item as it finishes.
pub(crate) async fn generate_batch(
    State(state): State<AppState>,
    body: Result<Json<BatchRequest<Value>>, JsonRejection>,
) -> Result<Response, AppError> {
    let Json(batch) = body.map_err(|rejection| rejected(&state, &rejection, "a batch"))?;
    let count = batch.requests.len();
    if count == 0 || count > MAX_BATCH_REQUESTS {
        return Err(AppError::BadRequest(format!(
            "a batch holds 1 to {MAX_BATCH_REQUESTS} requests in `requests`; this one has {count}"
        )));
    }
    let lines = stream::iter(batch.requests.into_iter().enumerate())
        .map(move |(index, item)| {
            let state = state.clone();
            async move { BatchLine::new(index, answer_item(&state, index, item).await) }
        })
        .buffer_unordered(IN_FLIGHT)
        .map(|line| Ok::<_, Infallible>(line_bytes(&line)));
    Ok((
        [(header::CONTENT_TYPE, NDJSON_CONTENT_TYPE)],
        Body::from_stream(lines),
    )
        .into_response())
}

/// One item's answer, or what `/v1/generate` would have answered instead.
async fn answer_item(
    state: &AppState,
    index: usize,
    item: Value,
) -> Result<likely_core::GenerateResponse, BatchItemError> {
    let request = serde_json::from_value::<GenerateRequest>(item).map_err(|error| {
        AppError::Unprocessable(format!(
            "request {index} of the batch is not a Generate request: {error}"
        ))
    });
    let outcome = match request {
        Ok(request) => answer(state, request).await,
        Err(error) => Err(error),
    };
    outcome.map_err(|error| {
        error.log();
        BatchItemError {
            status: error.status().as_u16(),
            message: error.to_string(),
            retry_after_s: error
                .retry_after()
                .and_then(likely_core::scoring::retry::parse_retry_after),
        }
    })
}

/// The line for `line`, ending in `\n`.
fn line_bytes(line: &BatchLine) -> Bytes {
    let mut bytes = serde_json::to_vec(line).unwrap_or_else(|error| {
        let failed = BatchLine::new(
            line.index,
            Err(BatchItemError {
                status: 500,
                message: format!("the answer could not be written: {error}"),
                retry_after_s: None,
            }),
        );
        serde_json::to_vec(&failed).unwrap_or_default()
    });
    bytes.push(b'\n');
    Bytes::from(bytes)
}
