//! Counting n-grams for Kneser-Ney: raw counts at the highest order, continuation counts (number of
//! distinct left neighbours) below it, raw counts for n-grams that start at a document start.
//!
//! Documents are concatenated as `EOT d1 EOT d2 EOT ...`: each `EOT` ends the previous document and
//! starts the next one, so an n-gram is valid when no `EOT` stands strictly inside it. An n-gram of
//! length k is packed in a `u128`, 16 bits a token, first token highest, so that sorting the keys
//! sorts the n-grams by (context, last token).

use rayon::prelude::*;

use crate::error::NgramError;
use crate::tokenizer::{Tokenizer, VOCAB_SIZE};

const EOT: u16 = Tokenizer::EOT as u16;

/// The distinct n-grams of one length, sorted, with their adjusted Kneser-Ney counts.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LevelCounts {
    /// Packed n-grams, sorted ascending.
    pub keys: Vec<u128>,
    /// Adjusted count of each n-gram.
    pub counts: Vec<u32>,
}

/// Packs tokens into a key.
pub fn pack(tokens: &[u16]) -> u128 {
    tokens.iter().fold(0u128, |k, &t| (k << 16) | u128::from(t))
}

/// The last token of a key.
#[inline]
pub fn last_word(key: u128) -> u16 {
    (key & 0xFFFF) as u16
}

/// The first token of a key of length `len`.
#[inline]
fn first_word(key: u128, len: usize) -> u16 {
    ((key >> (16 * (len - 1))) & 0xFFFF) as u16
}

/// Flattens documents into `EOT d1 EOT d2 ... EOT` (empty documents are skipped).
pub fn flatten(docs: &[Vec<u32>]) -> Result<Vec<u16>, NgramError> {
    let total: usize = docs.iter().map(|d| d.len() + 1).sum();
    let mut flat = Vec::with_capacity(total + 1);
    flat.push(EOT);
    for doc in docs.iter().filter(|d| !d.is_empty()) {
        for &t in doc {
            if t as usize >= VOCAB_SIZE || t == Tokenizer::EOT {
                return Err(NgramError::Training(format!(
                    "token {t} cannot appear inside a training document"
                )));
            }
            flat.push(t as u16);
        }
        flat.push(EOT);
    }
    Ok(flat)
}

/// Sorts keys and collapses equal neighbours, summing their counts.
fn sort_and_count(mut keys: Vec<u128>) -> (Vec<u128>, Vec<u32>) {
    keys.par_sort_unstable();
    run_lengths(&keys)
}

fn run_lengths(sorted: &[u128]) -> (Vec<u128>, Vec<u32>) {
    let mut out_k = Vec::new();
    let mut out_c: Vec<u32> = Vec::new();
    for &k in sorted {
        match out_k.last() {
            Some(&last) if last == k => {
                if let Some(c) = out_c.last_mut() {
                    *c = c.saturating_add(1);
                }
            }
            _ => {
                out_k.push(k);
                out_c.push(1);
            }
        }
    }
    (out_k, out_c)
}

/// Drops the last token of every key of a sorted list, merging equal results (stays sorted).
fn prefixes(keys: &[u128], counts: &[u32]) -> (Vec<u128>, Vec<u32>) {
    let mut out_k: Vec<u128> = Vec::with_capacity(keys.len());
    let mut out_c: Vec<u32> = Vec::with_capacity(keys.len());
    for (&k, &c) in keys.iter().zip(counts) {
        let p = k >> 16;
        match out_k.last() {
            Some(&last) if last == p => {
                if let Some(x) = out_c.last_mut() {
                    *x = x.saturating_add(c);
                }
            }
            _ => {
                out_k.push(p);
                out_c.push(c);
            }
        }
    }
    (out_k, out_c)
}

/// Merges two sorted lists with disjoint or overlapping keys (counts of equal keys are summed).
fn merge(a: (Vec<u128>, Vec<u32>), b: (Vec<u128>, Vec<u32>)) -> LevelCounts {
    let (ak, ac) = a;
    let (bk, bc) = b;
    let mut keys = Vec::with_capacity(ak.len() + bk.len());
    let mut counts = Vec::with_capacity(ak.len() + bk.len());
    let (mut i, mut j) = (0, 0);
    while i < ak.len() || j < bk.len() {
        if j == bk.len() || (i < ak.len() && ak[i] < bk[j]) {
            keys.push(ak[i]);
            counts.push(ac[i]);
            i += 1;
        } else if i == ak.len() || bk[j] < ak[i] {
            keys.push(bk[j]);
            counts.push(bc[j]);
            j += 1;
        } else {
            keys.push(ak[i]);
            counts.push(ac[i].saturating_add(bc[j]));
            i += 1;
            j += 1;
        }
    }
    LevelCounts { keys, counts }
}

