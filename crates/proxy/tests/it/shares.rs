//! Stored share links over real HTTP against the real `likely` binary: create, open, delete, the size
//! cap, bad snapshots, the access token, a restart, SIGKILL in the middle of a burst of creates, and
//! (with `LIKELY_TEST_POSTGRES_URL`) two servers sharing one PostgreSQL database.

use likely_core::snapshot::{self, Scope};
use likely_core::{
    Evaluation, GenerateParams, ModelSpec, Outcome, ScoredToken, Snippet, SnippetResult,
};
use serde_json::Value;
use std::path::Path;

use crate::common;
use crate::common::burst::{acknowledged_before_sigkill, client};
use crate::common::served;
use likely_testkit::postgres::postgres_url;
use likely_testkit::serve::Served;

const PHRASE: &str = "quokkas of Zanzibar";

/// A running `likely serve`, killed when dropped.
type Server = Served;

fn start(dir: &Path, store: &str, extra: &[&str], token: Option<&str>) -> Served {
    served::serve_stored(dir, store, extra, token)
}

fn evaluation(snippets: usize) -> Evaluation {
    let texts: Vec<String> = (0..snippets)
        .map(|i| format!("The {PHRASE} number {i} sing."))
        .collect();
    let mut e = Evaluation::new(
        texts.iter().map(Snippet::pasted).collect(),
        GenerateParams::default(),
        ModelSpec::named("base"),
        vec![ModelSpec::named("custom")],
    )
    .unwrap();
    for (model, shift) in [("base", 0.0), ("custom", 0.5)] {
        for (i, text) in texts.iter().enumerate() {
            let tokens = text
                .split_inclusive(' ')
                .enumerate()
                .map(|(t, piece)| {
                    ScoredToken::new(piece, (t > 0).then_some(-3.0 + shift - (t % 3) as f64))
                })
                .collect();
            e.set_outcome(model, i, Outcome::Scored(SnippetResult::single(tokens)))
                .unwrap();
        }
    }
    e
}

async fn create(server: &Server, bytes: Vec<u8>, scope: Scope) -> reqwest::Response {
    client()
        .post(format!("{}/v1/shares?scope={}", server.url, scope.as_str()))
        .header("content-type", "application/octet-stream")
        .body(bytes)
        .send()
        .await
        .unwrap()
}

async fn created(server: &Server, e: &Evaluation, scope: Scope) -> Value {
    let answer = create(server, snapshot::encode(e, scope).unwrap(), scope).await;
    assert_eq!(answer.status(), 201);
    answer.json().await.unwrap()
}

async fn open(server: &Server, id: &str) -> reqwest::Response {
    client()
        .get(format!("{}/v1/shares/{id}", server.url))
        .send()
        .await
        .unwrap()
}

async fn delete(server: &Server, id: &str, token: &str) -> reqwest::Response {
    client()
        .delete(format!("{}/v1/shares/{id}", server.url))
        .header("likely-delete-token", token)
        .send()
        .await
        .unwrap()
}

async fn capabilities(server: &Server) -> Value {
    common::json_of(client().get(format!("{}/v1/capabilities", server.url))).await
}

async fn message(answer: reqwest::Response) -> String {
    let body: Value = answer.json().await.unwrap();
    body["message"].as_str().unwrap_or_default().to_string()
}

#[tokio::test]
async fn a_link_is_short_opens_the_same_snapshot_and_can_be_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let store = format!("sqlite:{}", dir.path().join("shares.sqlite3").display());
    let server = start(dir.path(), &store, &[], None);
    let e = evaluation(150);
    let bytes = snapshot::encode(&e, Scope::Everything).unwrap();
    let link = created(&server, &e, Scope::Everything).await;
    let url = link["url"].as_str().unwrap();
    assert!(url.len() < 200, "{url}");
    let id = link["id"].as_str().unwrap();
    assert!(id.len() >= 22, "{id}");
    assert_eq!(link["path"], format!("/s/{id}"));
    assert!(url.ends_with(&format!("/s/{id}")));
    assert_eq!(link["scope"], "everything");
    assert!(link["expires_at"].is_null());

    let answer = open(&server, id).await;
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.headers()["likely-share-scope"], "everything");
    assert!(answer.headers().contains_key("likely-created-at"));
    let back = answer.bytes().await.unwrap();
    assert_eq!(back.as_ref(), bytes.as_slice());
    assert_eq!(snapshot::decode(&back).unwrap().evaluation, e);

    assert_eq!(delete(&server, id, "not-the-token").await.status(), 403);
    let token = link["delete_token"].as_str().unwrap();
    assert_eq!(delete(&server, id, token).await.status(), 204);
    let gone = open(&server, id).await;
    assert_eq!(gone.status(), 410);
    assert!(message(gone).await.contains("deleted"));
    assert_eq!(delete(&server, id, token).await.status(), 410);
    let missing = open(&server, "AAAAAAAAAAAAAAAAAAAAAA").await;
    assert_eq!(missing.status(), 404);
    assert_eq!(open(&server, "../../etc/passwd").await.status(), 404);
}

