//! Cancelling a run: each run has an epoch; Cancel moves the page to a new epoch, aborts the requests
//! in flight and stops the run at once (its `on_cancel`), so the old run's calls drop their answers.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use web_sys::{AbortController, AbortSignal};

/// What stops the current run when it is cancelled.
type Stop = Rc<RefCell<Option<Box<dyn FnOnce()>>>>;

/// What a run checks between steps.
#[derive(Clone)]
pub struct RunControl {
    epoch: u64,
    current: Rc<Cell<u64>>,
    abort: Option<AbortController>,
    stop: Stop,
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

    /// Runs `stop` when this run is cancelled or replaced (before the next run starts).
    pub fn on_cancel(&self, stop: impl FnOnce() + 'static) {
        if !self.cancelled() {
            *self.stop.borrow_mut() = Some(Box::new(stop));
        }
    }

    /// The run ended by itself: nothing to stop any more.
    pub fn finished(&self) {
        if !self.cancelled() {
            self.stop.borrow_mut().take();
        }
    }
}

/// The page's run epochs.
#[derive(Clone, Default)]
pub struct Epochs {
    current: Rc<Cell<u64>>,
    abort: Rc<RefCell<Option<AbortController>>>,
    stop: Stop,
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
            stop: self.stop.clone(),
        }
    }

    /// Cancels the current run: its requests in flight are aborted and it stops.
    pub fn cancel(&self) {
        self.current.set(self.current.get() + 1);
        if let Some(controller) = self.abort.borrow_mut().take() {
            controller.abort();
        }
        let stop = self.stop.borrow_mut().take();
        if let Some(stop) = stop {
            stop();
        }
    }
}
