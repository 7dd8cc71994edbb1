//! OpenAI's legacy completions on the wire, for `POST /v1/completions`: the request as scoring tools
//! send it (`echo: true`, `logprobs: N`, `max_tokens: 0`, a prompt or a list of prompts), its
//! translation into one Generate request per prompt, and the answer built from each Generate answer
//! (`tokens`, `token_logprobs` with the first `null`, `top_logprobs`, `text_offset` in characters).
//! Errors are OpenAI's `{"error": {"message", "type", "code"}}`.
//!
//! `top_logprobs` holds the model's most likely tokens at each position, at most `logprobs` of them:
//! as many as the backend gives (the embedded models and SGLang give the top one; vLLM and Together
//! the top one Likely asks for), or `null` at positions where the backend gives none (Cohere, TGI).

use crate::error::AppError;
use crate::tokenizers::wire::ids;
use likely_core::rules::MAX_TOKENS;
use likely_core::{GenerateRequest, GenerateResponse, ReturnLikelihoods, TokenLikelihood};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// The most prompts one request may carry.
pub const MAX_PROMPTS: usize = 256;
/// The most alternatives `logprobs` may ask for (vLLM's default `--max-logprobs`).
pub const MAX_LOGPROBS: u32 = 20;
/// OpenAI's default `max_tokens`.
const DEFAULT_MAX_TOKENS: u32 = 16;

/// `POST /v1/completions` body. Fields other tools send and Likely does not use (`user`,
/// `frequency_penalty`, …) are ignored.
#[derive(Debug, Clone, Deserialize)]
pub struct CompletionsRequest {
    /// The model's name as listed by `GET /v1/models` (under a model's own base URL it may be left
    /// out).
    #[serde(default)]
    pub model: String,
    /// A text, a list of texts, a list of token ids or a list of token-id lists ([`parse_prompts`]).
    pub prompt: Value,
    /// Whether the answer repeats the prompt with its tokens' log-probabilities.
    #[serde(default)]
    pub echo: bool,
    /// How many top alternatives per position; absent: no `logprobs` in the answer.
    #[serde(default)]
    pub logprobs: Option<u32>,
    /// How many tokens to generate (0: score only).
    #[serde(default)]
    pub max_tokens: Option<u32>,
    /// Sampling temperature.
    #[serde(default)]
    pub temperature: Option<f64>,
    /// Nucleus sampling mass.
    #[serde(default)]
    pub top_p: Option<f64>,
    /// A seed for reproducible samples.
    #[serde(default)]
    pub seed: Option<u64>,
    /// Completions per prompt: only 1.
    #[serde(default)]
    pub n: Option<u32>,
    /// Stop sequences: not supported.
    #[serde(default)]
    pub stop: Option<Value>,
}

/// The answer.
#[derive(Debug, Clone, Serialize)]
pub struct CompletionsResponse {
    /// `cmpl-…`.
    pub id: String,
    /// `text_completion`.
    pub object: &'static str,
    /// Unix time, seconds.
    pub created: u64,
    /// The model's name.
    pub model: String,
    /// One per prompt, in the prompts' order.
    pub choices: Vec<Choice>,
    /// Token counts.
    pub usage: Usage,
}

/// One prompt's completion.
#[derive(Debug, Clone, Serialize)]
pub struct Choice {
    /// The prompt's position in the request.
    pub index: usize,
    /// The prompt (with `echo`) followed by the generated text.
    pub text: String,
    /// Per token, when `logprobs` was asked for.
    pub logprobs: Option<Logprobs>,
    /// `length` or `stop`.
    pub finish_reason: Option<String>,
}

/// Per-token log-probabilities in OpenAI's legacy shape.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Logprobs {
    /// The tokens' texts.
    pub tokens: Vec<String>,
    /// Natural logs; `null` for the first prompt token.
    pub token_logprobs: Vec<Option<f64>>,
    /// The most likely tokens per position (`null` where unknown, and for the first prompt token).
    pub top_logprobs: Vec<Option<BTreeMap<String, f64>>>,
    /// Where each token starts in `text`, in characters (after the prompt without `echo`).
    pub text_offset: Vec<usize>,
}

/// Token counts over all prompts.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Usage {
    /// Prompt tokens.
    pub prompt_tokens: usize,
    /// Generated tokens.
    pub completion_tokens: usize,
    /// Their sum.
    pub total_tokens: usize,
}

