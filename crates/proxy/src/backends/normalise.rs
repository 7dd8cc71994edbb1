//! The one answer shape every backend returns: Cohere's, with prompt tokens first (the first without a
//! likelihood, a leading BOS-like special token dropped), generated tokens after them, natural logs,
//! `top_tokens` when the upstream named the top-1 token (the K best with ids when `top_logprobs`
//! asked and the upstream gave them), `rank` when it gave one, and
//! `meta.billed_units.input_tokens` = the number of prompt tokens listed, so the page can split the
//! prompt from the generation.

use crate::error::AppError;
use likely_core::prompt_split::is_added_special;
use likely_core::rules;
use likely_core::{
    BilledUnits, GenerateResponse, Generation, ResponseMeta, ReturnLikelihoods, ScoredToken,
    TokenLikelihood, TopToken,
};
use std::sync::atomic::{AtomicU64, Ordering};

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// A fresh identifier, `{prefix}-{n}`.
pub fn next_id(prefix: &str) -> String {
    format!("{prefix}-{}", NEXT_ID.fetch_add(1, Ordering::Relaxed))
}

/// One generation as an upstream reported it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RawGeneration {
    /// The prompt's tokens (empty unless likelihoods `ALL` were asked for).
    pub prompt_tokens: Vec<ScoredToken>,
    /// The generated tokens (empty when none were generated or none were scored).
    pub generated: Vec<ScoredToken>,
    /// The generated text.
    pub text: String,
    /// The upstream's reason to stop.
    pub finish_reason: Option<String>,
}

/// Cohere's finish reasons from each dialect's.
pub fn finish_reason(reason: Option<&str>) -> Option<String> {
    let reason = reason?;
    Some(
        match reason.to_ascii_lowercase().as_str() {
            "length" | "max_tokens" => "MAX_TOKENS",
            "stop" | "eos" | "eos_token" | "stop_sequence" | "complete" | "end_turn" => "COMPLETE",
            _ => return Some(reason.to_ascii_uppercase()),
        }
        .to_string(),
    )
}

/// The one log-likelihood rule (`likely_core::rules::logprob`); an upstream breaking it is a 502.
fn checked(model: &str, logprob: Option<f64>) -> Result<Option<f64>, AppError> {
    rules::optional_logprob(logprob).map_err(|error| {
        AppError::BadGateway(format!("model `{model}`: the upstream returned {error}"))
    })
}

fn to_wire(model: &str, token: ScoredToken) -> Result<TokenLikelihood, AppError> {
    let top_tokens = match (token.top_k, token.top) {
        // The `top_logprobs` extension: the K best with their ids, best first.
        (Some(list), _) if !list.is_empty() => {
            let mut texts = list.texts.into_iter();
            let mut listed = Vec::with_capacity(list.ids.len());
            for (id, likelihood) in list.ids.into_iter().zip(list.logprobs) {
                listed.push(TopToken {
                    token: texts.next().unwrap_or_default(),
                    likelihood: checked(model, Some(likelihood))?.unwrap_or(0.0),
                    id: Some(id),
                });
            }
            Some(listed)
        }
        (_, Some((text, likelihood))) => Some(vec![TopToken {
            token: text,
            likelihood: checked(model, Some(likelihood))?.unwrap_or(0.0),
            id: None,
        }]),
        (_, None) => None,
    };
    Ok(TokenLikelihood {
        token: token.text,
        likelihood: checked(model, token.logprob)?,
        top_tokens,
        rank: token.rank,
        id: token.id,
    })
}

