//! The token view component. Spans are written as HTML in chunks of `CHUNK` tokens (more as the
//! reader scrolls or moves focus past the end); one delegated listener serves hover and focus, so a
//! tooltip costs one small reactive update however many tokens there are.

use super::controls::{Legend, TokenControls};
use super::paint::{check, swatches, window_starts, ColourMode, Selection};
use super::render::{spans_html, TokenCell};
use super::tooltip::{tooltip, Tooltip};
use crate::results::exact;
use crate::state::use_dashboard;
use leptos::html::Div;
use leptos::prelude::*;
use likely_core::evaluation::Evaluation;
use wasm_bindgen::JsCast;

/// Tokens written per chunk.
pub const CHUNK: usize = 1500;
/// Distance from the bottom, in pixels, at which the next chunk is written.
const PRELOAD_PX: i32 = 600;

/// The HTML of tokens `from..to` of `view`.
fn chunk(evaluation: &Option<Evaluation>, view: &Selection, from: usize, to: usize) -> String {
    let Some(evaluation) = evaluation else {
        return String::new();
    };
    let painted = swatches(evaluation, view, from, to);
    if painted.is_empty() {
        return String::new();
    }
    let starts = window_starts(evaluation, view);
    let cells: Vec<TokenCell<'_>> = painted
        .iter()
        .enumerate()
        .map(|(offset, (token, swatch))| TokenCell {
            text: &token.text,
            background: &swatch.background,
            color: swatch.text,
            unscored: token.logprob.is_none(),
            window_start: starts.contains(&(from + offset)),
        })
        .collect();
    spans_html(&cells, from)
}

fn token_index(target: Option<web_sys::EventTarget>) -> Option<(usize, web_sys::Element)> {
    let element = target?.dyn_into::<web_sys::Element>().ok()?;
    let span = element.closest("[data-index]").ok()??;
    let index = span.get_attribute("data-index")?.parse().ok()?;
    Some((index, span))
}

