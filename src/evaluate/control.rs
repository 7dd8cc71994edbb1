//! Cancelling a run: each run has an epoch; Cancel moves the page to a new epoch and aborts the
//! requests in flight, so the old run's workers stop and drop their answers.

use std::cell::Cell;
use std::rc::Rc;
use web_sys::{AbortController, AbortSignal};

/// What a worker of one run checks between steps.
#[derive(Clone)]
pub struct RunControl {
    epoch: u64,
    current: Rc<Cell<u64>>,
    abort: Option<AbortController>,
}

impl RunControl {
    /// Whether the run this control belongs to was cancelled or replaced.
    pub fn cancelled(&self) -> bool {
        self.current.get() != self.epoch
    }

    /// The signal that aborts this run's requests.
    pub fn abort_signal(&self) -> Option<AbortSignal> {
        self.abort.as_ref().map(AbortController::signal)
    }
}

/// The page's run epochs.
#[derive(Clone, Default)]
pub struct Epochs {
    current: Rc<Cell<u64>>,
    abort: Rc<std::cell::RefCell<Option<AbortController>>>,
}

impl Epochs {
    /// Starts a new run, cancelling any before it.
    pub fn start(&self) -> RunControl {
        self.cancel();
        let controller = AbortController::new().ok();
        *self.abort.borrow_mut() = controller.clone();
        RunControl {
            epoch: self.current.get(),
            current: self.current.clone(),
            abort: controller,
        }
    }

    /// Cancels the current run: its workers stop and its requests in flight are aborted.
    pub fn cancel(&self) {
        self.current.set(self.current.get() + 1);
        if let Some(controller) = self.abort.borrow_mut().take() {
            controller.abort();
        }
    }
}
