//! The C allocator's settings for a process that runs the network. Scoring allocates and frees
//! buffers of several megabytes (a layer's dequantized matrix, attention scores, logits) on whichever
//! thread serves the request. glibc's allocator gives busy threads arenas of their own (up to eight a
//! core) and, after the first such buffer is freed, raises its mmap threshold so that later ones come
//! from those arenas, where freed memory mostly stays mapped: a server that scored Hamlet with all
//! four embedded models grew past 1.2 GB resident although it never held more than about 0.6 GB at
//! once. [`tune_allocator`] caps the arenas at two and fixes the mmap threshold at 32 MiB (glibc's
//! largest): the buffers of a forward pass (2-13 MB, allocated and freed thousands of times a
//! window) are reused from the two arenas, while only the rare larger one gets a mapping of its own.
//! A threshold of 1 MiB kept memory as low but mapped and zeroed fresh pages for every such buffer:
//! a quarter of the CPU time of a long scoring went to page faults. The trim threshold is raised to
//! 128 MiB for the same reason: at glibc's 128 KiB, freeing a buffer at the top of an arena gave its
//! pages back to the system and the next buffer faulted them in again (BENCHMARKS.md has the
//! figures).

/// Arenas the allocator may create (one a core on this project's 2-core machines).
pub const MALLOC_ARENAS: i32 = 2;
/// Allocations of at least this many bytes get their own mapping, unmapped when freed (32 MiB:
/// `DEFAULT_MMAP_THRESHOLD_MAX` on 64-bit glibc; setting it also stops glibc moving it).
pub const MALLOC_MMAP_THRESHOLD: i32 = 32 << 20;
/// Free memory at the top of an arena is given back to the system once it exceeds this many bytes.
pub const MALLOC_TRIM_THRESHOLD: i32 = 128 << 20;

/// Applies the settings above to glibc's allocator; does nothing on other C libraries. Call it once,
/// early, in a process that loads the network (`likely serve`, `likely eval`, the bench).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)] // a call into the C library, below
pub fn tune_allocator() {
    // SAFETY: `mallopt` takes two integers and only changes the allocator's parameters under its own
    // lock; no pointer is passed and every value is one glibc documents for these parameters.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, MALLOC_ARENAS);
        libc::mallopt(libc::M_MMAP_THRESHOLD, MALLOC_MMAP_THRESHOLD);
        libc::mallopt(libc::M_TRIM_THRESHOLD, MALLOC_TRIM_THRESHOLD);
    }
}

/// Applies the settings above to glibc's allocator; does nothing on other C libraries.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn tune_allocator() {}
