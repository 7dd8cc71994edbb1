//! Evaluating: the input form (text, baseline, custom models) and the run that scores the text under
//! each chosen model.

mod form;
mod run;

pub use form::EvaluateForm;
pub use run::{score_snippet, ModelResult};
