//! Column builders. Ingest runs in two phases: the split stores each wanted cell's
//! bytes as they are in the file ([`RawColumn`], chunk by chunk in parallel), then each
//! column is cleaned (NFC, spaces) and built into its typed column in one pass over
//! all chunks, one column per task ([`build_columns`]): one dictionary per file, and no
//! concatenation of chunk columns.

use std::collections::BTreeMap;

use rayon::prelude::*;

use super::split::SLACK_BYTES;
use crate::model::{Column, DateColumn, DictColumn, FieldKind, NameColumn, PartialDate, StrColumn};
use crate::normalize::{date::parse_date, text};

/// A small multiply-rotate hasher for the dictionary maps of ingest: they are never
/// iterated (codes follow first appearance), so only speed matters, and short values
/// like commune codes hash in a few cycles.
#[derive(Default, Clone, Copy)]
pub struct QuickHasher(u64);

impl std::hash::Hasher for QuickHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word))
                .wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word) ^ rest.len() as u64)
                .wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }

    #[inline]
    fn write_u8(&mut self, byte: u8) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(byte)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    #[inline]
    fn finish(&self) -> u64 {
        // SplitMix64's finaliser: without it the low bits — which pick the hash
        // table bucket — would depend only on the first bytes of a key, and keys
        // like H0000001…H9999999 would all land in the same few buckets.
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// Builder of [`QuickHasher`]s.
pub type QuickBuild = std::hash::BuildHasherDefault<QuickHasher>;

/// The hash a dictionary column files a value under.
#[inline]
fn value_hash(value: &str) -> u64 {
    use std::hash::BuildHasher;
    QuickBuild::default().hash_one(value)
}

/// Cells per piece of a [`RawColumn`] are bounded by bytes: `u32` ends stay exact.
const PIECE_BYTES: usize = u32::MAX as usize;

/// The cells of one column as split from the file, before any cleaning: their bytes
/// one after another and where each ends. `u32` ends halve the offsets' memory; a
/// column with more than 4 GiB of text (one chunk of a huge file) starts a new piece.
#[derive(Default)]
pub struct RawColumn {
    /// Full pieces, in row order.
    full: Vec<RawPiece>,
    /// The piece being filled.
    current: RawPiece,
}

#[derive(Default)]
struct RawPiece {
    bytes: Vec<u8>,
    ends: Vec<u32>,
}

impl RawPiece {
    fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        let mut start = 0usize;
        self.ends.iter().map(move |&end| {
            let end = end as usize;
            let cell = &self.bytes[start..end];
            start = end;
            // SAFETY: `RawColumn::push` only ever appends whole `&str` values, and the
            // ends mark the boundaries between them.
            unsafe { std::str::from_utf8_unchecked(cell) }
        })
    }
}

impl RawColumn {
    /// An empty column with room for about `rows` cells of `bytes` bytes in all.
    pub fn with_capacity(rows: usize, bytes: usize) -> Self {
        RawColumn {
            full: Vec::new(),
            current: RawPiece {
                bytes: Vec::with_capacity(bytes.min(PIECE_BYTES)),
                ends: Vec::with_capacity(rows),
            },
        }
    }

    /// Append one cell.
    #[inline]
    pub fn push(&mut self, cell: &str) {
        if self.current.bytes.len() + cell.len() > PIECE_BYTES {
            self.full.push(std::mem::take(&mut self.current));
        }
        self.current.bytes.extend_from_slice(cell.as_bytes());
        self.current.ends.push(self.current.bytes.len() as u32);
    }

    /// Make room for `rows` cells in all, as wide on average as those held.
    pub fn reserve_total(&mut self, rows: usize) {
        let held = self.current.ends.len();
        if held == 0 || rows <= held {
            return;
        }
        let average = self.current.bytes.len().div_ceil(held);
        let bytes = (average * rows).min(PIECE_BYTES);
        self.current
            .bytes
            .reserve(bytes.saturating_sub(self.current.bytes.len()));
        self.current.ends.reserve(rows - held);
    }

