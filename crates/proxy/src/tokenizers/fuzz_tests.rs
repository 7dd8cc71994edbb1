//! Property-based fuzzing (proptest) of the token dialect's decoders: the completions `prompt`
//! (texts, ids, lists of id lists, and everything else), the `/tokenize` and `/detokenize` bodies,
//! and GPT-2's pieces for any ids. The properties: a refusal with a message or a faithful reading,
//! never a panic; pieces always add up to the decoded text. `PROPTEST_CASES=100000 cargo test -p
//! likely-proxy --lib fuzz` runs longer than the default.

use super::wire::{ids, DetokenizeRequest, TokenizeRequest};
use super::{Gpt2, ModelTokenizer};
use crate::completions::{parse_prompts, Prompt};
use proptest::prelude::*;
use serde_json::Value;

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u32>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        prop_oneof![Just(0.5), Just(-0.0), Just(1e300), -1e6f64..1e6].prop_map(Value::from),
        prop_oneof![Just("<|endoftext|>".to_string()), ".{0,8}"].prop_map(Value::from),
    ]
}

fn tree() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            proptest::collection::vec(
                (
                    proptest::sample::select(
                        &["prompt", "tokens", "model", "add_special_tokens"][..]
                    ),
                    inner
                ),
                0..4
            )
            .prop_map(|pairs| Value::Object(
                pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
            )),
        ]
    })
}

/// Every id a reading kept is one of the numbers of the input, in order.
fn numbers(value: &Value, out: &mut Vec<u64>) {
    match value {
        Value::Number(n) => out.extend(n.as_u64()),
        Value::Array(items) => items.iter().for_each(|item| numbers(item, out)),
        _ => {}
    }
}

proptest! {
    #[test]
    fn any_prompt_is_refused_with_a_message_or_read_faithfully(prompt in tree()) {
        match parse_prompts(&prompt) {
            Err(message) => prop_assert!(message.contains("`prompt")),
            Ok(prompts) => {
                prop_assert!(!prompts.is_empty());
                let mut read = Vec::new();
                for prompt in &prompts {
                    if let Prompt::Ids(ids) = prompt {
                        prop_assert!(!ids.is_empty());
                        read.extend(ids.iter().map(|&id| u64::from(id)));
                    }
                }
                if !read.is_empty() {
                    let mut sent = Vec::new();
                    numbers(&prompt, &mut sent);
                    prop_assert_eq!(read, sent);
                }
            }
        }
    }

    #[test]
    fn id_lists_are_whole_numbers_or_refused(value in tree()) {
        if let Ok(read) = ids(&value, "tokens") {
            let mut sent = Vec::new();
            numbers(&value, &mut sent);
            prop_assert_eq!(read.iter().map(|&id| u64::from(id)).collect::<Vec<_>>(), sent);
        }
    }

    #[test]
    fn token_route_bodies_are_read_or_refused(body in tree()) {
        if let Ok(request) = serde_json::from_value::<DetokenizeRequest>(body.clone()) {
            let _ = ids(&request.tokens, "tokens");
        }
        let _ = serde_json::from_value::<TokenizeRequest>(body);
    }

    #[test]
    fn gpt2_pieces_add_up_for_any_ids(raw in proptest::collection::vec(0u32..50_257, 0..40)) {
        let gpt2 = Gpt2::shared().unwrap();
        let pieces = gpt2.decode_pieces(&raw).unwrap();
        prop_assert_eq!(pieces.len(), raw.len());
        prop_assert_eq!(pieces.concat(), gpt2.decode(&raw).unwrap());
    }

    #[test]
    fn gpt2_text_round_trips(text in "(.|<\\|endoftext\\|>){0,30}") {
        let gpt2 = Gpt2::shared().unwrap();
        let encoded = gpt2.encode(&text, false).unwrap();
        prop_assert_eq!(gpt2.decode(&encoded).unwrap(), text);
    }
}
