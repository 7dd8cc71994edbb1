//! The compact levels of a saved model (format 8): bit-packed records, full ones only for the
//! n-grams that are contexts.
//!
//! Per level, besides the tokens and the children order (as in the trie's `Level`):
//! - below the top, a bit per n-gram telling whether it is a context (has children), with a rank
//!   directory built at load (`bitm`), which maps an n-gram to its record; a level where nearly
//!   every n-gram is a context (levels 1-3 of `base-light`) is *dense* instead: every n-gram has a
//!   context record (a childless one with an empty range and its next context as link), found
//!   without a rank;
//! - a **context record** per context (plus a sentinel holding the end of the last children
//!   range): the codes of its log-probability, backoff and second-best bound, where its top-1 comes
//!   from (`Top`), its suffix link and its children start, each field only as wide as the level's
//!   data needs (the children start of record `r + 1` ends the range of record `r`);
//! - a **plain record** per other n-gram (every n-gram of the top level): the code of its
//!   log-probability and the link to the longest suffix that is a context (the next context).
//!
//! The top-1 of a context is not stored as a token and a value: a 5-bit code says whether it is one
//! of the context's children (its offset, or for an offset past 29 the entry of a small list of
//! such contexts) or the top-1 of the suffix context, whose log-probability then gets the
//! context's backoff added. Both give the exact log-probability of the coded model, found again
//! from the arrays.
//!
//! The fields are read and written with `bitm`, which works on any `[u64]`, a memory-mapped one
//! included. Everything read from a mapped file is bounds-checked: a field outside its array reads
//! as 0.

use bitm::{BinaryRankSearch, BitAccess, Rank, RankSelect101111};
use rustc_hash::FxHashMap;

use crate::model::codes::Books;
use crate::model::ctx::Ctx;
use crate::model::mapped::Array;

/// Bits of the log-probability, backoff and second-bound codes.
const CODE: u32 = 8;
/// Bits of the top-1 source code.
const TOP: u32 = 5;
/// Top-1 source: a child at an offset past 29, listed in [`Packed::best`] (contexts with many
/// children).
pub const TOP_BEST_STORED: u8 = 30;
/// Top-1 source: the top-1 of the suffix context, times this context's backoff weight.
pub const TOP_LOWER: u8 = 31;

/// Bits needed to write every value up to `max`.
pub fn bits_for(max: u64) -> u32 {
    64 - max.leading_zeros()
}

/// Field widths of a level's records (bits).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Widths {
    /// Level of a plain record's link.
    pub lvl: u32,
    /// How much shorter than the level below a context's suffix link is (0 bits when, as always in
    /// a trained model, it is the level below).
    pub ctx_lvl: u32,
    /// Index of a link in its level.
    pub idx: u32,
    /// Children start.
    pub start: u32,
    /// Whether every n-gram of the level has a context record (no plain records, no rank).
    pub dense: bool,
}

impl Widths {
    /// Width of a context record.
    pub fn context(self) -> usize {
        (3 * CODE + TOP + self.ctx_lvl + self.idx + self.start) as usize
    }

    /// Width of a plain record.
    pub fn plain(self) -> usize {
        (CODE + self.lvl + self.idx) as usize
    }

    /// Whether a file's widths are ones this code can read.
    pub fn valid(self) -> bool {
        self.lvl <= 3 && self.ctx_lvl <= 3 && self.idx <= 28 && self.start <= 32
    }
}

/// `width` bits at bit `at` of `words`; 0 when they are not all inside.
#[inline(always)]
fn read(words: &[u64], at: usize, width: u32) -> u64 {
    words.try_get_bits(at, width as u8).unwrap_or(0)
}

/// Writes records of a fixed width into 64-bit words.
struct Writer {
    words: Vec<u64>,
    at: usize,
}

impl Writer {
    fn new(records: usize, width: usize) -> Writer {
        Writer {
            words: vec![0; (records * width).div_ceil(64)],
            at: 0,
        }
    }

    fn put(&mut self, v: u64, width: u32) {
        if width > 0 {
            self.words.init_bits(self.at, v, width as u8);
        }
        self.at += width as usize;
    }
}

