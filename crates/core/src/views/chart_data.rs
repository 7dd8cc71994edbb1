//! Chart data, ready for plotters: a histogram of token log-likelihoods per model over shared bins, the
//! baseline-versus-custom scatter per token, and the per-snippet difference series.

use crate::evaluation::results::scored_results;
use crate::evaluation::Evaluation;

/// Bin width of the log-likelihood histogram (nats).
pub const BIN_WIDTH: f64 = 0.5;
/// The histogram's lowest edge at most this low; lower values count in the first bin.
pub const RANGE_FLOOR: f64 = -20.0;

/// Histograms of several models over the same bins.
#[derive(Debug, Clone, PartialEq)]
pub struct Histogram {
    /// Bin edges, ascending, from the shared low edge to 0; bin `i` is `edges[i]..edges[i + 1]` (the
    /// last includes 0, the first also holds everything below).
    pub edges: Vec<f64>,
    /// One series per model with scored tokens, the baseline first.
    pub series: Vec<Series>,
}

/// One model's counts.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The model's name.
    pub model: String,
    /// Tokens per bin.
    pub counts: Vec<usize>,
    /// Share of the model's scored tokens per bin (comparable across tokenizers).
    pub fractions: Vec<f64>,
    /// Scored tokens.
    pub total: usize,
    /// Tokens below the first edge, counted in the first bin.
    pub below_range: usize,
}

/// The log-likelihood histogram of every model in `evaluation`, over bins of [`BIN_WIDTH`] from the
/// lowest value seen (not below [`RANGE_FLOOR`]) to 0.
pub fn loglik_histogram(evaluation: &Evaluation) -> Histogram {
    let values: Vec<(String, Vec<f64>)> = evaluation
        .model_results()
        .map(|run| {
            let values = scored_results(run)
                .flat_map(|r| r.tokens.iter().filter_map(|t| t.logprob))
                .filter(|v| v.is_finite())
                .collect();
            (run.model.name.clone(), values)
        })
        .collect();
    histogram(&values)
}

/// Histograms of named value lists over shared bins (see [`loglik_histogram`]); lists without values
/// are left out.
pub fn histogram(values: &[(String, Vec<f64>)]) -> Histogram {
    let lowest = values
        .iter()
        .flat_map(|(_, v)| v.iter().copied())
        .fold(f64::INFINITY, f64::min);
    let low = if lowest.is_finite() {
        ((lowest / BIN_WIDTH).floor() * BIN_WIDTH).clamp(RANGE_FLOOR, -BIN_WIDTH)
    } else {
        -15.0
    };
    let bins = (-low / BIN_WIDTH).round() as usize;
    let edges: Vec<f64> = (0..=bins).map(|i| low + i as f64 * BIN_WIDTH).collect();
    let series = values
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(model, v)| {
            let mut counts = vec![0usize; bins];
            let mut below_range = 0;
            for &value in v {
                if value < low {
                    below_range += 1;
                }
                let bin = ((value - low) / BIN_WIDTH).floor().max(0.0) as usize;
                counts[bin.min(bins - 1)] += 1;
            }
            Series {
                model: model.clone(),
                fractions: counts.iter().map(|&c| c as f64 / v.len() as f64).collect(),
                counts,
                total: v.len(),
                below_range,
            }
        })
        .collect();
    Histogram { edges, series }
}

/// One token scored by both the baseline and a custom model with the same tokens.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScatterPoint {
    /// The snippet's index.
    pub snippet: usize,
    /// The token's index in the snippet.
    pub token: usize,
    /// The baseline's log-likelihood.
    pub baseline: f64,
    /// The custom model's log-likelihood.
    pub custom: f64,
}

/// Baseline versus `custom` per token, over the snippets where both have the same tokens.
pub fn scatter_points(evaluation: &Evaluation, custom: &str) -> Vec<ScatterPoint> {
    (0..evaluation.snippets.len())
        .filter_map(|snippet| {
            let differences = evaluation.token_differences(custom, snippet)?;
            let base = evaluation.result(&evaluation.baseline.model.name, snippet)?;
            Some(base.tokens.iter().zip(differences).enumerate().filter_map(
                move |(token, (b, d))| {
                    let baseline = b.logprob?;
                    Some(ScatterPoint {
                        snippet,
                        token,
                        baseline,
                        custom: baseline + d?,
                    })
                },
            ))
        })
        .flatten()
        .collect()
}

