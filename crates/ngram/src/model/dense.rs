//! A direct index for contexts with many continuations (common words such as "the" are followed
//! by thousands of different tokens): a bitmap over the vocabulary with per-block ranks, so that
//! finding a child costs one cache line instead of a binary search over thousands of entries.
//! Built at load time from the children of the contexts the model file lists.

use rustc_hash::FxHashMap;

/// Contexts with at least this many children get a dense index.
pub(crate) const DENSE_MIN_CHILDREN: usize = 384;
const BITS_PER_BLOCK: usize = 192;

/// 192 vocabulary bits and the number of set bits before them, in one 32-byte, aligned block.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
#[repr(C, align(32))]
struct Block {
    rank: u32,
    _pad: u32,
    bits: [u64; 3],
}

/// Dense child indices of the large contexts of one model.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct DenseIndex {
    /// Packed context → first block of its table.
    tables: FxHashMap<u32, u32>,
    blocks: Vec<Block>,
    blocks_per_table: usize,
}

impl DenseIndex {
    /// An empty index for a vocabulary of `vocab` tokens.
    pub(crate) fn new(vocab: usize) -> DenseIndex {
        DenseIndex {
            tables: FxHashMap::default(),
            blocks: Vec::new(),
            blocks_per_table: vocab.div_ceil(BITS_PER_BLOCK),
        }
    }

    /// Adds the table of context `ctx` whose children (sorted, distinct tokens) are `words`.
    pub(crate) fn add(&mut self, ctx: u32, words: impl Iterator<Item = u32>) {
        let first = self.blocks.len();
        self.blocks
            .resize(first + self.blocks_per_table, Block::default());
        let table = &mut self.blocks[first..];
        for w in words {
            let w = w as usize;
            if let Some(b) = table.get_mut(w / BITS_PER_BLOCK) {
                b.bits[(w % BITS_PER_BLOCK) / 64] |= 1 << (w % 64);
            }
        }
        let mut rank = 0u32;
        for b in table.iter_mut() {
            b.rank = rank;
            rank += b.bits.iter().map(|x| x.count_ones()).sum::<u32>();
        }
        self.tables.insert(ctx, first as u32);
    }

    /// Number of contexts indexed.
    pub(crate) fn len(&self) -> usize {
        self.tables.len()
    }

    /// Whether context `ctx` has a table.
    pub(crate) fn has(&self, ctx: u32) -> bool {
        self.tables.contains_key(&ctx)
    }

    /// The contexts indexed, ascending.
    pub(crate) fn contexts(&self) -> Vec<u32> {
        let mut out: Vec<u32> = self.tables.keys().copied().collect();
        out.sort_unstable();
        out
    }

    /// Bytes used by the tables.
    pub(crate) fn bytes(&self) -> usize {
        self.blocks.len() * std::mem::size_of::<Block>()
    }

    /// The block of `ctx`'s table that holds `w`, for a prefetch hint.
    #[inline]
    pub(crate) fn block_of(&self, ctx: u32, w: u32) -> Option<*const i8> {
        let first = *self.tables.get(&ctx)? as usize;
        let b = self.blocks.get(first + w as usize / BITS_PER_BLOCK)?;
        Some(b as *const Block as *const i8)
    }

    /// `None` when `ctx` has no table; else the offset of `w` among the children, if present.
    #[inline]
    pub(crate) fn find(&self, ctx: u32, w: u32) -> Option<Option<usize>> {
        let first = *self.tables.get(&ctx)? as usize;
        let w = w as usize;
        let Some(b) = self.blocks.get(first + w / BITS_PER_BLOCK) else {
            return Some(None);
        };
        if w / BITS_PER_BLOCK >= self.blocks_per_table {
            return Some(None);
        }
        let bit = w % BITS_PER_BLOCK;
        let (word, shift) = (bit / 64, bit % 64);
        if b.bits[word] >> shift & 1 == 0 {
            return Some(None);
        }
        let below: u32 = b.bits[..word].iter().map(|x| x.count_ones()).sum::<u32>()
            + (b.bits[word] & ((1u64 << shift) - 1)).count_ones();
        Some(Some((b.rank + below) as usize))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_match_positions() {
        let words: Vec<u32> = (0..50_257)
            .filter(|w| w % 7 == 3 || *w == 191 || *w == 192)
            .collect();
        let mut d = DenseIndex::new(50_257);
        d.add(42, words.iter().copied());
        for (i, &w) in words.iter().enumerate() {
            assert_eq!(d.find(42, w), Some(Some(i)));
        }
        assert_eq!(d.find(42, 1), Some(None));
        assert_eq!(d.find(42, 60_000), Some(None));
        assert_eq!(d.find(7, 3), None);
    }
}
