//! Colours of the per-token view, each a background with a readable text colour, and legends.
//!
//! - Log-likelihood: viridis (matplotlib's, sampled at 9 stops, interpolated in sRGB), from dark purple
//!   at -15 nats and below (surprising) to yellow at 0 (expected). Viridis is perceptually uniform and
//!   readable with the common colour-vision deficiencies and in greyscale. The same in both themes.
//! - Difference custom − baseline: a diverging scale clamped at ±5 nats, red where the custom model
//!   found the token less likely, blue where more likely (ColorBrewer RdBu, colour-blind safe). The
//!   light theme uses RdBu's near-white middle; the dark theme a dark-grey middle with the ends getting
//!   lighter, so that "no difference" recedes into either page.
//! - Rank buckets top-1 / top-10 / top-100 / beyond: four viridis stops, yellow to dark purple; without
//!   ranks, top-1 versus "not top-1".
//! - KL divergence baseline ‖ custom at a position: viridis on a log scale, yellow at
//!   [`KL_LOW`] nats and below (the two distributions agree) to dark purple at [`KL_HIGH`] and above.
//! - Unscored tokens (the first, window junctions) and unknowns: a neutral grey unlike any scale colour.
//!
//! The text colour is black or white, whichever contrasts more with the background; by construction
//! that is always at least 4.58:1 (WCAG AA asks 4.5:1), so text stays readable in both themes.

use crate::wire::scores::ScoredToken;
use serde::{Deserialize, Serialize};

/// The page's theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Theme {
    /// Dark text on a light page.
    #[default]
    Light,
    /// Light text on a dark page.
    Dark,
}

/// A token's colours: CSS `#rrggbb` strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Swatch {
    /// The background, which carries the meaning.
    pub background: String,
    /// Black or white, whichever reads better on the background.
    pub text: &'static str,
}

/// One stop of a legend.
#[derive(Debug, Clone, PartialEq)]
pub struct LegendStop {
    /// The value at this stop (nats, or a bucket's index).
    pub value: f64,
    /// Its colour.
    pub colour: String,
    /// A label for a person.
    pub label: String,
}

/// The log-likelihood scale's low end (nats); lower values get its colour.
pub const LOGLIK_MIN: f64 = -15.0;
/// The difference scale's clamp (nats).
pub const DIFFERENCE_CLAMP: f64 = 5.0;
/// The KL scale's low end (nats): this and below look the same.
pub const KL_LOW: f64 = 0.01;
/// The KL scale's high end (nats).
pub const KL_HIGH: f64 = 10.0;

type Rgb = [u8; 3];

const VIRIDIS: [Rgb; 9] = [
    [0x44, 0x01, 0x54],
    [0x47, 0x2c, 0x7a],
    [0x3b, 0x51, 0x8b],
    [0x2c, 0x71, 0x8e],
    [0x21, 0x90, 0x8d],
    [0x27, 0xad, 0x81],
    [0x5c, 0xc8, 0x63],
    [0xaa, 0xdc, 0x32],
    [0xfd, 0xe7, 0x25],
];

/// ColorBrewer RdBu, 9 classes, red (negative) to blue (positive).
const DIVERGING_LIGHT: [Rgb; 9] = [
    [0xb2, 0x18, 0x2b],
    [0xd6, 0x60, 0x4d],
    [0xf4, 0xa5, 0x82],
    [0xfd, 0xdb, 0xc7],
    [0xf7, 0xf7, 0xf7],
    [0xd1, 0xe5, 0xf0],
    [0x92, 0xc5, 0xde],
    [0x43, 0x93, 0xc3],
    [0x21, 0x66, 0xac],
];

/// The same hues around a dark middle, lightness rising outwards.
const DIVERGING_DARK: [Rgb; 9] = [
    [0xf4, 0xa5, 0x82],
    [0xe0, 0x65, 0x4f],
    [0xa8, 0x3c, 0x32],
    [0x6a, 0x2c, 0x2a],
    [0x2b, 0x2b, 0x2b],
    [0x25, 0x45, 0x66],
    [0x2f, 0x6e, 0xa6],
    [0x4f, 0x9b, 0xd9],
    [0x92, 0xc5, 0xde],
];

const NEUTRAL_LIGHT: Rgb = [0xd0, 0xd0, 0xd0];
const NEUTRAL_DARK: Rgb = [0x55, 0x55, 0x55];

