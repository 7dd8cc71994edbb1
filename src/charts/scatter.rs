//! The per-token scatter: the baseline's log-likelihood (x) against each custom model's (y), one
//! colour per custom model, with the diagonal y = x; a point above it is a token the custom model
//! found more likely. Only tokens both models scored with the same tokenization are paired.
//!
//! Very many points are thinned evenly to [`MAX_POINTS`] per model (the caption says so): more only
//! overplot, and each point costs a canvas path.

use super::axis;
use super::canvas::{Area, DrawResult, Entry, Layout, Look, Swatch};
use super::palette::model_index;
use likely_core::chart_data::scatter_points;
use likely_core::{Evaluation, Theme};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Points drawn per custom model at most.
pub const MAX_POINTS: usize = 5_000;

/// One custom model's points.
#[derive(Debug, Clone, PartialEq)]
pub struct Cloud {
    /// The custom model's name.
    pub model: String,
    /// Its place in the evaluation, for its colour.
    pub index: usize,
    /// Paired tokens.
    pub total: usize,
    /// Paired tokens the custom model found more likely than the baseline.
    pub above: usize,
    /// The points drawn, (baseline, custom) in nats: all of them, or [`MAX_POINTS`] evenly spread.
    pub points: Vec<(f64, f64)>,
}

/// What the scatter shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The range of both axes (nats).
    pub range: (f64, f64),
    /// One cloud per custom model with paired tokens.
    pub clouds: Vec<Cloud>,
}

/// The scatter of `evaluation`, or why there is none.
pub fn plan(evaluation: &Evaluation) -> Result<Plan, String> {
    if evaluation.custom.is_empty() {
        return Err("Add a custom model to compare it with the baseline token by token.".into());
    }
    let clouds: Vec<Cloud> = evaluation
        .custom
        .iter()
        .filter_map(|run| {
            let model = &run.model.name;
            let all: Vec<(f64, f64)> = scatter_points(evaluation, model)
                .iter()
                .map(|p| (p.baseline, p.custom))
                .filter(|(b, c)| b.is_finite() && c.is_finite())
                .collect();
            (!all.is_empty()).then(|| Cloud {
                model: model.clone(),
                index: model_index(evaluation.model_names(), model),
                total: all.len(),
                above: all.iter().filter(|(b, c)| c > b).count(),
                points: axis::thin(&all, MAX_POINTS),
            })
        })
        .collect();
    if clouds.is_empty() {
        return Err(if both_scored_a_snippet(evaluation) {
            "The baseline and the custom models split the text into different tokens, so no token can \
             be paired (compare them with the histogram and the per-snippet chart)."
                .into()
        } else {
            "No snippet scored by both the baseline and a custom model yet.".into()
        });
    }
    let range = axis::scatter_range(
        clouds
            .iter()
            .flat_map(|c| c.points.iter().flat_map(|&(b, c)| [b, c])),
    );
    Ok(Plan { range, clouds })
}

/// Whether some snippet has results from the baseline and from a custom model.
fn both_scored_a_snippet(evaluation: &Evaluation) -> bool {
    let baseline = &evaluation.baseline.model.name;
    (0..evaluation.snippets.len()).any(|snippet| {
        evaluation.result(baseline, snippet).is_some()
            && evaluation
                .custom
                .iter()
                .any(|run| evaluation.result(&run.model.name, snippet).is_some())
    })
}

impl Plan {
    /// The canvas's accessible description.
    pub fn aria_label(&self) -> String {
        let summaries: Vec<String> = self
            .clouds
            .iter()
            .map(|c| {
                format!(
                    "{} more likely on {} of {} tokens",
                    c.model,
                    axis::percent(c.above, c.total),
                    axis::count(c.total)
                )
            })
            .collect();
        format!(
            "Scatter of baseline versus custom log-likelihood per token, in nats: {}",
            summaries.join("; ")
        )
    }

    /// The caption under the chart.
    pub fn caption(&self) -> String {
        let summaries: Vec<String> = self
            .clouds
            .iter()
            .map(|c| {
                let mut summary = format!(
                    "{}: higher on {} of {} tokens",
                    c.model,
                    axis::percent(c.above, c.total),
                    axis::count(c.total)
                );
                if c.points.len() < c.total {
                    summary.push_str(&format!(
                        " ({} shown, evenly spread)",
                        axis::count(c.points.len())
                    ));
                }
                summary
            })
            .collect();
        format!(
            "One dot per token scored by both models; above the diagonal, the custom model found the token \
             more likely. {}.",
            summaries.join("; ")
        )
    }

