//! Times as the databases keep them: whole milliseconds since the Unix epoch, in a signed 64-bit column.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch of `time` (0 for times before it, `i64::MAX` far in the future).
pub(crate) fn to_unix_ms(time: SystemTime) -> i64 {
    time.duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// The time `ms` milliseconds after the Unix epoch (negative values read as the epoch).
pub(crate) fn from_unix_ms(ms: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).unwrap_or(0))
}

/// Now, in milliseconds since the Unix epoch.
pub(crate) fn now_unix_ms() -> i64 {
    to_unix_ms(SystemTime::now())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn milliseconds_round_trip() {
        let t = UNIX_EPOCH + Duration::from_millis(1_700_000_000_123);
        assert_eq!(to_unix_ms(t), 1_700_000_000_123);
        assert_eq!(from_unix_ms(1_700_000_000_123), t);
        assert_eq!(to_unix_ms(UNIX_EPOCH - Duration::from_secs(5)), 0);
        assert_eq!(from_unix_ms(-5), UNIX_EPOCH);
    }
}
