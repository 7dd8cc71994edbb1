//! Cross-scoring: one generation scored under another model. The other model is asked to score the
//! prompt followed by the generated text (`return_likelihoods: "ALL"`, nothing generated); the figure is
//! the average likelihood of the tokens after the prompt ([`crate::wire::prompt_split`] finds where the
//! prompt's tokens end; a token straddling the boundary counts as the prompt's).

use super::generated::average;
use crate::wire::prompt_split::{bytes, split_prompt};
use crate::wire::scores::{prompt_scores, ScoredToken, ScoresError};
use crate::wire::GenerateRequest;
use serde::{Deserialize, Serialize};

/// A generation's figure under one model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrossScore {
    /// The average natural-log likelihood of the generation's tokens, if it has any.
    pub average: Option<f64>,
    /// The generation's tokens as this model splits and scores them.
    pub tokens: Vec<ScoredToken>,
}

/// The request scoring `generated` after `prompt` under `model`.
pub fn cross_request(model: impl Into<String>, prompt: &str, generated: &str) -> GenerateRequest {
    GenerateRequest {
        max_tokens: Some(0),
        ..GenerateRequest::scoring(model, format!("{prompt}{generated}"))
    }
}

/// The figure of `generated` (after `prompt`) in the answer to [`cross_request`].
pub fn cross_score(
    prompt: &str,
    generated: &str,
    response: &crate::wire::GenerateResponse,
) -> Result<CrossScore, ScoresError> {
    let whole = format!("{prompt}{generated}");
    let tokens = prompt_scores(&whole, response)?;
    let split = split_prompt(prompt, tokens.iter().map(|t| t.text.as_str()), bytes);
    let after = tokens.get(split.tokens..).unwrap_or_default();
    Ok(CrossScore {
        average: average(after),
        tokens: after.to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;
    use crate::wire::{GenerateResponse, ReturnLikelihoods};

    fn answer(tokens: &[(&str, Option<f64>)]) -> GenerateResponse {
        testing::answer(tokens.iter().map(|(t, l)| testing::token(t, *l)).collect()).build()
    }

    #[test]
    fn the_request_scores_prompt_and_generation_and_generates_nothing() {
        let request = cross_request("base-light", "To be", ", or not");
        assert_eq!(request.prompt, "To be, or not");
        assert_eq!(request.max_tokens, Some(0));
        assert_eq!(request.return_likelihoods, Some(ReturnLikelihoods::All));
        assert!(request.check_options().is_ok());
    }

    #[test]
    fn only_the_tokens_after_the_prompt_count() {
        let response = answer(&[
            ("To", None),
            (" be", Some(-5.0)),
            (",", Some(-1.0)),
            (" or", Some(-2.0)),
            (" not", Some(-3.0)),
        ]);
        let score = cross_score("To be", ", or not", &response).unwrap();
        assert_eq!(score.tokens.len(), 3);
        assert_eq!(score.average, Some(-2.0));
    }

    #[test]
    fn a_token_across_the_boundary_is_the_prompts_and_empty_text_has_no_figure() {
        let response = answer(&[("To", None), (" be,", Some(-5.0)), (" or", Some(-1.0))]);
        let score = cross_score("To be", ", or", &response).unwrap();
        assert_eq!((score.tokens.len(), score.average), (1, Some(-1.0)));
        let response = answer(&[("To", None), (" be", Some(-5.0))]);
        let score = cross_score("To be", "", &response).unwrap();
        assert_eq!((score.tokens.len(), score.average), (0, None));
    }
}
