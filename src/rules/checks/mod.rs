//! Check kernels, by family: per-row value checks and per-group checks. The checks
//! that need identity matching (deaths, old IDs, duplicates, cross-match) live in
//! `matching/` and read its precomputed links.

pub mod groups;
pub mod values;

/// Records a finding's detail names one by one; a larger group is named by its first
/// ones and a count (a collective household of thousands would otherwise repeat
/// thousands of names in every member's finding). `related_keys` still lists all.
pub const LISTED_RECORDS: usize = 30;

/// `items` joined by `separator`, the first [`LISTED_RECORDS`] of them, then how many
/// more there are.
pub fn listed(items: impl ExactSizeIterator<Item = String>, separator: &str) -> String {
    let total = items.len();
    let mut text = items
        .take(LISTED_RECORDS)
        .collect::<Vec<_>>()
        .join(separator);
    if total > LISTED_RECORDS {
        text.push_str(&format!(
            "{separator}… và {} hồ sơ khác",
            total - LISTED_RECORDS
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    #[test]
    fn long_lists_are_cut_with_a_count() {
        let few = super::listed((0..3).map(|i| format!("P{i}")), ", ");
        assert_eq!(few, "P0, P1, P2");
        let many = super::listed((0..100).map(|i| format!("P{i}")), "; ");
        assert!(many.starts_with("P0; P1; "), "{many}");
        assert!(many.contains("P29; … và 70 hồ sơ khác"), "{many}");
        assert!(!many.contains("P30"), "{many}");
    }
}
