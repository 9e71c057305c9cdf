//! Duplicate people in the register (`SACH.DUP_PERSON`): the same human registered
//! twice (or more), in one province or across provinces, under different or missing
//! IDs.
//!
//! 1. **Blocking** — passes whose union is the candidate set: name + birth year (with
//!    sub-blocks by a relative's given name for common names), surname + given name +
//!    birth year (a dropped middle name; pairs that share no relative's given name are
//!    dropped unless both names are rare enough to reach the threshold alone), both
//!    parents' names, the old CMND number, a misspelt surname (same middle and given
//!    name, same exact birth date), one parent + the day and month of birth (a copy
//!    that left the other parent out and misspelt the name or the year), and one
//!    parent + the surname + the birth year (such a copy that misspelt the given name
//!    and wrote only the year). Inside
//!    a block only records whose birth dates agree (at the coarser precision) and whose
//!    genders do not conflict are paired, found by sorting the block, so a block of a
//!    thousand namesakes costs little more than its real candidates; small blocks also
//!    pair full dates that may be one date mistyped (one digit, two neighbours swapped,
//!    day and month swapped, one day apart) when a relative's whole name agrees.
//! 2. **Scoring** — a Fellegi–Sunter match weight in bits (log2 of the likelihood
//!    ratio), as the established linkage tools compute it: each comparison adds
//!    `log2(m/u)` — how much likelier the observed agreement is for one person than
//!    for two — with `u` taken from this register (term frequencies): agreeing on a
//!    rare name or a rare mother's name counts far more than on "Nguyễn Thị Hương".
//!    The father's name is weighed without its surname, which the child shares
//!    anyway. The prior is the expected share of duplicated records (raised to the
//!    share the accepted pairs show when that is more than twice as high); since
//!    name frequencies are counts in this register, a bigger register with more
//!    namesakes automatically asks for more evidence. Name + birth date alone stay
//!    below the threshold unless the name is rare and the date exact: parents,
//!    spouse and old ID decide the rest. Parameters are in `[matching.dedup]`.
//! 3. **Clustering** — pairs are merged best-first (union-find) with a guard against
//!    chaining: two clusters are not merged if that would put together two records
//!    with different old IDs, or different valid IDs whose parents disagree (unless
//!    the other parent's name agrees and is too rare to agree by chance), or grow a
//!    cluster past a size no real duplicate group reaches.

use std::collections::BTreeMap;

use rayon::prelude::*;
use xxhash_rust::xxh3::{xxh3_64, xxh3_64_with_seed};

use super::index::{blocks_of, sorted_pass};
use super::legacy::old_id_key;
use super::similarity::{
    canonical_surname, name_relation, name_similarity, split_name, NameRelation,
};
use super::PersonIndex;
use crate::model::{
    admin::normalize_province_code, AdminUnits, DictColumn, Gender, NameColumn, PartialDate,
    Precision, Table,
};
use crate::normalize::text::{names_agree, names_agree_but_i_y, same_letters};
use crate::rules::facts::PopulationFacts;
use crate::rules::types::MatchingDef;
use crate::rules::{EvalContext, Hit};

/// Blocks larger than this are skipped for a pass (a key that common carries no
/// information; the other passes still apply).
const MAX_DEDUP_BLOCK: usize = 4_000;
/// Records sharing a block, gender and exact birth date beyond this are left to the
/// other passes (a degenerate run, e.g. a placeholder date).
const MAX_EXACT_RUN: usize = 64;
/// How far (as a factor) the share of second registrations estimated from the accepted
/// pairs may exceed the configured prior before the pairs are scored again under it.
const PRIOR_REESTIMATE_FACTOR: f64 = 2.0;
/// The largest prior share an estimate may set.
const MAX_PRIOR_SHARE: f64 = 0.2;

/// Second registrations among accepted pairs: the records the pairs join, less one per
/// group (groups found by union-find over the pairs, without the clustering guard).
fn second_registrations(pairs: &[Pair]) -> usize {
    let mut rows: Vec<u32> = pairs.iter().flat_map(|p| [p.a, p.b]).collect();
    rows.sort_unstable();
    rows.dedup();
    let position = |row: u32| rows.binary_search(&row).unwrap_or(0) as u32;
    let mut parent: Vec<u32> = (0..rows.len() as u32).collect();
    let mut groups = rows.len();
    for pair in pairs {
        let (x, y) = (
            find(&mut parent, position(pair.a)),
            find(&mut parent, position(pair.b)),
        );
        if x != y {
            parent[x.max(y) as usize] = x.min(y);
            groups -= 1;
        }
    }
    rows.len() - groups
}

/// The root of `x`'s group in a union-find forest (`parent[root] == root`), halving
/// the path on the way.
fn find(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        let next = parent[parent[x as usize] as usize];
        parent[x as usize] = next;
        x = next;
    }
    x
}

/// No real duplicate group is this large: a bigger cluster means chaining.
const MAX_CLUSTER: usize = 6;
/// Expected chance agreements on a parent's name among a person's namesakes below
/// which that agreement overrules the other parent's conflict (see `incompatible`).
const MAX_CHANCE_PARENT_AGREEMENT: f64 = 0.02;

/// Dedup parameters (from `[matching.dedup]`), weights in bits.
#[derive(Debug, Clone)]
struct DedupWeights {
    threshold: f64,
    /// The share of second registrations the prior stands for.
    prior_share: f64,
    /// Its log2, the prior in bits.
    prior: f64,
    name_floor: f64,
    name_exact_m: f64,
    name_variant_m: f64,
    birth_day: f64,
    birth_month: f64,
    birth_year: f64,
    birth_typo: f64,
    parent_m: f64,
    parent_conflict: f64,
    parent_max: f64,
    spouse_m: f64,
    old_id_agree: f64,
    old_id_conflict: f64,
    birth_province_agree: f64,
    birth_province_conflict: f64,
    different_valid_ids: f64,
}

impl DedupWeights {
    /// The largest count of a full name for which two records whose folded names differ
    /// (a dropped middle name: never the same name, so scored as a variant) can reach
    /// the threshold with no agreeing relative and no shared old ID: the best the other
    /// comparisons can add, against the name's `1 - log2(count)` frequency term.
    fn rare_name_count(&self) -> u32 {
        let best_name = self.name_variant_m.log2();
        let best_birth = self.birth_day.max(self.birth_month).max(self.birth_year);
        // Terms that are penalties by default count at their best (0 unless a province
        // made them positive).
        let others = self
            .birth_province_agree
            .max(self.birth_province_conflict)
            .max(0.0)
            + self.different_valid_ids.max(0.0)
            + self.old_id_conflict.max(0.0)
            + 2.0 * self.parent_conflict.max(0.0);
        let headroom = self.prior + 1.0 + best_name + best_birth + others - self.threshold;
        if headroom >= 31.0 {
            u32::MAX
        } else if headroom < 0.0 {
            0
        } else {
            headroom.exp2().floor() as u32
        }
    }

