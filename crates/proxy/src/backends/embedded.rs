//! The embedded backend: an in-process language model from `likely-ngram`, so Likely works with no
//! network and no key. Scoring and sampling are CPU work and run on the blocking pool. The model
//! scores every prompt token (the first given the start of text); the normalised answer leaves the
//! first one unscored like every other backend's, so all models compare on the same tokens.
//!
//! The CPU work ends with its request: the blocking task holds the model's concurrency permit to its
//! end, and a stop flag, set when the request's future is dropped (timeout, client gone), is checked
//! as scoring and sampling go. The answer's size is bounded by [`MAX_ANSWER_TOKENS`].
//!
//! A request's `top_logprobs: K` lists each prompt position's exact K most likely tokens
//! (`ScoreOptions::top_k`; its cost is in docs/distribution.md).

use super::normalise::{self, RawGeneration};
use super::{GenerateInput, DEFAULT_MAX_TOKENS};
use crate::embedded::EmbeddedTokenizer;
use crate::error::AppError;
use likely_core::stop_sequences;
use likely_core::{GenerateRequest, GenerateResponse, ReturnLikelihoods};
use likely_core::{ScoredToken, TopK};
use likely_ngram::{
    sample_until, EmbeddedModels, LanguageModel, SampleParams, ScoreOptions, Stopped, Text,
    Tokenizer,
};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::sync::OwnedSemaphorePermit;

/// Cohere's default temperature and nucleus mass.
const DEFAULT_TEMPERATURE: f64 = 0.75;
const DEFAULT_P: f64 = 0.75;

/// The most token entries one answer may list (prompt tokens once per generation, plus generated
/// ones): about 8 MB of JSON.
pub const MAX_ANSWER_TOKENS: usize = 100_000;

/// Sets the stop flag when dropped: held by the request's future, so a dropped request stops its work.
struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// The embedded models available to the model table, by embedded name.
#[derive(Clone)]
pub struct EmbeddedCatalog {
    tokenizer: Tokenizer,
    models: Vec<(String, Arc<dyn LanguageModel>, EmbeddedTokenizer)>,
}

impl EmbeddedCatalog {
    /// An empty catalog with this tokenizer.
    pub fn new(tokenizer: Tokenizer) -> EmbeddedCatalog {
        EmbeddedCatalog {
            tokenizer,
            models: Vec::new(),
        }
    }

    /// The catalog with one more model over the catalog's GPT-2 tokenizer.
    pub fn with_model(self, name: &str, model: Arc<dyn LanguageModel>) -> EmbeddedCatalog {
        let tokenizer = EmbeddedTokenizer::Gpt2(self.tokenizer.clone());
        self.with_tokenized_model(name, model, tokenizer)
    }

    /// The catalog with one more model over its own tokenizer.
    pub fn with_tokenized_model(
        mut self,
        name: &str,
        model: Arc<dyn LanguageModel>,
        tokenizer: EmbeddedTokenizer,
    ) -> EmbeddedCatalog {
        self.models.push((name.to_string(), model, tokenizer));
        self
    }

    /// `base-light` and `custom-base-light`.
    pub fn from_models(models: EmbeddedModels) -> EmbeddedCatalog {
        EmbeddedCatalog::new(models.tokenizer)
            .with_model(likely_ngram::pipeline::BASE_NAME, models.base)
            .with_model(likely_ngram::pipeline::CUSTOM_NAME, models.custom)
    }

    /// The GPT-2 tokenizer of the n-gram models.
    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }

    /// The embedded model `name` and its tokenizer.
    pub fn model(&self, name: &str) -> Option<(Arc<dyn LanguageModel>, EmbeddedTokenizer)> {
        self.models
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, model, tokenizer)| (Arc::clone(model), tokenizer.clone()))
    }

    /// The embedded models' names.
    pub fn names(&self) -> Vec<&str> {
        self.models
            .iter()
            .map(|(name, _, _)| name.as_str())
            .collect()
    }

    /// A backend answering as `public_name` with the embedded model `embedded_name`.
    pub fn backend(&self, embedded_name: &str, public_name: &str) -> Option<EmbeddedBackend> {
        self.models
            .iter()
            .find(|(name, _, _)| name == embedded_name)
            .map(|(_, model, tokenizer)| EmbeddedBackend {
                name: public_name.to_string(),
                model: Arc::clone(model),
                tokenizer: tokenizer.clone(),
            })
    }
}

