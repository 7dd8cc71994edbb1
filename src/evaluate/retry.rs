//! When to retry a failed Generate call, and after how long: 429 and 503 (and a lost connection) are
//! retried with exponential backoff, honouring the server's `Retry-After`; anything else is final.

use crate::api::ApiFailure;

/// How many attempts one request gets in all.
pub const MAX_ATTEMPTS: u32 = 5;
/// The first backoff delay, doubled each attempt.
const BASE_DELAY_MS: f64 = 1000.0;
/// The longest wait, whatever the server asks.
const MAX_DELAY_MS: f64 = 60_000.0;

/// The wait before attempt `attempt + 1` after `failure` on attempt `attempt` (1-based), or `None`
/// when the failure is final or the attempts are used up. `jitter` in [0, 1) spreads retries.
pub fn retry_delay_ms(failure: &ApiFailure, attempt: u32, jitter: f64) -> Option<u32> {
    if attempt >= MAX_ATTEMPTS {
        return None;
    }
    let retryable = matches!(failure.status, None | Some(429) | Some(503));
    if !retryable {
        return None;
    }
    let backoff = BASE_DELAY_MS * 2f64.powi(attempt.saturating_sub(1) as i32);
    let wait = match failure.retry_after_secs {
        Some(secs) if secs.is_finite() && secs >= 0.0 => secs * 1000.0,
        _ => backoff * (1.0 + 0.25 * jitter.clamp(0.0, 1.0)),
    };
    Some(wait.min(MAX_DELAY_MS) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(status: Option<u16>, retry_after_secs: Option<f64>) -> ApiFailure {
        ApiFailure {
            status,
            message: "busy".into(),
            retry_after_secs,
        }
    }

    #[test]
    fn too_many_requests_waits_as_told() {
        assert_eq!(
            retry_delay_ms(&failure(Some(429), Some(3.0)), 1, 0.5),
            Some(3000)
        );
    }

    #[test]
    fn backoff_doubles_without_retry_after() {
        let busy = failure(Some(503), None);
        assert_eq!(retry_delay_ms(&busy, 1, 0.0), Some(1000));
        assert_eq!(retry_delay_ms(&busy, 3, 0.0), Some(4000));
        assert_eq!(retry_delay_ms(&busy, MAX_ATTEMPTS, 0.0), None);
    }

    #[test]
    fn bad_requests_are_final_and_waits_are_capped() {
        assert_eq!(retry_delay_ms(&failure(Some(400), None), 1, 0.0), None);
        assert_eq!(retry_delay_ms(&failure(Some(401), Some(1.0)), 1, 0.0), None);
        assert_eq!(
            retry_delay_ms(&failure(Some(429), Some(600.0)), 1, 0.0),
            Some(60_000)
        );
    }
}