/// Counts every level 1..=order of the flattened corpus. Returns `levels[n - 1]` for length n.
pub fn count_levels(flat: &[u16], order: usize) -> Result<Vec<LevelCounts>, NgramError> {
    count_levels_observed(flat, order, &mut |_| Ok(()))
}

/// [`count_levels`], calling `step(fraction done)` between levels; an error from `step` (a
/// cancellation) stops the counting.
pub fn count_levels_observed(
    flat: &[u16],
    order: usize,
    step: &mut dyn FnMut(f64) -> Result<(), NgramError>,
) -> Result<Vec<LevelCounts>, NgramError> {
    if !(2..=crate::model::MAX_ORDER).contains(&order) {
        return Err(NgramError::Training(format!("unsupported order {order}")));
    }
    if flat.len() < 2 {
        return Err(NgramError::Training("empty corpus".into()));
    }
    // Highest order: raw counts of every valid window.
    let windows: Vec<u128> = flat
        .par_windows(order)
        .filter(|w| !w[1..order - 1].contains(&EOT))
        .map(pack)
        .collect();
    let (top_keys, top_counts) = sort_and_count(windows);
    step(0.5)?;

    // Whole documents short enough to be a window of length k with both EOTs: (EOT d EOT).
    let mut whole_docs: Vec<Vec<u128>> = vec![Vec::new(); order + 1];
    let mut start = 0usize;
    for (i, &t) in flat.iter().enumerate().skip(1) {
        if t == EOT {
            let k = i - start + 1;
            if k < order {
                whole_docs[k].push(pack(&flat[start..=i]));
            }
            start = i;
        }
    }

    let mut levels = vec![LevelCounts::default(); order];
    // n-grams starting at a document start keep raw counts at every order.
    let bos_from = top_keys.partition_point(|&k| first_word(k, order) < EOT);
    let mut bos = (
        top_keys[bos_from..].to_vec(),
        top_counts[bos_from..].to_vec(),
    );
    levels[order - 1] = LevelCounts {
        keys: top_keys,
        counts: top_counts,
    };
    for k in (1..order).rev() {
        step(1.0 - 0.5 * k as f64 / order as f64)?;
        // Continuation counts: distinct left neighbours of each k-gram.
        let mask: u128 = if 16 * k >= 128 {
            u128::MAX
        } else {
            (1u128 << (16 * k)) - 1
        };
        let suffixes: Vec<u128> = levels[k].keys.par_iter().map(|&key| key & mask).collect();
        let continuation = sort_and_count(suffixes);
        if k == 1 {
            levels[0] = LevelCounts {
                keys: continuation.0,
                counts: continuation.1,
            };
            break;
        }
        let (pk, pc) = prefixes(&bos.0, &bos.1);
        let short = sort_and_count(std::mem::take(&mut whole_docs[k]));
        let merged = merge((pk, pc), short);
        bos = (merged.keys, merged.counts);
        levels[k - 1] = merge(continuation, bos.clone());
    }
    Ok(levels)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(t: &[u16]) -> u128 {
        pack(t)
    }

    #[test]
    fn continuation_and_bos_counts() {
        // Documents "1 2 3" and "2 3": EOT 1 2 3 EOT 2 3 EOT.
        let flat = flatten(&[vec![1, 2, 3], vec![2, 3]]).expect("flat");
        let levels = count_levels(&flat, 3).expect("count");
        let get = |n: usize, t: &[u16]| {
            let l = &levels[n - 1];
            l.keys.binary_search(&key(t)).map(|i| l.counts[i]).ok()
        };
        // Trigrams: raw counts.
        assert_eq!(get(3, &[2, 3, EOT]), Some(2));
        assert_eq!(get(3, &[EOT, 1, 2]), Some(1));
        assert_eq!(get(3, &[3, EOT, 2]), None); // crosses a document boundary
                                                // Bigram (2 3): left neighbours 1 and EOT -> 2.
        assert_eq!(get(2, &[2, 3]), Some(2));
        // Bigram (EOT 2): starts a document, raw count 1.
        assert_eq!(get(2, &[EOT, 2]), Some(1));
        // Unigram 3: left neighbour 2 only.
        assert_eq!(get(1, &[3]), Some(1));
        // Unigram EOT: left neighbour 3 only.
        assert_eq!(get(1, &[EOT]), Some(1));
    }
}
