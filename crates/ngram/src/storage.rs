//! The on-disk model format: a header and the level arrays, little-endian, each section aligned
//! to 8 bytes, so that a loaded model's arrays are views into the memory-mapped file
//! ([`crate::mapped`]) and loading copies nothing.
//!
//! ```text
//! magic "LKNGRAM\0" | format version u32 | order u32 | vocab u32 | 0 u32 | fingerprint u64
//! | weight f64 | per level: length u64
//! | unigram ln P f32* | unigram ln γ f32*
//! | per level: codebooks of logp, backoff, second (256 f32 each)
//!   | words u16*, by_prob u16* (not level 1)
//!   | below the top: nodes (child_start u32, link u32, top_logp f32, top_word u16, logp u8,
//!     backoff u8)* + sentinel, second u8*
//!   | at the top: leaves (link u32, next_start u32, next_len u16, logp u8, 0 u8)*
//! ```
//! Values are the 8-bit codes of [`crate::quantize`] (the model is quantized when saved). The
//! fingerprint identifies what the model was trained from (corpus files, clean-up version,
//! order, ...); a cache whose fingerprint or format version differs is rebuilt, a file whose size
//! does not match its header (truncated, foreign) is refused. `weight` carries the interpolation
//! weight of an in-domain model (unused otherwise).

use std::fs;
use std::io::{BufWriter, Write};
use std::path::Path;

use bytemuck::Pod;
use rayon::prelude::*;

use crate::error::NgramError;
use crate::mapped::{Array, MappedFile};
use crate::model::{Code, Codebook, Ctx, KnModel, Level, Repr, Trie, HAS_CHILDREN, MAX_ORDER};
use crate::quantize::quantize;
use crate::tokenizer::VOCAB_SIZE;

// The sections are written and mapped in the machine's byte order, which the format fixes to
// little-endian.
const _: () = assert!(
    cfg!(target_endian = "little"),
    "the model format is little-endian"
);

const MAGIC: &[u8; 8] = b"LKNGRAM\0";
/// Bumped whenever the layout or the meaning of a field changes.
pub const FORMAT_VERSION: u32 = 6;
/// Bytes of the header before the level lengths.
const HEAD: usize = 40;
const ALIGN: usize = 8;

/// What a model file carries besides the model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModelMeta {
    /// Identifies the training inputs and settings.
    pub fingerprint: u64,
    /// Interpolation weight (in-domain models), 1.0 otherwise.
    pub weight: f64,
}

/// Writes sections, each padded to [`ALIGN`].
struct Out<W: Write> {
    w: W,
    at: usize,
}

impl<W: Write> Out<W> {
    fn bytes(&mut self, b: &[u8]) -> std::io::Result<()> {
        self.w.write_all(b)?;
        self.at += b.len();
        Ok(())
    }

    fn section<T: Pod>(&mut self, xs: &[T]) -> std::io::Result<()> {
        self.bytes(bytemuck::cast_slice(xs))?;
        let pad = self.at.next_multiple_of(ALIGN) - self.at;
        self.bytes(&[0u8; ALIGN][..pad])
    }
}

fn write_model<W: Write>(
    out: &mut Out<W>,
    order: usize,
    t: &Trie<u8>,
    meta: &ModelMeta,
) -> std::io::Result<()> {
    out.bytes(MAGIC)?;
    out.bytes(&FORMAT_VERSION.to_le_bytes())?;
    out.bytes(&(order as u32).to_le_bytes())?;
    out.bytes(&(t.uni_logp.len() as u32).to_le_bytes())?;
    out.bytes(&0u32.to_le_bytes())?;
    out.bytes(&meta.fingerprint.to_le_bytes())?;
    out.bytes(&meta.weight.to_bits().to_le_bytes())?;
    for l in &t.levels {
        out.bytes(&(l.len() as u64).to_le_bytes())?;
    }
    out.section(&t.uni_logp)?;
    out.section(&t.uni_backoff)?;
    for (i, l) in t.levels.iter().enumerate() {
        for book in [&l.books.logp, &l.books.backoff, &l.books.second] {
            out.section(&book.0[..])?;
        }
        if i > 0 {
            out.section(&l.words)?;
            out.section(&l.by_prob)?;
        }
        if i + 1 < order {
            out.section(&l.nodes)?;
            out.section(&l.second)?;
        } else {
            out.section(&l.leaves)?;
        }
    }
    out.w.flush()
}

