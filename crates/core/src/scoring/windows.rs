//! Long snippets against a model's context length. The browser has no tokenizer, so windows are planned
//! in UTF-8 bytes with a conservative estimate of [`DEFAULT_BYTES_PER_TOKEN`] bytes per token (English
//! BPE averages about 4, code about 3, CJK about 1.5 to 3; a byte-level BPE never has fewer than 1, so
//! [`WindowConfig::strict`] cannot overflow). Boundaries fall just before whitespace that follows a word,
//! where tokenizers split (a word's leading space belongs to the next token), or at a character
//! boundary when a stretch has no whitespace.
//!
//! Each later window's prompt starts with up to a quarter of the budget of preceding text as context;
//! the page sends each window's prompt and [`stitch`] keeps, from each later window, only the tokens
//! from its `start` on, so every byte is counted once. Should a window's tokens not break at `start`,
//! stitching moves back to the nearest earlier position where both windows' tokens break; when there is
//! none (e.g. text without spaces), the bytes from `start` to the window's next token become one
//! unscored "junction" token, so the text is still covered exactly, at the cost of part of one token.
//!
//! [`WindowProgress`] keeps the finished windows of a snippet whose other window failed, so a retry
//! asks only for the windows still missing.

use crate::evaluation::params::GenerateParams;
use crate::evaluation::results::SnippetResult;
use crate::wire::scores::ScoredToken;
use thiserror::Error;

/// Estimated UTF-8 bytes per token, on the safe side for most text.
pub const DEFAULT_BYTES_PER_TOKEN: f64 = 2.0;
/// The share of a window's budget given to the preceding text as context.
pub const DEFAULT_OVERLAP_FRACTION: f64 = 0.25;

/// How to cut windows for one model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WindowConfig {
    /// The model's context length in tokens.
    pub context_tokens: u32,
    /// Tokens kept free of prompt (the generated tokens, a start-of-text token).
    pub reserved_tokens: u32,
    /// Estimated bytes per token.
    pub bytes_per_token: f64,
    /// Share of the budget given to the overlap.
    pub overlap_fraction: f64,
}

impl WindowConfig {
    /// The default plan for a model with `context_tokens` under `params`.
    pub fn new(context_tokens: u32, params: &GenerateParams) -> Self {
        WindowConfig {
            context_tokens,
            reserved_tokens: params.max_tokens.saturating_add(2),
            bytes_per_token: DEFAULT_BYTES_PER_TOKEN,
            overlap_fraction: DEFAULT_OVERLAP_FRACTION,
        }
    }

    /// One byte per token: never too long for a byte-level tokenizer (the retry after a "prompt too
    /// long" answer).
    pub fn strict(self) -> Self {
        WindowConfig {
            bytes_per_token: 1.0,
            ..self
        }
    }

    /// The most prompt bytes a window may hold (at least 2).
    pub fn budget_bytes(&self) -> usize {
        let tokens = self.context_tokens.saturating_sub(self.reserved_tokens);
        ((f64::from(tokens) * self.bytes_per_token) as usize).max(2)
    }

    fn overlap_bytes(&self) -> usize {
        (self.budget_bytes() as f64 * self.overlap_fraction.clamp(0.0, 0.9)) as usize
    }
}

/// One window of a snippet, as byte offsets into it: the prompt is `context_start..end`, of which
/// `start..end` is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Where the prompt begins (the overlap's start).
    pub context_start: usize,
    /// Where counting begins (the previous window's end).
    pub start: usize,
    /// Where the prompt ends.
    pub end: usize,
}

impl Window {
    /// The prompt to send.
    pub fn prompt<'a>(&self, text: &'a str) -> &'a str {
        text.get(self.context_start..self.end).unwrap_or_default()
    }

    /// Bytes of context before `start`.
    pub fn overlap_len(&self) -> usize {
        self.start - self.context_start
    }
}

/// The windows of `text` for a model with `config`; one window when `config` is `None` (no known
/// context length) or the text fits.
pub fn plan(text: &str, config: Option<&WindowConfig>) -> Vec<Window> {
    let whole = Window {
        context_start: 0,
        start: 0,
        end: text.len(),
    };
    let Some(config) = config else {
        return vec![whole];
    };
    let budget = config.budget_bytes();
    if text.len() <= budget {
        return vec![whole];
    }
    let overlap = config.overlap_bytes();
    let mut windows = vec![Window {
        end: cut(text, 0, budget),
        ..whole
    }];
    while let Some(last) = windows.last().copied().filter(|w| w.end < text.len()) {
        let start = last.end;
        let context_start = context_start(text, start, overlap);
        let room = budget.saturating_sub(start - context_start).max(1);
        windows.push(Window {
            context_start,
            start,
            end: cut(text, start, room),
        });
    }
    windows
}

/// The windows of `text` for `model_context` tokens under `params` (one window when unknown).
pub fn plan_for(text: &str, model_context: Option<u32>, params: &GenerateParams) -> Vec<Window> {
    let config = model_context.map(|tokens| WindowConfig::new(tokens, params));
    plan(text, config.as_ref())
}

/// Whether a window may break at `at`: just before whitespace that follows a non-space.
fn word_end(text: &str, at: usize) -> bool {
    let (before, after) = (text[..at].chars().next_back(), text[at..].chars().next());
    matches!((before, after), (Some(b), Some(a)) if !b.is_whitespace() && a.is_whitespace())
}

