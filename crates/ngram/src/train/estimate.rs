//! From adjusted counts to the interpolated modified Kneser-Ney model in backoff form:
//!
//! `P(w | h) = max(a(hw) - D(a(hw)), 0) / c(h) + γ(h) · P(w | h')`, with `c(h) = Σ_w a(hw)`,
//! `γ(h) = (D1 N1(h·) + D2 N2(h·) + D3 N3+(h·)) / c(h)`, `h'` = `h` without its first token, and
//! at the bottom `P(w) = max(a(w) - D(a(w)), 0) / Σ a + γ(ε) / V` (uniform over the vocabulary), so
//! every token, seen or not, has a probability. `a` is the raw count at the highest order and for
//! n-grams that start a document, the continuation count elsewhere (see [`crate::train::counting`]).

use crate::error::NgramError;
use crate::model::packed::PackedLevel;
use crate::model::{
    Code, Ctx, KnModel, Leaf, Level, Node, Repr, Trie, HAS_CHILDREN, MAX_LEVEL_LEN, SORT_MAX,
};
use crate::train::counting::{last_word, LevelCounts};
use crate::train::discounts::Discounts;
use crate::vocab::Vocab;

/// Summary of an estimation, for logs and benchmarks.
#[derive(Debug, Clone, PartialEq)]
pub struct EstimateReport {
    /// Discounts of each order, unigrams first.
    pub discounts: Vec<Discounts>,
}

/// One level while building, field by field.
#[derive(Debug, Default)]
struct RawLevel {
    words: Vec<u16>,
    logp: Vec<f32>,
    backoff: Vec<f32>,
    child_start: Vec<u32>,
    top_word: Vec<u16>,
    top_logp: Vec<f32>,
    second_logp: Vec<f32>,
    link: Vec<u32>,
}

/// Lays the built levels out for scoring: nodes with flags, leaves, children sorted by probability.
fn finalize(order: usize, vocab: Vocab, raw: Vec<RawLevel>) -> KnModel {
    let mut levels: Vec<Level<f32>> = Vec::with_capacity(order);
    let uni_logp = raw.first().map(|r| r.logp.clone()).unwrap_or_default();
    let uni_backoff = raw.first().map(|r| r.backoff.clone()).unwrap_or_default();
    for (i, r) in raw.into_iter().enumerate() {
        let n = r.logp.len();
        let order_of = if i > 0 {
            order_children(&levels[i - 1].nodes, |j| (f64::from(r.logp[j]), r.words[j]))
        } else {
            ChildOrder::default()
        };
        let level = if i + 1 == order {
            Level {
                leaves: r
                    .logp
                    .iter()
                    .zip(&r.link)
                    .map(|(&logp, &link)| {
                        let c = Ctx(link);
                        let (next_start, next_end) = if c.level() == 0 {
                            (0, vocab.size() as u32)
                        } else {
                            let nodes = &levels[c.level() - 1].nodes;
                            (
                                nodes[c.index()].child_start,
                                nodes[c.index() + 1].child_start,
                            )
                        };
                        Leaf {
                            logp,
                            link,
                            next_start,
                            next_len: (next_end - next_start) as u16,
                            pad: 0.0,
                        }
                    })
                    .collect::<Vec<_>>()
                    .into(),
                words: r.words.into(),
                ..order_of.into_level()
            }
        } else {
            let mut nodes: Vec<Node<f32>> = (0..n)
                .map(|j| {
                    let has = r.child_start[j + 1] > r.child_start[j];
                    let link = if i == 0 { Ctx::ROOT.0 } else { r.link[j] };
                    Node {
                        logp: r.logp[j],
                        backoff: r.backoff[j],
                        child_start: r.child_start[j],
                        link: link | if has { HAS_CHILDREN } else { 0 },
                        top_logp: r.top_logp[j],
                        top_word: r.top_word[j],
                    }
                })
                .collect();
            nodes.push(Node {
                child_start: r.child_start[n],
                ..Node::default()
            });
            Level {
                words: r.words.into(),
                nodes: nodes.into(),
                second: r.second_logp.into(),
                ..order_of.into_level()
            }
        };
        levels.push(level);
    }
    let trie = Trie {
        levels,
        uni_logp: uni_logp.into(),
        uni_backoff: uni_backoff.into(),
    };
    KnModel::from_repr(order, vocab, Repr::Exact(trie))
}

