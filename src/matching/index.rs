//! Indexes over the register for identity matching: an open-addressing table from ID
//! number to rows (one probe per lookup, built once), and blocking indexes — sorted
//! `(key hash, row)` arrays — for records that carry no usable ID.
//!
//! Blocking passes (their union is the candidate set):
//! 1. full folded name + birth year;
//! 2. surname (regional variants merged) + given name + birth year — a missing or
//!    different middle name still meets;
//! 3. given name + full birth date — a misspelt surname or middle name still meets.

use xxhash_rust::xxh3::{xxh3_64, xxh3_64_with_seed};

use super::similarity::{canonical_surname, split_name};
use crate::model::PartialDate;

/// One slot of the ID table: the key and its row share a cache line, so a lookup
/// costs one memory access (at 10M people the table is far larger than the cache).
#[derive(Debug, Clone, Copy, Default)]
#[repr(C, align(16))]
struct Slot {
    key: u64,
    row: u32,
}

/// Rows by ID number.
pub struct IdTable {
    slots: Vec<Slot>,
    mask: usize,
    /// All (id, row) pairs of IDs that occur more than once, sorted.
    repeated: Vec<(u64, u32)>,
}

const REPEATED_FLAG: u32 = 1 << 31;

/// How many IDs ahead a bulk pass asks the memory system for the slot it will probe:
/// far enough to cover a trip to DRAM, near enough that the line is still cached.
pub const PREFETCH_DISTANCE: usize = 16;

impl IdTable {
    /// Build from one ID number per row (0 = no usable ID).
    pub fn build(ids: &[u64]) -> IdTable {
        let count = ids.iter().filter(|&&v| v != 0).count();
        let capacity = (count * 2).next_power_of_two().max(16);
        let mut table = IdTable {
            slots: crate::model::memory::random_access_vec(capacity),
            mask: capacity - 1,
            repeated: Vec::new(),
        };
        let mut repeated_ids = Vec::new();
        for (row, &id) in ids.iter().enumerate() {
            if let Some(&ahead) = ids.get(row + PREFETCH_DISTANCE) {
                table.prefetch(ahead);
            }
            if id == 0 {
                continue;
            }
            let mut slot = table.slot_of(id);
            loop {
                let entry = &mut table.slots[slot];
                if entry.key == 0 {
                    *entry = Slot {
                        key: id,
                        row: row as u32,
                    };
                    break;
                }
                if entry.key == id {
                    if entry.row & REPEATED_FLAG == 0 {
                        repeated_ids.push((id, entry.row));
                        entry.row |= REPEATED_FLAG;
                    }
                    repeated_ids.push((id, row as u32));
                    break;
                }
                slot = (slot + 1) & table.mask;
            }
        }
        repeated_ids.sort_unstable();
        table.repeated = repeated_ids;
        table
    }

    #[inline]
    fn slot_of(&self, id: u64) -> usize {
        (id.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 20) as usize & self.mask
    }

    /// Ask for the slot of `id` to be brought into cache ahead of its lookup (bulk
    /// passes call this [`PREFETCH_DISTANCE`] rows ahead). A hint only: no effect on
    /// results, and a no-op off x86-64.
    #[inline]
    pub fn prefetch(&self, id: u64) {
        if id != 0 {
            crate::model::memory::prefetch(&self.slots, self.slot_of(id));
        }
    }

    /// Rows with this ID (none when absent), in row order, without allocating.
    pub fn rows_of(&self, id: u64) -> IdRows<'_> {
        if id == 0 {
            return IdRows::None;
        }
        let mut slot = self.slot_of(id);
        loop {
            let Slot { key, row } = self.slots[slot];
            if key == 0 {
                return IdRows::None;
            }
            if key == id {
                if row & REPEATED_FLAG == 0 {
                    return IdRows::One(row);
                }
                let start = self.repeated.partition_point(|&(k, _)| k < id);
                let end = run_end(&self.repeated, start);
                return IdRows::Many(&self.repeated[start..end]);
            }
            slot = (slot + 1) & self.mask;
        }
    }

    /// Is this ID in the register?
    pub fn contains(&self, id: u64) -> bool {
        if id == 0 {
            return false;
        }
        let mut slot = self.slot_of(id);
        loop {
            match self.slots[slot].key {
                0 => return false,
                key if key == id => return true,
                _ => slot = (slot + 1) & self.mask,
            }
        }
    }
}

