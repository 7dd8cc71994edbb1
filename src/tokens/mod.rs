//! The per-token coloured text: every token a span coloured by likelihood, difference or rank, with
//! the exact numbers in a tooltip on hover and keyboard focus. Large texts render in chunks as the
//! reader scrolls, so the first view of any size is quick.

mod choices;
mod chunks;
mod controls;
mod paint;
mod render;
mod tip_view;
mod tooltip;
mod view;

use render::visible_whitespace;
pub use view::TokenView;
