//! The on-disk model format: a header and the level arrays, little-endian, each section aligned
//! to 8 bytes, so that a loaded model's arrays are views into the memory-mapped file
//! (`crate::model::mapped`) and loading copies nothing and reads almost nothing.
//!
//! ```text
//! magic "LKNGRAM\0" | format version u32 | order u32 | vocab u32 | end-of-text u32 | fingerprint u64
//! | weight f64 | per level: length u64, contexts u64, sorted contexts u64, by_prob entries u64,
//!   field widths u64 (plain link level | link index << 8 | children start << 16 | context link
//!   level below the level below << 24, in bits; dense level << 32)
//! | dense contexts u64 | top-1 offsets u64
//! | unigram ln P f32* | unigram ln γ f32*
//! | per level: codebooks of logp, backoff, second (256 f32 each)
//!   | not level 1: words u16*, by_prob u16*, big_start u32*, big_at u32*
//!   | context bits u64* (sparse levels) | context records u64* | plain records u64*
//! | dense contexts (packed context u32)* | top-1 offsets (packed context << 32 | offset u64)*
//! ```
//! The end-of-text field is 0 when the end-of-text id is the vocabulary's last id (GPT-2's, and
//! every file written before the field was used: it was always 0), else that id + 1.
//! The records are bit-packed ([`crate::model::packed`]): a context record (codes of the
//! log-probability, backoff and second-best bound, top-1 source, suffix link, children start) for
//! each context and a final sentinel, a plain record (code of the log-probability, link) for each
//! other n-gram.
//! Values are the 8-bit codes of [`crate::format::quantize`] (the model is quantized when saved). The
//! fingerprint identifies what the model was trained from (corpus files, clean-up version,
//! order, ...); a cache whose fingerprint or format version differs is rebuilt, a file whose size
//! does not match its header (truncated, foreign) is refused. `weight` carries the interpolation
//! weight of an in-domain model (unused otherwise).
//!
//! Loading checks the header and that every section lies inside the file, and reads the unigrams
//! and the children of the few contexts with a dense index (`crate::model::dense`): nothing else, so
//! that a server is ready at once and only the pages scoring touches become resident. The indices
//! inside the sections are not validated up front: the scoring code checks every index it reads
//! from the file against the arrays' bounds ([`crate::model`]), so that a corrupt file gives wrong
//! figures, never a panic, an out-of-bounds read or an endless loop.

use std::fs;
use std::io::{BufWriter, Write};
use std::path::Path;

use bytemuck::Pod;

use crate::error::NgramError;
use crate::format::quantize::quantize;
use crate::model::mapped::{Array, MappedFile};
use crate::model::packed::{Packed, PackedLevel, Widths};
use crate::model::{Codebook, KnModel, Repr, MAX_LEVEL_LEN, MAX_ORDER};
use crate::vocab::Vocab;

// The sections are written and mapped in the machine's byte order, which the format fixes to
// little-endian.
const _: () = assert!(
    cfg!(target_endian = "little"),
    "the model format is little-endian"
);

