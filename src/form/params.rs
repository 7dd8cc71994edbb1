//! The Generate parameters, folded away by default: the worked example's values work for scoring. Their
//! ranges are `likely_core::rules`, the ones the server checks.

use crate::fields::number_field;
use crate::state::use_dashboard;
use leptos::prelude::*;
use likely_core::rules;

/// The parameters panel.
#[component]
pub fn ParamsPanel() -> impl IntoView {
    let dashboard = use_dashboard();
    view! {
        <details class="params">
            <summary>"Generate parameters"</summary>
            <div class="param-grid">
                {number_field(dashboard.params, rules::MAX_TOKENS, "param-max-tokens", "1", |p| f64::from(p.max_tokens), |p, v| p.max_tokens = rules::MAX_TOKENS.clamp_u32(v))}
                {number_field(dashboard.params, rules::TEMPERATURE, "param-temperature", "0.05", |p| p.temperature, |p, v| p.temperature = rules::TEMPERATURE.clamp(v))}
                {number_field(dashboard.params, rules::K, "param-k", "1", |p| f64::from(p.k), |p, v| p.k = rules::K.clamp_u32(v))}
                {number_field(dashboard.params, rules::P, "param-p", "0.05", |p| p.p, |p, v| p.p = rules::P.clamp(v))}
                {number_field(dashboard.params, rules::TOP_LOGPROBS, "param-top-logprobs", "1", |p| f64::from(p.top_logprobs.unwrap_or(rules::DEFAULT_TOP_LOGPROBS)), |p, v| p.top_logprobs = Some(rules::TOP_LOGPROBS.clamp_u32(v)))}
                <label class="param">
                    <span>"return_likelihoods"</span>
                    <input type="text" value="ALL" readonly title="Scoring needs every token's likelihood" />
                </label>
            </div>
            <p class="hint">"Temperature, k and p shape sampling only: every token is scored under the full distribution. top_logprobs: K most likely tokens per position, asked of models that share the baseline's tokenizer, for the KL divergence figures."</p>
        </details>
    }
}
