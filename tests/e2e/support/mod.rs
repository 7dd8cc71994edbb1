//! What the end-to-end tests share: a real `likely` server on a loopback port and a real headless
//! Chromium driven over WebDriver.

// Helpers of test binaries (the e2e tests and the bench): `pub` is for the files that include them.
#![allow(unreachable_pub)]

pub mod browser;
pub mod server;
pub mod upstream;

pub use browser::Browser;
pub use server::{Server, SharedStore};
pub use upstream::{Behaviour, Upstream};

/// A temporary file named `<prefix>….<suffix>` holding `contents`, for the page's file inputs.
pub fn file_with(prefix: &str, suffix: &str, contents: &str) -> tempfile::NamedTempFile {
    use std::io::Write;
    let mut file = tempfile::Builder::new()
        .prefix(prefix)
        .suffix(suffix)
        .tempfile()
        .expect("a temporary file");
    file.write_all(contents.as_bytes()).expect("write the file");
    file
}

/// A config with the embedded pair and one Cohere-dialect model served by `upstream_url`.
pub fn config_with_upstream(upstream_url: &str) -> tempfile::NamedTempFile {
    use std::io::Write;
    let mut file = tempfile::Builder::new()
        .suffix(".toml")
        .tempfile()
        .expect("a temporary config file");
    write!(
        file,
        r#"
[[models]]
name = "base-light"
backend = "embedded"

[[models]]
name = "custom-base-light"
backend = "embedded"

[[models]]
name = "remote-custom"
backend = "cohere"
base_url = "{upstream_url}"
upstream_model = "remote-ft"
"#
    )
    .expect("write the config");
    file
}

/// The longer example passage (Hamlet's soliloquy through "Devoutly to be wish’d.").
pub const HAMLET_SNIPPET: &str = likely_core::example::PASSAGE;
