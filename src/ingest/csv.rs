//! CSV ingest: the whole file is split into chunks at record boundaries (quote-aware),
//! chunks are parsed and normalised in parallel, then concatenated in file order.
//!
//! UTF-8 with or without BOM (UTF-16 with BOM is converted first), comma / semicolon /
//! tab / pipe (sniffed from the header, or named by Excel's `sep=;` first line), CRLF or
//! LF, quoted fields with embedded delimiters, quotes and newlines. A row that
//! cannot be used (a stray row with bytes that are not UTF-8 included) goes to the
//! rejects with its source line; a file that cannot be used (in another encoding, no
//! header, a required column missing) stops the run with a message that names the file
//! and says what to do.

use std::path::Path;
use std::time::Instant;

use rayon::prelude::*;

use super::columns::{concat_all, ColumnBuilder};
use super::mapping::{resolve, Mapping};
use super::split::{self, Span, Splitter};
use super::{finish_table, Ingested, ReadRequest, Reject};
use crate::error::{Error, Result};
use crate::model::{DatasetKind, FieldKind, RecordHashes, RecordSource};

/// Longest accepted cell; a longer one is certainly not a register value (a stray
/// quote swallowing the rest of the file, a pasted document) and rejects its row.
pub const MAX_FIELD_BYTES: usize = 64 * 1024;

/// Target bytes per parallel chunk.
const CHUNK_BYTES: usize = 8 * 1024 * 1024;

/// Records split before their columns are built (a batch's spans fit in L1/L2 cache).
const BATCH_ROWS: usize = 128;

/// Read a CSV file into a table.
pub fn read_csv(request: &ReadRequest<'_>) -> Result<Ingested> {
    let path = request.path;
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, "opening", e))?;
    let metadata = file.metadata().map_err(|e| Error::io(path, "reading", e))?;
    let length = metadata.len();
    if length == 0 {
        return parse_csv_bytes(request, &[]);
    }
    // SAFETY: the mapping is read-only and lives only for this parse. The nightly
    // extracts are written before the run starts; a file truncated by another process
    // while mapped would fault the process rather than corrupt data. Mapping instead of
    // reading saves copying (and zeroing) the whole file into fresh memory.
    let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| Error::io(path, "mapping", e))?;
    if let Some(text) = utf16_as_utf8(path, &map)? {
        return parse_csv_bytes(request, text.as_bytes());
    }
    let modified = metadata.modified().ok();
    parse_csv(request, &map, |offsets, delimiter| RecordHashes::Deferred {
        offsets,
        source: std::sync::Arc::new(CsvRecords {
            path: path.to_path_buf(),
            delimiter,
            length,
            modified,
            file: std::sync::OnceLock::new(),
        }),
    })
}

/// Parse CSV content already in memory (used by tests and benches; [`read_csv`] reads
/// files). Row fingerprints are computed here, from the bytes in hand.
pub fn parse_csv_bytes(request: &ReadRequest<'_>, bytes: &[u8]) -> Result<Ingested> {
    if let Some(text) = utf16_as_utf8(request.path, bytes)? {
        return parse_csv_bytes(request, text.as_bytes());
    }
    parse_csv(request, bytes, |offsets, delimiter| {
        RecordHashes::Known(
            offsets
                .par_iter()
                .map_init(RecordScratch::default, |scratch, &offset| {
                    let record = usize::try_from(offset)
                        .ok()
                        .and_then(|offset| bytes.get(offset..))
                        .unwrap_or_default();
                    scratch
                        .hash_first(record, delimiter)
                        .map_or(0, |(hash, _)| hash)
                })
                .collect(),
        )
    })
}

/// The text of a file that starts with a UTF-16 byte-order mark (Excel's "Unicode
/// Text", tab-separated), as UTF-8; `None` for any other file. Such exports are small
/// enough to convert in memory; row fingerprints are then taken from the converted
/// text, the same every night for the same file.
fn utf16_as_utf8(path: &Path, bytes: &[u8]) -> Result<Option<String>> {
    let Some((encoding, bom_length)) =
        encoding_rs::Encoding::for_bom(bytes).or_else(|| utf16_without_bom(bytes).map(|e| (e, 0)))
    else {
        return Ok(None);
    };
    if encoding == encoding_rs::UTF_8 {
        return Ok(None);
    }
    let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom_length..]);
    if had_errors {
        return Err(Error::input(
            path,
            "the file is UTF-16 (Excel \"Unicode Text\") but part of it is not UTF-16 text (cut short or damaged?); export it again, preferably as \"CSV UTF-8\"",
        ));
    }
    Ok(Some(text.into_owned()))
}

/// UTF-16 written without a byte-order mark, told by its zero bytes: a CSV in UTF-8 or
/// a legacy encoding has none, while in UTF-16 every ASCII character (the header, the
/// digits, the delimiters) has a zero high byte, odd-placed in little-endian and
/// even-placed in big-endian.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let sample = &bytes[..bytes.len().min(4096) & !1];
    if sample.len() < 8 {
        return None;
    }
    let zeros_at = |parity: usize| {
        sample
            .iter()
            .skip(parity)
            .step_by(2)
            .filter(|&&b| b == 0)
            .count()
    };
    let (even, odd) = (zeros_at(0), zeros_at(1));
    let pairs = sample.len() / 2;
    // The other side has a few zero bytes too: U+0300, U+0100 … (a decomposed grave
    // accent is 00 03 in little-endian).
    if odd * 3 >= pairs && even * 10 <= odd {
        Some(encoding_rs::UTF_16LE)
    } else if even * 3 >= pairs && odd * 10 <= even {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    }
}

/// A CSV file whose records are read again, one at a time, when a finding needs its
/// row's fingerprint.
#[derive(Debug)]
struct CsvRecords {
    path: std::path::PathBuf,
    delimiter: u8,
    length: u64,
    modified: Option<std::time::SystemTime>,
    /// Opened at the first finding, shared by all (positioned reads need no lock).
    file: std::sync::OnceLock<Option<std::fs::File>>,
}

