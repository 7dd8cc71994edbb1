//! The record at scale: fills a store with runs (100,000 by default; one held-out set holds 1,000 of
//! them) and times the first page of the run listing with each filter and the points of the 1,000-run
//! set, as `/v1/runs` and `/v1/datasets/{fingerprint}` run them.
//!
//! ```text
//! cargo run --release -p likely-store --example record_bench -- sqlite:/tmp/runs.sqlite3 [RUNS]
//! cargo run --release -p likely-store --example record_bench -- postgres://postgres@127.0.0.1:PORT/likely_test [RUNS]
//! ```
//!
//! SQLite is filled through one transaction of the migrated schema's own statements (a run per
//! fsync would take minutes; its triggers fill the trigram index, the one- and two-character strings
//! are noted as `record_run` notes them); PostgreSQL through `RunStore::record_run` from 32 tasks. A store that
//! already holds the runs is not filled again. Then `likely serve --store URL` serves the same data
//! for timing the HTTP side (docs/record.md).

#![allow(clippy::unwrap_used)] // A benchmark: a failed unwrap is a failed run.

use likely_store::{
    NewRun, RunCursor, RunFigure, RunFilter, RunStore, Store, StoreConfig, StoreUrl,
};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const MODELS: usize = 60;
const SETS: usize = 300;
const AUTHORS: usize = 25;
/// The set holding 1,000 runs.
const BIG_SET: &str = "b16b16b16b16b16b16b16b16b16b16b16b16b16b16b16b16b16b16b16b16b16b";

fn fingerprint(i: usize) -> String {
    format!("{:064x}", i * 7919 + 1)
}

/// Run `i`: its set, author, models (a baseline and two or three customs) and time.
fn run(i: usize, start: SystemTime) -> NewRun {
    let set = if i.is_multiple_of(100) {
        BIG_SET.to_string()
    } else {
        fingerprint(i % SETS)
    };
    let baseline = format!("base-{}", i % 3);
    let customs: Vec<String> = (0..2 + i % 2)
        .map(|k| format!("tune-{}-v{}", (i / 7 + k) % MODELS, k + 1))
        .collect();
    let mut models = vec![figure(&baseline, -3.0)];
    models.extend(
        customs
            .iter()
            .enumerate()
            .map(|(k, name)| figure(name, -2.8 + (i % 13) as f64 / 100.0 - k as f64 / 50.0)),
    );
    let author = format!("author{}", i % AUTHORS);
    let names: Vec<&str> = std::iter::once(baseline.as_str())
        .chain(customs.iter().map(String::as_str))
        .collect();
    let comparisons: Vec<String> = customs
        .iter()
        .enumerate()
        .flat_map(|(k, name)| {
            let delta = -0.05 + (i % 5) as f64 / 50.0 - k as f64 / 100.0;
            let verdict = if delta < -0.01 {
                "Better"
            } else if delta > 0.01 {
                "Worse"
            } else {
                "WithinNoise"
            };
            ["loss", "accuracy"].map(|metric| {
                let d = if metric == "loss" {
                    delta
                } else {
                    -delta / 10.0
                };
                format!(
                    "{{\"custom\":\"{name}\",\"metric\":\"{metric}\",\"delta\":{d},\
                     \"ci\":{{\"low\":{},\"high\":{}}},\"verdict\":\"{verdict}\"}}",
                    d - 0.02,
                    d + 0.02
                )
            })
        })
        .collect();
    let document = format!(
        "{{\"author\":\"{author}\",\"dataset\":{{\"fingerprint\":\"{set}\",\"name\":\"set {}\",\"snippets\":150}},\
         \"models\":[{}],\"params\":{{\"max_tokens\":1,\"temperature\":1.0,\"k\":0,\"p\":0.75,\
         \"return_likelihoods\":\"ALL\"}},\"figures\":[],\"comparisons\":[{}]}}",
        i % SETS,
        names
            .iter()
            .enumerate()
            .map(|(k, n)| format!(
                "{{\"name\":\"{n}\",\"role\":\"{}\"}}",
                if k == 0 { "baseline" } else { "custom" }
            ))
            .collect::<Vec<_>>()
            .join(","),
        comparisons.join(",")
    );
    NewRun {
        created_at: start + Duration::from_secs(60 * i as u64),
        author: Some(author.clone()),
        dataset_fingerprint: set,
        dataset_name: Some(format!("set {}", i % SETS)),
        models,
        search_text: format!("{}\n{author}\nset {}", names.join("\n"), i % SETS),
        baseline: baseline.clone(),
        document,
        snapshot_kind: Some("figures".into()),
        snapshot: Some(vec![7; 2_000]),
    }
}

fn figure(model: &str, avg: f64) -> RunFigure {
    RunFigure {
        model: model.into(),
        avg_loglik: Some(avg),
        loss: Some(-avg),
        loss_low: Some(-avg - 0.05),
        loss_high: Some(-avg + 0.05),
    }
}

