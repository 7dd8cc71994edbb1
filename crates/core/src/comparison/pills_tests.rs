use super::*;
use crate::evaluation::results::{Outcome, SnippetResult};
use crate::evaluation::tests::{result, tok, two_models};
use crate::evaluation::Evaluation;

const BASE: &str = "base-light";
const CUSTOM: &str = "custom-base-light";

fn scored(words: &[&str], logprobs: &[f64]) -> Outcome {
    Outcome::Scored(result(words, logprobs))
}

/// Several snippets where the custom model is clearly better on every token.
fn clearly_better(snippets: usize) -> Evaluation {
    let mut e = two_models(snippets);
    for i in 0..snippets {
        let jitter = (i % 4) as f64 * 0.05;
        let words = ["To", " be", ",", " or"];
        e.set_outcome(BASE, i, scored(&words, &[-3.0 - jitter, -2.0, -4.0]))
            .unwrap();
        e.set_outcome(CUSTOM, i, scored(&words, &[-2.0, -1.5 - jitter, -3.0]))
            .unwrap();
    }
    e
}

#[test]
fn metric_keys_are_the_test_ids() {
    let keys: Vec<_> = Metric::ALL.iter().map(|m| m.key()).collect();
    assert_eq!(keys, ["accuracy", "loss", "avg-loglik", "bpb"]);
}

#[test]
fn display_text_follows_the_issue() {
    assert_eq!(Metric::Accuracy.format_delta(0.13), "+13%");
    assert_eq!(Metric::Accuracy.format_delta(0.025), "+2.5%");
    assert_eq!(Metric::Accuracy.format_delta(-0.004), "-0.4%");
    assert_eq!(Metric::Loss.format_delta(-0.5612), "-0.56");
    assert_eq!(Metric::AvgLoglik.format_delta(0.5612), "+0.56");
    assert_eq!(Metric::Loss.format_delta(-0.0001), "0.00");
    assert_eq!(Metric::Bpb.format_delta(-0.0561), "-0.056");
    assert_eq!(thousands(2000), "2,000");
    assert_eq!(thousands(1_234_567), "1,234,567");
    assert_eq!(thousands(12), "12");
}

#[test]
fn several_snippets_resample_snippets_and_call_the_winner() {
    let e = clearly_better(12);
    let c = e.comparisons().remove(0);
    assert_eq!(c.paired_snippets, 12);
    assert_eq!(c.basis, Some(Basis::Snippets(12)));
    let avg = c.pill(Metric::AvgLoglik).unwrap();
    assert_eq!(avg.verdict, Verdict::Better);
    let loss = c.pill(Metric::Loss).unwrap();
    assert_eq!(loss.verdict, Verdict::Better, "lower loss is better");
    assert!(loss.delta.unwrap() < 0.0);
    assert_eq!(c.pill(Metric::Bpb).unwrap().verdict, Verdict::Better);
    assert_eq!(
        avg.method,
        "paired bootstrap over 12 snippets, 2,000 resamples, 95% percentile interval"
    );
    let (b, m) = (e.metrics(BASE).unwrap(), e.metrics(CUSTOM).unwrap());
    assert!((avg.delta.unwrap() - (m.avg_loglik - b.avg_loglik)).abs() < 1e-12);
    let ci = avg.ci.unwrap();
    assert!(ci.low <= avg.delta.unwrap() && avg.delta.unwrap() <= ci.high);
    let wins = c.wins.unwrap();
    assert_eq!((wins.wins, wins.total()), (12, 12));
    assert_eq!(wins.share(), 1.0);
    let accuracy = c.pill(Metric::Accuracy).unwrap();
    assert_eq!(accuracy.text, "n/a");
    assert_eq!(accuracy.verdict, Verdict::Undetermined);
    assert!(accuracy.method.contains("top-1"));
    assert_eq!(c, e.comparisons().remove(0), "deterministic");
}

#[test]
fn a_run_under_way_gets_provisional_intervals_with_the_same_figures() {
    let e = clearly_better(12);
    let last = e.comparisons().remove(0);
    let live = e
        .comparisons_with(crate::figures::bootstrap::PROVISIONAL_RESAMPLES)
        .remove(0);
    let (last_avg, live_avg) = (
        last.pill(Metric::AvgLoglik).unwrap(),
        live.pill(Metric::AvgLoglik).unwrap(),
    );
    assert_eq!(
        live_avg.delta, last_avg.delta,
        "the difference needs no resampling"
    );
    assert_eq!(live_avg.verdict, Verdict::Better);
    let ci = live_avg.ci.unwrap();
    assert!(ci.low <= live_avg.delta.unwrap() && live_avg.delta.unwrap() <= ci.high);
    assert_eq!(
        live_avg.method,
        "paired bootstrap over 12 snippets, 200 resamples (provisional while the run goes on: \
         2,000 at the end), 95% percentile interval"
    );
    assert_eq!(live.wins, last.wins);
}

