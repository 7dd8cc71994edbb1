//! Accepting connections with limits that slow clients cannot exhaust: at most `max_connections`
//! open at once (past that, new connections are closed at once), request headers read within
//! `header_read_timeout` (hyper's HTTP/1 timer; a slowloris connection is closed), request bodies
//! read within `body_read_timeout` (the request fails), and connections that stay idle longer than the header
//! timeout closed. `axum::serve` has no header timeout, hence hyper-util's connection builder.
//! Each request knows its client's address (`ConnectInfo`), for the access failure budget.
//!
//! A connection ends as soon as its client closes its side, and with it every request still being
//! answered on it (their futures are dropped, so their work stops). hyper notices that only when its
//! read buffer is empty: a client that sent more than one request (pipelining, or a stray CRLF after a
//! body) and left would keep its first request's work running to the model's timeout. So each
//! connection has a watcher on a duplicate of its socket ([`client_gone`]).

use axum::extract::ConnectInfo;
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::Interest;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tower::ServiceExt;
use tower_http::timeout::RequestBodyTimeoutLayer;

/// Connection limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Most connections open at once.
    pub max_connections: usize,
    /// Longest wait for a request's headers (and for the next request on an idle connection).
    pub header_read_timeout: Duration,
    /// Longest wait for a request's body.
    pub body_read_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            max_connections: 512,
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
        }
    }
}

/// Serves `router` on `listener` until `shutdown` resolves, then lets open requests finish (for at
/// most 10 s).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) {
    let router = router.layer(RequestBodyTimeoutLayer::new(limits.body_read_timeout));
    let slots = Arc::new(Semaphore::new(limits.max_connections));
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
        let service = router
            .clone()
            .map_request(move |mut request: axum::extract::Request<_>| {
                request.extensions_mut().insert(ConnectInfo(client));
                request
            });
        let builder = builder.clone();
        let watcher = graceful.watcher();
        let first_byte_timeout = limits.header_read_timeout;
        tokio::spawn(async move {
            let _slot = slot;
            // hyper's header timer starts once it reads; a connection that sends nothing is cut here.
            let mut first = [0u8; 1];
            match tokio::time::timeout(first_byte_timeout, stream.peek(&mut first)).await {
                Ok(Ok(n)) if n > 0 => {}
                _ => return,
            }
            let (stream, watched) = match watched(stream) {
                Ok(pair) => pair,
                Err(error) => {
                    tracing::warn!(%client, %error, "cannot watch a connection");
                    return;
                }
            };
            let connection = builder.serve_connection_with_upgrades(
                TokioIo::new(stream),
                TowerToHyperService::new(service),
            );
            let connection = watcher.watch(connection.into_owned());
            tokio::select! {
                ended = connection => if let Err(error) = ended {
                    tracing::debug!(%client, %error, "connection ended");
                },
                () = client_gone(watched) => {
                    tracing::debug!(%client, "the client closed its side: connection ended");
                }
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(Duration::from_secs(10), graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("some connections were still open after 10 s");
    }
}

/// The stream to serve and a duplicate of its socket to watch (both registered with the runtime).
fn watched(stream: TcpStream) -> std::io::Result<(TcpStream, TcpStream)> {
    let stream = stream.into_std()?;
    let duplicate = stream.try_clone()?;
    Ok((
        TcpStream::from_std(stream)?,
        TcpStream::from_std(duplicate)?,
    ))
}

/// Resolves once the client has closed its side of the connection (or the socket failed), without
/// reading anything: the bytes stay for hyper, which reads the same socket.
async fn client_gone(watched: TcpStream) {
    loop {
        match watched.ready(Interest::READABLE).await {
            Ok(ready) if !ready.is_read_closed() && !ready.is_error() => {
                // Bytes arrived (hyper reads them): forget this readiness and wait for the next change.
                let _ = watched.try_io(Interest::READABLE, || {
                    Err::<(), _>(std::io::ErrorKind::WouldBlock.into())
                });
            }
            _ => return,
        }
    }
}