/// The error body, as OpenAI writes it.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorDetail {
    /// For a person.
    pub message: String,
    /// OpenAI's kind of error, from the status.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The HTTP status.
    pub code: u16,
}

impl ErrorBody {
    /// The body for a failure with this status and message.
    pub fn new(status: u16, message: String) -> ErrorBody {
        let kind = match status {
            401 => "authentication_error",
            403 => "permission_error",
            404 => "not_found_error",
            429 => "rate_limit_error",
            400..=499 => "invalid_request_error",
            _ => "server_error",
        };
        ErrorBody {
            error: ErrorDetail {
                message,
                kind,
                code: status,
            },
        }
    }
}

fn bad(message: impl Into<String>) -> AppError {
    AppError::BadRequest(message.into())
}

/// One prompt of a completions request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prompt<'a> {
    /// A text, tokenized by the model.
    Text(&'a str),
    /// Token ids, scored exactly as sent.
    Ids(Vec<u32>),
}

/// The prompts of a completions request's `prompt`: a text, a list of texts, a list of token ids (one
/// prompt) or a list of token-id lists. Anything else, a list mixing texts and ids included, is
/// refused with a message.
pub fn parse_prompts(prompt: &Value) -> Result<Vec<Prompt<'_>>, String> {
    const SHAPE: &str =
        "`prompt` must be a text, a list of texts, a list of token ids or a list of token-id lists";
    let items = match prompt {
        Value::String(text) => return Ok(vec![Prompt::Text(text)]),
        Value::Array(items) => items,
        _ => return Err(SHAPE.into()),
    };
    if items.is_empty() {
        return Err("`prompt` is an empty list".into());
    }
    if items.iter().all(Value::is_number) {
        return ids(prompt, "prompt").map(|ids| vec![Prompt::Ids(ids)]);
    }
    if items.iter().all(Value::is_string) {
        return Ok(items
            .iter()
            .filter_map(Value::as_str)
            .map(Prompt::Text)
            .collect());
    }
    if items.iter().all(Value::is_array) {
        return items
            .iter()
            .enumerate()
            .map(|(index, item)| ids(item, &format!("prompt[{index}]")).map(Prompt::Ids))
            .collect();
    }
    let texts = items.iter().any(Value::is_string);
    let lists = items.iter().any(|item| item.is_number() || item.is_array());
    if texts && lists {
        return Err(
            "`prompt` mixes texts and token ids: send a list of texts or a list of token-id lists"
                .into(),
        );
    }
    Err(SHAPE.into())
}

impl CompletionsRequest {
    /// The prompts: a text, a list of texts, a list of token ids, or a list of token-id lists.
    pub fn prompts(&self) -> Result<Vec<Prompt<'_>>, AppError> {
        let prompts = parse_prompts(&self.prompt).map_err(bad)?;
        if prompts.len() > MAX_PROMPTS {
            return Err(bad(format!(
                "`prompt` lists {} prompts; at most {MAX_PROMPTS} per request",
                prompts.len()
            )));
        }
        Ok(prompts)
    }

    /// The Generate request for one prompt, after checking what only this API has.
    pub fn generate_request(&self, prompt: &str) -> Result<GenerateRequest, AppError> {
        if let Some(n) = self.n.filter(|&n| n != 1) {
            return Err(bad(format!(
                "`n` is {n}; Likely answers one completion per prompt"
            )));
        }
        let stops = match &self.stop {
            None | Some(Value::Null) => false,
            Some(Value::String(text)) => !text.is_empty(),
            Some(Value::Array(items)) => !items.is_empty(),
            Some(_) => true,
        };
        if stops {
            return Err(bad(
                "`stop` is not supported: Likely scores text and generates only up to `max_tokens`",
            ));
        }
        if let Some(n) = self.logprobs.filter(|&n| n > MAX_LOGPROBS) {
            return Err(bad(format!("`logprobs` is {n}; at most {MAX_LOGPROBS}")));
        }
        let max_tokens = self.max_tokens.unwrap_or(DEFAULT_MAX_TOKENS);
        MAX_TOKENS
            .check(f64::from(max_tokens))
            .map_err(|e| bad(e.to_string()))?;
        Ok(GenerateRequest {
            max_tokens: Some(max_tokens),
            temperature: self.temperature,
            p: self.top_p,
            return_likelihoods: Some(ReturnLikelihoods::All),
            seed: self.seed,
            ..GenerateRequest::scoring(self.model.clone(), prompt)
        })
    }
}

