//! The per-snippet table of one custom model against the baseline: sortable by each column (worst
//! regressions first by default), filterable by text, [`PAGE`] rows at a time so a thousand snippets
//! render as fast as fifty. A row opens its snippet in the token view. The rows, orders and filter are
//! likely-core's (`snippet_table`); this file only renders them.

use super::exact;
use super::focus::open_snippet;
use crate::state::{use_dashboard, Dashboard};
use crate::when::When;
use leptos::prelude::*;
use likely_core::metric::signed;
use likely_core::snippet_table::{
    matches_query, snippet_start, sorted_positions, Column, Direction, Order, SnippetRow,
    SnippetTable,
};

/// Rows shown at first, and added by "Show more".
pub const PAGE: usize = 50;
/// Characters of a snippet's start shown in its row.
const START_CHARS: usize = 72;

/// What the share column means (its header's tooltip; docs/user-guide.md says the same).
const SHARE_TITLE: &str = "Share of the total: this snippet's Δ summed log-likelihood (custom − \
    baseline, over its scored tokens) divided by the Δ summed over every snippet in the table. The \
    shares add up to 100%; a share of the opposite sign moved against the overall change.";

/// A row ready to render.
struct Shown {
    row: SnippetRow,
    start: Option<String>,
}

fn row_view(shown: Shown, custom: String, dashboard: Dashboard) -> impl IntoView {
    let Shown { row, start } = shown;
    let snippet = row.snippet;
    let class = if row.delta < 0.0 {
        "worse"
    } else if row.delta > 0.0 {
        "better"
    } else {
        ""
    };
    let tokens = if row.baseline_tokens == row.custom_tokens {
        row.custom_tokens.to_string()
    } else {
        format!("{} ({})", row.custom_tokens, row.baseline_tokens)
    };
    let share = row.share.map_or_else(
        || "–".to_string(),
        |share| format!("{}%", signed(share * 100.0, 1)),
    );
    let start = match start {
        Some(start) => view! { <span class="snippet-start">{start}</span> }.into_any(),
        None => {
            view! { <span class="snippet-start hidden-text">"text not shared"</span> }.into_any()
        }
    };
    view! {
        <tr
            data-testid="snippet-row"
            data-index=snippet
            data-value=exact(row.delta)
            class=class
            on:click=move |_| open_snippet(dashboard, snippet, Some(custom.clone()), None)
        >
            <td class="snippet-cell">
                <button type="button" class="snippet-open" title="Open this snippet in the token view">{row.label}</button>
                {start}
            </td>
            <td class="num">{tokens}</td>
            <td class="num" data-value=exact(row.baseline)>{format!("{:.3}", row.baseline)}</td>
            <td class="num" data-value=exact(row.custom)>{format!("{:.3}", row.custom)}</td>
            <td class="num delta" data-value=exact(row.delta)>{signed(row.delta, 3)}</td>
            <td class="num" data-value=row.share.map(exact).unwrap_or_default()>{share}</td>
        </tr>
    }
}

/// A sortable column header: a button that sorts, `aria-sort` saying how.
fn header(column: Column, label: String, title: String, order: RwSignal<Order>) -> impl IntoView {
    let sorted = move || order.with(|o| (o.column == column).then_some(o.direction));
    view! {
        <th
            scope="col"
            class=if column == Column::Snippet { "" } else { "num" }
            aria-sort=move || sorted().map_or("none", |d| d.aria())
            title=title
        >
            <button
                type="button"
                class="sort"
                data-testid=format!("snippet-sort-{}", column.key())
                on:click=move |_| order.update(|o| *o = o.clicked(column))
            >
                {label}
                <span class="sort-mark" aria-hidden="true">
                    {move || match sorted() {
                        Some(Direction::Ascending) => "▲",
                        Some(Direction::Descending) => "▼",
                        None => "",
                    }}
                </span>
            </button>
        </th>
    }
}

