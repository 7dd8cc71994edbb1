//! Custom models from the page: train on a domain neither embedded model has read (seeded lighthouse
//! logs), read the results page, open the evaluation page from it and find the new model better than
//! its base on held-out logs with the API's own figures, restart and find it listed, delete it; and a
//! broken training file whose line the page names.

use crate::support::{file_with, picker, Browser, Server};
use fantoccini::Locator;
use likely_core::params::GenerateParams;
use std::ffi::OsStr;
use std::path::Path;
use std::time::{Duration, Instant};

/// How long one training of the test's data may take (it takes seconds on a quiet machine).
const TRAINING: Duration = Duration::from_secs(300);

/// Lighthouse keepers' logs from a seeded grammar: deterministic and unlike the embedded corpora.
fn lighthouse_logs(seed: u64, documents: usize) -> Vec<String> {
    let mut pick = picker(seed, 0x2545_F491_4F6C_DD1D);
    (0..documents)
        .map(|_| {
            let mut log = String::new();
            for _ in 0..4 {
                log.push_str(&format!(
                    "Watch {} at {} light: lamp {} trimmed, wick {}, swell from the {} at {} fathoms, fog signal {}. ",
                    pick(&["first", "middle", "morning", "dog", "last"]),
                    pick(&["Skerry", "Gannet Rock", "Inchcape", "Muckle Flugga", "Bell Head"]),
                    pick(&["prism", "catoptric", "argand", "paraffin"]),
                    pick(&["even", "charred", "renewed", "smoking"]),
                    pick(&["north-west", "south", "east by north", "west"]),
                    pick(&["nine", "eleven", "fourteen", "twenty"]),
                    pick(&["silent", "sounded twice", "wound at dusk", "cleared"]),
                ));
            }
            log.push_str(pick(&[
                "Brass polished and glass wiped.",
                "Oil store counted at forty gallons.",
                "Relief boat sighted off the landing.",
                "Barometer falling, shutters made fast.",
            ]));
            log
        })
        .collect()
}

fn start(dir: &Path) -> Server {
    Server::start_with_args(None, &[OsStr::new("--custom-models-dir"), dir.as_os_str()])
}

async fn open(server: &Server, path: &str) -> Browser {
    let browser = Browser::start().await;
    browser.goto(&format!("{}{path}", server.url)).await;
    browser
}

