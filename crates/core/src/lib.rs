//! Likely's pure core, shared by the browser app and the server. No I/O here, so everything is
//! unit-tested natively and compiled unchanged into the WebAssembly app. Its folders, from the bottom up
//! (each uses only those above it in this list):
//!
//! - `rules`: every limit and validity check page and server share; `example`: the worked example.
//! - `wire`: the API on the wire (Cohere v1 `/generate` plus Likely's documented extensions, batches,
//!   custom models) and the per-token scores read from an answer.
//! - `figures`: which figures there are, the sums they are ratios of, one model's figures, the paired
//!   bootstrap.
//! - `evaluation`: [`Evaluation`], the one value of an evaluation (inputs, parameters, models, per-token
//!   results), with the held-out sets it reads (`evaluation::dataset`).
//! - `comparison`: a custom model against the baseline (metric pills with paired bootstrap intervals,
//!   whole-distribution figures, the token strings that moved most).
//! - `views`: what the page draws (colours, chart data, the per-snippet table, token text).
//! - `scoring`: the engine that fills an evaluation in (jobs, windows of long snippets stitched back,
//!   retries, progress, cancel) for the page and `likely eval`; `playground`: the playground's state.
//! - `snapshot`: an evaluation frozen for a share link; `record`: the team's record of runs; `share`:
//!   the share-link codec and API, and the JSON and CSV exports.

// Nothing in this crate needs unsafe code, and the compiler keeps it that way.
#![forbid(unsafe_code)]

pub mod comparison;
pub mod evaluation;
pub mod example;
pub mod figures;
pub mod playground;
pub mod record;
pub mod rules;
pub mod scoring;
pub mod share;
pub mod snapshot;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod views;
pub mod wire;

// The modules' paths before they moved into the folders above, for the crates that name them.
pub use comparison::{distribution, learned, pills as compare};
pub use evaluation::{dataset, params, results};
pub use figures::{bootstrap, metric, per_model as metrics, sums};
pub use share::{api as share_api, export};
pub use views::{chart_data, colour, snippet_table, token_text};
pub use wire::{batch, custom_model, prompt_split, scores, stop_sequences};

#[cfg(test)]
mod fuzz_tests;

pub use comparison::pills::{Basis, Comparison, Pill, SnippetWins, Verdict};
pub use evaluation::dataset::DatasetError;
pub use evaluation::params::GenerateParams;
pub use evaluation::results::{ModelResults, ModelSpec, Outcome, SnippetResult};
pub use evaluation::{
    Evaluation, EvaluationError, Failure, Progress, Snippet, SnippetSource, SCHEMA_VERSION,
};
pub use figures::bootstrap::Interval;
pub use figures::metric::Metric;
pub use figures::per_model::ModelMetrics;
pub use rules::{LogprobError, Range, RangeError};
pub use scoring::windows::{StitchError, Window, WindowConfig};
pub use share::export::ExportError;
pub use share::ShareError;
pub use views::chart_data::{Histogram, ScatterPoint, Series, SnippetDelta};
pub use views::colour::{LegendStop, RankBucket, Swatch, Theme};
pub use wire::custom_model::{
    CustomModel, CustomModelList, DocumentCounts, LambdaPoint, ModelNameError, TrainingStage,
    TrainingStatus, ValidationCounts, ValidationSnippets, ValidationSource,
};
pub use wire::scores::{prompt_scores, ScoredToken, ScoresError, TopK};
pub use wire::{
    ApiError, BilledUnits, GenerateRequest, GenerateResponse, Generation, ModelInfo, ModelList,
    ResponseMeta, ReturnLikelihoods, TokenLikelihood, TopToken,
};
