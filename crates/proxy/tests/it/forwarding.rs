//! Forwarding over real HTTP: fake upstreams on `127.0.0.1:0` answer in each real dialect (Cohere,
//! vLLM with `prompt_logprobs`, Together- and Fireworks-style echo, TGI `details.prefill`), and the
//! proxy must send each the right request and turn each answer into the same Cohere-shaped answer.

use crate::common;
use crate::common::{
    app_from, fake_upstream, generate, one_model, one_upstream, score_alone, scoring, Reply,
};
use axum::http::StatusCode;
use likely_core::{prompt_scores, GenerateResponse};
use serde_json::{json, Value};

/// Cohere v1 `/generate`, `return_likelihoods: "ALL"`, `max_tokens: 1`. The backend's unit tests read the same file.
const COHERE: &str = include_str!("../fixtures/cohere_generate.json");

/// vLLM `/v1/completions` with `echo`, `logprobs: 1`, `prompt_logprobs: 1` (Llama 3: a BOS first), to
/// `{"prompt": "To be or", "max_tokens": 1}`; the backend's unit tests read the same file.
const VLLM: &str = include_str!("../fixtures/vllm_completions.json");

/// Together `/v1/completions` with `echo`: the prompt's log-probabilities in a top-level `prompt`. The backend's unit tests read the same file.
const TOGETHER: &str = include_str!("../fixtures/together_completions.json");

/// Fireworks (OpenAI's legacy shape) with `echo`: prompt and generated tokens in one list.
const FIREWORKS: &str = r#"{
    "id": "cmpl-2b7f0e9c1d4a",
    "object": "text_completion",
    "created": 1717000000,
    "model": "accounts/fireworks/models/llama-v3p1-8b-instruct",
    "choices": [{
        "index": 0,
        "text": "To be or not",
        "logprobs": {
            "tokens": ["To", " be", " or", " not"],
            "token_logprobs": [null, -2.1, -4.2, -0.3],
            "top_logprobs": [null, {" be": -2.1}, {",": -1.0}, {" not": -0.3}],
            "text_offset": [0, 2, 5, 8]
        },
        "finish_reason": "length"
    }],
    "usage": {"prompt_tokens": 3, "total_tokens": 4, "completion_tokens": 1}
}"#;

/// TGI `/generate` with `details` and `decoder_input_details` (Llama 2: `<s>` first). The backend's unit tests read the same file.
const TGI: &str = include_str!("../fixtures/tgi_generate.json");

/// The checks every normalised answer to `scoring(_, "To be or")` passes.
fn assert_normalised(answer: &Value) -> GenerateResponse {
    let parsed: GenerateResponse = serde_json::from_value(answer.clone()).unwrap();
    let generation = &parsed.generations[0];
    let tokens = generation.token_likelihoods.as_ref().unwrap();
    let texts: Vec<_> = tokens.iter().map(|t| t.token.as_str()).collect();
    assert_eq!(texts, ["To", " be", " or", " not"], "{answer}");
    assert!(answer["generations"][0]["token_likelihoods"][0]
        .get("likelihood")
        .is_none());
    assert_eq!(tokens[1].likelihood, Some(-2.1));
    assert_eq!(tokens[2].likelihood, Some(-4.2));
    assert_eq!(tokens[3].likelihood, Some(-0.3));
    assert_eq!(generation.text, " not");
    assert_eq!(answer["meta"]["billed_units"]["input_tokens"], 3);
    let scores = prompt_scores("To be or", &parsed).unwrap();
    assert_eq!(
        scores.len(),
        3,
        "the page finds exactly the prompt's tokens"
    );
    parsed
}

#[tokio::test]
async fn cohere_gets_the_upstream_id_raw_prompting_and_the_key() {
    let (upstream, app) = one_upstream(
        "c",
        "cohere",
        COHERE,
        "api_key_env = \"CO_KEY\"",
        &[("CO_KEY", "co-test-key-1")],
    )
    .await;
    let answer = generate(&app, scoring("c", "To be or")).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_normalised(&answer.json());
    let seen = upstream.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].path, "/v1/generate");
    assert_eq!(seen[0].headers["authorization"], "Bearer co-test-key-1");
    let body = &seen[0].body;
    assert_eq!(body["model"], "upstream-id");
    assert_eq!(body["raw_prompting"], true);
    assert_eq!(body["return_likelihoods"], "ALL");
    assert_eq!(body["prompt"], "To be or");
    assert_eq!(body["max_tokens"], 1);
}

