//! Measures the on-board transformer: load time, prompt scoring tokens/s over a text file (all of
//! Hamlet in docs/transformer.md) as one text and paragraph by paragraph, first-token latency for a 60-token prompt, generation tokens/s
//! with the KV cache, and peak resident memory.
//!
//! `cargo run --release -p likely-lm --bin likely-lm-bench -- TEXT_FILE [MAX_TOKENS [GGUF]]`
//! (MAX_TOKENS: score only the text's first so many tokens; 0 or absent = all).

use std::sync::atomic::AtomicBool;
use std::time::Instant;

use likely_lm::{Model, SampleParams, ScoreOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // As `likely serve` does.
    likely_lm::tune_allocator();
    likely_lm::tune_threads();
    let mut args = std::env::args().skip(1);
    let text_file = args
        .next()
        .ok_or("usage: likely-lm-bench TEXT_FILE [MAX_TOKENS [GGUF]]")?;
    let max_tokens: usize = match args.next() {
        Some(n) => n.parse()?,
        None => 0,
    };
    let gguf = match args.next() {
        Some(p) => p.into(),
        None => likely_lm::default_path().ok_or("set HOME or LIKELY_DATA_DIR")?,
    };
    let text = std::fs::read_to_string(&text_file)?;

    let t = Instant::now();
    let model = Model::load(&gguf)?;
    println!("load: {:.2} s", t.elapsed().as_secs_f64());
    println!("threads: {}", std::thread::available_parallelism()?.get());

    let t = Instant::now();
    let mut ids = model.tokenizer().encode(&text)?;
    if max_tokens > 0 && ids.len() > max_tokens {
        ids.truncate(max_tokens);
    }
    let bytes = model.tokenizer().decode(&ids).len();
    println!(
        "tokenize: {} bytes in {:.2} s; scoring {} tokens ({bytes} bytes)",
        text.len(),
        t.elapsed().as_secs_f64(),
        ids.len()
    );
    let never = AtomicBool::new(false);
    let t = Instant::now();
    let cpu = cpu_seconds()?;
    let options = ScoreOptions {
        top_k: 20,
        ranks: false,
    };
    let scores = model.score_with_progress(&ids, &options, &never, |done, total| {
        eprint!("\rscoring {done}/{total}");
    })?;
    eprintln!();
    let secs = t.elapsed().as_secs_f64();
    let cpu = cpu_seconds()? - cpu;
    let nats: f64 = -scores.iter().map(|s| s.logprob).sum::<f64>();
    println!(
        "score CPU time: {cpu:.1} s = {:.0} tokens per CPU-second (load average {})",
        ids.len() as f64 / cpu,
        std::fs::read_to_string("/proc/loadavg")?
            .split(' ')
            .next()
            .unwrap_or("?")
    );
    println!(
        "score (top-20, window {} overlap {}): {} tokens in {:.1} s = {:.0} tokens/s; {:.4} nats/token, {:.4} nats/byte",
        model.window(),
        model.overlap(),
        ids.len(),
        secs,
        ids.len() as f64 / secs,
        nats / ids.len() as f64,
        nats / bytes as f64
    );

    // The page and `likely eval` send a `.txt` set as paragraphs, each scored on its own: many short
    // prompts instead of one long text.
    let t = Instant::now();
    let cpu = cpu_seconds()?;
    let (mut paragraphs, mut tokens) = (0, 0);
    for paragraph in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        if tokens >= ids.len() {
            break;
        }
        let para_ids = model.tokenizer().encode(paragraph)?;
        model.score_with_progress(&para_ids, &options, &never, |_, _| {})?;
        paragraphs += 1;
        tokens += para_ids.len();
    }
    let secs = t.elapsed().as_secs_f64();
    let cpu = cpu_seconds()? - cpu;
    println!(
        "score paragraph by paragraph (top-20): {paragraphs} paragraphs, {tokens} tokens in {secs:.1} s = {:.0} tokens/s, {:.0} tokens per CPU-second",
        tokens as f64 / secs,
        tokens as f64 / cpu
    );

    // A server scores the paragraphs its clients send at the same time (`likely eval` sends sixteen
    // a model at a time, and so does the page) in shared passes: the same paragraphs from several
    // threads.
    let list: Vec<Vec<u32>> = text
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| model.tokenizer().encode(p))
        .scan(0, |seen, ids_of| {
            let within = *seen < ids.len();
            if let Ok(p) = &ids_of {
                *seen += p.len();
            }
            within.then_some(ids_of)
        })
        .collect::<Result<_, _>>()?;
    for callers in [8, 16] {
        let next = std::sync::atomic::AtomicUsize::new(0);
        let before = model.pass_counts();
        let t = Instant::now();
        let cpu = cpu_seconds()?;
        std::thread::scope(|scope| {
            for _ in 0..callers {
                scope.spawn(|| {
                    while let Some(p) =
                        list.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
                    {
                        if let Err(error) = model.score_until(p, &options, &never) {
                            eprintln!("scoring failed: {error}");
                        }
                    }
                });
            }
        });
        let secs = t.elapsed().as_secs_f64();
        let cpu = cpu_seconds()? - cpu;
        let tokens: usize = list.iter().map(Vec::len).sum();
        let after = model.pass_counts();
        println!(
            "score paragraphs {callers} at a time (top-20): {} paragraphs in {} passes, {tokens} tokens in {secs:.1} s = {:.0} tokens/s, {:.0} tokens per CPU-second",
            list.len(),
            after.passes - before.passes,
            tokens as f64 / secs,
            tokens as f64 / cpu
        );
    }

    let prompt = &ids[..60.min(ids.len())];
    let params = SampleParams {
        max_tokens: 1,
        temperature: 0.0,
        ..SampleParams::default()
    };
    let t = Instant::now();
    model.sample_until(prompt, &params, &never, |_| false)?;
    println!(
        "first token after a {}-token prompt: {:.3} s",
        prompt.len(),
        t.elapsed().as_secs_f64()
    );
    let params = SampleParams {
        max_tokens: 100,
        temperature: 0.8,
        seed: Some(1),
        ..SampleParams::default()
    };
    let mut first = None;
    let mut first_cpu = None;
    let t = Instant::now();
    let out = model.sample_until(prompt, &params, &never, |_| {
        first.get_or_insert_with(Instant::now);
        if first_cpu.is_none() {
            first_cpu = cpu_seconds().ok();
        }
        false
    })?;
    let gen_cpu = cpu_seconds()? - first_cpu.unwrap_or(0.0);
    let start = first.unwrap_or(t);
    let n = out.len().saturating_sub(1).max(1);
    println!(
        "generate: {} tokens; after the first, {:.1} tokens/s, {:.1} tokens per CPU-second",
        out.len(),
        n as f64 / start.elapsed().as_secs_f64(),
        n as f64 / gen_cpu
    );
    let ids_out: Vec<u32> = out.iter().map(|s| s.id).collect();
    println!("sample: {:?}", model.tokenizer().decode(&ids_out));
    println!("peak resident memory: {} MB", peak_rss_kb()? / 1024);
    Ok(())
}

/// User + system CPU time of this process so far (all threads), assuming 100 clock ticks a second.
fn cpu_seconds() -> Result<f64, Box<dyn std::error::Error>> {
    let stat = std::fs::read_to_string("/proc/self/stat")?;
    let after = stat.rsplit_once(')').ok_or("bad stat")?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = fields[11].parse::<f64>()? + fields[12].parse::<f64>()?;
    Ok(ticks / 100.0)
}

/// VmHWM of this process, in kB.
fn peak_rss_kb() -> Result<u64, Box<dyn std::error::Error>> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .ok_or("no VmHWM")?;
    Ok(line.split_whitespace().nth(1).ok_or("bad VmHWM")?.parse()?)
}
