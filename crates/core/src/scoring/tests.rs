//! The engine driven as its drivers drive it, answered with Cohere-shaped Generate answers read from
//! their JSON (each prompt tokenized GPT-2-style by the windows tests' tokenizer, one generated token
//! after it, billed units as Cohere sends them).

use super::retry::{CallFailure, MAX_ATTEMPTS};
use super::windows::tests::{long_text, tokenize};
use super::*;
use crate::evaluation::params::GenerateParams;
use crate::evaluation::results::{ModelSpec, Outcome};
use crate::evaluation::{Evaluation, Snippet};
use crate::wire::scores::prompt_scores;
use crate::wire::GenerateResponse;
use serde_json::json;

const BASE: &str = "base-light";
const CUSTOM: &str = "custom-base-light";

/// `model`'s answer to `prompt` as a Cohere server writes it.
fn answer(prompt: &str) -> GenerateResponse {
    let tokens = tokenize(prompt);
    let mut likelihoods: Vec<_> = tokens
        .iter()
        .enumerate()
        .map(|(i, token)| match i {
            0 => json!({ "token": token.text }),
            _ => {
                json!({ "token": token.text, "likelihood": -0.25 - (token.text.len() % 5) as f64 })
            }
        })
        .collect();
    likelihoods.push(json!({ "token": " the", "likelihood": -1.5 }));
    serde_json::from_value(json!({
        "id": "5f1b2c1e",
        "generations": [{ "id": "0b6c", "text": " the", "likelihood": -1.5,
            "token_likelihoods": likelihoods, "finish_reason": "MAX_TOKENS" }],
        "prompt": prompt,
        "meta": { "api_version": { "version": "1" },
            "billed_units": { "input_tokens": tokens.len(), "output_tokens": 1 } }
    }))
    .unwrap()
}

fn failure(status: Option<u16>, retry_after_secs: Option<f64>) -> CallFailure {
    CallFailure {
        status,
        message: "the model is busy".into(),
        retry_after_secs,
    }
}

fn model(name: &str, context_length: Option<u32>) -> ModelSpec {
    ModelSpec {
        context_length,
        ..ModelSpec::named(name)
    }
}

fn evaluation(texts: &[&str], context_length: Option<u32>) -> Evaluation {
    let snippets = texts.iter().map(|text| Snippet::pasted(*text)).collect();
    Evaluation::new(
        snippets,
        GenerateParams::default(),
        model(BASE, context_length),
        vec![model(CUSTOM, context_length)],
    )
    .unwrap()
}

fn engine(evaluation: &Evaluation, concurrency: usize, keep_windows: bool) -> Engine {
    let settings = Settings {
        concurrency,
        keep_windows,
    };
    Engine::new(evaluation, pending_jobs(evaluation), settings)
}

/// Every step until the engine waits or ends: the calls to send; finished jobs go into `evaluation`.
fn steps(engine: &mut Engine, evaluation: &mut Evaluation) -> (Vec<Call>, Step) {
    let mut calls = Vec::new();
    loop {
        match engine.step() {
            Step::Call(call) => calls.push(call),
            Step::Finished(finished) => finished.record(evaluation).unwrap(),
            end => return (calls, end),
        }
    }
}

/// Drives the run to its end, answering every call as a server would; the calls made, in order.
fn run_to_end(engine: &mut Engine, evaluation: &mut Evaluation) -> Vec<Call> {
    let mut made = Vec::new();
    loop {
        let (calls, step) = steps(engine, evaluation);
        if step == Step::End {
            assert!(calls.is_empty());
            return made;
        }
        for call in calls {
            engine.answer(call.id, Ok(answer(&call.request.prompt)), 0.0);
            made.push(call);
        }
    }
}

fn reason(evaluation: &Evaluation, model: &str, snippet: usize) -> String {
    match &evaluation.results_of(model).unwrap().outcomes[snippet] {
        Outcome::Failed { reason } => reason.clone(),
        other => panic!("{model} {snippet}: {other:?}"),
    }
}

#[test]
fn jobs_go_snippet_by_snippet_and_skip_finished_outcomes() {
    let mut evaluation = evaluation(&["To be", "or not", "to be"], None);
    let scored = prompt_scores("or not", &answer("or not")).unwrap();
    let scored = crate::evaluation::results::SnippetResult::single(scored);
    evaluation
        .set_outcome(BASE, 1, Outcome::Scored(scored))
        .unwrap();
    let jobs: Vec<(String, usize)> = pending_jobs(&evaluation)
        .into_iter()
        .map(|job| (job.model, job.snippet))
        .collect();
    assert_eq!(
        jobs,
        [(BASE, 0), (CUSTOM, 0), (CUSTOM, 1), (BASE, 2), (CUSTOM, 2)]
            .map(|(m, s)| (m.to_string(), s))
    );
}

