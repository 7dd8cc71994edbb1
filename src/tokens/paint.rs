//! What colour each token gets: by one model's log-likelihood, by the difference custom − baseline,
//! or by rank bucket. Pure: the view hands the result to the renderer.

use likely_core::colour::{self, LegendStop, RankBucket, Swatch, Theme};
use likely_core::evaluation::Evaluation;
use likely_core::ScoredToken;

/// How tokens are coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColourMode {
    /// By the chosen model's log-likelihood.
    Loglik,
    /// By custom − baseline log-likelihood (same tokens only).
    Difference,
    /// By the rank bucket of the actual token under the chosen model.
    Rank,
}

impl ColourMode {
    /// The `<select>` value.
    pub fn key(self) -> &'static str {
        match self {
            ColourMode::Loglik => "loglik",
            ColourMode::Difference => "difference",
            ColourMode::Rank => "rank",
        }
    }

    /// From a `<select>` value.
    pub fn from_key(key: &str) -> ColourMode {
        match key {
            "difference" => ColourMode::Difference,
            "rank" => ColourMode::Rank,
            _ => ColourMode::Loglik,
        }
    }
}

/// The tokens of one snippet with their colours, and the legend.
#[derive(Debug, Clone, PartialEq)]
pub struct Painted {
    /// The tokens shown (the chosen model's; in difference mode the baseline's, which equal the custom's).
    pub tokens: Vec<ScoredToken>,
    /// One swatch per token.
    pub swatches: Vec<Swatch>,
    /// Token indices where a context window begins.
    pub window_starts: Vec<usize>,
    /// The legend's stops.
    pub legend: Vec<LegendStop>,
    /// Words under the legend.
    pub legend_title: String,
}

/// Paints snippet `snippet` of `evaluation`; `model` is the model to show (a custom model in
/// difference mode). `Err` says why nothing can be shown.
pub fn paint(
    evaluation: &Evaluation,
    mode: ColourMode,
    model: &str,
    snippet: usize,
    theme: Theme,
) -> Result<Painted, String> {
    let result = evaluation
        .result(model, snippet)
        .ok_or_else(|| format!("{model} has not scored this snippet"))?;
    let tokens = result.tokens.clone();
    let neutral = colour::neutral(theme);
    let (swatches, legend, legend_title) = match mode {
        ColourMode::Loglik => (
            tokens
                .iter()
                .map(|t| match t.logprob {
                    Some(_) => colour::loglik(t.logprob, theme),
                    None => neutral.clone(),
                })
                .collect(),
            colour::loglik_legend(),
            format!("{model}: log-likelihood per token (nats; brighter = more likely)"),
        ),
        ColourMode::Difference => {
            let baseline = &evaluation.baseline.model.name;
            if model == baseline {
                return Err(
                    "Pick a custom model to colour by its difference from the baseline.".into(),
                );
            }
            let differences = evaluation.token_differences(model, snippet).ok_or_else(|| {
                format!("{model} and {baseline} split this text into different tokens: colour by log-likelihood instead")
            })?;
            (
                differences
                    .iter()
                    .map(|d| match d {
                        Some(_) => colour::difference(*d, theme),
                        None => neutral.clone(),
                    })
                    .collect(),
                colour::difference_legend(theme),
                format!("{model} − {baseline}: log-likelihood difference per token (nats)"),
            )
        }
        ColourMode::Rank => {
            if !tokens.iter().any(|t| t.is_top_choice().is_some()) {
                return Err(format!(
                    "{model}'s backend does not return the top token: ranks are unknown"
                ));
            }
            (
                tokens
                    .iter()
                    .map(|t| match t.logprob {
                        Some(_) => colour::rank(RankBucket::of(t), theme),
                        None => neutral.clone(),
                    })
                    .collect(),
                colour::rank_legend(theme),
                format!("{model}: was the token the model's top choice?"),
            )
        }
    };
    Ok(Painted {
        tokens,
        swatches,
        window_starts: result.window_starts.clone(),
        legend,
        legend_title,
    })
}