/// SQLite: every run in one transaction, through the schema's columns.
fn fill_sqlite(path: &std::path::Path, count: usize, start: SystemTime) {
    let mut conn = rusqlite::Connection::open(path).unwrap();
    let tx = conn.transaction().unwrap();
    {
        let mut insert_run = tx
            .prepare(
                "INSERT INTO likely_runs (id, created_at_ms, author, dataset_fingerprint, \
                 dataset_name, baseline, search_text, document, snapshot_kind, snapshot, \
                 delete_token_sha256) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )
            .unwrap();
        let mut insert_model = tx
            .prepare(
                "INSERT INTO likely_run_models (run_id, model, position, created_at_ms, \
                 dataset_fingerprint, avg_loglik, loss, loss_low, loss_high) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )
            .unwrap();
        let mut insert_gram = tx
            .prepare("INSERT OR IGNORE INTO likely_run_grams (gram) VALUES (?1)")
            .unwrap();
        for i in 0..count {
            let new = run(i, start);
            let chars: Vec<char> = new.search_text.to_lowercase().chars().collect();
            for gram in chars
                .iter()
                .map(|c| c.to_string())
                .chain(chars.windows(2).map(|pair| pair.iter().collect()))
            {
                insert_gram.execute([gram]).unwrap();
            }
            let id = format!("{:0>22}", format!("r{i}"));
            let at = new
                .created_at
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_millis() as i64;
            insert_run
                .execute(rusqlite::params![
                    id,
                    at,
                    new.author,
                    new.dataset_fingerprint,
                    new.dataset_name,
                    new.baseline,
                    new.search_text.to_lowercase(),
                    new.document,
                    new.snapshot_kind,
                    new.snapshot,
                    &[0u8; 32][..]
                ])
                .unwrap();
            for (k, f) in new.models.iter().enumerate() {
                insert_model
                    .execute(rusqlite::params![
                        id,
                        f.model,
                        k as i64,
                        at,
                        new.dataset_fingerprint,
                        f.avg_loglik,
                        f.loss,
                        f.loss_low,
                        f.loss_high
                    ])
                    .unwrap();
            }
        }
    }
    tx.commit().unwrap();
    conn.execute_batch("ANALYZE").unwrap();
}

async fn fill_through_store(store: &Store, count: usize, start: SystemTime) {
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let tasks: Vec<_> = (0..32)
        .map(|_| {
            let (store, next) = (store.clone(), next.clone());
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if i >= count {
                        return;
                    }
                    store.record_run(run(i, start)).await.unwrap();
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
}

async fn time<T>(label: &str, job: impl AsyncFn() -> T) -> T {
    job().await; // warm
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..7 {
        let started = Instant::now();
        last = Some(job().await);
        times.push(started.elapsed());
    }
    times.sort();
    println!(
        "{label:<56} median {:>7.2} ms  max {:>7.2} ms",
        times[3].as_secs_f64() * 1e3,
        times[6].as_secs_f64() * 1e3
    );
    last.unwrap()
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let url: StoreUrl = args.next().expect("a store URL").parse().unwrap();
    let count: usize = args.next().map_or(100_000, |n| n.parse().unwrap());
    let store = Store::open(&url, StoreConfig::default())
        .await
        .unwrap()
        .unwrap();
    let start = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let have = store
        .list_runs(RunFilter {
            dataset: Some(BIG_SET.into()),
            limit: 1,
            ..RunFilter::default()
        })
        .await
        .unwrap();
    if have.runs.is_empty() {
        let started = Instant::now();
        match &url {
            StoreUrl::Sqlite(path) => fill_sqlite(path, count, start),
            _ => fill_through_store(&store, count, start).await,
        }
        println!(
            "filled {count} runs in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    let first_page = |filter: RunFilter| {
        let store = store.clone();
        async move || store.list_runs(filter.clone()).await.unwrap()
    };
    let filters = [
        ("no filter", RunFilter::default()),
        (
            "model",
            RunFilter {
                model: Some("tune-17-v2".into()),
                ..RunFilter::default()
            },
        ),
        (
            "dataset",
            RunFilter {
                dataset: Some(fingerprint(42)),
                ..RunFilter::default()
            },
        ),
        (
            "author",
            RunFilter {
                author: Some("author7".into()),
                ..RunFilter::default()
            },
        ),
        (
            "free text (common)",
            RunFilter {
                text: Some("TUNE-3".into()),
                ..RunFilter::default()
            },
        ),
        (
            "free text (matches nothing)",
            RunFilter {
                text: Some("zzz".into()),
                ..RunFilter::default()
            },
        ),
        (
            "free text, rare (`set 42`)",
            RunFilter {
                text: Some("set 42".into()),
                ..RunFilter::default()
            },
        ),
        (
            "free text, 2 characters (`-3`)",
            RunFilter {
                text: Some("-3".into()),
                ..RunFilter::default()
            },
        ),
        (
            "free text, 2 characters matching nothing (`zz`)",
            RunFilter {
                text: Some("zz".into()),
                ..RunFilter::default()
            },
        ),
        (
            "free text, 1 character matching nothing (`q`)",
            RunFilter {
                text: Some("q".into()),
                ..RunFilter::default()
            },
        ),
        (
            "model + dataset",
            RunFilter {
                model: Some("base-1".into()),
                dataset: Some(fingerprint(42)),
                ..RunFilter::default()
            },
        ),
    ];
    for (label, filter) in filters {
        let page = time(&format!("first page, {label}"), first_page(filter)).await;
        assert!(page.runs.len() <= 50);
    }
    let deep = RunFilter {
        before: Some(RunCursor {
            created_at_ms: (start + Duration::from_secs(60 * count as u64 / 2))
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_millis() as i64,
            id: "AAAAAAAAAAAAAAAAAAAAAA".into(),
        }),
        ..RunFilter::default()
    };
    time("a page half-way down (keyset)", first_page(deep)).await;
    let points = time("points of the set with 1,000 runs", {
        let store = store.clone();
        async move || store.dataset_points(BIG_SET).await.unwrap()
    })
    .await;
    println!("  ({} points)", points.len());
}
