//! Format version 4 of an evaluation's snapshot: version 2's value ([`super::format`]) followed by
//! what the whole-distribution figures need ([`crate::comparison::distribution`]): the K asked for, and per custom
//! model and snippet the frozen figures of each token (its KL estimate as an exact f64 column, and a
//! bitmap of "same top-1"). The top-K lists themselves are not kept (twenty entries a token would
//! make every link a stored one).
//!
//! An evaluation that asked for the default K and has no figures is written as version 2, byte for
//! byte as before; a version 2 snapshot reads as having asked for the default K.

use super::columns::FloatColumn;
use super::format::SnapshotV2;
use super::{Scope, Snapshot, SnapshotError};
use crate::comparison::distribution::{freeze, Frozen};
use crate::evaluation::results::Outcome;
use crate::evaluation::Evaluation;
use crate::rules::DEFAULT_TOP_LOGPROBS;
use serde::{Deserialize, Serialize};

/// Version 2's value, then the distribution part.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct SnapshotV4 {
    pub(super) base: SnapshotV2,
    distribution: DistributionV4,
}

#[derive(Debug, Serialize, Deserialize)]
struct DistributionV4 {
    /// `GenerateParams::top_logprobs`.
    top_logprobs: Option<u32>,
    /// `frozen[custom model][snippet]`, custom models in the evaluation's order.
    frozen: Vec<Vec<Option<FrozenColumns>>>,
}

/// One snippet's frozen figures: per token a KL value (absent where none) and a same-top-1 bit.
#[derive(Debug, Serialize, Deserialize)]
struct FrozenColumns {
    kl: FloatColumn,
    /// Bit `i` set: token `i`'s top-1 tokens agreed.
    same_top1: Vec<u8>,
}

impl FrozenColumns {
    fn of(kept: &[Option<Frozen>]) -> FrozenColumns {
        let mut same_top1 = vec![0u8; kept.len().div_ceil(8)];
        for (i, figure) in kept.iter().enumerate() {
            if figure.is_some_and(|f| f.same_top1) {
                same_top1[i / 8] |= 1 << (i % 8);
            }
        }
        FrozenColumns {
            kl: FloatColumn::new(kept.iter().map(|f| f.map(|f| f.kl))),
            same_top1,
        }
    }

    fn into_frozen(self, tokens: usize) -> Result<Vec<Option<Frozen>>, SnapshotError> {
        let damaged = || SnapshotError::Damaged("the distribution figures do not match".into());
        let kl = self
            .kl
            .values()
            .filter(|v| v.len() == tokens)
            .ok_or_else(damaged)?;
        if self.same_top1.len() != tokens.div_ceil(8) {
            return Err(damaged());
        }
        kl.into_iter()
            .enumerate()
            .map(|(i, kl)| match kl {
                None => Ok(None),
                Some(kl) if kl.is_finite() && kl >= 0.0 => Ok(Some(Frozen {
                    kl,
                    same_top1: self.same_top1[i / 8] & (1 << (i % 8)) != 0,
                })),
                Some(_) => Err(damaged()),
            })
            .collect()
    }
}

/// Whether `evaluation` needs version 4: it asked for another K than the default, or has figures.
pub(super) fn needs_v4(evaluation: &Evaluation) -> bool {
    evaluation.params.top_logprobs != Some(DEFAULT_TOP_LOGPROBS)
        || frozen_of(evaluation).iter().flatten().any(Option::is_some)
}

/// Per custom model and snippet, the figures a link keeps.
fn frozen_of(evaluation: &Evaluation) -> Vec<Vec<Option<Vec<Option<Frozen>>>>> {
    evaluation
        .custom
        .iter()
        .map(|run| {
            run.outcomes
                .iter()
                .zip(&evaluation.baseline.outcomes)
                .map(|pair| match pair {
                    (Outcome::Scored(c), Outcome::Scored(b)) => freeze(b, c),
                    _ => None,
                })
                .collect()
        })
        .collect()
}

impl SnapshotV4 {
    /// The value of `evaluation` holding `scope` (the figures computed before any redaction, which
    /// drops the token ids they pair by).
    pub(super) fn from_evaluation(evaluation: &Evaluation, scope: Scope) -> SnapshotV4 {
        SnapshotV4 {
            base: SnapshotV2::from_evaluation(evaluation, scope),
            distribution: DistributionV4 {
                top_logprobs: evaluation.params.top_logprobs,
                frozen: frozen_of(evaluation)
                    .into_iter()
                    .map(|per_snippet| {
                        per_snippet
                            .into_iter()
                            .map(|kept| kept.map(|kept| FrozenColumns::of(&kept)))
                            .collect()
                    })
                    .collect(),
            },
        }
    }

    pub(super) fn into_snapshot(self) -> Result<Snapshot, SnapshotError> {
        let mut snapshot = self.base.into_snapshot()?;
        let evaluation = &mut snapshot.evaluation;
        evaluation.params.top_logprobs = self.distribution.top_logprobs;
        if self.distribution.frozen.len() != evaluation.custom.len() {
            return Err(SnapshotError::Damaged(
                "the distribution figures do not match the models".into(),
            ));
        }
        for (run, per_snippet) in evaluation.custom.iter_mut().zip(self.distribution.frozen) {
            if per_snippet.len() != run.outcomes.len() {
                return Err(SnapshotError::Damaged(
                    "the distribution figures do not match the snippets".into(),
                ));
            }
            for (outcome, columns) in run.outcomes.iter_mut().zip(per_snippet) {
                match (outcome, columns) {
                    (_, None) => {}
                    (Outcome::Scored(result), Some(columns)) => {
                        result.frozen = Some(columns.into_frozen(result.tokens.len())?);
                    }
                    _ => {
                        return Err(SnapshotError::Damaged(
                            "distribution figures for a snippet not scored".into(),
                        ))
                    }
                }
            }
        }
        Ok(snapshot)
    }
}

#[cfg(test)]
#[path = "distribution_tests.rs"]
mod tests;
