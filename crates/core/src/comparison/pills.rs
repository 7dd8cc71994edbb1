//! A custom model against the baseline: one metric pill per metric (difference, paired bootstrap 95%
//! interval, verdict, display text, hover method) and the share of snippets the custom model wins.
//!
//! Both models are compared on the same text only: the snippets both scored. The interval resamples
//! - snippets, when at least two snippets were scored by both;
//! - otherwise the tokens of the one snippet, when both models have the same tokens (same texts);
//! - otherwise aligned text segments of that snippet: a segment ends where a token of each model ends,
//!   so each segment holds whole tokens of both models and the same bytes. With the same tokens the
//!   segments are the tokens, so this is the token bootstrap generalised to different tokenizers. When
//!   the two token lists do not spell the same text there is no interval.
//!
//! Within one snippet, tokens (or segments) are resampled in blocks of round(n^(1/3)) neighbours, since
//! neighbouring tokens are not independent (see `bootstrap`).

use crate::evaluation::results::{tokens_align, ModelResults, Outcome};
use crate::evaluation::Evaluation;
use crate::figures::bootstrap::{block_len, blocks, intervals, Interval, Pair, LEVEL, RESAMPLES};
use crate::figures::metric::Metric;
use crate::figures::sums::Sums;
use crate::wire::scores::ScoredToken;
use serde::{Deserialize, Serialize};

/// What a pill says about the custom model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    /// Better, and the interval excludes zero (green).
    Better,
    /// Worse, and the interval excludes zero (red).
    Worse,
    /// The interval contains zero (grey).
    WithinNoise,
    /// No interval could be computed, or no difference (grey).
    Undetermined,
}

/// What the interval resampled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Basis {
    /// Snippets scored by both models.
    Snippets(usize),
    /// Tokens of the one snippet, both models having the same tokens.
    Tokens(usize),
    /// Aligned text segments of the one snippet, the tokenizations differing.
    Segments(usize),
}

impl Basis {
    /// The hover text: `paired bootstrap over 12 snippets, 2,000 resamples, 95% percentile interval`;
    /// with fewer than [`RESAMPLES`] (a run still going on) it says they are provisional.
    pub fn method(self, resamples: usize) -> String {
        let over = match self {
            Basis::Snippets(n) => format!("{} snippets", thousands(n)),
            Basis::Tokens(n) => format!(
                "{} tokens of the one snippet in {} blocks of {} consecutive tokens",
                thousands(n),
                thousands(self.blocks()),
                thousands(self.block())
            ),
            Basis::Segments(n) => format!(
                "{} text segments of the one snippet in {} blocks of {} consecutive segments (the \
                 models' tokens differ; a segment ends where both models' tokens end)",
                thousands(n),
                thousands(self.blocks()),
                thousands(self.block())
            ),
        };
        let provisional = if resamples < RESAMPLES {
            format!(
                " (provisional while the run goes on: {} at the end)",
                thousands(RESAMPLES)
            )
        } else {
            String::new()
        };
        format!(
            "paired bootstrap over {over}, {} resamples{provisional}, {:.0}% percentile interval",
            thousands(resamples),
            LEVEL * 100.0
        )
    }

    /// How many consecutive units are resampled together: 1 for snippets, round(n^(1/3)) within a
    /// snippet.
    pub fn block(self) -> usize {
        match self {
            Basis::Snippets(_) => 1,
            Basis::Tokens(n) | Basis::Segments(n) => block_len(n),
        }
    }

    /// How many blocks are resampled.
    pub fn blocks(self) -> usize {
        let n = match self {
            Basis::Snippets(n) | Basis::Tokens(n) | Basis::Segments(n) => n,
        };
        n.div_ceil(self.block())
    }
}

/// `12,345`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// One metric pill of a custom model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pill {
    /// The metric.
    pub metric: Metric,
    /// The baseline's value over the snippets both scored.
    pub baseline: Option<f64>,
    /// The custom model's value over the snippets both scored.
    pub custom: Option<f64>,
    /// Custom − baseline (accuracy as a fraction, loss and average log-likelihood in nats per token,
    /// bpb in bits per byte): the pill's `data-value`.
    pub delta: Option<f64>,
    /// The 95% interval of the difference: `data-ci-low` / `data-ci-high`.
    pub ci: Option<Interval>,
    /// Green, red or grey.
    pub verdict: Verdict,
    /// The pill's text: `+13%`, `-0.56`, or `n/a`.
    pub text: String,
    /// How the interval was made, or why there is none, for the hover.
    pub method: String,
}

