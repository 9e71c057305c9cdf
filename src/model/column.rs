//! Typed columns: the engine keeps every dataset column-wise so that rules run as tight
//! loops over plain slices, and a 10-million-row register costs a few allocations per
//! column instead of one per cell.

use std::collections::BTreeMap;

use super::date::PartialDate;

/// Bits of an offset that give a position inside its segment; the bits above give the
/// segment.
const SEGMENT_SHIFT: u32 = 40;
const POSITION_MASK: u64 = (1 << SEGMENT_SHIFT) - 1;

/// Many strings in a few buffers (Arrow's layout, bytes + offsets, in segments).
///
/// Strings are pushed to the last segment. Joining columns moves their segments
/// instead of copying their bytes: ingest builds each chunk of a file in parallel, and
/// copying gigabytes of names and addresses into one buffer cost a second pass over
/// fresh memory. Each offset carries its segment in the bits above [`SEGMENT_SHIFT`].
#[derive(Debug, Clone, Default)]
pub struct StrColumn {
    segments: Vec<Vec<u8>>,
    /// `offsets[row + 1]` is where string `row` ends (segment and position); it starts
    /// where the previous one ended when that is in the same segment, else at the start
    /// of its segment. `offsets[0] == 0`.
    offsets: Vec<u64>,
}

impl StrColumn {
    /// An empty column with room for `rows` strings of about `bytes` bytes in all.
    pub fn with_capacity(rows: usize, bytes: usize) -> Self {
        let mut offsets = Vec::with_capacity(rows + 1);
        offsets.push(0);
        StrColumn {
            segments: vec![Vec::with_capacity(bytes)],
            offsets,
        }
    }

    /// An empty column.
    pub fn new() -> Self {
        Self::with_capacity(0, 0)
    }

    /// Append one string.
    #[inline]
    pub fn push(&mut self, value: &str) {
        if self.segments.is_empty() {
            self.segments.push(Vec::new());
        }
        if self.offsets.is_empty() {
            self.offsets.push(0);
        }
        let segment = self.segments.len() - 1;
        let bytes = &mut self.segments[segment];
        bytes.extend_from_slice(value.as_bytes());
        self.offsets
            .push(((segment as u64) << SEGMENT_SHIFT) | bytes.len() as u64);
    }

    /// Number of strings.
    pub fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// True when the column holds no strings.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Segment, start and end of the string at `row`.
    #[inline]
    fn locate(&self, row: usize) -> Option<(usize, usize, usize)> {
        let (&previous, &end) = (self.offsets.get(row)?, self.offsets.get(row + 1)?);
        let segment = end >> SEGMENT_SHIFT;
        let start = if previous >> SEGMENT_SHIFT == segment {
            previous & POSITION_MASK
        } else {
            0
        };
        Some((
            segment as usize,
            start as usize,
            (end & POSITION_MASK) as usize,
        ))
    }

    /// The string at `row` (empty string when out of range).
    #[inline]
    pub fn get(&self, row: usize) -> &str {
        let Some((segment, start, end)) = self.locate(row) else {
            return "";
        };
        let bytes = self
            .segments
            .get(segment)
            .and_then(|bytes| bytes.get(start..end))
            .unwrap_or_default();
        // SAFETY: segments only ever receive whole `&str` values through `push`, and
        // offsets mark the boundaries between them, so every slice between two
        // offsets of one segment is valid UTF-8.
        unsafe { std::str::from_utf8_unchecked(bytes) }
    }

    /// Byte length of the string at `row`.
    pub fn len_at(&self, row: usize) -> usize {
        self.locate(row).map_or(0, |(_, start, end)| end - start)
    }

    /// Append all strings of `other`, taking over its buffers (no text is copied).
    pub fn append(&mut self, other: StrColumn) {
        if self.offsets.is_empty() {
            self.offsets.push(0);
        }
        // A trailing empty segment (a fresh column's) is dropped so joined columns do
        // not collect empty buffers. Only empty strings can end in it, and they stay
        // empty whichever segment their offsets name.
        if self.segments.last().is_some_and(Vec::is_empty) {
            self.segments.pop();
        }
        let base = (self.segments.len() as u64) << SEGMENT_SHIFT;
        self.segments.extend(other.segments);
        self.offsets
            .extend(other.offsets.iter().skip(1).map(|offset| offset + base));
    }

    /// Iterate over all strings.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.len()).map(move |row| self.get(row))
    }

    /// Bytes held (for memory accounting).
    pub fn heap_bytes(&self) -> usize {
        self.segments.iter().map(Vec::capacity).sum::<usize>() + self.offsets.capacity() * 8
    }
}

/// A low-cardinality column: one `u32` code per row and the distinct values once.
/// Code 0 is always the empty string, so "is empty" is `code == 0`.
#[derive(Debug, Clone)]
pub struct DictColumn {
    /// One code per row, an index into `values`.
    pub codes: Vec<u32>,
    /// Distinct values in order of first appearance; `values[0] == ""`.
    pub values: Vec<String>,
}

impl Default for DictColumn {
    fn default() -> Self {
        DictColumn {
            codes: Vec::new(),
            values: vec![String::new()],
        }
    }
}

