//! The evaluation as one plain serializable value: the snippets and where they came from, the Generate
//! parameters, the baseline and custom models with what the figures need to know about them, and per
//! model per snippet what happened. Every figure and view is derived from it, and a share link carries
//! exactly this value (see `share`).
//!
//! Models are kept as runs: the baseline first, then the custom models in the order they were picked.
//! Each run holds one [`Outcome`] per snippet, in the snippets' order.

use crate::compare::{compare, Comparison};
use crate::metrics::{uniform_loss, ModelMetrics};
use crate::scores::ScoredToken;
use crate::wire::{GenerateRequest, ModelInfo, ReturnLikelihoods};
use serde::{Deserialize, Serialize};
use std::fmt;
use thiserror::Error;

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

/// The Generate parameters sent with every scoring request. The defaults are the worked example's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenerateParams {
    /// Tokens to generate after the prompt (they are never scored).
    pub max_tokens: u32,
    /// Sampling temperature.
    pub temperature: f64,
    /// Top-k sampling (0 = off).
    pub k: u32,
    /// Nucleus sampling mass.
    pub p: f64,
    /// Which tokens get a likelihood; scoring needs `All`.
    pub return_likelihoods: ReturnLikelihoods,
    /// Ask for each token's rank (Likely's extension, for the rank-bucket colours). Off by default:
    /// only backends that know ranks answer it.
    #[serde(default)]
    pub return_ranks: bool,
}

impl Default for GenerateParams {
    fn default() -> Self {
        GenerateParams {
            max_tokens: 1,
            temperature: 1.0,
            k: 0,
            p: 0.75,
            return_likelihoods: ReturnLikelihoods::All,
            return_ranks: false,
        }
    }
}

impl GenerateParams {
    /// The request scoring `prompt` with `model` under these parameters.
    pub fn request(&self, model: impl Into<String>, prompt: impl Into<String>) -> GenerateRequest {
        let mut request = GenerateRequest::scoring(model, prompt);
        request.max_tokens = Some(self.max_tokens);
        request.temperature = Some(self.temperature);
        request.k = Some(self.k);
        request.p = Some(self.p);
        request.return_likelihoods = Some(self.return_likelihoods);
        request.return_ranks = self.return_ranks.then_some(true);
        request
    }
}

/// What the figures need to know about a model (from `GET /v1/models`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelSpec {
    /// The model's name.
    pub name: String,
    /// Vocabulary size, for the uniform-guess loss ln(V).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vocab_size: Option<u32>,
    /// Whether answers carry the top-1 token (needed for accuracy).
    #[serde(default)]
    pub returns_top_token: bool,
    /// The longest prompt in the model's tokens, for windowing long snippets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_length: Option<u32>,
    /// Models with the same tokenizer name can be compared token by token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokenizer: Option<String>,
}

impl ModelSpec {
    /// A model known only by name.
    pub fn named(name: impl Into<String>) -> Self {
        ModelSpec {
            name: name.into(),
            vocab_size: None,
            returns_top_token: false,
            context_length: None,
            tokenizer: None,
        }
    }
}

impl From<&ModelInfo> for ModelSpec {
    fn from(info: &ModelInfo) -> Self {
        ModelSpec {
            name: info.name.clone(),
            vocab_size: info.vocab_size,
            returns_top_token: info.returns_top_token,
            context_length: info.context_length,
            tokenizer: info.tokenizer.clone(),
        }
    }
}

/// The scores of one snippet by one model, windows stitched together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnippetResult {
    /// The snippet's tokens in order; their texts concatenate to the snippet.
    pub tokens: Vec<ScoredToken>,
    /// Indices into `tokens` where a later window begins (empty when the snippet fit in one window).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub window_starts: Vec<usize>,
}

impl SnippetResult {
    /// A result scored in one window.
    pub fn single(tokens: Vec<ScoredToken>) -> Self {
        SnippetResult {
            tokens,
            window_starts: Vec::new(),
        }
    }

    /// Average natural-log likelihood of the scored tokens; `None` when none is scored.
    pub fn avg_loglik(&self) -> Option<f64> {
        let (sum, count) = self
            .tokens
            .iter()
            .filter_map(|t| t.logprob)
            .fold((0.0, 0usize), |(s, n), l| (s + l, n + 1));
        (count > 0).then(|| sum / count as f64)
    }
}

/// What happened to one snippet with one model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Not scored yet (or cancelled).
    #[default]
    Pending,
    /// Scored.
    Scored(SnippetResult),
    /// Failed for good, with the reason for a person.
    Failed {
        /// What went wrong.
        reason: String,
    },
}

/// One model with its outcome per snippet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelRun {
    /// The model.
    pub model: ModelSpec,
    /// One outcome per snippet, in the snippets' order.
    pub outcomes: Vec<Outcome>,
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

