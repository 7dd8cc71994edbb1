//! API errors: every failure leaves the server as JSON `{"message"}` with a status the page can act on,
//! and never carries internal details such as keys, upstream URLs or backtraces.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use likely_core::ApiError;
use thiserror::Error;

/// An error an API call answers with.
#[derive(Debug, Error)]
pub enum AppError {
    /// The request is malformed or asks for something impossible (400).
    #[error("{0}")]
    BadRequest(String),
    /// The request is well-formed but cannot be processed (422).
    #[error("{0}")]
    Unprocessable(String),
    /// No such endpoint (404).
    #[error("{0}")]
    NotFound(String),
    /// No model of that name is configured (404).
    #[error("unknown model `{0}`; GET /v1/models lists the models this server offers")]
    UnknownModel(String),
    /// The model failed in a way that is the server's fault (500).
    #[error("{0}")]
    Internal(String),
}

impl AppError {
    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::NotFound(_) | AppError::UnknownModel(_) => StatusCode::NOT_FOUND,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(%status, error = %self, "request failed");
        } else {
            tracing::debug!(%status, error = %self, "request rejected");
        }
        let mut response = (
            status,
            Json(ApiError {
                message: self.to_string(),
            }),
        )
            .into_response();
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        );
        response
    }
}