impl CsvRecords {
    /// `read` applied to the bytes from `offset` on, widened until the record it finds
    /// (`read` answers with its end) ends inside them or the file ends.
    fn with_record<T>(
        &self,
        offset: u64,
        read: impl Fn(&mut RecordScratch, &[u8]) -> Option<(T, usize)>,
    ) -> Option<T> {
        let file = self
            .file
            .get_or_init(|| std::fs::File::open(&self.path).ok())
            .as_ref()?;
        // Most records fit the first read; a longer one is read again, four times wider.
        // The buffers are the thread's own, reused from finding to finding.
        thread_local! {
            static BUFFERS: std::cell::RefCell<(Vec<u8>, RecordScratch)> =
                std::cell::RefCell::new(Default::default());
        }
        BUFFERS.with_borrow_mut(|(buffer, scratch)| {
            let mut size = 512u64;
            loop {
                let wanted = usize::try_from(size.min(self.length.saturating_sub(offset))).ok()?;
                buffer.resize(wanted, 0);
                read_exact_at(file, buffer, offset).ok()?;
                let at_end = offset + wanted as u64 >= self.length;
                match read(scratch, buffer) {
                    Some((value, end)) if end < buffer.len() || at_end => return Some(value),
                    None if at_end => return None,
                    _ => size = size.saturating_mul(4),
                }
            }
        })
    }
}

impl RecordSource for CsvRecords {
    fn hash_at(&self, offset: u64) -> Option<u64> {
        self.with_record(offset, |scratch, bytes| {
            scratch.hash_first(bytes, self.delimiter)
        })
    }

    fn text_at(&self, offset: u64) -> Option<String> {
        self.with_record(offset, |scratch, bytes| {
            scratch.spans.clear();
            scratch.side.clear();
            let mut splitter = Splitter::new(bytes, self.delimiter);
            splitter.next_record(&mut scratch.spans, &mut scratch.side)?;
            let field = |i: usize| {
                let bytes = split::field(bytes, &scratch.side, scratch.spans[i]);
                std::str::from_utf8(bytes).unwrap_or_default()
            };
            let text = raw_row(scratch.spans.len(), &field, self.delimiter);
            Some((text, splitter.record_end()))
        })
    }

    fn check(&self) -> Result<()> {
        let metadata =
            std::fs::metadata(&self.path).map_err(|e| Error::io(&self.path, "reading", e))?;
        if metadata.len() != self.length || metadata.modified().ok() != self.modified {
            return Err(Error::input(
                &self.path,
                "the file changed while doisoat was reading it (record fingerprints would not match): run again once the extract is complete",
            ));
        }
        Ok(())
    }
}

#[cfg(unix)]
fn read_exact_at(file: &std::fs::File, buffer: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buffer, offset)
}

#[cfg(not(unix))]
fn read_exact_at(file: &std::fs::File, buffer: &mut [u8], offset: u64) -> std::io::Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = file;
    file.seek(SeekFrom::Start(offset))?;
    file.read_exact(buffer)
}

/// Buffers for fingerprinting one record at a time, reused from record to record.
#[derive(Default)]
struct RecordScratch {
    spans: Vec<Span>,
    side: Vec<u8>,
    joined: Vec<u8>,
}

impl RecordScratch {
    /// Fingerprint of the first record of `bytes` and where that record ends in them.
    fn hash_first(&mut self, bytes: &[u8], delimiter: u8) -> Option<(u64, usize)> {
        self.spans.clear();
        self.side.clear();
        let mut splitter = Splitter::new(bytes, delimiter);
        splitter.next_record(&mut self.spans, &mut self.side)?;
        let hash = record_fingerprint(
            splitter.record_bytes(),
            bytes,
            &self.side,
            &self.spans,
            delimiter,
            &mut self.joined,
        );
        Some((hash, splitter.record_end()))
    }
}

