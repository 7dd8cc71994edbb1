//! 8-bit quantization of a trained model's values, done when a model is saved: every level above
//! the unigrams gets a codebook of 256 log-probabilities (1-D k-means, Lloyd's algorithm seeded at
//! quantiles) and one of 256 backoff weights; each n-gram then stores one byte for each. Unigrams
//! stay exact `f32` (every backed-off token ends there).
//!
//! The coded model stays a consistent backoff model, so that the exact top-k and rank searches
//! still hold for it:
//! - levels are coded from the bottom up, and a child's code is rounded up when the nearest one
//!   would make it less likely than its backed-off value `γ(h) · P(w | h')` in the coded model
//!   (Kneser-Ney never gives a seen continuation less than that, and the searches rely on it);
//! - each context's top-1 token and the bound on the second best are recomputed from the coded
//!   values (the bound rounded up to its own codebook), and the children are sorted again by their
//!   coded values. The top-1 is saved as its source ([`crate::model::packed`]): the child at an offset,
//!   the first of the stored order, or the suffix context's top-1, from which scoring finds the
//!   coded model's exact log-probability again.
//!
//! The result is packed into the bit-packed levels of [`crate::model::packed`], the saved format.

use rayon::prelude::*;

use crate::model::packed::{LevelParts, Packed, PackedLevel, TOP_BEST_STORED, TOP_LOWER};
use crate::model::{Codebook, Ctx, KnModel, Repr, Trie, HAS_CHILDREN};
use crate::train::estimate::{order_children, ChildOrder};

/// Number of codes per codebook.
const CODES: usize = 256;
/// Rounds of Lloyd's algorithm.
const ROUNDS: usize = 12;
/// Margin added to an upper bound before rounding it up (in nats).
const BOUND_MARGIN: f64 = 1e-6;

/// A codebook of `CODES` values, sorted ascending: 255 fitted to `values`, plus `extra`.
fn fit(values: &mut [f32], extra: f32) -> Codebook {
    values.par_sort_unstable_by(f32::total_cmp);
    let n = values.len();
    let k = CODES - 1;
    let mut prefix = Vec::with_capacity(n + 1);
    prefix.push(0f64);
    let mut acc = 0f64;
    for &v in values.iter() {
        acc += f64::from(v);
        prefix.push(acc);
    }
    let mut centers: Vec<f64> = (0..k)
        .map(|i| {
            values
                .get(((2 * i + 1) * n) / (2 * k))
                .map_or(0.0, |&v| f64::from(v))
        })
        .collect();
    for _ in 0..ROUNDS {
        centers.dedup();
        let mut lo = 0usize;
        let mut next = Vec::with_capacity(centers.len());
        for i in 0..centers.len() {
            let hi = if i + 1 < centers.len() {
                let mid = (centers[i] + centers[i + 1]) / 2.0;
                lo + values[lo..].partition_point(|&v| f64::from(v) < mid)
            } else {
                n
            };
            if hi > lo {
                next.push((prefix[hi] - prefix[lo]) / (hi - lo) as f64);
            }
            lo = hi;
        }
        centers = next;
    }
    let mut book: Vec<f32> = centers.iter().map(|&c| c as f32).collect();
    book.push(extra);
    book.sort_by(f32::total_cmp);
    let last = book.last().copied().unwrap_or(extra);
    book.resize(CODES, last);
    let mut out = [0f32; CODES];
    out.copy_from_slice(&book);
    Codebook(Box::new(out))
}

/// The code whose value is nearest to `x`.
fn nearest(book: &Codebook, x: f64) -> u8 {
    let b = &book.0;
    let i = b.partition_point(|&v| f64::from(v) < x).min(CODES - 1);
    let best = if i > 0 && (x - f64::from(b[i - 1])).abs() <= (f64::from(b[i]) - x).abs() {
        i - 1
    } else {
        i
    };
    best as u8
}

/// The smallest code whose value is at least `x` (the largest code when none is).
fn at_least(book: &Codebook, x: f64) -> u8 {
    book.0.partition_point(|&v| f64::from(v) < x).min(CODES - 1) as u8
}

/// Top-1 of a context in the coded model: token, `ln P`, bound on the others' `ln P`, and where
/// it comes from (a [`crate::model::packed`] top-1 source code) with the child's offset.
type Top = (u16, f64, f64, u8, u32);

/// The coded levels built so far, for the coded model's values while building the next ones.
struct Building<'a> {
    exact: &'a Trie<f32>,
    order: usize,
    /// Code of `logp` of each n-gram, per level (`codes[n - 1]`; empty for level 1).
    codes: Vec<Vec<u8>>,
    /// Code of `backoff` of each context, per level (empty for level 1 and the top).
    backoff_codes: Vec<Vec<u8>>,
    books: Vec<Codebook>,
    backoff_books: Vec<Codebook>,
}

