//! Group check kernels: household head counts and duplicate keys. Groups are found by
//! sorting integer keys (dictionary codes, ID numbers, 64-bit hashes), never by hashing
//! strings per row into a map.

use rayon::prelude::*;

use super::super::{field_label, EvalContext, Hit};
use crate::model::Table;
use crate::normalize::text::fold_compact;
use crate::rules::refs::RefList;
use crate::rules::types::HeadCondition;

/// `household_heads`: households with no head (`none`) or several (`many`). The finding
/// is keyed by the household id and routed to the commune most of its members live in.
/// A relation names the head when it is `head` in any case, spacing or Unicode form, or
/// another spelling of `head`'s entry in the relations list (`Là chủ hộ`). A household
/// named in a register row rejected at ingest (`rejected_cells`) is not reported
/// headless: the rejected row may be its head's, and is reported in `rejects/`.
pub fn household_heads(
    table: &Table,
    condition: HeadCondition,
    (household_field, relation_field): (&str, &str),
    head: &str,
    relations_list: Option<&RefList>,
    rejected_cells: &std::collections::HashSet<String>,
) -> Vec<Hit> {
    let (Some(households), Some(relations)) =
        (table.dict(household_field), table.dict(relation_field))
    else {
        return Vec::new();
    };
    let head_key = fold_compact(head);
    let head_entry = relations_list.and_then(|list| list.canonical_of(head));
    let is_head: Vec<bool> = relations
        .values
        .iter()
        .map(|value| {
            fold_compact(value) == head_key
                || head_entry.is_some_and(|entry| {
                    relations_list.and_then(|list| list.canonical_of(value)) == Some(entry)
                })
        })
        .collect();
    let households_count = households.values.len();
    // Members per household, by counting sort on the dictionary code.
    let mut starts = vec![0u32; households_count + 1];
    for &code in &households.codes {
        starts[code as usize + 1] += 1;
    }
    for i in 1..starts.len() {
        starts[i] += starts[i - 1];
    }
    let mut members = vec![0u32; households.codes.len()];
    let mut fill = starts.clone();
    for (row, &code) in households.codes.iter().enumerate() {
        members[fill[code as usize] as usize] = row as u32;
        fill[code as usize] += 1;
    }
    let keys = table.keys();
    let names = table.name_column("full_name");
    let communes = table.dict("commune_code");
    (1..households_count)
        .into_par_iter()
        .filter_map(|code| {
            let group = &members[starts[code] as usize..starts[code + 1] as usize];
            if group.is_empty() {
                return None;
            }
            let heads: Vec<u32> = group
                .iter()
                .copied()
                .filter(|&row| is_head[relations.code(row as usize) as usize])
                .collect();
            let fires = match condition {
                HeadCondition::None => {
                    heads.is_empty() && !rejected_cells.contains(&households.values[code])
                }
                HeadCondition::Many => heads.len() > 1,
            };
            if !fires {
                return None;
            }
            // Members are named in record-key order, so that the text is the same
            // whatever order tonight's extract lists them in.
            let by_key = |rows: &[u32]| -> Vec<u32> {
                let mut sorted = rows.to_vec();
                sorted.sort_by_key(|&row| keys.map_or("", |k| k.get(row as usize)));
                sorted
            };
            let (group_sorted, heads) = (by_key(group), by_key(&heads));
            let describe = |row: u32| -> String {
                let name = names.map_or("", |n| n.text.get(row as usize));
                let relation = relations.get(row as usize);
                let relation = if relation.is_empty() {
                    "trống"
                } else {
                    relation
                };
                format!("{name} ({relation})")
            };
            let household = &households.values[code];
            let detail = match condition {
                HeadCondition::None => format!(
                    "Hộ {household} có {} thành viên, không ai là chủ hộ: {}",
                    group.len(),
                    super::listed(group_sorted.iter().map(|&r| describe(r)), ", ")
                ),
                HeadCondition::Many => format!(
                    "Hộ {household} có {} chủ hộ: {}",
                    heads.len(),
                    super::listed(heads.iter().map(|&r| describe(r)), ", ")
                ),
            };
            let involved: &[u32] = match condition {
                HeadCondition::None => group,
                HeadCondition::Many => &heads,
            };
            let mut related: Vec<String> = involved
                .iter()
                .filter_map(|&r| keys.map(|k| k.get(r as usize).to_string()))
                .collect();
            related.sort();
            let commune = communes.map(|c| majority_commune(group, c));
            Some(Hit {
                row: None,
                key: Some(household.clone()),
                fields: relation_field.to_string(),
                detail,
                related,
                commune,
                ..Hit::default()
            })
        })
        .collect()
}

