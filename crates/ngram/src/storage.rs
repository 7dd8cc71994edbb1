//! The on-disk model format: a small header and the level arrays, little-endian, uncompressed so
//! that loading is a read and a copy.
//!
//! ```text
//! magic "LKNGRAM\0" | format version u32 | order u32 | vocab u32 | fingerprint u64 | weight f64
//! | per level: length u64 | per level: words u16*, logp f32*, [backoff f32*, child_start u32*,
//!   top_word u16*, top_logp f32*,] [link u32*]
//! ```
//! The fingerprint identifies what the model was trained from (corpus files, clean-up version,
//! order, ...); a cache whose fingerprint or format version differs is rebuilt. `weight` carries
//! the interpolation weight of an in-domain model (unused otherwise).

use std::fs;
use std::io::Write;
use std::path::Path;

use crate::error::NgramError;
use crate::model::{KnModel, Level, MAX_ORDER};
use crate::tokenizer::VOCAB_SIZE;

const MAGIC: &[u8; 8] = b"LKNGRAM\0";
/// Bumped whenever the layout or the meaning of a field changes.
pub const FORMAT_VERSION: u32 = 1;

/// What a model file carries besides the model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModelMeta {
    /// Identifies the training inputs and settings.
    pub fingerprint: u64,
    /// Interpolation weight (in-domain models), 1.0 otherwise.
    pub weight: f64,
}

fn put<T: Copy, const N: usize>(buf: &mut Vec<u8>, xs: &[T], f: impl Fn(T) -> [u8; N]) {
    buf.reserve(xs.len() * N);
    for &x in xs {
        buf.extend_from_slice(&f(x));
    }
}

/// Writes `model` to `path` (atomically: a temporary file renamed into place).
pub fn save(path: &Path, model: &KnModel, meta: &ModelMeta) -> Result<u64, NgramError> {
    let mut buf: Vec<u8> = Vec::new();
    buf.extend_from_slice(MAGIC);
    buf.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    buf.extend_from_slice(&(model.order as u32).to_le_bytes());
    buf.extend_from_slice(&(model.vocab() as u32).to_le_bytes());
    buf.extend_from_slice(&meta.fingerprint.to_le_bytes());
    buf.extend_from_slice(&meta.weight.to_le_bytes());
    for l in &model.levels {
        buf.extend_from_slice(&(l.len() as u64).to_le_bytes());
    }
    for (i, l) in model.levels.iter().enumerate() {
        put(&mut buf, &l.words, u16::to_le_bytes);
        put(&mut buf, &l.logp, f32::to_le_bytes);
        if i + 1 < model.order {
            put(&mut buf, &l.backoff, f32::to_le_bytes);
            put(&mut buf, &l.child_start, u32::to_le_bytes);
            put(&mut buf, &l.top_word, u16::to_le_bytes);
            put(&mut buf, &l.top_logp, f32::to_le_bytes);
        }
        put(&mut buf, &l.link, u32::to_le_bytes);
    }
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| NgramError::io("creating", dir, e))?;
    }
    let tmp = path.with_extension("tmp");
    let mut f = fs::File::create(&tmp).map_err(|e| NgramError::io("creating", &tmp, e))?;
    f.write_all(&buf)
        .and_then(|()| f.sync_all())
        .map_err(|e| NgramError::io("writing", &tmp, e))?;
    fs::rename(&tmp, path).map_err(|e| NgramError::io("renaming", &tmp, e))?;
    Ok(buf.len() as u64)
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    path: &'a Path,
}

impl<'a> Reader<'a> {
    fn bad(&self, reason: impl Into<String>) -> NgramError {
        NgramError::ModelFormat {
            path: self.path.to_path_buf(),
            reason: reason.into(),
        }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], NgramError> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or_else(|| self.bad("truncated"))?;
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }

    fn array<T, const N: usize>(
        &mut self,
        len: usize,
        f: impl Fn([u8; N]) -> T,
    ) -> Result<Vec<T>, NgramError> {
        let bytes = self.take(
            len.checked_mul(N)
                .ok_or_else(|| self.bad("length overflow"))?,
        )?;
        Ok(bytes
            .chunks_exact(N)
            .map(|c| {
                let mut a = [0u8; N];
                a.copy_from_slice(c);
                f(a)
            })
            .collect())
    }

    fn u32(&mut self) -> Result<u32, NgramError> {
        Ok(self.array(1, u32::from_le_bytes)?[0])
    }

    fn u64(&mut self) -> Result<u64, NgramError> {
        Ok(self.array(1, u64::from_le_bytes)?[0])
    }
}

