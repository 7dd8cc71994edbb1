//! A run's figures made from its evaluation: each model's figures table row (with a bootstrap
//! interval of its loss over snippets) and every pill, with the full number of resamples. The page,
//! `likely eval --record` and the server's check all call these, so they agree to the bit.

use super::api::{ModelRole, NewRun, RunComparison, RunDocument, RunFigures, RunModel, RunSet};
use super::fingerprint::fingerprint;
use crate::evaluation::results::{ModelResults, Outcome};
use crate::evaluation::Evaluation;
use crate::figures::bootstrap::{intervals, Interval, Pair, RESAMPLES};
use crate::figures::metric::Metric;
use crate::figures::sums::Sums;
use crate::snapshot::{encode, to_fragment, Scope, SnapshotError};
use crate::wire::ModelInfo;

/// The 95% interval of `run`'s loss, resampling its scored snippets (`None` under two).
pub fn loss_interval(run: &ModelResults) -> Option<Interval> {
    // The bootstrap takes differences: against a "baseline" of zero log-likelihood over one token
    // per snippet, whose loss is 0 in every resample, the difference is the model's own loss.
    let zero = Sums {
        tokens: 1.0,
        ..Sums::default()
    };
    let units: Vec<Pair> = run
        .outcomes
        .iter()
        .filter_map(|outcome| match outcome {
            Outcome::Scored(result) => Some(Pair {
                baseline: zero,
                custom: Sums::of(&result.tokens),
            }),
            _ => None,
        })
        .collect();
    intervals(&units, RESAMPLES)[Metric::Loss.index()]
}

/// Every model's figures (the baseline first) and every pill of every custom model.
pub fn run_figures(evaluation: &Evaluation) -> (Vec<RunFigures>, Vec<RunComparison>) {
    let figures = evaluation
        .model_results()
        .map(|run| {
            let metrics = evaluation.metrics(&run.model.name);
            RunFigures {
                model: run.model.name.clone(),
                avg_loglik: metrics.as_ref().map(|m| m.avg_loglik),
                loss: metrics.as_ref().map(|m| m.loss),
                loss_ci: loss_interval(run),
                bits_per_byte: metrics.as_ref().and_then(|m| m.bits_per_byte),
                accuracy: metrics.as_ref().and_then(|m| m.accuracy),
                tokens: metrics.as_ref().map_or(0, |m| m.scored_tokens),
            }
        })
        .collect();
    let comparisons = evaluation
        .comparisons()
        .into_iter()
        .flat_map(|comparison| {
            let custom = comparison.custom.clone();
            comparison.pills.into_iter().map(move |pill| RunComparison {
                custom: custom.clone(),
                metric: pill.metric.key().to_string(),
                delta: pill.delta,
                ci: pill.ci,
                verdict: pill.verdict,
            })
        })
        .collect();
    (figures, comparisons)
}

/// The `POST /v1/runs` body of a finished `evaluation`: its models described from `infos` (the
/// server's model list), `author` and the set's name as given, and its snapshot holding `scope`.
pub fn new_run(
    evaluation: &Evaluation,
    infos: &[ModelInfo],
    author: Option<String>,
    set_name: Option<String>,
    scope: Scope,
) -> Result<NewRun, SnapshotError> {
    let models = evaluation
        .model_results()
        .enumerate()
        .map(|(index, run)| {
            let info = infos.iter().find(|info| info.name == run.model.name);
            RunModel {
                name: run.model.name.clone(),
                role: if index == 0 {
                    ModelRole::Baseline
                } else {
                    ModelRole::Custom
                },
                backend: info.map(|info| info.backend.clone()),
                upstream_model: None,
                description: info.and_then(|info| info.description.clone()),
            }
        })
        .collect();
    let (figures, comparisons) = run_figures(evaluation);
    Ok(NewRun {
        document: RunDocument {
            author: author.filter(|a| !a.trim().is_empty()),
            dataset: RunSet {
                fingerprint: fingerprint(&evaluation.snippets),
                name: set_name,
                snippets: evaluation.snippets.len(),
            },
            models,
            params: evaluation.params.clone(),
            figures,
            comparisons,
        },
        snapshot: to_fragment(&encode(evaluation, scope)?),
    })
}
