//! Paste → Evaluate → figures, pills and token colours; the worked example button; empty text.

use crate::support::{Browser, Server, HAMLET_SNIPPET};
use fantoccini::Locator;

#[tokio::test]
async fn pasting_hamlet_shows_figures_pills_and_coloured_tokens() {
    let server = Server::start();
    let browser = Browser::open(&server.url).await;

    let baseline = browser.by_testid("baseline-select").await;
    assert_eq!(
        baseline
            .prop("value")
            .await
            .expect("read the baseline")
            .as_deref(),
        Some("base-light")
    );
    let custom = browser.by_testid("custom-toggle-custom-base-light").await;
    assert_eq!(
        custom
            .prop("checked")
            .await
            .expect("read the toggle")
            .as_deref(),
        Some("true")
    );
    browser.type_text("prompt-input", HAMLET_SNIPPET).await;
    browser.click("evaluate-button").await;

    let base = browser.value_of("avg-loglik-base-light").await;
    let tuned = browser.value_of("avg-loglik-custom-base-light").await;
    assert!((-15.0..0.0).contains(&base), "base-light average {base}");
    assert!(
        (-15.0..0.0).contains(&tuned),
        "custom-base-light average {tuned}"
    );
    assert!(
        tuned > base + 0.3,
        "the Shakespeare model should be clearly ahead on Hamlet: {tuned} vs {base}"
    );

    // Pills: differences from the baseline, with their interval.
    let loss = browser.value_of("pill-loss-custom-base-light").await;
    let avg = browser.value_of("pill-avg-loglik-custom-base-light").await;
    assert!(
        (avg - (tuned - base)).abs() < 1e-9,
        "avg-loglik pill {avg} is custom minus baseline"
    );
    assert!(
        (loss + avg).abs() < 1e-9,
        "loss pill {loss} is minus the avg-loglik pill"
    );
    let pill = "pill-loss-custom-base-light";
    let low: f64 = browser
        .attr(pill, "data-ci-low")
        .await
        .unwrap()
        .parse()
        .unwrap();
    let high: f64 = browser
        .attr(pill, "data-ci-high")
        .await
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        low <= loss && loss <= high,
        "the interval [{low}, {high}] holds {loss}"
    );
    assert_eq!(
        browser.attr(pill, "data-verdict").await.as_deref(),
        Some("Better")
    );
    let accuracy = browser.value_of("pill-accuracy-custom-base-light").await;
    assert!(
        (-1.0..=1.0).contains(&accuracy),
        "accuracy pill is a fraction: {accuracy}"
    );
    browser.value_of("pill-bpb-custom-base-light").await;

    // Token spans: every token of the text, the first one unscored, coloured, with a tooltip.
    let scored = browser.value_of("tokens-custom-base-light").await as usize;
    let spans = browser
        .client
        .find_all(Locator::Css("[data-testid=\"token\"]"))
        .await
        .expect("the token spans");
    assert_eq!(
        spans.len(),
        scored + 1,
        "one span per token, the unscored first included"
    );
    let spelled = browser
        .client
        .execute(
            "return Array.from(document.querySelectorAll('[data-testid=\"token\"]')).map(e => e.textContent).join('')",
            vec![],
        )
        .await
        .expect("read the spans' text");
    assert_eq!(
        spelled.as_str(),
        Some(HAMLET_SNIPPET),
        "the spans spell the text"
    );
    let first_class = spans[0].attr("class").await.unwrap().unwrap_or_default();
    assert!(
        first_class.contains("unscored"),
        "the first token is neutral"
    );
    let style = spans[3].attr("style").await.unwrap().unwrap_or_default();
    assert!(style.contains("background"), "tokens are coloured: {style}");

    browser.hover(&spans[5]).await;
    let tooltip = browser.by_testid("token-tooltip").await;
    assert_eq!(
        tooltip.attr("data-index").await.unwrap().as_deref(),
        Some("5")
    );
    let tip_text = tooltip.text().await.unwrap();
    assert!(
        tip_text.contains("base-light") && tip_text.contains("custom-base-light"),
        "{tip_text}"
    );
    browser.close().await;
}

#[tokio::test]
async fn the_example_button_runs_the_worked_example() {
    let server = Server::start();
    let browser = Browser::open(&server.url).await;
    browser.click("example-button").await;
    let base = browser.value_of("avg-loglik-base-light").await;
    let tuned = browser.value_of("avg-loglik-custom-base-light").await;
    assert!(tuned > base, "{tuned} vs {base}");
    let text = browser
        .by_testid("prompt-input")
        .await
        .prop("value")
        .await
        .unwrap();
    assert_eq!(text.as_deref(), Some(likely_core::example::PROMPT));
    browser.close().await;
}

#[tokio::test]
async fn evaluating_empty_text_says_what_to_do_and_keeps_the_page() {
    let server = Server::start();
    let browser = Browser::open(&server.url).await;

    browser.click("evaluate-button").await;
    let message = browser.text_of("error-message").await;
    assert!(message.contains("Paste"), "unexpected message: {message}");
    let results = browser
        .client
        .find_all(Locator::Css("table.results"))
        .await
        .expect("query the results");
    assert!(results.is_empty(), "no results for empty text");
    browser.close().await;
}
