//! Scoring a mixture (`MixedModel`): each part scores the tokens once, listing its `k + EXTRA` most likely
//! tokens at every position; the mixture's exact top-k and ranks come from those lists.
//!
//! A token in neither list has mixture probability at most `B = λ a_K + (1 − λ) b_K`, `a_K` and
//! `b_K` being the last (smallest) entries of the parts' lists. The candidates are the tokens of
//! both lists and the actual token (whose probability both parts gave). A candidate missing from
//! one list has that part's probability between 0 and the part's bound: the candidates that could
//! still be among the k best (or beat the actual token, for its rank) are looked up exactly in one
//! batch per part ([`LanguageModel::logprobs_at`]). The k best are then exact when the k-th beats
//! `B` strictly; the rank is exact when the actual token beats `B`. The positions where they do not
//! (a flat distribution, an unlikely actual token) are settled from the two full distributions
//! ([`LanguageModel::visit_distributions`]), a few dozen positions at a time.

use std::sync::Arc;

use crate::lm::{
    rank_of, top_of, LanguageModel, Positions, ScoreOptions, Stopped, Text, TokenScore,
};
use crate::score::sequence::log_mix;

/// What scoring a mixture reads of it: its two parts and the weight of the first.
#[derive(Clone, Copy)]
pub(crate) struct Parts<'m> {
    first: &'m Arc<dyn LanguageModel>,
    second: &'m Arc<dyn LanguageModel>,
    lambda: f64,
}

impl<'m> Parts<'m> {
    /// `lambda · first + (1 − lambda) · second`.
    pub(crate) fn new(
        first: &'m Arc<dyn LanguageModel>,
        second: &'m Arc<dyn LanguageModel>,
        lambda: f64,
    ) -> Parts<'m> {
        Parts {
            first,
            second,
            lambda,
        }
    }

    fn first(&self) -> &'m Arc<dyn LanguageModel> {
        self.first
    }

    fn second(&self) -> &'m Arc<dyn LanguageModel> {
        self.second
    }

    /// The two weights, of the first part then the second.
    fn weights(&self) -> [f64; 2] {
        [self.lambda, 1.0 - self.lambda]
    }

    fn vocab_size(&self) -> usize {
        self.first.vocab_size()
    }
}

/// Tokens each part lists beyond the `k` asked (so that the k-th mixture candidate usually beats
/// the bound on the tokens neither part lists).
const EXTRA: usize = 7;
/// Positions whose full distributions are held at once (one row per part and position).
const CHUNK: usize = 32;

/// One candidate token at one position: its probability under each part, when known.
#[derive(Debug, Clone, Copy)]
struct Cand {
    token: u32,
    a: Option<f64>,
    b: Option<f64>,
}

/// A position's exact top-k (natural logs) and the actual token's rank (when asked).
type Settled = (Vec<(u32, f64)>, Option<u32>);

/// One position's candidates and the parts' bounds on every token they did not list.
struct Position {
    cands: Vec<Cand>,
    bound_a: f64,
    bound_b: f64,
    /// The actual token's probabilities (a, b).
    actual: (f64, f64),
}

/// `weight × p`, 0 for a zero weight even when `p` is an infinite bound.
fn weigh(weight: f64, p: f64) -> f64 {
    if weight == 0.0 {
        0.0
    } else {
        weight * p
    }
}

/// The bound on a part's probability of every token outside its list of `want` entries: the
/// last entry, 0 when the list holds the whole vocabulary, +∞ when the list is short.
fn bound_of(top: &[(u32, f64)], want: usize, vocab: usize) -> f64 {
    if top.len() >= vocab {
        0.0
    } else if top.len() >= want {
        top.last().map_or(f64::INFINITY, |t| t.1.exp())
    } else {
        f64::INFINITY
    }
}

impl Position {
    fn new(x: &TokenScore, y: &TokenScore, want: usize, vocab: usize) -> Position {
        let actual = (x.logprob.exp(), y.logprob.exp());
        let mut cands: Vec<Cand> = Vec::with_capacity(x.top.len() + y.top.len() + 1);
        cands.extend(x.top.iter().map(|&(t, l)| Cand {
            token: t,
            a: Some(l.exp()),
            b: None,
        }));
        for &(t, l) in &y.top {
            match cands.iter_mut().find(|c| c.token == t) {
                Some(c) => c.b = Some(l.exp()),
                None => cands.push(Cand {
                    token: t,
                    a: None,
                    b: Some(l.exp()),
                }),
            }
        }
        // The actual token, known to both parts (unless it is no token of the vocabulary).
        match cands.iter_mut().find(|c| c.token == x.token) {
            Some(c) => {
                c.a = Some(actual.0);
                c.b = Some(actual.1);
            }
            None if (x.token as usize) < vocab => cands.push(Cand {
                token: x.token,
                a: Some(actual.0),
                b: Some(actual.1),
            }),
            None => {}
        }
        Position {
            cands,
            bound_a: bound_of(&x.top, want, vocab),
            bound_b: bound_of(&y.top, want, vocab),
            actual,
        }
    }

