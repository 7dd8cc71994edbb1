//! The per-snippet table of one custom model against the baseline: per snippet both models' average
//! log-likelihood (the same values as the per-snippet chart, [`crate::views::chart_data::snippet_deltas`]),
//! their difference, the difference of the summed log-likelihoods and its share of the total; the
//! orders the table can be sorted in and its text filter.
//!
//! **Share of the total**: a snippet's Δ summed log-likelihood (custom − baseline, over its scored
//! tokens) divided by the Δ summed over every snippet of the table. The shares add up to 1; a snippet
//! whose share has the opposite sign of the total moved against the overall change. When the total is
//! zero there is no share.

use crate::evaluation::Evaluation;
use crate::figures::sums::Sums;
use crate::views::chart_data::snippet_deltas;
use serde::Serialize;
use std::cmp::Ordering;

/// One snippet scored by both models.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SnippetRow {
    /// The snippet's index in the set (0-based).
    pub snippet: usize,
    /// `#3`, or `#3 set.jsonl:12` for a snippet from a file (as the per-snippet chart names it).
    pub label: String,
    /// The baseline's scored tokens in this snippet.
    pub baseline_tokens: usize,
    /// The custom model's scored tokens in this snippet.
    pub custom_tokens: usize,
    /// The baseline's average log-likelihood (nats per token).
    pub baseline: f64,
    /// The custom model's.
    pub custom: f64,
    /// Custom − baseline average log-likelihood.
    pub delta: f64,
    /// Custom − baseline summed log-likelihood (nats).
    pub delta_sum: f64,
    /// `delta_sum` over the table's total Δ sum; `None` when that total is zero.
    pub share: Option<f64>,
}

/// The table of one custom model against the baseline, rows in the snippets' order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SnippetTable {
    /// The baseline's name.
    pub baseline: String,
    /// The custom model's name.
    pub custom: String,
    /// One row per snippet both scored.
    pub rows: Vec<SnippetRow>,
    /// Custom − baseline summed log-likelihood over every row (nats), the shares' denominator.
    pub total_delta_sum: f64,
}

/// The table of `custom` against the baseline of `evaluation` (empty rows when nothing is shared).
pub fn snippet_table(evaluation: &Evaluation, custom: &str) -> SnippetTable {
    let baseline = &evaluation.baseline.model.name;
    let sums = |model: &str, snippet: usize| {
        evaluation
            .result(model, snippet)
            .map(|r| Sums::of(&r.tokens))
            .unwrap_or_default()
    };
    let mut rows: Vec<SnippetRow> = snippet_deltas(evaluation, custom)
        .into_iter()
        .filter(|d| d.delta.is_finite())
        .map(|d| {
            let (b, c) = (sums(baseline, d.snippet), sums(custom, d.snippet));
            SnippetRow {
                snippet: d.snippet,
                label: d.label,
                baseline_tokens: b.tokens as usize,
                custom_tokens: c.tokens as usize,
                baseline: d.baseline,
                custom: d.custom,
                delta: d.delta,
                delta_sum: c.loglik - b.loglik,
                share: None,
            }
        })
        .collect();
    let total_delta_sum: f64 = rows.iter().map(|r| r.delta_sum).sum();
    if total_delta_sum != 0.0 && total_delta_sum.is_finite() {
        for row in &mut rows {
            row.share = Some(row.delta_sum / total_delta_sum);
        }
    }
    SnippetTable {
        baseline: baseline.clone(),
        custom: custom.to_string(),
        rows,
        total_delta_sum,
    }
}

/// One table per custom model, in the custom models' order.
pub fn snippet_tables(evaluation: &Evaluation) -> Vec<SnippetTable> {
    evaluation
        .custom
        .iter()
        .map(|run| snippet_table(evaluation, &run.model.name))
        .collect()
}

/// A column the table sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// The snippet's number in the set.
    Snippet,
    /// The custom model's scored tokens.
    Tokens,
    /// The baseline's average log-likelihood.
    Baseline,
    /// The custom model's average log-likelihood.
    Custom,
    /// Custom − baseline average log-likelihood.
    Delta,
    /// The Δ sum's share of the total.
    Share,
}

impl Column {
    /// Every column, in the table's order.
    pub const ALL: [Column; 6] = [
        Column::Snippet,
        Column::Tokens,
        Column::Baseline,
        Column::Custom,
        Column::Delta,
        Column::Share,
    ];

    /// `snippet`, `tokens`, `baseline`, `custom`, `delta` or `share` (for `data-testid`s).
    pub fn key(self) -> &'static str {
        match self {
            Column::Snippet => "snippet",
            Column::Tokens => "tokens",
            Column::Baseline => "baseline",
            Column::Custom => "custom",
            Column::Delta => "delta",
            Column::Share => "share",
        }
    }

    /// The direction a first click on the column sorts in: the snippet's number and Δ ascending (Δ:
    /// the worst regressions first), the others largest first.
    pub fn first_direction(self) -> Direction {
        match self {
            Column::Snippet | Column::Delta => Direction::Ascending,
            _ => Direction::Descending,
        }
    }

    /// The row's value in this column; `None` sorts last in either direction.
    fn value(self, row: &SnippetRow) -> Option<f64> {
        match self {
            Column::Snippet => Some(row.snippet as f64),
            Column::Tokens => Some(row.custom_tokens as f64),
            Column::Baseline => Some(row.baseline),
            Column::Custom => Some(row.custom),
            Column::Delta => Some(row.delta),
            Column::Share => row.share,
        }
    }
}

