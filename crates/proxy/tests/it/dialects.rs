//! vLLM's dialect as tools speak it, over the real router: the per-model base URL
//! (`/vllm/<model>/…`), the token routes at the root, token-id prompts on `/v1/completions` (scored
//! exactly as sent on the real embedded models; passed through to vLLM and SGLang upstreams; refused
//! for Cohere), bad input refused with a message, and the rules every API route keeps: JSON for every
//! refusal (the framework's own too), never the page's HTML on an API path, the access token, the
//! Host check, the limits and the per-model gate.

use crate::common;
use crate::common::{app_with_token, fake_upstream, one_model, send, state_from, Answered, Reply};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use likely_ngram::Tokenizer;
use likely_proxy::config::Config;
use likely_proxy::hosts::AllowedHosts;
use likely_proxy::setup::build_table;
use likely_proxy::{app, AppState};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

async fn embedded_state() -> AppState {
    let catalog = tokio::task::spawn_blocking(common::embedded_catalog)
        .await
        .unwrap();
    let table = build_table(&Config::embedded_only(), &|_| None, Some(&catalog)).unwrap();
    AppState::new(table)
}

async fn post(app: &Router, path: &str, body: &Value) -> Answered {
    post_typed(app, path, "application/json", body.to_string()).await
}

/// POST `body` to `path` as `content_type`.
async fn post_typed(
    app: &Router,
    path: &str,
    content_type: &str,
    body: impl Into<Body>,
) -> Answered {
    let request = Request::post(path)
        .header("content-type", content_type)
        .body(body.into())
        .unwrap();
    send(app, request).await
}

/// POST `body` as JSON to `path`, addressed to the loopback listener (`Host: 127.0.0.1:8080`).
async fn post_local(app: &Router, path: &str, body: &Value) -> Answered {
    let request = Request::post(path)
        .header("host", "127.0.0.1:8080")
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    send(app, request).await
}

async fn get(app: &Router, path: &str) -> Answered {
    common::get(app, path).await
}

/// The OpenAI-shaped error message of an answer.
fn openai_message(answered: &Answered) -> String {
    answered.json()["error"]["message"]
        .as_str()
        .unwrap_or_else(|| panic!("no error.message: {}", answered.text))
        .to_string()
}

/// `answered` is an OpenAI-shaped error with this status whose message holds `part`.
fn assert_openai_error(answered: &Answered, status: StatusCode, part: &str) {
    assert_eq!(answered.status, status, "{}", answered.text);
    let message = openai_message(answered);
    assert!(message.contains(part), "{}", answered.text);
}

fn gpt2() -> Tokenizer {
    Tokenizer::gpt2().unwrap()
}

#[tokio::test]
async fn each_model_has_a_vllm_base_url_with_its_tokenizer() {
    let app = app(embedded_state().await);
    let info = get(&app, "/vllm/base-light/tokenizer_info").await;
    assert_eq!(info.status, StatusCode::OK, "{}", info.text);
    let info = info.json();
    assert_eq!(info["eos_token"], "<|endoftext|>");
    assert_eq!(info["bos_token"], "<|endoftext|>");
    assert_eq!(info["tokenizer_class"], "gpt2");
    assert_eq!(info["vocab_size"], 50_257);
    assert!(info["model_max_length"].as_u64().unwrap() > 1000);

    let text = "Whether ’tis nobler in the mind";
    let tokenized = post(
        &app,
        "/vllm/custom-base-light/tokenize",
        &json!({"prompt": text, "add_special_tokens": false}),
    )
    .await;
    assert_eq!(tokenized.status, StatusCode::OK, "{}", tokenized.text);
    let tokenized = tokenized.json();
    let ids: Vec<u32> = serde_json::from_value(tokenized["tokens"].clone()).unwrap();
    assert_eq!(ids, gpt2().encode(text));
    assert_eq!(tokenized["count"], ids.len());
    assert!(tokenized["max_model_len"].as_u64().is_some());
    let eos = post(
        &app,
        "/vllm/base-light/tokenize",
        &json!({"prompt": "<|endoftext|>"}),
    )
    .await;
    assert_eq!(
        eos.json()["tokens"],
        json!([50_256]),
        "lm-eval reads the EOS id this way"
    );

    let back = post(&app, "/vllm/base-light/detokenize", &json!({"tokens": ids})).await;
    assert_eq!(back.json()["prompt"], text);

    let root = post(
        &app,
        "/tokenize",
        &json!({"model": "base-light", "prompt": text}),
    )
    .await;
    assert_eq!(root.json()["tokens"], json!(ids));
    let root = post(
        &app,
        "/detokenize",
        &json!({"model": "base-light", "tokens": ids}),
    )
    .await;
    assert_eq!(root.json()["prompt"], text);
    let unnamed = post(&app, "/tokenize", &json!({"prompt": text})).await;
    assert_eq!(unnamed.status, StatusCode::BAD_REQUEST);
    assert!(openai_message(&unnamed).contains("`model` is required"));

    let models = get(&app, "/vllm/base-light/v1/models").await.json();
    assert_eq!(models["object"], "list");
    assert_eq!(models["data"].as_array().unwrap().len(), 1);
    assert_eq!(models["data"][0]["id"], "base-light");

    let unknown = get(&app, "/vllm/no-such-model/tokenizer_info").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(openai_message(&unknown).contains("no-such-model"));
    let other = post(
        &app,
        "/vllm/base-light/tokenize",
        &json!({"model": "custom-base-light", "prompt": "a"}),
    )
    .await;
    assert_eq!(other.status, StatusCode::BAD_REQUEST);
    assert!(openai_message(&other).contains("serves model `base-light`"));
}

