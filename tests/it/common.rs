//! Helpers shared by the integration tests.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use doisoat::config::{source, RunConfig};

/// The run date used by every test.
pub fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

/// A run config over the standard file names found in `dir`.
pub fn config_for(dir: &Path, out: &Path) -> RunConfig {
    let mut datasets = BTreeMap::new();
    for name in ["insurance", "tax", "vaccination", "deaths", "legacy_id"] {
        let path = dir.join(format!("{name}.csv"));
        if path.exists() {
            datasets.insert(name.to_string(), source(name, path));
        }
    }
    let units = dir.join("admin_units.csv");
    RunConfig {
        population: source("population", dir.join("population.csv")),
        datasets,
        admin_units: units.exists().then(|| source("admin_units", units)),
        rules: Vec::new(),
        previous: None,
        as_of: as_of(),
        out: out.to_path_buf(),
        xlsx: true,
        html: true,
        state_dir: None,
    }
}

/// Read a CSV (BOM tolerated) into header + rows of strings.
pub fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let text = String::from_utf8(bytes).unwrap();
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let header = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

/// (rule_id, dataset, record_key) triples of a findings.csv or truth.csv.
pub fn keyed(path: &Path) -> BTreeSet<(String, String, String)> {
    let (header, rows) = read_csv(path);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (r, d, k) = (col("rule_id"), col("dataset"), col("record_key"));
    rows.into_iter()
        .map(|row| (row[r].clone(), row[d].clone(), row[k].clone()))
        .collect()
}

/// The record keys of `rule`'s findings in `found` (from [`keyed`]).
pub fn keys_of(found: &BTreeSet<(String, String, String)>, rule: &str) -> BTreeSet<String> {
    found
        .iter()
        .filter(|(id, _, _)| id == rule)
        .map(|(_, _, key)| key.clone())
        .collect()
}

/// Precision and recall per rule id of `found` against `truth`.
pub fn score(
    truth: &BTreeSet<(String, String, String)>,
    found: &BTreeSet<(String, String, String)>,
) -> BTreeMap<String, (usize, usize, usize)> {
    let mut out: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    for t in truth {
        let e = out.entry(t.0.clone()).or_default();
        if found.contains(t) {
            e.0 += 1;
        } else {
            e.2 += 1;
        }
    }
    for f in found {
        if !truth.contains(f) {
            out.entry(f.0.clone()).or_default().1 += 1;
        }
    }
    out
}

/// A fresh temporary folder.
pub fn temp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// Write `text` to `dir/name`.
pub fn write(dir: &Path, name: &str, text: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// The standard population header.
pub const POPULATION_HEADER: &str = "record_id,person_id,old_id,full_name,birth_date,gender,birth_province_code,ethnicity,religion,nationality,province_code,district_code,commune_code,address,residence_type,household_id,relation_to_head,father_name,mother_name,spouse_name,card_issue_date,death_date,phone";

/// Admin units of the small hand-written inputs: two communes of Bến Tre.
pub const ADMIN: &str =
    "province_code,province_name,district_code,district_name,commune_code,commune_name
83,Tỉnh Bến Tre,829,Thành phố Bến Tre,28756,Phường 1
83,Tỉnh Bến Tre,829,Thành phố Bến Tre,28757,Phường 2
";

/// Run the shipped rules on the files given as (name, header, rows); findings by
/// (rule id, record key) with their suggested value and related keys.
pub fn findings(
    files: &[(&str, &str, Vec<String>)],
) -> BTreeMap<(String, String), (String, String)> {
    findings_with_admin(ADMIN, files)
}

/// [`findings`] with other admin units.
pub fn findings_with_admin(
    admin: &str,
    files: &[(&str, &str, Vec<String>)],
) -> BTreeMap<(String, String), (String, String)> {
    let (_, dir) = run_files(admin, files);
    read_findings(&dir.path().join("out"))
}

/// Write `admin` and the files given as (name, header, rows) to a new folder and run
/// the shipped rules on them (no XLSX or HTML) into its `out`.
pub fn run_files(
    admin: &str,
    files: &[(&str, &str, Vec<String>)],
) -> (doisoat::RunOutcome, tempfile::TempDir) {
    let dir = temp();
    write(dir.path(), "admin_units.csv", admin.as_bytes());
    for (name, header, rows) in files {
        let text = format!("{header}\n{}\n", rows.join("\n"));
        write(dir.path(), &format!("{name}.csv"), text.as_bytes());
    }
    let out = dir.path().join("out");
    let mut config = config_for(dir.path(), &out);
    config.xlsx = false;
    config.html = false;
    let outcome = doisoat::run(&config, &doisoat::Silent).unwrap();
    (outcome, dir)
}

/// Findings of a run folder by (rule id, record key): suggested value, related keys.
pub fn read_findings(out: &Path) -> BTreeMap<(String, String), (String, String)> {
    let (header, rows) = read_csv(&out.join("findings.csv"));
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (rule, key, suggested, related) = (
        col("rule_id"),
        col("record_key"),
        col("suggested_value"),
        col("related_keys"),
    );
    rows.into_iter()
        .map(|row| {
            (
                (row[rule].clone(), row[key].clone()),
                (row[suggested].clone(), row[related].clone()),
            )
        })
        .collect()
}
