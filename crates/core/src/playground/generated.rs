//! One model's generations read from a Generate answer asked with `return_likelihoods: "GENERATION"`:
//! each generation's text and its generated tokens with their likelihoods (every one is scored: the
//! context is the prompt), checked by [`crate::rules::logprob`].

use crate::wire::scores::{ScoredToken, ScoresError};
use crate::wire::{GenerateResponse, TokenLikelihood};
use serde::{Deserialize, Serialize};

/// One generation as the playground shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Generated {
    /// The generated text.
    pub text: String,
    /// Its tokens with their likelihoods and, where the backend gives it, the top-1 alternative.
    pub tokens: Vec<ScoredToken>,
    /// Why it stopped (`COMPLETE`, `MAX_TOKENS`), when said.
    pub finish_reason: Option<String>,
}

impl Generated {
    /// The average natural-log likelihood of the scored tokens, if any were scored.
    pub fn average(&self) -> Option<f64> {
        average(&self.tokens)
    }
}

/// The mean of the tokens' likelihoods, over those that have one.
pub(super) fn average(tokens: &[ScoredToken]) -> Option<f64> {
    let scored: Vec<f64> = tokens.iter().filter_map(|t| t.logprob).collect();
    (!scored.is_empty()).then(|| scored.iter().sum::<f64>() / scored.len() as f64)
}

fn generated_token(index: usize, token: &TokenLikelihood) -> Result<ScoredToken, ScoresError> {
    crate::wire::scores::scored_token(index, token, token.likelihood)
}

/// Every generation of `response`; its `token_likelihoods` are all generated tokens (none when the
/// backend listed none).
pub fn read_generations(response: &GenerateResponse) -> Result<Vec<Generated>, ScoresError> {
    if response.generations.is_empty() {
        return Err(ScoresError::NoGeneration);
    }
    response
        .generations
        .iter()
        .map(|generation| {
            let tokens = generation
                .token_likelihoods
                .as_deref()
                .unwrap_or_default()
                .iter()
                .enumerate()
                .map(|(index, token)| generated_token(index, token))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Generated {
                text: generation.text.clone(),
                tokens,
                finish_reason: generation.finish_reason.clone(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{self, token_with_top};

    fn token(text: &str, likelihood: f64, top: Option<(&str, f64)>) -> TokenLikelihood {
        token_with_top(text, Some(likelihood), top)
    }

    fn answer(tokens: Vec<TokenLikelihood>) -> GenerateResponse {
        testing::answer(tokens)
            .text(" to sleep")
            .finish("MAX_TOKENS")
            .build()
    }

    #[test]
    fn every_generated_token_is_scored_even_the_first() {
        let read = read_generations(&answer(vec![
            token(" to", -1.0, Some((" the", -0.5))),
            token(" sleep", -3.0, None),
        ]))
        .unwrap();
        assert_eq!(read.len(), 1);
        assert_eq!(read[0].tokens[0].logprob, Some(-1.0));
        assert_eq!(read[0].tokens[0].top, Some((" the".into(), -0.5)));
        assert_eq!(read[0].average(), Some(-2.0));
        assert_eq!(read[0].finish_reason.as_deref(), Some("MAX_TOKENS"));
    }

    #[test]
    fn impossible_likelihoods_and_empty_answers_are_refused() {
        assert!(read_generations(&answer(vec![token("x", 3.0, None)])).is_err());
        let mut empty = answer(Vec::new());
        assert_eq!(read_generations(&empty).unwrap()[0].average(), None);
        empty.generations.clear();
        assert_eq!(read_generations(&empty), Err(ScoresError::NoGeneration));
    }
}