    /// Draws the scatter: a square plot on the left, the legend on the right.
    pub fn draw(&self, area: &Area, look: &Look) -> DrawResult {
        let below = look.titled(area, "Baseline vs custom, per token")?;
        let (_, height) = below.dim_in_pixel();
        // Square plot: its side is the height less the x labels and margins (52 px); the left part
        // adds the y labels and margins (86 px, see `Look::builder`).
        let side = height.saturating_sub(look.px(52.0));
        let (left, right) = below.split_horizontally(side + look.px(86.0));
        let (low, high) = self.range;
        let mut chart = look
            .builder(&left)
            .build_cartesian_2d(low..high, low..high)?;
        let decimals = axis::decimals_for(high - low);
        let label = |v: &f64| axis::number(*v, decimals);
        look.mesh(
            &mut chart,
            (
                "baseline log-likelihood (nats)",
                "custom log-likelihood (nats)",
            ),
            &label,
            &label,
            6,
        )?;
        let muted = look.colours.muted;
        chart.draw_series(LineSeries::new(
            [(low, low), (high, high)],
            muted.stroke_width(look.px(1.5)),
        ))?;
        // Dots fade when there are many, so that dense regions still show their density.
        // The dark panel swallows faint dots sooner than the white one.
        let many = self.clouds.iter().map(|c| c.points.len()).sum::<usize>() > 500;
        let alpha = match (many, look.theme) {
            (false, _) => 0.75,
            (true, Theme::Light) => 0.35,
            (true, Theme::Dark) => 0.5,
        };
        let radius = look.px(2.5);
        for cloud in &self.clouds {
            let style = look.series(cloud.index).mix(alpha).filled();
            chart.draw_series(
                cloud
                    .points
                    .iter()
                    .map(|&point| Circle::new(point, radius, style)),
            )?;
        }
        let inset = (high - low) * 0.03;
        let plot = chart.plotting_area();
        plot.draw(&Text::new(
            "custom more likely \u{2191}",
            (low + inset, high - inset),
            look.anchored(12.0, &muted, Pos::new(HPos::Left, VPos::Top)),
        ))?;
        plot.draw(&Text::new(
            "\u{2193} baseline more likely",
            (high - inset, low + inset),
            look.anchored(12.0, &muted, Pos::new(HPos::Right, VPos::Bottom)),
        ))?;
        let mut entries: Vec<Entry> = self
            .clouds
            .iter()
            .map(|c| Entry {
                swatch: Swatch::Dot(look.series(c.index)),
                label: format!(
                    "{} \u{b7} {} above",
                    c.model,
                    axis::percent(c.above, c.total)
                ),
            })
            .collect();
        entries.push(Entry {
            swatch: Swatch::Line(muted, 1.5),
            label: "y = x: no difference".into(),
        });
        let places = look.legend_places(
            &right,
            &entries,
            (look.offset(8.0), look.offset(18.0)),
            Layout::Column,
        )?;
        look.legend_entries(&right, &entries, &places)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::test_data::{evaluation, tokens, with_models};
    use likely_core::{Outcome, SnippetResult};

    #[test]
    fn pairs_tokens_and_counts_those_above_the_diagonal() {
        let e = evaluation(&[&[-1.0, -2.0, -3.0]], &[&[-0.5, -2.5, -3.0]]);
        let plan = plan(&e).expect("a scatter");
        assert_eq!(plan.clouds.len(), 1);
        let cloud = &plan.clouds[0];
        assert_eq!((cloud.total, cloud.above, cloud.index), (3, 1, 1));
        assert_eq!(cloud.points[0], (-1.0, -0.5));
        assert_eq!(plan.range, (-4.0, 0.5));
        assert!(plan.caption().contains("tuned: higher on 33% of 3 tokens"));
    }

    #[test]
    fn many_points_are_thinned() {
        let many: Vec<f64> = (0..MAX_POINTS + 10).map(|i| -(i as f64) / 1000.0).collect();
        let e = evaluation(&[&many], &[&many]);
        let plan = plan(&e).expect("a scatter");
        assert_eq!(plan.clouds[0].points.len(), MAX_POINTS);
        assert_eq!(plan.clouds[0].total, MAX_POINTS + 10);
        assert!(plan.caption().contains("shown"));
    }

    #[test]
    fn messages_without_custom_model_pending_or_different_tokens() {
        let alone = with_models(&[("base", &[&[-1.0]])]);
        assert!(plan(&alone).unwrap_err().contains("custom model"));
        let pending = evaluation(&[&[-1.0]], &[]);
        assert!(plan(&pending).unwrap_err().contains("yet"));
        let mut differ = evaluation(&[&[-1.0, -2.0]], &[]);
        let mut other = tokens(&[-1.0]);
        other[1].text = "t1t2".into();
        differ
            .set_outcome("tuned", 0, Outcome::Scored(SnippetResult::single(other)))
            .expect("known model");
        assert!(plan(&differ).unwrap_err().contains("different tokens"));
    }

    #[test]
    fn one_cloud_per_custom_model_with_its_colour_index() {
        let e = with_models(&[("base", &[&[-1.0]]), ("a", &[&[-2.0]]), ("b", &[&[-0.5]])]);
        let plan = plan(&e).expect("a scatter");
        let indices: Vec<usize> = plan.clouds.iter().map(|c| c.index).collect();
        assert_eq!(indices, [1, 2]);
        assert_eq!(plan.clouds[1].above, 1);
    }
}
