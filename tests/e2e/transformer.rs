//! The on-board transformer from the page, when its weights are installed (otherwise each test says
//! SKIPPED): the worked example with the transformer pair (`smollm2-135m` against
//! `smollm2-135m-shakespeare`) evaluated on the evaluation page, the playground generating with both,
//! and a custom model trained on `smollm2-135m` from the Customize page, better than it on its domain.
//! Short texts keep the transformer's CPU time small.

use crate::support::{file_with, picker, Browser, Server};
use std::ffi::OsStr;
use std::time::{Duration, Instant};

/// How long a step that runs the transformer may take on a busy machine.
const SLOW: Duration = Duration::from_secs(300);

/// Waits until the element's `data-state` is `done`.
async fn wait_done(browser: &Browser, testid: &str) {
    let started = Instant::now();
    while browser.attr(testid, "data-state").await.as_deref() != Some("done") {
        assert!(started.elapsed() < SLOW, "{testid} did not finish");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test]
async fn the_worked_example_runs_with_smollm2_and_the_playground_generates_with_it() {
    let Some(server) = Server::start_with_transformer(&[]) else {
        return;
    };
    let browser = Browser::open(&server.url).await;
    browser.click("example-transformer-button").await;
    wait_done(&browser, "progress").await;
    let baseline = browser.by_testid("baseline-select").await;
    assert_eq!(
        baseline.prop("value").await.unwrap().as_deref(),
        Some("smollm2-135m")
    );
    let base = browser.value_of("avg-loglik-smollm2-135m").await;
    let adapted = browser
        .value_of("avg-loglik-smollm2-135m-shakespeare")
        .await;
    // The reference forward pass gives −3.4151 nats per scored token for the network.
    assert!((base + 3.4151).abs() < 0.01, "{base}");
    assert!(adapted.is_finite() && adapted != base, "{adapted}");
    let pill = browser.value_of("pill-loss-smollm2-135m-shakespeare").await;
    let base_loss = browser.value_of("loss-smollm2-135m").await;
    let adapted_loss = browser.value_of("loss-smollm2-135m-shakespeare").await;
    assert!(
        (pill - (adapted_loss - base_loss)).abs() < 1e-9,
        "the loss pill {pill} is adapted − base ({adapted_loss} − {base_loss})"
    );
    browser.close().await;

    let browser = Browser::open(&format!(
        "{}/playground?baseline=smollm2-135m&custom=smollm2-135m-shakespeare",
        server.url
    ))
    .await;
    let prompt = browser.by_testid("playground-prompt").await;
    prompt.clear().await.unwrap();
    prompt
        .send_keys("To be, or not to be, that is the question:")
        .await
        .unwrap();
    let length = browser.by_testid("max-tokens-input").await;
    length.clear().await.unwrap();
    length.send_keys("8\t").await.unwrap();
    browser.click("generate-button").await;
    for model in ["smollm2-135m", "smollm2-135m-shakespeare"] {
        let average = browser.value_of(&format!("generation-{model}")).await;
        assert!(average.is_finite() && average <= 0.0, "{model}: {average}");
        let text = browser.text_of(&format!("generation-{model}")).await;
        assert!(!text.trim().is_empty(), "{model} wrote text");
    }
    browser.close().await;
}

/// Short notes of a made-up domain (ferry timetables), from a seeded grammar.
fn ferry_notes(seed: u64, documents: usize) -> Vec<String> {
    let mut pick = picker(seed, 0x9E37_79B9_7F4A_7C15);
    (0..documents)
        .map(|_| {
            let mut note = String::new();
            for _ in 0..3 {
                note.push_str(&format!(
                    "The {} ferry to {} leaves pier {} at {} with {} cars aboard. ",
                    pick(&["early", "noon", "late", "night"]),
                    pick(&["Arran", "Mull", "Islay", "Barra", "Coll"]),
                    pick(&["one", "two", "three", "five"]),
                    pick(&["dawn", "half past six", "ten sharp", "dusk"]),
                    pick(&["twelve", "forty", "sixty", "no"]),
                ));
            }
            note
        })
        .collect()
}

#[tokio::test]
async fn a_model_trained_on_smollm2_from_the_page_beats_it_on_its_domain() {
    let dir = tempfile::tempdir().expect("a custom models folder");
    let Some(server) = Server::start_with_transformer(&[
        OsStr::new("--custom-models-dir"),
        dir.path().as_os_str(),
    ]) else {
        return;
    };
    let name = "ferry-smol";
    let browser = Browser::start().await;
    browser
        .client
        .goto(&format!("{}/customize", server.url))
        .await
        .expect("open the page");
    let base = browser.by_testid("customize-base").await;
    let started = Instant::now();
    while base.select_by_value("smollm2-135m").await.is_err() {
        assert!(
            started.elapsed() < SLOW,
            "smollm2-135m is offered as a base"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let training = file_with("ferry", ".txt", &ferry_notes(3, 40).join("\n\n"));
    browser.type_text("customize-name", name).await;
    browser
        .type_text("customize-file", training.path().to_str().unwrap())
        .await;
    browser.click("train-button").await;

    // Done: the results page compares it with its base on the validation documents.
    let started = Instant::now();
    loop {
        let url = browser.client.current_url().await.expect("the address");
        if url.path() == format!("/models/{name}") {
            break;
        }
        assert!(started.elapsed() < SLOW, "still at {url}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    wait_done(&browser, "progress").await;
    let pill = browser.value_of(&format!("pill-loss-{name}")).await;
    let new_loss = browser.value_of(&format!("loss-{name}")).await;
    let base_loss = browser.value_of("loss-smollm2-135m").await;
    assert!(
        (pill - (new_loss - base_loss)).abs() < 1e-9,
        "the loss pill {pill} is new − base ({new_loss} − {base_loss})"
    );
    assert!(pill < -0.3, "a clearly better loss: {pill}");
    let lambda = browser.value_of("lambda-value").await;
    assert!((0.0..=1.0).contains(&lambda), "λ {lambda}");
    browser.close().await;
}
