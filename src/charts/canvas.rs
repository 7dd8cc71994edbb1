//! The shared set-up of a chart's `<canvas>`: its size at the screen's device pixel ratio, the plotters
//! backend, and the look (sizes in CSS pixels scaled to device pixels, fonts, colours, the mesh and
//! legend styles every chart uses).
//!
//! The canvas is laid out at [`CSS_WIDTH`] × [`CSS_HEIGHT`] CSS pixels (`style/charts.css`) and its
//! bitmap holds that many device pixels, so lines and text stay crisp on high-density screens; every
//! size given to plotters goes through [`Look::px`] or [`Look::font`].

use super::palette::{self, Colours};
use likely_core::Theme;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

/// The canvas's layout width (CSS pixels).
pub const CSS_WIDTH: u32 = 560;
/// The canvas's layout height (CSS pixels).
pub const CSS_HEIGHT: u32 = 320;

/// The fonts of the page (`--sans` in `style/main.css`), drawn by the browser.
const FONT: &str = "system-ui, -apple-system, \"Segoe UI\", \"DejaVu Sans\", Roboto, sans-serif";

/// The canvas backend's error (its type is not exported by name).
type CanvasError = <CanvasBackend as DrawingBackend>::ErrorType;

/// The drawing area of a whole canvas.
pub type Area = DrawingArea<CanvasBackend, Shift>;
/// A chart with numeric axes, as all three charts are.
pub type Chart<'a> = ChartContext<'a, CanvasBackend, Cartesian2d<RangedCoordf64, RangedCoordf64>>;
/// What drawing returns.
pub type DrawResult = Result<(), DrawingAreaErrorKind<CanvasError>>;

/// Sizes and colours for one drawing.
#[derive(Debug, Clone, Copy)]
pub struct Look {
    /// Device pixels per CSS pixel.
    pub scale: f64,
    /// The theme's colours.
    pub colours: Colours,
    /// The theme, for series colours.
    pub theme: Theme,
}

impl Look {
    /// A look for `theme` at `scale` device pixels per CSS pixel.
    pub fn new(theme: Theme, scale: f64) -> Self {
        Look {
            scale,
            colours: palette::colours(theme),
            theme,
        }
    }

    /// `css` CSS pixels in device pixels (at least 1).
    pub fn px(&self, css: f64) -> u32 {
        (css * self.scale).round().max(1.0) as u32
    }

    /// `css` CSS pixels in signed device pixels, for offsets.
    pub fn offset(&self, css: f64) -> i32 {
        (css * self.scale).round() as i32
    }

