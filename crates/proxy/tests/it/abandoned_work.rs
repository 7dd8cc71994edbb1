//! Abandoned generations stop using CPU, measured on the real `likely serve` binary with the real
//! embedded models: several long generation requests (`num_generations` 5, `max_tokens` 4096, a long
//! prompt) whose clients leave while queued for the model's slot, mid-computation, or around the
//! model's timeout, alongside a stream of short scoring requests. A second after the last client has
//! gone, the server's process CPU time (utime + stime of `/proc/<pid>/stat`) must stop growing.

use crate::common;
use crate::common::cpu::{cpu_ticks, ms_used_in_the_second_after_next, ticks_per_second};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const CONFIG: &str = r#"
[limits]
max_concurrent = 2
max_queued = 16
timeout_secs = 3

[[models]]
name = "base-light"
backend = "embedded"
"#;

/// Sends one raw HTTP/1.1 request (followed by a pipelined `GET /healthz` when `pipelined`) and drops
/// the connection after `leave_after`, whatever the server has (not) answered by then. Returns the
/// start of the answer's status line, if any came.
async fn send_and_leave(
    address: String,
    body: String,
    pipelined: bool,
    leave_after: Duration,
) -> String {
    let mut stream = TcpStream::connect(&address).await.unwrap();
    let request = format!(
        "POST /v1/generate HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    if pipelined {
        let next = format!("GET /healthz HTTP/1.1\r\nHost: {address}\r\n\r\n");
        stream.write_all(next.as_bytes()).await.unwrap();
    }
    let mut answer = Vec::new();
    let mut sink = vec![0u8; 64 * 1024];
    let _ = tokio::time::timeout(leave_after, async {
        while let Ok(n) = stream.read(&mut sink).await {
            if n == 0 {
                break;
            }
            answer.extend_from_slice(&sink[..n]);
        }
    })
    .await;
    drop(stream);
    String::from_utf8_lossy(&answer[..answer.len().min(12)]).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abandoned_generations_stop_using_cpu_within_a_second() {
    let dir = std::env::temp_dir().join(format!("likely-abandoned-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let served = common::served::serve_config(CONFIG, &dir);
    let pid = served.child.id();
    let address = served.url.trim_start_matches("http://").to_string();

    let prompt =
        "To be, or not to be, that is the question: whether 'tis nobler in the mind to suffer \
                  the slings and arrows of outrageous fortune. "
            .repeat(20);
    let generation = serde_json::json!({
        "model": "base-light", "prompt": prompt, "max_tokens": 4096, "num_generations": 5,
        "temperature": 2.5, "p": 0.99, "return_likelihoods": "GENERATION"
    })
    .to_string();
    let scoring =
        serde_json::to_string(&common::scoring("base-light", "To be, or not to be")).unwrap();

    // Short scoring requests keep the server busy meanwhile, as the load test's wrk does.
    let busy_until = Instant::now() + Duration::from_secs(4);
    let load: Vec<_> = (0..8)
        .map(|_| {
            let (address, scoring) = (address.clone(), scoring.clone());
            tokio::spawn(async move {
                while Instant::now() < busy_until {
                    send_and_leave(
                        address.clone(),
                        scoring.clone(),
                        false,
                        Duration::from_secs(2),
                    )
                    .await;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            })
        })
        .collect();
    // Two take the slots, the others queue; they leave at staggered times: queued, mid-work, and
    // after the 3 s timeout has answered 504. Every other one pipelined a second request, which
    // hides its leaving from hyper (its read buffer is not empty).
    let leaving = [200, 400, 700, 1_000, 1_500, 2_200, 2_900, 3_300, 3_600];
    let clients: Vec<_> = leaving
        .iter()
        .enumerate()
        .map(|(index, &ms)| {
            tokio::spawn(send_and_leave(
                address.clone(),
                generation.clone(),
                index % 2 == 0,
                Duration::from_millis(ms),
            ))
        })
        .collect();
    for client in clients {
        eprintln!("generation client: {:?}", client.await.unwrap());
    }
    for task in load {
        task.await.unwrap();
    }
    let gone = Instant::now();
    let hz = ticks_per_second();
    eprintln!("CPU so far: {} ms", cpu_ticks(pid) * 1000 / hz);
    let used_ms = ms_used_in_the_second_after_next(pid).await;
    assert!(
        used_ms <= 50,
        "the server used {used_ms} ms of CPU in the second starting {:?} after its last client left",
        Duration::from_secs(1) + (Instant::now() - gone - Duration::from_secs(2))
    );
    drop(served);
    std::fs::remove_dir_all(&dir).ok();
}