/// An embedded model with its tokenizer.
#[derive(Clone)]
pub struct EmbeddedBackend {
    name: String,
    model: Arc<dyn LanguageModel>,
    tokenizer: EmbeddedTokenizer,
}

impl std::fmt::Debug for EmbeddedBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedBackend")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl EmbeddedBackend {
    /// The model's tokenizer.
    pub fn tokenizer(&self) -> &EmbeddedTokenizer {
        &self.tokenizer
    }

    /// The model's vocabulary size.
    pub fn vocab_size(&self) -> usize {
        self.model.vocab_size()
    }

    /// Answers `input` on the blocking pool. The blocking task holds `permit` until it ends;
    /// dropping this future (timeout, client gone) makes the task stop at its next check. Token ids
    /// sent as the prompt are never re-tokenized; a leading end-of-text token is the start-of-text
    /// context itself (the one every text is scored after), so the token after it is scored given
    /// the start of text, as lm-evaluation-harness's prefix token intends.
    pub async fn generate(
        &self,
        input: GenerateInput,
        permit: OwnedSemaphorePermit,
    ) -> Result<GenerateResponse, AppError> {
        let backend = self.clone();
        let stop = Arc::new(AtomicBool::new(false));
        let _stop_on_drop = StopOnDrop(Arc::clone(&stop));
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let GenerateInput { request, ids } = input;
            let ids = ids.unwrap_or_else(|| backend.tokenizer.encode(&request.prompt));
            backend.generate_blocking(&request, &ids, &stop)
        })
        .await
        .map_err(|_| AppError::Internal("the embedded model stopped unexpectedly".into()))?
    }

    fn generate_blocking(
        &self,
        request: &GenerateRequest,
        prompt_ids: &[u32],
        stop: &AtomicBool,
    ) -> Result<GenerateResponse, AppError> {
        let stopped = |_: Stopped| {
            AppError::GatewayTimeout(format!("model `{}`: the request ended first", self.name))
        };
        if let Some(&id) = prompt_ids
            .iter()
            .find(|&&id| id as usize >= self.model.vocab_size())
        {
            return Err(AppError::BadRequest(format!(
                "token id {id} is outside model `{}`'s vocabulary (0 to {})",
                self.name,
                self.model.vocab_size() - 1
            )));
        }
        // A leading start-of-text token is the context every prompt is scored after already.
        let context_given = prompt_ids.len() > 1 && prompt_ids[0] == self.tokenizer.eot();
        let scored_ids = if context_given {
            &prompt_ids[1..]
        } else {
            prompt_ids
        };
        let mode = request.likelihoods();
        let max_tokens = request.max_tokens.unwrap_or(DEFAULT_MAX_TOKENS) as usize;
        let count = request.num_generations.unwrap_or(1) as usize;
        let listed_prompt = if mode == ReturnLikelihoods::All {
            prompt_ids.len()
        } else {
            0
        };
        let listed = count.saturating_mul(listed_prompt.saturating_add(max_tokens));
        if listed > MAX_ANSWER_TOKENS {
            return Err(AppError::PayloadTooLarge(format!(
                "the answer would list up to {listed} tokens ({count} generations of {listed_prompt} prompt and {max_tokens} new tokens); model `{}` answers at most {MAX_ANSWER_TOKENS}: ask for fewer generations or tokens, or send a shorter prompt",
                self.name
            )));
        }
        let prompt_tokens = if mode == ReturnLikelihoods::All {
            let options = ScoreOptions {
                top_k: request.top_logprobs.map_or(1, |k| k.max(1) as usize),
                ranks: request.return_ranks.unwrap_or(false),
            };
            let listed = request.top_logprobs.is_some();
            let mut scores = self
                .model
                .score_until(Text::new(scored_ids, stop), &options)
                .map_err(stopped)?;
            if context_given {
                // Unscored: the normalised answer leaves the first token without a likelihood.
                scores.insert(
                    0,
                    likely_ngram::TokenScore {
                        token: self.tokenizer.eot(),
                        logprob: 0.0,
                        top: Vec::new(),
                        rank: None,
                    },
                );
            }
            let pieces = self.tokenizer.decode_pieces(prompt_ids);
            pieces
                .into_iter()
                .zip(scores)
                .zip(prompt_ids)
                .map(|((piece, score), &id)| ScoredToken {
                    text: piece,
                    logprob: Some(score.logprob),
                    top: score
                        .top
                        .first()
                        .map(|(id, logprob)| (self.tokenizer.decode(&[*id]), *logprob)),
                    rank: score.rank,
                    id: Some(id),
                    top_k: listed.then(|| {
                        TopK::from_entries(
                            score
                                .top
                                .iter()
                                .map(|&(id, logprob)| (id, logprob, self.tokenizer.decode(&[id])))
                                .collect(),
                        )
                    }),
                })
                .collect()
        } else {
            Vec::new()
        };
        let params = SampleParams {
            max_tokens,
            temperature: request.temperature.unwrap_or(DEFAULT_TEMPERATURE),
            k: request.k.unwrap_or(0) as usize,
            p: request.p.filter(|&p| p > 0.0).unwrap_or(DEFAULT_P),
            seed: request.seed,
        };
        let generations = (0..count as u64)
            .map(|index| {
                let params = SampleParams {
                    seed: params.seed.map(|seed| seed.wrapping_add(index)),
                    ..params
                };
                self.one_generation(
                    prompt_ids,
                    scored_ids,
                    prompt_tokens.clone(),
                    &params,
                    request.stops(),
                    stop,
                )
            })
            .collect::<Result<Vec<_>, Stopped>>()
            .map_err(stopped)?;
        normalise::build_response(&self.name, &request.prompt, mode, generations)
    }

    /// One sampled continuation of `prompt_ids`: every generated token with its likelihood and the
    /// model's top-1 token there; sampling stops once a stop sequence is written (the answer is cut
    /// before it in `backends::stops`).
    fn one_generation(
        &self,
        prompt_ids: &[u32],
        context_ids: &[u32],
        prompt_tokens: Vec<ScoredToken>,
        params: &SampleParams,
        stops: &[String],
        stop: &AtomicBool,
    ) -> Result<RawGeneration, Stopped> {
        let mut written = String::new();
        let done = |id: u32| {
            if stops.is_empty() {
                return false;
            }
            written.push_str(&self.tokenizer.decode(&[id]));
            stop_sequences::earliest(&written, stops).is_some()
        };
        let generated = sample_until(self.model.as_ref(), context_ids, params, stop, done)?;
        let finished = generated
            .last()
            .is_some_and(|s| s.id == self.tokenizer.eot());
        let visible: Vec<_> = generated
            .into_iter()
            .filter(|s| s.id != self.tokenizer.eot())
            .collect();
        // Decoded after the prompt, so a character split across the boundary lands in one piece.
        let all_ids: Vec<u32> = prompt_ids
            .iter()
            .copied()
            .chain(visible.iter().map(|s| s.id))
            .collect();
        let pieces = self.tokenizer.decode_pieces(&all_ids);
        let generated_pieces = pieces.get(prompt_ids.len()..).unwrap_or_default();
        Ok(RawGeneration {
            prompt_tokens,
            generated: generated_pieces
                .iter()
                .zip(&visible)
                .map(|(piece, sampled)| ScoredToken {
                    id: Some(sampled.id),
                    top: Some((self.tokenizer.decode(&[sampled.top.0]), sampled.top.1)),
                    ..ScoredToken::new(piece.clone(), Some(sampled.logprob))
                })
                .collect(),
            text: generated_pieces.concat(),
            finish_reason: Some(if finished { "COMPLETE" } else { "MAX_TOKENS" }.to_string()),
        })
    }
}