impl DictColumn {
    /// The value at `row`.
    pub fn get(&self, row: usize) -> &str {
        self.codes
            .get(row)
            .and_then(|&code| self.values.get(code as usize))
            .map(String::as_str)
            .unwrap_or("")
    }

    /// The code at `row` (0 = empty).
    pub fn code(&self, row: usize) -> u32 {
        self.codes.get(row).copied().unwrap_or(0)
    }
}

/// A date column with the original text of values that are not dates, so that a
/// finding can quote what the officer will see in the source system.
#[derive(Debug, Clone, Default)]
pub struct DateColumn {
    /// One date per row.
    pub values: Vec<PartialDate>,
    /// Original text of rows whose value is [`PartialDate::INVALID`].
    pub invalid_text: BTreeMap<u32, String>,
}

impl DateColumn {
    /// The date at `row`.
    pub fn get(&self, row: usize) -> PartialDate {
        self.values.get(row).copied().unwrap_or(PartialDate::EMPTY)
    }

    /// What the source said, for display: the normalised date or the invalid text.
    pub fn display(&self, row: usize) -> String {
        let value = self.get(row);
        if value.is_invalid() {
            self.invalid_text
                .get(&(row as u32))
                .cloned()
                .unwrap_or_default()
        } else {
            value.display()
        }
    }
}

/// A person-name column: the NFC text as given (spaces collapsed) and its folded
/// comparison key (lowercase ASCII, no diacritics, đ→d), computed once at ingest.
#[derive(Debug, Clone, Default)]
pub struct NameColumn {
    /// NFC, trimmed, single-spaced.
    pub text: StrColumn,
    /// Folded key, e.g. `nguyen van hung`.
    pub folded: StrColumn,
}

/// One column of a dataset.
#[derive(Debug, Clone)]
pub enum Column {
    /// Free text (NFC, trimmed).
    Text(StrColumn),
    /// Dictionary-encoded text.
    Dict(DictColumn),
    /// Dates with precision.
    Date(DateColumn),
    /// Person names with folded keys.
    Name(NameColumn),
}

impl Column {
    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            Column::Text(c) => c.len(),
            Column::Dict(c) => c.codes.len(),
            Column::Date(c) => c.values.len(),
            Column::Name(c) => c.text.len(),
        }
    }

    /// True when the column has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True when the cell at `row` holds nothing.
    pub fn is_blank(&self, row: usize) -> bool {
        match self {
            Column::Text(c) => c.len_at(row) == 0,
            Column::Dict(c) => c.code(row) == 0,
            Column::Date(c) => c.get(row).is_empty(),
            Column::Name(c) => c.text.len_at(row) == 0,
        }
    }

    /// The cell as display text.
    pub fn display(&self, row: usize) -> String {
        match self {
            Column::Text(c) => c.get(row).to_string(),
            Column::Dict(c) => c.get(row).to_string(),
            Column::Date(c) => c.display(row),
            Column::Name(c) => c.text.get(row).to_string(),
        }
    }

    /// The cell as text without allocating, where the column stores text.
    pub fn text(&self, row: usize) -> Option<&str> {
        match self {
            Column::Text(c) => Some(c.get(row)),
            Column::Dict(c) => Some(c.get(row)),
            Column::Name(c) => Some(c.text.get(row)),
            Column::Date(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn str_column_round_trip_and_append() {
        let mut a = StrColumn::new();
        a.push("Nguyễn");
        a.push("");
        let mut b = StrColumn::new();
        b.push("Văn");
        a.append(b);
        assert_eq!(a.len(), 3);
        assert_eq!(a.get(0), "Nguyễn");
        assert_eq!(a.get(1), "");
        assert_eq!(a.get(2), "Văn");
        assert_eq!(a.get(3), "");
        assert_eq!(a.iter().collect::<Vec<_>>(), vec!["Nguyễn", "", "Văn"]);
    }

    proptest::proptest! {
        /// Joined chunk columns (empty chunks, empty strings at the seams, pushes after
        /// the join) read back exactly the strings pushed, in order.
        #[test]
        fn joined_columns_keep_every_string(
            chunks in proptest::collection::vec(
                proptest::collection::vec("(|[a-zà-ỹ ]{1,6})", 0..6), 0..6),
            tail in proptest::collection::vec("(|[a-z]{1,4})", 0..3),
        ) {
            let mut joined = StrColumn::with_capacity(0, 0);
            let mut expected: Vec<String> = Vec::new();
            for chunk in &chunks {
                let mut column = StrColumn::with_capacity(chunk.len(), 8);
                for value in chunk {
                    column.push(value);
                    expected.push(value.clone());
                }
                joined.append(column);
            }
            for value in &tail {
                joined.push(value);
                expected.push(value.clone());
            }
            proptest::prop_assert_eq!(joined.len(), expected.len());
            for (row, value) in expected.iter().enumerate() {
                proptest::prop_assert_eq!(joined.get(row), value.as_str());
                proptest::prop_assert_eq!(joined.len_at(row), value.len());
            }
            proptest::prop_assert_eq!(joined.get(expected.len()), "");
        }
    }
}
