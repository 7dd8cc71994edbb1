//! The per-snippet chart: for each snippet scored by the baseline and a custom model, the difference
//! of their average log-likelihoods (custom − baseline, nats per token), one colour per custom model.
//! Above zero the custom model did better on that snippet. Grouped bars while they stay wide enough
//! to see, dots beyond [`MAX_BARS`].

use super::axis;
use super::canvas::{Area, DrawResult, Entry, Layout, Look, Swatch, LEGEND_LINE_CSS};
use super::palette::model_index;
use likely_core::chart_data::snippet_deltas;
use likely_core::Evaluation;
use plotters::prelude::*;
use std::cell::Cell;

/// Bars drawn at most (snippets × custom models); beyond, dots.
pub const MAX_BARS: usize = 80;

/// How the differences are marked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// A bar from zero per snippet and model, models side by side.
    Bars,
    /// A dot per snippet and model.
    Dots,
}

/// One custom model's differences.
#[derive(Debug, Clone, PartialEq)]
pub struct Deltas {
    /// The custom model's name.
    pub model: String,
    /// Its place in the evaluation, for its colour.
    pub index: usize,
    /// (snippet index, custom − baseline average log-likelihood) for each snippet both scored.
    pub values: Vec<(usize, f64)>,
    /// Snippets where the custom model's average is higher.
    pub wins: usize,
}

/// What the per-snippet chart shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// Snippets in the evaluation (the x axis runs over all of them).
    pub snippets: usize,
    /// The y axis runs from minus this to this (nats per token).
    pub extent: f64,
    /// Bars or dots.
    pub mark: Mark,
    /// One entry per custom model with a difference.
    pub series: Vec<Deltas>,
    /// The plot's left and right edges in canvas pixels, once drawn (for clicks).
    pub x_pixels: Cell<Option<(i32, i32)>>,
}

/// The per-snippet chart of `evaluation`, or why there is none.
pub fn plan(evaluation: &Evaluation) -> Result<Plan, String> {
    if evaluation.custom.is_empty() {
        return Err(
            "Add a custom model to see how it compares with the baseline snippet by snippet."
                .into(),
        );
    }
    let series: Vec<Deltas> = evaluation
        .custom
        .iter()
        .filter_map(|run| {
            let model = &run.model.name;
            let values: Vec<(usize, f64)> = snippet_deltas(evaluation, model)
                .iter()
                .filter(|d| d.delta.is_finite())
                .map(|d| (d.snippet, d.delta))
                .collect();
            (!values.is_empty()).then(|| Deltas {
                model: model.clone(),
                index: model_index(evaluation.model_names(), model),
                wins: values.iter().filter(|(_, d)| *d > 0.0).count(),
                values,
            })
        })
        .collect();
    if series.is_empty() {
        return Err("No snippet scored by both the baseline and a custom model yet.".into());
    }
    let snippets = evaluation.snippets.len();
    Ok(Plan {
        snippets,
        extent: axis::symmetric_extent(series.iter().flat_map(|s| s.values.iter().map(|v| v.1))),
        mark: mark_for(snippets, series.len()),
        series,
        x_pixels: Cell::new(None),
    })
}

/// Bars while `snippets` × `models` stays within [`MAX_BARS`], else dots.
pub fn mark_for(snippets: usize, models: usize) -> Mark {
    if snippets.saturating_mul(models) <= MAX_BARS {
        Mark::Bars
    } else {
        Mark::Dots
    }
}

/// The snippet (0-based) whose unit holds canvas pixel `x` on a plot spanning `pixels` (left, right)
/// over `snippets` snippets (snippet `i` is centred on `i + 1`, its unit `i + 0.5 .. i + 1.5`).
pub fn snippet_at_x(pixels: (i32, i32), snippets: usize, x: f64) -> Option<usize> {
    let (left, right) = (f64::from(pixels.0), f64::from(pixels.1));
    if snippets == 0 || right <= left || !(left..=right).contains(&x) {
        return None;
    }
    let unit = ((x - left) / (right - left) * snippets as f64).floor() as usize;
    Some(unit.min(snippets - 1))
}

/// A bar group's widest (CSS pixels): with few snippets, wider bars only look heavy.
const MAX_GROUP_CSS: f64 = 72.0;

