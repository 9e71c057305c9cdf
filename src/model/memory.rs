//! Large tables that are read at random (the ID table at 10M people is half a
//! gigabyte): backed by 2 MB pages where the kernel allows, so a lookup misses the
//! TLB far less often, and faulted in by all threads before use instead of one page
//! at a time by the thread that builds them.

use rayon::prelude::*;

/// `len` default values on memory the kernel is asked to back with huge pages, written
/// in parallel.
pub fn random_access_vec<T: Copy + Default + Send + Sync>(len: usize) -> Vec<T> {
    let mut values: Vec<T> = Vec::with_capacity(len);
    advise_huge_pages(
        values.as_mut_ptr().cast::<u8>(),
        len.saturating_mul(std::mem::size_of::<T>()),
    );
    (0..len)
        .into_par_iter()
        .map(|_| T::default())
        .collect_into_vec(&mut values);
    values
}

/// Keep memory the process frees for its own later allocations instead of handing it
/// back to the kernel. A run allocates and frees column-sized buffers stage after stage;
/// glibc serves each one above 32 MB with a fresh `mmap` and returns it on `free`, so
/// every page of the next one is faulted in and zeroed again (at 10M people a third of
/// the page faults, about 4 GB, and several seconds of the run). Call once, first
/// thing, from a batch process; a no-op off glibc.
pub fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallopt` only changes allocator settings; called before any thread
    // starts. Large blocks then come from the heap, which is trimmed only when more
    // than 2 GB lies free at its top.
    unsafe {
        libc::mallopt(libc::M_MMAP_MAX, 0);
        libc::mallopt(libc::M_TRIM_THRESHOLD, i32::MAX);
    }
}

/// Ask for `values[index]` to be brought into cache ahead of its use (random-access
/// loops call this some iterations ahead). A hint only: never faults, no effect on
/// results, and a no-op off x86-64 or out of range.
#[inline]
pub fn prefetch<T>(values: &[T], index: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(value) = values.get(index) {
        let pointer: *const T = value;
        // SAFETY: prefetching is a hint that never faults; the pointer is to a live
        // element of `values`.
        unsafe {
            std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
                pointer.cast::<i8>(),
            )
        };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (values, index);
}

/// Ask for huge pages on the whole 2 MB pages inside `bytes` bytes from `start`.
#[cfg(target_os = "linux")]
fn advise_huge_pages(start: *mut u8, bytes: usize) {
    const HUGE_PAGE: usize = 2 << 20;
    if bytes < 2 * HUGE_PAGE {
        return;
    }
    let first = (start as usize).next_multiple_of(HUGE_PAGE);
    let end = (start as usize + bytes) / HUGE_PAGE * HUGE_PAGE;
    if end > first {
        // SAFETY: the range lies inside an allocation this function's caller owns and
        // has not yet written; MADV_HUGEPAGE is a hint that never changes its contents.
        // A kernel without transparent huge pages refuses it, which changes nothing.
        unsafe {
            libc::madvise(first as *mut libc::c_void, end - first, libc::MADV_HUGEPAGE);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn advise_huge_pages(_start: *mut u8, _bytes: usize) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_access_vec_is_all_default() {
        for len in [0, 1, 1000, 3 << 20] {
            let values: Vec<u64> = random_access_vec(len);
            assert_eq!(values.len(), len);
            assert!(values.iter().all(|&v| v == 0));
        }
    }
}