    /// Append one short cell given as the first `length` bytes of `block`, which
    /// must be whole UTF-8 there (the caller cuts cells only at ASCII bytes).
    #[inline]
    pub fn push_short(&mut self, block: &[u8; SLACK_BYTES], length: usize) {
        if self.current.bytes.len() + SLACK_BYTES > PIECE_BYTES {
            self.full.push(std::mem::take(&mut self.current));
        }
        let piece = &mut self.current;
        let end = piece.bytes.len() + length.min(SLACK_BYTES);
        piece.bytes.extend_from_slice(block);
        piece.bytes.truncate(end);
        piece.ends.push(end as u32);
    }

    /// Cells held.
    pub fn len(&self) -> usize {
        self.full.iter().map(|p| p.ends.len()).sum::<usize>() + self.current.ends.len()
    }

    /// True when no cell is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes of text held.
    pub fn text_bytes(&self) -> usize {
        self.full.iter().map(|p| p.bytes.len()).sum::<usize>() + self.current.bytes.len()
    }

    /// The cells in row order.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        self.full
            .iter()
            .chain(std::iter::once(&self.current))
            .flat_map(RawPiece::iter)
    }
}

/// Build each column from its raw cells, chunk after chunk in file order: one rayon
/// task per column, each with one builder for the whole file. `raw[chunk][column]` is
/// `None` for a column that is not read; so is its result.
pub fn build_columns(kinds: &[FieldKind], raw: Vec<Vec<Option<RawColumn>>>) -> Vec<Option<Column>> {
    let mut per_column: Vec<Vec<RawColumn>> = kinds.iter().map(|_| Vec::new()).collect();
    let mut read = vec![false; kinds.len()];
    for chunk in raw {
        for (column, cells) in chunk.into_iter().enumerate() {
            if let (Some(cells), Some(slot)) = (cells, per_column.get_mut(column)) {
                slot.push(cells);
                read[column] = true;
            }
        }
    }
    per_column
        .into_par_iter()
        .zip(kinds.par_iter())
        .zip(read.into_par_iter())
        .map(|((chunks, &kind), read)| {
            read.then(|| {
                let rows = chunks.iter().map(RawColumn::len).sum();
                let bytes = chunks.iter().map(RawColumn::text_bytes).sum();
                let mut builder = ColumnBuilder::sized(kind, rows, bytes);
                for cells in chunks {
                    builder.extend(cells.iter());
                }
                builder.finish()
            })
        })
        .collect()
}

/// Builds one column of one chunk.
#[allow(clippy::large_enum_variant)] // one builder per column, never in bulk
pub enum ColumnBuilder {
    /// Free text.
    Text(StrColumn),
    /// Names and their folded keys.
    Name {
        /// NFC text.
        text: StrColumn,
        /// Folded keys.
        folded: StrColumn,
        /// Reused folding buffer.
        scratch: String,
    },
    /// Dictionary-encoded values.
    Dict {
        /// The last raw value and its code: consecutive rows often repeat a value
        /// (ethnicity, commune of a household), which then costs a compare, not a hash.
        last: (String, u32),
        /// Codes per row.
        codes: Vec<u32>,
        /// Distinct values.
        values: Vec<String>,
        /// Codes by the hash of their value: each distinct value is stored once, in
        /// `values`, not again as a map key.
        index: hashbrown::HashTable<u32>,
    },
    /// Dates.
    Date(DateColumn),
}

impl ColumnBuilder {
    /// A builder for a column stored as `kind`, sized for about `rows` rows.
    pub fn new(kind: FieldKind, rows: usize) -> Self {
        Self::sized(kind, rows, rows * 16)
    }

