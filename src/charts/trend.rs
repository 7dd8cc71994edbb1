//! A held-out set's trend: each model's loss in each run on the set, over time (one point per run,
//! joined per model), its 95% interval as a vertical bar. Drawn once the canvas is mounted and again
//! when the theme changes.

use super::axis;
use super::canvas::{Area, DrawResult, Look};
use super::figure::{still_chart, Labels};
use leptos::prelude::*;
use likely_core::record::LeaderboardEntry;
use likely_core::Theme;
use plotters::prelude::*;

/// Milliseconds in a day.
const DAY_MS: f64 = 86_400_000.0;

/// One run's point: time in ms, loss, and its interval (low, high).
pub type Mark = (f64, f64, Option<(f64, f64)>);

/// One model's points.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The model.
    pub model: String,
    /// Its points, oldest first.
    pub points: Vec<Mark>,
}

/// What the trend chart shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// Per model, in the leaderboard's order.
    pub series: Vec<Series>,
    /// The time axis's range (ms since the Unix epoch).
    pub time_range: (f64, f64),
    /// The loss axis's range.
    pub loss_range: (f64, f64),
}

/// The plan of `models` (a set's leaderboard), or why there is nothing to draw.
pub fn plan(models: &[LeaderboardEntry]) -> Result<Plan, String> {
    let series: Vec<Series> = models
        .iter()
        .map(|entry| Series {
            model: entry.model.clone(),
            points: entry
                .points
                .iter()
                .filter_map(|p| {
                    let loss = p.loss.filter(|l| l.is_finite())?;
                    let ci = p
                        .loss_ci
                        .filter(|ci| ci.low.is_finite() && ci.high.is_finite())
                        .map(|ci| (ci.low, ci.high));
                    Some((p.at_ms as f64, loss, ci))
                })
                .collect(),
        })
        .filter(|s| !s.points.is_empty())
        .collect();
    let all = || series.iter().flat_map(|s| s.points.iter());
    if all().next().is_none() {
        return Err("No run on this set has a loss to show yet.".into());
    }
    let (mut first, mut last) = all().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
        (lo.min(p.0), hi.max(p.0))
    });
    let pad = ((last - first) * 0.05).max(60_000.0);
    first -= pad;
    last += pad;
    let (lowest, highest) = all().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
        let (low, high) = p.2.unwrap_or((p.1, p.1));
        (lo.min(low.min(p.1)), hi.max(high.max(p.1)))
    });
    let loss_pad = ((highest - lowest) * 0.08).max(0.01);
    Ok(Plan {
        series,
        time_range: (first, last),
        loss_range: (lowest - loss_pad, highest + loss_pad),
    })
}

/// Year, month and day of `days` since 1970-01-01 (the proleptic Gregorian calendar).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = (if mp < 10 { mp + 3 } else { mp - 9 }) as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A time axis label (UTC): the day, and the time of day when the axis spans under two days.
pub fn time_label(ms: f64, span_ms: f64) -> String {
    let ms = ms.round() as i64;
    let days = ms.div_euclid(DAY_MS as i64);
    let (year, month, day) = civil(days);
    if span_ms >= 2.0 * DAY_MS {
        format!("{year}-{month:02}-{day:02}")
    } else {
        let minutes = ms.rem_euclid(DAY_MS as i64) / 60_000;
        format!(
            "{month:02}-{day:02} {:02}:{:02}",
            minutes / 60,
            minutes % 60
        )
    }
}

impl Plan {
    fn points(&self) -> usize {
        self.series.iter().map(|s| s.points.len()).sum()
    }

    fn aria_label(&self) -> String {
        format!(
            "Loss over time on this set: {} models, {} points (one per run)",
            self.series.len(),
            self.points()
        )
    }

