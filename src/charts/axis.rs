//! Pure helpers shared by the charts: axis ranges, tick and caption number formats (with a true minus
//! sign), and the even thinning of very many points.

use likely_core::rules::MIN_LOGPROB;

/// A number with `decimals` decimals, negative values with U+2212 MINUS SIGN; `-0` shows as `0`.
pub fn number(value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    let is_zero = text
        .trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.');
    match text.strip_prefix('-') {
        Some(rest) if !is_zero => format!("\u{2212}{rest}"),
        Some(rest) => rest.to_string(),
        None => text,
    }
}

/// A count with thousands separated by commas: `12,345`.
pub fn count(value: usize) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A share as a whole percentage: `63%`.
pub fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        return "n/a".into();
    }
    format!("{:.0}%", 100.0 * part as f64 / whole as f64)
}

/// Names in prose: `a`, `a and b`, `a, b and c`.
pub fn list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [only] => (*only).to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Decimals that tick labels need on an axis spanning `span`.
pub fn decimals_for(span: f64) -> usize {
    if span >= 10.0 {
        0
    } else if span >= 1.0 {
        1
    } else {
        2
    }
}

/// The square range of the scatter, shared by both axes: from below the lowest value, on a whole nat,
/// to a little above 0 so that points at 0 do not sit on the frame. Never below the lowest valid
/// log-likelihood ([`MIN_LOGPROB`]), whatever the values.
pub fn scatter_range(values: impl IntoIterator<Item = f64>) -> (f64, f64) {
    let lowest = values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(0.0_f64, f64::min)
        .max(MIN_LOGPROB);
    ((lowest - 0.5).floor().min(-1.0), 0.5)
}

/// A symmetric extent around zero for differences: a tenth above the largest magnitude, at least 0.1,
/// and at most a tenth above the largest difference two valid log-likelihoods can have.
pub fn symmetric_extent(values: impl IntoIterator<Item = f64>) -> f64 {
    let largest = values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(0.0_f64, |m, v| m.max(v.abs()))
        .min(-MIN_LOGPROB);
    (largest * 1.1).max(0.1)
}

/// At most `max` of `items`, evenly spread and in order (all of them when there are few enough).
pub fn thin<T: Copy>(items: &[T], max: usize) -> Vec<T> {
    if items.len() <= max {
        return items.to_vec();
    }
    (0..max).map(|i| items[i * items.len() / max]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_use_a_true_minus_and_no_negative_zero() {
        assert_eq!(number(-2.5, 1), "\u{2212}2.5");
        assert_eq!(number(-0.001, 1), "0.0");
        assert_eq!(number(-0.0, 0), "0");
        assert_eq!(number(1.23456, 2), "1.23");
        assert_eq!(number(-15.0, 0), "\u{2212}15");
    }

    #[test]
    fn counts_and_percentages() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(1234567), "1,234,567");
        assert_eq!(percent(63, 100), "63%");
        assert_eq!(percent(2, 3), "67%");
        assert_eq!(percent(1, 0), "n/a");
    }

    #[test]
    fn lists_read_as_prose() {
        assert_eq!(list(&[]), "");
        assert_eq!(list(&["a"]), "a");
        assert_eq!(list(&["a", "b"]), "a and b");
        assert_eq!(list(&["a", "b", "c"]), "a, b and c");
    }

    #[test]
    fn decimals_follow_the_span() {
        assert_eq!(decimals_for(20.0), 0);
        assert_eq!(decimals_for(3.0), 1);
        assert_eq!(decimals_for(0.3), 2);
    }

    #[test]
    fn scatter_range_covers_the_lowest_value_and_zero() {
        assert_eq!(scatter_range([-3.2, -0.1, 0.0]), (-4.0, 0.5));
        assert_eq!(scatter_range([-12.0]), (-13.0, 0.5));
        assert_eq!(scatter_range([-0.2]), (-1.0, 0.5));
        assert_eq!(scatter_range([f64::NEG_INFINITY, -2.0]), (-3.0, 0.5));
        assert_eq!(scatter_range([]), (-1.0, 0.5));
    }

    #[test]
    fn symmetric_extent_has_headroom_and_a_floor() {
        assert!((symmetric_extent([-2.0, 1.0]) - 2.2).abs() < 1e-12);
        assert_eq!(symmetric_extent([0.0]), 0.1);
        assert_eq!(symmetric_extent([f64::NAN]), 0.1);
    }

    /// Whether plotters finds the tick marks of `low..high` within a few seconds (its search runs on a
    /// thread that is left behind when it does not end).
    fn ticks_are_found(low: f64, high: f64) -> bool {
        use plotters::coord::ranged1d::Ranged;
        use plotters::coord::types::RangedCoordf64;
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let ticks = RangedCoordf64::from(low..high).key_points(10usize).len();
            let _ = sender.send(ticks);
        });
        receiver
            .recv_timeout(std::time::Duration::from_secs(3))
            .is_ok_and(|ticks| ticks > 0)
    }

    #[test]
    fn absurd_values_give_finite_ranges_whose_ticks_are_found() {
        // Settles the question of hole 5: a difference of 1e308 used to give the axis −1.1e308 to
        // 1.1e308, whose width overflows to infinity, and plotters' tick search then spins forever
        // (it would hang the tab on every reload of a crafted share link).
        assert!(!ticks_are_found(-1.1e308, 1.1e308));
        let extent = symmetric_extent([1e308, -3.0]);
        assert!(extent.is_finite() && extent <= 1.1e4, "{extent}");
        assert!(ticks_are_found(-extent, extent));
        let (low, high) = scatter_range([-1e308, -2.0]);
        assert_eq!(low, MIN_LOGPROB - 1.0);
        assert!(ticks_are_found(low, high));
    }

    #[test]
    fn thinning_keeps_order_and_spread() {
        let items: Vec<usize> = (0..10).collect();
        assert_eq!(thin(&items, 20), items);
        assert_eq!(thin(&items, 5), [0, 2, 4, 6, 8]);
        assert_eq!(thin(&items, 3), [0, 3, 6]);
        assert!(thin(&items, 0).is_empty());
    }
}