    /// A builder for `rows` rows whose raw text is about `bytes` bytes.
    pub fn sized(kind: FieldKind, rows: usize, bytes: usize) -> Self {
        match kind {
            FieldKind::Text => ColumnBuilder::Text(StrColumn::with_capacity(rows, bytes)),
            FieldKind::Name => ColumnBuilder::Name {
                text: StrColumn::with_capacity(rows, bytes),
                // Folding drops diacritics: Vietnamese names fold to fewer bytes.
                folded: StrColumn::with_capacity(rows, bytes),
                scratch: String::new(),
            },
            FieldKind::Dict => {
                let mut index = hashbrown::HashTable::new();
                index.insert_unique(value_hash(""), 0, |_| value_hash(""));
                ColumnBuilder::Dict {
                    last: (String::new(), 0),
                    codes: Vec::with_capacity(rows),
                    values: vec![String::new()],
                    index,
                }
            }
            FieldKind::Date => ColumnBuilder::Date(DateColumn {
                values: Vec::with_capacity(rows),
                invalid_text: BTreeMap::new(),
            }),
        }
    }

    /// Append one raw cell value.
    pub fn push(&mut self, raw: &str) {
        match self {
            ColumnBuilder::Text(column) => column.push(&text::clean(raw)),
            ColumnBuilder::Name {
                text: names,
                folded,
                scratch,
            } => {
                let clean = text::clean(raw);
                text::fold_into(&clean, scratch);
                names.push(&clean);
                folded.push(scratch);
            }
            ColumnBuilder::Dict {
                last,
                codes,
                values,
                index,
            } => {
                if last.0 == raw {
                    codes.push(last.1);
                    return;
                }
                let clean = text::clean(raw);
                let hash = value_hash(&clean);
                let code = match index.find(hash, |&code| values[code as usize] == *clean) {
                    Some(&code) => code,
                    None => {
                        let code = values.len() as u32;
                        values.push(clean.into_owned());
                        index.insert_unique(hash, code, |&code| value_hash(&values[code as usize]));
                        code
                    }
                };
                last.0.clear();
                last.0.push_str(raw);
                last.1 = code;
                codes.push(code);
            }
            ColumnBuilder::Date(column) => {
                let value = parse_date(raw);
                if value.is_invalid() {
                    column
                        .invalid_text
                        .insert(column.values.len() as u32, text::clean(raw).into_owned());
                }
                column.values.push(value);
            }
        }
    }

    /// Append many raw cell values. Text and name columns match their kind once per
    /// call; dictionary and date cells go through [`ColumnBuilder::push`].
    pub fn extend<'v>(&mut self, values: impl Iterator<Item = &'v str>) {
        match self {
            ColumnBuilder::Text(column) => {
                for raw in values {
                    column.push(&text::clean(raw));
                }
            }
            ColumnBuilder::Name {
                text: names,
                folded,
                scratch,
            } => {
                for raw in values {
                    let clean = text::clean(raw);
                    text::fold_into(&clean, scratch);
                    names.push(&clean);
                    folded.push(scratch);
                }
            }
            ColumnBuilder::Dict { .. } | ColumnBuilder::Date(_) => {
                for raw in values {
                    self.push(raw);
                }
            }
        }
    }

    /// The finished chunk column.
    pub fn finish(self) -> Column {
        match self {
            ColumnBuilder::Text(column) => Column::Text(column),
            ColumnBuilder::Name { text, folded, .. } => Column::Name(NameColumn { text, folded }),
            ColumnBuilder::Dict { codes, values, .. } => Column::Dict(DictColumn { codes, values }),
            ColumnBuilder::Date(column) => Column::Date(column),
        }
    }
}

/// Keep only rows where `keep[row]` is true.
pub fn retain(column: &Column, keep: &[bool]) -> Column {
    let rows = keep
        .iter()
        .enumerate()
        .filter(|(_, &k)| k)
        .map(|(row, _)| row);
    match column {
        Column::Text(c) => {
            let mut out = StrColumn::new();
            for row in rows {
                out.push(c.get(row));
            }
            Column::Text(out)
        }
        Column::Name(c) => {
            let mut text = StrColumn::new();
            let mut folded = StrColumn::new();
            for row in rows {
                text.push(c.text.get(row));
                folded.push(c.folded.get(row));
            }
            Column::Name(NameColumn { text, folded })
        }
        Column::Dict(c) => Column::Dict(DictColumn {
            codes: rows.map(|row| c.code(row)).collect(),
            values: c.values.clone(),
        }),
        Column::Date(c) => {
            let mut out = DateColumn::default();
            for row in rows {
                let value = c.get(row);
                if value.is_invalid() {
                    if let Some(text) = c.invalid_text.get(&(row as u32)) {
                        out.invalid_text
                            .insert(out.values.len() as u32, text.clone());
                    }
                }
                out.values.push(value);
            }
            Column::Date(out)
        }
    }
}

