//! The `sglang` backend: SGLang's native `POST {base}/generate` with `return_logprob: true`,
//! `logprob_start_len: 0`, `top_logprobs_num: 1` and `return_text_in_logprobs: true`. The prompt's
//! tokens come back in `meta_info.input_token_logprobs` as `[logprob, token_id, text]` (the first with a
//! `null` log-probability), the top-1 token per position in `input_top_logprobs`, and the generated
//! tokens in `output_token_logprobs` / `output_top_logprobs`. SGLang accepts `max_new_tokens: 0`. It
//! returns one generation per call, so `num_generations` above 1 makes that many calls. `seed` is not
//! sent: SGLang refuses sampling parameters it does not know, and its seed parameter varies by version.
//! A request's `top_logprobs: K` becomes `top_logprobs_num: K`, each prompt position's K best tokens
//! read into the answer (`top_logprobs`).

use super::normalise::{self, RawGeneration};
use super::top_logprobs;
use super::upstream::Upstream;
use super::{GenerateInput, DEFAULT_MAX_TOKENS};
use crate::error::AppError;
use likely_core::ScoredToken;
use likely_core::{GenerateRequest, GenerateResponse, ReturnLikelihoods};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Cohere's default temperature, used when a request gives none.
const DEFAULT_TEMPERATURE: f64 = 0.75;

/// A model behind an SGLang server (which serves one model; `upstream_model` is not sent).
#[derive(Debug, Clone)]
pub struct SglangBackend {
    upstream: Upstream,
}

#[derive(Debug, Serialize)]
struct SglangRequest<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<&'a str>,
    /// Token ids instead of `text`, passed through as they came.
    #[serde(skip_serializing_if = "Option::is_none")]
    input_ids: Option<&'a [u32]>,
    sampling_params: SamplingParams,
    return_logprob: bool,
    /// 0: from the first prompt token; absent (SGLang's -1): generated tokens only.
    #[serde(skip_serializing_if = "Option::is_none")]
    logprob_start_len: Option<u32>,
    top_logprobs_num: u32,
    return_text_in_logprobs: bool,
}

#[derive(Debug, Serialize)]
struct SamplingParams {
    max_new_tokens: u32,
    temperature: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    top_p: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    top_k: Option<u32>,
}

/// One token: `[logprob, token_id, text]`.
#[derive(Debug, Deserialize)]
struct Entry(Option<f64>, Option<u32>, Option<String>);

#[derive(Debug, Deserialize)]
pub(super) struct SglangAnswer {
    #[serde(default)]
    text: String,
    meta_info: MetaInfo,
}

#[derive(Debug, Deserialize)]
struct MetaInfo {
    /// `{"type": "length", "length": 1}`, `{"type": "stop", "matched": …}` or `null`.
    #[serde(default)]
    finish_reason: Option<Value>,
    #[serde(default)]
    input_token_logprobs: Option<Vec<Entry>>,
    #[serde(default)]
    input_top_logprobs: Option<Vec<Option<Vec<Entry>>>>,
    #[serde(default)]
    output_token_logprobs: Option<Vec<Entry>>,
    #[serde(default)]
    output_top_logprobs: Option<Vec<Option<Vec<Entry>>>>,
}

impl SglangBackend {
    /// A backend asking `upstream`.
    pub fn new(upstream: Upstream) -> SglangBackend {
        SglangBackend { upstream }
    }

    /// Forwards `input` once per generation (its token ids as the prompt, when sent) and normalises
    /// the answers.
    pub async fn generate(&self, input: &GenerateInput) -> Result<GenerateResponse, AppError> {
        let request = &input.request;
        let mode = request.likelihoods();
        let mut body = body(request, mode);
        if let Some(ids) = &input.ids {
            body.text = None;
            body.input_ids = Some(ids);
        }
        let mut generations = Vec::new();
        for _ in 0..request.num_generations.unwrap_or(1) {
            let answer: SglangAnswer = self.upstream.post(&body, "SGLang generate").await?;
            generations.push(to_raw_with(
                self.upstream.model(),
                mode,
                answer,
                request.top_logprobs,
            )?);
        }
        normalise::build_response(self.upstream.model(), &request.prompt, mode, generations)
    }
}

