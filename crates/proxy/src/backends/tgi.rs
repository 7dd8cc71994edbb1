//! The `tgi` backend: Hugging Face Text Generation Inference, `POST {base}/generate` with
//! `details: true` and `decoder_input_details: true`. The prompt's tokens come back in
//! `details.prefill` (the first with `logprob: null`), the generated ones in `details.tokens`. TGI
//! generates at least one token (`max_new_tokens: 0` is rejected), so a request for none drops it;
//! it returns one generation per call, so `num_generations` above 1 makes that many calls.

use super::normalise::{self, RawGeneration};
use super::upstream::Upstream;
use super::DEFAULT_MAX_TOKENS;
use crate::error::AppError;
use likely_core::ScoredToken;
use likely_core::{GenerateRequest, GenerateResponse, ReturnLikelihoods};
use serde::{Deserialize, Serialize};

/// Cohere's default temperature, used when a request gives none.
const DEFAULT_TEMPERATURE: f64 = 0.75;

/// A model behind a TGI server (which serves one model; `upstream_model` is not sent).
#[derive(Debug, Clone)]
pub struct TgiBackend {
    upstream: Upstream,
}

#[derive(Debug, Serialize)]
struct TgiRequest<'a> {
    inputs: &'a str,
    parameters: TgiParameters,
}

#[derive(Debug, Serialize)]
struct TgiParameters {
    details: bool,
    decoder_input_details: bool,
    max_new_tokens: u32,
    do_sample: bool,
    return_full_text: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    temperature: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    top_k: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    top_p: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    seed: Option<u64>,
}

/// TGI's `/generate` answers an object; its `/` route answers a one-element list. Both are read.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(super) enum TgiAnswer {
    One(TgiGeneration),
    List(Vec<TgiGeneration>),
}

#[derive(Debug, Deserialize)]
pub(super) struct TgiGeneration {
    generated_text: String,
    #[serde(default)]
    details: Option<TgiDetails>,
}

#[derive(Debug, Deserialize)]
struct TgiDetails {
    #[serde(default)]
    finish_reason: Option<String>,
    #[serde(default)]
    prefill: Vec<TgiToken>,
    #[serde(default)]
    tokens: Vec<TgiToken>,
}

#[derive(Debug, Deserialize)]
struct TgiToken {
    #[serde(default)]
    id: Option<u32>,
    text: String,
    logprob: Option<f64>,
    #[serde(default)]
    special: bool,
}

impl TgiBackend {
    /// A backend asking `upstream`.
    pub fn new(upstream: Upstream) -> TgiBackend {
        TgiBackend { upstream }
    }

    /// Forwards a validated request (once per generation) and normalises the answers.
    pub async fn generate(&self, request: GenerateRequest) -> Result<GenerateResponse, AppError> {
        let mode = request.likelihoods();
        let wanted = request.max_tokens.unwrap_or(DEFAULT_MAX_TOKENS);
        let mut generations = Vec::new();
        for index in 0..request.num_generations.unwrap_or(1) {
            let seed = request.seed.map(|seed| seed.wrapping_add(u64::from(index)));
            let body = TgiRequest {
                inputs: &request.prompt,
                parameters: parameters(&request, mode, wanted, seed),
            };
            let answer: TgiAnswer = self.upstream.post(&body, "TGI generate").await?;
            generations.push(to_raw(self.upstream.model(), mode, answer, wanted == 0)?);
        }
        normalise::build_response(self.upstream.model(), &request.prompt, mode, generations)
    }
}

/// TGI's parameters; it refuses `temperature: 0`, `top_k: 0` and `top_p` of 0 or 1, so those mean
/// "not sent".
fn parameters(
    request: &GenerateRequest,
    mode: ReturnLikelihoods,
    wanted: u32,
    seed: Option<u64>,
) -> TgiParameters {
    let temperature = request.temperature.unwrap_or(DEFAULT_TEMPERATURE);
    let sample = temperature > 0.0;
    TgiParameters {
        details: true,
        decoder_input_details: mode == ReturnLikelihoods::All,
        max_new_tokens: wanted.max(1),
        do_sample: sample,
        return_full_text: false,
        temperature: sample.then_some(temperature),
        top_k: request.k.filter(|&k| sample && k > 0),
        top_p: request.p.filter(|&p| sample && p > 0.0 && p < 1.0),
        seed: seed.filter(|_| sample),
    }
}

