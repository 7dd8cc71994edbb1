//! How a token's text is shown on its own (a tooltip, a table of token strings): its whitespace made
//! visible, since a token is often a space and a word, or a line break.

/// The token's text with its whitespace made visible: `␣` for a space, `↵` a line feed, `⇥` a tab,
/// `␍` a carriage return.
pub fn visible_whitespace(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            ' ' => '␣',
            '\n' => '↵',
            '\t' => '⇥',
            '\r' => '␍',
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::visible_whitespace;

    #[test]
    fn whitespace_is_made_visible() {
        assert_eq!(visible_whitespace(" a\n\t\r"), "␣a↵⇥␍");
    }
}
