//! The histogram of token log-likelihoods: one step line per model, over the shared bins of
//! `likely_core::histogram`, as the share of that model's scored tokens (comparable across tokenizers),
//! with a faint fill under each line.

use super::axis;
use super::canvas::{Area, DrawResult, Look};
use super::palette::model_index;
use likely_core::chart_data::{loglik_histogram, BIN_WIDTH, RANGE_FLOOR};
use likely_core::Evaluation;
use plotters::prelude::*;

/// One model's line.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// The model's name.
    pub model: String,
    /// Its place in the evaluation, for its colour.
    pub index: usize,
    /// Scored tokens.
    pub total: usize,
    /// The step line's corners, (log-likelihood in nats, % of tokens), from 0 % at the low edge to 0 %
    /// at the high edge.
    pub steps: Vec<(f64, f64)>,
}

/// What the histogram shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The x range (nats).
    pub x: (f64, f64),
    /// The highest share of any bin (%).
    pub peak_percent: f64,
    /// One line per model with scored tokens, the baseline first.
    pub lines: Vec<Line>,
    /// Tokens below the lowest edge (counted in the first bin), over all models.
    pub below_range: usize,
}

/// The histogram of `evaluation`, or why there is none.
pub fn plan(evaluation: &Evaluation) -> Result<Plan, String> {
    let histogram = loglik_histogram(evaluation);
    if histogram.series.is_empty() {
        return Err(
            "No scored tokens yet: the histogram appears once a model has scored a snippet.".into(),
        );
    }
    let (Some(&low), Some(&high)) = (histogram.edges.first(), histogram.edges.last()) else {
        return Err("No bins to show.".into());
    };
    let lines: Vec<Line> = histogram
        .series
        .iter()
        .map(|series| {
            let percents: Vec<f64> = series.fractions.iter().map(|f| 100.0 * f).collect();
            Line {
                model: series.model.clone(),
                index: model_index(evaluation.model_names(), &series.model),
                total: series.total,
                steps: steps(&histogram.edges, &percents),
            }
        })
        .collect();
    let peak_percent = lines
        .iter()
        .flat_map(|l| l.steps.iter().map(|p| p.1))
        .fold(0.0, f64::max);
    Ok(Plan {
        x: (low, high),
        peak_percent,
        below_range: histogram.series.iter().map(|s| s.below_range).sum(),
        lines,
    })
}

/// The corners of a step line over bins `edges` with heights `heights` (one fewer than the edges),
/// closed down to 0 at both ends.
pub fn steps(edges: &[f64], heights: &[f64]) -> Vec<(f64, f64)> {
    let mut points = Vec::with_capacity(2 * heights.len() + 2);
    for (i, &height) in heights.iter().enumerate() {
        let (Some(&left), Some(&right)) = (edges.get(i), edges.get(i + 1)) else {
            break;
        };
        if i == 0 {
            points.push((left, 0.0));
        }
        points.push((left, height));
        points.push((right, height));
    }
    if let Some(&(x, _)) = points.last() {
        points.push((x, 0.0));
    }
    points
}

impl Plan {
    /// The canvas's accessible description.
    pub fn aria_label(&self) -> String {
        let models: Vec<&str> = self.lines.iter().map(|l| l.model.as_str()).collect();
        format!(
            "Histogram of token log-likelihoods in nats, share of tokens per {BIN_WIDTH}-nat bin, for {}",
            axis::list(&models)
        )
    }

    /// The caption under the chart.
    pub fn caption(&self) -> String {
        let counts: Vec<String> = self
            .lines
            .iter()
            .map(|l| format!("{}: {} tokens", l.model, axis::count(l.total)))
            .collect();
        let mut caption = format!(
            "Share of each model's scored tokens per {BIN_WIDTH}-nat bin; mass further right means the \
             text was more expected. {}.",
            counts.join("; ")
        );
        if self.below_range > 0 {
            caption.push_str(&format!(
                " {} tokens below {} nats are counted in the leftmost bin.",
                axis::count(self.below_range),
                axis::number(RANGE_FLOOR, 0)
            ));
        }
        caption
    }

    /// Draws the histogram.
    pub fn draw(&self, area: &Area, look: &Look) -> DrawResult {
        let top = (self.peak_percent * 1.12).max(1.0);
        let plot = look.titled(area, "Token log-likelihoods")?;
        let mut chart = look
            .builder(&plot)
            .build_cartesian_2d(self.x.0..self.x.1, 0.0..top)?;
        let x_decimals = axis::decimals_for(self.x.1 - self.x.0);
        let y_decimals = axis::decimals_for(top);
        look.mesh(
            &mut chart,
            ("log-likelihood per token (nats)", "share of tokens (%)"),
            &|v| axis::number(*v, x_decimals),
            &|v| axis::number(*v, y_decimals),
            10,
        )?;
        // A faint fill under each line while there are few; more fills only muddy each other.
        let fill = self.lines.len() <= 2;
        for line in &self.lines {
            let colour = look.series(line.index);
            if fill {
                chart.draw_series(std::iter::once(Polygon::new(
                    line.steps.clone(),
                    colour.mix(0.12).filled(),
                )))?;
            }
            let stroke = colour.stroke_width(look.px(2.0));
            chart
                .draw_series(LineSeries::new(line.steps.iter().copied(), stroke))?
                .label(format!(
                    "{} ({} tokens)",
                    line.model,
                    axis::count(line.total)
                ))
                .legend(look.line_swatch(stroke));
        }
        look.legend(&mut chart, SeriesLabelPosition::UpperLeft)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::test_data::evaluation;

    #[test]
    fn steps_trace_each_bin_and_close_at_zero() {
        let points = steps(&[-1.0, -0.5, 0.0], &[10.0, 30.0]);
        assert_eq!(
            points,
            [
                (-1.0, 0.0),
                (-1.0, 10.0),
                (-0.5, 10.0),
                (-0.5, 30.0),
                (0.0, 30.0),
                (0.0, 0.0)
            ]
        );
        assert!(steps(&[], &[]).is_empty());
    }

    #[test]
    fn one_line_per_model_in_percent() {
        let e = evaluation(&[&[-1.0, -2.0], &[-0.5, -1.5]], &[&[-0.2, -1.2]]);
        let plan = plan(&e).expect("a histogram");
        assert_eq!(plan.lines.len(), 2);
        assert_eq!(plan.lines[0].model, "base");
        assert_eq!((plan.lines[1].index, plan.lines[1].total), (1, 2));
        assert_eq!(plan.x, (-2.0, 0.0));
        assert_eq!(plan.peak_percent, 50.0);
        assert!(plan.caption().contains("base: 4 tokens"));
        assert!(plan.aria_label().contains("base and tuned"));
    }

    #[test]
    fn no_scored_tokens_gives_a_message() {
        let e = evaluation(&[], &[]);
        assert!(plan(&e).is_err());
    }
}