/// Parse CSV content; `hashes` turns the byte offsets of the accepted records into the
/// table's row fingerprints.
fn parse_csv(
    request: &ReadRequest<'_>,
    bytes: &[u8],
    hashes: impl FnOnce(Vec<u64>, u8) -> RecordHashes,
) -> Result<Ingested> {
    let path = request.path;
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let body_offset = (bytes.len() - body.len()) as u64;
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        // A sector file with nothing in it (no deaths registered tonight, an export
        // that found no row and wrote no header) is a night without records; the run
        // names it in a warning. An empty register or admin list cannot be run on.
        if !matches!(
            request.schema.kind,
            DatasetKind::Population | DatasetKind::AdminUnits
        ) {
            let mut header = request
                .schema
                .fields
                .iter()
                .map(|field| field.name.as_str())
                .collect::<Vec<_>>()
                .join(",");
            header.push('\n');
            return parse_csv(request, header.as_bytes(), hashes);
        }
        return Err(Error::input(
            path,
            "the file is empty: expected a header row naming the columns",
        ));
    }
    if let Some(example) = double_encoded(body) {
        return Err(Error::input(
            path,
            format!(
                "the text was encoded twice (it reads \"{example}\" where Vietnamese letters belong): \
                 the file was opened as Windows-1252 and saved again as UTF-8. Export it again \
                 from the source system, or undo the second encoding with \
                 `iconv -f UTF-8 -t WINDOWS-1252 in.csv > out.csv`"
            ),
        ));
    }
    // Excel's `sep=;` line names the delimiter and comes before the header.
    let (named_delimiter, header_start) = excel_separator_line(body);
    let HeaderFound {
        delimiter,
        headers,
        data_start,
        plan,
        key_column,
    } = find_header(request, body, header_start, named_delimiter)?;
    let header_words = super::mapping::header_words(&headers, request.schema);

    let header_lines = memchr::memchr_iter(b'\n', &body[..data_start]).count() as u64;
    // Chunks number their lines from 0; the absolute line is added once all are parsed
    // (each chunk counts its own line breaks), so no pass counts lines up front.
    let parse_all = |chunks: &[(usize, usize)]| -> Vec<Result<ChunkResult>> {
        chunks
            .par_iter()
            .map(|&(start, end)| {
                parse_chunk(
                    &body[start..end],
                    body_offset + start as u64,
                    delimiter,
                    &headers,
                    key_column,
                    &plan,
                    &header_words,
                )
            })
            .collect()
    };
    let mut parsed = parse_all(&split_chunks(body, data_start, delimiter));
    // A chunk that ends inside an open quoted field was cut inside a record (quotes
    // the cut could not read right). Then the file is read again as one chunk, which
    // is always csv-core's reading.
    let cut_inside_quotes = parsed.len() > 1
        && parsed[..parsed.len() - 1]
            .iter()
            .any(|chunk| chunk.as_ref().is_ok_and(|c| c.ended_in_quotes));
    if cut_inside_quotes {
        parsed = parse_all(&[(data_start, body.len())]);
    }
    let mut read = 0u64;
    let mut rejects = Vec::new();
    let mut chunk_columns = Vec::with_capacity(parsed.len());
    // Sized once: grown by doubling, these two were reallocated and copied some twenty
    // times for a file of ten million rows.
    let accepted: usize = parsed
        .iter()
        .map(|chunk| chunk.as_ref().map_or(0, |c| c.lines.len()))
        .sum();
    let mut lines = Vec::with_capacity(accepted);
    let mut offsets = Vec::with_capacity(accepted);
    let mut first_line = header_lines + 1;
    let mut not_utf8_rows = 0u64;
    for chunk in parsed {
        let chunk = chunk?;
        read += chunk.read;
        not_utf8_rows += chunk.not_utf8_rows;
        rejects.extend(chunk.rejects.into_iter().map(|mut reject| {
            reject.line += first_line;
            reject
        }));
        lines.extend(chunk.lines.iter().map(|line| line + first_line));
        first_line += chunk.newlines;
        offsets.extend(chunk.offsets);
        chunk_columns.push(chunk.columns);
    }
    if let Some(reject) = rejects.iter().find(|r| r.reason == OTHER_HEADER_REASON) {
        return Err(Error::input(
            path,
            format!(
                "line {} is another header, with other columns or another column order \
                 ({}): the rows after it cannot be read under the first line's header. \
                 Files joined into one must have the same columns in the same order: split \
                 the file at line {} or export the parts alike",
                reject.line, reject.raw, reject.line
            ),
        ));
    }
    // A few stray rows are rejected; a file where more than one row in a hundred (and
    // more than ten) is not UTF-8 is in another encoding and stops the run, naming it.
    if not_utf8_rows > 10 && not_utf8_rows * 100 > read {
        let line = rejects
            .iter()
            .filter(|reject| reject.reason == NOT_UTF8_REASON)
            .map(|reject| reject.line)
            .min()
            .unwrap_or(first_line);
        return Err(not_utf8(path, line));
    }
    let columns = concat_all(&plan.kinds, chunk_columns)
        .into_iter()
        .zip(&plan.sources)
        .map(|(column, source)| source.map(|_| column))
        .collect();
    let raw = super::RawRows {
        columns,
        lines,
        record_hashes: hashes(offsets, delimiter),
    };
    finish_table(request, &plan.names, raw, read, rejects, bytes.len() as u64)
}

/// The ingest floor of one file: records and fields, and how long splitting them
/// took when nothing else is done.
#[derive(Debug, Clone, Copy)]
pub struct SplitFloor {
    /// Records found.
    pub records: u64,
    /// Fields found.
    pub fields: u64,
    /// Wall time: mapping, cutting into chunks, splitting them in parallel.
    pub seconds: f64,
}

