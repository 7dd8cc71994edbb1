//! The team's record in the page: an evaluation with an author and "keep for the team" is recorded
//! as a run; `/runs` lists it with the pills' Δs and colours, filters through the API, opens it with
//! the same figures (no Generate call) and deletes it; the kept set is offered by the dataset picker
//! and re-running it makes a second run; the set's page ranks the models by their latest average
//! log-likelihood, draws the trend and evaluates the latest models again; `/runs` pages 50 at a time;
//! a cancelled evaluation is not recorded, and the same one finished by Retry is.

use crate::support::{config_with_upstream, file_with, Behaviour, Browser, Server, Upstream};
use likely_core::record::{fingerprint, new_run, RunList};
use likely_core::snapshot::Scope;
use likely_core::{
    Evaluation, GenerateParams, ModelSpec, Outcome, ScoredToken, Snippet, SnippetResult,
};
use std::time::Duration;

const SNIPPETS: [&str; 4] = [
    "To be, or not to be, that is the question:",
    "Whether 'tis nobler in the mind to suffer the slings and arrows of outrageous fortune,",
    "Or to take arms against a sea of troubles, and by opposing end them.",
    "To die, to sleep; no more; and by a sleep to say we end the heart-ache.",
];

/// Every figure of the evaluation page: each `data-value` (and pill interval), by test id.
const FIGURES_JS: &str = "return [...document.querySelectorAll('[data-testid][data-value]')]
    .filter(e => !['upload-summary'].includes(e.dataset.testid))
    .map(e => `${e.dataset.testid}=${e.dataset.value}|${e.dataset.ciLow || ''}|${e.dataset.ciHigh || ''}`)
    .sort().join('\\n');";
/// The ids of `/runs`'s rows, in order (`none` when it shows none).
const ROW_IDS_JS: &str = "const t = document.querySelector('[data-testid=\"runs-table\"]');
    const ids = [...document.querySelectorAll('[data-testid=\"run-row\"]')].map(r => r.dataset.id).join(',');
    return t && t.dataset.loading === 'false' ? (ids || 'none') : 'loading';";

fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

