//! Runs the jobs of an evaluation (one per model and snippet) through the scoring engine: each call it
//! asks for is sent on its own task through the run's batching client (after the engine's backoff),
//! its answer handed back, and each outcome written into the evaluation as it arrives (published to
//! the views a few times a second, see `publish`), so progress and figures update live and finished
//! results survive a cancel or a failure. The finished windows of snippets that failed or were
//! cancelled part-way are kept for the page's next run (Retry failed asks only for the missing ones).

use super::control::{Epochs, RunControl};
use super::publish::Publisher;
use crate::api::batch::Batcher;
use leptos::prelude::*;
use leptos::task::spawn_local;
use likely_core::evaluation::Evaluation;
use likely_core::scoring::{Call, Engine, Job, KeptWindows, Settings, Step};
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// Jobs under way at once, over all models: enough callers to fill the batches in flight (the batching
/// client sends their windows together; without the batch route, four at a time).
pub const CONCURRENCY: usize = crate::api::batch::CALLERS;

thread_local! {
    /// The finished windows of snippets that failed or were cancelled part-way, between runs.
    static KEPT: RefCell<KeptWindows> = RefCell::new(KeptWindows::new());
}

/// One run: the engine and what its calls go through.
struct Run {
    engine: RefCell<Engine>,
    control: RunControl,
    client: Batcher,
    publisher: Publisher<Option<Evaluation>>,
    running: RwSignal<bool>,
    ended: Cell<bool>,
}

/// Scores `jobs` into `evaluation`, `CONCURRENCY` jobs at a time, their windows sent in batches by one
/// client; `running` is true until the run ends (all done, or cancelled through `epochs`).
pub fn start_jobs(
    evaluation: RwSignal<Option<Evaluation>>,
    jobs: Vec<Job>,
    epochs: &Epochs,
    running: RwSignal<bool>,
) {
    let control = epochs.start();
    let settings = Settings {
        concurrency: CONCURRENCY,
        keep_windows: true,
    };
    let engine = evaluation.with_untracked(|current| {
        let current = current.as_ref().filter(|_| !jobs.is_empty())?;
        Some(Engine::new(current, jobs, settings))
    });
    let Some(engine) = engine else {
        running.set(false);
        return;
    };
    let engine = KEPT.with(|kept| engine.resuming(&mut kept.borrow_mut()));
    running.set(true);
    let run = Rc::new(Run {
        engine: RefCell::new(engine),
        client: Batcher::new(control.abort_signal()),
        control,
        publisher: Publisher::new(evaluation),
        running,
        ended: Cell::new(false),
    });
    if let Some(call) = pump(&run) {
        spawn_local(send(run, call));
    }
}

/// Does what the engine says until it waits for an answer or the run is over. The first call asked
/// for is the caller's to make (a task that just had its answer goes on with the next call, as a
/// worker would); the others get tasks of their own.
fn pump(run: &Rc<Run>) -> Option<Call> {
    let mut own = None;
    loop {
        let step = run.engine.borrow_mut().step();
        match step {
            Step::Call(call) if own.is_none() => own = Some(call),
            Step::Call(call) => spawn_local(send(run.clone(), call)),
            Step::Finished(finished) => run.publisher.update(|current| {
                if let Some(current) = current {
                    let _ = finished.record(current);
                }
            }),
            Step::Wait => return own,
            Step::End => {
                end(run);
                return own;
            }
        }
    }
}

/// Makes `call` after its delay, hands its answer to the engine and goes on with the next call the
/// engine gives it, until the engine has none for it or the run was cancelled.
async fn send(run: Rc<Run>, call: Call) {
    let mut next = Some(call);
    while let Some(call) = next {
        if call.delay_ms > 0 {
            gloo_timers::future::TimeoutFuture::new(call.delay_ms).await;
        }
        if run.control.cancelled() {
            return stop(&run);
        }
        let answer = run.client.generate(call.request).await;
        if run.control.cancelled() {
            return stop(&run);
        }
        run.engine
            .borrow_mut()
            .answer(call.id, answer, js_sys::Math::random());
        next = pump(&run);
    }
}

/// The run was cancelled (the first of its tasks to see it says so): the engine stops, answers still
/// on their way are dropped.
fn stop(run: &Run) {
    run.engine.borrow_mut().cancel();
    end(run);
}

/// The run is over (once): its kept windows go back for the next run, and the views hear of what
/// arrived since the last publication (also after a cancel).
fn end(run: &Run) {
    if run.ended.replace(true) {
        return;
    }
    let kept = run.engine.borrow_mut().take_kept();
    KEPT.with(|store| store.borrow_mut().merge(kept));
    run.publisher.flush();
    if !run.control.cancelled() {
        run.running.set(false);
    }
}