#[test]
fn at_most_concurrency_jobs_are_under_way_and_every_outcome_is_scored() {
    let texts = [
        "To be, or not to be",
        "that is the question",
        "Whether 'tis nobler",
    ];
    let mut evaluation = evaluation(&texts, None);
    let mut engine = engine(&evaluation, 4, false);
    assert_eq!(
        engine.progress(),
        RunProgress {
            finished: 0,
            total: 6
        }
    );

    let (calls, step) = steps(&mut engine, &mut evaluation);
    assert_eq!(step, Step::Wait);
    assert_eq!(calls.len(), 4, "four jobs under way");
    let asked: Vec<(&str, &str)> = calls
        .iter()
        .map(|c| (c.request.model.as_str(), c.request.prompt.as_str()))
        .collect();
    assert_eq!(
        asked,
        [
            (BASE, texts[0]),
            (CUSTOM, texts[0]),
            (BASE, texts[1]),
            (CUSTOM, texts[1])
        ]
    );
    assert!(calls.iter().all(|c| c.delay_ms == 0));
    assert_eq!(
        calls[0].request,
        evaluation.params_for(BASE).request(BASE, texts[0])
    );

    // One answer frees one place: its job finishes and the next job starts.
    engine.answer(calls[1].id, Ok(answer(texts[0])), 0.0);
    let (next, step) = steps(&mut engine, &mut evaluation);
    assert_eq!(step, Step::Wait);
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].request.prompt, texts[2]);
    assert_eq!(engine.progress().finished, 1);
    assert!(evaluation.result(CUSTOM, 0).is_some());
    assert!(evaluation.result(BASE, 0).is_none(), "still under way");

    // An answer to a call already answered changes nothing.
    engine.answer(calls[1].id, Ok(answer(texts[0])), 0.0);
    assert_eq!(engine.progress().finished, 1);

    for call in [&calls[0], &calls[2], &calls[3], &next[0]] {
        engine.answer(call.id, Ok(answer(&call.request.prompt)), 0.0);
    }
    run_to_end(&mut engine, &mut evaluation);
    assert_eq!(
        engine.progress(),
        RunProgress {
            finished: 6,
            total: 6
        }
    );
    for (snippet, text) in texts.iter().enumerate() {
        let expected = prompt_scores(text, &answer(text)).unwrap();
        for model in [BASE, CUSTOM] {
            assert_eq!(evaluation.result(model, snippet).unwrap().tokens, expected);
        }
    }
    assert_eq!(engine.step(), Step::End);
}

#[test]
fn a_long_snippet_is_asked_window_by_window_and_stitched() {
    let text = long_text();
    let mut evaluation = evaluation(&[&text], Some(256));
    let mut engine = engine(&evaluation, 4, false);
    let calls = run_to_end(&mut engine, &mut evaluation);
    let windows = windows::plan_for(&text, Some(256), &GenerateParams::default());
    assert!(windows.len() > 3, "{} windows", windows.len());
    let base_prompts: Vec<&str> = calls
        .iter()
        .filter(|c| c.request.model == BASE)
        .map(|c| c.request.prompt.as_str())
        .collect();
    let planned: Vec<&str> = windows.iter().map(|w| w.prompt(&text)).collect();
    assert_eq!(base_prompts, planned, "one window at a time, in order");
    let result = evaluation.result(BASE, 0).unwrap();
    let spelled: String = result.tokens.iter().map(|t| t.text.as_str()).collect();
    assert_eq!(spelled, text, "every byte once");
    assert_eq!(result.window_starts.len(), windows.len() - 1);
}

#[test]
fn busy_answers_are_retried_with_backoff_and_retry_after() {
    let mut evaluation = evaluation(&["To be, or not to be"], None);
    let mut engine = engine(&evaluation, 1, false);
    let (calls, _) = steps(&mut engine, &mut evaluation);
    let first = &calls[0];

    engine.answer(first.id, Err(failure(Some(503), None)), 0.0);
    let (again, _) = steps(&mut engine, &mut evaluation);
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].request, first.request, "the same window again");
    assert_eq!(again[0].delay_ms, 1000);

    engine.answer(again[0].id, Err(failure(Some(429), Some(3.0))), 0.5);
    let (again, _) = steps(&mut engine, &mut evaluation);
    assert_eq!(again[0].delay_ms, 3000, "as the server said");

    engine.answer(again[0].id, Err(failure(None, None)), 1.0);
    let (again, _) = steps(&mut engine, &mut evaluation);
    assert_eq!(
        again[0].delay_ms, 5000,
        "a lost connection: 4 s with a quarter of jitter"
    );

    engine.answer(again[0].id, Ok(answer(&again[0].request.prompt)), 0.0);
    run_to_end(&mut engine, &mut evaluation);
    assert!(evaluation.result(BASE, 0).is_some());
}

