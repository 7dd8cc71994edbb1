//! What Likely's tests share, in one place (a dev-dependency only, never published): fake upstreams
//! on loopback ([`upstream`], and the scripted Cohere upstream of [`cohere`]), the `likely serve`
//! launcher ([`serve`]), a language-model wrapper that watches sampling ([`model`]), fixtures and
//! builders of Generate API answers ([`answers`], from `likely_core::testing`), temporary files
//! ([`files`]), the PostgreSQL test database ([`postgres`]) and, with the `browser` feature, headless Chromium ([`browser`]).
//!
//! A failed expectation in a helper panics with a message: in a test, that is the test failing.

#![forbid(unsafe_code)]

#[cfg(feature = "browser")]
pub mod browser;
pub mod cohere;
pub mod files;
pub mod model;
pub mod postgres;
pub mod serve;
pub mod upstream;

/// Builders of Generate API answers and the worked example's words (`likely_core::testing`).
pub use likely_core::testing as answers;
