//! Why an evaluation cannot be built, changed or read: [`EvaluationError`].

use crate::rules::{LogprobError, RangeError};
use thiserror::Error;

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
    /// A token has an impossible likelihood (its own or its top token's).
    #[error("model {model:?}, snippet {snippet}, token {token}: {error}")]
    InvalidLikelihood {
        /// The model's name.
        model: String,
        /// The snippet's index.
        snippet: usize,
        /// The token's index.
        token: usize,
        /// What is wrong with the value.
        error: LogprobError,
    },
    /// A Generate parameter is out of its range.
    #[error("the Generate parameters: {0}")]
    InvalidParams(RangeError),
    /// A model's context length is out of range.
    #[error("model {model:?}: {error}")]
    InvalidContextLength {
        /// The model's name.
        model: String,
        /// The range broken.
        error: RangeError,
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
