//! The forms' shared inputs: one number input for a Generate parameter, labelled with its field name
//! and bounded by its range in `likely_core::rules` (the same rule the server and share links apply),
//! clamping what is typed (the evaluation form's parameters and the playground's); and the labelled
//! text area of the evaluation's held-out text and the playground's prompt.

use leptos::prelude::*;
use likely_core::rules;

/// A number input for the parameter of `range` held in `params`, read by `get` and written by `set`.
pub fn number_field<P: Send + Sync + 'static>(
    params: RwSignal<P>,
    range: rules::Range,
    testid: &'static str,
    step: &'static str,
    get: impl Fn(&P) -> f64 + Copy + Send + Sync + 'static,
    set: impl Fn(&mut P, f64) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <label class="param">
            <span>{range.field}</span>
            <input
                type="number"
                min=range.min
                max=range.max
                step=step
                data-testid=testid
                prop:value=move || params.with(|p| get(p).to_string())
                on:change:target=move |ev| {
                    if let Ok(value) = ev.target().value().parse::<f64>() {
                        params.update(|p| set(p, value));
                    }
                }
            />
        </label>
    }
}

/// What a labelled text area shows: its label, `data-testid`, height in rows and placeholder.
pub struct TextArea {
    /// The label above the area.
    pub label: &'static str,
    /// The area's `data-testid`.
    pub testid: &'static str,
    /// Its height in rows.
    pub rows: &'static str,
    /// What it says while empty.
    pub placeholder: &'static str,
}

/// A labelled text area holding `value` (written as typed), disabled while `disabled` is true.
pub fn text_area(area: TextArea, value: RwSignal<String>, disabled: Signal<bool>) -> impl IntoView {
    view! {
        <label class="field">
            <span class="label">{area.label}</span>
            <textarea
                data-testid=area.testid
                rows=area.rows
                placeholder=area.placeholder
                prop:value=move || value.get()
                on:input:target=move |ev| value.set(ev.target().value())
                prop:disabled=move || disabled.get()
            ></textarea>
        </label>
    }
}
