//! The charts' colours: the page's panel, text and grid colours per theme (the values of
//! `style/main.css`), and one series colour per model from the Okabe-Ito palette, which stays
//! distinguishable with the common colour-vision deficiencies.
//!
//! Each theme orders the palette so that the first five colours contrast at least 3:1 with the panel
//! (WCAG's minimum for graphics): Okabe-Ito's orange and sky blue are too light on white, and its blue
//! too dark on the dark panel, so they come last there. A model keeps its colour (its place in the
//! evaluation, the baseline first) in every chart.

use likely_core::Theme;
use plotters::style::RGBColor;

/// The non-data colours of a chart.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Colours {
    /// The canvas background (`--panel`).
    pub panel: RGBColor,
    /// Titles, tick labels and the legend's text (`--text`).
    pub text: RGBColor,
    /// Axis descriptions, the diagonal and annotations (`--muted`).
    pub muted: RGBColor,
    /// The axes and the legend's border (`--border`).
    pub border: RGBColor,
    /// Grid lines, fainter than the border.
    pub grid: RGBColor,
}

/// The chart colours of `theme`.
pub fn colours(theme: Theme) -> Colours {
    match theme {
        Theme::Light => Colours {
            panel: RGBColor(0xff, 0xff, 0xff),
            text: RGBColor(0x1d, 0x1f, 0x21),
            muted: RGBColor(0x5c, 0x63, 0x70),
            border: RGBColor(0xb8, 0xbc, 0xc4),
            grid: RGBColor(0xec, 0xee, 0xf1),
        },
        Theme::Dark => Colours {
            panel: RGBColor(0x17, 0x1a, 0x21),
            text: RGBColor(0xe6, 0xe6, 0xe6),
            muted: RGBColor(0x9a, 0xa4, 0xb2),
            border: RGBColor(0x4a, 0x51, 0x5e),
            grid: RGBColor(0x24, 0x28, 0x31),
        },
    }
}

const BLACK: RGBColor = RGBColor(0x00, 0x00, 0x00);
const ORANGE: RGBColor = RGBColor(0xe6, 0x9f, 0x00);
const SKY_BLUE: RGBColor = RGBColor(0x56, 0xb4, 0xe9);
const BLUISH_GREEN: RGBColor = RGBColor(0x00, 0x9e, 0x73);
const YELLOW: RGBColor = RGBColor(0xf0, 0xe4, 0x42);
const BLUE: RGBColor = RGBColor(0x00, 0x72, 0xb2);
const VERMILLION: RGBColor = RGBColor(0xd5, 0x5e, 0x00);
const REDDISH_PURPLE: RGBColor = RGBColor(0xcc, 0x79, 0xa7);

/// Okabe-Ito for a white panel (yellow left out: it vanishes on white).
const LIGHT_SERIES: [RGBColor; 7] = [
    BLUE,
    VERMILLION,
    BLUISH_GREEN,
    REDDISH_PURPLE,
    BLACK,
    ORANGE,
    SKY_BLUE,
];

/// Okabe-Ito for the dark panel (black left out).
const DARK_SERIES: [RGBColor; 7] = [
    SKY_BLUE,
    ORANGE,
    BLUISH_GREEN,
    REDDISH_PURPLE,
    YELLOW,
    VERMILLION,
    BLUE,
];

/// The colour of the model at `index` (0 = the baseline); repeats after seven models.
pub fn series(theme: Theme, index: usize) -> RGBColor {
    let palette = match theme {
        Theme::Light => &LIGHT_SERIES,
        Theme::Dark => &DARK_SERIES,
    };
    palette[index % palette.len()]
}

/// A model's index in `names` (the evaluation's order), for its colour; 0 when absent.
pub fn model_index<'a>(mut names: impl Iterator<Item = &'a str>, model: &str) -> usize {
    names.position(|name| name == model).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn luminance(RGBColor(r, g, b): RGBColor) -> f64 {
        let channel = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    }

    fn contrast(a: RGBColor, b: RGBColor) -> f64 {
        let (la, lb) = (luminance(a), luminance(b));
        (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
    }

    #[test]
    fn the_first_five_series_colours_stand_out_from_the_panel() {
        for theme in [Theme::Light, Theme::Dark] {
            let panel = colours(theme).panel;
            for index in 0..5 {
                let ratio = contrast(series(theme, index), panel);
                assert!(ratio >= 3.0, "{theme:?} series {index}: {ratio:.2}");
            }
        }
    }

    #[test]
    fn text_is_readable_on_the_panel() {
        for theme in [Theme::Light, Theme::Dark] {
            let c = colours(theme);
            assert!(contrast(c.text, c.panel) >= 7.0, "{theme:?} text");
            assert!(contrast(c.muted, c.panel) >= 4.5, "{theme:?} muted");
        }
    }

    #[test]
    fn series_colours_differ_and_repeat_after_seven() {
        for theme in [Theme::Light, Theme::Dark] {
            let first: Vec<RGBColor> = (0..7).map(|i| series(theme, i)).collect();
            for (i, a) in first.iter().enumerate() {
                assert!(first[i + 1..].iter().all(|b| b != a));
            }
            assert_eq!(series(theme, 7), series(theme, 0));
        }
    }

    #[test]
    fn models_are_found_by_name() {
        let names = ["base", "tuned", "other"];
        assert_eq!(model_index(names.iter().copied(), "other"), 2);
        assert_eq!(model_index(names.iter().copied(), "missing"), 0);
    }
}
