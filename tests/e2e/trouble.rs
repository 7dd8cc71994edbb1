//! Trouble: an upstream that fails is shown with the reason and retried with the Retry button; a slow
//! run is cancelled and keeps what finished.

use crate::support::{config_with_upstream, Behaviour, Browser, Server, Upstream};
use std::time::Duration;

async fn choose_remote_only(browser: &Browser) {
    let custom = browser.by_testid("custom-toggle-custom-base-light").await;
    if custom.prop("checked").await.unwrap().as_deref() == Some("true") {
        custom.click().await.expect("untick custom-base-light");
    }
    browser.click("custom-toggle-remote-custom").await;
}

#[tokio::test]
async fn an_upstream_failure_is_listed_and_retried() {
    let upstream = Upstream::start(Behaviour::Fail).await;
    let config = config_with_upstream(&upstream.url);
    let server = Server::start_with(Some(config.path()));
    let browser = Browser::open(&server.url).await;
    choose_remote_only(&browser).await;
    browser
        .type_text(
            "prompt-input",
            "Though this be madness, yet there is method in it.",
        )
        .await;
    browser.click("evaluate-button").await;

    let failures = browser.by_testid("failures").await;
    let text = failures.text().await.unwrap();
    assert!(
        text.contains("remote-custom"),
        "the failed model is named: {text}"
    );
    assert!(
        text.contains("502") || text.contains("upstream"),
        "the reason is given: {text}"
    );
    browser.value_of("avg-loglik-base-light").await;

    upstream.set(Behaviour::Answer);
    browser.click("retry-button").await;
    let avg = browser.value_of("pill-avg-loglik-remote-custom").await;
    assert!(avg.is_finite());
    assert_eq!(browser.count_of("failures").await, 0);
    browser.close().await;
}

#[tokio::test]
async fn too_many_requests_is_retried_after_the_wait_it_asks_for() {
    let upstream = Upstream::start(Behaviour::BusyThenAnswer(2)).await;
    let config = config_with_upstream(&upstream.url);
    let server = Server::start_with(Some(config.path()));
    let browser = Browser::open(&server.url).await;
    choose_remote_only(&browser).await;
    browser
        .type_text("prompt-input", "Brevity is the soul of wit.")
        .await;
    let started = std::time::Instant::now();
    browser.click("evaluate-button").await;
    let avg = browser.value_of("pill-avg-loglik-remote-custom").await;
    assert!(avg.is_finite());
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "two waits of Retry-After: 1 s each came first"
    );
    assert_eq!(browser.count_of("failures").await, 0);
    browser.close().await;
}

#[tokio::test]
async fn cancel_stops_the_run_and_keeps_what_finished() {
    let upstream = Upstream::start(Behaviour::Slow(Duration::from_secs(4))).await;
    let config = config_with_upstream(&upstream.url);
    let server = Server::start_with(Some(config.path()));
    let browser = Browser::open(&server.url).await;
    choose_remote_only(&browser).await;

    let snippets: Vec<String> = (1..=12)
        .map(|i| format!("Snippet number {i} of the held-out set."))
        .collect();
    let mut file = tempfile::Builder::new().suffix(".txt").tempfile().unwrap();
    std::io::Write::write_all(&mut file, snippets.join("\n\n").as_bytes()).unwrap();
    browser
        .by_testid("file-input")
        .await
        .send_keys(file.path().to_str().unwrap())
        .await
        .unwrap();
    assert_eq!(browser.value_of("upload-summary").await, 12.0);
    browser.click("evaluate-button").await;
    browser.click("cancel-button").await;

    assert_eq!(
        browser.attr("progress", "data-state").await.as_deref(),
        Some("stopped")
    );
    let done: usize = browser
        .attr("progress", "data-done")
        .await
        .unwrap()
        .parse()
        .unwrap();
    let total: usize = browser
        .attr("progress", "data-total")
        .await
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(total, 24);
    assert!(done < total, "cancelled before the end: {done} of {total}");
    let evaluate = browser.by_testid("evaluate-button").await;
    assert_eq!(
        evaluate.prop("disabled").await.unwrap().as_deref(),
        Some("false")
    );
    browser.by_testid("retry-button").await;
    browser.close().await;
}
