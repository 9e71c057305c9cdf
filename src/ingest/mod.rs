//! Ingest: read CSV or Parquet files into typed column tables, mapping headers to the
//! canonical names, normalising text to NFC and parsing dates on the way in, and
//! accounting for every row (accepted, or rejected with line and reason).

pub mod columns;
pub mod csv;
pub mod mapping;
pub mod parquet;
pub mod split;

use std::collections::BTreeMap;
use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;

use crate::error::Result;
use crate::model::{Column, Schema, Table};

/// What to read and how.
pub struct ReadRequest<'a> {
    /// The file.
    pub path: &'a Path,
    /// Dataset name (`population`, `insurance`, …).
    pub dataset: &'a str,
    /// Canonical columns.
    pub schema: &'a Schema,
    /// Canonical name → file header, from the run config.
    pub column_map: &'a BTreeMap<String, String>,
    /// Non-canonical columns referenced by rules.
    pub extras: &'a [String],
    /// Those of `extras` that rules read as dates (built as date columns, not text).
    pub date_extras: &'a [String],
    /// Forced delimiter (otherwise sniffed).
    pub delimiter: Option<u8>,
    /// Canonical columns to build (None: all). Others are checked for presence when
    /// required but not stored: no rule reads them.
    pub wanted: Option<&'a std::collections::BTreeSet<String>>,
}

impl<'a> ReadRequest<'a> {
    /// A request for every column of `schema`, the delimiter sniffed, no extras.
    pub fn new(
        path: &'a Path,
        dataset: &'a str,
        schema: &'a Schema,
        column_map: &'a BTreeMap<String, String>,
    ) -> Self {
        ReadRequest {
            path,
            dataset,
            schema,
            column_map,
            extras: &[],
            date_extras: &[],
            delimiter: None,
            wanted: None,
        }
    }
}

/// Fingerprint of one row's raw fields (a feedback decision holds while it is equal):
/// XXH3 of the fields, each followed by `0x1f`. The fields are gathered in `scratch`
/// (reused from row to row) and hashed in one call, which is faster than a streaming
/// update per field.
pub fn fingerprint<'a>(fields: impl Iterator<Item = &'a [u8]>, scratch: &mut Vec<u8>) -> u64 {
    scratch.clear();
    for field in fields {
        scratch.extend_from_slice(field);
        scratch.push(0x1f);
    }
    xxhash_rust::xxh3::xxh3_64(scratch)
}

/// A row that could not be accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    /// Source line (CSV) or row number (Parquet), 1-based, header included.
    pub line: u64,
    /// Why, in Vietnamese.
    pub reason: String,
    /// The row's text (shortened).
    pub raw: String,
}

/// Row accounting and cost of reading one file.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IngestStats {
    /// The file read.
    pub file: String,
    /// Data rows found.
    pub read: u64,
    /// Rows accepted into the table.
    pub accepted: u64,
    /// Rows written to rejects.
    pub rejected: u64,
    /// File size.
    pub bytes: u64,
}

/// A table plus its accounting.
pub struct Ingested {
    /// The accepted rows.
    pub table: Table,
    /// Counts.
    pub stats: IngestStats,
    /// Rejected rows, by line.
    pub rejects: Vec<Reject>,
    /// Source line of every accepted row (parallel to the table rows).
    pub lines: Vec<u64>,
}

/// Rows of one reader before the key check: columns, lines and fingerprints.
pub(crate) struct RawRows {
    /// Columns (None for absent or unwanted ones).
    pub columns: Vec<Option<Column>>,
    /// Source lines.
    pub lines: Vec<u64>,
    /// Row fingerprints.
    pub record_hashes: crate::model::RecordHashes,
}

/// Read a dataset file, CSV or Parquet by extension.
pub fn read(request: &ReadRequest<'_>) -> Result<Ingested> {
    let extension = request
        .path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match (extension.as_deref(), FileSignature::of(request.path)) {
        (Some("parquet") | Some("pq"), _) | (_, FileSignature::Parquet) => {
            parquet::read_parquet(request)
        }
        (_, FileSignature::Workbook) => Err(crate::error::Error::input(
            request.path,
            "this is an Excel workbook, not a CSV file: open it in Excel and save it as \
             \"CSV UTF-8 (Comma delimited)\" (or export Parquet), then give that file",
        )),
        _ => csv::read_csv(request),
    }
}

