//! Modified Kneser-Ney discounts (Chen & Goodman 1998): three per order, estimated from the
//! counts-of-counts of that order's (adjusted) counts.

/// The discounts `D1`, `D2`, `D3+` of one order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Discounts {
    /// Subtracted from n-grams seen once, twice, three or more times.
    pub d: [f64; 3],
}

impl Discounts {
    /// Used when the counts-of-counts cannot give valid discounts (tiny corpora).
    pub const FALLBACK: Discounts = Discounts { d: [0.5, 1.0, 1.5] };

    /// Estimates the discounts from `n[i]` = number of n-grams with adjusted count `i + 1`
    /// (i = 0..4): `Y = n1 / (n1 + 2 n2)`, `Dk = k - (k + 1) Y n(k+1) / nk`.
    /// Falls back to [`Discounts::FALLBACK`] when a count-of-counts is zero or a discount would
    /// leave its range `[0, k]`.
    pub fn estimate(n: [u64; 4]) -> Discounts {
        if n.contains(&0) {
            return Self::FALLBACK;
        }
        let [n1, n2, n3, n4] = n.map(|c| c as f64);
        let y = n1 / (n1 + 2.0 * n2);
        let d = [
            1.0 - 2.0 * y * n2 / n1,
            2.0 - 3.0 * y * n3 / n2,
            3.0 - 4.0 * y * n4 / n3,
        ];
        if d.iter()
            .enumerate()
            .any(|(i, &x)| !(x > 0.0 && x < (i + 1) as f64))
        {
            return Self::FALLBACK;
        }
        Discounts { d }
    }

    /// Counts-of-counts `n1..n4` of a list of adjusted counts.
    pub fn count_of_counts(counts: impl IntoIterator<Item = u32>) -> [u64; 4] {
        let mut n = [0u64; 4];
        for c in counts {
            if (1..=4).contains(&c) {
                n[c as usize - 1] += 1;
            }
        }
        n
    }

    /// The discount for an n-gram with adjusted count `count` (0 for unseen).
    #[inline]
    pub fn for_count(&self, count: u32) -> f64 {
        match count {
            0 => 0.0,
            1 => self.d[0],
            2 => self.d[1],
            _ => self.d[2],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chen_goodman_formula() {
        let d = Discounts::estimate([100, 40, 20, 10]);
        let y = 100.0 / 180.0;
        assert!((d.d[0] - (1.0 - 2.0 * y * 0.4)).abs() < 1e-12);
        assert!((d.d[1] - (2.0 - 3.0 * y * 0.5)).abs() < 1e-12);
        assert!((d.d[2] - (3.0 - 4.0 * y * 0.5)).abs() < 1e-12);
        assert_eq!(Discounts::estimate([3, 0, 1, 1]), Discounts::FALLBACK);
    }
}
