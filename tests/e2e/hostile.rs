//! Hostile text runs no script: HTML and script payloads in pasted text, in an uploaded file's name
//! and contents, and in the models' descriptions (from the server's config, through `/v1/models`)
//! are shown as text in every view that shows them (the form, the token view and its tooltip, the
//! snippet picker, an upload's error message, an opened share link), and the page's
//! Content-Security-Policy forbids inline script besides.

use crate::support::{file_with, Browser, Server};
use fantoccini::Locator;
use std::io::Write;
use std::time::{Duration, Instant};

/// Each payload sets `window.__pwned`, changes the title and opens an alert when it runs.
const PAYLOADS: [&str; 5] = [
    r#"<img src=x onerror="window.__pwned='img';document.title='pwned';alert(1)">"#,
    r#"<script>window.__pwned='script';document.title='pwned';alert(2)</script>"#,
    r#"<svg onload="window.__pwned='svg';document.title='pwned';alert(3)"></svg>"#,
    r#""'><img src=x onerror=window.__pwned='attr';alert(4)>"#,
    r#"<iframe srcdoc="<script>parent.__pwned='frame';parent.alert(5)</script>"></iframe>"#,
];

/// Counts calls of `alert` and `prompt` (the page itself only uses `confirm`) from the first script
/// of every document on.
const WATCH: &str = "window.__dialogs = 0; \
    window.alert = function () { window.__dialogs += 1; }; \
    window.prompt = function () { window.__dialogs += 1; return null; };";

fn hostile_text() -> String {
    format!(
        "Good night, sweet prince {} and flights of angels {} sing thee {} to thy rest {} now {}.",
        PAYLOADS[0], PAYLOADS[1], PAYLOADS[2], PAYLOADS[3], PAYLOADS[4]
    )
}

/// The embedded pair, described with payloads.
fn hostile_config() -> tempfile::NamedTempFile {
    let mut file = tempfile::Builder::new()
        .suffix(".toml")
        .tempfile()
        .expect("a temporary config file");
    let quote = |text: &str| serde_json::to_string(text).expect("a TOML basic string");
    write!(
        file,
        "[[models]]\nname = \"base-light\"\nbackend = \"embedded\"\ndescription = {}\n\n\
         [[models]]\nname = \"custom-base-light\"\nbackend = \"embedded\"\ndescription = {}\n",
        quote(PAYLOADS[0]),
        quote(PAYLOADS[1]),
    )
    .expect("write the config");
    file
}

/// Opens `url` in `browser` with the dialog counter installed.
async fn open_watched(browser: &Browser, url: &str) {
    browser
        .cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            serde_json::json!({ "source": WATCH }),
        )
        .await;
    browser.client.goto(url).await.expect("open the page");
    browser.wait_for_models().await;
}

/// Fails when any payload ran: the sentinel, the title, a counted dialog, or an element a payload
/// would have made.
async fn assert_no_script_ran(browser: &Browser, title: &str, step: &str) {
    let found = browser
        .client
        .execute(
            "return [String(window.__pwned), document.title, String(window.__dialogs), \
             String(document.querySelectorAll('img[src=\"x\"], svg[onload], iframe[srcdoc], script:not([src]):not([type=module])').length)];",
            vec![],
        )
        .await
        .expect("read the sentinels");
    let found: Vec<String> = serde_json::from_value(found).expect("four strings");
    assert_eq!(found[0], "undefined", "{step}: a payload ran");
    assert_eq!(found[1], title, "{step}: a payload changed the title");
    assert_eq!(found[2], "0", "{step}: a payload opened a dialog");
    assert_eq!(found[3], "0", "{step}: a payload became an element");
}

/// The Content-Security-Policy header and the body of `GET path` on the page's server, fetched by
/// the page.
async fn get(browser: &Browser, path: &str) -> (String, String) {
    let script = format!(
        "const x = new XMLHttpRequest(); x.open('GET', '{path}', false); x.send(); \
         return [x.getResponseHeader('content-security-policy') || '', x.responseText];"
    );
    let found = browser.client.execute(&script, vec![]).await.expect("GET");
    serde_json::from_value(found).expect("a header and a body")
}

