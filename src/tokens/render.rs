//! Builds the HTML of a run of token spans as one string, which the view appends in chunks: far
//! cheaper than a reactive node per token on texts of 100,000 tokens. Text is escaped; whitespace is
//! kept (the container uses `white-space: pre-wrap`).

use std::fmt::Write;

/// One token as the view paints it.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenCell<'a> {
    /// The token's text piece.
    pub text: &'a str,
    /// CSS background colour.
    pub background: &'a str,
    /// CSS text colour.
    pub color: &'a str,
    /// The first token of a snippet, which has no likelihood: drawn neutral.
    pub unscored: bool,
    /// A new context window begins at this token.
    pub window_start: bool,
}

/// Escapes text for HTML content and attribute values.
pub fn escape_html(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
}

/// The spans of `cells`, numbered from `first_index`.
pub fn spans_html(cells: &[TokenCell<'_>], first_index: usize) -> String {
    let mut out = String::with_capacity(cells.len() * 96);
    for (offset, cell) in cells.iter().enumerate() {
        let index = first_index + offset;
        if cell.window_start {
            out.push_str(
                "<span class=\"window-mark\" title=\"A new context window begins here\" aria-label=\"window start\">⟨window⟩</span>",
            );
        }
        let class = if cell.unscored { "tok unscored" } else { "tok" };
        // Writing to a String cannot fail.
        let _ = write!(
            out,
            "<span class=\"{class}\" data-testid=\"token\" data-index=\"{index}\" tabindex=\"-1\" style=\"background:{};color:{}\">",
            cell.background, cell.color
        );
        escape_html(cell.text, &mut out);
        out.push_str("</span>");
    }
    out
}

/// The token's text with its whitespace made visible, for the tooltip (likely-core's, which the
/// results' tables of token strings use too).
pub use likely_core::token_text::visible_whitespace;

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(text: &str) -> TokenCell<'_> {
        TokenCell {
            text,
            background: "#ffffff",
            color: "#000000",
            unscored: false,
            window_start: false,
        }
    }

    #[test]
    fn spans_are_numbered_escaped_and_keep_whitespace() {
        let html = spans_html(&[cell("<b>"), cell(" &\n")], 7);
        assert!(html.contains("data-index=\"7\""));
        assert!(html.contains("data-index=\"8\""));
        assert!(html.contains("&lt;b&gt;"));
        assert!(html.contains(" &amp;\n</span>"));
        assert_eq!(html.matches("data-testid=\"token\"").count(), 2);
    }

    #[test]
    fn unscored_and_window_starts_are_marked() {
        let mut first = cell("To");
        first.unscored = true;
        let mut later = cell(" be");
        later.window_start = true;
        let html = spans_html(&[first, later], 0);
        assert!(html.contains("class=\"tok unscored\""));
        assert!(html.contains("window-mark"));
    }
}