/// The children order of one level (see [`Level::by_prob`]).
#[derive(Debug, Default)]
pub(crate) struct ChildOrder {
    by_prob: Vec<u16>,
    big_start: Vec<u32>,
    big_at: Vec<u32>,
}

impl ChildOrder {
    /// An otherwise empty level holding this order.
    pub(crate) fn into_level<C: Code>(self) -> Level<C> {
        Level {
            by_prob: self.by_prob.into(),
            big_start: self.big_start.into(),
            big_at: self.big_at.into(),
            ..Level::default()
        }
    }

    /// An otherwise empty packed level holding this order.
    pub(crate) fn into_packed(self) -> PackedLevel {
        PackedLevel {
            by_prob: self.by_prob.into(),
            big_start: self.big_start.into(),
            big_at: self.big_at.into(),
            ..PackedLevel::default()
        }
    }
}

/// The children offsets of each context of `parents` with more than [`SORT_MAX`] children, by
/// decreasing log-probability, ties by smaller token; `key(j)` gives child `j`'s
/// (log-probability, token).
pub(crate) fn order_children<C: Code>(
    parents: &[Node<C>],
    key: impl Fn(usize) -> (f64, u16),
) -> ChildOrder {
    let mut out = ChildOrder::default();
    for p in parents.windows(2) {
        let (s, e) = (p[0].child_start as usize, p[1].child_start as usize);
        if e - s <= SORT_MAX {
            continue;
        }
        out.big_start.push(s as u32);
        out.big_at.push(out.by_prob.len() as u32);
        let from = out.by_prob.len();
        out.by_prob.extend((0..e - s).map(|k| k as u16));
        out.by_prob[from..].sort_by(|&a, &b| {
            let (ka, kb) = (key(s + a as usize), key(s + b as usize));
            kb.0.total_cmp(&ka.0).then(ka.1.cmp(&kb.1))
        });
    }
    out
}

/// Builds the model over `vocab` from the counts of every level (`levels[n - 1]` = length n).
pub fn estimate(
    levels: &[LevelCounts],
    vocab: Vocab,
) -> Result<(KnModel, EstimateReport), NgramError> {
    estimate_observed(levels, vocab, &mut |_| Ok(()))
}

/// The most likely token of a distribution, its probability, and an upper bound on the
/// probability of every other token.
type TopBound = (u16, f64, f64);

/// What estimating a level needs of the level below it.
struct Below {
    /// The n-grams' keys, ascending.
    keys: Vec<u128>,
    /// Their probabilities (f64, for accuracy while building).
    p: Vec<f64>,
    /// The suffix (n-gram without its first token) of each, in the level below (empty for the
    /// unigrams).
    suffix: Vec<u32>,
    /// The top-1 of each of the level below's n-grams as a context (empty for the unigrams).
    top: Vec<TopBound>,
}