#[test]
fn final_failures_and_used_up_attempts_fail_the_snippet() {
    let mut evaluation = evaluation(&["To be, or not to be"], None);
    let mut engine = engine(&evaluation, 2, false);
    let (calls, _) = steps(&mut engine, &mut evaluation);
    let refused = CallFailure {
        status: Some(400),
        message: "the prompt is too long".into(),
        retry_after_secs: None,
    };
    engine.answer(calls[0].id, Err(refused), 0.0);
    let mut call = calls[1].clone();
    for attempt in 1..=MAX_ATTEMPTS {
        engine.answer(call.id, Err(failure(Some(503), None)), 0.0);
        let (mut again, step) = steps(&mut engine, &mut evaluation);
        if attempt == MAX_ATTEMPTS {
            assert_eq!(step, Step::End);
            assert!(again.is_empty());
        } else {
            call = again.remove(0);
        }
    }
    assert_eq!(
        reason(&evaluation, BASE, 0),
        "the prompt is too long (HTTP 400)"
    );
    assert_eq!(
        reason(&evaluation, CUSTOM, 0),
        "the model is busy (HTTP 503)"
    );
    assert_eq!(
        engine.progress(),
        RunProgress {
            finished: 2,
            total: 2
        }
    );
}

/// Scores the long text with `base` only, failing its `fail_at`th window for good.
fn fail_window(keep_windows: bool, fail_at: usize) -> (Evaluation, Engine, usize) {
    fail_window_with(keep_windows, fail_at, Err(failure(Some(401), None)))
}

/// Scores the long text with `base` only, its `fail_at`th window answered `failed`.
fn fail_window_with(
    keep_windows: bool,
    fail_at: usize,
    failed: Result<GenerateResponse, CallFailure>,
) -> (Evaluation, Engine, usize) {
    let text = long_text();
    let mut evaluation = Evaluation::new(
        vec![Snippet::pasted(text.clone())],
        GenerateParams::default(),
        model(BASE, Some(256)),
        Vec::new(),
    )
    .unwrap();
    let mut engine = engine(&evaluation, 1, keep_windows);
    let mut asked = 0;
    loop {
        let (calls, step) = steps(&mut engine, &mut evaluation);
        if step == Step::End {
            return (evaluation, engine, asked);
        }
        for call in calls {
            asked += 1;
            let result = if asked == fail_at {
                failed.clone()
            } else {
                Ok(answer(&call.request.prompt))
            };
            engine.answer(call.id, result, 0.0);
        }
    }
}

#[test]
fn a_failed_window_says_where_and_its_finished_windows_are_kept_for_a_retry() {
    let count = windows::plan_for(&long_text(), Some(256), &GenerateParams::default()).len();
    let (evaluation, mut engine, _) = fail_window(false, 2);
    assert_eq!(
        reason(&evaluation, BASE, 0),
        format!("the model is busy (HTTP 401) (window 2 of {count})")
    );
    assert!(engine.take_kept().is_empty(), "likely eval keeps nothing");

    let (mut evaluation, mut engine, asked) = fail_window(true, 3);
    assert_eq!(asked, 3);
    assert_eq!(
        reason(&evaluation, BASE, 0),
        format!("the model is busy (HTTP 401) (window 3 of {count}; finished windows are kept)")
    );
    let mut kept = engine.take_kept();
    assert_eq!(kept.len(), 1);

    // Retry failed: the snippet is pending again and only windows 3… are asked.
    evaluation.set_outcome(BASE, 0, Outcome::Pending).unwrap();
    let mut retry = engine_resuming(&evaluation, &mut kept);
    assert!(kept.is_empty(), "the run took what it resumes");
    let calls = run_to_end(&mut retry, &mut evaluation);
    assert_eq!(calls.len(), count - 2);
    let (whole, _, _) = fail_window(true, usize::MAX);
    assert_eq!(evaluation, whole, "the same result as without the failure");
    assert!(retry.take_kept().is_empty());
}