    /// Lower and upper bounds of a candidate's mixture probability.
    fn bounds(&self, c: &Cand, w: [f64; 2]) -> (f64, f64) {
        let lo = weigh(w[0], c.a.unwrap_or(0.0)) + weigh(w[1], c.b.unwrap_or(0.0));
        let hi =
            weigh(w[0], c.a.unwrap_or(self.bound_a)) + weigh(w[1], c.b.unwrap_or(self.bound_b));
        (lo, hi)
    }

    /// The bound on every token that is not a candidate.
    fn outside(&self, w: [f64; 2]) -> f64 {
        weigh(w[0], self.bound_a) + weigh(w[1], self.bound_b)
    }

    /// Indices of the candidates whose exact value the answer may need: those that could be among
    /// the `k` best, and those that could beat the actual token (for its rank).
    fn needed(&self, w: [f64; 2], k: usize, ranks: bool) -> Vec<usize> {
        if self.outside(w) == f64::INFINITY {
            // A part's list was short: only the full distributions settle this position.
            return Vec::new();
        }
        let bounds: Vec<(f64, f64)> = self.cands.iter().map(|c| self.bounds(c, w)).collect();
        let mut lows: Vec<f64> = bounds.iter().map(|b| b.0).collect();
        lows.sort_by(|a, b| b.total_cmp(a));
        let kth = if k == 0 {
            f64::INFINITY
        } else {
            lows.get(k - 1).copied().unwrap_or(0.0)
        };
        let p = weigh(w[0], self.actual.0) + weigh(w[1], self.actual.1);
        (0..self.cands.len())
            .filter(|&i| {
                let (lo, hi) = bounds[i];
                hi >= kth || (ranks && lo <= p && hi > p)
            })
            .collect()
    }

    /// The exact `k` best (natural logs) and the actual token's rank, if the bounds settle them.
    fn settle(
        &self,
        w: [f64; 2],
        (token, vocab): (u32, usize),
        k: usize,
        ranks: bool,
    ) -> Option<Settled> {
        let outside = self.outside(w);
        let exact = |c: &Cand| match (c.a, c.b) {
            (Some(a), Some(b)) => Some(weigh(w[0], a) + weigh(w[1], b)),
            _ => None,
        };
        let mut known: Vec<(u32, f64, f64, f64)> = self
            .cands
            .iter()
            .filter_map(|c| {
                let (a, b) = (c.a?, c.b?);
                let m = exact(c)?;
                Some((c.token, m, a, b))
            })
            .collect();
        known.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
        let top = if k == 0 {
            Vec::new()
        } else {
            let kth = known.get(k - 1)?;
            // Strictly above the bound: a token tied with it outside the lists could have a
            // smaller id. The candidates not known exactly cannot reach it (see `needed`).
            if kth.1 <= outside {
                return None;
            }
            known[..k]
                .iter()
                .map(|&(t, _, a, b)| (t, log_mix(&w, &[a.ln(), b.ln()])))
                .collect()
        };
        let rank = if ranks && token as usize >= vocab {
            Some(vocab as u32 + 1)
        } else if ranks {
            let p = weigh(w[0], self.actual.0) + weigh(w[1], self.actual.1);
            if p <= outside {
                return None;
            }
            let mut above = 0u32;
            for c in self.cands.iter().filter(|c| c.token != token) {
                let (lo, hi) = self.bounds(c, w);
                match exact(c) {
                    Some(m) => above += u32::from(m > p),
                    None if lo > p => above += 1,
                    None if hi <= p => {}
                    None => return None,
                }
            }
            Some(1 + above)
        } else {
            None
        };
        Some((top, rank))
    }
}

/// Scores `tokens` under the mixture (see the module doc).
pub(crate) fn score(
    m: &Parts<'_>,
    text: Text<'_>,
    options: &ScoreOptions,
) -> Result<Vec<TokenScore>, Stopped> {
    score_with(m, text, options, options.top_k.max(1) + EXTRA)
}