/// [`estimate`], calling `step(fraction done)` between levels; an error from `step` (a cancellation)
/// stops the estimation.
pub fn estimate_observed(
    levels: &[LevelCounts],
    vocab: Vocab,
    step: &mut dyn FnMut(f64) -> Result<(), NgramError>,
) -> Result<(KnModel, EstimateReport), NgramError> {
    check_levels(levels)?;
    let order = levels.len();
    let (d1, uni_p) = estimate_unigrams(&levels[0], vocab)?;
    let mut discounts = vec![d1];
    let root_top = top_of_unigrams(&uni_p);
    // Built level by level; `built[n - 1]` is level n. Suffix indices are kept while building.
    let mut built: Vec<RawLevel> = Vec::with_capacity(order);
    built.push(RawLevel {
        logp: uni_p.iter().map(|&p| p.ln() as f32).collect(),
        ..RawLevel::default()
    });
    let mut below = Below {
        keys: (0..vocab.size() as u128).collect(),
        p: uni_p,
        suffix: Vec::new(),
        top: Vec::new(),
    };
    for n in 2..=order {
        step((n - 2) as f64 / order as f64)?;
        let cur = &levels[n - 1];
        let dn = Discounts::estimate(Discounts::count_of_counts(cur.counts.iter().copied()));
        discounts.push(dn);
        let prev_len = below.keys.len();
        let mut parent = parents(n, &cur.keys, &below.keys)?;
        let mut words: Vec<u16> = cur.keys.iter().map(|&k| last_word(k)).collect();
        let mut suffix = suffixes(n, &parent, &words, &below.suffix, &built)?;
        let mut counts: Vec<u32> = cur.counts.clone();
        // The highest order: drop the singletons that hardly change the model.
        let pruned = (n == order).then(|| {
            let mut kept = Kept {
                parent: &mut parent,
                words: &mut words,
                suffix: &mut suffix,
                counts: &mut counts,
            };
            prune_top(dn, &mut kept, &below.p, prev_len)
        });
        let child_start = child_starts(&parent, prev_len);
        // The top-1 of a context's lower order, before scaling by its γ.
        let lower_top = |i: usize| {
            if n == 2 {
                root_top
            } else {
                below.top[below.suffix[i] as usize]
            }
        };
        let level = Children {
            parent: &parent,
            words: &words,
            suffix: &suffix,
            counts: &counts,
        };
        let est = estimate_children(dn, &level, pruned.as_ref(), &below.p, prev_len, lower_top);
        let mut prev_top = est.top;
        // Contexts without children keep the top-1 of their lower order (never used as contexts).
        for (i, top) in prev_top.iter_mut().enumerate() {
            if child_start[i + 1] == child_start[i] {
                *top = lower_top(i);
            }
        }
        finish_contexts(&mut built[n - 2], est.backoff, child_start, &prev_top);
        let link = links(n, &suffix, &built[n - 2]);
        built.push(RawLevel {
            words,
            logp: est.logp,
            link,
            ..RawLevel::default()
        });
        below = Below {
            keys: cur.keys.clone(),
            p: est.p,
            suffix,
            top: prev_top,
        };
    }
    step((order - 1) as f64 / order as f64)?;
    Ok((finalize(order, vocab, built), EstimateReport { discounts }))
}

/// An order of at least 2, and no level longer than a [`Ctx`] can index.
fn check_levels(levels: &[LevelCounts]) -> Result<(), NgramError> {
    if levels.len() < 2 {
        return Err(NgramError::Training("order must be at least 2".into()));
    }
    if let Some(l) = levels.iter().find(|l| l.keys.len() > MAX_LEVEL_LEN) {
        return Err(NgramError::Training(format!(
            "too many n-grams in one level ({})",
            l.keys.len()
        )));
    }
    Ok(())
}

/// The unigrams' discounts and probabilities, dense by token id: the discounted counts plus γ(ε)
/// spread uniformly over the vocabulary.
fn estimate_unigrams(
    unigrams: &LevelCounts,
    vocab: Vocab,
) -> Result<(Discounts, Vec<f64>), NgramError> {
    let d1 = Discounts::estimate(Discounts::count_of_counts(unigrams.counts.iter().copied()));
    let vocab_size = vocab.size();
    let mut uni_count = vec![0u32; vocab_size];
    for (&k, &c) in unigrams.keys.iter().zip(&unigrams.counts) {
        let w = k as usize;
        if w >= vocab_size {
            return Err(NgramError::Training(format!(
                "token {w} out of the vocabulary"
            )));
        }
        uni_count[w] = c;
    }
    let total: f64 = uni_count.iter().map(|&c| f64::from(c)).sum();
    if total == 0.0 {
        return Err(NgramError::Training("empty corpus".into()));
    }
    let gamma0: f64 = uni_count.iter().map(|&c| d1.for_count(c)).sum::<f64>() / total;
    let uni_p = uni_count
        .iter()
        .map(|&c| (f64::from(c) - d1.for_count(c)).max(0.0) / total + gamma0 / vocab_size as f64)
        .collect();
    Ok((d1, uni_p))
}

