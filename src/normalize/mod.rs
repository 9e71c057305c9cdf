//! Normalisation: text to NFC and folded keys, dates with precision, personal IDs,
//! administrative codes.
//! Applied once, at ingest, so that every later stage compares prepared values.

pub mod codes;
pub mod date;
pub mod id;
pub mod text;
