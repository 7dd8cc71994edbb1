//! The `likely` server: serves the built dashboard and one Generate API (Cohere's v1 `/generate`
//! shape) in front of the configured models. [`app`] builds the whole router from an [`AppState`], so
//! tests drive it in-process or over loopback HTTP.

pub mod backends;
pub mod error;
pub mod models;
pub mod routes;
pub mod state;
pub mod validate;

pub use routes::app;
pub use state::AppState;