const MAGIC: &[u8; 8] = b"LKNGRAM\0";
/// Bumped whenever the layout or the meaning of a field changes.
pub const FORMAT_VERSION: u32 = 8;
/// Bytes of the header before the level lengths.
const HEAD: usize = 40;
/// Header fields (u64) per level.
const PER_LEVEL: usize = 5;
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
    vocab: Vocab,
    t: &Packed,
    dense: &[u32],
    meta: &ModelMeta,
) -> std::io::Result<()> {
    out.bytes(MAGIC)?;
    out.bytes(&FORMAT_VERSION.to_le_bytes())?;
    out.bytes(&(order as u32).to_le_bytes())?;
    out.bytes(&(t.uni_logp.len() as u32).to_le_bytes())?;
    out.bytes(&eot_field(vocab).to_le_bytes())?;
    out.bytes(&meta.fingerprint.to_le_bytes())?;
    out.bytes(&meta.weight.to_bits().to_le_bytes())?;
    for l in &t.levels {
        let w = l.widths;
        let widths = u64::from(w.lvl)
            | u64::from(w.idx) << 8
            | u64::from(w.start) << 16
            | u64::from(w.ctx_lvl) << 24
            | u64::from(w.dense) << 32;
        for n in [
            l.len as u64,
            l.contexts as u64,
            l.big_start.len() as u64,
            l.by_prob.len() as u64,
            widths,
        ] {
            out.bytes(&n.to_le_bytes())?;
        }
    }
    out.bytes(&(dense.len() as u64).to_le_bytes())?;
    out.bytes(&(t.best.len() as u64).to_le_bytes())?;
    out.section(&t.uni_logp)?;
    out.section(&t.uni_backoff)?;
    for (i, l) in t.levels.iter().enumerate() {
        for book in [&l.books.logp, &l.books.backoff, &l.books.second] {
            out.section(&book.0[..])?;
        }
        if i > 0 {
            out.section(&l.words)?;
            out.section(&l.by_prob)?;
            out.section(&l.big_start)?;
            out.section(&l.big_at)?;
        }
        out.section(&l.has)?;
        out.section(&l.ctx)?;
        out.section(&l.plain)?;
    }
    out.section(dense)?;
    out.section(&t.best)?;
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
    let dense = coded.dense_contexts();
    write_model(&mut out, model.order, model.vocab, t, &dense, meta)
        .map_err(|e| NgramError::io("writing", &tmp, e))?;
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

/// The header's end-of-text field of `vocab` (see the module doc).
fn eot_field(vocab: Vocab) -> u32 {
    if vocab.eot() as usize + 1 == vocab.size() {
        0
    } else {
        vocab.eot() + 1
    }
}

/// The fixed header fields.
struct Header {
    order: usize,
    vocab: usize,
    /// The end-of-text field (see [`eot_field`]).
    eot: u32,
    meta: ModelMeta,
}

impl Header {
    /// The vocabulary the header describes, if a model can have it.
    fn vocab(&self) -> Result<Vocab, NgramError> {
        let eot = match self.eot {
            0 => self.vocab.saturating_sub(1) as u32,
            e => e - 1,
        };
        Vocab::new(self.vocab, eot)
    }
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
        eot: le_u32(head, 20),
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

/// A section of a model file: its level (0 for the unigram values and the dense list), its name,
/// and its bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    /// The level it belongs to (0: none).
    pub level: usize,
    /// What it holds.
    pub name: &'static str,
    /// Where its bytes are in the file.
    pub bytes: std::ops::Range<usize>,
}

/// Takes the mapped sections in order, checking bounds and alignment.
struct Sections<'a> {
    file: &'a MappedFile,
    at: usize,
    level: usize,
    spans: Vec<Span>,
}

impl Sections<'_> {
    fn next<T: Pod>(&mut self, name: &'static str, len: usize) -> Result<Array<T>, String> {
        let a = self.file.array::<T>(self.at, len)?;
        let bytes = len * std::mem::size_of::<T>();
        self.spans.push(Span {
            level: self.level,
            name,
            bytes: self.at..self.at + bytes,
        });
        self.at = (self.at + bytes).next_multiple_of(ALIGN);
        Ok(a)
    }

    fn book(&mut self) -> Result<Codebook, String> {
        let a = self.next::<f32>("codebook", 256)?;
        let mut b = [0f32; 256];
        b.copy_from_slice(&a);
        Ok(Codebook(Box::new(b)))
    }
}

/// Maps a model written by [`save`]: its arrays are views into the file. Checks the header and
/// the sections' bounds only (see the module doc): loading is near instant.
pub fn load(path: &Path) -> Result<(KnModel, ModelMeta), NgramError> {
    load_with_layout(path).map(|(m, meta, _)| (m, meta))
}

