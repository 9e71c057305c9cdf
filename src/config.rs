//! The run configuration: which files, which rules, which date. Built from command-line
//! flags or from a TOML run file (`doisoat run --config province.toml`), whose paths are
//! relative to the file itself:
//!
//! ```toml
//! as_of = "2026-11-22"
//! population = "population.csv"
//! admin_units = "admin_units.csv"
//! rules = ["rules"]                 # optional: the built-in pack otherwise
//! out = "out"                       # optional: --out wins
//!
//! [datasets]
//! insurance = "insurance.csv"
//!
//! [datasets.tax]                    # the long form: mapping and options
//! path = "thue.csv"
//! columns = { person_id = "Số định danh", full_name = "Họ và tên" }
//!
//! [datasets.social_protection]      # a province's own sector dataset
//! path = "btxh.csv"
//! kind = "sector"
//! key = "beneficiary_id"
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::model::DatasetKind;

/// One input file and how to read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetSource {
    /// Dataset name.
    pub name: String,
    /// File path.
    pub path: PathBuf,
    /// What it is.
    pub kind: DatasetKind,
    /// Record key column for custom datasets.
    pub key: Option<String>,
    /// Canonical column → file header.
    pub columns: BTreeMap<String, String>,
    /// Forced delimiter.
    pub delimiter: Option<u8>,
}

/// Everything a run needs.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// The register extract.
    pub population: DatasetSource,
    /// Sector and reference datasets, by name.
    pub datasets: BTreeMap<String, DatasetSource>,
    /// Administrative units file.
    pub admin_units: Option<DatasetSource>,
    /// Rule folders (empty: the built-in pack).
    pub rules: Vec<PathBuf>,
    /// Previous run's output folder.
    pub previous: Option<PathBuf>,
    /// "Today" for age rules.
    pub as_of: NaiveDate,
    /// Output folder.
    pub out: PathBuf,
    /// Also write XLSX worklists.
    pub xlsx: bool,
    /// Also write the HTML report.
    pub html: bool,
    /// Folder for feedback decisions (suppressions).
    pub state_dir: Option<PathBuf>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RunFile {
    #[serde(default)]
    population: Option<toml::Value>,
    #[serde(default)]
    admin_units: Option<toml::Value>,
    #[serde(default)]
    datasets: BTreeMap<String, toml::Value>,
    #[serde(default)]
    rules: Option<OneOrManyPaths>,
    #[serde(default)]
    previous: Option<PathBuf>,
    #[serde(default)]
    as_of: Option<String>,
    #[serde(default)]
    out: Option<PathBuf>,
    #[serde(default)]
    xlsx: Option<bool>,
    #[serde(default)]
    html: Option<bool>,
    #[serde(default)]
    state_dir: Option<PathBuf>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrManyPaths {
    One(PathBuf),
    Many(Vec<PathBuf>),
}

/// One dataset's entry in the run file: `name = "file.csv"` or a table. Read from a
/// plain TOML value so that a wrong entry gets an error naming the dataset and the
/// field, not serde's "did not match any variant".
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DatasetTable {
    /// Absent in a table that only adds `columns` to a dataset whose file is named
    /// elsewhere (`population = "…"` with `[datasets.population.columns]`).
    #[serde(default)]
    path: Option<PathBuf>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    key: Option<String>,
    #[serde(default)]
    columns: BTreeMap<String, String>,
    #[serde(default)]
    delimiter: Option<String>,
}

fn resolve_path(base: &Path, path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        base.join(path)
    }
}

/// Parse `yyyy-mm-dd` (or dd/mm/yyyy) for `--as-of`.
pub fn parse_as_of(text: &str) -> Result<NaiveDate> {
    let date = crate::normalize::date::parse_date(text);
    match date.precision() {
        Some(crate::model::Precision::Day) => date
            .earliest()
            .ok_or_else(|| Error::Config(format!("as_of \"{text}\" is not a date"))),
        _ => Err(Error::Config(format!(
            "as_of \"{text}\" must be a full date, e.g. 2026-11-22"
        ))),
    }
}