/// [`score`] with the parts listing `list` tokens each (tests force the fallback with short lists).
pub(crate) fn score_with(
    m: &Parts<'_>,
    text: Text<'_>,
    options: &ScoreOptions,
    list: usize,
) -> Result<Vec<TokenScore>, Stopped> {
    let w = m.weights();
    let want = options.top_k > 0 || options.ranks;
    let part = ScoreOptions {
        top_k: if want { list.max(options.top_k) } else { 0 },
        ranks: false,
    };
    if want {
        match (
            m.first().batches_distributions(),
            m.second().batches_distributions(),
        ) {
            (false, true) => return one_pass(m, Batching::Second, text, options, list),
            (true, false) => return one_pass(m, Batching::First, text, options, list),
            _ => {}
        }
    }
    let sa = m.first().score_until(text, &part)?;
    let sb = m.second().score_until(text, &part)?;
    let mut out: Vec<TokenScore> = sa
        .iter()
        .zip(&sb)
        .map(|(x, y)| TokenScore {
            token: x.token,
            logprob: log_mix(&w, &[x.logprob, y.logprob]),
            top: Vec::new(),
            rank: None,
        })
        .collect();
    if !want {
        return Ok(out);
    }
    let vocab = m.vocab_size();
    let mut positions: Vec<Position> = sa
        .iter()
        .zip(&sb)
        .map(|(x, y)| Position::new(x, y, part.top_k, vocab))
        .collect();
    // The missing values that matter, looked up in one batch per part.
    let (mut asks_a, mut asks_b) = (Vec::new(), Vec::new());
    let (mut back_a, mut back_b) = (Vec::new(), Vec::new());
    for (i, pos) in positions.iter().enumerate() {
        for c in pos.needed(w, options.top_k, options.ranks) {
            let cand = pos.cands[c];
            if cand.a.is_none() {
                asks_a.push((i, cand.token));
                back_a.push((i, c));
            }
            if cand.b.is_none() {
                asks_b.push((i, cand.token));
                back_b.push((i, c));
            }
        }
    }
    text.check()?;
    if !asks_a.is_empty() {
        let got = m.first().logprobs_at(text, &asks_a)?;
        for (&(i, c), l) in back_a.iter().zip(got) {
            positions[i].cands[c].a = Some(l.exp());
        }
    }
    if !asks_b.is_empty() {
        let got = m.second().logprobs_at(text, &asks_b)?;
        for (&(i, c), l) in back_b.iter().zip(got) {
            positions[i].cands[c].b = Some(l.exp());
        }
    }
    let mut unsettled = Vec::new();
    for (i, (s, pos)) in out.iter_mut().zip(&positions).enumerate() {
        match pos.settle(w, (s.token, vocab), options.top_k, options.ranks) {
            Some((top, rank)) => {
                s.top = top;
                s.rank = rank;
            }
            None => unsettled.push(i),
        }
    }
    visit_mixed(m, text.at(&unsettled), &mut |p, dist| {
        if let Some(s) = out.get_mut(p) {
            s.top = top_of(dist, options.top_k);
            s.rank = options.ranks.then(|| rank_of(dist, s.token));
        }
    })?;
    Ok(out)
}

/// Which part of a mixture batches its distributions (a transformer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Batching {
    First,
    Second,
}