/// The normalised answer for `prompt` from the generations an upstream returned.
pub fn build_response(
    model: &str,
    prompt: &str,
    mode: ReturnLikelihoods,
    generations: Vec<RawGeneration>,
) -> Result<GenerateResponse, AppError> {
    let mut input_tokens = None;
    let mut output_tokens = None;
    let mut answer = Vec::with_capacity(generations.len());
    for raw in generations {
        let mut prompt_tokens = raw.prompt_tokens;
        let added = prompt_tokens
            .iter()
            .take_while(|token| is_added_special(&token.text, prompt))
            .count();
        if added < prompt_tokens.len() {
            prompt_tokens.drain(..added);
        }
        if let Some(first) = prompt_tokens.first_mut() {
            first.logprob = None;
            first.top = None;
            first.rank = None;
            first.top_k = None;
        }
        if mode == ReturnLikelihoods::All {
            input_tokens.get_or_insert(prompt_tokens.len() as u32);
        }
        output_tokens.get_or_insert(raw.generated.len() as u32);
        let tokens = match mode {
            ReturnLikelihoods::None => None,
            ReturnLikelihoods::Generation => Some(raw.generated),
            ReturnLikelihoods::All => {
                Some(prompt_tokens.into_iter().chain(raw.generated).collect())
            }
        };
        let token_likelihoods = tokens
            .map(|tokens| {
                tokens
                    .into_iter()
                    .map(|token| to_wire(model, token))
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?;
        let scored: Vec<f64> = token_likelihoods
            .iter()
            .flatten()
            .filter_map(|token| token.likelihood)
            .collect();
        answer.push(Generation {
            id: next_id("gen"),
            text: raw.text,
            likelihood: (!scored.is_empty())
                .then(|| scored.iter().sum::<f64>() / scored.len() as f64),
            token_likelihoods,
            finish_reason: finish_reason(raw.finish_reason.as_deref()),
        });
    }
    if answer.is_empty() {
        return Err(AppError::BadGateway(format!(
            "model `{model}`: the upstream returned no generation"
        )));
    }
    Ok(GenerateResponse {
        id: next_id("likely"),
        prompt: Some(prompt.to_string()),
        generations: answer,
        meta: Some(ResponseMeta {
            billed_units: Some(BilledUnits {
                input_tokens,
                output_tokens,
            }),
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(pieces: &[(&str, Option<f64>)]) -> Vec<ScoredToken> {
        pieces
            .iter()
            .map(|(text, logprob)| ScoredToken::new(*text, *logprob))
            .collect()
    }

    #[test]
    fn prompt_tokens_come_first_and_the_first_has_no_likelihood() {
        let generation = RawGeneration {
            prompt_tokens: tokens(&[("To", Some(-9.0)), (" be", Some(-2.0))]),
            generated: tokens(&[(",", Some(-1.0))]),
            text: ",".into(),
            finish_reason: Some("length".into()),
        };
        let answer =
            build_response("m", "To be", ReturnLikelihoods::All, vec![generation]).unwrap();
        let generation = &answer.generations[0];
        let list = generation.token_likelihoods.as_ref().unwrap();
        let texts: Vec<_> = list.iter().map(|t| t.token.as_str()).collect();
        assert_eq!(texts, ["To", " be", ","]);
        assert_eq!(list[0].likelihood, None);
        assert_eq!(generation.likelihood, Some(-1.5));
        assert_eq!(generation.finish_reason.as_deref(), Some("MAX_TOKENS"));
        let scores = likely_core::prompt_scores("To be", &answer).unwrap();
        let billed = answer.meta.unwrap().billed_units.unwrap();
        assert_eq!(billed.input_tokens, Some(2));
        assert_eq!(billed.output_tokens, Some(1));
        assert_eq!(
            scores.len(),
            2,
            "the page finds exactly the prompt's tokens"
        );
    }

    #[test]
    fn a_leading_bos_is_dropped_and_the_next_token_becomes_first() {
        let generation = RawGeneration {
            prompt_tokens: tokens(&[("<s>", None), ("Pour", Some(-3.0)), (" dég", Some(-10.5))]),
            ..RawGeneration::default()
        };
        let answer =
            build_response("m", "Pour dég", ReturnLikelihoods::All, vec![generation]).unwrap();
        let list = answer.generations[0].token_likelihoods.as_ref().unwrap();
        assert_eq!(list[0].token, "Pour");
        assert_eq!(list[0].likelihood, None);
        assert_eq!(list[1].likelihood, Some(-10.5));
    }

    #[test]
    fn modes_choose_the_listed_tokens() {
        let generation = || RawGeneration {
            prompt_tokens: Vec::new(),
            generated: tokens(&[(" a", Some(-1.0))]),
            text: " a".into(),
            finish_reason: None,
        };
        let none = build_response("m", "x", ReturnLikelihoods::None, vec![generation()]).unwrap();
        assert_eq!(none.generations[0].token_likelihoods, None);
        let generated =
            build_response("m", "x", ReturnLikelihoods::Generation, vec![generation()]).unwrap();
        assert_eq!(
            generated.generations[0]
                .token_likelihoods
                .as_ref()
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            generated.meta.unwrap().billed_units.unwrap().input_tokens,
            None
        );
    }

    #[test]
    fn impossible_likelihoods_are_a_502() {
        let generation = RawGeneration {
            prompt_tokens: tokens(&[("a", None), ("b", Some(0.5))]),
            ..RawGeneration::default()
        };
        let error =
            build_response("m", "ab", ReturnLikelihoods::All, vec![generation]).unwrap_err();
        assert_eq!(error.status(), axum::http::StatusCode::BAD_GATEWAY);
        let absurd = RawGeneration {
            prompt_tokens: tokens(&[("a", None), ("b", Some(-1e308))]),
            ..RawGeneration::default()
        };
        let error = build_response("m", "ab", ReturnLikelihoods::All, vec![absurd]).unwrap_err();
        assert_eq!(error.status(), axum::http::StatusCode::BAD_GATEWAY);
        assert!(error.to_string().len() < 120, "{error}");
        let error = build_response("m", "ab", ReturnLikelihoods::All, Vec::new()).unwrap_err();
        assert_eq!(error.status(), axum::http::StatusCode::BAD_GATEWAY);
    }

    #[test]
    fn finish_reasons_use_cohere_s_words() {
        assert_eq!(finish_reason(Some("stop")).as_deref(), Some("COMPLETE"));
        assert_eq!(
            finish_reason(Some("eos_token")).as_deref(),
            Some("COMPLETE")
        );
        assert_eq!(
            finish_reason(Some("MAX_TOKENS")).as_deref(),
            Some("MAX_TOKENS")
        );
        assert_eq!(finish_reason(Some("abort")).as_deref(), Some("ABORT"));
        assert_eq!(finish_reason(None), None);
    }
}
