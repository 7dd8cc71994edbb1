//! The run engine: scores each snippet under each chosen model with bounded concurrency, retries and
//! cancel. It knows nothing of the page's signals but the evaluation it fills in (the form is `form`).

mod control;
mod publish;
mod retry;
mod run;
mod score;

pub use control::Epochs;
pub use run::{pending_jobs, start_jobs};
