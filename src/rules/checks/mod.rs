//! Check kernels, by family: per-row value checks and per-group checks. The checks
//! that need identity matching (deaths, old IDs, duplicates, cross-match) live in
//! `matching/` and read its precomputed links.

pub mod groups;
pub mod values;
