//! The API on the wire and what is read from its answers, written once for the page and the server:
//! the Generate request and answer (`generate`), batches of them (`batch`), the custom-model routes
//! (`custom_model`), where an answer's prompt ends (`prompt_split`), the per-token scores read from an
//! answer (`scores`) and Cohere's stop sequences applied to a generation (`stop_sequences`).

pub mod batch;
pub mod custom_model;
pub mod generate;
pub mod prompt_split;
pub mod scores;
pub mod stop_sequences;

pub use generate::{
    ApiError, BilledUnits, GenerateRequest, GenerateResponse, Generation, ModelInfo, ModelList,
    ResponseMeta, ReturnLikelihoods, TokenLikelihood, TopToken,
};
