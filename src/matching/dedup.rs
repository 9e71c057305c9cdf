//! Duplicate people in the register (`SACH.DUP_PERSON`): the same human registered
//! twice (or more), in one province or across provinces, under different or missing
//! IDs.
//!
//! 1. **Blocking** — five passes whose union is the candidate set: the three identity
//!    passes of the person index (name + birth year; surname + given name + birth
//!    year; given name + full birth date), parents' names + birth year, and the old
//!    CMND number. Blocks too large to carry information are skipped for that pass.
//! 2. **Scoring** — name similarity, birth date at the coarser precision, gender,
//!    parents', spouse's names, old ID, birth province, with weights from
//!    `[matching.dedup]`. Vietnam has many true namesakes, so name + birth date alone
//!    never make a duplicate: a pair needs corroborating evidence (a parent, the
//!    spouse or the old ID), or — when one record has no valid ID — a full birth date,
//!    the same gender and the same birth province.
//! 3. **Clustering** — pairs are merged best-first (union-find) with a guard against
//!    chaining: two clusters are not merged if that would put together two records
//!    with different valid IDs whose parents disagree, or grow a cluster past a size
//!    no real duplicate group reaches.

use std::collections::BTreeMap;

use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_64_with_seed;

use super::legacy::old_id_key;
use super::similarity::name_similarity;
use super::PersonIndex;
use crate::model::{admin::normalize_province_code, AdminUnits, NameColumn, Precision, Table};
use crate::normalize::text::names_agree;
use crate::rules::facts::PopulationFacts;
use crate::rules::types::MatchingDef;
use crate::rules::{EvalContext, Hit};

/// Blocks larger than this are skipped for a pass.
const MAX_DEDUP_BLOCK: usize = 120;
/// No real duplicate group is this large: a bigger cluster means chaining.
const MAX_CLUSTER: usize = 6;

/// Dedup weights (from `[matching.dedup]`).
#[derive(Debug, Clone)]
struct DedupWeights {
    accept: f64,
    name_threshold: f64,
    name_floor: f64,
    name_exact: f64,
    name_similar: f64,
    birth_day: f64,
    birth_month: f64,
    birth_year: f64,
    gender_agree: f64,
    parent_agree: f64,
    parent_conflict: f64,
    spouse_agree: f64,
    old_id_agree: f64,
    old_id_conflict: f64,
    birth_province_agree: f64,
    birth_province_conflict: f64,
    different_valid_ids: f64,
}

impl DedupWeights {
    fn from_def(def: &MatchingDef) -> Self {
        let w = |name: &str, default: f64| def.dedup.get(name).copied().unwrap_or(default);
        let m = |name: &str, default: f64| def.weights.get(name).copied().unwrap_or(default);
        DedupWeights {
            accept: w("accept_score", 7.0),
            name_threshold: w("name_threshold", def.name_threshold),
            name_floor: w("name_floor", 0.72),
            name_exact: m("name_exact", 3.0),
            name_similar: m("name_similar", 2.0),
            birth_day: m("birth_date_day", 3.0),
            birth_month: m("birth_date_month", 2.0),
            birth_year: m("birth_date_year", 1.0),
            gender_agree: m("gender_agree", 0.5),
            parent_agree: w("parent_agree", 3.0),
            parent_conflict: w("parent_conflict", -3.0),
            spouse_agree: w("spouse_agree", 1.5),
            old_id_agree: w("old_id_agree", 4.0),
            old_id_conflict: w("old_id_conflict", -4.0),
            birth_province_agree: w("birth_province_agree", 0.5),
            birth_province_conflict: w("birth_province_conflict", -1.5),
            different_valid_ids: w("different_valid_ids", -2.0),
        }
    }
}

/// One accepted pair with its evidence.
#[derive(Debug, Clone)]
pub struct Pair {
    /// Lower row.
    pub a: u32,
    /// Higher row.
    pub b: u32,
    /// Score.
    pub score: f64,
    /// Vietnamese evidence.
    pub evidence: String,
}

/// A duplicate group.
#[derive(Debug, Clone)]
pub struct Cluster {
    /// Stable id: `DP-` + the smallest record key.
    pub id: String,
    /// Member rows, sorted.
    pub rows: Vec<u32>,
    /// Members live in more than one province.
    pub cross_province: bool,
}

