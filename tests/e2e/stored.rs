//! Stored share links end to end: a held-out set of 100 snippets is evaluated, shared as a stored
//! link (everything, and figures only), and opened in a fresh browser that cannot reach the Generate
//! API, with the same pills, figures, token colours and charts; again after the server restarts on
//! the same store; a figures-only link shows no text; a deleted, an unknown and a broken link say so.

use crate::support::{error_at, error_on_arrival, Browser, Server, SharedStore, HAMLET_SNIPPET};
use std::io::Write;
use std::time::Duration;

/// A phrase found only in the held-out set, to prove a figures-only link carries no text.
const SECRET: &str = "the quokka of Zanzibar hums at dawn";
const SNIPPETS: usize = 100;

fn held_out_set() -> tempfile::NamedTempFile {
    let lines: Vec<&str> = HAMLET_SNIPPET
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    let mut file = tempfile::Builder::new()
        .prefix("heldout")
        .suffix(".txt")
        .tempfile()
        .expect("a temporary file");
    for i in 0..SNIPPETS {
        let line = lines[i % lines.len()];
        let extra = if i == 0 { SECRET } else { "so says the player" };
        write!(file, "{line} ({extra}, number {i}).\n\n").expect("write the set");
    }
    file
}

/// Every figure of the page: each `data-value` (and pill interval), by test id.
const FIGURES_JS: &str = "return [...document.querySelectorAll('[data-testid][data-value]')]
    .filter(e => e.dataset.testid !== 'upload-summary')
    .map(e => `${e.dataset.testid}=${e.dataset.value}|${e.dataset.ciLow || ''}|${e.dataset.ciHigh || ''}`)
    .sort().join('\\n');";
/// Every token of the token view: its colours and text.
const TOKENS_JS: &str = "return [...document.querySelectorAll('[data-testid=\"token\"]')]
    .map(t => `${t.getAttribute('style')}|${t.textContent}`).join('\\n');";
/// Every chart, as an image.
const CHARTS_JS: &str = "return [...document.querySelectorAll('canvas[data-testid^=\"chart-\"]')]
    .map(c => `${c.dataset.testid}:${c.width}x${c.height}:${c.hidden ? 'hidden' : c.toDataURL()}`).join('\\n');";

