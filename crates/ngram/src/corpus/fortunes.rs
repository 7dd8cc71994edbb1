//! Fortune cookies (`fortunes`, `fortunes-min`): the UTF-8 files (`*.u8`, or the plain ones when
//! absent), split at `%` lines. Overstriking goes; every fortune that quotes or names Shakespeare or
//! one of his plays is dropped; ASCII-art and offensive collections are not used.

use std::path::Path;

use super::text::{coin, looks_like_verse, reflow, remove_overstrike, render_verse};
use crate::error::NgramError;

/// Collections not read: pictures rather than English.
const SKIPPED: &[&str] = &["ascii-art", "art"];

/// Words that mark a fortune as Shakespeare's (lower case).
const SHAKESPEARE_MARKERS: &[&str] = &[
    "shakespeare",
    "shakespear",
    "hamlet",
    "macbeth",
    "othello",
    "king lear",
    "romeo",
    "juliet",
    "julius caesar",
    "tempest",
    "twelfth night",
    "midsummer",
    "merchant of venice",
    "much ado",
    "as you like it",
    "henry iv",
    "henry v",
    "henry vi",
    "richard ii",
    "richard iii",
    "coriolanus",
    "cymbeline",
    "titus andronicus",
    "timon of athens",
    "troilus",
    "winter's tale",
    "measure for measure",
    "merry wives",
    "taming of the shrew",
    "comedy of errors",
    "pericles",
    "two gentlemen of verona",
    "love's labour",
    "all's well",
    "antony and cleopatra",
    "king john",
    "henry viii",
    "falstaff",
    "polonius",
    "ophelia",
    "prospero",
    "-- shak",
];

/// Whether a fortune mentions Shakespeare or one of his plays.
pub fn mentions_shakespeare(text: &str) -> bool {
    let lower = text.to_lowercase();
    SHAKESPEARE_MARKERS.iter().any(|m| lower.contains(m))
}

/// Reads every collection under `dir` (sorted by name) into cleaned fortunes.
pub fn read_dir(dir: &Path) -> Result<Vec<String>, NgramError> {
    let entries = std::fs::read_dir(dir).map_err(|_| NgramError::CorpusMissing {
        what: "fortunes",
        path: dir.to_path_buf(),
    })?;
    let mut files: Vec<std::path::PathBuf> = Vec::new();
    for e in entries {
        let p = e.map_err(|e| NgramError::io("listing", dir, e))?.path();
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.contains('.') || SKIPPED.contains(&name) || !p.is_file() {
            continue;
        }
        let u8 = p.with_extension("u8");
        files.push(if u8.is_file() { u8 } else { p });
    }
    files.sort();
    let mut out = Vec::new();
    for f in &files {
        let bytes = std::fs::read(f).map_err(|e| NgramError::io("reading", f, e))?;
        let text = remove_overstrike(&String::from_utf8_lossy(&bytes));
        for raw in text.split("\n%\n") {
            let raw = raw.trim_matches('%');
            if raw.trim().is_empty() || mentions_shakespeare(raw) {
                continue;
            }
            let index = out.len() as u64;
            if let Some(doc) = clean_fortune(raw, index) {
                out.push(doc);
            }
        }
    }
    if out.is_empty() {
        return Err(NgramError::CorpusMissing {
            what: "fortunes",
            path: dir.to_path_buf(),
        });
    }
    Ok(out)
}

/// Cleans one fortune: paragraphs of prose are reflowed, verse and dialogue follow the verse rule.
pub fn clean_fortune(raw: &str, index: u64) -> Option<String> {
    let text = raw.replace('\t', "        ");
    let mut paragraphs = Vec::new();
    for (k, block) in text.split("\n\n").enumerate() {
        let lines: Vec<&str> = block.lines().filter(|l| !l.trim().is_empty()).collect();
        if lines.is_empty() {
            continue;
        }
        let p = if looks_like_verse(&lines) {
            render_verse(&lines, coin("fortune-verse", index * 64 + k as u64))
        } else {
            reflow(lines.iter().copied())
        };
        paragraphs.push(p);
    }
    (!paragraphs.is_empty()).then(|| paragraphs.join("\n\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_shakespeare_fortunes() {
        assert!(mentions_shakespeare(
            "To be or not to be.\n\t\t-- William Shakespeare, \"Hamlet\""
        ));
        assert!(!mentions_shakespeare(
            "A day for firm decisions!!!!! Or is it?"
        ));
        assert_eq!(
            clean_fortune("A day for firm decisions!!!!!  Or is it?\n", 0).as_deref(),
            Some("A day for firm decisions!!!!! Or is it?")
        );
    }
}
