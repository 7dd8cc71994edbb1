//! Trains (or re-trains) the embedded models into the cache:
//! `cargo run --release -p likely-ngram --bin likely-train [-- --force]`.
//! Paths come from `LIKELY_DATA_DIR` (default `$HOME/.cache/likely`).

use likely_ngram::embedded::cache;
use likely_ngram::embedded::pipeline::{EmbeddedPaths, BASE_NAME, CUSTOM_NAME};

fn main() {
    let force = std::env::args().any(|a| a == "--force");
    let paths = EmbeddedPaths::default();
    if force {
        for name in [BASE_NAME, CUSTOM_NAME] {
            let _ = std::fs::remove_file(paths.model_file(name));
        }
    }
    let t = std::time::Instant::now();
    match cache::load_or_train_parts(&paths) {
        Ok((base, domain, lambda)) => {
            println!(
                "models ready in {:.1} s under {}: {BASE_NAME} n-grams {:?}; {CUSTOM_NAME} in-domain n-grams {:?}, λ = {lambda:.3}",
                t.elapsed().as_secs_f64(),
                paths.models_dir().display(),
                base.ngram_counts(),
                domain.ngram_counts()
            );
        }
        Err(e) => {
            eprintln!("likely-train: {e}");
            std::process::exit(1);
        }
    }
}
