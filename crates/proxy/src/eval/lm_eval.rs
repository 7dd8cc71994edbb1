//! lm-evaluation-harness's perplexity figures for a `loglikelihood_rolling` task (as for wikitext),
//! from one model's scored snippets, so `likely eval --json` can be set beside `lm_eval`'s output:
//! `word_perplexity` = exp(−Σ loglik / Σ words), `byte_perplexity` = exp(−Σ loglik / Σ bytes),
//! `bits_per_byte` = −Σ loglik / Σ bytes / ln 2, words counted as lm-eval counts them (the pieces of
//! `re.split(r"\s+", text)`) and bytes over each whole text (UTF-8).
//!
//! The first token: lm-eval scores every token of a document, the first given its prefix token
//! (end-of-text); Likely scores every token but the first (no backend gives the first a likelihood),
//! over the same whole-text bytes and words. The first token's bits are missing from Likely's sum,
//! which makes its figures a little lower: by the first token's bits divided by the text's bytes
//! (about 0.005 bits per byte on a 300-byte paragraph, less on longer texts).

use likely_core::evaluation::Evaluation;
use serde::Serialize;
use std::f64::consts::LN_2;

/// lm-eval's three perplexity figures over one model's scored snippets.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LmEvalFigures {
    /// exp(−Σ loglik / Σ words).
    pub word_perplexity: f64,
    /// exp(−Σ loglik / Σ bytes).
    pub byte_perplexity: f64,
    /// −Σ loglik / Σ bytes / ln 2.
    pub bits_per_byte: f64,
    /// The snippets counted (those the model scored).
    pub documents: usize,
    /// Their words, as lm-eval counts them.
    pub words: usize,
    /// Their UTF-8 bytes.
    pub bytes: usize,
}

/// The words of `text` as lm-eval counts them: `len(re.split(r"\s+", text))`, i.e. one more than
/// the runs of whitespace (a leading or trailing run counts an empty word).
pub fn count_words(text: &str) -> usize {
    let mut runs = 0;
    let mut in_run = false;
    for c in text.chars() {
        let space = c.is_whitespace();
        if space && !in_run {
            runs += 1;
        }
        in_run = space;
    }
    runs + 1
}

/// `model`'s figures over the snippets it scored; `None` when it scored none.
pub fn figures(evaluation: &Evaluation, model: &str) -> Option<LmEvalFigures> {
    let mut loglik = 0.0;
    let (mut documents, mut words, mut bytes) = (0, 0, 0);
    for (index, snippet) in evaluation.snippets.iter().enumerate() {
        let Some(result) = evaluation.result(model, index) else {
            continue;
        };
        loglik += result
            .tokens
            .iter()
            .filter_map(|token| token.logprob)
            .sum::<f64>();
        documents += 1;
        words += count_words(&snippet.text);
        bytes += snippet.text.len();
    }
    if documents == 0 || bytes == 0 {
        return None;
    }
    Some(LmEvalFigures {
        word_perplexity: (-loglik / words as f64).exp(),
        byte_perplexity: (-loglik / bytes as f64).exp(),
        bits_per_byte: -loglik / bytes as f64 / LN_2,
        documents,
        words,
        bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_counted_as_python_s_re_split() {
        assert_eq!(count_words("a b  c"), 3);
        assert_eq!(count_words(" a\n\tb "), 4, "leading and trailing runs");
        assert_eq!(count_words(""), 1);
        assert_eq!(count_words("word"), 1);
    }
}
