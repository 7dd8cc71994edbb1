//! Figures of one model over a set of scored snippets: average log-likelihood, loss, perplexity, bits
//! per byte and next-token accuracy. Only scored tokens count (the first token of each snippet has no
//! likelihood and is left out).

use crate::figures::metric::Metric;
use crate::figures::sums::Sums;
use crate::wire::scores::ScoredToken;
use serde::{Deserialize, Serialize};

/// The figures of one model over a set of snippets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelMetrics {
    /// Tokens with a likelihood.
    pub scored_tokens: usize,
    /// Sum of their natural-log likelihoods.
    pub sum_logprob: f64,
    /// Token-weighted average natural-log likelihood over the set (nats per token).
    pub avg_loglik: f64,
    /// Mean of the per-snippet averages (snippets with no scored token left out).
    pub mean_snippet_avg_loglik: f64,
    /// Loss: minus the token-weighted average log-likelihood (nats per token).
    pub loss: f64,
    /// exp(loss).
    pub perplexity: f64,
    /// UTF-8 bytes of the scored tokens.
    pub scored_bytes: usize,
    /// Bits per byte: minus the summed log-likelihood over the scored bytes, divided by ln 2.
    pub bits_per_byte: Option<f64>,
    /// Share of scored tokens that were the model's top choice, when the backend tells.
    pub accuracy: Option<f64>,
    /// Tokens for which the top choice is known.
    pub accuracy_tokens: usize,
}

impl ModelMetrics {
    /// Figures over the snippets' scored tokens; `None` when no token is scored.
    pub fn from_snippets<'a, I>(snippets: I) -> Option<ModelMetrics>
    where
        I: IntoIterator<Item = &'a [ScoredToken]>,
    {
        let mut total = Sums::default();
        let mut snippet_avgs = Vec::new();
        for snippet in snippets {
            let sums = Sums::of(snippet);
            snippet_avgs.extend(sums.value(Metric::AvgLoglik));
            total.add(&sums);
        }
        let avg_loglik = total.value(Metric::AvgLoglik)?;
        let loss = total.value(Metric::Loss)?;
        Some(ModelMetrics {
            scored_tokens: total.tokens as usize,
            sum_logprob: total.loglik,
            avg_loglik,
            mean_snippet_avg_loglik: snippet_avgs.iter().sum::<f64>() / snippet_avgs.len() as f64,
            loss,
            perplexity: loss.exp(),
            scored_bytes: total.bytes as usize,
            bits_per_byte: total.value(Metric::Bpb),
            accuracy: total.value(Metric::Accuracy),
            accuracy_tokens: total.known as usize,
        })
    }
}

/// The loss of guessing uniformly over a vocabulary: ln(V) nats per token.
pub fn uniform_loss(vocab_size: u32) -> f64 {
    f64::from(vocab_size).ln()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::LN_2;

    fn scored(text: &str, logprob: Option<f64>, top: Option<f64>) -> ScoredToken {
        ScoredToken {
            text: text.into(),
            logprob,
            top: top.map(|l| ("x".to_string(), l)),
            rank: None,
            id: None,
            top_k: None,
        }
    }

    #[test]
    fn figures_of_one_snippet_by_hand() {
        let snippet = vec![
            scored("To", None, None),
            scored(" be", Some(-2.0), Some(-1.0)),
            scored(",", Some(-1.0), Some(-1.0)),
        ];
        let m = ModelMetrics::from_snippets([snippet.as_slice()]).unwrap();
        assert_eq!(m.scored_tokens, 2);
        assert!((m.avg_loglik - -1.5).abs() < 1e-12);
        assert!((m.loss - 1.5).abs() < 1e-12);
        assert!((m.perplexity - 1.5f64.exp()).abs() < 1e-12);
        assert_eq!(m.scored_bytes, 4);
        assert!((m.bits_per_byte.unwrap() - 3.0 / (4.0 * LN_2)).abs() < 1e-12);
        assert_eq!(m.accuracy, Some(0.5));
    }

    #[test]
    fn token_weighted_and_snippet_mean_differ() {
        let a = vec![scored("a", None, None), scored("b", Some(-1.0), None)];
        let b = vec![
            scored("c", None, None),
            scored("d", Some(-3.0), None),
            scored("e", Some(-3.0), None),
            scored("f", Some(-3.0), None),
        ];
        let m = ModelMetrics::from_snippets([a.as_slice(), b.as_slice()]).unwrap();
        assert!((m.avg_loglik - -2.5).abs() < 1e-12);
        assert!((m.mean_snippet_avg_loglik - -2.0).abs() < 1e-12);
        assert_eq!(m.accuracy, None);
    }

    #[test]
    fn nothing_scored_gives_none() {
        let only_first = vec![scored("a", None, None)];
        assert!(ModelMetrics::from_snippets([only_first.as_slice()]).is_none());
    }

    #[test]
    fn uniform_loss_of_gpt2_vocabulary_is_about_eleven() {
        assert!((uniform_loss(50_257) - 10.825).abs() < 1e-3);
    }
}
