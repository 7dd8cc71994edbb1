//! The token view component: the model, snippet and colour choices, the text written in chunks
//! (`chunks`), and one delegated listener for hover, focus and the arrow keys, so a tooltip costs one
//! small reactive update however many tokens there are.

use super::choices::choices;
use super::chunks::{chunk, CHUNK, PRELOAD_PX};
use super::controls::{Legend, TokenControls};
use super::nav::{focus_token, move_of, on_focus_in, on_pointer_over, Move};
use super::paint::{check, ColourMode, Selection};
use super::tip_view::tooltip_view;
use super::tooltip::{tooltip, Tooltip};
use crate::state::use_dashboard;
use crate::when::When;
use leptos::html::Div;
use leptos::prelude::*;

/// The coloured text of the current evaluation.
#[component]
pub fn TokenView() -> impl IntoView {
    let dashboard = use_dashboard();
    let mode = RwSignal::new(ColourMode::Difference);
    let model = dashboard.token_model;
    let snippet = dashboard.snippet;
    let hovered = RwSignal::new(None::<(Tooltip, f64, f64)>);
    let container = NodeRef::<Div>::new();
    let rendered = StoredValue::new(0usize);

    let (models, snippets) = choices(dashboard, mode, model, snippet);

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
        let next = match move_of(&ev) {
            Some(Move::To(next)) => next,
            Some(Move::Close) => {
                hovered.set(None);
                return;
            }
            None => return,
        };
        if next >= rendered.get_value() && !append_chunk() {
            return;
        }
        ev.prevent_default();
        if let Some(element) = container.get_untracked() {
            focus_token(&element, next);
        }
    };

    view! {
        <When when=move || dashboard.evaluation.with(Option::is_some)>
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
                    on:mouseover=on_pointer_over(show)
                    on:mouseleave=move |_| hovered.set(None)
                    on:focusin=on_focus_in(show, container)
                    on:keydown=on_keydown
                ></div>
                {move || hovered.get().map(|(tip, left, top)| tooltip_view(tip, left, top))}
            </section>
        </When>
    }
}
