//! `--share`: encodes the evaluation as a snapshot (`likely_core::snapshot`) and keeps it on the
//! server (`POST /v1/shares?scope=…`), which answers the link and its delete token.

use super::failure::CallFailure;
use super::scorer::{read_json, unreachable, Server};
use likely_core::evaluation::Evaluation;
use likely_core::share_api::CreatedShare;
use likely_core::snapshot::{encode, Scope};

/// Why an evaluation could not be shared.
#[derive(Debug, thiserror::Error)]
pub enum ShareFailure {
    /// The snapshot could not be made.
    #[error("the evaluation could not be encoded: {0}")]
    Encode(#[from] likely_core::snapshot::SnapshotError),
    /// The server refused or could not be reached.
    #[error("the server did not keep the share link: {0}")]
    Upload(CallFailure),
}

/// Uploads `evaluation` (holding `scope`) to `server` and answers its link.
pub async fn share(
    server: &Server,
    evaluation: &Evaluation,
    scope: Scope,
) -> Result<CreatedShare, ShareFailure> {
    let bytes = encode(evaluation, scope)?;
    let mut url = server.url("v1/shares");
    url.query_pairs_mut().append_pair("scope", scope.as_str());
    let request = server
        .client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
        .body(bytes);
    let response = server
        .authorised(request)
        .send()
        .await
        .map_err(|e| ShareFailure::Upload(unreachable(e)))?;
    read_json(response).await.map_err(ShareFailure::Upload)
}