#[test]
fn worse_is_worse_and_accuracy_counts_top_choices() {
    let mut e = two_models(10);
    for i in 0..10 {
        let mut b = result(&["a", "b", "c"], &[-1.0, -1.0 - i as f64 * 0.01]);
        let mut c = result(&["a", "b", "c"], &[-2.0, -2.0]);
        for t in &mut b.tokens[1..] {
            t.rank = Some(1);
        }
        for t in &mut c.tokens[1..] {
            t.rank = Some(5);
        }
        e.set_outcome(BASE, i, Outcome::Scored(b)).unwrap();
        e.set_outcome(CUSTOM, i, Outcome::Scored(c)).unwrap();
    }
    let c = e.comparisons().remove(0);
    let accuracy = c.pill(Metric::Accuracy).unwrap();
    assert_eq!(accuracy.delta, Some(-1.0));
    assert_eq!(accuracy.text, "-100%");
    assert_eq!(accuracy.verdict, Verdict::Worse);
    assert_eq!(c.pill(Metric::Loss).unwrap().verdict, Verdict::Worse);
    assert_eq!(c.wins.unwrap().losses, 10);
}

#[test]
fn noise_is_grey() {
    let mut e = two_models(20);
    for i in 0..20 {
        let d = if i % 2 == 0 { 0.5 } else { -0.5 };
        e.set_outcome(BASE, i, scored(&["a", "b"], &[-2.0]))
            .unwrap();
        e.set_outcome(CUSTOM, i, scored(&["a", "b"], &[-2.0 + d]))
            .unwrap();
    }
    let c = e.comparisons().remove(0);
    assert_eq!(
        c.pill(Metric::AvgLoglik).unwrap().verdict,
        Verdict::WithinNoise
    );
    assert_eq!(c.wins.unwrap().share(), 0.5);
}

#[test]
fn one_snippet_with_the_same_tokens_resamples_tokens() {
    let mut e = two_models(1);
    let words: Vec<String> = (0..40).map(|i| format!(" w{i}")).collect();
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    let base: Vec<f64> = (0..39).map(|i| -3.0 - (i % 3) as f64).collect();
    let custom: Vec<f64> = base.iter().map(|l| l + 1.0).collect();
    e.set_outcome(BASE, 0, scored(&words, &base)).unwrap();
    e.set_outcome(CUSTOM, 0, scored(&words, &custom)).unwrap();
    let c = e.comparisons().remove(0);
    assert_eq!(c.basis, Some(Basis::Tokens(40)));
    assert!(c.wins.is_none());
    let avg = c.pill(Metric::AvgLoglik).unwrap();
    assert!((avg.delta.unwrap() - 1.0).abs() < 1e-12);
    assert_eq!(avg.verdict, Verdict::Better);
    assert!(avg
        .method
        .contains("40 tokens of the one snippet in 14 blocks of 3 consecutive tokens"));
}

#[test]
fn different_tokenizers_resample_aligned_segments() {
    let b = vec![
        tok("To", None),
        tok(" be", Some(-2.0)),
        tok(",", Some(-1.0)),
        tok(" or", Some(-1.0)),
    ];
    let c = vec![
        tok("To", None),
        tok(" b", Some(-1.0)),
        tok("e", Some(-0.5)),
        tok(",", Some(-1.0)),
        tok(" or", Some(-3.0)),
    ];
    let units = segments(&b, &c).unwrap();
    assert_eq!(units.len(), 4);
    assert_eq!(units[1].baseline.tokens, 1.0);
    assert_eq!(units[1].custom.tokens, 2.0);
    assert_eq!(units[1].custom.loglik, -1.5);
    assert_eq!(units[1].custom.bytes, 3.0);
    let mut e = two_models(1);
    e.set_outcome(BASE, 0, Outcome::Scored(SnippetResult::single(b)))
        .unwrap();
    e.set_outcome(CUSTOM, 0, Outcome::Scored(SnippetResult::single(c)))
        .unwrap();
    let comparison = e.comparisons().remove(0);
    assert_eq!(comparison.basis, Some(Basis::Segments(4)));
    let bpb = comparison.pill(Metric::Bpb).unwrap();
    // Both spell " be, or" after the first token: 7 scored bytes; -4.0 vs -5.5 nats.
    let expected = (5.5 - 4.0) / (7.0 * std::f64::consts::LN_2);
    assert!((bpb.delta.unwrap() - expected).abs() < 1e-12);
    assert!(bpb.ci.is_some());
}

#[test]
fn tokens_spelling_different_texts_have_no_interval() {
    let mut e = two_models(1);
    e.set_outcome(BASE, 0, scored(&["a", "b", "c"], &[-1.0, -1.0]))
        .unwrap();
    e.set_outcome(CUSTOM, 0, scored(&["a", "B", "c"], &[-1.0, -1.0]))
        .unwrap();
    let c = e.comparisons().remove(0);
    assert_eq!(c.basis, None);
    let avg = c.pill(Metric::AvgLoglik).unwrap();
    assert_eq!(avg.delta, Some(0.0));
    assert_eq!(avg.ci, None);
    assert_eq!(avg.verdict, Verdict::Undetermined);
    assert!(avg.method.contains("do not spell the same text"));
}

#[test]
fn nothing_in_common_gives_n_a() {
    let mut e = two_models(2);
    e.set_outcome(BASE, 0, scored(&["a", "b"], &[-1.0]))
        .unwrap();
    e.set_outcome(CUSTOM, 1, scored(&["a", "b"], &[-1.0]))
        .unwrap();
    let c = e.comparisons().remove(0);
    assert_eq!(c.paired_snippets, 0);
    assert!(c.pills.iter().all(|p| p.text == "n/a" && p.delta.is_none()));
    assert_eq!(e.comparisons().len(), 1);
}
