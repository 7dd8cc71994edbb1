//! Browser benchmark of a whole evaluation: does the page keep up with the server? Against the real
//! server and embedded models (`base-light`, `custom-base-light`), it sends each held-out set's
//! Generate requests four at a time from a plain client (what the page's requests cost the server),
//! then evaluates the same set in headless Chromium from an uploaded JSON Lines file (the page sends its
//! windows in batches, `POST /v1/generate/batch`, to a server that has the route), and prints both
//! times side by side with the page's longest main-thread task. The sets are Hamlet's paragraphs: the
//! first 150, all of them, and 5,000 (the play again, numbered). Prints the figures; asserts nothing
//! about time.
//!
//! Run: `scripts/bench.sh` (or, after `scripts/build.sh`:
//! `cargo bench -p likely-app --features e2e --bench page_run`; `PAGE_RUN_SIZES=150,1410` picks sizes).

// Test code: a failed unwrap is a failed test, never a user's crash.
#![allow(clippy::unwrap_used)]

#[path = "../tests/e2e/support/mod.rs"]
#[allow(dead_code, unused_imports)]
mod support;

use likely_core::params::GenerateParams;
use likely_ngram::pipeline::{play_corpus, EmbeddedPaths};
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::{file_with, Browser, Server};

/// The models of the worked example.
const MODELS: [&str; 2] = ["base-light", "custom-base-light"];
/// Requests in flight at once, as the page sends them.
const CONCURRENCY: usize = 4;

