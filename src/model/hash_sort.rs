//! Parallel sort of entries ordered by a uniformly distributed 64-bit hash (blocking
//! keys, key hashes): the entries are split by the top bits of the hash, block by block
//! in parallel, and each part — small enough to stay in cache — is sorted on its own.
//! One parallel sort of tens of millions of entries goes to memory at every level.

use rayon::prelude::*;

/// Entries per input block (one task each).
const BLOCK_ENTRIES: usize = 1 << 16;
/// Entries per part, roughly: a part of 16-byte entries fits the L2 cache.
const ENTRIES_PER_PART: usize = 1 << 15;

/// The mask of the low bits that hold a row number below `rows`, for words that pack a
/// hash's top bits above the row (one `u64` per entry instead of a `(hash, row)` pair:
/// half the memory a sort of tens of millions of entries writes).
pub fn row_mask(rows: usize) -> u64 {
    let row_bits = usize::BITS - (rows.max(2) - 1).leading_zeros();
    (1u64 << row_bits) - 1
}

/// Sort `entries` ascending. `hash` gives each entry's hash; the order of `T` must
/// follow the hash first (an entry with a smaller hash is smaller), as for
/// `(hash, row)` tuples or words with the hash in their high bits.
pub fn par_sort_by_hash<T, H>(entries: &mut [T], hash: H)
where
    T: Ord + Copy + Send + Sync + Default,
    H: Fn(&T) -> u64 + Sync,
{
    let count = entries.len();
    let part_bits = part_bits_for(count);
    if part_bits == 0 {
        entries.par_sort_unstable();
        return;
    }
    let blocks: Vec<(Vec<T>, Vec<usize>)> = entries
        .par_chunks(BLOCK_ENTRIES)
        .map(|block| group_by_part(block, part_bits, &hash))
        .collect();
    fill_and_sort_parts(entries, &blocks, part_bits);
}

/// The entries `entry_of(row)` gives for rows `0..rows` (rows giving `None` are left
/// out), sorted ascending as [`par_sort_by_hash`] sorts them. Built straight from the
/// rows: each block of rows is grouped by part as it is produced, and the result is
/// written once, so no unsorted list of every entry is first collected and copied.
pub fn par_sorted_by_hash<T, H, F>(rows: usize, entry_of: F, hash: H) -> Vec<T>
where
    T: Ord + Copy + Send + Sync + Default,
    H: Fn(&T) -> u64 + Sync,
    F: Fn(usize) -> Option<T> + Sync,
{
    // Sized for every row giving an entry: more parts than needed only makes them
    // smaller.
    let part_bits = part_bits_for(rows);
    let blocks: Vec<(Vec<T>, Vec<usize>)> = (0..rows.div_ceil(BLOCK_ENTRIES))
        .into_par_iter()
        .map(|block| {
            let first = block * BLOCK_ENTRIES;
            let produced: Vec<T> = (first..rows.min(first + BLOCK_ENTRIES))
                .filter_map(&entry_of)
                .collect();
            group_by_part(&produced, part_bits, &hash)
        })
        .collect();
    let count = blocks.iter().map(|(grouped, _)| grouped.len()).sum();
    let mut entries = vec![T::default(); count];
    if part_bits == 0 {
        let mut filled = 0;
        for (grouped, _) in &blocks {
            entries[filled..filled + grouped.len()].copy_from_slice(grouped);
            filled += grouped.len();
        }
        entries.par_sort_unstable();
    } else {
        fill_and_sort_parts(&mut entries, &blocks, part_bits);
    }
    entries
}

/// How many top bits of the hash pick an entry's part, for `count` entries (0: one
/// part, sorted whole).
fn part_bits_for(count: usize) -> u32 {
    (count / ENTRIES_PER_PART)
        .max(1)
        .next_power_of_two()
        .trailing_zeros()
        .min(12)
}

/// One block's entries grouped by part, and where each part starts.
fn group_by_part<T, H>(block: &[T], part_bits: u32, hash: &H) -> (Vec<T>, Vec<usize>)
where
    T: Copy + Default,
    H: Fn(&T) -> u64,
{
    if part_bits == 0 {
        return (block.to_vec(), vec![0, block.len()]);
    }
    let parts = 1usize << part_bits;
    let part_of = |entry: &T| (hash(entry) >> (64 - part_bits)) as usize;
    let mut starts = vec![0usize; parts + 1];
    for entry in block {
        starts[part_of(entry) + 1] += 1;
    }
    for part in 0..parts {
        starts[part + 1] += starts[part];
    }
    let mut next = starts.clone();
    let mut grouped = vec![T::default(); block.len()];
    for entry in block {
        let slot = &mut next[part_of(entry)];
        grouped[*slot] = *entry;
        *slot += 1;
    }
    (grouped, starts)
}

/// Cut `entries` into one slice per part, then fill each from the blocks' groups and
/// sort it, in parallel.
fn fill_and_sort_parts<T>(entries: &mut [T], blocks: &[(Vec<T>, Vec<usize>)], part_bits: u32)
where
    T: Ord + Copy + Send + Sync,
{
    let parts = 1usize << part_bits;
    let mut slices: Vec<(usize, &mut [T])> = Vec::with_capacity(parts);
    let mut rest = entries;
    for part in 0..parts {
        let size: usize = blocks
            .iter()
            .map(|(_, starts)| starts[part + 1] - starts[part])
            .sum();
        let (head, tail) = rest.split_at_mut(size);
        slices.push((part, head));
        rest = tail;
    }
    slices.into_par_iter().for_each(|(part, slice)| {
        let mut filled = 0;
        for (grouped, starts) in blocks {
            let from = &grouped[starts[part]..starts[part + 1]];
            slice[filled..filled + from.len()].copy_from_slice(from);
            filled += from.len();
        }
        slice.sort_unstable();
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_mask_holds_every_row_and_no_more() {
        for rows in [0usize, 1, 2, 3, 4, 5, 1 << 20, (1 << 20) + 1, 10_000_000] {
            let mask = row_mask(rows);
            assert!(rows.saturating_sub(1) as u64 <= mask, "{rows}");
            assert!(
                rows <= 2 || (mask >> 1) < (rows - 1) as u64,
                "{rows}: {mask:#x}"
            );
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(24))]

        /// The same order as a plain sort, for sizes with one part and with many.
        #[test]
        fn sorts_like_sort_unstable(
            seed in 0u64..1_000,
            count in proptest::sample::select(vec![0usize, 1, 7, 40_000, 150_000]),
        ) {
            let mut entries: Vec<(u64, u32)> = (0..count as u64)
                .map(|i| (xxhash_rust::xxh3::xxh3_64(&(i % 997 + seed).to_le_bytes()), i as u32))
                .collect();
            let mut expected = entries.clone();
            expected.sort_unstable();
            let built = par_sorted_by_hash(
                entries.len() * 2,
                |row| (row % 2 == 0).then(|| entries[row / 2]),
                |e: &(u64, u32)| e.0,
            );
            proptest::prop_assert_eq!(&built, &expected);
            par_sort_by_hash(&mut entries, |e| e.0);
            proptest::prop_assert_eq!(entries, expected);
        }
    }
}
