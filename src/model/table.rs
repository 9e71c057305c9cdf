//! A dataset held column-wise after ingest and normalisation.

use std::path::PathBuf;
use std::sync::Arc;

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
    pub record_hashes: RecordHashes,
}

/// Row fingerprints (XXH3 of a row's raw fields): a feedback decision holds while its
/// record's fingerprint is unchanged.
#[derive(Debug, Clone)]
pub enum RecordHashes {
    /// Computed while reading.
    Known(Vec<u64>),
    /// Computed when a finding asks for one, from the record at its byte offset in the
    /// source file: most rows never get a finding, and fingerprinting every row while
    /// reading was about 5 % of a run.
    Deferred {
        /// Where each row's record starts in the file.
        offsets: Vec<u64>,
        /// The file, to read a record again.
        source: Arc<dyn RecordSource>,
    },
}

/// A file whose records can be read again, one at a time, to fingerprint them.
pub trait RecordSource: std::fmt::Debug + Send + Sync {
    /// Fingerprint of the record that starts at byte `offset` (`None` when it cannot be
    /// read).
    fn hash_at(&self, offset: u64) -> Option<u64>;
    /// The text of the record that starts at byte `offset`, as written in the file.
    fn text_at(&self, offset: u64) -> Option<String>;
    /// An error unless the file is still the one that was read.
    fn check(&self) -> crate::error::Result<()>;
}

impl RecordHashes {
    /// Fingerprint of `row` (`None` when out of range or unreadable).
    pub fn get(&self, row: usize) -> Option<u64> {
        match self {
            RecordHashes::Known(hashes) => hashes.get(row).copied(),
            RecordHashes::Deferred { offsets, source } => source.hash_at(*offsets.get(row)?),
        }
    }

    /// The row's record as written in its file, when it can be read again.
    pub fn text(&self, row: usize) -> Option<String> {
        match self {
            RecordHashes::Known(_) => None,
            RecordHashes::Deferred { offsets, source } => source.text_at(*offsets.get(row)?),
        }
    }

    /// An error when a deferred source changed since it was read.
    pub fn check(&self) -> crate::error::Result<()> {
        match self {
            RecordHashes::Known(_) => Ok(()),
            RecordHashes::Deferred { source, .. } => source.check(),
        }
    }

    /// Only the rows whose `keep` flag is set.
    pub fn kept(self, keep: &[bool]) -> RecordHashes {
        match self {
            RecordHashes::Known(hashes) => RecordHashes::Known(kept(&hashes, keep)),
            RecordHashes::Deferred { offsets, source } => RecordHashes::Deferred {
                offsets: kept(&offsets, keep),
                source,
            },
        }
    }
}

/// The values whose `keep` flag is set, in order.
pub fn kept<T: Copy>(values: &[T], keep: &[bool]) -> Vec<T> {
    values
        .iter()
        .zip(keep)
        .filter(|(_, &k)| k)
        .map(|(&v, _)| v)
        .collect()
}

impl Table {
    /// The column called `name`, if the file had it.
    pub fn column(&self, name: &str) -> Option<&Column> {
        let index = self.names.iter().position(|n| n == name)?;
        self.columns.get(index)?.as_ref()
    }

    /// The column called `name`, to change in place (normalising after ingest).
    pub fn column_mut(&mut self, name: &str) -> Option<&mut Column> {
        let index = self.names.iter().position(|n| n == name)?;
        self.columns.get_mut(index)?.as_mut()
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
