//! Times share snapshots of `TOKENS` tokens scored by 3 models (a baseline and two custom models):
//! encode and decode, for everything and for figures only, and prints their size per token and model
//! and how many tokens fit a link with the evaluation inside.
//!
//! `cargo run --release -p likely-core --example snapshot_bench`

mod common;

use likely_core::snapshot::{self, Scope, FRAGMENT_BUDGET_CHARS};
use likely_core::Evaluation;
use std::time::Instant;

const TOKENS: usize = 100_000;
const MODELS: usize = 3;
const NAMES: [&str; MODELS] = ["model-0", "model-1", "model-2"];

fn evaluation(tokens: usize) -> Option<Evaluation> {
    common::evaluation(tokens, &NAMES)
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
