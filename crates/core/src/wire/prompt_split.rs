//! Where an answer's prompt tokens end and its generated tokens begin, decided here only: the server's
//! normalisation uses it to count the prompt's tokens of an upstream answer that does not say, and the
//! page uses it when an answer lacks `meta.billed_units.input_tokens`.
//!
//! The rule: leading special tokens an upstream added (`<s>`, `<|begin_of_text|>`) that the prompt does
//! not start with belong to the prompt but cover none of it; then tokens belong to the prompt until
//! their text pieces cover its length, counted in bytes (Cohere, the page) or characters (OpenAI-style
//! servers).

/// How many leading tokens are the prompt's, and how much of the prompt they cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PromptSplit {
    /// Leading tokens that are the prompt's.
    pub tokens: usize,
    /// The prompt's length they cover (in the unit counted); less than the prompt's when the pieces
    /// ran out first.
    pub covered: usize,
}

/// Whether a leading piece is not part of the prompt's text: a special token such as `<s>`,
/// `<|begin_of_text|>` or `<bos>` that the upstream added. (An empty piece is a real token: one that
/// ends inside a multi-byte character.)
pub fn is_added_special(piece: &str, prompt: &str) -> bool {
    let special = piece.len() >= 3
        && piece.starts_with('<')
        && piece.ends_with('>')
        && !piece.chars().any(char::is_whitespace);
    special && !prompt.starts_with(piece)
}

/// The split of `pieces` at the end of `prompt`, its length counted with `len` ([`bytes`] or
/// [`chars`], as the upstream counts).
pub fn split_prompt<'a>(
    prompt: &str,
    pieces: impl IntoIterator<Item = &'a str>,
    len: fn(&str) -> usize,
) -> PromptSplit {
    let target = len(prompt);
    let mut split = PromptSplit {
        tokens: 0,
        covered: 0,
    };
    let mut leading = true;
    for piece in pieces {
        if split.covered >= target {
            break;
        }
        split.tokens += 1;
        if leading && is_added_special(piece, prompt) {
            continue;
        }
        leading = false;
        split.covered += len(piece);
    }
    split
}

/// Character length, as OpenAI-style servers count text.
pub fn chars(text: &str) -> usize {
    text.chars().count()
}

/// Byte length, as Cohere counts tokens' text.
pub fn bytes(text: &str) -> usize {
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_skip_a_leading_bos_and_stop_at_the_prompt() {
        let count = |prompt, pieces: &[&str], len| split_prompt(prompt, pieces.to_vec(), len);
        assert_eq!(
            count("To be", &["<s>", "To", " be", ",", " or"], chars).tokens,
            3
        );
        assert_eq!(count("To be", &["To", " be", ","], bytes).tokens, 2);
        assert_eq!(count("né", &["n", "é", "!"], bytes).tokens, 2);
        assert_eq!(
            count("abc", &["a"], chars),
            PromptSplit {
                tokens: 1,
                covered: 1
            },
            "short lists end early"
        );
    }

    #[test]
    fn a_prompt_that_starts_with_angle_brackets_keeps_its_token() {
        assert!(!is_added_special("<b>", "<b>bold</b>"));
        assert!(is_added_special("<|begin_of_text|>", "Hello"));
    }
}
