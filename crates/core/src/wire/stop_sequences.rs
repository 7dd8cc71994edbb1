//! Cohere's `stop_sequences`, applied once for every backend: a generation ends before the earliest
//! stop sequence written, which is left out of its text. The token whose piece holds the start of the
//! stop sequence keeps only its part before it (its likelihood is the whole token's), later tokens are
//! dropped, so the pieces still spell the text.

use crate::wire::scores::ScoredToken;

/// The byte offset in `text` where the earliest of `stops` begins, if one occurs.
pub fn earliest(text: &str, stops: &[String]) -> Option<usize> {
    stops
        .iter()
        .filter(|stop| !stop.is_empty())
        .filter_map(|stop| text.find(stop.as_str()))
        .min()
}

/// Cuts `text` and its generated `tokens` before the earliest stop sequence. Returns whether a stop
/// sequence was found. `tokens` may be empty (likelihoods not asked for): the text is cut alone.
pub fn cut(text: &mut String, tokens: &mut Vec<ScoredToken>, stops: &[String]) -> bool {
    cut_with(text, tokens, |token| &mut token.text, stops)
}

/// [`cut`] for any token type whose text piece `piece` reaches (the wire's tokens as well as
/// [`ScoredToken`]s).
pub fn cut_with<T>(
    text: &mut String,
    tokens: &mut Vec<T>,
    piece: impl Fn(&mut T) -> &mut String,
    stops: &[String],
) -> bool {
    let Some(at) = earliest(text, stops) else {
        return false;
    };
    text.truncate(at);
    let mut start = 0;
    let mut keep = 0;
    for token in tokens.iter_mut() {
        if start >= at {
            break;
        }
        let token_text = piece(token);
        let end = start + token_text.len();
        if end > at {
            let mut cut_at = at - start;
            while !token_text.is_char_boundary(cut_at) {
                cut_at -= 1;
            }
            token_text.truncate(cut_at);
        }
        start = end;
        keep += 1;
    }
    tokens.truncate(keep);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(pieces: &[&str]) -> Vec<ScoredToken> {
        pieces
            .iter()
            .enumerate()
            .map(|(i, p)| ScoredToken::new(*p, Some(-(i as f64) - 1.0)))
            .collect()
    }

    fn stops(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_earliest_stop_wins_and_is_left_out() {
        let mut text = " to sleep. Perchance\n to dream".to_string();
        let mut list = tokens(&[
            " to", " sleep", ".", " Per", "chance", "\n", " to", " dream",
        ]);
        assert!(cut(&mut text, &mut list, &stops(&["\n", "."])));
        assert_eq!(text, " to sleep");
        let pieces: Vec<&str> = list.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(pieces, vec![" to", " sleep"]);
    }

    #[test]
    fn a_stop_inside_a_token_trims_that_token() {
        let mut text = "ab.\ncd".to_string();
        let mut list = tokens(&["ab", ".\n", "cd"]);
        assert!(cut(&mut text, &mut list, &stops(&["\n"])));
        assert_eq!(text, "ab.");
        assert_eq!(list.len(), 2);
        assert_eq!(list[1].text, ".");
        assert_eq!(list[1].logprob, Some(-2.0), "the whole token's likelihood");
        assert_eq!(
            list.iter().map(|t| t.text.as_str()).collect::<String>(),
            text
        );
    }

    #[test]
    fn no_stop_leaves_everything_and_text_alone_is_cut() {
        let mut text = "abc".to_string();
        let mut list = tokens(&["a", "bc"]);
        assert!(!cut(&mut text, &mut list, &stops(&["x"])));
        assert_eq!((text.as_str(), list.len()), ("abc", 2));
        let mut text = "abc".to_string();
        let mut none = Vec::new();
        assert!(cut(&mut text, &mut none, &stops(&["b"])));
        assert_eq!(text, "a");
        assert_eq!(earliest("abc", &stops(&[""])), None);
    }

    #[test]
    fn a_stop_at_the_start_leaves_nothing() {
        let mut text = "\nabc".to_string();
        let mut list = tokens(&["\n", "abc"]);
        assert!(cut(&mut text, &mut list, &stops(&["\n"])));
        assert!(text.is_empty() && list.is_empty());
    }
}
