//! The `sglang` backend over real HTTP: a fake SGLang server on `127.0.0.1:0` answers native
//! `/generate` in SGLang's real shape (fixtures in `tests/fixtures/`) and with its real error bodies,
//! and the proxy must send the right request and return the same Cohere-shaped answer as every backend.

use crate::common::{
    app_from, fake_upstream, generate, one_model, one_upstream, score_alone, scoring, Reply,
};
use axum::http::StatusCode;
use likely_core::{prompt_scores, GenerateResponse};
use serde_json::json;

const ANSWER: &str = include_str!("../fixtures/sglang_generate.json");
const SCORING_ONLY: &str = include_str!("../fixtures/sglang_generate_scoring_only.json");
const CONTEXT_LENGTH_ERROR: &str = include_str!("../fixtures/sglang_error_context_length.json");
const OPENAI_SHAPED_ERROR: &str = include_str!("../fixtures/sglang_error_openai_shape.json");
const WITHOUT_LOGPROBS: &str = include_str!("../fixtures/sglang_answer_without_logprobs.json");

#[tokio::test]
async fn sglang_gets_its_native_request_and_prompt_scores_come_back_with_ids() {
    let (upstream, app) = one_upstream("s", "sglang", ANSWER, "", &[]).await;
    let answer = generate(&app, scoring("s", "To be or")).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let parsed: GenerateResponse = serde_json::from_value(answer.json()).unwrap();
    let tokens = parsed.generations[0].token_likelihoods.as_ref().unwrap();
    let texts: Vec<_> = tokens.iter().map(|t| t.token.as_str()).collect();
    assert_eq!(texts, ["To", " be", " or", " not"]);
    let likelihoods: Vec<_> = tokens.iter().map(|t| t.likelihood).collect();
    assert_eq!(likelihoods, [None, Some(-2.1), Some(-4.2), Some(-0.3)]);
    let ids: Vec<_> = tokens.iter().map(|t| t.id).collect();
    assert_eq!(ids, [Some(1271), Some(387), Some(477), Some(539)]);
    let top = &tokens[2].top_tokens.as_ref().unwrap()[0];
    assert_eq!((top.token.as_str(), top.likelihood), (",", -1.0));
    assert_eq!(parsed.generations[0].text, " not");
    let scores = prompt_scores("To be or", &parsed).unwrap();
    assert_eq!(
        scores.len(),
        3,
        "the page finds exactly the prompt's tokens"
    );
    assert_eq!(scores[1].is_top_choice(), Some(true));
    assert_eq!(scores[2].is_top_choice(), Some(false));
    assert_eq!(scores[2].id, Some(477));

    let seen = upstream.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].path, "/generate");
    assert_eq!(
        seen[0].body,
        json!({
            "text": "To be or",
            "sampling_params": {"max_new_tokens": 1, "temperature": 1.0, "top_p": 0.75},
            "return_logprob": true,
            "logprob_start_len": 0,
            "top_logprobs_num": 1,
            "return_text_in_logprobs": true
        })
    );
}

#[tokio::test]
async fn sglang_scores_without_generating() {
    let (upstream, app) = one_upstream(
        "s",
        "sglang",
        SCORING_ONLY,
        "api_key_env = \"SG_KEY\"",
        &[("SG_KEY", "sg-key-31415")],
    )
    .await;
    let json = score_alone(&app, "s", "To be or", 3).await;
    assert_eq!(json["meta"]["billed_units"]["output_tokens"], 0);
    let seen = upstream.requests();
    assert_eq!(seen[0].body["sampling_params"]["max_new_tokens"], 0);
    assert_eq!(seen[0].headers["authorization"], "Bearer sg-key-31415");
}

#[tokio::test]
async fn sglang_errors_are_quoted_with_a_status_the_page_can_act_on() {
    let cases: [(u16, &'static str, u16, &str); 4] = [
        (
            400,
            CONTEXT_LENGTH_ERROR,
            400,
            "longer than the model's context length",
        ),
        (400, OPENAI_SHAPED_ERROR, 400, "top_k must be -1"),
        (200, WITHOUT_LOGPROBS, 502, "input_token_logprobs"),
        (
            200,
            r#"{"text": "x"}"#,
            502,
            "not a valid SGLang generate answer",
        ),
    ];
    for (status, body, expected, says) in cases {
        let upstream = fake_upstream(move |_| Reply::status(status, body)).await;
        let config = one_model("s", "sglang", &upstream.base_url, "");
        let answer = generate(&app_from(&config, &[]), scoring("s", "To be or")).await;
        assert_eq!(answer.status.as_u16(), expected, "{}", answer.text);
        assert!(answer.message().contains(says), "{}", answer.text);
        assert!(!answer.text.contains(&upstream.base_url), "{}", answer.text);
    }
}

#[tokio::test]
async fn sglang_makes_one_call_per_generation() {
    let upstream = fake_upstream(|_| Reply::ok(ANSWER)).await;
    let config = one_model("s", "sglang", &upstream.base_url, "");
    let mut request = scoring("s", "To be or");
    request["num_generations"] = json!(3);
    let answer = generate(&app_from(&config, &[]), request).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.json()["generations"].as_array().unwrap().len(), 3);
    assert_eq!(upstream.requests().len(), 3);
}