async fn api_runs(server: &Server, query: &str) -> RunList {
    client()
        .get(format!("{}/v1/runs?{query}", server.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Waits for the record status of a finished evaluation other than `before`'s run; its run id.
async fn recorded_run(browser: &Browser, before: &str) -> String {
    let script = "const s = document.querySelector('[data-testid=\"record-status\"]');
        return s ? `${s.dataset.state}:${s.dataset.runId || ''}` : '';";
    for _ in 0..480 {
        let status = browser.js_string(script).await;
        if let Some(id) = status.strip_prefix("recorded:") {
            if id != before {
                return id.to_string();
            }
        }
        assert!(!status.starts_with("not-recorded"), "{status}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("no run was recorded");
}

/// Waits until `/runs` shows the rows `expected` (ids, in order, comma-separated; `none`: no row).
async fn rows_are(browser: &Browser, expected: &str) -> String {
    browser.settled(ROW_IDS_JS, expected).await
}

/// Types `text` into a filter of `/runs`, replacing what it held.
async fn filter(browser: &Browser, testid: &str, text: &str) {
    let input = browser.by_testid(testid).await;
    input.clear().await.unwrap();
    // Clearing fires no input event: one is sent, so the list follows.
    browser
        .client
        .execute(
            &format!("document.querySelector('[data-testid=\"{testid}\"]').dispatchEvent(new Event('input', {{bubbles: true}})); return '';"),
            vec![],
        )
        .await
        .unwrap();
    if !text.is_empty() {
        input.send_keys(text).await.unwrap();
    }
}

#[tokio::test]
async fn evaluations_are_recorded_listed_opened_ranked_and_run_again() {
    let server = Server::start();
    let browser = Browser::open(&server.url).await;
    assert_eq!(
        browser.attr("record-mode", "data-mode").await.as_deref(),
        Some("figures")
    );

    // The author's label and the kept set, then Evaluate.
    browser.type_text("author-input", "ana").await;
    let set = file_with("hamlet", ".txt", &SNIPPETS.join("\n\n"));
    browser.upload(set.path()).await;
    assert_eq!(browser.value_of("upload-summary").await, 4.0);
    browser.click("keep-dataset").await;
    browser.click("evaluate-button").await;
    let first = recorded_run(&browser, "").await;
    let figures = browser.settled(FIGURES_JS, "").await;
    let loss_pill = browser.by_testid("pill-loss-custom-base-light").await;
    let delta_loss = loss_pill.attr("data-value").await.unwrap().unwrap();
    let loss_verdict = loss_pill.attr("data-verdict").await.unwrap().unwrap();
    let accuracy_pill = browser.by_testid("pill-accuracy-custom-base-light").await;
    let delta_accuracy = accuracy_pill.attr("data-value").await.unwrap().unwrap();
    let accuracy_verdict = accuracy_pill.attr("data-verdict").await.unwrap().unwrap();
    let avg_base = browser.value_of("avg-loglik-base-light").await;
    let avg_custom = browser.value_of("avg-loglik-custom-base-light").await;

    // The API holds it: the author, the set's name and fingerprint.
    let fp = fingerprint(&SNIPPETS.map(Snippet::pasted));
    let listed = api_runs(&server, "").await;
    assert_eq!(listed.runs.len(), 1);
    assert_eq!(listed.runs[0].id, first);
    assert_eq!(listed.runs[0].author.as_deref(), Some("ana"));
    assert_eq!(listed.runs[0].dataset.fingerprint, fp);

    // /runs lists it with the pills' Δs and colours.
    browser
        .client
        .goto(&format!("{}/runs", server.url))
        .await
        .unwrap();
    assert_eq!(rows_are(&browser, &first).await, first);
    let row = browser.by_testid("run-row").await;
    let loss = row
        .find(fantoccini::Locator::Css("[data-testid=\"run-delta-loss\"]"))
        .await
        .unwrap();
    assert_eq!(loss.attr("data-value").await.unwrap().unwrap(), delta_loss);
    assert_eq!(
        loss.attr("data-verdict").await.unwrap().unwrap(),
        loss_verdict
    );
    let accuracy = row
        .find(fantoccini::Locator::Css(
            "[data-testid=\"run-delta-accuracy\"]",
        ))
        .await
        .unwrap();
    assert_eq!(
        accuracy.attr("data-value").await.unwrap().unwrap(),
        delta_accuracy
    );
    assert_eq!(
        accuracy.attr("data-verdict").await.unwrap().unwrap(),
        accuracy_verdict
    );
    assert_eq!(browser.text_of("run-author").await, "ana");
    assert_eq!(browser.text_of("run-baseline").await, "base-light");

    // Filters ask the API.
    filter(&browser, "runs-filter-model", "no-such-model").await;
    assert_eq!(rows_are(&browser, "none").await, "none");
    filter(&browser, "runs-filter-model", "custom-base-light").await;
    assert_eq!(rows_are(&browser, &first).await, first);
    filter(&browser, "runs-filter-model", "").await;
    filter(&browser, "runs-filter-text", "zzz").await;
    assert_eq!(rows_are(&browser, "none").await, "none");
    filter(&browser, "runs-filter-text", "HAMLET").await;
    assert_eq!(rows_are(&browser, &first).await, first);
    filter(&browser, "runs-filter-text", "").await;
    filter(&browser, "runs-filter-author", "bob").await;
    assert_eq!(rows_are(&browser, "none").await, "none");
    filter(&browser, "runs-filter-author", "").await;
    filter(&browser, "runs-filter-dataset", &fp).await;
    assert_eq!(rows_are(&browser, &first).await, first);

    // The row opens the run as a share link opens: the same figures, no Generate call.
    browser.block_and_record(&["*/v1/generate*"]).await;
    browser.click("run-open").await;
    browser.by_testid("share-banner").await;
    assert_eq!(browser.settled(FIGURES_JS, &figures).await, figures);
    assert!(
        browser
            .fetched()
            .await
            .iter()
            .all(|u| !u.contains("/v1/generate")),
        "no Generate call"
    );
    browser
        .cdp("Network.setBlockedURLs", serde_json::json!({ "urls": [] }))
        .await;

    // The author is remembered; the kept set is offered; the same set again is a second run.
    browser.client.goto(&server.url).await.unwrap();
    browser.wait_for_models().await;
    let author = browser.by_testid("author-input").await;
    assert_eq!(author.prop("value").await.unwrap().as_deref(), Some("ana"));
    browser
        .by_testid("dataset-select")
        .await
        .select_by_value(&fp)
        .await
        .unwrap();
    assert_eq!(browser.value_of("upload-summary").await, 4.0);
    browser.click("evaluate-button").await;
    let second = recorded_run(&browser, "").await;
    assert_ne!(second, first, "a re-run is a new run");

    // The set's page: both models ranked by their latest average log-likelihood, two runs each.
    browser
        .client
        .goto(&format!("{}/datasets/{fp}", server.url))
        .await
        .unwrap();
    browser.by_testid("leaderboard").await;
    let board = browser
        .settled(
            "return [...document.querySelectorAll('[data-testid=\"leaderboard-row\"]')]
                .map(r => `${r.dataset.model}=${r.dataset.value}`).join(',');",
            "",
        )
        .await;
    let mut expected = [("base-light", avg_base), ("custom-base-light", avg_custom)];
    expected.sort_by(|a, b| b.1.total_cmp(&a.1));
    let expected = expected
        .iter()
        .map(|(m, v)| format!("{m}={v}"))
        .collect::<Vec<_>>()
        .join(",");
    assert_eq!(board, expected);
    assert_eq!(browser.text_of("dataset-name").await, set_name(&set));
    let runs = browser
        .js_string("return [...document.querySelectorAll('[data-testid=\"leaderboard-runs\"]')].map(r => r.dataset.value).join(',');")
        .await;
    assert_eq!(runs, "2,2");
    let chart = browser.by_testid("trend-chart").await;
    assert_eq!(
        chart.attr("hidden").await.unwrap(),
        None,
        "the trend is drawn"
    );
    assert_eq!(
        chart.attr("data-points").await.unwrap().as_deref(),
        Some("4")
    );
    let drawn = browser
        .js_string("const c = document.querySelector('[data-testid=\"trend-chart\"]'); return String(c.width > 0 && c.toDataURL().length > 5000);")
        .await;
    assert_eq!(drawn, "true");

    // Evaluate the latest models: the set and the models are in, and it runs at once.
    browser.click("evaluate-latest").await;
    browser.wait_for_models().await;
    let third = recorded_run(&browser, "").await;
    assert!(third != first && third != second);
    assert_eq!(browser.value_of("upload-summary").await, 4.0);
    let baseline = browser.by_testid("baseline-select").await;
    assert_eq!(
        baseline.prop("value").await.unwrap().as_deref(),
        Some("base-light")
    );
    assert_eq!(api_runs(&server, "").await.runs.len(), 3);

    // This browser made the runs: it may delete them.
    browser
        .client
        .goto(&format!("{}/runs", server.url))
        .await
        .unwrap();
    let all = format!("{third},{second},{first}");
    assert_eq!(rows_are(&browser, &all).await, all, "newest first");
    browser.click("run-delete").await;
    let left = format!("{second},{first}");
    assert_eq!(rows_are(&browser, &left).await, left);
    let gone = client()
        .get(format!("{}/v1/runs/{third}", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 404);
    browser.close().await;
}

/// The name the page keeps an uploaded set under: its file's name.
fn set_name(file: &tempfile::NamedTempFile) -> String {
    file.path()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

/// A finished evaluation of `base` against `tune-<n>` on a small set of its own, posted as a run.
fn synthetic_run(n: usize) -> likely_core::record::NewRun {
    let texts = [
        format!("Run {n} says hello. "),
        format!("And then goodbye {n}. "),
    ];
    let custom = format!("tune-{}", n % 3);
    let mut evaluation = Evaluation::new(
        texts.iter().map(Snippet::pasted).collect(),
        GenerateParams::default(),
        ModelSpec::named("base"),
        vec![ModelSpec::named(custom.as_str())],
    )
    .unwrap();
    for (m, model) in ["base", custom.as_str()].iter().enumerate() {
        for (i, text) in texts.iter().enumerate() {
            let tokens = text
                .split_inclusive(' ')
                .enumerate()
                .map(|(t, piece)| ScoredToken {
                    text: piece.to_string(),
                    logprob: (t > 0).then_some(-2.0 + 0.3 * m as f64 - (t % 2) as f64 / 3.0),
                    top: None,
                    rank: None,
                    id: None,
                    top_k: None,
                })
                .collect();
            evaluation
                .set_outcome(model, i, Outcome::Scored(SnippetResult::single(tokens)))
                .unwrap();
        }
    }
    new_run(&evaluation, &[], None, None, Scope::Figures).unwrap()
}

#[tokio::test]
async fn runs_come_fifty_at_a_time_and_more_loads_the_next_page() {
    let server = Server::start();
    let client = client();
    for n in 0..120 {
        let answer = client
            .post(format!("{}/v1/runs", server.url))
            .json(&synthetic_run(n))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 201, "{}", answer.text().await.unwrap());
    }
    let mut newest_first = Vec::new();
    let mut before = String::new();
    loop {
        let page = api_runs(&server, &format!("limit=200{before}")).await;
        newest_first.extend(page.runs.into_iter().map(|r| r.id));
        match page.next {
            Some(next) => before = format!("&before={next}"),
            None => break,
        }
    }
    assert_eq!(newest_first.len(), 120);

    let browser = Browser::start().await;
    browser
        .client
        .goto(&format!("{}/runs", server.url))
        .await
        .unwrap();
    let page = |n: usize| newest_first[..n].join(",");
    assert_eq!(rows_are(&browser, &page(50)).await, page(50));
    browser.click("runs-more").await;
    assert_eq!(rows_are(&browser, &page(100)).await, page(100));
    browser.click("runs-more").await;
    assert_eq!(rows_are(&browser, &page(120)).await, page(120));
    let more = browser
        .js_string("return String(!!document.querySelector('[data-testid=\"runs-more\"]'));")
        .await;
    assert_eq!(more, "false", "no page after the last");
    // Runs this browser did not make have no Delete on a server without access control.
    let deletes = browser
        .js_string(
            "return String(document.querySelectorAll('[data-testid=\"run-delete\"]').length);",
        )
        .await;
    assert_eq!(deletes, "0");

    // A filter in the address is applied on load, and the filtered list pages too.
    browser
        .client
        .goto(&format!("{}/runs?model=tune-1", server.url))
        .await
        .unwrap();
    let tune_1 = api_runs(&server, "model=tune-1&limit=200").await;
    let ids: Vec<String> = tune_1.runs.iter().map(|r| r.id.clone()).collect();
    assert_eq!(ids.len(), 40);
    assert_eq!(rows_are(&browser, &ids.join(",")).await, ids.join(","));
    browser.close().await;
}

#[tokio::test]
async fn a_cancelled_evaluation_is_not_recorded_and_the_same_one_finished_is() {
    let upstream = Upstream::start(Behaviour::Slow(Duration::from_secs(3))).await;
    let config = config_with_upstream(&upstream.url);
    let server = Server::start_with(Some(config.path()));
    let browser = Browser::open(&server.url).await;
    let custom = browser.by_testid("custom-toggle-custom-base-light").await;
    if custom.prop("checked").await.unwrap().as_deref() == Some("true") {
        custom.click().await.unwrap();
    }
    browser.click("custom-toggle-remote-custom").await;
    let set = file_with("cancelled", ".txt", &SNIPPETS.join("\n\n"));
    browser.upload(set.path()).await;
    browser.click("evaluate-button").await;
    browser.click("cancel-button").await;
    assert_eq!(
        browser.attr("progress", "data-state").await.as_deref(),
        Some("stopped")
    );
    // The requests in flight were aborted; nothing is posted afterwards either.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let status = browser
        .js_string("const s = document.querySelector('[data-testid=\"record-status\"]'); return s ? s.dataset.state : 'none';")
        .await;
    assert_eq!(status, "none");
    assert!(api_runs(&server, "").await.runs.is_empty());

    // Retried to the end, it is a finished evaluation: recorded.
    upstream.set(Behaviour::Answer);
    browser.click("retry-button").await;
    let id = recorded_run(&browser, "").await;
    let runs = api_runs(&server, "").await.runs;
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].id, id);
    assert_eq!(runs[0].customs[0].model, "remote-custom");
    browser.close().await;
}