/// The rank directory of a level's context bits (`bitm`'s rank structure over the bits, mapped or
/// owned: it adds 3 % to them, built at load).
#[derive(Clone, Default)]
pub(crate) struct Ranks(Option<RankSelect101111<BinaryRankSearch, BinaryRankSearch, Array<u64>>>);

impl Ranks {
    fn new(bits: &Array<u64>) -> Ranks {
        if bits.is_empty() {
            return Ranks(None);
        }
        Ranks(Some(RankSelect101111::build(bits.clone()).0))
    }

    /// Number of set bits before bit `j` (0 when out of range).
    #[inline(always)]
    fn rank(&self, j: usize) -> usize {
        self.0.as_ref().and_then(|r| r.try_rank(j)).unwrap_or(0)
    }
}

impl std::fmt::Debug for Ranks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Ranks")
    }
}

impl PartialEq for Ranks {
    /// Always: the directory is derived from the bits, which are compared.
    fn eq(&self, _: &Ranks) -> bool {
        true
    }
}

/// One level, packed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PackedLevel {
    /// Length of its n-grams.
    pub level: usize,
    /// Number of n-grams.
    pub len: usize,
    /// Number of contexts (n-grams with children).
    pub contexts: usize,
    /// Field widths.
    pub widths: Widths,
    /// Last token of each n-gram (empty for level 1).
    pub words: Array<u16>,
    /// Children order by probability of the contexts with many children (see
    /// the trie's `Level::by_prob`).
    pub by_prob: Array<u16>,
    /// The children range start of each context listed in `by_prob`, ascending.
    pub big_start: Array<u32>,
    /// Where each of those contexts' list begins in `by_prob`.
    pub big_at: Array<u32>,
    /// Codebooks of the log-probabilities, backoffs and second-best bounds.
    pub books: Books<u8>,
    /// Below the top: bit `j` set when n-gram `j` is a context.
    pub has: Array<u64>,
    /// Context records (`contexts + 1`).
    pub ctx: Array<u64>,
    /// Plain records (`len - contexts`).
    pub plain: Array<u64>,
    /// Rank directory of `has` (built at load).
    pub(crate) ranks: Ranks,
}

/// What one level holds, field by field, for [`PackedLevel::build`].
pub struct LevelParts<'a> {
    /// Last tokens (empty for level 1).
    pub words: Vec<u16>,
    /// Code of each n-gram's log-probability.
    pub logp: &'a [u8],
    /// Code of each n-gram's backoff (contexts).
    pub backoff: &'a [u8],
    /// Code of each n-gram's second-best bound (contexts).
    pub second: &'a [u8],
    /// Top-1 source of each n-gram (contexts).
    pub top: &'a [u8],
    /// Children start of each n-gram and the end (below the top), else empty.
    pub child_start: &'a [u32],
    /// Link of each n-gram (a packed [`Ctx`], no flag).
    pub link: &'a [u32],
}

