//! Likely's pure core, shared by the browser app and the server: the Generate API wire types
//! (Cohere v1 `/generate` plus Likely's documented extensions), the per-token scores extracted from an
//! answer, and the metrics computed from them. No I/O here, so everything is unit-tested natively and
//! compiled unchanged into the WebAssembly app.

pub mod bootstrap;
pub mod colour;
pub mod compare;
pub mod dataset;
pub mod evaluation;
pub mod histogram;
pub mod metrics;
pub mod scores;
pub mod windows;
pub mod wire;

pub use metrics::ModelMetrics;
pub use scores::{prompt_scores, ScoredToken, ScoresError};
pub use wire::{
    ApiError, BilledUnits, GenerateRequest, GenerateResponse, Generation, ModelInfo, ModelList,
    ResponseMeta, ReturnLikelihoods, TokenLikelihood, TopToken,
};
