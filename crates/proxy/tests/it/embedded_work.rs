//! The embedded model's CPU work ends with its request, over real HTTP on loopback: when the client
//! disconnects or the model's timeout passes, the model stops taking steps (counted), and the model's
//! concurrency slot is held until the work has really stopped. Oversized answers are refused first.

use crate::common;
use likely_ngram::{train_model, Tokenizer, Vocab};
use likely_proxy::backends::EmbeddedCatalog;
use likely_proxy::config::Config;
use likely_proxy::setup::build_table;
use likely_proxy::AppState;
use likely_testkit::model::{without_end_of_text, Stepped};
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The proxy on `127.0.0.1:0` with the slow model as `slow` (one request at a time, 1 s timeout).
async fn serve_slow() -> (String, Arc<AtomicUsize>) {
    likely_proxy::backends::upstream::install_crypto_provider();
    let tokenizer = Tokenizer::gpt2().unwrap();
    let docs = vec![tokenizer.encode("To be, or not to be, that is the question.")];
    let (inner, _) = train_model(&docs, Vocab::GPT2, 3).unwrap();
    let steps = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&steps);
    // The real (tiny) model, each sampled token counted and taking at least 2 ms, so that a long
    // generation lasts long enough to watch; never the end of text, so that every generation runs
    // its full length whatever the tiny model learnt, and only the stop flag can end it early.
    let model = Stepped::new(Box::new(inner), move |distribution: &mut Vec<f64>| {
        counted.fetch_add(1, Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(2));
        without_end_of_text(distribution, Tokenizer::EOT);
    });
    let catalog = EmbeddedCatalog::new(tokenizer).with_model("slow", Arc::new(model));
    let config = Config::parse(
        "[[models]]\nname = \"slow\"\nbackend = \"embedded\"\ntimeout_secs = 1\nmax_concurrent = 1\n",
        "test.toml",
    )
    .unwrap();
    let table = build_table(&config, &|_| None, Some(&catalog)).unwrap();
    let base = common::serve_state(AppState::new(table)).await;
    (base, steps)
}

fn long_generation() -> serde_json::Value {
    json!({"model": "slow", "prompt": "To be", "max_tokens": 4096, "num_generations": 5,
           "temperature": 1.0, "p": 0.9, "seed": 1})
}

/// Waits until the step count stays still for 200 ms (at most `within`); true when it did.
async fn steps_stop(steps: &AtomicUsize, within: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < within {
        let before = steps.load(Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(200)).await;
        if steps.load(Ordering::SeqCst) == before {
            return true;
        }
    }
    false
}

#[tokio::test]
async fn a_disconnected_request_stops_its_cpu_work_and_frees_its_slot() {
    let (base, steps) = serve_slow().await;
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let gone = impatient
        .post(format!("{base}/v1/generate"))
        .json(&long_generation())
        .send()
        .await;
    assert!(gone.is_err(), "the client gave up first");
    assert!(steps.load(Ordering::SeqCst) > 0, "the model was working");
    assert!(
        steps_stop(&steps, Duration::from_millis(700)).await,
        "the model kept sampling after its client left"
    );
    let stopped_at = steps.load(Ordering::SeqCst);
    assert!(
        stopped_at < 400,
        "{stopped_at} steps: it ran on long after 300 ms"
    );
    // The slot is free again: a short request gets through at once.
    let answer = reqwest::Client::new()
        .post(format!("{base}/v1/generate"))
        .json(&common::scoring("slow", "To be"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
}

#[tokio::test]
async fn a_timed_out_request_stops_its_cpu_work() {
    let (base, steps) = serve_slow().await;
    let answer = reqwest::Client::new()
        .post(format!("{base}/v1/generate"))
        .json(&long_generation())
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 504);
    assert!(
        steps_stop(&steps, Duration::from_millis(700)).await,
        "the model kept sampling after the timeout"
    );
    let after_timeout = steps.load(Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(steps.load(Ordering::SeqCst), after_timeout);
}

#[tokio::test]
async fn an_answer_over_the_size_bound_is_refused_before_any_work() {
    let (base, steps) = serve_slow().await;
    let prompt = "To be, or not to be. ".repeat(4_000);
    let mut request = long_generation();
    request["prompt"] = json!(prompt);
    request["return_likelihoods"] = json!("ALL");
    let answer = reqwest::Client::new()
        .post(format!("{base}/v1/generate"))
        .json(&request)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 413);
    let message = answer.text().await.unwrap();
    assert!(message.contains("at most"), "{message}");
    assert_eq!(steps.load(Ordering::SeqCst), 0);
}
