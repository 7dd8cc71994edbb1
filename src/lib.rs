//! The Likely dashboard: a Leptos single-page app that asks the server's Generate API for per-token
//! likelihoods and computes every figure in the browser with `likely-core`.
//!
//! `api` is the only module that does HTTP; `state` holds the page's signals; each feature lives in its
//! own module (evaluate, results, tokens, charts, export, share).

pub mod actions;
pub mod api;
mod app;
pub mod charts;
pub mod evaluate;
pub mod export;
pub mod results;
pub mod share;
pub mod state;
pub mod theme;
pub mod tokens;

pub use app::App;