/// [`load`], with where each section of the file is (for size reports and tests).
pub fn load_with_layout(path: &Path) -> Result<(KnModel, ModelMeta, Vec<Span>), NgramError> {
    let bad = |reason: String| NgramError::ModelFormat {
        path: path.to_path_buf(),
        reason,
    };
    let file = MappedFile::open(path).map_err(|e| NgramError::io("reading", path, e))?;
    let bytes = file.bytes();
    let h = header(bytes).map_err(bad)?;
    if !(2..=MAX_ORDER).contains(&h.order) {
        return Err(bad(format!("unsupported order {}", h.order)));
    }
    let vocab = h.vocab().map_err(|e| bad(e.to_string()))?;
    let lens_end = HEAD + 8 * (PER_LEVEL * h.order + 2);
    if bytes.len() < lens_end {
        return Err(bad("truncated".into()));
    }
    let field = |i: usize| usize::try_from(le_u64(bytes, HEAD + 8 * i)).unwrap_or(usize::MAX);
    let lens: Vec<[usize; PER_LEVEL]> = (0..h.order)
        .map(|i| std::array::from_fn(|k| field(PER_LEVEL * i + k)))
        .collect();
    let dense_len = field(PER_LEVEL * h.order);
    let best_len = field(PER_LEVEL * h.order + 1);
    if lens[0][0] != h.vocab {
        return Err(bad("unigram level does not cover the vocabulary".into()));
    }
    let mut s = Sections {
        file: &file,
        at: lens_end.next_multiple_of(ALIGN),
        level: 0,
        spans: Vec::new(),
    };
    let (trie, dense) = (|| -> Result<(Packed, Array<u32>), String> {
        let uni_logp = s.next::<f32>("unigram ln P", h.vocab)?;
        let uni_backoff = s.next::<f32>("unigram ln γ", h.vocab)?;
        let mut levels = Vec::with_capacity(h.order);
        for (i, &[n, contexts, big, sorted, widths]) in lens.iter().enumerate() {
            let top = i + 1 == h.order;
            let widths = Widths {
                lvl: (widths & 0xFF) as u32,
                idx: (widths >> 8 & 0xFF) as u32,
                start: (widths >> 16 & 0xFF) as u32,
                ctx_lvl: (widths >> 24 & 0xFF) as u32,
                dense: widths >> 32 & 1 != 0,
            };
            if !widths.valid()
                || contexts > n
                || (top && (contexts != 0 || widths.dense))
                || n > MAX_LEVEL_LEN
            {
                return Err("bad level header".into());
            }
            s.level = i + 1;
            let mut l = PackedLevel {
                level: i + 1,
                len: n,
                contexts,
                widths,
                ..PackedLevel::default()
            };
            l.books.logp = s.book()?;
            l.books.backoff = s.book()?;
            l.books.second = s.book()?;
            if i > 0 {
                l.words = s.next("tokens", n)?;
                l.by_prob = s.next("children order", sorted)?;
                l.big_start = s.next("sorted contexts' starts", big)?;
                l.big_at = s.next("sorted contexts' lists", big)?;
            }
            let [has, ctx, plain] = PackedLevel::word_counts(n, contexts, top, widths);
            l.has = s.next("context bits", has)?;
            l.ctx = s.next("context records", ctx)?;
            l.plain = s.next("plain records", plain)?;
            l.index();
            levels.push(l);
        }
        s.level = 0;
        let dense = s.next::<u32>("dense contexts", dense_len)?;
        let best = s.next::<u64>("top-1 offsets", best_len)?;
        let mut trie = Packed {
            levels,
            uni_logp,
            uni_backoff,
            best,
            ..Packed::default()
        };
        trie.index_best();
        Ok((trie, dense))
    })()
    .map_err(&bad)?;
    if s.at != bytes.len() {
        return Err(bad("trailing bytes".into()));
    }
    let model = KnModel::with_dense(h.order, vocab, Repr::Coded(trie), &dense);
    Ok((model, h.meta, s.spans))
}
