//! SmolLM2-135M as a [`LanguageModel`]: scoring, distributions and every position's distribution in
//! one windowed pass (what mixtures and λ tuning read), so the embedded backend, the mixture with the
//! plays' n-gram and the sampler treat it like the n-gram models.
//!
//! The model's one failure a caller can cause, an id outside the vocabulary, is refused before the
//! model is called (`backends::embedded`); any other failure of the tensor library is logged and
//! ends the work as a stop does (scoring, distributions and sampling alike: the request is answered
//! 504 with no internals), so no panic reaches a request. Only the infallible
//! [`LanguageModel::next_distribution`] (the trait's default), which no request path calls, answers
//! a uniform distribution after a logged failure.

use likely_lm::{LmError, Model};
use likely_ngram::{LanguageModel, Positions, ScoreOptions, Stopped, Text, TokenScore};

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
        text: Text<'_>,
        options: &ScoreOptions,
    ) -> Result<Vec<TokenScore>, Stopped> {
        // One set of score types for both model crates (`likely-lm-types`).
        let Text { tokens, stop } = text;
        self.model
            .score_until(tokens, options, stop)
            .map_err(stopped)
    }

    fn next_distribution_until(&self, context: Text<'_>) -> Result<Vec<f64>, Stopped> {
        context.check()?;
        self.model
            .next_distribution(context.tokens)
            .map_err(stopped)
    }

    fn batches_distributions(&self) -> bool {
        true
    }

    fn visit_distributions(
        &self,
        positions: Positions<'_>,
        visit: &mut dyn FnMut(usize, &[f64]),
    ) -> Result<(), Stopped> {
        // Positions before a token come from one windowed pass over the tokens; the one after the
        // last token (if asked) from the distribution after all of them.
        let Positions { text, at } = positions;
        let mut wanted = at.iter().copied().peekable();
        let mut dist = Vec::with_capacity(self.model.vocab_size());
        let last = text.tokens.len();
        // Only the tokens up to the last asked position before the end need a pass.
        if let Some(upto) = at.iter().copied().filter(|&p| p < last).max() {
            self.model
                .for_each_logprobs(&text.tokens[..=upto], text.stop, |i, row| {
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
            let dist = self.next_distribution_until(text.before(p))?;
            visit(p, &dist);
        }
        Ok(())
    }
}
