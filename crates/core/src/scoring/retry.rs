//! When to retry a failed Generate call, and after how long: 429 and 503 (and a lost connection, no
//! status) are retried with exponential backoff, honouring the server's `Retry-After`; anything else
//! is final. The scoring engine decides with [`retry_delay_ms`] (its drivers only sleep); a failed call
//! reaches it as a [`CallFailure`] (the page's `ApiFailure` is the same type).

use std::fmt;

/// A failed Generate call as the retry policy and a failure list see it.
#[derive(Debug, Clone, PartialEq)]
pub struct CallFailure {
    /// The HTTP status, when there was an answer (`None`: the server could not be reached).
    pub status: Option<u16>,
    /// What went wrong.
    pub message: String,
    /// Seconds to wait before retrying, when the server said so.
    pub retry_after_secs: Option<f64>,
}

impl fmt::Display for CallFailure {
    /// `the message (HTTP 503)`, or the message alone without a status.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.status {
            Some(status) => write!(f, "{} (HTTP {status})", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl CallFailure {
    /// The failure of a call that got no answer (`error` says why): retried like a lost connection.
    pub fn network(error: impl fmt::Display) -> CallFailure {
        CallFailure {
            status: None,
            message: format!("the server could not be reached: {error}"),
            retry_after_secs: None,
        }
    }

    /// The wait before the next attempt after this failure on attempt `attempt`, as
    /// [`retry_delay_ms`] decides.
    pub fn retry_delay_ms(&self, attempt: u32, jitter: f64) -> Option<u32> {
        retry_delay_ms(self.status, self.retry_after_secs, attempt, jitter)
    }
}

/// How many attempts one request gets in all.
pub const MAX_ATTEMPTS: u32 = 5;
/// The first backoff delay, doubled each attempt.
const BASE_DELAY_MS: f64 = 1000.0;
/// The longest wait, whatever the server asks.
const MAX_DELAY_MS: f64 = 60_000.0;

/// The wait in milliseconds before attempt `attempt + 1` after a failure with HTTP `status` (`None`:
/// the server could not be reached) on attempt `attempt` (1-based), or `None` when the failure is
/// final or the attempts are used up. `retry_after_secs` is the server's `Retry-After`; `jitter` in
/// [0, 1) spreads retries.
pub fn retry_delay_ms(
    status: Option<u16>,
    retry_after_secs: Option<f64>,
    attempt: u32,
    jitter: f64,
) -> Option<u32> {
    if attempt >= MAX_ATTEMPTS {
        return None;
    }
    if !matches!(status, None | Some(429) | Some(503)) {
        return None;
    }
    let backoff = BASE_DELAY_MS * 2f64.powi(attempt.saturating_sub(1) as i32);
    let wait = match retry_after_secs {
        Some(secs) if secs.is_finite() && secs >= 0.0 => secs * 1000.0,
        _ => backoff * (1.0 + 0.25 * jitter.clamp(0.0, 1.0)),
    };
    Some(wait.min(MAX_DELAY_MS) as u32)
}

/// A `Retry-After` header's value in seconds (the delay form; an HTTP date is not read).
pub fn parse_retry_after(value: &str) -> Option<f64> {
    value.trim().parse::<f64>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_many_requests_waits_as_told() {
        assert_eq!(retry_delay_ms(Some(429), Some(3.0), 1, 0.5), Some(3000));
    }

    #[test]
    fn backoff_doubles_without_retry_after() {
        assert_eq!(retry_delay_ms(Some(503), None, 1, 0.0), Some(1000));
        assert_eq!(retry_delay_ms(Some(503), None, 3, 0.0), Some(4000));
        assert_eq!(retry_delay_ms(Some(503), None, 2, 1.0), Some(2500));
        assert_eq!(retry_delay_ms(Some(503), None, MAX_ATTEMPTS, 0.0), None);
    }

    #[test]
    fn lost_connections_are_retried() {
        assert_eq!(retry_delay_ms(None, None, 1, 0.0), Some(1000));
    }

    #[test]
    fn bad_requests_are_final_and_waits_are_capped() {
        assert_eq!(retry_delay_ms(Some(400), None, 1, 0.0), None);
        assert_eq!(retry_delay_ms(Some(401), Some(1.0), 1, 0.0), None);
        assert_eq!(retry_delay_ms(Some(429), Some(600.0), 1, 0.0), Some(60_000));
        assert_eq!(
            retry_delay_ms(Some(429), Some(f64::NAN), 1, 0.0),
            Some(1000)
        );
    }

    #[test]
    fn failures_say_their_status() {
        let failure = CallFailure {
            status: Some(503),
            message: "busy".into(),
            retry_after_secs: Some(2.0),
        };
        assert_eq!(failure.to_string(), "busy (HTTP 503)");
        let lost = CallFailure::network("connection refused");
        assert_eq!(
            lost.to_string(),
            "the server could not be reached: connection refused"
        );
        assert_eq!(lost.retry_delay_ms(1, 0.0), Some(1000));
        assert_eq!(failure.retry_delay_ms(1, 0.0), Some(2000));
    }

    #[test]
    fn retry_after_is_read_as_seconds() {
        assert_eq!(parse_retry_after(" 2 "), Some(2.0));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
    }
}