/// OpenAI's finish reasons from Cohere's.
fn finish_reason(reason: Option<&str>) -> Option<String> {
    reason.map(|reason| match reason {
        "MAX_TOKENS" => "length".to_string(),
        "COMPLETE" => "stop".to_string(),
        other => other.to_ascii_lowercase(),
    })
}

/// The choice for prompt `index` from its Generate answer, and its prompt and generated token counts.
pub fn choice(
    model: &str,
    index: usize,
    prompt: &str,
    answer: &GenerateResponse,
    echo: bool,
    logprobs: Option<u32>,
) -> Result<(Choice, Usage), AppError> {
    let unreadable = |why: String| AppError::BadGateway(format!("model `{model}`: {why}"));
    let prompt_count = likely_core::prompt_scores(prompt, answer)
        .map_err(|error| unreadable(error.to_string()))?
        .len();
    let generation = answer
        .generations
        .first()
        .ok_or_else(|| unreadable("no generation".into()))?;
    let tokens = generation.token_likelihoods.as_deref().unwrap_or_default();
    let (prompt_tokens, generated) = tokens.split_at(prompt_count.min(tokens.len()));
    let (listed, mut offset, text) = if echo {
        (tokens, 0, format!("{prompt}{}", generation.text))
    } else {
        (generated, prompt.chars().count(), generation.text.clone())
    };
    let logprobs = logprobs.map(|n| {
        let mut out = Logprobs::default();
        for token in listed {
            out.tokens.push(token.token.clone());
            out.token_logprobs.push(token.likelihood);
            out.top_logprobs.push(top_logprobs(token, n as usize));
            out.text_offset.push(offset);
            offset += token.token.chars().count();
        }
        out
    });
    let usage = Usage {
        prompt_tokens: prompt_tokens.len(),
        completion_tokens: generated.len(),
        total_tokens: tokens.len(),
    };
    let choice = Choice {
        index,
        text,
        logprobs,
        finish_reason: finish_reason(generation.finish_reason.as_deref()),
    };
    Ok((choice, usage))
}

/// The `n` most likely tokens at a token's position, as far as the backend named them.
fn top_logprobs(token: &TokenLikelihood, n: usize) -> Option<BTreeMap<String, f64>> {
    token.likelihood?;
    let top = token.top_tokens.as_ref()?;
    let mut out = BTreeMap::new();
    for candidate in top.iter().take(n) {
        let best = out
            .entry(candidate.token.clone())
            .or_insert(candidate.likelihood);
        *best = best.max(candidate.likelihood);
    }
    Some(out)
}

