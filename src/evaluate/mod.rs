//! Evaluating: the input form (text or uploaded set, models, parameters), and the run that scores each
//! snippet under each chosen model with bounded concurrency, retries and cancel.

mod control;
mod form;
mod params;
mod retry;
mod run;
mod score;
mod upload;

pub use control::Runs;
pub use form::EvaluateForm;
pub use retry::{retry_delay_ms, MAX_ATTEMPTS};
pub use run::{pending_jobs, run_jobs, Job, CONCURRENCY};
