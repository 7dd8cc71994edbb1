//! `POST /v1/completions` over real HTTP on loopback, driven the way lm-evaluation-harness's
//! `local-completions` model scores log-likelihoods: a batch of context+continuation prompts with
//! `echo: true`, `logprobs: 1`, `max_tokens: 0`; then, per choice, the continuation's tokens are the
//! ones whose `text_offset` is at or past the context's length, their `token_logprobs` summed and
//! compared with `top_logprobs` for greediness. Against the real embedded models (trained once into
//! `LIKELY_DATA_DIR`), and against a fake SGLang server, which shows remote backends answer the same.

use crate::common;
use crate::common::{fake_upstream, one_model, state_from, Reply};
use likely_core::{prompt_scores, GenerateResponse};
use likely_proxy::config::Config;
use likely_proxy::setup::build_table;
use likely_proxy::AppState;
use serde_json::{json, Value};

async fn embedded_server() -> String {
    let catalog = tokio::task::spawn_blocking(common::embedded_catalog)
        .await
        .unwrap();
    let table = build_table(&Config::embedded_only(), &|_| None, Some(&catalog)).unwrap();
    common::serve_state(AppState::new(table)).await
}

async fn post(base: &str, path: &str, body: &Value) -> (u16, Value) {
    likely_proxy::backends::upstream::install_crypto_provider();
    let response = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

/// What lm-evaluation-harness computes per request from one choice: the continuation's summed
/// log-likelihood and whether every continuation token was the model's top choice.
fn loglikelihood(choice: &Value, context: &str, prompt: &str) -> (f64, bool, usize) {
    let logprobs = &choice["logprobs"];
    let offsets: Vec<usize> = serde_json::from_value(logprobs["text_offset"].clone()).unwrap();
    let context_chars = context.chars().count();
    let prompt_chars = prompt.chars().count();
    let mut sum = 0.0;
    let mut greedy = true;
    let mut count = 0;
    for (index, &offset) in offsets.iter().enumerate() {
        if offset < context_chars || offset >= prompt_chars {
            continue;
        }
        let logprob = logprobs["token_logprobs"][index].as_f64().unwrap();
        let best = logprobs["top_logprobs"][index]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_f64().unwrap())
            .fold(f64::NEG_INFINITY, f64::max);
        greedy &= logprob >= best - 1e-9;
        sum += logprob;
        count += 1;
    }
    (sum, greedy, count)
}

const REQUESTS: [(&str, &str); 3] = [
    ("To be, or not to", " be"),
    (
        "Now is the winter of our",
        " discontent made glorious summer",
    ),
    ("The cat sat on the", " mat, and the dog lay by the door."),
];

