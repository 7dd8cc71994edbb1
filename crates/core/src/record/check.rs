//! The server's check of a posted run before it is recorded: within the limits (else 400), a
//! snapshot that decodes to a finished evaluation (no snippet pending or failed) whose models,
//! parameters, set and figures are the ones the run claims (else 422: a tampered or mismatched run
//! is refused, never half-kept). The figures are recomputed from the snapshot with the same
//! functions the page used, so an honest run matches to rounding.

use super::api::{
    ModelRole, NewRun, RunComparison, RunDocument, RunFigures, MAX_AUTHOR_CHARS,
    MAX_DESCRIPTION_CHARS, MAX_RUN_MODELS, MAX_SET_NAME_CHARS,
};
use super::figures::run_figures;
use super::fingerprint::{fingerprint, is_fingerprint};
use crate::evaluation::results::Outcome;
use crate::evaluation::Evaluation;
use crate::figures::bootstrap::Interval;
use crate::snapshot::{from_fragment, Scope};
use thiserror::Error;

/// Why a posted run is refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RunRejection {
    /// Over a limit or malformed (HTTP 400).
    #[error("{0}")]
    Invalid(String),
    /// The snapshot is damaged, unfinished, or does not match what the run claims (HTTP 422).
    #[error("{0}")]
    Mismatch(String),
}

/// A run that passed the check: its evaluation (from the snapshot), what the snapshot held, and the
/// document to keep.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedRun {
    /// The evaluation the snapshot holds.
    pub evaluation: Evaluation,
    /// What the snapshot held.
    pub scope: Scope,
    /// The run without its snapshot.
    pub document: RunDocument,
}

fn too_long(what: &str, text: Option<&str>, max: usize) -> Result<(), RunRejection> {
    match text {
        Some(text) if text.chars().count() > max => Err(RunRejection::Invalid(format!(
            "{what} is longer than {max} characters"
        ))),
        _ => Ok(()),
    }
}

fn mismatch(what: String) -> RunRejection {
    RunRejection::Mismatch(format!(
        "this run does not match its snapshot ({what}); record it again from the page or CLI"
    ))
}

/// Checks `new` as described in the module documentation.
pub fn check_run(run: NewRun) -> Result<CheckedRun, RunRejection> {
    let NewRun {
        document: new,
        snapshot,
    } = run;
    too_long("the author", new.author.as_deref(), MAX_AUTHOR_CHARS)?;
    too_long(
        "the set's name",
        new.dataset.name.as_deref(),
        MAX_SET_NAME_CHARS,
    )?;
    for model in &new.models {
        too_long(
            "a model's description",
            model.description.as_deref(),
            MAX_DESCRIPTION_CHARS,
        )?;
        too_long(
            "a model's backend",
            model.backend.as_deref(),
            MAX_SET_NAME_CHARS,
        )?;
        too_long(
            "a model's upstream name",
            model.upstream_model.as_deref(),
            MAX_SET_NAME_CHARS,
        )?;
    }
    if new.models.len() > MAX_RUN_MODELS {
        return Err(RunRejection::Invalid(format!(
            "a run holds at most {MAX_RUN_MODELS} models"
        )));
    }
    if !is_fingerprint(&new.dataset.fingerprint) {
        return Err(RunRejection::Invalid(
            "`dataset.fingerprint` must be 64 lower-case hex digits (the set's SHA-256)".into(),
        ));
    }
    let snapshot = from_fragment(&snapshot)
        .map_err(|e| RunRejection::Mismatch(format!("the run's snapshot cannot be read: {e}")))?;
    let evaluation = snapshot.evaluation;
    for run in evaluation.model_results() {
        if let Some(outcome) = run
            .outcomes
            .iter()
            .find(|o| !matches!(o, Outcome::Scored(_)))
        {
            let why = match outcome {
                Outcome::Failed { .. } => "failed on a snippet",
                _ => "did not finish (cancelled)",
            };
            return Err(RunRejection::Mismatch(format!(
                "model `{}` {why}: only finished evaluations are recorded",
                run.model.name
            )));
        }
    }
    let names: Vec<&str> = evaluation.model_names().collect();
    let claimed: Vec<&str> = new.models.iter().map(|m| m.name.as_str()).collect();
    if names != claimed {
        return Err(mismatch(format!(
            "the models are {claimed:?}, the snapshot's {names:?}"
        )));
    }
    for (index, model) in new.models.iter().enumerate() {
        let expected = if index == 0 {
            ModelRole::Baseline
        } else {
            ModelRole::Custom
        };
        if model.role != expected {
            return Err(mismatch(format!("`{}` has the wrong role", model.name)));
        }
    }
    if new.dataset.snippets != evaluation.snippets.len() {
        return Err(mismatch(format!(
            "{} snippets claimed, {} in the snapshot",
            new.dataset.snippets,
            evaluation.snippets.len()
        )));
    }
    if snapshot.scope == Scope::Everything
        && fingerprint(&evaluation.snippets) != new.dataset.fingerprint
    {
        return Err(mismatch(
            "the set's fingerprint is not its snippets'".into(),
        ));
    }
    if new.params != evaluation.params {
        return Err(mismatch("the Generate parameters differ".into()));
    }
    let (figures, comparisons) = run_figures(&evaluation);
    same_figures(&new.figures, &figures)?;
    same_comparisons(&new.comparisons, &comparisons)?;
    Ok(CheckedRun {
        scope: snapshot.scope,
        document: RunDocument {
            author: new.author.filter(|a| !a.trim().is_empty()),
            figures,
            comparisons,
            ..new
        },
        evaluation,
    })
}

/// Two figures are the same when both are missing (JSON has no NaN) or within rounding.
fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a.filter(|v| v.is_finite()), b.filter(|v| v.is_finite())) {
        (None, None) => true,
        (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * (1.0 + a.abs().max(b.abs())),
        _ => false,
    }
}

fn close_ci(a: Option<Interval>, b: Option<Interval>) -> bool {
    close(a.map(|i| i.low), b.map(|i| i.low)) && close(a.map(|i| i.high), b.map(|i| i.high))
}

fn same_figures(claimed: &[RunFigures], actual: &[RunFigures]) -> Result<(), RunRejection> {
    if claimed.len() != actual.len() {
        return Err(mismatch(format!(
            "{} figure rows for {} models",
            claimed.len(),
            actual.len()
        )));
    }
    for (c, a) in claimed.iter().zip(actual) {
        let same = c.model == a.model
            && close(c.avg_loglik, a.avg_loglik)
            && close(c.loss, a.loss)
            && close_ci(c.loss_ci, a.loss_ci)
            && close(c.bits_per_byte, a.bits_per_byte)
            && close(c.accuracy, a.accuracy)
            && c.tokens == a.tokens;
        if !same {
            return Err(mismatch(format!("the figures of `{}` differ", a.model)));
        }
    }
    Ok(())
}

fn same_comparisons(
    claimed: &[RunComparison],
    actual: &[RunComparison],
) -> Result<(), RunRejection> {
    if claimed.len() != actual.len() {
        return Err(mismatch(format!(
            "{} pills where the snapshot gives {}",
            claimed.len(),
            actual.len()
        )));
    }
    for (c, a) in claimed.iter().zip(actual) {
        let same = c.custom == a.custom
            && c.metric == a.metric
            && close(c.delta, a.delta)
            && close_ci(c.ci, a.ci)
            && c.verdict == a.verdict;
        if !same {
            return Err(mismatch(format!(
                "the {} pill of `{}` differs",
                a.metric, a.custom
            )));
        }
    }
    Ok(())
}
