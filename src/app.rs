//! The page: loads the model list, holds the form's state, runs an evaluation and shows the results.

use crate::api;
use crate::evaluate::{score_snippet, EvaluateForm, ModelResult};
use crate::results::ResultsTable;
use leptos::prelude::*;
use leptos::task::spawn_local;
use likely_core::ModelInfo;

/// The default baseline and custom model: the embedded pair of the worked example.
const DEFAULT_BASELINE: &str = "base-light";
const DEFAULT_CUSTOM: &str = "custom-base-light";

/// The whole dashboard.
#[component]
pub fn App() -> impl IntoView {
    let models = RwSignal::new(Vec::<ModelInfo>::new());
    let text = RwSignal::new(String::new());
    let baseline = RwSignal::new(String::new());
    let customs = RwSignal::new(Vec::<String>::new());
    let running = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let results = RwSignal::new(Vec::<ModelResult>::new());

    spawn_local(async move {
        match api::list_models().await {
            Ok(list) => {
                let names: Vec<&str> = list.models.iter().map(|m| m.name.as_str()).collect();
                let base = if names.contains(&DEFAULT_BASELINE) {
                    DEFAULT_BASELINE
                } else {
                    names.first().copied().unwrap_or_default()
                };
                baseline.set(base.to_string());
                let custom = names
                    .iter()
                    .find(|n| **n == DEFAULT_CUSTOM)
                    .or_else(|| names.iter().find(|n| **n != base));
                customs.set(custom.map(|n| vec![n.to_string()]).unwrap_or_default());
                models.set(list.models);
            }
            Err(failure) => error.set(Some(format!("Cannot list the models: {failure}"))),
        }
    });

    let evaluate = Callback::new(move |()| {
        let prompt = text.get_untracked();
        if prompt.trim().is_empty() {
            error.set(Some("Paste or type some held-out text first.".into()));
            return;
        }
        let base = baseline.get_untracked();
        if base.is_empty() {
            error.set(Some("Pick a baseline model.".into()));
            return;
        }
        let mut chosen = vec![base.clone()];
        chosen.extend(customs.get_untracked().into_iter().filter(|n| *n != base));
        error.set(None);
        running.set(true);
        spawn_local(async move {
            let mut scored = Vec::new();
            for model in &chosen {
                match score_snippet(model, &prompt).await {
                    Ok(result) => scored.push(result),
                    Err(message) => {
                        error.set(Some(message));
                        break;
                    }
                }
            }
            results.set(scored);
            running.set(false);
        });
    });

    view! {
        <header class="masthead">
            <h1>"Likely"</h1>
            <p class="tagline">"Does your fine-tuned model beat its base? Token by token."</p>
        </header>
        <main>
            <EvaluateForm
                models=models.into()
                text=text
                baseline=baseline
                customs=customs
                running=running.into()
                on_evaluate=evaluate
            />
            <Show when=move || error.get().is_some()>
                <p class="error" role="alert" data-testid="error-message">{move || error.get().unwrap_or_default()}</p>
            </Show>
            <ResultsTable results=results.into() />
        </main>
    }
}