/// Which way a column is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Smallest first.
    Ascending,
    /// Largest first.
    Descending,
}

impl Direction {
    /// `ascending` or `descending`, as `aria-sort` says it.
    pub fn aria(self) -> &'static str {
        match self {
            Direction::Ascending => "ascending",
            Direction::Descending => "descending",
        }
    }

    fn flipped(self) -> Direction {
        match self {
            Direction::Ascending => Direction::Descending,
            Direction::Descending => Direction::Ascending,
        }
    }
}

/// How the table is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Order {
    /// The column.
    pub column: Column,
    /// The direction.
    pub direction: Direction,
}

impl Default for Order {
    /// The worst regressions first: Δ ascending.
    fn default() -> Self {
        Order {
            column: Column::Delta,
            direction: Direction::Ascending,
        }
    }
}

impl Order {
    /// The order after a click on `column`'s header: the other direction on the sorted column, the
    /// column's first direction on another.
    pub fn clicked(self, column: Column) -> Order {
        if column == self.column {
            Order {
                column,
                direction: self.direction.flipped(),
            }
        } else {
            Order {
                column,
                direction: column.first_direction(),
            }
        }
    }

    /// How `a` and `b` compare in this order; ties in the snippets' order.
    pub fn compare(self, a: &SnippetRow, b: &SnippetRow) -> Ordering {
        let by_value = match (self.column.value(a), self.column.value(b)) {
            (Some(x), Some(y)) => match self.direction {
                Direction::Ascending => x.total_cmp(&y),
                Direction::Descending => y.total_cmp(&x),
            },
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        by_value.then(a.snippet.cmp(&b.snippet))
    }
}

/// The positions in `rows` of the rows `keep` accepts, in `order`.
pub fn sorted_positions(
    rows: &[SnippetRow],
    order: Order,
    keep: impl Fn(&SnippetRow) -> bool,
) -> Vec<usize> {
    let mut positions: Vec<usize> = (0..rows.len()).filter(|&i| keep(&rows[i])).collect();
    positions.sort_by(|&a, &b| order.compare(&rows[a], &rows[b]));
    positions
}

/// Whether a snippet with `text` and `label` matches the filter `query`: every word of the query
/// appears in the text or the label, ignoring case; an empty query matches everything.
pub fn matches_query(text: &str, label: &str, query: &str) -> bool {
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    if words.is_empty() {
        return true;
    }
    let text = text.to_lowercase();
    let label = label.to_lowercase();
    words
        .iter()
        .all(|w| text.contains(w.as_str()) || label.contains(w.as_str()))
}

/// The start of `text` for a table cell: whitespace runs as one space, at most `chars` characters,
/// `…` when cut.
pub fn snippet_start(text: &str, chars: usize) -> String {
    let mut out = String::new();
    let mut taken = 0;
    for word in text.split_whitespace() {
        if taken > 0 {
            if taken == chars {
                out.push('…');
                return out;
            }
            out.push(' ');
            taken += 1;
        }
        for c in word.chars() {
            if taken == chars {
                out.push('…');
                return out;
            }
            out.push(c);
            taken += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::results::Outcome;
    use crate::evaluation::tests::{result, two_models};
    use crate::views::chart_data::snippet_deltas;
    use proptest::prelude::*;

    const B: &str = "base-light";
    const C: &str = "custom-base-light";

    fn scored(e: &mut Evaluation, model: &str, snippet: usize, logprobs: &[f64]) {
        let words: Vec<String> = (0..=logprobs.len()).map(|i| format!("w{i}")).collect();
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        e.set_outcome(model, snippet, Outcome::Scored(result(&words, logprobs)))
            .unwrap();
    }

    /// Three snippets: #0 better (+1 per token), #1 worse (−0.5 per token over 4), #2 only baseline.
    fn evaluation() -> Evaluation {
        let mut e = two_models(3);
        scored(&mut e, B, 0, &[-2.0, -4.0]);
        scored(&mut e, C, 0, &[-1.0, -3.0]);
        scored(&mut e, B, 1, &[-1.0, -1.0, -1.0, -1.0]);
        scored(&mut e, C, 1, &[-1.5, -1.5, -1.5, -1.5]);
        scored(&mut e, B, 2, &[-1.0]);
        e
    }

    #[test]
    fn rows_hold_averages_deltas_sums_and_shares() {
        let table = snippet_table(&evaluation(), C);
        assert_eq!((table.baseline.as_str(), table.custom.as_str()), (B, C));
        assert_eq!(table.rows.len(), 2, "only snippets both scored");
        let (good, bad) = (&table.rows[0], &table.rows[1]);
        assert_eq!((good.baseline, good.custom, good.delta), (-3.0, -2.0, 1.0));
        assert_eq!((good.baseline_tokens, good.custom_tokens), (2, 2));
        assert_eq!((bad.delta, bad.delta_sum), (-0.5, -2.0));
        assert_eq!(good.delta_sum, 2.0);
        assert_eq!(table.total_delta_sum, 0.0);
        assert_eq!(good.share, None, "no share of a zero total");
        assert_eq!(good.label, "#1");
    }

    #[test]
    fn shares_add_up_to_one_and_keep_their_sign() {
        let mut e = evaluation();
        scored(&mut e, C, 2, &[0.0]);
        let table = snippet_table(&e, C);
        assert_eq!(table.total_delta_sum, 1.0);
        let shares: Vec<f64> = table.rows.iter().map(|r| r.share.unwrap()).collect();
        assert_eq!(shares, [2.0, -2.0, 1.0]);
        assert_eq!(snippet_tables(&e).len(), 1);
    }

    #[test]
    fn the_table_agrees_with_the_chart_exactly() {
        let e = evaluation();
        let chart = snippet_deltas(&e, C);
        let table = snippet_table(&e, C);
        for (row, point) in table.rows.iter().zip(&chart) {
            assert_eq!(row.delta.to_bits(), point.delta.to_bits());
            assert_eq!(row.snippet, point.snippet);
        }
    }

    #[test]
    fn default_order_puts_the_worst_regression_first() {
        let mut e = evaluation();
        scored(&mut e, C, 2, &[-3.0]);
        let table = snippet_table(&e, C);
        let order = Order::default();
        let first = sorted_positions(&table.rows, order, |_| true);
        let snippets: Vec<usize> = first.iter().map(|&p| table.rows[p].snippet).collect();
        assert_eq!(snippets, [2, 1, 0]);
        let flipped = order.clicked(Column::Delta);
        assert_eq!(flipped.direction, Direction::Descending);
        let best: Vec<usize> = sorted_positions(&table.rows, flipped, |_| true)
            .iter()
            .map(|&p| table.rows[p].snippet)
            .collect();
        assert_eq!(best, [0, 1, 2]);
        let by_number = flipped.clicked(Column::Snippet);
        assert_eq!(by_number.direction, Direction::Ascending);
        assert_eq!(
            by_number.clicked(Column::Tokens).direction.aria(),
            "descending"
        );
        let kept = sorted_positions(&table.rows, order, |r| r.snippet != 2);
        assert_eq!(kept.len(), 2);
    }

    #[test]
    fn missing_shares_sort_last_both_ways() {
        let table = snippet_table(&evaluation(), C);
        for direction in [Direction::Ascending, Direction::Descending] {
            let order = Order {
                column: Column::Share,
                direction,
            };
            let positions = sorted_positions(&table.rows, order, |_| true);
            assert_eq!(
                positions,
                [0, 1],
                "ties (no share) keep the snippets' order"
            );
        }
    }

    #[test]
    fn the_filter_matches_words_of_text_or_label_ignoring_case() {
        assert!(matches_query("To be, or NOT to be", "#1", "not BE"));
        assert!(matches_query("anything", "#12 set.txt:40", "set.txt:40"));
        assert!(!matches_query("To be", "#1", "be sleep"));
        assert!(matches_query("x", "#1", "   "));
    }

    #[test]
    fn the_start_collapses_whitespace_and_is_cut() {
        assert_eq!(snippet_start("  To\n\tbe,   or", 40), "To be, or");
        assert_eq!(snippet_start("To be, or not", 5), "To be…");
        assert_eq!(snippet_start("To be", 2), "To…");
        assert_eq!(snippet_start("To be", 5), "To be");
        assert_eq!(snippet_start("", 5), "");
    }

    proptest! {
        #[test]
        fn sorting_is_a_permutation_in_order(deltas in proptest::collection::vec(-50.0f64..50.0, 0..40)) {
            let mut e = two_models(deltas.len());
            for (i, d) in deltas.iter().enumerate() {
                scored(&mut e, B, i, &[-60.0]);
                scored(&mut e, C, i, &[-60.0 + d]);
            }
            let table = snippet_table(&e, C);
            let positions = sorted_positions(&table.rows, Order::default(), |_| true);
            let mut seen = positions.clone();
            seen.sort_unstable();
            prop_assert_eq!(seen, (0..table.rows.len()).collect::<Vec<_>>());
            for pair in positions.windows(2) {
                prop_assert!(table.rows[pair[0]].delta <= table.rows[pair[1]].delta);
            }
            if table.total_delta_sum.abs() > 1.0 {
                let total: f64 = table.rows.iter().filter_map(|r| r.share).sum();
                prop_assert!((total - 1.0).abs() < 1e-9, "shares add up to {}", total);
            }
        }
    }
}