/// Most likely token of the unigram distribution, its probability, and the second largest.
fn top_of_unigrams(uni_p: &[f64]) -> TopBound {
    uni_p.iter().enumerate().fold(
        (0u16, f64::NEG_INFINITY, f64::NEG_INFINITY),
        |best, (w, &p)| {
            if p > best.1 {
                (w as u16, p, best.1)
            } else {
                (best.0, best.1, best.2.max(p))
            }
        },
    )
}

/// The parent (context) of each n-gram of order `n`: its index in the level below.
fn parents(n: usize, keys: &[u128], prev_keys: &[u128]) -> Result<Vec<u32>, NgramError> {
    let prev_len = prev_keys.len();
    let mut parent = Vec::with_capacity(keys.len());
    let mut p = 0usize;
    for &k in keys {
        let pk = k >> 16;
        while p < prev_len && prev_keys[p] < pk {
            p += 1;
        }
        if p == prev_len || prev_keys[p] != pk {
            return Err(NgramError::Training(format!(
                "order {n}: an n-gram's context is missing from order {}",
                n - 1
            )));
        }
        parent.push(p as u32);
    }
    Ok(parent)
}

/// The children ranges of the level below (`prev_len` n-grams) from the parents of a level's
/// n-grams: context `i`'s children are `start[i]..start[i + 1]`.
fn child_starts(parent: &[u32], prev_len: usize) -> Vec<u32> {
    let mut child_start = vec![0u32; prev_len + 1];
    for &p in parent {
        child_start[p as usize + 1] += 1;
    }
    for i in 0..prev_len {
        child_start[i + 1] += child_start[i];
    }
    child_start
}

/// The suffix of each n-gram of order `n` in the level below: child `w` of the parent's suffix.
fn suffixes(
    n: usize,
    parent: &[u32],
    words: &[u16],
    prev_suffix: &[u32],
    built: &[RawLevel],
) -> Result<Vec<u32>, NgramError> {
    let mut suffix = Vec::with_capacity(words.len());
    for (i, &w) in words.iter().enumerate() {
        let s = if n == 2 {
            u32::from(w)
        } else {
            let ps = prev_suffix[parent[i] as usize] as usize; // in level n - 2
            let range =
                built[n - 3].child_start[ps] as usize..built[n - 3].child_start[ps + 1] as usize;
            let found = built[n - 2].words[range.clone()]
                .binary_search(&w)
                .map_err(|_| {
                    NgramError::Training(format!("order {n}: an n-gram's suffix is missing"))
                })?;
            (range.start + found) as u32
        };
        suffix.push(s);
    }
    Ok(suffix)
}

/// A level's n-grams, by context (runs of equal parents), as estimating reads them.
struct Children<'a> {
    parent: &'a [u32],
    words: &'a [u16],
    suffix: &'a [u32],
    counts: &'a [u32],
}

/// What estimating a level gives: its n-grams' probabilities, and its contexts' (the level below's
/// n-grams') backoff weights and top-1.
struct Estimated {
    logp: Vec<f32>,
    p: Vec<f64>,
    backoff: Vec<f32>,
    top: Vec<TopBound>,
}

