//! End-to-end tests of what a user does, in headless Chromium against the real `likely` server with
//! its embedded models. Built only with `--features e2e`; `scripts/test.sh` builds everything first.

mod support;

use fantoccini::Locator;
use support::{Browser, Server, HAMLET_SNIPPET};

#[tokio::test]
async fn pasting_hamlet_and_evaluating_shows_the_custom_model_ahead() {
    let server = Server::start();
    let browser = Browser::start().await;
    browser.client.goto(&server.url).await.expect("open the page");
    browser.wait_for_models().await;

    let baseline = browser.by_testid("baseline-select").await;
    assert_eq!(
        baseline.prop("value").await.expect("read the baseline").as_deref(),
        Some("base-light")
    );
    let custom = browser.by_testid("custom-toggle-custom-base-light").await;
    assert_eq!(
        custom.prop("checked").await.expect("read the toggle").as_deref(),
        Some("true")
    );
    browser
        .by_testid("prompt-input")
        .await
        .send_keys(HAMLET_SNIPPET)
        .await
        .expect("type the snippet");
    browser.by_testid("evaluate-button").await.click().await.expect("click Evaluate");

    let base = browser.value_of("avg-loglik-base-light").await;
    let tuned = browser.value_of("avg-loglik-custom-base-light").await;
    assert!((-15.0..0.0).contains(&base), "base-light average {base}");
    assert!((-15.0..0.0).contains(&tuned), "custom-base-light average {tuned}");
    assert!(
        tuned > base + 0.3,
        "the Shakespeare model should be clearly ahead on Hamlet: {tuned} vs {base}"
    );
    browser.close().await;
}

#[tokio::test]
async fn evaluating_empty_text_says_what_to_do_and_keeps_the_page() {
    let server = Server::start();
    let browser = Browser::start().await;
    browser.client.goto(&server.url).await.expect("open the page");
    browser.wait_for_models().await;

    browser.by_testid("evaluate-button").await.click().await.expect("click Evaluate");
    let message = browser
        .by_testid("error-message")
        .await
        .text()
        .await
        .expect("read the message");
    assert!(message.contains("Paste"), "unexpected message: {message}");
    let results = browser
        .client
        .find_all(Locator::Css("table.results"))
        .await
        .expect("query the results");
    assert!(results.is_empty(), "no results for empty text");
    browser.close().await;
}
