//! Domain adaptation of one Kneser-Ney model by another: `P(w | h) = λ P_domain(w | h) + (1 - λ)
//! P_base(w | h)`, with both models' full interpolated Kneser-Ney distributions (exact, not a merged
//! approximation), scored together in one pass. `λ` is chosen by expectation-maximisation on
//! held-out in-domain text ([`crate::lambda`]). [`crate::MixedModel`] mixes any two models.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use crate::error::NgramError;
use crate::lm::{LanguageModel, ScoreOptions, Stopped, TokenScore};
use crate::model::KnModel;
use crate::scoring;

/// A base model adapted to a domain by interpolation with an in-domain model.
#[derive(Debug, Clone)]
pub struct InterpolatedModel {
    base: Arc<KnModel>,
    domain: Arc<KnModel>,
    lambda: f64,
}

impl InterpolatedModel {
    /// `lambda` is the weight of the in-domain model, clamped to [0, 1]. An error when the two
    /// models have different vocabularies (sizes or end-of-text ids).
    pub fn new(
        base: Arc<KnModel>,
        domain: Arc<KnModel>,
        lambda: f64,
    ) -> Result<InterpolatedModel, NgramError> {
        if base.vocabulary() != domain.vocabulary() {
            return Err(NgramError::Vocabulary(format!(
                "cannot mix a model of {:?} with one of {:?}",
                base.vocabulary(),
                domain.vocabulary()
            )));
        }
        Ok(InterpolatedModel {
            base,
            domain,
            lambda: lambda.clamp(0.0, 1.0),
        })
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
        self.base.vocab()
    }

    fn eot(&self) -> u32 {
        self.base.eot()
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

    fn logprobs_at(
        &self,
        tokens: &[u32],
        asks: &[(usize, u32)],
        stop: &AtomicBool,
    ) -> Result<Vec<f64>, Stopped> {
        scoring::logprobs_at(&self.parts(), tokens, asks, stop)
    }
}
