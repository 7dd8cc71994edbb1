//! The Likely dashboard: a Leptos single-page app that asks the server's Generate API for per-token
//! likelihoods and computes every figure in the browser with `likely-core`.
//!
//! `api` is the only module that does HTTP; `state` holds the page's signals; each feature lives in its
//! own module (evaluate, results, tokens, charts, export, share, customize, playground, record, runs,
//! datasets); `routes` owns every path and query string, and `root` picks the page.

// Nothing in this crate needs unsafe code, and the compiler keeps it that way.
#![forbid(unsafe_code)]
// Every module is private, so the compiler warns about any item nothing uses. `pub` inside them means
// "used by other modules of the page"; writing pub(crate) on each of those hundreds of items would say
// nothing more, hence this one allowed lint.
#![allow(unreachable_pub)]

mod actions;
mod api;
mod app;
mod charts;
mod customize;
mod datasets;
mod evaluate;
mod export;
mod fields;
mod form;
mod lazy;
mod pickers;
mod playground;
mod record;
mod results;
mod root;
mod routes;
mod runs;
mod share;
mod state;
mod storage;
mod theme;
mod tokens;
mod unsaved;
mod when;

pub use app::EvaluatePage;
pub use root::Root;
