//! The layers' element-wise steps, row by row with the rows shared between the cores: RMS norm and
//! SwiGLU (`silu(gate) · up`). candle's own run on one thread (its element-wise pool is off, see
//! [`crate::threads`]) and SiLU calls glibc's `expf` once per value; in a shared scoring pass they
//! were a tenth of the pass. Here each is one pass over its input, compiled for the instruction set
//! `pulp` finds (AVX2 and FMA here) with the vectorised `exp` of [`crate::softmax`].

use candle_core::{Device, Storage, Tensor};
use rayon::prelude::*;

use crate::error::LmError;
use crate::quant::dot_f32;
use crate::softmax::exp_nonpositive;

/// Rows per parallel task: enough work to be worth a task, enough tasks to balance two cores.
const ROWS_PER_TASK: usize = 8;

/// Calls `f` with the values of the contiguous f32 CPU tensor `t`, borrowed.
fn with_values<R>(t: &Tensor, f: impl FnOnce(&[f32]) -> R) -> Result<R, LmError> {
    let t = t.contiguous()?;
    let (storage, layout) = t.storage_and_layout();
    let Storage::Cpu(cpu) = &*storage else {
        return Err(candle_core::Error::Msg("the network runs on the CPU".into()).into());
    };
    let all = cpu.as_slice::<f32>()?;
    let (start, end) = layout
        .contiguous_offsets()
        .ok_or_else(|| candle_core::Error::Msg("a contiguous tensor has offsets".into()))?;
    Ok(f(&all[start..end]))
}

/// `x / rms(x) · weight` for every row of `x` `(rows, dim)`, `weight` `(dim)`: candle's `rms_norm`.
pub(crate) fn rms_norm(x: &Tensor, weight: &Tensor, eps: f32) -> Result<Tensor, LmError> {
    let (rows, dim) = x.dims2()?;
    let out = with_values(weight, |w| {
        with_values(x, |xs| {
            let mut out = vec![0f32; rows * dim];
            out.par_chunks_mut(dim * ROWS_PER_TASK)
                .zip(xs.par_chunks(dim * ROWS_PER_TASK))
                .for_each(|(ys, xs)| {
                    pulp::Arch::new().dispatch(Norm { xs, ys, w, eps });
                });
            out
        })
    })??;
    Ok(Tensor::from_vec(out, (rows, dim), &Device::Cpu)?)
}

/// `silu(gate) · up` for `gate_up` `(rows, 2 · ffn)`, each row's gate before its up: `(rows, ffn)`.
pub(crate) fn swiglu(gate_up: &Tensor, ffn: usize) -> Result<Tensor, LmError> {
    let (rows, width) = gate_up.dims2()?;
    if width != 2 * ffn {
        return Err(candle_core::Error::Msg(format!(
            "gate and up are {width} wide, not 2 × {ffn}"
        ))
        .into());
    }
    let out = with_values(gate_up, |gu| {
        let mut out = vec![0f32; rows * ffn];
        out.par_chunks_mut(ffn * ROWS_PER_TASK)
            .zip(gu.par_chunks(width * ROWS_PER_TASK))
            .for_each(|(ys, gu)| pulp::Arch::new().dispatch(SwiGlu { gu, ys, ffn }));
        out
    })?;
    Ok(Tensor::from_vec(out, (rows, ffn), &Device::Cpu)?)
}

/// A few rows of [`rms_norm`].
struct Norm<'a> {
    xs: &'a [f32],
    ys: &'a mut [f32],
    w: &'a [f32],
    eps: f32,
}

impl pulp::WithSimd for Norm<'_> {
    type Output = ();

    // Plain loops without calls, compiled for the instruction set `pulp` found.
    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) {
        let dim = self.w.len();
        for (x, y) in self.xs.chunks_exact(dim).zip(self.ys.chunks_exact_mut(dim)) {
            let sum = dot_f32(x, x);
            let scale = 1.0 / (sum / dim as f32 + self.eps).sqrt();
            for ((y, &x), &w) in y.iter_mut().zip(x).zip(self.w) {
                *y = x * scale * w;
            }
        }
    }
}

/// A few rows of [`swiglu`].
struct SwiGlu<'a> {
    gu: &'a [f32],
    ys: &'a mut [f32],
    ffn: usize,
}

impl pulp::WithSimd for SwiGlu<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) {
        let ffn = self.ffn;
        for (gu, y) in self
            .gu
            .chunks_exact(2 * ffn)
            .zip(self.ys.chunks_exact_mut(ffn))
        {
            let (gate, up) = gu.split_at(ffn);
            for ((y, &g), &u) in y.iter_mut().zip(gate).zip(up) {
                *y = silu(g) * u;
            }
        }
    }
}

/// `x · sigmoid(x)` through e^−|x| (never overflows): `x / (1 + e^−x)` for x ≥ 0, `x · eˣ / (1 + eˣ)`
/// below.
#[inline(always)]
fn silu(x: f32) -> f32 {
    let e = exp_nonpositive(-x.abs());
    let sigmoid = if x >= 0.0 { 1.0 } else { e } / (1.0 + e);
    x * sigmoid
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rms_norm_and_swiglu_match_candle_s() -> Result<(), LmError> {
        let (rows, dim) = (19, 40);
        let x: Vec<f32> = (0..rows * dim)
            .map(|i| ((i * 37 % 101) as f32 - 50.0) * 0.07)
            .collect();
        let x = Tensor::from_vec(x, (rows, dim), &Device::Cpu)?;
        let w = Tensor::from_vec(
            (0..dim).map(|i| 0.5 + i as f32 * 0.01).collect(),
            dim,
            &Device::Cpu,
        )?;
        let want = candle_nn::ops::rms_norm(&x, &w, 1e-5)?.to_vec2::<f32>()?;
        let got = rms_norm(&x, &w, 1e-5)?.to_vec2::<f32>()?;
        for (a, b) in got.iter().flatten().zip(want.iter().flatten()) {
            assert!((a - b).abs() <= 1e-5 * b.abs().max(1.0), "{a} vs {b}");
        }
        let ffn = dim / 2;
        let want = (candle_nn::ops::silu(&x.narrow(1, 0, ffn)?)? * x.narrow(1, ffn, ffn)?)?;
        let got = swiglu(&x, ffn)?.to_vec2::<f32>()?;
        for (a, b) in got
            .iter()
            .flatten()
            .zip(want.to_vec2::<f32>()?.iter().flatten())
        {
            assert!((a - b).abs() <= 1e-5 * b.abs().max(1.0), "{a} vs {b}");
        }
        assert!(swiglu(&x, ffn + 1).is_err());
        Ok(())
    }

    #[test]
    fn silu_holds_at_the_extremes() {
        assert_eq!(silu(0.0), 0.0);
        assert!((silu(100.0) - 100.0).abs() < 1e-4);
        assert!(silu(-100.0).abs() < 1e-30);
        assert!((silu(1.0) - 1.0 / (1.0 + (-1f32).exp())).abs() < 1e-6);
    }
}
