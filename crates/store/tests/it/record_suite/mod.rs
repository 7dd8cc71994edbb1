//! The one behaviour suite every `RunStore` must pass (runs and kept held-out sets).
//! `run_store_suite!(open_fn)` turns each case into a `#[tokio::test]`; `open_fn` is as for
//! `share_store_suite!`. Each case works on its own set fingerprint and model names, so the cases
//! can share one PostgreSQL database.

use std::collections::HashSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use likely_store::{
    KeepOutcome, NewDataset, NewRun, RunDeletion, RunFigure, RunFilter, RunStore, DEFAULT_PAGE,
};

/// A name no other case (or earlier test run on the same database) uses.
pub(crate) fn unique(prefix: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let mut random = [0u8; 6];
    getrandom::fill(&mut random).unwrap();
    let tail: String = random.iter().map(|b| format!("{b:02x}")).collect();
    format!("{prefix}-{nanos}-{tail}")
}

fn figure(model: &str, avg_loglik: f64) -> RunFigure {
    RunFigure {
        model: model.to_owned(),
        avg_loglik: Some(avg_loglik),
        loss: Some(-avg_loglik),
        loss_low: Some(-avg_loglik - 0.1),
        loss_high: Some(-avg_loglik + 0.1),
    }
}

/// A run recorded in `store` (a migrated one, say) reads back by its id.
pub(crate) async fn a_run_is_recorded_and_read_back<S: RunStore>(store: &S) {
    let run = new_run("fixture-set", SystemTime::now(), "base", &["v"]);
    let saved = store.record_run(run).await.unwrap();
    assert!(store.get_run(&saved.id).await.unwrap().is_some());
}

/// A run on `dataset` with `baseline` and `customs`, recorded at `at`.
pub(crate) fn new_run(dataset: &str, at: SystemTime, baseline: &str, customs: &[&str]) -> NewRun {
    let mut models = vec![figure(baseline, -3.0)];
    models.extend(
        customs
            .iter()
            .enumerate()
            .map(|(i, name)| figure(name, -2.0 - i as f64 / 10.0)),
    );
    let names: Vec<&str> = std::iter::once(baseline)
        .chain(customs.iter().copied())
        .collect();
    NewRun {
        created_at: at,
        author: None,
        dataset_fingerprint: dataset.to_owned(),
        dataset_name: Some("Held-out Set".into()),
        baseline: baseline.to_owned(),
        models,
        search_text: names.join(" "),
        document: format!("{{\"models\":{}}}", names.len()),
        snapshot_kind: Some("figures".into()),
        snapshot: Some(vec![0, 1, 2, 255]),
    }
}

fn ms(at: SystemTime) -> u128 {
    at.duration_since(UNIX_EPOCH).unwrap().as_millis()
}

pub(crate) async fn recorded_runs_read_back_whole<S: RunStore>(store: &S) {
    let dataset = unique("set");
    let mut run = new_run(&dataset, SystemTime::now(), "base", &["v1", "v2"]);
    run.author = Some("Alice".into());
    let saved = store.record_run(run.clone()).await.unwrap();
    assert_eq!(saved.id.len(), 22);
    assert_eq!(saved.delete_token.expose().len(), 43);
    assert_eq!(ms(saved.created_at), ms(run.created_at));
    let stored = store.get_run(&saved.id).await.unwrap().expect("recorded");
    assert_eq!(stored.row.id, saved.id);
    assert_eq!(stored.row.created_at, saved.created_at);
    assert_eq!(stored.row.document, run.document);
    assert_eq!(stored.snapshot.as_deref(), Some(&[0u8, 1, 2, 255][..]));
    assert_eq!(stored.snapshot_kind.as_deref(), Some("figures"));
    let points = store.dataset_points(&dataset).await.unwrap();
    let models: Vec<&str> = points.iter().map(|p| p.figure.model.as_str()).collect();
    assert_eq!(models, ["base", "v1", "v2"]);
    assert_eq!(points[1].figure, run.models[1]);

    let mut bare = new_run(&dataset, SystemTime::now(), "base", &[]);
    bare.snapshot = None;
    bare.snapshot_kind = None;
    let saved = store.record_run(bare).await.unwrap();
    let stored = store.get_run(&saved.id).await.unwrap().unwrap();
    assert_eq!(stored.snapshot, None);
}

