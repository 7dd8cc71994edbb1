//! The on-disk model format: a small header and the level arrays, little-endian, uncompressed so
//! that loading is a read and a copy.
//!
//! ```text
//! magic "LKNGRAM\0" | format version u32 | order u32 | vocab u32 | fingerprint u64 | weight f64
//! | per level: length u64
//! | per level: words u16* (not level 1), by_prob u16* (not level 1),
//!   below the top: nodes (logp f32, backoff f32, child_start u32, link u32)* + sentinel,
//!   top (logp f32, second_logp f32, word u32)*; at the top: leaves (logp f32, link u32, next_start u32, next_end u32)*
//! ```
//! The fingerprint identifies what the model was trained from (corpus files, clean-up version,
//! order, ...); a cache whose fingerprint or format version differs is rebuilt. `weight` carries
//! the interpolation weight of an in-domain model (unused otherwise).

use std::fs;
use std::io::Write;
use std::path::Path;

use crate::error::NgramError;
use crate::model::{Ctx, KnModel, Leaf, Level, Node, Top, HAS_CHILDREN, MAX_ORDER};
use crate::tokenizer::VOCAB_SIZE;

const MAGIC: &[u8; 8] = b"LKNGRAM\0";
/// Bumped whenever the layout or the meaning of a field changes.
pub const FORMAT_VERSION: u32 = 5;

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

/// Writes `model` to `path` (atomically: a temporary file renamed into place). Returns its size.
pub fn save(path: &Path, model: &KnModel, meta: &ModelMeta) -> Result<u64, NgramError> {
    let mut buf: Vec<u8> = Vec::new();
    buf.extend_from_slice(MAGIC);
    buf.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    buf.extend_from_slice(&(model.order as u32).to_le_bytes());
    buf.extend_from_slice(&(model.vocab() as u32).to_le_bytes());
    buf.extend_from_slice(&meta.fingerprint.to_le_bytes());
    buf.extend_from_slice(&meta.weight.to_bits().to_le_bytes());
    for l in &model.levels {
        buf.extend_from_slice(&(l.len() as u64).to_le_bytes());
    }
    for (i, l) in model.levels.iter().enumerate() {
        put(&mut buf, &l.words, u16::to_le_bytes);
        put(&mut buf, &l.by_prob, u16::to_le_bytes);
        if i + 1 < model.order {
            buf.reserve(l.nodes.len() * 16);
            for n in &l.nodes {
                buf.extend_from_slice(&n.logp.to_le_bytes());
                buf.extend_from_slice(&n.backoff.to_le_bytes());
                buf.extend_from_slice(&n.child_start.to_le_bytes());
                buf.extend_from_slice(&n.link.to_le_bytes());
            }
            buf.reserve(l.top.len() * 12);
            for t in &l.top {
                buf.extend_from_slice(&t.logp.to_le_bytes());
                buf.extend_from_slice(&t.second_logp.to_le_bytes());
                buf.extend_from_slice(&t.word.to_le_bytes());
            }
        } else {
            buf.reserve(l.leaves.len() * 16);
            for leaf in &l.leaves {
                buf.extend_from_slice(&leaf.logp.to_le_bytes());
                buf.extend_from_slice(&leaf.link.to_le_bytes());
                buf.extend_from_slice(&leaf.next_start.to_le_bytes());
                buf.extend_from_slice(&leaf.next_end.to_le_bytes());
            }
        }
    }
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| NgramError::io("creating", dir, e))?;
    }
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
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
        let sparse = if i == 0 { 0 } else { n };
        let mut l = Level {
            words: r.array(sparse, u16::from_le_bytes)?,
            by_prob: r.array(sparse, u16::from_le_bytes)?,
            ..Level::default()
        };
        if i + 1 < order {
            l.nodes = r.array(n + 1, |b: [u8; 16]| {
                let f = |k: usize| [b[k], b[k + 1], b[k + 2], b[k + 3]];
                Node {
                    logp: f32::from_le_bytes(f(0)),
                    backoff: f32::from_le_bytes(f(4)),
                    child_start: u32::from_le_bytes(f(8)),
                    link: u32::from_le_bytes(f(12)),
                }
            })?;
            l.top = r.array(n, |b: [u8; 12]| {
                let f = |k: usize| [b[k], b[k + 1], b[k + 2], b[k + 3]];
                Top {
                    logp: f32::from_le_bytes(f(0)),
                    second_logp: f32::from_le_bytes(f(4)),
                    word: u32::from_le_bytes(f(8)),
                }
            })?;
        } else {
            l.leaves = r.array(n, |b: [u8; 16]| {
                let f = |k: usize| [b[k], b[k + 1], b[k + 2], b[k + 3]];
                Leaf {
                    logp: f32::from_le_bytes(f(0)),
                    link: u32::from_le_bytes(f(4)),
                    next_start: u32::from_le_bytes(f(8)),
                    next_end: u32::from_le_bytes(f(12)),
                }
            })?;
        }
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
    let order = levels.len();
    for (i, l) in levels.iter().enumerate() {
        let n = l.len();
        if l.words.iter().any(|&w| w as usize >= VOCAB_SIZE)
            || l.top.iter().any(|t| t.word as usize >= VOCAB_SIZE)
        {
            return Err(format!("level {}: token out of the vocabulary", i + 1));
        }
        if i + 1 < order {
            let next = levels[i + 1].len();
            let nodes = &l.nodes;
            if nodes.last().map(|x| x.child_start as usize) != Some(next)
                || nodes
                    .windows(2)
                    .any(|w| w[0].child_start > w[1].child_start)
            {
                return Err(format!(
                    "level {}: children ranges do not match level {}",
                    i + 1,
                    i + 2
                ));
            }
            // Children offsets must stay inside their range.
            let child = &levels[i + 1];
            for w in nodes.windows(2) {
                let (s, e) = (w[0].child_start as usize, w[1].child_start as usize);
                if child.by_prob[s..e].iter().any(|&o| o as usize >= e - s) {
                    return Err(format!("level {}: bad child order", i + 2));
                }
            }
        }
        for leaf in &l.leaves {
            let c = Ctx::from_link(leaf.link);
            let (s, e) = (leaf.next_start as usize, leaf.next_end as usize);
            let ok = if c.level() == 0 {
                s == 0 && e == VOCAB_SIZE
            } else {
                let nodes = &levels[c.level() - 1].nodes;
                c.index() + 1 < nodes.len()
                    && s == nodes[c.index()].child_start as usize
                    && e == nodes[c.index() + 1].child_start as usize
            };
            if !ok {
                return Err(format!("level {}: bad next range", i + 1));
            }
        }
        let links = l
            .nodes
            .iter()
            .take(n)
            .map(|x| x.link)
            .chain(l.leaves.iter().map(|x| x.link));
        for link in links {
            let c = Ctx::from_link(link);
            let has = link & HAS_CHILDREN != 0;
            let ok = c.level() <= i
                && (c.level() == 0 || c.index() < levels[c.level() - 1].len())
                && (!has || i + 1 < order);
            if !ok {
                return Err(format!("level {}: bad suffix link", i + 1));
            }
        }
    }
    Ok(())
}