    fn from_def(def: &MatchingDef) -> Self {
        let w = |name: &str, default: f64| def.dedup.get(name).copied().unwrap_or(default);
        let prior_share = w("prior_duplicate_share", 0.005).max(1e-9);
        DedupWeights {
            threshold: w("match_threshold", 4.0),
            prior_share,
            prior: prior_share.log2(),
            name_floor: w("name_floor", 0.72),
            name_exact_m: w("name_exact_m", 0.9),
            name_variant_m: w("name_variant_m", 0.1),
            birth_day: w("birth_date_day", 14.8),
            birth_month: w("birth_date_month", 9.9),
            birth_year: w("birth_date_year", 6.3),
            birth_typo: w("birth_date_typo", 5.0),
            parent_m: w("parent_m", 0.9),
            parent_conflict: w("parent_conflict", -3.3),
            parent_max: w("parent_max", 12.0),
            spouse_m: w("spouse_m", 0.8),
            old_id_agree: w("old_id_agree", 20.0),
            old_id_conflict: w("old_id_conflict", -10.0),
            birth_province_agree: w("birth_province_agree", 0.1),
            birth_province_conflict: w("birth_province_conflict", -1.7),
            different_valid_ids: w("different_valid_ids", -1.7),
        }
    }
}

/// For every row, how many rows carry the same value (0 for an empty value) —
/// term frequencies computed once by sorting hashes, not looked up per pair.
///
/// Each entry packs the value's hash (high bits) and the row (low bits) into one
/// `u64`: half the bytes of a `(hash, row)` pair to sort, which at 10M rows is most of
/// the cost. The hash keeps at least 36 bits up to 2^28 rows, so two distinct values
/// share a count about once per 10^11 pairs of values, and then only a frequency
/// weight is slightly off.
fn counts_per_row(
    column: Option<&NameColumn>,
    rows: usize,
    map: fn(&str) -> &str,
) -> (Vec<u32>, usize) {
    let Some(column) = column else {
        return (Vec::new(), 0);
    };
    let row_mask = crate::model::hash_sort::row_mask(rows);
    // Hashed straight from the column: no per-row list of values is built first.
    // The hash is in the high bits, so the hash sort applies.
    let keyed: Vec<u64> = crate::model::hash_sort::par_sorted_by_hash(
        rows,
        |row| {
            let value = map(column.folded.get(row));
            (!value.is_empty())
                .then(|| (xxhash_rust::xxh3::xxh3_64(value.as_bytes()) & !row_mask) | row as u64)
        },
        |&entry| entry,
    );
    let mut counts = vec![0u32; rows];
    let mut start = 0;
    while start < keyed.len() {
        let value = keyed[start] & !row_mask;
        let mut end = start + 1;
        while end < keyed.len() && keyed[end] & !row_mask == value {
            end += 1;
        }
        for &entry in &keyed[start..end] {
            counts[(entry & row_mask) as usize] = (end - start) as u32;
        }
        start = end;
    }
    (counts, keyed.len())
}

/// Share of a value carried by `count` of the `total` non-empty values.
fn share(count: u32, total: usize) -> f64 {
    f64::from(count.max(1)) / total.max(1) as f64
}

fn same(folded: &str) -> &str {
    folded
}

