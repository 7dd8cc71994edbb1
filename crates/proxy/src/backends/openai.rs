//! The `openai-completions` backend: OpenAI's legacy `POST {base}/v1/completions`, as served by vLLM,
//! Together, Fireworks and others.
//!
//! Scoring the prompt uses `echo: true` with `logprobs: 1`: the answer's `choices[].logprobs` then lists
//! the prompt's tokens (the first with a `null` log-probability) before the generated ones, with the
//! top-1 token per position in `top_logprobs`. Together puts the prompt's tokens in a top-level
//! `prompt[].logprobs` instead, which is read too. With `flavor = "vllm"` the request also asks for
//! `prompt_logprobs: 1`, whose entries carry each prompt token's `rank`, and may ask for `max_tokens: 0`;
//! other servers get at least one generated token, dropped from the answer when none was asked for.
//! A request's `top_logprobs: K` becomes vLLM's `prompt_logprobs: K`, each position's K best tokens
//! read into the answer (`top_logprobs`); other servers give no ids, so no lists.

use super::normalise::{self, RawGeneration};
use super::top_logprobs;
use super::upstream::Upstream;
use super::{GenerateInput, DEFAULT_MAX_TOKENS};
use crate::config::Flavor;
use crate::error::AppError;
use likely_core::prompt_split;
use likely_core::ScoredToken;
use likely_core::{GenerateRequest, GenerateResponse, ReturnLikelihoods};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;

/// A model behind an OpenAI-compatible completions endpoint.
#[derive(Debug, Clone)]
pub struct OpenAiBackend {
    upstream: Upstream,
    upstream_model: String,
    flavor: Flavor,
}

/// The body sent to `POST {base}/v1/completions`.
#[derive(Debug, Serialize)]
struct CompletionRequest<'a> {
    model: &'a str,
    prompt: PromptBody<'a>,
    max_tokens: u32,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    echo: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    logprobs: Option<u32>,
    /// vLLM only.
    #[serde(skip_serializing_if = "Option::is_none")]
    prompt_logprobs: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    temperature: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    top_p: Option<f64>,
    /// vLLM only.
    #[serde(skip_serializing_if = "Option::is_none")]
    top_k: Option<u32>,
    /// vLLM only: the tokens' ids in `prompt_token_ids` and `token_ids`.
    #[serde(skip_serializing_if = "Option::is_none")]
    return_token_ids: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    n: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    seed: Option<u64>,
}