/// The coloured text of the current evaluation.
#[component]
pub fn TokenView() -> impl IntoView {
    let dashboard = use_dashboard();
    let mode = RwSignal::new(ColourMode::Difference);
    let model = RwSignal::new(String::new());
    let snippet = RwSignal::new(0usize);
    let hovered = RwSignal::new(None::<(Tooltip, f64, f64)>);
    let container = NodeRef::<Div>::new();
    let rendered = StoredValue::new(0usize);

    let models = Signal::derive(move || {
        dashboard.evaluation.with(|e| {
            e.as_ref()
                .map(|e| e.model_names().map(str::to_string).collect::<Vec<_>>())
                .unwrap_or_default()
        })
    });
    let snippets = Signal::derive(move || {
        dashboard.evaluation.with(|e| {
            e.as_ref()
                .map(|e| {
                    e.snippets
                        .iter()
                        .enumerate()
                        .map(|(i, s)| {
                            let head: String = s.text.chars().take(40).collect();
                            format!("{}. {head}…", i + 1)
                        })
                        .collect()
                })
                .unwrap_or_default()
        })
    });
    // Keep the chosen model and snippet valid: by default the first custom model, else the baseline.
    Effect::new(move |_| {
        let names = models.get();
        if names.is_empty() {
            return;
        }
        if !names.contains(&model.get_untracked()) {
            let default = names
                .get(1)
                .or_else(|| names.first())
                .cloned()
                .unwrap_or_default();
            model.set(default);
        }
        if names.len() < 2 && mode.get_untracked() == ColourMode::Difference {
            mode.set(ColourMode::Loglik);
        }
        if snippet.get_untracked() >= snippets.with(Vec::len).max(1) {
            snippet.set(0);
        }
    });

    let current = Memo::new(move |_| Selection {
        mode: mode.get(),
        model: model.get(),
        snippet: snippet.get(),
        theme: dashboard.theme.get(),
    });
    let checked = Memo::new(move |_| {
        let shown = current.get();
        dashboard
            .evaluation
            .with(|e| e.as_ref().map(|e| check(e, &shown)))
    });

    // Rewrite the first chunk when the view changes or its likelihoods do (not on other snippets' results).
    Effect::new(move |_| {
        let Some(element) = container.get() else {
            return;
        };
        let shown = current.get();
        let html = match checked.get() {
            Some(Ok(_)) => dashboard
                .evaluation
                .with_untracked(|e| chunk(e, &shown, 0, CHUNK)),
            _ => String::new(),
        };
        element.set_inner_html(&html);
        element.set_scroll_top(0);
        rendered.set_value(CHUNK);
        hovered.set(None);
    });

    let append_chunk = move || {
        let Some(element) = container.get_untracked() else {
            return false;
        };
        let from = rendered.get_value();
        let html = match checked.get_untracked() {
            Some(Ok(_)) => dashboard
                .evaluation
                .with_untracked(|e| chunk(e, &current.get_untracked(), from, from + CHUNK)),
            _ => String::new(),
        };
        if html.is_empty() {
            return false;
        }
        let _ = element.insert_adjacent_html("beforeend", &html);
        rendered.set_value(from + CHUNK);
        true
    };

    let on_scroll = move |_| {
        hovered.set(None);
        if let Some(element) = container.get_untracked() {
            if element.scroll_top() + element.client_height() + PRELOAD_PX
                >= element.scroll_height()
            {
                append_chunk();
            }
        }
    };

    let show = move |index: usize, span: &web_sys::Element| {
        let rect = span.get_bounding_client_rect();
        let tip = dashboard.evaluation.with_untracked(|e| {
            e.as_ref()
                .and_then(|e| tooltip(e, snippet.get_untracked(), &model.get_untracked(), index))
        });
        hovered.set(tip.map(|tip| (tip, rect.left(), rect.bottom())));
    };

    let on_keydown = move |ev: web_sys::KeyboardEvent| {
        let step: isize = match ev.key().as_str() {
            "ArrowRight" | "ArrowDown" => 1,
            "ArrowLeft" | "ArrowUp" => -1,
            "Escape" => {
                hovered.set(None);
                return;
            }
            _ => return,
        };
        let Some((index, _)) = token_index(ev.target()) else {
            return;
        };
        let next = index as isize + step;
        if next < 0 {
            return;
        }
        if next as usize >= rendered.get_value() && !append_chunk() {
            return;
        }
        ev.prevent_default();
        let Some(element) = container.get_untracked() else {
            return;
        };
        if let Ok(Some(span)) = element.query_selector(&format!("[data-index=\"{next}\"]")) {
            if let Ok(span) = span.dyn_into::<web_sys::HtmlElement>() {
                let _ = span.focus();
            }
        }
    };

    view! {
        <Show when=move || dashboard.evaluation.with(Option::is_some)>
            <section class="panel tokens-panel" aria-label="Per-token coloured text">
                <h2>"Token by token"</h2>
                <TokenControls mode=mode model=model snippet=snippet models=models snippets=snippets />
                {move || match checked.get() {
                    Some(Ok(checked)) => view! { <Legend stops=checked.legend title=checked.legend_title /> }.into_any(),
                    Some(Err(message)) => view! { <p class="hint" data-testid="token-message">{message}</p> }.into_any(),
                    None => ().into_any(),
                }}
                <div
                    class="token-text"
                    data-testid="token-text"
                    node_ref=container
                    tabindex="0"
                    role="group"
                    aria-label="Tokens; move with the arrow keys, the tooltip shows each token's figures"
                    on:scroll=on_scroll
                    on:mouseover=move |ev: web_sys::MouseEvent| {
                        if let Some((index, span)) = token_index(ev.target()) {
                            show(index, &span);
                        }
                    }
                    on:mouseleave=move |_| hovered.set(None)
                    on:focusin=move |ev: web_sys::FocusEvent| {
                        if let Some((index, span)) = token_index(ev.target()) {
                            show(index, &span);
                        } else if let Some(element) = container.get_untracked() {
                            // Focus on the container moves to its first token.
                            if let Ok(Some(first)) = element.query_selector("[data-index]") {
                                if let Ok(first) = first.dyn_into::<web_sys::HtmlElement>() {
                                    let _ = first.focus();
                                }
                            }
                        }
                    }
                    on:keydown=on_keydown
                ></div>
                {move || hovered.get().map(|(tip, left, top)| tooltip_view(tip, left, top))}
            </section>
        </Show>
    }
}

fn figure(value: Option<f64>, digits: usize) -> String {
    value.map_or_else(|| "–".to_string(), |v| format!("{v:.digits$}"))
}

fn tooltip_view(tip: Tooltip, left: f64, top: f64) -> impl IntoView {
    let style = format!("left:{:.0}px;top:{:.0}px", left.max(4.0), top + 6.0);
    view! {
        <div class="token-tooltip" role="tooltip" data-testid="token-tooltip" data-index=tip.index.to_string() style=style>
            <div class="tip-token"><code>{tip.token.clone()}</code> <span class="tip-index">{format!("token {}", tip.index)}</span></div>
            <table>
                <thead><tr><th>"model"</th><th>"log-lik"</th><th>"prob"</th><th>"Δ vs base"</th><th>"top-1"</th></tr></thead>
                <tbody>
                    {tip.lines.into_iter().map(|line| {
                        let top = line.top.as_ref().map_or_else(
                            || "n/a".to_string(),
                            |(token, logprob)| format!("{} ({:.2})", super::visible_whitespace(token), logprob),
                        );
                        let rank = line.rank.map(|r| format!(" · rank {r}")).unwrap_or_default();
                        view! {
                            <tr data-model=line.model.clone() data-value=line.logprob.map(exact).unwrap_or_default()>
                                <th>{line.model.clone()}</th>
                                <td>{line.logprob.map_or_else(|| "unscored (first token)".to_string(), |v| format!("{v:.3}"))}</td>
                                <td>{figure(line.logprob.map(f64::exp), 4)}</td>
                                <td>{line.difference.map(|d| format!("{d:+.3}")).unwrap_or_default()}</td>
                                <td>{top}{rank}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            {(!tip.other_tokenizers.is_empty()).then(|| view! {
                <p class="hint">{format!("Not shown (other tokens): {}", tip.other_tokenizers.join(", "))}</p>
            })}
        </div>
    }
}
