//! The network's matrices kept as the GGUF stores them (Q4_1 for the layers, Q8_0 for the
//! embedding): 4.5 or 8.5 bits a weight instead of 32.
//!
//! - **One row in** (generation: one token at a time) is a matrix-vector product computed straight
//!   from the blocks, one share of the rows per thread. Generating is bound by the bytes each token
//!   reads: about 110 MB quantized against 538 MB as f32.
//! - **A few dozen rows in** (a short prompt, the projection onto the vocabulary) go through
//!   [`QMatrix::matmul_rows`]: each thread dequantizes a share of weight rows into a buffer that
//!   stays in its cache and multiplies every input row by it in register tiles.
//! - **Many rows in** (scoring a window, a long prompt's prefill) dequantize the matrix to f32 for
//!   that call (a few milliseconds a layer) and use candle's matmul, which is what wins when the
//!   weights are reused across a thousand rows.
//!
//! Block layouts (ggml's): Q4_1 = `d: f16, m: f16, 16 bytes` for 32 weights, weight `j` of the block
//! is `d · q + m` with `q` the low nibble of byte `j` (j < 16) or the high nibble of byte `j − 16`;
//! Q8_0 = `d: f16, 32 × i8`, weight `d · q`. The product `Σ xⱼ (d qⱼ + m)` is computed as
//! `d Σ xⱼ qⱼ + m Σ xⱼ`, in f32 with lanes accumulated apart; it differs from the dequantized
//! matmul's only by rounding (about 1e-6 relative).
//!
//! The kernels are plain loops that the compiler vectorises; `pulp` runs them compiled for the
//! best instruction set the CPU has (AVX2 and FMA where present), found at run time.

use candle_core::{Device, Tensor};
use half::f16;
use rayon::prelude::*;

use crate::error::LmError;

/// Weights per block, both kinds.
const BLOCK: usize = 32;

/// How a matrix's blocks are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `d: f16, m: f16, 16 bytes of nibbles`: 20 bytes a block.
    Q4_1,
    /// `d: f16, 32 × i8`: 34 bytes a block.
    Q8_0,
    /// Plain f32 (any other type of the file, dequantized at load; tiny test models use it).
    F32,
}

impl Kind {
    /// Bytes of one block in the file.
    fn block_bytes(self) -> usize {
        match self {
            Kind::Q4_1 => 20,
            Kind::Q8_0 => 34,
            Kind::F32 => 4 * BLOCK,
        }
    }

    /// Bytes of one block's quants.
    fn quant_bytes(self) -> usize {
        match self {
            Kind::Q4_1 => 16,
            Kind::Q8_0 => 32,
            Kind::F32 => 0,
        }
    }
}

/// A `(rows, cols)` matrix of quantized rows, its blocks' scales unpacked to f32 at load (an f16
/// conversion per block in the inner loop would cost more than the block's arithmetic).
#[derive(Debug, Clone)]
pub(crate) struct QMatrix {
    kind: Kind,
    rows: usize,
    cols: usize,
    /// Each block's `d`, row after row.
    scales: Vec<f32>,
    /// Each block's `m` (Q4_1 only).
    mins: Vec<f32>,
    /// Each block's quants: 16 bytes of nibbles (Q4_1) or 32 × i8 as bytes (Q8_0).
    quants: Vec<u8>,
    /// The weights of an F32 matrix, row after row.
    dense: Vec<f32>,
}

