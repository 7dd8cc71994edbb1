//! The paired bootstrap behind the metric pills: resample paired units (snippets, tokens or aligned text
//! segments) with replacement, recompute each metric's custom − baseline difference from the resampled
//! sums, and take the 2.5th and 97.5th percentiles.
//!
//! Units inside one text (tokens, segments) are first grouped into blocks of `block_len(n)` =
//! round(n^(1/3)) consecutive units, and the blocks are resampled (Carlstein's non-overlapping block
//! bootstrap): neighbouring tokens share context, and blocks keep that dependence, where resampling
//! single tokens would give too narrow an interval. It is also what makes long texts cheap: 100,000
//! tokens become 2,174 blocks, whose sums fit in the processor's cache. Snippets are independent and
//! are resampled one by one.
//!
//! Deterministic: the random stream is PCG-XSH-RR 64/32 (`rand_pcg::Pcg32`) with a fixed seed, and
//! indices are drawn with Lemire's unbiased bounded method, so the same evaluation gives the same
//! interval on every machine and in every browser (a share link reproduces the exact numbers).
//! `Pcg32` was chosen over `Pcg64Mcg` or ChaCha because it needs only 64-bit multiplies, which
//! WebAssembly has natively (128-bit ones are emulated), and its output is value-stable by
//! specification.

use crate::figures::sums::Sums;
use rand_pcg::rand_core::Rng;
use rand_pcg::Pcg32;

/// Resamples per interval: every interval the pills show once a run has ended, the CLI's and a
/// share link's.
pub const RESAMPLES: usize = 2_000;
/// Resamples per interval while a run is still adding answers: the live pills are recomputed a few
/// times a second over every snippet so far, and a tenth of the resamples is a tenth of that cost. The
/// same random stream, so these are the first 200 of the final 2,000.
pub const PROVISIONAL_RESAMPLES: usize = 200;
/// The fixed seed (the state of the PCG stream): "Likely" in ASCII.
pub const SEED: u64 = 0x4c69_6b65_6c79;
/// The PCG stream selector.
const STREAM: u64 = 0x0a02_bdbf_7bb3_c0a7;
/// The interval's coverage.
pub const LEVEL: f64 = 0.95;

/// A unit of resampling: the baseline's and the custom model's sums over the same text.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Pair {
    /// The baseline's sums.
    pub baseline: Sums,
    /// The custom model's sums.
    pub custom: Sums,
}

/// A confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Interval {
    /// Lower bound.
    pub low: f64,
    /// Upper bound.
    pub high: f64,
}

impl Interval {
    /// Whether zero lies in the interval (bounds included).
    pub fn contains_zero(&self) -> bool {
        self.low <= 0.0 && self.high >= 0.0
    }
}

/// round(n^(1/3)), at least 1: the block length for `n` consecutive units of one text.
pub fn block_len(n: usize) -> usize {
    ((n as f64).cbrt().round() as usize).max(1)
}

/// `units` summed in consecutive blocks of `block` (the last may be shorter).
pub fn blocks(units: &[Pair], block: usize) -> Vec<Pair> {
    units
        .chunks(block.max(1))
        .map(|chunk| {
            chunk.iter().fold(Pair::default(), |mut sum, unit| {
                sum.baseline.add(&unit.baseline);
                sum.custom.add(&unit.custom);
                sum
            })
        })
        .collect()
}

/// Percentile intervals of each metric's difference over independent `units` (at least two), from
/// `resamples` resamples (at least one), in [`crate::figures::metric::Metric::ALL`] order; `None` for a metric
/// undefined in every resample.
pub fn intervals(units: &[Pair], resamples: usize) -> [Option<Interval>; 4] {
    percentile_intervals(units, resamples, |draws| {
        let (mut baseline, mut custom) = (Sums::default(), Sums::default());
        for unit in draws {
            baseline.add(&unit.baseline);
            custom.add(&unit.custom);
        }
        Sums::deltas(&baseline, &custom)
    })
}

