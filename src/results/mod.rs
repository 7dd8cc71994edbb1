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

use crate::state::use_dashboard;
pub use distribution::DistributionTable;
pub use figures::FiguresTable;
pub use focus::open_snippet;
use leptos::prelude::*;
use likely_core::bootstrap::{PROVISIONAL_RESAMPLES, RESAMPLES};
use likely_core::Evaluation;
pub use moved::MovedPanels;
pub use pills::{verdict_class, verdict_words, PillsPanel};
pub use progress::{FailuresList, ProgressPanel};

/// Figures of the shown evaluation that need the paired bootstrap, computed by `figures` with a tenth
/// of the resamples while a run goes on (provisional intervals at a tenth of the cost, at every
/// publication) and with all of them once it has ended; the default while there is no evaluation.
fn bootstrapped<T>(figures: impl Fn(&Evaluation, usize) -> T + Send + Sync + 'static) -> Memo<T>
where
    T: Default + PartialEq + Send + Sync + 'static,
{
    let dashboard = use_dashboard();
    Memo::new(move |_| {
        let resamples = if dashboard.running.get() {
            PROVISIONAL_RESAMPLES
        } else {
            RESAMPLES
        };
        dashboard.evaluation.with(|e| {
            e.as_ref()
                .map(|e| figures(e, resamples))
                .unwrap_or_default()
        })
    })
}

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