    /// The page's font at `css` CSS pixels in `colour`.
    pub fn font<'a>(&self, css: f64, colour: &'a RGBColor) -> TextStyle<'a> {
        (FONT, css * self.scale).into_font().color(colour)
    }

    /// [`Look::font`] anchored at `pos`.
    pub fn anchored<'a>(&self, css: f64, colour: &'a RGBColor, pos: Pos) -> TextStyle<'a> {
        self.font(css, colour).pos(pos)
    }

    /// The colour of the model at `index` (the baseline is 0).
    pub fn series(&self, index: usize) -> RGBColor {
        palette::series(self.theme, index)
    }

    /// Draws `title` centred at the top of `area` and returns the area below it.
    pub fn titled(
        &self,
        area: &Area,
        title: &str,
    ) -> Result<Area, DrawingAreaErrorKind<CanvasError>> {
        let style = (FONT, 15.0 * self.scale)
            .into_font()
            .style(FontStyle::Bold)
            .color(&self.colours.text);
        let below = area.titled(title, style)?;
        Ok(below.margin(self.px(4.0), 0, 0, 0))
    }

    /// A chart builder with the margins and label areas every chart uses.
    pub fn builder<'a, 'b>(&self, area: &'a Area) -> ChartBuilder<'a, 'b, CanvasBackend> {
        let mut builder = ChartBuilder::on(area);
        builder
            .margin_top(self.px(6.0))
            .margin_left(self.px(8.0))
            .margin_right(self.px(16.0))
            .margin_bottom(self.px(6.0))
            .x_label_area_size(self.px(40.0))
            .y_label_area_size(self.px(62.0));
        builder
    }

    /// Grid, axes, tick labels (formatted by `x_label` and `y_label`) and axis descriptions.
    pub fn mesh(
        &self,
        chart: &mut Chart<'_>,
        (x_desc, y_desc): (&str, &str),
        x_label: &dyn Fn(&f64) -> String,
        y_label: &dyn Fn(&f64) -> String,
        x_ticks: usize,
    ) -> DrawResult {
        let c = &self.colours;
        chart
            .configure_mesh()
            .x_desc(x_desc)
            .y_desc(y_desc)
            .x_labels(x_ticks)
            .y_labels(6)
            .x_label_formatter(x_label)
            .y_label_formatter(y_label)
            .label_style(self.font(12.0, &c.text))
            .axis_desc_style(self.font(12.5, &c.muted))
            .axis_style(c.border.stroke_width(self.px(1.0)))
            .bold_line_style(c.grid.stroke_width(self.px(1.0)))
            .light_line_style(TRANSPARENT)
            .set_all_tick_mark_size(self.px(4.0))
            .draw()
    }

    /// The legend, in a box over the plot at `position`.
    pub fn legend(&self, chart: &mut Chart<'_>, position: SeriesLabelPosition) -> DrawResult {
        let c = &self.colours;
        chart
            .configure_series_labels()
            .position(position)
            .margin(self.px(8.0))
            .legend_area_size(self.px(24.0))
            .label_font(self.font(12.0, &c.text))
            .background_style(c.panel.mix(0.9))
            .border_style(c.border.stroke_width(self.px(1.0)))
            .draw()
    }

    /// A legend swatch: a short line of `style` at a legend entry's anchor.
    pub fn line_swatch(&self, style: ShapeStyle) -> impl Fn((i32, i32)) -> PathElement<(i32, i32)> {
        let length = self.offset(18.0);
        move |(x, y)| PathElement::new(vec![(x, y), (x + length, y)], style)
    }

    /// Where the entries of a legend go (each entry's left end and vertical centre, in `area`'s pixels):
    /// in a row from `origin`, wrapping before `right`, or in a column down from `origin`.
    pub fn legend_places(
        &self,
        area: &Area,
        entries: &[Entry],
        origin: (i32, i32),
        layout: Layout,
    ) -> Result<Vec<(i32, i32)>, DrawingAreaErrorKind<CanvasError>> {
        let line = self.offset(LEGEND_LINE_CSS);
        match layout {
            Layout::Column => Ok((0..entries.len())
                .map(|i| (origin.0, origin.1 + i as i32 * line))
                .collect()),
            Layout::Row { right } => {
                let style = self.legend_style();
                let mut widths = Vec::with_capacity(entries.len());
                for entry in entries {
                    let (text, _) = area.estimate_text_size(&entry.label, &style)?;
                    widths.push(self.offset(SWATCH_CSS + SWATCH_GAP_CSS) + text as i32);
                }
                Ok(wrap_rows(
                    &widths,
                    origin,
                    right,
                    self.offset(ENTRY_GAP_CSS),
                    line,
                ))
            }
        }
    }

    /// Draws the legend `entries` at `places` (from [`Look::legend_places`]).
    pub fn legend_entries(
        &self,
        area: &Area,
        entries: &[Entry],
        places: &[(i32, i32)],
    ) -> DrawResult {
        let style = self.legend_style();
        for (entry, &(x, y)) in entries.iter().zip(places) {
            let swatch_end = x + self.offset(SWATCH_CSS);
            match entry.swatch {
                Swatch::Line(colour, width_css) => area.draw(&PathElement::new(
                    vec![(x, y), (swatch_end, y)],
                    colour.stroke_width(self.px(width_css)),
                ))?,
                Swatch::Dot(colour) => area.draw(&Circle::new(
                    (x + self.offset(SWATCH_CSS / 2.0), y),
                    self.px(4.0),
                    colour.filled(),
                ))?,
                Swatch::Box(colour) => area.draw(&Rectangle::new(
                    [
                        (x + self.offset(4.0), y - self.offset(5.0)),
                        (x + self.offset(14.0), y + self.offset(5.0)),
                    ],
                    colour.filled(),
                ))?,
            }
            let label_x = swatch_end + self.offset(SWATCH_GAP_CSS);
            area.draw(&Text::new(entry.label.clone(), (label_x, y), style.clone()))?;
        }
        Ok(())
    }

    fn legend_style(&self) -> TextStyle<'_> {
        self.anchored(12.0, &self.colours.text, Pos::new(HPos::Left, VPos::Center))
    }
}