/// Why an evaluation cannot be built, changed or read.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum EvaluationError {
    /// A model appears twice.
    #[error("model {0:?} is picked twice; pick each model once")]
    DuplicateModel(String),
    /// A model name is empty.
    #[error("a model has an empty name")]
    EmptyModelName,
    /// No such model in the evaluation.
    #[error("model {0:?} is not part of this evaluation")]
    UnknownModel(String),
    /// No such snippet.
    #[error("snippet {index} does not exist (there are {count})")]
    UnknownSnippet {
        /// The index asked for.
        index: usize,
        /// How many snippets there are.
        count: usize,
    },
    /// A run does not have one outcome per snippet.
    #[error("model {model:?} has {outcomes} outcomes for {snippets} snippets")]
    OutcomeCount {
        /// The model's name.
        model: String,
        /// Outcomes held.
        outcomes: usize,
        /// Snippets.
        snippets: usize,
    },
    /// A schema version this code does not read.
    #[error(
        "evaluation schema version {found} is not supported (this page reads version {supported})"
    )]
    UnsupportedVersion {
        /// The version found.
        found: u32,
        /// The version supported.
        supported: u32,
    },
    /// A token has an impossible likelihood.
    #[error("model {model:?}, snippet {snippet}: token {token} has likelihood {value}, not a finite number at or below zero")]
    InvalidLikelihood {
        /// The model's name.
        model: String,
        /// The snippet's index.
        snippet: usize,
        /// The token's index.
        token: usize,
        /// The value.
        value: f64,
    },
    /// A window start points past the tokens.
    #[error("model {model:?}, snippet {snippet}: a window starts at token {start} of {tokens}")]
    InvalidWindowStart {
        /// The model's name.
        model: String,
        /// The snippet's index.
        snippet: usize,
        /// The bad start.
        start: usize,
        /// Tokens in the result.
        tokens: usize,
    },
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
    pub baseline: ModelRun,
    /// The custom models compared with the baseline, and their outcomes.
    pub custom: Vec<ModelRun>,
}

impl Evaluation {
    /// A new evaluation with every outcome pending.
    pub fn new(
        snippets: Vec<Snippet>,
        params: GenerateParams,
        baseline: ModelSpec,
        custom: Vec<ModelSpec>,
    ) -> Result<Self, EvaluationError> {
        let pending = |model| ModelRun {
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
    pub fn runs(&self) -> impl Iterator<Item = &ModelRun> {
        std::iter::once(&self.baseline).chain(&self.custom)
    }

    /// Every model's name, the baseline first.
    pub fn model_names(&self) -> impl Iterator<Item = &str> {
        self.runs().map(|run| run.model.name.as_str())
    }

    /// The run of the model called `name`.
    pub fn run(&self, name: &str) -> Option<&ModelRun> {
        self.runs().find(|run| run.model.name == name)
    }

    fn run_mut(&mut self, name: &str) -> Result<&mut ModelRun, EvaluationError> {
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
        let slot = self.run_mut(model)?.outcomes.get_mut(snippet).ok_or(
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
        match self.run(model)?.outcomes.get(snippet)? {
            Outcome::Scored(result) => Some(result),
            _ => None,
        }
    }

    /// How far `model` got; all zeros for an unknown model.
    pub fn progress(&self, model: &str) -> Progress {
        let Some(run) = self.run(model) else {
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
        self.runs()
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
        let run = self.run(model)?;
        ModelMetrics::from_snippets(scored_results(run).map(|r| r.tokens.as_slice()))
    }

    /// The uniform-guess loss ln(V) of `model`, when its vocabulary size is known.
    pub fn uniform_loss(&self, model: &str) -> Option<f64> {
        self.run(model)?
            .model
            .vocab_size
            .filter(|&v| v > 0)
            .map(uniform_loss)
    }

    /// `model`'s average log-likelihood per snippet (`None` where not scored).
    pub fn snippet_avg_logliks(&self, model: &str) -> Vec<Option<f64>> {
        let Some(run) = self.run(model) else {
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

    /// The comparison of each custom model with the baseline, in the custom models' order.
    pub fn comparisons(&self) -> Vec<Comparison> {
        self.custom
            .iter()
            .map(|run| compare(&self.baseline, run))
            .collect()
    }

    /// The comparison of the custom model `custom` with the baseline.
    pub fn comparison(&self, custom: &str) -> Option<Comparison> {
        let run = self.custom.iter().find(|run| run.model.name == custom)?;
        Some(compare(&self.baseline, run))
    }

    /// Checks a value read from outside (a share link): version, names, shapes and likelihoods.
    pub fn validate(&self) -> Result<(), EvaluationError> {
        if self.schema_version != SCHEMA_VERSION {
            return Err(EvaluationError::UnsupportedVersion {
                found: self.schema_version,
                supported: SCHEMA_VERSION,
            });
        }
        self.check_names()?;
        for run in self.runs() {
            self.check_run(run)?;
        }
        Ok(())
    }

    fn check_names(&self) -> Result<(), EvaluationError> {
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

    fn check_run(&self, run: &ModelRun) -> Result<(), EvaluationError> {
        let model = &run.model.name;
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
            for (token, value) in result.tokens.iter().enumerate() {
                if let Some(value) = value.logprob.filter(|v| !v.is_finite() || *v > 1e-9) {
                    return Err(EvaluationError::InvalidLikelihood {
                        model: model.clone(),
                        snippet,
                        token,
                        value,
                    });
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

/// The scored results of a run.
pub(crate) fn scored_results(run: &ModelRun) -> impl Iterator<Item = &SnippetResult> {
    run.outcomes.iter().filter_map(|outcome| match outcome {
        Outcome::Scored(result) => Some(result),
        _ => None,
    })
}

/// Whether two token lists are the same tokens (same count, each pair the same token): then they
/// compare one to one. Two tokens are the same by id when both have ids, by text otherwise (servers
/// decode a token's text differently, e.g. a piece of a multi-byte character).
pub fn tokens_align(a: &[ScoredToken], b: &[ScoredToken]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_token(x, y))
}

/// Whether two scored tokens are the same token: the same id when both have one, else the same text.
pub fn same_token(a: &ScoredToken, b: &ScoredToken) -> bool {
    match (a.id, b.id) {
        (Some(x), Some(y)) => x == y,
        _ => a.text == b.text,
    }
}

#[cfg(test)]
#[path = "evaluation_tests.rs"]
pub(crate) mod tests;
