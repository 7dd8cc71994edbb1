//! Publishing a run's answers to the views at a bounded rate. Each answer is written into the
//! evaluation at once, without telling anyone (constant work per answer); the views (figures, pills
//! with their bootstrap intervals, the token view's choices, charts, tables) hear of the change at most
//! a few times a second, and once more when the run ends. The wait between two publications grows with
//! what the last one cost, so the views' work stays a bounded share of the run however large the set:
//! without this, every answer recomputed everything, and a 1,410-snippet run spent most of its time
//! redrawing (see BENCHMARKS.md, "The page keeps up").

use leptos::prelude::*;
use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

/// The shortest wait between two publications (ms): a few updates a second.
const MIN_WAIT_MS: f64 = 250.0;
/// The longest wait (ms), so progress never looks stuck.
const MAX_WAIT_MS: f64 = 2_000.0;
/// The wait is this many times what the last publication cost, keeping the views' work at about a
/// quarter of the page's time at most.
const COST_FACTOR: f64 = 3.0;

/// The wait before the next publication, after one whose views took `last_cost_ms`.
pub fn publish_wait(last_cost_ms: f64) -> Duration {
    let wait = if last_cost_ms.is_finite() {
        (COST_FACTOR * last_cost_ms).clamp(MIN_WAIT_MS, MAX_WAIT_MS)
    } else {
        MIN_WAIT_MS
    };
    Duration::from_millis(wait.round() as u64)
}

/// Tells the views about a signal's changes at a bounded rate.
pub struct Publisher<T: Send + Sync + 'static> {
    signal: RwSignal<T>,
    scheduled: Rc<Cell<bool>>,
    last_cost_ms: Rc<Cell<f64>>,
}

impl<T: Send + Sync + 'static> Clone for Publisher<T> {
    fn clone(&self) -> Self {
        Publisher {
            signal: self.signal,
            scheduled: self.scheduled.clone(),
            last_cost_ms: self.last_cost_ms.clone(),
        }
    }
}

impl<T: Send + Sync + 'static> Publisher<T> {
    /// A publisher for `signal`.
    pub fn new(signal: RwSignal<T>) -> Self {
        Publisher {
            signal,
            scheduled: Rc::new(Cell::new(false)),
            last_cost_ms: Rc::new(Cell::new(0.0)),
        }
    }

    /// Changes the value in place without notifying, and schedules a publication.
    pub fn update(&self, change: impl FnOnce(&mut T)) {
        if self.signal.try_update_untracked(change).is_none() || self.scheduled.get() {
            return;
        }
        self.scheduled.set(true);
        let this = self.clone();
        set_timeout(
            move || {
                if this.scheduled.get() {
                    this.publish();
                }
            },
            publish_wait(self.last_cost_ms.get()),
        );
    }

    /// Publishes now (the run ended, or was cancelled), dropping any scheduled publication.
    pub fn flush(&self) {
        self.publish();
    }

    fn publish(&self) {
        self.scheduled.set(false);
        let started = js_sys::Date::now();
        self.signal.notify();
        // The views' effects run as microtasks right after this; a zero timeout runs once they have,
        // so the time until then is what this publication cost.
        let last_cost_ms = self.last_cost_ms.clone();
        set_timeout(
            move || last_cost_ms.set(js_sys::Date::now() - started),
            Duration::ZERO,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_three_times_the_last_cost_within_bounds() {
        assert_eq!(publish_wait(0.0), Duration::from_millis(250));
        assert_eq!(publish_wait(100.0), Duration::from_millis(300));
        assert_eq!(publish_wait(10_000.0), Duration::from_millis(2_000));
        assert_eq!(publish_wait(f64::NAN), Duration::from_millis(250));
        assert_eq!(publish_wait(-5.0), Duration::from_millis(250));
    }
}
