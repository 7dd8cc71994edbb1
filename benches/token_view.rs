//! Browser benchmark of the token view: in headless Chromium against the real server and embedded
//! models, evaluates texts of about 20,000 and 100,000 tokens with three models, then measures in the
//! page how long the token view takes to show (colour-mode switch to next frame), a tooltip (hover to
//! next frame) and the next chunk on scroll. Prints the figures; asserts nothing about time.
//!
//! Run: `scripts/bench.sh` (or, after `scripts/build.sh`:
//! `cargo bench -p likely-app --features e2e --bench token_view`).

// Test code: a failed unwrap is a failed test, never a user's crash.
#![allow(clippy::unwrap_used)]

#[path = "../tests/e2e/support/mod.rs"]
#[allow(dead_code, unused_imports)]
mod support;

use std::time::{Duration, Instant};
use support::{file_with, Browser, Server, EMBEDDED_PAIR, HAMLET_SNIPPET};

/// Larger bodies than the default, and a third model: the embedded base again under another name.
fn bench_config() -> String {
    format!(
        r#"
[limits]
max_body_bytes = 4194304
{EMBEDDED_PAIR}
[[models]]
name = "custom-base-light-2"
backend = "embedded"
upstream_model = "custom-base-light"
"#
    )
}

/// About `tokens` GPT-2 tokens of English: the worked example's snippet (~100 tokens) repeated.
fn text_of(tokens: usize) -> String {
    let copies = tokens / 100;
    (0..copies)
        .map(|i| format!("{HAMLET_SNIPPET} ({i})"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Median of measurements in milliseconds.
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

async fn js_number(browser: &Browser, script: &str) -> f64 {
    let value = browser
        .client
        .execute_async(script, vec![])
        .await
        .expect("run the measurement");
    value.as_f64().expect("a number")
}

const SWITCH_MODE: &str = r#"
const done = arguments[arguments.length - 1];
const select = document.querySelector('[data-testid="colour-mode"]');
const next = select.value === 'difference' ? 'loglik' : 'difference';
const t0 = performance.now();
select.value = next;
select.dispatchEvent(new Event('change', { bubbles: true }));
requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - t0)));
"#;

const HOVER: &str = r#"
const done = arguments[arguments.length - 1];
const spans = document.querySelectorAll('[data-testid="token"]');
const span = spans[Math.floor(Math.random() * spans.length)];
const t0 = performance.now();
span.dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
requestAnimationFrame(() => {
  const ok = document.querySelector('[data-testid="token-tooltip"]') !== null;
  done(ok ? performance.now() - t0 : -1);
});
"#;

const SCROLL: &str = r#"
const done = arguments[arguments.length - 1];
const box = document.querySelector('[data-testid="token-text"]');
const before = box.querySelectorAll('[data-testid="token"]').length;
const t0 = performance.now();
box.scrollTop = box.scrollHeight;
box.dispatchEvent(new Event('scroll'));
requestAnimationFrame(() => requestAnimationFrame(() => {
  const after = box.querySelectorAll('[data-testid="token"]').length;
  done(after > before ? performance.now() - t0 : -1);
}));
"#;

async fn bench(browser: &Browser, url: &str, tokens: usize) {
    browser.client.goto(url).await.expect("open the page");
    browser.wait_for_models().await;
    for name in ["custom-base-light-2"] {
        browser.click(&format!("custom-toggle-{name}")).await;
    }
    let text = text_of(tokens);
    browser
        .client
        .execute(
            "const t = document.querySelector('[data-testid=\"prompt-input\"]'); t.value = arguments[0]; t.dispatchEvent(new Event('input', { bubbles: true }));",
            vec![serde_json::Value::String(text.clone())],
        )
        .await
        .expect("paste the text");
    let started = Instant::now();
    browser.click("evaluate-button").await;
    let progress = browser.by_testid("progress").await;
    loop {
        let state = progress.attr("data-state").await.expect("read the state");
        if state.as_deref() == Some("done") {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "the evaluation did not finish"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let evaluated = started.elapsed();
    let scored = browser.value_of("tokens-base-light").await;
    let mut switches = Vec::new();
    for _ in 0..6 {
        switches.push(js_number(browser, SWITCH_MODE).await);
    }
    let mut hovers = Vec::new();
    for _ in 0..30 {
        hovers.push(js_number(browser, HOVER).await);
    }
    let scroll = js_number(browser, SCROLL).await;
    println!(
        "{:>7} tokens × 3 models ({} bytes): evaluated in {:.1} s; token view shown in {:.1} ms (median of 6 colour-mode switches, max {:.1}); tooltip in {:.2} ms (median of 30 hovers, max {:.2}); next chunk on scroll {:.1} ms",
        scored as usize + 1,
        text.len(),
        evaluated.as_secs_f64(),
        median(switches.clone()),
        switches.iter().copied().fold(f64::MIN, f64::max),
        median(hovers.clone()),
        hovers.iter().copied().fold(f64::MIN, f64::max),
        scroll
    );
}

#[tokio::main]
async fn main() {
    let config = file_with("likely-", ".toml", &bench_config());
    let server = Server::start_with(Some(config.path()));
    let browser = Browser::start().await;
    println!("token view benchmark (headless Chromium, release bundle)");
    for tokens in [20_000, 100_000] {
        bench(&browser, &server.url, tokens).await;
    }
    browser.close().await;
}