impl PackedLevel {
    /// Packs level `n`; the children order and the codebooks of `level` are kept as they are.
    /// A level below the top is *dense* (a context record for every n-gram, no context bits and
    /// no rank: levels where nearly every n-gram is a context) when that is at most 2 % larger,
    /// and always at level 1 (50,257 records, read at nearly every step).
    pub fn build(n: usize, parts: LevelParts<'_>, level: PackedLevel) -> PackedLevel {
        let len = parts.logp.len();
        let top_level = parts.child_start.is_empty();
        let is_ctx = |j: usize| !top_level && parts.child_start[j + 1] > parts.child_start[j];
        let contexts = (0..len).filter(|&j| is_ctx(j)).count();
        let below = |c: Ctx| (n - 1).saturating_sub(c.level()) as u64;
        // Widths of the sparse layout, and of the context records of the dense one.
        let (mut max_lvl, mut max_delta, mut max_delta_all, mut max_idx) = (0u64, 0u64, 0u64, 0u64);
        for (j, &l) in parts.link.iter().enumerate() {
            let c = Ctx(l);
            if is_ctx(j) {
                max_delta = max_delta.max(below(c));
            } else {
                max_lvl = max_lvl.max(c.level() as u64);
            }
            max_delta_all = max_delta_all.max(below(c));
            max_idx = max_idx.max(c.index() as u64);
        }
        let mut widths = Widths {
            lvl: bits_for(max_lvl),
            ctx_lvl: bits_for(max_delta),
            idx: bits_for(max_idx),
            start: parts
                .child_start
                .last()
                .map_or(0, |&e| bits_for(u64::from(e))),
            dense: false,
        };
        if !top_level {
            let d = Widths {
                lvl: 0,
                ctx_lvl: bits_for(max_delta_all),
                dense: true,
                ..widths
            };
            let dense_bits = (len + 1) * d.context();
            let sparse_bits = (contexts + 1) * widths.context()
                + (len - contexts) * widths.plain()
                + len * 33 / 32;
            // Dense when not larger, or nearly so (a rank costs a step more than 1 % of a level).
            if n == 1 || dense_bits <= sparse_bits + sparse_bits / 50 {
                widths = d;
            }
        }
        let dense = widths.dense;
        let [has_words, _, _] = PackedLevel::word_counts(len, contexts, top_level, widths);
        let mut has = vec![0u64; has_words];
        let records = if top_level {
            0
        } else if dense {
            len + 1
        } else {
            contexts + 1
        };
        let mut ctx = Writer::new(records, widths.context());
        let mut plain = Writer::new(if dense { 0 } else { len - contexts }, widths.plain());
        for (j, &link) in parts.link.iter().enumerate().take(len) {
            let c = Ctx(link);
            if dense || is_ctx(j) {
                if !dense {
                    has[j / 64] |= 1 << (j % 64);
                }
                ctx.put(u64::from(parts.logp[j]), CODE);
                ctx.put(u64::from(parts.backoff[j]), CODE);
                ctx.put(u64::from(parts.second[j]), CODE);
                ctx.put(u64::from(parts.top[j].min(TOP_LOWER)), TOP);
                ctx.put(below(c), widths.ctx_lvl);
                ctx.put(c.index() as u64, widths.idx);
                ctx.put(u64::from(parts.child_start[j]), widths.start);
            } else {
                plain.put(u64::from(parts.logp[j]), CODE);
                plain.put(c.level() as u64, widths.lvl);
                plain.put(c.index() as u64, widths.idx);
            }
        }
        if !top_level {
            // The sentinel: the end of the last range.
            ctx.at += (3 * CODE + TOP + widths.ctx_lvl + widths.idx) as usize;
            ctx.put(u64::from(parts.child_start[len]), widths.start);
        }
        let mut out = PackedLevel {
            level: n,
            len,
            contexts,
            widths,
            words: parts.words.into(),
            has: has.into(),
            ctx: ctx.words.into(),
            plain: plain.words.into(),
            ..level
        };
        out.index();
        out
    }

    /// Builds the rank directory of `has` (reads it once).
    pub fn index(&mut self) {
        self.ranks = Ranks::new(&self.has);
    }

    /// Number of 64-bit words of the arrays (`has`, context records, plain records) of a level
    /// with these counts and widths.
    pub fn word_counts(len: usize, contexts: usize, top: bool, w: Widths) -> [usize; 3] {
        if top {
            [0, 0, (len * w.plain()).div_ceil(64)]
        } else if w.dense {
            [0, ((len + 1) * w.context()).div_ceil(64), 0]
        } else {
            [
                len.div_ceil(64),
                ((contexts + 1) * w.context()).div_ceil(64),
                (len.saturating_sub(contexts) * w.plain()).div_ceil(64),
            ]
        }
    }

    /// Number of contexts before n-gram `j` (sparse levels).
    #[inline(always)]
    fn rank(&self, j: usize) -> usize {
        self.ranks.rank(j)
    }

    #[inline(always)]
    fn ctx_field(&self, r: usize, off: u32, width: u32) -> u64 {
        read(&self.ctx, r * self.widths.context() + off as usize, width)
    }

    #[inline(always)]
    fn plain_field(&self, q: usize, off: u32, width: u32) -> u64 {
        read(&self.plain, q * self.widths.plain() + off as usize, width)
    }

    /// N-gram `j`'s record: a context record (`Ok(r)`) or a plain one (`Err(q)`).
    #[inline(always)]
    fn record(&self, j: usize) -> Result<usize, usize> {
        if self.widths.dense {
            return Ok(j);
        }
        let set = self.has.get(j / 64).is_some_and(|w| w >> (j % 64) & 1 != 0);
        let r = self.rank(j);
        if set {
            Ok(r)
        } else {
            Err(j.saturating_sub(r))
        }
    }

