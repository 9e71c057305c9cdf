//! Findings: one row per (rule, record) with everything a commune officer needs, a
//! stable id (XXH3 of rule id + dataset + record key, so it survives from one night's
//! run to the next), routing to province / district / commune, and a deterministic
//! order.

pub mod feedback;
pub mod history;

use std::sync::Arc;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::model::{admin::normalize_province_code, AdminUnits, Table};
use crate::rules::load::Rule;
use crate::rules::types::{Dimension, Severity};
use crate::rules::Hit;

/// Status against the previous run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Not in the previous run.
    #[default]
    New,
    /// Already in the previous run.
    Open,
}

impl Status {
    /// Value written in findings.
    pub fn code(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Open => "open",
        }
    }
}

/// One finding (SPEC §5 columns, plus fields used for worklist ordering).
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// Stable id.
    pub finding_id: String,
    /// Rule id.
    pub rule_id: Arc<str>,
    /// Dimension.
    pub dimension: Dimension,
    /// Severity.
    pub severity: Severity,
    /// Dataset of the record.
    pub dataset: Arc<str>,
    /// Record key (household id for household rules).
    pub record_key: String,
    /// Personal ID as recorded.
    pub person_id: String,
    /// Full name.
    pub full_name: String,
    /// Birth date (display form).
    pub birth_date: String,
    /// Routed province (two digits).
    pub province_code: String,
    /// Routed district.
    pub district_code: String,
    /// Routed commune.
    pub commune_code: String,
    /// Fields involved.
    pub fields: String,
    /// Explanation (Vietnamese).
    pub detail: String,
    /// Suggested value.
    pub suggested_value: String,
    /// Related record keys, `;`-separated.
    pub related_keys: String,
    /// Cluster id (duplicates).
    pub cluster_id: String,
    /// new / open.
    pub status: Status,
    /// Household of the record (worklist ordering).
    pub household_id: String,
    /// Date first seen (history), `yyyy-mm-dd`.
    pub first_seen: String,
    /// Days open (history).
    pub days_open: i64,
    /// Fingerprint of the record's content (a feedback decision holds while it is
    /// unchanged), 16 hex digits.
    pub record_hash: String,
}

/// Fingerprint of one row (XXH3 of its raw fields), as 16 hex.
pub fn row_hash(table: &Table, row: usize) -> String {
    format!("{:016x}", table.record_hashes.get(row).unwrap_or(0))
}
/// The stable id of a finding: 16 hex digits of XXH3-64 over
/// `rule_id \x1f dataset \x1f record_key` (a fixed, specified hash).
pub fn finding_id(rule_id: &str, dataset: &str, record_key: &str) -> String {
    let mut bytes = Vec::with_capacity(rule_id.len() + dataset.len() + record_key.len() + 2);
    bytes.extend_from_slice(rule_id.as_bytes());
    bytes.push(0x1f);
    bytes.extend_from_slice(dataset.as_bytes());
    bytes.push(0x1f);
    bytes.extend_from_slice(record_key.as_bytes());
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(&bytes))
}

/// Turns hits into findings for one rule.
pub struct FindingBuilder<'a> {
    /// The register (person rows for routing).
    pub population: &'a Table,
    /// Admin units in force.
    pub admin: &'a AdminUnits,
}

