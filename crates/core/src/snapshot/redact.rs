//! Figures only: the evaluation with every held-out text and token string replaced by a placeholder
//! of the same length in bytes, and token ids, top-token strings and top-K lists dropped. Every figure (averages,
//! bits per byte, accuracy, pills and their intervals, charts) depends only on lengths, likelihoods
//! and ranks, so it comes out the same; the text cannot be read back from it.

use crate::evaluation::results::Outcome;
use crate::evaluation::Evaluation;

/// The placeholder byte: ASCII, so that a run of it of any length is a valid string.
const FILLER: u8 = b'x';

fn filler(len: usize) -> String {
    char::from(FILLER).to_string().repeat(len)
}

/// `evaluation` without its texts; see the module documentation.
pub fn figures_only(evaluation: &Evaluation) -> Evaluation {
    let mut redacted = evaluation.clone();
    for snippet in &mut redacted.snippets {
        snippet.text = filler(snippet.text.len());
    }
    for run in std::iter::once(&mut redacted.baseline).chain(&mut redacted.custom) {
        for outcome in &mut run.outcomes {
            if let Outcome::Scored(result) = outcome {
                for token in &mut result.tokens {
                    token.text = filler(token.text.len());
                    token.id = None;
                    token.top_k = None;
                    if let Some(top) = &mut token.top {
                        top.0 = String::new();
                    }
                }
            }
        }
    }
    redacted
}

/// Whether `text` is a placeholder (what a figures-only snapshot holds instead of a text).
pub fn is_placeholder(text: &str) -> bool {
    text.bytes().all(|b| b == FILLER)
}