/// The prompt sent: the text, or token ids passed through as they came.
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum PromptBody<'a> {
    Text(&'a str),
    Ids(&'a [u32]),
}

/// The parts of a completions answer that are read.
#[derive(Debug, Deserialize)]
pub(super) struct CompletionAnswer {
    #[serde(default)]
    choices: Vec<Choice>,
    /// Together: the echoed prompt with its log-probabilities.
    #[serde(default)]
    prompt: Option<Vec<PromptPart>>,
    #[serde(default)]
    usage: Option<Usage>,
}

#[derive(Debug, Deserialize)]
struct Choice {
    #[serde(default)]
    index: u32,
    #[serde(default)]
    text: String,
    #[serde(default)]
    logprobs: Option<Logprobs>,
    #[serde(default)]
    finish_reason: Option<String>,
    /// vLLM: `[null, {"<token id>": {"logprob", "rank", "decoded_token"}, …}, …]`. Read leniently,
    /// since only the ranks come from it.
    #[serde(default)]
    prompt_logprobs: Option<Vec<Value>>,
    /// vLLM with `return_token_ids`: the prompt's token ids (a BOS included).
    #[serde(default)]
    prompt_token_ids: Option<Vec<u32>>,
    /// vLLM with `return_token_ids`: the generated tokens' ids.
    #[serde(default)]
    token_ids: Option<Vec<u32>>,
}

/// One position's most likely tokens: text → log-probability.
type TopLogprobs = HashMap<String, Option<f64>>;

#[derive(Debug, Deserialize)]
struct Logprobs {
    #[serde(default)]
    tokens: Vec<Option<String>>,
    #[serde(default)]
    token_logprobs: Vec<Option<f64>>,
    #[serde(default)]
    top_logprobs: Option<Vec<Option<TopLogprobs>>>,
    /// Together: the tokens' ids.
    #[serde(default)]
    token_ids: Option<Vec<u32>>,
}

#[derive(Debug, Deserialize)]
struct PromptPart {
    #[serde(default)]
    logprobs: Option<Logprobs>,
}

#[derive(Debug, Deserialize)]
struct Usage {
    #[serde(default)]
    prompt_tokens: Option<usize>,
}

impl OpenAiBackend {
    /// A backend asking `upstream` for model `upstream_model`.
    pub fn new(upstream: Upstream, upstream_model: String, flavor: Flavor) -> OpenAiBackend {
        OpenAiBackend {
            upstream,
            upstream_model,
            flavor,
        }
    }

    /// Forwards `input` (its token ids as the prompt, when sent) and normalises the answer.
    pub async fn generate(&self, input: &GenerateInput) -> Result<GenerateResponse, AppError> {
        let request = &input.request;
        let mode = request.likelihoods();
        let wanted = request.max_tokens.unwrap_or(DEFAULT_MAX_TOKENS);
        let mut body = self.request(request, mode, wanted);
        if let Some(ids) = &input.ids {
            body.prompt = PromptBody::Ids(ids);
        }
        let answer: CompletionAnswer = self.upstream.post(&body, "completions").await?;
        let drop_generated = body.max_tokens != wanted;
        let top_logprobs = request.top_logprobs.filter(|_| self.flavor == Flavor::Vllm);
        normalise_answer_with(
            self.upstream.model(),
            &request.prompt,
            mode,
            answer,
            drop_generated,
            top_logprobs,
        )
    }

    fn request<'a>(
        &'a self,
        request: &'a GenerateRequest,
        mode: ReturnLikelihoods,
        wanted: u32,
    ) -> CompletionRequest<'a> {
        let vllm = self.flavor == Flavor::Vllm;
        let all = mode == ReturnLikelihoods::All;
        CompletionRequest {
            model: &self.upstream_model,
            prompt: PromptBody::Text(&request.prompt),
            max_tokens: if vllm { wanted } else { wanted.max(1) },
            echo: all,
            logprobs: (mode != ReturnLikelihoods::None).then_some(1),
            prompt_logprobs: (vllm && all).then(|| request.top_logprobs.unwrap_or(1)),
            temperature: request.temperature,
            top_p: request.p.filter(|&p| p > 0.0 && p <= 1.0),
            top_k: request.k.filter(|&k| vllm && k > 0),
            return_token_ids: vllm.then_some(true),
            n: request.num_generations,
            seed: request.seed,
        }
    }
}

fn malformed(model: &str, what: &str) -> AppError {
    AppError::BadGateway(format!(
        "model `{model}`: the upstream's completions answer {what}"
    ))
}

/// The tokens of an OpenAI `logprobs` object, with the top-1 token per position when listed.
fn tokens_of(model: &str, logprobs: &Logprobs) -> Result<Vec<ScoredToken>, AppError> {
    if logprobs.tokens.len() != logprobs.token_logprobs.len() {
        return Err(malformed(
            model,
            "has `tokens` and `token_logprobs` of different lengths",
        ));
    }
    let tops = logprobs.top_logprobs.as_deref().unwrap_or_default();
    let ids = logprobs
        .token_ids
        .as_deref()
        .filter(|ids| ids.len() == logprobs.tokens.len())
        .unwrap_or_default();
    Ok(logprobs
        .tokens
        .iter()
        .zip(&logprobs.token_logprobs)
        .enumerate()
        .map(|(index, (text, logprob))| {
            let top = tops
                .get(index)
                .and_then(Option::as_ref)
                .and_then(|candidates| {
                    candidates
                        .iter()
                        .filter_map(|(text, logprob)| Some((text, (*logprob)?)))
                        .max_by(|a, b| a.1.total_cmp(&b.1))
                        .map(|(text, logprob)| (text.clone(), logprob))
                });
            ScoredToken {
                text: text.clone().unwrap_or_default(),
                logprob: *logprob,
                top,
                rank: None,
                id: ids.get(index).copied(),
                top_k: None,
            }
        })
        .collect())
}