    fn draw(&self, area: &Area, look: &Look) -> DrawResult {
        let below = look.titled(area, "Loss per run, over time")?;
        let (first, last) = self.time_range;
        let (low, high) = self.loss_range;
        let mut chart = look
            .builder(&below)
            .build_cartesian_2d(first..last, low..high)?;
        let span = last - first;
        let decimals = axis::decimals_for(high - low);
        look.mesh(
            &mut chart,
            ("recorded (UTC)", "loss (nats/token)"),
            &|v| time_label(*v, span),
            &|v| axis::number(*v, decimals),
            4,
        )?;
        let cap = (span / 300.0).max(1.0);
        for (index, series) in self.series.iter().enumerate() {
            let colour = look.series(index);
            for &(x, _, ci) in &series.points {
                if let Some((lo, hi)) = ci {
                    let bar = colour.mix(0.55).stroke_width(look.px(1.5));
                    chart.draw_series([
                        PathElement::new(vec![(x, lo), (x, hi)], bar),
                        PathElement::new(vec![(x - cap, lo), (x + cap, lo)], bar),
                        PathElement::new(vec![(x - cap, hi), (x + cap, hi)], bar),
                    ])?;
                }
            }
            let line = colour.stroke_width(look.px(2.0));
            chart
                .draw_series(LineSeries::new(
                    series.points.iter().map(|&(x, y, _)| (x, y)),
                    line,
                ))?
                .label(series.model.clone())
                .legend(look.line_swatch(line));
            chart.draw_series(
                series
                    .points
                    .iter()
                    .map(|&(x, y, _)| Circle::new((x, y), look.px(3.0), colour.filled())),
            )?;
        }
        look.legend(&mut chart, SeriesLabelPosition::UpperRight)
    }
}

/// The trend chart of a set's leaderboard.
#[component]
pub fn TrendChart(models: Vec<LeaderboardEntry>, theme: Signal<Theme>) -> impl IntoView {
    let planned = plan(&models);
    let points = planned.as_ref().map_or(0, Plan::points);
    still_chart(
        planned,
        Plan::aria_label,
        Plan::draw,
        theme,
        Labels {
            class: "chart trend",
            testid: "trend-chart",
            data: ("data-points", points.to_string()),
            title: "Loss per run, over time",
            caption: "Each model's loss in each run on this set (lower is better), one point per run; the bar is the loss's 95% bootstrap interval over the set's snippets.",
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use likely_core::bootstrap::Interval;
    use likely_core::record::TrendPoint;

    fn entry(model: &str, points: &[(i64, Option<f64>)]) -> LeaderboardEntry {
        LeaderboardEntry {
            model: model.into(),
            latest_avg_loglik: None,
            latest_loss: None,
            runs: points.len(),
            last_run_at_ms: 0,
            last_run_id: String::new(),
            points: points
                .iter()
                .map(|&(at_ms, loss)| TrendPoint {
                    run_id: format!("r{at_ms}"),
                    at_ms,
                    avg_loglik: loss.map(|l| -l),
                    loss,
                    loss_ci: loss.map(|l| Interval {
                        low: l - 0.5,
                        high: l + 0.5,
                    }),
                })
                .collect(),
        }
    }

    #[test]
    fn the_plan_spans_every_point_and_its_interval() {
        let models = [
            entry("v2", &[(1_000_000, Some(2.0)), (2_000_000, Some(1.5))]),
            entry("base", &[(1_000_000, Some(3.0)), (2_000_000, None)]),
            entry("broken", &[(1_000_000, None)]),
        ];
        let plan = plan(&models).unwrap();
        assert_eq!(plan.series.len(), 2, "a model with no loss has no line");
        assert_eq!(plan.series[0].points.len(), 2);
        assert_eq!(plan.series[1].points.len(), 1);
        assert!(plan.loss_range.0 < 1.0 && plan.loss_range.1 > 3.5);
        assert!(plan.time_range.0 < 1_000_000.0 && plan.time_range.1 > 2_000_000.0);
        assert!(super::plan(&[entry("x", &[(5, None)])]).is_err());
        assert!(super::plan(&[]).is_err());
    }

    #[test]
    fn time_labels_are_utc_days_or_minutes() {
        assert_eq!(time_label(0.0, 10.0 * DAY_MS), "1970-01-01");
        assert_eq!(time_label(1_765_065_600_000.0, 10.0 * DAY_MS), "2025-12-07");
        assert_eq!(
            time_label(951_782_400_000.0 + 3_660_000.0, DAY_MS),
            "02-29 01:01"
        );
    }
}