impl QMatrix {
    /// The matrix of ggml's `bytes` (rows one after another, each `cols / 32` blocks); `None` when
    /// the sizes disagree.
    pub(crate) fn new(kind: Kind, rows: usize, cols: usize, bytes: Vec<u8>) -> Option<QMatrix> {
        let block_bytes = kind.block_bytes();
        if kind == Kind::F32
            || !cols.is_multiple_of(BLOCK)
            || bytes.len() != rows * (cols / BLOCK) * block_bytes
        {
            return None;
        }
        let blocks = bytes.len() / block_bytes;
        let mut m = QMatrix {
            kind,
            rows,
            cols,
            scales: Vec::with_capacity(blocks),
            mins: Vec::new(),
            quants: Vec::with_capacity(blocks * kind.quant_bytes()),
            dense: Vec::new(),
        };
        for block in bytes.chunks_exact(block_bytes) {
            m.scales.push(scale(&block[0..2]));
            match kind {
                Kind::Q4_1 => {
                    m.mins.push(scale(&block[2..4]));
                    m.quants.extend_from_slice(&block[4..20]);
                }
                Kind::Q8_0 => m.quants.extend_from_slice(&block[2..34]),
                Kind::F32 => return None,
            }
        }
        Some(m)
    }

    /// A plain f32 `(rows, cols)` matrix, any width.
    pub(crate) fn dense(rows: usize, cols: usize, weights: Vec<f32>) -> Option<QMatrix> {
        (weights.len() == rows * cols).then_some(QMatrix {
            kind: Kind::F32,
            rows,
            cols,
            scales: Vec::new(),
            mins: Vec::new(),
            quants: Vec::new(),
            dense: weights,
        })
    }

    /// The rows of `parts`, in order, as one matrix (all of one width; parts of different kinds
    /// are stacked as f32).
    pub(crate) fn stack(parts: Vec<QMatrix>) -> Option<QMatrix> {
        let first = parts.first()?;
        let (kind, cols) = (first.kind, first.cols);
        if parts.iter().any(|p| p.cols != cols) {
            return None;
        }
        if parts.iter().any(|p| p.kind != kind) {
            let rows = parts.iter().map(|p| p.rows).sum();
            let mut weights = vec![0f32; rows * cols];
            let all_rows = parts.iter().flat_map(|p| (0..p.rows).map(move |r| (p, r)));
            for ((p, r), ys) in all_rows.zip(weights.chunks_exact_mut(cols)) {
                p.dequantize_row(r, ys);
            }
            return QMatrix::dense(rows, cols, weights);
        }
        let mut m = QMatrix {
            kind,
            rows: 0,
            cols,
            scales: Vec::new(),
            mins: Vec::new(),
            quants: Vec::new(),
            dense: Vec::new(),
        };
        for p in parts {
            m.rows += p.rows;
            m.scales.extend(p.scales);
            m.mins.extend(p.mins);
            m.quants.extend(p.quants);
            m.dense.extend(p.dense);
        }
        Some(m)
    }

    /// Rows.
    pub(crate) fn rows(&self) -> usize {
        self.rows
    }

    /// Blocks in a row.
    fn row_blocks(&self) -> usize {
        self.cols / BLOCK
    }

    /// Row `r` of an F32 matrix.
    #[inline(always)]
    fn dense_row(&self, r: usize) -> &[f32] {
        &self.dense[r * self.cols..(r + 1) * self.cols]
    }

    /// Row `r`'s scales, mins (empty for Q8_0) and quants (quantized kinds only).
    #[inline(always)]
    fn row(&self, r: usize) -> (&[f32], &[f32], &[u8]) {
        let nb = self.row_blocks();
        let blocks = r * nb..(r + 1) * nb;
        let mins = match self.kind {
            Kind::Q4_1 => &self.mins[blocks.clone()],
            Kind::Q8_0 | Kind::F32 => &[],
        };
        let q = self.kind.quant_bytes();
        (
            &self.scales[blocks.clone()],
            mins,
            &self.quants[blocks.start * q..blocks.end * q],
        )
    }

    /// The matrix as f32 `(rows, cols)`, rows dequantized in parallel.
    pub(crate) fn dequantize(&self) -> Result<Tensor, LmError> {
        if self.kind == Kind::F32 {
            return Ok(Tensor::from_slice(
                &self.dense,
                (self.rows, self.cols),
                &Device::Cpu,
            )?);
        }
        let mut out = vec![0f32; self.rows * self.cols];
        out.par_chunks_mut(self.cols)
            .enumerate()
            .for_each(|(r, ys)| self.dequantize_row(r, ys));
        Ok(Tensor::from_vec(out, (self.rows, self.cols), &Device::Cpu)?)
    }

