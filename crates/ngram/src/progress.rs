//! Progress and cancellation of a long training: [`Progress`] carries a report callback and a
//! cancellation flag; every report first checks the flag, so a cancelled training stops at its next
//! report with [`NgramError::Cancelled`]. The steps it reports are [`TrainingStage`]s.

use std::sync::atomic::{AtomicBool, Ordering};

use crate::error::NgramError;
pub use likely_lm_types::TrainingStage;

/// Where progress goes and the flag that cancels the work, over a share `[lo, hi]` of the whole.
#[derive(Clone, Copy)]
pub struct Progress<'a> {
    report: &'a (dyn Fn(TrainingStage, f64) + Sync),
    cancel: &'a AtomicBool,
    lo: f64,
    hi: f64,
}

impl<'a> Progress<'a> {
    /// Reports to `report` (stage, fraction of the whole work in 0..=1); stops when `cancel` is set.
    pub fn new(
        report: &'a (dyn Fn(TrainingStage, f64) + Sync),
        cancel: &'a AtomicBool,
    ) -> Progress<'a> {
        Progress {
            report,
            cancel,
            lo: 0.0,
            hi: 1.0,
        }
    }

    /// The share `[from, to]` (fractions of this one) of this work.
    pub fn part(&self, from: f64, to: f64) -> Progress<'a> {
        let width = self.hi - self.lo;
        Progress {
            lo: self.lo + width * from,
            hi: self.lo + width * to,
            ..*self
        }
    }

    /// Reports that `fraction` of this share is done, in `stage`; an error when cancelled.
    pub fn report(&self, stage: TrainingStage, fraction: f64) -> Result<(), NgramError> {
        self.check()?;
        (self.report)(
            stage,
            self.lo + (self.hi - self.lo) * fraction.clamp(0.0, 1.0),
        );
        Ok(())
    }

    /// The cancellation flag, for work that takes a stop flag (scoring).
    pub fn cancel_flag(&self) -> &'a AtomicBool {
        self.cancel
    }

    /// An error when the work has been cancelled.
    pub fn check(&self) -> Result<(), NgramError> {
        if self.cancel.load(Ordering::Relaxed) {
            Err(NgramError::Cancelled)
        } else {
            Ok(())
        }
    }
}

/// A progress that reports nowhere and is never cancelled (builds, tools).
pub fn silent<R>(f: impl FnOnce(Progress<'_>) -> R) -> R {
    let never = AtomicBool::new(false);
    f(Progress::new(&|_, _| {}, &never))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn parts_map_into_the_whole_and_cancel_stops() {
        let seen = Mutex::new(Vec::new());
        let record = |stage: TrainingStage, f: f64| seen.lock().expect("lock").push((stage, f));
        let cancel = AtomicBool::new(false);
        let whole = Progress::new(&record, &cancel);
        let second_half = whole.part(0.5, 1.0);
        second_half
            .part(0.5, 1.0)
            .report(TrainingStage::Counting, 0.5)
            .expect("not cancelled");
        assert_eq!(
            seen.lock().expect("lock")[0],
            (TrainingStage::Counting, 0.875)
        );
        cancel.store(true, Ordering::Relaxed);
        assert!(matches!(
            whole.report(TrainingStage::Tuning, 0.0),
            Err(NgramError::Cancelled)
        ));
        assert_eq!(seen.lock().expect("lock").len(), 1);
    }
}
