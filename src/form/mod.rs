//! The input form: the held-out text or set, the baseline and the custom models, the parameters, and
//! the Evaluate / Cancel / example buttons.

mod params;
mod upload;

use crate::actions;
use crate::state::use_dashboard;
use leptos::prelude::*;
use params::ParamsPanel;
use upload::UploadControl;

/// The form.
#[component]
pub fn EvaluateForm() -> impl IntoView {
    let dashboard = use_dashboard();
    let names = move || {
        dashboard
            .models
            .get()
            .into_iter()
            .map(|model| model.name)
            .collect::<Vec<_>>()
    };
    let toggle = move |name: String, on: bool| {
        dashboard.customs.update(|list| {
            list.retain(|n| n != &name);
            if on {
                list.push(name);
            }
        })
    };
    let running = dashboard.running;
    view! {
        <form class="evaluate-form" on:submit=move |ev| { ev.prevent_default(); actions::evaluate(dashboard); }>
            <label class="field">
                <span class="label">"Held-out text"</span>
                <textarea
                    data-testid="prompt-input"
                    rows="7"
                    placeholder="Paste text the models did not see in training…"
                    prop:value=move || dashboard.text.get()
                    on:input:target=move |ev| dashboard.text.set(ev.target().value())
                    prop:disabled=move || dashboard.upload.with(Option::is_some)
                ></textarea>
            </label>
            <UploadControl />
            <div class="model-pickers">
                <label class="field">
                    <span class="label">"Baseline"</span>
                    <select
                        data-testid="baseline-select"
                        prop:value=move || dashboard.baseline.get()
                        on:change:target=move |ev| dashboard.baseline.set(ev.target().value())
                    >
                        {move || names().into_iter().map(|name| {
                            let selected = dashboard.baseline.get_untracked() == name;
                            view! { <option value=name.clone() selected=selected>{name.clone()}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <fieldset class="field customs">
                    <legend class="label">"Compare with"</legend>
                    {move || {
                        let base = dashboard.baseline.get();
                        names().into_iter().filter(|name| *name != base).map(|name| {
                            let checked_name = name.clone();
                            let toggled_name = name.clone();
                            view! {
                                <label class="toggle">
                                    <input
                                        type="checkbox"
                                        data-testid=format!("custom-toggle-{name}")
                                        prop:checked=move || dashboard.customs.get().contains(&checked_name)
                                        on:change:target=move |ev| toggle(toggled_name.clone(), ev.target().checked())
                                    />
                                    <span>{name}</span>
                                </label>
                            }
                        }).collect_view()
                    }}
                </fieldset>
            </div>
            <ParamsPanel />
            <div class="actions">
                <button type="submit" class="primary" data-testid="evaluate-button" disabled=move || running.get()>
                    {move || if running.get() { "Evaluating…" } else { "Evaluate" }}
                </button>
                <Show when=move || running.get()>
                    <button type="button" data-testid="cancel-button" on:click=move |_| actions::cancel(dashboard)>
                        "Cancel"
                    </button>
                </Show>
                <button
                    type="button"
                    class="secondary"
                    data-testid="example-button"
                    disabled=move || running.get()
                    on:click=move |_| actions::load_example(dashboard)
                >
                    "Load the worked example (Hamlet)"
                </button>
            </div>
        </form>
    }
}
