//! GCIDE (Webster's 1913 dictionary with WordNet) entries as plain English documents.
//!
//! Clean-up, in order: GCIDE's character entities (`[eacute]`-style codes) become the letters
//! they stand for; pronunciations (`\A*bet"\`) and cross-reference braces go; source tags
//! (`[1913 Webster]`), usage labels and etymologies (bracketed) go; citations (`--Milton.`) go.
//! **Every quotation attributed to Shakespeare (`--Shak.`) is removed**, block quotations and
//! inline ones alike, so that the base model has never read him. Definitions (hard-wrapped prose)
//! are reflowed into one paragraph each; block quotations that read as verse follow the verse rule
//! of [`super::text`].

use super::text::{coin, looks_like_verse, reflow, render_verse, squeeze_spaces};

/// GCIDE entity codes and what they stand for (the common ones; others are dropped).
const ENTITIES: &[(&str, &str)] = &[
    ("'e", "é"),
    ("`e", "è"),
    ("^e", "ê"),
    ("\"e", "ë"),
    ("=e", "ē"),
    ("~e", "ẽ"),
    ("'a", "á"),
    ("`a", "à"),
    ("^a", "â"),
    ("\"a", "ä"),
    ("aum", "ä"),
    ("=a", "ā"),
    (".a", "ȧ"),
    ("'o", "ó"),
    ("^o", "ô"),
    ("\"o", "ö"),
    ("=o", "ō"),
    ("-o", "o"),
    ("=oo", "oo"),
    ("oo^", "oo"),
    ("'u", "ú"),
    ("^u", "û"),
    ("\"u", "ü"),
    ("=u", "ū"),
    ("-u", "u"),
    (".u", "u"),
    ("udd", "u"),
    ("'i", "í"),
    ("\"i", "ï"),
    ("imac", "ī"),
    ("=i", "ī"),
    ("-i", "i"),
    ("i^", "i"),
    ("a^", "a"),
    ("e^", "e"),
    ("u^", "u"),
    ("o^", "o"),
    ("y^", "y"),
    ("=y", "ȳ"),
    ("-e", "e"),
    ("ae", "æ"),
    ("AE", "Æ"),
    ("=ae", "ǣ"),
    ("oe", "œ"),
    ("OE", "Œ"),
    (",c", "ç"),
    ("~n", "ñ"),
    ("eth", "ð"),
    ("thorn", "þ"),
    ("deg", "°"),
    ("sect", "§"),
    ("ng", "ng"),
    ("th", "th"),
    ("frac12", "½"),
    ("frac14", "¼"),
    ("frac34", "¾"),
    ("pound", "£"),
    ("cent", "¢"),
    ("mdash", "—"),
    ("ndash", "–"),
    ("times", "×"),
    ("divide", "÷"),
    ("para", "¶"),
];

