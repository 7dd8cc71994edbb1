//! The embedded backend through the router, with a tiny n-gram model trained here from a few lines
//! (the real embedded models take a minute to train and are tested by their own crate).

use crate::common::{generate, get, scoring};
use axum::http::StatusCode;
use likely_core::{prompt_scores, GenerateResponse};
use likely_ngram::{train_model, Tokenizer, Vocab};
use likely_proxy::backends::EmbeddedCatalog;
use likely_proxy::config::Config;
use likely_proxy::setup::build_table;
use likely_proxy::{app, AppState};
use serde_json::json;
use std::sync::Arc;

const TEXT: &[&str] = &[
    "To be, or not to be, that is the question.",
    "Whether 'tis nobler in the mind to suffer the slings and arrows of outrageous fortune,",
    "or to take arms against a sea of troubles, and by opposing end them.",
    "To die, to sleep; to sleep, perchance to dream.",
];

fn tiny_app(config: &str) -> axum::Router {
    let tokenizer = Tokenizer::gpt2().unwrap();
    let docs: Vec<Vec<u32>> = TEXT.iter().map(|line| tokenizer.encode(line)).collect();
    let (model, _) = train_model(&docs, Vocab::GPT2, 3).unwrap();
    let catalog = EmbeddedCatalog::new(tokenizer).with_model("tiny", Arc::new(model));
    let config = Config::parse(config, "test.toml").unwrap();
    let table = build_table(&config, &|_| None, Some(&catalog)).unwrap();
    app(AppState::new(table))
}

const CONFIG: &str = r#"
    [[models]]
    name = "tiny"
    backend = "embedded"

    [[models]]
    name = "tiny-again"
    backend = "embedded"
    upstream_model = "tiny"
    description = "the same model under another name"
"#;

#[tokio::test]
async fn scoring_lists_the_prompt_tokens_first_with_top_tokens() {
    let app = tiny_app(CONFIG);
    let prompt = "To be, or not to be";
    let answer = generate(&app, scoring("tiny", prompt)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let parsed: GenerateResponse = serde_json::from_value(answer.json()).unwrap();
    let tokens = parsed.generations[0].token_likelihoods.as_ref().unwrap();
    let prompt_count = Tokenizer::gpt2().unwrap().encode(prompt).len();
    assert_eq!(
        parsed
            .meta
            .as_ref()
            .unwrap()
            .billed_units
            .unwrap()
            .input_tokens,
        Some(prompt_count as u32)
    );
    assert_eq!(
        tokens.len(),
        prompt_count + 1,
        "the prompt's tokens, then one generated"
    );
    assert_eq!(tokens[0].likelihood, None);
    assert!(tokens[0].top_tokens.is_none());
    for token in &tokens[1..] {
        let likelihood = token.likelihood.unwrap();
        assert!(likelihood <= 0.0 && likelihood.is_finite());
    }
    assert!(tokens[1..prompt_count]
        .iter()
        .all(|t| t.top_tokens.as_ref().is_some_and(|top| top.len() == 1)));
    let scores = prompt_scores(prompt, &parsed).unwrap();
    assert_eq!(scores.len(), prompt_count);
    let text: String = scores.iter().map(|s| s.text.as_str()).collect();
    assert_eq!(text, prompt);
}

#[tokio::test]
async fn ranks_on_request_and_seeded_samples_repeat() {
    let app = tiny_app(CONFIG);
    let mut request = scoring("tiny-again", "To be, or not");
    request["return_ranks"] = json!(true);
    request["max_tokens"] = json!(5);
    request["seed"] = json!(11);
    let first = generate(&app, request.clone()).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text);
    let json = first.json();
    let tokens = json["generations"][0]["token_likelihoods"]
        .as_array()
        .unwrap();
    assert!(
        tokens[1]["rank"].as_u64().is_some_and(|rank| rank >= 1),
        "{json}"
    );
    let again = generate(&app, request).await.json();
    assert_eq!(
        json["generations"][0]["text"],
        again["generations"][0]["text"]
    );
}

#[tokio::test]
async fn the_model_list_describes_embedded_models() {
    let app = tiny_app(CONFIG);
    let models = get(&app, "/v1/models").await.json();
    let tiny = &models["models"][0];
    assert_eq!(tiny["name"], "tiny");
    assert_eq!(tiny["backend"], "embedded");
    assert_eq!(tiny["vocab_size"], 50257);
    assert_eq!(tiny["tokenizer"], "gpt2");
    assert_eq!(tiny["returns_top_token"], true);
    assert_eq!(
        models["models"][1]["description"],
        "the same model under another name"
    );
}

