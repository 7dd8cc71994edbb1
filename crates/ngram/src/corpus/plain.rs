//! The Devil's Dictionary and the Jargon File (dictd format, plain text with `{cross references}`):
//! paragraphs of hard-wrapped prose are reflowed, verse and code-like blocks follow the verse rule
//! of [`super::text`], braces go, and the Jargon File's pronunciation lines (`/blur'gl/, n.`) are
//! kept as written.

use super::text::{coin, looks_like_verse, reflow, render_verse};

/// Cleans one entry; `None` when nothing is left. `salt` and `doc_index` drive the verse choice.
pub fn clean_entry(entry: &str, salt: &str, doc_index: u64) -> Option<String> {
    let text = entry.replace(['{', '}'], "").replace('\t', "        ");
    let mut paragraphs = Vec::new();
    let mut block: Vec<&str> = Vec::new();
    let mut blocks: Vec<Vec<&str>> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !block.is_empty() {
                blocks.push(std::mem::take(&mut block));
            }
        } else {
            block.push(line);
        }
    }
    if !block.is_empty() {
        blocks.push(block);
    }
    for (k, b) in blocks.iter().enumerate() {
        // A block whose lines are indented unevenly (verse, attributions, code) keeps its shape.
        let indents: Vec<usize> = b.iter().map(|l| l.len() - l.trim_start().len()).collect();
        let uneven = indents
            .iter()
            .skip(1)
            .any(|&i| i != indents[1.min(indents.len() - 1)]);
        let p = if looks_like_verse(b) || (uneven && b.len() > 2) {
            render_verse(b, coin(salt, doc_index * 64 + k as u64))
        } else {
            reflow(b.iter().copied())
        };
        if !p.is_empty() {
            paragraphs.push(p);
        }
    }
    (!paragraphs.is_empty()).then(|| paragraphs.join("\n\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reflows_prose_and_keeps_verse() {
        let e = "ABSTAINER, n.  A weak person who yields to the temptation of denying\nhimself a pleasure.\n\n    Said a man to a crapulent youth:  \"I thought\n        You a total abstainer, my son.\"\n";
        let d = clean_entry(e, "devil", 0).expect("doc");
        assert!(d.starts_with("ABSTAINER, n. A weak person who yields to the temptation of denying himself a pleasure.\n\n"));
        assert!(d.contains("Said a man to a crapulent youth: \"I thought"));
    }
}
