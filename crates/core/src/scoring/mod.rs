//! The scoring engine: fills an [`Evaluation`](crate::Evaluation) in, one job per pending (model,
//! snippet). It is one sans-IO state machine, driven by the page (gloo-net, single-threaded wasm) and
//! by `likely eval` (reqwest, or the server's own backends in process): the engine decides, the driver
//! does the HTTP and the sleeping.
//!
//! - `plan`: the jobs of a run ([`pending_jobs`]), snippet by snippet.
//! - `windows`: a long snippet cut into windows that fit the model's context, and their tokens
//!   stitched back so each byte counts once.
//! - `retry`: which failed calls are asked again and after how long (429, 503, lost connections).
//! - `job`: one job under way, window by window: the request to send, the answer read, the outcome.
//! - `kept`: the finished windows of snippets that failed or were cancelled part-way, so Retry asks
//!   only for the windows still missing.
//! - `engine`: the run: at most [`Settings::concurrency`] jobs under way, each asking one window at a
//!   time; [`Engine::step`] says what to do next ([`Step`]), [`Engine::answer`] hears how a call went,
//!   [`Engine::cancel`] stops it, [`Engine::progress`] counts the finished jobs.
//!
//! A driver's loop: `step()` until [`Step::Wait`] (send each [`Call`] after its `delay_ms`, write each
//! [`Finished`] into the evaluation), then wait for any call's answer and give it to `answer()`; stop at
//! [`Step::End`].

mod engine;
mod job;
mod kept;
mod plan;
pub mod retry;
pub mod windows;

pub use engine::{Call, CallId, Engine, Finished, RunProgress, Settings, Step};
pub use kept::KeptWindows;
pub use plan::{pending_jobs, Job};

#[cfg(test)]
mod tests;
