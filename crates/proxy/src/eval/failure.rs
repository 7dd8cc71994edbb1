//! A failed Generate call as the retry policy and the failure list see it: the HTTP status (none
//! when the server could not be reached), the message, and the server's `Retry-After`.

use std::fmt;

/// A failed Generate call.
#[derive(Debug, Clone, PartialEq)]
pub struct CallFailure {
    /// The HTTP status, when there was an answer.
    pub status: Option<u16>,
    /// What went wrong.
    pub message: String,
    /// Seconds to wait before retrying, when the server said so.
    pub retry_after_secs: Option<f64>,
}

impl fmt::Display for CallFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.status {
            Some(status) => write!(f, "{} (HTTP {status})", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl From<crate::error::AppError> for CallFailure {
    fn from(error: crate::error::AppError) -> Self {
        CallFailure {
            status: Some(error.status().as_u16()),
            retry_after_secs: error
                .retry_after()
                .and_then(likely_core::retry::parse_retry_after),
            message: error.to_string(),
        }
    }
}
