//! Cross-matching a sector dataset (insurance, tax, vaccination, or a province's own)
//! against the register. Each sector row gets one outcome:
//!
//! - ID found → **matched**, or **mismatch** when name / birth date / gender differ
//!   (names compare ignoring case, spacing and Unicode form; a name stored without
//!   diacritics compares folded; dates at the coarser precision);
//! - ID not in the register → a person matching by name + birth date whose ID is one
//!   typo away → **ID wrong** (suggest theirs); else **not found** — or, for an
//!   industrial-zone worker with a well-formed ID, **IZ without residence**;
//! - no usable ID → fuzzy search: one clear person → **ID missing** (suggest theirs),
//!   several equally good → **ambiguous**, nobody → **not found**.
//!
//! The outcome is one byte per row; the explanation is kept only for rows that need one.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::Serialize;

use super::index::PREFETCH_DISTANCE;
use super::similarity::{id_typo_neighbours, is_id_typo};
use super::{Evidence, PersonIndex, QueryColumns, Resolution};
use crate::model::{admin::normalize_province_code, AdminUnits, PartialDate, Table};
use crate::normalize::id::check_id;
use crate::normalize::text::names_agree;
use crate::rules::facts::sector_id_number;
use crate::rules::types::Outcome;
use crate::rules::{field_label, EvalContext, Hit};

/// Outcome codes (one byte per sector row).
pub mod code {
    /// ID found, all fields agree.
    pub const MATCHED: u8 = 0;
    /// ID found, fields differ.
    pub const MISMATCH: u8 = 1;
    /// No ID, one person matches.
    pub const ID_MISSING: u8 = 2;
    /// ID with a typo, the person matches.
    pub const ID_WRONG: u8 = 3;
    /// Nobody.
    pub const NOT_FOUND: u8 = 4;
    /// Several equally good.
    pub const AMBIGUOUS: u8 = 5;
    /// Industrial-zone worker with a well-formed ID absent from the province.
    pub const IZ_ABSENT: u8 = 6;
    /// The ID is in no accepted register row, but in a register row rejected at
    /// ingest: the register cannot say who it is until that row is mended, so no
    /// NOT_FOUND is reported (the rejected row is, in `rejects/`).
    pub const REGISTER_ROW_REJECTED: u8 = 7;
    /// Flag: the matched person is registered only in other provinces (IZ rule).
    pub const IZ_FLAG: u8 = 0x10;
}

/// The match classes the provincial reports quote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchClass {
    /// Synchronised with the register.
    Matched,
    /// Found, with differing fields.
    Mismatched,
    /// ID suggested (missing or wrong).
    IdSuggested,
    /// Not found (including IZ workers without residence).
    NotFound,
    /// Several candidates.
    Ambiguous,
}

impl MatchClass {
    /// Class of an outcome code.
    pub fn of(outcome: u8) -> MatchClass {
        match outcome & 0x0F {
            code::MATCHED => MatchClass::Matched,
            code::MISMATCH => MatchClass::Mismatched,
            code::ID_MISSING | code::ID_WRONG => MatchClass::IdSuggested,
            code::AMBIGUOUS => MatchClass::Ambiguous,
            _ => MatchClass::NotFound,
        }
    }

    /// Vietnamese label.
    pub fn label(self) -> &'static str {
        match self {
            MatchClass::Matched => "Khớp",
            MatchClass::Mismatched => "Sai lệch thông tin",
            MatchClass::IdSuggested => "Gợi ý số định danh",
            MatchClass::NotFound => "Không tìm thấy",
            MatchClass::Ambiguous => "Nhiều ứng viên",
        }
    }

    /// Where the class stands in [`MatchClass::ALL`].
    pub fn position(self) -> usize {
        match self {
            MatchClass::Matched => 0,
            MatchClass::Mismatched => 1,
            MatchClass::IdSuggested => 2,
            MatchClass::NotFound => 3,
            MatchClass::Ambiguous => 4,
        }
    }

    /// All classes in report order.
    pub const ALL: [MatchClass; 5] = [
        MatchClass::Matched,
        MatchClass::Mismatched,
        MatchClass::IdSuggested,
        MatchClass::NotFound,
        MatchClass::Ambiguous,
    ];
}