    /// Row `r`'s weights into `ys` (inlined: vectorised for the instruction set of its caller).
    #[inline(always)]
    fn dequantize_row(&self, r: usize, ys: &mut [f32]) {
        if self.kind == Kind::F32 {
            ys.copy_from_slice(self.dense_row(r));
            return;
        }
        let (scales, mins, quants) = self.row(r);
        let blocks = ys.chunks_exact_mut(BLOCK).enumerate();
        match self.kind {
            Kind::Q4_1 => {
                for (b, ys) in blocks {
                    let (d, m) = (scales[b], mins[b]);
                    let (lo, hi) = ys.split_at_mut(BLOCK / 2);
                    let qs = &quants[b * 16..b * 16 + 16];
                    for ((q, l), h) in qs.iter().zip(lo).zip(hi) {
                        *l = f32::from(q & 0x0F) * d + m;
                        *h = f32::from(q >> 4) * d + m;
                    }
                }
            }
            Kind::Q8_0 => {
                for (b, ys) in blocks {
                    let d = scales[b];
                    for (q, y) in quants[b * BLOCK..b * BLOCK + BLOCK].iter().zip(ys) {
                        *y = f32::from(*q as i8) * d;
                    }
                }
            }
            Kind::F32 => {}
        }
    }

    /// Rows `ids` dequantized, one after another (`ids.len() × cols`): an embedding look-up.
    pub(crate) fn rows_f32(&self, ids: &[u32]) -> Vec<f32> {
        let mut out = vec![0f32; ids.len() * self.cols];
        for (&id, ys) in ids.iter().zip(out.chunks_exact_mut(self.cols)) {
            self.dequantize_row(id as usize, ys);
        }
        out
    }

    /// `self · x` for one input vector `x` (`cols` long): `rows` outputs.
    pub(crate) fn matvec(&self, x: &[f32]) -> Vec<f32> {
        debug_assert_eq!(x.len(), self.cols);
        let block_sums: Vec<f32> = x.chunks_exact(BLOCK).map(|c| c.iter().sum()).collect();
        let mut out = vec![0f32; self.rows];
        out.par_chunks_mut(SHARE)
            .enumerate()
            .for_each(|(share, ys)| {
                pulp::Arch::new().dispatch(Share {
                    matrix: self,
                    first: share * SHARE,
                    x,
                    block_sums: &block_sums,
                    ys,
                })
            });
        out
    }

    /// `x · selfᵀ` for `m` input rows (`x` is `m × cols`, row after row): `m × rows` outputs, row
    /// after row. Each thread dequantizes a share of [`TILE_SHARE`] weight rows into a buffer that
    /// stays in its cache and multiplies every input row by it, so a call reads the quantized matrix
    /// once and never writes the f32 matrix to memory nor packs it (what dominated short prompts
    /// through the dequantized matmul). For a few dozen rows; many rows are faster through candle's
    /// matmul.
    pub(crate) fn matmul_rows(&self, x: &[f32], m: usize) -> Vec<f32> {
        let (n, cols) = (self.rows, self.cols);
        debug_assert_eq!(x.len(), m * cols);
        let blocks: Vec<Vec<f32>> = (0..n.div_ceil(TILE_SHARE))
            .into_par_iter()
            .map(|share| {
                let first = share * TILE_SHARE;
                let count = TILE_SHARE.min(n - first);
                let mut out = vec![0f32; m * count];
                pulp::Arch::new().dispatch(Tile {
                    matrix: self,
                    first,
                    count,
                    x,
                    out: &mut out,
                });
                out
            })
            .collect();
        let mut y = vec![0f32; m * n];
        for (share, block) in blocks.iter().enumerate() {
            let (first, count) = (share * TILE_SHARE, block.len() / m.max(1));
            for (r, part) in block.chunks_exact(count.max(1)).enumerate() {
                y[r * n + first..r * n + first + count].copy_from_slice(part);
            }
        }
        y
    }
}

