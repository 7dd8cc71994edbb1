//! The `top_logprobs` extension: each prompt position's K most likely tokens with their ids, read from
//! the upstreams that give them and normalised into one shape ([`likely_core::TopK`], written as
//! `top_tokens` entries `{token, id, likelihood}`, best first, by `normalise`).
//!
//! - vLLM (`openai-completions`, `flavor = "vllm"`): the request's `prompt_logprobs: K`; each entry
//!   of `choices[].prompt_logprobs` maps token ids to `{logprob, rank, decoded_token}`, holding the K
//!   best (ranks 1 to K) plus the actual token when it ranks lower, which is left out.
//! - SGLang: the request's `top_logprobs_num: K`; `meta_info.input_top_logprobs` lists
//!   `[logprob, token_id, text]` per position.
//! - The embedded models: `ScoreOptions::top_k`, the exact K best of the model's distribution.
//!
//! Backends that give no ids (Cohere, TGI, other OpenAI-style servers) answer as without the field.

use likely_core::{ScoredToken, TopK};
use serde_json::Value;

/// The K best entries of one vLLM `prompt_logprobs` position (ranks 1 to `k`), when it lists any.
pub fn vllm_entry(entry: &Value, k: u32) -> Option<TopK> {
    let candidates = entry.as_object()?;
    let mut ranked: Vec<(u64, u32, f64, String)> = candidates
        .iter()
        .filter_map(|(id, candidate)| {
            let rank = candidate.get("rank").and_then(Value::as_u64)?;
            let logprob = candidate.get("logprob").and_then(Value::as_f64)?;
            let text = candidate
                .get("decoded_token")
                .and_then(Value::as_str)
                .unwrap_or_default();
            (rank >= 1 && rank <= u64::from(k))
                .then(|| Some((rank, id.parse().ok()?, logprob, text.to_string())))
                .flatten()
        })
        .collect();
    ranked.sort_by_key(|entry| entry.0);
    (!ranked.is_empty()).then(|| {
        TopK::from_entries(
            ranked
                .into_iter()
                .map(|(_, id, logprob, text)| (id, logprob, text))
                .collect(),
        )
    })
}

/// Adds each position's top-K list from vLLM's `prompt_logprobs` to the prompt's tokens.
pub fn add_vllm(tokens: &mut [ScoredToken], prompt_logprobs: &[Value], k: u32) {
    for (token, entry) in tokens.iter_mut().zip(prompt_logprobs) {
        token.top_k = vllm_entry(entry, k);
    }
}