/// Adds vLLM's ranks (and its top-1 token where `top_logprobs` gave none) to the prompt's tokens.
/// An entry's actual token is the one whose text and log-probability match the echoed token's.
fn add_vllm_ranks(tokens: &mut [ScoredToken], prompt_logprobs: &[Value]) {
    for (token, entry) in tokens.iter_mut().zip(prompt_logprobs) {
        let Some(candidates) = entry.as_object() else {
            continue;
        };
        for candidate in candidates.values() {
            let logprob = candidate.get("logprob").and_then(Value::as_f64);
            let rank = candidate
                .get("rank")
                .and_then(Value::as_u64)
                .and_then(|rank| u32::try_from(rank).ok());
            let text = candidate.get("decoded_token").and_then(Value::as_str);
            if let (Some(1), Some(text), Some(logprob), None) = (rank, text, logprob, &token.top) {
                token.top = Some((text.to_string(), logprob));
            }
            let same_text = text.is_none_or(|text| text == token.text);
            let same_logprob = match (logprob, token.logprob) {
                // vLLM clamps echoed log-probabilities at -9999.
                (Some(a), Some(b)) => (a.max(-9999.0) - b).abs() < 1e-6,
                _ => false,
            };
            if token.rank.is_none() && same_text && same_logprob {
                token.rank = rank;
            }
        }
    }
}

/// Adds vLLM's `prompt_token_ids` then `token_ids` to the echoed tokens, when they count as many.
fn with_vllm_ids(mut tokens: Vec<ScoredToken>, choice: &Choice) -> Vec<ScoredToken> {
    let Some(prompt_ids) = &choice.prompt_token_ids else {
        return tokens;
    };
    let generated_ids = choice.token_ids.as_deref().unwrap_or_default();
    let mut ids = prompt_ids.iter().chain(generated_ids);
    if prompt_ids.len() + generated_ids.len() == tokens.len() {
        for token in &mut tokens {
            token.id = ids.next().copied();
        }
    }
    tokens
}

#[cfg(test)]
pub(super) fn normalise_answer(
    model: &str,
    prompt: &str,
    mode: ReturnLikelihoods,
    answer: CompletionAnswer,
    drop_generated: bool,
) -> Result<GenerateResponse, AppError> {
    normalise_answer_with(model, prompt, mode, answer, drop_generated, None)
}

