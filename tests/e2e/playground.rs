//! The playground (`/playground`): one prompt, a column per model with its coloured generation, a
//! seeded request that repeats, cross-scoring, a failing upstream confined to its column, Cancel, share
//! links, and the evaluation page sending its text.

use crate::support::{config_with_upstream, Behaviour, Browser, Server, Upstream};
use fantoccini::key::Key;
use fantoccini::Locator;
use std::time::Duration;

const PROMPT: &str = "To be, or not to be, that is the question:";

/// Replaces the value of the input with this `data-testid` and leaves it (its change is read).
async fn set_input(browser: &Browser, testid: &str, value: &str) {
    let input = browser.by_testid(testid).await;
    input
        .clear()
        .await
        .unwrap_or_else(|e| panic!("clear {testid}: {e}"));
    input
        .send_keys(&format!("{value}{}", char::from(Key::Tab)))
        .await
        .unwrap_or_else(|e| panic!("type into {testid}: {e}"));
}

/// Opens the playground at `address` (relative to the server) and waits for the model list.
async fn open(server: &Server, address: &str) -> Browser {
    Browser::open(&format!("{}{address}", server.url)).await
}

/// Types the prompt, a short length and maybe a seed, and presses Generate.
async fn generate(browser: &Browser, prompt: &str, seed: Option<u64>) {
    set_input(browser, "playground-prompt", prompt).await;
    set_input(browser, "max-tokens-input", "12").await;
    if let Some(seed) = seed {
        set_input(browser, "seed-input", &seed.to_string()).await;
    }
    browser.click("generate-button").await;
}

/// The current value of the input or textarea with this `data-testid`.
async fn value_prop(browser: &Browser, testid: &str) -> String {
    browser
        .by_testid(testid)
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default()
}

async fn text_of(browser: &Browser, testid: &str) -> String {
    browser.by_testid(testid).await.text().await.unwrap()
}

async fn tokens_in(browser: &Browser, testid: &str) -> Vec<fantoccini::elements::Element> {
    browser
        .client
        .find_all(Locator::Css(&format!(
            "[data-testid=\"{testid}\"] [data-testid=\"token\"]"
        )))
        .await
        .unwrap()
}

/// Focuses a token span as the keyboard would (the tooltip follows focus).
async fn focus(browser: &Browser, token: &fantoccini::elements::Element) {
    browser
        .client
        .execute(
            "arguments[0].focus()",
            vec![serde_json::to_value(token).unwrap()],
        )
        .await
        .expect("focus the token");
}

/// The tooltip's token index once it is `want` (the view updates after the event).
async fn tooltip_index(browser: &Browser, want: &str) -> Option<String> {
    browser
        .attr_once("token-tooltip", "data-index", want, 30)
        .await
}

#[tokio::test]
async fn a_prompt_gives_one_coloured_generation_per_model() {
    let server = Server::start();
    let browser = open(&server, "/playground").await;
    assert_eq!(
        browser
            .attr("nav-playground", "aria-current")
            .await
            .as_deref(),
        Some("page")
    );
    browser.click("preset-button").await;
    let preset = value_prop(&browser, "playground-prompt").await;
    assert_eq!(preset, likely_core::example::PROMPT);
    generate(&browser, PROMPT, None).await;
    for model in ["base-light", "custom-base-light"] {
        let testid = format!("generation-{model}");
        let average = browser.value_of(&testid).await;
        assert!(average.is_finite() && average <= 0.0, "{model}: {average}");
        let tokens = tokens_in(&browser, &testid).await;
        assert!(!tokens.is_empty(), "{model} wrote tokens");
        let count = text_of(&browser, &format!("token-count-{model}-0")).await;
        assert_eq!(count, format!("{} tokens", tokens.len()));
        let style = tokens[0].attr("style").await.unwrap().unwrap_or_default();
        assert!(style.contains("background:"), "coloured: {style}");
    }
    // The tooltip of a generated token names its top-1 alternative, and the keys move along.
    let tokens = tokens_in(&browser, "generation-custom-base-light").await;
    focus(&browser, &tokens[0]).await;
    let tip = browser.by_testid("token-tooltip").await;
    let line = tip
        .find(Locator::Css("tr[data-model=\"custom-base-light\"]"))
        .await
        .unwrap();
    let top = line.text().await.unwrap();
    assert!(!top.contains("n/a"), "a top-1 alternative: {top}");
    assert_eq!(tooltip_index(&browser, "0").await.as_deref(), Some("0"));
    if tokens.len() > 1 {
        tokens[0]
            .send_keys(&Key::Right.to_string())
            .await
            .expect("press the right arrow");
        assert_eq!(tooltip_index(&browser, "1").await.as_deref(), Some("1"));
    }
    browser.close().await;
}

