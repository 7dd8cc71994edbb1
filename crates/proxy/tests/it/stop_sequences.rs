//! `stop_sequences` over real HTTP: Cohere is sent them, and every backend's answer ends before the
//! earliest one in the generated text (never in the prompt), its finish reason `COMPLETE`.

use crate::common::{app_from, fake_upstream, generate, one_model, one_upstream, scoring, Reply};
use axum::http::StatusCode;
use likely_core::GenerateResponse;
use serde_json::json;

/// Cohere v1 `/generate` for "To be or", generating " not".
const COHERE: &str = include_str!("../fixtures/cohere_generate.json");

/// Fireworks-style echo: "To be or" then " not".
const FIREWORKS: &str = r#"{
    "id": "cmpl-1", "object": "text_completion", "created": 1717000000, "model": "m",
    "choices": [{"index": 0, "text": "To be or not", "finish_reason": "length",
        "logprobs": {"tokens": ["To", " be", " or", " not"], "token_logprobs": [null, -2.1, -4.2, -0.3],
            "top_logprobs": [null, {" be": -2.1}, {",": -1.0}, {" not": -0.3}], "text_offset": [0, 2, 5, 8]}}],
    "usage": {"prompt_tokens": 3, "total_tokens": 4, "completion_tokens": 1}
}"#;

fn with_stops(model: &str) -> serde_json::Value {
    let mut request = scoring(model, "To be or");
    // "o" is in the prompt too: only the generation is cut.
    request["stop_sequences"] = json!(["ot", "o"]);
    request
}

fn check_cut(answer: &serde_json::Value) {
    let parsed: GenerateResponse = serde_json::from_value(answer.clone()).unwrap();
    let generation = &parsed.generations[0];
    assert_eq!(generation.text, " n", "{answer}");
    assert_eq!(generation.finish_reason.as_deref(), Some("COMPLETE"));
    let pieces: Vec<&str> = generation
        .token_likelihoods
        .iter()
        .flatten()
        .map(|t| t.token.as_str())
        .collect();
    assert_eq!(pieces, ["To", " be", " or", " n"], "{answer}");
}

#[tokio::test]
async fn cohere_is_sent_the_stop_sequences_and_the_answer_is_cut() {
    let (upstream, app) = one_upstream("c", "cohere", COHERE, "", &[]).await;
    let answer = generate(&app, with_stops("c")).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    check_cut(&answer.json());
    assert_eq!(
        upstream.requests()[0].body["stop_sequences"],
        json!(["ot", "o"])
    );
}

#[tokio::test]
async fn an_openai_style_answer_is_cut_in_the_proxy() {
    let upstream = fake_upstream(|_| Reply::ok(FIREWORKS)).await;
    let config = one_model(
        "f",
        "openai-completions",
        &format!("{}/v1", upstream.base_url),
        "",
    );
    let app = app_from(&config, &[]);
    let answer = generate(&app, with_stops("f")).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    check_cut(&answer.json());
}
