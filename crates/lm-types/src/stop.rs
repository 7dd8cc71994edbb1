//! Long work takes a stop flag (`&AtomicBool`) and checks it as it goes, so that a caller whose
//! request is gone can end the CPU work it started: set the flag and the call returns [`Stopped`].

use std::sync::atomic::{AtomicBool, Ordering};

/// The work was abandoned because its stop flag was set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("stopped: the caller set the stop flag")]
pub struct Stopped;

/// `Err(Stopped)` once `stop` is set.
#[inline]
pub fn check(stop: &AtomicBool) -> Result<(), Stopped> {
    if stop.load(Ordering::Relaxed) {
        Err(Stopped)
    } else {
        Ok(())
    }
}