/// Measure the floor that ingest is held to: the same file, mapped, cut into the same
/// chunks and split in parallel by the same splitter, with nothing built (no UTF-8
/// check, no row checks, no cells stored).
pub fn split_floor(path: &Path) -> Result<SplitFloor> {
    let started = Instant::now();
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, "opening", e))?;
    // SAFETY: as in `read_csv`: a read-only mapping of a file nobody writes meanwhile.
    let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| Error::io(path, "mapping", e))?;
    let body = map.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&map);
    let delimiter = sniff_delimiter(body);
    let (_, data_start) = read_header(path, body, delimiter)?;
    let (records, fields) = split_chunks(body, data_start, delimiter)
        .par_iter()
        .map(|&(start, end)| {
            let mut splitter = Splitter::new(&body[start..end], delimiter);
            let mut spans = Vec::with_capacity(64);
            let mut side = Vec::new();
            let (mut records, mut fields) = (0u64, 0u64);
            while splitter.next_record(&mut spans, &mut side).is_some() {
                records += 1;
                fields += spans.len() as u64;
                spans.clear();
                side.clear();
            }
            (records, fields)
        })
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    Ok(SplitFloor {
        records,
        fields,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// The ordered list of columns to build: mapped schema fields, then extras.
pub(crate) struct FieldPlan {
    /// Column names (schema order, then extras).
    pub names: Vec<String>,
    /// Storage of each column.
    pub kinds: Vec<FieldKind>,
    /// File column index of each column, `None` for schema fields the file lacks.
    pub sources: Vec<Option<usize>>,
}

impl FieldPlan {
    /// Resolve a file's headers into the plan and the file column of the record key.
    pub(crate) fn for_headers(
        request: &ReadRequest<'_>,
        headers: &[String],
    ) -> Result<(FieldPlan, Option<usize>)> {
        let mapping = resolve(
            request.path,
            request.dataset,
            headers,
            request.schema,
            request.column_map,
            request.extras,
        )?;
        let key_column = request
            .schema
            .fields
            .iter()
            .position(|f| f.name == request.schema.key)
            .and_then(|i| mapping.fields[i]);
        Ok((FieldPlan::new(request, &mapping), key_column))
    }

    pub(crate) fn new(request: &ReadRequest<'_>, mapping: &Mapping) -> Self {
        let mut names = Vec::new();
        let mut kinds = Vec::new();
        let mut sources = Vec::new();
        for (spec, source) in request.schema.fields.iter().zip(&mapping.fields) {
            names.push(spec.name.clone());
            kinds.push(spec.kind);
            let wanted = spec.name == request.schema.key
                || request.wanted.is_none_or(|w| w.contains(&spec.name));
            sources.push(if wanted { *source } else { None });
        }
        for (name, index) in &mapping.extras {
            names.push(name.clone());
            kinds.push(if request.date_extras.contains(name) {
                FieldKind::Date
            } else {
                FieldKind::Text
            });
            sources.push(Some(*index));
        }
        FieldPlan {
            names,
            kinds,
            sources,
        }
    }
}

struct ChunkResult {
    read: u64,
    /// Rows rejected for bytes that are not UTF-8.
    not_utf8_rows: u64,
    /// Line breaks in the chunk (the next chunk's first line is this much further).
    newlines: u64,
    /// The chunk ended inside a quoted field that was never closed.
    ended_in_quotes: bool,
    rejects: Vec<Reject>,
    lines: Vec<u64>,
    /// Where each accepted record starts in the file.
    offsets: Vec<u64>,
    columns: Vec<crate::model::Column>,
}

/// Pick the delimiter that splits the header line most: `,` `;` tab or `|`.
fn sniff_delimiter(body: &[u8]) -> u8 {
    let line_end = memchr::memchr(b'\n', body).unwrap_or(body.len());
    let line = &body[..line_end];
    let mut in_quotes = false;
    let mut counts = [0usize; 4];
    let candidates = [b',', b';', b'\t', b'|'];
    for &b in line {
        if b == b'"' {
            in_quotes = !in_quotes;
        } else if !in_quotes {
            if let Some(i) = candidates.iter().position(|&c| c == b) {
                counts[i] += 1;
            }
        }
    }
    let best = (0..4).max_by_key(|&i| (counts[i], 3 - i)).unwrap_or(0);
    if counts[best] == 0 {
        b','
    } else {
        candidates[best]
    }
}

/// The delimiter named by a first line `sep=X` (written by Excel and tools that write
/// for it), and where the line after it starts; `(None, 0)` without such a line.
fn excel_separator_line(body: &[u8]) -> (Option<u8>, usize) {
    let line_end = memchr::memchr(b'\n', body).unwrap_or(body.len());
    let line = body[..line_end]
        .strip_suffix(b"\r")
        .unwrap_or(&body[..line_end]);
    match line {
        [s, e, p, b'=', delimiter]
            if s.eq_ignore_ascii_case(&b's')
                && e.eq_ignore_ascii_case(&b'e')
                && p.eq_ignore_ascii_case(&b'p')
                && *delimiter != b'"' =>
        {
            (Some(*delimiter), (line_end + 1).min(body.len()))
        }
        _ => (None, 0),
    }
}

/// The header row as found, and how the rows under it are read.
struct HeaderFound {
    delimiter: u8,
    headers: Vec<String>,
    /// Where the first data row starts in the body.
    data_start: usize,
    plan: FieldPlan,
    key_column: Option<usize>,
}

/// Lines of a report's title (`DANH SÁCH NHÂN KHẨU…`, the export date) looked past
/// for the header row.
const MAX_TITLE_LINES: usize = 10;

/// The header row: the first line (after a `sep=` line), or, when that line does not
/// name the dataset's columns, the first of the next [`MAX_TITLE_LINES`] lines that
/// does, as exported reports put a title above the table. The lines above are no
/// records; when no line fits, the first line's error stands.
fn find_header(
    request: &ReadRequest<'_>,
    body: &[u8],
    header_start: usize,
    named_delimiter: Option<u8>,
) -> Result<HeaderFound> {
    let at = |start: usize| -> Result<HeaderFound> {
        let delimiter = request
            .delimiter
            .or(named_delimiter)
            .unwrap_or_else(|| sniff_delimiter(&body[start..]));
        let (headers, data_start) = read_header(request.path, &body[start..], delimiter)?;
        let (plan, key_column) = FieldPlan::for_headers(request, &headers)?;
        Ok(HeaderFound {
            delimiter,
            headers,
            data_start: start + data_start,
            plan,
            key_column,
        })
    };
    let first_error = match at(header_start) {
        Ok(found) => return Ok(found),
        Err(error) => error,
    };
    let mut start = header_start;
    for _ in 0..MAX_TITLE_LINES {
        match memchr::memchr(b'\n', &body[start..]) {
            Some(end) if start + end + 1 < body.len() => start += end + 1,
            _ => break,
        }
        if let Ok(found) = at(start) {
            return Ok(found);
        }
    }
    Err(first_error)
}

/// An example of text encoded twice, when the start of the file has several: UTF-8
/// Vietnamese read as Windows-1252 and saved again turns every ạ–ỹ (U+1EA0–U+1EF9,
/// whose UTF-8 starts E1 BA or E1 BB) into `áº` or `á»`, which no Vietnamese or
/// English text contains.
fn double_encoded(body: &[u8]) -> Option<String> {
    const MIN_SIGNS: usize = 8;
    let sample = &body[..body.len().min(1 << 20)];
    let signs: Vec<usize> = memchr::memmem::find_iter(sample, "á»".as_bytes())
        .chain(memchr::memmem::find_iter(sample, "áº".as_bytes()))
        .take(MIN_SIGNS)
        .collect();
    if signs.len() < MIN_SIGNS {
        return None;
    }
    let at = signs[0];
    let start = (at.saturating_sub(12)..=at)
        .find(|&i| std::str::from_utf8(&sample[i..at]).is_ok())
        .unwrap_or(at);
    let end = (at + 16).min(sample.len());
    Some(
        String::from_utf8_lossy(&sample[start..end])
            .trim()
            .to_string(),
    )
}

fn read_header(path: &Path, body: &[u8], delimiter: u8) -> Result<(Vec<String>, usize)> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(body);
    let mut record = csv::ByteRecord::new();
    let found = reader
        .read_byte_record(&mut record)
        .map_err(|e| Error::input(path, format!("cannot read the header row: {e}")))?;
    if !found {
        return Err(Error::input(path, "the file has no header row"));
    }
    let mut headers = Vec::with_capacity(record.len());
    for field in record.iter() {
        let text = std::str::from_utf8(field).map_err(|_| not_utf8(path, 1))?;
        headers.push(text.trim().to_string());
    }
    let data_start = reader.position().byte() as usize;
    Ok((headers, data_start.min(body.len())))
}

fn not_utf8(path: &Path, line: u64) -> Error {
    Error::input(
        path,
        format!(
            "line {line} is not valid UTF-8: the file seems to be in a legacy encoding \
             (Windows-1258, TCVN3/ABC, VNI or Latin-1). Convert it to UTF-8 first, e.g. \
             `iconv -f CP1258 -t UTF-8 in.csv > out.csv`, or save it from Excel as \"CSV UTF-8\""
        ),
    )
}

/// Split `body[data_start..]` into chunks that end after a newline outside quotes.
///
/// The quote parity at every multiple of the chunk size is counted in parallel; from
/// each such point only the few bytes up to the next newline outside quotes are
/// scanned. Only quotes that can open or close a field count (see
/// [`field_quotes`]): one stray quote inside a value (`12" TV`) would otherwise flip
/// the parity for the rest of the file. The parse checks every cut anyway.
fn split_chunks(body: &[u8], data_start: usize, delimiter: u8) -> Vec<(usize, usize)> {
    if body.len() - data_start <= CHUNK_BYTES {
        return vec![(data_start, body.len())];
    }
    let blocks: Vec<usize> = (data_start..body.len()).step_by(CHUNK_BYTES).collect();
    let odd_quotes: Vec<bool> = blocks
        .par_iter()
        .map(|&block| {
            let end = (block + CHUNK_BYTES).min(body.len());
            field_quotes(body, block, end, delimiter) % 2 == 1
        })
        .collect();
    let mut chunks = Vec::new();
    let mut start = data_start;
    let mut odd_before_block = false;
    for (&block, &odd_in_block) in blocks.iter().zip(&odd_quotes) {
        if block > start {
            let mut quotes_odd = odd_before_block;
            let mut scanned = block;
            let mut cut = None;
            while let Some(offset) = memchr::memchr(b'\n', &body[scanned..]) {
                let newline = scanned + offset;
                quotes_odd ^= field_quotes(body, scanned, newline, delimiter) % 2 == 1;
                scanned = newline + 1;
                if !quotes_odd {
                    cut = Some(scanned);
                    break;
                }
            }
            match cut {
                Some(end) if end < body.len() => {
                    chunks.push((start, end));
                    start = end;
                }
                // An unclosed quote: the rest of the file is one chunk.
                _ => break,
            }
        }
        odd_before_block ^= odd_in_block;
    }
    if start < body.len() {
        chunks.push((start, body.len()));
    }
    chunks
}

/// Quotes in `body[from..to]` that can open or close a quoted field: right after a
/// delimiter or line break, or right before one (or the end). A quote inside a value
/// is text to csv-core, and so are both quotes of a doubled `""` inside quoted text.
fn field_quotes(body: &[u8], from: usize, to: usize, delimiter: u8) -> usize {
    let boundary = |byte: Option<&u8>| match byte {
        None => true,
        Some(&b) => b == delimiter || b == b'\n' || b == b'\r',
    };
    memchr::memchr_iter(b'"', &body[from..to])
        .filter(|&offset| {
            let at = from + offset;
            boundary(at.checked_sub(1).and_then(|i| body.get(i))) || boundary(body.get(at + 1))
        })
        .count()
}

/// Stands in for each byte that is not UTF-8 (ASCII "substitute"): one byte for one,
/// so offsets and line numbers stay those of the file.
const NOT_UTF8_MARK: u8 = 0x1a;
/// Why a row with bytes that are not UTF-8 is rejected.
const NOT_UTF8_REASON: &str =
    "có byte không phải UTF-8 (dòng bị dán từ nguồn mã hóa khác: Windows-1258, TCVN3, VNI?)";

/// A copy of `bytes` with every byte of an invalid UTF-8 sequence replaced by
/// [`NOT_UTF8_MARK`].
fn mark_invalid_utf8(bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    let mut at = 0;
    while at < out.len() {
        match std::str::from_utf8(&out[at..]) {
            Ok(_) => break,
            Err(error) => {
                let start = at + error.valid_up_to();
                let end = start + error.error_len().unwrap_or(out.len() - start);
                out[start..end].fill(NOT_UTF8_MARK);
                at = end;
            }
        }
    }
    out
}

fn parse_chunk(
    bytes: &[u8],
    file_offset: u64,
    delimiter: u8,
    headers: &[String],
    key_column: Option<usize>,
    plan: &FieldPlan,
    header_words: &std::collections::HashSet<String>,
) -> Result<ChunkResult> {
    let field_count = headers.len();
    // The column whose cell is compared with its header first: a cheap test that
    // fails at once on data rows.
    let header_probe = key_column.unwrap_or(0);
    // The first byte the probe cell of a repeated header starts with: a data row whose
    // probe cell starts otherwise (almost all) is no header, with one compare.
    let probe_first = headers
        .get(header_probe)
        .and_then(|header| without_marks(header).as_bytes().first().copied());
    let may_be_header = |cell: &str| match cell.as_bytes().first() {
        Some(&byte) => Some(byte) == probe_first || byte == 0xEF || byte.is_ascii_whitespace(),
        None => probe_first.is_none(),
    };
    // A first guess, for the first batch; the rest is sized from it.
    let estimated_rows = BATCH_ROWS * 2;
    let mut builders: Vec<ColumnBuilder> = plan
        .kinds
        .iter()
        .zip(&plan.sources)
        .map(|(&kind, source)| {
            ColumnBuilder::new(kind, if source.is_some() { estimated_rows } else { 0 })
        })
        .collect();
    // The whole chunk is validated as UTF-8 at once (SIMD); fields are then cut from
    // it at ASCII delimiters and quotes, which cannot split a multi-byte character.
    // A chunk with stray bytes that are not UTF-8 is read from a copy where each such
    // byte is marked, and the rows holding a mark are rejected (a file that is mostly
    // in another encoding stops the run instead: see `read_csv`).
    let marked;
    let has_marks = simdutf8::basic::from_utf8(bytes).is_err();
    let bytes = if has_marks {
        marked = mark_invalid_utf8(bytes);
        &marked[..]
    } else {
        bytes
    };
    let mut not_utf8_rows = 0u64;
    // Records are split a batch at a time, then each column of the batch is built in
    // one loop: the kind is matched once per batch, and the batch's spans and bytes
    // stay in cache while the columns are built from them.
    let mut splitter = Splitter::new(bytes, delimiter);
    let mut spans: Vec<Span> = Vec::with_capacity(BATCH_ROWS * field_count);
    let mut side = Vec::new();
    let mut read = 0u64;
    let mut rejects = Vec::new();
    let mut lines = Vec::with_capacity(estimated_rows);
    let mut offsets = Vec::with_capacity(estimated_rows);
    let mut batch_rows = 0;
    let mut exhausted = false;
    // Whether the columns were sized from the first batch yet.
    let mut sized = false;
    while !exhausted {
        let record_start = spans.len();
        match splitter.next_record(&mut spans, &mut side) {
            None => exhausted = true,
            Some(line) => {
                read += 1;
                let record = &spans[record_start..];
                let get = |i: usize| -> &str { text_of(bytes, &side, record.get(i).copied()) };
                // The common case is checked on the spans alone; the full check (which
                // names the problem) runs only when that one fails.
                let surely_fine = record.len() == field_count
                    && record.iter().all(|span| span.width() <= MAX_FIELD_BYTES)
                    && key_column.is_none_or(|key| !get(key).trim().is_empty());
                let not_utf8 = has_marks
                    && record
                        .iter()
                        .any(|&span| split::field(bytes, &side, span).contains(&NOT_UTF8_MARK));
                let problem = if not_utf8 {
                    not_utf8_rows += 1;
                    Some(NOT_UTF8_REASON.to_string())
                } else if may_be_header(get(header_probe))
                    && is_header_line(&get, headers, header_probe)
                {
                    Some(REPEATED_HEADER_REASON.to_string())
                } else if may_be_other_header(get(header_probe))
                    && is_other_header(record.len(), &get, header_words)
                {
                    Some(OTHER_HEADER_REASON.to_string())
                } else if may_be_footer(get(header_probe))
                    && is_footer_line(record.len(), &get, header_probe)
                {
                    Some(FOOTER_REASON.to_string())
                } else if surely_fine {
                    None
                } else {
                    row_problem(record.len(), &get, field_count, key_column)
                };
                if let Some(reason) = problem {
                    let mut raw = raw_row(record.len(), &get, delimiter);
                    if not_utf8 {
                        raw = raw.replace(char::from(NOT_UTF8_MARK), "\u{fffd}");
                    }
                    rejects.push(Reject { line, reason, raw });
                    spans.truncate(record_start);
                    continue;
                }
                // Empty fields past the header (see `row_problem`) are dropped, so that
                // every accepted row has exactly `field_count` spans.
                spans.truncate(record_start + field_count);
                lines.push(line);
                offsets.push(file_offset + splitter.record_start() as u64);
                batch_rows += 1;
            }
        }
        if batch_rows == BATCH_ROWS || (exhausted && batch_rows > 0) {
            for (builder, source) in builders.iter_mut().zip(&plan.sources) {
                if let Some(index) = *source {
                    // The record key is kept as written (rows without one are rejected).
                    let is_key = key_column == Some(index);
                    builder.extend((0..batch_rows).map(|row| {
                        let cell =
                            text_of(bytes, &side, spans.get(row * field_count + index).copied());
                        if is_key {
                            cell
                        } else {
                            super::columns::present(cell)
                        }
                    }));
                }
            }
            spans.clear();
            side.clear();
            batch_rows = 0;
            if !sized && !exhausted {
                sized = true;
                let rows_so_far = lines.len();
                let more_rows = expected_more_rows(rows_so_far, splitter.record_end(), bytes.len());
                for builder in &mut builders {
                    builder.reserve_like_so_far(rows_so_far, more_rows);
                }
                lines.reserve(more_rows);
                offsets.reserve(more_rows);
            }
        }
    }
    Ok(ChunkResult {
        read,
        not_utf8_rows,
        newlines: splitter.newlines(),
        ended_in_quotes: splitter.ended_in_quotes(),
        rejects,
        lines,
        offsets,
        columns: builders.into_iter().map(ColumnBuilder::finish).collect(),
    })
}

/// Rows still to come in a chunk of `chunk_bytes` bytes whose first `rows_so_far` rows
/// took `bytes_so_far` bytes, with a tenth to spare (rows vary in length).
fn expected_more_rows(rows_so_far: usize, bytes_so_far: usize, chunk_bytes: usize) -> usize {
    let left = chunk_bytes.saturating_sub(bytes_so_far);
    let per_row = bytes_so_far / rows_so_far.max(1) + 1;
    left / per_row * 11 / 10 + 16
}

/// The row fingerprint of one record, as [`super::fingerprint`] defines it (so
/// feedback decisions keyed by it hold across versions). A record without quotes lies
/// in the file as its fields joined by the delimiter, so it is copied whole and the
/// delimiters replaced, instead of being gathered field by field.
fn record_fingerprint(
    line: &[u8],
    chunk: &[u8],
    side: &[u8],
    record: &[Span],
    delimiter: u8,
    scratch: &mut Vec<u8>,
) -> u64 {
    if memchr::memchr(b'"', line).is_some() {
        let fields = record.iter().map(|&span| split::field(chunk, side, span));
        return super::fingerprint(fields, scratch);
    }
    scratch.clear();
    scratch.extend_from_slice(line);
    for byte in scratch.iter_mut() {
        if *byte == delimiter {
            *byte = 0x1f;
        }
    }
    scratch.push(0x1f);
    xxhash_rust::xxh3::xxh3_64(scratch)
}

/// A field as text (empty when the record has no such field). A value wrapped in
/// Excel's text formula (`="083099347656"`, which web systems write to keep leading
/// zeros) is read as what it wraps, and a number behind Excel's text mark
/// (`'083099347656`) as the number.
#[inline]
fn text_of<'b>(chunk: &'b [u8], side: &'b [u8], span: Option<Span>) -> &'b str {
    let mut bytes = span.map_or(&[][..], |span| split::field(chunk, side, span));
    match bytes {
        [b'=', b'"', inner @ .., b'"'] => bytes = inner,
        // Spaces may follow the mark (`' 083…`) or group the digits; the cell's own
        // cleaning trims and reads them as for any number.
        [b'\'', number @ ..]
            if number.iter().any(u8::is_ascii_digit)
                && number.iter().all(|&b| b.is_ascii_digit() || b == b' ') =>
        {
            bytes = number
        }
        _ => {}
    }
    // SAFETY: the chunk was validated as UTF-8 before splitting, and the splitter cuts
    // only at ASCII bytes (delimiter, quote, CR, LF) and drops only ASCII quote bytes,
    // so every field, in the chunk or unescaped into the side buffer, is whole UTF-8.
    unsafe { std::str::from_utf8_unchecked(bytes) }
}

/// Why a row cannot be accepted, if it cannot (Vietnamese: read by the data officer).
pub(crate) fn row_problem<'a>(
    count: usize,
    field: &dyn Fn(usize) -> &'a str,
    field_count: usize,
    key_column: Option<usize>,
) -> Option<String> {
    if count != field_count {
        if (0..count).all(|i| field(i).trim().is_empty()) {
            return Some("dòng trống".to_string());
        }
        // A delimiter after the last field (some exports end every row with one) adds
        // empty fields past the header: nothing is lost by dropping them.
        let only_empty_extras =
            count > field_count && (field_count..count).all(|i| field(i).trim().is_empty());
        if !only_empty_extras {
            return Some(format!(
                "số cột không đúng: dòng có {count} cột, tiêu đề có {field_count} cột"
            ));
        }
    }
    if let Some((index, field)) = (0..count)
        .map(|i| (i, field(i)))
        .find(|(_, f)| f.len() > MAX_FIELD_BYTES)
    {
        return Some(format!(
            "cột thứ {} dài {} byte, vượt giới hạn {} byte (có thể do dấu ngoặc kép không đóng)",
            index + 1,
            field.len(),
            MAX_FIELD_BYTES
        ));
    }
    if let Some(key) = key_column {
        if key >= count || field(key).trim().is_empty() {
            return Some("thiếu khóa bản ghi (mã bản ghi trống)".to_string());
        }
    }
    None
}