/// Explanation kept for rows that are not plainly matched.
#[derive(Debug, Clone, Default)]
pub struct RowDetail {
    /// Fields that differ (canonical names).
    pub fields: Vec<&'static str>,
    /// Vietnamese explanation.
    pub text: String,
    /// Candidate register rows (ambiguous).
    pub candidates: Vec<u32>,
}

/// Outcomes of one sector dataset.
#[derive(Debug, Default)]
pub struct SectorMatches {
    /// Outcome code per row.
    pub outcome: Vec<u8>,
    /// Register row per row (`u32::MAX` when none).
    pub person: Vec<u32>,
    /// Explanations by row.
    pub details: BTreeMap<u32, RowDetail>,
    /// Candidate pairs scored.
    pub pairs: u64,
}

/// No register row.
pub const NO_PERSON: u32 = u32::MAX;

/// The 12-digit numbers in the text of rejected register rows, sorted: the IDs of
/// people whose register row could not be read.
pub fn ids_in_rejected_rows<'a>(raw_rows: impl Iterator<Item = &'a str>) -> Vec<u64> {
    let mut ids: Vec<u64> = raw_rows
        .flat_map(|raw| raw.split(|c: char| !c.is_ascii_digit()))
        .filter(|run| run.len() == 12)
        .filter_map(|run| run.parse().ok())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Set aside the sector rows that were not found only because the register row with
/// their ID was rejected (see [`code::REGISTER_ROW_REJECTED`]); returns how many.
pub fn set_aside_rejected_register_rows(
    table: &Table,
    matches: &mut SectorMatches,
    rejected_ids: &[u64],
) -> usize {
    let Some(ids) = table.text("person_id") else {
        return 0;
    };
    let mut set_aside = 0;
    for (row, outcome) in matches.outcome.iter_mut().enumerate() {
        if !matches!(*outcome & 0x0F, code::NOT_FOUND | code::IZ_ABSENT) {
            continue;
        }
        let id = sector_id_number(ids.get(row));
        if id != 0 && rejected_ids.binary_search(&id).is_ok() {
            *outcome = code::REGISTER_ROW_REJECTED;
            matches.details.remove(&(row as u32));
            set_aside += 1;
        }
    }
    set_aside
}

/// Province of a commune code (admin units first, else empty).
fn province_of(admin: &AdminUnits, commune: &str) -> Option<String> {
    admin.commune(commune).map(|c| c.province_code.clone())
}

/// The province the register is of: the one holding more than half of its records (by
/// their communes in the admin units). `None` when no province does — a national or
/// multi-province register — and then every province listed is "this province" for
/// `IZ_NO_TEMP_RESIDENCE`. A provincial register also holds some records of other
/// provinces (people registered twice, households across the border of the list).
fn home_province(population: &Table, admin: &AdminUnits) -> Option<String> {
    let communes = population.dict("commune_code")?;
    let mut per_value = vec![0u64; communes.values.len()];
    for &code in &communes.codes {
        if let Some(count) = per_value.get_mut(code as usize) {
            *count += 1;
        }
    }
    let mut per_province: BTreeMap<&str, u64> = BTreeMap::new();
    for (value, count) in communes.values.iter().zip(per_value) {
        if let Some(commune) = admin.commune(value) {
            *per_province
                .entry(commune.province_code.as_str())
                .or_default() += count;
        }
    }
    let rows = communes.codes.len() as u64;
    per_province
        .into_iter()
        .find(|&(_, count)| count * 2 > rows)
        .map(|(province, _)| province.to_string())
}

/// Cross-match one sector dataset.
pub fn match_dataset(
    table: &Table,
    index: &PersonIndex<'_>,
    admin: &AdminUnits,
    prefixes: &crate::normalize::id::IdPrefixes,
) -> SectorMatches {
    let columns = QueryColumns::new(table);
    let ids = table.text("person_id");
    let zones = table.dict("industrial_zone");
    let employer_communes = table.dict("employer_commune_code");
    let population = index.table;
    let register_provinces = population.dict("province_code");
    let source = crate::model::schema::dataset_label(&table.name);
    let register_province_of = |person: u32| -> String {
        province_of(admin, index.commune(person)).unwrap_or_else(|| {
            register_provinces
                .map(|c| normalize_province_code(c.get(person as usize)))
                .unwrap_or_default()
        })
    };
    let home = home_province(population, admin);
    let register_ids = population.text("person_id");
    // The sector ID's province prefix is the person's: their birth province, or the
    // prefix their broken register ID still shows. A namesake born the same day
    // elsewhere carries another prefix.
    let birth_provinces = population.dict("birth_province_code");
    let prefix_is_persons = |person: u32, id: u64| -> bool {
        let prefix = id / 1_000_000_000;
        let birth_province = birth_provinces
            .map(|c| normalize_province_code(c.get(person as usize)))
            .unwrap_or_default();
        let register_prefix = register_ids
            .map_or("", |c| c.get(person as usize))
            .trim()
            .get(..3)
            .unwrap_or_default();
        birth_province.parse::<u64>().ok() == Some(prefix)
            || register_prefix.parse::<u64>().ok() == Some(prefix)
    };
    // ID numbers first, in one sequential pass, so the lookups below can ask for the
    // table slot of the row some way ahead while they probe this one.
    let id_numbers: Vec<u64> = (0..table.rows)
        .into_par_iter()
        .map(|row| sector_id_number(ids.map_or("", |c| c.get(row))))
        .collect();
    let results: Vec<(u8, u32, Option<Box<RowDetail>>, usize)> = (0..table.rows)
        .into_par_iter()
        .map(|row| {
            if let Some(&ahead) = id_numbers.get(row + PREFETCH_DISTANCE) {
                index.id_table.prefetch(ahead);
            }
            let id_text = ids.map_or("", |c| c.get(row));
            let id = id_numbers[row];
            let query = columns.query(row, id);
            let unreadable_birth = columns.unreadable_birth(row);
            let compare = |person| {
                differences(&query, index, person, source, unreadable_birth.as_deref())
            };
            // An industrial zone of another province is that province's business.
            let zone_province = zones
                .filter(|z| !z.get(row).is_empty())
                .and(employer_communes)
                .and_then(|c| province_of(admin, c.get(row)))
                .filter(|zone| home.as_ref().is_none_or(|home| home == zone));
            // The record is `person`'s: matched, or mismatched on the fields that
            // differ; flagged when the industrial zone is in a province where none of
            // `candidates` (the register rows with its ID) lives.
            let matched = |person: u32,
                           differences: RowDetail,
                           candidates: &mut dyn Iterator<Item = u32>| {
                let mut outcome = if differences.fields.is_empty() {
                    code::MATCHED
                } else {
                    code::MISMATCH
                };
                if let Some(province) = &zone_province {
                    let mut lives_there = false;
                    for candidate in candidates {
                        if register_province_of(candidate) == *province {
                            lives_there = true;
                            break;
                        }
                    }
                    if !lives_there {
                        outcome |= code::IZ_FLAG;
                    }
                }
                let detail = (!differences.fields.is_empty()).then(|| Box::new(differences));
                (outcome, person, detail)
            };
            let persons = index.id_table.rows_of(id);
            if !persons.is_empty() {
                // Several rows can share an ID (SACH.DUP_ID): compare with the closest.
                // Equally close rows are one person registered twice: a death recorded
                // on either is the person's, and the record key, not the extract's row
                // order, settles the rest.
                let (person, differences) = persons
                    .iter()
                    .map(|p| (p, compare(p)))
                    .min_by(|(a, a_differences), (b, b_differences)| {
                        a_differences
                            .fields
                            .len()
                            .cmp(&b_differences.fields.len())
                            .then_with(|| {
                                index.death_recorded(*b).cmp(&index.death_recorded(*a))
                            })
                            .then_with(|| index.key(*a).cmp(index.key(*b)))
                    })
                    .unwrap_or((NO_PERSON, RowDetail::default()));
                let (outcome, person, detail) =
                    matched(person, differences, &mut persons.iter());
                return (outcome, person, detail, persons.len());
            }
            if id != 0 {
                // An ID the register does not know: a typo of someone's ID?
                let neighbours: Vec<u32> = id_typo_neighbours(id)
                    .into_iter()
                    .flat_map(|n| index.id_table.rows_of(n).iter().collect::<Vec<_>>())
                    .collect();
                let accept = |e: &Evidence| e.birth.is_some();
                let (resolution, compared) = index.resolve(&query, &neighbours, &accept);
                let compared = compared + neighbours.len();
                // Well-formed as the 12 digits it joins on (the zeros a spreadsheet
                // dropped put back, digit groups read through).
                let well_formed = check_id(
                    &format!("{id:012}"),
                    query.birth.is_known().then(|| query.birth.year()),
                    query.gender,
                    prefixes,
                )
                .problems
                .is_ok();
                match resolution {
                    // The person's own register ID is malformed or missing (reported by
                    // DUNG.ID_STRUCTURE / DU.MISSING_FIELD) and the sector carries a
                    // well-formed one: the sector record is the person's, and is never
                    // told to take the register's broken ID.
                    Resolution::Unique(person, _)
                        if well_formed
                            && index.id_broken(person)
                            && prefix_is_persons(person, id) =>
                    {
                        let differences = compare(person);
                        let (outcome, person, detail) =
                            matched(person, differences, &mut std::iter::once(person));
                        return (outcome, person, detail, compared);
                    }
                    Resolution::Unique(person, evidence) if is_id_typo(id, index.ids[person as usize]) => {
                        let detail = RowDetail {
                            fields: vec!["person_id"],
                            text: format!(
                                "Số định danh {id_text} không có trong dữ liệu dân cư; công dân {} ({}) có số {} lệch 1 chữ số/đảo 2 số: {}",
                                index.name(person),
                                index.table.keys().map_or("", |k| k.get(person as usize)),
                                format_id(index.ids[person as usize]),
                                evidence.describe()
                            ),
                            candidates: vec![person],
                        };
                        // Registered only in another province, the worker still lacks
                        // a residence where the zone is, whatever the ID's typo.
                        let mut outcome = code::ID_WRONG;
                        if let Some(province) = &zone_province {
                            if register_province_of(person) != *province {
                                outcome |= code::IZ_FLAG;
                            }
                        }
                        return (outcome, person, Some(Box::new(detail)), compared);
                    }
                    // Equally good candidates, one of whom may hold the ID under a typo
                    // or lack a usable one of their own. When none can, the tie does not
                    // matter: the well-formed ID is someone else's, as below.
                    Resolution::Ambiguous(rows, _)
                        if !well_formed
                            || rows.iter().any(|&person| {
                                is_id_typo(id, index.ids[person as usize])
                                    || (index.id_broken(person) && prefix_is_persons(person, id))
                            }) =>
                    {
                        let detail = ambiguous_detail(index, &rows);
                        return (code::AMBIGUOUS, NO_PERSON, Some(Box::new(detail)), compared);
                    }
                    other => {
                        // A well-formed ID is a real ID of someone not registered here.
                        let note = match other {
                            Resolution::Unique(person, evidence) => format!(
                                "; công dân gần giống: {} ({}), số định danh khác hẳn: {}",
                                index.name(person),
                                index.table.keys().map_or("", |k| k.get(person as usize)),
                                evidence.describe()
                            ),
                            Resolution::Ambiguous(rows, _) => format!(
                                "; {} công dân gần giống, số định danh khác hẳn",
                                rows.len()
                            ),
                            Resolution::NoMatch => String::new(),
                        };
                        let outcome = if well_formed && zone_province.is_some() {
                            code::IZ_ABSENT
                        } else {
                            code::NOT_FOUND
                        };
                        let detail = RowDetail {
                            fields: vec!["person_id"],
                            text: format!("Số định danh {id_text} không có trong dữ liệu dân cư{note}"),
                            candidates: Vec::new(),
                        };
                        return (outcome, NO_PERSON, Some(Box::new(detail)), compared);
                    }
                }
            }
            // No usable ID: search by name, birth date, gender, commune.
            let accept = |_: &Evidence| true;
            let (resolution, compared) = index.resolve(&query, &[], &accept);
            match resolution {
                Resolution::Unique(person, evidence) => {
                    let what = if id_text.trim().is_empty() {
                        "Không có số định danh".to_string()
                    } else {
                        format!("Số định danh \"{id_text}\" không hợp lệ")
                    };
                    let detail = RowDetail {
                        fields: vec!["person_id"],
                        text: format!(
                            "{what}; khớp công dân {} ({}): {}",
                            index.name(person),
                            index.table.keys().map_or("", |k| k.get(person as usize)),
                            evidence.describe()
                        ),
                        candidates: vec![person],
                    };
                    let mut outcome = code::ID_MISSING;
                    if let Some(province) = &zone_province {
                        if register_province_of(person) != *province {
                            outcome |= code::IZ_FLAG;
                        }
                    }
                    (outcome, person, Some(Box::new(detail)), compared)
                }
                Resolution::Ambiguous(rows, _) => (
                    code::AMBIGUOUS,
                    NO_PERSON,
                    Some(Box::new(ambiguous_detail(index, &rows))),
                    compared,
                ),
                Resolution::NoMatch => (
                    code::NOT_FOUND,
                    NO_PERSON,
                    Some(Box::new(RowDetail {
                        fields: vec!["person_id", "full_name", "birth_date"],
                        text: "Không có số định danh hợp lệ và không tìm thấy công dân cùng họ tên, ngày sinh".to_string(),
                        candidates: Vec::new(),
                    })),
                    compared,
                ),
            }
        })
        .collect();
    let mut matches = SectorMatches {
        outcome: Vec::with_capacity(results.len()),
        person: Vec::with_capacity(results.len()),
        details: BTreeMap::new(),
        pairs: 0,
    };
    for (row, (outcome, person, detail, compared)) in results.into_iter().enumerate() {
        matches.outcome.push(outcome);
        matches.person.push(person);
        matches.pairs += compared as u64;
        if let Some(detail) = detail {
            matches.details.insert(row as u32, *detail);
        }
    }
    matches
}

/// A 12-digit ID from its number (empty for 0: no usable ID, nothing to suggest).
pub fn format_id(value: u64) -> String {
    // 0 is "no usable ID": there is nothing to suggest.
    if value == 0 {
        return String::new();
    }
    format!("{value:012}")
}

fn ambiguous_detail(index: &PersonIndex<'_>, rows: &[u32]) -> RowDetail {
    let keys = index.table.keys();
    // In record-key order: the same text whatever order the register lists them in.
    let mut rows = rows.to_vec();
    rows.sort_by_key(|&p| keys.map_or("", |k| k.get(p as usize)));
    let listed: Vec<String> = rows
        .iter()
        .take(10)
        .map(|&p| {
            format!(
                "{} ({}, sinh {}, xã {})",
                index.name(p),
                keys.map_or("", |k| k.get(p as usize)),
                index.birth(p).display(),
                index.commune(p)
            )
        })
        .collect();
    RowDetail {
        fields: vec!["person_id"],
        text: format!(
            "Khớp {} công dân ngang nhau: {}",
            rows.len(),
            listed.join("; ")
        ),
        candidates: rows,
    }
}

/// Fields where the sector record and the register row disagree, with both values.
fn differences(
    query: &super::Query<'_>,
    index: &PersonIndex<'_>,
    person: u32,
    source: &str,
    unreadable_birth: Option<&str>,
) -> RowDetail {
    let mut detail = RowDetail::default();
    let mut notes = Vec::new();
    // An empty value on either side is missing, not different (DU.MISSING_FIELD
    // reports an empty register name).
    if !query.name.is_empty()
        && !index.name(person).is_empty()
        && !names_agree(
            query.name,
            query.folded,
            index.name(person),
            index.folded(person),
        )
    {
        detail.fields.push("full_name");
        notes.push(format!(
            "{}: \"{}\" ({source}) ≠ \"{}\" (dân cư)",
            field_label("full_name"),
            query.name,
            index.name(person)
        ));
    }
    if let Some(text) = unreadable_birth {
        // A sector date that is no date disagrees with a known register date: the
        // sector must correct it.
        if index.birth(person).is_known() {
            detail.fields.push("birth_date");
            notes.push(format!(
                "{}: \"{text}\" ({source}, không phải ngày hợp lệ) ≠ {} (dân cư)",
                field_label("birth_date"),
                index.birth(person).display()
            ));
        }
    } else if query.birth.agrees_with(index.birth(person)) == Some(false) {
        detail.fields.push("birth_date");
        notes.push(format!(
            "{}: {} ({source}) ≠ {} (dân cư)",
            field_label("birth_date"),
            query.birth.display(),
            index.birth(person).display()
        ));
    }
    if let (Some(a), Some(b)) = (query.gender, index.gender(person)) {
        if a != b {
            detail.fields.push("gender");
            notes.push(format!(
                "{}: {} ({source}) ≠ {} (dân cư)",
                field_label("gender"),
                a.label(),
                b.label()
            ));
        }
    }
    detail.text = notes.join("; ");
    detail
}

/// Findings of one cross-match outcome for a rule.
pub fn hits(
    table: &Table,
    outcome: Outcome,
    active_status: &[String],
    event_date: Option<&str>,
    mask: Option<&[bool]>,
    ctx: &EvalContext<'_>,
) -> Vec<Hit> {
    let Some(matches) = ctx.links.sectors.get(&table.name) else {
        return Vec::new();
    };
    let person_keys = ctx.population.keys();
    let key_of = |person: u32| {
        person_keys
            .map_or("", |k| k.get(person as usize))
            .to_string()
    };
    let statuses = table.dict("status");
    let active: Vec<bool> = statuses
        .map(|s| {
            s.values
                .iter()
                .map(|v| {
                    let folded = crate::normalize::text::fold_compact(v);
                    active_status
                        .iter()
                        .any(|a| crate::normalize::text::fold_compact(a) == folded)
                })
                .collect()
        })
        .unwrap_or_default();
    let events = event_date.and_then(|f| table.date(f));
    let employer_communes = table.dict("employer_commune_code");
    // Only rows that can carry this outcome are looked at (most rows are matched).
    let relevant = |code_byte: u8, person: u32| -> bool {
        let base = code_byte & 0x0F;
        match outcome {
            Outcome::Mismatch => base == code::MISMATCH,
            Outcome::IdMissing => base == code::ID_MISSING,
            Outcome::IdWrong => base == code::ID_WRONG,
            Outcome::NotFound => base == code::NOT_FOUND,
            Outcome::Ambiguous => base == code::AMBIGUOUS,
            Outcome::IzNoTempResidence => base == code::IZ_ABSENT || code_byte & code::IZ_FLAG != 0,
            Outcome::DeceasedActive => person != NO_PERSON && ctx.facts.dead[person as usize],
        }
    };
    (0..table.rows)
        .into_par_iter()
        .filter(|&row| {
            relevant(matches.outcome[row], matches.person[row]) && mask.is_none_or(|m| m[row])
        })
        .filter_map(|row| {
            let code_byte = matches.outcome[row];
            let base = code_byte & 0x0F;
            let person = matches.person[row];
            let detail = matches.details.get(&(row as u32));
            let detail_text = detail.map(|d| d.text.clone()).unwrap_or_default();
            let detail_fields = detail
                .map(|d| d.fields.join(";"))
                .unwrap_or_default();
            let with_person = |mut hit: Hit| -> Hit {
                if person != NO_PERSON {
                    hit.person_row = Some(person);
                    hit.related = vec![key_of(person)];
                }
                hit
            };
            match outcome {
                Outcome::Mismatch if base == code::MISMATCH => {
                    Some(with_person(Hit::row(row, detail_fields, detail_text)))
                }
                Outcome::IdMissing if base == code::ID_MISSING => {
                    let mut hit = with_person(Hit::row(row, "person_id".into(), detail_text));
                    hit.suggestion = format_id(ctx.facts.id_value[person as usize]);
                    Some(hit)
                }
                Outcome::IdWrong if base == code::ID_WRONG => {
                    let mut hit = with_person(Hit::row(row, "person_id".into(), detail_text));
                    hit.suggestion = format_id(ctx.facts.id_value[person as usize]);
                    Some(hit)
                }
                Outcome::NotFound if base == code::NOT_FOUND => {
                    Some(Hit::row(row, detail_fields, detail_text))
                }
                Outcome::Ambiguous if base == code::AMBIGUOUS => {
                    let mut hit = Hit::row(row, "person_id".into(), detail_text);
                    if let Some(d) = detail {
                        hit.related = d.candidates.iter().map(|&p| key_of(p)).collect();
                    }
                    Some(hit)
                }
                Outcome::IzNoTempResidence
                    if base == code::IZ_ABSENT || code_byte & code::IZ_FLAG != 0 =>
                {
                    let employer_commune = employer_communes
                        .map(|c| c.get(row).to_string())
                        .unwrap_or_default();
                    let zone = table.display("industrial_zone", row);
                    let text = if base == code::IZ_ABSENT {
                        format!(
                            "Người lao động tại {zone} (đơn vị ở xã {employer_commune}) không có trong dữ liệu dân cư của tỉnh (số định danh hợp lệ)"
                        )
                    } else {
                        format!(
                            "Người lao động tại {zone} (đơn vị ở xã {employer_commune}) chỉ đăng ký cư trú ở tỉnh khác (xã {})",
                            ctx.population
                                .dict("commune_code")
                                .map_or("", |c| c.get(person as usize))
                        )
                    };
                    let mut hit = Hit::row(row, "industrial_zone".into(), text);
                    if person != NO_PERSON {
                        hit.related = vec![key_of(person)];
                    }
                    hit.commune = Some(employer_commune);
                    Some(hit)
                }
                Outcome::DeceasedActive if person != NO_PERSON && ctx.facts.dead[person as usize] => {
                    let death = ctx
                        .links
                        .death_date
                        .get(person as usize)
                        .copied()
                        .unwrap_or(PartialDate::EMPTY);
                    // A dataset with neither a status nor the rule's event date (the
                    // SPEC's tax extract) lists the records in use: being there is
                    // being active.
                    let status_active = match statuses {
                        Some(s) => active.get(s.code(row) as usize).copied().unwrap_or(false),
                        None => event_date.is_none(),
                    };
                    let after_death = events.and_then(|e| {
                        let event = e.get(row);
                        let (Some(event_day), Some(death_last)) = (event.earliest(), death.latest())
                        else {
                            return None;
                        };
                        (event_day > death_last).then(|| event.display())
                    });
                    let text = match (&after_death, status_active) {
                        (Some(event), _) => format!(
                            "{} {event} sau ngày mất {} của công dân {}",
                            field_label(event_date.unwrap_or("")),
                            death.display(),
                            key_of(person)
                        ),
                        (None, true) => {
                            let died = if death.is_known() {
                                format!(" (ngày mất {})", death.display())
                            } else {
                                String::new()
                            };
                            match statuses {
                                Some(s) => format!(
                                    "Trạng thái \"{}\" nhưng công dân {} đã chết{died}",
                                    s.get(row),
                                    key_of(person),
                                ),
                                None => format!(
                                    "Hồ sơ vẫn còn trong dữ liệu {} nhưng công dân {} đã chết{died}",
                                    crate::model::schema::dataset_label(&table.name),
                                    key_of(person),
                                ),
                            }
                        }
                        (None, false) => return None,
                    };
                    let field = match (&after_death, statuses) {
                        (Some(_), _) => event_date.unwrap_or("status").to_string(),
                        (None, Some(_)) => "status".to_string(),
                        (None, None) => "person_id".to_string(),
                    };
                    Some(with_person(Hit::row(row, field, text)))
                }
                _ => None,
            }
        })
        .collect()
}

/// Match-class counts for the summary: province totals and per routed commune.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ClassCounts {
    /// Rows of the dataset.
    pub total: u64,
    /// Count per class.
    pub classes: BTreeMap<MatchClass, u64>,
    /// Rate per class (share of `total`).
    pub rates: BTreeMap<MatchClass, f64>,
    /// Per commune: count per class.
    pub communes: BTreeMap<String, BTreeMap<MatchClass, u64>>,
    /// Candidate pairs scored.
    pub candidate_pairs: u64,
}

