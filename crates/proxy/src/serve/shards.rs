//! The threads that serve connections: one per core, each running a single-threaded Tokio runtime.
//! A connection is served start to end on one thread, and so is everything its handlers await:
//! the upstream requests too, since each thread has its own upstream clients and their connections
//! ([`crate::backends::upstream`]). On a multi-threaded runtime a request's task and the upstream
//! connection's task (hyper-util spawns one per connection) ran on different workers, and every
//! request paid several wake-ups across threads: most of what `likely serve` added to an upstream's
//! latency (BENCHMARKS.md, "Proxy overhead"). Connections go to the thread serving the fewest.

use super::connection::{serve_connection, Connection};
use super::limits::ConnectionLimits;
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// How long open connections may take to finish once the server stops.
const DRAIN: Duration = Duration::from_secs(10);

/// How many shards: one per core the process may use.
pub(super) fn count() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The running shards.
pub(super) struct Shards {
    shards: Vec<Shard>,
}

struct Shard {
    sender: mpsc::UnboundedSender<Connection>,
    open: Arc<AtomicUsize>,
    stopped: oneshot::Receiver<()>,
}

impl Shards {
    /// Starts `count` shard threads serving `router`.
    pub(super) fn start(
        count: usize,
        router: &Router,
        limits: ConnectionLimits,
    ) -> std::io::Result<Shards> {
        let shards = (0..count.max(1))
            .map(|index| Shard::start(index, router.clone(), limits))
            .collect::<std::io::Result<_>>()?;
        Ok(Shards { shards })
    }

    /// Hands `connection` to the shard serving the fewest connections.
    pub(super) fn assign(&self, connection: Connection) {
        let Some(shard) = self
            .shards
            .iter()
            .min_by_key(|shard| shard.open.load(Ordering::Relaxed))
        else {
            return;
        };
        shard.open.fetch_add(1, Ordering::Relaxed);
        if shard.sender.send(connection).is_err() {
            shard.open.fetch_sub(1, Ordering::Relaxed);
            tracing::warn!("a serving thread has stopped: connection dropped");
        }
    }

    /// Stops taking connections and waits for the shards to finish their open requests (each
    /// waits at most [`DRAIN`]).
    pub(super) async fn shut_down(self) {
        let stopped: Vec<_> = self
            .shards
            .into_iter()
            .map(|shard| {
                drop(shard.sender);
                shard.stopped
            })
            .collect();
        for stopped in stopped {
            let _ = stopped.await;
        }
    }
}

impl Shard {
    fn start(index: usize, router: Router, limits: ConnectionLimits) -> std::io::Result<Shard> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let (sender, receiver) = mpsc::unbounded_channel();
        let (done, stopped) = oneshot::channel();
        let open = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&open);
        std::thread::Builder::new()
            .name(format!("likely-serve-{index}"))
            .spawn(move || {
                runtime.block_on(run(receiver, router, limits, counter));
                let _ = done.send(());
            })?;
        Ok(Shard {
            sender,
            open,
            stopped,
        })
    }
}

/// A shard's loop: serves each connection it is handed until the channel closes, then drains.
async fn run(
    mut connections: mpsc::UnboundedReceiver<Connection>,
    router: Router,
    limits: ConnectionLimits,
    open: Arc<AtomicUsize>,
) {
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(Some(limits.header_read_timeout));
    let graceful = GracefulShutdown::new();
    while let Some(connection) = connections.recv().await {
        let served = serve_connection(
            connection,
            router.clone(),
            builder.clone(),
            graceful.watcher(),
            limits.header_read_timeout,
        );
        let open = Arc::clone(&open);
        tokio::spawn(async move {
            served.await;
            open.fetch_sub(1, Ordering::Relaxed);
        });
    }
    if tokio::time::timeout(DRAIN, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("some connections were still open after 10 s");
    }
}