async fn wait_for_path(browser: &Browser, path: &str, within: Duration) {
    let started = Instant::now();
    loop {
        let url = browser.client.current_url().await.expect("the address");
        if url.path() == path {
            return;
        }
        if started.elapsed() > within {
            let progress = browser
                .client
                .execute("const p = document.querySelector('[data-testid=\"training-progress\"]'); return p ? p.getAttribute('data-state') + ': ' + p.textContent : 'no progress'", vec![])
                .await
                .ok();
            panic!("still at {url}, not {path}; {progress:?}");
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// The average natural-log likelihood of `text`'s scored tokens under `model`, straight from the
/// Generate API (asked from the page, with the request the page makes).
async fn api_average(browser: &Browser, model: &str, text: &str) -> f64 {
    let request = serde_json::to_value(GenerateParams::default().request(model, text)).unwrap();
    let answer = browser
        .client
        .execute_async(
            "const [body, done] = arguments; fetch('/v1/generate', {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify(body)}).then(r => r.json()).then(done, e => done(String(e)));",
            vec![request],
        )
        .await
        .expect("ask the Generate API");
    // Only the prompt's tokens count, split from the generated one as the page splits them (the
    // generated token is sampled, so counting it makes the average vary from call to call).
    let response: likely_core::GenerateResponse = serde_json::from_value(answer.clone())
        .unwrap_or_else(|e| panic!("not a Generate answer ({e}): {answer}"));
    let likelihoods: Vec<f64> = likely_core::prompt_scores(text, &response)
        .unwrap_or_else(|e| panic!("no prompt scores ({e}): {answer}"))
        .iter()
        .filter_map(|token| token.logprob)
        .collect();
    assert!(likelihoods.len() > 20, "{answer}");
    likelihoods.iter().sum::<f64>() / likelihoods.len() as f64
}

async fn count(browser: &Browser, css: &str) -> usize {
    browser
        .client
        .find_all(Locator::Css(css))
        .await
        .expect("query the page")
        .len()
}

#[tokio::test]
async fn a_model_trained_from_the_page_beats_its_base_on_its_domain() {
    let dir = tempfile::tempdir().expect("a custom models folder");
    let name = "lighthouse-e2e";
    let server = start(dir.path());
    let browser = open(&server, "/customize").await;

    let base = browser.by_testid("customize-base").await;
    let training = file_with("lighthouse", ".txt", &lighthouse_logs(7, 300).join("\n\n"));
    browser.type_text("customize-name", name).await;
    browser
        .type_text("customize-file", training.path().to_str().unwrap())
        .await;
    assert_eq!(
        base.prop("value").await.unwrap().as_deref(),
        Some("base-light")
    );
    browser.click("train-button").await;
    // Read in one script: the page may leave for the model's page between finding the progress
    // element and reading it (a stale element otherwise). The progress shows once the server has
    // taken the upload: asked again until it does (or the page has left).
    let state = browser
        .settled(
            "const p = document.querySelector('[data-testid=\"training-progress\"]'); return p ? p.getAttribute('data-state') : (location.pathname === '/customize' ? '' : location.pathname)",
            "",
        )
        .await;
    let model_page = format!("/models/{name}");
    assert!(
        matches!(state.as_str(), "queued" | "running" | "done") || state == model_page,
        "{state:?}"
    );

    // Done: the page is the model's results page.
    wait_for_path(&browser, &model_page, TRAINING).await;
    let progress = browser.by_testid("progress").await;
    let started = Instant::now();
    while progress.attr("data-state").await.unwrap().as_deref() != Some("done") {
        assert!(
            started.elapsed() < TRAINING,
            "the validation run did not finish"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let loss_pill = browser.value_of(&format!("pill-loss-{name}")).await;
    let accuracy_pill = browser.value_of(&format!("pill-accuracy-{name}")).await;
    let new_loss = browser.value_of(&format!("loss-{name}")).await;
    let base_loss = browser.value_of("loss-base-light").await;
    assert!(
        (loss_pill - (new_loss - base_loss)).abs() < 1e-9,
        "the loss pill {loss_pill} is new − base ({new_loss} − {base_loss})"
    );
    assert!(loss_pill < -0.3, "a clearly better loss: {loss_pill}");
    assert!(accuracy_pill > 0.0, "a better accuracy: {accuracy_pill}");
    assert_eq!(
        browser
            .attr(&format!("pill-loss-{name}"), "data-verdict")
            .await
            .as_deref(),
        Some("Better")
    );
    browser.value_of(&format!("perplexity-{name}")).await;
    browser.value_of("bpb-base-light").await;
    assert!(browser.value_of("training-tokens").await >= 1000.0);
    let validation_documents = browser.value_of("validation-documents").await;
    assert_eq!(validation_documents, 30.0, "every tenth of 300 documents");
    assert!(browser.value_of("validation-tokens").await > 0.0);
    let lambda = browser.value_of("lambda-value").await;
    assert!((0.0..=1.0).contains(&lambda), "λ {lambda}");
    browser.by_testid("chart-lambda").await;
    let summary = browser
        .by_testid("validation-summary")
        .await
        .text()
        .await
        .unwrap();
    assert!(summary.contains("30 documents"), "{summary}");
    assert_eq!(
        browser.attr("open-playground", "href").await.as_deref(),
        Some(format!("/playground?baseline=base-light&custom={name}").as_str())
    );

    // The evaluation page, with the new model chosen against its base.
    browser.click("open-evaluation").await;
    browser.wait_for_models().await;
    let toggle = browser.by_testid(&format!("custom-toggle-{name}")).await;
    assert_eq!(
        toggle.prop("checked").await.unwrap().as_deref(),
        Some("true")
    );
    let baseline = browser.by_testid("baseline-select").await;
    assert_eq!(
        baseline.prop("value").await.unwrap().as_deref(),
        Some("base-light")
    );
    assert_eq!(
        count(
            &browser,
            "[data-testid=\"custom-toggle-custom-base-light\"]:checked"
        )
        .await,
        0,
        "only the new model is chosen"
    );
    let held_out = lighthouse_logs(1234, 1).remove(0);
    browser.type_text("prompt-input", &held_out).await;
    // The figures below must be those of exactly this text, scored to the end.
    let typed = browser.by_testid("prompt-input").await;
    assert_eq!(
        typed.prop("value").await.unwrap().as_deref(),
        Some(held_out.as_str()),
        "the typed text is kept as typed"
    );
    browser.click("evaluate-button").await;
    let started = Instant::now();
    while browser.attr("progress", "data-state").await.as_deref() != Some("done") {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the evaluation finishes"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let new_avg = browser.value_of(&format!("avg-loglik-{name}")).await;
    let base_avg = browser.value_of("avg-loglik-base-light").await;
    assert!(new_avg > base_avg + 0.3, "{new_avg} vs {base_avg}");
    let api_new = api_average(&browser, name, &held_out).await;
    let api_base = api_average(&browser, "base-light", &held_out).await;
    assert!(
        (new_avg - api_new).abs() < 1e-9,
        "{new_avg} vs the API's {api_new}"
    );
    assert!(
        (base_avg - api_base).abs() < 1e-9,
        "{base_avg} vs the API's {api_base}"
    );
    browser.close().await;

    // A restart keeps it; then it is deleted from its page.
    drop(server);
    let server = start(dir.path());
    let browser = open(&server, "/customize").await;
    browser.click(&format!("custom-model-link-{name}")).await;
    wait_for_path(
        &browser,
        &format!("/models/{name}"),
        Duration::from_secs(30),
    )
    .await;
    browser.click("delete-model").await;
    browser
        .client
        .accept_alert()
        .await
        .expect("confirm the deletion");
    wait_for_path(&browser, "/customize", Duration::from_secs(30)).await;
    browser.by_testid("custom-models").await;
    let started = Instant::now();
    while count(
        &browser,
        &format!("[data-testid=\"custom-model-link-{name}\"]"),
    )
    .await
        > 0
    {
        assert!(started.elapsed() < Duration::from_secs(30), "still listed");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(!dir.path().join(name).exists(), "its folder is gone");
    browser.close().await;
}

#[tokio::test]
async fn a_bad_line_and_a_bad_name_are_explained_before_anything_trains() {
    let dir = tempfile::tempdir().expect("a custom models folder");
    let server = start(dir.path());
    let browser = open(&server, "/customize").await;
    browser.by_testid("customize-base").await;

    browser.type_text("customize-name", "Bad Name").await;
    let problem = browser
        .by_testid("customize-name-error")
        .await
        .text()
        .await
        .unwrap();
    assert!(problem.contains("lowercase"), "{problem}");
    assert_eq!(
        browser.attr("train-button", "disabled").await.as_deref(),
        Some("true")
    );
    browser
        .by_testid("customize-name")
        .await
        .clear()
        .await
        .unwrap();
    browser.type_text("customize-name", "broken-lines").await;

    let mut lines: Vec<String> = lighthouse_logs(3, 40)
        .into_iter()
        .map(|log| serde_json::json!({ "text": log }).to_string())
        .collect();
    lines[11] = "{\"text\": oops}".to_string();
    let broken = file_with("lighthouse", ".jsonl", &lines.join("\n"));
    browser
        .type_text("customize-file", broken.path().to_str().unwrap())
        .await;
    browser.click("train-button").await;
    let progress = browser.by_testid("training-progress").await;
    assert_eq!(
        progress.attr("data-state").await.unwrap().as_deref(),
        Some("failed")
    );
    let reason = progress.text().await.unwrap();
    assert!(reason.contains("line 12"), "{reason}");
    browser.by_testid("custom-models").await;
    assert_eq!(
        count(&browser, "[data-testid^=\"custom-model-link-\"]").await,
        0
    );
    browser.close().await;
}