/// The rows carrying one ID.
#[derive(Debug, Clone, Copy)]
pub enum IdRows<'a> {
    /// Nobody.
    None,
    /// One row (the usual case).
    One(u32),
    /// Several rows share the ID.
    Many(&'a [(u64, u32)]),
}

impl IdRows<'_> {
    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            IdRows::None => 0,
            IdRows::One(_) => 1,
            IdRows::Many(rows) => rows.len(),
        }
    }

    /// True when no row has the ID.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The rows.
    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        let (single, many): (Option<u32>, &[(u64, u32)]) = match self {
            IdRows::None => (None, &[]),
            IdRows::One(row) => (Some(*row), &[]),
            IdRows::Many(rows) => (None, rows),
        };
        single.into_iter().chain(many.iter().map(|&(_, row)| row))
    }
}

/// Blocking passes: the name and birth year, surname + given name and year, given
/// name and birth date, surname and birth date. Names are keyed with a syllable's lone
/// final vowel written i (Sỹ and Sĩ meet).
pub const PASSES: usize = 4;

/// The blocking keys of one record (0 = no key for that pass).
pub fn blocking_keys(folded_name: &str, birth: PartialDate) -> [u64; PASSES] {
    if folded_name.is_empty() || !birth.is_known() {
        return [0; PASSES];
    }
    // Lý Văn Sỹ and Lí Văn Sĩ are one name in two spellings: they share their keys.
    let mut buffer = [0u8; 96];
    let folded_name = crate::normalize::text::i_for_final_y(folded_name, &mut buffer);
    let year = birth.year() as u64;
    let (surname, _, given) = split_name(folded_name);
    let surname = canonical_surname(surname);
    let seed = xxh3_64(surname.as_bytes());
    // Pass 1 uses the name with the canonical surname so variants meet too.
    let rest_start = folded_name.find(' ').map_or(folded_name.len(), |i| i);
    let full = xxh3_64_with_seed(&folded_name.as_bytes()[rest_start..], seed);
    let short = xxh3_64_with_seed(given.as_bytes(), seed ^ 0x5555);
    let pass1 = full.rotate_left(7) ^ year ^ 0x1000_0000;
    let pass2 = short.rotate_left(13) ^ year ^ 0x2000_0000;
    let full_date = birth.day() != 0;
    let pass3 = if full_date {
        xxh3_64_with_seed(given.as_bytes(), u64::from(birth.raw())) ^ 0x3000_0000 | 1
    } else {
        0
    };
    // A mistyped given name (Hùg, Hùnh) breaks every key above; the surname and the
    // whole birth date still meet.
    let pass4 = if full_date {
        xxh3_64_with_seed(surname.as_bytes(), u64::from(birth.raw()) ^ 0x4000_0000) | 1
    } else {
        0
    };
    [pass1 | 1, pass2 | 1, pass3, pass4]
}

/// Sorted `(key, row)` arrays, one per blocking pass.
pub struct BlockingIndex {
    passes: [Vec<(u64, u32)>; PASSES],
}

/// Blocks larger than this are skipped for a pass (a key so common it carries no
/// information); the other passes still apply.
pub const MAX_BLOCK: usize = 2_000;

/// One blocking pass as (key, row) sorted by key; rows whose key is 0 (no key) are left out.
pub fn sorted_pass<const N: usize>(keys: &[[u64; N]], pass: usize) -> Vec<(u64, u32)> {
    crate::model::hash_sort::par_sorted_by_hash(
        keys.len(),
        |row| {
            let key = keys[row][pass];
            (key != 0).then_some((key, row as u32))
        },
        |entry| entry.0,
    )
}

