//! The `cohere` backend: Cohere's v1 `/generate`, which is the page's own dialect. The request goes
//! on with the upstream's model id and `raw_prompting: true` (so the scored text is exactly the text
//! sent); the answer is checked and normalised like every other backend's.

use super::normalise::{self, RawGeneration};
use super::upstream::Upstream;
use crate::error::AppError;
use likely_core::prompt_split;
use likely_core::ScoredToken;
use likely_core::{GenerateRequest, GenerateResponse, ReturnLikelihoods};
use serde::Serialize;

/// A model behind Cohere's v1 Generate API.
#[derive(Debug, Clone)]
pub struct CohereBackend {
    upstream: Upstream,
    upstream_model: String,
}

/// The body sent to `POST {base}/v1/generate`.
#[derive(Debug, Serialize)]
struct CohereRequest<'a> {
    model: &'a str,
    prompt: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    temperature: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    k: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    p: Option<f64>,
    return_likelihoods: ReturnLikelihoods,
    #[serde(skip_serializing_if = "Option::is_none")]
    num_generations: Option<u32>,
    raw_prompting: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    seed: Option<u64>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    stop_sequences: &'a [String],
}

impl CohereBackend {
    /// A backend asking `upstream` for model `upstream_model`.
    pub fn new(upstream: Upstream, upstream_model: String) -> CohereBackend {
        CohereBackend {
            upstream,
            upstream_model,
        }
    }

    /// Forwards a validated request and normalises the answer.
    pub async fn generate(&self, request: GenerateRequest) -> Result<GenerateResponse, AppError> {
        let mode = request.likelihoods();
        let body = CohereRequest {
            model: &self.upstream_model,
            prompt: &request.prompt,
            max_tokens: request.max_tokens,
            temperature: request.temperature,
            k: request.k,
            p: request.p,
            return_likelihoods: mode,
            num_generations: request.num_generations,
            raw_prompting: true,
            seed: request.seed,
            stop_sequences: request.stops(),
        };
        let answer: GenerateResponse = self.upstream.post(&body, "Cohere generate").await?;
        normalise_answer(self.upstream.model(), &request.prompt, mode, answer)
    }
}

/// How many leading tokens are the prompt's: the billed count when those tokens cover the prompt
/// exactly, else the count whose text covers it (a wrong billed count is not trusted); a 502 when the
/// tokens cannot cover the prompt.
fn prompt_tokens(
    model: &str,
    prompt: &str,
    billed: Option<usize>,
    tokens: &[ScoredToken],
) -> Result<usize, AppError> {
    let pieces = || tokens.iter().map(|t| t.text.as_str());
    let spelled = prompt_split::split_prompt(prompt, pieces(), prompt_split::bytes);
    if spelled.covered < prompt.len() {
        return Err(AppError::BadGateway(format!(
            "model `{model}`: the upstream's tokens cover {} of the prompt's {} bytes",
            spelled.covered,
            prompt.len()
        )));
    }
    let billed_covers = |n: usize| {
        let split = prompt_split::split_prompt(prompt, pieces().take(n), prompt_split::bytes);
        split.tokens == n && split.covered == prompt.len()
    };
    Ok(billed
        .filter(|&n| n > 0 && n <= tokens.len() && billed_covers(n))
        .unwrap_or(spelled.tokens))
}

/// Cohere's answer in the normalised form: its token list split into prompt and generated tokens.
pub(super) fn normalise_answer(
    model: &str,
    prompt: &str,
    mode: ReturnLikelihoods,
    answer: GenerateResponse,
) -> Result<GenerateResponse, AppError> {
    let billed = answer.billed_input_tokens();
    let generations = answer
        .generations
        .into_iter()
        .map(|generation| {
            let tokens: Vec<ScoredToken> = generation
                .token_likelihoods
                .unwrap_or_default()
                .into_iter()
                .map(|token| ScoredToken::new(token.token, token.likelihood))
                .collect();
            let missing = match mode {
                ReturnLikelihoods::All => tokens.is_empty(),
                ReturnLikelihoods::Generation => tokens.is_empty() && !generation.text.is_empty(),
                ReturnLikelihoods::None => false,
            };
            if missing {
                return Err(AppError::BadGateway(format!(
                    "model `{model}`: the upstream's answer has no token_likelihoods"
                )));
            }
            let split = match mode {
                ReturnLikelihoods::All => prompt_tokens(model, prompt, billed, &tokens)?,
                _ => 0,
            };
            let mut prompt_tokens = tokens;
            let generated = prompt_tokens.split_off(split.min(prompt_tokens.len()));
            Ok(RawGeneration {
                prompt_tokens,
                generated,
                text: generation.text,
                finish_reason: generation.finish_reason,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    normalise::build_response(model, prompt, mode, generations)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real-shaped Cohere v1 answer to `"To be or"` with `return_likelihoods: "ALL"`, `max_tokens: 1`,
    /// shared with `tests/it/forwarding.rs`.
    const ANSWER: &str = include_str!("../../tests/fixtures/cohere_generate.json");

    #[test]
    fn cohere_answers_keep_their_tokens_and_gain_our_meta() {
        let answer: GenerateResponse = serde_json::from_str(ANSWER).unwrap();
        let normal = normalise_answer("c", "To be or", ReturnLikelihoods::All, answer).unwrap();
        let generation = &normal.generations[0];
        let tokens = generation.token_likelihoods.as_ref().unwrap();
        assert_eq!(tokens.len(), 4);
        assert_eq!(tokens[0].likelihood, None);
        assert_eq!(tokens[1].likelihood, Some(-2.1));
        assert_eq!(generation.text, " not");
        let billed = normal.meta.unwrap().billed_units.unwrap();
        assert_eq!(billed.input_tokens, Some(3));
    }

    #[test]
    fn without_billed_units_the_prompt_is_found_by_its_bytes() {
        let mut answer: GenerateResponse = serde_json::from_str(ANSWER).unwrap();
        answer.meta = None;
        let normal = normalise_answer("c", "To be or", ReturnLikelihoods::All, answer).unwrap();
        assert_eq!(
            normal.meta.unwrap().billed_units.unwrap().input_tokens,
            Some(3)
        );
    }

    #[test]
    fn the_request_scores_exactly_the_text_sent() {
        let body = CohereRequest {
            model: "3e1c-ft",
            prompt: "To be",
            max_tokens: Some(0),
            temperature: None,
            k: None,
            p: None,
            return_likelihoods: ReturnLikelihoods::All,
            num_generations: None,
            raw_prompting: true,
            seed: None,
            stop_sequences: &[],
        };
        let json = serde_json::to_value(&body).unwrap();
        assert!(json.get("stop_sequences").is_none());
        assert_eq!(json["raw_prompting"], true);
        assert_eq!(json["return_likelihoods"], "ALL");
        assert_eq!(json["model"], "3e1c-ft");
        assert!(json.get("seed").is_none());
    }
}
