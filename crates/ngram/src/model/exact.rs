//! The exact trie of a trained model (`f32` values in [`Node`] and [`Leaf`] records) as a
//! [`Store`].

use super::codes::Code;
use super::ctx::{Ctx, HAS_CHILDREN};
use super::store::{LevelArrays, LevelLayout, Next, Store, Top};
use super::trie::{Level, Trie};

impl<C: Code> LevelLayout for Level<C> {
    #[inline]
    fn len(&self) -> usize {
        Level::len(self)
    }

    #[inline]
    fn arrays(&self) -> LevelArrays<'_> {
        (&self.words, &self.by_prob, &self.big_start, &self.big_at)
    }
}

impl Store for Trie<f32> {
    type Level = Level<f32>;

    #[inline]
    fn levels(&self) -> &[Level<f32>] {
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
        if level == self.levels.len() {
            let x = l.leaves.get(j)?;
            let end = x.next_start.saturating_add(u32::from(x.next_len));
            return Some((x.logp, Next::LinkRange(x.link, x.next_start, end)));
        }
        let n = l.nodes.get(j)?;
        let next = if n.link & HAS_CHILDREN != 0 {
            let end = l.nodes.get(j + 1).map_or(0, |x| x.child_start);
            Next::Range(n.child_start, end, j as u32)
        } else {
            Next::Link(n.link)
        };
        Some((n.logp, next))
    }

    #[inline]
    fn range(&self, level: usize, i: usize) -> (u32, u32, u32) {
        let Some(l) = self.level(level) else {
            return (0, 0, 0);
        };
        match (l.nodes.get(i), l.nodes.get(i + 1)) {
            (Some(a), Some(b)) => (a.child_start, b.child_start, i as u32),
            _ => (0, 0, 0),
        }
    }

    #[inline]
    fn record_of(&self, _: usize, i: usize) -> u32 {
        i as u32
    }

    #[inline]
    fn range_at(&self, level: usize, rec: u32) -> (u32, u32) {
        let (s, e, _) = self.range(level, rec as usize);
        (s, e)
    }

    #[inline]
    fn has_children(&self, level: usize, i: usize) -> bool {
        self.levels
            .get(level.wrapping_sub(1))
            .and_then(|l| l.nodes.get(i))
            .is_some_and(|n| n.link & HAS_CHILDREN != 0)
    }

    #[inline]
    fn backoff_link(&self, level: usize, i: usize) -> (f32, u32) {
        self.levels
            .get(level.wrapping_sub(1))
            .and_then(|l| l.nodes.get(i))
            .map_or((0.0, 0), |n| (n.backoff, n.link))
    }

    #[inline]
    fn second(&self, level: usize, i: usize) -> f32 {
        self.levels
            .get(level.wrapping_sub(1))
            .and_then(|l| l.second.get(i))
            .copied()
            .unwrap_or(0.0)
    }

    #[inline]
    fn second_at(&self, level: usize, rec: u32) -> f32 {
        self.second(level, rec as usize)
    }

    #[inline]
    fn backoff_link_at(&self, level: usize, rec: u32) -> (f32, u32) {
        self.backoff_link(level, rec as usize)
    }

    #[inline]
    fn top_at(&self, level: usize, rec: u32) -> Top {
        let n = self
            .levels
            .get(level.wrapping_sub(1))
            .and_then(|l| l.nodes.get(rec as usize))
            .copied()
            .unwrap_or_default();
        Top::Stored(n.top_word, n.top_logp)
    }

    #[inline]
    fn logp(&self, level: usize, j: usize) -> Option<f32> {
        self.entry(level, j).map(|e| e.0)
    }

    #[inline]
    fn prefetch(&self, _: usize, _: usize) {}

    fn best_child(&self, _: Ctx) -> Option<usize> {
        None
    }
}