/// The colour of a log-likelihood; neutral when unscored.
pub fn loglik(logprob: Option<f64>, theme: Theme) -> Swatch {
    match logprob.filter(|v| v.is_finite()) {
        Some(v) => swatch(sample(&VIRIDIS, (v - LOGLIK_MIN) / -LOGLIK_MIN)),
        None => neutral(theme),
    }
}

/// The colour of a KL divergence (nats) on the log scale from [`KL_LOW`] to [`KL_HIGH`]; neutral when
/// unknown.
pub fn kl(value: Option<f64>, theme: Theme) -> Swatch {
    match value.filter(|v| v.is_finite()) {
        Some(v) => {
            let (low, high) = (KL_LOW.log10(), KL_HIGH.log10());
            let at = (v.max(KL_LOW).log10() - low) / (high - low);
            swatch(sample(&VIRIDIS, 1.0 - at))
        }
        None => neutral(theme),
    }
}

/// Legend of the KL scale, one stop per decade.
pub fn kl_legend() -> Vec<LegendStop> {
    [0.01, 0.1, 1.0, 10.0]
        .into_iter()
        .enumerate()
        .map(|(i, value)| {
            let label = match i {
                0 => format!("≤ {value} (agree)"),
                3 => format!("≥ {value}"),
                _ => format!("{value}"),
            };
            stop(value, kl(Some(value), Theme::Light), label)
        })
        .collect()
}

/// The colour of a difference custom − baseline (nats); neutral when unknown.
pub fn difference(delta: Option<f64>, theme: Theme) -> Swatch {
    let scale = match theme {
        Theme::Light => &DIVERGING_LIGHT,
        Theme::Dark => &DIVERGING_DARK,
    };
    match delta.filter(|v| v.is_finite()) {
        Some(v) => swatch(sample(
            scale,
            (v + DIFFERENCE_CLAMP) / (2.0 * DIFFERENCE_CLAMP),
        )),
        None => neutral(theme),
    }
}

/// Where the actual token stood among the model's guesses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RankBucket {
    /// The model's top choice.
    Top1,
    /// Rank 2 to 10.
    Top10,
    /// Rank 11 to 100.
    Top100,
    /// Rank above 100.
    Beyond,
    /// Not the top choice, rank unknown (the backend gives the top token but no rank).
    NotTop1,
    /// Unknown (unscored, or the backend tells neither).
    Unknown,
}

impl RankBucket {
    /// The bucket of a 1-based rank (0 is unknown).
    pub fn from_rank(rank: u32) -> Self {
        match rank {
            0 => RankBucket::Unknown,
            1 => RankBucket::Top1,
            2..=10 => RankBucket::Top10,
            11..=100 => RankBucket::Top100,
            _ => RankBucket::Beyond,
        }
    }

    /// The bucket of a token: from its rank, else top-1 or not from its top token.
    pub fn of(token: &ScoredToken) -> Self {
        if token.logprob.is_none() {
            return RankBucket::Unknown;
        }
        match (token.rank, token.is_top_choice()) {
            (Some(rank), _) => RankBucket::from_rank(rank),
            (None, Some(true)) => RankBucket::Top1,
            (None, Some(false)) => RankBucket::NotTop1,
            (None, None) => RankBucket::Unknown,
        }
    }

    /// A label for the legend.
    pub fn label(self) -> &'static str {
        match self {
            RankBucket::Top1 => "top-1",
            RankBucket::Top10 => "top-10",
            RankBucket::Top100 => "top-100",
            RankBucket::Beyond => "beyond 100",
            RankBucket::NotTop1 => "not top-1",
            RankBucket::Unknown => "unknown",
        }
    }

    fn colour(self) -> Option<Rgb> {
        match self {
            RankBucket::Top1 => Some([0xfd, 0xe7, 0x25]),
            RankBucket::Top10 => Some([0x35, 0xb7, 0x79]),
            RankBucket::Top100 => Some([0x31, 0x68, 0x8e]),
            RankBucket::Beyond => Some([0x44, 0x01, 0x54]),
            RankBucket::NotTop1 => Some([0x3b, 0x51, 0x8b]),
            RankBucket::Unknown => None,
        }
    }
}