/// Writes `model` to `path`, quantized (atomically: a temporary file renamed into place).
/// Returns its size.
pub fn save(path: &Path, model: &KnModel, meta: &ModelMeta) -> Result<u64, NgramError> {
    let coded = quantize(model);
    let Repr::Coded(t) = &coded.repr else {
        return Err(NgramError::ModelFormat {
            path: path.to_path_buf(),
            reason: "the model could not be quantized".into(),
        });
    };
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| NgramError::io("creating", dir, e))?;
    }
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let f = fs::File::create(&tmp).map_err(|e| NgramError::io("creating", &tmp, e))?;
    let mut out = Out {
        w: BufWriter::with_capacity(1 << 20, f),
        at: 0,
    };
    write_model(&mut out, model.order, t, meta).map_err(|e| NgramError::io("writing", &tmp, e))?;
    let size = out.at as u64;
    let f = out
        .w
        .into_inner()
        .map_err(|e| NgramError::io("writing", &tmp, e.into_error()))?;
    f.sync_all()
        .map_err(|e| NgramError::io("writing", &tmp, e))?;
    fs::rename(&tmp, path).map_err(|e| NgramError::io("renaming", &tmp, e))?;
    Ok(size)
}

/// The fixed header fields.
struct Header {
    order: usize,
    vocab: usize,
    meta: ModelMeta,
}

fn le_u32(b: &[u8], at: usize) -> u32 {
    let mut a = [0u8; 4];
    a.copy_from_slice(&b[at..at + 4]);
    u32::from_le_bytes(a)
}

fn le_u64(b: &[u8], at: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(a)
}

/// Parses the header: `Err(reason)` when it is not a model of this format version.
fn header(head: &[u8]) -> Result<Header, String> {
    if head.len() < HEAD || &head[..8] != MAGIC {
        return Err("not a Likely n-gram model".into());
    }
    let version = le_u32(head, 8);
    if version != FORMAT_VERSION {
        return Err(format!(
            "format version {version}, expected {FORMAT_VERSION}"
        ));
    }
    Ok(Header {
        order: le_u32(head, 12) as usize,
        vocab: le_u32(head, 16) as usize,
        meta: ModelMeta {
            fingerprint: le_u64(head, 24),
            weight: f64::from_bits(le_u64(head, 32)),
        },
    })
}

/// Reads only the header: `Ok(Some(meta))` when the file exists and has this format version.
pub fn peek(path: &Path) -> Result<Option<ModelMeta>, NgramError> {
    use std::io::Read;
    let mut f = match fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(NgramError::io("opening", path, e)),
    };
    let mut head = [0u8; HEAD];
    if f.read_exact(&mut head).is_err() {
        return Ok(None);
    }
    Ok(header(&head).ok().map(|h| h.meta))
}

/// Takes the mapped sections in order, checking bounds and alignment.
struct Sections<'a> {
    file: &'a MappedFile,
    at: usize,
}

impl Sections<'_> {
    fn next<T: Pod>(&mut self, len: usize) -> Result<Array<T>, String> {
        let a = self.file.array::<T>(self.at, len)?;
        let bytes = len * std::mem::size_of::<T>();
        self.at = (self.at + bytes).next_multiple_of(ALIGN);
        Ok(a)
    }

    fn book(&mut self) -> Result<Codebook, String> {
        let a = self.next::<f32>(256)?;
        let mut b = [0f32; 256];
        b.copy_from_slice(&a);
        Ok(Codebook(Box::new(b)))
    }
}

