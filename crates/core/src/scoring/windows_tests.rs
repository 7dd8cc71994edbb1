use super::*;

/// A GPT-2-like toy tokenizer: a word keeps its leading space, runs of spaces split off, and words
/// longer than four bytes are cut into pieces. Every token but the first is scored.
pub(crate) fn tokenize(prompt: &str) -> Vec<ScoredToken> {
    let mut pieces: Vec<String> = Vec::new();
    let mut prev: Option<char> = None;
    let mut prev2: Option<char> = None;
    for c in prompt.chars() {
        let new_word = match prev {
            None => true,
            Some(p) => {
                (c.is_whitespace() && !p.is_whitespace())
                    || (!c.is_whitespace()
                        && p.is_whitespace()
                        && prev2.is_some_and(char::is_whitespace))
            }
        };
        let too_long = pieces.last().is_some_and(|p| p.len() >= 4) && !c.is_whitespace();
        if new_word || too_long {
            pieces.push(String::new());
        }
        if let Some(last) = pieces.last_mut() {
            last.push(c);
        }
        prev2 = prev;
        prev = Some(c);
    }
    pieces
        .into_iter()
        .enumerate()
        .map(|(i, text)| ScoredToken {
            text,
            logprob: (i > 0).then_some(-1.0),
            top: None,
            rank: None,
            id: None,
            top_k: None,
        })
        .collect()
}

pub(crate) fn long_text() -> String {
    let words = [
        "To",
        "be,",
        "or",
        "not",
        "to",
        "be:",
        "that",
        "is",
        "the",
        "question.\n",
        "Whether",
        "'tis",
        "nobler",
        "in",
        "the",
        "mind",
        "to",
        "suffer\n\n",
        "The",
        "slings",
    ];
    (0..600)
        .map(|i| words[i % words.len()])
        .collect::<Vec<_>>()
        .join(" ")
}

fn config(context_tokens: u32) -> WindowConfig {
    WindowConfig::new(context_tokens, &GenerateParams::default())
}

/// Plans, scores each window with the toy tokenizer, stitches, and checks the coverage.
fn round_trip(text: &str, config: &WindowConfig) -> (Vec<Window>, SnippetResult) {
    let windows = plan(text, Some(config));
    assert_eq!(windows[0].context_start, 0);
    assert_eq!(windows.last().unwrap().end, text.len());
    for pair in windows.windows(2) {
        assert_eq!(pair[1].start, pair[0].end, "windows are contiguous");
        if config.overlap_bytes() >= 4 {
            assert!(
                pair[1].context_start < pair[1].start,
                "later windows carry context"
            );
        }
    }
    for w in &windows {
        assert!(w.end > w.start);
        let extra = w.prompt(text).chars().last().map_or(0, char::len_utf8);
        assert!(
            w.prompt(text).len() <= config.budget_bytes() + extra,
            "{w:?}"
        );
    }
    let results = windows.iter().map(|w| tokenize(w.prompt(text))).collect();
    let stitched = stitch(text, &windows, results).unwrap();
    let spelled: String = stitched.tokens.iter().map(|t| t.text.as_str()).collect();
    assert_eq!(spelled, text, "every byte once, none lost");
    assert!(stitched.tokens[0].logprob.is_none());
    for (i, t) in stitched.tokens.iter().enumerate().skip(1) {
        let junction = stitched.window_starts.contains(&i);
        assert!(
            t.logprob.is_some() || junction,
            "only the first and junctions are unscored"
        );
    }
    assert_eq!(stitched.window_starts.len(), windows.len() - 1);
    (windows, stitched)
}

#[test]
fn a_short_text_or_unknown_context_is_one_window() {
    let text = "To be, or not to be";
    assert_eq!(plan(text, None).len(), 1);
    assert_eq!(
        plan_for(text, Some(4096), &GenerateParams::default()).len(),
        1
    );
    let w = plan_for(text, None, &GenerateParams::default());
    let stitched = stitch(text, &w, vec![tokenize(text)]).unwrap();
    assert_eq!(stitched.tokens, tokenize(text));
    assert!(stitched.window_starts.is_empty());
}

#[test]
fn long_text_windows_cover_every_byte_once() {
    let text = long_text();
    let config = config(64);
    assert_eq!(config.budget_bytes(), 122);
    let (windows, stitched) = round_trip(&text, &config);
    assert!(windows.len() > 20, "{}", windows.len());
    for (w, &index) in windows[1..].iter().zip(&stitched.window_starts) {
        let offset: usize = stitched.tokens[..index].iter().map(|t| t.text.len()).sum();
        assert_eq!(
            offset, w.start,
            "a window's first counted token starts at its start"
        );
        assert!(
            word_end(&text, w.start),
            "cut before the whitespace after a word"
        );
        assert!(w.overlap_len() <= config.overlap_bytes());
    }
}

