//! Typed columns: the engine keeps every dataset column-wise so that rules run as tight
//! loops over plain slices, and a 10-million-row register costs a few allocations per
//! column instead of one per cell.

use std::collections::BTreeMap;

use super::date::PartialDate;

/// Rows per entry of a column's segment lookup (as a power of two). Ingest segments
/// hold tens of thousands of rows, so a lookup entry is at most a step from the
/// segment of any row of its block. Small in tests, so that they cross many blocks.
const LOOKUP_SHIFT: u32 = if cfg!(test) { 2 } else { 12 };

/// Many strings in a few buffers (Arrow's layout, bytes + offsets, in segments).
///
/// Strings are pushed to the last segment. Joining columns moves their segments
/// instead of copying them: ingest builds each chunk of a file in parallel, and
/// copying gigabytes of names, addresses and their offsets into one buffer cost a
/// second pass over fresh memory. Offsets are 32-bit positions inside their segment
/// (a segment never grows past 4 GB), half the memory of 64-bit offsets.
#[derive(Debug, Clone, Default)]
pub struct StrColumn {
    segments: Vec<Segment>,
    /// The first row of each segment.
    first_rows: Vec<u32>,
    /// For each block of `1 << LOOKUP_SHIFT` rows, the segment holding its first row.
    lookup: Vec<u32>,
    /// Number of strings.
    rows: usize,
}

/// Consecutive strings of a column: their bytes, and where each ends.
#[derive(Debug, Clone, Default)]
struct Segment {
    bytes: Vec<u8>,
    /// `ends[i]` is where string `i` of the segment ends; it starts where string
    /// `i - 1` ends, or at 0.
    ends: Vec<u32>,
}

impl Segment {
    /// Where string `local` of the segment starts and ends in its bytes.
    #[inline]
    fn span(&self, local: usize) -> Option<(usize, usize)> {
        let end = *self.ends.get(local)? as usize;
        let start = match local {
            0 => 0,
            _ => *self.ends.get(local - 1)? as usize,
        };
        Some((start, end))
    }
}

/// The segment holding `row`, searching forward from segment `from` (which must not
/// start after `row`); `first_rows` never decreases.
#[inline]
fn segment_holding(first_rows: &[u32], from: usize, row: usize) -> usize {
    let mut index = from;
    while first_rows
        .get(index + 1)
        .is_some_and(|&first| first as usize <= row)
    {
        index += 1;
    }
    index
}

impl StrColumn {
    /// An empty column with room for `rows` strings of about `bytes` bytes in all.
    pub fn with_capacity(rows: usize, bytes: usize) -> Self {
        StrColumn {
            segments: vec![Segment {
                bytes: Vec::with_capacity(bytes),
                ends: Vec::with_capacity(rows),
            }],
            first_rows: vec![0],
            lookup: Vec::new(),
            rows: 0,
        }
    }

    /// An empty column.
    pub fn new() -> Self {
        Self::with_capacity(0, 0)
    }

    /// Room for `rows` more strings of about `bytes` bytes in all, in the last segment.
    pub fn reserve(&mut self, rows: usize, bytes: usize) {
        if let Some(last) = self.segments.last_mut() {
            last.ends.reserve(rows);
            last.bytes.reserve(bytes);
        }
    }

    /// Bytes of text held (all segments).
    pub fn text_bytes(&self) -> usize {
        self.segments
            .iter()
            .map(|segment| segment.bytes.len())
            .sum()
    }

    /// Start a new, empty last segment.
    fn open_segment(&mut self) {
        self.segments.push(Segment::default());
        self.first_rows.push(self.rows as u32);
    }

    /// Append one string.
    #[inline]
    pub fn push(&mut self, value: &str) {
        let full = self
            .segments
            .last()
            .is_none_or(|last| last.bytes.len() + value.len() > u32::MAX as usize);
        if full {
            self.open_segment();
        }
        let last_segment = self.segments.len() - 1;
        if self.rows & ((1 << LOOKUP_SHIFT) - 1) == 0 {
            self.lookup.push(last_segment as u32);
        }
        let segment = &mut self.segments[last_segment];
        segment.bytes.extend_from_slice(value.as_bytes());
        segment.ends.push(segment.bytes.len() as u32);
        self.rows += 1;
    }

    /// Number of strings.
    pub fn len(&self) -> usize {
        self.rows
    }