/// A dataset source for `name` at `path` with no mapping.
pub fn source(name: &str, path: PathBuf) -> DatasetSource {
    DatasetSource {
        name: name.to_string(),
        path,
        kind: DatasetKind::from_name(name),
        key: None,
        columns: BTreeMap::new(),
        delimiter: None,
    }
}

/// Read one dataset entry of the run file.
fn dataset_table(file: &Path, name: &str, value: toml::Value) -> Result<DatasetTable> {
    match value {
        toml::Value::String(path) => Ok(DatasetTable {
            path: Some(PathBuf::from(path)),
            ..DatasetTable::default()
        }),
        toml::Value::Table(_) => value.try_into().map_err(|e| {
            Error::Config(format!(
                "{}: dataset {name}: {e}(a dataset table takes path, columns, kind, key and \
                 delimiter)",
                file.display()
            ))
        }),
        other => Err(Error::Config(format!(
            "{}: dataset {name}: expected a file path in quotes or a table with path = \"…\", \
             found {}",
            file.display(),
            other.type_str()
        ))),
    }
}

/// Join the two places a register or admin-units entry may be written: the top level
/// (`population = "…"`) and a `[datasets.population]` table, which may add `columns`
/// to the file named at the top level.
fn merged_table(
    file: &Path,
    name: &str,
    top: Option<toml::Value>,
    nested: Option<toml::Value>,
) -> Result<Option<DatasetTable>> {
    let top = top.map(|v| dataset_table(file, name, v)).transpose()?;
    let nested = nested.map(|v| dataset_table(file, name, v)).transpose()?;
    Ok(match (top, nested) {
        (None, None) => None,
        (Some(one), None) | (None, Some(one)) => Some(one),
        (Some(mut top), Some(nested)) => {
            if top.path.is_some() && nested.path.is_some() {
                return Err(Error::Config(format!(
                    "{}: {name} names its file twice, at the top level and under \
                     [datasets.{name}]: keep one path",
                    file.display()
                )));
            }
            top.path = top.path.or(nested.path);
            top.kind = top.kind.or(nested.kind);
            top.key = top.key.or(nested.key);
            top.delimiter = top.delimiter.or(nested.delimiter);
            top.columns.extend(nested.columns);
            Some(top)
        }
    })
}

fn entry_to_source(name: &str, table: DatasetTable, base: &Path) -> Result<DatasetSource> {
    let Some(path) = table.path.as_deref() else {
        return Err(Error::Config(format!(
            "dataset {name}: no file: add path = \"<file>\" to its table (or {name} = \"<file>\")"
        )));
    };
    let mut out = source(name, resolve_path(base, path));
    if let Some(kind) = table.kind.as_deref() {
        out.kind = match kind {
            "sector" => DatasetKind::CustomSector,
            other => {
                let known = DatasetKind::from_name(other);
                if known == DatasetKind::CustomSector {
                    return Err(Error::Config(format!(
                        "dataset {name}: unknown kind \"{other}\" (use sector, insurance, tax, vaccination, deaths or legacy_id)"
                    )));
                }
                known
            }
        };
    }
    if out.kind == DatasetKind::CustomSector && table.key.is_none() {
        return Err(Error::Config(format!(
            "dataset {name}: a province-defined sector dataset needs key = \"<record key column>\""
        )));
    }
    out.key = table.key;
    out.columns = table.columns;
    out.delimiter = match table.delimiter.as_deref() {
        None => None,
        Some(";") => Some(b';'),
        Some(",") => Some(b','),
        Some("\t") | Some("tab") => Some(b'\t'),
        Some("|") => Some(b'|'),
        Some(other) => {
            return Err(Error::Config(format!(
                "dataset {name}: delimiter \"{other}\" not supported (use , ; tab or |)"
            )))
        }
    };
    Ok(out)
}