pub(super) fn to_raw(
    model: &str,
    mode: ReturnLikelihoods,
    answer: TgiAnswer,
    drop_generated: bool,
) -> Result<RawGeneration, AppError> {
    let generation = match answer {
        TgiAnswer::One(generation) => generation,
        TgiAnswer::List(list) => list.into_iter().next().ok_or_else(|| {
            AppError::BadGateway(format!(
                "model `{model}`: the upstream returned an empty list"
            ))
        })?,
    };
    let details = generation.details.ok_or_else(|| {
        AppError::BadGateway(format!(
            "model `{model}`: the upstream's answer has no `details`; is this a TGI server?"
        ))
    })?;
    if mode == ReturnLikelihoods::All && details.prefill.is_empty() {
        return Err(AppError::BadGateway(format!(
            "model `{model}`: the upstream's answer has no `details.prefill`"
        )));
    }
    let raw = |token: TgiToken| ScoredToken {
        id: token.id,
        ..ScoredToken::new(token.text, token.logprob)
    };
    let generated = if drop_generated {
        Vec::new()
    } else {
        details
            .tokens
            .into_iter()
            .filter(|token| !token.special)
            .map(raw)
            .collect()
    };
    Ok(RawGeneration {
        prompt_tokens: details.prefill.into_iter().map(raw).collect(),
        generated,
        text: if drop_generated {
            String::new()
        } else {
            generation.generated_text
        },
        finish_reason: details.finish_reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// TGI's answer to `{"inputs":"To be or","parameters":{"details":true,
    /// "decoder_input_details":true,"max_new_tokens":1}}` (Llama 2: `<s>` first), shared with
    /// `tests/it/forwarding.rs`.
    const ANSWER: &str = include_str!("../../tests/fixtures/tgi_generate.json");

    #[test]
    fn prefill_then_generated_tokens() {
        let answer: TgiAnswer = serde_json::from_str(ANSWER).unwrap();
        let raw = to_raw("t", ReturnLikelihoods::All, answer, false).unwrap();
        let answer =
            normalise::build_response("t", "To be or", ReturnLikelihoods::All, vec![raw]).unwrap();
        let tokens = answer.generations[0].token_likelihoods.as_ref().unwrap();
        let texts: Vec<_> = tokens.iter().map(|t| t.token.as_str()).collect();
        assert_eq!(texts, ["To", " be", " or", " not"]);
        assert_eq!(tokens[0].likelihood, None);
        assert_eq!(tokens[1].likelihood, Some(-2.1));
        let ids: Vec<_> = tokens.iter().map(|t| t.id).collect();
        assert_eq!(ids, [Some(1763), Some(367), Some(470), Some(451)]);
        assert_eq!(answer.generations[0].text, " not");
        assert_eq!(
            answer.meta.unwrap().billed_units.unwrap().input_tokens,
            Some(3)
        );
    }

    #[test]
    fn a_list_answer_and_a_dropped_token_are_read() {
        let answer: TgiAnswer = serde_json::from_str(&format!("[{ANSWER}]")).unwrap();
        let raw = to_raw("t", ReturnLikelihoods::All, answer, true).unwrap();
        assert!(raw.generated.is_empty());
        assert_eq!(raw.text, "");
    }

    #[test]
    fn parameters_avoid_values_tgi_rejects() {
        let mut request = GenerateRequest::scoring("t", "x");
        request.max_tokens = Some(0);
        request.p = Some(1.0);
        let json =
            serde_json::to_value(parameters(&request, ReturnLikelihoods::All, 0, None)).unwrap();
        assert_eq!(json["max_new_tokens"], 1);
        assert_eq!(json["decoder_input_details"], true);
        assert!(json.get("top_p").is_none());
        assert!(json.get("top_k").is_none(), "k = 0 means off");
        request.temperature = Some(0.0);
        let json =
            serde_json::to_value(parameters(&request, ReturnLikelihoods::All, 1, Some(3))).unwrap();
        assert_eq!(json["do_sample"], false);
        assert!(json.get("temperature").is_none());
        assert!(json.get("seed").is_none());
    }
}
