//! A failed Generate call from the server's own error: `likely_core::scoring::retry::CallFailure` (status,
//! message, `Retry-After`) made from an in-process [`AppError`].

use crate::error::AppError;
pub use likely_core::scoring::retry::CallFailure;

impl From<AppError> for CallFailure {
    fn from(error: AppError) -> Self {
        CallFailure {
            status: Some(error.status().as_u16()),
            retry_after_secs: error
                .retry_after()
                .and_then(likely_core::scoring::retry::parse_retry_after),
            message: error.to_string(),
        }
    }
}
