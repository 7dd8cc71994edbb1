//! A Kneser-Ney model as a [`LanguageModel`]: scoring, distributions, and token look-ups at
//! given positions (a step from the position's context, no distribution built).

use std::sync::atomic::AtomicBool;

use crate::lm::{LanguageModel, ScoreOptions, Stopped, TokenScore};
use crate::model::KnModel;
use crate::scoring;

impl LanguageModel for KnModel {
    fn vocab_size(&self) -> usize {
        self.vocab()
    }

    fn eot(&self) -> u32 {
        KnModel::eot(self)
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

    fn logprobs_at(
        &self,
        tokens: &[u32],
        asks: &[(usize, u32)],
        stop: &AtomicBool,
    ) -> Result<Vec<f64>, Stopped> {
        scoring::logprobs_at(&[(1.0, self)], tokens, asks, stop)
    }
}