/// Result of duplicate detection.
#[derive(Debug, Default)]
pub struct Duplicates {
    /// Clusters, sorted by id.
    pub clusters: Vec<Cluster>,
    /// Accepted pairs (inside clusters).
    pub pairs: Vec<Pair>,
    /// Candidate pairs scored.
    pub candidate_pairs: u64,
    /// Rows of the register (for pairs per record).
    pub rows: u64,
}

struct Columns<'a> {
    /// Sorted hashes of every parent name in the register, for term frequencies.
    parent_names: Vec<u64>,
    father: Option<&'a NameColumn>,
    mother: Option<&'a NameColumn>,
    spouse: Option<&'a NameColumn>,
    old_ids: Vec<u64>,
    birth_province: Vec<u16>,
}

fn name_of(column: Option<&NameColumn>, row: u32) -> &str {
    column.map_or("", |c| c.folded.get(row as usize))
}

/// Agreement of two optional names: Some(true) agree, Some(false) conflict, None
/// when either is missing or the names are merely close.
fn names_compare(a: &str, b: &str) -> Option<bool> {
    if a.is_empty() || b.is_empty() {
        return None;
    }
    if a == b {
        return Some(true);
    }
    let similarity = name_similarity(a, b);
    if similarity >= 0.95 {
        Some(true)
    } else if similarity < 0.8 {
        Some(false)
    } else {
        None
    }
}

impl Columns<'_> {
    /// Share of the weight an agreeing parent name earns: a rare name is strong
    /// evidence, "Nguyễn Thị Hương" much less (term-frequency adjustment).
    fn rarity(&self, folded: &str) -> f64 {
        let total = self.parent_names.len().max(1) as f64;
        let hash = xxhash_rust::xxh3::xxh3_64(folded.as_bytes());
        let start = self.parent_names.partition_point(|&h| h < hash);
        let count = self.parent_names[start..]
            .iter()
            .take_while(|&&h| h == hash)
            .count()
            .max(1) as f64;
        // 1/1000 or rarer → full weight; 1/20 → about half.
        ((total / count).log2() / 10.0).clamp(0.5, 1.0)
    }
}

