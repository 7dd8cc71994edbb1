//! A model's figures on a text: average log-likelihood, perplexity and top-1 accuracy.

use crate::lm::{LanguageModel, ScoreOptions};
use crate::vocab::TokenIds;

/// Figures of one model on one text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EvalFigures {
    /// Tokens scored.
    pub tokens: usize,
    /// Mean natural-log probability per token.
    pub avg_logprob: f64,
    /// `exp(-avg_logprob)`.
    pub perplexity: f64,
    /// Share of tokens that were the model's top-1 choice.
    pub top1_accuracy: f64,
}

/// Scores each text as its own document (from the start-of-text context) and pools the tokens.
pub fn evaluate(model: &dyn LanguageModel, tok: &dyn TokenIds, texts: &[String]) -> EvalFigures {
    let opts = ScoreOptions {
        top_k: 1,
        ranks: false,
    };
    let (mut n, mut sum, mut hits) = (0usize, 0f64, 0usize);
    for text in texts {
        let ids = tok.encode(text);
        for s in model.score(&ids, &opts) {
            n += 1;
            sum += s.logprob;
            if s.top.first().is_some_and(|t| t.0 == s.token) {
                hits += 1;
            }
        }
    }
    let avg = if n == 0 { 0.0 } else { sum / n as f64 };
    EvalFigures {
        tokens: n,
        avg_logprob: avg,
        perplexity: (-avg).exp(),
        top1_accuracy: if n == 0 { 0.0 } else { hits as f64 / n as f64 },
    }
}
