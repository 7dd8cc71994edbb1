//! Attention's causal softmax in one pass over each row of scores: the keys a query may not see are
//! set to 0 without being exponentiated, and the others go through a polynomial `exp` that the
//! compiler vectorises (glibc's `expf` is one call per value: 6 % of a long scoring's time went to
//! it). It replaces an additive mask tensor, its broadcast addition and candle's softmax, each a
//! pass over the whole score matrix and a new buffer.

use rayon::prelude::*;

/// `rows` rows of `keys` scores each, row `r` seeing its first `seen(r)` keys (at least one):
/// each row becomes the softmax of its visible scores, 0 after them.
pub(crate) fn causal_softmax(
    scores: &mut [f32],
    keys: usize,
    seen: impl Fn(usize) -> usize + Sync,
) {
    scores
        .par_chunks_mut(keys)
        .enumerate()
        .for_each(|(r, row)| {
            let n = seen(r).clamp(1, keys);
            pulp::Arch::new().dispatch(Row { row, seen: n });
        });
}

/// One row of [`causal_softmax`].
struct Row<'a> {
    row: &'a mut [f32],
    seen: usize,
}

impl pulp::WithSimd for Row<'_> {
    type Output = ();

    // Plain loops with no calls in them: compiled for the instruction set `pulp` found (AVX2 and
    // FMA here), they run eight values at a time.
    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) {
        let (visible, hidden) = self.row.split_at_mut(self.seen);
        // Eight lanes each for the maximum and the sum: one running value would be a chain the
        // compiler may not reorder into vectors.
        let mut lanes = [f32::NEG_INFINITY; 8];
        let mut whole = visible.chunks_exact(8);
        for c in whole.by_ref() {
            for j in 0..8 {
                lanes[j] = lanes[j].max(c[j]);
            }
        }
        let max = whole.remainder().iter().fold(lanes[0], |m, &v| m.max(v));
        let max = lanes.iter().fold(max, |m, &v| m.max(v));
        for v in visible.iter_mut() {
            *v = exp_nonpositive(*v - max);
        }
        let mut lanes = [0f32; 8];
        let mut whole = visible.chunks_exact(8);
        for c in whole.by_ref() {
            for j in 0..8 {
                lanes[j] += c[j];
            }
        }
        let sum = lanes.iter().sum::<f32>() + whole.remainder().iter().sum::<f32>();
        let scale = 1.0 / sum;
        for v in visible.iter_mut() {
            *v *= scale;
        }
        for v in hidden.iter_mut() {
            *v = 0.0;
        }
    }
}

/// e^x for x ≤ 0 (a score less the row's maximum), within 2 ulp: x = n·ln 2 + r with |r| ≤ ln 2 / 2,
/// e^r by its degree-6 Taylor polynomial (Cephes' `expf` coefficients), 2ⁿ put into the exponent.
/// Below −87 (e^x under f32's smallest normal) it gives 0.
#[inline(always)]
pub(crate) fn exp_nonpositive(x: f32) -> f32 {
    const LOG2_E: f32 = std::f32::consts::LOG2_E;
    const LN2_HI: f32 = 0.693_359_4;
    const LN2_LO: f32 = -2.121_944_4e-4;
    let x = x.max(-87.0);
    let n = (x * LOG2_E + 0.5).floor();
    let r = x - n * LN2_HI - n * LN2_LO;
    let p = 1.987_569_1e-4_f32;
    let p = p * r + 1.398_199_9e-3;
    let p = p * r + 8.333_452e-3;
    let p = p * r + 4.166_579_6e-2;
    let p = p * r + 1.666_666_5e-1;
    let p = p * r + 5e-1;
    let e = p * r * r + r + 1.0;
    // n is in −126..=0 here, so 127 + n is a valid biased exponent.
    e * f32::from_bits(((n as i32 + 127) as u32) << 23)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_is_within_two_ulp_of_the_library_s() {
        let mut x = -87.0f32;
        while x <= 0.0 {
            let (got, want) = (exp_nonpositive(x), x.exp());
            assert!(
                (got - want).abs() <= 2.0 * f32::EPSILON * want,
                "exp({x}) = {got}, library {want}"
            );
            x += 0.001_7;
        }
        assert_eq!(exp_nonpositive(-200.0), exp_nonpositive(-87.0));
    }

    #[test]
    fn rows_are_the_softmax_of_their_visible_scores() {
        let keys = 37;
        let mut scores: Vec<f32> = (0..5 * keys).map(|i| ((i * 7) % 23) as f32 * 0.3).collect();
        let want: Vec<Vec<f32>> = scores
            .chunks(keys)
            .enumerate()
            .map(|(r, row)| {
                let seen = r * 9 + 1;
                let max = row[..seen]
                    .iter()
                    .copied()
                    .fold(f32::NEG_INFINITY, f32::max);
                let total: f64 = row[..seen].iter().map(|&s| f64::from(s - max).exp()).sum();
                (0..keys)
                    .map(|j| {
                        if j < seen {
                            (f64::from(row[j] - max).exp() / total) as f32
                        } else {
                            0.0
                        }
                    })
                    .collect()
            })
            .collect();
        causal_softmax(&mut scores, keys, |r| r * 9 + 1);
        for (r, (got, want)) in scores.chunks(keys).zip(&want).enumerate() {
            for (j, (a, b)) in got.iter().zip(want).enumerate() {
                assert!((a - b).abs() <= 1e-6, "row {r} key {j}: {a} vs {b}");
            }
            let total: f32 = got.iter().sum();
            assert!((total - 1.0).abs() < 1e-5, "row {r} sums to {total}");
        }
    }
}
