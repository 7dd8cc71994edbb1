//! Per-token scores of a prompt, extracted from a Generate answer.
//!
//! With `return_likelihoods: "ALL"` an answer lists the prompt's tokens, then the generated ones. The
//! prompt's tokens are found from `meta.billed_units.input_tokens` when the answer gives it, otherwise by
//! [`crate::wire::prompt_split`] over the prompt's bytes. Generated tokens are never scored.

use crate::rules::{self, optional_logprob, LogprobError};
use crate::wire::prompt_split::{bytes, split_prompt};
use crate::wire::{GenerateResponse, TokenLikelihood};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// One token with what the model said about it: a prompt token of the page's results, and the token of
/// an upstream's answer as the server reads it before normalising.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ScoredToken {
    /// The token's text piece.
    pub text: String,
    /// Natural-log likelihood; `None` for the first token, which has no context.
    pub logprob: Option<f64>,
    /// The model's most likely token here with its natural-log likelihood, when the backend gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top: Option<(String, f64)>,
    /// 1 when the actual token was the model's top choice, when the backend gives ranks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank: Option<u32>,
    /// The token's id in the model's vocabulary, when the backend gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u32>,
    /// The model's K most likely tokens here by id, when the request asked for `top_logprobs` and the
    /// backend gave ids: what the whole-distribution figures ([`crate::comparison::distribution`]) are computed
    /// from. Not serialized: exports and share links carry the figures, not the lists.
    #[serde(skip)]
    pub top_k: Option<TopK>,
}

/// A model's K most likely tokens at one position, best first, as parallel columns (the page keeps
/// thousands of them: 12 bytes an entry).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TopK {
    /// Their ids in the model's vocabulary.
    pub ids: Vec<u32>,
    /// Their natural-log likelihoods, in the same order.
    pub logprobs: Vec<f64>,
    /// Their text pieces where an answer is written (the server); empty where only the figures are
    /// needed (the page).
    pub texts: Vec<String>,
}

impl TopK {
    /// The list of `(id, log-likelihood, text)` entries, sorted best first (a stable sort: ties keep
    /// the backend's order).
    pub fn from_entries(mut entries: Vec<(u32, f64, String)>) -> TopK {
        entries.sort_by(|a, b| b.1.total_cmp(&a.1));
        let mut top = TopK::default();
        for (id, logprob, text) in entries {
            top.ids.push(id);
            top.logprobs.push(logprob);
            top.texts.push(text);
        }
        top
    }

    /// How many tokens are listed.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// `(id, log-likelihood)` pairs, best first.
    pub fn entries(&self) -> impl Iterator<Item = (u32, f64)> + '_ {
        self.ids.iter().copied().zip(self.logprobs.iter().copied())
    }
}

/// Tolerance when comparing the actual token's likelihood with the top token's.
const TIE_TOLERANCE: f64 = 1e-9;

impl ScoredToken {
    /// A token with text and likelihood only.
    pub fn new(text: impl Into<String>, logprob: Option<f64>) -> ScoredToken {
        ScoredToken {
            text: text.into(),
            logprob,
            ..ScoredToken::default()
        }
    }

    /// Whether the model's top choice here was the actual token: `None` when unknown.
    ///
    /// A rank answers directly; otherwise the actual token was a top choice when its likelihood is at
    /// least the top token's (this also holds when two token ids share a text piece).
    pub fn is_top_choice(&self) -> Option<bool> {
        if let Some(rank) = self.rank {
            return Some(rank == 1);
        }
        let (_, top_logprob) = self.top.as_ref()?;
        Some(self.logprob? >= top_logprob - TIE_TOLERANCE)
    }

    /// The token's length in UTF-8 bytes.
    pub fn byte_len(&self) -> usize {
        self.text.len()
    }
}

/// Why an answer's prompt tokens could not be read.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ScoresError {
    /// The answer has no generation.
    #[error("the answer has no generations")]
    NoGeneration,
    /// The answer has no `token_likelihoods` (the request did not ask for `ALL`).
    #[error("the answer has no token likelihoods; ask for return_likelihoods \"ALL\"")]
    NoTokenLikelihoods,
    /// The tokens do not cover the prompt.
    #[error("the answer's tokens cover {covered} of the prompt's {expected} bytes")]
    PromptNotCovered {
        /// Bytes covered.
        covered: usize,
        /// Bytes in the prompt.
        expected: usize,
    },
    /// A likelihood breaks [`crate::rules::logprob`].
    #[error("token {index}: {error}")]
    InvalidLikelihood {
        /// The token's position.
        index: usize,
        /// What is wrong with the value.
        error: LogprobError,
    },
}

