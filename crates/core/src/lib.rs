//! Likely's pure core, shared by the browser app and the server: the Generate API wire types
//! (Cohere v1 `/generate` plus Likely's documented extensions), the per-token scores extracted from an
//! answer, and the metrics computed from them. No I/O here, so everything is unit-tested natively and
//! compiled unchanged into the WebAssembly app.
//!
//! The dashboard's logic: [`Evaluation`] is the one value of an evaluation (inputs, parameters, models,
//! per-token results); `compare` turns it into metric pills with paired bootstrap intervals; `dataset`
//! reads held-out sets; `scoring` is the engine that fills an evaluation in (jobs, windows of long
//! snippets stitched back, retries, progress, cancel) for the page and `likely eval`; `colour` and
//! `chart_data` (histogram, scatter, per-snippet series), `snippet_table` (the snippets that moved
//! most) and `learned` (the token strings that moved most) feed the views; `export` writes JSON and CSV;
//! `share` is the share-link codec; `rules` holds every limit and validity check page and server share.

// Nothing in this crate needs unsafe code, and the compiler keeps it that way.
#![forbid(unsafe_code)]

pub mod batch;
pub mod bootstrap;
pub mod chart_data;
pub mod colour;
pub mod compare;
pub mod custom_model;
pub mod dataset;
pub mod distribution;
pub mod evaluation;
pub mod example;
pub mod export;
pub mod learned;
pub mod metric;
pub mod metrics;
pub mod params;
pub mod playground;
pub mod prompt_split;
pub mod record;
pub mod results;
pub mod rules;
pub mod scores;
pub mod scoring;
pub mod share;
pub mod share_api;
pub mod snapshot;
pub mod snippet_table;
pub mod stop_sequences;
pub mod sums;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod token_text;
pub mod wire;

#[cfg(test)]
mod fuzz_tests;

pub use bootstrap::Interval;
pub use chart_data::{Histogram, ScatterPoint, Series, SnippetDelta};
pub use colour::{LegendStop, RankBucket, Swatch, Theme};
pub use compare::{Basis, Comparison, Pill, SnippetWins, Verdict};
pub use custom_model::{
    CustomModel, CustomModelList, DocumentCounts, LambdaPoint, ModelNameError, TrainingStage,
    TrainingStatus, ValidationCounts, ValidationSnippets, ValidationSource,
};
pub use dataset::DatasetError;
pub use evaluation::{
    Evaluation, EvaluationError, Failure, Progress, Snippet, SnippetSource, SCHEMA_VERSION,
};
pub use export::ExportError;
pub use metric::Metric;
pub use metrics::ModelMetrics;
pub use params::GenerateParams;
pub use results::{ModelResults, ModelSpec, Outcome, SnippetResult};
pub use rules::{LogprobError, Range, RangeError};
pub use scores::{prompt_scores, ScoredToken, ScoresError, TopK};
pub use scoring::windows::{StitchError, Window, WindowConfig};
pub use share::ShareError;
pub use wire::{
    ApiError, BilledUnits, GenerateRequest, GenerateResponse, Generation, ModelInfo, ModelList,
    ResponseMeta, ReturnLikelihoods, TokenLikelihood, TopToken,
};
