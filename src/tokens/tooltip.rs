//! What the tooltip says about one token: the token (whitespace made visible), each model's
//! log-likelihood and probability, the difference from the baseline, and the top-1 alternative.

use super::render::visible_whitespace;
use likely_core::distribution::Position;
use likely_core::evaluation::Evaluation;
use likely_core::results::tokens_align;

/// One model's line in the tooltip.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelLine {
    /// The model's name.
    pub model: String,
    /// Its natural-log likelihood of the token.
    pub logprob: Option<f64>,
    /// Custom − baseline, for custom models.
    pub difference: Option<f64>,
    /// The model's top choice here and its log-likelihood.
    pub top: Option<(String, f64)>,
    /// The actual token's rank, when known.
    pub rank: Option<u32>,
}

/// The tooltip of one token.
#[derive(Debug, Clone, PartialEq)]
pub struct Tooltip {
    /// The token index.
    pub index: usize,
    /// The token with whitespace made visible.
    pub token: String,
    /// One line per model that split the text into the same tokens.
    pub lines: Vec<ModelLine>,
    /// Models left out because their tokens differ.
    pub other_tokenizers: Vec<String>,
    /// Per custom model with whole-distribution figures here: its figures against the baseline.
    pub distribution: Vec<(String, Position)>,
}

/// The tooltip of token `index` of `snippet` as `shown_model` split it.
pub fn tooltip(
    evaluation: &Evaluation,
    snippet: usize,
    shown_model: &str,
    index: usize,
) -> Option<Tooltip> {
    let shown = evaluation.result(shown_model, snippet)?;
    let token = shown.tokens.get(index)?;
    let baseline_name = &evaluation.baseline.model.name;
    let baseline = evaluation
        .result(baseline_name, snippet)
        .filter(|b| tokens_align(&b.tokens, &shown.tokens))
        .and_then(|b| b.tokens.get(index));
    let mut lines = Vec::new();
    let mut other_tokenizers = Vec::new();
    for name in evaluation.model_names() {
        let Some(result) = evaluation.result(name, snippet) else {
            continue;
        };
        if !tokens_align(&result.tokens, &shown.tokens) {
            other_tokenizers.push(name.to_string());
            continue;
        }
        let Some(own) = result.tokens.get(index) else {
            continue;
        };
        let difference = if name == baseline_name {
            None
        } else {
            baseline.and_then(|b| Some(own.logprob? - b.logprob?))
        };
        lines.push(ModelLine {
            model: name.to_string(),
            logprob: own.logprob,
            difference,
            top: own.top.clone(),
            rank: own.rank,
        });
    }
    Some(Tooltip {
        index,
        token: visible_whitespace(&token.text),
        lines,
        other_tokenizers,
        distribution: evaluation
            .custom
            .iter()
            .filter_map(|run| {
                let name = &run.model.name;
                let here = evaluation.positions(name, snippet)?.get(index).copied()??;
                Some((name.clone(), here))
            })
            .collect(),
    })
}
