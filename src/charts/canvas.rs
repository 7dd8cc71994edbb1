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
            .y_label_area_size(self.px(54.0));
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

    /// Draws `entries` as a legend on `area` (pixel coordinates): in a row from `origin` (each entry's
    /// vertical centre), or in a column down from it.
    pub fn legend_entries(
        &self,
        area: &Area,
        entries: &[Entry],
        origin: (i32, i32),
        layout: Layout,
    ) -> DrawResult {
        let text = self.colours.text;
        let style = self.anchored(12.0, &text, Pos::new(HPos::Left, VPos::Center));
        let (mut x, mut y) = origin;
        for entry in entries {
            let swatch_end = x + self.offset(18.0);
            match entry.swatch {
                Swatch::Line(colour, width_css) => area.draw(&PathElement::new(
                    vec![(x, y), (swatch_end, y)],
                    colour.stroke_width(self.px(width_css)),
                ))?,
                Swatch::Dot(colour) => area.draw(&Circle::new(
                    (x + self.offset(9.0), y),
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
            let label_x = swatch_end + self.offset(6.0);
            area.draw(&Text::new(entry.label.clone(), (label_x, y), style.clone()))?;
            match layout {
                Layout::Row => {
                    let (width, _) = area.estimate_text_size(&entry.label, &style)?;
                    x = label_x + width as i32 + self.offset(18.0);
                }
                Layout::Column => y += self.offset(22.0),
            }
        }
        Ok(())
    }
}

/// A legend entry drawn by [`Look::legend_entries`].
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

/// How [`Look::legend_entries`] lays entries out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Side by side.
    Row,
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
