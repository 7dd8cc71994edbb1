//! Training one Kneser-Ney model from tokenized documents: count ([`counting`]), estimate the
//! discounts ([`discounts`]) and the model ([`estimate`]).

pub mod counting;
pub mod discounts;
pub mod estimate;

use std::time::Instant;

use crate::error::NgramError;
use crate::model::KnModel;
use crate::progress::{self, Progress, TrainingStage};
use crate::train::counting::{count_levels_observed, flatten};
use crate::train::estimate::{estimate_observed, EstimateReport};
use crate::vocab::Vocab;

/// What a training run did, for logs and the benchmark.
#[derive(Debug, Clone)]
pub struct TrainReport {
    /// Training tokens (document ends included).
    pub tokens: usize,
    /// Seconds spent counting.
    pub count_seconds: f64,
    /// Seconds spent estimating probabilities.
    pub estimate_seconds: f64,
    /// Discounts per order.
    pub estimate: EstimateReport,
}

/// Trains an interpolated modified Kneser-Ney model of `order` over `vocab` on tokenized documents
/// (ids of `vocab`, without its end-of-text id: it is put around each document).
pub fn train_model(
    docs: &[Vec<u32>],
    vocab: Vocab,
    order: usize,
) -> Result<(KnModel, TrainReport), NgramError> {
    progress::silent(|progress| train_model_observed(docs, vocab, order, &progress))
}

/// Share of the training's time spent counting (the rest is estimation), for progress reports.
const COUNT_SHARE: f64 = 0.55;

/// [`train_model`], reporting [`TrainingStage::Counting`] then [`TrainingStage::Estimating`] to `progress` and
/// stopping when it is cancelled.
pub fn train_model_observed(
    docs: &[Vec<u32>],
    vocab: Vocab,
    order: usize,
    progress: &Progress<'_>,
) -> Result<(KnModel, TrainReport), NgramError> {
    let t0 = Instant::now();
    progress.report(TrainingStage::Counting, 0.0)?;
    let flat = flatten(docs, vocab)?;
    let tokens = flat.len() - 1;
    let counting = progress.part(0.0, COUNT_SHARE);
    let levels = count_levels_observed(&flat, order, vocab.eot(), &mut |f| {
        counting.report(TrainingStage::Counting, f)
    })?;
    drop(flat);
    let t1 = Instant::now();
    let estimating = progress.part(COUNT_SHARE, 1.0);
    let (model, estimate) = estimate_observed(&levels, vocab, &mut |f| {
        estimating.report(TrainingStage::Estimating, f)
    })?;
    drop(levels);
    estimating.report(TrainingStage::Estimating, 1.0)?;
    let t2 = Instant::now();
    Ok((
        model,
        TrainReport {
            tokens,
            count_seconds: (t1 - t0).as_secs_f64(),
            estimate_seconds: (t2 - t1).as_secs_f64(),
            estimate,
        },
    ))
}