#[test]
fn an_unknown_embedded_name_lists_the_known_ones() {
    let catalog = EmbeddedCatalog::new(Tokenizer::gpt2().unwrap());
    let config = Config::parse(
        "[[models]]\nname = \"x\"\nbackend = \"embedded\"\nupstream_model = \"huge\"\n",
        "test.toml",
    )
    .unwrap();
    let error = build_table(
        &config,
        &|_| None,
        Some(&catalog.with_model("tiny", {
            let tokenizer = Tokenizer::gpt2().unwrap();
            let docs = vec![tokenizer.encode(TEXT[0])];
            Arc::new(train_model(&docs, Vocab::GPT2, 2).unwrap().0)
        })),
    )
    .unwrap_err()
    .to_string();
    assert!(
        error.contains("no embedded model `huge`") && error.contains("tiny"),
        "{error}"
    );
}

/// The playground's request: generated tokens only, sampled.
fn sampling(model: &str, prompt: &str, seed: Option<u64>) -> serde_json::Value {
    let mut request = json!({"model": model, "prompt": prompt, "max_tokens": 12,
        "temperature": 1.0, "k": 0, "p": 0.95, "return_likelihoods": "GENERATION"});
    if let Some(seed) = seed {
        request["seed"] = json!(seed);
    }
    request
}

async fn sampled(app: &axum::Router, request: serde_json::Value) -> GenerateResponse {
    let answer = generate(app, request).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    serde_json::from_value(answer.json()).unwrap()
}

#[tokio::test]
async fn generated_tokens_carry_the_top_1_alternative() {
    let app = tiny_app(CONFIG);
    let answer = sampled(&app, sampling("tiny", "To be, or", Some(4))).await;
    let generation = &answer.generations[0];
    let tokens = generation.token_likelihoods.as_ref().unwrap();
    assert!(!tokens.is_empty());
    let text: String = tokens.iter().map(|t| t.token.as_str()).collect();
    assert_eq!(text, generation.text);
    for token in tokens {
        let top = token.top_tokens.as_ref().expect("a top-1 token");
        assert_eq!(top.len(), 1);
        let likelihood = token.likelihood.unwrap();
        assert!(likelihood <= top[0].likelihood + 1e-12, "{token:?}");
    }
}

#[tokio::test]
async fn a_seed_repeats_the_text_and_other_seeds_or_none_give_new_samples() {
    let app = tiny_app(CONFIG);
    let prompt = "To sleep, perchance";
    let first = sampled(&app, sampling("tiny", prompt, Some(21))).await;
    let again = sampled(&app, sampling("tiny", prompt, Some(21))).await;
    assert_eq!(first.generations[0].text, again.generations[0].text);
    assert_eq!(
        first.generations[0].token_likelihoods,
        again.generations[0].token_likelihoods
    );
    let mut seeded = std::collections::BTreeSet::new();
    let mut unseeded = std::collections::BTreeSet::new();
    for seed in 0..12 {
        let answer = sampled(&app, sampling("tiny", prompt, Some(seed))).await;
        seeded.insert(answer.generations[0].text.clone());
        let answer = sampled(&app, sampling("tiny", prompt, None)).await;
        unseeded.insert(answer.generations[0].text.clone());
    }
    assert!(seeded.len() > 1, "different seeds, different samples");
    assert!(unseeded.len() > 1, "no seed, new samples each time");
}

#[tokio::test]
async fn stop_sequences_end_the_generation_before_them() {
    let app = tiny_app(CONFIG);
    // A seed whose sample is at least three tokens long (the tiny model often ends early).
    let mut found = None;
    for seed in 0..64 {
        let plain = sampled(&app, sampling("tiny", "To be", Some(seed))).await;
        let tokens = plain.generations[0].token_likelihoods.clone().unwrap();
        if tokens.len() >= 3 {
            found = Some((seed, plain.generations[0].text.clone(), tokens));
            break;
        }
    }
    let (seed, text, tokens) = found.expect("a sample of three tokens");
    let stop = tokens[2].token.clone();
    let at = text.find(&stop).unwrap();
    let mut request = sampling("tiny", "To be", Some(seed));
    request["stop_sequences"] = json!([stop]);
    let cut = sampled(&app, request).await;
    let generation = &cut.generations[0];
    assert_eq!(generation.text, text[..at]);
    assert_eq!(generation.finish_reason.as_deref(), Some("COMPLETE"));
    let pieces: String = generation
        .token_likelihoods
        .iter()
        .flatten()
        .map(|t| t.token.as_str())
        .collect();
    assert_eq!(pieces, generation.text);

    let mut bad = sampling("tiny", "To be", None);
    bad["stop_sequences"] = json!(["a", "b", "c", "d", "e", "f"]);
    let refused = generate(&app, bad).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.text.contains("stop_sequences"), "{}", refused.text);
}
