//! Scoring a text: every token's log-probability under the full softmax, the top-K tokens of each
//! position and optionally each token's rank, computed from the logits rows of
//! [`Model::for_each_logits`] (log-sum-exp in f64).

use std::sync::atomic::AtomicBool;

use rayon::prelude::*;

use crate::error::LmError;
use crate::model::Model;

pub use likely_lm_types::{ScoreOptions, TokenScore};

impl Model {
    /// Scores every token of `tokens`, the first given `<|endoftext|>` as context, later ones the text
    /// before them (in windows: see [`crate::model`]).
    pub fn score(
        &self,
        tokens: &[u32],
        options: &ScoreOptions,
    ) -> Result<Vec<TokenScore>, LmError> {
        let never = AtomicBool::new(false);
        self.score_until(tokens, options, &never)
    }

    /// [`Model::score`] that checks `stop` between layers and gives up with [`LmError::Stopped`] once
    /// it is set.
    pub fn score_until(
        &self,
        tokens: &[u32],
        options: &ScoreOptions,
        stop: &AtomicBool,
    ) -> Result<Vec<TokenScore>, LmError> {
        self.score_with_progress(tokens, options, stop, |_, _| {})
    }

    /// [`Model::score_until`] that calls `progress(scored, total)` after each window.
    pub fn score_with_progress(
        &self,
        tokens: &[u32],
        options: &ScoreOptions,
        stop: &AtomicBool,
        progress: impl FnMut(usize, usize),
    ) -> Result<Vec<TokenScore>, LmError> {
        let vocab = self.vocab_size();
        let mut out = Vec::with_capacity(tokens.len());
        self.for_each_logit_rows(tokens, stop, progress, |first, flat| {
            let rows: Vec<&[f32]> = flat.chunks_exact(vocab).collect();
            out.par_extend(
                rows.into_par_iter()
                    .enumerate()
                    .map(|(r, logits)| score_row(tokens[first + r], logits, options)),
            );
        })?;
        Ok(out)
    }

    /// Each token's log-probability, the rows as natural-log probabilities over the whole
    /// vocabulary (`f32`, length `vocab`): for callers that need the full distribution of every
    /// position (mixtures, exact KL divergence).
    pub fn for_each_logprobs(
        &self,
        tokens: &[u32],
        stop: &AtomicBool,
        mut row: impl FnMut(usize, &[f32]),
    ) -> Result<(), LmError> {
        let mut buf = Vec::new();
        self.for_each_logits(
            tokens,
            stop,
            |_, _| {},
            |i, logits| {
                let lse = log_sum_exp(logits);
                buf.clear();
                buf.extend(logits.iter().map(|&l| (l as f64 - lse) as f32));
                row(i, &buf);
            },
        )
    }
}

/// ln Σ exp(l), summed in f64. Each term is `exp(l − max)` in f32 (within an ulp, 6e-8 relative,
/// so the sum and its log are off by less than 1e-7 nats): f64's `exp` took three times as long,
/// and this runs over the 49,152 logits of every position scored.
pub(crate) fn log_sum_exp(logits: &[f32]) -> f64 {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let sum: f64 = logits.iter().map(|&l| f64::from((l - max).exp())).sum();
    f64::from(max) + sum.ln()
}

/// The score of `token` given one position's logits.
fn score_row(token: u32, logits: &[f32], options: &ScoreOptions) -> TokenScore {
    let lse = log_sum_exp(logits);
    let actual = logits[token as usize];
    let rank = options
        .ranks
        .then(|| 1 + logits.iter().filter(|&&l| l > actual).count() as u32);
    let top = top_k(logits, options.top_k)
        .into_iter()
        .map(|id| (id, logits[id as usize] as f64 - lse))
        .collect();
    TokenScore {
        token,
        logprob: actual as f64 - lse,
        top,
        rank,
    }
}

/// The ids of the `k` largest logits, best first, ties to the smaller id.
pub(crate) fn top_k(logits: &[f32], k: usize) -> Vec<u32> {
    let k = k.min(logits.len());
    if k == 0 {
        return Vec::new();
    }
    // Kept sorted best first; a candidate enters only when it beats the worst kept.
    let mut best: Vec<u32> = Vec::with_capacity(k + 1);
    let better = |a: u32, b: u32| {
        let (la, lb) = (logits[a as usize], logits[b as usize]);
        la > lb || (la == lb && a < b)
    };
    for id in 0..logits.len() as u32 {
        if best.len() == k && !better(id, best[k - 1]) {
            continue;
        }
        let at = best.partition_point(|&b| better(b, id));
        best.insert(at, id);
        best.truncate(k);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_k_is_sorted_best_first_with_ties_to_smaller_ids() {
        let logits = [0.5, 2.0, 2.0, -1.0, 3.0];
        assert_eq!(top_k(&logits, 3), vec![4, 1, 2]);
        assert_eq!(top_k(&logits, 9), vec![4, 1, 2, 0, 3]);
        assert!(top_k(&logits, 0).is_empty());
    }

    #[test]
    fn row_scores_are_log_softmax_with_rank() {
        let logits = [0.0f32, (2.0f32).ln(), 0.0];
        let s = score_row(
            0,
            &logits,
            &ScoreOptions {
                top_k: 2,
                ranks: true,
            },
        );
        assert!((s.logprob - 0.25f64.ln()).abs() < 1e-6);
        assert_eq!(s.rank, Some(2));
        assert_eq!(s.top[0].0, 1);
        assert!((s.top[0].1 - 0.5f64.ln()).abs() < 1e-6);
        assert_eq!(s.top[1].0, 0);
    }
}