    fn start_off(&self) -> u32 {
        3 * CODE + TOP + self.widths.ctx_lvl + self.widths.idx
    }

    #[inline(always)]
    fn ctx_link(&self, r: usize) -> u32 {
        let w = self.widths;
        let delta = self.ctx_field(r, 3 * CODE + TOP, w.ctx_lvl) as usize;
        let Some(lvl) = self.level.checked_sub(1 + delta) else {
            return Ctx::ROOT.0;
        };
        let idx = self.ctx_field(r, 3 * CODE + TOP + w.ctx_lvl, w.idx);
        Ctx::new(lvl, idx as u32).0
    }

    #[inline(always)]
    fn plain_link(&self, q: usize) -> u32 {
        let w = self.widths;
        let lvl = self.plain_field(q, CODE, w.lvl) as usize;
        let idx = self.plain_field(q, CODE + w.lvl, w.idx);
        Ctx::new(lvl, idx as u32).0
    }

    #[inline(always)]
    fn range_of(&self, r: usize) -> (u32, u32) {
        let off = self.start_off();
        let s = self.ctx_field(r, off, self.widths.start) as u32;
        let e = self.ctx_field(r + 1, off, self.widths.start) as u32;
        (s, e)
    }

    /// Whether n-gram `i` is a context.
    #[inline(always)]
    pub fn is_ctx(&self, i: usize) -> bool {
        match self.record(i) {
            Ok(r) => {
                let (s, e) = self.range_of(r);
                s < e
            }
            Err(_) => false,
        }
    }

    /// N-gram `j`: the code of its log-probability, and its children range and context record
    /// when it is a context (`Ok`), else its link (`Err`, a packed [`Ctx`]).
    #[inline(always)]
    pub fn entry(&self, j: usize) -> (u8, Result<(u32, u32, u32), u32>) {
        match self.record(j) {
            Ok(r) => {
                let code = self.ctx_field(r, 0, CODE) as u8;
                let (s, e) = self.range_of(r);
                if s < e || !self.widths.dense {
                    (code, Ok((s, e, r as u32)))
                } else {
                    (code, Err(self.ctx_link(r)))
                }
            }
            Err(q) => (self.plain_field(q, 0, CODE) as u8, Err(self.plain_link(q))),
        }
    }

    /// The code of n-gram `j`'s log-probability.
    #[inline(always)]
    pub fn logp(&self, j: usize) -> u8 {
        match self.record(j) {
            Ok(r) => self.ctx_field(r, 0, CODE) as u8,
            Err(q) => self.plain_field(q, 0, CODE) as u8,
        }
    }

    /// Top-1 source of context record `r`.
    #[inline(always)]
    pub fn top_at(&self, r: usize) -> u8 {
        self.ctx_field(r, 3 * CODE, TOP) as u8
    }

    /// Code of the backoff of context record `r` and its link.
    #[inline(always)]
    pub fn backoff_link_at(&self, r: usize) -> (u8, u32) {
        (self.ctx_field(r, CODE, CODE) as u8, self.ctx_link(r))
    }

    /// Context record of n-gram `i` (`u32::MAX` when it has a plain one), without reading it; a
    /// hint to fetch it.
    #[inline(always)]
    pub fn record_of(&self, i: usize) -> u32 {
        match self.record(i) {
            Ok(r) => {
                if let Some(w) = self.ctx.get(r * self.widths.context() / 64) {
                    crate::model::mapped::prefetch_read(w as *const u64 as *const i8);
                }
                r as u32
            }
            Err(_) => u32::MAX,
        }
    }

    /// Children range of context record `r`.
    #[inline(always)]
    pub fn range_at(&self, r: usize) -> (u32, u32) {
        self.range_of(r)
    }

    /// Children range of n-gram `i` and its context record (`u32::MAX` when it has a plain one).
    #[inline(always)]
    pub fn locate(&self, i: usize) -> (u32, u32, u32) {
        match self.record(i) {
            Ok(r) => {
                let (s, e) = self.range_of(r);
                (s, e, r as u32)
            }
            Err(_) => (0, 0, u32::MAX),
        }
    }