/// Percentile intervals of `N` ratios over independent `units` (at least two), from `resamples`
/// resamples: each unit holds `N` numerators and one denominator, and a resample's statistic `i` is
/// the sum of its units' numerators `i` over the sum of their denominators (`None` where that sum is
/// 0). The same random stream as [`intervals`], so results are as reproducible.
pub fn ratio_intervals<const N: usize>(
    units: &[([f64; N], f64)],
    resamples: usize,
) -> [Option<Interval>; N] {
    percentile_intervals(units, resamples, |draws| {
        let mut sums = [0.0; N];
        let mut denominator = 0.0;
        for (numerators, weight) in draws {
            for (sum, value) in sums.iter_mut().zip(numerators) {
                *sum += value;
            }
            denominator += weight;
        }
        if denominator > 0.0 {
            sums.map(|sum| Some(sum / denominator))
        } else {
            [None; N]
        }
    })
}

/// The resampling both kinds of interval share: `resamples` times, `statistics` reads `units.len()`
/// units drawn with replacement (from one fixed random stream) and gives `N` values (`None` where
/// undefined); each interval is the percentiles of its defined values, `None` when there are none or
/// fewer than two units.
fn percentile_intervals<U, const N: usize>(
    units: &[U],
    resamples: usize,
    mut statistics: impl FnMut(&mut dyn Iterator<Item = &U>) -> [Option<f64>; N],
) -> [Option<Interval>; N] {
    let Ok(count) = u32::try_from(units.len()) else {
        return [None; N];
    };
    if count < 2 || resamples == 0 {
        return [None; N];
    }
    let mut rng = Pcg32::new(SEED, STREAM);
    let mut samples: [Vec<f64>; N] = std::array::from_fn(|_| Vec::with_capacity(resamples));
    for _ in 0..resamples {
        let mut draws = (0..count).map(|_| &units[below(&mut rng, count) as usize]);
        for (sample, value) in samples.iter_mut().zip(statistics(&mut draws)) {
            sample.extend(value);
        }
    }
    samples.map(|mut sample| {
        if sample.is_empty() {
            return None;
        }
        sample.sort_by(f64::total_cmp);
        let tail = (1.0 - LEVEL) / 2.0;
        Some(Interval {
            low: quantile(&sample, tail),
            high: quantile(&sample, 1.0 - tail),
        })
    })
}

/// A uniform integer in `0..n` (n > 0), without bias (Lemire 2019).
fn below(rng: &mut Pcg32, n: u32) -> u32 {
    let mut product = u64::from(rng.next_u32()) * u64::from(n);
    if (product as u32) < n {
        let threshold = n.wrapping_neg() % n;
        while (product as u32) < threshold {
            product = u64::from(rng.next_u32()) * u64::from(n);
        }
    }
    (product >> 32) as u32
}

