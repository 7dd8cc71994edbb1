//! Held-out sets kept for the team, in the evaluation form: a picker listing the server's kept sets
//! (`dataset-select`); picking one loads its snippets as an upload would. The address can ask for one
//! (`?dataset=<fingerprint>`, with the models chosen, and `evaluate=1` to evaluate it once the models
//! and the snippets are in: the set page's "Evaluate the latest models").

use crate::actions;
use crate::api;
use crate::routes::Query;
use crate::state::{Dashboard, Upload};
use crate::when::When;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Loads kept set `fingerprint` as the upload; `then` runs once it is in.
fn load(dashboard: Dashboard, fingerprint: String, then: impl FnOnce() + 'static) {
    spawn_local(async move {
        match api::record::dataset_snippets(&fingerprint).await {
            Ok(kept) => {
                dashboard.error.set(None);
                dashboard.upload.set(Some(Upload {
                    file: kept.dataset.name,
                    snippets: kept.snippets,
                }));
                then();
            }
            Err(failure) => dashboard.error.set(Some(format!(
                "The kept held-out set could not be loaded: {failure}."
            ))),
        }
    });
}

/// Sets the page up as its address asks: the models chosen, a kept set, evaluating at once (once
/// both the server's model list and the set's snippets are in).
pub fn load_from_query(dashboard: Dashboard) {
    let asked = Query::parse(&window().location().search().unwrap_or_default()).preselect();
    if !asked.baseline.is_empty() {
        dashboard.baseline.set(asked.baseline.clone());
        dashboard.customs.set(asked.customs.clone());
    }
    let Some(fingerprint) = asked.dataset else {
        return;
    };
    let loaded = RwSignal::new(false);
    if asked.evaluate {
        let done = StoredValue::new(false);
        Effect::new(move |_| {
            let models_in = dashboard.models.with(|models| !models.is_empty());
            if models_in && loaded.get() && !done.get_value() {
                done.set_value(true);
                actions::evaluate(dashboard);
            }
        });
    }
    load(dashboard, fingerprint, move || loaded.set(true));
}

/// The kept sets to choose from (nothing while the server keeps none).
#[component]
pub fn KeptSetPicker() -> impl IntoView {
    let dashboard = crate::state::use_dashboard();
    // A server without a record lists nothing: the picker stays hidden.
    let kept_sets = LocalResource::new(|| async {
        api::record::list_datasets()
            .await
            .map(|list| list.datasets)
            .unwrap_or_default()
    });
    let pick = move |fingerprint: String| {
        if !fingerprint.is_empty() {
            load(dashboard, fingerprint, || {});
        }
    };
    view! {
        <When when=move || kept_sets.with(|sets| sets.as_ref().is_some_and(|sets| !sets.is_empty()))>
            <label class="field kept-sets">
                <span class="label">"Or a held-out set kept for the team"</span>
                <select data-testid="dataset-select" on:change:target=move |ev| pick(ev.target().value())>
                    <option value="" selected=true>"Choose a kept set…"</option>
                    {move || kept_sets.get().unwrap_or_default().into_iter().map(|set| {
                        let label = format!("{} ({} snippet{})", set.name, set.snippets, if set.snippets == 1 { "" } else { "s" });
                        view! { <option value=set.fingerprint.clone() data-testid=format!("dataset-option-{}", set.fingerprint)>{label}</option> }
                    }).collect_view()}
                </select>
            </label>
        </When>
    }
}
