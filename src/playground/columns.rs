//! The columns: one per model of the last Generate, baseline first, each with its spinner, its error
//! or its generations (coloured tokens, average log-likelihood, token count, a cross-score button).

use super::run::cross_score_generation;
use super::state::{use_playground, ColumnStatus};
use super::tips::generation_tooltip;
use crate::results::exact;
use crate::tokens::{Legend, TokenStrip};
use crate::when::When;
use leptos::prelude::*;
use likely_core::colour::loglik_legend;
use likely_core::playground::Generated;

/// The `data-testid` of generation `index` of `model`: the first is `generation-<model>`.
fn generation_testid(model: &str, index: usize) -> String {
    if index == 0 {
        format!("generation-{model}")
    } else {
        format!("generation-{model}-{index}")
    }
}

fn figure(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_string(), |v| format!("{v:.3}"))
}

fn one_generation(model: String, index: usize, generated: Generated) -> impl IntoView {
    let playground = use_playground();
    let average = generated.average();
    let count = generated.tokens.len();
    let finish = generated.finish_reason.clone().unwrap_or_default();
    let testid = generation_testid(&model, index);
    let value = average.map(exact).unwrap_or_default();
    let body = if generated.tokens.is_empty() {
        view! { <div class="token-text generation-text" data-testid=testid data-value=value>{generated.text.clone()}</div> }
            .into_any()
    } else {
        let tip_model = model.clone();
        let tip_generated = generated.clone();
        let tip = Callback::new(move |token: usize| {
            let cross = playground.cross.get_untracked();
            generation_tooltip(
                &tip_model,
                index,
                &tip_generated,
                cross.as_ref(),
                &playground.baseline.get_untracked(),
                token,
            )
        });
        view! {
            <TokenStrip tokens=generated.tokens.clone() theme=Signal::from(playground.theme) tip=tip testid=testid value=value />
        }
        .into_any()
    };
    let cross_model = model.clone();
    let several = move || playground.columns.with(|c| c.len() > 1);
    let block_testid = format!("generation-block-{model}-{index}");
    let count_testid = format!("token-count-{model}-{index}");
    let cross_testid = format!("cross-score-{model}-{index}");
    view! {
        <div class="generation" data-testid=block_testid>
            {body}
            <p class="generation-meta">
                <span title="Average natural-log likelihood of the generated tokens">{format!("avg log-lik {}", figure(average))}</span>
                " · "
                <span data-testid=count_testid>{format!("{count} tokens")}</span>
                {(!finish.is_empty()).then(|| format!(" · {}", finish.to_lowercase().replace('_', " ")))}
            </p>
            <When when=several>
                <button
                    type="button"
                    class="secondary small"
                    data-testid=cross_testid.clone()
                    on:click={
                        let cross_model = cross_model.clone();
                        move |_| cross_score_generation(playground, cross_model.clone(), index)
                    }
                >"Score under the other models"</button>
            </When>
        </div>
    }
}

fn column_body(model: String, status: ColumnStatus) -> AnyView {
    match status {
        ColumnStatus::Running => view! {
            <p class="column-status" role="status" data-testid=format!("column-spinner-{model}")>
                <span class="spinner" aria-hidden="true"></span>"Generating…"
            </p>
        }
        .into_any(),
        ColumnStatus::Failed(why) => view! {
            <p class="error" role="alert" data-testid=format!("column-error-{model}")>{why}</p>
        }
        .into_any(),
        ColumnStatus::Cancelled => view! {
            <p class="hint" data-testid=format!("column-cancelled-{model}")>"Cancelled."</p>
        }
        .into_any(),
        ColumnStatus::Done(list) if list.is_empty() => {
            view! { <p class="hint">"No generation."</p> }.into_any()
        }
        ColumnStatus::Done(list) => list
            .into_iter()
            .enumerate()
            .map(|(index, generated)| one_generation(model.clone(), index, generated))
            .collect_view()
            .into_any(),
    }
}

/// Every column of the last Generate.
#[component]
pub fn Columns() -> impl IntoView {
    let playground = use_playground();
    let any = move || playground.columns.with(|c| !c.is_empty());
    view! {
        <When when=any>
            <section class="panel playground-results" aria-label="Generations">
                <h2>"Generations"</h2>
                <Legend stops=loglik_legend() title="log-likelihood per generated token (nats; brighter = more likely)".to_string() />
                <div class="playground-columns">
                    {move || playground.columns.get().into_iter().map(|(model, status)| {
                        let baseline = playground.baseline.get_untracked() == model;
                        let testid = format!("column-{model}");
                        view! {
                            <article class="playground-column" data-testid=testid>
                                <h3>{model.clone()}{baseline.then(|| view! { <span class="badge">"baseline"</span> })}</h3>
                                {column_body(model, status)}
                            </article>
                        }
                    }).collect_view()}
                </div>
            </section>
        </When>
    }
}
