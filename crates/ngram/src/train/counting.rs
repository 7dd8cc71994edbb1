//! Counting n-grams for Kneser-Ney: raw counts at the highest order, continuation counts (number of
//! distinct left neighbours) below it, raw counts for n-grams that start at a document start.
//!
//! Documents are concatenated as `EOT d1 EOT d2 EOT ...`: each `EOT` ends the previous document and
//! starts the next one, so an n-gram is valid when no `EOT` stands strictly inside it. An n-gram of
//! length k is packed in a `u128`, 16 bits a token, first token highest, so that sorting the keys
//! sorts the n-grams by (context, last token).

use rayon::prelude::*;

use crate::error::NgramError;
use crate::vocab::Vocab;

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

/// Flattens documents into `EOT d1 EOT d2 ... EOT` (empty documents are skipped), `EOT` being
/// `vocab`'s end-of-text id.
pub fn flatten(docs: &[Vec<u32>], vocab: Vocab) -> Result<Vec<u16>, NgramError> {
    let total: usize = docs.iter().map(|d| d.len() + 1).sum();
    let mut flat = Vec::with_capacity(total + 1);
    let eot = vocab.eot() as u16;
    flat.push(eot);
    for doc in docs.iter().filter(|d| !d.is_empty()) {
        for &t in doc {
            if !vocab.contains(t) || t == vocab.eot() {
                return Err(NgramError::Training(format!(
                    "token {t} cannot appear inside a training document"
                )));
            }
            flat.push(t as u16);
        }
        flat.push(eot);
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

/// Counts every level 1..=order of the flattened corpus (documents separated by `eot`). Returns
/// `levels[n - 1]` for length n.
pub fn count_levels(flat: &[u16], order: usize, eot: u32) -> Result<Vec<LevelCounts>, NgramError> {
    count_levels_observed(flat, order, eot, &mut |_| Ok(()))
}

/// [`count_levels`], calling `step(fraction done)` between levels; an error from `step` (a
/// cancellation) stops the counting.
pub fn count_levels_observed(
    flat: &[u16],
    order: usize,
    eot: u32,
    step: &mut dyn FnMut(f64) -> Result<(), NgramError>,
) -> Result<Vec<LevelCounts>, NgramError> {
    if !(2..=crate::model::MAX_ORDER).contains(&order) {
        return Err(NgramError::Training(format!("unsupported order {order}")));
    }
    let eot = u16::try_from(eot)
        .map_err(|_| NgramError::Vocabulary(format!("end-of-text id {eot} over 16 bits")))?;
    if flat.len() < 2 {
        return Err(NgramError::Training("empty corpus".into()));
    }
    // Highest order: raw counts of every valid window.
    let windows: Vec<u128> = flat
        .par_windows(order)
        .filter(|w| !w[1..order - 1].contains(&eot))
        .map(pack)
        .collect();
    let (top_keys, top_counts) = sort_and_count(windows);
    step(0.5)?;

    // Whole documents short enough to be a window of length k with both EOTs: (EOT d EOT).
    let mut whole_docs: Vec<Vec<u128>> = vec![Vec::new(); order + 1];
    let mut start = 0usize;
    for (i, &t) in flat.iter().enumerate().skip(1) {
        if t == eot {
            let k = i - start + 1;
            if k < order {
                whole_docs[k].push(pack(&flat[start..=i]));
            }
            start = i;
        }
    }

    let mut levels = vec![LevelCounts::default(); order];
    // n-grams starting at a document start keep raw counts at every order (a run of the sorted
    // keys: the last one when end-of-text is the last id, as GPT-2's is).
    let bos_from = top_keys.partition_point(|&k| first_word(k, order) < eot);
    let bos_to = top_keys.partition_point(|&k| first_word(k, order) <= eot);
    let mut bos = (
        top_keys[bos_from..bos_to].to_vec(),
        top_counts[bos_from..bos_to].to_vec(),
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

    const EOT: u16 = Vocab::GPT2.eot() as u16;

    #[test]
    fn continuation_and_bos_counts() {
        // Documents "1 2 3" and "2 3": EOT 1 2 3 EOT 2 3 EOT.
        let flat = flatten(&[vec![1, 2, 3], vec![2, 3]], Vocab::GPT2).expect("flat");
        let levels = count_levels(&flat, 3, Vocab::GPT2.eot()).expect("count");
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

    /// The same counts with end-of-text the first id (SmolLM2's 0) rather than the last: the
    /// document-start n-grams sort first, and the other ids are moved up by one.
    #[test]
    fn counts_do_not_depend_on_where_end_of_text_is() {
        let gpt2 = {
            let flat = flatten(&[vec![1, 2, 3], vec![2, 3]], Vocab::GPT2).expect("flat");
            count_levels(&flat, 3, Vocab::GPT2.eot()).expect("count")
        };
        let first = Vocab::new(10, 0).expect("vocab");
        let flat = flatten(&[vec![2, 3, 4], vec![3, 4]], first).expect("flat");
        assert_eq!(flat, vec![0, 2, 3, 4, 0, 3, 4, 0]);
        let levels = count_levels(&flat, 3, 0).expect("count");
        // Renaming the ids (EOT -> 0, t -> t + 1) maps one set of counts onto the other.
        let rename = |t: u16| if t == EOT { 0 } else { t + 1 };
        for (n, (g, l)) in gpt2.iter().zip(&levels).enumerate() {
            let mut renamed: Vec<(u128, u32)> = g
                .keys
                .iter()
                .zip(&g.counts)
                .map(|(&k, &c)| {
                    let tokens: Vec<u16> = (0..=n)
                        .rev()
                        .map(|i| rename(((k >> (16 * i)) & 0xFFFF) as u16))
                        .collect();
                    (pack(&tokens), c)
                })
                .collect();
            renamed.sort_unstable();
            let mine: Vec<(u128, u32)> = l.keys.iter().copied().zip(l.counts.clone()).collect();
            assert_eq!(mine, renamed, "level {}", n + 1);
        }
        // End-of-text inside a document, or an id outside the vocabulary, is refused.
        assert!(flatten(&[vec![2, 0, 3]], first).is_err());
        assert!(flatten(&[vec![2, 10]], first).is_err());
    }
}
