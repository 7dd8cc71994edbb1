//! The embedded backend: an in-process language model from `likely-ngram`, so Likely works with no
//! network and no key. Scoring and sampling are CPU work and run on the blocking pool.

use crate::error::AppError;
use likely_core::{
    BilledUnits, GenerateRequest, GenerateResponse, Generation, ResponseMeta, ReturnLikelihoods,
    TokenLikelihood, TopToken,
};
use likely_ngram::{generate, LanguageModel, SampleParams, ScoreOptions, Tokenizer};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Cohere's default number of generated tokens.
const DEFAULT_MAX_TOKENS: u32 = 20;

/// An embedded model with its tokenizer.
#[derive(Clone)]
pub struct EmbeddedBackend {
    model: Arc<dyn LanguageModel>,
    tokenizer: Tokenizer,
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

fn next_id(prefix: &str) -> String {
    format!("{prefix}-{}", NEXT_ID.fetch_add(1, Ordering::Relaxed))
}

impl EmbeddedBackend {
    /// A backend answering with `model`.
    pub fn new(model: Arc<dyn LanguageModel>, tokenizer: Tokenizer) -> EmbeddedBackend {
        EmbeddedBackend { model, tokenizer }
    }

    /// The model's vocabulary size.
    pub fn vocab_size(&self) -> usize {
        self.model.vocab_size()
    }

    /// Answers a validated request on the blocking pool.
    pub async fn generate(&self, request: GenerateRequest) -> Result<GenerateResponse, AppError> {
        let backend = self.clone();
        tokio::task::spawn_blocking(move || backend.generate_blocking(&request))
            .await
            .map_err(|_| AppError::Internal("the embedded model stopped unexpectedly".into()))
    }

    fn generate_blocking(&self, request: &GenerateRequest) -> GenerateResponse {
        let prompt_ids = self.tokenizer.encode(&request.prompt);
        let mode = request.return_likelihoods.unwrap_or_default();
        let options = ScoreOptions {
            top_k: 1,
            ranks: request.return_ranks.unwrap_or(false),
        };
        let prompt_scores = match mode {
            ReturnLikelihoods::All => self.model.score(&prompt_ids, &options),
            _ => Vec::new(),
        };
        let params = SampleParams {
            max_tokens: request.max_tokens.unwrap_or(DEFAULT_MAX_TOKENS) as usize,
            temperature: request.temperature.unwrap_or(0.75),
            k: request.k.unwrap_or(0) as usize,
            p: request.p.unwrap_or(0.75),
            seed: request.seed,
        };
        let generations = (0..request.num_generations.unwrap_or(1))
            .map(|index| {
                let params = SampleParams {
                    seed: params.seed.map(|seed| seed.wrapping_add(u64::from(index))),
                    ..params
                };
                self.one_generation(&prompt_ids, &prompt_scores, mode, &params)
            })
            .collect::<Vec<_>>();
        let output_tokens = generations
            .first()
            .map_or(0, |(_, generated)| *generated as u32);
        GenerateResponse {
            id: next_id("likely"),
            prompt: Some(request.prompt.clone()),
            generations: generations.into_iter().map(|(g, _)| g).collect(),
            meta: Some(ResponseMeta {
                billed_units: Some(BilledUnits {
                    input_tokens: Some(prompt_ids.len() as u32),
                    output_tokens: Some(output_tokens),
                }),
            }),
        }
    }

    fn one_generation(
        &self,
        prompt_ids: &[u32],
        prompt_scores: &[likely_ngram::TokenScore],
        mode: ReturnLikelihoods,
        params: &SampleParams,
    ) -> (Generation, usize) {
        let generated = generate(self.model.as_ref(), prompt_ids, params);
        let finished = generated.last().is_some_and(|(id, _)| *id == Tokenizer::EOT);
        let visible: Vec<(u32, f64)> = generated
            .iter()
            .copied()
            .filter(|(id, _)| *id != Tokenizer::EOT)
            .collect();
        let all_ids: Vec<u32> = prompt_ids
            .iter()
            .copied()
            .chain(visible.iter().map(|(id, _)| *id))
            .collect();
        let pieces = self.tokenizer.decode_pieces(&all_ids);
        let (prompt_pieces, generated_pieces) = pieces.split_at(prompt_ids.len());
        let text = generated_pieces.concat();

        let mut tokens = Vec::new();
        if mode == ReturnLikelihoods::All {
            for (index, (piece, score)) in prompt_pieces.iter().zip(prompt_scores).enumerate() {
                tokens.push(TokenLikelihood {
                    token: piece.clone(),
                    likelihood: (index > 0).then_some(score.logprob),
                    top_tokens: (index > 0).then(|| self.top_tokens(score)),
                    rank: if index > 0 { score.rank } else { None },
                });
            }
        }
        if mode != ReturnLikelihoods::None {
            for (piece, (_, logprob)) in generated_pieces.iter().zip(&visible) {
                tokens.push(TokenLikelihood {
                    token: piece.clone(),
                    likelihood: Some(*logprob),
                    top_tokens: None,
                    rank: None,
                });
            }
        }
        let scored: Vec<f64> = tokens.iter().filter_map(|t| t.likelihood).collect();
        let likelihood = (!scored.is_empty()).then(|| scored.iter().sum::<f64>() / scored.len() as f64);
        let generation = Generation {
            id: next_id("gen"),
            text,
            likelihood,
            token_likelihoods: (mode != ReturnLikelihoods::None).then_some(tokens),
            finish_reason: Some(if finished { "COMPLETE" } else { "MAX_TOKENS" }.to_string()),
        };
        (generation, visible.len())
    }

    fn top_tokens(&self, score: &likely_ngram::TokenScore) -> Vec<TopToken> {
        score
            .top
            .iter()
            .map(|(id, logprob)| TopToken {
                token: self.tokenizer.decode_pieces(&[*id]).concat(),
                likelihood: *logprob,
            })
            .collect()
    }
}
