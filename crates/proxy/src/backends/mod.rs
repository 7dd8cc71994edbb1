//! Backends: what answers a Generate request for one model. Every backend returns the normalised
//! Cohere-shaped answer ([`normalise`]): prompt tokens first (the first without a likelihood), then
//! generated tokens, natural-log likelihoods. The remote ones talk to a fixed [`upstream::Upstream`];
//! their failures become the statuses of [`upstream_error`].

pub mod cohere;
pub mod embedded;
pub mod normalise;
pub mod openai;
pub mod redact;
pub mod sglang;
pub mod stops;
pub mod tgi;
pub mod top_logprobs;
pub mod upstream;
pub mod upstream_error;

#[cfg(test)]
mod fuzz_tests;

use crate::error::AppError;
use likely_core::{GenerateRequest, GenerateResponse};
use tokio::sync::OwnedSemaphorePermit;

pub use cohere::CohereBackend;
pub use embedded::{EmbeddedBackend, EmbeddedCatalog};
pub use openai::OpenAiBackend;
pub use sglang::SglangBackend;
pub use tgi::TgiBackend;

/// Cohere's default number of generated tokens, used when a request gives none.
pub const DEFAULT_MAX_TOKENS: u32 = 20;

/// One model's backend.
#[derive(Debug)]
pub enum Backend {
    /// A model embedded in this process.
    Embedded(EmbeddedBackend),
    /// Cohere's v1 Generate.
    Cohere(CohereBackend),
    /// An OpenAI-compatible completions server.
    OpenAi(OpenAiBackend),
    /// A Text Generation Inference server.
    Tgi(TgiBackend),
    /// An SGLang server's native `/generate`.
    Sglang(SglangBackend),
}

/// What a backend answers: a validated Generate request and, when the client sent its prompt as
/// token ids, those ids, scored exactly as sent (`request.prompt` is then their text, for the limits
/// and the answer). Only backends that take ids accept them ([`Backend::takes_ids`]).
#[derive(Debug, Clone)]
pub struct GenerateInput {
    /// The validated request.
    pub request: GenerateRequest,
    /// The prompt's token ids, when the client sent ids.
    pub ids: Option<Vec<u32>>,
}

impl Backend {
    /// Answers `input`, holding the model's concurrency `permit` until the work is done: a remote
    /// call ends when this future is dropped, the embedded model's CPU work when it sees its stop
    /// flag (so the permit never frees before the CPU does).
    pub async fn generate(
        &self,
        input: GenerateInput,
        permit: OwnedSemaphorePermit,
    ) -> Result<GenerateResponse, AppError> {
        if input.ids.is_some() {
            self.takes_ids().map_err(AppError::BadRequest)?;
        }
        let mode = input.request.likelihoods();
        let stops = input.request.stops().to_vec();
        let mut answer = match self {
            Backend::Embedded(backend) => backend.generate(input, permit).await,
            Backend::Cohere(backend) => holding(permit, backend.generate(input.request)).await,
            Backend::OpenAi(backend) => holding(permit, backend.generate(&input)).await,
            Backend::Tgi(backend) => holding(permit, backend.generate(input.request)).await,
            Backend::Sglang(backend) => holding(permit, backend.generate(&input)).await,
        }?;
        stops::apply(&mut answer, mode, &stops);
        Ok(answer)
    }
}

impl Backend {
    /// Ok when this backend can be sent token ids; else why not. The embedded models score ids
    /// directly; vLLM-style completions servers and SGLang take them as the prompt; Cohere and TGI
    /// take text only.
    pub fn takes_ids(&self) -> Result<(), String> {
        let text_only = match self {
            Backend::Embedded(_) | Backend::OpenAi(_) | Backend::Sglang(_) => return Ok(()),
            Backend::Cohere(_) => "Cohere's Generate",
            Backend::Tgi(_) => "Text Generation Inference",
        };
        Err(format!(
            "this model is served by {text_only}, which takes text only: send the prompt as text (lm-evaluation-harness: `tokenized_requests=False`)"
        ))
    }
}

/// Runs `work` with `_permit` held until it ends or is dropped.
async fn holding<T>(
    _permit: OwnedSemaphorePermit,
    work: impl std::future::Future<Output = T>,
) -> T {
    work.await
}
