//! Column builders: each parsed cell is cleaned (NFC, spaces) and stored in its typed
//! column in the same pass that splits the file, chunk by chunk in parallel; the chunks
//! are then concatenated (dictionary codes remapped once per distinct value).

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::model::{Column, DateColumn, DictColumn, FieldKind, NameColumn, PartialDate, StrColumn};
use crate::normalize::{date::parse_date, text};

/// The cell as a value: the words database and spreadsheet exports write for an empty
/// cell (`NULL`, `N/A`, `-`, …) are empty, so they are missing values, not values
/// outside a list, not one shared ID, not a death date.
#[inline]
pub fn present(cell: &str) -> &str {
    // Most cells are longer than any placeholder with a space either side: one compare.
    if cell.len() > 6 {
        return cell;
    }
    let trimmed = cell.trim();
    if !trimmed
        .as_bytes()
        .first()
        .is_some_and(|b| matches!(b, b'N' | b'n' | b'#' | b'-'))
    {
        return cell;
    }
    if matches!(
        trimmed,
        "NULL" | "null" | "Null" | "NaN" | "nan" | "None" | "N/A" | "n/a" | "#N/A" | "-" | "--"
    ) {
        ""
    } else {
        cell
    }
}

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

/// The hash a dictionary files a value under.
#[inline]
fn value_hash(value: &str) -> u64 {
    use std::hash::BuildHasher;
    QuickBuild::default().hash_one(value)
}

