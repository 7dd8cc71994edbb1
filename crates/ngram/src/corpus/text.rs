//! Text normalisation shared by the corpora.
//!
//! Decisions (see the crate README for the reasons):
//! - hard-wrapped **prose** is reflowed: its line breaks are a layout artefact;
//! - **verse** (and other lines that break on purpose) keeps its line breaks in half of the blocks
//!   and is joined with spaces in the other half, so that the model knows both the play layout
//!   (a newline token after each verse line) and a quotation pasted as one line;
//! - in half of the documents ASCII apostrophes become typographic ones (`'` → `’`), as in
//!   modern typeset text such as the worked example (`’tis`), the other half keeps `'`;
//! - runs of spaces inside a line become one space, lines lose their indentation and trailing
//!   blanks.
//!
//! The halves are chosen by a hash of the document (and block) position, so training is
//! deterministic.

/// FNV-1a, 64 bits: a small stable hash for deterministic choices and fingerprints.
pub fn fnv1a(bytes: &[u8], seed: u64) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64 ^ seed;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// A deterministic coin flip for item `index` of kind `salt`.
pub fn coin(salt: &str, index: u64) -> bool {
    fnv1a(salt.as_bytes(), index.wrapping_mul(0x9e37_79b9_7f4a_7c15)) & 1 == 1
}

/// Collapses runs of spaces and tabs into one space and trims the ends.
pub fn squeeze_spaces(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut space = false;
    for c in line.trim().chars() {
        if c == ' ' || c == '\t' {
            space = true;
        } else {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    }
    out
}

/// Joins lines with single spaces (reflow).
pub fn reflow<'a>(lines: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for l in lines {
        let l = squeeze_spaces(l);
        if l.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&l);
    }
    out
}

/// Whether a block of lines reads as verse or deliberate line breaks rather than wrapped prose:
/// at least three quarters of the lines after the first start with a capital letter (or a
/// non-letter), as verse lines do and wrapped prose does not, or all lines are very short.
pub fn looks_like_verse(lines: &[&str]) -> bool {
    let lines: Vec<&str> = lines
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty())
        .collect();
    if lines.len() < 2 {
        return false;
    }
    let body = &lines[..lines.len() - 1];
    let short = body.iter().filter(|l| l.chars().count() < 36).count();
    let capital = lines[1..]
        .iter()
        .filter(|l| {
            l.chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || !c.is_alphanumeric())
        })
        .count();
    short == body.len() || capital * 4 >= (lines.len() - 1) * 3
}

/// Renders a verse block: its lines (trimmed, spaces squeezed) with their breaks, or joined.
pub fn render_verse(lines: &[&str], keep_breaks: bool) -> String {
    if keep_breaks {
        lines
            .iter()
            .map(|l| squeeze_spaces(l))
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("\n")
    } else {
        reflow(lines.iter().copied())
    }
}

/// Typographic apostrophes: every ASCII `'` becomes `’`.
pub fn typographic_apostrophes(text: &str) -> String {
    text.replace('\'', "\u{2019}")
}

/// Removes backspace overstriking (`c\x08c`, `_\x08c`), as found in old fortune files.
pub fn remove_overstrike(text: &str) -> String {
    let mut out: Vec<char> = Vec::with_capacity(text.len());
    for c in text.chars() {
        if c == '\u{8}' {
            out.pop();
        } else {
            out.push(c);
        }
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_helpers() {
        assert_eq!(squeeze_spaces("  a  b\t c "), "a b c");
        assert_eq!(reflow(["one two", "  three", ""]), "one two three");
        assert_eq!(typographic_apostrophes("'tis wish'd"), "’tis wish’d");
        assert_eq!(remove_overstrike("_\u{8}a_\u{8}b"), "ab");
        let verse = [
            "To be, or not to be,",
            "Whether 'tis nobler",
            "The slings and arrows",
        ];
        assert!(looks_like_verse(&verse));
        assert_eq!(
            render_verse(&verse, false),
            "To be, or not to be, Whether 'tis nobler The slings and arrows"
        );
        let prose = [
            "one who is learning the alphabet and who is therefore a beginner in",
            "every sense of the word, and who has a long way to go before he can",
            "read.",
        ];
        assert!(!looks_like_verse(&prose));
        assert_eq!(coin("x", 3), coin("x", 3));
    }
}