pub(crate) async fn listing_is_newest_first_in_keyset_pages<S: RunStore>(store: &S) {
    let dataset = unique("set");
    let start = SystemTime::now() - Duration::from_secs(3600);
    let mut ids = Vec::new();
    for i in 0..7u64 {
        // Two runs share a millisecond: the id breaks the tie.
        let at = start + Duration::from_millis(10 * (i / 2 * 2));
        ids.push(
            store
                .record_run(new_run(&dataset, at, "base", &["v"]))
                .await
                .unwrap()
                .id,
        );
    }
    let mut seen = Vec::new();
    let mut filter = RunFilter {
        dataset: Some(dataset.clone()),
        limit: 3,
        ..RunFilter::default()
    };
    let mut pages = 0;
    loop {
        let page = store.list_runs(filter.clone()).await.unwrap();
        pages += 1;
        assert!(page.runs.len() <= 3);
        seen.extend(page.runs.iter().map(|r| (r.created_at, r.id.clone())));
        match page.next {
            Some(next) => filter.before = Some(next),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 7);
    let mut sorted = seen.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(seen, sorted, "newest first, ties by id");
    let unique_ids: HashSet<_> = seen.iter().map(|(_, id)| id.clone()).collect();
    assert_eq!(unique_ids, ids.into_iter().collect());

    let page = store
        .list_runs(RunFilter {
            dataset: Some(dataset),
            ..RunFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(page.runs.len(), 7);
    assert!(page.next.is_none());
    assert_eq!(RunFilter::default().page_size(), DEFAULT_PAGE);
}

pub(crate) async fn filters_narrow_by_model_author_and_text<S: RunStore>(store: &S) {
    let dataset = unique("set");
    let other_set = unique("other");
    let model = unique("ModelX");
    let now = SystemTime::now();
    let mut by_alice = new_run(&dataset, now, "base", &[&model]);
    by_alice.author = Some("alice".into());
    by_alice.search_text = format!("base {model} alice Team Set");
    let alice = store.record_run(by_alice).await.unwrap().id;
    let plain = store
        .record_run(new_run(&dataset, now, "base", &["other"]))
        .await
        .unwrap()
        .id;
    let elsewhere = store
        .record_run(new_run(&other_set, now, "base", &[&model]))
        .await
        .unwrap()
        .id;
    let ids = |filter: RunFilter| async move {
        let page = store.list_runs(filter).await.unwrap();
        page.runs.into_iter().map(|r| r.id).collect::<HashSet<_>>()
    };
    let set = |ids: &[&String]| ids.iter().map(|id| (*id).clone()).collect::<HashSet<_>>();
    let by_model = RunFilter {
        model: Some(model.clone()),
        ..RunFilter::default()
    };
    assert_eq!(ids(by_model.clone()).await, set(&[&alice, &elsewhere]));
    let model_on_set = RunFilter {
        dataset: Some(dataset.clone()),
        ..by_model
    };
    assert_eq!(ids(model_on_set).await, set(&[&alice]));
    let on_set = RunFilter {
        dataset: Some(dataset.clone()),
        ..RunFilter::default()
    };
    assert_eq!(ids(on_set.clone()).await, set(&[&alice, &plain]));
    let by_author = RunFilter {
        author: Some("alice".into()),
        ..on_set.clone()
    };
    assert_eq!(ids(by_author).await, set(&[&alice]));
    // Free text: any case, any part of a name.
    let text = RunFilter {
        text: Some(model[..8].to_uppercase()),
        ..on_set.clone()
    };
    assert_eq!(ids(text).await, set(&[&alice]));
    let nothing = RunFilter {
        text: Some("' OR 1=1 --".into()),
        ..on_set
    };
    assert!(ids(nothing).await.is_empty());
}

/// The free-text filter matches exactly the runs whose lower-cased search text contains the
/// lower-cased text, at any length (1 and 2 characters, which no trigram index can look up, as well
/// as longer text), with `LIKE` and FTS characters taken literally, alone, with a model filter and
/// through keyset pages.
pub(crate) async fn free_text_matches_what_a_substring_search_matches<S: RunStore>(store: &S) {
    let dataset = unique("set");
    let model = unique("Shared");
    let start = SystemTime::now() - Duration::from_secs(600);
    let texts = [
        "base\ntune-3-v1\nAlice\nTeam Set",
        "base\ntune-30-v2\nbob\nTeam Set",
        "Base-Ünïcode\nMODEL_50%\nbob",
        "x\ny",
        "quote\"d\nback\\slash",
        "ab",
        "İstanbul-model\nçağrı",
        "tune_3 50 percent",
    ];
    let mut runs = Vec::new();
    for (i, text) in texts.iter().enumerate() {
        let customs: Vec<&str> = if i % 2 == 0 {
            vec![model.as_str()]
        } else {
            vec!["v"]
        };
        let mut run = new_run(
            &dataset,
            start + Duration::from_secs(i as u64 / 2),
            "base",
            &customs,
        );
        run.search_text = (*text).to_owned();
        let id = store.record_run(run).await.unwrap().id;
        runs.push((id, text.to_lowercase(), i % 2 == 0));
    }
    let needles = [
        "a",
        "b",
        "x",
        "ab",
        "AB",
        "\n",
        "e\nt",
        "d\nb",
        "e-3",
        "TUNE",
        "tune-3",
        "tune-3-v1",
        "tune_3",
        "ünï",
        "ÜNÏ",
        "_50%",
        "50%",
        "%",
        "_",
        "\"",
        "\\",
        "\"d",
        "k\\s",
        "İst",
        "i̇st",
        "ağr",
        "set",
        "team set",
        " ",
        "mod",
        "zzz",
        "q",
        "zq",
        "Ğ",
        "\"\n",
        "' OR 1=1 --",
        "*",
        "a OR b",
        "NEAR(a b)",
    ];
    for needle in needles {
        for by_model in [false, true] {
            let lower = needle.to_lowercase();
            let mut expected: Vec<&String> = runs
                .iter()
                .filter(|(_, text, has_model)| text.contains(&lower) && (!by_model || *has_model))
                .map(|(id, _, _)| id)
                .collect();
            expected.sort();
            let mut filter = RunFilter {
                dataset: Some(dataset.clone()),
                model: by_model.then(|| model.clone()),
                text: Some(needle.to_owned()),
                limit: 2,
                ..RunFilter::default()
            };
            let mut found = Vec::new();
            loop {
                let page = store.list_runs(filter.clone()).await.unwrap();
                assert!(page.runs.len() <= 2);
                found.extend(page.runs.into_iter().map(|r| (r.created_at, r.id)));
                match page.next {
                    Some(next) => filter.before = Some(next),
                    None => break,
                }
            }
            let mut newest_first = found.clone();
            newest_first.sort_by(|a, b| b.cmp(a));
            assert_eq!(found, newest_first, "{needle:?}: newest first");
            let mut ids: Vec<&String> = found.iter().map(|(_, id)| id).collect();
            ids.sort();
            assert_eq!(ids, expected, "{needle:?} (model filter: {by_model})");
        }
    }
}

pub(crate) async fn deletion_needs_the_token_or_authorisation<S: RunStore>(store: &S) {
    let dataset = unique("set");
    let first = store
        .record_run(new_run(&dataset, SystemTime::now(), "base", &["v"]))
        .await
        .unwrap();
    let second = store
        .record_run(new_run(&dataset, SystemTime::now(), "base", &["v"]))
        .await
        .unwrap();
    assert_eq!(
        store.delete_run(&first.id, Some("wrong")).await.unwrap(),
        RunDeletion::WrongToken
    );
    assert!(store.get_run(&first.id).await.unwrap().is_some());
    assert_eq!(
        store
            .delete_run(&first.id, Some(first.delete_token.expose()))
            .await
            .unwrap(),
        RunDeletion::Deleted
    );
    assert!(store.get_run(&first.id).await.unwrap().is_none());
    assert_eq!(
        store
            .delete_run(&first.id, Some(first.delete_token.expose()))
            .await
            .unwrap(),
        RunDeletion::NotFound
    );
    assert_eq!(
        store.delete_run(&second.id, None).await.unwrap(),
        RunDeletion::Deleted
    );
    assert!(store.dataset_points(&dataset).await.unwrap().is_empty());
    for junk in ["", "short", "' OR 1=1 --", "AAAAAAAAAAAAAAAAAAAAA="] {
        assert!(store.get_run(junk).await.unwrap().is_none());
        assert_eq!(
            store.delete_run(junk, None).await.unwrap(),
            RunDeletion::NotFound
        );
    }
}

pub(crate) async fn purge_drops_runs_older_than_the_cutoff<S: RunStore>(store: &S) {
    let dataset = unique("set");
    let long_ago = UNIX_EPOCH + Duration::from_secs(1_000_000_000);
    let old = store
        .record_run(new_run(&dataset, long_ago, "base", &["v"]))
        .await
        .unwrap();
    let new = store
        .record_run(new_run(&dataset, SystemTime::now(), "base", &["v"]))
        .await
        .unwrap();
    let purged = store
        .purge_runs_before(long_ago + Duration::from_secs(1))
        .await
        .unwrap();
    assert!(purged >= 1);
    assert!(store.get_run(&old.id).await.unwrap().is_none());
    assert!(store.get_run(&new.id).await.unwrap().is_some());
    let points = store.dataset_points(&dataset).await.unwrap();
    assert!(points.iter().all(|p| p.run_id == new.id), "{points:?}");
}

pub(crate) async fn kept_sets_are_kept_once_per_fingerprint<S: RunStore>(store: &S) {
    let fingerprint = unique("fp");
    let new = NewDataset {
        fingerprint: fingerprint.clone(),
        name: "Support tickets".into(),
        description: Some("held out in May".into()),
        snippet_count: 2,
        snippets: r#"[{"text":"a"},{"text":"ü"}]"#.into(),
    };
    let KeepOutcome::Kept(kept) = store.keep_dataset(new.clone()).await.unwrap() else {
        panic!("not kept")
    };
    assert_eq!(kept.snippet_count, 2);
    assert_eq!(kept.size_bytes, new.snippets.len() as u64);
    let again = NewDataset {
        name: "Another name".into(),
        ..new.clone()
    };
    let KeepOutcome::AlreadyKept(same) = store.keep_dataset(again).await.unwrap() else {
        panic!("kept twice")
    };
    assert_eq!(same, kept);
    let read = store.get_dataset(&fingerprint).await.unwrap().unwrap();
    assert_eq!(read.meta, kept);
    assert_eq!(read.snippets, new.snippets);
    let listed = store.list_datasets().await.unwrap();
    assert_eq!(
        listed
            .iter()
            .filter(|d| d.fingerprint == fingerprint)
            .count(),
        1
    );
    assert!(store.get_dataset(&unique("none")).await.unwrap().is_none());
}

pub(crate) async fn concurrent_records_all_land<S: RunStore + Clone + 'static>(store: &S) {
    let dataset = unique("set");
    let tasks: Vec<_> = (0..24)
        .map(|i| {
            let store = store.clone();
            let dataset = dataset.clone();
            tokio::spawn(async move {
                let model = format!("v{i}");
                store
                    .record_run(new_run(&dataset, SystemTime::now(), "base", &[&model]))
                    .await
                    .unwrap()
                    .id
            })
        })
        .collect();
    let mut ids = HashSet::new();
    for task in tasks {
        ids.insert(task.await.unwrap());
    }
    let page = store
        .list_runs(RunFilter {
            dataset: Some(dataset.clone()),
            limit: 100,
            ..RunFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(
        page.runs
            .iter()
            .map(|r| r.id.clone())
            .collect::<HashSet<_>>(),
        ids
    );
    assert_eq!(store.dataset_points(&dataset).await.unwrap().len(), 48);
}

/// Every case above as a `#[tokio::test]` on the store `$open` gives.
#[macro_export]
macro_rules! run_store_suite {
    ($open:path) => {
        $crate::run_store_suite!(@cases $open;
            recorded_runs_read_back_whole,
            listing_is_newest_first_in_keyset_pages,
            filters_narrow_by_model_author_and_text,
            free_text_matches_what_a_substring_search_matches,
            deletion_needs_the_token_or_authorisation,
            purge_drops_runs_older_than_the_cutoff,
            kept_sets_are_kept_once_per_fingerprint,
            concurrent_records_all_land,
        );
    };
    (@cases $open:path; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let Some((store, _guard)) = $open(stringify!($case)).await else { return };
                $crate::record_suite::$case(&store).await;
            }
        )*
    };
}
