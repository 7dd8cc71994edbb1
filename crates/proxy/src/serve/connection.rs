//! Serving one connection on the current thread's runtime: HTTP/1 or HTTP/2 by hyper-util, with the
//! header timeout, the client's address for every request, and an end as soon as the client leaves.
//!
//! A connection ends as soon as its client closes its side, and with it every request still being
//! answered on it (their futures are dropped, so their work stops). hyper notices that only when its
//! read buffer is empty: a client that sent more than one request (pipelining, or a stray CRLF after a
//! body) and left would keep its first request's work running to the model's timeout. So each
//! connection has a watcher on a duplicate of its socket ([`client_gone`]).

use axum::extract::ConnectInfo;
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::Watcher;
use hyper_util::service::TowerToHyperService;
use std::time::Duration;
use tokio::io::Interest;
use tokio::net::TcpStream;
use tower::ServiceExt;

/// An accepted connection on its way to a shard, with its slot under the connection cap.
pub(super) struct Connection {
    /// The socket (non-blocking, not registered with any runtime).
    pub stream: std::net::TcpStream,
    /// The client's address.
    pub client: std::net::SocketAddr,
    /// Held while the connection is open.
    pub slot: tokio::sync::OwnedSemaphorePermit,
}

/// Serves `connection` until it ends, the client leaves, or (without a first byte within
/// `first_byte_timeout`) at once.
pub(super) async fn serve_connection(
    connection: Connection,
    router: Router,
    builder: Builder<TokioExecutor>,
    watcher: Watcher,
    first_byte_timeout: Duration,
) {
    let Connection {
        stream,
        client,
        slot: _slot,
    } = connection;
    let (stream, watched) = match registered(stream) {
        Ok(pair) => pair,
        Err(error) => {
            tracing::warn!(%client, %error, "cannot serve a connection");
            return;
        }
    };
    // hyper's header timer starts once it reads; a connection that sends nothing is cut here.
    let mut first = [0u8; 1];
    match tokio::time::timeout(first_byte_timeout, stream.peek(&mut first)).await {
        Ok(Ok(n)) if n > 0 => {}
        _ => return,
    }
    let service = router.map_request(move |mut request: axum::extract::Request<_>| {
        request.extensions_mut().insert(ConnectInfo(client));
        request
    });
    let connection = builder
        .serve_connection_with_upgrades(TokioIo::new(stream), TowerToHyperService::new(service));
    let connection = watcher.watch(connection.into_owned());
    tokio::select! {
        ended = connection => if let Err(error) = ended {
            tracing::debug!(%client, %error, "connection ended");
        },
        () = client_gone(watched) => {
            tracing::debug!(%client, "the client closed its side: connection ended");
        }
    }
}

/// The stream to serve and a duplicate of its socket to watch, both registered with this thread's
/// runtime.
fn registered(stream: std::net::TcpStream) -> std::io::Result<(TcpStream, TcpStream)> {
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
