//! The table of figures: one row per model, baseline first, each cell with its exact value.

use super::exact;
use crate::state::use_dashboard;
use leptos::prelude::*;
use likely_core::evaluation::Evaluation;

fn cell(testid: String, value: Option<f64>, digits: usize, missing: &'static str) -> impl IntoView {
    let shown = value.map_or_else(|| missing.to_string(), |v| format!("{v:.digits$}"));
    let exact_value = value.map(exact).unwrap_or_default();
    view! {
        <td class="num" data-testid=testid data-value=exact_value.clone() title=exact_value>{shown}</td>
    }
}

fn rows(evaluation: &Evaluation) -> impl IntoView {
    evaluation
        .model_results()
        .enumerate()
        .map(|(index, run)| {
            let name = run.model.name.clone();
            let m = evaluation.metrics(&name);
            let uniform = evaluation.uniform_loss(&name);
            let accuracy_missing = if run.model.returns_top_token {
                "n/a"
            } else {
                "n/a (no top token from this backend)"
            };
            let role = if index == 0 { "baseline" } else { "custom" };
            view! {
                <tr>
                    <th scope="row">{name.clone()} <span class="role">{role}</span></th>
                    {cell(format!("avg-loglik-{name}"), m.as_ref().map(|m| m.avg_loglik), 3, "n/a")}
                    {cell(format!("snippet-mean-loglik-{name}"), m.as_ref().map(|m| m.mean_snippet_avg_loglik), 3, "n/a")}
                    {cell(format!("loss-{name}"), m.as_ref().map(|m| m.loss), 3, "n/a")}
                    {cell(format!("perplexity-{name}"), m.as_ref().map(|m| m.perplexity), 2, "n/a")}
                    {cell(format!("bpb-{name}"), m.as_ref().and_then(|m| m.bits_per_byte), 3, "n/a")}
                    {cell(format!("accuracy-{name}"), m.as_ref().and_then(|m| m.accuracy), 3, accuracy_missing)}
                    {cell(format!("tokens-{name}"), m.as_ref().map(|m| m.scored_tokens as f64), 0, "0")}
                    {cell(format!("uniform-loss-{name}"), uniform, 2, "unknown")}
                </tr>
            }
        })
        .collect_view()
}

/// The figures of every model of the evaluation.
#[component]
pub fn FiguresTable() -> impl IntoView {
    let dashboard = use_dashboard();
    move || {
        dashboard.evaluation.with(|evaluation| {
            evaluation.as_ref().map(|evaluation| {
                view! {
                    <section class="panel">
                        <h2>"Figures"</h2>
                        <table class="results">
                            <thead>
                                <tr>
                                    <th scope="col">"Model"</th>
                                    <th scope="col" title="Average natural-log likelihood per scored token, over all snippets; higher is better">"Avg log-likelihood"</th>
                                    <th scope="col" title="The mean of each snippet's average log-likelihood: every snippet counts the same, however long; higher is better">"Snippet mean"</th>
                                    <th scope="col" title="Minus the average log-likelihood, nats per token; lower is better">"Loss"</th>
                                    <th scope="col" title="exp(loss); lower is better">"Perplexity"</th>
                                    <th scope="col" title="Bits per UTF-8 byte; tokenizer-independent; lower is better">"Bits per byte"</th>
                                    <th scope="col" title="Share of scored tokens that were the model's top choice">"Accuracy"</th>
                                    <th scope="col">"Scored tokens"</th>
                                    <th scope="col" title="ln(vocabulary size): the loss of guessing uniformly">"Uniform loss"</th>
                                </tr>
                            </thead>
                            <tbody>{rows(evaluation)}</tbody>
                        </table>
                    </section>
                }
            })
        })
    }
}
