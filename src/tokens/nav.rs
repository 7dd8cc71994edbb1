//! Keyboard moves between token spans, shared by every coloured-token view: the arrow keys step to the
//! next or previous token, Escape closes the tooltip, focus on the container moves to its first token;
//! and the pointer and focus handlers that show a token's tooltip.

use super::chunks::token_index;
use leptos::html::Div;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// What a key does in a token view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Key {
    /// Move by this many tokens.
    Step(isize),
    /// Close the tooltip.
    Close,
}

/// The move of `key`, if it is one of the view's keys.
pub(super) fn key_of(key: &str) -> Option<Key> {
    match key {
        "ArrowRight" | "ArrowDown" => Some(Key::Step(1)),
        "ArrowLeft" | "ArrowUp" => Some(Key::Step(-1)),
        "Escape" => Some(Key::Close),
        _ => None,
    }
}

/// What a key pressed on a token asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Move {
    /// Close the tooltip.
    Close,
    /// Focus this token (it may not exist).
    To(usize),
}

/// The move a key press on a token span asks for, if any.
pub(super) fn move_of(ev: &web_sys::KeyboardEvent) -> Option<Move> {
    match key_of(&ev.key())? {
        Key::Close => Some(Move::Close),
        Key::Step(step) => {
            let (index, _) = token_index(ev.target())?;
            let next = index.checked_add_signed(step)?;
            Some(Move::To(next))
        }
    }
}

/// Focuses the span of token `index` inside `container`; false when there is none.
pub(super) fn focus_token(container: &web_sys::Element, index: usize) -> bool {
    focus(container, &format!("[data-index=\"{index}\"]"))
}

/// Focuses the first token span inside `container`.
pub(super) fn focus_first(container: &web_sys::Element) {
    focus(container, "[data-index]");
}

fn focus(container: &web_sys::Element, selector: &str) -> bool {
    let Ok(Some(span)) = container.query_selector(selector) else {
        return false;
    };
    match span.dyn_into::<web_sys::HtmlElement>() {
        Ok(span) => span.focus().is_ok(),
        Err(_) => false,
    }
}

/// A `mouseover` handler: the token under the pointer is shown with `show`.
pub(super) fn on_pointer_over(
    show: impl Fn(usize, &web_sys::Element) + Copy + 'static,
) -> impl Fn(web_sys::MouseEvent) + Copy + 'static {
    move |ev| {
        if let Some((index, span)) = token_index(ev.target()) {
            show(index, &span);
        }
    }
}

/// A `focusin` handler: the focused token is shown with `show`; focus on the container itself moves
/// to its first token.
pub(super) fn on_focus_in(
    show: impl Fn(usize, &web_sys::Element) + Copy + 'static,
    container: NodeRef<Div>,
) -> impl Fn(web_sys::FocusEvent) + Copy + 'static {
    move |ev| {
        if let Some((index, span)) = token_index(ev.target()) {
            show(index, &span);
        } else if let Some(element) = container.get_untracked() {
            focus_first(&element);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrows_step_and_escape_closes() {
        assert_eq!(key_of("ArrowRight"), Some(Key::Step(1)));
        assert_eq!(key_of("ArrowUp"), Some(Key::Step(-1)));
        assert_eq!(key_of("Escape"), Some(Key::Close));
        assert_eq!(key_of("a"), None);
    }
}