/// Find duplicate clusters in the register.
pub fn detect(
    table: &Table,
    facts: &PopulationFacts,
    index: &PersonIndex<'_>,
    def: &MatchingDef,
    admin: &AdminUnits,
) -> Duplicates {
    let weights = DedupWeights::from_def(def);
    let rows = table.rows;
    let mut parent_names: Vec<u64> = ["father_name", "mother_name"]
        .iter()
        .filter_map(|f| table.name_column(f))
        .flat_map(|c| (0..rows).map(move |r| c.folded.get(r)))
        .filter(|n| !n.is_empty())
        .map(|n| xxhash_rust::xxh3::xxh3_64(n.as_bytes()))
        .collect();
    parent_names.par_sort_unstable();
    let columns = Columns {
        parent_names,
        father: table.name_column("father_name"),
        mother: table.name_column("mother_name"),
        spouse: table.name_column("spouse_name"),
        old_ids: match table.text("old_id") {
            Some(c) => (0..rows).map(|r| old_id_key(c.get(r))).collect(),
            None => vec![0; rows],
        },
        birth_province: match table.dict("birth_province_code") {
            Some(d) => {
                let codes: Vec<u16> = d
                    .values
                    .iter()
                    .map(|v| normalize_province_code(v).parse::<u16>().unwrap_or(0))
                    .collect();
                d.codes.iter().map(|&c| codes[c as usize]).collect()
            }
            None => vec![0; rows],
        },
    };

    // Extra passes: parents + birth year, old ID.
    let extra_keys: Vec<[u64; 2]> = (0..rows as u32)
        .into_par_iter()
        .map(|row| {
            let father = name_of(columns.father, row);
            let mother = name_of(columns.mother, row);
            let birth = index.birth(row);
            let parents = if !father.is_empty() && !mother.is_empty() && birth.is_known() {
                let seed = xxh3_64_with_seed(father.as_bytes(), 0x7a11);
                xxh3_64_with_seed(mother.as_bytes(), seed) ^ birth.year() as u64 | 1
            } else {
                0
            };
            [parents, columns.old_ids[row as usize]]
        })
        .collect();
    let extra_pass = |pass: usize| -> Vec<(u64, u32)> {
        let mut entries: Vec<(u64, u32)> = extra_keys
            .iter()
            .enumerate()
            .filter(|(_, k)| k[pass] != 0)
            .map(|(row, k)| (k[pass], row as u32))
            .collect();
        entries.par_sort_unstable();
        entries
    };
    let parents_pass = extra_pass(0);
    let old_id_pass = extra_pass(1);

    // Candidate pairs from every pass, as (low << 32 | high). Pairs that can never be
    // accepted — birth dates that disagree, genders that differ — are dropped while the
    // blocks are walked, with two integer compares, before any scoring.
    let births: Vec<crate::model::PartialDate> = (0..rows as u32).map(|r| index.birth(r)).collect();
    let compatible = |x: u32, y: u32| -> bool {
        let (gx, gy) = (facts.gender[x as usize], facts.gender[y as usize]);
        if gx.is_some() && gy.is_some() && gx != gy {
            return false;
        }
        births[x as usize].agrees_with(births[y as usize]) == Some(true)
    };
    let mut candidates: Vec<u64> = Vec::new();
    let mut add_blocks = |blocks: Vec<&[(u64, u32)]>| {
        let pairs: Vec<u64> = blocks
            .par_iter()
            .filter(|b| b.len() > 1 && b.len() <= MAX_DEDUP_BLOCK)
            .flat_map_iter(|block| {
                let mut out = Vec::new();
                for i in 0..block.len() {
                    for j in i + 1..block.len() {
                        let (x, y) = (block[i].1, block[j].1);
                        if !compatible(x, y) {
                            continue;
                        }
                        let (low, high) = if x < y { (x, y) } else { (y, x) };
                        out.push(u64::from(low) << 32 | u64::from(high));
                    }
                }
                out
            })
            .collect();
        candidates.extend(pairs);
    };
    for pass in 0..3 {
        add_blocks(index.blocking.blocks(pass).collect());
    }
    add_blocks(blocks_of(&parents_pass));
    add_blocks(blocks_of(&old_id_pass));
    candidates.par_sort_unstable();
    candidates.dedup();
    let candidate_pairs = candidates.len() as u64;

    let mut accepted: Vec<Pair> = candidates
        .par_iter()
        .filter_map(|&pair| {
            let (a, b) = ((pair >> 32) as u32, pair as u32);
            score_pair(a, b, facts, index, &columns, &weights)
        })
        .collect();
    // Best first; ties broken by rows for determinism.
    accepted.sort_by(|x, y| {
        y.score
            .total_cmp(&x.score)
            .then(x.a.cmp(&y.a))
            .then(x.b.cmp(&y.b))
    });

    // Union-find with the anti-chaining guard.
    let mut parent: Vec<u32> = (0..rows as u32).collect();
    let mut members: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    fn find(parent: &mut [u32], mut x: u32) -> u32 {
        while parent[x as usize] != x {
            let next = parent[parent[x as usize] as usize];
            parent[x as usize] = next;
            x = next;
        }
        x
    }
    let mut kept = Vec::new();
    for pair in accepted {
        let (root_a, root_b) = (find(&mut parent, pair.a), find(&mut parent, pair.b));
        if root_a == root_b {
            kept.push(pair);
            continue;
        }
        let group_a = members
            .get(&root_a)
            .cloned()
            .unwrap_or_else(|| vec![root_a]);
        let group_b = members
            .get(&root_b)
            .cloned()
            .unwrap_or_else(|| vec![root_b]);
        if group_a.len() + group_b.len() > MAX_CLUSTER {
            continue;
        }
        let conflict = group_a
            .iter()
            .any(|&x| group_b.iter().any(|&y| incompatible(x, y, facts, &columns)));
        if conflict {
            continue;
        }
        let (root, other) = if root_a < root_b {
            (root_a, root_b)
        } else {
            (root_b, root_a)
        };
        parent[other as usize] = root;
        let mut merged = group_a;
        merged.extend(group_b);
        merged.sort_unstable();
        members.remove(&other);
        members.insert(root, merged);
        kept.push(pair);
    }

    let keys = table.keys();
    let provinces = table.dict("province_code");
    let communes = table.dict("commune_code");
    let province_of = |row: u32| -> String {
        let commune = communes.map_or("", |c| c.get(row as usize));
        admin
            .commune(commune)
            .map(|c| c.province_code.clone())
            .unwrap_or_else(|| {
                normalize_province_code(provinces.map_or("", |p| p.get(row as usize)))
            })
    };
    let mut clusters: Vec<Cluster> = members
        .into_values()
        .filter(|m| m.len() > 1)
        .map(|rows| {
            let smallest = rows
                .iter()
                .map(|&r| keys.map_or("", |k| k.get(r as usize)))
                .min()
                .unwrap_or("")
                .to_string();
            let first_province = province_of(rows[0]);
            let cross_province = rows.iter().any(|&r| province_of(r) != first_province);
            Cluster {
                id: format!("DP-{smallest}"),
                rows,
                cross_province,
            }
        })
        .collect();
    clusters.sort_by(|a, b| a.id.cmp(&b.id));
    Duplicates {
        clusters,
        pairs: kept,
        candidate_pairs,
        rows: rows as u64,
    }
}