/// Probabilities and backoff weights, one context (run of equal parents) at a time, with each
/// context's top-1 and the bound on the rest. `lower_top(i)` is the top-1 of context `i`'s lower
/// order.
fn estimate_children(
    dn: Discounts,
    level: &Children<'_>,
    pruned: Option<&Pruned>,
    prev_p: &[f64],
    prev_len: usize,
    lower_top: impl Fn(usize) -> TopBound,
) -> Estimated {
    let m = level.parent.len();
    let mut out = Estimated {
        logp: vec![0f32; m],
        p: vec![0f64; m],
        backoff: vec![0f32; prev_len],
        top: vec![(0u16, 0.0f64, 0.0f64); prev_len],
    };
    let mut start = 0usize;
    while start < m {
        let par = level.parent[start] as usize;
        let mut end = start;
        let mut c = 0f64;
        let mut nk = [0f64; 3];
        while end < m && level.parent[end] as usize == par {
            let a = level.counts[end];
            c += f64::from(a);
            nk[(a.clamp(1, 3) - 1) as usize] += 1.0;
            end += 1;
        }
        let mut gamma = (dn.d[0] * nk[0] + dn.d[1] * nk[1] + dn.d[2] * nk[2]) / c;
        if let Some(p) = pruned {
            c = p.total[par];
            gamma = p.gamma[par];
        }
        out.backoff[par] = gamma.ln() as f32;
        // Best and second best child.
        let mut child1: Option<(u16, f64)> = None;
        let mut child2 = 0.0f64;
        for j in start..end {
            let a = level.counts[j];
            let pw = (f64::from(a) - dn.for_count(a)).max(0.0) / c
                + gamma * prev_p[level.suffix[j] as usize];
            out.p[j] = pw;
            out.logp[j] = pw.ln() as f32;
            let w = level.words[j];
            match child1 {
                Some((w1, p1)) if pw > p1 || (pw == p1 && w < w1) => {
                    child2 = child2.max(p1);
                    child1 = Some((w, pw));
                }
                Some(_) => child2 = child2.max(pw),
                None => child1 = Some((w, pw)),
            }
        }
        out.top[par] = context_top(child1, child2, lower_top(par), gamma);
        start = end;
    }
    out
}

/// Top-1 of a context: its best child, or the best of the lower order scaled by γ; and an upper
/// bound on every other token: the other children, the lower order's best when it is not the
/// winner, and γ × the lower order's second best for everything else.
fn context_top(child1: Option<(u16, f64)>, child2: f64, lower: TopBound, gamma: f64) -> TopBound {
    let from_lower = (lower.0, gamma * lower.1);
    let (best, other_child) = match child1 {
        Some(c1) if c1.1 > from_lower.1 || (c1.1 == from_lower.1 && c1.0 < from_lower.0) => {
            (c1, child2)
        }
        Some(c1) => (from_lower, c1.1),
        None => (from_lower, 0.0),
    };
    let mut second = other_child.max(gamma * lower.2);
    if best.0 != from_lower.0 {
        second = second.max(from_lower.1);
    }
    (best.0, best.1, second)
}

/// Fills in the context fields of a level once the level above is estimated.
fn finish_contexts(
    level: &mut RawLevel,
    backoff: Vec<f32>,
    child_start: Vec<u32>,
    top: &[TopBound],
) {
    level.backoff = backoff;
    level.child_start = child_start;
    level.top_word = top.iter().map(|t| t.0).collect();
    level.top_logp = top.iter().map(|t| t.1.ln() as f32).collect();
    // Rounded up so that it stays an upper bound after the conversion to f32.
    level.second_logp = top
        .iter()
        .map(|t| next_up((t.2 * (1.0 + 1e-9)).ln() as f32))
        .collect();
}

/// Links of a level of order `n`: the suffix if it is a context (of `below`, the finished level
/// below), else the suffix's own link.
fn links(n: usize, suffix: &[u32], below: &RawLevel) -> Vec<u32> {
    suffix
        .iter()
        .map(|&s| {
            let s = s as usize;
            if below.child_start[s + 1] > below.child_start[s] {
                Ctx::new(n - 1, s as u32).0
            } else if n == 2 {
                Ctx::ROOT.0
            } else {
                below.link[s]
            }
        })
        .collect()
}

/// A singleton of the highest order is pruned when its probability is less than `e^PRUNE_NATS`
/// times its backed-off value `γ(h) P(w | h')`. 0.5 halves the top order of `base-light` (93 % of
/// its 5-grams are singletons) and keeps every figure of the evaluation table within 0.005 nats;
/// 1.0 would cost up to 0.03 nats on the soliloquy (see BENCHMARKS.md).
pub const PRUNE_NATS: f64 = 0.5;

/// What pruning leaves of each context of the level below: `c(h)` over all its children and its
/// backoff weight γ(h) with the pruned n-grams' discounted mass moved into it.
struct Pruned {
    total: Vec<f64>,
    gamma: Vec<f64>,
}

