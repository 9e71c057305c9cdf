//! Parallel sort of entries ordered by a uniformly distributed 64-bit hash (blocking
//! keys, key hashes): the entries are split by the top bits of the hash, block by block
//! in parallel, and each part — small enough to stay in cache — is sorted on its own.
//! One parallel sort of tens of millions of entries goes to memory at every level.

use rayon::prelude::*;

/// Entries per input block (one task each).
const BLOCK_ENTRIES: usize = 1 << 16;
/// Entries per part, roughly: a part of 16-byte entries fits the L2 cache.
const ENTRIES_PER_PART: usize = 1 << 15;

/// Sort `entries` ascending. `hash` gives each entry's hash; the order of `T` must
/// follow the hash first (an entry with a smaller hash is smaller), as for
/// `(hash, row)` tuples or words with the hash in their high bits.
pub fn par_sort_by_hash<T, H>(entries: &mut [T], hash: H)
where
    T: Ord + Copy + Send + Sync + Default,
    H: Fn(&T) -> u64 + Sync,
{
    let count = entries.len();
    let part_bits = (count / ENTRIES_PER_PART)
        .max(1)
        .next_power_of_two()
        .trailing_zeros()
        .min(12);
    if part_bits == 0 {
        entries.par_sort_unstable();
        return;
    }
    let parts = 1usize << part_bits;
    let part_of = |entry: &T| (hash(entry) >> (64 - part_bits)) as usize;
    // Each block: its entries grouped by part, and where each part starts.
    let blocks: Vec<(Vec<T>, Vec<usize>)> = entries
        .par_chunks(BLOCK_ENTRIES)
        .map(|block| {
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
        })
        .collect();
    // Cut the output into one slice per part, then fill and sort each in parallel.
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
        for (grouped, starts) in &blocks {
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
            par_sort_by_hash(&mut entries, |e| e.0);
            proptest::prop_assert_eq!(entries, expected);
        }
    }
}
