//! `doisoat gen`: a synthetic province with known defects and the ground truth.
//!
//! The generator builds a register of households (names with real surname frequencies,
//! parents, spouses, realistic ages, cards, deaths), draws the sector datasets from the
//! same people, injects defects at configurable rates, and writes `truth.csv`: one row
//! per finding the engine is expected to report. Rules whose outcome follows from the
//! data alone (ID structure, missing fields, households, cards, duplicate IDs) get their
//! truth by applying the rule to the rendered rows, so benign noise and accidental
//! interactions are accounted for exactly; matching outcomes get their truth from what
//! was injected, with eligibility chosen so that the match is unambiguous.
//!
//! Output is byte-identical for a seed whatever the thread count: every parallel unit
//! (a commune, a person) draws from its own stream derived from the seed.

mod admin;
mod dates;
mod names;
mod people;
mod plan;
mod rates;
mod render;
mod rng;
mod sectors;
mod truth;
mod write;

#[cfg(test)]
mod tests;

use std::path::PathBuf;

pub use rates::{DefectRates, SectorRates};

/// What to generate.
#[derive(Clone, Debug)]
pub struct GenOptions {
    /// Number of population records (including injected duplicate registrations).
    pub people: usize,
    /// Seed: the same seed gives the same bytes.
    pub seed: u64,
    /// Directory the files are written to (created when missing).
    pub out_dir: PathBuf,
    /// Run date the data is consistent with (ages, card expiry, future dates).
    pub as_of: chrono::NaiveDate,
    /// Two-digit code of the main province (default `83`, Bến Tre).
    pub province_code: String,
    /// Neighbouring provinces that also appear in the register (default 1).
    pub extra_provinces: usize,
    /// Defect rates.
    pub rates: DefectRates,
    /// Write the sector datasets (insurance, tax, vaccination, deaths, legacy_id).
    pub sectors: bool,
}

impl GenOptions {
    /// Options with the defaults: as of 2026-11-22, province 83, one extra province,
    /// default rates, sector datasets on.
    pub fn new(people: usize, seed: u64, out_dir: PathBuf) -> Self {
        GenOptions {
            people,
            seed,
            out_dir,
            as_of: chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default(),
            province_code: "83".to_string(),
            extra_provinces: 1,
            rates: DefectRates::default(),
            sectors: true,
        }
    }
}

/// What was written.
#[derive(Clone, Debug)]
pub struct GenReport {
    /// Dataset name, path and row count (header excluded) of every file written.
    pub files: Vec<(String, PathBuf, usize)>,
    /// Rows of `truth.csv`.
    pub truth_rows: usize,
}

/// Why generation failed.
#[derive(thiserror::Error, Debug)]
pub enum GenError {
    /// A file could not be created or written.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The CSV writer failed.
    #[error("cannot write CSV {path}: {source}")]
    Csv {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: csv::Error,
    },
    /// Invalid defect-rate configuration.
    #[error("invalid defect rates: {0}")]
    Rates(String),
    /// A defect-rate key that names no known rule.
    #[error("unknown defect rate key `{0}` (expected a rule id such as \"SACH.DUP_PERSON\")")]
    UnknownRate(String),
    /// Invalid options.
    #[error("invalid generator options: {0}")]
    Options(String),
    /// An identifier space ran out (far beyond realistic sizes).
    #[error("identifier space exhausted: {0}")]
    Exhausted(String),
}

/// Revision of what `gen` writes for a given size and seed. Raise it whenever a change
/// alters the generated files, so that cached provinces (`doisoat bench --cache`,
/// `benches/peers/run.py --work`) written by an older generator are made again instead
/// of being measured as if they were today's.
pub const GENERATOR_REVISION: u32 = 16;

/// The first line of the run file `gen` writes, naming the generator's revision.
pub fn run_file_stamp() -> String {
    format!("# written by doisoat gen, generator revision {GENERATOR_REVISION}")
}

/// Generate the synthetic province described by `options` into `options.out_dir`.
pub fn generate(options: &GenOptions) -> Result<GenReport, GenError> {
    let world = plan::build(options)?;
    write::write_all(options, &world)
}
