//! The page's wasm split by page: a first visit to the evaluation page downloads the main module
//! alone, the charts' piece once there is an evaluation, another page its own piece and not the
//! charts'; a piece that cannot be downloaded says so instead of a blank page.

use crate::support::{Browser, Server};

/// The wasm files this page has downloaded, space-separated (the main module's and the pieces').
const WASM_JS: &str = "return performance.getEntriesByType('resource')
    .map(e => new URL(e.name).pathname).filter(p => p.endsWith('.wasm')).sort().join(' ');";

#[tokio::test]
async fn the_evaluation_page_comes_alone_and_each_part_when_needed() {
    let server = Server::start();
    let browser = Browser::open(&server.url).await;
    let first = browser.js_string(WASM_JS).await;
    assert!(first.contains("_bg.wasm"), "{first}");
    assert_eq!(first.split(' ').count(), 1, "{first}");

    browser.click("example-button").await;
    browser.by_testid("chart-snippets").await;
    browser.by_testid("share-button").await;
    let evaluated = browser.js_string(WASM_JS).await;
    assert!(evaluated.contains("/split_charts-"), "{evaluated}");
    assert!(!evaluated.contains("/split_playground-"), "{evaluated}");

    browser.goto(&format!("{}/playground", server.url)).await;
    browser.by_testid("playground-prompt").await;
    let playground = browser.js_string(WASM_JS).await;
    assert!(playground.contains("/split_playground-"), "{playground}");
    assert!(!playground.contains("/split_charts-"), "{playground}");
    browser.close().await;
}

#[tokio::test]
async fn a_page_whose_piece_cannot_be_downloaded_says_so() {
    let server = Server::start();
    let browser = Browser::start().await;
    browser.block_and_record(&["*/split_runs-*"]).await;
    browser.goto(&format!("{}/runs", server.url)).await;
    let message = browser.text_of("page-download-error").await;
    assert!(
        message.contains("could not be downloaded") && message.contains("reload"),
        "{message}"
    );
    // The navigation is still there: the other pages stay one click away.
    assert_eq!(
        browser.attr("nav-runs", "aria-current").await.as_deref(),
        Some("page")
    );
    browser.close().await;
}