/// Hamlet's paragraphs (blank-line separated, trimmed), the play's boilerplate left out.
fn hamlet_paragraphs() -> Vec<String> {
    let corpus = play_corpus(&EmbeddedPaths::default())
        .expect("the corpora (scripts/fetch-corpora.sh installs them)");
    corpus
        .hamlet
        .replace("\r\n", "\n")
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

/// `count` snippets: Hamlet's paragraphs in order, the play again (each paragraph numbered) past its end.
fn set_of(paragraphs: &[String], count: usize) -> Vec<String> {
    (0..count)
        .map(|i| {
            let paragraph = &paragraphs[i % paragraphs.len()];
            match i / paragraphs.len() {
                0 => paragraph.clone(),
                round => format!("{paragraph} ({round})"),
            }
        })
        .collect()
}

/// Sends every (model, snippet) Generate request, `CONCURRENCY` at a time; the wall time.
async fn script_time(url: &str, snippets: &[String]) -> Duration {
    // reqwest is built as the server builds it, with rustls and no bundled crypto provider.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::new();
    let params = GenerateParams::default();
    let requests: Arc<Vec<_>> = Arc::new(
        snippets
            .iter()
            .flat_map(|text| MODELS.map(|model| params.request(model, text.as_str())))
            .collect(),
    );
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..CONCURRENCY)
        .map(|_| {
            let (client, requests, next) = (client.clone(), requests.clone(), next.clone());
            let endpoint = format!("{url}/v1/generate");
            tokio::spawn(async move {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(request) = requests.get(index) else {
                        break;
                    };
                    let answer = client.post(&endpoint).json(request).send().await.unwrap();
                    assert!(answer.status().is_success(), "{}", answer.status());
                    answer.bytes().await.unwrap();
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.unwrap();
    }
    started.elapsed()
}

/// Sends the same requests from the page's JavaScript (`fetch`, four at a time, answers parsed and
/// dropped): what the browser's own HTTP costs, without the app; the wall time in ms.
const BROWSER_FETCH: &str = r#"
const done = arguments[arguments.length - 1];
const bodies = arguments[0];
let next = 0;
const t0 = performance.now();
async function worker() {
  while (next < bodies.length) {
    const body = bodies[next++];
    const answer = await fetch('/v1/generate', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    if (!answer.ok) throw new Error('status ' + answer.status);
    await answer.json();
  }
}
Promise.all([worker(), worker(), worker(), worker()]).then(() => done(performance.now() - t0), (e) => done(-1));
"#;

/// The same requests from the page's JavaScript; the wall time.
async fn browser_fetch_time(browser: &Browser, url: &str, snippets: &[String]) -> Duration {
    browser.client.goto(url).await.unwrap();
    let params = GenerateParams::default();
    let bodies: Vec<serde_json::Value> = snippets
        .iter()
        .flat_map(|text| MODELS.map(|model| params.request(model, text.as_str())))
        .map(|request| serde_json::Value::String(serde_json::to_string(&request).unwrap()))
        .collect();
    let ms = browser
        .client
        .execute_async(BROWSER_FETCH, vec![serde_json::Value::Array(bodies)])
        .await
        .unwrap()
        .as_f64()
        .unwrap();
    assert!(ms >= 0.0, "a request from the browser failed");
    Duration::from_secs_f64(ms / 1_000.0)
}

/// Records the page's long tasks (over 50 ms) from now on.
const WATCH_LONG_TASKS: &str = r#"
window.__longTasks = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) window.__longTasks.push(entry.duration);
}).observe({ type: 'longtask' });
"#;

/// Times the run in the page's own clock (so WebDriver's round trips are not charged to the page):
/// the click on Evaluate, the first request sent, and the progress saying done (its `data-done`
/// reaches the total in the same publication, so that is also the last answer shown).
const WATCH_RUN: &str = r#"
const run = window.__run = {};
const now = () => performance.now();
document.querySelector('[data-testid="evaluate-button"]')
  .addEventListener('click', () => { run.click = now(); }, { capture: true, once: true });
const fetch = window.fetch;
window.fetch = function (...args) { if (run.click !== undefined && run.firstRequest === undefined) run.firstRequest = now(); return fetch.apply(this, args); };
new MutationObserver(() => {
  const progress = document.querySelector('[data-testid="progress"]');
  if (!progress || run.click === undefined) return;
  if (run.done === undefined && progress.getAttribute('data-state') === 'done') run.done = now();
}).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
"#;

/// The run's marks in the page's clock, in ms from the click: the first request, done.
const RUN_MARKS: &str = r#"
const run = window.__run;
return [run.firstRequest - run.click, run.done - run.click];
"#;

/// The page's run, as WebDriver saw it and in the page's own clock.
struct PageRun {
    /// From WebDriver's click to its seeing the progress say done.
    wall: Duration,
    /// In the page's clock, ms from the click: the first request sent, done.
    marks: [f64; 2],
    /// The longest task, the long tasks' total (ms) and their count.
    long_tasks: Vec<f64>,
}

/// The longest task and the long tasks' total, in ms.
const LONG_TASKS: &str = r#"
const tasks = window.__longTasks || [];
return [tasks.reduce((a, b) => Math.max(a, b), 0), tasks.reduce((a, b) => a + b, 0), tasks.length];
"#;

/// Evaluates `snippets` in the page: its times from Evaluate to the last figure, and the long tasks.
async fn page_time(browser: &Browser, url: &str, snippets: &[String]) -> PageRun {
    browser.client.goto(url).await.unwrap();
    browser.wait_for_models().await;
    let lines: String = snippets
        .iter()
        .map(|text| format!("{}\n", serde_json::json!({ "text": text })))
        .collect();
    let file = file_with("hamlet", ".jsonl", &lines);
    browser
        .type_text("file-input", file.path().to_str().unwrap())
        .await;
    assert_eq!(
        browser.value_of("upload-summary").await,
        snippets.len() as f64
    );
    browser
        .client
        .execute(WATCH_LONG_TASKS, vec![])
        .await
        .unwrap();
    let total = (snippets.len() * MODELS.len()).to_string();
    browser.client.execute(WATCH_RUN, vec![]).await.unwrap();
    let started = Instant::now();
    browser.click("evaluate-button").await;
    let progress = browser.by_testid("progress").await;
    loop {
        let state = progress.attr("data-state").await.unwrap();
        if state.as_deref() == Some("done") {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(1_800),
            "the evaluation did not finish"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let elapsed = started.elapsed();
    assert_eq!(
        progress.attr("data-done").await.unwrap().as_deref(),
        Some(total.as_str())
    );
    // A mark the page never reached comes back as null: printed as NaN rather than a panic.
    let numbers = |value: serde_json::Value| -> Vec<f64> {
        value
            .as_array()
            .map(|a| a.iter().map(|v| v.as_f64().unwrap_or(f64::NAN)).collect())
            .unwrap_or_default()
    };
    let long_tasks = numbers(browser.client.execute(LONG_TASKS, vec![]).await.unwrap());
    let marks = numbers(browser.client.execute(RUN_MARKS, vec![]).await.unwrap());
    PageRun {
        wall: elapsed,
        marks: [0, 1].map(|i| marks.get(i).copied().unwrap_or(f64::NAN)),
        long_tasks,
    }
}

#[tokio::main]
async fn main() {
    let paragraphs = hamlet_paragraphs();
    let sizes: Vec<usize> = std::env::var("PAGE_RUN_SIZES")
        .ok()
        .map(|v| v.split(',').map(|s| s.trim().parse().unwrap()).collect())
        .unwrap_or_else(|| vec![150, paragraphs.len(), 5_000]);
    let mut config = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    config
        .write_all(b"[[models]]\nname = \"base-light\"\nbackend = \"embedded\"\n[[models]]\nname = \"custom-base-light\"\nbackend = \"embedded\"\n")
        .unwrap();
    let server = Server::start_with(Some(config.path()));
    let browser = Browser::start().await;
    // The browser's fetch of 10,000 requests takes longer than WebDriver's default script timeout.
    browser
        .client
        .update_timeouts(fantoccini::wd::TimeoutConfiguration::new(
            Some(Duration::from_secs(1_200)),
            Some(Duration::from_secs(60)),
            Some(Duration::ZERO),
        ))
        .await
        .unwrap();
    println!(
        "page run benchmark: Hamlet as {} paragraphs, {} models, script and browser fetch {CONCURRENCY} requests at a time, the page batched (headless Chromium, release bundle)",
        paragraphs.len(),
        MODELS.len()
    );
    println!("| snippets | requests | script | browser fetch | page (WebDriver) | page (its clock) | page / script | first request | page per snippet | longest task | long tasks (count, total) |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for size in sizes {
        let snippets = set_of(&paragraphs, size);
        // The script first: it also brings the models' pages into memory, so the page is not charged
        // for first touches. It runs again after the page; the faster of the two is the yardstick.
        let first = script_time(&server.url, &snippets).await;
        let fetched = browser_fetch_time(&browser, &server.url, &snippets).await;
        let page = page_time(&browser, &server.url, &snippets).await;
        let script = first.min(script_time(&server.url, &snippets).await);
        let [first_request, done] = page.marks;
        println!(
            "| {size} | {} | {:.2} s | {:.2} s | {:.2} s | {:.2} s | {:.2}× | {:.0} ms | {:.1} ms | {:.0} ms | {:.0}, {:.0} ms |",
            size * MODELS.len(),
            script.as_secs_f64(),
            fetched.as_secs_f64(),
            page.wall.as_secs_f64(),
            done / 1_000.0,
            done / 1_000.0 / script.as_secs_f64(),
            first_request,
            done / size as f64,
            page.long_tasks[0],
            page.long_tasks[2],
            page.long_tasks[1],
        );
    }
    browser.close().await;
}
