//! Training one Kneser-Ney model from tokenized documents: count, estimate.

use std::time::Instant;

use crate::counting::{count_levels, flatten};
use crate::error::NgramError;
use crate::estimate::{estimate, EstimateReport};
use crate::model::KnModel;

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

/// Trains an interpolated modified Kneser-Ney model of `order` on tokenized documents.
pub fn train_model(docs: &[Vec<u32>], order: usize) -> Result<(KnModel, TrainReport), NgramError> {
    let t0 = Instant::now();
    let flat = flatten(docs)?;
    let tokens = flat.len() - 1;
    let levels = count_levels(&flat, order)?;
    drop(flat);
    let t1 = Instant::now();
    let (model, estimate) = estimate(&levels)?;
    drop(levels);
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
