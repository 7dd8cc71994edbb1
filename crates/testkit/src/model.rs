//! A language model that reads a real one's distributions (the trait's required methods) and lets a
//! test watch or bend each of them: count the steps, set a stop flag after some, slow them down, or
//! take end-of-text out.

use likely_ngram::{LanguageModel, Stopped, Text};
use std::ops::Deref;

/// The model behind `inner` (a reference, `Box` or `Arc`), with `step` called on every next-token
/// distribution it gives before it is returned. It implements only what the trait requires, so the
/// trait's defaults (scores, top-k, ranks, log-probabilities: all read from the stepped
/// distributions) run for it, as for any new model.
#[derive(Debug)]
pub struct Stepped<M, F> {
    inner: M,
    step: F,
}

impl<M, F> Stepped<M, F>
where
    M: Deref + Send + Sync,
    M::Target: LanguageModel,
    F: Fn(&mut Vec<f64>) + Send + Sync,
{
    /// `inner` with `step` called on each distribution.
    pub fn new(inner: M, step: F) -> Stepped<M, F> {
        Stepped { inner, step }
    }
}

/// A step that changes nothing.
fn unchanged(_: &mut Vec<f64>) {}

impl<M> Stepped<M, fn(&mut Vec<f64>)>
where
    M: Deref + Send + Sync,
    M::Target: LanguageModel,
{
    /// `inner` as it is, through the trait's required methods alone.
    pub fn plain(inner: M) -> Self {
        Stepped {
            inner,
            step: unchanged,
        }
    }
}

impl<M, F> LanguageModel for Stepped<M, F>
where
    M: Deref + Send + Sync,
    M::Target: LanguageModel,
    F: Fn(&mut Vec<f64>) + Send + Sync,
{
    fn vocab_size(&self) -> usize {
        self.inner.vocab_size()
    }

    fn eot(&self) -> u32 {
        self.inner.eot()
    }

    fn next_distribution_until(&self, context: Text<'_>) -> Result<Vec<f64>, Stopped> {
        let mut distribution = self.inner.next_distribution_until(context)?;
        (self.step)(&mut distribution);
        Ok(distribution)
    }
}

/// Takes end-of-text (id `eot`) out of `distribution` and scales the rest back to a sum of one: a
/// generation then runs its full length, whatever a tiny model learnt.
pub fn without_end_of_text(distribution: &mut [f64], eot: u32) {
    let eot = eot as usize;
    let rest = 1.0 - distribution[eot];
    distribution[eot] = 0.0;
    distribution.iter_mut().for_each(|p| *p /= rest);
}
