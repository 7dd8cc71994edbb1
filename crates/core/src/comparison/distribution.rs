//! Whole-distribution figures of a custom model against the baseline, as `llama-perplexity
//! --kl-divergence` reports them, computed from each position's top-K lists (the `top_logprobs`
//! extension) when the two models share a tokenizer, so that position `i` of both is the same token
//! predicted from the same text.
//!
//! Per position, with P the baseline's next-token distribution and Q the custom model's:
//!
//! - **KL(P ‖ Q)**, estimated from the two top-K lists with the remaining mass as one bucket. Let
//!   `I` be the tokens whose probability is known under both models: those in both lists, and the
//!   actual token (whose log-likelihood every answer gives). The estimate is the exact KL divergence
//!   of P and Q merged onto the partition {each token of `I`} ∪ {every other token}:
//!   `Σ_{x∈I} P(x) ln(P(x)/Q(x)) + P(R) ln(P(R)/Q(R))`, `P(R) = 1 − Σ_{x∈I} P(x)` and likewise
//!   `Q(R)`. Merging outcomes never increases a KL divergence (the log-sum inequality), so the
//!   estimate is a lower bound of the true value, equal to it when the lists cover both
//!   distributions; it is never negative. The remaining masses are clamped to at least
//!   [`REST_FLOOR`] (rounding can make the listed mass exceed 1). docs/distribution.md has the error
//!   measured against the exact value for the embedded models.
//! - **same top-1**: the two lists' first (most likely) tokens are the same id;
//! - **Δp**: the custom model's probability of the actual token minus the baseline's.
//!
//! Per pair, over every position both models have lists for (the first token of a snippet and window
//! junctions have none): the mean, median and 99th percentile of the KL values (percentiles by
//! linear interpolation between order statistics), the share of positions with the same top-1, and
//! the mean Δp. The three means get the pills' paired bootstrap interval: over snippets when at least
//! two have positions, else over blocks of round(n^(1/3)) consecutive positions of the one snippet
//! (`bootstrap`), each resample's statistic being its positions' sum over their count.
//!
//! A share link keeps, per custom model and token, the KL value and whether the top-1 agreed
//! ([`Frozen`], in `SnippetResult::frozen`), not the lists; Δp comes from the tokens'
//! log-likelihoods, which every link keeps.

use crate::comparison::pills::Basis;
use crate::evaluation::params::GenerateParams;
pub use crate::evaluation::results::Frozen;
use crate::evaluation::results::{tokens_align, ModelResults, ModelSpec, Outcome, SnippetResult};
use crate::evaluation::Evaluation;
use crate::figures::bootstrap::{block_len, quantile, ratio_intervals, Interval};
use crate::wire::scores::{ScoredToken, TopK};
use serde::{Deserialize, Serialize};

/// The least remaining probability mass used in the KL estimate's last bucket.
pub const REST_FLOOR: f64 = 1e-12;

/// The figures of one position.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Position {
    /// KL(baseline ‖ custom) at this position, nats (the top-K estimate).
    pub kl: f64,
    /// Whether both models' most likely token is the same.
    pub same_top1: bool,
    /// The custom model's probability of the actual token minus the baseline's.
    pub delta_p: f64,
}

/// `x ln(x / y)`, 0 when `x` is 0.
fn term(x: f64, y: f64) -> f64 {
    if x > 0.0 {
        x * (x.ln() - y.ln())
    } else {
        0.0
    }
}

/// The top-K estimate of KL(P ‖ Q) (see the module documentation) from the baseline's list `p`, the
/// custom model's list `q`, and the actual token's id with its log-likelihoods under P and Q.
pub fn kl_top_k(p: &TopK, q: &TopK, actual: Option<(u32, f64, f64)>) -> f64 {
    let mut known_p = 0.0;
    let mut known_q = 0.0;
    let mut kl = 0.0;
    let mut actual_listed = false;
    for (id, lp) in p.entries() {
        let Some(lq) = q.entries().find(|&(other, _)| other == id).map(|e| e.1) else {
            continue;
        };
        actual_listed |= actual.is_some_and(|(a, ..)| a == id);
        let (pp, qq) = (lp.exp(), lq.exp());
        known_p += pp;
        known_q += qq;
        kl += pp * (lp - lq);
    }
    if let Some((_, lp, lq)) = actual.filter(|_| !actual_listed) {
        let (pp, qq) = (lp.exp(), lq.exp());
        known_p += pp;
        known_q += qq;
        kl += pp * (lp - lq);
    }
    let rest_p = (1.0 - known_p).max(REST_FLOOR);
    let rest_q = (1.0 - known_q).max(REST_FLOOR);
    (kl + term(rest_p, rest_q)).max(0.0)
}