/// A `PartialDate` column's values as a slice (helper for kernels).
pub fn date_values(column: &Column) -> &[PartialDate] {
    match column {
        Column::Date(c) => &c.values,
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quick_hasher_spreads_keys_that_differ_only_at_the_end() {
        use std::hash::BuildHasher;
        let build = QuickBuild::default();
        let mut low_bits = std::collections::HashSet::new();
        for i in 0..65_536u32 {
            let key = format!("H{i:07}");
            low_bits.insert(build.hash_one(key.as_str()) & 0xFFFF);
        }
        // A uniform hash fills about 63 % of 65,536 buckets with 65,536 keys.
        assert!(
            low_bits.len() > 38_000,
            "only {} distinct low-16-bit values",
            low_bits.len()
        );
    }

    /// Raw cells of one column over chunks, as the split leaves them.
    fn raw_chunks(chunks: &[&[&str]]) -> Vec<Vec<Option<RawColumn>>> {
        chunks
            .iter()
            .map(|cells| {
                let mut raw = RawColumn::default();
                for cell in *cells {
                    raw.push(cell);
                }
                vec![Some(raw), None]
            })
            .collect()
    }

    #[test]
    fn one_dictionary_over_all_chunks_in_first_appearance_order() {
        let raw = raw_chunks(&[&["Kinh", "Tày", "Kinh", ""], &["Hoa", " Kinh "]]);
        let mut built = build_columns(&[FieldKind::Dict, FieldKind::Text], raw);
        assert!(built[1].is_none(), "a column not read stays unread");
        let Some(Column::Dict(d)) = built.swap_remove(0) else {
            panic!("not a dict");
        };
        let got: Vec<&str> = (0..6).map(|r| d.get(r)).collect();
        assert_eq!(got, vec!["Kinh", "Tày", "Kinh", "", "Hoa", "Kinh"]);
        assert_eq!(d.values, vec!["", "Kinh", "Tày", "Hoa"]);
        assert_eq!(d.code(3), 0);
    }

    #[test]
    fn short_cells_copied_as_blocks_keep_their_length() {
        let mut raw = RawColumn::default();
        let block = *b"28756;Nam;0912345";
        let block: [u8; SLACK_BYTES] = block[..SLACK_BYTES].try_into().unwrap();
        raw.push_short(&block, 5);
        raw.push("Nguyễn Văn A");
        raw.push_short(&block, 0);
        let cells: Vec<&str> = raw.iter().collect();
        assert_eq!(cells, vec!["28756", "Nguyễn Văn A", ""]);
    }

    #[test]
    fn names_get_folded_keys_and_nfc() {
        use unicode_normalization::UnicodeNormalization;
        let mut b = ColumnBuilder::new(FieldKind::Name, 2);
        let nfd: String = "Nguyễn  Thị Hường".nfd().collect();
        b.push(&nfd);
        let Column::Name(n) = b.finish() else {
            panic!("not a name column");
        };
        assert_eq!(n.text.get(0), "Nguyễn Thị Hường");
        assert_eq!(n.folded.get(0), "nguyen thi huong");
    }

    #[test]
    fn invalid_dates_keep_their_text() {
        let mut b = ColumnBuilder::new(FieldKind::Date, 2);
        b.push("01/01/2000");
        b.push("31/02/1990");
        let column = b.finish();
        assert_eq!(column.display(1), "31/02/1990");
        assert_eq!(column.display(0), "01/01/2000");
    }
}
