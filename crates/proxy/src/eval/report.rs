//! What `likely eval` prints: the figures table and the pills (custom − baseline with the 95%
//! interval and verdict), or one JSON document (`--json`). Every number comes from the evaluation's
//! own functions (`Evaluation::metrics`, `Evaluation::comparisons`), as on the page.

use likely_core::compare::{Comparison, Pill, Verdict};
use likely_core::distribution::DistributionComparison;
use likely_core::evaluation::Evaluation;
use likely_core::Metric;
use serde::Serialize;
use std::fmt::Write;

/// One model's figures (the page's figures table).
#[derive(Debug, Serialize)]
pub struct ModelFigures {
    /// The model's name.
    pub name: String,
    /// `baseline` or `custom`.
    pub role: &'static str,
    /// Average natural-log likelihood per scored token.
    pub avg_loglik: Option<f64>,
    /// Minus that (nats per token).
    pub loss: Option<f64>,
    /// exp(loss).
    pub perplexity: Option<f64>,
    /// Bits per byte.
    pub bits_per_byte: Option<f64>,
    /// Next-token accuracy, when the backend tells the top token.
    pub accuracy: Option<f64>,
    /// Scored tokens.
    pub tokens: usize,
    /// Snippets scored.
    pub scored_snippets: usize,
    /// Snippets that failed.
    pub failed_snippets: usize,
    /// lm-evaluation-harness's `word_perplexity`, `byte_perplexity` and `bits_per_byte` over the
    /// scored snippets ([`super::lm_eval`]).
    pub lm_eval: Option<super::lm_eval::LmEvalFigures>,
}

/// One pill: a custom model against the baseline on one metric.
#[derive(Debug, Serialize)]
pub struct PillFigures {
    /// The baseline's name.
    pub baseline: String,
    /// The custom model's name.
    pub custom: String,
    /// The metric's key (`accuracy`, `loss`, `avg-loglik`, `bpb`).
    pub metric: &'static str,
    /// Custom − baseline (the pill's `data-value`).
    pub delta: Option<f64>,
    /// The interval's low end (`data-ci-low`).
    pub ci_low: Option<f64>,
    /// The interval's high end (`data-ci-high`).
    pub ci_high: Option<f64>,
    /// `better`, `worse`, `within_noise` or `undetermined`.
    pub verdict: &'static str,
    /// The pill's text, e.g. `-0.56`.
    pub text: String,
    /// How the interval was made.
    pub method: String,
}

/// A snippet that failed with a model.
#[derive(Debug, Serialize)]
pub struct FailureReport {
    /// The model's name.
    pub model: String,
    /// The snippet's index (0-based).
    pub snippet: usize,
    /// Where the snippet came from, e.g. `held-out.txt:12`.
    pub source: String,
    /// Why.
    pub reason: String,
}

/// The whole report (`--json`).
#[derive(Debug, Serialize)]
pub struct Report {
    /// Snippets in the set.
    pub snippets: usize,
    /// Every model's figures, the baseline first.
    pub models: Vec<ModelFigures>,
    /// Every pill of every custom model.
    pub comparisons: Vec<PillFigures>,
    /// Per custom model sharing the baseline's tokenizer, the whole-distribution figures (KL
    /// divergence, same top-1, Δp; `likely_core::distribution`), when the backends gave top-K lists.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub distribution: Vec<DistributionComparison>,
    /// Failed snippets.
    pub failures: Vec<FailureReport>,
    /// The share link kept with `--share`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share_url: Option<String>,
    /// The run recorded with `--record`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_url: Option<String>,
}

/// The verdict's name in the JSON document.
pub fn verdict_key(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Better => "better",
        Verdict::Worse => "worse",
        Verdict::WithinNoise => "within_noise",
        Verdict::Undetermined => "undetermined",
    }
}

impl Report {
    /// The report of `evaluation`.
    pub fn of(evaluation: &Evaluation) -> Report {
        let models = evaluation
            .model_results()
            .enumerate()
            .map(|(index, run)| {
                let name = run.model.name.clone();
                let metrics = evaluation.metrics(&name);
                let progress = evaluation.progress(&name);
                ModelFigures {
                    role: if index == 0 { "baseline" } else { "custom" },
                    avg_loglik: metrics.as_ref().map(|m| m.avg_loglik),
                    loss: metrics.as_ref().map(|m| m.loss),
                    perplexity: metrics.as_ref().map(|m| m.perplexity),
                    bits_per_byte: metrics.as_ref().and_then(|m| m.bits_per_byte),
                    accuracy: metrics.as_ref().and_then(|m| m.accuracy),
                    tokens: metrics.as_ref().map_or(0, |m| m.scored_tokens),
                    scored_snippets: progress.scored,
                    failed_snippets: progress.failed,
                    lm_eval: super::lm_eval::figures(evaluation, &name),
                    name,
                }
            })
            .collect();
        let comparisons = evaluation
            .comparisons()
            .iter()
            .flat_map(|comparison| {
                comparison
                    .pills
                    .iter()
                    .map(|pill| pill_figures(comparison, pill))
            })
            .collect();
        let failures = evaluation
            .failures()
            .into_iter()
            .map(|failure| FailureReport {
                source: evaluation
                    .snippets
                    .get(failure.snippet)
                    .map(|s| s.source.to_string())
                    .unwrap_or_default(),
                model: failure.model,
                snippet: failure.snippet,
                reason: failure.reason,
            })
            .collect();
        Report {
            snippets: evaluation.snippets.len(),
            models,
            comparisons,
            distribution: evaluation
                .distributions_with(likely_core::bootstrap::RESAMPLES)
                .into_iter()
                .flatten()
                .collect(),
            failures,
            share_url: None,
            run_url: None,
        }
    }

