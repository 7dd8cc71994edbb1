//! Domain adaptation by linear interpolation: `P(w | h) = λ P_domain(w | h) + (1 - λ) P_base(w | h)`,
//! with both models' full interpolated Kneser-Ney distributions (exact, not a merged approximation),
//! and `λ` chosen by expectation-maximisation on held-out in-domain text.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use crate::lm::{LanguageModel, ScoreOptions, Stopped, TokenScore};
use crate::model::KnModel;
use crate::scoring;
use crate::tokenizer::VOCAB_SIZE;

impl LanguageModel for KnModel {
    fn vocab_size(&self) -> usize {
        VOCAB_SIZE
    }

    fn score_until(
        &self,
        tokens: &[u32],
        options: &ScoreOptions,
        stop: &AtomicBool,
    ) -> Result<Vec<TokenScore>, Stopped> {
        scoring::score(&[(1.0, self)], tokens, options, stop)
    }

    fn next_distribution(&self, context: &[u32]) -> Vec<f64> {
        scoring::next_distribution(&[(1.0, self)], context)
    }
}

/// A base model adapted to a domain by interpolation with an in-domain model.
#[derive(Debug, Clone)]
pub struct InterpolatedModel {
    base: Arc<KnModel>,
    domain: Arc<KnModel>,
    lambda: f64,
}

impl InterpolatedModel {
    /// `lambda` is the weight of the in-domain model, clamped to [0, 1].
    pub fn new(base: Arc<KnModel>, domain: Arc<KnModel>, lambda: f64) -> InterpolatedModel {
        InterpolatedModel {
            base,
            domain,
            lambda: lambda.clamp(0.0, 1.0),
        }
    }

    /// The in-domain model's weight.
    pub fn lambda(&self) -> f64 {
        self.lambda
    }

    /// The in-domain model.
    pub fn domain(&self) -> &KnModel {
        &self.domain
    }

    fn parts(&self) -> [(f64, &KnModel); 2] {
        [
            (self.lambda, &*self.domain),
            (1.0 - self.lambda, &*self.base),
        ]
    }
}

impl LanguageModel for InterpolatedModel {
    fn vocab_size(&self) -> usize {
        VOCAB_SIZE
    }

    fn score_until(
        &self,
        tokens: &[u32],
        options: &ScoreOptions,
        stop: &AtomicBool,
    ) -> Result<Vec<TokenScore>, Stopped> {
        scoring::score(&self.parts(), tokens, options, stop)
    }

    fn next_distribution(&self, context: &[u32]) -> Vec<f64> {
        scoring::next_distribution(&self.parts(), context)
    }
}

/// Chooses the interpolation weight of `domain` that maximises the likelihood of `held_out`
/// (documents of in-domain text), by expectation-maximisation. Returns (λ, average natural-log
/// likelihood per token at that λ).
pub fn tune_lambda(base: &KnModel, domain: &KnModel, held_out: &[Vec<u32>]) -> (f64, f64) {
    let mut pairs: Vec<(f64, f64)> = Vec::new();
    for doc in held_out {
        pairs.extend(logprob_pairs(base, domain, doc));
    }
    if pairs.is_empty() {
        return (0.5, f64::NAN);
    }
    let lambda = em_lambda(&pairs);
    (lambda, -mixture_loss(&pairs, lambda))
}

/// (domain, base) natural-log probabilities of every token of `doc`.
pub(crate) fn logprob_pairs(base: &KnModel, domain: &KnModel, doc: &[u32]) -> Vec<(f64, f64)> {
    let plain = ScoreOptions::default();
    let d = domain.score(doc, &plain);
    let b = base.score(doc, &plain);
    d.iter()
        .zip(&b)
        .map(|(x, y)| (x.logprob, y.logprob))
        .collect()
}

/// The mixture's loss (−average natural-log likelihood per token) at weight `lambda` of the domain.
pub(crate) fn mixture_loss(pairs: &[(f64, f64)], lambda: f64) -> f64 {
    -pairs
        .iter()
        .map(|&(d, b)| scoring::log_mix(&[lambda, 1.0 - lambda], &[d, b]))
        .sum::<f64>()
        / pairs.len() as f64
}

/// The domain weight maximising the likelihood of `pairs`, by expectation-maximisation from 0.5.
pub(crate) fn em_lambda(pairs: &[(f64, f64)]) -> f64 {
    let n = pairs.len() as f64;
    let mut lambda = 0.5;
    for _ in 0..200 {
        let next = pairs
            .iter()
            .map(|&(d, b)| {
                let num = lambda * d.exp();
                let den = num + (1.0 - lambda) * b.exp();
                if den > 0.0 {
                    num / den
                } else {
                    0.5
                }
            })
            .sum::<f64>()
            / n;
        let done = (next - lambda).abs() < 1e-7;
        lambda = next;
        if done {
            break;
        }
    }
    lambda
}
