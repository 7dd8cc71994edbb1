//! What the buttons do: evaluate, cancel, retry failed snippets, load the worked example. Each builds
//! or changes the one `Evaluation` value and lets the run fill it in.

use crate::evaluate::{pending_jobs, run_jobs};
use crate::state::Dashboard;
use leptos::prelude::*;
use likely_core::dataset::pasted;
use likely_core::evaluation::{Evaluation, ModelSpec, Outcome};

/// The worked example's held-out snippet: Hamlet's soliloquy, one line, typographic apostrophes.
pub const HAMLET_SNIPPET: &str = "To be, or not to be: that is the question: Whether ’tis nobler in the mind to suffer The slings and arrows of outrageous fortune, Or to take arms against a sea of troubles, And by opposing end them. To die: to sleep; No more; and by a sleep to say we end The heart-ache and the thousand natural shocks That flesh is heir to, ’tis a consummation Devoutly to be wish’d.";
/// The worked example's baseline.
pub const EXAMPLE_BASELINE: &str = "base-light";
/// The worked example's custom model.
pub const EXAMPLE_CUSTOM: &str = "custom-base-light";

fn spec(dashboard: Dashboard, name: &str) -> ModelSpec {
    dashboard.models.with_untracked(|models| {
        models
            .iter()
            .find(|m| m.name == name)
            .map(ModelSpec::from)
            .unwrap_or_else(|| ModelSpec::named(name))
    })
}

/// Starts a new evaluation of the uploaded set (or the pasted text) with the chosen models.
pub fn evaluate(dashboard: Dashboard) {
    let snippets = match dashboard.upload.get_untracked() {
        Some(upload) => upload.snippets,
        None => match pasted(&dashboard.text.get_untracked()) {
            Some(snippet) => vec![snippet],
            None => {
                dashboard.error.set(Some(
                    "Paste or type some held-out text first, or upload a held-out set.".into(),
                ));
                return;
            }
        },
    };
    let baseline = dashboard.baseline.get_untracked();
    if baseline.is_empty() {
        dashboard.error.set(Some("Pick a baseline model.".into()));
        return;
    }
    let customs: Vec<ModelSpec> = dashboard
        .customs
        .get_untracked()
        .iter()
        .filter(|name| **name != baseline)
        .map(|name| spec(dashboard, name))
        .collect();
    let params = dashboard.params.get_untracked();
    match Evaluation::new(snippets, params, spec(dashboard, &baseline), customs) {
        Ok(evaluation) => {
            let jobs = pending_jobs(&evaluation);
            dashboard.error.set(None);
            dashboard.evaluation.set(Some(evaluation));
            dashboard
                .runs
                .with_value(|runs| run_jobs(dashboard.evaluation, jobs, runs, dashboard.running));
        }
        Err(error) => dashboard.error.set(Some(error.to_string())),
    }
}

/// Stops the run; what finished stays.
pub fn cancel(dashboard: Dashboard) {
    dashboard.runs.with_value(|runs| runs.cancel());
    dashboard.running.set(false);
}

/// Scores again every snippet that failed or was left pending by a cancel.
pub fn retry_failed(dashboard: Dashboard) {
    dashboard.evaluation.update(|evaluation| {
        if let Some(evaluation) = evaluation {
            let failed: Vec<(String, usize)> = evaluation
                .failures()
                .into_iter()
                .map(|f| (f.model, f.snippet))
                .collect();
            for (model, snippet) in failed {
                let _ = evaluation.set_outcome(&model, snippet, Outcome::Pending);
            }
        }
    });
    let jobs = dashboard
        .evaluation
        .with_untracked(|e| e.as_ref().map(pending_jobs).unwrap_or_default());
    dashboard
        .runs
        .with_value(|runs| run_jobs(dashboard.evaluation, jobs, runs, dashboard.running));
}

/// Loads the worked example (Hamlet, base-light against custom-base-light) and evaluates it.
pub fn load_example(dashboard: Dashboard) {
    dashboard.upload.set(None);
    dashboard.text.set(HAMLET_SNIPPET.to_string());
    let names: Vec<String> = dashboard
        .models
        .with_untracked(|models| models.iter().map(|m| m.name.clone()).collect());
    if names.iter().any(|n| n == EXAMPLE_BASELINE) {
        dashboard.baseline.set(EXAMPLE_BASELINE.to_string());
    }
    if names.iter().any(|n| n == EXAMPLE_CUSTOM) {
        dashboard.customs.set(vec![EXAMPLE_CUSTOM.to_string()]);
    }
    dashboard.params.set(Default::default());
    evaluate(dashboard);
}
