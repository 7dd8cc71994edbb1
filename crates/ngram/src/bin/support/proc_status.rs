//! Memory figures of this process from /proc, shared by the benchmark binaries.

/// A memory figure of /proc/self/status in MB (`VmHWM:` peak, `VmRSS:` resident now); NaN where
/// /proc does not say.
pub(crate) fn status_mb(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with(field)).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|v| v.parse::<f64>().ok())
            })
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}
