//! How soon a chart redraws after its evaluation changes. During a run the evaluation is published a
//! few times a second (`evaluate::publish`), and each chart's drawing is over the whole set so far: a
//! chart then redraws at most about once a second, and waits longer the longer its last drawing took,
//! so that drawing takes at most about a tenth of the run's time. Otherwise (the run ended, the theme
//! changed, a link opened) it redraws after a short wait that covers a burst of changes.

use std::time::Duration;

/// The shortest wait (ms) outside a run: long enough to gather a burst of changes, too short to notice.
const MIN_DELAY_MS: f64 = 40.0;
/// The longest wait (ms) outside a run.
const MAX_DELAY_MS: f64 = 1_000.0;
/// The shortest wait (ms) while a run goes on.
const LIVE_MIN_DELAY_MS: f64 = 1_000.0;
/// The longest wait (ms) while a run goes on, so the charts never look stuck.
const LIVE_MAX_DELAY_MS: f64 = 4_000.0;
/// While a run goes on, the wait is this many times the last drawing.
const LIVE_COST_FACTOR: f64 = 10.0;

/// The wait before the next redraw, after a drawing that took `last_draw_ms`; `live` while a run is
/// still adding answers.
pub fn redraw_delay(last_draw_ms: f64, live: bool) -> Duration {
    let last = if last_draw_ms.is_finite() {
        last_draw_ms.max(0.0)
    } else {
        0.0
    };
    let wait = if live {
        (LIVE_COST_FACTOR * last).clamp(LIVE_MIN_DELAY_MS, LIVE_MAX_DELAY_MS)
    } else {
        (2.0 * last).clamp(MIN_DELAY_MS, MAX_DELAY_MS)
    };
    Duration::from_millis(wait.round() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_twice_the_last_drawing_within_bounds() {
        assert_eq!(redraw_delay(0.0, false), Duration::from_millis(40));
        assert_eq!(redraw_delay(100.0, false), Duration::from_millis(200));
        assert_eq!(redraw_delay(5_000.0, false), Duration::from_millis(1_000));
        assert_eq!(redraw_delay(f64::NAN, false), Duration::from_millis(40));
        assert_eq!(redraw_delay(-3.0, false), Duration::from_millis(40));
    }

    #[test]
    fn waits_at_least_a_second_while_a_run_goes_on() {
        assert_eq!(redraw_delay(0.0, true), Duration::from_millis(1_000));
        assert_eq!(redraw_delay(20.0, true), Duration::from_millis(1_000));
        assert_eq!(redraw_delay(250.0, true), Duration::from_millis(2_500));
        assert_eq!(redraw_delay(900.0, true), Duration::from_millis(4_000));
        assert_eq!(
            redraw_delay(f64::INFINITY, true),
            Duration::from_millis(1_000)
        );
    }
}
