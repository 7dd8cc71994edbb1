//! Links with the evaluation inside: a small evaluation travels in the link's fragment (`#s=`) and
//! opens with the same numbers, as do links in the previous format (`#e=`); a broken link says so
//! and leaves the page usable. Also the charts and keyboard access to tokens.

use crate::support::{error_on_arrival, Browser, Server};
use fantoccini::key::Key;

#[tokio::test]
async fn a_share_link_opens_the_same_numbers() {
    let server = Server::start();
    let browser = Browser::open(&server.url).await;
    browser.click("example-button").await;
    let base = browser.value_of("avg-loglik-base-light").await;
    let pill = "pill-loss-custom-base-light";
    let low = browser.attr(pill, "data-ci-low").await;
    let link = browser.share_link().await;
    assert!(
        link.contains("/#s="),
        "the evaluation is in the fragment: {link}"
    );
    let status = browser.text_of("share-status").await;
    assert!(
        status.contains("Link with the evaluation inside: small enough")
            && status.contains("nothing stored on the server"),
        "{status}"
    );
    // The same evaluation as a link of the previous format, which must still open.
    let snapshot = likely_core::snapshot::from_fragment(link.split("#s=").nth(1).unwrap()).unwrap();
    let legacy = format!(
        "{}/#e={}",
        server.url,
        likely_core::share::encode(&snapshot.evaluation).unwrap()
    );

    // A teammate opens the link in a fresh browser: no request is needed to see the numbers.
    let teammate = Browser::start().await;
    teammate.client.goto(&link).await.expect("open the link");
    assert_eq!(teammate.value_of("avg-loglik-base-light").await, base);
    assert_eq!(
        teammate.attr(pill, "data-ci-low").await,
        low,
        "the same interval"
    );
    teammate.goto(&legacy).await;
    teammate.client.refresh().await.expect("reload");
    assert_eq!(teammate.value_of("avg-loglik-base-light").await, base);
    assert_eq!(
        teammate.attr(pill, "data-ci-low").await,
        low,
        "the same interval"
    );
    teammate.by_testid("share-banner").await;
    teammate.close().await;
    browser.close().await;
}

#[tokio::test]
async fn a_broken_share_link_says_so() {
    let (_server, browser, message) = error_on_arrival("/#e=not-a-real-evaluation").await;
    assert!(message.contains("share link"), "{message}");
    browser.wait_for_models().await;
    browser.click("example-button").await;
    browser.value_of("avg-loglik-custom-base-light").await;
    browser.close().await;
}

#[tokio::test]
async fn charts_are_drawn_and_tokens_are_reachable_by_keyboard() {
    let server = Server::start();
    let browser = Browser::open(&server.url).await;
    browser.click("example-button").await;
    browser.value_of("avg-loglik-custom-base-light").await;

    for chart in ["chart-histogram", "chart-scatter", "chart-snippets"] {
        browser.by_testid(chart).await;
        // A drawn canvas has pixels of more than one colour.
        let mut colours = 0;
        for _ in 0..40 {
            let counted = browser
                .client
                .execute(
                    "const c = document.querySelector(`[data-testid=\"${arguments[0]}\"]`);
                     if (!c || c.width === 0 || c.hidden) return 0;
                     const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                     const seen = new Set();
                     for (let i = 0; i < d.length; i += 4 * 97) seen.add(d[i] << 16 | d[i + 1] << 8 | d[i + 2]);
                     return seen.size;",
                    vec![serde_json::Value::String(chart.into())],
                )
                .await
                .expect("read the canvas");
            colours = counted.as_u64().unwrap_or(0);
            if colours > 2 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        }
        if chart != "chart-snippets" {
            assert!(colours > 2, "{chart} is drawn ({colours} colours)");
        }
    }

    let token = browser
        .client
        .find(fantoccini::Locator::Css(
            "[data-testid=\"token\"][data-index=\"3\"]",
        ))
        .await
        .expect("token 3");
    browser
        .client
        .execute(
            "arguments[0].focus()",
            vec![serde_json::to_value(&token).unwrap()],
        )
        .await
        .expect("focus token 3");
    let tooltip = browser.by_testid("token-tooltip").await;
    assert_eq!(
        tooltip.attr("data-index").await.unwrap().as_deref(),
        Some("3")
    );
    token
        .send_keys(&Key::Right.to_string())
        .await
        .expect("press the right arrow");
    let index = browser
        .attr_once("token-tooltip", "data-index", "4", 20)
        .await;
    assert_eq!(
        index.as_deref(),
        Some("4"),
        "the arrow key moves to the next token"
    );
    browser.close().await;
}

