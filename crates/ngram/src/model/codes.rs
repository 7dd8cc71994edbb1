//! How a level's values are stored: exact `f32`s (a freshly trained model) or 8-bit codes into
//! per-level codebooks of 256 values (a saved and loaded one). A leaf shared by both stores
//! (the trie of `model` and the bit-packed records of `packed`).

/// How a level stores its log-probabilities and backoff weights: exact `f32` values (a freshly
/// trained model) or 8-bit codes into a per-level codebook of 256 values (a saved and loaded one,
/// see the `quantize` module).
pub trait Code: Copy + Default + PartialEq + std::fmt::Debug + Send + Sync + 'static {
    /// The codebook (nothing for exact values).
    type Book: Clone + Default + PartialEq + std::fmt::Debug + Send + Sync;
    /// The value the code stands for.
    fn value(self, book: &Self::Book) -> f32;
}

impl Code for f32 {
    type Book = ();
    #[inline(always)]
    fn value(self, _: &()) -> f32 {
        self
    }
}

/// 256 values (natural logs), indexed by an 8-bit code.
#[derive(Debug, Clone, PartialEq)]
pub struct Codebook(pub Box<[f32; 256]>);

impl Default for Codebook {
    fn default() -> Self {
        Codebook(Box::new([0.0; 256]))
    }
}

impl Code for u8 {
    type Book = Codebook;
    #[inline(always)]
    fn value(self, book: &Codebook) -> f32 {
        book.0[usize::from(self)]
    }
}

/// The codebooks of one level.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Books<C: Code> {
    /// Of `logp`.
    pub logp: C::Book,
    /// Of `backoff`.
    pub backoff: C::Book,
    /// Of `second`.
    pub second: C::Book,
}