impl Building<'_> {
    fn logp(&self, level: usize, j: usize) -> f64 {
        if level == 1 {
            f64::from(self.exact.uni_logp[j])
        } else {
            f64::from(self.books[level - 1].0[usize::from(self.codes[level - 1][j])])
        }
    }

    fn backoff(&self, ctx: Ctx) -> f64 {
        match ctx.level() {
            0 => 0.0,
            1 => f64::from(self.exact.uni_backoff[ctx.index()]),
            l => f64::from(
                self.backoff_books[l - 1].0[usize::from(self.backoff_codes[l - 1][ctx.index()])],
            ),
        }
    }

    fn children(&self, ctx: Ctx) -> std::ops::Range<usize> {
        let nodes = &self.exact.levels[ctx.level() - 1].nodes;
        nodes[ctx.index()].child_start as usize..nodes[ctx.index() + 1].child_start as usize
    }

    /// `ln P(w | ctx)` in the coded model (the levels it reads must be coded already).
    fn value(&self, mut ctx: Ctx, w: u16) -> f64 {
        let mut acc = 0.0;
        loop {
            let level = ctx.level();
            if level == 0 {
                return acc + self.logp(1, usize::from(w));
            }
            let r = self.children(ctx);
            let words = &self.exact.levels[level].words[r.clone()];
            if let Ok(k) = words.binary_search(&w) {
                return acc + self.logp(level + 1, r.start + k);
            }
            acc += self.backoff(ctx);
            ctx = Ctx::from_link(self.exact.levels[level - 1].nodes[ctx.index()].link);
        }
    }

    fn word(&self, level: usize, j: usize) -> u16 {
        if level == 1 {
            j as u16
        } else {
            self.exact.levels[level - 1].words[j]
        }
    }

    /// Codes level `n` (≥ 2): nearest codes, rounded up where the backoff property needs it.
    fn code_level(&mut self, n: usize) {
        let exact = &self.exact.levels[n - 1];
        let mut values: Vec<f32> = if n == self.order {
            exact.leaves.iter().map(|l| l.logp).collect()
        } else {
            exact.nodes[..exact.len()].iter().map(|x| x.logp).collect()
        };
        let book = fit(&mut values.clone(), 0.0);
        let parents = &self.exact.levels[n - 2];
        let mut codes = vec![0u8; values.len()];
        for p in 0..parents.len() {
            let ctx = Ctx::new(n - 1, p as u32);
            let r = self.children(ctx);
            if r.is_empty() {
                continue;
            }
            let gamma = self.backoff(ctx);
            let suffix = Ctx::from_link(parents.nodes[p].link);
            for j in r {
                let x = f64::from(values[j]);
                let floor = gamma + self.value(suffix, exact.words[j]);
                let mut c = nearest(&book, x);
                if f64::from(book.0[usize::from(c)]) < floor {
                    c = at_least(&book, floor);
                }
                codes[j] = c;
            }
        }
        values.clear();
        self.books.push(book);
        self.codes.push(codes);
    }

    /// Codes the backoff weights of the contexts of level `n` (≥ 2, below the top).
    fn code_backoffs(&mut self, n: usize) {
        let nodes = &self.exact.levels[n - 1].nodes;
        let len = nodes.len().saturating_sub(1);
        let mut values: Vec<f32> = nodes[..len].iter().map(|x| x.backoff).collect();
        let book = fit(&mut values, 0.0);
        let codes = nodes[..len]
            .iter()
            .map(|x| nearest(&book, f64::from(x.backoff)))
            .collect();
        self.backoff_books.push(book);
        self.backoff_codes.push(codes);
    }

    /// Top-1 and second bound of every n-gram of level `n` (< order) as a context; `done[l - 1]`
    /// holds those of level `l` < `n` (`root` for the empty context).
    fn tops(&self, n: usize, done: &[Vec<Top>], root: Top) -> Vec<Top> {
        let nodes = &self.exact.levels[n - 1].nodes;
        let len = nodes.len().saturating_sub(1);
        let top_of = |c: Ctx| -> Top {
            if c.level() == 0 {
                root
            } else {
                done[c.level() - 1][c.index()]
            }
        };
        (0..len)
            .map(|i| {
                let ctx = Ctx::new(n, i as u32);
                let link = nodes[i].link;
                let low = top_of(Ctx::from_link(link));
                if link & HAS_CHILDREN == 0 {
                    return (low.0, low.1, low.2, TOP_LOWER, 0);
                }
                let gamma = self.backoff(ctx);
                let r = self.children(ctx);
                // Best child (token, value, offset) and the second best child's value.
                let mut child1: Option<(u16, f64, usize)> = None;
                let mut child2 = f64::NEG_INFINITY;
                for j in r.clone() {
                    let (w, v) = (self.word(n + 1, j), self.logp(n + 1, j));
                    match child1 {
                        Some((w1, v1, _)) if v > v1 || (v == v1 && w < w1) => {
                            child2 = child2.max(v1);
                            child1 = Some((w, v, j - r.start));
                        }
                        Some(_) => child2 = child2.max(v),
                        None => child1 = Some((w, v, j - r.start)),
                    }
                }
                let from_lower = (low.0, gamma + low.1, TOP_LOWER, 0);
                let (best, other_child) = match child1 {
                    Some((w1, v1, k))
                        if v1 > from_lower.1 || (v1 == from_lower.1 && w1 < from_lower.0) =>
                    {
                        // The child's offset, or for a long range the first of the stored order
                        // (the same order: by coded value, ties by smaller token).
                        let code = u8::try_from(k)
                            .ok()
                            .filter(|&k| k < TOP_BEST_STORED)
                            .unwrap_or(TOP_BEST_STORED);
                        ((w1, v1, code, k as u32), child2)
                    }
                    Some((_, v1, _)) => (from_lower, v1),
                    None => (from_lower, f64::NEG_INFINITY),
                };
                let mut second = other_child.max(gamma + low.2);
                if best.0 != from_lower.0 {
                    second = second.max(from_lower.1);
                }
                (best.0, best.1, second, best.2, best.3)
            })
            .collect()
    }
}