    /// How many contexts take their top-1 from a child at an offset, from the stored order, and
    /// from the suffix context (for size reports).
    pub fn top_sources(&self) -> [usize; 3] {
        let mut out = [0; 3];
        let records = if self.widths.dense {
            self.len
        } else {
            self.contexts
        };
        for r in 0..records {
            let (s, e) = self.range_of(r);
            if s < e {
                out[match self.ctx_field(r, 3 * CODE, TOP) as u8 {
                    TOP_BEST_STORED => 1,
                    TOP_LOWER => 2,
                    _ => 0,
                }] += 1;
            }
        }
        out
    }

    /// Children range of n-gram `i` (empty when it is not a context).
    #[inline(always)]
    pub fn range(&self, i: usize) -> (u32, u32) {
        match self.record(i) {
            Ok(r) => self.range_of(r),
            Err(_) => (0, 0),
        }
    }

    /// Code of the backoff of n-gram `i` (0 when not a context) and its link.
    #[inline(always)]
    pub fn backoff_link(&self, i: usize) -> (u8, u32) {
        match self.record(i) {
            Ok(r) => (self.ctx_field(r, CODE, CODE) as u8, self.ctx_link(r)),
            Err(q) => (0, self.plain_link(q)),
        }
    }

    /// The word holding the start of n-gram `j`'s record when finding it needs no rank (dense
    /// levels and the top level), else the word of its context bit (what the rank reads first),
    /// for a prefetch.
    #[inline(always)]
    pub fn word_of(&self, j: usize) -> Option<&u64> {
        if self.widths.dense {
            self.ctx.get(j * self.widths.context() / 64)
        } else if self.has.is_empty() {
            self.plain.get(j * self.widths.plain() / 64)
        } else {
            self.has.get(j / 64)
        }
    }

    /// Code of the second-best bound of context record `r`.
    #[inline(always)]
    pub fn second_at(&self, r: usize) -> u8 {
        self.ctx_field(r, 2 * CODE, CODE) as u8
    }

    /// Code of the second-best bound of context `i` (`None` when not a context).
    #[inline(always)]
    pub fn second(&self, i: usize) -> Option<u8> {
        match self.record(i) {
            Ok(r) => Some(self.ctx_field(r, 2 * CODE, CODE) as u8),
            Err(_) => None,
        }
    }
}

/// The levels of a saved model.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Packed {
    /// `levels[n - 1]` holds the n-grams of length n.
    pub levels: Vec<PackedLevel>,
    /// `ln P(w)` of every token, exact.
    pub uni_logp: Array<f32>,
    /// `ln γ(w)` of every token as a context, exact.
    pub uni_backoff: Array<f32>,
    /// The contexts whose top-1 is the first of their stored order ([`TOP_BEST_STORED`]: a few
    /// thousand contexts with many children, the most frequent ones), with that child's offset:
    /// packed [`Ctx`] << 32 | offset, ascending.
    pub best: Array<u64>,
    /// `best` as a map (built at load).
    pub(crate) best_map: FxHashMap<u32, u32>,
}

impl Packed {
    /// Builds the map of `best` (reads it once).
    pub fn index_best(&mut self) {
        self.best_map = self
            .best
            .iter()
            .map(|&x| ((x >> 32) as u32, x as u32))
            .collect();
    }

    /// The top-1 child's offset of context `ctx` when it is listed in `best`.
    #[inline]
    pub(crate) fn best_child(&self, ctx: Ctx) -> Option<usize> {
        self.best_map.get(&ctx.0).map(|&k| k as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_round_trip_across_words() {
        let widths = [3u32, 17, 8, 23, 1, 31, 5, 12];
        let mut w = Writer::new(40, widths.iter().sum::<u32>() as usize);
        let value = |i: usize, width: u32| (i as u64 * 2_654_435_761) & ((1 << width) - 1);
        for i in 0..40 {
            for &b in &widths {
                w.put(value(i, b), b);
            }
        }
        let mut at = 0;
        for i in 0..40 {
            for &b in &widths {
                assert_eq!(read(&w.words, at, b), value(i, b));
                at += b as usize;
            }
        }
        assert_eq!(read(&w.words, w.words.len() * 64, 8), 0);
    }
}