/// Replaces `[code]` entities; brackets that are not entities are left for later removal.
fn replace_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('[') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        match after.find(']') {
            Some(j) if j <= 8 && !after[..j].contains(char::is_whitespace) => {
                let code = &after[..j];
                if let Some((_, s)) = ENTITIES.iter().find(|(c, _)| *c == code) {
                    out.push_str(s);
                    rest = &after[j + 1..];
                    continue;
                }
                // Unknown short codes of symbols (not words like [Obs.]) are dropped.
                if !code.chars().any(|c| c.is_ascii_uppercase()) && !code.ends_with('.') {
                    rest = &after[j + 1..];
                    continue;
                }
                out.push('[');
                rest = after;
            }
            _ => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Removes `\pronunciation\` spans within one line.
fn remove_pronunciations(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut parts = line.split('\\');
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    let rest: Vec<&str> = parts.collect();
    // Odd pieces are inside backslashes; an unmatched last one is kept.
    for (k, piece) in rest.iter().enumerate() {
        let inside = k % 2 == 0;
        if !inside || (k + 1 == rest.len()) {
            if inside {
                out.push('\\');
            }
            out.push_str(piece);
        }
    }
    out
}

/// Removes GCIDE's syllable and stress marks inside words (`Free"-heart`ed*ly` → `Free-heartedly`).
fn remove_word_marks(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        if matches!(c, '*' | '`' | '"') {
            let before = i > 0 && chars[i - 1].is_alphabetic();
            let after = chars
                .get(i + 1)
                .is_some_and(|n| n.is_alphabetic() || *n == '-');
            if before && after {
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// Removes `[...]` groups (labels, etymologies, tags), nested ones included.
fn remove_brackets(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '[' => depth += 1,
            ']' if depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// Position of a citation start (`--` followed by a capital letter) at or after `from`.
fn find_citation(text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = from;
    while let Some(k) = text.get(i..).and_then(|s| s.find("--")) {
        let at = i + k;
        if bytes.get(at + 2).is_some_and(u8::is_ascii_uppercase) {
            return Some(at);
        }
        i = at + 2;
    }
    None
}

fn is_shakespeare(citation: &str) -> bool {
    citation
        .trim_start_matches('-')
        .trim_start()
        .starts_with("Shak")
}

/// Removes citations from a prose paragraph, and the quotations attributed to Shakespeare.
fn remove_citations(text: &str) -> String {
    let mut s = text.to_string();
    let mut from = 0;
    while let Some(at) = find_citation(&s, from) {
        // The citation runs to the next quotation mark or the end.
        let end = s[at..].find('"').map_or(s.len(), |k| at + k);
        let mut start = at;
        if is_shakespeare(&s[at..end]) {
            // Remove the quotations just before it: "..." "..." --Shak.
            loop {
                let before = s[..start].trim_end();
                if !before.ends_with('"') {
                    break;
                }
                let close = before.len() - 1;
                match s[..close].rfind('"') {
                    Some(open) => start = open,
                    None => break,
                }
            }
        }
        s.replace_range(start..end, " ");
        from = start;
    }
    squeeze_spaces(&s)
}

/// A paragraph boundary inside prose: numbered senses, notes, synonyms.
fn starts_paragraph(trimmed: &str) -> bool {
    let digits = trimmed.bytes().take_while(u8::is_ascii_digit).count();
    (digits > 0 && trimmed[digits..].starts_with('.'))
        || ["Syn:", "Note:", "Usage:", "Syn.", "Note."]
            .iter()
            .any(|p| trimmed.starts_with(p))
}

/// A source tag line such as `[1913 Webster]` or `[WordNet 1.5]`.
fn is_tag_line(trimmed: &str) -> bool {
    trimmed.starts_with('[')
        && trimmed.split(']').next().is_some_and(|t| {
            ["Webster", "WordNet", "PJC", "Century", "+", "RHUD"]
                .iter()
                .any(|k| t.contains(k))
        })
}

fn indentation(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

enum Block {
    Prose(Vec<String>),
    Quote {
        lines: Vec<String>,
        citation: String,
    },
}

/// Cleans one GCIDE entry; `None` when nothing is left. `doc_index` drives the verse choice.
pub fn clean_entry(entry: &str, doc_index: u64) -> Option<String> {
    let text = replace_entities(&entry.replace('\t', "        "));
    let mut blocks: Vec<Block> = Vec::new();
    let mut prose: Vec<String> = Vec::new();
    let mut quote: Option<(Vec<String>, String)> = None;

    let flush_prose = |prose: &mut Vec<String>, blocks: &mut Vec<Block>| {
        if !prose.is_empty() {
            blocks.push(Block::Prose(std::mem::take(prose)));
        }
    };
    for raw in text.lines() {
        let line = remove_pronunciations(raw).replace(['{', '}'], "");
        let trimmed = line.trim();
        let indent = indentation(&line);
        if indent >= 30 && !trimmed.is_empty() {
            // A citation (or its continuation) pushed to the right.
            match quote.as_mut() {
                Some((_, cit)) => {
                    cit.push(' ');
                    cit.push_str(trimmed);
                }
                None => {
                    if let Some(last) = prose.last_mut() {
                        last.push(' ');
                        last.push_str(trimmed);
                    }
                }
            }
            continue;
        }
        // Indented lines start a quotation only after a blank or tag line: right after prose they
        // continue it (hanging indents of "Note:", "Syn:", "Usage:").
        if indent >= 8
            && !trimmed.is_empty()
            && !is_tag_line(trimmed)
            && (prose.is_empty() || quote.is_some())
        {
            flush_prose(&mut prose, &mut blocks);
            let q = quote.get_or_insert_with(|| (Vec::new(), String::new()));
            if !q.1.is_empty() {
                // A new quotation after a completed citation.
                let (lines, citation) = std::mem::take(q);
                blocks.push(Block::Quote { lines, citation });
            }
            match find_citation(&line, 0).filter(|&at| line[..at].ends_with(' ') || at == indent) {
                Some(at) => {
                    let body = line[..at].trim();
                    if !body.is_empty() {
                        q.0.push(body.to_string());
                    }
                    q.1.push_str(line[at..].trim());
                }
                None => q.0.push(trimmed.to_string()),
            }
            continue;
        }
        if let Some((lines, citation)) = quote.take() {
            blocks.push(Block::Quote { lines, citation });
        }
        if trimmed.is_empty() || is_tag_line(trimmed) {
            flush_prose(&mut prose, &mut blocks);
            continue;
        }
        if starts_paragraph(trimmed) {
            flush_prose(&mut prose, &mut blocks);
        }
        prose.push(trimmed.to_string());
    }
    if let Some((lines, citation)) = quote.take() {
        blocks.push(Block::Quote { lines, citation });
    }
    flush_prose(&mut prose, &mut blocks);

    let mut paragraphs: Vec<String> = Vec::new();
    for (k, block) in blocks.iter().enumerate() {
        match block {
            Block::Prose(lines) => {
                let p =
                    remove_citations(&remove_brackets(&reflow(lines.iter().map(String::as_str))));
                let p = remove_word_marks(&p).replace(" ,", ",");
                let p = p
                    .trim_matches(|c: char| c == ',' || c.is_whitespace())
                    .to_string();
                if p.chars().any(char::is_alphabetic) {
                    paragraphs.push(p);
                }
            }
            Block::Quote { lines, citation } => {
                if is_shakespeare(citation) || lines.iter().any(|l| l.contains("--Shak")) {
                    continue;
                }
                let lines: Vec<String> = lines
                    .iter()
                    .map(|l| remove_citations(&remove_brackets(l)))
                    .filter(|l| !l.is_empty())
                    .collect();
                let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
                let p = if looks_like_verse(&refs) {
                    render_verse(&refs, coin("gcide-verse", doc_index * 64 + k as u64))
                } else {
                    reflow(refs.iter().copied())
                };
                if !p.is_empty() {
                    paragraphs.push(p);
                }
            }
        }
    }
    (!paragraphs.is_empty()).then(|| paragraphs.join("\n\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENTRY: &str = "Abhor \\Ab*hor\"\\, v. t. [imp. & p. p. {Abhorred}; p. pr. & vb. n.\n   {Abhorring}.] [L. abhorrere; ab + horrere to bristle.]\n   1. To shrink back with shuddering from; to detest. \"Stand a\n      tiptoe.\" --Shak. \"The aberration of youth.\" --Hall.\n      [1913 Webster]\n\n            Abhor that which is evil; cleave to that which is\n            good.                                 --Rom. xii. 9.\n      [1913 Webster]\n\n            It doth abhor me now I speak the word. --Shak.\n      [1913 Webster]\n\n            I utterly abhor, yea, from my soul\n            Refuse you for my judge.              --Shak.\n      [1913 Webster]\n\n         Their own defective and aberrating vision. --De\n                                                  Quincey.\n   [1913 Webster]\n\n   2. Caf[eacute]; b[imac]ta.\n";

    #[test]
    fn cleans_an_entry_and_drops_shakespeare() {
        let doc = clean_entry(ENTRY, 0).expect("document");
        assert!(!doc.contains("Shak"), "{doc}");
        assert!(!doc.contains("doth abhor"), "{doc}");
        assert!(!doc.contains("utterly abhor"), "{doc}");
        assert!(!doc.contains("tiptoe"), "{doc}");
        assert!(doc.contains("\"The aberration of youth.\""), "{doc}");
        assert!(doc.starts_with("Abhor, v. t."), "{doc}");
        assert!(
            doc.contains("Abhor that which is evil; cleave to that which is good."),
            "{doc}"
        );
        assert!(
            doc.contains("Their own defective and aberrating vision."),
            "{doc}"
        );
        assert!(!doc.contains("Quincey"), "{doc}");
        assert!(!doc.contains("Webster"), "{doc}");
        assert!(!doc.contains('['), "{doc}");
        assert!(doc.contains("bīta"), "{doc}");
    }
}
