//! When to retry a failed Generate call: the page's failure fed to the one policy of
//! `likely_core::retry` (429, 503 and lost connections, backoff, `Retry-After`).

use crate::api::ApiFailure;

/// The wait before attempt `attempt + 1` after `failure` on attempt `attempt` (1-based), or `None`
/// when the failure is final or the attempts are used up. `jitter` in [0, 1) spreads retries.
pub fn retry_delay_ms(failure: &ApiFailure, attempt: u32, jitter: f64) -> Option<u32> {
    likely_core::retry::retry_delay_ms(failure.status, failure.retry_after_secs, attempt, jitter)
}