#[tokio::test]
async fn bad_snapshots_are_refused_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let store = format!("sqlite:{}", dir.path().join("shares.sqlite3").display());
    let server = start(dir.path(), &store, &["--share-max-mib", "1"], None);
    let big: Vec<u8> = (0..(3u32 << 20))
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let answer = create(&server, big, Scope::Everything).await;
    assert_eq!(answer.status(), 413);
    assert!(message(answer).await.contains("at most 1024 KB"));
    let answer = create(&server, b"not a snapshot".to_vec(), Scope::Everything).await;
    assert_eq!(answer.status(), 422);
    assert!(message(answer).await.contains("not a Likely snapshot"));
    let figures = snapshot::encode(&evaluation(2), Scope::Figures).unwrap();
    let answer = create(&server, figures, Scope::Everything).await;
    assert_eq!(answer.status(), 400);
    let answer = client()
        .post(format!(
            "{}/v1/shares?scope=figures&expires_in=0",
            server.url
        ))
        .body(snapshot::encode(&evaluation(2), Scope::Figures).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 400);
}

#[tokio::test]
async fn an_operator_limit_caps_and_sets_the_expiry() {
    let dir = tempfile::tempdir().unwrap();
    let store = format!("sqlite:{}", dir.path().join("shares.sqlite3").display());
    let server = start(dir.path(), &store, &["--share-max-days", "7"], None);
    let caps = capabilities(&server).await;
    assert_eq!(caps["shares"]["stored"], true);
    assert_eq!(caps["shares"]["max_expiry_secs"], 7 * 86_400);
    let link = created(&server, &evaluation(1), Scope::Figures).await;
    assert!(link["expires_at"].is_string());
    let answer = client()
        .post(format!(
            "{}/v1/shares?scope=figures&expires_in={}",
            server.url,
            8 * 86_400
        ))
        .body(snapshot::encode(&evaluation(1), Scope::Figures).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 400);
    assert!(message(answer).await.contains("at most 7 days"));
}

#[tokio::test]
async fn figures_only_links_keep_no_text_anywhere_in_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shares.sqlite3");
    let server = start(dir.path(), &format!("sqlite:{}", db.display()), &[], None);
    let e = evaluation(20);
    let figures = created(&server, &e, Scope::Figures).await;
    let everything = created(&server, &e, Scope::Everything).await;
    let inflated = |bytes: &[u8]| miniz_oxide_inflate(&bytes[5..]);
    let holds_phrase = |bytes: &[u8]| bytes.windows(PHRASE.len()).any(|w| w == PHRASE.as_bytes());
    let stored = open(&server, figures["id"].as_str().unwrap())
        .await
        .bytes()
        .await
        .unwrap();
    assert!(!holds_phrase(&inflated(&stored)));
    // The same search finds the phrase in a link that holds everything: it can see text.
    let stored = open(&server, everything["id"].as_str().unwrap())
        .await
        .bytes()
        .await
        .unwrap();
    assert!(holds_phrase(&inflated(&stored)));
    drop(server);
    for file in std::fs::read_dir(dir.path()).unwrap() {
        let bytes = std::fs::read(file.unwrap().path()).unwrap();
        assert!(!holds_phrase(&bytes));
    }
}

/// A snapshot's body after its 5-byte header is raw deflate.
fn miniz_oxide_inflate(bytes: &[u8]) -> Vec<u8> {
    miniz_oxide::inflate::decompress_to_vec(bytes).unwrap()
}

#[tokio::test]
async fn links_need_the_access_token_when_it_is_set() {
    let dir = tempfile::tempdir().unwrap();
    let store = format!("sqlite:{}", dir.path().join("shares.sqlite3").display());
    let token = "a-long-enough-access-token-for-tests";
    let server = start(dir.path(), &store, &[], Some(token));
    let bytes = snapshot::encode(&evaluation(1), Scope::Everything).unwrap();
    assert_eq!(
        create(&server, bytes.clone(), Scope::Everything)
            .await
            .status(),
        401
    );
    let answer = client()
        .post(format!("{}/v1/shares?scope=everything", server.url))
        .bearer_auth(token)
        .body(bytes)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 201);
    let link: Value = answer.json().await.unwrap();
    let id = link["id"].as_str().unwrap();
    assert_eq!(open(&server, id).await.status(), 401);
    let answer = delete(&server, id, link["delete_token"].as_str().unwrap()).await;
    assert_eq!(answer.status(), 401);
}

