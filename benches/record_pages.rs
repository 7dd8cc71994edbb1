//! Browser benchmark of the record's pages on a large store: how long after navigation `/runs` shows
//! its first rows, and how long the page of a held-out set with 1,000 runs takes to draw (its
//! leaderboard rows in, its trend chart drawn, the next frame painted). Both are read in the page
//! (`performance.now()`, milliseconds since navigation began) by an observer installed before the
//! page's own scripts. Prints median and max of 7 after a warm-up; asserts nothing about time.
//!
//! Run, after `scripts/build.sh` and filling a store with the store's generator:
//! ```text
//! cargo run --release -p likely-store --example record_bench -- sqlite:/tmp/record_bench.sqlite3 100000
//! RECORD_BENCH_STORE=sqlite:/tmp/record_bench.sqlite3 \
//!   cargo bench -p likely-app --features e2e --bench record_pages
//! ```

// Test code: a failed unwrap is a failed test, never a user's crash.
#![allow(clippy::unwrap_used)]

#[path = "../tests/e2e/support/mod.rs"]
#[allow(dead_code, unused_imports)]
mod support;

use std::time::Duration;
use support::{Browser, Server};

/// The set of the store's generator that holds 1,000 runs.
const BIG_SET: &str = "b16b16b16b16b16b16b16b16b16b16b16b16b16b16b16b16b16b16b16b16b16b";
/// Repetitions timed after the warm-up.
const REPEATS: usize = 7;

/// Marks, in `window.__marks`, when the first run row appeared and when a set's page was drawn.
const OBSERVER: &str = "window.__marks = {};
new MutationObserver(() => {
  const m = window.__marks;
  if (m.row === undefined && document.querySelector('[data-testid=\"run-row\"]')) m.row = performance.now();
  const c = document.querySelector('[data-testid=\"trend-chart\"]');
  if (m.seen === undefined && c && !c.hidden && document.querySelector('[data-testid=\"leaderboard-row\"]')) {
    m.seen = performance.now();
    requestAnimationFrame(() => { m.chart = performance.now(); });
  }
}).observe(document, { subtree: true, childList: true, attributes: true });";

async fn mark(browser: &Browser, url: &str, name: &str) -> f64 {
    browser.client.goto(url).await.unwrap();
    for _ in 0..400 {
        let value = browser
            .client
            .execute(
                &format!("return window.__marks && window.__marks.{name} || null;"),
                vec![],
            )
            .await
            .unwrap();
        if let Some(ms) = value.as_f64() {
            return ms;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("{url}: no {name} mark within 10 s");
}

fn summary(mut times: Vec<f64>) -> String {
    times.sort_by(f64::total_cmp);
    format!(
        "median {:.0} ms, max {:.0} ms (of {})",
        times[times.len() / 2],
        times[times.len() - 1],
        times.len()
    )
}

#[tokio::main]
async fn main() {
    let store = std::env::var("RECORD_BENCH_STORE")
        .unwrap_or_else(|_| "sqlite:/tmp/record_bench.sqlite3".into());
    let server = Server::start_on(None, &store, &[]);
    let browser = Browser::start().await;
    browser
        .cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            serde_json::json!({ "source": OBSERVER }),
        )
        .await;
    let runs_url = format!("{}/runs", server.url);
    let set_url = format!("{}/datasets/{BIG_SET}", server.url);
    let points = {
        mark(&browser, &set_url, "chart").await;
        browser
            .js_string(
                "return document.querySelector('[data-testid=\"trend-chart\"]').dataset.points;",
            )
            .await
    };
    mark(&browser, &runs_url, "row").await;
    let mut rows = Vec::new();
    let mut sets = Vec::new();
    for _ in 0..REPEATS {
        rows.push(mark(&browser, &runs_url, "row").await);
        sets.push(mark(&browser, &set_url, "chart").await);
    }
    println!("store: {store}");
    println!("/runs, first rows after navigation: {}", summary(rows));
    println!(
        "/datasets/<the 1,000-run set> ({points} points) drawn after navigation: {}",
        summary(sets)
    );
    browser.close().await;
}
