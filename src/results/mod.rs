//! The results: one row of figures per model, each figure carrying its exact value in `data-value`.

use crate::evaluate::ModelResult;
use leptos::prelude::*;

/// A figure for display, with its exact value for tests and tooltips.
fn figure(testid: String, value: Option<f64>, digits: usize) -> impl IntoView {
    let shown = value.map_or_else(|| "n/a".to_string(), |v| format!("{v:.digits$}"));
    let exact = value.map_or_else(String::new, |v| v.to_string());
    view! { <td class="num" data-testid=testid data-value=exact.clone() title=exact>{shown}</td> }
}

/// The table of figures, baseline first.
#[component]
pub fn ResultsTable(results: Signal<Vec<ModelResult>>) -> impl IntoView {
    view! {
        <Show when=move || !results.get().is_empty()>
            <table class="results">
                <thead>
                    <tr>
                        <th scope="col">"Model"</th>
                        <th scope="col" title="Average natural-log likelihood per scored token; higher is better">"Avg log-likelihood"</th>
                        <th scope="col" title="Minus the average log-likelihood, nats per token; lower is better">"Loss"</th>
                        <th scope="col" title="exp(loss)">"Perplexity"</th>
                        <th scope="col" title="Bits per UTF-8 byte; tokenizer-independent">"Bits per byte"</th>
                        <th scope="col" title="Share of tokens that were the model's top choice">"Accuracy"</th>
                        <th scope="col">"Scored tokens"</th>
                    </tr>
                </thead>
                <tbody>
                    {move || results.get().into_iter().map(|result| {
                        let name = result.model.clone();
                        let m = result.metrics.clone();
                        view! {
                            <tr>
                                <th scope="row">{name.clone()}</th>
                                {figure(format!("avg-loglik-{name}"), m.as_ref().map(|m| m.avg_loglik), 3)}
                                {figure(format!("loss-{name}"), m.as_ref().map(|m| m.loss), 3)}
                                {figure(format!("perplexity-{name}"), m.as_ref().map(|m| m.perplexity), 2)}
                                {figure(format!("bpb-{name}"), m.as_ref().and_then(|m| m.bits_per_byte), 3)}
                                {figure(format!("accuracy-{name}"), m.as_ref().and_then(|m| m.accuracy), 3)}
                                {figure(format!("tokens-{name}"), m.as_ref().map(|m| m.scored_tokens as f64), 0)}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </Show>
    }
}