/// Why a repeated header line is rejected.
const REPEATED_HEADER_REASON: &str =
    "dòng tiêu đề lặp lại (tệp ghép từ nhiều tệp?): không phải bản ghi";

/// True when the row repeats the header (files joined with `cat` carry one header per
/// part): every cell equals its column's header, spaces and a byte-order mark aside.
fn is_header_line<'a>(get: &dyn Fn(usize) -> &'a str, headers: &[String], probe: usize) -> bool {
    let same = |index: usize| {
        headers
            .get(index)
            .is_some_and(|header| without_marks(get(index)) == without_marks(header))
    };
    same(probe) && (0..headers.len()).all(same)
}

/// The reject reason that marks a header line unlike the first (the run then stops).
const OTHER_HEADER_REASON: &str = "dòng tiêu đề khác (cột khác hoặc thứ tự cột khác)";

/// A cheap first test on the probe (record key) cell: headers have no digits, record
/// keys almost always do.
fn may_be_other_header(cell: &str) -> bool {
    !cell.trim().is_empty() && !cell.bytes().any(|byte| byte.is_ascii_digit())
}

/// True when most cells of the row (and at least three) are column names: the file's
/// own headers, canonical names or their aliases. Files exported apart, with their
/// columns in another order or named otherwise, then joined with `cat`, carry such a
/// line; the rows after it belong to other columns.
fn is_other_header<'a>(
    count: usize,
    get: &dyn Fn(usize) -> &'a str,
    header_words: &std::collections::HashSet<String>,
) -> bool {
    let named = (0..count)
        .filter(|&i| header_words.contains(&super::mapping::header_key(get(i))))
        .count();
    named >= 3 && named * 2 > count
}

