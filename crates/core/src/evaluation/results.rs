//! What a model produced: the model as the figures know it ([`ModelSpec`]), and per snippet what happened
//! ([`Outcome`]), the scored tokens of a snippet with its windows stitched ([`SnippetResult`]). The
//! evaluation holds one [`ModelResults`] per model; the comparisons read them.

use crate::figures::sums::Sums;
use crate::wire::scores::ScoredToken;
use crate::wire::ModelInfo;
use crate::Metric;
use serde::{Deserialize, Serialize};

/// What a share link keeps of a position: the KL estimate and the top-1 agreement.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frozen {
    /// KL(baseline ‖ custom), nats.
    pub kl: f64,
    /// Whether the top-1 tokens agreed.
    pub same_top1: bool,
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
    /// A custom model's whole-distribution figures against the baseline per token, as a share link
    /// froze them (`None` in a live evaluation, which computes them from the tokens' top-K lists:
    /// `distribution`).
    #[serde(skip)]
    pub frozen: Option<Vec<Option<Frozen>>>,
}

impl SnippetResult {
    /// A result scored in one window.
    pub fn single(tokens: Vec<ScoredToken>) -> Self {
        SnippetResult {
            tokens,
            window_starts: Vec::new(),
            frozen: None,
        }
    }

    /// Average natural-log likelihood of the scored tokens; `None` when none is scored.
    pub fn avg_loglik(&self) -> Option<f64> {
        Sums::of(&self.tokens).value(Metric::AvgLoglik)
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
pub struct ModelResults {
    /// The model.
    pub model: ModelSpec,
    /// One outcome per snippet, in the snippets' order.
    pub outcomes: Vec<Outcome>,
}

/// The scored results of a model.
pub(crate) fn scored_results(run: &ModelResults) -> impl Iterator<Item = &SnippetResult> {
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