/// Rows per share of a matrix-vector product: enough for the threads to balance, few enough that
/// sharing costs nothing.
const SHARE: usize = 64;

/// Weight rows per share of [`QMatrix::matmul_rows`]: a multiple of the tiles' 3, 4 and 6, and of
/// every width of the network's matrices (576, 960, 3,072, 49,152), small enough that a share of
/// the widest (1,536) stays in a core's 512 KB second-level cache.
const TILE_SHARE: usize = 48;

/// One share of [`QMatrix::matmul_rows`]: `out[r · count + o] = x_r · w_o` for the matrix's rows
/// `w_o`, `o` in `first..first + count`, and every input row `x_r`.
struct Tile<'a> {
    matrix: &'a QMatrix,
    first: usize,
    count: usize,
    x: &'a [f32],
    out: &'a mut [f32],
}

impl pulp::WithSimd for Tile<'_> {
    type Output = ();

    // Register tiles of input rows × weight rows: 4 × 3 for most of the product (twelve
    // accumulators; each weight vector loaded serves four rows, each input vector three weights),
    // then the rows that remain in tiles of 3 × 4, 2 × 6 or 1 × 6 (never fewer than six
    // independent accumulators, so the adds never wait on each other).
    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, simd: S) {
        let Tile {
            matrix,
            first,
            count,
            x,
            out,
        } = self;
        let cols = matrix.cols;
        let m = x.len() / cols;
        // Taken out of the thread-local and put back, rather than used in `with`'s closure: a
        // closure would be compiled without the instruction set `pulp` dispatched to.
        let mut dense = DENSE.take();
        // The share's weights as f32 (110 KB for 48 rows of 576: they stay in the core's
        // cache while every input row is multiplied by them). The buffer is the thread's own,
        // kept between calls: every value is written before it is read, so it is never zeroed.
        if dense.len() < count * cols {
            dense.resize(count * cols, 0.0);
        }
        let w = &mut dense[..count * cols];
        for (i, ys) in w.chunks_exact_mut(cols).enumerate() {
            matrix.dequantize_row(first + i, ys);
        }
        let w: &[f32] = w;
        let lanes = std::mem::size_of::<S::f32s>() / std::mem::size_of::<f32>();
        if cols % lanes != 0 {
            // Only tiny test matrices: every matrix of the network is a multiple of 32 wide.
            for r in 0..m {
                for o in 0..count {
                    out[r * count + o] = x[r * cols..(r + 1) * cols]
                        .iter()
                        .zip(&w[o * cols..(o + 1) * cols])
                        .map(|(a, b)| a * b)
                        .sum();
                }
            }
            DENSE.set(dense);
            return;
        }
        let at = Tiles { x, w, cols, count };
        let m4 = m / 4 * 4;
        for r in (0..m4).step_by(4) {
            at.rows::<S, 4, 3>(simd, r, out);
        }
        match m - m4 {
            3 => at.rows::<S, 3, 4>(simd, m4, out),
            2 => at.rows::<S, 2, 6>(simd, m4, out),
            1 => at.rows::<S, 1, 6>(simd, m4, out),
            _ => {}
        }
        DENSE.set(dense);
    }
}

thread_local! {
    /// Each thread's buffer for the share of weights [`Tile`] dequantizes.
    static DENSE: std::cell::Cell<Vec<f32>> = const { std::cell::Cell::new(Vec::new()) };
}

/// Input rows `x` against a share's `count` dequantized weight rows `w`, all `cols` wide (a
/// multiple of the SIMD width).
struct Tiles<'a> {
    x: &'a [f32],
    w: &'a [f32],
    cols: usize,
    count: usize,
}