async fn evaluate_the_set(browser: &Browser) {
    let set = held_out_set();
    browser
        .type_text("file-input", set.path().to_str().expect("a UTF-8 path"))
        .await;
    assert_eq!(browser.value_of("upload-summary").await, SNIPPETS as f64);
    browser.click("evaluate-button").await;
    let progress = browser.by_testid("progress").await;
    let total = (2 * SNIPPETS).to_string();
    let mut done = String::new();
    for _ in 0..1200 {
        done = progress
            .attr("data-done")
            .await
            .unwrap()
            .unwrap_or_default();
        if done == total {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(done, total, "{SNIPPETS} snippets × 2 models scored");
}

/// Makes a link holding `scope`; returns it and the page's sentence about it.
async fn make_link(browser: &Browser, scope: &str) -> (String, String) {
    let select = browser.by_testid("share-scope").await;
    select
        .select_by_value(scope)
        .await
        .unwrap_or_else(|e| panic!("choose {scope}: {e}"));
    let before = browser
        .js_string("const l = document.querySelector('[data-testid=\"share-link\"]'); return l ? l.value : '';")
        .await;
    browser.click("share-button").await;
    let mut link = String::new();
    for _ in 0..240 {
        link = browser
            .js_string("const l = document.querySelector('[data-testid=\"share-link\"]'); return l ? l.value : '';")
            .await;
        if !link.is_empty() && link != before {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(!link.is_empty() && link != before, "a new link appears");
    let status = browser.text_of("share-status").await;
    (link, status)
}

/// Opens `link` in `browser` (which blocks Generate) and checks the page shows `figures`, `tokens`
/// and `charts` without ever calling Generate.
async fn opens_the_same(browser: &Browser, link: &str, figures: &str, tokens: &str, charts: &str) {
    browser.client.goto(link).await.expect("open the link");
    browser.by_testid("share-banner").await;
    assert_eq!(
        browser.settled(FIGURES_JS, figures).await,
        figures,
        "same figures"
    );
    if !tokens.is_empty() {
        assert_eq!(
            browser.settled(TOKENS_JS, tokens).await,
            tokens,
            "same token colours"
        );
    }
    assert_eq!(
        browser.settled(CHARTS_JS, charts).await,
        charts,
        "same charts"
    );
    browser.wait_for_models().await;
    let fetched = browser.fetched().await;
    assert!(
        fetched.iter().any(|url| url.contains("/v1/models")),
        "the page's requests are recorded: {fetched:?}"
    );
    assert!(
        fetched.iter().all(|url| !url.contains("/v1/generate")),
        "opening a link never calls Generate: {fetched:?}"
    );
}

#[tokio::test]
async fn stored_links_reopen_the_same_evaluation_without_generate_and_can_be_deleted() {
    let store = SharedStore::new();
    let server = Server::start_on(None, &store.url(), &[]);
    let author = Browser::open(&server.url).await;
    evaluate_the_set(&author).await;
    author.value_of("avg-loglik-custom-base-light").await;
    let figures = author.settled(FIGURES_JS, "").await;
    assert!(figures.contains("pill-"), "pills are shown: {figures}");
    let tokens = author.settled(TOKENS_JS, "").await;
    assert!(!tokens.is_empty(), "the token view is drawn");
    let shown = author
        .js_string("return document.querySelector('[data-testid=\"token-text\"]').textContent;")
        .await;
    assert!(shown.contains(SECRET), "the author sees the text: {shown}");
    let charts = author.settled(CHARTS_JS, "").await;
    assert_eq!(
        author
            .by_testid("share-expiry")
            .await
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some(""),
        "by default a link never expires"
    );

    let (everything, status) = make_link(&author, "everything").await;
    assert!(
        everything.starts_with(&format!("{}/s/", server.url)),
        "{everything}"
    );
    assert!(
        status.contains("Stored link: this evaluation's snapshot")
            && status.contains("too large for a link"),
        "{status}"
    );
    let (figures_only, _) = make_link(&author, "figures").await;
    assert!(figures_only.contains("/s/") && figures_only != everything);

    // A teammate, whose browser cannot reach the Generate API, sees the same evaluation.
    let teammate = Browser::start().await;
    teammate.block_and_record(&["*/v1/generate*"]).await;
    opens_the_same(&teammate, &everything, &figures, &tokens, &charts).await;
    let banner = teammate
        .by_testid("share-banner")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        banner.contains("base-light") && banner.contains("kept on"),
        "{banner}"
    );
    teammate.by_testid("rerun-button").await;

    // Figures only: the same figures and charts, and no text anywhere on the page.
    opens_the_same(&teammate, &figures_only, &figures, "", &charts).await;
    assert_eq!(
        teammate.attr("share-banner", "data-scope").await.as_deref(),
        Some("figures")
    );
    teammate.by_testid("share-no-text").await;
    let page = teammate
        .js_string("return document.documentElement.outerHTML + document.body.innerText;")
        .await;
    assert!(!page.contains("quokka"), "the text was not shared");
    assert!(
        !page.contains("rerun-button"),
        "nothing to re-run without the text"
    );

    // The author deletes the figures-only link (the one last made); it then says so.
    author.click("share-delete").await;
    author.by_testid("share-deleted").await;

    // After a restart on the same store, the link still opens (on the new address), and the
    // deleted one says it was deleted.
    drop(server);
    let restarted = Server::start_on(None, &store.url(), &[]);
    let moved = |link: &str| {
        let id = link.split("/s/").nth(1).expect("an id");
        format!("{}/s/{id}", restarted.url)
    };
    opens_the_same(&teammate, &moved(&everything), &figures, &tokens, &charts).await;
    teammate.goto(&moved(&figures_only)).await;
    let message = teammate.text_of("error-message").await;
    assert!(message.contains("deleted"), "{message}");
    teammate.close().await;
    author.close().await;
}

#[tokio::test]
async fn unknown_and_broken_links_say_so() {
    let (server, browser, message) = error_on_arrival("/s/no-such-link").await;
    assert!(
        message.contains("no shared evaluation at this link"),
        "{message}"
    );
    browser.wait_for_models().await;

    let message = error_at(&browser, &server, "/#s=TEtTTgIAbm90IGRlZmxhdGUgYXQgYWxs").await;
    assert!(
        message.contains("cannot be opened") && message.contains("damaged"),
        "{message}"
    );
    browser.wait_for_models().await;
    browser.close().await;
}