/// Maps a model written by [`save`]: its arrays are views into the file. The structure is
/// validated (so that a corrupt file cannot make scoring panic), then the pages validation read
/// are released: only what scoring touches becomes resident again.
pub fn load(path: &Path) -> Result<(KnModel, ModelMeta), NgramError> {
    let bad = |reason: String| NgramError::ModelFormat {
        path: path.to_path_buf(),
        reason,
    };
    let file = MappedFile::open(path).map_err(|e| NgramError::io("reading", path, e))?;
    let bytes = file.bytes();
    let h = header(bytes).map_err(bad)?;
    if !(2..=MAX_ORDER).contains(&h.order) || h.vocab != VOCAB_SIZE {
        return Err(bad(format!(
            "unsupported order {} or vocabulary {}",
            h.order, h.vocab
        )));
    }
    let lens_end = HEAD + 8 * h.order;
    if bytes.len() < lens_end {
        return Err(bad("truncated".into()));
    }
    let lens: Vec<usize> = (0..h.order)
        .map(|i| usize::try_from(le_u64(bytes, HEAD + 8 * i)).unwrap_or(usize::MAX))
        .collect();
    if lens[0] != h.vocab {
        return Err(bad("unigram level does not cover the vocabulary".into()));
    }
    let mut s = Sections {
        file: &file,
        at: lens_end.next_multiple_of(ALIGN),
    };
    let trie = (|| -> Result<Trie<u8>, String> {
        let uni_logp = s.next::<f32>(h.vocab)?;
        let uni_backoff = s.next::<f32>(h.vocab)?;
        let mut levels = Vec::with_capacity(h.order);
        for (i, &n) in lens.iter().enumerate() {
            let mut l = Level::<u8>::default();
            l.books.logp = s.book()?;
            l.books.backoff = s.book()?;
            l.books.second = s.book()?;
            if i > 0 {
                l.words = s.next(n)?;
                l.by_prob = s.next(n)?;
            }
            if i + 1 < h.order {
                l.nodes = s.next(n.checked_add(1).ok_or("level too long")?)?;
                l.second = s.next(n)?;
            } else {
                l.leaves = s.next(n)?;
            }
            levels.push(l);
        }
        Ok(Trie {
            levels,
            uni_logp,
            uni_backoff,
        })
    })()
    .map_err(&bad)?;
    if s.at != bytes.len() {
        return Err(bad("trailing bytes".into()));
    }
    validate(&trie.levels).map_err(bad)?;
    let model = KnModel::from_repr(h.order, Repr::Coded(trie));
    file.release();
    Ok((model, h.meta))
}

/// Checks the indices that scoring follows, so that a corrupt file cannot make it panic.
fn validate<C: Code>(levels: &[Level<C>]) -> Result<(), String> {
    (0..levels.len())
        .into_par_iter()
        .try_for_each(|i| validate_level(levels, i))
}

/// [`validate`] for level `i + 1`.
fn validate_level<C: Code>(levels: &[Level<C>], i: usize) -> Result<(), String> {
    let order = levels.len();
    let l = &levels[i];
    {
        let n = l.len();
        let top_words = l.nodes.iter().take(n).map(|x| x.top_word);
        if l.words
            .iter()
            .copied()
            .chain(top_words)
            .any(|w| w as usize >= VOCAB_SIZE)
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
                if e - s > usize::from(u16::MAX)
                    || child.by_prob[s..e].iter().any(|&o| o as usize >= e - s)
                {
                    return Err(format!("level {}: bad child order", i + 2));
                }
            }
        }
        for leaf in l.leaves.iter() {
            let c = Ctx(leaf.link);
            let (s, e) = (
                leaf.next_start as usize,
                leaf.next_start as usize + usize::from(leaf.next_len),
            );
            let ok = leaf.link & HAS_CHILDREN == 0
                && if c.level() == 0 {
                    s == 0 && e == VOCAB_SIZE
                } else if c.level() > i {
                    false
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
        let links = l.nodes.iter().take(n).map(|x| x.link);
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
