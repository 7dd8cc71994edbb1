//! The language-model interface the server calls: scoring options and results, and the trait.
//!
//! Long work takes a stop flag (`&AtomicBool`) and checks it as it goes, so that a caller whose
//! request is gone can end the CPU work it started: set the flag and the call returns [`Stopped`].

use std::sync::atomic::{AtomicBool, Ordering};

/// What to compute besides each token's log-probability.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScoreOptions {
    /// How many of the most likely tokens to return per position: 0 = none, 1 = the top-1 token
    /// (fast), up to about 5 (slower but exact).
    pub top_k: usize,
    /// Whether to compute each token's rank (1 = it was the model's top choice). Needs the full
    /// distribution, so it is much slower than plain scoring.
    pub ranks: bool,
}

/// The score of one token.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenScore {
    /// The token scored.
    pub token: u32,
    /// Natural-log probability under the full, untruncated distribution.
    pub logprob: f64,
    /// The `top_k` most likely tokens at this position with their natural-log probabilities, best
    /// first (ties broken by smaller id).
    pub top: Vec<(u32, f64)>,
    /// 1 + the number of tokens strictly more likely than the actual one; `Some` only when
    /// [`ScoreOptions::ranks`] was set.
    pub rank: Option<u32>,
}

/// The work was abandoned because its stop flag was set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("stopped: the caller set the stop flag")]
pub struct Stopped;

/// `Err(Stopped)` once `stop` is set.
#[inline]
pub fn check(stop: &AtomicBool) -> Result<(), Stopped> {
    if stop.load(Ordering::Relaxed) {
        Err(Stopped)
    } else {
        Ok(())
    }
}

/// A language model over the GPT-2 vocabulary.
pub trait LanguageModel: Send + Sync {
    /// Number of token ids the model assigns probability to (50,257).
    fn vocab_size(&self) -> usize;

    /// Scores every token of `tokens`, each given the start-of-text context (EOT) plus the tokens
    /// before it. Natural-log probabilities under the full, untruncated distribution.
    fn score(&self, tokens: &[u32], options: &ScoreOptions) -> Vec<TokenScore> {
        let never = AtomicBool::new(false);
        self.score_until(tokens, options, &never)
            .unwrap_or_default()
    }

    /// [`LanguageModel::score`] that checks `stop` every few tokens and gives up with [`Stopped`]
    /// once it is set.
    fn score_until(
        &self,
        tokens: &[u32],
        options: &ScoreOptions,
        stop: &AtomicBool,
    ) -> Result<Vec<TokenScore>, Stopped>;

    /// The full next-token distribution after the start-of-text context (EOT) plus `context`, as
    /// **probabilities** (not logs), indexed by token id; it sums to 1. Only the last `order - 1`
    /// tokens of `context` are read, so the cost does not grow with the context.
    fn next_distribution(&self, context: &[u32]) -> Vec<f64>;
}
