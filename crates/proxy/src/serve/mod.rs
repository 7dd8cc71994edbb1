//! Accepting connections with limits that slow clients cannot exhaust: at most `max_connections`
//! open at once (past that, new connections are closed at once), request headers read within
//! `header_read_timeout` (hyper's HTTP/1 timer; a slowloris connection is closed), request bodies
//! read within `body_read_timeout` (the request fails), and connections that stay idle longer than the header
//! timeout closed. `axum::serve` has no header timeout, hence hyper-util's connection builder.
//! Each request knows its client's address (`ConnectInfo`), for the access failure budget.
//!
//! The accepting task only accepts: each connection is then served, start to end, by one of the
//! `shards` (a thread per core with a single-threaded runtime), and so are the upstream requests
//! its handlers make. `connection` serves one connection and ends it when its client leaves.

mod connection;
mod limits;
mod shards;

pub use limits::ConnectionLimits;

use axum::Router;
use connection::Connection;
use shards::Shards;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower_http::timeout::RequestBodyTimeoutLayer;

/// Serves `router` on `listener` until `shutdown` resolves, then lets open requests finish (for at
/// most 10 s). Fails only when the serving threads cannot be started.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let router = router.layer(RequestBodyTimeoutLayer::new(limits.body_read_timeout));
    let shards = Shards::start(shards::count(), &router, limits)?;
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    tokio::pin!(shutdown);
    loop {
        let (stream, client) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    tracing::warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(slot) = Arc::clone(&slots).try_acquire_owned() else {
            tracing::warn!(%client, "connection refused: {} already open", limits.max_connections);
            drop(stream);
            continue;
        };
        match stream.into_std() {
            Ok(stream) => shards.assign(Connection {
                stream,
                client,
                slot,
            }),
            Err(error) => tracing::warn!(%client, %error, "cannot hand a connection over"),
        }
    }
    drop(listener);
    shards.shut_down().await;
    Ok(())
}
