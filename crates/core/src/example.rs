//! The worked example, written once: the documented request's prompt (Hamlet's soliloquy up to "To die:
//! to sleep...", one line, typographic apostrophes: 55 GPT-2 tokens, 54 of them scored) and the two
//! pairs of embedded models it compares: the n-gram pair (`base-light` / `custom-base-light`) and the
//! transformer pair (`smollm2-135m` / `smollm2-135m-shakespeare`, served when its weights are installed). The page's "Load the worked example" button, the benchmarks and the tests all use these; the
//! texts live in `example/*.txt` so that `likely-ngram`, which depends on no project crate, includes
//! the same files.

/// The prompt of the documented request: what a user following the documentation compares against.
pub const PROMPT: &str = include_str!("example/prompt.txt");
/// A longer passage of the same soliloquy (through "Devoutly to be wish’d."), a second example.
pub const PASSAGE: &str = include_str!("example/passage.txt");
/// The worked example's baseline (an embedded model).
pub const BASELINE: &str = "base-light";
/// The worked example's custom model (an embedded model).
pub const CUSTOM: &str = "custom-base-light";

/// The worked example's transformer baseline (an embedded model, served when its weights are installed).
pub const TRANSFORMER_BASELINE: &str = "smollm2-135m";
/// The worked example's transformer custom model: the network mixed with an n-gram of the plays.
pub const TRANSFORMER_CUSTOM: &str = "smollm2-135m-shakespeare";
/// The worked example's pairs (baseline, custom), the n-gram pair first.
pub const PAIRS: [(&str, &str); 2] = [
    (BASELINE, CUSTOM),
    (TRANSFORMER_BASELINE, TRANSFORMER_CUSTOM),
];

/// The worked example's pairs whose two models are both among `names` (the server's list).
pub fn offered_pairs(names: &[String]) -> Vec<(&'static str, &'static str)> {
    PAIRS
        .into_iter()
        .filter(|(baseline, custom)| {
            names.iter().any(|n| n == baseline) && names.iter().any(|n| n == custom)
        })
        .collect()
}

/// The models a fresh page picks among `names` (the server's list): the worked example's baseline and
/// custom model when offered, otherwise the first model against the next one.
pub fn default_models(names: &[String]) -> (Option<String>, Option<String>) {
    let baseline = names
        .iter()
        .find(|n| *n == BASELINE)
        .or_else(|| names.first())
        .cloned();
    let custom = names
        .iter()
        .find(|n| *n == CUSTOM && Some(*n) != baseline.as_ref())
        .or_else(|| names.iter().find(|n| Some(*n) != baseline.as_ref()))
        .cloned();
    (baseline, custom)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_models_are_picked_when_offered() {
        let names = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let pick = default_models(&names(&["tgi", CUSTOM, BASELINE]));
        assert_eq!(pick, (Some(BASELINE.into()), Some(CUSTOM.into())));
        let pick = default_models(&names(&["a", "b"]));
        assert_eq!(pick, (Some("a".into()), Some("b".into())));
        assert_eq!(default_models(&names(&["a"])), (Some("a".into()), None));
        assert_eq!(default_models(&[]), (None, None));
    }

    #[test]
    fn a_pair_is_offered_when_both_its_models_are() {
        let names = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let all = names(&[BASELINE, CUSTOM, TRANSFORMER_BASELINE, TRANSFORMER_CUSTOM]);
        assert_eq!(offered_pairs(&all), PAIRS.to_vec());
        let ngram = names(&[BASELINE, CUSTOM, TRANSFORMER_BASELINE]);
        assert_eq!(offered_pairs(&ngram), vec![(BASELINE, CUSTOM)]);
        assert!(offered_pairs(&names(&["a", "b"])).is_empty());
    }

    #[test]
    fn the_prompt_is_the_documented_one_and_the_passage_extends_it() {
        assert!(PROMPT.ends_with("And by opposing end them. To die: to sleep..."));
        assert!(!PROMPT.contains('\n') && !PASSAGE.contains('\n'));
        let shared = PROMPT.trim_end_matches("...");
        assert!(PASSAGE.starts_with(shared));
        assert!(PASSAGE.ends_with("Devoutly to be wish’d."));
    }
}