/// The figures of one position from the baseline's token and the custom model's (the same token),
/// when both are scored and have top-K lists.
pub fn position(baseline: &ScoredToken, custom: &ScoredToken) -> Option<Position> {
    let (lp, lq) = (baseline.logprob?, custom.logprob?);
    let (p, q) = (baseline.top_k.as_ref()?, custom.top_k.as_ref()?);
    let (top_p, top_q) = (p.ids.first()?, q.ids.first()?);
    let actual = baseline.id.or(custom.id).map(|id| (id, lp, lq));
    Some(Position {
        kl: kl_top_k(p, q, actual),
        same_top1: top_p == top_q,
        delta_p: lq.exp() - lp.exp(),
    })
}

/// Per token of one snippet, the figures of the custom model against the baseline where both have
/// them (computed from the lists, or as a share link froze them); `None` when the two split the text
/// into different tokens.
pub fn positions(
    baseline: &SnippetResult,
    custom: &SnippetResult,
) -> Option<Vec<Option<Position>>> {
    if !tokens_align(&baseline.tokens, &custom.tokens) {
        return None;
    }
    let frozen = custom.frozen.as_deref();
    Some(
        baseline
            .tokens
            .iter()
            .zip(&custom.tokens)
            .enumerate()
            .map(|(i, (b, c))| {
                position(b, c).or_else(|| {
                    let kept = (*frozen?.get(i)?)?;
                    Some(Position {
                        kl: kept.kl,
                        same_top1: kept.same_top1,
                        delta_p: c.logprob?.exp() - b.logprob?.exp(),
                    })
                })
            })
            .collect(),
    )
}

/// What a share link keeps of `custom`'s figures against `baseline` for one snippet: `None` when no
/// token has any.
pub fn freeze(baseline: &SnippetResult, custom: &SnippetResult) -> Option<Vec<Option<Frozen>>> {
    let kept: Vec<Option<Frozen>> = positions(baseline, custom)?
        .into_iter()
        .map(|p| {
            p.map(|p| Frozen {
                kl: p.kl,
                same_top1: p.same_top1,
            })
        })
        .collect();
    kept.iter().any(Option::is_some).then_some(kept)
}

/// A mean with its paired bootstrap interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// The value over every position.
    pub value: f64,
    /// The 95% percentile interval, when there are at least two units to resample.
    pub ci: Option<Interval>,
}

/// The whole-distribution figures of one custom model against the baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DistributionComparison {
    /// The baseline's name.
    pub baseline: String,
    /// The custom model's name.
    pub custom: String,
    /// Positions with figures.
    pub positions: usize,
    /// Mean KL(baseline ‖ custom), nats per token: the pill's `data-value`.
    pub mean_kl: Estimate,
    /// Median KL, nats.
    pub median_kl: f64,
    /// 99th percentile of KL, nats.
    pub p99_kl: f64,
    /// Share of positions where both models' top-1 token is the same, 0..1.
    pub same_top1: Estimate,
    /// Mean change in the probability of the actual token, custom − baseline (−1..1).
    pub mean_delta_p: Estimate,
    /// What the intervals resampled, when there are intervals.
    pub basis: Option<Basis>,
    /// How the intervals were made (or why there are none), for the hover.
    pub method: String,
}

/// Sums of one unit of resampling: KL, same top-1 and Δp sums, and the positions.
fn unit_of(positions: &[Position]) -> ([f64; 3], f64) {
    let mut sums = [0.0; 3];
    for p in positions {
        sums[0] += p.kl;
        sums[1] += f64::from(u8::from(p.same_top1));
        sums[2] += p.delta_p;
    }
    (sums, positions.len() as f64)
}

