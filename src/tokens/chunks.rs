//! The token view's text in chunks: the HTML of a range of tokens, and which token an event is on.
//! Spans are written as HTML in chunks of [`CHUNK`] tokens, more as the reader scrolls or moves focus
//! past the end, so the view costs the same at any size.

use super::paint::{swatches, window_starts, Selection};
use super::render::{spans_html, TokenCell};
use likely_core::evaluation::Evaluation;
use wasm_bindgen::JsCast;

/// Tokens written per chunk.
pub(super) const CHUNK: usize = 1500;
/// Distance from the bottom, in pixels, at which the next chunk is written.
pub(super) const PRELOAD_PX: i32 = 600;

/// The HTML of tokens `from..to` of `view`.
pub(super) fn chunk(
    evaluation: &Option<Evaluation>,
    view: &Selection,
    from: usize,
    to: usize,
) -> String {
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

/// The index of the token span an event happened on, and the span.
pub(super) fn token_index(
    target: Option<web_sys::EventTarget>,
) -> Option<(usize, web_sys::Element)> {
    let element = target?.dyn_into::<web_sys::Element>().ok()?;
    let span = element.closest("[data-index]").ok()??;
    let index = span.get_attribute("data-index")?.parse().ok()?;
    Some((index, span))
}