/// One snippet's average log-likelihoods and their difference.
#[derive(Debug, Clone, PartialEq)]
pub struct SnippetDelta {
    /// The snippet's index.
    pub snippet: usize,
    /// `#3`, or `#3 set.jsonl:12` for a snippet from a file.
    pub label: String,
    /// The baseline's average log-likelihood (nats per token).
    pub baseline: f64,
    /// The custom model's.
    pub custom: f64,
    /// Custom − baseline.
    pub delta: f64,
}

/// Per snippet scored by both, the difference of average log-likelihoods, custom − baseline.
pub fn snippet_deltas(evaluation: &Evaluation, custom: &str) -> Vec<SnippetDelta> {
    let base = evaluation.snippet_avg_logliks(&evaluation.baseline.model.name);
    let other = evaluation.snippet_avg_logliks(custom);
    base.into_iter()
        .zip(other)
        .enumerate()
        .filter_map(|(snippet, (b, c))| {
            let (baseline, custom) = (b?, c?);
            let source = &evaluation.snippets[snippet].source;
            let label = match source.file {
                Some(_) => format!("#{} {source}", snippet + 1),
                None => format!("#{}", snippet + 1),
            };
            Some(SnippetDelta {
                snippet,
                label,
                baseline,
                custom,
                delta: custom - baseline,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::results::Outcome;
    use crate::evaluation::tests::{result, two_models};
    use crate::evaluation::SnippetSource;

    #[test]
    fn shared_bins_from_the_lowest_value_to_zero() {
        let h = histogram(&[
            ("a".into(), vec![-0.2, -1.2, -1.0]),
            ("b".into(), vec![-2.3, 0.0]),
            ("c".into(), vec![]),
        ]);
        assert_eq!(h.edges, [-2.5, -2.0, -1.5, -1.0, -0.5, 0.0]);
        assert_eq!(h.series.len(), 2);
        assert_eq!(h.series[0].counts, [0, 0, 1, 1, 1]);
        assert_eq!(h.series[1].counts, [1, 0, 0, 0, 1]);
        assert_eq!(h.series[1].fractions[0], 0.5);
        assert_eq!(h.series[0].total, 3);
    }

    #[test]
    fn very_low_values_fall_in_the_first_bin() {
        let h = histogram(&[("a".into(), vec![-100.0, -19.9, -0.1])]);
        assert_eq!(h.edges[0], RANGE_FLOOR);
        assert_eq!(h.series[0].counts[0], 2);
        assert_eq!(h.series[0].below_range, 1);
        assert_eq!(histogram(&[]).edges.len(), 31);
    }

    #[test]
    fn evaluation_series_scatter_and_deltas() {
        let mut e = two_models(3);
        e.snippets[1].source = SnippetSource {
            file: Some("set.txt".into()),
            line: Some(5),
        };
        for i in 0..2 {
            e.set_outcome(
                "base-light",
                i,
                Outcome::Scored(result(&["a", "b", "c"], &[-2.0, -4.0])),
            )
            .unwrap();
        }
        e.set_outcome(
            "custom-base-light",
            0,
            Outcome::Scored(result(&["a", "b", "c"], &[-1.0, -1.0])),
        )
        .unwrap();
        e.set_outcome(
            "custom-base-light",
            1,
            Outcome::Scored(result(&["ab", "c"], &[-1.0])),
        )
        .unwrap();
        let h = loglik_histogram(&e);
        assert_eq!(h.series[0].total, 4);
        assert_eq!(h.series[1].total, 3);
        let points = scatter_points(&e, "custom-base-light");
        assert_eq!(points.len(), 2, "only the snippet with the same tokens");
        assert_eq!((points[1].baseline, points[1].custom), (-4.0, -1.0));
        let deltas = snippet_deltas(&e, "custom-base-light");
        assert_eq!(deltas.len(), 2);
        assert_eq!(deltas[0].delta, 2.0);
        assert_eq!(deltas[1].label, "#2 set.txt:5");
        assert_eq!(deltas[1].delta, 2.0);
    }
}