/// The children order of level `n` (≥ 2) by decreasing coded value.
fn sort_children(b: &Building<'_>, n: usize) -> ChildOrder {
    order_children(&b.exact.levels[n - 2].nodes, |j| {
        (b.logp(n, j), b.word(n, j))
    })
}

/// The model with 8-bit codes (itself when already coded).
pub fn quantize(model: &KnModel) -> KnModel {
    let exact = match &model.repr {
        Repr::Coded(_) => return model.clone(),
        Repr::Exact(t) => t,
    };
    let order = model.order;
    let mut b = Building {
        exact,
        order,
        codes: vec![Vec::new()],
        backoff_codes: vec![Vec::new()],
        books: vec![Codebook::default()],
        backoff_books: vec![Codebook::default()],
    };
    for n in 2..=order {
        b.code_level(n);
        if n < order {
            b.code_backoffs(n);
        }
    }
    // Top-1 of the empty context: the unigram order.
    let first = |r: usize| model.by_unigram.get(r).copied().unwrap_or(0);
    let root: Top = (
        first(0),
        b.logp(1, usize::from(first(0))),
        b.logp(1, usize::from(first(1))),
        TOP_LOWER,
        0,
    );
    let mut levels: Vec<PackedLevel> = Vec::with_capacity(order);
    let mut done: Vec<Vec<Top>> = Vec::with_capacity(order);
    let mut best: Vec<u64> = Vec::new();
    for n in 1..=order {
        let ex = &exact.levels[n - 1];
        let len = ex.len();
        let order_of = if n > 1 {
            sort_children(&b, n)
        } else {
            ChildOrder::default()
        };
        let mut base = order_of.into_packed();
        base.books.logp = b.books[n - 1].clone();
        let logp = if n > 1 {
            b.codes[n - 1].clone()
        } else {
            vec![0; len]
        };
        let words = ex.words.to_vec();
        let level = if n == order {
            let link: Vec<u32> = ex.leaves.iter().map(|l| l.link).collect();
            let zeros = vec![0u8; len];
            let parts = LevelParts {
                words,
                logp: &logp,
                backoff: &zeros,
                second: &zeros,
                top: &zeros,
                child_start: &[],
                link: &link,
            };
            PackedLevel::build(n, parts, base)
        } else {
            let tops = b.tops(n, &done, root);
            let mut seconds: Vec<f32> = tops.iter().map(|t| t.2 as f32).collect();
            let second_book = fit(&mut seconds, 0.0);
            let second: Vec<u8> = tops
                .iter()
                .map(|t| at_least(&second_book, t.2 + BOUND_MARGIN))
                .collect();
            base.books.second = second_book;
            base.books.backoff = b.backoff_books[n - 1].clone();
            let backoff = if n > 1 {
                b.backoff_codes[n - 1].clone()
            } else {
                vec![0; len]
            };
            let top: Vec<u8> = tops.iter().map(|t| t.3).collect();
            for (i, t) in tops.iter().enumerate() {
                if t.3 == TOP_BEST_STORED {
                    best.push(u64::from(Ctx::new(n, i as u32).0) << 32 | u64::from(t.4));
                }
            }
            let nodes = &ex.nodes;
            let child_start: Vec<u32> = nodes.iter().map(|x| x.child_start).collect();
            let link: Vec<u32> = nodes[..len]
                .iter()
                .map(|x| {
                    if n == 1 {
                        Ctx::ROOT.0
                    } else {
                        x.link & !HAS_CHILDREN
                    }
                })
                .collect();
            let parts = LevelParts {
                words,
                logp: &logp,
                backoff: &backoff,
                second: &second,
                top: &top,
                child_start: &child_start,
                link: &link,
            };
            done.push(tops);
            PackedLevel::build(n, parts, base)
        };
        levels.push(level);
    }
    let mut packed = Packed {
        levels,
        uni_logp: exact.uni_logp.to_vec().into(),
        uni_backoff: exact.uni_backoff.to_vec().into(),
        best: best.into(),
        ..Packed::default()
    };
    packed.index_best();
    KnModel::from_repr(order, model.vocab, Repr::Coded(packed))
}
