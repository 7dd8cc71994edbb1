//! What colour each token gets: by one model's log-likelihood, by the difference custom − baseline,
//! or by rank bucket. Pure. `check` decides once whether a view can be shown (and its legend);
//! `swatches` colours only the tokens about to be written, so a switch costs the same on any length.

use likely_core::colour::{self, LegendStop, RankBucket, Swatch, Theme};
use likely_core::evaluation::Evaluation;
use likely_core::results::{tokens_align, SnippetResult};
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
    /// By KL(baseline ‖ custom) at each position (same tokenizer, top-K lists).
    Kl,
}

impl ColourMode {
    /// The `<select>` value.
    pub fn key(self) -> &'static str {
        match self {
            ColourMode::Loglik => "loglik",
            ColourMode::Difference => "difference",
            ColourMode::Rank => "rank",
            ColourMode::Kl => "kl",
        }
    }

    /// From a `<select>` value.
    pub fn from_key(key: &str) -> ColourMode {
        match key {
            "difference" => ColourMode::Difference,
            "rank" => ColourMode::Rank,
            "kl" => ColourMode::Kl,
            _ => ColourMode::Loglik,
        }
    }
}

/// What the view shows: which model's tokens, coloured how.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    /// The colouring.
    pub mode: ColourMode,
    /// The model whose tokens are shown (a custom model in difference mode).
    pub model: String,
    /// The snippet shown.
    pub snippet: usize,
    /// Light or dark.
    pub theme: Theme,
}

/// A view that can be shown: its size and legend.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    /// Tokens in the snippet.
    pub tokens: usize,
    /// The legend's stops.
    pub legend: Vec<LegendStop>,
    /// Words under the legend.
    pub legend_title: String,
    /// Changes when the shown likelihoods change, so the view redraws only then (not on every result
    /// of a run that arrives for other snippets).
    pub fingerprint: u64,
}

fn fingerprint(tokens: &[ScoredToken]) -> u64 {
    tokens.iter().fold(tokens.len() as u64, |acc, t| {
        acc.rotate_left(5) ^ t.logprob.map_or(0, f64::to_bits)
    })
}

fn shown<'a>(evaluation: &'a Evaluation, view: &Selection) -> Result<&'a SnippetResult, String> {
    evaluation
        .result(&view.model, view.snippet)
        .ok_or_else(|| format!("{} has not scored this snippet (yet)", view.model))
}

fn baseline_tokens<'a>(
    evaluation: &'a Evaluation,
    view: &Selection,
) -> Result<&'a [ScoredToken], String> {
    let baseline = &evaluation.baseline.model.name;
    if &view.model == baseline {
        return Err("Pick a custom model to colour by its difference from the baseline.".into());
    }
    let base = evaluation
        .result(baseline, view.snippet)
        .ok_or_else(|| format!("{baseline} has not scored this snippet (yet)"))?;
    Ok(&base.tokens)
}

/// Whether `view` can be shown, with its legend; `Err` says why not.
pub fn check(evaluation: &Evaluation, view: &Selection) -> Result<Checked, String> {
    let result = shown(evaluation, view)?;
    let model = &view.model;
    let mut print = fingerprint(&result.tokens);
    let (legend, legend_title) = match view.mode {
        ColourMode::Loglik => (
            colour::loglik_legend(),
            format!("{model}: log-likelihood per token (nats; brighter = more likely)"),
        ),
        ColourMode::Difference => {
            let base = baseline_tokens(evaluation, view)?;
            print ^= fingerprint(base).rotate_left(17);
            let baseline = &evaluation.baseline.model.name;
            if !tokens_align(base, &result.tokens) {
                return Err(format!(
                    "{model} and {baseline} split this text into different tokens: colour by log-likelihood instead"
                ));
            }
            (
                colour::difference_legend(view.theme),
                format!("{model} − {baseline}: log-likelihood difference per token (nats; blue = {model} more likely)"),
            )
        }
        ColourMode::Kl => {
            let baseline = &evaluation.baseline.model.name;
            if model == baseline {
                return Err(
                    "Pick a custom model to colour by its KL divergence from the baseline.".into(),
                );
            }
            let figures = evaluation.positions(model, view.snippet).ok_or_else(|| {
                format!("{model} and {baseline} split this text into different tokens (or one has not scored it yet): no KL divergence")
            })?;
            if figures.iter().all(Option::is_none) {
                return Err(format!(
                    "No KL divergence for {model}: it needs both models to share a tokenizer and their backends to return each position's top-K log-probabilities"
                ));
            }
            print ^= figures.iter().fold(0u64, |acc, p| {
                acc.rotate_left(3) ^ p.map_or(0, |p| p.kl.to_bits())
            });
            (
                colour::kl_legend(),
                format!("KL({baseline} ‖ {model}) per token, nats (log scale; brighter = the two distributions agree)"),
            )
        }
        ColourMode::Rank => {
            if !result.tokens.iter().any(|t| t.is_top_choice().is_some()) {
                return Err(format!(
                    "{model}'s backend does not return the top token: ranks are unknown"
                ));
            }
            (
                colour::rank_legend(view.theme),
                format!("{model}: was the token the model's top choice?"),
            )
        }
    };
    Ok(Checked {
        tokens: result.tokens.len(),
        legend,
        legend_title,
        fingerprint: print,
    })
}

/// The tokens `from..to` of a checked view with their swatches.
pub fn swatches<'a>(
    evaluation: &'a Evaluation,
    view: &Selection,
    from: usize,
    to: usize,
) -> Vec<(&'a ScoredToken, Swatch)> {
    let Ok(result) = shown(evaluation, view) else {
        return Vec::new();
    };
    let to = to.min(result.tokens.len());
    let from = from.min(to);
    let neutral = colour::neutral(view.theme);
    let base = match view.mode {
        ColourMode::Difference => baseline_tokens(evaluation, view).ok(),
        _ => None,
    };
    let divergence = match view.mode {
        ColourMode::Kl => evaluation.positions(&view.model, view.snippet),
        _ => None,
    };
    result.tokens[from..to]
        .iter()
        .enumerate()
        .map(|(offset, token)| {
            let swatch = if token.logprob.is_none() {
                neutral.clone()
            } else {
                match view.mode {
                    ColourMode::Loglik => colour::loglik(token.logprob, view.theme),
                    ColourMode::Rank => colour::rank(RankBucket::of(token), view.theme),
                    ColourMode::Kl => {
                        let here = divergence
                            .as_ref()
                            .and_then(|d| d.get(from + offset).copied().flatten());
                        colour::kl(here.map(|p| p.kl), view.theme)
                    }
                    ColourMode::Difference => {
                        let delta = base
                            .and_then(|b| b.get(from + offset))
                            .and_then(|b| Some(token.logprob? - b.logprob?));
                        match delta {
                            Some(_) => colour::difference(delta, view.theme),
                            None => neutral.clone(),
                        }
                    }
                }
            };
            (token, swatch)
        })
        .collect()
}

/// Token indices where a context window begins, in the shown snippet.
pub fn window_starts(evaluation: &Evaluation, view: &Selection) -> Vec<usize> {
    shown(evaluation, view)
        .map(|r| r.window_starts.clone())
        .unwrap_or_default()
}
