//! The input form: the held-out text, the baseline model and the custom models to compare with it.

use leptos::prelude::*;
use likely_core::ModelInfo;

/// The form. `on_evaluate` receives (text, baseline, custom models).
#[component]
pub fn EvaluateForm(
    models: Signal<Vec<ModelInfo>>,
    text: RwSignal<String>,
    baseline: RwSignal<String>,
    customs: RwSignal<Vec<String>>,
    running: Signal<bool>,
    on_evaluate: Callback<()>,
) -> impl IntoView {
    let names = move || {
        models
            .get()
            .into_iter()
            .map(|model| model.name)
            .collect::<Vec<_>>()
    };
    let toggle = move |name: String, on: bool| {
        customs.update(|list| {
            list.retain(|n| n != &name);
            if on {
                list.push(name);
            }
        })
    };
    view! {
        <form class="evaluate-form" on:submit=move |ev| { ev.prevent_default(); on_evaluate.run(()); }>
            <label class="field">
                <span class="label">"Held-out text"</span>
                <textarea
                    data-testid="prompt-input"
                    rows="8"
                    placeholder="Paste text the models did not see in training…"
                    prop:value=move || text.get()
                    on:input:target=move |ev| text.set(ev.target().value())
                ></textarea>
            </label>
            <div class="model-pickers">
                <label class="field">
                    <span class="label">"Baseline"</span>
                    <select
                        data-testid="baseline-select"
                        prop:value=move || baseline.get()
                        on:change:target=move |ev| baseline.set(ev.target().value())
                    >
                        {move || names().into_iter().map(|name| {
                            let selected = baseline.get_untracked() == name;
                            view! { <option value=name.clone() selected=selected>{name.clone()}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <fieldset class="field customs">
                    <legend class="label">"Compare with"</legend>
                    {move || {
                        let base = baseline.get();
                        names().into_iter().filter(|name| *name != base).map(|name| {
                            let id = format!("custom-toggle-{name}");
                            let checked_name = name.clone();
                            let toggled_name = name.clone();
                            view! {
                                <label class="toggle">
                                    <input
                                        type="checkbox"
                                        data-testid=id
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
            <button type="submit" class="primary" data-testid="evaluate-button" disabled=move || running.get()>
                {move || if running.get() { "Evaluating…" } else { "Evaluate" }}
            </button>
        </form>
    }
}
