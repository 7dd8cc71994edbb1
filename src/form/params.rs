//! The Generate parameters, folded away by default: the worked example's values work for scoring. Their
//! ranges are `likely_core::rules`, the ones the server checks.

use crate::state::use_dashboard;
use leptos::prelude::*;
use likely_core::params::GenerateParams;
use likely_core::rules;

/// A number input for the parameter of `range`, labelled with its field name, bounded by the range (the
/// same rule the server and share links apply), clamping what is typed.
fn number_field(
    range: rules::Range,
    testid: &'static str,
    step: &'static str,
    get: impl Fn(&GenerateParams) -> f64 + Copy + Send + Sync + 'static,
    set: impl Fn(&mut GenerateParams, f64) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let dashboard = use_dashboard();
    view! {
        <label class="param">
            <span>{range.field}</span>
            <input
                type="number"
                min=range.min
                max=range.max
                step=step
                data-testid=testid
                prop:value=move || dashboard.params.with(|p| get(p).to_string())
                on:change:target=move |ev| {
                    if let Ok(value) = ev.target().value().parse::<f64>() {
                        dashboard.params.update(|p| set(p, value));
                    }
                }
            />
        </label>
    }
}

/// The parameters panel.
#[component]
pub fn ParamsPanel() -> impl IntoView {
    view! {
        <details class="params">
            <summary>"Generate parameters"</summary>
            <div class="param-grid">
                {number_field(rules::MAX_TOKENS, "param-max-tokens", "1", |p| f64::from(p.max_tokens), |p, v| p.max_tokens = rules::MAX_TOKENS.clamp_u32(v))}
                {number_field(rules::TEMPERATURE, "param-temperature", "0.05", |p| p.temperature, |p, v| p.temperature = rules::TEMPERATURE.clamp(v))}
                {number_field(rules::K, "param-k", "1", |p| f64::from(p.k), |p, v| p.k = rules::K.clamp_u32(v))}
                {number_field(rules::P, "param-p", "0.05", |p| p.p, |p, v| p.p = rules::P.clamp(v))}
                <label class="param">
                    <span>"return_likelihoods"</span>
                    <input type="text" value="ALL" readonly title="Scoring needs every token's likelihood" />
                </label>
            </div>
            <p class="hint">"Temperature, k and p shape sampling only: every token is scored under the full distribution."</p>
        </details>
    }
}
