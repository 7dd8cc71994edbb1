//! What the model tests share: a toy tokenizer of 10 ids, random corpora, and the comparisons.

use likely_ngram::{train_model, KnModel, LanguageModel, ScoreOptions, TokenIds, Vocab};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Letters `a`..=`i` are ids 1..=9; everything else is skipped; end-of-text is 0 (as SmolLM2's is).
pub struct Toy;

impl TokenIds for Toy {
    fn name(&self) -> &str {
        "toy-10"
    }

    fn encode(&self, text: &str) -> Vec<u32> {
        text.bytes()
            .filter(|b| (b'a'..=b'i').contains(b))
            .map(|b| u32::from(b - b'a') + 1)
            .collect()
    }

    fn vocab_size(&self) -> usize {
        10
    }

    fn eot(&self) -> u32 {
        0
    }
}

/// The toy tokenizer's vocabulary.
pub fn toy() -> Vocab {
    Toy.vocab().expect("toy vocabulary")
}

/// `a` and `b` agree to a relative 1e-5.
pub fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-5 * b.abs().max(1e-12), "{a} vs {b}");
}

/// The natural-log probability of each of `tokens`.
pub fn lp(model: &dyn LanguageModel, tokens: &[u32]) -> Vec<f64> {
    model
        .score(tokens, &ScoreOptions::default())
        .iter()
        .map(|s| s.logprob)
        .collect()
}

/// An order-3 model over GPT-2's vocabulary trained on 40 random documents of 60 ids below `ids`.
pub fn random_model(seed: u64, ids: u32) -> KnModel {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let docs: Vec<Vec<u32>> = (0..40)
        .map(|_| (0..60).map(|_| rng.random_range(1..ids)).collect())
        .collect();
    train_model(&docs, Vocab::GPT2, 3).expect("train").0
}

/// Checks a model trained on the documents "a b c", "a b d", "b c" (ids `a`, `b`, `c`, `d` of a
/// vocabulary of `vocab` ids ending texts with `eot`), order 3, against modified Kneser-Ney worked
/// out by hand. Every count-of-counts table lacks n3 and n4, so all orders use the fallback
/// discounts D1 = 0.5, D2 = 1, D3+ = 1.5. `unseen` is an id none of the documents holds.
pub fn check_hand_computed_kneser_ney(m: &KnModel, [a, b, c]: [u32; 3], eot: u32, unseen: u32) {
    let v = m.vocab() as f64;
    // Unigrams, continuation counts: a 1 (EOT·a), b 2 (a·b, EOT·b), c 1, d 1, EOT 2 (c·, d·).
    // Total 7; γ(ε) = (0.5·3 + 1·2) / 7 = 0.5.
    let uni = |x: f64| (x - if x == 1.0 { 0.5 } else { 1.0 }).max(0.0) / 7.0 + 0.5 / v;
    let (pa, pb, pc, pe) = (uni(1.0), uni(2.0), uni(1.0), uni(2.0));
    // Bigrams. After EOT (document start, raw counts): a 2, b 1 → c = 3, γ = (0.5 + 1) / 3.
    let p_a_bos = (2.0 - 1.0) / 3.0 + 0.5 * pa;
    // After a: b 1 → γ = 0.5. After b: c 2 (a b c, EOT b c), d 1 → c = 3, γ = 0.5.
    let p_b_a = 0.5 + 0.5 * pb;
    let p_c_b = (2.0 - 1.0) / 3.0 + 0.5 * pc;
    let p_e_c = 0.5 + 0.5 * pe;
    // Trigrams (raw counts). (EOT a) b: 2 → γ = 1/2. (a b) c: 1, d: 1 → γ = 0.5. (b c) EOT: 2.
    let p_b_bos_a = (2.0 - 1.0) / 2.0 + 0.5 * p_b_a;
    let p_c_ab = 0.5 / 2.0 + 0.5 * p_c_b;
    let p_e_bc = (2.0 - 1.0) / 2.0 + 0.5 * p_e_c;
    let got = lp(m, &[a, b, c, eot]);
    close(got[0], p_a_bos.ln());
    close(got[1], p_b_bos_a.ln());
    close(got[2], p_c_ab.ln());
    close(got[3], p_e_bc.ln());
    // Backing off: c after (EOT a) → γ(EOT a) · γ(a) · P(c).
    close(lp(m, &[a, c])[1], (0.5 * 0.5 * pc).ln());
    // A token never seen: γ(EOT) · γ(ε) / V.
    close(lp(m, &[unseen])[0], (0.5 * 0.5 / v).ln());
}

/// Token ids in decreasing probability of `dist` (ties: smaller id first).
pub fn by_probability(dist: &[f64]) -> Vec<u32> {
    let mut order: Vec<u32> = (0..dist.len() as u32).collect();
    order.sort_by(|&a, &b| {
        dist[b as usize]
            .total_cmp(&dist[a as usize])
            .then(a.cmp(&b))
    });
    order
}

/// Checks `model`'s scores of `text` with the top `k` and ranks against its full distributions
/// (brute force): each log-probability, the top's probabilities (ties may order tokens
/// differently), and each rank, a token counting as more likely when its probability exceeds the
/// scored one's by more than the relative `tie`.
pub fn check_top_k_and_ranks(model: &dyn LanguageModel, text: &[u32], k: usize, tie: f64) {
    let options = ScoreOptions {
        top_k: k,
        ranks: true,
    };
    for (i, s) in model.score(text, &options).iter().enumerate() {
        let dist = model.next_distribution(&text[..i]);
        close(s.logprob, dist[s.token as usize].ln());
        let order = by_probability(&dist);
        assert_eq!(s.top.len(), k.min(dist.len()));
        for (j, &(t, l)) in s.top.iter().enumerate() {
            close(l, dist[order[j] as usize].ln());
            close(l, dist[t as usize].ln());
        }
        let p = dist[s.token as usize];
        let rank = 1 + dist.iter().filter(|&&q| q > p * (1.0 + tie)).count() as u32;
        assert_eq!(s.rank, Some(rank), "position {i}");
    }
}
