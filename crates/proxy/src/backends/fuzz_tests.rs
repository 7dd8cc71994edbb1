//! Property-based fuzzing (proptest) of the upstream answer readers of every dialect (Cohere,
//! OpenAI-style completions, TGI, SGLang): random JSON trees built from the dialects' field names, and
//! each real fixture with one value replaced by a random one, read as the backend reads an answer
//! (`serde_json` into its answer type, then its normalisation). The property: a 502 or an answer whose
//! likelihoods are all finite log-probabilities, never a panic. `PROPTEST_CASES=100000 cargo test -p
//! likely-proxy --lib fuzz` runs longer than the default.

use super::normalise::build_response;
use super::{cohere, openai, sglang, tgi};
use likely_core::{GenerateResponse, ReturnLikelihoods};
use proptest::prelude::*;
use serde_json::Value;

const FIXTURES: [(&str, &str); 4] = [
    (
        "cohere",
        include_str!("../../tests/fixtures/cohere_generate.json"),
    ),
    (
        "openai",
        include_str!("../../tests/fixtures/vllm_completions.json"),
    ),
    (
        "tgi",
        include_str!("../../tests/fixtures/tgi_generate.json"),
    ),
    (
        "sglang",
        include_str!("../../tests/fixtures/sglang_generate.json"),
    ),
];

const KEYS: &[&str] = &[
    "id",
    "generations",
    "text",
    "likelihood",
    "token_likelihoods",
    "token",
    "finish_reason",
    "meta",
    "billed_units",
    "input_tokens",
    "output_tokens",
    "choices",
    "index",
    "logprobs",
    "tokens",
    "token_logprobs",
    "top_logprobs",
    "text_offset",
    "prompt_logprobs",
    "prompt",
    "details",
    "prefill",
    "logprob",
    "special",
    "generated_text",
    "meta_info",
    "input_token_logprobs",
    "input_top_logprobs",
    "output_token_logprobs",
    "output_top_logprobs",
    "rank",
    "usage",
    "prompt_tokens",
    "completion_tokens",
    "top_tokens",
    "generated_tokens",
];

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        prop_oneof![
            Just(-1e308),
            Just(1e308),
            Just(-0.0),
            Just(0.5),
            Just(-2.1),
            -1e3f64..1e3
        ]
        .prop_map(Value::from),
        prop_oneof![
            Just("To".to_string()),
            Just(" be".to_string()),
            Just(" or".to_string()),
            Just("<s>".to_string()),
            ".{0,6}"
        ]
        .prop_map(Value::from),
    ]
}

fn tree() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::from),
            proptest::collection::vec((proptest::sample::select(KEYS), inner), 0..6).prop_map(
                |pairs| Value::Object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            ),
        ]
    })
}

/// `value` with its `n`-th node (pre-order, modulo the count) replaced by `with`.
fn replace_nth(value: &mut Value, n: usize, with: Value) -> Value {
    fn count(v: &Value) -> usize {
        1 + match v {
            Value::Array(items) => items.iter().map(count).sum(),
            Value::Object(map) => map.values().map(count).sum(),
            _ => 0,
        }
    }
    fn visit(v: &mut Value, n: &mut usize, with: &mut Option<Value>) {
        if *n == 0 {
            if let Some(w) = with.take() {
                *v = w;
            }
            return;
        }
        *n -= 1;
        match v {
            Value::Array(items) => items.iter_mut().for_each(|i| visit(i, n, with)),
            Value::Object(map) => map.values_mut().for_each(|i| visit(i, n, with)),
            _ => {}
        }
    }
    let mut n = n % count(value);
    visit(value, &mut n, &mut Some(with));
    value.clone()
}

/// Reads `answer` as `dialect` does, for the prompt "To be or".
fn read(dialect: &str, answer: &Value, mode: ReturnLikelihoods) -> Option<GenerateResponse> {
    let prompt = "To be or";
    let value = answer.clone();
    let read = match dialect {
        "cohere" => {
            cohere::normalise_answer("m", prompt, mode, serde_json::from_value(value).ok()?)
        }
        "openai" => {
            openai::normalise_answer("m", prompt, mode, serde_json::from_value(value).ok()?, true)
        }
        "tgi" => tgi::to_raw("m", mode, serde_json::from_value(value).ok()?, true)
            .and_then(|raw| build_response("m", prompt, mode, vec![raw])),
        _ => sglang::to_raw("m", mode, serde_json::from_value(value).ok()?)
            .and_then(|raw| build_response("m", prompt, mode, vec![raw])),
    };
    read.ok()
}

fn assert_plausible(answer: &GenerateResponse) {
    for generation in &answer.generations {
        for token in generation.token_likelihoods.iter().flatten() {
            if let Some(l) = token.likelihood {
                assert!(l.is_finite() && l <= 0.0, "{l}");
            }
        }
    }
}

proptest! {
    #[test]
    fn any_json_is_refused_or_read(answer in tree(), mode in prop_oneof![Just(ReturnLikelihoods::All), Just(ReturnLikelihoods::Generation)]) {
        for (dialect, _) in FIXTURES {
            if let Some(read) = read(dialect, &answer, mode) {
                assert_plausible(&read);
            }
        }
    }

    #[test]
    fn fixtures_with_a_value_replaced_are_refused_or_read(at in any::<usize>(), with in tree()) {
        for (dialect, fixture) in FIXTURES {
            let mut value: Value = serde_json::from_str(fixture).unwrap();
            let mutated = replace_nth(&mut value, at, with.clone());
            if let Some(read) = read(dialect, &mutated, ReturnLikelihoods::All) {
                assert_plausible(&read);
            }
        }
    }
}