impl Tiles<'_> {
    /// `out[(r + i) · count + o] = x_{r+i} · w_o` for `i < R` and every `o`: the weight rows in
    /// tiles of `C`, the last ones (fewer than `C`) one at a time.
    #[inline(always)]
    fn rows<S: pulp::Simd, const R: usize, const C: usize>(
        &self,
        simd: S,
        r: usize,
        out: &mut [f32],
    ) {
        let (cols, count) = (self.cols, self.count);
        let xs: [&[S::f32s]; R] = std::array::from_fn(|i| vectors::<S>(self.x, r + i, cols));
        let whole = count / C * C;
        for o in (0..whole).step_by(C) {
            let ws: [&[S::f32s]; C] = std::array::from_fn(|j| vectors::<S>(self.w, o + j, cols));
            let mut acc = [[simd.splat_f32s(0.0); C]; R];
            // No closure may touch a SIMD value here: it would be compiled without the
            // instruction set `pulp` dispatched to, and every vector would go through memory.
            let n = xs[0].len();
            for k in 0..n {
                let mut wk = [simd.splat_f32s(0.0); C];
                for j in 0..C {
                    wk[j] = ws[j][k];
                }
                for i in 0..R {
                    let a = xs[i][k];
                    for j in 0..C {
                        acc[i][j] = simd.mul_add_f32s(a, wk[j], acc[i][j]);
                    }
                }
            }
            for i in 0..R {
                for j in 0..C {
                    out[(r + i) * count + o + j] = simd.reduce_sum_f32s(acc[i][j]);
                }
            }
        }
        for o in whole..count {
            let wo = vectors::<S>(self.w, o, cols);
            for i in 0..R {
                // Two accumulators: the chain of adds is half as long.
                let (mut a0, mut a1) = (simd.splat_f32s(0.0), simd.splat_f32s(0.0));
                let pairs = xs[i].len() / 2 * 2;
                for k in (0..pairs).step_by(2) {
                    a0 = simd.mul_add_f32s(xs[i][k], wo[k], a0);
                    a1 = simd.mul_add_f32s(xs[i][k + 1], wo[k + 1], a1);
                }
                if pairs < xs[i].len() {
                    a0 = simd.mul_add_f32s(xs[i][pairs], wo[pairs], a0);
                }
                out[(r + i) * count + o] = simd.reduce_sum_f32s(simd.add_f32s(a0, a1));
            }
        }
    }
}

/// One thread's share of a matrix-vector product: rows `first..first + ys.len()`.
struct Share<'a> {
    matrix: &'a QMatrix,
    first: usize,
    x: &'a [f32],
    block_sums: &'a [f32],
    ys: &'a mut [f32],
}

impl pulp::WithSimd for Share<'_> {
    type Output = ();

    // Inlined into pulp's function compiled for the detected instruction set, with the dot products
    // inlined into it: the compiler vectorises their lanes with that set (AVX2 + FMA here).
    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) {
        let m = self.matrix;
        for (i, y) in self.ys.iter_mut().enumerate() {
            let r = self.first + i;
            *y = match m.kind {
                Kind::Q4_1 => {
                    let (scales, mins, quants) = m.row(r);
                    dot_q4_1(scales, mins, quants, self.x, self.block_sums)
                }
                Kind::Q8_0 => {
                    let (scales, _, quants) = m.row(r);
                    dot_q8_0(scales, quants, self.x)
                }
                Kind::F32 => dot_f32(m.dense_row(r), self.x),
            };
        }
    }
}

/// Row `i` of the row-major `data` (`cols` wide) as SIMD vectors (the tail, if any, left out).
#[inline(always)]
fn vectors<S: pulp::Simd>(data: &[f32], i: usize, cols: usize) -> &[S::f32s] {
    S::as_simd_f32s(&data[i * cols..(i + 1) * cols]).0
}

/// The f16 at `bytes[0..2]` (little-endian) as f32.
fn scale(bytes: &[u8]) -> f32 {
    f16::from_le_bytes([bytes[0], bytes[1]]).to_f32()
}