impl RunConfig {
    /// Read a TOML run file.
    pub fn from_file(path: &Path) -> Result<RunConfig> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::io(path, "reading the run file", e))?;
        let file: RunFile =
            toml::from_str(&text).map_err(|e| Error::Config(format!("{}: {e}", path.display())))?;
        let base = path.parent().unwrap_or(Path::new("."));
        let mut entries = file.datasets;
        let population = merged_table(
            path,
            "population",
            file.population,
            entries.remove("population"),
        )?
        .ok_or_else(|| {
            Error::Config(format!(
                "{}: no register: add population = \"<file>\"",
                path.display()
            ))
        })?;
        let admin_units = merged_table(
            path,
            "admin_units",
            file.admin_units,
            entries.remove("admin_units"),
        )?;
        let mut datasets = BTreeMap::new();
        for (name, entry) in entries {
            let table = dataset_table(path, &name, entry)?;
            datasets.insert(name.clone(), entry_to_source(&name, table, base)?);
        }
        let as_of = match file.as_of {
            Some(text) => parse_as_of(&text)?,
            None => chrono::Local::now().date_naive(),
        };
        let rules = match file.rules {
            None => Vec::new(),
            Some(OneOrManyPaths::One(p)) => vec![resolve_path(base, &p)],
            Some(OneOrManyPaths::Many(list)) => {
                list.iter().map(|p| resolve_path(base, p)).collect()
            }
        };
        Ok(RunConfig {
            population: entry_to_source("population", population, base)?,
            admin_units: admin_units
                .map(|table| entry_to_source("admin_units", table, base))
                .transpose()?,
            datasets,
            rules,
            previous: file.previous.map(|p| resolve_path(base, &p)),
            as_of,
            out: file
                .out
                .map(|p| resolve_path(base, &p))
                .unwrap_or_else(|| PathBuf::from("out")),
            xlsx: file.xlsx.unwrap_or(true),
            html: file.html.unwrap_or(true),
            state_dir: file.state_dir.map(|p| resolve_path(base, &p)),
        })
    }

    /// Refuse a dataset the engine cannot place: a short-form entry (or `--dataset`)
    /// whose name is not one of the known datasets would otherwise run as a
    /// province-defined dataset that no rule reads, and a typo such as `vacination`
    /// would silently switch off every `XM.vaccination.*` rule.
    pub fn check_datasets(&self) -> Result<()> {
        const KNOWN: [&str; 5] = ["insurance", "tax", "vaccination", "deaths", "legacy_id"];
        for (name, source) in &self.datasets {
            if source.kind != DatasetKind::CustomSector || source.key.is_some() {
                continue;
            }
            let similarity = |known: &str| {
                crate::matching::similarity::jaro_winkler(name.as_bytes(), known.as_bytes())
            };
            let closest = KNOWN
                .iter()
                .copied()
                .filter(|known| similarity(known) >= 0.8)
                .max_by(|a, b| similarity(a).total_cmp(&similarity(b)))
                .map(|known| format!(" Did you mean \"{known}\"?"))
                .unwrap_or_default();
            return Err(Error::Config(format!(
                "dataset \"{name}\" ({}) is not a known dataset name ({}).{closest} A \
                 province's own dataset needs the long form: [datasets.{name}] with \
                 path, kind = \"sector\" and key = \"<record key column>\"",
                source.path.display(),
                KNOWN.join(", ")
            )));
        }
        Ok(())
    }

    /// The dataset catalog rules are validated against.
    pub fn catalog(&self) -> crate::rules::load::DatasetCatalog {
        let mut catalog = crate::rules::load::default_catalog();
        for (name, source) in &self.datasets {
            catalog.insert(name.clone(), source.kind);
        }
        catalog
    }
}
