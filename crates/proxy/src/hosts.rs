//! DNS-rebinding defence: a request is answered only when its `Host` names this server. A web page
//! whose name an attacker rebinds to 127.0.0.1 still sends its own name as `Host`, so it is refused
//! (421) before it can reach the API and spend the operator's quota.
//!
//! Allowed: IP literals (a rebinding page cannot make the browser send one) that are the listening
//! address, or any when listening on all interfaces; `localhost` when listening on loopback or all
//! interfaces; and the names the operator lists (`--allowed-host`, `LIKELY_ALLOWED_HOSTS`), such
//! as the public name a reverse proxy serves. Ports are not compared (port forwarding changes them).

use crate::error::AppError;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// The names and addresses a request's `Host` may give.
#[derive(Debug, Clone)]
pub struct AllowedHosts {
    listening: IpAddr,
    names: Vec<String>,
}

impl AllowedHosts {
    /// The hosts of a server listening on `address`, plus `names` (lower-cased, ports ignored).
    pub fn new(address: SocketAddr, names: &[String]) -> AllowedHosts {
        AllowedHosts {
            listening: address.ip(),
            names: names
                .iter()
                .map(|name| strip_port(name.trim()).to_ascii_lowercase())
                .filter(|name| !name.is_empty())
                .collect(),
        }
    }

    /// Whether `host` (a `Host` header value) names this server.
    pub fn allows(&self, host: &str) -> bool {
        let name = strip_port(host.trim()).to_ascii_lowercase();
        let ip = name
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>();
        if let Ok(ip) = ip {
            return self.listening.is_unspecified() || ip == self.listening;
        }
        let local = self.listening.is_loopback() || self.listening.is_unspecified();
        (local && (name == "localhost" || name.ends_with(".localhost")))
            || self.names.contains(&name)
    }
}

/// `host` without a trailing `:port` (an IPv6 literal keeps its brackets).
fn strip_port(host: &str) -> &str {
    match host.rfind(':') {
        Some(colon) if !host[colon..].contains(']') && host[..colon].rfind(':').is_none() => {
            &host[..colon]
        }
        Some(colon) if host.starts_with('[') && host[..colon].ends_with(']') => &host[..colon],
        _ => host,
    }
}

/// Middleware refusing requests whose `Host` is not allowed (or missing).
pub async fn check_host(
    State(allowed): State<Arc<AllowedHosts>>,
    request: Request,
    next: Next,
) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .map(str::to_string)
        .or_else(|| request.uri().authority().map(|a| a.as_str().to_string()));
    match host {
        Some(host) if allowed.allows(&host) => next.run(request).await,
        _ => {
            tracing::warn!(host = ?host, "request for another host refused");
            AppError::MisdirectedHost.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_allowed_only_when_listed() {
        let loopback = AllowedHosts::new(
            "127.0.0.1:8080".parse().unwrap(),
            &["likely.example.org".into()],
        );
        for host in [
            "127.0.0.1:8080",
            "127.0.0.1",
            "localhost:8080",
            "LIKELY.example.org:443",
        ] {
            assert!(loopback.allows(host), "{host}");
        }
        for host in [
            "attacker.example:8080",
            "10.0.0.2:8080",
            "[::1]:8080",
            "127.0.0.1.nip.io",
        ] {
            assert!(!loopback.allows(host), "{host}");
        }
        let all = AllowedHosts::new("[::]:80".parse().unwrap(), &[]);
        assert!(all.allows("[::1]:80") && all.allows("192.168.1.9") && all.allows("localhost"));
        assert!(!all.allows("rebound.example"));
        let public = AllowedHosts::new("192.168.1.9:80".parse().unwrap(), &[]);
        assert!(!public.allows("localhost"));
    }
}
