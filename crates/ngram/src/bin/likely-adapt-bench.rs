//! Benchmark of custom-model training (`train_adapted`, the path user models and `custom-base-light`
//! share) on one core, as the server runs it:
//! `cargo run --release -p likely-ngram --bin likely-adapt-bench [-- TOKENS...]` (default 1 M and 10 M).
//!
//! The training text is real English: the plays (1.4 M tokens, unseen by the base), then the general
//! corpus's held-out slice and training documents, cycled when more tokens are asked for (≈ 9 M). `base-light` comes from the cache (`likely-train`).
//! Reports tokenizing and adaptation time, the memory training adds at its peak (VmHWM over the RSS
//! before it, reset through `/proc/self/clear_refs`), the model's size on disk and its load time.

#[path = "support/proc_status.rs"]
mod proc_status;
use proc_status::status_mb;

use std::time::Instant;

use likely_ngram::embedded::pipeline::{self, EmbeddedPaths, BASE_NAME, ORDER};
use likely_ngram::format::storage::{self, ModelMeta};
use likely_ngram::{
    held_out_indices, progress, tokenize_observed, train_adapted, NgramError, Tokenizer,
};

fn run() -> Result<(), NgramError> {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![1_000_000, 10_000_000]
    } else {
        sizes
    };
    let paths = EmbeddedPaths::default();
    let (base, _) = storage::load(&paths.model_file(BASE_NAME))?;
    let tok = Tokenizer::gpt2()?;
    let general = pipeline::general_corpus(&paths)?;
    let plays = pipeline::play_corpus(&paths)?;
    // Text the base has not read first (the plays, its held-out slice), then its own training text.
    let pool: Vec<&String> = plays
        .train
        .iter()
        .chain(&general.held_out)
        .chain(&general.train)
        .collect();
    let tmp = std::env::temp_dir().join(format!("likely-adapt-bench-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).map_err(|e| NgramError::io("creating", &tmp, e))?;
    let one_core = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .map_err(|e| NgramError::Training(e.to_string()))?;

    println!("| training tokens | tokenize (s) | adapt (s) | total (s) | λ | peak memory added (MB) | size on disk (MB) | load (s) |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|");
    for &target in &sizes {
        // Whole documents, about `target` tokens (≈ 3.6 bytes a token in this text).
        let mut docs: Vec<String> = Vec::new();
        let mut bytes = 0usize;
        let mut i = 0usize;
        while bytes < target * 36 / 10 {
            let doc = pool[i % pool.len()];
            bytes += doc.len();
            docs.push(doc.clone());
            i += 1;
        }
        let before = status_mb("VmRSS:");
        let _ = std::fs::write("/proc/self/clear_refs", "5");
        let t = Instant::now();
        let (tokens, adapted) = one_core.install(|| {
            progress::silent(|p| {
                let ids = tokenize_observed(&tok, &docs, &p)?;
                let t_tok = t.elapsed().as_secs_f64();
                let tuning = held_out_indices(ids.len(), 10);
                let adapted = train_adapted(&base, &ids, &tuning, ORDER, &p)?;
                Ok::<_, NgramError>((t_tok, adapted))
            })
        })?;
        let total = t.elapsed().as_secs_f64();
        let peak = status_mb("VmHWM:") - before;
        let file = tmp.join("model.lkm");
        let size = storage::save(
            &file,
            &adapted.domain,
            &ModelMeta {
                fingerprint: 0,
                weight: adapted.lambda,
            },
        )?;
        drop(adapted.domain);
        let t = Instant::now();
        let _loaded = storage::load(&file)?;
        let load = t.elapsed().as_secs_f64();
        println!(
            "| {} | {tokens:.1} | {:.1} | {total:.1} | {:.3} | {peak:.0} | {:.0} | {load:.2} |",
            adapted.report.tokens,
            total - tokens,
            adapted.lambda,
            size as f64 / 1e6
        );
    }
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(())
}

fn main() {
    if let Err(e) = run() {
        eprintln!("likely-adapt-bench: {e}");
        std::process::exit(1);
    }
}