/// What a file's first bytes say it is, whatever its name: exports are often renamed,
/// and a workbook read as CSV would be reported as text in a legacy encoding.
#[derive(PartialEq)]
enum FileSignature {
    /// `PAR1`.
    Parquet,
    /// A zip (`.xlsx`) or an OLE compound file (`.xls`).
    Workbook,
    /// Anything else: read as CSV.
    Other,
}

impl FileSignature {
    fn of(path: &Path) -> FileSignature {
        use std::io::Read;
        let mut start = [0u8; 4];
        let read = std::fs::File::open(path).and_then(|mut file| file.read_exact(&mut start));
        match (read, &start) {
            (Ok(()), b"PAR1") => FileSignature::Parquet,
            (Ok(()), b"PK\x03\x04") | (Ok(()), [0xD0, 0xCF, 0x11, 0xE0]) => FileSignature::Workbook,
            _ => FileSignature::Other,
        }
    }
}

/// Shared tail of every reader: reject rows whose record key repeats an earlier row,
/// and assemble the table.
pub(crate) fn finish_table(
    request: &ReadRequest<'_>,
    names: &[String],
    raw: RawRows,
    read: u64,
    mut rejects: Vec<Reject>,
    bytes: u64,
) -> Result<Ingested> {
    let RawRows {
        mut columns,
        mut lines,
        mut record_hashes,
    } = raw;
    for (name, column) in names.iter().zip(columns.iter_mut()) {
        let Some(column) = column else { continue };
        if let Some(width) = crate::normalize::codes::admin_code_width(name) {
            columns::pad_admin_codes(column, width);
        }
        if name == "old_id" {
            columns::strip_number_marks(column);
        }
    }
    let key_index = names.iter().position(|n| *n == request.schema.key);
    if let Some(Some(Column::Text(keys))) = key_index.and_then(|i| columns.get(i)) {
        let duplicates = match validity_keys(request, names, &columns, keys) {
            Some(keys_with_validity) => repeated_keys(&keys_with_validity),
            None => repeated_keys(keys),
        };
        if !duplicates.is_empty() {
            let mut keep = vec![true; keys.len()];
            for &(row, first) in &duplicates {
                keep[row] = false;
                rejects.push(Reject {
                    line: lines[row],
                    reason: format!(
                        "khóa bản ghi \"{}\" trùng với dòng {}",
                        keys.get(row),
                        lines[first]
                    ),
                    raw: record_hashes
                        .text(row)
                        .unwrap_or_else(|| keys.get(row).to_string()),
                });
            }
            columns = columns
                .par_iter()
                .map(|c| c.as_ref().map(|c| columns::retain(c, &keep)))
                .collect();
            lines = crate::model::table::kept(&lines, &keep);
            record_hashes = record_hashes.kept(&keep);
        }
    }
    rejects.sort_by_key(|r| r.line);
    let rows = lines.len();
    let mut by_name: BTreeMap<&str, Option<Column>> = BTreeMap::new();
    for (name, column) in names.iter().zip(columns) {
        by_name.insert(name, column);
    }
    let mut table_names = Vec::new();
    let mut table_columns = Vec::new();
    for spec in &request.schema.fields {
        table_names.push(spec.name.clone());
        table_columns.push(None);
    }
    for name in names {
        if request.schema.field(name).is_none() {
            table_names.push(name.clone());
            table_columns.push(None);
        }
    }
    for (slot, name) in table_columns.iter_mut().zip(&table_names) {
        if let Some(column) = by_name.remove(name.as_str()) {
            *slot = column;
        }
    }
    let stats = IngestStats {
        file: request.path.display().to_string(),
        read,
        accepted: rows as u64,
        rejected: rejects.len() as u64,
        bytes,
    };
    Ok(Ingested {
        table: Table {
            name: request.dataset.to_string(),
            schema: request.schema.clone(),
            source: request.path.to_path_buf(),
            names: table_names,
            columns: table_columns,
            rows,
            record_hashes,
        },
        stats,
        rejects,
        lines,
    })
}

