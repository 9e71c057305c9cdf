//! Duplicate people in the register (`SACH.DUP_PERSON`).

use crate::rules::{EvalContext, Hit};

/// Clusters of records that are the same person.
#[derive(Debug, Default)]
pub struct Duplicates {
    /// Candidate pairs scored.
    pub pairs: u64,
}

/// `duplicate_person` hits.
pub fn hits(_mask: Option<&[bool]>, _ctx: &EvalContext<'_>) -> Vec<Hit> {
    Vec::new()
}
