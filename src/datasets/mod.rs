//! A held-out set's page (`/datasets/<fingerprint>`): every model ever evaluated on it, ranked by its
//! latest average log-likelihood, with its number of runs and its latest run (`leaderboard`); each
//! model's loss per run over time (`trend-chart`); and **Evaluate the latest models**
//! (`evaluate-latest`), which opens the evaluation page with the kept set and the latest run's
//! baseline and custom models, evaluating at once.

use crate::api;
use crate::charts::TrendChart;
use crate::results::exact;
use crate::routes::{evaluation_href, run_href, runs_href, Preselect, RunsQuery};
use crate::share::date_text;
use crate::theme::follow_system;
use crate::when::When;
use leptos::prelude::*;
use likely_core::colour::Theme;
use likely_core::record::{LeaderboardEntry, RunSummary};

/// The evaluation page's address that evaluates the kept set `fingerprint` with `latest`'s models.
pub fn evaluate_latest_href(fingerprint: &str, latest: &RunSummary) -> String {
    evaluation_href(&Preselect {
        baseline: latest.baseline.clone(),
        customs: latest.customs.iter().map(|c| c.model.clone()).collect(),
        dataset: Some(fingerprint.to_string()),
        evaluate: true,
    })
}

/// A time in ms since the Unix epoch, as the page writes times.
fn when(ms: i64) -> String {
    let iso: String = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64))
        .to_iso_string()
        .into();
    date_text(&iso)
}

fn figure(value: Option<f64>) -> String {
    value.map_or_else(|| "n/a".into(), |v| format!("{v:.4}"))
}

fn row(rank: usize, entry: LeaderboardEntry) -> impl IntoView {
    view! {
        <tr data-testid="leaderboard-row" data-model=entry.model.clone()
            data-value=entry.latest_avg_loglik.map(exact).unwrap_or_default()>
            <td class="num">{rank}</td>
            <th scope="row">{entry.model.clone()}</th>
            <td class="num" title="Average log-likelihood per token in its latest run (higher is better)">{figure(entry.latest_avg_loglik)}</td>
            <td class="num">{figure(entry.latest_loss)}</td>
            <td class="num" data-testid="leaderboard-runs" data-value=entry.runs.to_string()>{entry.runs}</td>
            <td><a href=run_href(&entry.last_run_id)>{when(entry.last_run_at_ms)}</a></td>
        </tr>
    }
}