impl FindingBuilder<'_> {
    /// Findings of `rule` on `table` from `hits`.
    pub fn build(&self, rule: &Rule, table: &Table, hits: Vec<Hit>) -> Vec<Finding> {
        let rule_id: Arc<str> = Arc::from(rule.id.as_str());
        let dataset: Arc<str> = Arc::from(table.name.as_str());
        let keys = table.keys();
        let person_ids = table.text("person_id");
        let names = table.name_column("full_name");
        let births = table.date("birth_date");
        let communes = table.dict("commune_code");
        let households = table.dict("household_id");
        let is_population = table.name == self.population.name;
        let pop_communes = self.population.dict("commune_code");
        let pop_provinces = self.population.dict("province_code");
        let pop_districts = self.population.dict("district_code");
        let pop_households = self.population.dict("household_id");
        hits.into_par_iter()
            .map(|hit| {
                let row = hit.row.map(|r| r as usize);
                let record_key = match (&hit.key, row) {
                    (Some(key), _) => key.clone(),
                    (None, Some(row)) => keys.map_or("", |k| k.get(row)).to_string(),
                    (None, None) => String::new(),
                };
                let text_at = |row: Option<usize>, f: &dyn Fn(usize) -> String| {
                    row.map(f).unwrap_or_default()
                };
                // Routing: explicit commune, else the person's register row, else own.
                let person_row =
                    hit.person_row
                        .map(|r| r as usize)
                        .or(if is_population { row } else { None });
                let commune = match (&hit.commune, person_row) {
                    (Some(c), _) => c.clone(),
                    (None, Some(p)) => pop_communes.map_or("", |c| c.get(p)).to_string(),
                    (None, None) => {
                        text_at(row, &|r| communes.map_or("", |c| c.get(r)).to_string())
                    }
                };
                let (province, district) = match self.admin.commune(&commune) {
                    Some(unit) => (unit.province_code.clone(), unit.district_code.clone()),
                    None => match person_row {
                        Some(p) => (
                            normalize_province_code(pop_provinces.map_or("", |c| c.get(p))),
                            pop_districts.map_or("", |c| c.get(p)).to_string(),
                        ),
                        None => (String::new(), String::new()),
                    },
                };
                let household = match (households, row) {
                    (Some(h), Some(r)) => h.get(r).to_string(),
                    _ => match (hit.key.as_ref(), person_row) {
                        (Some(k), _) if is_population => k.clone(),
                        (_, Some(p)) => pop_households.map_or("", |h| h.get(p)).to_string(),
                        _ => String::new(),
                    },
                };
                let record_hash = match row {
                    Some(r) if hit.key.is_none() => row_hash(table, r),
                    _ => format!("{:016x}", xxhash_rust::xxh3::xxh3_64(hit.detail.as_bytes())),
                };
                let mut related = hit.related;
                related.sort();
                related.dedup();
                Finding {
                    finding_id: finding_id(&rule_id, &dataset, &record_key),
                    rule_id: rule_id.clone(),
                    dimension: rule.dimension,
                    severity: rule.severity,
                    dataset: dataset.clone(),
                    person_id: text_at(row, &|r| person_ids.map_or("", |c| c.get(r)).to_string()),
                    full_name: text_at(row, &|r| names.map_or("", |c| c.text.get(r)).to_string()),
                    birth_date: text_at(row, &|r| births.map(|c| c.display(r)).unwrap_or_default()),
                    record_key,
                    province_code: province,
                    district_code: district,
                    commune_code: commune,
                    fields: hit.fields,
                    detail: hit.detail,
                    suggested_value: hit.suggestion,
                    related_keys: related.join(";"),
                    cluster_id: hit.cluster_id,
                    status: Status::New,
                    household_id: household,
                    first_seen: String::new(),
                    days_open: 0,
                    record_hash,
                }
            })
            .collect()
    }
}

/// The deterministic order of `findings.csv`: province, commune, severity, rule,
/// record key.
pub fn sort(findings: &mut [Finding]) {
    findings.par_sort_unstable_by(|a, b| {
        (
            &a.province_code,
            &a.commune_code,
            a.severity.rank(),
            &a.rule_id,
            &a.dataset,
            &a.record_key,
        )
            .cmp(&(
                &b.province_code,
                &b.commune_code,
                b.severity.rank(),
                &b.rule_id,
                &b.dataset,
                &b.record_key,
            ))
    });
}

/// Worklist order inside one commune: severity, then household, then name, then rule.
pub fn worklist_order(a: &Finding, b: &Finding) -> std::cmp::Ordering {
    (
        a.severity.rank(),
        &a.household_id,
        &a.full_name,
        &a.rule_id,
        &a.record_key,
    )
        .cmp(&(
            b.severity.rank(),
            &b.household_id,
            &b.full_name,
            &b.rule_id,
            &b.record_key,
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finding_ids_are_stable_and_distinct() {
        let a = finding_id("DUNG.ID_STRUCTURE", "population", "P1");
        assert_eq!(a, finding_id("DUNG.ID_STRUCTURE", "population", "P1"));
        assert_eq!(a.len(), 16);
        assert_ne!(a, finding_id("DUNG.ID_STRUCTURE", "population", "P2"));
        // The separator keeps ("ab", "c") and ("a", "bc") apart.
        assert_ne!(finding_id("R", "ab", "c"), finding_id("R", "a", "bc"));
        // Pinned value: changing the hash would break every province's history.
        assert_eq!(
            finding_id("SACH.DUP_ID", "population", "P000000001"),
            format!(
                "{:016x}",
                xxhash_rust::xxh3::xxh3_64(b"SACH.DUP_ID\x1fpopulation\x1fP000000001")
            )
        );
    }
}
