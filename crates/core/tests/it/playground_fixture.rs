//! A frozen playground snapshot: `fixtures/snapshot-v3-playground.bin` was written once by format
//! version 3 (`LIKELY_WRITE_FIXTURES=1 cargo test -p likely-core --test it playground_fixture` writes it,
//! only when a new version's fixtures are added). Every later version must still open it with exactly
//! the same prompt, parameters, models and generations, pinned here.

use likely_core::playground::{
    Column, ColumnOutcome, Generated, PlaygroundParams, PlaygroundState,
};
use likely_core::snapshot::{self, Shared};
use likely_core::ScoredToken;
use std::path::PathBuf;

fn state() -> PlaygroundState {
    let tokens = |pieces: &[(&str, f64)]| -> Vec<ScoredToken> {
        pieces
            .iter()
            .map(|(text, logprob)| ScoredToken {
                top: Some((" the".to_string(), -0.75)),
                id: Some(text.len() as u32),
                ..ScoredToken::new(*text, Some(*logprob))
            })
            .collect()
    };
    PlaygroundState {
        prompt: "To be, or not to be".into(),
        params: PlaygroundParams {
            max_tokens: 3,
            temperature: 0.9,
            k: 40,
            p: 0.75,
            num_generations: 2,
            seed: Some(20_261_202),
            stop_sequences: vec!["\n".into(), "###".into()],
        },
        baseline: "base-light".into(),
        customs: vec!["custom-base-light".into(), "remote".into()],
        columns: vec![
            Column {
                model: "base-light".into(),
                outcome: ColumnOutcome::Generated(vec![
                    Generated {
                        text: ", that is".into(),
                        tokens: tokens(&[(",", -1.25), (" that", -2.5), (" is", -0.125)]),
                        finish_reason: Some("MAX_TOKENS".into()),
                    },
                    Generated {
                        text: ":".into(),
                        tokens: tokens(&[(":", -3.0625)]),
                        finish_reason: Some("COMPLETE".into()),
                    },
                ]),
            },
            Column {
                model: "custom-base-light".into(),
                outcome: ColumnOutcome::Generated(vec![Generated {
                    text: " the question".into(),
                    tokens: tokens(&[(" the", -0.5), (" question", -0.25)]),
                    finish_reason: Some("MAX_TOKENS".into()),
                }]),
            },
            Column {
                model: "remote".into(),
                outcome: ColumnOutcome::Failed("upstream down (HTTP 502)".into()),
            },
        ],
    }
}

fn path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/snapshot-v3-playground.bin")
}

#[test]
fn the_frozen_playground_opens_unchanged() {
    if std::env::var_os("LIKELY_WRITE_FIXTURES").is_some() {
        std::fs::write(path(), snapshot::encode_playground(&state()).unwrap()).unwrap();
    }
    let bytes = std::fs::read(path()).unwrap();
    assert_eq!(bytes[4], snapshot::PLAYGROUND_VERSION);
    let Shared::Playground(opened) = snapshot::decode_shared(&bytes).unwrap() else {
        panic!("a playground");
    };
    assert_eq!(opened, state());
    let summary = snapshot::inspect(&bytes).unwrap();
    assert_eq!(
        summary.models,
        vec!["base-light", "custom-base-light", "remote"]
    );
    let fragment = snapshot::to_fragment(&bytes);
    assert!(matches!(
        snapshot::from_fragment(&fragment),
        Err(snapshot::SnapshotError::IsPlayground)
    ));
}
