//! The language-model interface the server calls: scoring options and results, the text a call
//! reads ([`Text`], [`Positions`]), and the trait.
//!
//! Long work takes a stop flag (`&AtomicBool`, carried by the [`Text`] it reads) and checks it as it
//! goes, so that a caller whose request is gone can end the CPU work it started: set the flag and the
//! call returns [`Stopped`].

use std::sync::atomic::AtomicBool;

pub use likely_lm_types::{check, rank_of, top_of, ScoreOptions, Stopped, TokenScore};

/// The tokens one call of a model reads, and the caller's stop flag for that work.
///
/// Positions: "position `i` of the text" is the point before `tokens[i]`, whose context is the
/// start-of-text token (end-of-text) followed by `tokens[..i]`; `i` runs up to `tokens.len()`.
#[derive(Debug, Clone, Copy)]
pub struct Text<'a> {
    /// The token ids, after the implied start-of-text context.
    pub tokens: &'a [u32],
    /// Set by the caller once the answer is no longer wanted: the call then ends with [`Stopped`].
    pub stop: &'a AtomicBool,
}

impl<'a> Text<'a> {
    /// `tokens`, read until `stop` is set.
    pub fn new(tokens: &'a [u32], stop: &'a AtomicBool) -> Text<'a> {
        Text { tokens, stop }
    }

    /// [`Stopped`] once the stop flag is set.
    pub fn check(self) -> Result<(), Stopped> {
        check(self.stop)
    }

    /// The context of position `p`: the tokens before it (all of them for `p ≥ tokens.len()`).
    pub fn before(self, p: usize) -> Text<'a> {
        Text {
            tokens: &self.tokens[..p.min(self.tokens.len())],
            stop: self.stop,
        }
    }

    /// The positions `at` (ascending, each at most `tokens.len()`) of this text.
    pub fn at(self, at: &'a [usize]) -> Positions<'a> {
        Positions { text: self, at }
    }
}

/// Some positions of a [`Text`], ascending, each at most `text.tokens.len()`: where
/// [`LanguageModel::visit_distributions`] reads.
#[derive(Debug, Clone, Copy)]
pub struct Positions<'a> {
    /// The text.
    pub text: Text<'a>,
    /// The positions, ascending.
    pub at: &'a [usize],
}

/// A model of a vocabulary of token ids (GPT-2's for the n-gram models of `base-light`, another
/// tokenizer's for others), one of which is end-of-text.
///
/// A model implements [`LanguageModel::vocab_size`], [`LanguageModel::eot`] and
/// [`LanguageModel::next_distribution_until`]; everything else has an exact default read from its
/// distributions, which a model that finds it cheaper overrides.
pub trait LanguageModel: Send + Sync {
    /// Number of token ids the model assigns probability to (50,257 for GPT-2's).
    fn vocab_size(&self) -> usize;

    /// The end-of-text id: the start-of-text context of every score and the token after which
    /// sampling stops.
    fn eot(&self) -> u32;

    /// Scores every token of `tokens`, each given the start-of-text context (end-of-text) plus the
    /// tokens before it. Natural-log probabilities under the full, untruncated distribution.
    fn score(&self, tokens: &[u32], options: &ScoreOptions) -> Vec<TokenScore> {
        let never = AtomicBool::new(false);
        self.score_until(Text::new(tokens, &never), options)
            .unwrap_or_default()
    }

    /// [`LanguageModel::score`] of `text` that checks its stop flag every few tokens and gives up
    /// with [`Stopped`] once it is set.
    ///
    /// The default reads every position's distribution ([`LanguageModel::visit_distributions`]);
    /// a model that scores a token without its whole distribution overrides it.
    fn score_until(
        &self,
        text: Text<'_>,
        options: &ScoreOptions,
    ) -> Result<Vec<TokenScore>, Stopped> {
        let tokens = text.tokens;
        let positions: Vec<usize> = (0..tokens.len()).collect();
        let mut out = Vec::with_capacity(tokens.len());
        self.visit_distributions(text.at(&positions), &mut |p, dist| {
            out.push(TokenScore::from_distribution(tokens[p], dist, options));
        })?;
        Ok(out)
    }

