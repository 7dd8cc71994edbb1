//! The per-token coloured text: every token a span coloured by likelihood, difference or rank, with
//! the exact numbers in a tooltip on hover and keyboard focus. Large texts render in chunks as the
//! reader scrolls, so the first view of any size is quick. `TokenStrip` is the same colouring, tooltip
//! and keys for a short run of tokens (a playground generation).

mod choices;
mod chunks;
mod controls;
mod nav;
mod paint;
mod render;
mod strip;
mod tip_view;
mod tooltip;
mod view;

pub use controls::Legend;
pub use render::visible_whitespace;
pub use strip::TokenStrip;
pub use tooltip::{ModelLine, Tooltip};
pub use view::TokenView;
