//! Stop sequences as a person types them: one per line, with `\n`, `\t` and `\\` standing for a line
//! break, a tab and a backslash (so a line break can be a stop sequence). Blank lines are ignored.

/// The stop sequences written in `text`.
pub fn parse_stop_sequences(text: &str) -> Vec<String> {
    text.lines()
        .filter(|line| !line.is_empty())
        .map(unescape)
        .collect()
}

/// `stops` written back as [`parse_stop_sequences`] reads them.
pub fn stop_sequences_text(stops: &[String]) -> String {
    stops
        .iter()
        .map(|s| escape(s))
        .collect::<Vec<_>>()
        .join("\n")
}

fn unescape(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('\\') => out.push('\\'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

fn escape(stop: &str) -> String {
    let mut out = String::with_capacity(stop.len());
    for c in stop.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_stand_for_line_breaks_tabs_and_backslashes() {
        assert_eq!(
            parse_stop_sequences("\\n\n###\n\na\\tb\n\\\\n\n\\x"),
            vec!["\n", "###", "a\tb", "\\n", "\\x"]
        );
        let stops: Vec<String> = vec!["\n".into(), "a\\b".into(), "END".into()];
        assert_eq!(parse_stop_sequences(&stop_sequences_text(&stops)), stops);
        assert!(parse_stop_sequences("").is_empty());
    }
}