/// `Σ row · x` for one Q4_1 row, `block_sums[b]` = the sum of `x`'s block `b`.
#[inline(always)]
fn dot_q4_1(scales: &[f32], mins: &[f32], quants: &[u8], x: &[f32], block_sums: &[f32]) -> f32 {
    let mut lanes = [0f32; BLOCK / 2];
    let blocks = quants.chunks_exact(16).zip(x.chunks_exact(BLOCK));
    for ((qs, x), d) in blocks.zip(scales) {
        let (x_lo, x_hi) = x.split_at(BLOCK / 2);
        for j in 0..BLOCK / 2 {
            let q = qs[j];
            lanes[j] += d * (x_lo[j] * f32::from(q & 0x0F) + x_hi[j] * f32::from(q >> 4));
        }
    }
    let offset: f32 = mins.iter().zip(block_sums).map(|(m, s)| m * s).sum();
    lanes.iter().sum::<f32>() + offset
}

/// `Σ row · x` for one f32 row, in eight lanes (one running sum would be a chain the compiler may
/// not turn into vectors). Inlined into a `pulp` kernel, it is compiled for that kernel's CPU.
#[inline(always)]
pub(crate) fn dot_f32(row: &[f32], x: &[f32]) -> f32 {
    let mut lanes = [0f32; 8];
    let (whole, rest) = (row.len() / 8 * 8, row.len() % 8);
    for (w, x) in row[..whole].chunks_exact(8).zip(x[..whole].chunks_exact(8)) {
        for j in 0..8 {
            lanes[j] += w[j] * x[j];
        }
    }
    let tail: f32 = (0..rest).map(|j| row[whole + j] * x[whole + j]).sum();
    lanes.iter().sum::<f32>() + tail
}

