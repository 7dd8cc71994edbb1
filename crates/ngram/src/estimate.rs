//! From adjusted counts to the interpolated modified Kneser-Ney model in backoff form:
//!
//! `P(w | h) = max(a(hw) - D(a(hw)), 0) / c(h) + γ(h) · P(w | h')`, with `c(h) = Σ_w a(hw)`,
//! `γ(h) = (D1 N1(h·) + D2 N2(h·) + D3 N3+(h·)) / c(h)`, `h'` = `h` without its first token, and
//! at the bottom `P(w) = max(a(w) - D(a(w)), 0) / Σ a + γ(ε) / V` (uniform over the vocabulary), so
//! every token, seen or not, has a probability. `a` is the raw count at the highest order and for
//! n-grams that start a document, the continuation count elsewhere (see [`crate::counting`]).

use crate::counting::{last_word, LevelCounts};
use crate::discounts::Discounts;
use crate::error::NgramError;
use crate::model::{
    Code, Ctx, KnModel, Leaf, Level, Node, Repr, Trie, HAS_CHILDREN, MAX_LEVEL_LEN, SORT_MAX,
};
use crate::packed::PackedLevel;
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

/// [`estimate`], calling `step(fraction done)` between levels; an error from `step` (a cancellation)
/// stops the estimation.
pub fn estimate_observed(
    levels: &[LevelCounts],
    vocab: Vocab,
    step: &mut dyn FnMut(f64) -> Result<(), NgramError>,
) -> Result<(KnModel, EstimateReport), NgramError> {
    let order = levels.len();
    if order < 2 {
        return Err(NgramError::Training("order must be at least 2".into()));
    }
    if let Some(l) = levels.iter().find(|l| l.keys.len() > MAX_LEVEL_LEN) {
        return Err(NgramError::Training(format!(
            "too many n-grams in one level ({})",
            l.keys.len()
        )));
    }
    let mut discounts = Vec::with_capacity(order);

    // Unigrams, dense by token id.
    let d1 = Discounts::estimate(Discounts::count_of_counts(levels[0].counts.iter().copied()));
    discounts.push(d1);
    let vocab_size = vocab.size();
    let mut uni_count = vec![0u32; vocab_size];
    for (&k, &c) in levels[0].keys.iter().zip(&levels[0].counts) {
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
    let uni_p: Vec<f64> = uni_count
        .iter()
        .map(|&c| (f64::from(c) - d1.for_count(c)).max(0.0) / total + gamma0 / vocab_size as f64)
        .collect();
    let mut lv1 = RawLevel {
        logp: uni_p.iter().map(|&p| p.ln() as f32).collect(),
        ..RawLevel::default()
    };
    // Most likely token of the unigram distribution, its probability, and the second largest.
    let root_top = uni_p.iter().enumerate().fold(
        (0u16, f64::NEG_INFINITY, f64::NEG_INFINITY),
        |best, (w, &p)| {
            if p > best.1 {
                (w as u16, p, best.1)
            } else {
                (best.0, best.1, best.2.max(p))
            }
        },
    );

    // Built level by level; `built[n - 1]` is level n. Suffix indices are kept while building.
    let mut built: Vec<RawLevel> = Vec::with_capacity(order);
    let mut prev_keys: Vec<u128> = (0..vocab_size as u128).collect();
    // Probabilities of the previous level (f64, for accuracy while building).
    let mut prev_p: Vec<f64> = uni_p;
    // Suffix (n-gram without its first token) of each previous-level n-gram, in the level below.
    let mut prev_suffix: Vec<u32> = Vec::new();
    // Top-1 (token, probability) of each node of the previous level, filled when its children are,
    // with an upper bound on the second largest probability.
    let mut prev_top: Vec<(u16, f64, f64)>;
    let mut lower_top: Vec<(u16, f64, f64)> = Vec::new(); // top of the level below `prev`.
    built.push(std::mem::take(&mut lv1));

    for n in 2..=order {
        step((n - 2) as f64 / order as f64)?;
        let cur = &levels[n - 1];
        let dn = Discounts::estimate(Discounts::count_of_counts(cur.counts.iter().copied()));
        discounts.push(dn);
        let mut m = cur.keys.len();
        let prev_len = prev_keys.len();
        let mut counts: Vec<u32> = cur.counts.clone();

        // Parent of each n-gram, and the children ranges of the previous level.
        let mut parent = Vec::with_capacity(m);
        let mut child_start = vec![0u32; prev_len + 1];
        let mut p = 0usize;
        for &k in &cur.keys {
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
            child_start[p + 1] += 1;
        }
        for i in 0..prev_len {
            child_start[i + 1] += child_start[i];
        }
        let mut words: Vec<u16> = cur.keys.iter().map(|&k| last_word(k)).collect();

        // Suffix of each n-gram in the previous level: child `w` of the parent's suffix.
        let mut suffix = Vec::with_capacity(m);
        for (i, &w) in words.iter().enumerate() {
            let s = if n == 2 {
                u32::from(w)
            } else {
                let ps = prev_suffix[parent[i] as usize] as usize; // in level n - 2
                let range = built[n - 3].child_start[ps] as usize
                    ..built[n - 3].child_start[ps + 1] as usize;
                let found = built[n - 2].words[range.clone()]
                    .binary_search(&w)
                    .map_err(|_| {
                        NgramError::Training(format!("order {n}: an n-gram's suffix is missing"))
                    })?;
                (range.start + found) as u32
            };
            suffix.push(s);
        }

        // The highest order: drop the singletons that hardly change the model.
        let pruned = if n == order {
            let mut kept = Kept {
                parent: &mut parent,
                words: &mut words,
                suffix: &mut suffix,
                counts: &mut counts,
            };
            let p = prune_top(dn, &mut kept, &prev_p, prev_len);
            m = parent.len();
            child_start = vec![0u32; prev_len + 1];
            for &pp in &parent {
                child_start[pp as usize + 1] += 1;
            }
            for i in 0..prev_len {
                child_start[i + 1] += child_start[i];
            }
            Some(p)
        } else {
            None
        };
        // Probabilities and backoff weights, one context (run of equal parents) at a time.
        let mut logp = vec![0f32; m];
        let mut cur_p = vec![0f64; m];
        let mut backoff = vec![0f32; prev_len];
        prev_top = vec![(0u16, 0.0f64, 0.0f64); prev_len];
        let mut start = 0usize;
        while start < m {
            let par = parent[start] as usize;
            let mut end = start;
            let mut c = 0f64;
            let mut nk = [0f64; 3];
            while end < m && parent[end] as usize == par {
                let a = counts[end];
                c += f64::from(a);
                nk[(a.clamp(1, 3) - 1) as usize] += 1.0;
                end += 1;
            }
            let mut gamma = (dn.d[0] * nk[0] + dn.d[1] * nk[1] + dn.d[2] * nk[2]) / c;
            if let Some(p) = &pruned {
                c = p.total[par];
                gamma = p.gamma[par];
            }
            backoff[par] = gamma.ln() as f32;
            // Top-1 of this context: best child, or the best of the lower order, scaled by γ.
            let lower = if n == 2 {
                root_top
            } else {
                lower_top[prev_suffix[par] as usize]
            };
            // Best and second best child.
            let mut child1: Option<(u16, f64)> = None;
            let mut child2 = 0.0f64;
            for j in start..end {
                let a = counts[j];
                let pw = (f64::from(a) - dn.for_count(a)).max(0.0) / c
                    + gamma * prev_p[suffix[j] as usize];
                cur_p[j] = pw;
                logp[j] = pw.ln() as f32;
                match child1 {
                    Some((w1, p1)) if pw > p1 || (pw == p1 && words[j] < w1) => {
                        child2 = child2.max(p1);
                        child1 = Some((words[j], pw));
                    }
                    Some(_) => child2 = child2.max(pw),
                    None => child1 = Some((words[j], pw)),
                }
            }
            let from_lower = (lower.0, gamma * lower.1);
            let (best, other_child) = match child1 {
                Some(c1)
                    if c1.1 > from_lower.1 || (c1.1 == from_lower.1 && c1.0 < from_lower.0) =>
                {
                    (c1, child2)
                }
                Some(c1) => (from_lower, c1.1),
                None => (from_lower, 0.0),
            };
            // Upper bound on every other token: the other children, the lower order's best when it
            // is not the winner, and γ × the lower order's second best for everything else.
            let mut second = other_child.max(gamma * lower.2);
            if best.0 != from_lower.0 {
                second = second.max(from_lower.1);
            }
            prev_top[par] = (best.0, best.1, second);
            start = end;
        }
        // Contexts without children keep the top-1 of their lower order (never used as contexts).
        for i in 0..prev_len {
            if child_start[i + 1] == child_start[i] {
                prev_top[i] = if n == 2 {
                    root_top
                } else {
                    lower_top[prev_suffix[i] as usize]
                };
            }
        }

        // Finish the previous level's context fields.
        {
            let pl = &mut built[n - 2];
            pl.backoff = backoff;
            pl.child_start = child_start;
            pl.top_word = prev_top.iter().map(|t| t.0).collect();
            pl.top_logp = prev_top.iter().map(|t| t.1.ln() as f32).collect();
            // Rounded up so that it stays an upper bound after the conversion to f32.
            pl.second_logp = prev_top
                .iter()
                .map(|t| next_up((t.2 * (1.0 + 1e-9)).ln() as f32))
                .collect();
        }
        // Links of this level: the suffix if it is a context, else the suffix's own link.
        let link: Vec<u32> = suffix
            .iter()
            .map(|&s| {
                let pl = &built[n - 2];
                let s = s as usize;
                if pl.child_start[s + 1] > pl.child_start[s] {
                    Ctx::new(n - 1, s as u32).0
                } else if n == 2 {
                    Ctx::ROOT.0
                } else {
                    pl.link[s]
                }
            })
            .collect();
        built.push(RawLevel {
            words,
            logp,
            link,
            ..RawLevel::default()
        });
        lower_top = prev_top;
        prev_keys = cur.keys.clone();
        prev_p = cur_p;
        prev_suffix = suffix;
    }
    step((order - 1) as f64 / order as f64)?;
    Ok((finalize(order, vocab, built), EstimateReport { discounts }))
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
