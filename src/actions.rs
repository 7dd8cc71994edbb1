//! What the buttons do: evaluate, cancel, retry failed snippets, load the worked example. Each builds
//! or changes the one `Evaluation` value and lets the run fill it in. Evaluate and Load example ask
//! before replacing an unsaved evaluation (`crate::unsaved`).

use crate::evaluate::{pending_jobs, start_jobs};
use crate::state::Dashboard;
use crate::unsaved::confirm_replace;
use leptos::prelude::*;
use likely_core::dataset::pasted;
use likely_core::evaluation::Evaluation;
use likely_core::example;
use likely_core::results::{ModelSpec, Outcome};

/// The model `name` as the server describes it (or known by name only).
pub fn spec(dashboard: Dashboard, name: &str) -> ModelSpec {
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
    if !confirm_replace(dashboard) {
        return;
    }
    start_evaluation(dashboard);
}

fn start_evaluation(dashboard: Dashboard) {
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
            dashboard.epochs.with_value(|epochs| {
                start_jobs(dashboard.evaluation, jobs, epochs, dashboard.running)
            });
        }
        Err(error) => dashboard.error.set(Some(error.to_string())),
    }
}

/// Stops the run; what finished stays.
pub fn cancel(dashboard: Dashboard) {
    dashboard.epochs.with_value(|epochs| epochs.cancel());
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
        .epochs
        .with_value(|epochs| start_jobs(dashboard.evaluation, jobs, epochs, dashboard.running));
}

/// Loads the worked example (the documented prompt, base-light against custom-base-light) and
/// evaluates it.
pub fn load_example(dashboard: Dashboard) {
    let names: Vec<String> = dashboard
        .models
        .with_untracked(|models| models.iter().map(|m| m.name.clone()).collect());
    let (baseline, custom) = example::default_models(&names);
    load_example_with(dashboard, baseline, custom);
}

/// Loads the worked example with its transformer pair (smollm2-135m against
/// smollm2-135m-shakespeare) and evaluates it.
pub fn load_transformer_example(dashboard: Dashboard) {
    load_example_with(
        dashboard,
        Some(example::TRANSFORMER_BASELINE.to_string()),
        Some(example::TRANSFORMER_CUSTOM.to_string()),
    );
}

/// The worked example's prompt with these models, evaluated.
fn load_example_with(dashboard: Dashboard, baseline: Option<String>, custom: Option<String>) {
    if !confirm_replace(dashboard) {
        return;
    }
    dashboard.upload.set(None);
    dashboard.text.set(example::PROMPT.to_string());
    if let Some(baseline) = baseline {
        dashboard.baseline.set(baseline);
    }
    dashboard.customs.set(custom.into_iter().collect());
    dashboard.params.set(Default::default());
    start_evaluation(dashboard);
}