/// The father's name without its surname (the child carries the surname anyway).
fn without_surname(folded: &str) -> &str {
    match memchr::memchr(b' ', folded.as_bytes()) {
        Some(i) => &folded[i + 1..],
        None => folded,
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

/// The prior of duplicate detection: the share of records that are second
/// registrations.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct PriorShare {
    /// `prior_duplicate_share` of `[matching.dedup]`.
    pub configured: f64,
    /// Second registrations among the pairs accepted under it, per register record.
    pub estimated: f64,
    /// The share the pairs were scored under (the estimate, at most 0.2, when it is
    /// more than twice the configured share).
    pub used: f64,
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
    /// Pairs each blocking pass proposed, in pass order (a pair met by several passes
    /// counts in each; `candidate_pairs` counts it once).
    pub pass_pairs: Vec<(&'static str, u64)>,
    /// The share of second registrations: configured, estimated from the accepted
    /// pairs, and the one the pairs were finally scored under.
    pub prior_share: PriorShare,
    /// Rows of the register (for pairs per record).
    pub rows: u64,
    /// Wall time of the phases (blocking, scoring, clustering): name, seconds, rows.
    pub phases: Vec<(&'static str, f64, u64)>,
}

struct Columns<'a> {
    /// Per row: how many people carry this folded full name.
    full_names: Vec<u32>,
    /// Per row: how many fathers carry this name (without surname), and in all.
    fathers: (Vec<u32>, usize),
    /// Per row: mothers' name counts, and in all.
    mothers: (Vec<u32>, usize),
    /// Per row: spouses' name counts, and in all.
    spouses: (Vec<u32>, usize),
    father: Option<&'a NameColumn>,
    mother: Option<&'a NameColumn>,
    spouse: Option<&'a NameColumn>,
    old_ids: Vec<u64>,
    birth_province: Vec<u16>,
    /// Death dates recorded in the register, when the column exists.
    deaths: Option<&'a [PartialDate]>,
    /// Household codes, when the column exists.
    households: Option<&'a DictColumn>,
}

/// How many pairs ahead scoring asks for a row's scattered data and where its names
/// end, then for its names' text (which needs where they end).
const PREFETCH_FAR: usize = 16;
/// See [`PREFETCH_FAR`].
const PREFETCH_NEAR: usize = 8;

impl Columns<'_> {
    /// First prefetch step for a row about to be scored (see [`PREFETCH_FAR`]).
    #[inline]
    fn prefetch_far(&self, row: u32, facts: &PopulationFacts, index: &PersonIndex<'_>) {
        use crate::model::memory::prefetch;
        index.prefetch_far(row);
        let row_index = row as usize;
        for column in [self.father, self.mother, self.spouse]
            .into_iter()
            .flatten()
        {
            column.folded.prefetch_end(row_index);
        }
        prefetch(&self.full_names, row_index);
        prefetch(&self.old_ids, row_index);
        prefetch(&self.birth_province, row_index);
        prefetch(&facts.id_valid, row_index);
    }

    /// Second prefetch step: the names' text.
    #[inline]
    fn prefetch_near(&self, row: u32, index: &PersonIndex<'_>) {
        index.prefetch_near(row);
        for column in [self.father, self.mother, self.spouse]
            .into_iter()
            .flatten()
        {
            column.folded.prefetch_text(row as usize);
        }
    }
}

fn name_of(column: Option<&NameColumn>, row: u32) -> &str {
    column.map_or("", |c| c.folded.get(row as usize))
}

/// Agreement of two optional (parents', spouse's) names as a share of the full
/// agreement weight: 1 for the same name, ½ when one side lacks the middle name,
/// `None` for a one-letter difference (too close to call), `Some(0.0)`… never:
/// anything else — a different middle name, a different surname — is a conflict.
fn names_compare(a: &str, b: &str) -> Option<bool> {
    names_weight(a, b).map(|w| w > 0.0)
}

/// The weight share behind [`names_compare`]: `Some(share)` agreeing, `Some(0.0)`
/// conflicting, `None` unknown or undecidable.
fn names_weight(a: &str, b: &str) -> Option<f64> {
    if a.is_empty() || b.is_empty() {
        return None;
    }
    match name_relation(a, b) {
        NameRelation::Same | NameRelation::SurnameVariant => Some(1.0),
        NameRelation::MissingMiddle => Some(0.5),
        NameRelation::Typo => None,
        NameRelation::Different => Some(0.0),
    }
}

/// Reused buffers of [`block_pairs`].
#[derive(Default)]
struct BlockScratch {
    /// Records with a full date and a known gender: (gender, date, row).
    exact: Vec<(u8, u32, u32)>,
    /// The others.
    loose: Vec<u32>,
}

/// Pairs of a block whose birth dates agree and genders do not conflict, as
/// `low << 32 | high`. Records with a full date and a known gender pair only within
/// their run of equal (gender, date) after sorting; the others are compared with
/// every member.
fn block_pairs(
    block: &[(u64, u32)],
    births: &[PartialDate],
    genders: &[Option<Gender>],
    allowed: &(dyn Fn(u32, u32) -> bool + Sync),
    out: &mut Vec<u64>,
    scratch: &mut BlockScratch,
    limits: BlockLimits,
) {
    let BlockScratch { exact, loose } = scratch;
    exact.clear();
    loose.clear();
    for &(_, row) in block {
        let birth = births[row as usize];
        match (genders[row as usize], birth.precision()) {
            (Some(g), Some(Precision::Day)) => exact.push((g as u8, birth.raw(), row)),
            _ => loose.push(row),
        }
    }
    exact.sort_unstable();
    let push = |out: &mut Vec<u64>, x: u32, y: u32| {
        if !allowed(x, y) {
            return;
        }
        let (low, high) = if x < y { (x, y) } else { (y, x) };
        out.push(u64::from(low) << 32 | u64::from(high));
    };
    let mut start = 0;
    while start < exact.len() {
        let mut end = start + 1;
        while end < exact.len() && exact[end].0 == exact[start].0 && exact[end].1 == exact[start].1
        {
            end += 1;
        }
        if end - start <= MAX_EXACT_RUN {
            for i in start..end {
                for j in i + 1..end {
                    push(out, exact[i].2, exact[j].2);
                }
            }
        }
        start = end;
    }
    let compatible = |x: u32, y: u32| -> bool {
        let (gx, gy) = (genders[x as usize], genders[y as usize]);
        if gx.is_some() && gy.is_some() && gx != gy {
            return false;
        }
        births[x as usize].agrees_with(births[y as usize]) == Some(true)
    };
    // Above the limit only full dates of unknown gender are compared here: with a
    // partial date the name and year cannot reach the threshold on their own.
    let partial = |x: u32| births[x as usize].precision() != Some(Precision::Day);
    let large = block.len() > limits.loose;
    for (i, &x) in loose.iter().enumerate() {
        if large && partial(x) {
            continue;
        }
        for &(_, _, y) in exact.iter() {
            if compatible(x, y) {
                push(out, x, y);
            }
        }
        for &y in &loose[i + 1..] {
            if large && partial(y) {
                continue;
            }
            if compatible(x, y) {
                push(out, x, y);
            }
        }
    }
    // Full dates that may be one date mistyped: every pair of a small block with the same
    // gender is looked at (the typo can be in any digit, so no sort order brings such
    // dates together), on the dates gathered above rather than the rows' scattered data.
    if block.len() <= limits.typo {
        for (i, &(gender, date, x)) in exact.iter().enumerate() {
            let date = PartialDate::from_raw(date);
            for &(other_gender, other_date, y) in &exact[i + 1..] {
                if other_gender != gender {
                    break;
                }
                if date.typo_of(PartialDate::from_raw(other_date)) && (limits.typo_allowed)(x, y) {
                    push(out, x, y);
                }
            }
        }
        // A full date without a gender (rare) may be either gender's.
        for (i, &x) in loose.iter().enumerate() {
            let date = births[x as usize];
            if date.precision() != Some(Precision::Day) {
                continue;
            }
            let others = exact
                .iter()
                .map(|&(_, _, y)| y)
                .chain(loose[i + 1..].iter().copied());
            for y in others {
                if date.typo_of(births[y as usize]) && (limits.typo_allowed)(x, y) {
                    push(out, x, y);
                }
            }
        }
    }
}

/// Block sizes up to which [`block_pairs`] compares every partial date with the block
/// (`loose`) and looks for mistyped full dates (`typo`), and which of those pairs are
/// worth scoring (`typo_allowed`).
#[derive(Clone, Copy)]
struct BlockLimits<'a> {
    loose: usize,
    typo: usize,
    typo_allowed: &'a (dyn Fn(u32, u32) -> bool + Sync),
}

/// A blocking pass holding only the keys of pass `pass` that some row flagged `flag` in
/// `lacking` carries: `(key, row)` sorted, like [`sorted_pass`]. The flagged rows are
/// few, so their keys are collected first and every row is screened against them (a
/// bitmap of the keys' high bits, then a binary search), instead of sorting every
/// row's key.
fn pass_meeting<const N: usize>(
    keys: &[[u64; N]],
    pass: usize,
    lacking: &[u8],
    flag: u8,
) -> Vec<(u64, u32)> {
    let mut wanted: Vec<u64> = keys
        .par_iter()
        .zip(lacking)
        .filter(|(key, &lacks)| key[pass] != 0 && lacks & flag != 0)
        .map(|(key, _)| key[pass])
        .collect();
    wanted.par_sort_unstable();
    wanted.dedup();
    let bits = (wanted.len() * 16).next_power_of_two().max(64);
    let shift = 64 - bits.trailing_zeros();
    let mut bitmap = vec![0u64; bits / 64];
    for &key in &wanted {
        let slot = (key >> shift) as usize;
        bitmap[slot / 64] |= 1 << (slot % 64);
    }
    crate::model::hash_sort::par_sorted_by_hash(
        keys.len(),
        |row| {
            let key = keys[row][pass];
            let slot = (key >> shift) as usize;
            (key != 0
                && bitmap[slot / 64] & 1 << (slot % 64) != 0
                && wanted.binary_search(&key).is_ok())
            .then_some((key, row as u32))
        },
        |entry| entry.0,
    )
}

