//! "What the fine-tune learned": the token strings whose log-likelihood rose and fell most across the
//! set (likely-core's `learned`), with counts, mean Δ and total Δ. A token string opens the list of
//! the snippets it occurs in; each opens that snippet in the token view with the token focused.
//!
//! A row's exact numbers are in `data-mean` and `data-total`, not `data-value`: the page's
//! `data-value`s are the figures a figures-only link shows too, and token strings are not shared there.

use super::exact;
use super::focus::open_snippet;
use crate::state::{use_dashboard, Dashboard};
use leptos::prelude::*;
use likely_core::learned::{Learned, TokenMove};
use likely_core::metric::signed;
use likely_core::snippet_table::snippet_start;
use likely_core::token_text::visible_whitespace;

/// Snippets listed at most for one token string.
const MAX_LISTED: usize = 40;
/// Characters of a snippet's start in that list.
const START_CHARS: usize = 60;

fn moves_table(
    caption: &'static str,
    testid: &'static str,
    moves: Vec<TokenMove>,
    picked: RwSignal<Option<String>>,
) -> impl IntoView {
    let empty = moves.is_empty();
    let rows = moves
        .into_iter()
        .map(|m| {
            let token = m.token.clone();
            let is_picked = {
                let token = token.clone();
                move || picked.with(|p| p.as_deref() == Some(token.as_str()))
            };
            let pick = {
                let token = token.clone();
                move |_| picked.set(Some(token.clone()))
            };
            view! {
                <tr
                    data-testid="learned-token"
                    data-token=token.clone()
                    data-mean=exact(m.mean_delta)
                    data-count=m.count
                    data-total=exact(m.total_delta)
                    class:picked=is_picked
                    on:click=pick
                >
                    <td>
                        <button type="button" class="token-open" title="List the snippets it occurs in">
                            <code>{visible_whitespace(&m.token)}</code>
                        </button>
                    </td>
                    <td class="num">{m.count}</td>
                    <td class="num">{signed(m.mean_delta, 3)}</td>
                    <td class="num">{signed(m.total_delta, 2)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="results learned-table" data-testid=testid>
            <caption>{caption}</caption>
            <thead>
                <tr>
                    <th scope="col">"Token"</th>
                    <th scope="col" class="num" title="Scored occurrences paired in both models">"Count"</th>
                    <th scope="col" class="num" title="Mean custom − baseline log-likelihood per occurrence (nats)">"Mean Δ"</th>
                    <th scope="col" class="num" title="Count × mean Δ: how much the token moved the set's summed log-likelihood (nats); the ranking">"Total Δ"</th>
                </tr>
            </thead>
            <tbody>
                {rows}
                {empty.then(|| view! { <tr><td colspan="4" class="hint">"none"</td></tr> })}
            </tbody>
        </table>
    }
}

/// The snippets `m` occurs in, each with its count, opening at its first occurrence.
fn occurrences_view(m: &TokenMove, custom: &str, dashboard: Dashboard) -> impl IntoView {
    // (snippet, first token, occurrences), in the set's order.
    let mut places: Vec<(usize, usize, usize)> = Vec::new();
    for o in &m.occurrences {
        match places.last_mut() {
            Some(last) if last.0 == o.snippet => last.2 += 1,
            _ => places.push((o.snippet, o.token, 1)),
        }
    }
    let hidden = places.len().saturating_sub(MAX_LISTED);
    let items = dashboard.evaluation.with_untracked(|e| {
        places
            .iter()
            .take(MAX_LISTED)
            .map(|&(snippet, token, count)| {
                let custom = custom.to_string();
                let start = e
                    .as_ref()
                    .and_then(|e| e.snippets.get(snippet))
                    .map(|s| snippet_start(&s.text, START_CHARS))
                    .unwrap_or_default();
                view! {
                    <li>
                        <button
                            type="button"
                            class="occurrence"
                            data-testid="learned-occurrence"
                            data-index=snippet
                            data-token-index=token
                            on:click=move |_| open_snippet(dashboard, snippet, Some(custom.clone()), Some(token))
                        >
                            <span class="occurrence-label">{format!("#{} ×{count}", snippet + 1)}</span>
                            <span class="snippet-start">{start}</span>
                        </button>
                    </li>
                }
            })
            .collect_view()
    });
    view! {
        <div class="occurrences" data-testid="learned-occurrences">
            <h3>
                <code>{visible_whitespace(&m.token)}</code>
                {format!(" occurs {} times in {} snippets", m.count, places.len())}
            </h3>
            <ul>{items}</ul>
            {(hidden > 0).then(|| view! { <p class="hint">{format!("and {hidden} more snippets")}</p> })}
        </div>
    }
}

/// The rising and falling token strings of `learned` (nothing until the run has `finished`).
#[component]
pub fn LearnedView(learned: Memo<Option<Learned>>, finished: Memo<bool>) -> impl IntoView {
    let dashboard = use_dashboard();
    let picked = RwSignal::new(None::<String>);
    let content = move || {
        if !finished.get() {
            return view! { <p class="hint">"The token strings appear when the run finishes."</p> }
                .into_any();
        }
        learned.with(|l| match l {
            None => ().into_any(),
            Some(l) => {
                let left_out = (l.snippets_unpaired > 0).then(|| {
                    format!(
                        " {} snippets left out: the two models split them into different tokens.",
                        l.snippets_unpaired
                    )
                });
                view! {
                    <p class="hint">
                        {format!(
                            "{} against {}, over {} tokens paired in {} snippets; ranked by total Δ (count × mean Δ).",
                            l.custom, l.baseline, l.paired_tokens, l.snippets_paired
                        )}
                        {left_out}
                    </p>
                    <div class="learned-grid">
                        {moves_table("Rose most", "learned-rising", l.rising.clone(), picked)}
                        {moves_table("Fell most", "learned-falling", l.falling.clone(), picked)}
                    </div>
                }
                .into_any()
            }
        })
    };
    let occurrences = move || {
        let token = picked.get()?;
        learned.with(|l| {
            let l = l.as_ref()?;
            let m = l
                .rising
                .iter()
                .chain(&l.falling)
                .find(|m| m.token == token)?;
            Some(occurrences_view(m, &l.custom, dashboard))
        })
    };
    view! {
        {content}
        {occurrences}
    }
}
