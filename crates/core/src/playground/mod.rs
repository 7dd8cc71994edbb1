//! The playground: one prompt, the same Generate parameters for every model, each model's generations
//! with their generated tokens' likelihoods, and cross-scoring (one generation scored under every other
//! model). Written once here: the parameters and their check, the worked example's preset, the
//! requests the page sends, how an answer is read, and the state a share link carries.

mod cross;
mod generated;
mod state;
mod stops_text;

pub use cross::{cross_request, cross_score, CrossScore};
pub use generated::{read_generations, Generated};
#[cfg(test)]
pub(crate) use state::sample_state;
pub use state::{Column, ColumnOutcome, PlaygroundState, StateError, MAX_COLUMNS};
pub use stops_text::{parse_stop_sequences, stop_sequences_text};

use crate::example;
use crate::rules::{self, RangeError, StopSequencesError};
use crate::wire::{GenerateRequest, ReturnLikelihoods};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Tokens the preset generates: a sentence or two, quick on every backend.
pub const PRESET_MAX_TOKENS: u32 = 40;

/// The Generate parameters of the playground, the same for every model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlaygroundParams {
    /// Tokens to generate.
    pub max_tokens: u32,
    /// Sampling temperature.
    pub temperature: f64,
    /// Top-k sampling (0 = off).
    pub k: u32,
    /// Nucleus sampling mass.
    pub p: f64,
    /// Generations per model.
    pub num_generations: u32,
    /// A seed: the same request gives the same text; none draws new samples each time.
    pub seed: Option<u64>,
    /// The generation stops before the earliest of these.
    pub stop_sequences: Vec<String>,
}

impl Default for PlaygroundParams {
    /// The worked example's sampling (temperature 1, k 0, p 0.75), [`PRESET_MAX_TOKENS`] tokens, one
    /// generation, no seed, no stop sequence.
    fn default() -> Self {
        PlaygroundParams {
            max_tokens: PRESET_MAX_TOKENS,
            temperature: 1.0,
            k: 0,
            p: 0.75,
            num_generations: 1,
            seed: None,
            stop_sequences: Vec::new(),
        }
    }
}

/// Why playground parameters cannot be sent.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ParamsError {
    /// A number out of its range.
    #[error(transparent)]
    Range(#[from] RangeError),
    /// Stop sequences the server refuses.
    #[error(transparent)]
    Stops(#[from] StopSequencesError),
}

impl PlaygroundParams {
    /// Ok when every parameter is within the ranges of [`crate::rules`], as the server checks them.
    pub fn check(&self) -> Result<(), ParamsError> {
        rules::MAX_TOKENS.check(f64::from(self.max_tokens))?;
        rules::TEMPERATURE.check(self.temperature)?;
        rules::K.check(f64::from(self.k))?;
        rules::P.check(self.p)?;
        rules::NUM_GENERATIONS.check(f64::from(self.num_generations))?;
        rules::check_stop_sequences(&self.stop_sequences)?;
        Ok(())
    }

    /// The request asking `model` to continue `prompt`, with the generated tokens' likelihoods.
    pub fn request(&self, model: impl Into<String>, prompt: impl Into<String>) -> GenerateRequest {
        GenerateRequest {
            max_tokens: Some(self.max_tokens),
            temperature: Some(self.temperature),
            k: Some(self.k),
            p: Some(self.p),
            return_likelihoods: Some(ReturnLikelihoods::Generation),
            num_generations: Some(self.num_generations),
            seed: self.seed,
            stop_sequences: (!self.stop_sequences.is_empty()).then(|| self.stop_sequences.clone()),
            ..GenerateRequest::scoring(model, prompt)
        }
    }
}

/// The worked example's preset: its prompt and the default parameters.
pub fn preset() -> (String, PlaygroundParams) {
    (example::PROMPT.to_string(), PlaygroundParams::default())
}

/// The playground's first words of a text sent from the evaluation page: at most this many characters.
pub const PROMPT_FROM_TEXT_CHARS: usize = 400;

/// The beginning of `text` the evaluation page sends to the playground: at most
/// [`PROMPT_FROM_TEXT_CHARS`] characters, cut after the last whitespace within them when there is one
/// (so no word is cut in half).
pub fn prompt_from_text(text: &str) -> String {
    let Some((end, _)) = text.char_indices().nth(PROMPT_FROM_TEXT_CHARS) else {
        return text.to_string();
    };
    let head = &text[..end];
    match head.rfind(char::is_whitespace) {
        Some(cut) if cut > 0 => head[..cut].to_string(),
        _ => head.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_preset_is_the_worked_example_and_valid() {
        let (prompt, params) = preset();
        assert_eq!(prompt, example::PROMPT);
        assert!(params.check().is_ok());
        assert_eq!((params.temperature, params.k, params.p), (1.0, 0, 0.75));
    }

    #[test]
    fn the_request_asks_for_generated_likelihoods_with_every_parameter() {
        let params = PlaygroundParams {
            seed: Some(7),
            num_generations: 2,
            stop_sequences: vec!["\n".into()],
            ..PlaygroundParams::default()
        };
        let request = params.request("base-light", "To be");
        assert_eq!(
            request.return_likelihoods,
            Some(ReturnLikelihoods::Generation)
        );
        assert_eq!(request.seed, Some(7));
        assert_eq!(request.num_generations, Some(2));
        assert_eq!(request.max_tokens, Some(PRESET_MAX_TOKENS));
        assert_eq!(request.stops(), ["\n".to_string()]);
        assert!(request.check_options().is_ok() && request.check_stop_sequences().is_ok());
        let plain = PlaygroundParams::default().request("m", "x");
        assert_eq!(plain.stop_sequences, None);
        assert_eq!(plain.seed, None);
    }

    #[test]
    fn out_of_range_parameters_are_named() {
        let params = PlaygroundParams {
            num_generations: 9,
            ..PlaygroundParams::default()
        };
        assert!(params
            .check()
            .unwrap_err()
            .to_string()
            .contains("num_generations"));
        let params = PlaygroundParams {
            stop_sequences: vec![String::new()],
            ..PlaygroundParams::default()
        };
        assert!(params.check().is_err());
    }

    #[test]
    fn the_prompt_from_a_text_is_its_beginning_cut_at_a_word() {
        assert_eq!(prompt_from_text("short text"), "short text");
        let long = "word ".repeat(200);
        let prompt = prompt_from_text(&long);
        assert!(prompt.chars().count() <= PROMPT_FROM_TEXT_CHARS);
        assert!(long.starts_with(&prompt) && prompt.ends_with("word"));
        let one = "é".repeat(500);
        assert_eq!(
            prompt_from_text(&one).chars().count(),
            PROMPT_FROM_TEXT_CHARS
        );
    }
}