/// Blocks of the name + year pass above this size compare partial birth dates only
/// within the relative sub-blocks (see `detect`).
const LOOSE_BLOCK_LIMIT: usize = 32;
/// Blocks of the other passes above this size are not searched for mistyped birth
/// dates (every pair of the block is compared).
const TYPO_BLOCK_LIMIT: usize = 128;

/// `(key, row)` sorted, for the rows of name + year blocks larger than
/// [`LOOSE_BLOCK_LIMIT`]: one entry per known relative (father, mother, spouse), keyed
/// by the block and the relative's given name (a mother's or spouse's with her
/// surname).
fn relative_sub_blocks(
    name_blocks: &[&[(u64, u32)]],
    relatives_given: &[[u32; 3]],
) -> Vec<(u64, u32)> {
    const SALTS: [u64; 3] = [0x0F, 0x1F, 0x2F];
    let mut entries: Vec<(u64, u32)> = name_blocks
        .par_iter()
        .filter(|block| block.len() > LOOSE_BLOCK_LIMIT && block.len() <= MAX_DEDUP_BLOCK)
        .flat_map_iter(|block| {
            let mut out = Vec::with_capacity(block.len() * SALTS.len());
            for &(key, row) in block.iter() {
                for (&relative, salt) in relatives_given[row as usize].iter().zip(SALTS) {
                    if relative != 0 {
                        let given = given_name_part(relative);
                        // The block key is hashed as input, not as the seed: xxh3
                        // mixes a seed into short inputs by xor, so seeds like
                        // `key ^ salt` let a father's and a mother's sub-block meet.
                        let mut input = [0u8; 12];
                        input[..8].copy_from_slice(&key.to_le_bytes());
                        input[8..].copy_from_slice(&given.to_le_bytes());
                        out.push((xxh3_64_with_seed(&input, salt) | 1, row));
                    }
                }
            }
            out
        })
        .collect();
    crate::model::hash_sort::par_sort_by_hash(&mut entries, |entry| entry.0);
    entries
}

/// Per row, for the father, mother and spouse: a hash of the given name (with the
/// surname for the mother and spouse) in the high 16 bits and of the whole folded name
/// in the low 16 (0 when unknown), so that relatives share a given name when the high
/// halves are equal and (almost surely) the whole name when the words are. Computed in row order, so that the sub-blocks above, which visit
/// rows in block order, read one small entry per row instead of three names scattered
/// over memory. Two names that collide only add candidate pairs, never lose one.
fn relatives_given_names(columns: &Columns<'_>, rows: usize) -> Vec<[u32; 3]> {
    // A mother's or spouse's surname is her own, not the family's: with the given name
    // it splits the sub-blocks of a common name by family (at 10M the sub-blocks keyed
    // by the given name alone grew 131-fold from 1M). Regional spellings of a surname
    // (Huỳnh / Hoàng) are one. A father's surname is the child's, the block's own.
    let given = |column: Option<&NameColumn>, row: u32, with_surname: bool| -> u32 {
        let whole = name_of(column, row);
        let (surname, _, given) = split_name(whole);
        if given.is_empty() {
            0
        } else {
            let seed = if with_surname {
                xxh3_64(canonical_surname(surname).as_bytes())
            } else {
                0x61
            };
            let given = xxh3_64_with_seed(given.as_bytes(), seed) as u32;
            let whole = xxh3_64_with_seed(whole.as_bytes(), 0x62) as u32;
            given & 0xFFFF_0000 | whole & 0xFFFF | 1
        }
    };
    (0..rows as u32)
        .into_par_iter()
        .map(|row| {
            [
                given(columns.father, row, false),
                given(columns.mother, row, true),
                given(columns.spouse, row, true),
            ]
        })
        .collect()
}