/// The `q` quantile of sorted, non-empty `sorted`, interpolating linearly between order statistics.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    let position = q * (sorted.len() - 1) as f64;
    let lower = position.floor() as usize;
    let upper = (lower + 1).min(sorted.len() - 1);
    let fraction = position - lower as f64;
    sorted[lower] + (sorted[upper] - sorted[lower]) * fraction
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::figures::metric::Metric;

    fn sums(loglik: f64, tokens: f64) -> Sums {
        Sums {
            loglik,
            tokens,
            bytes: tokens * 4.0,
            correct: 0.0,
            known: 0.0,
        }
    }

    #[test]
    fn below_stays_in_range_and_covers_it() {
        let mut rng = Pcg32::new(SEED, STREAM);
        let mut seen = [0usize; 7];
        for _ in 0..7_000 {
            seen[below(&mut rng, 7) as usize] += 1;
        }
        assert!(seen.iter().all(|&c| (800..1200).contains(&c)), "{seen:?}");
    }

    #[test]
    fn quantile_interpolates() {
        let v = [0.0, 1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile(&v, 0.0), 0.0);
        assert_eq!(quantile(&v, 1.0), 4.0);
        assert_eq!(quantile(&v, 0.5), 2.0);
        assert!((quantile(&v, 0.025) - 0.1).abs() < 1e-12);
    }

    #[test]
    fn a_clear_improvement_excludes_zero_and_is_deterministic() {
        let units: Vec<Pair> = (0..30)
            .map(|i| Pair {
                baseline: sums(-3.0 - (i % 5) as f64 * 0.1, 10.0),
                custom: sums(-2.0 - (i % 3) as f64 * 0.1, 10.0),
            })
            .collect();
        let first = intervals(&units, RESAMPLES);
        assert_eq!(
            first,
            intervals(&units, RESAMPLES),
            "same input, same interval"
        );
        let avg = first[Metric::AvgLoglik.index()].unwrap();
        assert!(avg.low > 0.0 && avg.high < 0.2, "{avg:?}");
        let loss = first[Metric::Loss.index()].unwrap();
        assert!((loss.low + avg.high).abs() < 1e-12 && (loss.high + avg.low).abs() < 1e-12);
        assert_eq!(
            first[Metric::Accuracy.index()],
            None,
            "no known top choice, no accuracy interval"
        );
    }

    #[test]
    fn noise_around_zero_contains_zero() {
        let units: Vec<Pair> = (0..40)
            .map(|i| {
                let d = if i % 2 == 0 { 0.3 } else { -0.3 };
                Pair {
                    baseline: sums(-3.0, 10.0),
                    custom: sums(-3.0 + d, 10.0),
                }
            })
            .collect();
        assert!(intervals(&units, RESAMPLES)[Metric::AvgLoglik.index()]
            .unwrap()
            .contains_zero());
    }

    #[test]
    fn blocks_sum_consecutive_units() {
        let units: Vec<Pair> = (1..=5)
            .map(|i| Pair {
                baseline: sums(-(i as f64), 1.0),
                custom: Sums::default(),
            })
            .collect();
        let b = blocks(&units, 2);
        assert_eq!(b.len(), 3);
        assert_eq!(b[0].baseline.loglik, -3.0);
        assert_eq!(b[2].baseline.loglik, -5.0);
        assert_eq!(b[2].baseline.tokens, 1.0);
        assert_eq!(block_len(100_000), 46);
        assert_eq!(block_len(2), 1);
        assert_eq!(block_len(0), 1);
    }

    #[test]
    fn blocks_widen_the_interval_of_correlated_units() {
        // Runs of ten identical differences: independent resampling underestimates the spread.
        let units: Vec<Pair> = (0..1000)
            .map(|i| Pair {
                baseline: sums(-3.0, 1.0),
                custom: sums(if (i / 10) % 2 == 0 { -2.0 } else { -4.1 }, 1.0),
            })
            .collect();
        let single = intervals(&units, RESAMPLES)[Metric::AvgLoglik.index()].unwrap();
        let blocked = intervals(&blocks(&units, 10), RESAMPLES)[Metric::AvgLoglik.index()].unwrap();
        assert!(blocked.high - blocked.low > 1.5 * (single.high - single.low));
    }

    #[test]
    fn ratio_intervals_bracket_the_ratio() {
        let units: Vec<([f64; 2], f64)> = (0..50)
            .map(|i| ([0.5 * 10.0 + (i % 3) as f64, 7.0], 10.0))
            .collect();
        let [first, second] = ratio_intervals(&units, RESAMPLES);
        let (first, second) = (first.unwrap(), second.unwrap());
        assert!(
            first.low < 0.6 && first.high > 0.6 && first.high < 0.7,
            "{first:?}"
        );
        assert!((second.low - 0.7).abs() < 1e-12 && (second.high - 0.7).abs() < 1e-12);
        assert_eq!(ratio_intervals(&units[..1], RESAMPLES), [None; 2]);
    }

    #[test]
    fn one_unit_gives_no_interval() {
        assert_eq!(intervals(&[Pair::default()], RESAMPLES), [None; 4]);
    }

    #[test]
    fn provisional_intervals_are_close_to_the_final_ones_and_none_without_resamples() {
        let units: Vec<Pair> = (0..300)
            .map(|i| Pair {
                baseline: sums(-3.0 - (i % 7) as f64 * 0.05, 10.0),
                custom: sums(-2.9 - (i % 11) as f64 * 0.05, 10.0),
            })
            .collect();
        let provisional = intervals(&units, PROVISIONAL_RESAMPLES)[Metric::AvgLoglik.index()];
        let last = intervals(&units, RESAMPLES)[Metric::AvgLoglik.index()];
        let (provisional, last) = (provisional.unwrap(), last.unwrap());
        let width = last.high - last.low;
        assert!(
            (provisional.low - last.low).abs() < 0.2 * width
                && (provisional.high - last.high).abs() < 0.2 * width,
            "{provisional:?} against {last:?}"
        );
        assert_eq!(intervals(&units, 0), [None; 4]);
    }
}