/// Reads only the header: `Ok(Some(meta))` when the file exists and has this format version.
pub fn peek(path: &Path) -> Result<Option<ModelMeta>, NgramError> {
    use std::io::Read;
    let mut f = match fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(NgramError::io("opening", path, e)),
    };
    let mut head = [0u8; 36];
    if f.read_exact(&mut head).is_err() || &head[..8] != MAGIC {
        return Ok(None);
    }
    let mut r = Reader {
        bytes: &head,
        at: 8,
        path,
    };
    if r.u32()? != FORMAT_VERSION {
        return Ok(None);
    }
    let _order = r.u32()?;
    let _vocab = r.u32()?;
    let fingerprint = r.u64()?;
    let weight = f64::from_bits(r.u64()?);
    Ok(Some(ModelMeta {
        fingerprint,
        weight,
    }))
}

/// Loads a model written by [`save`].
pub fn load(path: &Path) -> Result<(KnModel, ModelMeta), NgramError> {
    let bytes = fs::read(path).map_err(|e| NgramError::io("reading", path, e))?;
    let mut r = Reader {
        bytes: &bytes,
        at: 0,
        path,
    };
    if r.take(8)? != MAGIC {
        return Err(r.bad("not a Likely n-gram model"));
    }
    let version = r.u32()?;
    if version != FORMAT_VERSION {
        return Err(r.bad(format!(
            "format version {version}, expected {FORMAT_VERSION}"
        )));
    }
    let order = r.u32()? as usize;
    let vocab = r.u32()? as usize;
    if !(2..=MAX_ORDER).contains(&order) || vocab != VOCAB_SIZE {
        return Err(r.bad(format!("unsupported order {order} or vocabulary {vocab}")));
    }
    let fingerprint = r.u64()?;
    let weight = f64::from_bits(r.u64()?);
    let mut lens = Vec::with_capacity(order);
    for _ in 0..order {
        lens.push(usize::try_from(r.u64()?).map_err(|_| r.bad("level too long"))?);
    }
    if lens[0] != vocab {
        return Err(r.bad("unigram level does not cover the vocabulary"));
    }
    let mut levels = Vec::with_capacity(order);
    for (i, &n) in lens.iter().enumerate() {
        let mut l = Level {
            words: r.array(if i == 0 { 0 } else { n }, u16::from_le_bytes)?,
            logp: r.array(n, f32::from_le_bytes)?,
            ..Level::default()
        };
        if i + 1 < order {
            l.backoff = r.array(n, f32::from_le_bytes)?;
            l.child_start = r.array(n + 1, u32::from_le_bytes)?;
            l.top_word = r.array(n, u16::from_le_bytes)?;
            l.top_logp = r.array(n, f32::from_le_bytes)?;
            let next = lens.get(i + 1).copied().unwrap_or(0);
            if l.child_start.last().map(|&x| x as usize) != Some(next)
                || l.child_start.windows(2).any(|w| w[0] > w[1])
            {
                return Err(r.bad(format!(
                    "level {} children do not match level {}",
                    i + 1,
                    i + 2
                )));
            }
        }
        l.link = r.array(if i == 0 { 0 } else { n }, u32::from_le_bytes)?;
        levels.push(l);
    }
    validate(&levels).map_err(|reason| r.bad(reason))?;
    if r.at != bytes.len() {
        return Err(r.bad("trailing bytes"));
    }
    Ok((
        KnModel::from_levels(order, levels),
        ModelMeta {
            fingerprint,
            weight,
        },
    ))
}

/// Checks the indices that scoring follows, so that a corrupt file cannot make it panic.
fn validate(levels: &[Level]) -> Result<(), String> {
    if levels[0].top_word.iter().any(|&w| w as usize >= VOCAB_SIZE) {
        return Err("level 1: token out of the vocabulary".into());
    }
    for (i, l) in levels.iter().enumerate().skip(1) {
        if l.words
            .iter()
            .chain(&l.top_word)
            .any(|&w| w as usize >= VOCAB_SIZE)
        {
            return Err(format!("level {}: token out of the vocabulary", i + 1));
        }
        for &link in &l.link {
            let c = crate::model::Ctx(link);
            let ok =
                c.level() < i + 1 && (c.level() == 0 || c.index() < levels[c.level() - 1].len());
            if !ok {
                return Err(format!("level {}: bad suffix link", i + 1));
            }
        }
    }
    Ok(())
}