#[tokio::test]
async fn vllm_gets_prompt_logprobs_and_ranks_come_back() {
    let upstream = fake_upstream(|_| Reply::ok(VLLM)).await;
    let config = one_model(
        "v",
        "openai-completions",
        &format!("{}/v1", upstream.base_url),
        "flavor = \"vllm\"",
    );
    let app = app_from(&config, &[]);
    let answer = generate(&app, scoring("v", "To be or")).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let parsed = assert_normalised(&answer.json());
    let tokens = parsed.generations[0].token_likelihoods.as_ref().unwrap();
    assert_eq!(tokens[1].rank, Some(1));
    assert_eq!(tokens[2].rank, Some(3));
    let top = &tokens[2].top_tokens.as_ref().unwrap()[0];
    assert_eq!((top.token.as_str(), top.likelihood), (",", -1.0));
    let seen = upstream.requests();
    assert_eq!(seen[0].path, "/v1/completions");
    assert!(
        seen[0].headers.get("authorization").is_none(),
        "no key configured, none sent"
    );
    let body = &seen[0].body;
    assert_eq!(body["model"], "upstream-id");
    assert_eq!(body["echo"], true);
    assert_eq!(body["logprobs"], 1);
    assert_eq!(body["prompt_logprobs"], 1);
    assert_eq!(body["max_tokens"], 1);
    assert_eq!(body["top_p"], 0.75);
}

#[tokio::test]
async fn together_style_prompt_logprobs_are_read() {
    let (upstream, app) = one_upstream(
        "t",
        "openai-completions",
        TOGETHER,
        "flavor = \"together\"",
        &[],
    )
    .await;
    let answer = generate(&app, scoring("t", "To be or")).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_normalised(&answer.json());
    let body = &upstream.requests()[0].body;
    assert!(
        body.get("prompt_logprobs").is_none(),
        "only vLLM gets prompt_logprobs"
    );
}

#[tokio::test]
async fn fireworks_style_echo_is_split_at_the_prompt() {
    let (_upstream, app) = one_upstream("f", "openai-completions", FIREWORKS, "", &[]).await;
    let answer = generate(&app, scoring("f", "To be or")).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let parsed = assert_normalised(&answer.json());
    let tokens = parsed.generations[0].token_likelihoods.as_ref().unwrap();
    assert_eq!(tokens[2].top_tokens.as_ref().unwrap()[0].token, ",");
}

#[tokio::test]
async fn scoring_alone_drops_the_generated_token_a_generic_server_must_make() {
    let (upstream, app) = one_upstream("f", "openai-completions", FIREWORKS, "", &[]).await;
    let json = score_alone(&app, "f", "To be or", 3).await;
    assert_eq!(json["generations"][0]["text"], "");
    assert_eq!(upstream.requests()[0].body["max_tokens"], 1);
}

#[tokio::test]
async fn tgi_gets_decoder_input_details_and_prefill_comes_back() {
    let (upstream, app) = one_upstream("g", "tgi", TGI, "", &[]).await;
    let answer = generate(&app, scoring("g", "To be or")).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let parsed = assert_normalised(&answer.json());
    let tokens = parsed.generations[0].token_likelihoods.as_ref().unwrap();
    let ids: Vec<_> = tokens.iter().map(|t| t.id).collect();
    assert_eq!(ids, [Some(1763), Some(367), Some(470), Some(451)]);
    let seen = upstream.requests();
    assert_eq!(seen[0].path, "/generate");
    let body = &seen[0].body;
    assert_eq!(body["inputs"], "To be or");
    assert_eq!(body["parameters"]["details"], true);
    assert_eq!(body["parameters"]["decoder_input_details"], true);
    assert_eq!(body["parameters"]["max_new_tokens"], 1);
}