    /// The full next-token distribution after the start-of-text context (end-of-text) plus
    /// `context`, as **probabilities** (not logs), indexed by token id; it sums to 1.
    ///
    /// The default asks [`LanguageModel::next_distribution_until`] with a flag that is never set;
    /// a model that fails there (a transformer's tensor library: logged by the model) answers a
    /// uniform distribution. Request paths call the `_until` form.
    fn next_distribution(&self, context: &[u32]) -> Vec<f64> {
        let never = AtomicBool::new(false);
        self.next_distribution_until(Text::new(context, &never))
            .unwrap_or_else(|Stopped| vec![1.0 / self.vocab_size() as f64; self.vocab_size()])
    }

    /// [`LanguageModel::next_distribution`] after the tokens of `context`, which gives up with
    /// [`Stopped`] once its stop flag is set, or when the model fails (a transformer's tensor
    /// library: logged by the model), so that a sampler never draws from a made-up distribution.
    /// A model may read only the last tokens of the context (an n-gram model its last `order - 1`).
    fn next_distribution_until(&self, context: Text<'_>) -> Result<Vec<f64>, Stopped>;

    /// `ln P(w | position p of the text)` for every `(p, w)` of `asks` (any order, `p ≤
    /// tokens.len()`), in the order of `asks`. An id outside the vocabulary gets what
    /// [`LanguageModel::score`] gives it (−∞ by default).
    ///
    /// The default reads each asked position's [`LanguageModel::visit_distributions`]; a model
    /// that finds a token's probability cheaper (an n-gram model: a look-up) overrides it.
    fn logprobs_at(&self, text: Text<'_>, asks: &[(usize, u32)]) -> Result<Vec<f64>, Stopped> {
        let order = by_position(asks);
        let mut positions: Vec<usize> = order.iter().map(|&i| asks[i].0).collect();
        positions.dedup();
        let mut out = vec![f64::NEG_INFINITY; asks.len()];
        let mut next = 0;
        self.visit_distributions(text.at(&positions), &mut |p, dist| {
            while let Some(&i) = order.get(next).filter(|&&i| asks[i].0 == p) {
                let w = asks[i].1 as usize;
                out[i] = dist.get(w).map_or(f64::NEG_INFINITY, |q| q.ln());
                next += 1;
            }
        })?;
        Ok(out)
    }

    /// Hands `visit` the full next-token distribution (probabilities) at each of the `positions`,
    /// in their order.
    ///
    /// The default asks [`LanguageModel::next_distribution_until`] once per position; a model whose
    /// one pass over the tokens gives every position's distribution (a transformer) overrides it.
    fn visit_distributions(
        &self,
        positions: Positions<'_>,
        visit: &mut dyn FnMut(usize, &[f64]),
    ) -> Result<(), Stopped> {
        for &p in positions.at {
            let dist = self.next_distribution_until(positions.text.before(p))?;
            visit(p, &dist);
        }
        Ok(())
    }

    /// Whether one [`LanguageModel::visit_distributions`] over many positions costs much less than
    /// as many [`LanguageModel::next_distribution_until`] calls (a transformer that overrides it:
    /// one forward pass). A mixture then walks this model's positions in one call and asks the
    /// other part for each position's distribution. False by default.
    fn batches_distributions(&self) -> bool {
        false
    }
}

/// The indices of `asks` (`(position, token)` pairs, as [`LanguageModel::logprobs_at`] takes them)
/// in ascending order of position, asks at one position in their given order: the order a walk
/// over the tokens answers them in.
pub(crate) fn by_position(asks: &[(usize, u32)]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..asks.len()).collect();
    order.sort_by_key(|&i| asks[i].0);
    order
}
