//! Save and load times of the share stores: a 5 MB snapshot, and 1000 small ones (one after another,
//! and from 16 tasks at once), on SQLite in a temporary folder and, when `LIKELY_TEST_POSTGRES_URL`
//! is set, on PostgreSQL.
//!
//! `cargo run --release -p likely-store --example bench`

use std::time::{Duration, Instant};

use likely_store::{NewSnapshot, PostgresStore, ShareStore, SqliteStore, StoreConfig, StoreError};

const LARGE_BYTES: usize = 5_000_000;
const LARGE_ROUNDS: usize = 10;
const SMALL_BYTES: usize = 2_000;
const SMALL_COUNT: usize = 1000;
const SMALL_TASKS: usize = 16;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), StoreError> {
    let config = StoreConfig {
        max_snapshot_bytes: 8 * 1024 * 1024,
    };
    let dir = tempfile::tempdir().map_err(|source| StoreError::CreateDir {
        path: "tmp".into(),
        source,
    })?;
    let sqlite = SqliteStore::open(dir.path().join("bench.sqlite3"), config).await?;
    println!("store       what                                   time");
    bench("sqlite", &sqlite).await?;
    match std::env::var("LIKELY_TEST_POSTGRES_URL") {
        Ok(url) => bench("postgres", &PostgresStore::open(&url, config).await?).await?,
        Err(_) => println!("postgres    skipped: LIKELY_TEST_POSTGRES_URL is not set"),
    }
    Ok(())
}

async fn bench<S: ShareStore + Clone + 'static>(name: &str, store: &S) -> Result<(), StoreError> {
    let large: Vec<u8> = (0..LARGE_BYTES).map(|i| (i * 7 % 251) as u8).collect();
    let mut saves = Vec::new();
    let mut loads = Vec::new();
    for _ in 0..LARGE_ROUNDS {
        let started = Instant::now();
        let saved = store.save(snapshot(large.clone())).await?;
        saves.push(started.elapsed());
        let started = Instant::now();
        store.get(saved.id.as_str()).await?;
        loads.push(started.elapsed());
    }
    report(name, "save 5 MB (median of 10)", median(&mut saves));
    report(name, "load 5 MB (median of 10)", median(&mut loads));

    let started = Instant::now();
    let mut ids = Vec::with_capacity(SMALL_COUNT);
    for _ in 0..SMALL_COUNT {
        ids.push(store.save(snapshot(vec![1; SMALL_BYTES])).await?.id);
    }
    report(name, "save 1000 × 2 KB, one by one", started.elapsed());
    let started = Instant::now();
    for id in &ids {
        store.get(id.as_str()).await?;
    }
    report(name, "load 1000 × 2 KB, one by one", started.elapsed());

    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..SMALL_TASKS {
        let store = store.clone();
        tasks.spawn(async move {
            for _ in 0..SMALL_COUNT / SMALL_TASKS {
                store.save(snapshot(vec![2; SMALL_BYTES])).await?;
            }
            Ok::<(), StoreError>(())
        });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    report(name, "save 1000 × 2 KB from 16 tasks", started.elapsed());
    Ok(())
}

fn snapshot(bytes: Vec<u8>) -> NewSnapshot {
    NewSnapshot {
        kind: "bench".to_owned(),
        bytes,
        expires_at: None,
    }
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn report(store: &str, what: &str, time: Duration) {
    println!(
        "{store:<11} {what:<38} {:>9.1} ms",
        time.as_secs_f64() * 1000.0
    );
}
