//! Administrative units in force at the run date: commune → district → province.
//!
//! Since 1 July 2025 Vietnam has 34 provinces and no districts, and a code can name a
//! different commune before and after the merger, so rows carry optional
//! `valid_from` / `valid_to` and only those in force at `--as-of` are used.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::Table;

/// One commune with its parents.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Commune {
    /// Commune code (5 digits).
    pub code: String,
    /// Commune name.
    pub name: String,
    /// Two-digit province code.
    pub province_code: String,
    /// Province name.
    pub province_name: String,
    /// District code (empty after the 2025 reform).
    pub district_code: String,
    /// District name.
    pub district_name: String,
}

/// Communes in force at the run date.
#[derive(Debug, Clone, Default)]
pub struct AdminUnits {
    /// By commune code.
    pub communes: BTreeMap<String, Commune>,
    /// Province code → name.
    pub provinces: BTreeMap<String, String>,
    /// District code → name.
    pub districts: BTreeMap<String, String>,
    /// Commune codes with more than one row in force at the run date (periods that
    /// overlap); the first row of each is used.
    pub overlapping: std::collections::BTreeSet<String>,
    /// Communes no longer in force at the run date (merged or abolished), by code:
    /// their name and the last day they were in force, to tell the officer why a
    /// record's old code is not in the list.
    pub ended: BTreeMap<String, (String, NaiveDate)>,
}

/// Province codes are two-digit; accept the three-digit ID-prefix form (`083`).
pub fn normalize_province_code(code: &str) -> String {
    let code = code.trim();
    if code.len() == 3 && code.starts_with('0') && code.bytes().all(|b| b.is_ascii_digit()) {
        code[1..].to_string()
    } else if code.len() == 1 && code.bytes().all(|b| b.is_ascii_digit()) {
        format!("0{code}")
    } else {
        code.to_string()
    }
}

impl AdminUnits {
    /// Build from an `admin_units` table, keeping rows in force at `as_of`.
    pub fn from_table(table: &Table, as_of: NaiveDate) -> AdminUnits {
        let mut units = AdminUnits::default();
        let from = table.date("valid_from");
        let to = table.date("valid_to");
        for row in 0..table.rows {
            let starts = from.map(|c| c.get(row)).and_then(|d| d.earliest());
            let ends = to.map(|c| c.get(row)).and_then(|d| d.latest());
            if starts.is_some_and(|d| d > as_of) {
                continue;
            }
            if let Some(ended) = ends.filter(|&d| d < as_of) {
                let code = table.display("commune_code", row);
                let name = table.display("commune_name", row);
                let latest = units.ended.entry(code).or_insert((name.clone(), ended));
                if ended > latest.1 {
                    *latest = (name, ended);
                }
                continue;
            }
            let commune = Commune {
                code: table.display("commune_code", row),
                name: table.display("commune_name", row),
                province_code: normalize_province_code(&table.display("province_code", row)),
                province_name: table.display("province_name", row),
                district_code: table.display("district_code", row),
                district_name: table.display("district_name", row),
            };
            if commune.code.is_empty() {
                continue;
            }
            if units.communes.contains_key(&commune.code) {
                units.overlapping.insert(commune.code);
                continue;
            }
            units
                .provinces
                .entry(commune.province_code.clone())
                .or_insert_with(|| commune.province_name.clone());
            if !commune.district_code.is_empty() {
                units
                    .districts
                    .entry(commune.district_code.clone())
                    .or_insert_with(|| commune.district_name.clone());
            }
            units.communes.insert(commune.code.clone(), commune);
        }
        let in_force = &units.communes;
        units.ended.retain(|code, _| !in_force.contains_key(code));
        units
    }

    /// The commune with `code`, if in force.
    pub fn commune(&self, code: &str) -> Option<&Commune> {
        self.communes.get(code)
    }

    /// True when no admin units were given (commune checks are then skipped).
    pub fn is_empty(&self) -> bool {
        self.communes.is_empty()
    }
}
