//! One run's row: when (its link opens the run as a share link opens), the held-out set (its page),
//! the baseline, each custom model's Δ loss and Δ accuracy coloured as the pills colour them, the
//! author, and Delete where this browser may delete it. A click anywhere else on the row opens the
//! run too.

use crate::record::keys;
use crate::results::{exact, verdict_class, verdict_words};
use crate::routes::{dataset_href, run_href};
use crate::share::date_text;
use crate::when::When;
use leptos::prelude::*;
use likely_core::compare::Verdict;
use likely_core::metric::Metric;
use likely_core::record::{CustomSummary, RunSet, RunSummary};
use wasm_bindgen::JsCast;

/// How a run's set is named in its row: its name, else the start of its fingerprint.
pub fn set_label(set: &RunSet) -> String {
    match set.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        Some(name) => name.to_string(),
        None => format!(
            "set {}…",
            set.fingerprint.get(..12).unwrap_or(&set.fingerprint)
        ),
    }
}

/// One Δ of a custom model, as a small pill: `metric`'s text, or "n/a".
fn delta_pill(
    testid: &'static str,
    metric: Metric,
    delta: Option<f64>,
    verdict: Verdict,
) -> impl IntoView {
    let text = delta.map_or_else(|| "n/a".to_string(), |d| metric.format_delta(d));
    let title = format!(
        "{} {}: {} ({})",
        metric.label(),
        metric.unit(),
        text,
        verdict_words(verdict)
    );
    view! {
        <span class=format!("{} small", verdict_class(verdict)) data-testid=testid
            data-value=delta.map(exact).unwrap_or_default() data-verdict=format!("{verdict:?}")
            title=title.clone() aria-label=title>
            <span class="pill-metric">{metric.label()}</span>
            <span class="pill-delta">{text}</span>
        </span>
    }
}

fn custom_view(custom: CustomSummary) -> impl IntoView {
    view! {
        <div class="run-custom" data-testid="run-custom" data-model=custom.model.clone()>
            <span class="run-model">{custom.model.clone()}</span>
            {delta_pill("run-delta-loss", Metric::Loss, custom.delta_loss, custom.loss_verdict)}
            {delta_pill("run-delta-accuracy", Metric::Accuracy, custom.delta_accuracy, custom.accuracy_verdict)}
        </div>
    }
}

/// A run's row.
#[component]
pub fn RunRow(
    run: RunSummary,
    /// Whether the server lets whoever reached it delete any run (access control).
    delete_any: Signal<bool>,
    on_delete: Callback<String>,
) -> impl IntoView {
    let href = run_href(&run.id);
    let open_href = href.clone();
    let mine = keys::RUNS.token_of(&run.id).is_some();
    let id = run.id.clone();
    // A click on the row (not on its links or buttons) opens the run.
    let open = move |ev: leptos::ev::MouseEvent| {
        let on_control = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| e.closest("a, button").ok().flatten())
            .is_some();
        if !on_control {
            let _ = window().location().set_href(&open_href);
        }
    };
    let set = set_label(&run.dataset);
    view! {
        <tr data-testid="run-row" data-id=run.id.clone() data-mine=mine.to_string() class="run-row" on:click=open>
            <td><a href=href data-testid="run-open" title="Open this run: the same figures, nothing evaluated again">{date_text(&run.created_at)}</a></td>
            <td>
                <a href=dataset_href(&run.dataset.fingerprint) data-testid="run-dataset" data-fingerprint=run.dataset.fingerprint.clone()>{set}</a>
                <span class="hint">{format!(" {} snippet{}", run.dataset.snippets, if run.dataset.snippets == 1 { "" } else { "s" })}</span>
            </td>
            <td data-testid="run-baseline">{run.baseline.clone()}</td>
            <td class="run-customs">{run.customs.into_iter().map(custom_view).collect_view()}</td>
            <td data-testid="run-author">{run.author.clone().unwrap_or_default()}</td>
            <td>
                <When when=move || mine || delete_any.get()>
                    {
                        let id = id.clone();
                        view! {
                            <button type="button" class="link" data-testid="run-delete"
                                on:click=move |_| on_delete.run(id.clone())>"Delete"</button>
                        }
                    }
                </When>
            </td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_without_a_name_show_their_fingerprint_s_start() {
        let mut set = RunSet {
            fingerprint: "0123456789abcdef".repeat(4),
            name: None,
            snippets: 3,
        };
        assert_eq!(set_label(&set), "set 0123456789ab…");
        set.name = Some(" legal.jsonl ".into());
        assert_eq!(set_label(&set), "legal.jsonl");
        set.name = Some("  ".into());
        assert_eq!(set_label(&set), "set 0123456789ab…");
    }
}
