//! The evaluation as one plain serializable value: the snippets and where they came from, the Generate
//! parameters, the baseline and custom models with what the figures need to know about them, and per
//! model per snippet what happened. Every figure and view is derived from it, and a share link carries
//! exactly this value (see `share`).
//!
//! Models are kept as [`ModelResults`]: the baseline first, then the custom models in the order they were picked.
//! Each run holds one [`Outcome`] per snippet, in the snippets' order.

use crate::evaluation::params::GenerateParams;
use crate::evaluation::results::{
    scored_results, tokens_align, ModelResults, ModelSpec, Outcome, SnippetResult,
};
use crate::figures::per_model::{uniform_loss, ModelMetrics};
use serde::{Deserialize, Serialize};
use std::fmt;

pub mod dataset;
mod error;
pub mod params;
pub mod results;
mod validation;
pub use error::EvaluationError;

/// The version of the value's layout; a share link from another version is refused, not misread.
pub const SCHEMA_VERSION: u32 = 1;

/// One text to score and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snippet {
    /// The text, scored exactly as it is.
    pub text: String,
    /// Where the text came from.
    #[serde(default)]
    pub source: SnippetSource,
}

impl Snippet {
    /// A pasted snippet (no file).
    pub fn pasted(text: impl Into<String>) -> Self {
        Snippet {
            text: text.into(),
            source: SnippetSource::default(),
        }
    }
}

/// Where a snippet came from: a file and the 1-based line where it starts, or pasted text (no file).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnippetSource {
    /// The uploaded file's name; `None` for pasted text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The 1-based line of the file where the snippet starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

impl fmt::Display for SnippetSource {
    /// `held-out.jsonl:12`, `held-out.txt`, or `pasted`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.line) {
            (Some(file), Some(line)) => write!(f, "{file}:{line}"),
            (Some(file), None) => write!(f, "{file}"),
            (None, _) => write!(f, "pasted"),
        }
    }
}

/// How far one model got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    /// Snippets scored.
    pub scored: usize,
    /// Snippets that failed.
    pub failed: usize,
    /// All snippets.
    pub total: usize,
}

impl Progress {
    /// Snippets finished, scored or failed (the `n` of "n of m snippets").
    pub fn done(&self) -> usize {
        self.scored + self.failed
    }
}

/// A snippet that failed with a model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The model's name.
    pub model: String,
    /// The snippet's index.
    pub snippet: usize,
    /// Why.
    pub reason: String,
}

/// An evaluation: inputs, parameters, models and results. See the module documentation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// [`SCHEMA_VERSION`] when written.
    pub schema_version: u32,
    /// The texts scored.
    pub snippets: Vec<Snippet>,
    /// The Generate parameters.
    pub params: GenerateParams,
    /// The baseline model and its outcomes.
    pub baseline: ModelResults,
    /// The custom models compared with the baseline, and their outcomes.
    pub custom: Vec<ModelResults>,
}

impl Evaluation {
    /// A new evaluation with every outcome pending.
    pub fn new(
        snippets: Vec<Snippet>,
        params: GenerateParams,
        baseline: ModelSpec,
        custom: Vec<ModelSpec>,
    ) -> Result<Self, EvaluationError> {
        let pending = |model| ModelResults {
            model,
            outcomes: vec![Outcome::Pending; snippets.len()],
        };
        let evaluation = Evaluation {
            schema_version: SCHEMA_VERSION,
            params,
            baseline: pending(baseline),
            custom: custom.into_iter().map(pending).collect(),
            snippets,
        };
        evaluation.check_names()?;
        Ok(evaluation)
    }

    /// Every run, the baseline first.
    pub fn model_results(&self) -> impl Iterator<Item = &ModelResults> {
        std::iter::once(&self.baseline).chain(&self.custom)
    }

    /// Every model's name, the baseline first.
    pub fn model_names(&self) -> impl Iterator<Item = &str> {
        self.model_results().map(|run| run.model.name.as_str())
    }

