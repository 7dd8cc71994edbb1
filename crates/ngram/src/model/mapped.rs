//! Arrays that live either in the heap (a freshly trained model) or in a read-only memory map of a
//! model file (a loaded one), behind one slice type: loading is near instant, the pages are shared
//! between processes on one machine, and only the pages scoring touches become resident.
//!
//! This module holds the crate's `unsafe` code besides a prefetch hint. The safety argument:
//! - a model file is written to a temporary file and renamed into place ([`crate::format::storage::save`]):
//!   Likely never modifies a model file in place, so the mapped bytes do not change under us (a
//!   process truncating the file by hand would make reads fault, as with any memory-mapped file);
//! - the mapping is read-only and is kept alive by an [`Arc`] held by every view into it;
//! - a view is made only by [`MappedFile::array`], which checks the byte range against the map's
//!   length and the alignment and size of the element type (`bytemuck::try_cast_slice`), and only
//!   for plain-old-data types (every bit pattern valid, no padding), so any file content is a
//!   valid value; the scoring code checks every index it reads from the file against the arrays'
//!   bounds, so that any content is safe to score (see [`crate::format::storage`]).

use std::fmt;
use std::fs::File;
use std::ops::Deref;
use std::path::Path;
use std::ptr::NonNull;
use std::sync::Arc;

use bytemuck::Pod;
use memmap2::Mmap;

/// A read-only memory map of a whole file.
#[derive(Clone)]
pub(crate) struct MappedFile {
    map: Arc<Mmap>,
}

impl MappedFile {
    /// Maps `path` read-only.
    pub(crate) fn open(path: &Path) -> std::io::Result<MappedFile> {
        let file = File::open(path)?;
        // SAFETY: read-only map of a file Likely never modifies in place (see the module doc).
        let map = unsafe { Mmap::map(&file)? };
        Ok(MappedFile { map: Arc::new(map) })
    }

    /// The file's bytes.
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.map
    }

    /// A typed view of `len` elements at byte `offset`; an error when out of bounds or misaligned.
    pub(crate) fn array<T: Pod>(&self, offset: usize, len: usize) -> Result<Array<T>, String> {
        let bytes = len
            .checked_mul(std::mem::size_of::<T>())
            .and_then(|n| offset.checked_add(n))
            .and_then(|end| self.map.get(offset..end))
            .ok_or("truncated")?;
        let slice: &[T] = bytemuck::try_cast_slice(bytes).map_err(|e| format!("{e:?}"))?;
        Ok(Array::Mapped(View {
            _map: self.map.clone(),
            ptr: NonNull::from(slice).cast(),
            len: slice.len(),
        }))
    }
}

/// A slice into a [`MappedFile`], keeping the map alive.
pub(crate) struct View<T> {
    _map: Arc<Mmap>,
    ptr: NonNull<T>,
    len: usize,
}

// SAFETY: a view is an immutable slice of plain data inside a map owned through an `Arc`; sharing
// or sending it is as safe as sharing `&[T]` with `T: Sync`.
unsafe impl<T: Sync> Send for View<T> {}
// SAFETY: as above.
unsafe impl<T: Sync> Sync for View<T> {}

/// A read-only array: owned, or a view into a mapped file.
pub enum Array<T: 'static> {
    /// In the heap (training, tests).
    Owned(Vec<T>),
    /// In a mapped model file.
    #[allow(private_interfaces)]
    Mapped(View<T>),
}

impl<T> Deref for Array<T> {
    type Target = [T];

    #[inline(always)]
    fn deref(&self) -> &[T] {
        match self {
            Array::Owned(v) => v,
            // SAFETY: `ptr` and `len` come from a checked `&[T]` into the map that `_map` keeps
            // alive and that nothing mutates (see the module doc).
            Array::Mapped(v) => unsafe { std::slice::from_raw_parts(v.ptr.as_ptr(), v.len) },
        }
    }
}

impl<T> Default for Array<T> {
    fn default() -> Self {
        Array::Owned(Vec::new())
    }
}

impl<T> From<Vec<T>> for Array<T> {
    fn from(v: Vec<T>) -> Self {
        Array::Owned(v)
    }
}

impl<T: Clone> Clone for Array<T> {
    fn clone(&self) -> Self {
        match self {
            Array::Owned(v) => Array::Owned(v.clone()),
            Array::Mapped(v) => Array::Mapped(View {
                _map: v._map.clone(),
                ptr: v.ptr,
                len: v.len,
            }),
        }
    }
}

impl<T: PartialEq> PartialEq for Array<T> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl<T> fmt::Debug for Array<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self {
            Array::Owned(_) => "owned",
            Array::Mapped(_) => "mapped",
        };
        write!(f, "Array({kind}, {} items)", self.len())
    }
}

/// A read prefetch hint (a no-op on other architectures).
#[inline(always)]
pub(crate) fn prefetch_read(p: *const i8) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is only a hint: it never faults, even on an invalid address, and does
    // not change memory. `p` points into a live slice anyway.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p);
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}