/// The commune most members live in (ties → the smallest code, for determinism).
fn majority_commune(group: &[u32], communes: &crate::model::DictColumn) -> String {
    let mut codes: Vec<u32> = group.iter().map(|&r| communes.code(r as usize)).collect();
    codes.sort_unstable();
    let mut best = (0usize, 0u32);
    let mut i = 0;
    while i < codes.len() {
        let mut j = i;
        while j < codes.len() && codes[j] == codes[i] {
            j += 1;
        }
        let value = &communes.values[codes[i] as usize];
        let better =
            j - i > best.0 || (j - i == best.0 && value < &communes.values[best.1 as usize]);
        if codes[i] != 0 && better {
            best = (j - i, codes[i]);
        }
        i = j;
    }
    communes.values[best.1 as usize].clone()
}

/// `duplicate_key`: the same value on two or more rows. For the register's
/// `person_id`, IDs are compared by number so that an ID that lost its leading zeros
/// still collides with the intact one.
pub fn duplicate_key(
    table: &Table,
    field: &str,
    mask: Option<&[bool]>,
    ctx: &EvalContext<'_>,
) -> Vec<Hit> {
    let Some(column) = table.column(field) else {
        return Vec::new();
    };
    let use_id_numbers = table.name == ctx.population.name && field == "person_id";
    let mut keyed: Vec<(u64, u32)> = (0..table.rows)
        .into_par_iter()
        .filter(|&row| {
            mask.is_none_or(|m| m[row])
                && !column.is_blank(row)
                && !column
                    .text(row)
                    .is_some_and(crate::normalize::id::is_scientific_notation)
        })
        .map(|row| {
            let number = if use_id_numbers {
                ctx.facts.id_value[row]
            } else {
                0
            };
            let key = if number != 0 {
                number
            } else {
                // Text keys live in the upper half of the u64 space, away from numbers
                // below 10^12 (collisions are re-checked on the text anyway).
                xxhash_rust::xxh3::xxh3_64(column.display(row).as_bytes()) | (1 << 63)
            };
            (key, row as u32)
        })
        .collect();
    keyed.par_sort_unstable();
    let keys = table.keys();
    let mut hits = Vec::new();
    let mut i = 0;
    while i < keyed.len() {
        let mut j = i + 1;
        while j < keyed.len() && keyed[j].0 == keyed[i].0 {
            j += 1;
        }
        if j - i > 1 {
            let rows: Vec<u32> = keyed[i..j].iter().map(|&(_, r)| r).collect();
            let is_text = keyed[i].0 >> 63 == 1;
            // Confirm text groups on the exact value (hash collisions split groups).
            let mut groups: Vec<Vec<u32>> = Vec::new();
            for &row in &rows {
                let value = column.display(row as usize);
                match groups
                    .iter_mut()
                    .find(|g| !is_text || column.display(g[0] as usize) == value)
                {
                    Some(group) => group.push(row),
                    None => groups.push(vec![row]),
                }
            }
            for group in groups.into_iter().filter(|g| g.len() > 1) {
                for &row in &group {
                    let mut related: Vec<String> = group
                        .iter()
                        .filter(|&&other| other != row)
                        .filter_map(|&other| keys.map(|k| k.get(other as usize).to_string()))
                        .collect();
                    related.sort();
                    let mut hit = Hit::row(
                        row as usize,
                        field.to_string(),
                        format!(
                            "{} {} trùng với {} hồ sơ khác: {}",
                            field_label(field),
                            column.display(row as usize),
                            related.len(),
                            super::listed(related.iter().cloned(), ", ")
                        ),
                    );
                    hit.related = related;
                    hits.push(hit);
                }
            }
        }
        i = j;
    }
    hits
}