/// The table of `table` (nothing until the run has `finished`).
#[component]
pub fn SnippetTableView(table: Memo<Option<SnippetTable>>, finished: Memo<bool>) -> impl IntoView {
    let dashboard = use_dashboard();
    let order = RwSignal::new(Order::default());
    let query = RwSignal::new(String::new());
    let limit = RwSignal::new(PAGE);

    // The rows' positions, filtered and sorted: once per table, order or query.
    let positions = Memo::new(move |_| {
        let (order, query) = (order.get(), query.get());
        table.with(|table| {
            let Some(table) = table else {
                return Vec::new();
            };
            dashboard.evaluation.with_untracked(|e| {
                let text = |snippet: usize| {
                    e.as_ref()
                        .and_then(|e| e.snippets.get(snippet))
                        .map_or("", |s| s.text.as_str())
                };
                sorted_positions(&table.rows, order, |row| {
                    matches_query(text(row.snippet), &row.label, &query)
                })
            })
        })
    });

    let rows = move || {
        let has_text = dashboard.has_text();
        let count = limit.get();
        let custom = table.with(|t| t.as_ref().map(|t| t.custom.clone()).unwrap_or_default());
        let shown: Vec<Shown> = positions.with(|positions| {
            table.with(|table| {
                let Some(table) = table else {
                    return Vec::new();
                };
                dashboard.evaluation.with_untracked(|e| {
                    positions
                        .iter()
                        .take(count)
                        .map(|&p| {
                            let row = table.rows[p].clone();
                            let start = e
                                .as_ref()
                                .filter(|_| has_text)
                                .and_then(|e| e.snippets.get(row.snippet))
                                .map(|s| snippet_start(&s.text, START_CHARS));
                            Shown { row, start }
                        })
                        .collect()
                })
            })
        });
        shown
            .into_iter()
            .map(|shown| row_view(shown, custom.clone(), dashboard))
            .collect_view()
    };

    let names = move || {
        table.with(|t| {
            t.as_ref()
                .map(|t| (t.baseline.clone(), t.custom.clone()))
                .unwrap_or_default()
        })
    };
    let headers = move || {
        let (baseline, custom) = names();
        view! {
            {header(Column::Snippet, "Snippet".into(), "The snippet's number in the set and its start; click a row to open it in the token view".into(), order)}
            {header(Column::Tokens, "Tokens".into(), "Scored tokens of the custom model (the baseline's in brackets when it splits the snippet differently)".into(), order)}
            {header(Column::Baseline, "Baseline".into(), format!("{baseline}: average log-likelihood per token of the snippet (nats)"), order)}
            {header(Column::Custom, "Custom".into(), format!("{custom}: average log-likelihood per token of the snippet (nats)"), order)}
            {header(Column::Delta, "Δ".into(), "Custom − baseline average log-likelihood (nats per token); below zero the custom model did worse on this snippet".into(), order)}
            {header(Column::Share, "Share".into(), SHARE_TITLE.into(), order)}
        }
    };

    let summary = move || {
        table.with(|t| {
            t.as_ref().map(|t| {
                let worse = t.rows.iter().filter(|r| r.delta < 0.0).count();
                format!(
                    "{} against {}: worse on {worse} of {} snippets; Δ summed log-likelihood over all of them {} nats.",
                    t.custom,
                    t.baseline,
                    t.rows.len(),
                    signed(t.total_delta_sum, 2)
                )
            })
        })
    };
    let total = move || positions.with(Vec::len);
    let more = move || total().saturating_sub(limit.get());

    view! {
        <When
            when=move || finished.get()
            fallback=|| view! { <p class="hint">"The table fills in when the run finishes."</p> }
        >
            <p class="hint moved-summary">{summary}</p>
            <div class="table-tools">
                <When when=move || dashboard.has_text()>
                    <label class="filter">
                        <span>"Filter"</span>
                        <input
                            type="search"
                            data-testid="snippet-filter"
                            placeholder="words in the snippet"
                            prop:value=move || query.get()
                            on:input:target=move |ev| query.set(ev.target().value())
                        />
                    </label>
                </When>
                <span class="hint" data-testid="snippet-count" data-value=total>
                    {move || format!("{} of {} snippets", total().min(limit.get()), total())}
                </span>
            </div>
            <div class="snippet-table-wrap">
                <table
                    class="results snippet-table"
                    class:no-text=move || !dashboard.has_text()
                    data-testid="snippet-table"
                    data-model=move || names().1
                >
                    <thead><tr>{headers}</tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <When when=move || { more() > 0 }>
                <button
                    type="button"
                    class="secondary more"
                    data-testid="snippet-table-more"
                    on:click=move |_| limit.update(|l| *l += PAGE)
                >
                    {move || format!("Show {} more", more().min(PAGE))}
                </button>
            </When>
        </When>
    }
}
