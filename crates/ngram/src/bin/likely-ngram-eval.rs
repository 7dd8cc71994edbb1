//! Prints the evaluation table of the embedded models (average log-likelihood, perplexity, top-1
//! accuracy) on the worked example's snippet, all of Hamlet and the held-out general slice:
//! `cargo run --release -p likely-ngram --bin likely-ngram-eval`.
//! Trains the models first if the cache (`LIKELY_DATA_DIR`) lacks them.

use likely_ngram::eval::{evaluate, EvalFigures};
use likely_ngram::pipeline::{self, EmbeddedPaths, BASE_NAME, CUSTOM_NAME};
use likely_ngram::LanguageModel;

/// The worked example's snippet: one line, typographic apostrophes.
pub const SNIPPET: &str = "To be, or not to be: that is the question: Whether ’tis nobler in the mind to suffer The slings and arrows of outrageous fortune, Or to take arms against a sea of troubles, And by opposing end them. To die: to sleep; No more; and by a sleep to say we end The heart-ache and the thousand natural shocks That flesh is heir to, ’tis a consummation Devoutly to be wish’d.";

fn row(set: &str, model: &str, f: &EvalFigures) {
    println!(
        "| {set} | {model} | {} | {:.3} | {:.1} | {:.1}% |",
        f.tokens,
        f.avg_logprob,
        f.perplexity,
        100.0 * f.top1_accuracy
    );
}

fn run() -> Result<(), likely_ngram::NgramError> {
    let paths = EmbeddedPaths::default();
    let models = pipeline::load_or_train(&paths)?;
    let plays = pipeline::play_corpus(&paths)?;
    let general = pipeline::general_corpus(&paths)?;
    let sets: [(&str, Vec<String>); 3] = [
        ("(a) snippet", vec![SNIPPET.to_string()]),
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
    Ok(())
}

fn main() {
    if let Err(e) = run() {
        eprintln!("likely-ngram-eval: {e}");
        std::process::exit(1);
    }
}