/// Why a total or signature line under a spreadsheet table is rejected.
const FOOTER_REASON: &str =
    "dòng tổng cộng / chân bảng (người lập biểu, ngày tháng) của bảng tính: không phải bản ghi";

/// The words a footer line under a spreadsheet report starts with, folded.
const FOOTER_STARTS: &[&str] = &["tong cong", "tong so", "nguoi lap", "thu truong", "ngay "];

/// A cheap first test on the probe (record key) cell: a footer's label starts with one
/// of a few letters and has a space or a Vietnamese letter in it, which record keys
/// almost never have.
fn may_be_footer(cell: &str) -> bool {
    cell.as_bytes()
        .first()
        .is_some_and(|byte| matches!(byte, b'T' | b't' | b'C' | b'c' | b'N' | b'n'))
        && cell.bytes().any(|byte| byte == b' ' || !byte.is_ascii())
}

/// True when the row is a spreadsheet footer (`Tổng cộng,4000,,,…`, `Người lập
/// biểu,,,…`): its record key cell starts with a footer word and at most two other
/// cells hold anything. Exports pad such lines with delimiters to the table's width, so
/// they pass the column count.
fn is_footer_line<'a>(count: usize, get: &dyn Fn(usize) -> &'a str, probe: usize) -> bool {
    let label = crate::normalize::text::fold(get(probe));
    // "Cộng" alone, or followed by the count ("Cộng: 4000").
    let total = label == "cong"
        || label
            .strip_prefix("cong ")
            .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()));
    if !total && !FOOTER_STARTS.iter().any(|start| label.starts_with(start)) {
        return false;
    }
    (0..count)
        .filter(|&i| i != probe && !get(i).trim().is_empty())
        .count()
        <= 2
}

