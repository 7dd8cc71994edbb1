//! What the token view offers to choose: the models and snippets of the evaluation, and the choice
//! kept valid as the evaluation changes (by default the first custom model, else the baseline; the
//! difference colouring only with two models or more).

use super::paint::ColourMode;
use crate::state::Dashboard;
use leptos::prelude::*;

/// The model names and snippet labels to choose from; keeps `model`, `snippet` and `mode` valid. Both
/// are memos: a run's publications change the evaluation a few times a second but not its models or
/// snippets, and the pickers (a thousand options for a thousand snippets) are rebuilt only when these
/// change.
pub(super) fn choices(
    dashboard: Dashboard,
    mode: RwSignal<ColourMode>,
    model: RwSignal<String>,
    snippet: RwSignal<usize>,
) -> (Signal<Vec<String>>, Signal<Vec<String>>) {
    let models = Memo::new(move |_| {
        dashboard.evaluation.with(|e| {
            e.as_ref()
                .map(|e| e.model_names().map(str::to_string).collect::<Vec<_>>())
                .unwrap_or_default()
        })
    });
    let snippets = Memo::new(move |_| {
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
        if names.len() < 2
            && matches!(
                mode.get_untracked(),
                ColourMode::Difference | ColourMode::Kl
            )
        {
            mode.set(ColourMode::Loglik);
        }
        if snippet.get_untracked() >= snippets.with(Vec::len).max(1) {
            snippet.set(0);
        }
    });

    (models.into(), snippets.into())
}
