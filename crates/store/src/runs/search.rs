//! The free-text filter's forms. What matches never changes: a run matches when its lower-cased
//! `search_text` contains the lower-cased text (`instr` / `strpos`). Text of three characters or more
//! can also be looked up in the trigram index each database keeps (SQLite: an FTS5 `trigram` table;
//! PostgreSQL: a `pg_trgm` GIN index), which finds the few runs that hold a rare text without reading
//! every run. Shorter text has no trigram: the `likely_run_grams` table, every one- and
//! two-character string any run holds, answers at once when no run holds it, and otherwise the runs
//! are checked one by one (newest first, so a common text fills a page soon).

/// The fewest characters a trigram index can look up.
pub(crate) const MIN_INDEXED_CHARS: usize = 3;

/// Above this many candidates in the SQLite index the text is common: walking the runs newest first
/// and checking each finds a page sooner than reading and sorting every candidate.
pub(crate) const MAX_INDEXED_CANDIDATES: i64 = 2_000;

/// The filter's text as the store compares it: lower-cased, `None` when empty.
pub(crate) fn needle(text: Option<&str>) -> Option<String> {
    text.filter(|text| !text.is_empty()).map(str::to_lowercase)
}

/// Whether a trigram index can look `needle` up.
pub(crate) fn indexable(needle: &str) -> bool {
    needle.chars().count() >= MIN_INDEXED_CHARS
}

/// Every one- and two-character string of `text` (as `likely_run_grams` keeps them), sorted.
pub(crate) fn grams(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut grams: std::collections::BTreeSet<String> =
        chars.iter().map(|c| c.to_string()).collect();
    grams.extend(chars.windows(2).map(|pair| pair.iter().collect::<String>()));
    grams.into_iter().collect()
}

/// `needle` as an FTS5 query: one string (a phrase), so no character is an operator; with the trigram
/// tokenizer it matches every text holding `needle` (case-folded) as a substring.
pub(crate) fn fts_phrase(needle: &str) -> String {
    format!("\"{}\"", needle.replace('"', "\"\""))
}

/// `needle` as a `LIKE` pattern (escape character `\`) matching any text that contains it.
pub(crate) fn like_pattern(needle: &str) -> String {
    let mut pattern = String::with_capacity(needle.len() + 2);
    pattern.push('%');
    for c in needle.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_needle_is_lower_cased_and_empty_text_is_no_filter() {
        assert_eq!(needle(Some("Tune-3")), Some("tune-3".into()));
        assert_eq!(needle(Some("")), None);
        assert_eq!(needle(None), None);
    }

    #[test]
    fn three_characters_are_needed_for_the_index() {
        assert!(!indexable("ab"));
        assert!(!indexable("éé"));
        assert!(indexable("éèê"));
        assert!(indexable("v1 "));
    }

    #[test]
    fn grams_are_every_one_and_two_character_string() {
        assert_eq!(grams("abab"), ["a", "ab", "b", "ba"]);
        assert_eq!(grams("é\n"), ["\n", "é", "é\n"]);
        assert!(grams("").is_empty());
    }

    #[test]
    fn quotes_and_wildcards_are_literal() {
        assert_eq!(fts_phrase(r#"a"b OR c*"#), r#""a""b OR c*""#);
        assert_eq!(like_pattern(r"50%_a\b"), r"%50\%\_a\\b%");
    }
}
