//! A dataset held column-wise after ingest and normalisation.

use std::path::PathBuf;

use super::column::{Column, DateColumn, DictColumn, NameColumn, StrColumn};
use super::schema::Schema;

/// One dataset: canonical columns (absent ones are `None`) plus extra file columns.
#[derive(Debug, Clone)]
pub struct Table {
    /// Dataset name as the run names it (`population`, `insurance`, …).
    pub name: String,
    /// The canonical schema.
    pub schema: Schema,
    /// The file it was read from.
    pub source: PathBuf,
    /// Column names, canonical ones first in schema order, then extra file columns.
    pub names: Vec<String>,
    /// Columns parallel to `names`; `None` when the file did not have it.
    pub columns: Vec<Option<Column>>,
    /// Number of accepted rows.
    pub rows: usize,
    /// Fingerprint of every row's raw content, to notice that a record changed.
    pub fingerprints: Vec<u64>,
}

impl Table {
    /// The column called `name`, if the file had it.
    pub fn column(&self, name: &str) -> Option<&Column> {
        let index = self.names.iter().position(|n| n == name)?;
        self.columns.get(index)?.as_ref()
    }

    /// Did the file provide column `name`?
    pub fn has(&self, name: &str) -> bool {
        self.column(name).is_some()
    }

    /// A text column (`Text` storage).
    pub fn text(&self, name: &str) -> Option<&StrColumn> {
        match self.column(name)? {
            Column::Text(c) => Some(c),
            _ => None,
        }
    }

    /// A dictionary column.
    pub fn dict(&self, name: &str) -> Option<&DictColumn> {
        match self.column(name)? {
            Column::Dict(c) => Some(c),
            _ => None,
        }
    }

    /// A date column.
    pub fn date(&self, name: &str) -> Option<&DateColumn> {
        match self.column(name)? {
            Column::Date(c) => Some(c),
            _ => None,
        }
    }

    /// A name column.
    pub fn name_column(&self, name: &str) -> Option<&NameColumn> {
        match self.column(name)? {
            Column::Name(c) => Some(c),
            _ => None,
        }
    }

    /// The record key of `row`.
    pub fn key(&self, row: usize) -> &str {
        self.column(&self.schema.key)
            .and_then(|c| c.text(row))
            .unwrap_or("")
    }

    /// The record-key column (always present: ingest refuses files without it).
    pub fn keys(&self) -> Option<&StrColumn> {
        self.text(&self.schema.key)
    }

    /// Display text of any cell (empty when the column is absent).
    pub fn display(&self, name: &str, row: usize) -> String {
        self.column(name)
            .map(|c| c.display(row))
            .unwrap_or_default()
    }
}