fn blocks_of(entries: &[(u64, u32)]) -> Vec<&[(u64, u32)]> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < entries.len() {
        let key = entries[start].0;
        let end = start + entries[start..].partition_point(|&(k, _)| k == key);
        out.push(&entries[start..end]);
        start = end;
    }
    out
}

/// Two records that must never share a cluster: different valid IDs and parents
/// that clearly disagree, or different old IDs.
fn incompatible(a: u32, b: u32, facts: &PopulationFacts, columns: &Columns<'_>) -> bool {
    let (ia, ib) = (a as usize, b as usize);
    let different_ids =
        facts.id_valid[ia] && facts.id_valid[ib] && facts.id_value[ia] != facts.id_value[ib];
    let parents_disagree = names_compare(name_of(columns.father, a), name_of(columns.father, b))
        == Some(false)
        || names_compare(name_of(columns.mother, a), name_of(columns.mother, b)) == Some(false);
    let old_ids_differ = columns.old_ids[ia] != 0
        && columns.old_ids[ib] != 0
        && columns.old_ids[ia] != columns.old_ids[ib];
    (different_ids && parents_disagree) || old_ids_differ
}

fn score_pair(
    a: u32,
    b: u32,
    facts: &PopulationFacts,
    index: &PersonIndex<'_>,
    columns: &Columns<'_>,
    w: &DedupWeights,
) -> Option<Pair> {
    let (ia, ib) = (a as usize, b as usize);
    // The same ID on both is SACH.DUP_ID's business.
    if facts.id_value[ia] != 0 && facts.id_value[ia] == facts.id_value[ib] {
        return None;
    }
    let (folded_a, folded_b) = (index.folded(a), index.folded(b));
    let similarity = name_similarity(folded_a, folded_b);
    if similarity < w.name_floor {
        return None;
    }
    // Gender must not conflict, birth dates must agree at the coarser precision.
    if let (Some(x), Some(y)) = (facts.gender[ia], facts.gender[ib]) {
        if x != y {
            return None;
        }
    }
    let (birth_a, birth_b) = (index.birth(a), index.birth(b));
    if birth_a.agrees_with(birth_b) != Some(true) {
        return None;
    }
    let precision = birth_a
        .precision()
        .min(birth_b.precision())
        .unwrap_or(Precision::Year);
    let mut evidence: Vec<String> = Vec::new();
    let exact =
        folded_a == folded_b && names_agree(index.name(a), folded_a, index.name(b), folded_b);
    let mut score = if exact {
        evidence.push("họ tên trùng khớp".into());
        w.name_exact
    } else {
        evidence.push(format!("họ tên giống {:.0}%", similarity * 100.0));
        w.name_similar * similarity
    };
    score += match precision {
        Precision::Day => {
            evidence.push("ngày sinh khớp".into());
            w.birth_day
        }
        Precision::Month => {
            evidence.push("tháng/năm sinh khớp".into());
            w.birth_month
        }
        Precision::Year => {
            evidence.push("năm sinh khớp".into());
            w.birth_year
        }
    };
    if facts.gender[ia].is_some() && facts.gender[ia] == facts.gender[ib] {
        score += w.gender_agree;
    }
    let mut corroborated = false;
    let mut parents_agreeing = 0;
    for (label, column) in [("cha", columns.father), ("mẹ", columns.mother)] {
        match names_compare(name_of(column, a), name_of(column, b)) {
            Some(true) => {
                score += w.parent_agree * columns.rarity(name_of(column, a));
                corroborated = true;
                parents_agreeing += 1;
                evidence.push(format!("cùng họ tên {label}"));
            }
            Some(false) => {
                score += w.parent_conflict;
                evidence.push(format!("khác họ tên {label}"));
            }
            None => {}
        }
    }
    let mut strong = parents_agreeing == 2;
    if names_compare(name_of(columns.spouse, a), name_of(columns.spouse, b)) == Some(true) {
        score += w.spouse_agree;
        strong |= parents_agreeing == 1;
        corroborated = true;
        evidence.push("cùng họ tên vợ/chồng".into());
    }
    let (old_a, old_b) = (columns.old_ids[ia], columns.old_ids[ib]);
    if old_a != 0 && old_b != 0 {
        if old_a == old_b {
            score += w.old_id_agree;
            strong = true;
            corroborated = true;
            evidence.push("cùng số CMND cũ".into());
        } else {
            score += w.old_id_conflict;
            evidence.push("khác số CMND cũ".into());
        }
    }
    let (province_a, province_b) = (columns.birth_province[ia], columns.birth_province[ib]);
    let same_birth_province = province_a != 0 && province_a == province_b;
    if province_a != 0 && province_b != 0 {
        if same_birth_province {
            score += w.birth_province_agree;
            evidence.push("cùng nơi đăng ký khai sinh".into());
        } else {
            score += w.birth_province_conflict;
        }
    }
    let both_valid_ids = facts.id_valid[ia] && facts.id_valid[ib];
    if both_valid_ids {
        score += w.different_valid_ids;
        evidence.push("hai số định danh khác nhau".into());
    }
    // Name + birth date alone never make a duplicate (namesakes are common): ask for
    // corroboration, or for a full birth date, same gender and birth province when
    // one of the records has no valid ID of its own.
    let uncorroborated_ok = !both_valid_ids
        && exact
        && precision == Precision::Day
        && facts.gender[ia].is_some()
        && same_birth_province;
    // A name only loosely similar (a typo in a short given name) needs strong
    // corroboration: both parents, a parent and the spouse, or the old ID.
    if similarity < w.name_threshold && !strong {
        return None;
    }
    // Two different valid IDs: the state issued two numbers, so it takes more than one
    // matching parent (a common name) to say they are one person.
    if both_valid_ids && !strong {
        return None;
    }
    if score < w.accept || !(corroborated || uncorroborated_ok) {
        return None;
    }
    Some(Pair {
        a,
        b,
        score,
        evidence: format!("{} (điểm {score:.1})", evidence.join(", ")),
    })
}