/// lm-eval's loglikelihood request: the ids of the context and continuation, `echo`, `logprobs: 1`,
/// `max_tokens: 1`, `temperature: 0`.
fn scoring(prompt: Value) -> Value {
    json!({"prompt": prompt, "echo": true, "logprobs": 1, "max_tokens": 1, "temperature": 0, "seed": 1234})
}

#[tokio::test]
async fn token_id_prompts_are_scored_exactly_as_sent() {
    let app = app(embedded_state().await);
    let text = "To be, or not to be: that is the question";
    let ids = gpt2().encode(text);
    let by_text = post(
        &app,
        "/v1/completions",
        &json!({"model": "base-light", "prompt": text, "echo": true, "logprobs": 1, "max_tokens": 0}),
    )
    .await
    .json();
    let text_logprobs = by_text["choices"][0]["logprobs"]["token_logprobs"].clone();

    // With the end-of-text prefix, as lm-eval's rolling windows send it.
    let with_prefix: Vec<u32> = std::iter::once(Tokenizer::EOT)
        .chain(ids.iter().copied())
        .collect();
    let answered = post(
        &app,
        "/vllm/base-light/v1/completions",
        &scoring(json!(with_prefix)),
    )
    .await;
    assert_eq!(answered.status, StatusCode::OK, "{}", answered.text);
    let answer = answered.json();
    let choice = &answer["choices"][0];
    let logprobs = &choice["logprobs"];
    let token_logprobs = logprobs["token_logprobs"].as_array().unwrap();
    assert_eq!(
        token_logprobs.len(),
        ids.len() + 2,
        "every id, then the generated token"
    );
    assert!(token_logprobs[0].is_null());
    let first = token_logprobs[1].as_f64().unwrap();
    assert!(
        first < 0.0,
        "the first text token is scored after the start of text"
    );
    for index in 1..ids.len() {
        assert_eq!(
            token_logprobs[index + 1],
            text_logprobs[index],
            "token {index}: the same score as when the text is sent"
        );
    }
    assert!(choice["text"]
        .as_str()
        .unwrap()
        .starts_with(&format!("<|endoftext|>{text}")));
    let offsets: Vec<usize> = serde_json::from_value(logprobs["text_offset"].clone()).unwrap();
    assert_eq!(&offsets[..2], &[0, 13], "characters of the decoded text");
    // Greedy checks as lm-eval makes them: a top_logprobs entry at every scored position.
    for top in &logprobs["top_logprobs"].as_array().unwrap()[1..] {
        assert!(top.as_object().is_some_and(|top| !top.is_empty()));
    }

    // A list of id lists: one choice each, in order; the root base URL answers the same.
    let batch = post(
        &app,
        "/v1/completions",
        &json!({"model": "base-light", "prompt": [ids.clone(), ids[..3].to_vec()], "echo": true, "logprobs": 1, "max_tokens": 1, "temperature": 0}),
    )
    .await
    .json();
    let choices = batch["choices"].as_array().unwrap();
    assert_eq!(choices.len(), 2);
    assert_eq!(
        choices[0]["logprobs"]["token_logprobs"]
            .as_array()
            .unwrap()
            .len(),
        ids.len() + 1
    );
    assert_eq!(
        choices[0]["logprobs"]["token_logprobs"].as_array().unwrap()[..ids.len()],
        text_logprobs.as_array().unwrap()[..],
        "without the prefix, the ids score as their text does"
    );
    assert_eq!(
        choices[1]["logprobs"]["tokens"].as_array().unwrap().len(),
        4
    );
}

