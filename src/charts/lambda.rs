//! What training chose: the loss of the held-out training documents against the interpolation weight
//! λ of the new data (0 = the base alone), with the chosen λ marked. Drawn once the canvas is mounted
//! and again when the theme changes.

use super::axis;
use super::canvas::{Area, DrawResult, Look};
use super::figure::{still_chart, Labels};
use leptos::prelude::*;
use likely_core::custom_model::LambdaPoint;
use likely_core::Theme;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// What the λ chart shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The curve, by increasing λ.
    pub points: Vec<(f64, f64)>,
    /// The chosen λ and its loss on the curve.
    pub chosen: Option<(f64, f64)>,
    /// The loss axis's range.
    pub loss_range: (f64, f64),
}

/// The plan of `curve` with `lambda` chosen, or why there is nothing to draw.
pub fn plan(curve: &[LambdaPoint], lambda: Option<f64>) -> Result<Plan, String> {
    let mut points: Vec<(f64, f64)> = curve
        .iter()
        .filter(|p| p.lambda.is_finite() && p.loss.is_finite())
        .map(|p| (p.lambda, p.loss))
        .collect();
    if points.is_empty() {
        return Err("Training recorded no losses to show.".into());
    }
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
    let chosen = lambda.filter(|l| l.is_finite()).map(|l| {
        let nearest = points
            .iter()
            .min_by(|a, b| (a.0 - l).abs().total_cmp(&(b.0 - l).abs()))
            .map_or(f64::NAN, |p| p.1);
        (l, nearest)
    });
    let (lowest, highest) = points
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
            (lo.min(p.1), hi.max(p.1))
        });
    let pad = ((highest - lowest) * 0.08).max(0.01);
    let (low, high) = (lowest - pad, highest + pad);
    Ok(Plan {
        points,
        chosen,
        loss_range: (low, high),
    })
}

impl Plan {
    fn aria_label(&self) -> String {
        match self.chosen {
            Some((l, loss)) => format!(
                "Held-out loss against the weight of the new data, from {} points; the chosen weight {:.3} gives {:.3} nats per token",
                self.points.len(),
                l,
                loss
            ),
            None => format!("Held-out loss against the weight of the new data, {} points", self.points.len()),
        }
    }

    fn draw(&self, area: &Area, look: &Look) -> DrawResult {
        let below = look.titled(area, "What training chose")?;
        let (low, high) = self.loss_range;
        let mut chart = look
            .builder(&below)
            .build_cartesian_2d(0.0..1.0, low..high)?;
        let decimals = axis::decimals_for(high - low);
        look.mesh(
            &mut chart,
            ("λ, weight of the new data", "held-out loss (nats/token)"),
            &|v| axis::number(*v, 1),
            &|v| axis::number(*v, decimals),
            6,
        )?;
        let colour = look.series(1);
        chart.draw_series(LineSeries::new(
            self.points.iter().copied(),
            colour.stroke_width(look.px(2.0)),
        ))?;
        chart.draw_series(
            self.points
                .iter()
                .map(|&p| Circle::new(p, look.px(2.5), colour.filled())),
        )?;
        if let Some((l, loss)) = self.chosen {
            let marker = look.series(0);
            chart.draw_series(LineSeries::new(
                [(l, low), (l, high)],
                marker.stroke_width(look.px(1.5)),
            ))?;
            chart.draw_series([Circle::new((l, loss), look.px(5.0), marker.filled())])?;
            let text = look.colours.text;
            // The label stays inside the plot: left of the mark when the mark is on the right half.
            let pos = if l > 0.5 {
                Pos::new(HPos::Right, VPos::Top)
            } else {
                Pos::new(HPos::Left, VPos::Top)
            };
            chart.draw_series([Text::new(
                format!(" chosen λ = {l:.3} "),
                (l, high),
                look.anchored(12.0, &text, pos),
            )])?;
        }
        Ok(())
    }
}

/// The λ chart of a trained custom model.
#[component]
pub fn LambdaChart(
    curve: Vec<LambdaPoint>,
    lambda: Option<f64>,
    theme: Signal<Theme>,
) -> impl IntoView {
    still_chart(
        plan(&curve, lambda),
        Plan::aria_label,
        Plan::draw,
        theme,
        Labels {
            class: "chart",
            testid: "chart-lambda",
            data: ("data-lambda", lambda.map(|l| l.to_string()).unwrap_or_default()),
            title: "What training chose",
            caption: "Loss of held-out training documents for each weight of the new data (0 = the base alone); the marked weight is the one the model uses.",
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_sorts_the_curve_and_marks_the_chosen_weight() {
        let curve = [
            LambdaPoint {
                lambda: 0.5,
                loss: 3.0,
            },
            LambdaPoint {
                lambda: 0.0,
                loss: 5.0,
            },
            LambdaPoint {
                lambda: 1.0,
                loss: 4.0,
            },
        ];
        let plan = plan(&curve, Some(0.52)).unwrap();
        assert_eq!(plan.points, [(0.0, 5.0), (0.5, 3.0), (1.0, 4.0)]);
        assert_eq!(plan.chosen, Some((0.52, 3.0)));
        assert!(plan.loss_range.0 <= 3.0 && plan.loss_range.1 >= 5.0);
        assert!(super::plan(&[], Some(0.5)).is_err());
    }
}
