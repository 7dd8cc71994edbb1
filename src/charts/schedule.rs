//! How soon a chart redraws after its evaluation changes. During a run the evaluation changes with
//! every scored snippet, possibly hundreds of times a second; redrawing each time would keep the page
//! busy. A chart instead redraws once after a short wait that covers a burst of changes, and waits
//! longer the longer its last drawing took, so that drawing takes at most about a third of the time.

use std::time::Duration;

/// The shortest wait (ms): long enough to gather a burst of changes, too short to notice.
const MIN_DELAY_MS: f64 = 40.0;
/// The longest wait (ms).
const MAX_DELAY_MS: f64 = 1_000.0;

/// The wait before the next redraw, after a drawing that took `last_draw_ms`.
pub fn redraw_delay(last_draw_ms: f64) -> Duration {
    let wait = if last_draw_ms.is_finite() {
        (2.0 * last_draw_ms).clamp(MIN_DELAY_MS, MAX_DELAY_MS)
    } else {
        MIN_DELAY_MS
    };
    Duration::from_millis(wait.round() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_twice_the_last_drawing_within_bounds() {
        assert_eq!(redraw_delay(0.0), Duration::from_millis(40));
        assert_eq!(redraw_delay(100.0), Duration::from_millis(200));
        assert_eq!(redraw_delay(5_000.0), Duration::from_millis(1_000));
        assert_eq!(redraw_delay(f64::NAN), Duration::from_millis(40));
        assert_eq!(redraw_delay(-3.0), Duration::from_millis(40));
    }
}
