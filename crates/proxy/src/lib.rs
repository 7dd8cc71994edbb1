//! The `likely` server: serves the built dashboard and one Generate API (Cohere's v1 `/generate`
//! shape) in front of the configured models. [`app`] builds the whole router from an [`AppState`], so
//! tests drive it in-process or over loopback HTTP; [`setup::build_table`] turns a [`config::Config`]
//! into the model table.

// Nothing in this crate needs unsafe code, and the compiler keeps it that way.
#![forbid(unsafe_code)]

pub mod access;
pub mod backends;
pub mod completions;
pub mod config;
pub mod custom;
pub mod embedded;
pub mod error;
pub mod eval;
pub mod headers;
pub mod hosts;
pub mod limits;
pub mod models;
pub mod record;
pub mod routes;
pub mod serve;
pub mod setup;
pub mod shares;
pub mod state;
pub mod tokenizers;
pub mod validate;

pub use routes::app;
pub use state::AppState;
