//! The results: progress and failures of the run, the figures per model, the metric pills of each
//! custom model against the baseline (with the whole-distribution figures, `distribution`), and the snippets and token strings that moved most (`moved`).
//! Every shown figure carries its exact value in `data-value`.

mod distribution;
mod figures;
mod focus;
mod learned;
mod moved;
mod pills;
mod progress;
mod snippet_table;

pub use distribution::DistributionTable;
pub use figures::FiguresTable;
pub use focus::open_snippet;
pub use moved::MovedPanels;
pub use pills::{verdict_class, verdict_words, PillsPanel};
pub use progress::{FailuresList, ProgressPanel};

/// A number as a `data-value`: Rust's shortest round-trip form, plain ASCII `-`.
pub fn exact(value: f64) -> String {
    value.to_string()
}

#[cfg(test)]
mod tests {
    use super::exact;

    #[test]
    fn exact_values_round_trip_and_use_ascii_minus() {
        let value = -2.991_234_567_890_123_4_f64;
        assert_eq!(exact(value).parse::<f64>().unwrap(), value);
        assert!(exact(-1.5).starts_with('-'));
    }
}
