//! Failed access attempts per client. Each client (IP address) may fail [`FAILURE_BURST`] times in
//! a row, then once per [`FAILURE_PERIOD`]; while over that budget its attempts are not checked at
//! all but answered 429 with `Retry-After`, so a correct guess cannot be told from a wrong one.
//!
//! The rate arithmetic is `governor`'s keyed GCRA limiter (well kept, lock-free, and it forgets
//! idle clients with `retain_recent`). governor has no way to ask "is this client over budget?"
//! without spending a cell, so the clients it has refused are kept in a small table with the time
//! they may try again, read before any credential is checked.

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures a client may make in a row.
pub const FAILURE_BURST: u32 = 10;
/// After the burst, one more failure is allowed per this period.
pub const FAILURE_PERIOD: Duration = Duration::from_secs(6);
/// Most clients kept in the table of refused clients; past it, expired entries are dropped.
const MAX_BLOCKED: usize = 10_000;

/// Failed attempts per client.
#[derive(Debug)]
pub struct Failures {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
    blocked: Mutex<HashMap<IpAddr, Instant>>,
}

impl Default for Failures {
    fn default() -> Self {
        let burst = NonZeroU32::new(FAILURE_BURST).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::with_period(FAILURE_PERIOD)
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
            .allow_burst(burst);
        Failures {
            limiter: RateLimiter::keyed(quota),
            blocked: Mutex::new(HashMap::new()),
        }
    }
}

impl Failures {
    /// `Some(wait)` when `client` must wait before trying again.
    pub fn wait(&self, client: IpAddr) -> Option<Duration> {
        let now = Instant::now();
        let mut blocked = self.blocked.lock().unwrap_or_else(|e| e.into_inner());
        match blocked.get(&client) {
            Some(&until) if until > now => Some(until - now),
            Some(_) => {
                blocked.remove(&client);
                None
            }
            None => None,
        }
    }

    /// Records a failure of `client`; `Some(wait)` when it is now over its budget.
    pub fn record(&self, client: IpAddr) -> Option<Duration> {
        let clock = DefaultClock::default();
        let refused = self.limiter.check_key(&client).err()?;
        let wait = refused
            .wait_time_from(clock.now())
            .max(Duration::from_secs(1));
        let mut blocked = self.blocked.lock().unwrap_or_else(|e| e.into_inner());
        if blocked.len() >= MAX_BLOCKED {
            let now = Instant::now();
            blocked.retain(|_, until| *until > now);
            self.limiter.retain_recent();
        }
        if blocked.len() < MAX_BLOCKED {
            blocked.insert(client, Instant::now() + wait);
        }
        Some(wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_over_its_budget_waits_and_others_do_not() {
        let failures = Failures::default();
        let guesser: IpAddr = [203, 0, 113, 7].into();
        let other: IpAddr = [203, 0, 113, 8].into();
        for _ in 0..FAILURE_BURST {
            assert_eq!(failures.wait(guesser), None);
            assert_eq!(failures.record(guesser), None);
        }
        let wait = failures.record(guesser).expect("over budget");
        assert!(
            wait >= Duration::from_secs(1) && wait <= FAILURE_PERIOD,
            "{wait:?}"
        );
        assert!(failures.wait(guesser).is_some());
        assert_eq!(failures.wait(other), None);
    }
}
