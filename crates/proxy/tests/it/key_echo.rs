//! Upstreams that echo the key partly (masked) in their 401/403 messages: over real HTTP, the
//! client's answer quotes their reason without anything key-shaped.

use crate::common;
use crate::common::{fake_upstream, one_model, scoring, state_from, Reply};
use serde_json::json;

const KEY: &str = "sk-live-4e9b1c7d2a6f8e30";

#[tokio::test]
async fn masked_key_echoes_do_not_reach_the_client() {
    likely_proxy::backends::upstream::install_crypto_provider();
    let masked = format!("sk-live-****************{}", &KEY[KEY.len() - 4..]);
    let rejecting = fake_upstream(move |_| {
        Reply::status(
            401,
            &json!({"message": format!("Incorrect API key provided: {masked}. Check your dashboard.")})
                .to_string(),
        )
    })
    .await;
    let forbidding = fake_upstream(|_| {
        Reply::status(
            403,
            &json!({"error": {"message": "key ****************8e30 may not use this model"}})
                .to_string(),
        )
    })
    .await;
    let config = format!(
        "{}{}",
        one_model(
            "rejecting",
            "cohere",
            &rejecting.base_url,
            "api_key_env = \"K\""
        ),
        one_model(
            "forbidding",
            "openai-completions",
            &forbidding.base_url,
            "api_key_env = \"K\""
        ),
    );
    let state = state_from(&config, &[("K", KEY)]);
    let base = common::serve_state(state).await;
    for (model, status) in [("rejecting", 401), ("forbidding", 403)] {
        let answer = reqwest::Client::new()
            .post(format!("{base}/v1/generate"))
            .json(&scoring(model, "To be"))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status().as_u16(), status);
        let text = answer.text().await.unwrap();
        assert!(text.contains("[redacted]"), "{text}");
        assert!(text.contains("the upstream rejected the key"), "{text}");
        assert!(
            !text.contains("8e30") && !text.contains("sk-live"),
            "{text}"
        );
    }
}