/// The K best of SGLang's `[logprob, id, text]` candidates of one position (entries without an id or
/// a log-probability are left out).
pub fn sglang_entry(
    candidates: &[(Option<f64>, Option<u32>, Option<String>)],
    k: u32,
) -> Option<TopK> {
    let entries: Vec<(u32, f64, String)> = candidates
        .iter()
        .filter_map(|(logprob, id, text)| {
            Some(((*id)?, (*logprob)?, text.clone().unwrap_or_default()))
        })
        .collect();
    let mut top = TopK::from_entries(entries);
    let k = k as usize;
    top.ids.truncate(k);
    top.logprobs.truncate(k);
    top.texts.truncate(k);
    (!top.is_empty()).then_some(top)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vllm_entries_keep_ranks_one_to_k_best_first() {
        let entry: Value = serde_json::json!({
            "477": {"logprob": -4.2, "rank": 4, "decoded_token": " or"},
            "11": {"logprob": -1.0, "rank": 1, "decoded_token": ","},
            "323": {"logprob": -1.9, "rank": 3, "decoded_token": " and"},
            "13": {"logprob": -1.5, "rank": 2, "decoded_token": "."}
        });
        let top = vllm_entry(&entry, 3).unwrap();
        assert_eq!(top.ids, [11, 13, 323], "the actual token ranks 4: left out");
        assert_eq!(top.logprobs, [-1.0, -1.5, -1.9]);
        assert_eq!(top.texts, [",", ".", " and"]);
        assert_eq!(vllm_entry(&Value::Null, 3), None);
    }

    #[test]
    fn sglang_candidates_are_sorted_and_cut_at_k() {
        let candidates = vec![
            (Some(-2.0), Some(5), Some("b".to_string())),
            (Some(-1.0), Some(4), Some("a".to_string())),
            (None, Some(6), None),
            (Some(-3.0), Some(7), Some("c".to_string())),
        ];
        let top = sglang_entry(&candidates, 2).unwrap();
        assert_eq!(top.ids, [4, 5]);
        assert_eq!(top.texts, ["a", "b"]);
        assert_eq!(sglang_entry(&[], 2), None);
    }

    /// vLLM's answer to `{"prompt": "To be or", "echo": true, "logprobs": 1, "prompt_logprobs": 3,
    /// "max_tokens": 1, "return_token_ids": true}` for a Llama-style model (a BOS first).
    const VLLM_TOP3: &str = include_str!("../../tests/fixtures/vllm_completions_top3.json");
    /// SGLang's answer to the same prompt with `top_logprobs_num: 3`.
    const SGLANG_TOP3: &str = include_str!("../../tests/fixtures/sglang_generate_top3.json");

    /// A prompt token's id and its listed `(top id, likelihood)`s.
    type Listed = (Option<u32>, Vec<(u32, f64)>);

    /// The answer's prompt tokens as `(id, [(top id, likelihood)…])`, asserting the same shape.
    fn listed(answer: &likely_core::GenerateResponse) -> Vec<Listed> {
        let tokens = answer.generations[0].token_likelihoods.as_ref().unwrap();
        tokens[..3]
            .iter()
            .map(|t| {
                let top = t.top_tokens.as_deref().unwrap_or_default();
                (
                    t.id,
                    top.iter().map(|e| (e.id.unwrap(), e.likelihood)).collect(),
                )
            })
            .collect()
    }

    fn expected() -> Vec<Listed> {
        vec![
            (Some(1271), vec![]),
            (Some(387), vec![(387, -2.1), (539, -2.4), (617, -2.9)]),
            (Some(477), vec![(11, -1.0), (13, -2.0), (477, -4.2)]),
        ]
    }

    #[test]
    fn vllm_and_sglang_answers_normalise_to_the_same_lists() {
        use likely_core::ReturnLikelihoods::All;
        let vllm = super::super::openai::normalise_answer_with(
            "v",
            "To be or",
            All,
            serde_json::from_str(VLLM_TOP3).unwrap(),
            false,
            Some(3),
        )
        .unwrap();
        let answer: super::super::sglang::SglangAnswer = serde_json::from_str(SGLANG_TOP3).unwrap();
        let raw = super::super::sglang::to_raw_with("s", All, answer, Some(3)).unwrap();
        let sglang =
            super::super::normalise::build_response("s", "To be or", All, vec![raw]).unwrap();
        assert_eq!(listed(&vllm), expected());
        assert_eq!(listed(&sglang), expected());
        let tokens = vllm.generations[0].token_likelihoods.as_ref().unwrap();
        assert_eq!(tokens[2].top_tokens.as_ref().unwrap()[1].token, ".");
        assert_eq!(tokens[2].rank, Some(3), "ranks are still read");
        // The page reads both into the same lists.
        let page = |answer| likely_core::prompt_scores("To be or", answer).unwrap();
        let (a, b) = (page(&vllm), page(&sglang));
        assert_eq!(a[2].top_k, b[2].top_k);
        assert_eq!(a[2].top_k.as_ref().unwrap().ids, [11, 13, 477]);
    }

    #[test]
    fn without_the_field_answers_stay_as_they_were() {
        use likely_core::ReturnLikelihoods::All;
        let plain = super::super::openai::normalise_answer(
            "v",
            "To be or",
            All,
            serde_json::from_str(VLLM_TOP3).unwrap(),
            false,
        )
        .unwrap();
        let tokens = plain.generations[0].token_likelihoods.as_ref().unwrap();
        let top = tokens[2].top_tokens.as_ref().unwrap();
        assert_eq!(top.len(), 1);
        assert_eq!(top[0].id, None, "no ids: the answer is written as before");
        let answer: super::super::sglang::SglangAnswer = serde_json::from_str(SGLANG_TOP3).unwrap();
        let raw = super::super::sglang::to_raw("s", All, answer).unwrap();
        let sglang =
            super::super::normalise::build_response("s", "To be or", All, vec![raw]).unwrap();
        let json = serde_json::to_string(&sglang).unwrap();
        assert!(!json.contains("\"id\":11,"), "{json}");
    }
}