#[tokio::test]
async fn bad_token_prompts_are_refused_with_a_message() {
    let mut state = embedded_state().await;
    state.max_body_bytes = 128 * 1024 * 1024;
    let app = app(state);
    for (prompt, expected) in [
        (json!([1, 2, 50_257, 50_300]), "token id 50257 (position 2"),
        (json!([1, 2.5]), "`prompt[1]` is 2.5"),
        (json!([[1], [-3]]), "`prompt[1][0]` is -3"),
        (json!(["text", [1, 2]]), "mixes texts and token ids"),
        (json!(["text", 5]), "mixes texts and token ids"),
        (json!([]), "empty list"),
        (json!([[]]), "empty list of token ids"),
        (json!(""), "empty"),
        (json!({"ids": [1]}), "must be a text"),
    ] {
        let answered = post(
            &app,
            "/vllm/base-light/v1/completions",
            &scoring(prompt.clone()),
        )
        .await;
        assert_eq!(
            answered.status,
            StatusCode::BAD_REQUEST,
            "{prompt}: {}",
            answered.text
        );
        let message = openai_message(&answered);
        assert!(message.contains(expected), "{prompt}: {message}");
    }
    let many = vec![11u32; 10_000_000];
    let answered = post(&app, "/v1/completions", &json!({"model": "base-light", "prompt": many, "echo": true, "logprobs": 1, "max_tokens": 1})).await;
    assert_openai_error(&answered, StatusCode::BAD_REQUEST, "10000000 token ids");
    let detokenize = post(
        &app,
        "/detokenize",
        &json!({"model": "base-light", "tokens": [1, -1]}),
    )
    .await;
    assert_eq!(detokenize.status, StatusCode::BAD_REQUEST);
    assert!(openai_message(&detokenize).contains("`tokens[1]` is -1"));
    let detokenize = post(
        &app,
        "/detokenize",
        &json!({"model": "base-light", "tokens": [99_999]}),
    )
    .await;
    assert!(openai_message(&detokenize).contains("token id 99999"));
}

#[tokio::test]
async fn upstreams_get_ids_passed_through_or_refuse_them_clearly() {
    let vllm =
        fake_upstream(|_| Reply::ok(include_str!("../fixtures/vllm_completions.json"))).await;
    let sglang =
        fake_upstream(|_| Reply::ok(include_str!("../fixtures/sglang_generate.json"))).await;
    let cohere =
        fake_upstream(|_| Reply::ok(include_str!("../fixtures/cohere_generate.json"))).await;
    let config = [
        one_model(
            "vllm",
            "openai-completions",
            &vllm.base_url,
            "flavor = \"vllm\"\ntokenizer = \"gpt2\"",
        ),
        one_model("sglang", "sglang", &sglang.base_url, "tokenizer = \"gpt2\""),
        one_model("cohere", "cohere", &cohere.base_url, "tokenizer = \"gpt2\""),
        one_model(
            "bare",
            "openai-completions",
            &vllm.base_url,
            "tokenizer = \"llama3\"",
        ),
    ]
    .concat();
    let app = app(state_from(&config, &[]));
    let ids = gpt2().encode("To be or");
    let answered = post(&app, "/vllm/vllm/v1/completions", &scoring(json!(ids))).await;
    assert_eq!(answered.status, StatusCode::OK, "{}", answered.text);
    assert_eq!(
        vllm.requests()[0].body["prompt"],
        json!(ids),
        "passed through, never re-tokenized"
    );
    let answered = post(
        &app,
        "/v1/completions",
        &json!({"model": "sglang", "prompt": ids, "echo": true, "logprobs": 1, "max_tokens": 0}),
    )
    .await;
    assert_eq!(answered.status, StatusCode::OK, "{}", answered.text);
    let sent = &sglang.requests()[0].body;
    assert_eq!(sent["input_ids"], json!(ids));
    assert!(sent.get("text").is_none());

    let refused = post(&app, "/vllm/cohere/v1/completions", &scoring(json!(ids))).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        openai_message(&refused).contains("takes text only"),
        "{}",
        refused.text
    );
    assert!(cohere.requests().is_empty());

    // A tokenizer that is only a name: the token routes say what to configure.
    for answered in [
        get(&app, "/vllm/bare/tokenizer_info").await,
        post(&app, "/vllm/bare/tokenize", &json!({"prompt": "a"})).await,
        post(
            &app,
            "/detokenize",
            &json!({"model": "bare", "tokens": [1]}),
        )
        .await,
        post(&app, "/vllm/bare/v1/completions", &scoring(json!([1, 2]))).await,
    ] {
        assert_openai_error(
            &answered,
            StatusCode::NOT_IMPLEMENTED,
            "tokenizer = \"gpt2\"",
        );
    }
    let listed = get(&app, "/v1/models").await.json();
    assert_eq!(listed["models"][0]["tokenizer"], "gpt2");
    assert_eq!(listed["models"][0]["vocab_size"], 50_257);
}