#[tokio::test]
async fn lm_eval_style_scoring_matches_the_generate_api() {
    let base = embedded_server().await;
    for model in ["base-light", "custom-base-light"] {
        let prompts: Vec<String> = REQUESTS.iter().map(|(c, x)| format!("{c}{x}")).collect();
        let (status, answer) = post(
            &base,
            "/v1/completions",
            &json!({"model": model, "prompt": prompts, "echo": true, "logprobs": 1,
                    "max_tokens": 0, "temperature": 0.0, "seed": 1234}),
        )
        .await;
        assert_eq!(status, 200, "{answer}");
        assert_eq!(answer["object"], "text_completion");
        assert_eq!(answer["model"], model);
        let choices = answer["choices"].as_array().unwrap();
        assert_eq!(choices.len(), REQUESTS.len());
        let mut prompt_tokens = 0;
        for (index, ((context, _), prompt)) in REQUESTS.iter().zip(&prompts).enumerate() {
            let choice = &choices[index];
            assert_eq!(choice["index"], index);
            assert_eq!(choice["text"], prompt.as_str(), "echo repeats the prompt");
            assert_eq!(choice["finish_reason"], "length");
            let logprobs = &choice["logprobs"];
            assert!(logprobs["token_logprobs"][0].is_null());
            assert!(logprobs["top_logprobs"][0].is_null());
            let tokens: Vec<String> = serde_json::from_value(logprobs["tokens"].clone()).unwrap();
            assert_eq!(tokens.concat(), *prompt, "the tokens spell the prompt");
            for top in logprobs["top_logprobs"].as_array().unwrap()[1..].iter() {
                assert_eq!(
                    top.as_object().unwrap().len(),
                    1,
                    "the top-1 token, no more"
                );
            }
            prompt_tokens += tokens.len();

            let (sum, greedy, count) = loglikelihood(choice, context, prompt);
            assert!(
                count >= 1 && sum < 0.0,
                "{model} {index}: {sum} over {count}"
            );

            // The same text through /v1/generate: the same tokens, the same numbers.
            let (status, generated) = post(
                &base,
                "/v1/generate",
                &json!({"model": model, "prompt": prompt, "max_tokens": 0,
                        "return_likelihoods": "ALL"}),
            )
            .await;
            assert_eq!(status, 200, "{generated}");
            let generated: GenerateResponse = serde_json::from_value(generated).unwrap();
            let scores = prompt_scores(prompt, &generated).unwrap();
            assert_eq!(scores.len(), tokens.len());
            let continuation: f64 = scores[scores.len() - count..]
                .iter()
                .map(|t| t.logprob.unwrap())
                .sum();
            assert!((continuation - sum).abs() < 1e-9, "{continuation} vs {sum}");
            let all: f64 = scores.iter().filter_map(|t| t.logprob).sum();
            let listed: f64 = logprobs["token_logprobs"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(Value::as_f64)
                .sum();
            assert!((all - listed).abs() < 1e-9, "{all} vs {listed}");
            let top_greedy = scores[scores.len() - count..]
                .iter()
                .all(|t| t.is_top_choice() == Some(true));
            assert_eq!(greedy, top_greedy);
        }
        assert_eq!(answer["usage"]["prompt_tokens"], prompt_tokens);
        assert_eq!(answer["usage"]["completion_tokens"], 0);
    }
}

#[tokio::test]
async fn lm_eval_s_own_payload_generates_one_token_it_then_drops() {
    // lm-evaluation-harness's local-completions sends max_tokens 1 and drops the last token.
    let base = embedded_server().await;
    let (context, continuation) = REQUESTS[0];
    let prompt = format!("{context}{continuation}");
    let body = json!({"model": "base-light", "prompt": [prompt], "echo": true, "logprobs": 1,
                      "max_tokens": 1, "temperature": 0.0, "seed": 1234});
    let (status, answer) = post(&base, "/v1/completions", &body).await;
    assert_eq!(status, 200, "{answer}");
    let choice = &answer["choices"][0];
    let tokens = choice["logprobs"]["tokens"].as_array().unwrap();
    assert_eq!(answer["usage"]["completion_tokens"], 1);
    assert_eq!(
        tokens.len(),
        answer["usage"]["total_tokens"].as_u64().unwrap() as usize
    );
    assert!(choice["text"].as_str().unwrap().starts_with(&prompt));
    let generated = choice["logprobs"]["text_offset"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        generated,
        prompt.chars().count(),
        "the generated token starts after the prompt"
    );
    let (with_generation, _, _) = loglikelihood(choice, context, &prompt);
    let (status, scored) = post(
        &base,
        "/v1/completions",
        &json!({"model": "base-light", "prompt": prompt, "echo": true, "logprobs": 1, "max_tokens": 0}),
    )
    .await;
    assert_eq!(status, 200, "{scored}");
    let (scoring_only, _, _) = loglikelihood(&scored["choices"][0], context, &prompt);
    assert!((with_generation - scoring_only).abs() < 1e-9);
}

#[tokio::test]
async fn errors_come_in_openai_s_shape() {
    let base = embedded_server().await;
    let cases = [
        (
            json!({"model": "nope", "prompt": "a", "echo": true, "logprobs": 1, "max_tokens": 0}),
            404,
            "unknown model",
        ),
        (
            json!({"model": "base-light", "prompt": [[464, 99_999]], "echo": true, "max_tokens": 0}),
            400,
            "token id 99999 (position 1 of the prompt) is outside",
        ),
        (
            json!({"model": "base-light", "prompt": "a", "n": 2}),
            400,
            "`n`",
        ),
        (json!({"model": "base-light", "prompt": ""}), 400, "empty"),
        (json!({"prompt": "a"}), 422, "model"),
    ];
    for (body, status, says) in cases {
        let (got, answer) = post(&base, "/v1/completions", &body).await;
        assert_eq!(got, status, "{body}: {answer}");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(message.contains(says), "{body}: {message}");
        assert_eq!(answer["error"]["code"], status);
        assert!(answer["error"]["type"].is_string());
    }
}

#[tokio::test]
async fn a_remote_backend_answers_in_the_same_shape() {
    let upstream = fake_upstream(|_| {
        Reply::ok(include_str!(
            "../fixtures/sglang_generate_scoring_only.json"
        ))
    })
    .await;
    let base = common::serve_state(state_from(
        &one_model("s", "sglang", &upstream.base_url, ""),
        &[],
    ))
    .await;
    let (status, answer) = post(
        &base,
        "/v1/completions",
        &json!({"model": "s", "prompt": "To be or", "echo": true, "logprobs": 5, "max_tokens": 0}),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    let logprobs = &answer["choices"][0]["logprobs"];
    assert_eq!(logprobs["tokens"], json!(["To", " be", " or"]));
    assert_eq!(logprobs["token_logprobs"], json!([null, -2.1, -4.2]));
    assert_eq!(
        logprobs["top_logprobs"],
        json!([null, {" be": -2.1}, {",": -1.0}])
    );
    assert_eq!(logprobs["text_offset"], json!([0, 2, 5]));
    assert_eq!(
        upstream.requests()[0].body["sampling_params"]["max_new_tokens"],
        0
    );

    let failing = fake_upstream(|_| {
        Reply::status(
            400,
            include_str!("../fixtures/sglang_error_context_length.json"),
        )
    })
    .await;
    let base = common::serve_state(state_from(
        &one_model("s", "sglang", &failing.base_url, ""),
        &[],
    ))
    .await;
    let (status, answer) = post(
        &base,
        "/v1/completions",
        &json!({"model": "s", "prompt": "x", "max_tokens": 0}),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(answer["error"]["type"], "invalid_request_error");
    assert!(answer["error"]["message"]
        .as_str()
        .unwrap()
        .contains("context length"));
}