#[tokio::test]
async fn a_seeded_request_repeated_gives_identical_text() {
    let server = Server::start();
    let mut texts = Vec::new();
    for _ in 0..2 {
        let browser = open(&server, "/playground").await;
        generate(&browser, PROMPT, Some(20_261_202)).await;
        browser.value_of("generation-base-light").await;
        browser.value_of("generation-custom-base-light").await;
        texts.push((
            text_of(&browser, "generation-base-light").await,
            text_of(&browser, "generation-custom-base-light").await,
            browser
                .attr("generation-custom-base-light", "data-value")
                .await,
        ));
        browser.close().await;
    }
    assert!(!texts[0].0.is_empty());
    assert_eq!(
        texts[0], texts[1],
        "the same request and seed, the same text"
    );
}

#[tokio::test]
async fn cross_scoring_shows_a_figure_per_model() {
    let server = Server::start();
    let browser = open(&server, "/playground").await;
    generate(&browser, PROMPT, Some(7)).await;
    let own = browser.value_of("generation-custom-base-light").await;
    browser.value_of("generation-base-light").await;
    browser.click("cross-score-custom-base-light-0").await;
    let base = browser.value_of("cross-figure-base-light").await;
    let writer = browser.value_of("cross-figure-custom-base-light").await;
    assert!(base.is_finite() && base <= 0.0, "{base}");
    assert_eq!(writer, own, "the writer's figure is its generation's");
    // The tooltip now has the base model's line for the same token.
    let tokens = tokens_in(&browser, "generation-custom-base-light").await;
    focus(&browser, &tokens[0]).await;
    let tip = browser.by_testid("token-tooltip").await;
    assert!(tip
        .find(Locator::Css("tr[data-model=\"base-light\"]"))
        .await
        .is_ok());
    browser.close().await;
}

#[tokio::test]
async fn an_upstream_failure_in_one_column_leaves_the_others() {
    let upstream = Upstream::start(Behaviour::Fail).await;
    let config = config_with_upstream(&upstream.url);
    let server = Server::start_with(Some(config.path()));
    let browser = open(
        &server,
        "/playground?baseline=base-light&custom=custom-base-light&custom=remote-custom",
    )
    .await;
    assert_eq!(
        browser
            .by_testid("custom-toggle-remote-custom")
            .await
            .prop("checked")
            .await
            .unwrap()
            .as_deref(),
        Some("true"),
        "the address chose the models"
    );
    generate(&browser, PROMPT, None).await;
    let error = text_of(&browser, "column-error-remote-custom").await;
    assert!(
        error.contains("500") || error.contains("502") || error.contains("upstream"),
        "{error}"
    );
    assert!(browser.value_of("generation-base-light").await.is_finite());
    assert!(browser
        .value_of("generation-custom-base-light")
        .await
        .is_finite());
    assert!(browser
        .client
        .find_all(Locator::Css("[data-testid=\"error-message\"]"))
        .await
        .unwrap()
        .is_empty());
    browser.close().await;
}

#[tokio::test]
async fn cancel_stops_a_slow_column_and_keeps_the_others() {
    let upstream = Upstream::start(Behaviour::Slow(Duration::from_secs(30))).await;
    let config = config_with_upstream(&upstream.url);
    let server = Server::start_with(Some(config.path()));
    let browser = open(
        &server,
        "/playground?baseline=base-light&custom=remote-custom",
    )
    .await;
    generate(&browser, PROMPT, None).await;
    browser.by_testid("column-spinner-remote-custom").await;
    let base = browser.value_of("generation-base-light").await;
    browser.click("cancel-button").await;
    browser.by_testid("column-cancelled-remote-custom").await;
    assert_eq!(browser.value_of("generation-base-light").await, base);
    browser.close().await;
}

