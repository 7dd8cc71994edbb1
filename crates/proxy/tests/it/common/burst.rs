//! Durability under SIGKILL: eight tasks create things on a real `likely serve` as fast as it
//! acknowledges them, and the server is killed with creates still in flight.

use likely_testkit::serve::Served;
use serde_json::Value;

/// An HTTP client for the real server (rustls with ring, as the server's own client).
pub fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

/// Sends `create` (a request built on a client and the server's base URL; 201 with an `id` is an
/// acknowledgement) from eight tasks until `count` are acknowledged, then kills the server with
/// SIGKILL, creates still in flight, and answers every id acknowledged before it died.
pub async fn acknowledged_before_sigkill<F>(
    server: &mut Served,
    count: usize,
    create: F,
) -> Vec<String>
where
    F: Fn(&reqwest::Client, &str) -> reqwest::RequestBuilder + Clone + Send + Sync + 'static,
{
    let (sender, mut acknowledged) = tokio::sync::mpsc::unbounded_channel();
    let mut burst = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let (base, create, sender) = (server.url.clone(), create.clone(), sender.clone());
        burst.spawn(async move {
            let client = client();
            loop {
                let Ok(answer) = create(&client, &base).send().await else {
                    return;
                };
                if answer.status() != 201 {
                    return;
                }
                let Ok(created) = answer.json::<Value>().await else {
                    return;
                };
                let _ = sender.send(created["id"].as_str().unwrap_or_default().to_string());
            }
        });
    }
    drop(sender);
    let mut ids = Vec::new();
    while ids.len() < count {
        ids.push(acknowledged.recv().await.unwrap());
    }
    server.kill(); // SIGKILL
    while burst.join_next().await.is_some() {}
    while let Ok(id) = acknowledged.try_recv() {
        ids.push(id);
    }
    ids
}