/// `Σ row · x` for one Q8_0 row.
#[inline(always)]
fn dot_q8_0(scales: &[f32], quants: &[u8], x: &[f32]) -> f32 {
    let mut lanes = [0f32; BLOCK];
    for ((qs, x), d) in quants
        .chunks_exact(BLOCK)
        .zip(x.chunks_exact(BLOCK))
        .zip(scales)
    {
        for j in 0..BLOCK {
            lanes[j] += d * (x[j] * f32::from(qs[j] as i8));
        }
    }
    lanes.iter().sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Q4_1 block of `d`, `m` and nibbles `q[0..32]`.
    fn q4_1_block(d: f32, m: f32, q: &[u8; 32]) -> Vec<u8> {
        let mut b = Vec::with_capacity(20);
        b.extend_from_slice(&f16::from_f32(d).to_le_bytes());
        b.extend_from_slice(&f16::from_f32(m).to_le_bytes());
        for j in 0..16 {
            b.push(q[j] | (q[j + 16] << 4));
        }
        b
    }

    fn q8_0_block(d: f32, q: &[i8; 32]) -> Vec<u8> {
        let mut b = f16::from_f32(d).to_le_bytes().to_vec();
        b.extend(q.iter().map(|&v| v as u8));
        b
    }

    fn naive(m: &QMatrix, x: &[f32]) -> Vec<f32> {
        let dense = m.dequantize().and_then(|t| Ok(t.to_vec2::<f32>()?));
        let dense = dense.unwrap_or_default();
        dense
            .iter()
            .map(|row| row.iter().zip(x).map(|(w, x)| w * x).sum())
            .collect()
    }

    #[test]
    fn q4_1_dequantizes_as_ggml_and_matvec_matches_the_dense_product() {
        let mut bytes = Vec::new();
        let rows = 70; // more than one share of 64 rows
        for r in 0..rows {
            for b in 0..3 {
                let q: [u8; 32] = std::array::from_fn(|j| ((j * 7 + r + b) % 16) as u8);
                bytes.extend(q4_1_block(0.01 * (r + 1) as f32, -0.05 * b as f32, &q));
            }
        }
        let m = QMatrix::new(Kind::Q4_1, rows, 96, bytes).unwrap_or_else(|| panic!("sizes"));
        let dense = m.dequantize().and_then(|t| Ok(t.to_vec2::<f32>()?));
        let dense = dense.unwrap_or_default();
        // Row 0, block 0: q[j] = 7j mod 16, d = 0.01, m = 0.
        let d = f16::from_f32(0.01).to_f32();
        assert_eq!(dense[0][1], 7.0 * d);
        assert_eq!(dense[0][17], ((7 * 17) % 16) as f32 * d);
        let x: Vec<f32> = (0..96).map(|i| ((i % 13) as f32 - 6.0) * 0.1).collect();
        for (a, b) in m.matvec(&x).iter().zip(naive(&m, &x)) {
            assert!((a - b).abs() <= 1e-5 * b.abs().max(1.0), "{a} vs {b}");
        }
    }

    #[test]
    fn matmul_rows_matches_the_dense_product_for_any_row_counts() {
        let mut bytes = Vec::new();
        let rows = 70; // a share of 48 and one of 22: whole tiles and the weight rows they leave
        for r in 0..rows {
            for b in 0..3 {
                let q: [u8; 32] = std::array::from_fn(|j| ((j * 5 + 3 * r + b) % 16) as u8);
                bytes.extend(q4_1_block(
                    0.02 * (r % 7 + 1) as f32,
                    0.03 * b as f32 - 0.04,
                    &q,
                ));
            }
        }
        let w = QMatrix::new(Kind::Q4_1, rows, 96, bytes).unwrap_or_else(|| panic!("sizes"));
        // Every tile shape: 4 × 3 alone (4, 8) and followed by 3 × 4, 2 × 6 and 1 × 6 (7, 6, 5;
        // 3, 2, 1 without it).
        for m in 1..=8 {
            let x: Vec<f32> = (0..m * 96)
                .map(|i| ((i % 17) as f32 - 8.0) * 0.07)
                .collect();
            let got = w.matmul_rows(&x, m);
            assert_eq!(got.len(), m * rows);
            for r in 0..m {
                let want = naive(&w, &x[r * 96..(r + 1) * 96]);
                for (o, b) in want.iter().enumerate() {
                    let a = got[r * rows + o];
                    assert!(
                        (a - b).abs() <= 1e-5 * b.abs().max(1.0),
                        "m {m} row {r} out {o}: {a} vs {b}"
                    );
                }
            }
        }
        // An f32 matrix of a width that is no multiple of the vector width: no tiles, same products.
        let dense = QMatrix::dense(5, 13, (0..65).map(|i| i as f32 * 0.01).collect());
        let dense = dense.unwrap_or_else(|| panic!("dense"));
        let x: Vec<f32> = (0..26).map(|i| 1.0 - i as f32 * 0.05).collect();
        let got = dense.matmul_rows(&x, 2);
        for r in 0..2 {
            for (o, b) in naive(&dense, &x[r * 13..(r + 1) * 13]).iter().enumerate() {
                assert!(
                    (got[r * 5 + o] - b).abs() <= 1e-5,
                    "{} vs {b}",
                    got[r * 5 + o]
                );
            }
        }
    }

    #[test]
    fn q8_0_matvec_matches_the_dense_product_and_stacking_keeps_rows() {
        let block = |r: usize| {
            let q: [i8; 32] = std::array::from_fn(|j| (j as i8 - 16) * (r as i8 + 1));
            q8_0_block(0.02, &q)
        };
        let a = QMatrix::new(Kind::Q8_0, 1, 32, block(0)).unwrap_or_else(|| panic!("a"));
        let b = QMatrix::new(Kind::Q8_0, 2, 32, [block(1), block(2)].concat());
        let b = b.unwrap_or_else(|| panic!("b"));
        let m = QMatrix::stack(vec![a, b]).unwrap_or_else(|| panic!("stack"));
        assert_eq!(m.rows(), 3);
        let x: Vec<f32> = (0..32).map(|i| i as f32 * 0.25).collect();
        let got = m.matvec(&x);
        let want = naive(&m, &x);
        assert_eq!(got.len(), 3);
        for (a, b) in got.iter().zip(&want) {
            assert!((a - b).abs() <= 1e-5 * b.abs().max(1.0), "{a} vs {b}");
        }
        assert!(QMatrix::new(Kind::Q8_0, 2, 32, block(0)).is_none());
    }
}
