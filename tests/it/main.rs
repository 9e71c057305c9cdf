//! The one integration-test binary (arrow and parquet are linked once).

mod accuracy;
mod bad_input;
mod cli;
mod common;
mod determinism;
mod rule_files;
mod worklists;
