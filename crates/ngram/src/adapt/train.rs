//! Training a domain-adapted model: the one training path of every adapted model, `custom-base-light`
//! (the plays over `base-light`) and the models users train from their own files.
//!
//! A probe in-domain model is trained on the documents outside the tuning split; the interpolation
//! weight λ with the base is chosen by EM on the tuning documents (see [`crate::adapt::lambda`]); the
//! in-domain model is then trained on all documents. Progress is reported and cancellation checked
//! throughout. The base is any [`LanguageModel`] (a Kneser-Ney model, a transformer): the in-domain
//! models are trained over its vocabulary.

use crate::adapt::lambda::{em_lambda, logprob_pairs, mixture_loss};
use crate::error::NgramError;
use crate::lm::LanguageModel;
use crate::model::KnModel;
use crate::progress::{Progress, TrainingStage};
use crate::train::{train_model_observed, TrainReport};
use crate::vocab::{TokenIds, Vocab};

/// Points of the validation-loss curve against λ: 0, 1/20, …, 1 (and the chosen λ).
const CURVE_STEPS: usize = 20;
/// Shares of the work: probe training, tuning, final training.
const PROBE_END: f64 = 0.42;
const TUNING_END: f64 = 0.52;

/// A trained in-domain model and its weight.
#[derive(Debug)]
pub struct Adapted {
    /// The in-domain model, trained on all documents.
    pub domain: KnModel,
    /// Its interpolation weight with the base.
    pub lambda: f64,
    /// The mixture's loss on the tuning documents at `lambda` (nats per token).
    pub tuning_loss: f64,
    /// Tokens of the tuning documents.
    pub tuning_tokens: usize,
    /// (λ, loss on the tuning documents), λ ascending.
    pub curve: Vec<(f64, f64)>,
    /// The final training's report.
    pub report: TrainReport,
}

/// The indices in `0..len` of a deterministic held-out split: every `every`-th item (those with
/// `i % every == every / 2`), and the last one when that picks none. Empty when `len < 2`.
pub fn held_out_indices(len: usize, every: usize) -> Vec<usize> {
    if len < 2 {
        return Vec::new();
    }
    let every = every.max(2);
    let picked: Vec<usize> = (0..len).filter(|i| i % every == every / 2).collect();
    if picked.is_empty() {
        vec![len - 1]
    } else {
        picked
    }
}

/// Splits `items` into (those not at `picked`, those at `picked`), each in order.
pub fn split_picked<T: Clone>(items: &[T], picked: &[usize]) -> (Vec<T>, Vec<T>) {
    let mut rest = Vec::with_capacity(items.len().saturating_sub(picked.len()));
    let mut chosen = Vec::with_capacity(picked.len());
    for (i, item) in items.iter().enumerate() {
        if picked.contains(&i) {
            chosen.push(item.clone());
        } else {
            rest.push(item.clone());
        }
    }
    (rest, chosen)
}

/// Tokenizes documents on the calling thread, reporting [`TrainingStage::Tokenizing`].
pub fn tokenize_observed(
    tokenizer: &dyn TokenIds,
    docs: &[String],
    progress: &Progress<'_>,
) -> Result<Vec<Vec<u32>>, NgramError> {
    let total_bytes = docs.iter().map(String::len).sum::<usize>().max(1);
    let mut done_bytes = 0usize;
    let mut out = Vec::with_capacity(docs.len());
    for doc in docs {
        out.push(tokenizer.encode(doc));
        done_bytes += doc.len();
        progress.report(
            TrainingStage::Tokenizing,
            done_bytes as f64 / total_bytes as f64,
        )?;
    }
    Ok(out)
}

/// Adapts `base` to `docs`: λ tuned on the documents at `tuning` (indices into `docs`) with a probe
/// trained on the others, then the in-domain model trained on all of `docs`, over `base`'s
/// vocabulary. Reports [`TrainingStage::Counting`], [`TrainingStage::Estimating`] (probe), [`TrainingStage::Tuning`], then
/// counting and estimating again (final); stops with [`NgramError::Cancelled`] when `progress` is
/// cancelled.
pub fn train_adapted(
    base: &dyn LanguageModel,
    docs: &[Vec<u32>],
    tuning: &[usize],
    order: usize,
    progress: &Progress<'_>,
) -> Result<Adapted, NgramError> {
    train_adapted_capped(base, docs, tuning, order, usize::MAX, progress)
}