/// The prompt's tokens from the first generation of `response`, generated tokens left out.
pub fn prompt_scores(
    prompt: &str,
    response: &GenerateResponse,
) -> Result<Vec<ScoredToken>, ScoresError> {
    let generation = response
        .generations
        .first()
        .ok_or(ScoresError::NoGeneration)?;
    let tokens = generation
        .token_likelihoods
        .as_deref()
        .ok_or(ScoresError::NoTokenLikelihoods)?;
    let count = prompt_token_count(prompt, response, tokens)?;
    tokens[..count]
        .iter()
        .enumerate()
        .map(|(index, token)| to_scored(index, token))
        .collect()
}

fn prompt_token_count(
    prompt: &str,
    response: &GenerateResponse,
    tokens: &[TokenLikelihood],
) -> Result<usize, ScoresError> {
    if let Some(count) = response
        .billed_input_tokens()
        .filter(|&n| n > 0 && n <= tokens.len())
    {
        return Ok(count);
    }
    let split = split_prompt(prompt, tokens.iter().map(|t| t.token.as_str()), bytes);
    if split.covered >= prompt.len() {
        Ok(split.tokens)
    } else {
        Err(ScoresError::PromptNotCovered {
            covered: split.covered,
            expected: prompt.len(),
        })
    }
}

fn to_scored(index: usize, token: &TokenLikelihood) -> Result<ScoredToken, ScoresError> {
    let logprob = if index == 0 { None } else { token.likelihood };
    scored_token(index, token, logprob)
}

/// Token `index` of an answer with the likelihood `logprob` (the first prompt token has none, a
/// generated token keeps its own), every value checked by [`crate::rules::logprob`].
pub(crate) fn scored_token(
    index: usize,
    token: &TokenLikelihood,
    logprob: Option<f64>,
) -> Result<ScoredToken, ScoresError> {
    let invalid = |error| ScoresError::InvalidLikelihood { index, error };
    let logprob = optional_logprob(logprob).map_err(invalid)?;
    let top = match token.top_tokens.as_ref().and_then(|top| top.first()) {
        Some(t) => Some((
            t.token.clone(),
            rules::logprob(t.likelihood).map_err(invalid)?,
        )),
        None => None,
    };
    Ok(ScoredToken {
        text: token.token.clone(),
        logprob,
        top,
        rank: token.rank,
        id: token.id,
        top_k: top_k(token).map_err(invalid)?,
    })
}