/// The width of a snippet's bar group in x units (a snippet takes one unit): 80 % of the unit, but
/// at most [`MAX_GROUP_CSS`] when a unit is `unit_css` CSS pixels wide.
pub fn group_width(unit_css: f64) -> f64 {
    if unit_css.is_finite() && unit_css > 0.0 {
        (MAX_GROUP_CSS / unit_css).min(0.8)
    } else {
        0.8
    }
}

/// The x extent of model `slot` of `slots` in the bar group of snippet `snippet` (0-based), `group`
/// units wide; snippet `i` is centred on `i + 1`.
pub fn bar_span(snippet: usize, slot: usize, slots: usize, group: f64) -> (f64, f64) {
    let width = group / slots.max(1) as f64;
    let left = snippet as f64 + 1.0 - group / 2.0 + slot as f64 * width;
    (left, left + width)
}

impl Plan {
    /// The snippet at canvas pixel `x` of the drawn chart, when one of the series has a value there.
    pub fn snippet_at(&self, x: f64) -> Option<usize> {
        let snippet = snippet_at_x(self.x_pixels.get()?, self.snippets, x)?;
        self.series
            .iter()
            .any(|s| s.values.iter().any(|&(i, _)| i == snippet))
            .then_some(snippet)
    }

    /// The canvas's accessible description.
    pub fn aria_label(&self) -> String {
        let summaries: Vec<String> = self
            .series
            .iter()
            .map(|s| {
                format!(
                    "{} better on {} of {} snippets",
                    s.model,
                    s.wins,
                    s.values.len()
                )
            })
            .collect();
        format!(
            "Chart of the difference in average log-likelihood per snippet, custom minus baseline, in \
             nats per token: {}",
            summaries.join("; ")
        )
    }

    /// The caption under the chart.
    pub fn caption(&self) -> String {
        let summaries: Vec<String> = self
            .series
            .iter()
            .map(|s| {
                format!(
                    "{}: better on {} of {} snippets",
                    s.model,
                    axis::count(s.wins),
                    axis::count(s.values.len())
                )
            })
            .collect();
        format!(
            "Average log-likelihood per token of each snippet, custom minus baseline; above zero, the \
             custom model found the snippet more likely. {}.",
            summaries.join("; ")
        )
    }

    /// Draws the chart: title, a legend row, then the plot.
    pub fn draw(&self, area: &Area, look: &Look) -> DrawResult {
        let below = look.titled(area, "Per-snippet difference")?;
        let entries: Vec<Entry> = self
            .series
            .iter()
            .map(|s| Entry {
                swatch: match self.mark {
                    Mark::Bars => Swatch::Box(look.series(s.index)),
                    Mark::Dots => Swatch::Dot(look.series(s.index)),
                },
                label: format!("{} \u{2212} baseline", s.model),
            })
            .collect();
        // The legend's rows (as many as the names need) above the plot, from the y axis's labels.
        let (width, _) = below.dim_in_pixel();
        let line = look.offset(LEGEND_LINE_CSS);
        let places = look.legend_places(
            &below,
            &entries,
            (look.offset(28.0), line / 2),
            Layout::Row {
                right: width as i32 - look.offset(12.0),
            },
        )?;
        let rows = places.last().map_or(1, |&(_, y)| y / line + 1);
        let (legend, plot) = below.split_vertically(rows * line);
        look.legend_entries(&legend, &entries, &places)?;
        let x_max = self.snippets as f64 + 0.5;
        let mut chart = look
            .builder(&plot)
            .build_cartesian_2d(0.5..x_max, -self.extent..self.extent)?;
        let y_decimals = axis::decimals_for(self.extent);
        let (x_range, _) = chart.plotting_area().get_pixel_range();
        self.x_pixels.set(Some((x_range.start, x_range.end)));
        look.mesh(
            &mut chart,
            ("snippet", "\u{394} avg log-likelihood (nats/token)"),
            &|v| snippet_tick(*v),
            &|v| axis::number(*v, y_decimals),
            self.snippets.min(12),
        )?;
        chart.draw_series(LineSeries::new(
            [(0.5, 0.0), (x_max, 0.0)],
            look.colours.muted.stroke_width(look.px(1.0)),
        ))?;
        let slots = self.series.len();
        let (plot_width, _) = chart.plotting_area().dim_in_pixel();
        let group = group_width(f64::from(plot_width) / look.scale / self.snippets.max(1) as f64);
        for (slot, series) in self.series.iter().enumerate() {
            let colour = look.series(series.index);
            match self.mark {
                Mark::Bars => {
                    chart.draw_series(series.values.iter().map(|&(snippet, delta)| {
                        let (left, right) = bar_span(snippet, slot, slots, group);
                        Rectangle::new([(left, 0.0), (right, delta)], colour.filled())
                    }))?;
                }
                Mark::Dots => {
                    let radius = look.px(3.0);
                    let style = colour.mix(0.8).filled();
                    chart.draw_series(series.values.iter().map(|&(snippet, delta)| {
                        Circle::new((snippet as f64 + 1.0, delta), radius, style)
                    }))?;
                }
            }
        }
        Ok(())
    }
}

