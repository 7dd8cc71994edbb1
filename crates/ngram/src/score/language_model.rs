//! Kneser-Ney models as a [`LanguageModel`]: anything made of weighted Kneser-Ney models scored
//! side by side in one pass ([`KneserNeyParts`]: one model, or a base adapted to a domain) gets
//! scoring, distributions, and token look-ups at given positions (a step from the position's
//! context, no distribution built) from one implementation.

use crate::lm::{LanguageModel, ScoreOptions, Stopped, Text, TokenScore};
use crate::model::KnModel;
use crate::score::sequence;

/// One or two Kneser-Ney models of one vocabulary with their weights (summing to 1), as the
/// scoring functions take them.
#[derive(Debug, Clone, Copy)]
pub struct KnParts<'a> {
    parts: [(f64, &'a KnModel); 2],
    len: usize,
}

impl<'a> KnParts<'a> {
    /// One model, weight 1.
    pub fn one(model: &'a KnModel) -> KnParts<'a> {
        KnParts {
            parts: [(1.0, model); 2],
            len: 1,
        }
    }

    /// Two models and their weights (the caller checks that they share a vocabulary).
    pub fn two(a: (f64, &'a KnModel), b: (f64, &'a KnModel)) -> KnParts<'a> {
        KnParts {
            parts: [a, b],
            len: 2,
        }
    }

    /// The weighted models.
    pub fn as_slice(&self) -> &[(f64, &'a KnModel)] {
        &self.parts[..self.len]
    }

    /// The first model: its vocabulary is every part's.
    fn first(&self) -> &'a KnModel {
        self.parts[0].1
    }
}

/// A model made of weighted Kneser-Ney models scored together: it is a [`LanguageModel`].
pub trait KneserNeyParts: Send + Sync {
    /// The models and their weights.
    fn kn_parts(&self) -> KnParts<'_>;
}

impl KneserNeyParts for KnModel {
    fn kn_parts(&self) -> KnParts<'_> {
        KnParts::one(self)
    }
}

impl<T: KneserNeyParts> LanguageModel for T {
    fn vocab_size(&self) -> usize {
        self.kn_parts().first().vocab()
    }

    fn eot(&self) -> u32 {
        self.kn_parts().first().eot()
    }

    fn score_until(
        &self,
        text: Text<'_>,
        options: &ScoreOptions,
    ) -> Result<Vec<TokenScore>, Stopped> {
        sequence::score(self.kn_parts().as_slice(), text, options)
    }

    fn next_distribution_until(&self, context: Text<'_>) -> Result<Vec<f64>, Stopped> {
        context.check()?;
        Ok(sequence::next_distribution(
            self.kn_parts().as_slice(),
            context.tokens,
        ))
    }

    fn logprobs_at(&self, text: Text<'_>, asks: &[(usize, u32)]) -> Result<Vec<f64>, Stopped> {
        sequence::logprobs_at(self.kn_parts().as_slice(), text, asks)
    }
}
