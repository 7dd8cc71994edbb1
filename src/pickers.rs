//! The model choosers: a baseline (`baseline-select`) and any number of other models to compare with
//! it (`custom-toggle-<model>`), used by the evaluation page and the playground, and the server's model
//! list they choose from.

use crate::api;
use crate::routes::LOGIN_PATH;
use leptos::prelude::*;
use leptos::task::spawn_local;
use likely_core::{example, ModelInfo};

/// Fetches the server's model list into `models`; keeps a chosen baseline the server offers,
/// otherwise chooses the worked example's models (`example::default_models`). A failure is put in
/// `error`.
pub fn fetch_models(
    models: RwSignal<Vec<ModelInfo>>,
    baseline: RwSignal<String>,
    customs: RwSignal<Vec<String>>,
    error: RwSignal<Option<String>>,
) {
    spawn_local(async move {
        match api::list_models().await {
            Ok(list) => {
                let names: Vec<String> = list.models.iter().map(|m| m.name.clone()).collect();
                if !names.contains(&baseline.get_untracked()) {
                    let (base, custom) = example::default_models(&names);
                    baseline.set(base.unwrap_or_default());
                    customs.set(custom.into_iter().collect());
                }
                models.set(list.models);
            }
            Err(failure) => {
                let hint = if failure.status == Some(401) {
                    format!(" Sign in at {LOGIN_PATH} first.")
                } else {
                    String::new()
                };
                error.set(Some(format!("Cannot list the models: {failure}.{hint}")));
            }
        }
    });
}

/// The names of the server's `models`, for the pickers.
pub fn model_names(models: RwSignal<Vec<ModelInfo>>) -> Signal<Vec<String>> {
    Signal::derive(move || {
        models.with(|models| models.iter().map(|model| model.name.clone()).collect())
    })
}

/// The baseline select and the custom-model toggles over `names`.
#[component]
pub fn ModelPickers(
    names: Signal<Vec<String>>,
    baseline: RwSignal<String>,
    customs: RwSignal<Vec<String>>,
) -> impl IntoView {
    let toggle = move |name: String, on: bool| {
        customs.update(|list| {
            list.retain(|n| n != &name);
            if on {
                list.push(name);
            }
        })
    };
    view! {
        <div class="model-pickers">
            <label class="field">
                <span class="label">"Baseline"</span>
                <select
                    data-testid="baseline-select"
                    prop:value=move || baseline.get()
                    on:change:target=move |ev| baseline.set(ev.target().value())
                >
                    {move || names.get().into_iter().map(|name| {
                        let selected = baseline.get_untracked() == name;
                        view! { <option value=name.clone() selected=selected>{name.clone()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <fieldset class="field customs">
                <legend class="label">"Compare with"</legend>
                {move || {
                    let base = baseline.get();
                    names.get().into_iter().filter(|name| *name != base).map(|name| {
                        let checked_name = name.clone();
                        let toggled_name = name.clone();
                        view! {
                            <label class="toggle">
                                <input
                                    type="checkbox"
                                    data-testid=format!("custom-toggle-{name}")
                                    prop:checked=move || customs.get().contains(&checked_name)
                                    on:change:target=move |ev| toggle(toggled_name.clone(), ev.target().checked())
                                />
                                <span>{name}</span>
                            </label>
                        }
                    }).collect_view()
                }}
            </fieldset>
        </div>
    }
}
