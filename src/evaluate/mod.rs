//! The page's driver of the scoring engine (`likely_core::scoring`, which `likely eval` drives too):
//! the engine plans the jobs, windows, retries and progress; this sends its calls through the run's
//! batching client, sleeps its backoffs, cancels, and publishes the outcomes it writes into the
//! evaluation. It knows nothing of the page's signals but the evaluation it fills in (the form is
//! `form`).

mod control;
mod publish;
mod run;

pub use control::Epochs;
pub use likely_core::scoring::pending_jobs;
pub use run::start_jobs;