#[tokio::test]
async fn upstream_errors_keep_a_status_the_page_can_act_on() {
    struct Case {
        backend: &'static str,
        reply: fn() -> Reply,
        status: u16,
        says: &'static str,
        retry_after: Option<&'static str>,
    }
    let cases = [
        Case {
            backend: "cohere",
            reply: || Reply::status(400, r#"{"message":"invalid request: prompt is too long"}"#),
            status: 400,
            says: "prompt is too long",
            retry_after: None,
        },
        Case {
            backend: "cohere",
            reply: || Reply::status(401, r#"{"message":"invalid api token"}"#),
            status: 401,
            says: "invalid api token",
            retry_after: None,
        },
        Case {
            backend: "cohere",
            reply: || {
                Reply::status(
                    429,
                    r#"{"message":"You are using a Trial key, which is limited to 10 API calls / minute."}"#,
                )
                .header("retry-after", "30")
            },
            status: 429,
            says: "Trial key",
            retry_after: Some("30"),
        },
        Case {
            backend: "openai-completions",
            reply: || {
                Reply::status(
                    400,
                    r#"{"error":{"message":"This model's maximum context length is 4096 tokens.","type":"BadRequestError","param":null,"code":400}}"#,
                )
            },
            status: 400,
            says: "maximum context length",
            retry_after: None,
        },
        Case {
            backend: "openai-completions",
            reply: || {
                Reply::status(
                    403,
                    r#"{"error":{"message":"Forbidden","type":"invalid_request_error","code":null}}"#,
                )
            },
            status: 403,
            says: "rejected the key",
            retry_after: None,
        },
        Case {
            backend: "tgi",
            reply: || {
                Reply::status(
                    422,
                    r#"{"error":"Input validation error: `inputs` tokens + `max_new_tokens` must be <= 4096. Given: 4000 `inputs` tokens and 200 `max_new_tokens`","error_type":"validation"}"#,
                )
            },
            status: 422,
            says: "Input validation error",
            retry_after: None,
        },
        Case {
            backend: "tgi",
            reply: || {
                Reply::status(
                    429,
                    r#"{"error":"Model is overloaded","error_type":"overloaded"}"#,
                )
                .header("retry-after", "5")
            },
            status: 429,
            says: "overloaded",
            retry_after: Some("5"),
        },
        Case {
            backend: "tgi",
            reply: || {
                Reply::status(
                    424,
                    r#"{"error":"Request failed during generation: CUDA out of memory","error_type":"generation"}"#,
                )
            },
            status: 502,
            says: "CUDA out of memory",
            retry_after: None,
        },
        Case {
            backend: "openai-completions",
            reply: || {
                Reply::status(
                    500,
                    r#"{"object":"error","message":"Internal Server Error","type":"InternalServerError"}"#,
                )
            },
            status: 502,
            says: "Internal Server Error",
            retry_after: None,
        },
        Case {
            backend: "cohere",
            reply: || {
                Reply::status(503, r#"{"message":"service unavailable"}"#)
                    .header("retry-after", "12")
            },
            status: 503,
            says: "unavailable",
            retry_after: Some("12"),
        },
        Case {
            backend: "cohere",
            reply: || Reply::ok(r#"{"id":"x","generations":"#),
            status: 502,
            says: "not a valid Cohere generate answer",
            retry_after: None,
        },
        Case {
            backend: "openai-completions",
            reply: || Reply::ok(r#"{"id":"x","choices":[]}"#),
            status: 502,
            says: "no choices",
            retry_after: None,
        },
        Case {
            backend: "openai-completions",
            reply: || {
                Reply::ok(
                    r#"{"choices":[{"index":0,"text":"To be or","logprobs":{"tokens":["To"],"token_logprobs":[null,-1.0]}}]}"#,
                )
            },
            status: 502,
            says: "different lengths",
            retry_after: None,
        },
        Case {
            backend: "cohere",
            reply: || {
                Reply::ok(
                    r#"{"id":"x","generations":[{"id":"g","text":" not","token_likelihoods":[{"token":"To"},{"token":" be","likelihood":-1e308},{"token":" or","likelihood":-4.2}]}]}"#,
                )
            },
            status: 502,
            says: "not a plausible log-likelihood",
            retry_after: None,
        },
        Case {
            backend: "openai-completions",
            reply: || {
                Reply::ok(
                    r#"{"choices":[{"index":0,"text":"To be or","logprobs":{"tokens":["To"," be"," or"],"token_logprobs":[null,-2.1,-1e300],"top_logprobs":[null,{" be":-2.1},{",":-1e300}]}}]}"#,
                )
            },
            status: 502,
            says: "not a plausible log-likelihood",
            retry_after: None,
        },
        Case {
            backend: "tgi",
            reply: || Reply::ok(r#"{"generated_text":" not"}"#),
            status: 502,
            says: "no `details`",
            retry_after: None,
        },
        Case {
            backend: "tgi",
            reply: || Reply::ok("<html>502 Bad Gateway</html>"),
            status: 502,
            says: "not a valid TGI generate answer",
            retry_after: None,
        },
    ];
    for case in cases {
        let reply = case.reply;
        let upstream = fake_upstream(move |_| reply()).await;
        let config = one_model("m", case.backend, &upstream.base_url, "api_key_env = \"K\"");
        let app = app_from(&config, &[("K", "key-value-7f3a9")]);
        let answer = generate(&app, scoring("m", "To be or")).await;
        let context = format!(
            "{} answering {}: {}",
            case.backend, case.status, answer.text
        );
        assert_eq!(answer.status.as_u16(), case.status, "{context}");
        assert!(answer.message().contains(case.says), "{context}");
        assert!(!answer.text.contains("key-value-7f3a9"), "{context}");
        assert!(!answer.text.contains(&upstream.base_url), "{context}");
        assert_eq!(
            answer
                .headers
                .get("retry-after")
                .map(|v| v.to_str().unwrap()),
            case.retry_after,
            "{context}"
        );
    }
}

#[tokio::test]
async fn an_unreachable_upstream_is_a_502_and_a_slow_one_a_504() {
    let (address, _) = common::forbidden_host().await;
    // The forbidden host accepts and closes at once: the exchange fails.
    let config = one_model("m", "cohere", &format!("http://{address}"), "");
    let answer = generate(&app_from(&config, &[]), scoring("m", "To be or")).await;
    assert_eq!(answer.status, StatusCode::BAD_GATEWAY, "{}", answer.text);
    assert!(!answer.text.contains(&address), "{}", answer.text);

    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let config = one_model("m", "tgi", &format!("http://{closed}"), "");
    let answer = generate(&app_from(&config, &[]), scoring("m", "To be or")).await;
    assert_eq!(answer.status, StatusCode::BAD_GATEWAY, "{}", answer.text);
    assert!(
        answer.message().contains("cannot connect"),
        "{}",
        answer.text
    );

    let slow = fake_upstream(|_| Reply::ok(TGI).after(std::time::Duration::from_secs(3))).await;
    let config = one_model("m", "tgi", &slow.base_url, "timeout_secs = 1");
    let answer = generate(&app_from(&config, &[]), scoring("m", "To be or")).await;
    assert_eq!(
        answer.status,
        StatusCode::GATEWAY_TIMEOUT,
        "{}",
        answer.text
    );
}

#[tokio::test]
async fn tgi_makes_one_call_per_generation_with_distinct_seeds() {
    let (upstream, app) = one_upstream("g", "tgi", TGI, "", &[]).await;
    let mut request = scoring("g", "To be or");
    request["num_generations"] = json!(2);
    request["seed"] = json!(7);
    let answer = generate(&app, request).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.json()["generations"].as_array().unwrap().len(), 2);
    let seeds: Vec<Value> = upstream
        .requests()
        .iter()
        .map(|seen| seen.body["parameters"]["seed"].clone())
        .collect();
    assert_eq!(seeds, [json!(7), json!(8)]);
}
