//! The Generate parameters, folded away by default: the worked example's values work for scoring.

use crate::state::use_dashboard;
use leptos::prelude::*;
use likely_core::evaluation::GenerateParams;

fn number_field(
    label: &'static str,
    testid: &'static str,
    step: &'static str,
    get: impl Fn(&GenerateParams) -> f64 + Copy + Send + Sync + 'static,
    set: impl Fn(&mut GenerateParams, f64) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let dashboard = use_dashboard();
    view! {
        <label class="param">
            <span>{label}</span>
            <input
                type="number"
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
                {number_field("max_tokens", "param-max-tokens", "1", |p| f64::from(p.max_tokens), |p, v| p.max_tokens = v.clamp(0.0, 4096.0) as u32)}
                {number_field("temperature", "param-temperature", "0.05", |p| p.temperature, |p, v| p.temperature = v.clamp(0.0, 5.0))}
                {number_field("k", "param-k", "1", |p| f64::from(p.k), |p, v| p.k = v.clamp(0.0, 500.0) as u32)}
                {number_field("p", "param-p", "0.05", |p| p.p, |p, v| p.p = v.clamp(0.0, 1.0))}
                <label class="param">
                    <span>"return_likelihoods"</span>
                    <input type="text" value="ALL" readonly title="Scoring needs every token's likelihood" />
                </label>
            </div>
            <p class="hint">"Temperature, k and p shape sampling only: every token is scored under the full distribution."</p>
        </details>
    }
}
