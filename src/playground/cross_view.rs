//! The cross-scores of one generation: its average log-likelihood under every model of the columns
//! (the writer's own figure from its generation), so the reader sees how likely the base finds the
//! custom model's text and the other way round.

use super::state::{use_playground, CrossStatus};
use crate::results::exact;
use leptos::prelude::*;

/// The cross-score panel, once a generation was chosen.
#[component]
pub fn CrossScores() -> impl IntoView {
    let playground = use_playground();
    view! {
        {move || playground.cross.get().map(|cross| {
            let own = cross.figures.iter().find(|(name, _)| *name == cross.source).and_then(|(_, status)| match status {
                CrossStatus::Done(score) => score.average,
                _ => None,
            });
            let excerpt: String = cross.text.chars().take(160).collect();
            let more = if cross.text.chars().count() > 160 { "…" } else { "" };
            view! {
                <section class="panel cross-scores" data-testid="cross-scores" aria-label="Cross-scores">
                    <h2>"Cross-scores"</h2>
                    <p class="hint">{format!("Generation {} of {}: ", cross.generation + 1, cross.source)}<q>{format!("{excerpt}{more}")}</q></p>
                    <table class="results cross-table">
                        <thead><tr><th>"model"</th><th>"avg log-lik of this text"</th><th>"tokens"</th><th>{format!("Δ vs {}", cross.source)}</th></tr></thead>
                        <tbody>
                            {cross.figures.into_iter().map(|(model, status)| {
                                let writer = model == cross.source;
                                let row = match status {
                                    CrossStatus::Running => view! {
                                        <td colspan="3" role="status"><span class="spinner" aria-hidden="true"></span>"Scoring…"</td>
                                    }.into_any(),
                                    CrossStatus::Failed(why) => view! {
                                        <td colspan="3" class="error" role="alert" data-testid=format!("cross-error-{model}")>{why}</td>
                                    }.into_any(),
                                    CrossStatus::Done(score) => {
                                        let delta = if writer { None } else { score.average.zip(own).map(|(a, b)| a - b) };
                                        view! {
                                            <td data-testid=format!("cross-figure-{model}") data-value=score.average.map(exact).unwrap_or_default()>
                                                {score.average.map_or_else(|| "–".to_string(), |v| format!("{v:.3}"))}
                                            </td>
                                            <td>{score.tokens.len()}</td>
                                            <td>{delta.map(|d| format!("{d:+.3}")).unwrap_or_default()}</td>
                                        }.into_any()
                                    }
                                };
                                view! {
                                    <tr data-model=model.clone()>
                                        <th>{model.clone()}{writer.then(|| view! { <span class="badge">"wrote it"</span> })}</th>
                                        {row}
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </section>
            }
        })}
    }
}