/// [`normalise_answer`] with each prompt position's `top_logprobs` best tokens from vLLM's
/// `prompt_logprobs`, when asked.
pub(super) fn normalise_answer_with(
    model: &str,
    prompt: &str,
    mode: ReturnLikelihoods,
    answer: CompletionAnswer,
    drop_generated: bool,
    top_logprobs: Option<u32>,
) -> Result<GenerateResponse, AppError> {
    let together_prompt = answer
        .prompt
        .as_ref()
        .and_then(|parts| parts.first())
        .and_then(|part| part.logprobs.as_ref())
        .map(|logprobs| tokens_of(model, logprobs))
        .transpose()?;
    let usage_prompt_tokens = answer.usage.as_ref().and_then(|usage| usage.prompt_tokens);
    let mut choices = answer.choices;
    choices.sort_by_key(|choice| choice.index);
    if choices.is_empty() {
        return Err(malformed(model, "has no choices"));
    }
    let mut generations = Vec::with_capacity(choices.len());
    for choice in choices {
        let mut tokens = match &choice.logprobs {
            Some(logprobs) => with_vllm_ids(tokens_of(model, logprobs)?, &choice),
            None if mode == ReturnLikelihoods::None => Vec::new(),
            None => {
                return Err(malformed(
                    model,
                    "has no `logprobs`; does the server support `logprobs` (and `echo`)?",
                ))
            }
        };
        let mut prompt_tokens = Vec::new();
        if mode == ReturnLikelihoods::All {
            if let Some(together) = &together_prompt {
                prompt_tokens = together.clone();
            } else {
                let split = choice
                    .prompt_logprobs
                    .as_ref()
                    .map(Vec::len)
                    .or(usage_prompt_tokens)
                    .filter(|&n| n > 0 && n <= tokens.len())
                    .unwrap_or_else(|| {
                        prompt_split::split_prompt(
                            prompt,
                            tokens.iter().map(|t| t.text.as_str()),
                            prompt_split::chars,
                        )
                        .tokens
                    });
                let generated = tokens.split_off(split);
                prompt_tokens = std::mem::replace(&mut tokens, generated);
                if let Some(entries) = &choice.prompt_logprobs {
                    add_vllm_ranks(&mut prompt_tokens, entries);
                    if let Some(k) = top_logprobs {
                        top_logprobs::add_vllm(&mut prompt_tokens, entries, k);
                    }
                }
            }
            if prompt_tokens.is_empty() {
                return Err(malformed(
                    model,
                    "lists no prompt tokens; does the server support `echo`?",
                ));
            }
        }
        let text = if drop_generated {
            tokens.clear();
            String::new()
        } else if mode == ReturnLikelihoods::All && together_prompt.is_none() {
            // Echoed: the text starts with the prompt.
            match choice.text.strip_prefix(prompt) {
                Some(rest) => rest.to_string(),
                None => tokens.iter().map(|t| t.text.as_str()).collect(),
            }
        } else {
            choice.text
        };
        generations.push(RawGeneration {
            prompt_tokens,
            generated: tokens,
            text,
            finish_reason: choice.finish_reason,
        });
    }
    normalise::build_response(model, prompt, mode, generations)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// vLLM's answer to `{"prompt":"To be or","echo":true,"logprobs":1,"prompt_logprobs":1,
    /// "max_tokens":1}` for a Llama-style model (a BOS token first), shared with `tests/it/forwarding.rs`.
    pub(crate) const VLLM_ANSWER: &str = include_str!("../../tests/fixtures/vllm_completions.json");

    fn parse(text: &str) -> CompletionAnswer {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn vllm_answers_give_ranks_and_top_tokens() {
        let answer = normalise_answer(
            "v",
            "To be or",
            ReturnLikelihoods::All,
            parse(VLLM_ANSWER),
            false,
        )
        .unwrap();
        let generation = &answer.generations[0];
        let tokens = generation.token_likelihoods.as_ref().unwrap();
        let texts: Vec<_> = tokens.iter().map(|t| t.token.as_str()).collect();
        assert_eq!(texts, ["To", " be", " or", " not"]);
        assert_eq!(
            tokens[0].likelihood, None,
            "the BOS is dropped; `To` is first"
        );
        assert_eq!(tokens[0].rank, None);
        assert_eq!(tokens[1].rank, Some(1));
        assert_eq!(tokens[2].rank, Some(3));
        assert_eq!(tokens[2].top_tokens.as_ref().unwrap()[0].token, ",");
        assert_eq!(tokens[3].likelihood, Some(-0.3));
        assert_eq!(tokens[3].rank, None, "generated tokens carry no rank");
        let ids: Vec<_> = tokens.iter().map(|t| t.id).collect();
        assert_eq!(ids, [Some(1271), Some(387), Some(477), Some(539)]);
        assert_eq!(generation.text, " not");
        assert_eq!(
            answer.meta.unwrap().billed_units.unwrap().input_tokens,
            Some(3)
        );
    }

    #[test]
    fn dropped_generations_leave_only_the_prompt() {
        let answer = normalise_answer(
            "v",
            "To be or",
            ReturnLikelihoods::All,
            parse(VLLM_ANSWER),
            true,
        )
        .unwrap();
        let generation = &answer.generations[0];
        assert_eq!(generation.token_likelihoods.as_ref().unwrap().len(), 3);
        assert_eq!(generation.text, "");
    }

    #[test]
    fn vllm_requests_ask_for_prompt_logprobs_and_allow_zero_tokens() {
        let backend = |flavor| {
            let upstream = Upstream::new(
                "v",
                reqwest::Url::parse("http://127.0.0.1:1/v1/completions").unwrap(),
                None,
                super::super::upstream::ClientSettings {
                    connect_timeout: std::time::Duration::from_secs(1),
                    timeout: std::time::Duration::from_secs(1),
                    max_answer_bytes: 1024,
                },
            )
            .unwrap();
            OpenAiBackend::new(upstream, "m".into(), flavor)
        };
        let mut request = GenerateRequest::scoring("v", "To be");
        request.max_tokens = Some(0);
        request.k = Some(5);
        let vllm = backend(Flavor::Vllm);
        let json = serde_json::to_value(vllm.request(&request, ReturnLikelihoods::All, 0)).unwrap();
        assert_eq!(json["echo"], true);
        assert_eq!(json["logprobs"], 1);
        assert_eq!(json["prompt_logprobs"], 1);
        assert_eq!(json["max_tokens"], 0);
        assert_eq!(json["top_k"], 5);
        assert_eq!(json["return_token_ids"], true);
        let generic = backend(Flavor::Generic);
        let json =
            serde_json::to_value(generic.request(&request, ReturnLikelihoods::All, 0)).unwrap();
        assert!(json.get("prompt_logprobs").is_none());
        assert!(json.get("top_k").is_none());
        assert!(json.get("return_token_ids").is_none());
        assert_eq!(json["max_tokens"], 1);
    }
}
