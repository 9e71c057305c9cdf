//! Shared data types: typed columns, partial dates, dataset schemas and tables.

pub mod admin;
pub mod column;
pub mod date;
pub mod hash_sort;
pub mod memory;
pub mod schema;
pub mod table;

pub use admin::{AdminUnits, Commune};
pub use column::{Column, DateColumn, DictColumn, NameColumn, StrColumn};
pub use date::{PartialDate, Precision};
pub use schema::{DatasetKind, FieldKind, FieldSpec, Schema};
pub use table::{RecordHashes, RecordSource, Table};

/// A person's gender as the register records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Gender {
    /// Nam.
    Male,
    /// Nữ.
    Female,
}

impl Gender {
    /// Vietnamese label.
    pub fn label(self) -> &'static str {
        match self {
            Gender::Male => "Nam",
            Gender::Female => "Nữ",
        }
    }

    /// Parse `Nam` / `Nữ` in any case, with or without diacritics, NFC or NFD.
    pub fn parse(text: &str) -> Option<Gender> {
        let mut folded = String::with_capacity(4);
        crate::normalize::text::fold_into(text, &mut folded);
        match folded.as_str() {
            "nam" => Some(Gender::Male),
            "nu" => Some(Gender::Female),
            _ => None,
        }
    }
}