/// The `top_tokens` of `token` as a [`TopK`] (ids and log-likelihoods, no texts), when every one has
/// an id (the `top_logprobs` extension); sorted best first.
fn top_k(token: &TokenLikelihood) -> Result<Option<TopK>, LogprobError> {
    let Some(list) = token.top_tokens.as_ref().filter(|list| !list.is_empty()) else {
        return Ok(None);
    };
    if list.iter().any(|t| t.id.is_none()) {
        return Ok(None);
    }
    let mut entries = Vec::with_capacity(list.len());
    for t in list {
        entries.push((t.id.unwrap_or_default(), rules::logprob(t.likelihood)?));
    }
    entries.sort_by(|a, b| b.1.total_cmp(&a.1));
    Ok(Some(TopK {
        ids: entries.iter().map(|e| e.0).collect(),
        logprobs: entries.iter().map(|e| e.1).collect(),
        texts: Vec::new(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::token;
    use crate::wire::TopToken;

    #[test]
    fn top_tokens_with_ids_become_a_top_k_list() {
        let mut listed = token(" be", Some(-2.0));
        listed.top_tokens = Some(vec![
            TopToken {
                token: ",".into(),
                likelihood: -1.5,
                id: Some(11),
            },
            TopToken {
                token: " be".into(),
                likelihood: -1.0,
                id: Some(307),
            },
        ]);
        let response = answer(vec![token("To", None), listed.clone()], None);
        let scores = prompt_scores("To be", &response).unwrap();
        let top = scores[1].top_k.as_ref().unwrap();
        assert_eq!(top.ids, [307, 11], "sorted best first");
        assert_eq!(top.logprobs, [-1.0, -1.5]);
        assert!(top.texts.is_empty(), "the page keeps no texts");
        if let Some(list) = listed.top_tokens.as_mut() {
            list[1].id = None;
        }
        let response = answer(vec![token("To", None), listed], None);
        let scores = prompt_scores("To be", &response).unwrap();
        assert_eq!(scores[1].top_k, None, "without every id, no list");
        assert!(scores[1].top.is_some(), "the top-1 is still read");
    }

    fn answer(tokens: Vec<TokenLikelihood>, input_tokens: Option<u32>) -> GenerateResponse {
        let answer = crate::testing::answer(tokens);
        match input_tokens {
            Some(n) => answer.billed(n, 1),
            None => answer,
        }
        .build()
    }

    #[test]
    fn generated_tokens_are_left_out_by_walking_the_prompt() {
        let response = answer(
            vec![
                token("To", None),
                token(" be", Some(-2.0)),
                token(",", Some(-1.0)),
                token(" or", Some(-0.5)),
            ],
            None,
        );
        let scores = prompt_scores("To be,", &response).unwrap();
        assert_eq!(scores.len(), 3);
        assert_eq!(scores[0].logprob, None);
        assert_eq!(scores[2].logprob, Some(-1.0));
    }

    #[test]
    fn billed_input_tokens_win_over_the_walk() {
        let response = answer(
            vec![
                token("To", None),
                token(" be", Some(-2.0)),
                token(",", Some(-1.0)),
            ],
            Some(2),
        );
        assert_eq!(prompt_scores("To be,", &response).unwrap().len(), 2);
    }

    #[test]
    fn a_first_token_likelihood_is_ignored() {
        let response = answer(vec![token("A", Some(-3.0)), token("B", Some(-1.0))], None);
        let scores = prompt_scores("AB", &response).unwrap();
        assert_eq!(scores[0].logprob, None);
    }

    #[test]
    fn tokens_that_do_not_cover_the_prompt_are_an_error() {
        let response = answer(vec![token("To", None)], None);
        assert_eq!(
            prompt_scores("To be", &response),
            Err(ScoresError::PromptNotCovered {
                covered: 2,
                expected: 5
            })
        );
    }

    #[test]
    fn positive_likelihood_is_rejected() {
        let response = answer(vec![token("A", None), token("B", Some(0.5))], None);
        assert!(matches!(
            prompt_scores("AB", &response),
            Err(ScoresError::InvalidLikelihood { index: 1, .. })
        ));
    }

    #[test]
    fn absurd_likelihoods_are_rejected_briefly() {
        let response = answer(vec![token("A", None), token("B", Some(-1e308))], None);
        let error = prompt_scores("AB", &response).unwrap_err();
        assert!(matches!(
            error,
            ScoresError::InvalidLikelihood { index: 1, .. }
        ));
        assert!(error.to_string().len() < 100, "{error}");
        let mut absurd_top = token("B", Some(-1.0));
        absurd_top.top_tokens = Some(vec![TopToken {
            token: "C".into(),
            likelihood: -1e300,
            id: None,
        }]);
        let response = answer(vec![token("A", None), absurd_top], None);
        assert!(prompt_scores("AB", &response).is_err());
    }

    #[test]
    fn top_choice_comes_from_rank_or_top_token() {
        let mut with_top = token(" be", Some(-2.0));
        with_top.top_tokens = Some(vec![TopToken {
            token: " be".into(),
            likelihood: -2.0,
            id: None,
        }]);
        let response = answer(vec![token("To", None), with_top], None);
        let scores = prompt_scores("To be", &response).unwrap();
        assert_eq!(scores[1].is_top_choice(), Some(true));
        assert_eq!(scores[0].is_top_choice(), None);
        let ranked = ScoredToken {
            text: "x".into(),
            logprob: Some(-5.0),
            top: None,
            rank: Some(3),
            id: None,
            top_k: None,
        };
        assert_eq!(ranked.is_top_choice(), Some(false));
    }
}
