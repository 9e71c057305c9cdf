//! The one integration-test binary (arrow and parquet are linked once).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod accuracy;
mod bad_input;
mod cli;
mod common;
mod crossmatch_cases;
mod dedup_cases;
mod determinism;
mod formats;
mod rule_files;
mod worklists;