/// The colour of a rank bucket.
pub fn rank(bucket: RankBucket, theme: Theme) -> Swatch {
    bucket.colour().map_or_else(|| neutral(theme), swatch)
}

/// The colour of an unscored or unknown token, distinct from every scale.
pub fn neutral(theme: Theme) -> Swatch {
    swatch(match theme {
        Theme::Light => NEUTRAL_LIGHT,
        Theme::Dark => NEUTRAL_DARK,
    })
}

/// Legend of the log-likelihood scale, every 3 nats from -15 to 0.
pub fn loglik_legend() -> Vec<LegendStop> {
    (0..=5)
        .map(|i| {
            let value = LOGLIK_MIN + 3.0 * f64::from(i);
            let label = if i == 0 {
                format!("≤ {value}")
            } else {
                format!("{value}")
            };
            stop(value, loglik(Some(value), Theme::Light), label)
        })
        .collect()
}

/// Legend of the difference scale, every 2.5 nats from -5 to +5.
pub fn difference_legend(theme: Theme) -> Vec<LegendStop> {
    (-2..=2)
        .map(|i| {
            let value = 2.5 * f64::from(i);
            let label = match i {
                -2 => format!("≤ -{DIFFERENCE_CLAMP} (custom less likely)"),
                2 => format!("≥ +{DIFFERENCE_CLAMP} (custom more likely)"),
                0 => "0".to_string(),
                _ => format!("{value:+}"),
            };
            stop(value, difference(Some(value), theme), label)
        })
        .collect()
}

/// Legend of the rank buckets (with ranks known; `NotTop1` replaces the last three without).
pub fn rank_legend(theme: Theme) -> Vec<LegendStop> {
    [
        RankBucket::Top1,
        RankBucket::Top10,
        RankBucket::Top100,
        RankBucket::Beyond,
        RankBucket::NotTop1,
    ]
    .iter()
    .enumerate()
    .map(|(i, &b)| stop(i as f64, rank(b, theme), b.label().to_string()))
    .collect()
}

/// A CSS `linear-gradient(to right, …)` through a legend's colours, for a legend bar.
pub fn gradient_css(stops: &[LegendStop]) -> String {
    let last = stops.len().saturating_sub(1).max(1) as f64;
    let parts: Vec<String> = stops
        .iter()
        .enumerate()
        .map(|(i, s)| format!("{} {:.0}%", s.colour, i as f64 / last * 100.0))
        .collect();
    format!("linear-gradient(to right, {})", parts.join(", "))
}

fn stop(value: f64, swatch: Swatch, label: String) -> LegendStop {
    LegendStop {
        value,
        colour: swatch.background,
        label,
    }
}

/// The colour at `t` in 0..=1 (clamped) along evenly spaced `stops`.
fn sample(stops: &[Rgb], t: f64) -> Rgb {
    let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
    let position = t * (stops.len() - 1) as f64;
    let lower = (position.floor() as usize).min(stops.len() - 1);
    let upper = (lower + 1).min(stops.len() - 1);
    let fraction = position - lower as f64;
    std::array::from_fn(|c| {
        let (a, b) = (f64::from(stops[lower][c]), f64::from(stops[upper][c]));
        (a + (b - a) * fraction).round() as u8
    })
}

fn swatch(rgb: Rgb) -> Swatch {
    let on_black = contrast_ratio(rgb, [0, 0, 0]);
    let on_white = contrast_ratio(rgb, [255, 255, 255]);
    Swatch {
        background: hex(rgb),
        text: if on_black >= on_white {
            "#000000"
        } else {
            "#ffffff"
        },
    }
}

fn hex([r, g, b]: Rgb) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// WCAG relative luminance.
fn luminance(rgb: Rgb) -> f64 {
    let channel = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.040_45 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(rgb[0]) + 0.7152 * channel(rgb[1]) + 0.0722 * channel(rgb[2])
}

