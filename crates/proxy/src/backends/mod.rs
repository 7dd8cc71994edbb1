//! Backends: what answers a Generate request for one model. Every backend returns the normalised
//! Cohere-shaped answer: prompt tokens first (the first without a likelihood), then generated tokens,
//! natural-log likelihoods.

pub mod embedded;

use crate::error::AppError;
use likely_core::{GenerateRequest, GenerateResponse};

pub use embedded::EmbeddedBackend;

/// One model's backend.
pub enum Backend {
    /// A model embedded in this process.
    Embedded(EmbeddedBackend),
}

impl Backend {
    /// Answers a validated request.
    pub async fn generate(&self, request: GenerateRequest) -> Result<GenerateResponse, AppError> {
        match self {
            Backend::Embedded(backend) => backend.generate(request).await,
        }
    }
}
