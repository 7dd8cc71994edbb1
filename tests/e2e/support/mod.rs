//! What the end-to-end tests share: a real `likely` server on a loopback port (on the kit's launcher)
//! and, from `likely-testkit`, headless Chromium, the scripted Cohere upstream and temporary files.

// Helpers of test binaries (the e2e tests and the benches): `pub` is for the files that include them.
#![allow(unreachable_pub)]

pub mod server;

pub use likely_testkit::browser::Browser;
pub use likely_testkit::cohere::{Behaviour, Upstream};
pub use likely_testkit::files::file_with;
pub use server::{Server, SharedStore};

/// A seeded picker of one option among several (xorshift64 from `seed` scrambled by `mix`): the
/// made-up domains' grammars draw their words with it, so their texts are the same on every run.
pub fn picker(seed: u64, mix: u64) -> impl FnMut(&[&'static str]) -> &'static str {
    let mut x = seed.wrapping_mul(mix) | 1;
    move |options| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        options[(x % options.len() as u64) as usize]
    }
}

/// A fresh server and browser, the browser opened on `path`: both, and the error message shown.
pub async fn error_on_arrival(path: &str) -> (Server, Browser, String) {
    let server = Server::start();
    let browser = Browser::start().await;
    let message = error_at(&browser, &server, path).await;
    (server, browser, message)
}

/// Opens `path` of `server` and reads the error message the page shows there.
pub async fn error_at(browser: &Browser, server: &Server, path: &str) -> String {
    browser.goto(&format!("{}{path}", server.url)).await;
    browser.text_of("error-message").await
}

/// The configuration of the worked example's pair: the two embedded models.
pub const EMBEDDED_PAIR: &str = r#"
[[models]]
name = "base-light"
backend = "embedded"

[[models]]
name = "custom-base-light"
backend = "embedded"
"#;

/// A config with the embedded pair and one Cohere-dialect model served by `upstream_url`.
pub fn config_with_upstream(upstream_url: &str) -> tempfile::NamedTempFile {
    file_with(
        "likely-",
        ".toml",
        &format!(
            r#"{EMBEDDED_PAIR}
[[models]]
name = "remote-custom"
backend = "cohere"
base_url = "{upstream_url}"
upstream_model = "remote-ft"
"#
        ),
    )
}

/// The longer example passage (Hamlet's soliloquy through "Devoutly to be wish’d.").
pub const HAMLET_SNIPPET: &str = likely_core::example::PASSAGE;
