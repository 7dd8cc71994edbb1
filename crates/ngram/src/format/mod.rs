//! The model file: its format (a header and 8-byte aligned sections that a loaded model maps in
//! place, [`storage`]) and the 8-bit coding of a trained model's values done when it is saved
//! ([`quantize`]).

pub mod quantize;
pub mod storage;