/// WCAG contrast ratio of two colours, 1 to 21.
fn contrast_ratio(a: Rgb, b: Rgb) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(css: &str) -> Rgb {
        let v = u32::from_str_radix(&css[1..], 16).unwrap();
        [(v >> 16) as u8, (v >> 8) as u8, v as u8]
    }

    fn readable(s: &Swatch) {
        let ratio = contrast_ratio(parse(&s.background), parse(s.text));
        assert!(ratio >= 4.5, "{s:?} has contrast {ratio}");
    }

    #[test]
    fn loglik_scale_ends_and_clamps() {
        assert_eq!(loglik(Some(0.0), Theme::Light).background, "#fde725");
        assert_eq!(loglik(Some(-15.0), Theme::Light).background, "#440154");
        assert_eq!(loglik(Some(-40.0), Theme::Dark).background, "#440154");
        assert_eq!(loglik(Some(-7.5), Theme::Light).background, "#21908d");
        assert_eq!(loglik(Some(0.0), Theme::Light).text, "#000000");
        assert_eq!(loglik(Some(-15.0), Theme::Light).text, "#ffffff");
        assert_eq!(loglik(None, Theme::Light), neutral(Theme::Light));
    }

    #[test]
    fn difference_scale_is_symmetric_and_clamped() {
        assert_eq!(difference(Some(0.0), Theme::Light).background, "#f7f7f7");
        assert_eq!(difference(Some(0.0), Theme::Dark).background, "#2b2b2b");
        assert_eq!(difference(Some(-9.0), Theme::Light).background, "#b2182b");
        assert_eq!(difference(Some(5.0), Theme::Light).background, "#2166ac");
        assert_eq!(difference(None, Theme::Dark), neutral(Theme::Dark));
    }

    #[test]
    fn rank_buckets() {
        let buckets: Vec<_> = [1, 2, 10, 11, 100, 101, 0]
            .into_iter()
            .map(RankBucket::from_rank)
            .collect();
        use RankBucket::*;
        assert_eq!(
            buckets,
            [Top1, Top10, Top10, Top100, Top100, Beyond, Unknown]
        );
        let mut token = ScoredToken {
            text: " be".into(),
            logprob: Some(-2.0),
            top: Some((" the".into(), -1.0)),
            rank: None,
            id: None,
            top_k: None,
        };
        assert_eq!(RankBucket::of(&token), NotTop1);
        token.rank = Some(7);
        assert_eq!(RankBucket::of(&token), Top10);
        token.logprob = None;
        assert_eq!(RankBucket::of(&token), Unknown);
        assert_eq!(rank(Unknown, Theme::Light), neutral(Theme::Light));
    }

    #[test]
    fn every_colour_keeps_text_readable_in_both_themes() {
        for theme in [Theme::Light, Theme::Dark] {
            for i in 0..=150 {
                readable(&loglik(Some(-0.1 * f64::from(i)), theme));
            }
            for i in -60..=60 {
                readable(&difference(Some(0.1 * f64::from(i)), theme));
            }
            for stop in rank_legend(theme) {
                readable(&swatch(parse(&stop.colour)));
            }
            readable(&neutral(theme));
        }
    }

    #[test]
    fn neutral_differs_from_the_scales() {
        for theme in [Theme::Light, Theme::Dark] {
            let n = neutral(theme).background;
            assert!(loglik_legend().iter().all(|s| s.colour != n));
            assert!(difference_legend(theme).iter().all(|s| s.colour != n));
            assert!(rank_legend(theme).iter().all(|s| s.colour != n));
        }
    }

    #[test]
    fn legends() {
        let l = loglik_legend();
        assert_eq!(l.len(), 6);
        assert_eq!(l[0].label, "≤ -15");
        assert_eq!(l[5].colour, "#fde725");
        let d = difference_legend(Theme::Light);
        assert_eq!(d[2].label, "0");
        assert_eq!(d[3].label, "+2.5");
        assert_eq!(
            gradient_css(&d[..2]),
            "linear-gradient(to right, #b2182b 0%, #f4a582 100%)"
        );
    }

    #[test]
    fn kl_runs_from_yellow_to_purple_on_a_log_scale() {
        assert_eq!(kl(Some(0.0), Theme::Light).background, "#fde725");
        assert_eq!(kl(Some(0.001), Theme::Dark).background, "#fde725");
        assert_eq!(kl(Some(50.0), Theme::Light).background, "#440154");
        assert_eq!(kl(None, Theme::Dark), neutral(Theme::Dark));
        let legend = kl_legend();
        assert_eq!(legend.len(), 4);
        assert!(legend
            .iter()
            .all(|s| s.colour != neutral(Theme::Light).background));
        readable(&kl(Some(0.3), Theme::Light));
    }
}
