//! A short run of coloured tokens, such as one generation in the playground: every token a span
//! coloured by its log-likelihood on the evaluation view's scale, with the same tooltip (on hover and
//! keyboard focus) and the same arrow-key moves. Short enough to be written at once (a generation is at
//! most `max_tokens` long); the caller says what the tooltip of a token shows.

use super::nav::{focus_token, move_of, on_focus_in, on_pointer_over, Move};
use super::render::{spans_html, TokenCell};
use super::tip_view::tooltip_view;
use super::tooltip::Tooltip;
use leptos::html::Div;
use leptos::prelude::*;
use likely_core::colour::{self, Theme};
use likely_core::ScoredToken;

/// The spans of `tokens` coloured by log-likelihood under `theme`.
fn strip_html(tokens: &[ScoredToken], theme: Theme) -> String {
    let swatches: Vec<_> = tokens
        .iter()
        .map(|t| colour::loglik(t.logprob, theme))
        .collect();
    let cells: Vec<TokenCell<'_>> = tokens
        .iter()
        .zip(&swatches)
        .map(|(token, swatch)| TokenCell {
            text: &token.text,
            background: &swatch.background,
            color: swatch.text,
            unscored: token.logprob.is_none(),
            window_start: false,
        })
        .collect();
    spans_html(&cells, 0)
}

/// The coloured tokens; `testid` and `value` become the container's `data-testid` and `data-value`.
#[component]
pub fn TokenStrip(
    tokens: Vec<ScoredToken>,
    theme: Signal<Theme>,
    tip: Callback<usize, Option<Tooltip>>,
    testid: String,
    value: String,
) -> impl IntoView {
    let count = tokens.len();
    let hovered = RwSignal::new(None::<(Tooltip, f64, f64)>);
    let container = NodeRef::<Div>::new();
    let html = move || strip_html(&tokens, theme.get());
    let show = move |index: usize, span: &web_sys::Element| {
        let rect = span.get_bounding_client_rect();
        hovered.set(tip.run(index).map(|t| (t, rect.left(), rect.bottom())));
    };
    let on_keydown = move |ev: web_sys::KeyboardEvent| {
        let next = match move_of(&ev) {
            Some(Move::To(next)) if next < count => next,
            Some(Move::Close) => {
                hovered.set(None);
                return;
            }
            _ => return,
        };
        ev.prevent_default();
        if let Some(element) = container.get_untracked() {
            focus_token(&element, next);
        }
    };
    view! {
        <div class="token-strip">
            <div
                class="token-text generation-text"
                data-testid=testid
                data-value=value
                node_ref=container
                tabindex="0"
                role="group"
                aria-label="Generated tokens; move with the arrow keys, the tooltip shows each token's figures"
                inner_html=html
                on:mouseover=on_pointer_over(show)
                on:mouseleave=move |_| hovered.set(None)
                on:focusin=on_focus_in(show, container)
                on:focusout=move |_| hovered.set(None)
                on:keydown=on_keydown
            ></div>
            {move || hovered.get().map(|(tip, left, top)| tooltip_view(tip, left, top))}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_token_is_a_coloured_span_and_the_text_is_kept() {
        let tokens = vec![
            ScoredToken::new(" to", Some(-0.5)),
            ScoredToken::new(" <sleep>", Some(-6.0)),
        ];
        let html = strip_html(&tokens, Theme::Light);
        assert_eq!(html.matches("data-testid=\"token\"").count(), 2);
        assert!(html.contains("&lt;sleep&gt;"));
        assert!(!html.contains("unscored"));
        assert_ne!(
            strip_html(&tokens[..1], Theme::Light),
            strip_html(&tokens[1..], Theme::Light)
        );
    }
}