#[tokio::test]
async fn api_paths_never_answer_the_page_and_every_refusal_is_json() {
    let dist = tempfile::tempdir().unwrap();
    std::fs::write(
        dist.path().join("index.html"),
        "<!doctype html><title>page</title>",
    )
    .unwrap();
    let mut state = state_from(&one_model("m", "tgi", "http://127.0.0.1:9", ""), &[]);
    state.dist_dir = Some(dist.path().to_path_buf());
    let app = app(state);
    for path in [
        "/tokenizer_info",
        "/tokenize",
        "/detokenize",
        "/v1",
        "/v1/",
        "/v1/nothing/here",
        "/vllm",
        "/vllm/m",
        "/vllm/m/nothing",
        "/vllm/m/v1/completions",
        "/tokenizer_info/extra",
    ] {
        let answered = get(&app, path).await;
        assert!(
            answered.status.is_client_error(),
            "{path}: {}",
            answered.status
        );
        assert!(
            answered.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json"),
            "{path}: {}",
            answered.text
        );
        let body = answered.json();
        assert!(
            body["message"].is_string() || body["error"]["message"].is_string(),
            "{path}: {}",
            answered.text
        );
    }
    // The page keeps its own routes.
    for path in ["/", "/models/m", "/playground", "/customize"] {
        let answered = get(&app, path).await;
        assert_eq!(answered.status, StatusCode::OK, "{path}");
        assert!(answered.text.contains("<title>page</title>"), "{path}");
    }
    // The framework's own refusals: a missing query field, a wrong content type, bad JSON.
    let shares = post_typed(&app, "/v1/shares", "application/octet-stream", "x").await;
    assert!(shares.status.is_client_error());
    assert!(shares.json()["message"].is_string(), "{}", shares.text);
    let wrong_type = post_typed(&app, "/vllm/m/tokenize", "text/plain", "{}").await;
    assert_eq!(wrong_type.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(openai_message(&wrong_type).contains("JSON"));
    let bad_json = post_typed(&app, "/tokenize", "application/json", "{\"prompt\":").await;
    assert_eq!(bad_json.status, StatusCode::BAD_REQUEST);
    assert!(!openai_message(&bad_json).is_empty());
    let wrong_method = send(
        &app,
        Request::delete("/v1/models").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(
        wrong_method.json()["message"].is_string(),
        "{}",
        wrong_method.text
    );
}

#[tokio::test]
async fn a_share_without_scope_is_refused_in_json() {
    let dir = tempfile::tempdir().unwrap();
    let store = format!("sqlite:{}", dir.path().join("shares.sqlite3").display());
    let served = common::served::serve_api(&store)
        .custom_models(&dir.path().join("models"))
        .quiet()
        .spawn();
    likely_proxy::backends::upstream::install_crypto_provider();
    let response = reqwest::Client::new()
        .post(format!("{}/v1/shares", served.url))
        .header("content-type", "application/octet-stream")
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let body: Value = response.json().await.unwrap();
    assert!(
        body["message"].as_str().unwrap().contains("scope"),
        "{body}"
    );
}

#[tokio::test]
async fn the_new_routes_keep_the_access_token_host_check_limits_and_gate() {
    const TOKEN: &str = "dialect-test-token-0123456789";
    let vllm = fake_upstream(|_| {
        Reply::ok(include_str!("../fixtures/vllm_completions.json"))
            .after(Duration::from_millis(1500))
    })
    .await;
    let config = format!(
        "[limits]\nmax_body_bytes = 4096\nmax_prompt_chars = 50\nmax_queued = 0\n{}",
        one_model(
            "v",
            "openai-completions",
            &vllm.base_url,
            "flavor = \"vllm\"\ntokenizer = \"gpt2\"\nmax_concurrent = 1"
        )
    );
    let guarded = app_with_token(&config, TOKEN);
    for (path, body) in [
        ("/vllm/v/tokenize", Some(json!({"prompt": "a"}))),
        ("/tokenize", Some(json!({"model": "v", "prompt": "a"}))),
        ("/detokenize", Some(json!({"model": "v", "tokens": [1]}))),
        ("/vllm/v/tokenizer_info", None),
        ("/vllm/v/v1/models", None),
        ("/vllm/v/v1/completions", Some(scoring(json!([1, 2])))),
    ] {
        let builder = match &body {
            Some(_) => Request::post(path).header("content-type", "application/json"),
            None => Request::get(path),
        };
        let body_text = body.as_ref().map(Value::to_string).unwrap_or_default();
        let refused = send(
            &guarded,
            builder.body(Body::from(body_text.clone())).unwrap(),
        )
        .await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{path}");
        assert!(
            refused.json()["message"].is_string(),
            "{path}: {}",
            refused.text
        );
        let builder = match &body {
            Some(_) => Request::post(path).header("content-type", "application/json"),
            None => Request::get(path),
        };
        let allowed = send(
            &guarded,
            builder
                .header("authorization", format!("Bearer {TOKEN}"))
                .body(Body::from(body_text))
                .unwrap(),
        )
        .await;
        assert_eq!(allowed.status, StatusCode::OK, "{path}: {}", allowed.text);
    }

    let listener_address = "127.0.0.1:8080".parse().unwrap();
    let mut state = state_from(&config, &[]);
    state.hosts = Some(Arc::new(AllowedHosts::new(listener_address, &[])));
    let app = app(state);
    let rebinding = send(
        &app,
        Request::get("/vllm/v/tokenizer_info")
            .header("host", "evil.example")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(rebinding.status, StatusCode::MISDIRECTED_REQUEST);

    let long = post_local(
        &app,
        "/tokenize",
        &json!({"model": "v", "prompt": "x".repeat(51)}),
    )
    .await;
    assert_eq!(long.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", long.text);
    assert!(openai_message(&long).contains("at most 50"));
    let too_many = post_local(&app, "/vllm/v/detokenize", &json!({"tokens": vec![1; 51]})).await;
    assert_eq!(
        too_many.status,
        StatusCode::BAD_REQUEST,
        "{}",
        too_many.text
    );
    let huge = post_local(
        &app,
        "/vllm/v/tokenize",
        &json!({"prompt": "x".repeat(5000)}),
    )
    .await;
    assert_eq!(huge.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", huge.text);
    assert!(openai_message(&huge).contains("4096 bytes"));

    // The model's one slot is taken by a slow completion: its token routes wait like its other work.
    let slow = {
        let app = app.clone();
        tokio::spawn(async move {
            post_local(&app, "/vllm/v/v1/completions", &scoring(json!("To be or"))).await
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let busy = post_local(&app, "/vllm/v/tokenize", &json!({"prompt": "a"})).await;
    assert_eq!(
        busy.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        busy.text
    );
    assert_eq!(busy.headers["retry-after"], "1");
    assert_eq!(slow.await.unwrap().status, StatusCode::OK);
    let free = post_local(&app, "/vllm/v/tokenize", &json!({"prompt": "a"})).await;
    assert_eq!(free.status, StatusCode::OK, "{}", free.text);
}
