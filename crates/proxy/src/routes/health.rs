//! `GET /healthz`: 200 once the server is up (the server binds only after its models are loaded).

/// Always "ok": a server that answers has loaded its models.
pub(crate) async fn healthz() -> &'static str {
    "ok"
}