#[tokio::test]
async fn a_share_link_reopens_the_playground_and_the_evaluation_page_sends_its_text() {
    let server = Server::start();
    let browser = open(&server, "/playground").await;
    generate(&browser, PROMPT, Some(3)).await;
    let base = browser.value_of("generation-base-light").await;
    let text = text_of(&browser, "generation-base-light").await;
    browser.value_of("generation-custom-base-light").await;
    browser.click("share-button").await;
    let link = value_prop(&browser, "share-link").await;
    assert!(link.contains("/playground#s="), "{link}");
    browser.close().await;

    let teammate = Browser::start().await;
    teammate.client.goto(&link).await.expect("open the link");
    assert_eq!(teammate.value_of("generation-base-light").await, base);
    assert_eq!(text_of(&teammate, "generation-base-light").await, text);
    let prompt = value_prop(&teammate, "playground-prompt").await;
    assert_eq!(prompt, PROMPT);
    // The same state opened through the evaluation page's link mechanism lands on the playground.
    let fragment = link.split("#s=").nth(1).unwrap();
    teammate
        .goto(&format!("{}/#s={fragment}", server.url))
        .await;
    assert_eq!(teammate.value_of("generation-base-light").await, base);
    assert!(teammate
        .client
        .current_url()
        .await
        .unwrap()
        .path()
        .starts_with("/playground"));

    // The evaluation page sends its text's beginning.
    teammate.client.goto(&server.url).await.unwrap();
    teammate.wait_for_models().await;
    teammate
        .type_text(
            "prompt-input",
            "Though this be madness, yet there is method in it.",
        )
        .await;
    teammate.click("send-to-playground").await;
    teammate.wait_for_models().await;
    let sent = value_prop(&teammate, "playground-prompt").await;
    assert_eq!(sent, "Though this be madness, yet there is method in it.");
    teammate.close().await;
}

#[tokio::test]
async fn a_stored_playground_link_opens_the_playground() {
    use likely_core::playground::PlaygroundState;
    use likely_core::playground::{Column, ColumnOutcome, Generated, PlaygroundParams};
    use likely_core::{snapshot, ScoredToken};
    let server = Server::start();
    let browser = open(&server, "/playground").await;
    let state = PlaygroundState {
        prompt: PROMPT.into(),
        params: PlaygroundParams::default(),
        baseline: "base-light".into(),
        customs: vec!["custom-base-light".into()],
        columns: vec![Column {
            model: "base-light".into(),
            outcome: ColumnOutcome::Generated(vec![Generated {
                text: " Whether".into(),
                tokens: vec![ScoredToken::new(" Whether", Some(-2.5))],
                finish_reason: Some("MAX_TOKENS".into()),
            }]),
        }],
    };
    let fragment = snapshot::to_fragment(&snapshot::encode_playground(&state).unwrap());
    // Kept on the server as the page keeps a large one (POST /v1/shares).
    let id = browser
        .client
        .execute_async(
            "const [text, done] = arguments; \
             const b64 = text.replace(/-/g, '+').replace(/_/g, '/'); \
             const bytes = Uint8Array.from(atob(b64 + '='.repeat((4 - b64.length % 4) % 4)), c => c.charCodeAt(0)); \
             fetch('/v1/shares?scope=everything', {method: 'POST', headers: {'content-type': 'application/octet-stream'}, body: bytes}) \
               .then(r => r.json()).then(j => done(j.id));",
            vec![serde_json::json!(fragment)],
        )
        .await
        .unwrap();
    let id = id.as_str().expect("an id").to_string();
    // The evaluation page's stored-link address hands it to the playground.
    browser.goto(&format!("{}/s/{id}", server.url)).await;
    assert_eq!(browser.value_of("generation-base-light").await, -2.5);
    assert_eq!(
        text_of(&browser, "generation-base-light").await.trim(),
        "Whether"
    );
    let address = browser.client.current_url().await.unwrap();
    assert_eq!(address.path(), "/playground");
    assert!(address.query().unwrap_or_default().contains("share="));
    browser.close().await;
}
