//! What the token view offers to choose: the models and snippets of the evaluation, and the choice
//! kept valid as the evaluation changes (by default the first custom model, else the baseline; the
//! difference colouring only with two models or more).

use super::paint::ColourMode;
use crate::state::Dashboard;
use leptos::prelude::*;

/// The model names and snippet labels to choose from; keeps `model`, `snippet` and `mode` valid.
pub(super) fn choices(
    dashboard: Dashboard,
    mode: RwSignal<ColourMode>,
    model: RwSignal<String>,
    snippet: RwSignal<usize>,
) -> (Signal<Vec<String>>, Signal<Vec<String>>) {
    let models = Signal::derive(move || {
        dashboard.evaluation.with(|e| {
            e.as_ref()
                .map(|e| e.model_names().map(str::to_string).collect::<Vec<_>>())
                .unwrap_or_default()
        })
    });
    let snippets = Signal::derive(move || {
        dashboard.evaluation.with(|e| {
            e.as_ref()
                .map(|e| {
                    e.snippets
                        .iter()
                        .enumerate()
                        .map(|(i, s)| {
                            let head: String = s.text.chars().take(40).collect();
                            format!("{}. {head}…", i + 1)
                        })
                        .collect()
                })
                .unwrap_or_default()
        })
    });
    Effect::new(move |_| {
        let names = models.get();
        if names.is_empty() {
            return;
        }
        if !names.contains(&model.get_untracked()) {
            let default = names
                .get(1)
                .or_else(|| names.first())
                .cloned()
                .unwrap_or_default();
            model.set(default);
        }
        if names.len() < 2 && mode.get_untracked() == ColourMode::Difference {
            mode.set(ColourMode::Loglik);
        }
        if snippet.get_untracked() >= snippets.with(Vec::len).max(1) {
            snippet.set(0);
        }
    });

    (models, snippets)
}
