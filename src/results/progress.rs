//! Progress of the run (`n of m snippets`, per model) and the snippets that failed, with the reason
//! and a Retry button.

use crate::actions;
use crate::state::use_dashboard;
use crate::when::When;
use leptos::prelude::*;

/// Overall and per-model progress bars.
#[component]
pub fn ProgressPanel() -> impl IntoView {
    let dashboard = use_dashboard();
    move || {
        dashboard.evaluation.with(|evaluation| {
            let evaluation = evaluation.as_ref()?;
            let per_model: Vec<_> = evaluation
                .model_names()
                .map(|name| (name.to_string(), evaluation.progress(name)))
                .collect();
            let done: usize = per_model.iter().map(|(_, p)| p.done()).sum();
            let total: usize = per_model.iter().map(|(_, p)| p.total).sum();
            let running = dashboard.running.get();
            let state = if running { "running" } else if done == total { "done" } else { "stopped" };
            Some(view! {
                <section
                    class="panel progress"
                    data-testid="progress"
                    data-done=done.to_string()
                    data-total=total.to_string()
                    data-state=state
                    aria-live="polite"
                >
                    {per_model.into_iter().map(|(name, p)| view! {
                        <div class="progress-row" data-testid=format!("progress-{name}")>
                            <span class="progress-name">{name.clone()}</span>
                            <progress max=p.total.to_string() value=p.done().to_string()></progress>
                            <span class="progress-text">
                                {format!("{} of {} snippets", p.done(), p.total)}
                                {(p.failed > 0).then(|| format!(", {} failed", p.failed))}
                            </span>
                        </div>
                    }).collect_view()}
                    {(!running && done < total).then(|| view! {
                        <p class="hint">"Stopped: finished snippets are kept. Retry scores the rest."</p>
                    })}
                </section>
            })
        })
    }
}

/// The failed snippets, with a Retry button.
#[component]
pub fn FailuresList() -> impl IntoView {
    let dashboard = use_dashboard();
    move || {
        let (failures, pending) = dashboard.evaluation.with(|evaluation| {
            evaluation.as_ref().map_or((Vec::new(), 0), |e| {
                let pending = e
                    .model_names()
                    .map(|name| {
                        let p = e.progress(name);
                        p.total - p.done()
                    })
                    .sum::<usize>();
                (e.failures(), pending)
            })
        });
        let running = dashboard.running.get();
        (!running && (!failures.is_empty() || pending > 0)).then(|| {
            view! {
                <section class="panel failures" data-testid="failures" role="alert">
                    <h2>{format!("{} snippet run(s) failed, {} not run", failures.len(), pending)}</h2>
                    <ul>
                        {failures.into_iter().map(|f| view! {
                            <li data-testid="failure">
                                <strong>{f.model}</strong>
                                {format!(", snippet {}: {}", f.snippet + 1, f.reason)}
                            </li>
                        }).collect_view()}
                    </ul>
                    // A figures-only snapshot holds no text to score again.
                    <When when=move || dashboard.has_text()>
                        <button type="button" data-testid="retry-button" on:click=move |_| actions::retry_failed(dashboard)>
                            "Retry"
                        </button>
                    </When>
                </section>
            }
        })
    }
}
