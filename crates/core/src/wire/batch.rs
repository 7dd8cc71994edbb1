//! `POST /v1/generate/batch` on the wire: several Generate requests in one body, each answered on its
//! own line of NDJSON as soon as it is done, in the order they finish, so a client pays one HTTP
//! exchange for up to [`MAX_BATCH_REQUESTS`] windows and still sees every answer as it comes.
//!
//! Body: `{"requests": [<Generate request>, …]}`. Answer (`application/x-ndjson`), one line per item:
//! `{"index": i, "response": {…}}` or `{"index": i, "error": {"status", "message", "retry_after_s"?}}`.
//! [`NdjsonLines`] cuts a body that arrives in pieces into those lines.

pub use crate::rules::MAX_BATCH_REQUESTS;
use crate::wire::{GenerateRequest, GenerateResponse};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Where the batch route lives.
pub const BATCH_PATH: &str = "/v1/generate/batch";
/// The answer's content type.
pub const NDJSON_CONTENT_TYPE: &str = "application/x-ndjson";

/// The body of `POST /v1/generate/batch`: the requests, answered by index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchRequest<T = GenerateRequest> {
    /// Generate requests, at most [`MAX_BATCH_REQUESTS`].
    pub requests: Vec<T>,
}

/// Why one item of a batch failed: what `POST /v1/generate` would have answered for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchItemError {
    /// The HTTP status the same request alone would have had.
    pub status: u16,
    /// What went wrong, for a person (never a key or an upstream address).
    pub message: String,
    /// Seconds to wait before retrying this item (429, 503), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_s: Option<f64>,
}

impl fmt::Display for BatchItemError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (HTTP {})", self.message, self.status)
    }
}

/// One line of the answer: item `index`'s answer or its error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchLine {
    /// The item's position in the request's `requests`.
    pub index: usize,
    /// The answer, when the item succeeded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<GenerateResponse>,
    /// The failure, when it did not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<BatchItemError>,
}

impl BatchLine {
    /// Item `index` answered `outcome`.
    pub fn new(index: usize, outcome: Result<GenerateResponse, BatchItemError>) -> BatchLine {
        match outcome {
            Ok(response) => BatchLine {
                index,
                response: Some(response),
                error: None,
            },
            Err(error) => BatchLine {
                index,
                response: None,
                error: Some(error),
            },
        }
    }

    /// The item's answer or failure (a line with neither is a failure of the server, 502).
    pub fn into_result(self) -> Result<GenerateResponse, BatchItemError> {
        match (self.response, self.error) {
            (Some(response), _) => Ok(response),
            (None, Some(error)) => Err(error),
            (None, None) => Err(BatchItemError {
                status: 502,
                message: "the server's batch answer had neither a response nor an error".into(),
                retry_after_s: None,
            }),
        }
    }
}

/// Cuts NDJSON arriving in chunks into its lines (without the `\n`; empty lines skipped).
#[derive(Debug, Default)]
pub struct NdjsonLines {
    partial: Vec<u8>,
}

impl NdjsonLines {
    /// A cutter with nothing pending.
    pub fn new() -> NdjsonLines {
        NdjsonLines::default()
    }

    /// Feeds `chunk`; `line` is called with every line it completes, in order.
    pub fn push(&mut self, chunk: &[u8], mut line: impl FnMut(&[u8])) {
        let mut rest = chunk;
        while let Some(end) = rest.iter().position(|&byte| byte == b'\n') {
            let (head, tail) = (&rest[..end], &rest[end + 1..]);
            if self.partial.is_empty() {
                emit(head, &mut line);
            } else {
                self.partial.extend_from_slice(head);
                let whole = std::mem::take(&mut self.partial);
                emit(&whole, &mut line);
            }
            rest = tail;
        }
        self.partial.extend_from_slice(rest);
    }

    /// The body ended: its last line, if it had no `\n`.
    pub fn finish(self, mut line: impl FnMut(&[u8])) {
        emit(&self.partial, &mut line);
    }
}

fn emit(bytes: &[u8], line: &mut impl FnMut(&[u8])) {
    let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
    if !bytes.iter().all(u8::is_ascii_whitespace) {
        line(bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_of(chunks: &[&[u8]]) -> Vec<String> {
        let mut cutter = NdjsonLines::new();
        let mut lines = Vec::new();
        for chunk in chunks {
            cutter.push(chunk, |line| {
                lines.push(String::from_utf8(line.to_vec()).unwrap())
            });
        }
        cutter.finish(|line| lines.push(String::from_utf8(line.to_vec()).unwrap()));
        lines
    }

    #[test]
    fn lines_split_across_chunks_are_joined() {
        assert_eq!(
            lines_of(&[b"{\"a\":1}\n{\"b\"", b":2}\n", b"\n{\"c\":3}"]),
            ["{\"a\":1}", "{\"b\":2}", "{\"c\":3}"]
        );
        assert_eq!(lines_of(&[b"x", b"y", b"z\r\n"]), ["xyz"]);
        assert!(lines_of(&[b"", b"\n\n  \n"]).is_empty());
    }

    #[test]
    fn a_line_is_an_answer_or_an_error_by_index() {
        let error = BatchItemError {
            status: 429,
            message: "slow down".into(),
            retry_after_s: Some(2.0),
        };
        let line = serde_json::to_string(&BatchLine::new(3, Err(error.clone()))).unwrap();
        assert_eq!(
            line,
            r#"{"index":3,"error":{"status":429,"message":"slow down","retry_after_s":2.0}}"#
        );
        let read: BatchLine = serde_json::from_str(&line).unwrap();
        assert_eq!(read.into_result(), Err(error));
        let answer: BatchLine = serde_json::from_str(
            r#"{"index":0,"response":{"id":"a","generations":[{"id":"g","text":"x"}]}}"#,
        )
        .unwrap();
        assert_eq!(answer.index, 0);
        assert_eq!(answer.into_result().unwrap().id, "a");
        let neither: BatchLine = serde_json::from_str(r#"{"index":1}"#).unwrap();
        assert_eq!(neither.into_result().unwrap_err().status, 502);
    }

    #[test]
    fn the_body_lists_requests() {
        let request = GenerateRequest::scoring("base-light", "To be");
        let body = BatchRequest {
            requests: vec![&request],
        };
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(json["requests"][0]["model"], "base-light");
        let read: BatchRequest = serde_json::from_value(json).unwrap();
        assert_eq!(read.requests.len(), 1);
    }
}
