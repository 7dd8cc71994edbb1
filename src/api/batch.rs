//! The batching client of a run: many workers each ask for one window at a time, and the calls made
//! while the server is busy travel together in one `POST /v1/generate/batch` (up to
//! `MAX_BATCH_REQUESTS`, at most [`BATCHES_IN_FLIGHT`] batches at once). The answer is NDJSON read as it
//! streams in: each caller's future resolves as soon as its line arrives, so progress stays live. The
//! browser's cost per HTTP exchange was the page's wall (BENCHMARKS.md, "The page keeps up").
//!
//! A server without the route (404) gets single `POST /v1/generate` calls instead, four at a time, as
//! does a batch the server found too large (413). Aborting the run's signal aborts the fetch in flight
//! and fails every call waiting, so Cancel stops everything at once. Retrying is the caller's.

use super::{read_failure, ApiFailure};
use futures_channel::oneshot;
use gloo_net::http::{Request, Response};
use likely_core::batch::{BatchLine, BatchRequest, NdjsonLines, BATCH_PATH, MAX_BATCH_REQUESTS};
use likely_core::{GenerateRequest, GenerateResponse};
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{AbortSignal, ReadableStreamDefaultReader, ReadableStreamReadResult};

/// Batches in flight at once: while the server answers one, the next is ready.
pub const BATCHES_IN_FLIGHT: usize = 2;
/// Callers a run needs to keep every batch in flight full (its workers).
pub const CALLERS: usize = BATCHES_IN_FLIGHT * MAX_BATCH_REQUESTS;
/// Single requests in flight at once, when the server has no batch route.
const SINGLES_IN_FLIGHT: usize = 4;
/// A batch's prompts stop growing past this many bytes, well under the server's default body limit
/// (1 MiB); a batch the server still finds too large is sent again one request at a time.
const MAX_BATCH_PROMPT_BYTES: usize = 384 * 1024;
/// The longest the answers' handling runs before the page gets to draw and handle input (ms).
const SLICE_MS: f64 = 12.0;

thread_local! {
    /// Whether the server answered 404 for the batch route: then every run sends single requests.
    static NO_BATCH_ROUTE: Cell<bool> = const { Cell::new(false) };
}

type Reply = oneshot::Sender<Result<GenerateResponse, ApiFailure>>;

/// One caller's request and where its answer goes.
struct Call {
    request: GenerateRequest,
    reply: Reply,
    /// Send it on its own (its batch was too large for the server).
    alone: bool,
}

#[derive(Default)]
struct Queue {
    waiting: VecDeque<Call>,
    batches: usize,
    singles: usize,
    scheduled: bool,
}

/// A run's Generate client: cheap to clone, shared by the run's workers.
#[derive(Clone)]
pub struct Batcher {
    queue: Rc<RefCell<Queue>>,
    abort: Option<AbortSignal>,
}

impl Batcher {
    /// A client whose requests `abort` cancels.
    pub fn new(abort: Option<AbortSignal>) -> Batcher {
        Batcher {
            queue: Rc::new(RefCell::new(Queue::default())),
            abort,
        }
    }

    /// One Generate call, sent with the others made meanwhile.
    pub async fn generate(&self, request: GenerateRequest) -> Result<GenerateResponse, ApiFailure> {
        let (reply, answer) = oneshot::channel();
        let alone = NO_BATCH_ROUTE.with(Cell::get);
        self.queue.borrow_mut().waiting.push_back(Call {
            request,
            reply,
            alone,
        });
        self.schedule();
        answer
            .await
            .unwrap_or_else(|_| Err(lost("the request was dropped before its answer")))
    }

    /// Sends what is waiting once the callers of this tick have all asked.
    fn schedule(&self) {
        if std::mem::replace(&mut self.queue.borrow_mut().scheduled, true) {
            return;
        }
        let this = self.clone();
        spawn_local(async move {
            this.queue.borrow_mut().scheduled = false;
            this.dispatch();
        });
    }