/// A snippet axis tick: `#3` at whole numbers, nothing between.
fn snippet_tick(value: f64) -> String {
    if value.fract().abs() < 1e-9 && value >= 1.0 {
        format!("#{}", value.round() as usize)
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::test_data::{evaluation, with_models};

    #[test]
    fn differences_per_snippet_with_wins() {
        let e = evaluation(&[&[-2.0], &[-1.0], &[-3.0]], &[&[-1.0], &[-1.5]]);
        let plan = plan(&e).expect("a chart");
        assert_eq!(plan.snippets, 3);
        let series = &plan.series[0];
        assert_eq!(series.values, [(0, 1.0), (1, -0.5)]);
        assert_eq!((series.wins, series.index), (1, 1));
        assert!((plan.extent - 1.1).abs() < 1e-12);
        assert_eq!(plan.mark, Mark::Bars);
        assert!(plan.caption().contains("tuned: better on 1 of 2 snippets"));
    }

    #[test]
    fn messages_without_custom_model_or_shared_snippet() {
        let alone = with_models(&[("base", &[&[-1.0]])]);
        assert!(plan(&alone).unwrap_err().contains("custom model"));
        let pending = evaluation(&[&[-1.0]], &[]);
        assert!(plan(&pending).unwrap_err().contains("yet"));
    }

    #[test]
    fn bars_until_they_get_too_thin() {
        assert_eq!(mark_for(80, 1), Mark::Bars);
        assert_eq!(mark_for(40, 2), Mark::Bars);
        assert_eq!(mark_for(41, 2), Mark::Dots);
    }

    #[test]
    fn bar_groups_share_the_snippet_unit() {
        let (a, b) = bar_span(0, 0, 2, 0.8);
        let (c, d) = bar_span(0, 1, 2, 0.8);
        assert!((a - 0.6).abs() < 1e-12 && (b - 1.0).abs() < 1e-12);
        assert!((c - 1.0).abs() < 1e-12 && (d - 1.4).abs() < 1e-12);
        let (e, f) = bar_span(2, 0, 1, 0.8);
        assert!((e - 2.6).abs() < 1e-12 && (f - 3.4).abs() < 1e-12);
        let (g, h) = bar_span(0, 0, 1, 0.2);
        assert!((g - 0.9).abs() < 1e-12 && (h - 1.1).abs() < 1e-12);
    }

    #[test]
    fn groups_stay_narrow_with_few_snippets() {
        assert_eq!(group_width(50.0), 0.8);
        assert!((group_width(460.0) - 72.0 / 460.0).abs() < 1e-12);
        assert_eq!(group_width(0.0), 0.8);
    }

    #[test]
    fn a_click_finds_the_snippet_under_it() {
        assert_eq!(snippet_at_x((100, 400), 3, 100.0), Some(0));
        assert_eq!(snippet_at_x((100, 400), 3, 199.0), Some(0));
        assert_eq!(snippet_at_x((100, 400), 3, 201.0), Some(1));
        assert_eq!(snippet_at_x((100, 400), 3, 400.0), Some(2));
        assert_eq!(snippet_at_x((100, 400), 3, 99.0), None);
        assert_eq!(snippet_at_x((100, 400), 0, 200.0), None);
        let e = evaluation(&[&[-2.0], &[-1.0], &[-3.0]], &[&[-1.0], &[-1.5]]);
        let plan = plan(&e).unwrap();
        assert_eq!(plan.snippet_at(150.0), None, "not drawn yet");
        plan.x_pixels.set(Some((0, 300)));
        assert_eq!(plan.snippet_at(150.0), Some(1));
        assert_eq!(plan.snippet_at(250.0), None, "snippet 3 has no difference");
    }

    #[test]
    fn ticks_only_at_whole_snippets() {
        assert_eq!(snippet_tick(3.0), "#3");
        assert_eq!(snippet_tick(2.5), "");
        assert_eq!(snippet_tick(0.0), "");
    }
}
