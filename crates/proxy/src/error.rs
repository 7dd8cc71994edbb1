//! API errors: every failure leaves the server as JSON `{"message"}` with a status the page can act on,
//! and never carries internal details such as keys, upstream URLs or backtraces.
//!
//! Each error is logged once, here, when it becomes a response: server-side failures (5xx) at `warn`
//! or `error`, rejected requests at `debug`.

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
    /// Access control is on and the request carries no valid token (401).
    #[error(
        "this server requires an access token: send `Authorization: Bearer <token>` or log in at /login"
    )]
    AccessRequired,
    /// The request's `Host` does not name this server (421): a DNS-rebinding attempt or a missing
    /// `--allowed-host`.
    #[error(
        "this server does not answer for that host name; its operator can allow it with --allowed-host"
    )]
    MisdirectedHost,
    /// The upstream rejected the configured key as invalid (401).
    #[error("{0}")]
    Unauthorized(String),
    /// The upstream refused the configured key this request (403).
    #[error("{0}")]
    Forbidden(String),
    /// No such endpoint (404).
    #[error("{0}")]
    NotFound(String),
    /// The thing asked for existed and is gone for good: a deleted or expired share link (410).
    #[error("{0}")]
    Gone(String),
    /// No model of that name is configured (404).
    #[error("unknown model `{0}`; GET /v1/models lists the models this server offers")]
    UnknownModel(String),
    /// The request body or the prompt is over a configured limit (413).
    #[error("{0}")]
    PayloadTooLarge(String),
    /// The request conflicts with the server's state, e.g. a name already taken (409).
    #[error("{0}")]
    Conflict(String),
    /// The body is not JSON (415).
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// The request is well-formed but cannot be processed (422).
    #[error("{0}")]
    Unprocessable(String),
    /// The upstream's rate limit was hit (429); `retry_after` is passed on as `Retry-After`.
    #[error("{message}")]
    RateLimited {
        /// For a person.
        message: String,
        /// The upstream's `Retry-After` (seconds or an HTTP date), when it gave one.
        retry_after: Option<String>,
    },
    /// The server cannot do this for that model as configured, e.g. tokenize without a tokenizer (501).
    #[error("{0}")]
    NotImplemented(String),
    /// The model failed in a way that is this server's fault (500).
    #[error("{0}")]
    Internal(String),
    /// The upstream failed or answered something unreadable (502).
    #[error("{0}")]
    BadGateway(String),
    /// The model is busy: too many requests queued for it, or the upstream is overloaded (503).
    #[error("{message}")]
    Overloaded {
        /// For a person.
        message: String,
        /// When to retry (seconds or an HTTP date), when known.
        retry_after: Option<String>,
    },
    /// The model did not answer within the timeout (504).
    #[error("{0}")]
    GatewayTimeout(String),
}

impl AppError {
    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::AccessRequired | AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::MisdirectedHost => StatusCode::MISDIRECTED_REQUEST,
            AppError::NotFound(_) | AppError::UnknownModel(_) => StatusCode::NOT_FOUND,
            AppError::Gone(_) => StatusCode::GONE,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            AppError::NotImplemented(_) => StatusCode::NOT_IMPLEMENTED,
            AppError::BadGateway(_) => StatusCode::BAD_GATEWAY,
            AppError::Overloaded { .. } => StatusCode::SERVICE_UNAVAILABLE,
            AppError::GatewayTimeout(_) => StatusCode::GATEWAY_TIMEOUT,
        }
    }

    /// Logs this error as it becomes an answer (a response, or a batch item's error line): server-side
    /// failures at `error` (500) or `warn`, rejected requests at `debug`.
    pub(crate) fn log(&self) {
        let status = self.status();
        match status {
            StatusCode::INTERNAL_SERVER_ERROR => {
                tracing::error!(%status, error = %self, "request failed")
            }
            _ if status.is_server_error() => {
                tracing::warn!(%status, error = %self, "request failed")
            }
            _ => tracing::debug!(%status, error = %self, "request rejected"),
        }
    }

    /// The `Retry-After` value this error carries, if any.
    pub fn retry_after(&self) -> Option<&str> {
        match self {
            AppError::RateLimited { retry_after, .. }
            | AppError::Overloaded { retry_after, .. } => retry_after.as_deref(),
            _ => None,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        let status = self.status();
        let retry_after = self
            .retry_after()
            .and_then(|value| HeaderValue::from_str(value).ok());
        let www_authenticate = matches!(self, AppError::AccessRequired);
        let mut response = (
            status,
            Json(ApiError {
                message: self.to_string(),
            }),
        )
            .into_response();
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Some(value) = retry_after {
            headers.insert(header::RETRY_AFTER, value);
        }
        if www_authenticate {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"likely\""),
            );
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reaches_the_response_header() {
        let response = AppError::RateLimited {
            message: "slow down".into(),
            retry_after: Some("7".into()),
        }
        .into_response();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[header::RETRY_AFTER], "7");
    }

    #[test]
    fn access_errors_invite_a_bearer_token() {
        let response = AppError::AccessRequired.into_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert!(response.headers().contains_key(header::WWW_AUTHENTICATE));
    }
}