#[test]
fn text_without_spaces_cuts_at_character_boundaries() {
    let text = "日本語のテキスト".repeat(60);
    round_trip(&text, &config(40));
    round_trip(&text, &config(40).strict());
    let tiny = WindowConfig {
        context_tokens: 0,
        ..config(0)
    };
    round_trip("ab日c", &tiny);
}

#[test]
fn stitching_moves_back_when_a_window_does_not_break_at_its_start() {
    let text = long_text();
    let windows = plan(&text, Some(&config(64)));
    let mut results: Vec<Vec<ScoredToken>> =
        windows.iter().map(|w| tokenize(w.prompt(&text))).collect();
    // In window 2, glue the token ending at the window's start to the one starting there.
    let w = windows[2];
    let tokens = &mut results[2];
    let mut at = w.context_start;
    let k = tokens
        .iter()
        .position(|t| {
            at += t.text.len();
            at == w.start
        })
        .unwrap();
    let next = tokens.remove(k + 1);
    tokens[k].text.push_str(&next.text);
    let stitched = stitch(&text, &windows, results).unwrap();
    let spelled: String = stitched.tokens.iter().map(|t| t.text.as_str()).collect();
    assert_eq!(spelled, text);
    let index = stitched.window_starts[1];
    let offset: usize = stitched.tokens[..index].iter().map(|t| t.text.len()).sum();
    assert!(offset < w.start && offset > windows[1].start);
}

#[test]
fn stitch_errors_and_junctions() {
    let text = long_text();
    let windows = plan(&text, Some(&config(64)));
    assert!(matches!(
        stitch(&text, &windows, vec![]),
        Err(StitchError::Count { .. })
    ));
    let mut results: Vec<_> = windows.iter().map(|w| tokenize(w.prompt(&text))).collect();
    results[1].pop();
    assert_eq!(
        stitch(&text, &windows, results),
        Err(StitchError::NotThePrompt { window: 1 })
    );
    let mut results: Vec<_> = windows.iter().map(|w| tokenize(w.prompt(&text))).collect();
    let whole: String = results[1].iter().map(|t| t.text.as_str()).collect();
    results[1] = vec![ScoredToken {
        text: whole,
        logprob: None,
        top: None,
        rank: None,
        id: None,
        top_k: None,
    }];
    let stitched = stitch(&text, &windows, results).unwrap();
    let spelled: String = stitched.tokens.iter().map(|t| t.text.as_str()).collect();
    assert_eq!(spelled, text, "a junction keeps the coverage exact");
    let junction = &stitched.tokens[stitched.window_starts[0]];
    assert_eq!(
        junction.text,
        windows[1].prompt(&text)[windows[1].overlap_len()..]
    );
    assert_eq!(junction.logprob, None);
}

#[test]
fn a_failed_window_keeps_the_finished_ones_and_a_retry_asks_only_the_missing() {
    let text = long_text();
    let windows = plan(&text, Some(&config(64)));
    assert!(windows.len() >= 3);
    let mut progress = WindowProgress::resume(windows.clone(), None);
    // The first run: window 0 finishes, window 1 fails, so the rest are never asked.
    progress.finish(0, tokenize(windows[0].prompt(&text)));
    let progress = progress.into_results().unwrap_err();
    let kept = Some(progress);
    // The retry plans the same windows and asks only the missing ones.
    let mut retry = WindowProgress::resume(windows.clone(), kept.clone());
    assert_eq!(retry.missing(), (1..windows.len()).collect::<Vec<_>>());
    for index in retry.missing() {
        retry.finish(index, tokenize(windows[index].prompt(&text)));
    }
    assert!(retry.missing().is_empty());
    let planned = retry.windows().to_vec();
    let stitched = stitch(&text, &planned, retry.into_results().unwrap()).unwrap();
    let spelled: String = stitched.tokens.iter().map(|t| t.text.as_str()).collect();
    assert_eq!(spelled, text);
    // Other windows (another context length) start afresh.
    let other = plan(&text, Some(&config(96)));
    assert_ne!(other, windows);
    assert_eq!(
        WindowProgress::resume(other.clone(), kept).missing().len(),
        other.len()
    );
}
