//! Stop sequences (`stop_sequences`), applied to every backend's normalised answer in one place
//! (`likely_core::stop_sequences`): each generation's text and generated tokens end before the
//! earliest stop sequence, its likelihood is the mean of the tokens left, and its finish reason is
//! `COMPLETE`. Cohere is also sent the sequences and the embedded models stop sampling at them; the
//! other upstreams generate up to `max_tokens` and are cut here.

use likely_core::stop_sequences::cut_with;
use likely_core::{GenerateResponse, ReturnLikelihoods, TokenLikelihood};

/// Cuts every generation of `answer` at the earliest of `stops`; `mode` says whether its tokens start
/// with the prompt's.
pub fn apply(answer: &mut GenerateResponse, mode: ReturnLikelihoods, stops: &[String]) {
    if stops.is_empty() {
        return;
    }
    let prompt_tokens = match mode {
        ReturnLikelihoods::All => answer.billed_input_tokens().unwrap_or(0),
        _ => 0,
    };
    for generation in &mut answer.generations {
        let mut generated: Vec<TokenLikelihood> = match generation.token_likelihoods.as_mut() {
            Some(tokens) => tokens.split_off(prompt_tokens.min(tokens.len())),
            None => Vec::new(),
        };
        let cut = cut_with(
            &mut generation.text,
            &mut generated,
            |token| &mut token.token,
            stops,
        );
        if let Some(tokens) = generation.token_likelihoods.as_mut() {
            tokens.extend(generated);
            let scored: Vec<f64> = tokens.iter().filter_map(|t| t.likelihood).collect();
            generation.likelihood =
                (!scored.is_empty()).then(|| scored.iter().sum::<f64>() / scored.len() as f64);
        }
        if cut {
            generation.finish_reason = Some("COMPLETE".to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use likely_core::testing::{self, token};

    fn answer(tokens: Vec<TokenLikelihood>, text: &str, input: u32) -> GenerateResponse {
        testing::answer(tokens)
            .text(text)
            .finish("MAX_TOKENS")
            .billed(input, 3)
            .build()
    }

    #[test]
    fn prompt_tokens_stay_and_the_generation_ends_before_the_stop() {
        let mut a = answer(
            vec![
                token("To", None),
                token(" be", Some(-1.0)),
                token(",", Some(-2.0)),
                token(" or\n", Some(-3.0)),
                token(" not", Some(-4.0)),
            ],
            ", or\n not",
            2,
        );
        apply(&mut a, ReturnLikelihoods::All, &["\n".to_string()]);
        let g = &a.generations[0];
        assert_eq!(g.text, ", or");
        let pieces: Vec<&str> = g
            .token_likelihoods
            .iter()
            .flatten()
            .map(|t| t.token.as_str())
            .collect();
        assert_eq!(pieces, vec!["To", " be", ",", " or"]);
        assert_eq!(g.likelihood, Some(-2.0));
        assert_eq!(g.finish_reason.as_deref(), Some("COMPLETE"));
    }

    #[test]
    fn a_stop_sequence_in_the_prompt_does_not_cut_and_none_leaves_all() {
        let mut a = answer(
            vec![token("a.", Some(-1.0)), token(" b", Some(-2.0))],
            "a. b",
            0,
        );
        apply(&mut a, ReturnLikelihoods::Generation, &[]);
        assert_eq!(a.generations[0].text, "a. b");
        apply(&mut a, ReturnLikelihoods::Generation, &["x".to_string()]);
        assert_eq!(
            a.generations[0].finish_reason.as_deref(),
            Some("MAX_TOKENS")
        );
        let mut b = answer(vec![token("x.", None), token(" y", Some(-1.0))], " y", 1);
        apply(&mut b, ReturnLikelihoods::All, &[".".to_string()]);
        assert_eq!(
            b.generations[0].text, " y",
            "the prompt's '.' is not the generation's"
        );
    }
}
