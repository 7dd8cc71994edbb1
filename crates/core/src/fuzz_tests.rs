//! Property-based fuzzing (proptest) of every decoder of outside input in the core: share links
//! (`share::decode`), snapshots (`snapshot::decode`, `snapshot::from_fragment`), uploads
//! (`dataset::parse_file`) and the page's reading of Generate answers (`prompt_scores`). Each gets
//! arbitrary input and mutations of a valid encoding (mutated inside the compression too, so the
//! validation behind it is reached). The property: an error or a valid value, never a panic; a share
//! link that decodes gives back a value that encodes and decodes to itself.
//!
//! proptest runs 256 cases per property (a second or two); `PROPTEST_CASES=100000 cargo test -p likely-core fuzz`
//! runs longer.

use crate::evaluation::dataset;
use crate::evaluation::results::Outcome;
use crate::evaluation::tests::{result, two_models};
use crate::evaluation::Evaluation;
use crate::{prompt_scores, share, snapshot, GenerateResponse};
use base64::Engine;
use proptest::prelude::*;

/// One edit of a byte string.
#[derive(Debug, Clone)]
enum Edit {
    Flip(usize, u8),
    Delete(usize, usize),
    Insert(usize, Vec<u8>),
    Duplicate(usize, usize),
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    let edit = prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Edit::Flip(at, b)),
        (any::<usize>(), 1usize..64).prop_map(|(at, n)| Edit::Delete(at, n)),
        (
            any::<usize>(),
            proptest::collection::vec(any::<u8>(), 1..16)
        )
            .prop_map(|(at, b)| Edit::Insert(at, b)),
        (any::<usize>(), 1usize..256).prop_map(|(at, n)| Edit::Duplicate(at, n)),
    ];
    proptest::collection::vec(edit, 1..6)
}

fn apply(mut bytes: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for edit in edits {
        let len = bytes.len().max(1);
        match edit {
            Edit::Flip(at, b) => {
                if let Some(byte) = bytes.get_mut(at % len) {
                    *byte ^= b | 1;
                }
            }
            Edit::Delete(at, n) => {
                let from = (at % len).min(bytes.len());
                let to = (from + n).min(bytes.len());
                bytes.drain(from..to);
            }
            Edit::Insert(at, inserted) => {
                let at = (at % len).min(bytes.len());
                bytes.splice(at..at, inserted.iter().copied());
            }
            Edit::Duplicate(at, n) => {
                let from = (at % len).min(bytes.len());
                let to = (from + n).min(bytes.len());
                let copy = bytes[from..to].to_vec();
                bytes.splice(to..to, copy);
            }
        }
    }
    bytes
}

fn evaluation() -> Evaluation {
    let mut e = two_models(2);
    let scored = |words: &[&str], logprobs: &[f64]| Outcome::Scored(result(words, logprobs));
    e.set_outcome("base-light", 0, scored(&["To", " be"], &[-2.5]))
        .unwrap();
    e.set_outcome("custom-base-light", 0, scored(&["To", " be"], &[-1.0]))
        .unwrap();
    e.set_outcome(
        "base-light",
        1,
        Outcome::Failed {
            reason: "HTTP 503".into(),
        },
    )
    .unwrap();
    e
}

/// A share link around `json`, as `share::encode` packs it.
fn share_link(json: &[u8]) -> String {
    let compressed = miniz_oxide::deflate::compress_to_vec(json, 6);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(compressed)
}

fn round_trips(decoded: &Evaluation) {
    let again = share::encode(decoded).unwrap();
    assert_eq!(&share::decode(&again).unwrap(), decoded);
}

proptest! {
    #[test]
    fn share_links_of_any_text_are_refused_or_read(text in ".{0,400}") {
        if let Ok(decoded) = share::decode(&text) {
            round_trips(&decoded);
        }
    }

    #[test]
    fn share_links_with_mutated_json_are_refused_or_read(edits in edits()) {
        let json = serde_json::to_vec(&evaluation()).unwrap();
        let link = share_link(&apply(json, &edits));
        if let Ok(decoded) = share::decode(&link) {
            round_trips(&decoded);
        }
        let mutated = apply(share::encode(&evaluation()).unwrap().into_bytes(), &edits);
        let _ = share::decode(&String::from_utf8_lossy(&mutated));
    }

    #[test]
    fn snapshots_are_refused_or_read(bytes in proptest::collection::vec(any::<u8>(), 0..512), edits in edits(), text in ".{0,300}") {
        let _ = snapshot::decode(&bytes);
        let _ = snapshot::from_fragment(&text);
        for scope in [snapshot::Scope::Everything, snapshot::Scope::Figures] {
            let valid = snapshot::encode(&evaluation(), scope).unwrap();
            if let Ok(read) = snapshot::decode(&apply(valid, &edits)) {
                prop_assert_eq!(read.evaluation.snippets.len(), read.evaluation.baseline.outcomes.len());
            }
        }
    }

    #[test]
    fn uploads_are_refused_or_read(
        name in prop_oneof![
            Just("a.txt".to_string()),
            Just("a.jsonl".to_string()),
            Just("a.csv".to_string()),
            ".{0,20}",
        ],
        bytes in proptest::collection::vec(any::<u8>(), 0..600),
        edits in edits(),
    ) {
        let _ = dataset::parse_file(&name, &bytes);
        let samples: [(&str, &[u8]); 3] = [
            ("a.jsonl", b"{\"text\":\"To be\"}\n{\"text\":\"or not\"}\n"),
            ("a.csv", b"id,text\n1,\"To be, or\"\n2,not\n"),
            ("a.txt", b"To be\n\nor not\n"),
        ];
        for (file, sample) in samples {
            if let Ok(snippets) = dataset::parse_file(file, &apply(sample.to_vec(), &edits)) {
                prop_assert!(snippets.iter().all(|s| !s.text.trim().is_empty()));
            }
        }
    }

    #[test]
    fn generate_answers_are_refused_or_read(prompt in ".{0,12}", edits in edits()) {
        let answer = r#"{"id":"x","generations":[{"id":"g","text":" not","token_likelihoods":[{"token":"To"},{"token":" be","likelihood":-2.1},{"token":" or","likelihood":-4.2},{"token":" not","likelihood":-0.3}]}],"meta":{"billed_units":{"input_tokens":3,"output_tokens":1}}}"#;
        let mutated = apply(answer.as_bytes().to_vec(), &edits);
        if let Ok(parsed) = serde_json::from_slice::<GenerateResponse>(&mutated) {
            for prompt in [prompt.as_str(), "To be or"] {
                if let Ok(tokens) = prompt_scores(prompt, &parsed) {
                    prop_assert!(tokens.iter().flat_map(|t| t.logprob).all(|l| l.is_finite() && l <= 0.0));
                }
            }
        }
    }
}
