//! The figures compared between models, as one enum: every array of figures is indexed by it, never by
//! position.

use serde::{Deserialize, Serialize};

/// A figure compared between models. Keys are used in `data-testid="pill-<key>-<model>"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Metric {
    /// Next-token accuracy, a fraction.
    Accuracy,
    /// Loss, nats per token.
    Loss,
    /// Average log-likelihood, nats per token.
    AvgLoglik,
    /// Bits per byte.
    Bpb,
}

impl Metric {
    /// The metric's position in [`Metric::ALL`], the index of per-metric arrays.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Every metric, in pill order.
    pub const ALL: [Metric; 4] = [
        Metric::Accuracy,
        Metric::Loss,
        Metric::AvgLoglik,
        Metric::Bpb,
    ];

    /// `accuracy`, `loss`, `avg-loglik` or `bpb`.
    pub fn key(self) -> &'static str {
        match self {
            Metric::Accuracy => "accuracy",
            Metric::Loss => "loss",
            Metric::AvgLoglik => "avg-loglik",
            Metric::Bpb => "bpb",
        }
    }

    /// A label for a person.
    pub fn label(self) -> &'static str {
        match self {
            Metric::Accuracy => "Accuracy",
            Metric::Loss => "Loss",
            Metric::AvgLoglik => "Avg log-likelihood",
            Metric::Bpb => "Bits per byte",
        }
    }

    /// The unit of the value and its difference.
    pub fn unit(self) -> &'static str {
        match self {
            Metric::Accuracy => "fraction of tokens",
            Metric::Loss | Metric::AvgLoglik => "nats/token",
            Metric::Bpb => "bits/byte",
        }
    }

    /// Whether a higher value is better (accuracy, average log-likelihood) or a lower one (loss, bpb).
    pub fn higher_is_better(self) -> bool {
        matches!(self, Metric::Accuracy | Metric::AvgLoglik)
    }

    /// The difference as the pill shows it: accuracy in points (`+13%`), loss and average
    /// log-likelihood with two decimals (`-0.56`), bits per byte with three.
    pub fn format_delta(self, delta: f64) -> String {
        match self {
            Metric::Accuracy => {
                let points = delta * 100.0;
                let decimals = if points.abs() >= 9.95 { 0 } else { 1 };
                format!("{}%", signed(points, decimals))
            }
            Metric::Loss | Metric::AvgLoglik => signed(delta, 2),
            Metric::Bpb => signed(delta, 3),
        }
    }
}

/// `+1.23`, `-0.56`, and `0.00` (never `-0.00`): how a difference is written everywhere on the page.
pub fn signed(value: f64, decimals: usize) -> String {
    let text = format!("{:.*}", decimals, value.abs());
    if text.bytes().all(|b| b == b'0' || b == b'.') {
        text
    } else if value < 0.0 {
        format!("-{text}")
    } else {
        format!("+{text}")
    }
}