/// Count classes; each row counts in the commune it is routed to (the person's for
/// found records, the record's own otherwise).
pub fn count_classes(table: &Table, matches: &SectorMatches, population: &Table) -> ClassCounts {
    let own = table.dict("commune_code");
    let register = population.dict("commune_code");
    let mut counts = ClassCounts {
        total: table.rows as u64,
        candidate_pairs: matches.pairs,
        ..ClassCounts::default()
    };
    // Count into a dense table by (where the commune code comes from, code, class),
    // in parallel; names of communes only once per code afterwards.
    let classes = MatchClass::ALL.len();
    let register_codes = register.map_or(1, |c| c.values.len().max(1));
    let own_codes = own.map_or(1, |c| c.values.len().max(1));
    let slot = |row: usize| {
        let class = MatchClass::of(matches.outcome[row]).position();
        let person = matches.person[row];
        let place = if person != NO_PERSON {
            register.map_or(0, |c| c.code(person as usize) as usize)
        } else {
            register_codes + own.map_or(0, |c| c.code(row) as usize)
        };
        place * classes + class
    };
    let tally = (0..table.rows)
        .into_par_iter()
        .with_min_len(1 << 16)
        .fold(
            || vec![0u64; (register_codes + own_codes) * classes],
            |mut tally, row| {
                tally[slot(row)] += 1;
                tally
            },
        )
        .reduce_with(|mut a, b| {
            a.iter_mut().zip(b).for_each(|(a, b)| *a += b);
            a
        })
        .unwrap_or_default();
    let mut per_commune: BTreeMap<String, BTreeMap<MatchClass, u64>> = BTreeMap::new();
    for (place, row) in tally.chunks(classes).enumerate() {
        let commune = if place < register_codes {
            register.and_then(|c| c.values.get(place))
        } else {
            own.and_then(|c| c.values.get(place - register_codes))
        }
        .map_or("", String::as_str);
        for (&class, &n) in MatchClass::ALL.iter().zip(row) {
            if n == 0 {
                continue;
            }
            *counts.classes.entry(class).or_default() += n;
            *per_commune
                .entry(commune.to_string())
                .or_default()
                .entry(class)
                .or_default() += n;
        }
    }
    for class in MatchClass::ALL {
        let n = counts.classes.get(&class).copied().unwrap_or(0);
        counts.classes.insert(class, n);
        let rate = if counts.total == 0 {
            0.0
        } else {
            n as f64 / counts.total as f64
        };
        counts
            .rates
            .insert(class, (rate * 10_000.0).round() / 10_000.0);
    }
    counts.communes = per_commune;
    counts
}