/// [`score_with`] when one part batches its distributions (a transformer) and the top-k or ranks
/// are asked: that part is walked **once**. The other part scores the tokens first, listing its
/// `list` best tokens at every position; then, at each position of the batching part's one walk,
/// its whole distribution is at hand, so its value of every candidate is exact and only the other
/// part's values of the batching part's best tokens may be missing. Where they could matter, or
/// where the bounds do not settle the answer, the other part's full distribution at that position
/// is read ([`LanguageModel::visit_distributions`] of one position: a few steps for an n-gram
/// model) and the position is settled from the two full distributions.
fn one_pass(
    m: &Parts<'_>,
    batching: Batching,
    text: Text<'_>,
    options: &ScoreOptions,
    list: usize,
) -> Result<Vec<TokenScore>, Stopped> {
    let tokens = text.tokens;
    let w = m.weights();
    let vocab = m.vocab_size();
    let list = list.max(options.top_k);
    let (walked, other) = match batching {
        Batching::First => (m.first(), m.second()),
        Batching::Second => (m.second(), m.first()),
    };
    let listed = other.score_until(
        text,
        &ScoreOptions {
            top_k: list,
            ranks: false,
        },
    )?;
    let mut out: Vec<TokenScore> = Vec::with_capacity(tokens.len());
    let positions: Vec<usize> = (0..tokens.len()).collect();
    let mut mixed: Vec<f64> = Vec::new();
    walked.visit_distributions(text.at(&positions), &mut |p, d| {
        let (Some(x), Some(&token)) = (listed.get(p), tokens.get(p)) else {
            return;
        };
        let y = TokenScore::from_distribution(
            token,
            d,
            &ScoreOptions {
                top_k: list,
                ranks: false,
            },
        );
        let (xa, yb) = match batching {
            Batching::First => (&y, x),
            Batching::Second => (x, &y),
        };
        let mut pos = Position::new(xa, yb, list, vocab);
        // The walked part's value of every candidate is exact.
        for c in pos.cands.iter_mut() {
            let exact = d.get(c.token as usize).copied();
            match batching {
                Batching::First => c.a = c.a.or(exact),
                Batching::Second => c.b = c.b.or(exact),
            }
        }
        let missing = pos
            .needed(w, options.top_k, options.ranks)
            .iter()
            .any(|&i| pos.cands[i].a.is_none() || pos.cands[i].b.is_none());
        let settled = if missing {
            None
        } else {
            pos.settle(w, (token, vocab), options.top_k, options.ranks)
        };
        let mut score = TokenScore {
            token,
            logprob: log_mix(&w, &[xa.logprob, yb.logprob]),
            top: Vec::new(),
            rank: None,
        };
        match settled {
            Some((top, rank)) => {
                score.top = top;
                score.rank = rank;
            }
            None => {
                // A stop inside is seen by the walk's next check.
                let _ = other.visit_distributions(text.at(&[p]), &mut |_, e| {
                    let (da, db) = match batching {
                        Batching::First => (d, e),
                        Batching::Second => (e, d),
                    };
                    mixed.clear();
                    mixed.extend(
                        da.iter()
                            .zip(db)
                            .map(|(x, y)| weigh(w[0], *x) + weigh(w[1], *y)),
                    );
                    score.top = top_of(&mixed, options.top_k);
                    score.rank = options.ranks.then(|| rank_of(&mixed, token));
                });
            }
        }
        out.push(score);
    })?;
    text.check()?;
    if out.len() != tokens.len() {
        // The walk skipped a position: only a stop (seen above) or a failure of the part does.
        return Err(Stopped);
    }
    Ok(out)
}

/// The mixture's full distributions at `positions` (ascending). When exactly one part batches its
/// distributions ([`LanguageModel::batches_distributions`]: a transformer), it visits all the
/// positions in one call and the other part gives each position's distribution as it comes;
/// otherwise both parts visit [`CHUNK`] positions at a time.
pub(crate) fn visit_mixed(
    m: &Parts<'_>,
    positions: Positions<'_>,
    visit: &mut dyn FnMut(usize, &[f64]),
) -> Result<(), Stopped> {
    let [wa, wb] = m.weights();
    let (a, b) = (m.first(), m.second());
    match (a.batches_distributions(), b.batches_distributions()) {
        (true, false) => return nested((&**a, wa), (&**b, wb), positions, visit),
        (false, true) => return nested((&**b, wb), (&**a, wa), positions, visit),
        _ => {}
    }
    // Both parts visit `CHUNK` positions at a time (one row per part and position held at once).
    let mut rows: Vec<Vec<f64>> = Vec::with_capacity(CHUNK);
    for chunk in positions.at.chunks(CHUNK) {
        let chunk = positions.text.at(chunk);
        rows.clear();
        a.visit_distributions(chunk, &mut |_, d| rows.push(d.to_vec()))?;
        let mut k = 0;
        b.visit_distributions(chunk, &mut |p, d| {
            if let Some(row) = rows.get_mut(k) {
                for (x, y) in row.iter_mut().zip(d) {
                    *x = wa * *x + wb * y;
                }
                visit(p, row);
            }
            k += 1;
        })?;
    }
    Ok(())
}