impl BlockingIndex {
    /// Build from per-row keys.
    pub fn build(keys: &[[u64; PASSES]]) -> BlockingIndex {
        BlockingIndex {
            passes: std::array::from_fn(|pass| sorted_pass(keys, pass)),
        }
    }

    /// Rows sharing at least one blocking key with `keys`, sorted, without repeats.
    pub fn candidates(&self, keys: &[u64; PASSES], out: &mut Vec<u32>) {
        out.clear();
        for (pass, &key) in keys.iter().enumerate() {
            if key == 0 {
                continue;
            }
            let entries = &self.passes[pass];
            let start = entries.partition_point(|&(k, _)| k < key);
            let block = entries[start..]
                .iter()
                .take_while(|&&(k, _)| k == key)
                .take(MAX_BLOCK + 1);
            let before = out.len();
            out.extend(block.map(|&(_, row)| row));
            if out.len() - before > MAX_BLOCK {
                out.truncate(before);
            }
        }
        out.sort_unstable();
        out.dedup();
    }

    /// The blocks of one pass (groups of two or more rows sharing a key).
    pub fn blocks(&self, pass: usize) -> Vec<&[(u64, u32)]> {
        blocks_of(&self.passes[pass])
    }
}

/// The runs of two or more sorted `(key, row)` entries with equal key. Singletons
/// (most keys of a pass) pair with nothing, so they are not collected at all.
pub fn blocks_of(entries: &[(u64, u32)]) -> Vec<&[(u64, u32)]> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < entries.len() {
        let end = run_end(entries, start);
        if end - start > 1 {
            out.push(&entries[start..end]);
        }
        start = end;
    }
    out
}

/// End of the run of entries whose key equals the key at `start`. A forward scan: runs
/// are short, and a binary search over the rest of ten million entries for every run
/// cost more than all the pair scoring (profiled at 10M people).
pub fn run_end<T>(entries: &[(u64, T)], start: usize) -> usize {
    let Some(&(key, _)) = entries.get(start) else {
        return start;
    };
    let mut end = start + 1;
    while end < entries.len() && entries[end].0 == key {
        end += 1;
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_pass_orders_by_key_then_row() {
        let keys: Vec<[u64; 1]> = [5, 3, 0, 5, (1 << 40) | 3, 7, 3]
            .iter()
            .map(|&k| [k])
            .collect();
        let mut expected: Vec<(u64, u32)> = keys
            .iter()
            .enumerate()
            .filter(|(_, k)| k[0] != 0)
            .map(|(row, k)| (k[0], row as u32))
            .collect();
        expected.sort_unstable();
        assert_eq!(sorted_pass(&keys, 0), expected);
    }

    #[test]
    fn id_table_finds_single_and_repeated() {
        let ids = [0, 5, 7, 5, 9, 0];
        let table = IdTable::build(&ids);
        assert_eq!(table.rows_of(7).iter().collect::<Vec<_>>(), vec![2]);
        assert_eq!(table.rows_of(5).iter().collect::<Vec<_>>(), vec![1, 3]);
        assert!(table.rows_of(8).is_empty());
        assert!(table.rows_of(0).is_empty());
        assert!(table.contains(9) && !table.contains(10));
    }

    #[test]
    fn blocking_meets_variants() {
        let birth = PartialDate::ymd(1980, 5, 1).unwrap();
        let a = blocking_keys("nguyen van hung", birth);
        let b = blocking_keys("nguyen hung", birth);
        let c = blocking_keys("huynh van hung", birth);
        let d = blocking_keys("hoang van hung", PartialDate::year_only(1980).unwrap());
        assert_eq!(a[1], b[1], "missing middle name meets on pass 2");
        assert_eq!(a[2], b[2], "and on pass 3");
        assert_ne!(a[0], b[0]);
        assert_eq!(c[0], d[0], "regional surname variants meet on pass 1");
        assert_eq!(d[2], 0, "no day precision, no pass 3");
    }
}
