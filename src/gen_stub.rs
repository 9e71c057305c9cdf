//! Temporary stand-in for the generator while it is being written.
use std::path::PathBuf;
/// Options.
pub struct GenOptions {
    /// people
    pub people: usize,
    /// seed
    pub seed: u64,
    /// out
    pub out_dir: PathBuf,
    /// as of
    pub as_of: chrono::NaiveDate,
    /// province
    pub province_code: String,
    /// extra
    pub extra_provinces: usize,
    /// rates
    pub rates: DefectRates,
}
impl GenOptions {
    /// new
    pub fn new(people: usize, seed: u64, out_dir: PathBuf) -> Self {
        Self {
            people,
            seed,
            out_dir,
            as_of: chrono::NaiveDate::default(),
            province_code: "83".into(),
            extra_provinces: 1,
            rates: DefectRates,
        }
    }
}
/// Rates.
#[derive(Default)]
pub struct DefectRates;
impl DefectRates {
    /// parse
    pub fn from_toml_str(_s: &str) -> Result<Self, GenError> {
        Ok(DefectRates)
    }
}
/// Report.
pub struct GenReport {
    /// files
    pub files: Vec<(String, PathBuf, usize)>,
    /// truth
    pub truth_rows: usize,
}
/// Error.
#[derive(Debug, thiserror::Error)]
#[error("not yet")]
pub struct GenError;
/// Generate.
pub fn generate(_o: &GenOptions) -> Result<GenReport, GenError> {
    Err(GenError)
}
