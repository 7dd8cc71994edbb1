//! Scoring a text: every token's log-probability under the full softmax, the top-K tokens of each
//! position and optionally each token's rank, computed from the logits rows of
//! [`Model::for_each_logits`] (log-sum-exp in f64).

use std::sync::atomic::AtomicBool;

use rayon::prelude::*;

use crate::error::LmError;
use crate::model::Model;
use crate::softmax::exp_nonpositive;

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

/// ln Σ exp(l), summed in f64. Each term is `exp(l − max)` in f32 from [`crate::softmax`]'s
/// vectorised `exp` (within 2 ulp, 1.2e-7 relative, so the sum and its log are off by less than
/// 2e-7 nats): this runs over the 49,152 logits of every position scored, and glibc's `expf`, one
/// call per value, was a twentieth of a shared scoring pass's time; f64's `exp` three times that.
pub(crate) fn log_sum_exp(logits: &[f32]) -> f64 {
    pulp::Arch::new().dispatch(LogSumExp(logits))
}

/// [`log_sum_exp`]'s loops.
struct LogSumExp<'a>(&'a [f32]);

impl pulp::WithSimd for LogSumExp<'_> {
    type Output = f64;

    // Plain loops with no calls in them, eight lanes each (one running value would be a chain the
    // compiler may not turn into vectors): compiled for the instruction set `pulp` found.
    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) -> f64 {
        let logits = self.0;
        let mut lanes = [f32::NEG_INFINITY; 8];
        let mut whole = logits.chunks_exact(8);
        for c in whole.by_ref() {
            for j in 0..8 {
                lanes[j] = lanes[j].max(c[j]);
            }
        }
        let max = whole
            .remainder()
            .iter()
            .chain(&lanes)
            .fold(f32::NEG_INFINITY, |m, &l| m.max(l));
        let mut sums = [0f64; 8];
        let mut whole = logits.chunks_exact(8);
        for c in whole.by_ref() {
            for j in 0..8 {
                sums[j] += f64::from(exp_nonpositive(c[j] - max));
            }
        }
        let tail: f64 = whole
            .remainder()
            .iter()
            .map(|&l| f64::from(exp_nonpositive(l - max)))
            .sum();
        f64::from(max) + (sums.iter().sum::<f64>() + tail).ln()
    }
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
    fn log_sum_exp_matches_f64_s() {
        let logits: Vec<f32> = (0..49_157)
            .map(|i| ((i * 7_919 % 10_007) as f32) * 0.003 - 20.0)
            .collect();
        let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
        let want = max
            + logits
                .iter()
                .map(|&l| (l as f64 - max).exp())
                .sum::<f64>()
                .ln();
        assert!(
            (log_sum_exp(&logits) - want).abs() < 2e-7,
            "{} vs {want}",
            log_sum_exp(&logits)
        );
        assert!((log_sum_exp(&[1.0]) - 1.0).abs() < 1e-12);
    }

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