/// The request body; SGLang refuses `top_k: 0` and `top_p: 0`, so those mean "not sent".
fn body(request: &GenerateRequest, mode: ReturnLikelihoods) -> SglangRequest<'_> {
    SglangRequest {
        text: Some(&request.prompt),
        input_ids: None,
        sampling_params: SamplingParams {
            max_new_tokens: request.max_tokens.unwrap_or(DEFAULT_MAX_TOKENS),
            temperature: request.temperature.unwrap_or(DEFAULT_TEMPERATURE),
            top_p: request.p.filter(|&p| p > 0.0 && p <= 1.0),
            top_k: request.k.filter(|&k| k > 0),
        },
        return_logprob: mode != ReturnLikelihoods::None,
        logprob_start_len: (mode == ReturnLikelihoods::All).then_some(0),
        top_logprobs_num: request
            .top_logprobs
            .filter(|_| mode == ReturnLikelihoods::All)
            .unwrap_or(1),
        return_text_in_logprobs: true,
    }
}

fn malformed(model: &str, what: &str) -> AppError {
    AppError::BadGateway(format!(
        "model `{model}`: the upstream's SGLang answer {what}"
    ))
}

/// Tokens from `[logprob, id, text]` entries, with the best of each position's top entries (and
/// the `top_logprobs` best of them as a list, when asked).
fn tokens(
    model: &str,
    entries: Vec<Entry>,
    tops: Option<Vec<Option<Vec<Entry>>>>,
    top_logprobs: Option<u32>,
) -> Result<Vec<ScoredToken>, AppError> {
    let mut tops = tops.unwrap_or_default().into_iter();
    entries
        .into_iter()
        .map(|Entry(logprob, id, text)| {
            let text = text.ok_or_else(|| {
                malformed(
                    model,
                    "has tokens without text; does the server honour `return_text_in_logprobs`?",
                )
            })?;
            let candidates = tops.next().flatten();
            let top_k = match (&candidates, top_logprobs) {
                (Some(candidates), Some(k)) => {
                    let listed: Vec<_> = candidates
                        .iter()
                        .map(|Entry(logprob, id, text)| (*logprob, *id, text.clone()))
                        .collect();
                    top_logprobs::sglang_entry(&listed, k)
                }
                _ => None,
            };
            let top = candidates.and_then(|candidates| {
                candidates
                    .into_iter()
                    .filter_map(|Entry(logprob, _, text)| Some((text?, logprob?)))
                    .max_by(|a, b| a.1.total_cmp(&b.1))
            });
            Ok(ScoredToken {
                top,
                id,
                top_k,
                ..ScoredToken::new(text, logprob)
            })
        })
        .collect()
}

#[cfg(test)]
pub(super) fn to_raw(
    model: &str,
    mode: ReturnLikelihoods,
    answer: SglangAnswer,
) -> Result<RawGeneration, AppError> {
    to_raw_with(model, mode, answer, None)
}

