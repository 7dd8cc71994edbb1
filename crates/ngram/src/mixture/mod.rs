//! A mixture of any two language models of one vocabulary, token by token:
//! `P(w | h) = λ P_a(w | h) + (1 − λ) P_b(w | h)` (a transformer and a Kneser-Ney model of a domain,
//! say). Scores, distributions and token look-ups are the parts' mixed; the exact top-k and ranks
//! are found from the parts' own top-k lists (`top`).

use std::sync::Arc;

use crate::error::NgramError;
use crate::lm::{LanguageModel, Positions, ScoreOptions, Stopped, Text, TokenScore};
mod top;
use crate::score::sequence::log_mix;

/// `λ · a + (1 − λ) · b`, each token's probability mixed.
#[derive(Clone)]
pub struct MixedModel {
    a: Arc<dyn LanguageModel>,
    b: Arc<dyn LanguageModel>,
    lambda: f64,
}

impl std::fmt::Debug for MixedModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MixedModel")
            .field("lambda", &self.lambda)
            .field("vocab", &self.a.vocab_size())
            .finish_non_exhaustive()
    }
}

impl MixedModel {
    /// `lambda` (clamped to [0, 1]) is the weight of `a`. An error when the two models have
    /// different vocabulary sizes or end-of-text ids.
    pub fn new(
        a: Arc<dyn LanguageModel>,
        b: Arc<dyn LanguageModel>,
        lambda: f64,
    ) -> Result<MixedModel, NgramError> {
        if a.vocab_size() != b.vocab_size() || a.eot() != b.eot() {
            return Err(NgramError::Vocabulary(format!(
                "cannot mix a model of {} ids (end-of-text {}) with one of {} (end-of-text {})",
                a.vocab_size(),
                a.eot(),
                b.vocab_size(),
                b.eot()
            )));
        }
        let lambda = if lambda.is_nan() {
            0.5
        } else {
            lambda.clamp(0.0, 1.0)
        };
        Ok(MixedModel { a, b, lambda })
    }

    /// The weight of the first model.
    pub fn lambda(&self) -> f64 {
        self.lambda
    }

    /// The first model (weight λ).
    pub fn first(&self) -> &Arc<dyn LanguageModel> {
        &self.a
    }

    /// The second model (weight 1 − λ).
    pub fn second(&self) -> &Arc<dyn LanguageModel> {
        &self.b
    }

    /// The two weights, of `a` then `b`.
    fn weights(&self) -> [f64; 2] {
        [self.lambda, 1.0 - self.lambda]
    }

    /// What scoring reads of the mixture: its parts and weights.
    pub(crate) fn parts(&self) -> top::Parts<'_> {
        top::Parts::new(&self.a, &self.b, self.lambda)
    }
}

impl LanguageModel for MixedModel {
    fn vocab_size(&self) -> usize {
        self.a.vocab_size()
    }

    fn eot(&self) -> u32 {
        self.a.eot()
    }

    fn batches_distributions(&self) -> bool {
        self.a.batches_distributions() || self.b.batches_distributions()
    }

    fn score_until(
        &self,
        text: Text<'_>,
        options: &ScoreOptions,
    ) -> Result<Vec<TokenScore>, Stopped> {
        top::score(&self.parts(), text, options)
    }

    fn next_distribution_until(&self, context: Text<'_>) -> Result<Vec<f64>, Stopped> {
        let [wa, wb] = self.weights();
        let mut out = self.a.next_distribution_until(context)?;
        let b = self.b.next_distribution_until(context)?;
        for (o, q) in out.iter_mut().zip(&b) {
            *o = wa * *o + wb * q;
        }
        Ok(out)
    }

    fn logprobs_at(&self, text: Text<'_>, asks: &[(usize, u32)]) -> Result<Vec<f64>, Stopped> {
        let weights = self.weights();
        let x = self.a.logprobs_at(text, asks)?;
        let y = self.b.logprobs_at(text, asks)?;
        Ok(x.iter()
            .zip(&y)
            .map(|(&x, &y)| log_mix(&weights, &[x, y]))
            .collect())
    }

    fn visit_distributions(
        &self,
        positions: Positions<'_>,
        visit: &mut dyn FnMut(usize, &[f64]),
    ) -> Result<(), Stopped> {
        top::visit_mixed(&self.parts(), positions, visit)
    }
}