    fn aborted(&self) -> bool {
        self.abort.as_ref().is_some_and(AbortSignal::aborted)
    }

    /// Starts as many batches (or single requests) as the limits allow.
    fn dispatch(&self) {
        if self.aborted() {
            let waiting = std::mem::take(&mut self.queue.borrow_mut().waiting);
            for call in waiting {
                let _ = call.reply.send(Err(lost("cancelled")));
            }
            return;
        }
        loop {
            let mut queue = self.queue.borrow_mut();
            let Some(first) = queue.waiting.front() else {
                return;
            };
            if first.alone || NO_BATCH_ROUTE.with(Cell::get) {
                if queue.singles >= SINGLES_IN_FLIGHT {
                    return;
                }
                queue.singles += 1;
                let call = queue.waiting.pop_front();
                drop(queue);
                if let Some(call) = call {
                    let this = self.clone();
                    spawn_local(async move { this.send_single(call).await });
                }
                continue;
            }
            if queue.batches >= BATCHES_IN_FLIGHT {
                return;
            }
            queue.batches += 1;
            let mut calls = Vec::new();
            let mut bytes = 0;
            while let Some(call) = queue.waiting.front() {
                let size = call.request.prompt.len();
                let full = calls.len() == MAX_BATCH_REQUESTS
                    || (!calls.is_empty() && bytes + size > MAX_BATCH_PROMPT_BYTES);
                if call.alone || full {
                    break;
                }
                bytes += size;
                calls.extend(queue.waiting.pop_front());
            }
            drop(queue);
            let this = self.clone();
            spawn_local(async move { this.send_batch(calls).await });
        }
    }

    async fn send_single(&self, call: Call) {
        let answer = super::generate(&call.request, self.abort.as_ref()).await;
        let _ = call.reply.send(answer);
        self.queue.borrow_mut().singles -= 1;
        self.dispatch();
    }

    async fn send_batch(&self, calls: Vec<Call>) {
        let again = self.exchange(calls).await;
        {
            let mut queue = self.queue.borrow_mut();
            queue.batches -= 1;
            // Calls to send again go first, in their order.
            for call in again.into_iter().rev() {
                queue.waiting.push_front(call);
            }
        }
        self.dispatch();
    }

    /// Sends `calls` as one batch and answers each; returns the calls to send again another way.
    async fn exchange(&self, calls: Vec<Call>) -> Vec<Call> {
        let body = BatchRequest {
            requests: calls.iter().map(|call| &call.request).collect(),
        };
        let sent = match Request::post(BATCH_PATH)
            .abort_signal(self.abort.as_ref())
            .json(&body)
        {
            Ok(request) => request.send().await,
            Err(error) => Err(error),
        };
        let response = match sent {
            Ok(response) => response,
            Err(error) => {
                fail_all(calls, &ApiFailure::network(error));
                return Vec::new();
            }
        };
        match response.status() {
            404 => {
                NO_BATCH_ROUTE.with(|flag| flag.set(true));
                return calls;
            }
            413 if calls.len() > 1 => {
                return calls
                    .into_iter()
                    .map(|call| Call {
                        alone: true,
                        ..call
                    })
                    .collect();
            }
            _ if !response.ok() => {
                fail_all(calls, &read_failure(response).await);
                return Vec::new();
            }
            _ => {}
        }
        let mut replies: Vec<Option<Reply>> =
            calls.into_iter().map(|call| Some(call.reply)).collect();
        let mut unreadable = 0;
        let read = read_lines(&response, |line| {
            // Read as text, like every other JSON the page reads (`from_str`): one copy of serde_json's
            // reader in the wasm instead of a second one for byte slices.
            let read = std::str::from_utf8(line).map(serde_json::from_str::<BatchLine>);
            let Ok(Ok(line)) = read else {
                unreadable += 1;
                return;
            };
            if let Some(reply) = replies.get_mut(line.index).and_then(Option::take) {
                let _ = reply.send(line.into_result().map_err(|error| ApiFailure {
                    status: Some(error.status),
                    message: error.message,
                    retry_after_secs: error.retry_after_s,
                }));
            }
        })
        .await;
        let reason = match read {
            Err(reason) => format!("the server's answer was cut off: {reason}"),
            Ok(()) if unreadable > 0 => {
                format!("{unreadable} line(s) of the server's batch answer could not be read")
            }
            Ok(()) => "the server's batch answer ended before this request's line".to_string(),
        };
        for reply in replies.into_iter().flatten() {
            let _ = reply.send(Err(lost(&reason)));
        }
        Vec::new()
    }
}