/// `duplicate_person` hits: every member of a cluster, with the other members, the
/// evidence and the scope.
pub fn hits(mask: Option<&[bool]>, ctx: &EvalContext<'_>) -> Vec<Hit> {
    let duplicates = &ctx.links.duplicates;
    let keys = ctx.population.keys();
    let key_of = |row: u32| keys.map_or("", |k| k.get(row as usize)).to_string();
    let names = ctx.population.name_column("full_name");
    let communes = ctx.population.dict("commune_code");
    let mut evidence_of: BTreeMap<(u32, u32), &str> = BTreeMap::new();
    for pair in &duplicates.pairs {
        evidence_of.insert((pair.a, pair.b), pair.evidence.as_str());
    }
    let mut out = Vec::new();
    for cluster in &duplicates.clusters {
        let scope = if cluster.cross_province {
            "cross_province"
        } else {
            "in_province"
        };
        for &row in &cluster.rows {
            if mask.is_some_and(|m| !m[row as usize]) {
                continue;
            }
            let others: Vec<u32> = cluster.rows.iter().copied().filter(|&r| r != row).collect();
            let described: Vec<String> = others
                .iter()
                .map(|&other| {
                    let pair = (row.min(other), row.max(other));
                    let evidence = evidence_of
                        .get(&pair)
                        .map(|e| format!(": {e}"))
                        .unwrap_or_default();
                    format!(
                        "{} ({}, xã {}){evidence}",
                        key_of(other),
                        names.map_or("", |n| n.text.get(other as usize)),
                        communes.map_or("", |c| c.get(other as usize)),
                    )
                })
                .collect();
            let scope_text = if cluster.cross_province {
                "trùng ngoài tỉnh"
            } else {
                "trùng trong tỉnh"
            };
            let mut hit = Hit::row(
                row as usize,
                "full_name;birth_date".to_string(),
                format!(
                    "[{scope}] {} hồ sơ cùng một người ({scope_text}): {}",
                    cluster.rows.len(),
                    described.join("; ")
                ),
            );
            hit.related = others.iter().map(|&r| key_of(r)).collect();
            hit.cluster_id = cluster.id.clone();
            out.push(hit);
        }
    }
    out
}