/// The per-n-gram vectors of a level being built, filtered together by [`prune_top`].
struct Kept<'a> {
    parent: &'a mut Vec<u32>,
    words: &'a mut Vec<u16>,
    suffix: &'a mut Vec<u32>,
    counts: &'a mut Vec<u32>,
}

/// Prunes the singletons of the highest order that hardly change the model (see [`PRUNE_NATS`]),
/// as KenLM prunes: a pruned n-gram's discounted mass `a - D(a)` goes to its context's γ, so that
/// every distribution still sums to 1 (the kept children are then interpolated with that γ).
/// The test uses the unpruned γ, which makes the pruned value an underestimate: the real change is
/// smaller.
fn prune_top(dn: Discounts, kept: &mut Kept<'_>, prev_p: &[f64], prev_len: usize) -> Pruned {
    let mut total = vec![0f64; prev_len];
    let mut discounted = vec![0f64; prev_len];
    for (&p, &a) in kept.parent.iter().zip(kept.counts.iter()) {
        total[p as usize] += f64::from(a);
        discounted[p as usize] += dn.for_count(a);
    }
    let mut moved = vec![0f64; prev_len];
    let mut k = 0;
    for j in 0..kept.parent.len() {
        let (p, a) = (kept.parent[j] as usize, kept.counts[j]);
        let own = (f64::from(a) - dn.for_count(a)).max(0.0) / total[p];
        let backed_off = discounted[p] / total[p] * prev_p[kept.suffix[j] as usize];
        if a == 1 && ((own + backed_off) / backed_off).ln() < PRUNE_NATS {
            moved[p] += f64::from(a) - dn.for_count(a);
            continue;
        }
        kept.parent[k] = kept.parent[j];
        kept.words[k] = kept.words[j];
        kept.suffix[k] = kept.suffix[j];
        kept.counts[k] = a;
        k += 1;
    }
    kept.parent.truncate(k);
    kept.words.truncate(k);
    kept.suffix.truncate(k);
    kept.counts.truncate(k);
    let gamma = (0..prev_len)
        .map(|i| {
            if total[i] > 0.0 {
                (discounted[i] + moved[i]) / total[i]
            } else {
                0.0
            }
        })
        .collect();
    Pruned { total, gamma }
}

/// The smallest `f32` above `x` (for upper bounds that must survive rounding).
fn next_up(x: f32) -> f32 {
    if x.is_nan() || x == f32::INFINITY {
        x
    } else if x == 0.0 {
        f32::from_bits(1)
    } else if x > 0.0 {
        f32::from_bits(x.to_bits() + 1)
    } else {
        f32::from_bits(x.to_bits() - 1)
    }
}

#[cfg(test)]
mod tests {
    use crate::lm::LanguageModel;
    use crate::train::train_model;
    use crate::vocab::Vocab;

    #[test]
    fn pruned_singletons_leave_proper_distributions() {
        // "2 3" is common, so the singleton trigram "9 2 3" adds little to its backed-off value and
        // is pruned; "9 2 7" (7 never follows 2 elsewhere) is kept.
        let mut docs: Vec<Vec<u32>> = (10..40).map(|k| vec![k, 2, 3]).collect();
        docs.extend([vec![9, 2, 3], vec![9, 2, 4], vec![9, 2, 5], vec![9, 2, 7]]);
        docs.extend([vec![2, 4], vec![2, 5], vec![8, 2, 3, 3]]);
        let (model, _) = train_model(&docs, Vocab::GPT2, 3).expect("train");
        let ctx = model.context_after(&[9, 2]);
        let kept: Vec<u32> = model
            .children(ctx)
            .map(|j| model.child_word(3, j))
            .collect();
        assert!(!kept.contains(&3), "9 2 3 is pruned: {kept:?}");
        assert!(kept.contains(&7), "9 2 7 is kept: {kept:?}");
        for context in [&[9u32, 2][..], &[2], &[8, 2], &[]] {
            let dist = model.next_distribution(context);
            let sum: f64 = dist.iter().sum();
            assert!((sum - 1.0).abs() < 1e-6, "{context:?}: {sum}");
        }
    }
}