/// A cell or header without a byte-order mark and surrounding spaces.
fn without_marks(text: &str) -> &str {
    text.trim_start_matches('\u{feff}').trim()
}

/// The row as text for the rejects file, cut to a readable length.
fn raw_row<'a>(count: usize, get: &dyn Fn(usize) -> &'a str, delimiter: u8) -> String {
    let mut out = String::new();
    for i in 0..count {
        let field = get(i);
        if i > 0 {
            out.push(delimiter as char);
        }
        if out.len() + field.len() > 500 {
            let mut cut = 500usize.saturating_sub(out.len()).min(field.len());
            while !field.is_char_boundary(cut) {
                cut -= 1;
            }
            out.push_str(&field[..cut]);
            out.push('…');
            break;
        }
        out.push_str(field);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_never_split_quoted_newlines() {
        let mut body = b"a,b\n".to_vec();
        let row = b"1,\"x\ny\"\n";
        while body.len() < CHUNK_BYTES * 3 {
            body.extend_from_slice(row);
        }
        let chunks = split_chunks(&body, 4, b',');
        assert!(chunks.len() >= 2);
        for &(start, end) in &chunks {
            let quotes = body[start..end].iter().filter(|&&b| b == b'"').count();
            assert_eq!(quotes % 2, 0);
            assert_eq!(body[end - 1], b'\n');
        }
        assert_eq!(chunks.last().unwrap().1, body.len());
    }

    #[test]
    fn only_quotes_at_field_edges_count_for_the_split() {
        let body = b"a,12\" tv,\"x\"\"y\",\"\"\n";
        // The quote of 12" is text; "x""y" has two edge quotes; "" has two.
        assert_eq!(field_quotes(body, 0, body.len(), b','), 4);
    }

    fn fingerprints_of(text: &str) -> Vec<u64> {
        let schema = crate::model::Schema::for_kind(crate::model::DatasetKind::Population, None);
        let map = std::collections::BTreeMap::new();
        let request = ReadRequest::new(Path::new("population.csv"), "population", &schema, &map);
        let ingested = parse_csv_bytes(&request, text.as_bytes()).unwrap();
        let table = &ingested.table;
        (0..table.rows)
            .map(|row| table.record_hashes.get(row).unwrap())
            .collect()
    }

    #[test]
    fn a_row_fingerprint_follows_its_field_values() {
        let header = "record_id,person_id,full_name,birth_date,gender,commune_code,household_id,relation_to_head\n";
        let rows = [
            "P1,083099347656,Trần Tấn Hiệp,1999-07-29,Nam,28756,H1,Chủ hộ",
            "P2,083199004564,\"Hoàng Phương, Oanh\",28/10/1999,Nữ,28756,H1,Vợ",
        ];
        let lf = fingerprints_of(&format!("{header}{}\n{}\n", rows[0], rows[1]));
        let crlf = fingerprints_of(&format!("{header}{}\r\n{}\r\n", rows[0], rows[1]));
        assert_eq!(lf, crlf, "line endings are not content");
        // The fields, each followed by 0x1f, as the Parquet reader hashes them too.
        // Streaming XXH3, field by field: the definition, computed another way.
        let by_fields = |fields: &[&str]| {
            let mut hasher = xxhash_rust::xxh3::Xxh3::new();
            for field in fields {
                hasher.update(field.as_bytes());
                hasher.update(&[0x1f]);
            }
            hasher.digest()
        };
        assert_eq!(lf[0], by_fields(&rows[0].split(',').collect::<Vec<_>>()));
        let quoted = [
            "P2",
            "083199004564",
            "Hoàng Phương, Oanh",
            "28/10/1999",
            "Nữ",
            "28756",
            "H1",
            "Vợ",
        ];
        assert_eq!(lf[1], by_fields(&quoted));
        let semicolons = fingerprints_of(&format!(
            "{}{}\n",
            header.replace(',', ";"),
            rows[0].replace(',', ";")
        ));
        assert_eq!(semicolons[0], lf[0], "the delimiter is not content");
        let edited = rows[1].replace("Vợ", "Con");
        let changed = fingerprints_of(&format!("{header}{}\n{edited}\n", rows[0]));
        assert_eq!(changed[0], lf[0]);
        assert_ne!(changed[1], lf[1]);
    }

    /// A file's rows are fingerprinted when a finding asks, by reading the record again;
    /// the values are those computed from the bytes in memory, for records with a BOM
    /// before them, quoted line breaks, doubled quotes and a record longer than the
    /// first read. A file changed after reading is refused.
    #[test]
    fn deferred_fingerprints_equal_those_computed_while_reading() {
        let long_address = format!("\"{}\"", "Khu phố 2, Phường 1, ".repeat(60));
        let text = format!(
            "\u{feff}record_id,person_id,full_name,birth_date,gender,commune_code,household_id,relation_to_head,address\n\
             P1,083099347656,Trần Tấn Hiệp,1999-07-29,Nam,28756,H1,Chủ hộ,\"Số 1\nHẻm \"\"A\"\"\"\r\n\
             P2,083199004564,Hoàng Phương Oanh,28/10/1999,Nữ,28756,H1,Vợ,{long_address}\n\
             \n\
             P3,,Lê Văn An,1980,Nam,28756,H2,Chủ hộ,x\n"
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("population.csv");
        std::fs::write(&path, &text).unwrap();
        let schema = crate::model::Schema::for_kind(crate::model::DatasetKind::Population, None);
        let map = std::collections::BTreeMap::new();
        let request = ReadRequest::new(&path, "population", &schema, &map);
        let from_file = read_csv(&request).unwrap().table;
        let in_memory = parse_csv_bytes(&request, text.as_bytes()).unwrap().table;
        assert!(matches!(
            from_file.record_hashes,
            RecordHashes::Deferred { .. }
        ));
        assert_eq!(from_file.rows, 3);
        for row in 0..3 {
            let deferred = from_file.record_hashes.get(row);
            assert!(deferred.is_some());
            assert_eq!(deferred, in_memory.record_hashes.get(row), "row {row}");
        }
        assert!(from_file.record_hashes.check().is_ok());
        std::fs::write(
            &path,
            format!("{text}P4,,Lê Thị Bé,1990,Nữ,28756,H2,Vợ,x\n"),
        )
        .unwrap();
        let changed = from_file.record_hashes.check();
        assert!(changed.is_err_and(|e| e.to_string().contains("changed")));
    }

    #[test]
    fn the_floor_splits_the_records_ingest_reads() {
        let dir = std::env::temp_dir().join(format!("doisoat-floor-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("floor.csv");
        let mut text = String::from("a;b;c\r\n");
        for i in 0..50_000 {
            text.push_str(&format!("{i};\"x;\r\n\"\"y\";z\r\n"));
            if i % 1000 == 0 {
                text.push_str("\r\n");
            }
        }
        std::fs::write(&path, &text).unwrap();
        let floor = split_floor(&path).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(floor.records, 50_000, "blank lines are not records");
        assert_eq!(floor.fields, 150_000);
        assert!(floor.seconds > 0.0);
    }

    #[test]
    fn sniffs_semicolons() {
        assert_eq!(sniff_delimiter(b"a;b;\"c,d\"\n1;2;3"), b';');
        assert_eq!(sniff_delimiter(b"a,b,c\n"), b',');
        assert_eq!(sniff_delimiter(b"a\tb\n"), b'\t');
    }
}