/// The code of `value` in a dictionary (`values` and the codes filed by hash in
/// `index`), added at the end when new.
fn dictionary_code(
    index: &mut hashbrown::HashTable<u32>,
    values: &mut Vec<String>,
    value: &str,
) -> u32 {
    let hash = value_hash(value);
    if let Some(&code) = index.find(hash, |&code| values[code as usize] == value) {
        return code;
    }
    let code = values.len() as u32;
    values.push(value.to_string());
    index.insert_unique(hash, code, |&code| value_hash(&values[code as usize]));
    code
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
        match kind {
            FieldKind::Text => ColumnBuilder::Text(StrColumn::with_capacity(rows, rows * 12)),
            FieldKind::Name => ColumnBuilder::Name {
                text: StrColumn::with_capacity(rows, rows * 20),
                folded: StrColumn::with_capacity(rows, rows * 18),
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
                let clean = text::clean_and_fold(raw, scratch);
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
                let code = dictionary_code(index, values, &clean);
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
                    let clean = text::clean_and_fold(raw, scratch);
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

    /// Room for `more_rows` rows like the `rows_so_far` already built: a chunk sizes its
    /// columns from its first batch, so that they are not grown by doubling (each
    /// doubling copies the column into fresh memory, and fresh memory is what a large
    /// run pays most for).
    pub fn reserve_like_so_far(&mut self, rows_so_far: usize, more_rows: usize) {
        let scaled = |bytes: usize| bytes / rows_so_far.max(1) * more_rows + more_rows;
        match self {
            ColumnBuilder::Text(column) => {
                let bytes = scaled(column.text_bytes());
                column.reserve(more_rows, bytes);
            }
            ColumnBuilder::Name { text, folded, .. } => {
                let (text_bytes, folded_bytes) =
                    (scaled(text.text_bytes()), scaled(folded.text_bytes()));
                text.reserve(more_rows, text_bytes);
                folded.reserve(more_rows, folded_bytes);
            }
            ColumnBuilder::Dict { codes, .. } => codes.reserve(more_rows),
            ColumnBuilder::Date(column) => column.values.reserve(more_rows),
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

/// Concatenate the chunk columns of one field, in chunk order.
pub fn concat(kind: FieldKind, chunks: Vec<Column>) -> Column {
    let total: usize = chunks.iter().map(Column::len).sum();
    match kind {
        FieldKind::Text => {
            let mut out = StrColumn::new();
            for chunk in chunks {
                if let Column::Text(c) = chunk {
                    out.append(c);
                }
            }
            Column::Text(out)
        }
        FieldKind::Name => {
            let mut text = StrColumn::new();
            let mut folded = StrColumn::new();
            for chunk in chunks {
                if let Column::Name(c) = chunk {
                    text.append(c.text);
                    folded.append(c.folded);
                }
            }
            Column::Name(NameColumn { text, folded })
        }
        FieldKind::Dict => {
            // Sized for every chunk's values being distinct (an identifier column such
            // as household_id nearly is): growing the table by doubling rehashed it
            // several times, on the one thread that merges this column.
            let most_values: usize = chunks
                .iter()
                .map(|chunk| match chunk {
                    Column::Dict(c) => c.values.len(),
                    _ => 0,
                })
                .sum();
            let mut values: Vec<String> = Vec::with_capacity(most_values + 1);
            values.push(String::new());
            let mut index = hashbrown::HashTable::with_capacity(most_values + 1);
            index.insert_unique(value_hash(""), 0, |_| value_hash(""));
            let mut codes = Vec::with_capacity(total);
            for chunk in chunks {
                if let Column::Dict(c) = chunk {
                    // The chunk's strings move into the merged dictionary: no copy.
                    let remap: Vec<u32> = c
                        .values
                        .into_iter()
                        .map(|value| {
                            let hash = value_hash(&value);
                            if let Some(&code) =
                                index.find(hash, |&code| values[code as usize] == value)
                            {
                                return code;
                            }
                            let code = values.len() as u32;
                            values.push(value);
                            index.insert_unique(hash, code, |&code| {
                                value_hash(&values[code as usize])
                            });
                            code
                        })
                        .collect();
                    codes.extend(c.codes.iter().map(|&code| remap[code as usize]));
                }
            }
            Column::Dict(DictColumn { codes, values })
        }
        FieldKind::Date => {
            let mut out = DateColumn {
                values: Vec::with_capacity(total),
                invalid_text: BTreeMap::new(),
            };
            for chunk in chunks {
                if let Column::Date(c) = chunk {
                    let base = out.values.len() as u32;
                    out.values.extend_from_slice(&c.values);
                    out.invalid_text
                        .extend(c.invalid_text.into_iter().map(|(row, t)| (row + base, t)));
                }
            }
            Column::Date(out)
        }
    }
}

/// Concatenate many chunk tables (each a `Vec<Column>` in field order), one field per
/// rayon task.
pub fn concat_all(kinds: &[FieldKind], chunks: Vec<Vec<Column>>) -> Vec<Column> {
    let mut per_field: Vec<Vec<Column>> = kinds.iter().map(|_| Vec::new()).collect();
    for chunk in chunks {
        for (field, column) in chunk.into_iter().enumerate() {
            if let Some(slot) = per_field.get_mut(field) {
                slot.push(column);
            }
        }
    }
    per_field
        .into_par_iter()
        .zip(kinds.par_iter())
        .map(|(columns, &kind)| concat(kind, columns))
        .collect()
}

/// Put back the leading zeros a spreadsheet dropped from an administrative code column
/// (see [`crate::normalize::codes`]). A dictionary column changes only its distinct
/// values, and its codes only when a padded value meets one written in full.
pub fn pad_admin_codes(column: &mut Column, width: usize) {
    use crate::normalize::codes::pad_admin_code;
    match column {
        Column::Dict(dict) => rewrite_dict_values(dict, |value| pad_admin_code(value, width)),
        Column::Text(text) => {
            if !(0..text.len())
                .into_par_iter()
                .any(|row| pad_admin_code(text.get(row), width).is_some())
            {
                return;
            }
            let mut out = StrColumn::new();
            for row in 0..text.len() {
                let value = text.get(row);
                match pad_admin_code(value, width) {
                    Some(padded) => out.push(&padded),
                    None => out.push(value),
                }
            }
            *text = out;
        }
        Column::Name(_) | Column::Date(_) => {}
    }
}

/// Replace the distinct values of a dictionary column that `rewrite` changes; rows
/// whose values become equal share one code.
pub fn rewrite_dict_values(dict: &mut DictColumn, rewrite: impl Fn(&str) -> Option<String>) {
    let rewritten: Vec<Option<String>> = dict.values.iter().map(|v| rewrite(v)).collect();
    if rewritten.iter().all(Option::is_none) {
        return;
    }
    let mut values: Vec<String> = Vec::with_capacity(dict.values.len());
    let mut code_of: std::collections::HashMap<String, u32> =
        std::collections::HashMap::with_capacity(dict.values.len());
    let remap: Vec<u32> = dict
        .values
        .iter()
        .zip(rewritten)
        .map(|(value, new)| {
            let value = new.unwrap_or_else(|| value.clone());
            *code_of.entry(value).or_insert_with_key(|value| {
                values.push(value.clone());
                (values.len() - 1) as u32
            })
        })
        .collect();
    let identity = remap.iter().enumerate().all(|(i, &c)| i as u32 == c);
    if !identity {
        dict.codes
            .par_iter_mut()
            .for_each(|code| *code = remap[*code as usize]);
    }
    dict.values = values;
}

/// An old CMND number as the register issued it, without what a spreadsheet or
/// dataframe did to it: a leading text mark (`'200747392`), a zero fraction
/// (`200747392.0`, a number written as a float), lost leading zeros (`12345678` for
/// the nine digits `012345678`; ten or eleven digits for the twelve of the later
/// card). The number is the record key of the old register and the value a commune
/// types into the national system, so it must be the number itself.
pub fn strip_number_marks(column: &mut Column) {
    /// The digits of the number and the width they should have, when the value is
    /// not already written so (no allocation for the common, unchanged value).
    fn bare(value: &str) -> Option<(&str, usize)> {
        let trimmed = value.trim();
        let unmarked = trimmed.strip_prefix('\'').unwrap_or(trimmed);
        let number = crate::normalize::id::without_zero_fraction(unmarked);
        if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let width = match number.len() {
            7..=8 => 9,
            10..=11 => 12,
            other => other,
        };
        (number.len() != value.len() || width != number.len()).then_some((number, width))
    }
    let Column::Text(text) = column else {
        return;
    };
    // Most registers need no change: the check runs on both cores.
    if !(0..text.len())
        .into_par_iter()
        .any(|row| bare(text.get(row)).is_some())
    {
        return;
    }
    let mut out = StrColumn::with_capacity(text.len(), text.text_bytes());
    for row in 0..text.len() {
        let value = text.get(row);
        match bare(value) {
            Some((number, width)) => out.push(&format!("{number:0>width$}")),
            None => out.push(value),
        }
    }
    *text = out;
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
    fn padded_codes_merge_with_the_same_code_written_in_full() {
        let mut column = Column::Dict(DictColumn {
            codes: vec![1, 2, 0, 3, 2, 1],
            values: ["", "00340", "340", "xã 7"].map(String::from).to_vec(),
        });
        pad_admin_codes(&mut column, 5);
        let Column::Dict(dict) = &column else {
            panic!("still a dictionary column");
        };
        assert_eq!(dict.values, ["", "00340", "xã 7"]);
        let rows: Vec<&str> = (0..6).map(|row| dict.get(row)).collect();
        assert_eq!(rows, ["00340", "00340", "", "xã 7", "00340", "00340"]);

        let mut text = StrColumn::new();
        for value in ["1", "83", ""] {
            text.push(value);
        }
        let mut column = Column::Text(text);
        pad_admin_codes(&mut column, 2);
        let Column::Text(text) = &column else {
            panic!("still a text column");
        };
        assert_eq!(
            (0..3).map(|row| text.get(row)).collect::<Vec<_>>(),
            ["01", "83", ""]
        );
    }

    #[test]
    fn old_ids_lose_what_spreadsheets_added_and_nothing_else() {
        let mut text = StrColumn::new();
        let values = [
            "'200747392",
            "200747392.0",
            "020074739.00",
            "2007.5",
            "'A12",
            "",
            "12345678",
            "83190012345",
            "123456",
        ];
        for value in values {
            text.push(value);
        }
        let mut column = Column::Text(text);
        strip_number_marks(&mut column);
        let Column::Text(text) = &column else {
            panic!("still a text column");
        };
        assert_eq!(
            (0..values.len())
                .map(|row| text.get(row))
                .collect::<Vec<_>>(),
            [
                "200747392",
                "200747392",
                "020074739",
                "2007.5",
                "'A12",
                "",
                "012345678",
                "083190012345",
                "123456"
            ]
        );
    }

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

    #[test]
    fn dict_concat_remaps_codes() {
        let mut a = ColumnBuilder::new(FieldKind::Dict, 4);
        for v in ["Kinh", "Tày", "Kinh", ""] {
            a.push(v);
        }
        let mut b = ColumnBuilder::new(FieldKind::Dict, 4);
        for v in ["Hoa", "Kinh"] {
            b.push(v);
        }
        let Column::Dict(d) = concat(FieldKind::Dict, vec![a.finish(), b.finish()]) else {
            panic!("not a dict");
        };
        let got: Vec<&str> = (0..6).map(|r| d.get(r)).collect();
        assert_eq!(got, vec!["Kinh", "Tày", "Kinh", "", "Hoa", "Kinh"]);
        assert_eq!(d.code(3), 0);
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
        let column = concat(FieldKind::Date, vec![b.finish()]);
        assert_eq!(column.display(1), "31/02/1990");
        assert_eq!(column.display(0), "01/01/2000");
    }
}