    /// True when the column holds no strings.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes of the string at `row`.
    #[inline]
    fn bytes_at(&self, row: usize) -> Option<&[u8]> {
        if row >= self.rows {
            return None;
        }
        let (segment, local) = self.segment_of(row)?;
        let (start, end) = segment.span(local)?;
        segment.bytes.get(start..end)
    }

    /// The segment and the row inside it of `row` (`row` must be below `rows`).
    #[inline]
    fn segment_of(&self, row: usize) -> Option<(&Segment, usize)> {
        let from = *self.lookup.get(row >> LOOKUP_SHIFT)? as usize;
        let index = segment_holding(&self.first_rows, from, row);
        Some((
            self.segments.get(index)?,
            row - *self.first_rows.get(index)? as usize,
        ))
    }

    /// Hint: bring where the string at `row` ends into cache. Random-access loops call
    /// this a few iterations before [`StrColumn::prefetch_text`], which reads it.
    #[inline]
    pub fn prefetch_end(&self, row: usize) {
        if let Some((segment, local)) = self.segment_of(row) {
            crate::model::memory::prefetch(&segment.ends, local);
        }
    }

    /// Hint: bring the first bytes of the string at `row` into cache.
    #[inline]
    pub fn prefetch_text(&self, row: usize) {
        if let Some((segment, local)) = self.segment_of(row) {
            if let Some((start, _)) = segment.span(local) {
                crate::model::memory::prefetch(&segment.bytes, start);
            }
        }
    }

    /// The string at `row` (empty string when out of range).
    #[inline]
    pub fn get(&self, row: usize) -> &str {
        let bytes = self.bytes_at(row).unwrap_or_default();
        // SAFETY: segments only ever receive whole `&str` values through `push`, and
        // their ends mark the boundaries between them, so every slice between two
        // ends of one segment is valid UTF-8.
        unsafe { std::str::from_utf8_unchecked(bytes) }
    }

    /// Byte length of the string at `row`.
    pub fn len_at(&self, row: usize) -> usize {
        self.bytes_at(row).map_or(0, <[u8]>::len)
    }

    /// Append all strings of `other`, taking over its segments (nothing is copied).
    pub fn append(&mut self, other: StrColumn) {
        // A trailing empty segment (a fresh column's) is dropped so joined columns do
        // not collect empty buffers.
        if self
            .segments
            .last()
            .is_some_and(|last| last.ends.is_empty())
        {
            self.segments.pop();
            self.first_rows.pop();
        }
        let base = self.rows;
        for (segment, first) in other.segments.into_iter().zip(other.first_rows) {
            if segment.ends.is_empty() {
                continue;
            }
            self.segments.push(segment);
            self.first_rows.push((base + first as usize) as u32);
        }
        self.rows = base + other.rows;
        // Lookup entries for the blocks that start in the appended rows.
        let mut index = self.lookup.last().map_or(0, |&segment| segment as usize);
        let mut block_row = self.lookup.len() << LOOKUP_SHIFT;
        while block_row < self.rows {
            index = segment_holding(&self.first_rows, index, block_row);
            self.lookup.push(index as u32);
            block_row += 1 << LOOKUP_SHIFT;
        }
        if self.segments.is_empty() {
            self.open_segment();
        }
    }

    /// Iterate over all strings.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.len()).map(move |row| self.get(row))
    }

    /// Bytes held (for memory accounting).
    pub fn heap_bytes(&self) -> usize {
        self.segments
            .iter()
            .map(|segment| segment.bytes.capacity() + segment.ends.capacity() * 4)
            .sum::<usize>()
            + (self.first_rows.capacity() + self.lookup.capacity()) * 4
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
                proptest::collection::vec("(|[a-zà-ỹ ]{1,6})", 0..12), 0..9),
            tail in proptest::collection::vec("(|[a-z]{1,4})", 0..3),
        ) {
            let mut joined = StrColumn::with_capacity(0, 0);
            let mut expected: Vec<String> = Vec::new();
            for (number, chunk) in chunks.iter().enumerate() {
                // Every third chunk is pushed straight into the joined column, so
                // appends also follow pushes.
                if number % 3 == 2 {
                    for value in chunk {
                        joined.push(value);
                        expected.push(value.clone());
                    }
                    continue;
                }
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
