//! Times the figures the page computes, on one snippet of `TOKENS` tokens scored by a baseline and
//! three custom models (the worst case of the bootstrap: it resamples tokens).
//!
//! Natively: `cargo run --release -p likely-core --example bench`
//! As WebAssembly (the browser's engine is V8, as in Node):
//! `cargo build --release -p likely-core --example bench --target wasm32-wasip1` then
//! `node crates/core/examples/run-wasi.mjs target/wasm32-wasip1/release/examples/bench.wasm`

mod common;

use likely_core::{chart_data, share};
use std::time::Instant;

const TOKENS: usize = 100_000;

fn time<T>(label: &str, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let value = f();
    println!("{label}: {:.1} ms", start.elapsed().as_secs_f64() * 1e3);
    value
}

fn main() {
    let names = ["base-light", "custom-a", "custom-b", "custom-c"];
    let Some(evaluation) = common::evaluation(TOKENS, &names) else {
        return;
    };
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
    time("histogram", || chart_data::loglik_histogram(&evaluation));
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
