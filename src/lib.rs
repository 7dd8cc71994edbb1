//! The Likely dashboard: a Leptos single-page app that asks the server's Generate API for per-token
//! likelihoods and computes every figure in the browser with `likely-core`.
//!
//! `api` is the only module that does HTTP; each feature lives in its own module.

pub mod api;
mod app;
pub mod evaluate;
pub mod results;

pub use app::App;