/// Waits until the run's progress reports `total` outcomes done.
async fn wait_until_done(browser: &Browser, total: &str) {
    let started = Instant::now();
    loop {
        let progress = browser.by_testid("progress").await;
        let done = progress.attr("data-done").await.unwrap();
        if done.as_deref() == Some(total) {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the run did not finish: {done:?} of {total}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Hovers the `index`th token span, so that its tooltip shows.
async fn hover_token(browser: &Browser, index: usize) {
    let spans = browser
        .client
        .find_all(Locator::Css("[data-testid=\"token\"]"))
        .await
        .expect("the token spans");
    browser.hover(&spans[index.min(spans.len() - 1)]).await;
    browser.by_testid("token-tooltip").await;
}

#[tokio::test]
async fn html_and_script_in_texts_file_names_and_descriptions_stay_text() {
    let config = hostile_config();
    let server = Server::start_with(Some(config.path()));

    let browser = Browser::start().await;
    open_watched(&browser, &server.url).await;
    let title = browser.client.title().await.expect("the title");
    assert_no_script_ran(&browser, &title, "the page with described models").await;

    // The policy forbids inline script that is not the built loader.
    let (csp, _) = get(&browser, "/").await;
    let script_src = csp
        .split(';')
        .map(str::trim)
        .find(|directive| directive.starts_with("script-src"))
        .unwrap_or_else(|| panic!("no script-src in {csp:?}"));
    assert!(
        !script_src.contains("'unsafe-inline'") && !script_src.contains("'unsafe-eval'"),
        "{script_src}"
    );
    assert!(csp.contains("object-src 'none'") && csp.contains("base-uri 'none'"));
    // The descriptions reach the page as they are, for it to show as text.
    let (_, models) = get(&browser, "/v1/models").await;
    let models: serde_json::Value = serde_json::from_str(&models).expect("a JSON list");
    assert_eq!(models["models"][0]["description"], PAYLOADS[0]);

    // Pasted text: scored, shown token by token, hovered.
    let text = hostile_text();
    browser.type_text("prompt-input", &text).await;
    browser.click("evaluate-button").await;
    wait_until_done(&browser, "2").await;
    let shown = browser.text_of("token-text").await;
    assert!(
        shown.contains("<script>window.__pwned"),
        "the payload is shown as text: {shown}"
    );
    hover_token(&browser, 12).await;
    hover_token(&browser, 40).await;
    assert_no_script_ran(&browser, &title, "pasted text, evaluated and hovered").await;

    // A shared link of that evaluation, opened in the same page (its fragment) and in a fresh one.
    let link = browser.share_link().await;
    let teammate = Browser::start().await;
    open_watched(&teammate, &link).await;
    teammate.by_testid("share-banner").await;
    teammate.by_testid("token-text").await;
    hover_token(&teammate, 20).await;
    assert_no_script_ran(&teammate, &title, "an opened share link").await;
    teammate.close().await;

    // An uploaded file whose name and contents hold payloads: evaluated, each snippet shown.
    let contents = PAYLOADS.join("\n\n");
    let file = file_with(PAYLOADS[3], ".txt", &contents);
    browser.upload(file.path()).await;
    let summary = browser.text_of("upload-summary").await;
    assert!(!summary.is_empty());
    browser.click("evaluate-button").await;
    wait_until_done(&browser, "10").await;
    let options = browser
        .client
        .find_all(Locator::Css("[data-testid=\"snippet-select\"] option"))
        .await
        .expect("the snippet picker");
    for index in [1, 4] {
        if let Some(option) = options.get(index) {
            option.click().await.expect("pick a snippet");
            browser.by_testid("token-text").await;
            hover_token(&browser, 3).await;
        }
    }
    assert_no_script_ran(&browser, &title, "an uploaded file, evaluated").await;

    // A broken file whose name holds a payload: the error message names it, as text.
    let broken = file_with(
        PAYLOADS[0],
        ".jsonl",
        "{\"text\": \"fine\"}\n{\"text\": oops}\n",
    );
    browser.upload(broken.path()).await;
    let message = browser.text_of("error-message").await;
    assert!(message.contains("onerror"), "the name is shown: {message}");
    assert_no_script_ran(&browser, &title, "a broken file's message").await;
    browser.close().await;
}
