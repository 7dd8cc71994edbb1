//! Scoring a token sequence under a mixture of Kneser-Ney models (a single model being a mixture
//! of one): log-probabilities, optional top-k and ranks.
//!
//! Performance: a step's cost is mostly cache misses along one dependency chain (context node →
//! its children → the next context). The context at a position depends only on the `order - 1`
//! tokens before it (see [`crate::model`]), so a sequence (a short document of a few dozen tokens
//! too) is cut into up to [`STREAMS`] segments, and the segments are stepped in turn: their cache
//! misses overlap. Each segment but the first starts `order - 1` tokens early from the empty
//! context, and those steps, interleaved with the others, only find its first context. Each
//! step also hints the processor to fetch what the segment's next step reads first (its next
//! token is known: the block of a dense index, the binary search's first probes). The result is
//! identical to a left-to-right pass.

use std::cell::RefCell;
use std::sync::atomic::AtomicBool;

use crate::lm::{by_position, check, ScoreOptions, Stopped, Text, TokenScore};
use crate::model::{Ctx, KnModel, State};
use crate::score::rank::{rank, RankScratch};
use crate::score::topk::{quick_top1, top_k, Part, Scratch};

/// Most segments stepped together.
const STREAMS: usize = 4;
/// Fewest tokens per segment (each segment but the first costs `order - 1` extra steps to find
/// its first context, interleaved with the other segments' steps like the rest): short documents
/// are cut too, their cache misses being the ones nothing else overlaps.
const MIN_SEGMENT: usize = 8;
/// Plain scoring steps between two looks at the stop flag.
const STEPS_PER_CHECK: usize = 256;
/// Top-k searches or ranks (each a walk over the vocabulary) between two looks at the stop flag.
const SEARCHES_PER_CHECK: usize = 8;

thread_local! {
    /// Per-thread search marks for the top-k search (200 KB, allocated once per thread).
    static SCRATCH: RefCell<Option<Scratch>> = const { RefCell::new(None) };
    /// Per-thread buffers of the rank computation.
    static RANKS: RefCell<RankScratch> = RefCell::new(RankScratch::new());
    /// Per-thread scoring states (models × segments).
    static STATES: RefCell<Vec<State>> = const { RefCell::new(Vec::new()) };
}

/// Natural log of `Σ weight_i · exp(logp_i)`, computed stably.
pub(crate) fn log_mix(weights: &[f64], logps: &[f64]) -> f64 {
    if weights.len() == 1 {
        return if weights[0] == 1.0 {
            logps[0]
        } else {
            logps[0] + weights[0].ln()
        };
    }
    let m = logps.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if m == f64::NEG_INFINITY {
        return m;
    }
    let s: f64 = weights
        .iter()
        .zip(logps)
        .map(|(w, lp)| w * (lp - m).exp())
        .sum();
    m + s.ln()
}

/// What [`run_models`] records besides the log-probabilities.
struct Record<'a> {
    /// The state before each token, per model (`states[m][i]`), when not empty.
    states: &'a mut [Vec<State>],
    /// Each model's top-1 before each token (`tops[m][i]`), when not empty.
    tops: &'a mut [Vec<(u32, f64)>],
    /// The mixture's top-1 before each token when the models' top-1 tokens settle it, when not
    /// empty (`quick[i]`; weights `weights`).
    quick: &'a mut [Option<(u32, f64)>],
    weights: &'a [f64],
}