#[tokio::test]
async fn without_a_store_the_server_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), "none", &[], None);
    let caps = capabilities(&server).await;
    assert_eq!(caps["shares"]["stored"], false);
    let answer = create(
        &server,
        snapshot::encode(&evaluation(1), Scope::Everything).unwrap(),
        Scope::Everything,
    )
    .await;
    assert_eq!(answer.status(), 404);
    assert!(message(answer).await.contains("--store none"));
}

#[tokio::test]
async fn every_acknowledged_link_survives_sigkill_and_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let store = format!("sqlite:{}", dir.path().join("shares.sqlite3").display());
    let mut server = start(dir.path(), &store, &[], None);
    let e = evaluation(30);
    let bytes = snapshot::encode(&e, Scope::Everything).unwrap();
    // Kill once a good number of links are acknowledged, with creates still in flight.
    let ids = acknowledged_before_sigkill(&mut server, 40, move |client, base| {
        client
            .post(format!("{base}/v1/shares?scope=everything"))
            .body(bytes.clone())
    })
    .await;
    let server = start(dir.path(), &store, &[], None);
    for id in &ids {
        let answer = open(&server, id).await;
        assert_eq!(answer.status(), 200, "acknowledged link {id} lost");
        let back = answer.bytes().await.unwrap();
        assert_eq!(snapshot::decode(&back).unwrap().evaluation, e);
    }
}

#[tokio::test]
async fn two_servers_on_one_postgres_share_links() {
    let Some(url) = postgres_url("two_servers_on_one_postgres_share_links") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let a = start(dir.path(), &url, &[], None);
    let b = start(dir.path(), &url, &[], None);
    let e = evaluation(5);
    let link = created(&a, &e, Scope::Everything).await;
    let id = link["id"].as_str().unwrap();
    let answer = open(&b, id).await;
    assert_eq!(answer.status(), 200);
    assert_eq!(
        snapshot::decode(&answer.bytes().await.unwrap())
            .unwrap()
            .evaluation,
        e
    );
    let answer = delete(&b, id, link["delete_token"].as_str().unwrap()).await;
    assert_eq!(answer.status(), 204);
    assert_eq!(open(&a, id).await.status(), 410);
}

#[tokio::test]
async fn a_playground_snapshot_is_kept_and_opened_like_an_evaluation() {
    use likely_core::playground::PlaygroundState;
    use likely_core::playground::{Column, ColumnOutcome, Generated, PlaygroundParams};
    let dir = tempfile::tempdir().unwrap();
    let store = format!("sqlite:{}", dir.path().join("shares.sqlite3").display());
    let server = start(dir.path(), &store, &[], None);
    let state = PlaygroundState {
        prompt: format!("The {PHRASE}"),
        params: PlaygroundParams {
            seed: Some(5),
            ..PlaygroundParams::default()
        },
        baseline: "remote".into(),
        customs: Vec::new(),
        columns: vec![Column {
            model: "remote".into(),
            outcome: ColumnOutcome::Generated(vec![Generated {
                text: " sing".into(),
                tokens: vec![ScoredToken::new(" sing", Some(-1.5))],
                finish_reason: Some("MAX_TOKENS".into()),
            }]),
        }],
    };
    let bytes = snapshot::encode_playground(&state).unwrap();
    let answer = create(&server, bytes.clone(), Scope::Everything).await;
    assert_eq!(answer.status(), 201);
    let link: Value = answer.json().await.unwrap();
    let back = open(&server, link["id"].as_str().unwrap()).await;
    assert_eq!(back.status(), 200);
    let back = back.bytes().await.unwrap();
    assert_eq!(back.as_ref(), bytes.as_slice());
    assert_eq!(
        snapshot::decode_shared(&back).unwrap(),
        snapshot::Shared::Playground(state.clone())
    );
    let mut impossible = state;
    impossible.params.p = 3.0;
    let refused = create(
        &server,
        snapshot::encode_playground(&impossible).unwrap(),
        Scope::Everything,
    )
    .await;
    assert_eq!(refused.status(), 422);
    assert!(message(refused).await.contains("playground"));
}