/// The given-name half of an entry of [`relatives_given_names`].
fn given_name_part(relative: u32) -> u32 {
    relative >> 16
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
    let started = std::time::Instant::now();
    let father = table.name_column("father_name");
    let mother = table.name_column("mother_name");
    let spouse = table.name_column("spouse_name");
    let columns = Columns {
        full_names: counts_per_row(table.name_column("full_name"), rows, same).0,
        fathers: counts_per_row(father, rows, without_surname),
        mothers: counts_per_row(mother, rows, same),
        spouses: counts_per_row(spouse, rows, same),
        father,
        mother,
        spouse,
        deaths: table.date("death_date").map(|c| c.values.as_slice()),
        households: table.dict("household_id"),
        old_ids: match table.text("old_id") {
            Some(c) => (0..rows)
                .into_par_iter()
                .map(|r| old_id_key(c.get(r)))
                .collect(),
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

    // Extra passes: both parents, old ID, misspelt surname, each parent + birthday,
    // mistyped middle name, each parent + surname + year; and which parent a record
    // lacks (bit 1 the mother, bit 2 the father).
    let (extra_keys, lacking): (Vec<[u64; 8]>, Vec<u8>) = (0..rows as u32)
        .into_par_iter()
        .map(|row| {
            let father = name_of(columns.father, row);
            let mother = name_of(columns.mother, row);
            let birth = index.birth(row);
            // Without the year, so that a mistyped year still meets its record; the
            // dates are compared inside the block (siblings share parents, not dates).
            let parents = if !father.is_empty() && !mother.is_empty() && birth.is_known() {
                let seed = xxh3_64_with_seed(father.as_bytes(), 0x7a11);
                xxh3_64_with_seed(mother.as_bytes(), seed) | 1
            } else {
                0
            };
            // A misspelt surname: same middle and given name, same exact birth date.
            let folded = index.folded(row);
            let rest = memchr::memchr(b' ', folded.as_bytes()).map_or("", |i| &folded[i + 1..]);
            let full_date = birth.precision() == Some(Precision::Day);
            // One parent and the day and month of birth: a second registration that left
            // the other parent out and misspelt the name or mistyped the year (no name +
            // year block holds both records).
            let birthday = u64::from(birth.month() << 5 | birth.day());
            let parent_birthday = |parent: &str, salt: u64| {
                if parent.is_empty() || !full_date {
                    0
                } else {
                    xxh3_64_with_seed(parent.as_bytes(), salt ^ birthday) | 1
                }
            };
            let surname_typo = if !rest.is_empty() && full_date {
                xxh3_64_with_seed(rest.as_bytes(), u64::from(birth.raw())) | 1
            } else {
                0
            };
            // A mistyped middle name (Trrung, AA): surname, given name and the exact
            // birth date still agree.
            let (surname, middle, given) = split_name(folded);
            let middle_typo = if !middle.is_empty() && full_date {
                let seed = xxh3_64_with_seed(surname.as_bytes(), u64::from(birth.raw()));
                xxh3_64_with_seed(given.as_bytes(), seed ^ 0x3dd1e) | 1
            } else {
                0
            };
            // One parent, the surname and the birth year: a second registration that
            // left the other parent out, misspelt the given name and wrote only the
            // year (or another day) of birth.
            let year = birth.is_known().then(|| birth.year() as u64);
            let parent_year = |parent: &str, salt: u64| match year {
                Some(year) if !parent.is_empty() && !surname.is_empty() => {
                    let seed = xxh3_64_with_seed(surname.as_bytes(), salt ^ year);
                    xxh3_64_with_seed(parent.as_bytes(), seed) | 1
                }
                _ => 0,
            };
            let keys = [
                parents,
                columns.old_ids[row as usize],
                surname_typo,
                parent_birthday(father, 0xfa7e_0000_0000),
                parent_birthday(mother, 0x307e_0000_0000),
                middle_typo,
                parent_year(father, 0xfa7e_1000_0000),
                parent_year(mother, 0x307e_1000_0000),
            ];
            (
                keys,
                u8::from(mother.is_empty()) | u8::from(father.is_empty()) << 1,
            )
        })
        .unzip();
    let parents_pass = sorted_pass(&extra_keys, 0);
    let old_id_pass = sorted_pass(&extra_keys, 1);
    let surname_typo_pass = sorted_pass(&extra_keys, 2);
    // Where both records name both parents the parents' pass has already met them: a
    // parent + birthday block is only worth its keys where a record lacks the other
    // parent.
    let father_birthday_pass = pass_meeting(&extra_keys, 3, &lacking, 1);
    let mother_birthday_pass = pass_meeting(&extra_keys, 4, &lacking, 2);
    let middle_typo_pass = sorted_pass(&extra_keys, 5);
    let father_year_pass = pass_meeting(&extra_keys, 6, &lacking, 1);
    let mother_year_pass = pass_meeting(&extra_keys, 7, &lacking, 2);
    drop(extra_keys);
    // Words in the middle part of each name: pass 2 (surname + given name) exists for a
    // dropped middle name, so two records with the same number of middle words — the
    // same middle (pass 1's job) or a different one (never one person) — skip it.
    let middle_words: Vec<u8> = (0..rows as u32)
        .into_par_iter()
        .map(|row| {
            let (_, middle, _) = super::similarity::split_name(index.folded(row));
            if middle.is_empty() {
                0
            } else {
                (middle.matches(' ').count() + 1).min(255) as u8
            }
        })
        .collect();
    let any_pair = |_: u32, _: u32| true;
    // Names that can never be one person's (another middle name, another surname) are
    // rejected by `score_pair` anyway; the name-variant passes drop them while blocking,
    // so they are neither stored, sorted nor scored (at 10M they were 3.4 M of the
    // 11.3 M candidate pairs).
    let may_be_same_name =
        |x: u32, y: u32| name_relation(index.folded(x), index.folded(y)) != NameRelation::Different;
    let middle_differs = |x: u32, y: u32| {
        middle_words[x as usize] != middle_words[y as usize] && may_be_same_name(x, y)
    };

    // A stand-in 01/01 is only a year: such records meet the other dates of their
    // year in the block, as year-only dates do.
    let births: Vec<PartialDate> = (0..rows as u32)
        .into_par_iter()
        .map(|r| index.compared_birth(index.birth(r)))
        .collect();
    let mut candidates: Vec<u64> = Vec::new();
    let mut pass_pairs: Vec<(&'static str, u64)> = Vec::new();
    let mut add_blocks = |pass: &'static str,
                          blocks: Vec<&[(u64, u32)]>,
                          allowed: &(dyn Fn(u32, u32) -> bool + Sync),
                          limits: BlockLimits<'_>| {
        // One output and scratch buffer per worker, not per block.
        let pairs: Vec<Vec<u64>> = blocks
            .par_iter()
            .filter(|b| b.len() > 1 && b.len() <= MAX_DEDUP_BLOCK)
            .fold(
                || (Vec::new(), BlockScratch::default()),
                |(mut out, mut scratch), block| {
                    block_pairs(
                        block,
                        &births,
                        &facts.gender,
                        allowed,
                        &mut out,
                        &mut scratch,
                        limits,
                    );
                    (out, scratch)
                },
            )
            .map(|(out, _)| out)
            .collect();
        let before = candidates.len();
        for part in pairs {
            candidates.extend_from_slice(&part);
        }
        pass_pairs.push((pass, (candidates.len() - before) as u64));
    };
    // Identity pass 3 (given name + birth date) is for searching, too broad for pairs:
    // the surname-typo pass below replaces it.
    //
    // In a large name + year block (a common name), a pair with a partial birth date
    // scores at most prior + name + year bits, below the threshold: only an agreeing
    // father, mother or spouse (or the same old ID, its own pass) can lift it. Agreeing
    // relatives' names share their given name, so those pairs are generated from
    // sub-blocks of (name + year block, relative's given name) instead of comparing
    // every partial date with the whole block — which grows with the square of the
    // province (profiled at 10M: the largest source of candidate pairs).
    let name_blocks = index.blocking.blocks(0);
    let relatives_given = relatives_given_names(&columns, rows);
    let relative_pass = relative_sub_blocks(&name_blocks, &relatives_given);
    // Relatives sharing a given name, a mother or spouse with her surname (the
    // dropped-middle pass below).
    let share_relative = |x: u32, y: u32| {
        let (given_x, given_y) = (&relatives_given[x as usize], &relatives_given[y as usize]);
        given_x
            .iter()
            .zip(given_y)
            .any(|(&a, &b)| a != 0 && given_name_part(a) == given_name_part(b))
    };
    // A mistyped date adds far fewer bits than an exact one: the pair reaches the
    // threshold only with an agreeing father, mother or spouse (or the same old ID, its
    // own pass). So mistyped dates are looked for where relatives can agree (small name
    // + year blocks, the relative sub-blocks of the large ones, the parents' and
    // one-parent passes), and a pair is kept only when a relative's whole name agrees:
    // namesakes a digit apart often share a parent's given name, a second registration
    // shares the whole name (compared here on the hashes).
    let same_relative = |x: u32, y: u32| {
        let (given_x, given_y) = (&relatives_given[x as usize], &relatives_given[y as usize]);
        given_x.iter().zip(given_y).any(|(&a, &b)| a != 0 && a == b)
    };
    let small = BlockLimits {
        loose: LOOSE_BLOCK_LIMIT,
        typo: LOOSE_BLOCK_LIMIT,
        typo_allowed: &same_relative,
    };
    let all = |typo: usize| BlockLimits {
        loose: usize::MAX,
        typo,
        typo_allowed: &same_relative,
    };
    add_blocks("name_year", name_blocks, &any_pair, small);
    add_blocks(
        "name_year_relative",
        blocks_of(&relative_pass),
        &any_pair,
        all(TYPO_BLOCK_LIMIT),
    );
    // The surname + given name pass (a dropped middle name): its names are never the
    // same, so without an agreeing relative (or the old ID, its own pass) a pair
    // reaches the threshold only when both names are rare (see
    // `DedupWeights::rare_name_count`). Agreeing relatives share their given name, so
    // a pair that shares none and is not rare on both sides is dropped before its
    // names are compared (at 10M: 3.9 M candidate pairs in all become 1.6 M).
    let rare_count = weights.rare_name_count();
    let dropped_middle = |x: u32, y: u32| {
        let both_rare = columns.full_names[x as usize] <= rare_count
            && columns.full_names[y as usize] <= rare_count;
        (share_relative(x, y) || both_rare) && middle_differs(x, y)
    };
    add_blocks(
        "dropped_middle",
        index.blocking.blocks(1),
        &dropped_middle,
        all(0),
    );
    add_blocks(
        "both_parents",
        blocks_of(&parents_pass),
        &any_pair,
        all(TYPO_BLOCK_LIMIT),
    );
    let same_old_id = BlockLimits {
        typo_allowed: &any_pair,
        ..all(TYPO_BLOCK_LIMIT)
    };
    add_blocks("old_id", blocks_of(&old_id_pass), &any_pair, same_old_id);
    add_blocks(
        "misspelt_surname",
        blocks_of(&surname_typo_pass),
        &may_be_same_name,
        all(0),
    );
    // Same surname, given name and date: only a middle name one edit away is new here
    // (the same middle is pass 1's, another middle is never one person).
    let middle_mistyped =
        |x: u32, y: u32| name_relation(index.folded(x), index.folded(y)) == NameRelation::Typo;
    add_blocks(
        "mistyped_middle",
        blocks_of(&middle_typo_pass),
        &middle_mistyped,
        all(0),
    );
    add_blocks(
        "father_birthday",
        blocks_of(&father_birthday_pass),
        &may_be_same_name,
        all(TYPO_BLOCK_LIMIT),
    );
    add_blocks(
        "mother_birthday",
        blocks_of(&mother_birthday_pass),
        &may_be_same_name,
        all(TYPO_BLOCK_LIMIT),
    );
    add_blocks(
        "father_year",
        blocks_of(&father_year_pass),
        &may_be_same_name,
        all(TYPO_BLOCK_LIMIT),
    );
    add_blocks(
        "mother_year",
        blocks_of(&mother_year_pass),
        &may_be_same_name,
        all(TYPO_BLOCK_LIMIT),
    );
    candidates.par_sort_unstable();
    candidates.dedup();
    let candidate_pairs = candidates.len() as u64;
    let blocking_seconds = started.elapsed().as_secs_f64();
    let started = std::time::Instant::now();

    // Pairs are sorted by their lower row, so the higher row's data is fetched from
    // all over the register: it is asked for ahead, in two steps (where each string
    // ends, then its text), while the pairs before it are scored.
    let score_all = |weights: &DedupWeights| -> Vec<Pair> {
        candidates
            .par_chunks(4096)
            .flat_map_iter(|chunk| {
                let columns = &columns;
                chunk.iter().enumerate().filter_map(move |(at, &pair)| {
                    if let Some(&ahead) = chunk.get(at + PREFETCH_FAR) {
                        columns.prefetch_far(ahead as u32, facts, index);
                    }
                    if let Some(&ahead) = chunk.get(at + PREFETCH_NEAR) {
                        columns.prefetch_near(ahead as u32, index);
                    }
                    let (a, b) = ((pair >> 32) as u32, pair as u32);
                    score_pair(a, b, facts, index, columns, weights)
                })
            })
            .collect()
    };
    let mut accepted = score_all(&weights);
    // The prior is the share of records registered twice, which differs from register
    // to register. It is estimated from the pairs accepted (each joined record beyond
    // the first of its group is one second registration), as a linkage tool estimates
    // it from the data. The estimate counts only the duplicates found, so it is a
    // lower bound: far above the configured share, the pairs are scored again under
    // it; below, the configured share stands.
    let configured_share = weights.prior_share;
    let estimated_share = second_registrations(&accepted) as f64 / rows.max(1) as f64;
    let mut prior_share = configured_share;
    if estimated_share > configured_share * PRIOR_REESTIMATE_FACTOR {
        prior_share = estimated_share.min(MAX_PRIOR_SHARE);
        let reestimated = DedupWeights {
            prior_share,
            prior: prior_share.log2(),
            ..weights.clone()
        };
        accepted = score_all(&reestimated);
    }
    // Best first; ties broken by rows for determinism.
    accepted.sort_by(|x, y| {
        y.score
            .total_cmp(&x.score)
            .then(x.a.cmp(&y.a))
            .then(x.b.cmp(&y.b))
    });

    let scoring_seconds = started.elapsed().as_secs_f64();
    let accepted_pairs = accepted.len() as u64;
    let started = std::time::Instant::now();

    // Union-find with the anti-chaining guard.
    let mut parent: Vec<u32> = (0..rows as u32).collect();
    let mut members: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
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
        let conflict = group_a.iter().any(|&x| {
            group_b
                .iter()
                .any(|&y| incompatible(x, y, facts, index, &columns))
        });
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
    let phases = vec![
        ("blocking", blocking_seconds, rows as u64),
        ("scoring", scoring_seconds, candidate_pairs),
        (
            "clustering",
            started.elapsed().as_secs_f64(),
            accepted_pairs,
        ),
    ];
    Duplicates {
        clusters,
        pairs: kept,
        candidate_pairs,
        pass_pairs,
        prior_share: PriorShare {
            configured: configured_share,
            estimated: estimated_share,
            used: prior_share,
        },
        rows: rows as u64,
        phases,
    }
}

/// Two records that must never share a cluster: different old IDs, or different valid
/// IDs with parents that disagree, unless the other parent's name agrees (in full or
/// but for the surname's spelling) and is too rare to agree by chance. A shared old ID
/// is the same person whatever the parents say. Two children of one household with
/// their own IDs, given names and birthdays are two people, even where a third record
/// (a second registration of one of them, year-only) scores well against both.
fn incompatible(
    a: u32,
    b: u32,
    facts: &PopulationFacts,
    index: &PersonIndex<'_>,
    columns: &Columns<'_>,
) -> bool {
    let (ia, ib) = (a as usize, b as usize);
    let (old_a, old_b) = (columns.old_ids[ia], columns.old_ids[ib]);
    if old_a != 0 && old_b != 0 {
        return old_a != old_b;
    }
    if housemates_with_own_ids(ia, ib, facts, columns) {
        let (birth_a, birth_b) = (index.birth(a), index.birth(b));
        let other_days = birth_a.precision() == Some(Precision::Day)
            && birth_b.precision() == Some(Precision::Day)
            && birth_a != birth_b;
        let other_given_names = split_name(index.folded(a)).2 != split_name(index.folded(b)).2;
        if other_days && other_given_names {
            return true;
        }
    }
    let different_ids =
        facts.id_valid[ia] && facts.id_valid[ib] && facts.id_value[ia] != facts.id_value[ib];
    if !different_ids {
        return false;
    }
    let father = names_weight(name_of(columns.father, a), name_of(columns.father, b));
    let mother = names_weight(name_of(columns.mother, a), name_of(columns.mother, b));
    if father != Some(0.0) && mother != Some(0.0) {
        return false;
    }
    // A re-typed or remarried parent happens on second registrations; one parent's
    // whole name agreeing overrules the other's conflict only when chance explains it
    // poorly: the people who carry this person's name, times the share of the register
    // whose parent carries that parent's name, is the number of namesakes expected to
    // agree on it (many at 10M for "Nguyễn Thị Lan", almost none for a rare name).
    let namesakes = f64::from(columns.full_names[ia].max(columns.full_names[ib]));
    // Agreeing in full (or but for the surname's spelling); the commoner of the two
    // spellings decides, so the answer does not depend on the pair's order.
    let rare_agreement = |weight: Option<f64>, (counts, total): &(Vec<u32>, usize)| {
        weight.is_some_and(|w| w >= 1.0)
            && namesakes * share(counts[ia].max(counts[ib]), *total) < MAX_CHANCE_PARENT_AGREEMENT
    };
    !(rare_agreement(father, &columns.fathers) || rare_agreement(mother, &columns.mothers))
}

/// Births of two siblings who are not twins lie at least this many days apart.
const MIN_DAYS_BETWEEN_SIBLINGS: i64 = 240;

/// Two records of one household, each with its own well-formed ID: born the same day,
/// they are twins (a second registration of a person is made elsewhere, while twins
/// grow up together; twins who have left home are not told apart), and born on other
/// days, siblings.
fn housemates_with_own_ids(
    ia: usize,
    ib: usize,
    facts: &PopulationFacts,
    columns: &Columns<'_>,
) -> bool {
    let different_ids =
        facts.id_valid[ia] && facts.id_valid[ib] && facts.id_value[ia] != facts.id_value[ib];
    different_ids
        && columns.households.is_some_and(|households| {
            households.codes[ia] == households.codes[ib] && !households.get(ia).is_empty()
        })
}

/// Bits of evidence from agreeing on a value whose share in the register is `share`.
fn agreement_bits(m: f64, share: f64, cap: f64) -> f64 {
    (m / share.max(1e-12)).log2().clamp(0.0, cap)
}

/// What agreed and what differed in a pair. Most candidate pairs are rejected, so the
/// evidence is kept as static phrases while scoring and becomes text only for accepted
/// pairs (no allocation per candidate).
#[derive(Default)]
struct Evidence {
    phrases: [&'static str; 10],
    len: usize,
    /// Similarity of names that are close but not equal (rendered first).
    similarity: Option<f64>,
}

impl Evidence {
    fn push(&mut self, phrase: &'static str) {
        if let Some(slot) = self.phrases.get_mut(self.len) {
            *slot = phrase;
            self.len += 1;
        }
    }

    fn describe(&self, score: f64) -> String {
        let mut parts: Vec<String> = Vec::with_capacity(self.len + 1);
        if let Some(similarity) = self.similarity {
            parts.push(format!("họ tên gần giống ({:.0}%)", similarity * 100.0));
        }
        parts.extend(self.phrases[..self.len].iter().map(|p| p.to_string()));
        format!("{} (điểm {score:.1})", parts.join(", "))
    }
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
    // Lí Văn Sĩ / Lý Văn Sỹ: one name in the two spellings in use.
    let spelling = names_agree_but_i_y(index.name(a), folded_a, index.name(b), folded_b);
    // A different middle name or surname means another person, however similar the
    // strings; a dropped middle name, a regional surname or one typo does not.
    if !spelling && name_relation(folded_a, folded_b) == NameRelation::Different {
        return None;
    }
    let similarity = if spelling {
        1.0
    } else {
        name_similarity(folded_a, folded_b)
    };
    if similarity < w.name_floor {
        return None;
    }
    if let (Some(x), Some(y)) = (facts.gender[ia], facts.gender[ib]) {
        if x != y {
            return None;
        }
    }
    let (raw_a, raw_b) = (index.birth(a), index.birth(b));
    let (birth_a, birth_b) = index.comparable_births(raw_a, raw_b);
    let mistyped_birth = match birth_a.agrees_with(birth_b) {
        Some(true) => false,
        _ if raw_a.typo_of(raw_b) => true,
        _ => return None,
    };
    // A child who died is sometimes followed by a sibling given the same name, born a
    // year or two later: one record's death before the other's birth is two people.
    if mistyped_birth {
        if let Some(deaths) = columns.deaths {
            let died_before = |dead: usize, born: PartialDate| {
                let death = deaths.get(dead).and_then(|d| d.latest());
                matches!((death, born.earliest()), (Some(d), Some(b)) if d < b)
            };
            if died_before(ia, birth_b) || died_before(ib, birth_a) {
                return None;
            }
        }
    }
    let precision = birth_a
        .precision()
        .min(birth_b.precision())
        .unwrap_or(Precision::Year);
    // Names compare ignoring spacing (SPEC §4): "Ngọc Hà" typed "NgọcHà" is one name.
    let exact = spelling
        || (folded_a == folded_b || same_letters(folded_a, folded_b))
            && names_agree(index.name(a), folded_a, index.name(b), folded_b);
    let (given_a, given_b) = (split_name(folded_a).2, split_name(folded_b).2);
    // The given names disagree (Khôi / Khải, Hùng / Hưng), as twins' do.
    let given_differ = !exact && (given_a != given_b || folded_a == folded_b);
    if given_differ
        && !mistyped_birth
        && precision == Precision::Day
        && housemates_with_own_ids(ia, ib, facts, columns)
    {
        return None;
    }
    let mut evidence = Evidence::default();
    let mut score = w.prior;
    // Names. The prior odds of a random pair are about 2·share/N and agreeing on a
    // name that n of the N people carry multiplies them by m·N/n: N cancels, so the
    // name's count in this register is what matters (term-frequency adjustment).
    // Siblings share their parents, and now and then a birthday a year apart and
    // names one letter apart. When neither the name nor the date is the same, agreeing
    // parents cannot tell a second registration from a sibling: only the person's own
    // links (spouse, old ID) count. But siblings are not born weeks apart: a date a
    // few days or a swapped day and month away is one person's. (A year apart, even
    // one given name may be two sisters', one registered without her middle name.)
    let dates_close = match (birth_a.precision(), birth_b.precision()) {
        (Some(Precision::Day), Some(Precision::Day)) => matches!(
            (birth_a.earliest(), birth_b.earliest()),
            (Some(x), Some(y)) if (x - y).num_days().abs() < MIN_DAYS_BETWEEN_SIBLINGS
        ),
        _ => false,
    };
    let parents_tell = exact || !mistyped_birth || dates_close;
    let name_count = f64::from(columns.full_names[ia].max(columns.full_names[ib]).max(1));
    score += 1.0 - name_count.log2();
    if spelling {
        score += w.name_exact_m.log2();
        evidence.push("họ tên trùng khớp (viết i / y khác nhau)");
    } else if exact {
        score += w.name_exact_m.log2();
        evidence.push("họ tên trùng khớp");
    } else if folded_a == folded_b {
        // Only the diacritics differ: a mistyped tone on a second registration, or
        // twins named Hùng and Hưng. The score cannot tell; the officer is told.
        score += (w.name_variant_m * similarity).log2();
        evidence.push("họ tên chỉ khác dấu (cần xác minh không phải anh chị em sinh đôi)");
    } else {
        score += (w.name_variant_m * similarity).log2();
        evidence.similarity = Some(similarity);
    }
    score += match precision {
        Precision::Day if mistyped_birth => {
            evidence.push("ngày sinh gần khớp (có thể nhập nhầm)");
            w.birth_typo
        }
        Precision::Day => {
            let excess = index.birthday_excess(birth_a);
            if excess > 0.0 {
                evidence
                    .push("ngày sinh khớp nhưng là ngày hay được ghi thay khi không rõ ngày sinh");
                (w.birth_day - excess).max(w.birth_year)
            } else {
                evidence.push("ngày sinh khớp");
                w.birth_day
            }
        }
        Precision::Month => {
            evidence.push("tháng/năm sinh khớp");
            w.birth_month
        }
        Precision::Year => {
            evidence.push("năm sinh khớp");
            w.birth_year
        }
    };
    let parents = [
        (
            ("cùng họ tên cha", "khác họ tên cha"),
            columns.father,
            &columns.fathers,
        ),
        (
            ("cùng họ tên mẹ", "khác họ tên mẹ"),
            columns.mother,
            &columns.mothers,
        ),
    ];
    for ((agree, conflict), column, (counts, total)) in parents {
        let (x, y) = (name_of(column, a), name_of(column, b));
        match names_weight(x, y) {
            Some(part) if part > 0.0 => {
                if parents_tell {
                    let u = share(counts[ia], *total);
                    score += part * agreement_bits(w.parent_m, u, w.parent_max);
                }
                evidence.push(agree);
            }
            Some(_) => {
                score += w.parent_conflict;
                evidence.push(conflict);
            }
            None => {}
        }
    }
    let (spouse_a, spouse_b) = (name_of(columns.spouse, a), name_of(columns.spouse, b));
    if names_compare(spouse_a, spouse_b) == Some(true) {
        let u = share(columns.spouses.0[ia], columns.spouses.1);
        score += agreement_bits(w.spouse_m, u, w.parent_max);
        evidence.push("cùng họ tên vợ/chồng");
    }
    let (old_a, old_b) = (columns.old_ids[ia], columns.old_ids[ib]);
    if old_a != 0 && old_b != 0 {
        if old_a == old_b {
            score += w.old_id_agree;
            evidence.push("cùng số CMND cũ");
        } else {
            score += w.old_id_conflict;
            evidence.push("khác số CMND cũ");
        }
    }
    let (province_a, province_b) = (columns.birth_province[ia], columns.birth_province[ib]);
    if province_a != 0 && province_b != 0 {
        if province_a == province_b {
            score += w.birth_province_agree;
            evidence.push("cùng nơi đăng ký khai sinh");
        } else {
            score += w.birth_province_conflict;
            evidence.push("khác nơi đăng ký khai sinh");
        }
    }
    if facts.id_valid[ia] && facts.id_valid[ib] {
        score += w.different_valid_ids;
        evidence.push("hai số định danh khác nhau");
    }
    if score < w.threshold {
        return None;
    }
    Some(Pair {
        a,
        b,
        score,
        evidence: evidence.describe(score),
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
            // In record-key order, whatever order the register lists them in.
            let mut others: Vec<u32> = cluster.rows.iter().copied().filter(|&r| r != row).collect();
            others.sort_by_key(|&r| keys.map_or("", |k| k.get(r as usize)));
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
                    crate::rules::checks::listed(described.into_iter(), "; ")
                ),
            );
            hit.related = others.iter().map(|&r| key_of(r)).collect();
            hit.cluster_id = cluster.id.clone();
            out.push(hit);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weights(dedup: &str) -> DedupWeights {
        let def: MatchingDef = toml::from_str(&format!("[dedup]\n{dedup}")).unwrap();
        DedupWeights::from_def(&def)
    }

    /// The best score a dropped-middle-name pair can reach with no relative and no old
    /// ID, for a name `count` people carry (what `rare_name_count` bounds).
    fn best_without_relatives(w: &DedupWeights, count: u32) -> f64 {
        w.prior + 1.0 - f64::from(count.max(1)).log2()
            + w.name_variant_m.log2()
            + w.birth_day.max(w.birth_month).max(w.birth_year)
            + w.birth_province_agree
                .max(w.birth_province_conflict)
                .max(0.0)
    }

    #[test]
    fn rare_name_count_is_where_a_name_alone_stops_reaching_the_threshold() {
        for dedup in [
            "",
            "match_threshold = 2.0",
            "prior_duplicate_share = 0.05",
            "name_variant_m = 0.5\nbirth_date_day = 20.0",
        ] {
            let w = weights(dedup);
            let rare = w.rare_name_count();
            assert!(rare < 1 << 20, "{dedup:?}: {rare}");
            if rare > 0 {
                assert!(best_without_relatives(&w, rare) >= w.threshold, "{dedup:?}");
            }
            assert!(
                best_without_relatives(&w, rare + 1) < w.threshold,
                "{dedup:?}"
            );
        }
        // The shipped weights: only a name nobody else carries.
        assert_eq!(weights("").rare_name_count(), 1);
        // A threshold out of reach: no name is rare enough.
        assert_eq!(weights("match_threshold = 40.0").rare_name_count(), 0);
    }
}
