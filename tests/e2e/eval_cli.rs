//! The smoke test that the page and `likely eval`, two drivers of one scoring engine
//! (`likely_core::scoring`, unit-tested there), give the same numbers to the last digit: the same set
//! is evaluated in the page and by `likely eval --server … --json` against one server, and every
//! figure's `data-value` and every pill's `data-value`, `data-ci-low`, `data-ci-high` and verdict equal
//! the JSON's.

use crate::support::{Browser, Server};
use serde_json::Value;
use std::io::Write;
use std::time::Duration;

const SET: &str =
    "Neither a borrower nor a lender be; For loan oft loses both itself and friend.\n\n\
The quarterly report shows revenue grew by twelve percent, driven by cloud subscriptions.\n\n\
Though this be madness, yet there is method in it.\n";
const BASELINE: &str = likely_core::example::BASELINE;
const CUSTOM: &str = likely_core::example::CUSTOM;

fn number(raw: Option<String>, what: &str) -> Option<f64> {
    let raw = raw.unwrap_or_default();
    (!raw.is_empty()).then(|| {
        raw.parse::<f64>()
            .unwrap_or_else(|e| panic!("{what}: {raw:?} is not a number: {e}"))
    })
}

fn command_line_report(server: &Server, file: &std::path::Path) -> Value {
    let bin = std::env::var("LIKELY_BIN").unwrap_or_else(|_| "target/release/likely".into());
    let output = std::process::Command::new(&bin)
        .arg("eval")
        .arg(file)
        .args(["--baseline", BASELINE, "--custom", CUSTOM, "--json"])
        .args(["--server", &server.url])
        .env_remove("LIKELY_ACCESS_TOKEN")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {bin}: {e}"));
    assert!(
        output.status.success(),
        "likely eval failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[tokio::test]
async fn the_command_line_prints_the_pages_numbers_to_the_last_digit() {
    let server = Server::start();
    let mut file = tempfile::Builder::new()
        .prefix("heldout")
        .suffix(".txt")
        .tempfile()
        .unwrap();
    file.write_all(SET.as_bytes()).unwrap();

    let browser = Browser::open(&server.url).await;
    browser.wait_for_models().await;
    let path = file.path().to_str().unwrap();
    browser.type_text("file-input", path).await;
    assert_eq!(browser.value_of("upload-summary").await, 3.0);
    browser.click("evaluate-button").await;
    let progress = browser.by_testid("progress").await;
    for _ in 0..240 {
        let done = progress
            .attr("data-done")
            .await
            .unwrap()
            .unwrap_or_default();
        if done == "6" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(
        browser.attr("progress", "data-done").await.as_deref(),
        Some("6")
    );

    let report = command_line_report(&server, file.path());
    for model in report["models"].as_array().unwrap() {
        let name = model["name"].as_str().unwrap();
        for (testid, field) in [
            ("avg-loglik", "avg_loglik"),
            ("loss", "loss"),
            ("perplexity", "perplexity"),
            ("bpb", "bits_per_byte"),
            ("accuracy", "accuracy"),
            ("tokens", "tokens"),
        ] {
            let testid = format!("{testid}-{name}");
            let shown = number(browser.attr(&testid, "data-value").await, &testid);
            assert_eq!(shown, model[field].as_f64(), "{testid}");
        }
    }
    let comparisons = report["comparisons"].as_array().unwrap();
    assert_eq!(comparisons.len(), 4);
    for pill in comparisons {
        let testid = format!(
            "pill-{}-{}",
            pill["metric"].as_str().unwrap(),
            pill["custom"].as_str().unwrap()
        );
        for (attribute, field) in [
            ("data-value", "delta"),
            ("data-ci-low", "ci_low"),
            ("data-ci-high", "ci_high"),
        ] {
            let shown = number(browser.attr(&testid, attribute).await, &testid);
            assert_eq!(shown, pill[field].as_f64(), "{testid} {attribute}");
        }
        let verdict = browser.attr(&testid, "data-verdict").await.unwrap();
        let expected = match pill["verdict"].as_str().unwrap() {
            "better" => "Better",
            "worse" => "Worse",
            "within_noise" => "WithinNoise",
            _ => "Undetermined",
        };
        assert_eq!(verdict, expected, "{testid} verdict");
    }
    browser.close().await;
}
