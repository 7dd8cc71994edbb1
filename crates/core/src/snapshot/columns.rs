//! Exact f64 columns made compressible: the values' bytes are written plane by plane (every value's
//! first byte, then every second byte, …), so the sign and exponent bytes that log-likelihoods share
//! stand together and deflate shrinks them to almost nothing. Missing values are a bitmap.

/// A column of optional f64s: which are present, and the present values' bytes, shuffled.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub(super) struct FloatColumn {
    /// How many values (present or not).
    len: u32,
    /// Bit `i` set: value `i` is present.
    present: Vec<u8>,
    /// The present values' little-endian bytes, plane by plane.
    planes: Vec<u8>,
}

impl FloatColumn {
    /// The column of `values`.
    pub(super) fn new(values: impl ExactSizeIterator<Item = Option<f64>>) -> FloatColumn {
        let len = values.len();
        let mut present = vec![0u8; len.div_ceil(8)];
        let mut kept = Vec::with_capacity(len);
        for (i, value) in values.enumerate() {
            if let Some(value) = value {
                present[i / 8] |= 1 << (i % 8);
                kept.push(value.to_le_bytes());
            }
        }
        let mut planes = Vec::with_capacity(kept.len() * 8);
        for plane in 0..8 {
            planes.extend(kept.iter().map(|bytes| bytes[plane]));
        }
        FloatColumn {
            len: u32::try_from(len).unwrap_or(u32::MAX),
            present,
            planes,
        }
    }

    /// The values, or `None` when the column is inconsistent (a damaged snapshot).
    pub(super) fn values(&self) -> Option<Vec<Option<f64>>> {
        let len = self.len as usize;
        if self.present.len() != len.div_ceil(8) {
            return None;
        }
        let is_present = |i: usize| self.present[i / 8] & (1 << (i % 8)) != 0;
        let count = (0..len).filter(|&i| is_present(i)).count();
        if self.planes.len() != count * 8 {
            return None;
        }
        let mut next = 0;
        Some(
            (0..len)
                .map(|i| {
                    is_present(i).then(|| {
                        let mut bytes = [0u8; 8];
                        for (plane, byte) in bytes.iter_mut().enumerate() {
                            *byte = self.planes[plane * count + next];
                        }
                        next += 1;
                        f64::from_le_bytes(bytes)
                    })
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::FloatColumn;

    #[test]
    fn values_round_trip_to_the_bit() {
        let values = vec![
            None,
            Some(-0.0),
            Some(-1.234_567_890_123_456_7),
            Some(-1e-300),
            None,
            Some(-9999.5),
            Some(f64::MIN_POSITIVE),
            Some(-5.458_123),
            Some(-0.1),
        ];
        let column = FloatColumn::new(values.iter().copied());
        let back = column.values().unwrap();
        assert_eq!(back.len(), values.len());
        for (a, b) in values.iter().zip(&back) {
            assert_eq!(a.map(f64::to_bits), b.map(f64::to_bits));
        }
    }

    #[test]
    fn an_inconsistent_column_is_refused() {
        let mut column = FloatColumn::new([Some(-1.0), Some(-2.0)].into_iter());
        column.planes.pop();
        assert_eq!(column.values(), None);
        let mut column = FloatColumn::new([Some(-1.0)].into_iter());
        column.len = 1_000;
        assert_eq!(column.values(), None);
    }

    #[test]
    fn an_empty_column_round_trips() {
        let column = FloatColumn::new(std::iter::empty());
        assert_eq!(column.values(), Some(vec![]));
    }
}
