//! Times share snapshots of `TOKENS` tokens scored by 3 models (a baseline and two custom models):
//! encode and decode, for everything and for figures only, and prints their size per token and model
//! and how many tokens fit a link with the evaluation inside.
//!
//! `cargo run --release -p likely-core --example snapshot_bench`

use likely_core::snapshot::{self, Scope, FRAGMENT_BUDGET_CHARS};
use likely_core::SnippetResult;
use likely_core::{Evaluation, GenerateParams, ModelSpec, Outcome, ScoredToken, Snippet};
use std::time::Instant;

const TOKENS: usize = 100_000;
const MODELS: usize = 3;
const WORDS: [&str; 12] = [
    "To",
    " be",
    ",",
    " or",
    " not",
    " to",
    " be",
    ":",
    " that",
    " is",
    " the",
    " question",
];

/// A xorshift stream for the likelihoods: full-precision f64s, as models return them.
fn uniform(state: &mut u64) -> f64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    (*state >> 11) as f64 / (1u64 << 53) as f64
}

/// One snippet of `tokens` tokens scored by `MODELS` models.
fn evaluation(tokens: usize) -> Option<Evaluation> {
    let text: String = (0..tokens).map(|i| WORDS[i % WORDS.len()]).collect();
    let names: Vec<String> = (0..MODELS).map(|m| format!("model-{m}")).collect();
    let mut evaluation = Evaluation::new(
        vec![Snippet::pasted(text)],
        GenerateParams::default(),
        ModelSpec::named(&names[0]),
        names[1..].iter().map(ModelSpec::named).collect(),
    )
    .ok()?;
    let mut state = 0x9e37_79b9_7f4a_7c15;
    for (m, name) in names.iter().enumerate() {
        let scored = (0..tokens)
            .map(|i| {
                let logprob = (i > 0)
                    .then(|| -10.0 * uniform(&mut state) * uniform(&mut state) - m as f64 * 0.01);
                ScoredToken {
                    text: WORDS[i % WORDS.len()].to_string(),
                    logprob,
                    top: logprob.map(|l| (" the".to_string(), l.max(-1.0))),
                    rank: logprob.map(|_| 1 + (uniform(&mut state) * 30.0) as u32),
                    id: None,
                }
            })
            .collect();
        let outcome = Outcome::Scored(SnippetResult::single(scored));
        evaluation.set_outcome(name, 0, outcome).ok()?;
    }
    Some(evaluation)
}

/// The most tokens whose snapshot's fragment fits the budget.
fn budget_in_tokens(scope: Scope) -> usize {
    let fits = |tokens: usize| {
        evaluation(tokens)
            .and_then(|e| snapshot::encode(&e, scope).ok())
            .is_some_and(|b| snapshot::to_fragment(&b).len() <= FRAGMENT_BUDGET_CHARS)
    };
    let (mut low, mut high) = (1, 20_000);
    while low + 1 < high {
        let mid = (low + high) / 2;
        if fits(mid) {
            low = mid;
        } else {
            high = mid;
        }
    }
    low
}

fn main() {
    let Some(evaluation) = evaluation(TOKENS) else {
        return;
    };
    println!("one snippet of {TOKENS} tokens, {MODELS} models");
    for scope in [Scope::Everything, Scope::Figures] {
        let start = Instant::now();
        let Ok(bytes) = snapshot::encode(&evaluation, scope) else {
            return;
        };
        let encoded = start.elapsed();
        let start = Instant::now();
        let opened = snapshot::decode(&bytes);
        let decoded = start.elapsed();
        println!(
            "{}: {} bytes, {:.2} bytes per token per model; encode {:.0} ms, decode {:.0} ms, read back: {}",
            scope.as_str(),
            bytes.len(),
            bytes.len() as f64 / (TOKENS * MODELS) as f64,
            encoded.as_secs_f64() * 1e3,
            decoded.as_secs_f64() * 1e3,
            opened.is_ok()
        );
    }
    for scope in [Scope::Everything, Scope::Figures] {
        println!(
            "fragment budget ({FRAGMENT_BUDGET_CHARS} characters), {}: {} tokens of {MODELS} models",
            scope.as_str(),
            budget_in_tokens(scope)
        );
    }
}