/// The end of a window counting from `from` with `room` bytes: the last word end in reach, else the
/// last whitespace, else the last character boundary (at least one character).
fn cut(text: &str, from: usize, room: usize) -> usize {
    let limit = from.saturating_add(room);
    if limit >= text.len() {
        return text.len();
    }
    let boundaries: Vec<usize> = text[from..]
        .char_indices()
        .map(|(i, _)| from + i)
        .skip(1)
        .take_while(|&i| i <= limit)
        .collect();
    let whitespace = |i: usize| text[i..].starts_with(char::is_whitespace);
    let last = |keep: &dyn Fn(usize) -> bool| boundaries.iter().rev().copied().find(|&i| keep(i));
    last(&|i| word_end(text, i))
        .or_else(|| last(&whitespace))
        .or_else(|| boundaries.last().copied())
        .unwrap_or_else(|| next_boundary(text, from))
}

/// Where the context before `start` begins: the first word end at most `overlap` bytes back, else the
/// first character boundary within reach.
fn context_start(text: &str, start: usize, overlap: usize) -> usize {
    let earliest = start.saturating_sub(overlap);
    let candidates = || (earliest..start).filter(|&i| text.is_char_boundary(i));
    candidates()
        .find(|&i| word_end(text, i))
        .or_else(|| candidates().next())
        .unwrap_or(start)
}

fn next_boundary(text: &str, from: usize) -> usize {
    text[from..]
        .char_indices()
        .nth(1)
        .map_or(text.len(), |(i, _)| from + i)
}

/// Why window results could not be stitched.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum StitchError {
    /// Not one token list per window.
    #[error("{windows} windows but {results} results")]
    Count {
        /// Windows planned.
        windows: usize,
        /// Results given.
        results: usize,
    },
    /// A window's tokens do not spell its prompt.
    #[error("the tokens of window {window} do not spell its prompt")]
    NotThePrompt {
        /// The window's index.
        window: usize,
    },
}

/// Merges per-window tokens (each list spelling its window's prompt) into one result for `text`, each
/// byte counted once, with `window_starts` marking the first token taken from each later window. Only
/// the first token and junction tokens (at window starts) are unscored.
pub fn stitch(
    text: &str,
    windows: &[Window],
    results: Vec<Vec<ScoredToken>>,
) -> Result<SnippetResult, StitchError> {
    if windows.len() != results.len() {
        return Err(StitchError::Count {
            windows: windows.len(),
            results: results.len(),
        });
    }
    let mut tokens: Vec<ScoredToken> = Vec::new();
    let mut ends: Vec<usize> = Vec::new();
    let mut window_starts = Vec::new();
    for (index, (window, scored)) in windows.iter().zip(results).enumerate() {
        let spelled: String = scored.iter().map(|t| t.text.as_str()).collect();
        if spelled != window.prompt(text) {
            return Err(StitchError::NotThePrompt { window: index });
        }
        let starts: Vec<usize> = scored
            .iter()
            .scan(window.context_start, |at, t| {
                let start = *at;
                *at += t.byte_len();
                Some(start)
            })
            .collect();
        let from = if index == 0 {
            0
        } else {
            // The latest scored token start at or before `start` where the kept tokens also end, not
            // reaching back before the previous window's own start.
            let floor = windows[index - 1].start;
            let common = (1..scored.len()).rev().find(|&k| {
                let at = starts[k];
                at <= window.start && at > floor && ends.binary_search(&at).is_ok()
            });
            let keep = match common {
                Some(k) => ends.partition_point(|&end| end <= starts[k]),
                None => ends.len(),
            };
            tokens.truncate(keep);
            ends.truncate(keep);
            window_starts.push(keep);
            match common {
                Some(k) => k,
                None => {
                    // No shared boundary: the bytes from `start` to this window's next token start
                    // become one unscored junction token.
                    let k = starts.partition_point(|&at| at < window.start);
                    let until = starts.get(k).copied().unwrap_or(window.end);
                    if until > window.start {
                        tokens.push(ScoredToken {
                            text: text[window.start..until].to_string(),
                            ..ScoredToken::default()
                        });
                        ends.push(until);
                    }
                    k
                }
            }
        };
        for (token, start) in scored.into_iter().zip(starts).skip(from) {
            ends.push(start + token.byte_len());
            tokens.push(token);
        }
    }
    Ok(SnippetResult {
        tokens,
        window_starts,
        frozen: None,
    })
}

/// The windows of one snippet and the tokens of those finished so far.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowProgress {
    windows: Vec<Window>,
    done: Vec<Option<Vec<ScoredToken>>>,
}

impl WindowProgress {
    /// Progress over `windows`, keeping the finished windows of `previous` when it planned the same
    /// windows (else starting afresh).
    pub fn resume(windows: Vec<Window>, previous: Option<WindowProgress>) -> Self {
        match previous {
            Some(previous) if previous.windows == windows => previous,
            _ => WindowProgress {
                done: vec![None; windows.len()],
                windows,
            },
        }
    }

    /// The planned windows.
    pub fn windows(&self) -> &[Window] {
        &self.windows
    }

    /// The indices of the windows not finished yet, in order.
    pub fn missing(&self) -> Vec<usize> {
        (0..self.done.len())
            .filter(|&i| self.done[i].is_none())
            .collect()
    }

    /// Whether some window is finished (else there is nothing worth keeping).
    pub fn any_finished(&self) -> bool {
        self.done.iter().any(Option::is_some)
    }

    /// Records the tokens of window `index` (ignored when out of range).
    pub fn finish(&mut self, index: usize, tokens: Vec<ScoredToken>) {
        if let Some(slot) = self.done.get_mut(index) {
            *slot = Some(tokens);
        }
    }

    /// Every window's tokens, once all are finished; else the progress back.
    pub fn into_results(self) -> Result<Vec<Vec<ScoredToken>>, WindowProgress> {
        if self.done.iter().all(Option::is_some) {
            Ok(self.done.into_iter().flatten().collect())
        } else {
            Err(self)
        }
    }
}

#[cfg(test)]
#[path = "windows_tests.rs"]
pub(crate) mod tests;