/// Answers every call of a batch that failed as a whole with `failure`.
fn fail_all(calls: Vec<Call>, failure: &ApiFailure) {
    for call in calls {
        let _ = call.reply.send(Err(failure.clone()));
    }
}

/// A failure without a status: the answer was lost, which the retry policy retries.
fn lost(message: &str) -> ApiFailure {
    ApiFailure {
        status: None,
        message: message.to_string(),
        retry_after_secs: None,
    }
}

/// Reads `response`'s body as it streams in, calling `line` with each NDJSON line. Between lines the
/// callers woken by the last one run; every [`SLICE_MS`] the page gets a turn to draw.
async fn read_lines(response: &Response, mut line: impl FnMut(&[u8])) -> Result<(), String> {
    let Some(body) = response.body() else {
        return Ok(());
    };
    let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let mut lines = NdjsonLines::new();
    let mut slice_started = js_sys::Date::now();
    loop {
        let read = JsFuture::from(reader.read())
            .await
            .map_err(|error| js_message(&error))?;
        let read: ReadableStreamReadResult = read.unchecked_into();
        if read.get_done().unwrap_or(false) {
            break;
        }
        let bytes = js_sys::Uint8Array::new(&read.get_value()).to_vec();
        let mut complete = Vec::new();
        lines.push(&bytes, |whole| complete.push(whole.to_vec()));
        for whole in complete {
            line(&whole);
            // The callers this line woke run before this resumes.
            yield_microtask().await;
            if js_sys::Date::now() - slice_started > SLICE_MS {
                next_task().await;
                slice_started = js_sys::Date::now();
            }
        }
    }
    lines.finish(line);
    Ok(())
}

thread_local! {
    /// The channel whose messages give the page a turn ([`next_task`]), and who waits for one.
    static TURNS: Option<web_sys::MessageChannel> = turns_channel();
    static WAITING_TURN: RefCell<VecDeque<js_sys::Function>> = RefCell::new(VecDeque::new());
}

fn turns_channel() -> Option<web_sys::MessageChannel> {
    let channel = web_sys::MessageChannel::new().ok()?;
    let wake = Closure::<dyn FnMut()>::new(|| {
        if let Some(resolve) = WAITING_TURN.with(|waiting| waiting.borrow_mut().pop_front()) {
            let _ = resolve.call0(&JsValue::NULL);
        }
    });
    channel
        .port1()
        .set_onmessage(Some(wake.as_ref().unchecked_ref()));
    // The handler lives as long as the page (one per page).
    wake.forget();
    Some(channel)
}

/// Resumes in a new task, after the browser has drawn and handled input: a message to ourselves,
/// which unlike a zero timeout is never clamped to 4 ms.
async fn next_task() {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let posted = TURNS.with(|channel| {
            channel
                .as_ref()
                .map(|channel| channel.port2().post_message(&JsValue::NULL).is_ok())
        });
        if posted == Some(true) {
            WAITING_TURN.with(|waiting| waiting.borrow_mut().push_back(resolve));
        } else {
            let _ = resolve.call0(&JsValue::NULL);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// Lets the tasks already woken run first.
async fn yield_microtask() {
    let _ = JsFuture::from(js_sys::Promise::resolve(&JsValue::NULL)).await;
}

fn js_message(error: &JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|error| String::from(error.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "the connection failed".into())
}
