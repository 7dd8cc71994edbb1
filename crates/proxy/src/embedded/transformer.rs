//! SmolLM2-135M as a [`LanguageModel`]: scoring, distributions and every position's distribution in
//! one windowed pass (what mixtures and λ tuning read), so the embedded backend, the mixture with the
//! plays' n-gram and the sampler treat it like the n-gram models.
//!
//! The model's one failure a caller can cause, an id outside the vocabulary, is refused before the
//! model is called (`backends::embedded`); any other failure of the tensor library is logged and
//! ends the work as a stop does (scoring, distributions and sampling alike: the request is answered
//! 504 with no internals), so no panic reaches a request. Only the infallible
//! [`LanguageModel::next_distribution`], which no request path calls, answers a uniform
//! distribution after logging a failure.

use likely_lm::{LmError, Model};
use likely_ngram::lm::check;
use likely_ngram::{LanguageModel, ScoreOptions, Stopped, TokenScore};
use std::sync::atomic::AtomicBool;

/// The transformer behind a `LanguageModel`. Clones share the weights.
#[derive(Debug, Clone)]
pub struct Transformer {
    model: Model,
}

impl Transformer {
    /// Wraps a loaded model.
    pub fn new(model: Model) -> Transformer {
        Transformer { model }
    }

    /// The loaded model.
    pub fn model(&self) -> &Model {
        &self.model
    }
}

/// `Stopped` for a stop; any other failure is logged first (it is not the caller's doing).
fn stopped(error: LmError) -> Stopped {
    if !matches!(error, LmError::Stopped(_)) {
        tracing::error!(%error, "the on-board transformer failed");
    }
    Stopped
}

impl LanguageModel for Transformer {
    fn vocab_size(&self) -> usize {
        self.model.vocab_size()
    }

    fn eot(&self) -> u32 {
        self.model.eos()
    }

    fn score_until(
        &self,
        tokens: &[u32],
        options: &ScoreOptions,
        stop: &AtomicBool,
    ) -> Result<Vec<TokenScore>, Stopped> {
        // One set of score types for both model crates (`likely-lm-types`).
        self.model
            .score_until(tokens, options, stop)
            .map_err(stopped)
    }

    fn next_distribution(&self, context: &[u32]) -> Vec<f64> {
        self.model.next_distribution(context).unwrap_or_else(|error| {
            tracing::error!(%error, "the on-board transformer failed; answering a uniform distribution");
            let size = self.model.vocab_size();
            vec![1.0 / size as f64; size]
        })
    }

    fn next_distribution_until(
        &self,
        context: &[u32],
        stop: &AtomicBool,
    ) -> Result<Vec<f64>, Stopped> {
        check(stop)?;
        self.model.next_distribution(context).map_err(stopped)
    }

    fn batches_distributions(&self) -> bool {
        true
    }

    fn visit_distributions(
        &self,
        tokens: &[u32],
        positions: &[usize],
        visit: &mut dyn FnMut(usize, &[f64]),
        stop: &AtomicBool,
    ) -> Result<(), Stopped> {
        // Positions before a token come from one windowed pass over `tokens`; the one after the
        // last token (if asked) from the distribution after all of them.
        let mut wanted = positions.iter().copied().peekable();
        let mut dist = Vec::with_capacity(self.model.vocab_size());
        let last = tokens.len();
        let before_end = positions.iter().any(|&p| p < last);
        if before_end {
            // Only the tokens up to the last asked position need a pass.
            let upto = positions
                .iter()
                .copied()
                .filter(|&p| p < last)
                .max()
                .unwrap_or(0)
                + 1;
            self.model
                .for_each_logprobs(&tokens[..upto], stop, |i, row| {
                    if wanted.peek() == Some(&i) {
                        dist.clear();
                        dist.extend(row.iter().map(|&l| f64::from(l).exp()));
                        while wanted.peek() == Some(&i) {
                            wanted.next();
                            visit(i, &dist);
                        }
                    }
                })
                .map_err(stopped)?;
        }
        for p in wanted {
            let dist = self.next_distribution_until(&tokens[..p.min(last)], stop)?;
            visit(p, &dist);
        }
        Ok(())
    }
}