/// [`to_raw`] with each prompt position's `top_logprobs` best tokens, when asked.
pub(super) fn to_raw_with(
    model: &str,
    mode: ReturnLikelihoods,
    answer: SglangAnswer,
    top_logprobs: Option<u32>,
) -> Result<RawGeneration, AppError> {
    let meta = answer.meta_info;
    let prompt_tokens = match (mode, meta.input_token_logprobs) {
        (ReturnLikelihoods::All, Some(entries)) if !entries.is_empty() => {
            tokens(model, entries, meta.input_top_logprobs, top_logprobs)?
        }
        (ReturnLikelihoods::All, _) => {
            return Err(malformed(
                model,
                "has no `meta_info.input_token_logprobs`; is this SGLang's native /generate?",
            ))
        }
        _ => Vec::new(),
    };
    let generated = match meta.output_token_logprobs {
        Some(entries) if mode != ReturnLikelihoods::None => {
            tokens(model, entries, meta.output_top_logprobs, None)?
        }
        _ => Vec::new(),
    };
    let finish_reason = meta.finish_reason.and_then(|reason| match reason {
        Value::String(text) => Some(text),
        Value::Object(fields) => fields.get("type").and_then(Value::as_str).map(String::from),
        _ => None,
    });
    Ok(RawGeneration {
        prompt_tokens,
        generated,
        text: answer.text,
        finish_reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ANSWER: &str = include_str!("../../tests/fixtures/sglang_generate.json");
    const SCORING_ONLY: &str =
        include_str!("../../tests/fixtures/sglang_generate_scoring_only.json");

    fn normalised(text: &str, mode: ReturnLikelihoods) -> Result<GenerateResponse, AppError> {
        let answer: SglangAnswer = serde_json::from_str(text).unwrap();
        let raw = to_raw("s", mode, answer)?;
        normalise::build_response("s", "To be or", mode, vec![raw])
    }

    #[test]
    fn input_then_output_tokens_with_ids_and_top_tokens() {
        let answer = normalised(ANSWER, ReturnLikelihoods::All).unwrap();
        let generation = &answer.generations[0];
        let tokens = generation.token_likelihoods.as_ref().unwrap();
        let texts: Vec<_> = tokens.iter().map(|t| t.token.as_str()).collect();
        assert_eq!(texts, ["To", " be", " or", " not"], "the BOS is dropped");
        assert_eq!(tokens[0].likelihood, None);
        assert!(tokens[0].top_tokens.is_none());
        assert_eq!(tokens[2].likelihood, Some(-4.2));
        assert_eq!(tokens[2].top_tokens.as_ref().unwrap()[0].token, ",");
        let ids: Vec<_> = tokens.iter().map(|t| t.id).collect();
        assert_eq!(ids, [Some(1271), Some(387), Some(477), Some(539)]);
        assert_eq!(generation.text, " not");
        assert_eq!(generation.finish_reason.as_deref(), Some("MAX_TOKENS"));
        assert_eq!(answer.billed_input_tokens(), Some(3));
    }

    #[test]
    fn scoring_alone_lists_the_prompt_only() {
        let answer = normalised(SCORING_ONLY, ReturnLikelihoods::All).unwrap();
        let generation = &answer.generations[0];
        assert_eq!(generation.token_likelihoods.as_ref().unwrap().len(), 3);
        assert_eq!(generation.text, "");
    }

    #[test]
    fn an_answer_without_input_logprobs_is_a_clear_502() {
        let text = include_str!("../../tests/fixtures/sglang_answer_without_logprobs.json");
        let error = normalised(text, ReturnLikelihoods::All).unwrap_err();
        assert_eq!(error.status(), axum::http::StatusCode::BAD_GATEWAY);
        assert!(
            error.to_string().contains("input_token_logprobs"),
            "{error}"
        );
        let answer = normalised(text, ReturnLikelihoods::None).unwrap();
        assert_eq!(answer.generations[0].text, " not");
    }

    #[test]
    fn the_request_asks_for_prompt_logprobs_and_leaves_out_refused_values() {
        let mut request = GenerateRequest::scoring("s", "To be or");
        request.max_tokens = Some(0);
        request.seed = Some(3);
        let json = serde_json::to_value(body(&request, ReturnLikelihoods::All)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "text": "To be or",
                "sampling_params": {"max_new_tokens": 0, "temperature": 1.0, "top_p": 0.75},
                "return_logprob": true,
                "logprob_start_len": 0,
                "top_logprobs_num": 1,
                "return_text_in_logprobs": true
            })
        );
        let json = serde_json::to_value(body(&request, ReturnLikelihoods::Generation)).unwrap();
        assert!(json.get("logprob_start_len").is_none());
    }
}
