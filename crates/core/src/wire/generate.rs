//! The Generate API on the wire: Cohere's v1 `/generate` request and answer, and Likely's extensions.
//!
//! Extensions (ignored by Cohere clients): a request may carry `seed`, `return_ranks` and
//! `top_logprobs`; each item of `token_likelihoods` may carry `top_tokens` (the model's most likely
//! tokens at that position, best first: the top-1 by default, the `top_logprobs` best with their `id`s
//! when asked), `rank` (1 = the actual token was the model's top choice) and `id` (the token's id in
//! the model's vocabulary). All likelihoods are natural logs.

use crate::rules::{self, RangeError};
use serde::{Deserialize, Serialize};

/// Which tokens get a likelihood in the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "UPPERCASE")]
pub enum ReturnLikelihoods {
    /// No likelihoods.
    #[default]
    None,
    /// Only the generated tokens.
    Generation,
    /// The prompt's tokens (all but the first) and the generated ones.
    All,
}

/// `POST /v1/generate` body. Optional fields take Cohere's defaults when absent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenerateRequest {
    /// The model's name as listed by `GET /v1/models`.
    pub model: String,
    /// The text to score or continue.
    pub prompt: String,
    /// How many tokens to generate (0 is allowed with `return_likelihoods: "ALL"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u32>,
    /// Sampling temperature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    /// Top-k sampling (0 = off).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub k: Option<u32>,
    /// Nucleus sampling mass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p: Option<f64>,
    /// Which tokens to score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_likelihoods: Option<ReturnLikelihoods>,
    /// How many generations (1-5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_generations: Option<u32>,
    /// Cohere's raw prompting: score exactly the text sent (Likely always does).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw_prompting: Option<bool>,
    /// Extension: a seed for reproducible samples.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Extension: ask for the `rank` of each scored token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_ranks: Option<bool>,
    /// Cohere's stop sequences: the generation ends before the earliest one written, which is left out
    /// of the text ([`crate::wire::stop_sequences`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_sequences: Option<Vec<String>>,
    /// Extension: list the `top_logprobs` most likely tokens, with their ids, in each scored token's
    /// `top_tokens` ([`crate::rules::TOP_LOGPROBS`]; backends that cannot give ids list what they
    /// always do).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_logprobs: Option<u32>,
}

impl GenerateRequest {
    /// A scoring request with the worked example's parameters: one generated token, temperature 1,
    /// k 0, p 0.75, every token scored.
    pub fn scoring(model: impl Into<String>, prompt: impl Into<String>) -> Self {
        GenerateRequest {
            model: model.into(),
            prompt: prompt.into(),
            max_tokens: Some(1),
            temperature: Some(1.0),
            k: Some(0),
            p: Some(0.75),
            return_likelihoods: Some(ReturnLikelihoods::All),
            num_generations: None,
            raw_prompting: None,
            seed: None,
            return_ranks: None,
            stop_sequences: None,
            top_logprobs: None,
        }
    }
}

impl GenerateRequest {
    /// Ok when every numeric option present is within its range ([`crate::rules`]).
    pub fn check_options(&self) -> Result<(), RangeError> {
        let present = [
            (rules::MAX_TOKENS, self.max_tokens.map(f64::from)),
            (rules::NUM_GENERATIONS, self.num_generations.map(f64::from)),
            (rules::TEMPERATURE, self.temperature),
            (rules::P, self.p),
            (rules::K, self.k.map(f64::from)),
            (rules::TOP_LOGPROBS, self.top_logprobs.map(f64::from)),
        ];
        present
            .into_iter()
            .try_for_each(|(range, value)| value.map_or(Ok(()), |v| range.check(v)))
    }

    /// Ok when the stop sequences, if any, are few and short enough ([`crate::rules`]).
    pub fn check_stop_sequences(&self) -> Result<(), rules::StopSequencesError> {
        rules::check_stop_sequences(self.stop_sequences.as_deref().unwrap_or_default())
    }

    /// The stop sequences asked for (none when absent).
    pub fn stops(&self) -> &[String] {
        self.stop_sequences.as_deref().unwrap_or_default()
    }

    /// The likelihoods asked for ([`ReturnLikelihoods::None`] when absent).
    pub fn likelihoods(&self) -> ReturnLikelihoods {
        self.return_likelihoods.unwrap_or_default()
    }
}

/// One of the model's most likely tokens at a position.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopToken {
    /// The token's text.
    pub token: String,
    /// Its natural-log likelihood.
    pub likelihood: f64,
    /// Extension: its id in the model's vocabulary (given with `top_logprobs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u32>,
}