fn engine_resuming(evaluation: &Evaluation, kept: &mut KeptWindows) -> Engine {
    engine(evaluation, 1, true).resuming(kept)
}

#[test]
fn cancel_ends_the_run_and_drops_late_answers() {
    let text = long_text();
    let mut evaluation = evaluation(&[&text, "To be", "or not"], Some(256));
    let mut engine = engine(&evaluation, 2, true);
    let (calls, _) = steps(&mut engine, &mut evaluation);
    assert_eq!(calls.len(), 2);
    // The base model's first window is answered, then the run is cancelled.
    engine.answer(calls[0].id, Ok(answer(&calls[0].request.prompt)), 0.0);
    let (more, _) = steps(&mut engine, &mut evaluation);
    assert_eq!(more.len(), 1, "its second window");
    engine.cancel();
    assert!(engine.cancelled());
    assert_eq!(engine.step(), Step::End);
    engine.answer(calls[1].id, Ok(answer(&calls[1].request.prompt)), 0.0);
    assert_eq!(engine.step(), Step::End);
    assert_eq!(engine.progress().finished, 0);
    assert!(evaluation
        .model_results()
        .all(|run| run.outcomes.iter().all(|o| *o == Outcome::Pending)));
    // The base model's job keeps its finished window; the custom model's had none to keep.
    let mut kept = engine.take_kept();
    assert_eq!(kept.len(), 1);

    // The next run asks base-light only for its windows after the first.
    let mut next = engine_resuming(&evaluation, &mut kept);
    let calls = run_to_end(&mut next, &mut evaluation);
    let count = windows::plan_for(&text, Some(256), &GenerateParams::default()).len();
    let base_calls = calls.iter().filter(|c| c.request.model == BASE).count();
    assert_eq!(base_calls, count - 1 + 2);
    assert_eq!(
        next.progress(),
        RunProgress {
            finished: 6,
            total: 6
        }
    );
}

#[test]
fn jobs_of_unknown_models_or_snippets_are_left_out() {
    let evaluation = evaluation(&["To be"], None);
    let jobs = vec![
        Job {
            model: "gone".into(),
            snippet: 0,
        },
        Job {
            model: BASE.into(),
            snippet: 7,
        },
        Job {
            model: BASE.into(),
            snippet: 0,
        },
    ];
    let settings = Settings {
        concurrency: 0,
        keep_windows: false,
    };
    let mut engine = Engine::new(&evaluation, jobs, settings);
    assert_eq!(engine.progress().total, 1);
    assert!(
        matches!(engine.step(), Step::Call(_)),
        "at least one at a time"
    );
    assert_eq!(engine.step(), Step::Wait);
}

#[test]
fn unusable_answers_fail_the_snippet_and_say_why() {
    let mut evaluation = evaluation(&["To be"], None);
    let mut engine = engine(&evaluation, 2, false);
    let (calls, _) = steps(&mut engine, &mut evaluation);
    let no_likelihoods: GenerateResponse = serde_json::from_value(
        json!({ "id": "a", "generations": [{ "id": "g", "text": " the" }] }),
    )
    .unwrap();
    engine.answer(calls[0].id, Ok(no_likelihoods), 0.0);
    engine.answer(calls[1].id, Ok(answer("Something else")), 0.0);
    run_to_end(&mut engine, &mut evaluation);
    assert_eq!(
        reason(&evaluation, BASE, 0),
        "the answer could not be used: the answer has no token likelihoods; ask for \
         return_likelihoods \"ALL\""
    );
    assert_eq!(
        reason(&evaluation, CUSTOM, 0),
        "the windows could not be joined: the tokens of window 0 do not spell its prompt"
    );
}

#[test]
fn an_unusable_window_says_where_when_windows_are_kept() {
    let count = windows::plan_for(&long_text(), Some(256), &GenerateParams::default()).len();
    let empty: GenerateResponse =
        serde_json::from_value(json!({ "id": "a", "generations": [] })).unwrap();
    let (evaluation, mut engine, _) = fail_window_with(true, 2, Ok(empty.clone()));
    assert_eq!(
        reason(&evaluation, BASE, 0),
        format!(
            "the answer could not be used: the answer has no generations \
             (window 2 of {count}; finished windows are kept)"
        )
    );
    assert_eq!(engine.take_kept().len(), 1);
    let (evaluation, _, _) = fail_window_with(false, 2, Ok(empty));
    assert_eq!(
        reason(&evaluation, BASE, 0),
        "the answer could not be used: the answer has no generations"
    );
}
