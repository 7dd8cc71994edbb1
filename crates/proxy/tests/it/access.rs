//! Access-token guessing over real HTTP on loopback: one credential is tried per request (not every
//! `Authorization` header or cookie pair), failed attempts are rate-limited per client (over the
//! budget nothing is checked, so a right guess looks like a wrong one) and logged at `warn`, and the
//! session cookie holds a value derived from the token, never the token.

use crate::common;
use crate::common::logs::captured_logs;
use crate::common::{one_model, state_from};
use likely_proxy::access::{Access, AccessToken};
use reqwest::header;

const TOKEN: &str = "team-token-42-0123456789abcdef";

/// The proxy with access control on `127.0.0.1:0`, with the clients' addresses.
async fn serve() -> String {
    likely_proxy::backends::upstream::install_crypto_provider();
    let mut state = state_from(&one_model("m", "tgi", "http://127.0.0.1:9", ""), &[]);
    state.access = AccessToken::from_env_value(Some(TOKEN.into()))
        .unwrap()
        .map(Access::new);
    common::serve_state(state).await
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Logs in and returns the `Set-Cookie` line.
async fn log_in(base: &str, forwarded_proto: Option<&str>) -> String {
    let mut request = client()
        .post(format!("{base}/login"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(format!("token={TOKEN}"));
    if let Some(proto) = forwarded_proto {
        request = request.header("x-forwarded-proto", proto);
    }
    let answer = request.send().await.unwrap();
    assert_eq!(answer.status(), 303);
    answer.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn one_credential_per_request() {
    let base = serve().await;
    let session = log_in(&base, None).await;
    let pair = session.split(';').next().unwrap().to_string();
    let models = format!("{base}/v1/models");
    let ok = client()
        .get(&models)
        .header(header::COOKIE, &pair)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    // The right bearer token after a wrong one, in a second header: not tried.
    let mut headers = header::HeaderMap::new();
    headers.append(
        header::AUTHORIZATION,
        "Bearer wrong-guess-1".parse().unwrap(),
    );
    headers.append(
        header::AUTHORIZATION,
        format!("Bearer {TOKEN}").parse().unwrap(),
    );
    let answer = client().get(&models).headers(headers).send().await.unwrap();
    assert_eq!(answer.status(), 401);
    // The right session among hundreds of guesses in one Cookie header: not tried.
    let mut cookies: Vec<String> = (0..300)
        .map(|i| format!("likely_session=guess{i}"))
        .collect();
    cookies.insert(150, pair.clone());
    let answer = client()
        .get(&models)
        .header(header::COOKIE, cookies.join("; "))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 401);
}

#[tokio::test]
async fn failures_are_rate_limited_per_client_and_logged() {
    let logs = captured_logs();
    let base = serve().await;
    let models = format!("{base}/v1/models");
    let mut statuses = Vec::new();
    for i in 0..12 {
        let answer = client()
            .get(&models)
            .bearer_auth(format!("wrong-guess-number-{i:04}"))
            .send()
            .await
            .unwrap();
        statuses.push(answer.status().as_u16());
        if answer.status() == 429 {
            assert!(answer.headers().contains_key(header::RETRY_AFTER));
        }
    }
    assert_eq!(&statuses[..10], &[401; 10]);
    assert_eq!(&statuses[10..], &[429, 429]);
    // Over the budget even the right token is not checked.
    let answer = client()
        .get(&models)
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 429);
    // The login form shares the budget.
    let answer = client()
        .post(format!("{base}/login"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(format!("token={TOKEN}"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 429);
    let logged = String::from_utf8(logs.lock().unwrap().clone()).unwrap();
    assert!(
        logged.contains("WARN") && logged.contains("access token rejected"),
        "{logged}"
    );
    assert!(
        logged.contains("127.0.0.1"),
        "the client is named: {logged}"
    );
    assert!(
        !logged.contains("wrong-guess-number") && !logged.contains(TOKEN),
        "{logged}"
    );
}

#[tokio::test]
async fn the_session_cookie_holds_a_derived_value() {
    let base = serve().await;
    let plain = log_in(&base, None).await;
    assert!(plain.starts_with("likely_session="), "{plain}");
    assert!(!plain.contains(TOKEN), "{plain}");
    for part in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(plain.contains(part), "{plain}");
    }
    let tls = log_in(&base, Some("https")).await;
    assert!(tls.starts_with("__Host-likely_session="), "{tls}");
    assert!(tls.contains("Secure") && !tls.contains(TOKEN), "{tls}");
    // The raw token as a cookie is not a session.
    let answer = client()
        .get(format!("{base}/v1/models"))
        .header(header::COOKIE, format!("likely_session={TOKEN}"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 401);
}