/// One token of an answer with its likelihood.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenLikelihood {
    /// The token's text piece; the pieces of the prompt's tokens concatenate to the prompt.
    pub token: String,
    /// Natural-log likelihood; absent for the first prompt token, which has no context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub likelihood: Option<f64>,
    /// Extension: the model's most likely tokens at this position, best first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_tokens: Option<Vec<TopToken>>,
    /// Extension: 1 when the actual token was the model's top choice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank: Option<u32>,
    /// Extension: the token's id in the model's vocabulary, when the backend gives it (SGLang, TGI,
    /// vLLM, the embedded models). Two models' tokens pair by id when both have ids.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u32>,
}

/// One generation of an answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Generation {
    /// An identifier for this generation.
    pub id: String,
    /// The generated text (without the prompt).
    pub text: String,
    /// The average natural-log likelihood of the scored tokens, when any were scored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub likelihood: Option<f64>,
    /// The scored tokens: prompt tokens first (with `ALL`), then generated tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_likelihoods: Option<Vec<TokenLikelihood>>,
    /// Why generation stopped (`COMPLETE`, `MAX_TOKENS`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finish_reason: Option<String>,
}

/// Token counts, as Cohere reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct BilledUnits {
    /// Prompt tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_tokens: Option<u32>,
    /// Generated tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_tokens: Option<u32>,
}

/// The `meta` object of an answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ResponseMeta {
    /// Token counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billed_units: Option<BilledUnits>,
}

/// `POST /v1/generate` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenerateResponse {
    /// An identifier for this answer.
    pub id: String,
    /// The prompt as received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    /// One entry per generation.
    pub generations: Vec<Generation>,
    /// Token counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<ResponseMeta>,
}

impl GenerateResponse {
    /// The number of prompt tokens the answer reports in `meta.billed_units.input_tokens`, if any.
    pub fn billed_input_tokens(&self) -> Option<usize> {
        self.meta
            .as_ref()
            .and_then(|meta| meta.billed_units)
            .and_then(|units| units.input_tokens)
            .map(|n| n as usize)
    }
}

/// One model the server offers, as `GET /v1/models` lists it. Never holds a secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelInfo {
    /// The name the page and the API use.
    pub name: String,
    /// `embedded`, `cohere`, `openai-completions`, `tgi` or `sglang`.
    pub backend: String,
    /// The longest prompt, in the model's tokens, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_length: Option<u32>,
    /// The vocabulary size, when known (a loss of ln(V) means uniform guessing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vocab_size: Option<u32>,
    /// Whether answers carry the top-1 token per position (needed for accuracy).
    pub returns_top_token: bool,
    /// Models sharing a tokenizer name can be compared token by token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokenizer: Option<String>,
    /// A human description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// `GET /v1/models` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelList {
    /// The models, in the order of the configuration.
    pub models: Vec<ModelInfo>,
}

/// The error body of every failed API call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// What went wrong, for a person.
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_uses_cohere_field_names_and_uppercase_likelihoods() {
        let request = GenerateRequest::scoring("base-light", "To be");
        let json = serde_json::to_value(&request).unwrap();
        assert_eq!(json["return_likelihoods"], "ALL");
        assert_eq!(json["max_tokens"], 1);
        assert_eq!(json["p"], 0.75);
        assert!(json.get("seed").is_none(), "absent options are not sent");
        assert!(json.get("top_logprobs").is_none());
    }

    #[test]
    fn top_logprobs_is_checked_and_top_token_ids_are_optional() {
        let mut request = GenerateRequest::scoring("m", "x");
        request.top_logprobs = Some(20);
        assert!(request.check_options().is_ok());
        request.top_logprobs = Some(21);
        assert_eq!(
            request.check_options().unwrap_err().range.field,
            "top_logprobs"
        );
        let old = r#"{"token":" the","likelihood":-2.0}"#;
        let top: TopToken = serde_json::from_str(old).unwrap();
        assert_eq!(top.id, None);
        assert_eq!(
            serde_json::to_string(&top).unwrap(),
            old,
            "written as before"
        );
    }

    #[test]
    fn cohere_answer_without_first_likelihood_parses() {
        let body = r#"{"id":"a","prompt":"To be","generations":[{"id":"g","text":",",
            "likelihood":-1.5,"token_likelihoods":[{"token":"To"},{"token":" be","likelihood":-2.0},
            {"token":",","likelihood":-1.0}]}],"meta":{"api_version":{"version":"1"}}}"#;
        let answer: GenerateResponse = serde_json::from_str(body).unwrap();
        let tokens = answer.generations[0].token_likelihoods.as_ref().unwrap();
        assert_eq!(tokens[0].likelihood, None);
        assert_eq!(tokens[1].likelihood, Some(-2.0));
    }
}