/// The text of the dialog the page opens, waiting a little for it to appear.
async fn dialog_text(browser: &Browser) -> String {
    let started = std::time::Instant::now();
    loop {
        match browser.client.get_alert_text().await {
            Ok(text) => return text,
            Err(error) => {
                assert!(
                    started.elapsed() < std::time::Duration::from_secs(5),
                    "no dialog opened: {error}"
                );
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        }
    }
}

#[tokio::test]
async fn a_share_link_pasted_over_an_unsaved_evaluation_asks_first() {
    let server = Server::start();
    let browser = Browser::open(&server.url).await;
    browser.click("example-button").await;
    let shared = browser.value_of("avg-loglik-base-light").await;
    let link = browser.share_link().await;
    let fragment = link.split_once('#').expect("a fragment link").1.to_string();

    // Another evaluation, not exported or shared: unsaved.
    browser
        .type_text("prompt-input", " Words the shared link does not hold.")
        .await;
    browser.click("evaluate-button").await;
    let unsaved = loop {
        let value = browser.value_of("avg-loglik-base-light").await;
        if value != shared {
            break value;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    let paste = format!("location.hash = '{fragment}';");

    // Pasting the link asks first; declined, nothing changes and the address is put back.
    browser.client.execute(&paste, vec![]).await.unwrap();
    let question = dialog_text(&browser).await;
    assert!(question.contains("Replace it?"), "{question}");
    browser.client.dismiss_alert().await.expect("decline");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(browser.value_of("avg-loglik-base-light").await, unsaved);
    assert_eq!(browser.js_string("return location.hash;").await, "");
    let banners = browser
        .client
        .find_all(fantoccini::Locator::Css("[data-testid=\"share-banner\"]"))
        .await
        .unwrap();
    assert!(banners.is_empty(), "the link was not opened");

    // Accepted, the link opens with its own numbers.
    browser.client.execute(&paste, vec![]).await.unwrap();
    dialog_text(&browser).await;
    browser.client.accept_alert().await.expect("accept");
    browser.by_testid("share-banner").await;
    assert_eq!(browser.value_of("avg-loglik-base-light").await, shared);

    // A saved evaluation (the link just opened) is replaced without asking.
    browser
        .client
        .execute("location.hash = '';", vec![])
        .await
        .unwrap();
    browser.client.execute(&paste, vec![]).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(
        browser.client.get_alert_text().await.is_err(),
        "no question over a saved evaluation"
    );
    browser.close().await;
}

/// Whether the page asks the browser to confirm leaving: the `beforeunload` event a navigation fires
/// is cancelled. (Headless Chromium under WebDriver leaves a page without showing its own "Leave
/// site?" dialog, so the test reads the page's answer to the event the browser would ask with.)
async fn asks_before_leaving(browser: &Browser) -> bool {
    let script = "const event = new Event('beforeunload', { cancelable: true }); \
                  window.dispatchEvent(event); return String(event.defaultPrevented);";
    browser.js_string(script).await == "true"
}

#[tokio::test]
async fn leaving_an_unsaved_evaluation_for_a_stored_link_asks_first() {
    let server = Server::start();
    let browser = Browser::open(&server.url).await;
    assert!(!asks_before_leaving(&browser).await, "nothing to lose yet");
    browser.click("example-button").await;
    browser.value_of("avg-loglik-base-light").await;
    // A stored link (`/s/<id>`) is a full navigation, which only the browser's own dialog can stop.
    assert!(
        asks_before_leaving(&browser).await,
        "an unsaved evaluation asks before the page is left"
    );

    // Once shared, the evaluation is kept by its link: leaving does not ask, and goes.
    browser.share_link().await;
    assert!(!asks_before_leaving(&browser).await, "a shared evaluation");
    browser
        .client
        .execute("location.href = '/s/a-teammates-link';", vec![])
        .await
        .unwrap();
    assert_eq!(
        browser
            .settled("return location.pathname;", "/s/a-teammates-link")
            .await,
        "/s/a-teammates-link"
    );
    browser.close().await;
}