/// `outer` visits every position once; `inner` gives each one's distribution as it comes.
fn nested(
    (outer, w_outer): (&dyn LanguageModel, f64),
    (inner, w_inner): (&dyn LanguageModel, f64),
    positions: Positions<'_>,
    visit: &mut dyn FnMut(usize, &[f64]),
) -> Result<(), Stopped> {
    let text = positions.text;
    let mut row: Vec<f64> = Vec::new();
    outer.visit_distributions(positions, &mut |p, d| {
        row.clear();
        let mut got = false;
        // A stop inside is seen by the outer visit's next check.
        let _ = inner.visit_distributions(text.at(&[p]), &mut |_, e| {
            row.extend(d.iter().zip(e).map(|(x, y)| w_outer * x + w_inner * y));
            got = true;
        });
        if got {
            visit(p, &row);
        }
    })?;
    text.check()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use std::sync::atomic::AtomicBool;

    use super::*;
    use crate::mixture::MixedModel;
    use crate::model::KnModel;
    use crate::train::train_model;
    use crate::vocab::Vocab;

    /// Documents over ids `1..alphabet` with some structure (each id mostly follows from the one
    /// before it), end-of-text being `vocab`'s.
    fn docs(seed: u64, n: usize, alphabet: u32) -> Vec<Vec<u32>> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..n)
            .map(|_| {
                let len = rng.random_range(2..30);
                let mut prev = 1u32;
                (0..len)
                    .map(|_| {
                        prev = if rng.random_bool(0.6) {
                            1 + (prev * 7 + 3) % (alphabet - 1)
                        } else {
                            rng.random_range(1..alphabet)
                        };
                        prev
                    })
                    .collect()
            })
            .collect()
    }

    fn kn(vocab: Vocab, seed: u64, n: usize, alphabet: u32) -> Arc<KnModel> {
        Arc::new(
            train_model(&docs(seed, n, alphabet), vocab, 3)
                .expect("train")
                .0,
        )
    }

    fn close(a: f64, b: f64, what: &str) {
        assert!(
            (a - b).abs() <= 1e-6 * b.abs().max(1e-12),
            "{what}: {a} vs {b}"
        );
    }

    /// Every position's top-k and rank against the mixture's full distribution.
    fn check_against_brute_force(m: &MixedModel, text: &[u32], list: usize) {
        let never = AtomicBool::new(false);
        for k in [0usize, 1, 3] {
            let options = ScoreOptions {
                top_k: k,
                ranks: true,
            };
            let got =
                score_with(&m.parts(), Text::new(text, &never), &options, list).expect("score");
            for (i, s) in got.iter().enumerate() {
                let a = m.first().next_distribution(&text[..i]);
                let b = m.second().next_distribution(&text[..i]);
                let lambda = m.lambda();
                let dist: Vec<f64> = a
                    .iter()
                    .zip(&b)
                    .map(|(x, y)| lambda * x + (1.0 - lambda) * y)
                    .collect();
                let Some(&p) = dist.get(s.token as usize) else {
                    // No id of the vocabulary: the least likely of all, never a top token.
                    assert_eq!(s.rank, Some(dist.len() as u32 + 1));
                    assert!(s.top.iter().all(|t| (t.0 as usize) < dist.len()));
                    continue;
                };
                close(s.logprob, p.ln(), "logprob");
                let mut sorted = dist.clone();
                sorted.sort_by(|x, y| y.total_cmp(x));
                assert_eq!(s.top.len(), k);
                for (j, &(t, l)) in s.top.iter().enumerate() {
                    close(l, sorted[j].ln(), "k-th value");
                    close(l, dist[t as usize].ln(), "its token's value");
                }
                let rank = 1 + dist.iter().filter(|&&q| q > p * (1.0 + 1e-12)).count() as u32;
                assert_eq!(s.rank, Some(rank), "position {i}, list {list}");
            }
        }
    }

    #[test]
    fn the_mixture_top_k_and_ranks_are_exact_with_long_and_short_lists() {
        // A toy vocabulary of 12 ids (end-of-text 0), ids 10 and 11 never seen.
        let toy = Vocab::new(12, 0).expect("vocab");
        let (a, b) = (kn(toy, 1, 60, 10), kn(toy, 2, 40, 10));
        // A larger one: most of the 3,000 ids unseen, so that unlikely tokens need the fallback.
        let big = Vocab::new(3_000, 2_999).expect("vocab");
        let (c, d) = (kn(big, 3, 400, 200), kn(big, 4, 100, 200));
        let mut text = docs(9, 3, 10).concat();
        // 11 is never seen, 12 is no id of the vocabulary.
        text.extend([11, 3, 0, 4, 12, 5]);
        let mut big_text = docs(10, 4, 200).concat();
        big_text.extend([2_500, 7, 2_998]);
        for lambda in [0.0, 0.35, 0.8, 1.0] {
            let toy_mix = MixedModel::new(a.clone(), b.clone(), lambda).expect("mix");
            let big_mix = MixedModel::new(c.clone(), d.clone(), lambda).expect("mix");
            // Lists of 1 and 2 leave most positions to the full distributions; 8 settles most.
            for list in [1, 2, 8] {
                check_against_brute_force(&toy_mix, &text, list);
                check_against_brute_force(&big_mix, &big_text, list);
            }
        }
    }

    /// A part that batches its distributions, as a transformer does: counts its visits.
    struct Batching(Arc<KnModel>, std::sync::atomic::AtomicUsize);

    impl LanguageModel for Batching {
        fn vocab_size(&self) -> usize {
            self.0.vocab()
        }

        fn eot(&self) -> u32 {
            self.0.eot()
        }

        fn next_distribution_until(&self, context: Text<'_>) -> Result<Vec<f64>, Stopped> {
            self.0.next_distribution_until(context)
        }

        fn visit_distributions(
            &self,
            positions: Positions<'_>,
            visit: &mut dyn FnMut(usize, &[f64]),
        ) -> Result<(), Stopped> {
            self.1.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            self.0.visit_distributions(positions, visit)
        }

        fn batches_distributions(&self) -> bool {
            true
        }
    }

    #[test]
    fn a_batching_part_is_walked_once_per_scoring() {
        let big = Vocab::new(3_000, 2_999).expect("vocab");
        let batching = Arc::new(Batching(
            kn(big, 3, 400, 200),
            std::sync::atomic::AtomicUsize::new(0),
        ));
        let other = kn(big, 4, 100, 200);
        let text = docs(10, 4, 200).concat();
        for (first, second) in [
            (
                batching.clone() as Arc<dyn LanguageModel>,
                other.clone() as Arc<dyn LanguageModel>,
            ),
            (other.clone(), batching.clone()),
        ] {
            let m = MixedModel::new(first, second, 0.4).expect("mix");
            assert!(m.batches_distributions());
            for list in [1, 8] {
                batching.1.store(0, std::sync::atomic::Ordering::SeqCst);
                let never = AtomicBool::new(false);
                let options = ScoreOptions {
                    top_k: 2,
                    ranks: true,
                };
                score_with(&m.parts(), Text::new(&text, &never), &options, list).expect("score");
                // One walk: the lists, the look-ups and the fallback all read it.
                let walks = batching.1.load(std::sync::atomic::Ordering::SeqCst);
                assert_eq!(walks, 1, "{walks} walks");
                check_against_brute_force(&m, &text, list);
            }
        }
    }

    #[test]
    fn the_bound_settles_most_positions_of_a_peaked_mixture() {
        let big = Vocab::new(3_000, 2_999).expect("vocab");
        let (c, d) = (kn(big, 3, 400, 200), kn(big, 4, 100, 200));
        let m = MixedModel::new(c, d, 0.5).expect("mix");
        let text = docs(10, 6, 200).concat();
        let never = AtomicBool::new(false);
        let options = ScoreOptions {
            top_k: 1,
            ranks: false,
        };
        let list = 1 + EXTRA;
        let listing = ScoreOptions {
            top_k: list,
            ranks: false,
        };
        let scores = m.first().score_until(Text::new(&text, &never), &listing);
        let others = m.second().score_until(Text::new(&text, &never), &listing);
        let (scores, others) = (scores.expect("a"), others.expect("b"));
        let w = m.weights();
        let settled_by_lists = scores
            .iter()
            .zip(&others)
            .filter(|(x, y)| {
                let mut pos = Position::new(x, y, list, 3_000);
                // The values `needed` asks for, filled in as the batch look-up would.
                for i in pos.needed(w, 1, false) {
                    let c = pos.cands[i];
                    pos.cands[i].a = c.a.or(Some(0.0));
                    pos.cands[i].b = c.b.or(Some(0.0));
                }
                pos.settle(w, (x.token, 3_000), 1, false).is_some()
            })
            .count();
        assert!(
            settled_by_lists * 10 >= scores.len() * 9,
            "{settled_by_lists} of {}",
            scores.len()
        );
        assert_eq!(
            score(&m.parts(), Text::new(&text, &never), &options)
                .expect("score")
                .len(),
            text.len()
        );
    }
}
