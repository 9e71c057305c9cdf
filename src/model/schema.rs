//! Dataset schemas: the canonical columns of SPEC §3, how each is stored, and which
//! must be present in a file for the run to make sense.

/// The datasets the engine knows, plus province-defined sector datasets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DatasetKind {
    /// The register extract (required).
    Population,
    /// Social / health insurance (BHXH/BHYT).
    Insurance,
    /// Tax.
    Tax,
    /// Vaccination doses.
    Vaccination,
    /// Civil-registry deaths (khai tử).
    Deaths,
    /// The old 9-digit CMND register.
    LegacyId,
    /// Administrative units reference.
    AdminUnits,
    /// A sector dataset defined by the province in its run config.
    CustomSector,
}

impl DatasetKind {
    /// The kind for a dataset name used on the command line (`--dataset NAME=FILE`).
    pub fn from_name(name: &str) -> DatasetKind {
        match name {
            "population" => DatasetKind::Population,
            "insurance" => DatasetKind::Insurance,
            "tax" => DatasetKind::Tax,
            "vaccination" => DatasetKind::Vaccination,
            "deaths" => DatasetKind::Deaths,
            "legacy_id" => DatasetKind::LegacyId,
            "admin_units" => DatasetKind::AdminUnits,
            _ => DatasetKind::CustomSector,
        }
    }

    /// True for datasets cross-matched against the register (the `XM.<ds>.*` rules).
    pub fn is_sector(self) -> bool {
        matches!(
            self,
            DatasetKind::Insurance
                | DatasetKind::Tax
                | DatasetKind::Vaccination
                | DatasetKind::CustomSector
        )
    }
}

/// How a column is stored once read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// Free text.
    Text,
    /// A person's name: NFC text plus folded key.
    Name,
    /// Low-cardinality text (codes, categories): dictionary-encoded.
    Dict,
    /// A date with precision.
    Date,
}

/// One canonical column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldSpec {
    /// Canonical (default) column name.
    pub name: String,
    /// Storage.
    pub kind: FieldKind,
    /// Must the file have this column?
    pub required: bool,
}

/// The columns of one dataset.
#[derive(Debug, Clone)]
pub struct Schema {
    /// What the dataset is.
    pub kind: DatasetKind,
    /// Name of the record-key column (stable across nightly extracts).
    pub key: String,
    /// Canonical columns.
    pub fields: Vec<FieldSpec>,
}

fn spec(list: &[(&str, FieldKind, bool)]) -> Vec<FieldSpec> {
    list.iter()
        .map(|&(name, kind, required)| FieldSpec {
            name: name.to_string(),
            kind,
            required,
        })
        .collect()
}

use FieldKind::{Date, Dict, Name, Text};

impl Schema {
    /// The schema of a built-in dataset kind. Custom sector datasets use the identity
    /// columns of a sector dataset plus whatever their config maps.
    pub fn for_kind(kind: DatasetKind, custom_key: Option<&str>) -> Schema {
        let (key, fields) = match kind {
            DatasetKind::Population => (
                "record_id",
                spec(&[
                    ("record_id", Text, true),
                    ("person_id", Text, true),
                    ("old_id", Text, false),
                    ("full_name", Name, true),
                    ("birth_date", Date, true),
                    ("gender", Dict, true),
                    ("birth_province_code", Dict, false),
                    ("ethnicity", Dict, false),
                    ("religion", Dict, false),
                    ("nationality", Dict, false),
                    ("province_code", Dict, false),
                    ("district_code", Dict, false),
                    ("commune_code", Dict, true),
                    ("address", Text, false),
                    ("residence_type", Dict, false),
                    ("household_id", Dict, true),
                    ("relation_to_head", Dict, true),
                    ("father_name", Name, false),
                    ("mother_name", Name, false),
                    ("spouse_name", Name, false),
                    ("card_issue_date", Date, false),
                    ("death_date", Date, false),
                    ("phone", Text, false),
                ]),
            ),
            DatasetKind::Insurance => (
                "insurance_code",
                spec(&[
                    ("insurance_code", Text, true),
                    ("person_id", Text, true),
                    ("full_name", Name, true),
                    ("birth_date", Date, true),
                    ("gender", Dict, false),
                    ("commune_code", Dict, false),
                    ("employer", Dict, false),
                    ("employer_commune_code", Dict, false),
                    ("industrial_zone", Dict, false),
                    ("status", Dict, false),
                    ("card_valid_to", Date, false),
                ]),
            ),
            DatasetKind::Tax => (
                "tax_code",
                spec(&[
                    ("tax_code", Text, true),
                    ("person_id", Text, true),
                    ("full_name", Name, true),
                    ("birth_date", Date, true),
                    ("gender", Dict, false),
                    ("address", Text, false),
                    ("commune_code", Dict, false),
                    ("status", Dict, false),
                ]),
            ),
            DatasetKind::Vaccination => (
                "record_id",
                spec(&[
                    ("record_id", Text, true),
                    ("person_id", Text, true),
                    ("full_name", Name, true),
                    ("birth_date", Date, true),
                    ("gender", Dict, false),
                    ("phone", Text, false),
                    ("commune_code", Dict, false),
                    ("vaccine", Dict, false),
                    ("dose_no", Dict, false),
                    ("dose_date", Date, false),
                ]),
            ),
            DatasetKind::Deaths => (
                "death_reg_id",
                spec(&[
                    ("death_reg_id", Text, true),
                    ("person_id", Text, true),
                    ("full_name", Name, true),
                    ("birth_date", Date, true),
                    ("gender", Dict, false),
                    ("death_date", Date, true),
                    ("commune_code", Dict, false),
                ]),
            ),
            DatasetKind::LegacyId => (
                "old_id",
                spec(&[
                    ("old_id", Text, true),
                    ("full_name", Name, true),
                    ("birth_date", Date, true),
                    ("gender", Dict, true),
                    ("hometown", Text, false),
                    ("commune_code", Dict, false),
                ]),
            ),
            DatasetKind::AdminUnits => (
                "commune_code",
                spec(&[
                    ("province_code", Dict, true),
                    ("province_name", Dict, false),
                    ("district_code", Dict, false),
                    ("district_name", Dict, false),
                    ("commune_code", Text, true),
                    ("commune_name", Text, false),
                    ("valid_from", Date, false),
                    ("valid_to", Date, false),
                ]),
            ),
            DatasetKind::CustomSector => {
                let key = custom_key.unwrap_or("record_id");
                let mut fields = spec(&[
                    ("person_id", Text, false),
                    ("full_name", Name, true),
                    ("birth_date", Date, true),
                    ("gender", Dict, false),
                    ("commune_code", Dict, false),
                    ("status", Dict, false),
                ]);
                fields.insert(
                    0,
                    FieldSpec {
                        name: key.to_string(),
                        kind: Text,
                        required: true,
                    },
                );
                return Schema {
                    kind,
                    key: key.to_string(),
                    fields,
                };
            }
        };
        Schema {
            kind,
            key: key.to_string(),
            fields,
        }
    }

    /// The spec of a canonical column.
    pub fn field(&self, name: &str) -> Option<&FieldSpec> {
        self.fields.iter().find(|f| f.name == name)
    }
}

/// Vietnamese name of a dataset, for titles, worklists and the report.
pub fn dataset_label(dataset: &str) -> &str {
    match dataset {
        "population" => "dân cư",
        "insurance" => "bảo hiểm xã hội/y tế",
        "tax" => "thuế",
        "vaccination" => "tiêm chủng",
        "deaths" => "khai tử",
        "legacy_id" => "CMND cũ",
        other => other,
    }
}