/// The admin-unit list's keys with their period of validity: since the 2025 reform a
/// commune code can name one commune until 30/06/2025 and another from 01/07/2025,
/// so the code alone repeats in a list that keeps both. `None` for other datasets, or
/// a list without `valid_from` / `valid_to`.
fn validity_keys(
    request: &ReadRequest<'_>,
    names: &[String],
    columns: &[Option<Column>],
    keys: &crate::model::StrColumn,
) -> Option<crate::model::StrColumn> {
    if request.schema.kind != crate::model::DatasetKind::AdminUnits {
        return None;
    }
    let date_column = |name: &str| {
        let index = names.iter().position(|n| n == name)?;
        match columns.get(index) {
            Some(Some(Column::Date(dates))) => Some(dates),
            _ => None,
        }
    };
    let (from, to) = (date_column("valid_from"), date_column("valid_to"));
    if from.is_none() && to.is_none() {
        return None;
    }
    let raw = |dates: Option<&crate::model::DateColumn>, row: usize| {
        dates.map_or(0, |dates| dates.get(row).raw())
    };
    let mut out = crate::model::StrColumn::new();
    for row in 0..keys.len() {
        out.push(&format!(
            "{}\u{1f}{:x}\u{1f}{:x}",
            keys.get(row),
            raw(from, row),
            raw(to, row)
        ));
    }
    Some(out)
}

/// Rows whose key already appeared: (row, first row with that key). Each key's 64-bit
/// hash and its row are packed into one word ([`crate::model::hash_sort::row_mask`])
/// and the words are sorted in parallel, a part of the hash range at a time; equal
/// hash prefixes are confirmed on the text.
fn repeated_keys(keys: &crate::model::StrColumn) -> Vec<(usize, usize)> {
    let rows = keys.len();
    let row_mask = crate::model::hash_sort::row_mask(rows);
    let mut packed: Vec<u64> = (0..rows)
        .into_par_iter()
        .map(|row| (xxhash_rust::xxh3::xxh3_64(keys.get(row).as_bytes()) & !row_mask) | row as u64)
        .collect();
    crate::model::hash_sort::par_sort_by_hash(&mut packed, |&word| word);
    let mut out = Vec::new();
    let mut i = 0;
    while i < packed.len() {
        let prefix = packed[i] & !row_mask;
        let mut j = i + 1;
        while j < packed.len() && packed[j] & !row_mask == prefix {
            j += 1;
        }
        if j - i > 1 {
            // Same hash prefix: group by exact text, the first row of each text is
            // kept (rows are in ascending order within the group).
            let group = &packed[i..j];
            for (index, &word) in group.iter().enumerate() {
                let row = (word & row_mask) as usize;
                let text = keys.get(row);
                if let Some(&first) = group[..index]
                    .iter()
                    .find(|&&other| keys.get((other & row_mask) as usize) == text)
                {
                    out.push((row, (first & row_mask) as usize));
                }
            }
        }
        i = j;
    }
    out.sort_unstable();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every repeat of a key is found, against its first row, across blocks and parts
    /// (200k rows: four blocks, eight parts).
    #[test]
    fn repeated_keys_finds_every_repeat_against_its_first_row() {
        let mut keys = crate::model::StrColumn::new();
        let mut expected = Vec::new();
        let mut first_row: std::collections::HashMap<String, usize> = Default::default();
        for row in 0..200_000usize {
            // Most keys unique; every 7th row repeats a key from far earlier.
            let key = if row % 7 == 3 && row > 100 {
                format!("K{}", (row * 31) % (row - 50))
            } else {
                format!("K{row}")
            };
            match first_row.get(&key) {
                Some(&first) => expected.push((row, first)),
                None => {
                    first_row.insert(key.clone(), row);
                }
            }
            keys.push(&key);
        }
        assert!(expected.len() > 20_000);
        assert_eq!(repeated_keys(&keys), expected);
    }
}