/// The page of the held-out set `fingerprint`.
#[component]
pub fn DatasetPage(fingerprint: String) -> impl IntoView {
    let theme = RwSignal::new(Theme::Light);
    follow_system(theme);
    // The leaderboard and the latest run on the set (`Some(None)`: none, or it could not be listed),
    // asked for at once.
    let fp = fingerprint.clone();
    let board = LocalResource::new(move || {
        let fp = fp.clone();
        async move {
            api::record::leaderboard(&fp)
                .await
                .map_err(|failure| format!("This held-out set cannot be shown: {failure}."))
        }
    });
    let fp = fingerprint.clone();
    let latest = LocalResource::new(move || {
        let query = RunsQuery {
            dataset: fp.clone(),
            ..RunsQuery::default()
        };
        async move {
            api::record::list_runs(&query, None)
                .await
                .ok()
                .and_then(|list| list.runs.into_iter().next())
        }
    });
    let error = move || board.with(|b| b.as_ref().and_then(|b| b.as_ref().err().cloned()));
    let runs_link = runs_href(&RunsQuery {
        dataset: fingerprint.clone(),
        ..RunsQuery::default()
    });
    view! {
        <header class="masthead">
            <h1>"Likely"</h1>
            <p class="tagline">"Did the new fine-tune beat the last one on this held-out set?"</p>
        </header>
        <main>
            <When when=move || error().is_some()>
                <p class="error" role="alert" data-testid="error-message">{move || error().unwrap_or_default()}</p>
            </When>
            {move || board.get().and_then(Result::ok).map(|board| {
                let name = board.dataset.as_ref().map_or_else(
                    || format!("Held-out set {}…", board.fingerprint.get(..12).unwrap_or_default()),
                    |set| set.name.clone(),
                );
                let kept = board.dataset.clone();
                let fingerprint = board.fingerprint.clone();
                let is_kept = kept.is_some();
                let evaluate_latest = move || {
                    let href = latest.get().map(|run| {
                        run.filter(|_| is_kept).map(|run| evaluate_latest_href(&fingerprint, &run))
                    });
                    let why_not = if !is_kept {
                        "This set is not kept on the server: upload it on the Evaluate page to run it again."
                    } else {
                        "No run on this set could be listed."
                    };
                    match href {
                        Some(Some(href)) => view! {
                            <a class="button primary" data-testid="evaluate-latest" href=href
                                title="Evaluate this set again with the baseline and the custom models of its latest run">
                                "Evaluate the latest models"
                            </a>
                        }.into_any(),
                        Some(None) => view! {
                            <button type="button" class="primary" data-testid="evaluate-latest" disabled=true title=why_not>"Evaluate the latest models"</button>
                            <span class="hint">{why_not}</span>
                        }.into_any(),
                        None => view! {
                            <button type="button" class="primary" disabled=true>"Evaluate the latest models"</button>
                        }.into_any(),
                    }
                };
                let models = board.models.clone();
                view! {
                    <section class="panel dataset-head">
                        <h2 data-testid="dataset-name">{name}</h2>
                        <p class="hint">
                            {kept.as_ref().map(|set| format!("{} snippets, kept for the team since {}. ", set.snippets, date_text(&set.created_at)))}
                            {format!("{} run{} on this set. ", board.runs, if board.runs == 1 { "" } else { "s" })}
                            <a href=runs_link.clone() data-testid="dataset-runs-link">"See its runs"</a>
                            <span class="fingerprint">{format!(" · fingerprint {}", board.fingerprint)}</span>
                        </p>
                        <div class="actions">{evaluate_latest}</div>
                    </section>
                    <section class="panel">
                        <h2>"Leaderboard"</h2>
                        <p class="hint">"Every model evaluated on this set, by its average log-likelihood in its latest run (higher is better)."</p>
                        <table class="results" data-testid="leaderboard">
                            <thead><tr><th>"#"</th><th>"Model"</th><th>"Avg log-lik (latest)"</th><th>"Loss (latest)"</th><th>"Runs"</th><th>"Latest run"</th></tr></thead>
                            <tbody>
                                {board.models.into_iter().enumerate().map(|(i, entry)| row(i + 1, entry)).collect_view()}
                            </tbody>
                        </table>
                    </section>
                    <section class="panel charts">
                        <TrendChart models=models theme=Signal::from(theme) />
                    </section>
                }
            })}
        </main>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routes::Query;
    use likely_core::compare::Verdict;
    use likely_core::record::{CustomSummary, RunSet};

    #[test]
    fn evaluate_latest_asks_for_the_set_and_the_latest_run_s_models_at_once() {
        let fp = "ab".repeat(32);
        let custom = |model: &str| CustomSummary {
            model: model.into(),
            delta_loss: None,
            loss_verdict: Verdict::Undetermined,
            delta_accuracy: None,
            accuracy_verdict: Verdict::Undetermined,
        };
        let latest = RunSummary {
            id: "r3".into(),
            created_at: "2026-12-07T03:00:00Z".into(),
            author: None,
            dataset: RunSet {
                fingerprint: fp.clone(),
                name: None,
                snippets: 4,
            },
            baseline: "base".into(),
            customs: vec![custom("v2"), custom("v3")],
        };
        let href = evaluate_latest_href(&fp, &latest);
        let asked = Query::parse(href.trim_start_matches('/')).preselect();
        assert_eq!(asked.baseline, "base");
        assert_eq!(asked.customs, ["v2", "v3"]);
        assert_eq!(asked.dataset.as_deref(), Some(fp.as_str()));
        assert!(asked.evaluate);
    }
}