/// The figures of `custom` against `baseline` over the snippets both scored with the same tokens, the
/// intervals from `resamples` resamples; `None` when no position has figures.
pub fn compare_distribution(
    baseline: &ModelResults,
    custom: &ModelResults,
    resamples: usize,
) -> Option<DistributionComparison> {
    let per_snippet: Vec<Vec<Position>> = baseline
        .outcomes
        .iter()
        .zip(&custom.outcomes)
        .filter_map(|pair| match pair {
            (Outcome::Scored(b), Outcome::Scored(c)) => positions(b, c),
            _ => None,
        })
        .map(|list| list.into_iter().flatten().collect::<Vec<_>>())
        .filter(|list| !list.is_empty())
        .collect();
    let all: Vec<Position> = per_snippet.iter().flatten().copied().collect();
    if all.is_empty() {
        return None;
    }
    let (basis, units): (Basis, Vec<([f64; 3], f64)>) = match per_snippet.as_slice() {
        [one] => {
            let block = block_len(one.len());
            (
                Basis::Tokens(one.len()),
                one.chunks(block).map(unit_of).collect(),
            )
        }
        many => (
            Basis::Snippets(many.len()),
            many.iter().map(|s| unit_of(s)).collect(),
        ),
    };
    let cis = ratio_intervals(&units, resamples);
    let method = if units.len() >= 2 && resamples > 0 {
        basis.method(resamples)
    } else {
        "no interval: fewer than two units to resample".to_string()
    };
    let (sums, count) = unit_of(&all);
    let mut kls: Vec<f64> = all.iter().map(|p| p.kl).collect();
    kls.sort_by(f64::total_cmp);
    let estimate = |i: usize| Estimate {
        value: sums[i] / count,
        ci: cis[i],
    };
    Some(DistributionComparison {
        baseline: baseline.model.name.clone(),
        custom: custom.model.name.clone(),
        positions: all.len(),
        mean_kl: estimate(0),
        median_kl: quantile(&kls, 0.5),
        p99_kl: quantile(&kls, 0.99),
        same_top1: estimate(1),
        mean_delta_p: estimate(2),
        basis: (units.len() >= 2).then_some(basis),
        method,
    })
}

/// Whether two models can be compared position by position: both name the same tokenizer.
pub fn share_tokenizer(a: &ModelSpec, b: &ModelSpec) -> bool {
    matches!((&a.tokenizer, &b.tokenizer), (Some(x), Some(y)) if x == y)
}

impl Evaluation {
    /// The parameters of `model`'s requests: the evaluation's, with `top_logprobs` kept only when
    /// the model shares a tokenizer with a model it is compared with (the baseline with any custom
    /// model, a custom model with the baseline).
    pub fn params_for(&self, model: &str) -> GenerateParams {
        let base = &self.baseline.model;
        let paired = if model == base.name {
            self.custom
                .iter()
                .any(|run| share_tokenizer(base, &run.model))
        } else {
            self.results_of(model)
                .is_some_and(|run| share_tokenizer(base, &run.model))
        };
        let mut params = self.params.clone();
        if !paired {
            params.top_logprobs = None;
        }
        params
    }

    /// Per custom model (in their order) its whole-distribution figures against the baseline, with
    /// `resamples` bootstrap resamples per interval; `None` for a model without any.
    pub fn distributions_with(&self, resamples: usize) -> Vec<Option<DistributionComparison>> {
        self.custom
            .iter()
            .map(|run| compare_distribution(&self.baseline, run, resamples))
            .collect()
    }

    /// Per token of `snippet`, `custom`'s figures against the baseline (see [`positions`]); `None`
    /// when either has not scored it or their tokens differ.
    pub fn positions(&self, custom: &str, snippet: usize) -> Option<Vec<Option<Position>>> {
        let base = self.result(&self.baseline.model.name, snippet)?;
        positions(base, self.result(custom, snippet)?)
    }
}

#[cfg(test)]
#[path = "distribution_tests.rs"]
mod tests;
