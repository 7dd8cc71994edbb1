//! Where the bytes of a model file are: per level, the number of n-grams and contexts and the bytes
//! of each array (tokens, children order, context bits and records, plain records), with the
//! records' field widths:
//! `cargo run --release -p likely-ngram --bin likely-ngram-size -- FILE.lkm`
//! (default: both embedded models of `LIKELY_DATA_DIR`).

use std::path::PathBuf;

use likely_ngram::embedded::pipeline::{EmbeddedPaths, BASE_NAME, CUSTOM_NAME};
use likely_ngram::model::packed::PackedLevel;
use likely_ngram::{storage, NgramError};

/// Bytes of a slice.
fn bytes<T>(xs: &[T]) -> usize {
    std::mem::size_of_val(xs)
}

fn mb(b: usize) -> f64 {
    b as f64 / 1e6
}

fn print_level(n: usize, l: &PackedLevel) {
    let len = l.len;
    let words = bytes(&l.words);
    let order = bytes(&l.by_prob) + bytes(&l.big_start) + bytes(&l.big_at);
    let contexts = bytes(&l.has) + bytes(&l.ctx);
    let plain = bytes(&l.plain);
    let total = words + order + contexts + plain + 3 * 256 * 4;
    let w = l.widths;
    println!(
        "| {n} | {len} | {} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.2} | {} / {}{} |",
        l.contexts,
        mb(words),
        mb(order),
        mb(contexts),
        mb(plain),
        mb(total),
        total as f64 / len.max(1) as f64,
        if l.ctx.is_empty() { 0 } else { w.context() },
        if l.plain.is_empty() { 0 } else { w.plain() },
        if w.dense { " (dense)" } else { "" },
    );
}

fn run() -> Result<(), NgramError> {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let files = if args.is_empty() {
        let paths = EmbeddedPaths::default();
        vec![paths.model_file(BASE_NAME), paths.model_file(CUSTOM_NAME)]
    } else {
        args
    };
    for file in files {
        let size = std::fs::metadata(&file).map_or(0, |m| m.len() as usize);
        let (model, _) = storage::load(&file)?;
        let Some(t) = model.coded_trie() else {
            continue;
        };
        println!("{}: {:.1} MB", file.display(), mb(size));
        println!();
        println!("| level | n-grams | contexts | tokens (MB) | children order (MB) | context bits + records (MB) | plain records (MB) | total (MB) | bytes per n-gram | record bits, context / plain (dense: every n-gram has a context record) |");
        println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (i, l) in t.levels.iter().enumerate() {
            print_level(i + 1, l);
        }
        println!();
        for (i, l) in t.levels.iter().enumerate().take(t.levels.len() - 1) {
            let [child, stored, lower] = l.top_sources();
            println!(
                "Level {}: {}; top-1 of the contexts: the child at an offset below 30 {child}, a child listed with its offset {stored}, the suffix context's {lower}.",
                i + 1,
                if l.widths.dense { "dense" } else { "sparse" },
            );
        }
        let (dense, dense_bytes) = model.dense_index_size();
        println!();
        println!(
            "Unigram values {:.1} MB; {dense} dense-index contexts ({:.1} MB built in memory at load).",
            mb(bytes(&t.uni_logp) + bytes(&t.uni_backoff)),
            mb(dense_bytes)
        );
        println!();
    }
    Ok(())
}

fn main() {
    if let Err(e) = run() {
        eprintln!("likely-ngram-size: {e}");
        std::process::exit(1);
    }
}