/// How many snippets the custom model wins on average log-likelihood.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnippetWins {
    /// Snippets with a higher average log-likelihood for the custom model.
    pub wins: usize,
    /// Snippets with a lower one.
    pub losses: usize,
    /// Snippets with the same.
    pub ties: usize,
}

impl SnippetWins {
    /// Snippets compared.
    pub fn total(&self) -> usize {
        self.wins + self.losses + self.ties
    }

    /// The share of snippets won (ties are not wins).
    pub fn share(&self) -> f64 {
        self.wins as f64 / self.total().max(1) as f64
    }
}

/// A custom model against the baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// The baseline's name.
    pub baseline: String,
    /// The custom model's name.
    pub custom: String,
    /// Snippets scored by both (the figures cover these only).
    pub paired_snippets: usize,
    /// What the intervals resampled, when there are intervals.
    pub basis: Option<Basis>,
    /// One pill per metric, in [`Metric::ALL`] order.
    pub pills: Vec<Pill>,
    /// With two or more snippets scored by both: how many the custom model wins.
    pub wins: Option<SnippetWins>,
}

impl Comparison {
    /// The pill of `metric`.
    pub fn pill(&self, metric: Metric) -> Option<&Pill> {
        self.pills.iter().find(|pill| pill.metric == metric)
    }
}

/// Compares `custom` with `baseline` over the snippets both scored, the intervals from `resamples`
/// bootstrap resamples ([`RESAMPLES`], or [`crate::figures::bootstrap::PROVISIONAL_RESAMPLES`] while a run goes
/// on).
pub fn compare(baseline: &ModelResults, custom: &ModelResults, resamples: usize) -> Comparison {
    let paired: Vec<(&[ScoredToken], &[ScoredToken])> = baseline
        .outcomes
        .iter()
        .zip(&custom.outcomes)
        .filter_map(|pair| match pair {
            (Outcome::Scored(b), Outcome::Scored(c)) => {
                Some((b.tokens.as_slice(), c.tokens.as_slice()))
            }
            _ => None,
        })
        .collect();
    let snippet_units: Vec<Pair> = paired
        .iter()
        .map(|(b, c)| Pair {
            baseline: Sums::of(b),
            custom: Sums::of(c),
        })
        .collect();
    let (basis, units) = match paired.as_slice() {
        [] => (None, Vec::new()),
        [(b, c)] => match segments(b, c) {
            Some(units) if tokens_align(b, c) => (Some(Basis::Tokens(units.len())), units),
            Some(units) => (Some(Basis::Segments(units.len())), units),
            None => (None, Vec::new()),
        },
        _ => (
            Some(Basis::Snippets(snippet_units.len())),
            snippet_units.clone(),
        ),
    };
    let total = snippet_units.iter().fold(Pair::default(), |mut acc, unit| {
        acc.baseline.add(&unit.baseline);
        acc.custom.add(&unit.custom);
        acc
    });
    let cis = match basis {
        Some(basis) if units.len() >= 2 => intervals(&blocks(&units, basis.block()), resamples),
        _ => [None; 4],
    };
    let method = match basis {
        Some(basis) if units.len() >= 2 => Method::Bootstrap(basis, resamples),
        Some(_) => Method::TooFewUnits,
        None if paired.is_empty() => Method::NothingPaired,
        None => Method::TextsDiffer,
    };
    let pills = Metric::ALL
        .iter()
        .map(|&metric| {
            let pair = (total.baseline.value(metric), total.custom.value(metric));
            let delta = Sums::delta(&total.baseline, &total.custom, metric);
            pill(metric, pair, delta, cis[metric.index()], method)
        })
        .collect();
    Comparison {
        baseline: baseline.model.name.clone(),
        custom: custom.model.name.clone(),
        paired_snippets: paired.len(),
        basis,
        pills,
        wins: (paired.len() >= 2).then(|| wins(&snippet_units)),
    }
}

/// How an interval was made, or why there is none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    /// The paired bootstrap over `Basis`, with this many resamples.
    Bootstrap(Basis, usize),
    /// A basis, but fewer than two units to resample.
    TooFewUnits,
    /// No snippet was scored by both models.
    NothingPaired,
    /// The one snippet's two token lists do not spell the same text.
    TextsDiffer,
}

