//! The old CMND register (9-digit IDs) against the register: an old ID that appears
//! on a register row is linked; otherwise the person is searched by name, birth date
//! and gender, and an unlinked match (their `old_id` empty) is suggested for linking.

use rayon::prelude::*;

use super::{Evidence, PersonIndex, QueryColumns, Resolution};
use crate::model::{StrColumn, Table};
use crate::rules::{EvalContext, Hit};

/// What became of one old-ID record.
#[derive(Debug, Clone, PartialEq)]
pub enum LegacyOutcome {
    /// The old ID is already on a register row.
    Linked,
    /// A person matches and has no old ID: suggest the link.
    Suggest(u32, Evidence),
    /// The matching person already carries another old ID (not reported).
    OtherOldId(u32),
    /// Several people match equally.
    Ambiguous(Vec<u32>),
    /// Nobody matches.
    NotFound,
}

/// Comparison key of an old ID: its number when all digits (so a lost leading zero
/// does not matter), else a tagged hash.
pub fn old_id_key(text: &str) -> u64 {
    let text = text.trim();
    if text.is_empty() {
        return 0;
    }
    if text.len() <= 18 && text.bytes().all(|b| b.is_ascii_digit()) {
        return text
            .bytes()
            .fold(0u64, |acc, b| acc * 10 + u64::from(b - b'0'))
            + 1;
    }
    xxhash_rust::xxh3::xxh3_64(text.as_bytes()) | (1 << 63)
}

fn sorted_keys(column: Option<&StrColumn>, rows: usize) -> Vec<u64> {
    let mut keys: Vec<u64> = match column {
        Some(c) => (0..rows)
            .into_par_iter()
            .map(|row| old_id_key(c.get(row)))
            .filter(|&k| k != 0)
            .collect(),
        None => Vec::new(),
    };
    keys.par_sort_unstable();
    keys
}

/// Which of `keys` (0 = none) occur in `sorted`. The keys are sorted and walked
/// beside `sorted` once: a binary search per key would miss the cache at every level
/// of a register's worth of old IDs (40× slower at 10M people than at 1M).
fn found_in_sorted(keys: &[u64], sorted: &[u64]) -> Vec<bool> {
    let mut order: Vec<(u64, u32)> = keys
        .par_iter()
        .enumerate()
        .filter(|&(_, &key)| key != 0)
        .map(|(row, &key)| (key, row as u32))
        .collect();
    order.par_sort_unstable();
    let mut found = vec![false; keys.len()];
    let mut next = 0;
    for (key, row) in order {
        while sorted.get(next).is_some_and(|&known| known < key) {
            next += 1;
        }
        found[row as usize] = sorted.get(next) == Some(&key);
    }
    found
}

/// Resolve every old-ID record.
pub fn link(legacy: &Table, index: &PersonIndex<'_>) -> (Vec<LegacyOutcome>, u64) {
    let population = index.table;
    let register_old_ids = population.text("old_id");
    let known = sorted_keys(register_old_ids, population.rows);
    let columns = QueryColumns::new(legacy);
    let old_ids = legacy.keys();
    let keys: Vec<u64> = (0..legacy.rows)
        .into_par_iter()
        .map(|row| old_id_key(old_ids.map_or("", |c| c.get(row))))
        .collect();
    let linked = found_in_sorted(&keys, &known);
    let results: Vec<(LegacyOutcome, usize)> = (0..legacy.rows)
        .into_par_iter()
        .map(|row| {
            if linked[row] {
                return (LegacyOutcome::Linked, 0);
            }
            let query = columns.query(row, 0);
            let accept = |e: &Evidence| e.birth.is_some() && e.gender != Some(false);
            let (resolution, compared) = index.resolve(&query, &[], &accept);
            let has_old_id =
                |person: u32| register_old_ids.is_some_and(|c| c.len_at(person as usize) > 0);
            let outcome = match resolution {
                Resolution::Unique(person, _) if has_old_id(person) => {
                    LegacyOutcome::OtherOldId(person)
                }
                Resolution::Unique(person, evidence) => LegacyOutcome::Suggest(person, evidence),
                Resolution::Ambiguous(rows, _) => {
                    let open: Vec<u32> = rows.into_iter().filter(|&p| !has_old_id(p)).collect();
                    match open.len() {
                        0 => LegacyOutcome::Linked,
                        _ => LegacyOutcome::Ambiguous(open),
                    }
                }
                Resolution::NoMatch => LegacyOutcome::NotFound,
            };
            (outcome, compared)
        })
        .collect();
    let pairs = results.iter().map(|r| r.1 as u64).sum();
    (results.into_iter().map(|r| r.0).collect(), pairs)
}

/// `old_id_not_linked` hits.
pub fn hits(table: &Table, mask: Option<&[bool]>, ctx: &EvalContext<'_>) -> Vec<Hit> {
    let keys = ctx.population.keys();
    let key_of = |person: u32| keys.map_or("", |k| k.get(person as usize)).to_string();
    let names = ctx.population.name_column("full_name");
    ctx.links
        .legacy
        .iter()
        .enumerate()
        .filter(|(row, _)| mask.is_none_or(|m| m[*row]))
        .filter_map(|(row, outcome)| {
            let old_id = table.key(row).to_string();
            match outcome {
                LegacyOutcome::Suggest(person, evidence) => {
                    let mut hit = Hit::row(
                        row,
                        "old_id".to_string(),
                        format!(
                            "Số CMND {old_id} khớp công dân {} ({}) nhưng hồ sơ dân cư chưa có số CMND cũ: {}",
                            names.map_or("", |n| n.text.get(*person as usize)),
                            key_of(*person),
                            evidence.describe()
                        ),
                    );
                    hit.suggestion = old_id;
                    hit.related = vec![key_of(*person)];
                    hit.person_row = Some(*person);
                    Some(hit)
                }
                LegacyOutcome::Ambiguous(rows) => {
                    let mut hit = Hit::row(
                        row,
                        "old_id".to_string(),
                        format!(
                            "Số CMND {old_id} khớp {} công dân chưa có số CMND cũ, cần xác minh người đúng",
                            rows.len()
                        ),
                    );
                    hit.related = rows.iter().map(|&p| key_of(p)).collect();
                    Some(hit)
                }
                LegacyOutcome::NotFound => Some(Hit::row(
                    row,
                    "old_id".to_string(),
                    format!(
                        "Số CMND {old_id} không khớp công dân nào trong dữ liệu dân cư (họ tên, ngày sinh, giới tính)"
                    ),
                )),
                LegacyOutcome::Linked | LegacyOutcome::OtherOldId(_) => None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_found_by_one_walk_whatever_their_order() {
        let sorted = [3, 5, 5, 9, 40];
        let keys = [9, 0, 4, 5, 41, 3, 9, 1, 40];
        assert_eq!(
            found_in_sorted(&keys, &sorted),
            [true, false, false, true, false, true, true, false, true]
        );
        assert_eq!(found_in_sorted(&keys, &[]), [false; 9]);
        assert!(found_in_sorted(&[], &sorted).is_empty());
    }
}
