//! Where the network's element-wise work runs. candle runs element-wise ops (RMS norm, SiLU, the
//! residual additions) on a pool of its own that spins at a barrier after every op, beside rayon's
//! pool that runs the matmuls. With the scoring passes of concurrent requests batched
//! (`batch.rs`), several threads call into candle at once: its pool serialises them behind
//! one lock and its spinning burns the cores the other callers need. [`tune_threads`] turns that
//! pool off (`CANDLE_NUM_THREADS=1`): element-wise ops run on the calling thread, the matmuls still
//! on both cores. Measured on 2,000 tokens of Hamlet (BENCHMARKS.md): one text 157-167 → 174-181
//! tokens per CPU-second, paragraphs eight at a time 163-164 → 172-176.

/// The environment variable candle reads, once, for its element-wise pool's size.
pub const CANDLE_THREADS_VARIABLE: &str = "CANDLE_NUM_THREADS";

/// Runs candle's element-wise ops on the calling thread, unless [`CANDLE_THREADS_VARIABLE`] is
/// already set. Call it first thing in `main`, before any other thread exists (it sets an
/// environment variable) and before the network runs (candle reads the variable once).
pub fn tune_threads() {
    if std::env::var_os(CANDLE_THREADS_VARIABLE).is_none() {
        std::env::set_var(CANDLE_THREADS_VARIABLE, "1");
    }
}
