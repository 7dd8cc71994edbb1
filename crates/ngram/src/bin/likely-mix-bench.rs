//! Benchmark of the generic mixture ([`MixedModel`]) against the joint one
//! ([`InterpolatedModel`]) on the same two Kneser-Ney models (`custom-base-light`'s parts from the
//! cache of `LIKELY_DATA_DIR`), scoring Hamlet: tokens per CPU second of this thread, plain, with
//! the top-1, the top-5 and ranks, and the largest difference between the two mixtures' figures
//! (log-probabilities, top values, ranks), which must be nil but for rounding:
//! `cargo run --release -p likely-ngram --bin likely-mix-bench [-- MAX_TOKENS]`.

use std::sync::Arc;
use std::time::Instant;

#[path = "support/proc_status.rs"]
mod proc_status;
use proc_status::thread_cpu_seconds;

use likely_ngram::embedded::pipeline::{self, EmbeddedPaths, BASE_NAME, CUSTOM_NAME};
use likely_ngram::{
    storage, InterpolatedModel, LanguageModel, MixedModel, NgramError, ScoreOptions, TokenScore,
    Tokenizer,
};

/// The scores and the tokens per CPU second (and per wall second).
fn timed(
    model: &dyn LanguageModel,
    doc: &[u32],
    opts: &ScoreOptions,
) -> (Vec<TokenScore>, f64, f64) {
    let cpu = thread_cpu_seconds();
    let t = Instant::now();
    let s = model.score(doc, opts);
    let wall = t.elapsed().as_secs_f64();
    let n = doc.len() as f64;
    (s, n / (thread_cpu_seconds() - cpu), n / wall)
}

fn run() -> Result<(), NgramError> {
    let paths = EmbeddedPaths::default();
    let max_tokens = std::env::args()
        .nth(1)
        .and_then(|a| a.parse::<usize>().ok())
        .unwrap_or(usize::MAX);
    let (base, _) = storage::load(&paths.model_file(BASE_NAME))?;
    let (domain, meta) = storage::load(&paths.model_file(CUSTOM_NAME))?;
    let (base, domain) = (Arc::new(base), Arc::new(domain));
    let joint = InterpolatedModel::new(base.clone(), domain.clone(), meta.weight)?;
    let mixed = MixedModel::new(domain, base, meta.weight)?;
    let tok = Tokenizer::gpt2()?;
    let mut hamlet = tok.encode(&pipeline::play_corpus(&paths)?.hamlet);
    hamlet.truncate(max_tokens);
    println!(
        "| Hamlet ({} tokens), λ = {:.3} | InterpolatedModel (tokens/CPU s) | MixedModel (tokens/CPU s) | largest difference |",
        hamlet.len(),
        meta.weight
    );
    println!("|---|---:|---:|---:|");
    for (label, opts) in [
        (
            "plain",
            ScoreOptions {
                top_k: 0,
                ranks: false,
            },
        ),
        (
            "+ top-1",
            ScoreOptions {
                top_k: 1,
                ranks: false,
            },
        ),
        (
            "+ top-5",
            ScoreOptions {
                top_k: 5,
                ranks: false,
            },
        ),
        (
            "+ top-1 + ranks",
            ScoreOptions {
                top_k: 1,
                ranks: true,
            },
        ),
    ] {
        let (a, a_cpu, _) = timed(&joint, &hamlet, &opts);
        let (b, b_cpu, _) = timed(&mixed, &hamlet, &opts);
        let mut diff = 0f64;
        let mut other_top = 0usize;
        let mut other_rank = 0usize;
        for (x, y) in a.iter().zip(&b) {
            diff = diff.max((x.logprob - y.logprob).abs());
            for (p, q) in x.top.iter().zip(&y.top) {
                diff = diff.max((p.1 - q.1).abs());
                other_top += usize::from(p.0 != q.0);
            }
            other_rank += usize::from(x.rank != y.rank);
        }
        println!(
            "| {label} | {:.0} k | {:.0} k | {diff:.1e} nats; {other_top} top tokens, {other_rank} ranks differ |",
            a_cpu / 1e3,
            b_cpu / 1e3
        );
    }
    Ok(())
}

fn main() {
    if let Err(e) = run() {
        eprintln!("likely-mix-bench: {e}");
        std::process::exit(1);
    }
}
