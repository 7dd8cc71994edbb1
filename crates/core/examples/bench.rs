//! Times the figures the page computes, on one snippet of `TOKENS` tokens scored by a baseline and
//! three custom models (the worst case of the bootstrap: it resamples tokens).
//!
//! Natively: `cargo run --release -p likely-core --example bench`
//! As WebAssembly (the browser's engine is V8, as in Node):
//! `cargo build --release -p likely-core --example bench --target wasm32-wasip1` then
//! `node crates/core/examples/run-wasi.mjs target/wasm32-wasip1/release/examples/bench.wasm`

use likely_core::{histogram, SnippetResult};
use likely_core::{share, Evaluation, GenerateParams, ModelSpec, Outcome, ScoredToken, Snippet};
use std::time::Instant;

const TOKENS: usize = 100_000;
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

/// A xorshift stream for the fake likelihoods (only the timings matter here).
fn uniform(state: &mut u64) -> f64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    (*state >> 11) as f64 / (1u64 << 53) as f64
}

fn time<T>(label: &str, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let value = f();
    println!("{label}: {:.1} ms", start.elapsed().as_secs_f64() * 1e3);
    value
}

fn main() {
    let text: String = (0..TOKENS).map(|i| WORDS[i % WORDS.len()]).collect();
    let names = ["base-light", "custom-a", "custom-b", "custom-c"];
    let Ok(mut evaluation) = Evaluation::new(
        vec![Snippet::pasted(text)],
        GenerateParams::default(),
        ModelSpec::named(names[0]),
        names[1..].iter().map(|n| ModelSpec::named(*n)).collect(),
    ) else {
        return;
    };
    let mut state = 0x9e37_79b9_7f4a_7c15;
    for (m, name) in names.iter().enumerate() {
        let tokens = (0..TOKENS)
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
        let outcome = Outcome::Scored(SnippetResult::single(tokens));
        if evaluation.set_outcome(name, 0, outcome).is_err() {
            return;
        }
    }
    println!("one snippet of {TOKENS} tokens, {} models", names.len());
    time("metrics of 4 models", || {
        names.iter().filter_map(|n| evaluation.metrics(n)).count()
    });
    let comparisons = time("comparisons of 3 custom models (bootstrap)", || {
        evaluation.comparisons()
    });
    if let Some(pill) = comparisons.first().and_then(|c| c.pills.get(2)) {
        println!(
            "  {}: {} {:?} ({})",
            pill.metric.key(),
            pill.text,
            pill.ci,
            pill.method
        );
    }
    time("histogram", || histogram::loglik_histogram(&evaluation));
    let link = time("share encode", || share::encode(&evaluation));
    if let Ok(link) = link {
        println!("  link: {} characters", link.len());
        let back = time("share decode", || share::decode(&link));
        println!(
            "  round trip equal: {}",
            back.is_ok_and(|b| b == evaluation)
        );
    }
}
