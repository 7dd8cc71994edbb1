//! The forms' shared inputs: one number input for a Generate parameter, labelled with its field name
//! and bounded by its range in `likely_core::rules` (the same rule the server and share links apply),
//! clamping what is typed (the evaluation form's parameters and the playground's); and the labelled
//! text area of the evaluation's held-out text and the playground's prompt, and the two forms' start
//! and Cancel buttons.

use crate::when::When;
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

/// A form's submit button (`testid`, saying `label`, or `busy_label` while `running`) and, while it
/// runs, its Cancel button (`cancel-button`), which calls `cancel`.
pub fn start_and_cancel(
    testid: &'static str,
    label: &'static str,
    busy_label: &'static str,
    running: Signal<bool>,
    cancel: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <button type="submit" class="primary" data-testid=testid disabled=move || running.get()>
            {move || if running.get() { busy_label } else { label }}
        </button>
        <When when=move || running.get()>
            <button type="button" data-testid="cancel-button" on:click=move |_| cancel()>"Cancel"</button>
        </When>
    }
}
