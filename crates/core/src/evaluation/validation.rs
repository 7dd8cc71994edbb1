//! What makes an evaluation consistent: one outcome per snippet for each model, distinct non-empty
//! names, possible likelihoods (`crate::rules`), window starts inside the tokens. Checked when an
//! evaluation is built and when one is read from outside (a share link, a snapshot).

use super::error::EvaluationError;
use super::{Evaluation, SCHEMA_VERSION};
use crate::evaluation::results::{ModelResults, Outcome};
use crate::rules;

impl Evaluation {
    /// Checks a value read from outside (a share link): version, names, shapes and likelihoods.
    pub fn validate(&self) -> Result<(), EvaluationError> {
        if self.schema_version != SCHEMA_VERSION {
            return Err(EvaluationError::UnsupportedVersion {
                found: self.schema_version,
                supported: SCHEMA_VERSION,
            });
        }
        self.check_names()?;
        self.params
            .check()
            .map_err(EvaluationError::InvalidParams)?;
        for run in self.model_results() {
            self.check_run(run)?;
        }
        Ok(())
    }

    pub(super) fn check_names(&self) -> Result<(), EvaluationError> {
        let mut seen = std::collections::BTreeSet::new();
        for name in self.model_names() {
            if name.is_empty() {
                return Err(EvaluationError::EmptyModelName);
            }
            if !seen.insert(name) {
                return Err(EvaluationError::DuplicateModel(name.to_string()));
            }
        }
        Ok(())
    }

    fn check_run(&self, run: &ModelResults) -> Result<(), EvaluationError> {
        let model = &run.model.name;
        if let Some(length) = run.model.context_length {
            rules::CONTEXT_LENGTH
                .check(f64::from(length))
                .map_err(|error| EvaluationError::InvalidContextLength {
                    model: model.clone(),
                    error,
                })?;
        }
        if run.outcomes.len() != self.snippets.len() {
            return Err(EvaluationError::OutcomeCount {
                model: model.clone(),
                outcomes: run.outcomes.len(),
                snippets: self.snippets.len(),
            });
        }
        for (snippet, outcome) in run.outcomes.iter().enumerate() {
            let Outcome::Scored(result) = outcome else {
                continue;
            };
            for (index, token) in result.tokens.iter().enumerate() {
                let top = token.top.as_ref().map(|(_, l)| *l);
                for value in [token.logprob, top] {
                    rules::optional_logprob(value).map_err(|error| {
                        EvaluationError::InvalidLikelihood {
                            model: model.clone(),
                            snippet,
                            token: index,
                            error,
                        }
                    })?;
                }
            }
            let tokens = result.tokens.len();
            if let Some(&start) = result.window_starts.iter().find(|&&s| s >= tokens) {
                return Err(EvaluationError::InvalidWindowStart {
                    model: model.clone(),
                    snippet,
                    start,
                    tokens,
                });
            }
        }
        Ok(())
    }
}