/// Log-probability of every token under each model (`lps[m][i]`), and what `rec` asks for. All
/// models and segments are stepped in the same loop, so that their cache misses overlap; the
/// top-1 searches are done right after each step, while the records they read are in the cache.
fn run_models(
    models: &[&KnModel],
    tokens: &[u32],
    lps: &mut [Vec<f64>],
    rec: Record<'_>,
    stop: &AtomicBool,
) -> Result<(), Stopped> {
    let n = tokens.len();
    let (want_top, want_quick) = (!rec.tops.is_empty(), !rec.quick.is_empty());
    let streams = (n / MIN_SEGMENT).clamp(1, STREAMS);
    let seg = n.div_ceil(streams).max(1);
    let record = !rec.states.is_empty();
    // Segment `k` scores `own[k]..end[k]`; it steps from `from[k]`, up to `span` tokens earlier,
    // whose steps only find its first context (the context after the `span` tokens before a
    // position, from the empty context, is the one a pass from the start reaches there).
    let span = models.iter().map(|m| m.order() - 1).max().unwrap_or(0);
    let (mut from, mut own, mut end) = ([0; STREAMS], [0; STREAMS], [0; STREAMS]);
    for k in 0..streams {
        own[k] = (k * seg).min(n);
        end[k] = ((k + 1) * seg).min(n);
        from[k] = own[k].saturating_sub(span);
    }
    STATES.with(|cell| {
        let mut all = cell.borrow_mut();
        all.clear();
        for model in models {
            let start = model.state(model.start());
            let root = model.state(Ctx::ROOT);
            all.extend((0..STREAMS).map(|k| if from[k] == 0 { start } else { root }));
        }
    });
    let mut next = Vec::with_capacity(models.len());
    let mut parts: Vec<Part<'_>> = Vec::with_capacity(models.len());
    STATES.with(|cell| {
        let mut all = cell.borrow_mut();
        for i in 0..seg + span {
            if i % STEPS_PER_CHECK == 0 {
                check(stop)?;
            }
            for k in 0..streams {
                let pos = from[k] + i;
                if pos >= end[k] {
                    continue;
                }
                let w = tokens[pos];
                let ahead = tokens.get(pos + 1).copied().unwrap_or(0);
                if pos < own[k] {
                    // Finding the segment's first context.
                    for (m, model) in models.iter().enumerate() {
                        let s = model.resolve(all[m * STREAMS + k]);
                        let (_, after) = model.step_state(s, w);
                        model.prefetch_state(&after, ahead);
                        all[m * STREAMS + k] = after;
                    }
                    continue;
                }
                next.clear();
                for (m, model) in models.iter().enumerate() {
                    // Its range was left to read now, after a hint to fetch it.
                    all[m * STREAMS + k] = model.resolve(all[m * STREAMS + k]);
                    let s = &all[m * STREAMS + k];
                    if record {
                        rec.states[m][pos] = *s;
                    }
                    let (lp, after) = model.step_state(*s, w);
                    if want_top {
                        // A saved model finds its top-1 again from the records the step read.
                        rec.tops[m][pos] = model.top1_state(s);
                    }
                    model.prefetch_state(&after, ahead);
                    if want_top {
                        model.prefetch_top(&after);
                    }
                    lps[m][pos] = lp;
                    next.push(after);
                }
                if want_quick {
                    parts.clear();
                    parts.extend(models.iter().enumerate().map(|(m, &model)| Part {
                        weight: rec.weights[m],
                        model,
                        state: all[m * STREAMS + k],
                        top: rec.tops[m][pos],
                    }));
                    rec.quick[pos] = quick_top1(&parts);
                }
                for (m, &after) in next.iter().enumerate() {
                    all[m * STREAMS + k] = after;
                }
            }
        }
        Ok(())
    })
}

/// The vocabulary size of a mixture (its models share one vocabulary).
fn vocab_of(models: &[(f64, &KnModel)]) -> usize {
    models.first().map_or(0, |m| m.1.vocab())
}

/// The full next-token distribution (probabilities) of the mixture.
pub(crate) fn distribution(
    models: &[(f64, &KnModel)],
    ctxs: &[Ctx],
    out: &mut Vec<f64>,
    tmp: &mut Vec<f64>,
) {
    let vocab = vocab_of(models);
    out.clear();
    out.resize(vocab, 0.0);
    for (&(weight, model), &ctx) in models.iter().zip(ctxs) {
        tmp.clear();
        tmp.resize(vocab, 0.0);
        model.distribution_into(ctx, tmp);
        for (o, t) in out.iter_mut().zip(tmp.iter()) {
            *o += weight * t;
        }
    }
}