/// A legend swatch's width (CSS pixels).
const SWATCH_CSS: f64 = 18.0;
/// Between a swatch and its label.
const SWATCH_GAP_CSS: f64 = 6.0;
/// Between entries in a row.
const ENTRY_GAP_CSS: f64 = 18.0;
/// From one legend line to the next.
pub const LEGEND_LINE_CSS: f64 = 20.0;

/// Places items `widths` wide in rows from `origin`, `gap` apart, starting a new row `line` lower
/// when an item would pass `right` (an item wider than a whole row gets a row of its own).
pub fn wrap_rows(
    widths: &[i32],
    origin: (i32, i32),
    right: i32,
    gap: i32,
    line: i32,
) -> Vec<(i32, i32)> {
    let (mut x, mut y) = origin;
    widths
        .iter()
        .map(|&width| {
            if x > origin.0 && x + width > right {
                x = origin.0;
                y += line;
            }
            let place = (x, y);
            x += width + gap;
            place
        })
        .collect()
}

/// A legend entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// What marks the series.
    pub swatch: Swatch,
    /// The series' name.
    pub label: String,
}

/// The mark of a legend entry.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Swatch {
    /// A line of this colour and width (CSS pixels).
    Line(RGBColor, f64),
    /// A dot.
    Dot(RGBColor),
    /// A small filled square, for bars.
    Box(RGBColor),
}

/// How [`Look::legend_places`] lays entries out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Side by side, wrapping before `right` (pixels).
    Row {
        /// The right end of a row.
        right: i32,
    },
    /// One under another.
    Column,
}

/// Device pixels per CSS pixel of this screen, between 1 and 3.
pub fn device_pixel_ratio() -> f64 {
    web_sys::window()
        .map(|w| w.device_pixel_ratio())
        .filter(|r| r.is_finite() && *r > 0.0)
        .unwrap_or(1.0)
        .clamp(1.0, 3.0)
}

/// Sizes `canvas`'s bitmap for this screen, clears it to the theme's panel colour and runs `draw` on
/// it; an error is returned as text for a person.
pub fn draw_on(
    canvas: &HtmlCanvasElement,
    theme: Theme,
    draw: impl FnOnce(&Area, &Look) -> DrawResult,
) -> Result<(), String> {
    let look = Look::new(theme, device_pixel_ratio());
    canvas.set_width(look.px(f64::from(CSS_WIDTH)));
    canvas.set_height(look.px(f64::from(CSS_HEIGHT)));
    let backend = CanvasBackend::with_canvas_object(canvas.clone())
        .ok_or_else(|| "this browser gave no 2D drawing context".to_string())?;
    let area = backend.into_drawing_area();
    area.fill(&look.colours.panel)
        .and_then(|()| draw(&area, &look))
        .and_then(|()| area.present())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_wrap_before_the_right_end() {
        let places = wrap_rows(&[100, 100, 100, 300, 50], (10, 8), 330, 20, 20);
        assert_eq!(places, [(10, 8), (130, 8), (10, 28), (10, 48), (10, 68)]);
        assert_eq!(wrap_rows(&[500], (10, 8), 330, 20, 20), [(10, 8)]);
        assert!(wrap_rows(&[], (0, 0), 100, 10, 10).is_empty());
    }

    #[test]
    fn sizes_scale_with_the_device_pixel_ratio() {
        let look = Look::new(Theme::Light, 2.0);
        assert_eq!(look.px(1.5), 3);
        assert_eq!(look.px(0.1), 1);
        assert_eq!(look.offset(-4.0), -8);
    }
}