/// The whole answer from each prompt's choice.
pub fn response(
    id: String,
    created: u64,
    model: String,
    parts: Vec<(Choice, Usage)>,
) -> CompletionsResponse {
    let mut usage = Usage::default();
    let mut choices = Vec::with_capacity(parts.len());
    for (choice, part) in parts {
        usage.prompt_tokens += part.prompt_tokens;
        usage.completion_tokens += part.completion_tokens;
        usage.total_tokens += part.total_tokens;
        choices.push(choice);
    }
    CompletionsResponse {
        id,
        object: "text_completion",
        created,
        model,
        choices,
        usage,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use likely_core::testing::{self, token_with_top};

    /// The normalised answer to "To bé" (3 prompt tokens) with one generated token.
    fn answer() -> GenerateResponse {
        testing::answer(vec![
            token_with_top("To", None, None),
            token_with_top(" b", Some(-2.0), Some((" be", -1.0))),
            token_with_top("é", Some(-3.0), Some(("é", -3.0))),
            token_with_top(" or", Some(-0.5), None),
        ])
        .id("likely-1")
        .prompt("To bé")
        .text(" or")
        .finish("MAX_TOKENS")
        .billed(3, 1)
        .build()
    }

    #[test]
    fn echo_lists_prompt_then_generated_tokens_with_character_offsets() {
        let (choice, usage) = choice("m", 2, "To bé", &answer(), true, Some(1)).unwrap();
        assert_eq!(choice.index, 2);
        assert_eq!(choice.text, "To bé or");
        assert_eq!(choice.finish_reason.as_deref(), Some("length"));
        let logprobs = choice.logprobs.unwrap();
        assert_eq!(logprobs.tokens, ["To", " b", "é", " or"]);
        assert_eq!(
            logprobs.token_logprobs,
            [None, Some(-2.0), Some(-3.0), Some(-0.5)]
        );
        assert_eq!(logprobs.text_offset, [0, 2, 4, 5], "characters, not bytes");
        assert_eq!(logprobs.top_logprobs[0], None);
        assert_eq!(logprobs.top_logprobs[1].as_ref().unwrap()[" be"], -1.0);
        assert_eq!(
            logprobs.top_logprobs[3], None,
            "the backend named no top token"
        );
        assert_eq!(
            (
                usage.prompt_tokens,
                usage.completion_tokens,
                usage.total_tokens
            ),
            (3, 1, 4)
        );
    }

    #[test]
    fn without_echo_only_generated_tokens_are_listed_after_the_prompt() {
        let (choice, _) = choice("m", 0, "To bé", &answer(), false, Some(0)).unwrap();
        assert_eq!(choice.text, " or");
        let logprobs = choice.logprobs.unwrap();
        assert_eq!(logprobs.tokens, [" or"]);
        assert_eq!(logprobs.text_offset, [5]);
        let (choice, _) = super::choice("m", 0, "To bé", &answer(), true, None).unwrap();
        assert!(choice.logprobs.is_none());
    }

    #[test]
    fn prompts_are_a_text_or_a_list_of_texts() {
        let request = |prompt: Value| CompletionsRequest {
            model: "m".into(),
            prompt,
            echo: true,
            logprobs: Some(1),
            max_tokens: Some(0),
            temperature: None,
            top_p: None,
            seed: None,
            n: None,
            stop: None,
        };
        assert_eq!(
            request(Value::from("a")).prompts().unwrap(),
            [Prompt::Text("a")]
        );
        assert_eq!(
            request(serde_json::json!(["a", "b"])).prompts().unwrap(),
            [Prompt::Text("a"), Prompt::Text("b")]
        );
        assert_eq!(
            request(serde_json::json!([[1, 2], [3]])).prompts().unwrap(),
            [Prompt::Ids(vec![1, 2]), Prompt::Ids(vec![3])]
        );
        assert_eq!(
            request(serde_json::json!([7, 8])).prompts().unwrap(),
            [Prompt::Ids(vec![7, 8])]
        );
        for (prompt, expected) in [
            (serde_json::json!(["a", [1]]), "mixes texts and token ids"),
            (serde_json::json!(["a", 1]), "mixes texts and token ids"),
            (serde_json::json!([1, -2]), "`prompt[1]` is -2"),
            (serde_json::json!([[1], [0.5]]), "`prompt[1][0]` is 0.5"),
            (serde_json::json!([[]]), "empty list of token ids"),
            (serde_json::json!([null]), "must be a text"),
        ] {
            let message = request(prompt).prompts().unwrap_err().to_string();
            assert!(message.contains(expected), "{message}");
        }
        assert!(request(serde_json::json!([])).prompts().is_err());
        assert!(request(serde_json::json!({"a": 1})).prompts().is_err());
        let mut too_many = request(Value::from("a"));
        too_many.logprobs = Some(21);
        assert!(too_many.generate_request("a").is_err());
        too_many.logprobs = Some(5);
        too_many.stop = Some(serde_json::json!(["\n"]));
        assert!(too_many.generate_request("a").is_err());
        too_many.stop = Some(serde_json::json!([]));
        let generate = too_many.generate_request("a").unwrap();
        assert_eq!(generate.max_tokens, Some(0));
        assert_eq!(generate.return_likelihoods, Some(ReturnLikelihoods::All));
    }

    #[test]
    fn errors_use_openai_s_types() {
        let json = serde_json::to_value(ErrorBody::new(404, "unknown model `x`".into())).unwrap();
        assert_eq!(json["error"]["type"], "not_found_error");
        assert_eq!(json["error"]["code"], 404);
        assert_eq!(json["error"]["message"], "unknown model `x`");
        assert_eq!(
            ErrorBody::new(502, String::new()).error.kind,
            "server_error"
        );
        assert_eq!(
            ErrorBody::new(413, String::new()).error.kind,
            "invalid_request_error"
        );
    }
}