    /// Whether a custom model is worse than the baseline on loss with its interval excluding zero.
    pub fn any_worse_on_loss(&self) -> bool {
        self.comparisons.iter().any(|pill| {
            pill.metric == Metric::Loss.key() && pill.verdict == verdict_key(Verdict::Worse)
        })
    }

    /// The figures and pills as plain-text tables.
    pub fn table(&self) -> String {
        let mut out = String::new();
        let names: Vec<String> = self
            .models
            .iter()
            .map(|m| format!("{} ({})", m.name, m.role))
            .collect();
        let width = names
            .iter()
            .map(|n| n.chars().count())
            .max()
            .unwrap_or(0)
            .max(5);
        let _ = writeln!(
            out,
            "{:<width$} {:>12} {:>8} {:>11} {:>8} {:>9} {:>8}",
            "model", "avg loglik", "loss", "perplexity", "bpb", "accuracy", "tokens"
        );
        for (m, name) in self.models.iter().zip(&names) {
            let _ = writeln!(
                out,
                "{:<width$} {:>12} {:>8} {:>11} {:>8} {:>9} {:>8}",
                name,
                fixed(m.avg_loglik, 3),
                fixed(m.loss, 3),
                fixed(m.perplexity, 2),
                fixed(m.bits_per_byte, 3),
                fixed(m.accuracy, 3),
                m.tokens
            );
        }
        if !self.comparisons.is_empty() {
            let pairs: Vec<String> = self
                .comparisons
                .iter()
                .map(|pill| format!("{} vs {}", pill.custom, pill.baseline))
                .collect();
            let width = pairs
                .iter()
                .map(|p| p.chars().count())
                .max()
                .unwrap_or(0)
                .max(18);
            let _ = writeln!(out);
            let _ = writeln!(
                out,
                "{:<width$} {:<12} {:>9} {:>24}  verdict",
                "custom vs baseline", "metric", "delta", "95% interval"
            );
            for (pill, pair) in self.comparisons.iter().zip(&pairs) {
                let interval = match (pill.ci_low, pill.ci_high) {
                    (Some(low), Some(high)) => format!("[{low:.4}, {high:.4}]"),
                    _ => "no interval".to_string(),
                };
                let _ = writeln!(
                    out,
                    "{:<width$} {:<12} {:>9} {:>24}  {}",
                    pair, pill.metric, pill.text, interval, pill.verdict
                );
            }
        }
        if !self.distribution.is_empty() {
            let _ = writeln!(out);
            let _ = writeln!(
                out,
                "whole distribution (KL baseline ‖ custom in nats/token, top-K estimate):"
            );
            for d in &self.distribution {
                let ci = |e: &likely_core::distribution::Estimate| {
                    e.ci.map_or_else(
                        || "no interval".to_string(),
                        |ci| format!("[{:.4}, {:.4}]", ci.low, ci.high),
                    )
                };
                let _ = writeln!(
                    out,
                    "{} vs {}: mean KL {:.4} {}, median {:.4}, p99 {:.4}; same top-1 {:.3} {}; mean Δp {:+.4} {} ({} positions)",
                    d.custom,
                    d.baseline,
                    d.mean_kl.value,
                    ci(&d.mean_kl),
                    d.median_kl,
                    d.p99_kl,
                    d.same_top1.value,
                    ci(&d.same_top1),
                    d.mean_delta_p.value,
                    ci(&d.mean_delta_p),
                    d.positions
                );
            }
        }
        out
    }
}

fn pill_figures(comparison: &Comparison, pill: &Pill) -> PillFigures {
    PillFigures {
        baseline: comparison.baseline.clone(),
        custom: comparison.custom.clone(),
        metric: pill.metric.key(),
        delta: pill.delta,
        ci_low: pill.ci.map(|ci| ci.low),
        ci_high: pill.ci.map(|ci| ci.high),
        verdict: verdict_key(pill.verdict),
        text: pill.text.clone(),
        method: pill.method.clone(),
    }
}

fn fixed(value: Option<f64>, digits: usize) -> String {
    value.map_or_else(|| "n/a".to_string(), |v| format!("{v:.digits$}"))
}