/// Scores the tokens of `text` after the start-of-text context; [`Stopped`] once its flag is set.
pub(crate) fn score(
    models: &[(f64, &KnModel)],
    text: Text<'_>,
    options: &ScoreOptions,
) -> Result<Vec<TokenScore>, Stopped> {
    let Text { tokens, stop } = text;
    let n = tokens.len();
    let weights: Vec<f64> = models.iter().map(|m| m.0).collect();
    let need_ctx = options.top_k > 0 || options.ranks;
    let mut lps: Vec<Vec<f64>> = vec![vec![0f64; n]; models.len()];
    let plain: Vec<&KnModel> = models.iter().map(|m| m.1).collect();
    let mut states: Vec<Vec<State>> = if need_ctx {
        let root = plain.iter().map(|m| m.state(Ctx::ROOT));
        root.map(|s| vec![s; n]).collect()
    } else {
        Vec::new()
    };
    let single_top1 = options.top_k == 1 && models.len() == 1;
    let mut tops: Vec<Vec<(u32, f64)>> = if options.top_k > 0 {
        vec![vec![(0u32, 0f64); n]; models.len()]
    } else {
        Vec::new()
    };
    let mut quick: Vec<Option<(u32, f64)>> = if options.top_k == 1 && models.len() > 1 {
        vec![None; n]
    } else {
        Vec::new()
    };
    let rec = Record {
        states: &mut states,
        tops: &mut tops,
        quick: &mut quick,
        weights: &weights,
    };
    run_models(&plain, tokens, &mut lps, rec, stop)?;
    let mut out: Vec<TokenScore> = Vec::with_capacity(n);
    let mut mix = vec![0f64; models.len()];
    for (i, &token) in tokens.iter().enumerate() {
        for (m, lp) in mix.iter_mut().zip(&lps) {
            *m = lp[i];
        }
        out.push(TokenScore {
            token,
            logprob: log_mix(&weights, &mix),
            top: Vec::new(),
            rank: None,
        });
    }
    if !need_ctx {
        return Ok(out);
    }
    if single_top1 {
        let w = weights[0];
        for (s, &(t, lp)) in out.iter_mut().zip(&tops[0]) {
            s.top = vec![(t, if w == 1.0 { lp } else { lp + w.ln() })];
        }
    } else if options.top_k > 0 {
        SCRATCH.with(|cell| {
            let mut guard = cell.borrow_mut();
            let vocab = vocab_of(models);
            if guard.as_ref().is_none_or(|s| s.vocab() != vocab) {
                *guard = Some(Scratch::new(vocab));
            }
            let Some(scratch) = guard.as_mut() else {
                return Ok(());
            };
            let mut parts: Vec<Part<'_>> = Vec::with_capacity(models.len());
            for (i, s) in out.iter_mut().enumerate() {
                if let Some(found) = quick.get(i).copied().flatten() {
                    s.top = vec![found];
                    continue;
                }
                if i % SEARCHES_PER_CHECK == 0 {
                    check(stop)?;
                }
                parts.clear();
                parts.extend(models.iter().zip(states.iter().zip(&tops)).map(
                    |(&(weight, model), (ss, ts))| Part {
                        weight,
                        model,
                        state: ss[i],
                        top: ts[i],
                    },
                ));
                s.top = top_k(&parts, options.top_k, scratch);
            }
            Ok(())
        })?;
    }
    if options.ranks {
        RANKS.with(|cell| {
            let mut scratch = cell.borrow_mut();
            let mut here = vec![Ctx::ROOT; models.len()];
            for (i, s) in out.iter_mut().enumerate() {
                if i % SEARCHES_PER_CHECK == 0 {
                    check(stop)?;
                }
                for (h, ss) in here.iter_mut().zip(&states) {
                    *h = ss[i].ctx;
                }
                s.rank = Some(rank(models, &here, s.token, &mut scratch));
            }
            Ok(())
        })?;
    }
    Ok(out)
}

/// The next-token distribution after the start-of-text context and `context`. A model's context is
/// at most `order - 1` tokens long, so only that tail of `context` is stepped through: the
/// start-of-text token before a longer tail falls out of it anyway.
pub(crate) fn next_distribution(models: &[(f64, &KnModel)], context: &[u32]) -> Vec<f64> {
    let ctxs: Vec<Ctx> = models
        .iter()
        .map(|&(_, model)| {
            let span = model.order() - 1;
            model.context_after(&context[context.len().saturating_sub(span)..])
        })
        .collect();
    let (mut dist, mut tmp) = (Vec::new(), Vec::new());
    distribution(models, &ctxs, &mut dist, &mut tmp);
    dist
}

/// `ln P(w | position p)` of the mixture for every `(p, w)` of `asks` (see
/// [`crate::LanguageModel::logprobs_at`]): one walk over the tokens, a step from the position's
/// context per ask.
pub(crate) fn logprobs_at(
    models: &[(f64, &KnModel)],
    text: Text<'_>,
    asks: &[(usize, u32)],
) -> Result<Vec<f64>, Stopped> {
    let Text { tokens, stop } = text;
    let order = by_position(asks);
    let weights: Vec<f64> = models.iter().map(|m| m.0).collect();
    let mut ctxs: Vec<Ctx> = models.iter().map(|m| m.1.start()).collect();
    let mut lps = vec![0f64; models.len()];
    let mut out = vec![f64::NEG_INFINITY; asks.len()];
    let mut next = 0;
    for p in 0..=tokens.len() {
        if next == order.len() {
            break;
        }
        if p % STEPS_PER_CHECK == 0 {
            check(stop)?;
        }
        while let Some(&i) = order.get(next).filter(|&&i| asks[i].0 == p) {
            for (lp, (&(_, model), &ctx)) in lps.iter_mut().zip(models.iter().zip(&ctxs)) {
                *lp = model.step(ctx, asks[i].1).0;
            }
            out[i] = log_mix(&weights, &lps);
            next += 1;
        }
        if let Some(&w) = tokens.get(p) {
            for (ctx, &(_, model)) in ctxs.iter_mut().zip(models) {
                *ctx = model.step(*ctx, w).1;
            }
        }
    }
    Ok(out)
}