/// [`train_adapted`] scoring at most `max_tuning_tokens` tokens of the tuning documents with the
/// base and the probe (the same share of each document, from its start): a base that scores slowly
/// (a transformer) tunes λ on a sample. The final model is still trained on all of every document.
pub fn train_adapted_capped(
    base: &dyn LanguageModel,
    docs: &[Vec<u32>],
    tuning: &[usize],
    order: usize,
    max_tuning_tokens: usize,
    progress: &Progress<'_>,
) -> Result<Adapted, NgramError> {
    if tuning.is_empty() || tuning.len() >= docs.len() || tuning.iter().any(|&i| i >= docs.len()) {
        return Err(NgramError::Training(format!(
            "the tuning split ({} of {} documents) must hold at least one document and leave one",
            tuning.len(),
            docs.len()
        )));
    }
    let vocab = Vocab::new(base.vocab_size(), base.eot())?;
    let (rest, held) = split_picked(docs, tuning);
    let (probe, _) = train_model_observed(&rest, vocab, order, &progress.part(0.0, PROBE_END))?;
    drop(rest);

    let tuning_progress = progress.part(PROBE_END, TUNING_END);
    let total: usize = held.iter().map(Vec::len).sum();
    let share = (max_tuning_tokens as f64 / total.max(1) as f64).min(1.0);
    let mut pairs: Vec<(f64, f64)> = Vec::new();
    for (k, doc) in held.iter().enumerate() {
        let take = if share < 1.0 {
            ((doc.len() as f64 * share).ceil() as usize).min(doc.len())
        } else {
            doc.len()
        };
        let got = logprob_pairs(&probe, base, &doc[..take], progress.cancel_flag())
            .map_err(|_| NgramError::Cancelled)?;
        pairs.extend(got);
        tuning_progress.report(TrainingStage::Tuning, (k + 1) as f64 / held.len() as f64)?;
    }
    drop(probe);
    if pairs.is_empty() {
        return Err(NgramError::Training(
            "the tuning documents hold no token".into(),
        ));
    }
    let lambda = em_lambda(&pairs);
    let mut curve: Vec<(f64, f64)> = (0..=CURVE_STEPS)
        .map(|i| i as f64 / CURVE_STEPS as f64)
        .chain([lambda])
        .map(|l| (l, mixture_loss(&pairs, l)))
        .collect();
    curve.sort_by(|a, b| a.0.total_cmp(&b.0));
    curve.dedup_by(|a, b| a.0 == b.0);

    let (domain, report) =
        train_model_observed(docs, vocab, order, &progress.part(TUNING_END, 1.0))?;
    Ok(Adapted {
        domain,
        lambda,
        tuning_loss: mixture_loss(&pairs, lambda),
        tuning_tokens: pairs.len(),
        curve,
        report,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::{self, Progress};
    use crate::train::train_model;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Mutex;

    #[test]
    fn the_held_out_split_is_every_nth_and_never_empty() {
        assert_eq!(held_out_indices(25, 10), vec![5, 15]);
        assert_eq!(held_out_indices(3, 10), vec![2]);
        assert_eq!(held_out_indices(1, 10), Vec::<usize>::new());
        // custom-base-light's split: every twelfth of 35 training plays.
        assert_eq!(held_out_indices(35, 12), vec![6, 18, 30]);
    }

    fn corpus() -> (Vec<Vec<u32>>, Vec<Vec<u32>>) {
        // Base: counting words; domain: a distinct pattern of other tokens.
        let base: Vec<Vec<u32>> = (0..40)
            .map(|i| (0..30).map(|j| 10 + (i + j) % 7).collect())
            .collect();
        let domain: Vec<Vec<u32>> = (0..20)
            .map(|i| (0..30).map(|j| 100 + (i * j) % 5).collect())
            .collect();
        (base, domain)
    }

    #[test]
    fn adapting_picks_the_minimum_of_its_curve_and_reports_every_stage() {
        let (base_docs, domain_docs) = corpus();
        let (base, _) = train_model(&base_docs, Vocab::GPT2, 3).expect("base");
        let stages = Mutex::new(Vec::new());
        let record = |s: TrainingStage, f: f64| stages.lock().expect("lock").push((s, f));
        let never = AtomicBool::new(false);
        let tuning = held_out_indices(domain_docs.len(), 10);
        let adapted = train_adapted(
            &base,
            &domain_docs,
            &tuning,
            3,
            &Progress::new(&record, &never),
        )
        .expect("adapted");
        assert!(
            adapted.lambda > 0.5,
            "in-domain text favours the domain model"
        );
        let best = adapted
            .curve
            .iter()
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .expect("curve");
        assert!((best.0 - adapted.lambda).abs() < 1e-9);
        assert!((best.1 - adapted.tuning_loss).abs() < 1e-12);
        assert_eq!(adapted.curve.first().map(|p| p.0), Some(0.0));
        assert_eq!(adapted.curve.last().map(|p| p.0), Some(1.0));
        let stages = stages.into_inner().expect("lock");
        for stage in [
            TrainingStage::Counting,
            TrainingStage::Estimating,
            TrainingStage::Tuning,
        ] {
            assert!(
                stages.iter().any(|(s, _)| *s == stage),
                "{stage:?} reported"
            );
        }
        assert!(
            stages.windows(2).all(|w| w[0].1 <= w[1].1),
            "progress never goes back"
        );
        assert_eq!(stages.last().map(|s| s.1), Some(1.0));
        // The same training without observers gives the same model and weight.
        let again = progress::silent(|p| train_adapted(&base, &domain_docs, &tuning, 3, &p))
            .expect("again");
        assert_eq!(again.lambda, adapted.lambda);
        assert_eq!(again.domain.ngram_counts(), adapted.domain.ngram_counts());
    }

    #[test]
    fn a_cancelled_training_stops_with_cancelled() {
        let (base_docs, domain_docs) = corpus();
        let (base, _) = train_model(&base_docs, Vocab::GPT2, 3).expect("base");
        let cancel = AtomicBool::new(false);
        let calls = Mutex::new(0usize);
        let cancel_after_two = |_: TrainingStage, _: f64| {
            let mut n = calls.lock().expect("lock");
            *n += 1;
            if *n == 2 {
                cancel.store(true, Ordering::Relaxed);
            }
        };
        let result = train_adapted(
            &base,
            &domain_docs,
            &[5, 15],
            3,
            &Progress::new(&cancel_after_two, &cancel),
        );
        assert!(matches!(result, Err(NgramError::Cancelled)));
        assert_eq!(*calls.lock().expect("lock"), 2);
    }

    #[test]
    fn a_split_that_leaves_nothing_is_refused() {
        let (base_docs, _) = corpus();
        let (base, _) = train_model(&base_docs, Vocab::GPT2, 3).expect("base");
        let one = vec![vec![1u32, 2, 3]];
        let err =
            progress::silent(|p| train_adapted(&base, &one, &[0], 3, &p)).expect_err("refused");
        assert!(matches!(err, NgramError::Training(_)));
    }
}
