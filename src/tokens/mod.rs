//! The per-token coloured text: every token a span coloured by likelihood, difference or rank, with
//! the exact numbers in a tooltip on hover and keyboard focus. Large texts render in chunks as the
//! reader scrolls, so the first view of any size is quick.

mod controls;
mod paint;
mod render;
mod tooltip;
mod view;

pub use paint::{check, swatches, ColourMode, View};
pub use render::{spans_html, visible_whitespace, TokenCell};
pub use tooltip::{tooltip, Tooltip};
pub use view::TokenView;