    /// The run of the model called `name`.
    pub fn results_of(&self, name: &str) -> Option<&ModelResults> {
        self.model_results().find(|run| run.model.name == name)
    }

    fn results_mut(&mut self, name: &str) -> Result<&mut ModelResults, EvaluationError> {
        std::iter::once(&mut self.baseline)
            .chain(&mut self.custom)
            .find(|run| run.model.name == name)
            .ok_or_else(|| EvaluationError::UnknownModel(name.to_string()))
    }

    /// Records what happened to snippet `snippet` with `model`.
    pub fn set_outcome(
        &mut self,
        model: &str,
        snippet: usize,
        outcome: Outcome,
    ) -> Result<(), EvaluationError> {
        let count = self.snippets.len();
        let slot = self.results_mut(model)?.outcomes.get_mut(snippet).ok_or(
            EvaluationError::UnknownSnippet {
                index: snippet,
                count,
            },
        )?;
        *slot = outcome;
        Ok(())
    }

    /// The scores of `snippet` by `model`, when scored.
    pub fn result(&self, model: &str, snippet: usize) -> Option<&SnippetResult> {
        match self.results_of(model)?.outcomes.get(snippet)? {
            Outcome::Scored(result) => Some(result),
            _ => None,
        }
    }

    /// How far `model` got; all zeros for an unknown model.
    pub fn progress(&self, model: &str) -> Progress {
        let Some(run) = self.results_of(model) else {
            return Progress::default();
        };
        let mut progress = Progress {
            total: run.outcomes.len(),
            ..Progress::default()
        };
        for outcome in &run.outcomes {
            match outcome {
                Outcome::Scored(_) => progress.scored += 1,
                Outcome::Failed { .. } => progress.failed += 1,
                Outcome::Pending => {}
            }
        }
        progress
    }

    /// Every failed snippet, model by model.
    pub fn failures(&self) -> Vec<Failure> {
        self.model_results()
            .flat_map(|run| {
                run.outcomes.iter().enumerate().filter_map(
                    move |(snippet, outcome)| match outcome {
                        Outcome::Failed { reason } => Some(Failure {
                            model: run.model.name.clone(),
                            snippet,
                            reason: reason.clone(),
                        }),
                        _ => None,
                    },
                )
            })
            .collect()
    }

    /// `model`'s figures over the snippets it scored; `None` when it scored no token.
    pub fn metrics(&self, model: &str) -> Option<ModelMetrics> {
        let run = self.results_of(model)?;
        ModelMetrics::from_snippets(scored_results(run).map(|r| r.tokens.as_slice()))
    }

    /// The uniform-guess loss ln(V) of `model`, when its vocabulary size is known.
    pub fn uniform_loss(&self, model: &str) -> Option<f64> {
        self.results_of(model)?
            .model
            .vocab_size
            .filter(|&v| v > 0)
            .map(uniform_loss)
    }

    /// `model`'s average log-likelihood per snippet (`None` where not scored).
    pub fn snippet_avg_logliks(&self, model: &str) -> Vec<Option<f64>> {
        let Some(run) = self.results_of(model) else {
            return vec![None; self.snippets.len()];
        };
        run.outcomes
            .iter()
            .map(|outcome| match outcome {
                Outcome::Scored(result) => result.avg_loglik(),
                _ => None,
            })
            .collect()
    }

    /// Per token of `snippet`, custom minus baseline log-likelihood, when both scored it with the same
    /// tokens (`None` per token where either is unscored); `None` when the tokens differ.
    pub fn token_differences(&self, custom: &str, snippet: usize) -> Option<Vec<Option<f64>>> {
        let base = self.result(&self.baseline.model.name, snippet)?;
        let other = self.result(custom, snippet)?;
        tokens_align(&base.tokens, &other.tokens).then(|| {
            base.tokens
                .iter()
                .zip(&other.tokens)
                .map(|(b, c)| Some(c.logprob? - b.logprob?))
                .collect()
        })
    }
}

#[cfg(test)]
pub(crate) mod tests;
