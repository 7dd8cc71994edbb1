//! The bit-packed records of a saved and loaded model (8-bit codes into per-level codebooks) as a
//! [`Store`].

use super::codes::Code;
use super::ctx::Ctx;
use super::mapped::prefetch_read;
use super::packed::{Packed, PackedLevel, TOP_BEST_STORED, TOP_LOWER};
use super::store::{LevelArrays, LevelLayout, Next, Store, Top};

impl LevelLayout for PackedLevel {
    #[inline]
    fn len(&self) -> usize {
        self.len
    }

    #[inline]
    fn arrays(&self) -> LevelArrays<'_> {
        (&self.words, &self.by_prob, &self.big_start, &self.big_at)
    }
}

impl Store for Packed {
    type Level = PackedLevel;

    #[inline]
    fn levels(&self) -> &[PackedLevel] {
        &self.levels
    }

    fn uni_logp(&self) -> &[f32] {
        &self.uni_logp
    }

    fn uni_backoff(&self) -> &[f32] {
        &self.uni_backoff
    }

    #[inline]
    fn entry(&self, level: usize, j: usize) -> Option<(f32, Next)> {
        let l = self.level(level)?;
        if j >= l.len {
            return None;
        }
        let (code, next) = l.entry(j);
        let next = match next {
            Ok((s, e, r)) => Next::Range(s, e, r),
            Err(link) => Next::Link(link),
        };
        Some((code.value(&l.books.logp), next))
    }

    #[inline]
    fn range(&self, level: usize, i: usize) -> (u32, u32, u32) {
        match self.level(level) {
            Some(l) if i < l.len => l.locate(i),
            _ => (0, 0, u32::MAX),
        }
    }

    #[inline]
    fn record_of(&self, level: usize, i: usize) -> u32 {
        match self.level(level) {
            Some(l) if i < l.len => l.record_of(i),
            _ => u32::MAX,
        }
    }

    #[inline]
    fn range_at(&self, level: usize, rec: u32) -> (u32, u32) {
        self.levels
            .get(level.wrapping_sub(1))
            .map_or((0, 0), |l| l.range_at(rec as usize))
    }

    #[inline]
    fn has_children(&self, level: usize, i: usize) -> bool {
        self.levels
            .get(level.wrapping_sub(1))
            .is_some_and(|l| i < l.len && l.is_ctx(i))
    }

    #[inline]
    fn backoff_link(&self, level: usize, i: usize) -> (f32, u32) {
        match self.level(level) {
            Some(l) if i < l.len => {
                let (code, link) = l.backoff_link(i);
                (code.value(&l.books.backoff), link)
            }
            _ => (0.0, 0),
        }
    }

    #[inline]
    fn second(&self, level: usize, i: usize) -> f32 {
        match self.level(level) {
            Some(l) if i < l.len => l.second(i).map_or(0.0, |c| c.value(&l.books.second)),
            _ => 0.0,
        }
    }

    #[inline]
    fn second_at(&self, level: usize, rec: u32) -> f32 {
        self.levels
            .get(level.wrapping_sub(1))
            .map_or(0.0, |l| l.second_at(rec as usize).value(&l.books.second))
    }

    #[inline]
    fn backoff_link_at(&self, level: usize, rec: u32) -> (f32, u32) {
        match self.level(level) {
            Some(l) => {
                let (code, link) = l.backoff_link_at(rec as usize);
                (code.value(&l.books.backoff), link)
            }
            None => (0.0, 0),
        }
    }

    #[inline]
    fn top_at(&self, level: usize, rec: u32) -> Top {
        let code = self
            .levels
            .get(level.wrapping_sub(1))
            .map_or(TOP_LOWER, |l| l.top_at(rec as usize));
        match code {
            TOP_LOWER => Top::Lower,
            TOP_BEST_STORED => Top::BestStored,
            k => Top::Child(usize::from(k)),
        }
    }

    #[inline]
    fn logp(&self, level: usize, j: usize) -> Option<f32> {
        let l = self.level(level)?;
        (j < l.len).then(|| l.logp(j).value(&l.books.logp))
    }

    #[inline]
    fn best_child(&self, ctx: Ctx) -> Option<usize> {
        Packed::best_child(self, ctx)
    }

    #[inline]
    fn prefetch(&self, level: usize, j: usize) {
        if let Some(w) = self
            .levels
            .get(level.wrapping_sub(1))
            .and_then(|l| l.word_of(j))
        {
            prefetch_read(w as *const u64 as *const i8);
        }
    }
}
