//! likely-store-burst: saves snapshots into a store from four tasks as fast as it can and prints each
//! snapshot's id on its own line once `save` has returned (that is, once it is acknowledged). The
//! crash test kills it with SIGKILL mid-burst and checks that every printed id is complete.
//!
//! Usage: `likely-store-burst STORE_URL [MAX_SAVES]` (default 10000 saves, then it stops by itself).
//! Every body is self-verifying: its first 32 bytes are the SHA-256 of the rest.

use std::io::Write as _;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use likely_store::{NewSnapshot, ShareStore, Store, StoreConfig, StoreError, StoreUrl};
use sha2::{Digest, Sha256};

/// Concurrent savers, so that several transactions are in flight when the process dies.
const WORKERS: usize = 4;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(url), max) = (args.next(), args.next()) else {
        eprintln!("usage: likely-store-burst STORE_URL [MAX_SAVES]");
        return ExitCode::from(2);
    };
    let Ok(max_saves) = max.as_deref().unwrap_or("10000").parse::<u64>() else {
        eprintln!("likely-store-burst: MAX_SAVES must be a whole number");
        return ExitCode::from(2);
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("likely-store-burst: cannot start the runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(&url, max_saves)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("likely-store-burst: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn run(url: &str, max_saves: u64) -> Result<(), StoreError> {
    let url: StoreUrl = url.parse()?;
    let Some(store) = Store::open(&url, StoreConfig::default()).await? else {
        return Err(StoreError::BadUrl(
            "none (this tool needs a store)".to_owned(),
        ));
    };
    let next = Arc::new(AtomicU64::new(0));
    let mut workers = tokio::task::JoinSet::<Result<(), StoreError>>::new();
    for _ in 0..WORKERS {
        let (store, next) = (store.clone(), Arc::clone(&next));
        workers.spawn(async move {
            loop {
                let seed = next.fetch_add(1, Ordering::Relaxed);
                if seed >= max_saves {
                    return Ok(());
                }
                let new = NewSnapshot {
                    kind: "burst".to_owned(),
                    bytes: body(seed),
                    expires_at: None,
                };
                let saved = store.save(new).await?;
                let mut stdout = std::io::stdout().lock();
                // A closed stdout means the reader is gone: stop quietly.
                if writeln!(stdout, "{}", saved.id)
                    .and_then(|()| stdout.flush())
                    .is_err()
                {
                    return Ok(());
                }
            }
        });
    }
    while let Some(joined) = workers.join_next().await {
        joined??;
    }
    Ok(())
}

/// A body of 128 to 191 KiB: SHA-256 of the payload, then a payload drawn from `seed`.
fn body(seed: u64) -> Vec<u8> {
    let len = 128 * 1024 + (seed % 64) as usize * 1024;
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let payload: Vec<u8> = (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    let mut bytes = Sha256::digest(&payload).to_vec();
    bytes.extend_from_slice(&payload);
    bytes
}