impl Method {
    /// The hover text.
    fn describe(self) -> String {
        match self {
            Method::Bootstrap(basis, resamples) => basis.method(resamples),
            Method::TooFewUnits => "no interval: fewer than two units to resample".to_string(),
            Method::NothingPaired => "no snippet was scored by both models".to_string(),
            Method::TextsDiffer => {
                "no interval: the models' tokens do not spell the same text".to_string()
            }
        }
    }
}

fn pill(
    metric: Metric,
    (baseline, custom): (Option<f64>, Option<f64>),
    delta: Option<f64>,
    ci: Option<Interval>,
    method: Method,
) -> Pill {
    let verdict = match (delta, ci) {
        (Some(_), Some(ci)) if !ci.contains_zero() => {
            if (ci.low > 0.0) == metric.higher_is_better() {
                Verdict::Better
            } else {
                Verdict::Worse
            }
        }
        (Some(_), Some(_)) => Verdict::WithinNoise,
        _ => Verdict::Undetermined,
    };
    let method = match (metric, delta, baseline, custom) {
        (Metric::Accuracy, None, None, _) | (Metric::Accuracy, None, _, None) => {
            "n/a: the backend does not return the top-1 token".to_string()
        }
        (_, None, ..) => "n/a: no token scored by both models".to_string(),
        (_, Some(_), ..) if ci.is_none() && matches!(method, Method::Bootstrap(..)) => {
            format!(
                "no interval: undefined in every resample ({})",
                method.describe()
            )
        }
        _ => method.describe(),
    };
    Pill {
        metric,
        baseline,
        custom,
        delta,
        ci,
        verdict,
        text: delta.map_or_else(|| "n/a".to_string(), |d| metric.format_delta(d)),
        method,
    }
}

/// Aligned segments of one snippet scored by both: each ends where a token of each model ends. `None`
/// when the two token lists do not spell the same text.
fn segments(baseline: &[ScoredToken], custom: &[ScoredToken]) -> Option<Vec<Pair>> {
    let spelled =
        |tokens: &[ScoredToken]| tokens.iter().map(|t| t.text.as_str()).collect::<String>();
    if spelled(baseline) != spelled(custom) {
        return None;
    }
    let mut units = Vec::with_capacity(baseline.len().min(custom.len()));
    let (mut b, mut c) = (baseline.iter(), custom.iter());
    let (mut b_end, mut c_end) = (0usize, 0usize);
    let mut unit = Pair::default();
    loop {
        if b_end <= c_end {
            let Some(token) = b.next() else { break };
            b_end += token.byte_len();
            unit.baseline.add_token(token);
        } else {
            let Some(token) = c.next() else { break };
            c_end += token.byte_len();
            unit.custom.add_token(token);
        }
        if b_end == c_end {
            units.push(std::mem::take(&mut unit));
        }
    }
    for token in b {
        unit.baseline.add_token(token);
    }
    for token in c {
        unit.custom.add_token(token);
    }
    if unit != Pair::default() {
        units.push(unit);
    }
    Some(units)
}

fn wins(units: &[Pair]) -> SnippetWins {
    let mut wins = SnippetWins {
        wins: 0,
        losses: 0,
        ties: 0,
    };
    for unit in units {
        let metric = Metric::AvgLoglik;
        let (b, c) = (unit.baseline.value(metric), unit.custom.value(metric));
        match (b, c) {
            (Some(b), Some(c)) if c > b => wins.wins += 1,
            (Some(b), Some(c)) if c < b => wins.losses += 1,
            (Some(_), Some(_)) => wins.ties += 1,
            _ => {}
        }
    }
    wins
}

impl Evaluation {
    /// The comparison of each custom model with the baseline, in the custom models' order, with
    /// [`RESAMPLES`] bootstrap resamples per interval.
    pub fn comparisons(&self) -> Vec<Comparison> {
        self.comparisons_with(RESAMPLES)
    }

    /// The comparisons with `resamples` bootstrap resamples per interval (fewer while a run goes on:
    /// [`crate::figures::bootstrap::PROVISIONAL_RESAMPLES`]).
    pub fn comparisons_with(&self, resamples: usize) -> Vec<Comparison> {
        self.custom
            .iter()
            .map(|run| compare(&self.baseline, run, resamples))
            .collect()
    }
}

#[cfg(test)]
#[path = "pills_tests.rs"]
mod tests;
