//! Splitting a chunk of CSV into records and fields without copying them.
//!
//! A field is a span of the chunk. Only a quoted field that holds doubled quotes (or
//! text after its closing quote) is copied, unescaped, into a side buffer. The reading
//! is csv-core's, so files parse exactly as they would with the `csv` crate:
//! - a quote opens a quoted field only as the first byte of the field, and elsewhere is
//!   an ordinary character;
//! - inside quotes, `""` is one quote, and delimiters and line breaks are text;
//! - text after a closing quote stays part of the field;
//! - `\n`, `\r\n` and a lone `\r` end a record, and empty lines between records are
//!   skipped;
//! - an unclosed quote runs to the end of the input.
//!
//! Splitting one field costs one `memchr3` (or `memchr` for quoted text), not a byte
//! loop per character through a state machine.

use memchr::{memchr, memchr3};

/// Marks a span that lies in the side buffer rather than in the chunk.
const IN_SIDE_BUFFER: usize = 1 << (usize::BITS - 1);

/// Where one field's bytes are: in the chunk, or in the side buffer of unescaped fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    start: usize,
    end: usize,
}

impl Span {
    /// Bytes in the field.
    #[inline]
    pub(crate) fn width(self) -> usize {
        self.end - (self.start & !IN_SIDE_BUFFER)
    }
}

/// Walks the records of one chunk.
pub struct Splitter<'a> {
    bytes: &'a [u8],
    delimiter: u8,
    position: usize,
    newlines: u64,
    unclosed_quote: bool,
    /// Where the last record read starts and ends in the chunk (line break excluded).
    record: (usize, usize),
}

impl<'a> Splitter<'a> {
    /// A splitter over `bytes` (whole records) with the given field delimiter.
    pub fn new(bytes: &'a [u8], delimiter: u8) -> Self {
        Splitter {
            bytes,
            delimiter,
            position: 0,
            newlines: 0,
            unclosed_quote: false,
            record: (0, 0),
        }
    }

    /// Line breaks seen so far (all of the chunk's, once it is exhausted).
    pub fn newlines(&self) -> u64 {
        self.newlines
    }

    /// The last record read, as it is in the chunk: quotes and delimiters included,
    /// its line break not.
    pub fn record_bytes(&self) -> &'a [u8] {
        self.bytes
            .get(self.record.0..self.record.1)
            .unwrap_or_default()
    }

    /// Where the last record read starts in the chunk.
    pub(crate) fn record_start(&self) -> usize {
        self.record.0
    }

    /// Where the last record read ends in the chunk (its line break excluded).
    pub(crate) fn record_end(&self) -> usize {
        self.record.1
    }

    /// A quoted field ran to the end of the input without its closing quote.
    pub fn ended_in_quotes(&self) -> bool {
        self.unclosed_quote
    }

    /// Append the next record's field spans to `spans` (unescaped fields go to `side`)
    /// and return how many line breaks precede the record in the chunk, or `None` when
    /// the chunk is exhausted.
    pub fn next_record(&mut self, spans: &mut Vec<Span>, side: &mut Vec<u8>) -> Option<u64> {
        let bytes = self.bytes;
        let mut at = self.position;
        while let Some(&byte) = bytes.get(at) {
            match byte {
                b'\n' => self.newlines += 1,
                b'\r' => {}
                _ => break,
            }
            at += 1;
        }
        if at >= bytes.len() {
            self.position = at;
            return None;
        }
        let record_line = self.newlines;
        self.record.0 = at;
        loop {
            let (span, stop) = if bytes.get(at) == Some(&b'"') {
                self.quoted_field(at, side)
            } else {
                let stop = self.unquoted_end(at);
                (
                    Span {
                        start: at,
                        end: stop,
                    },
                    stop,
                )
            };
            spans.push(span);
            self.record.1 = stop;
            match bytes.get(stop) {
                Some(&byte) if byte == self.delimiter => at = stop + 1,
                Some(b'\r') => {
                    at = stop + 1;
                    if bytes.get(at) == Some(&b'\n') {
                        at += 1;
                        self.newlines += 1;
                    }
                    break;
                }
                Some(_) => {
                    at = stop + 1;
                    self.newlines += 1;
                    break;
                }
                None => {
                    at = bytes.len();
                    break;
                }
            }
        }
        self.position = at;
        Some(record_line)
    }

    /// Index of the delimiter or line break that ends an unquoted field from `start`.
    #[inline]
    fn unquoted_end(&self, start: usize) -> usize {
        memchr3(self.delimiter, b'\n', b'\r', &self.bytes[start..])
            .map_or(self.bytes.len(), |offset| start + offset)
    }

    /// A field that opens with a quote at `open`: its span and the index of the byte
    /// that ends it.
    fn quoted_field(&mut self, open: usize, side: &mut Vec<u8>) -> (Span, usize) {
        let bytes = self.bytes;
        let content = open + 1;
        let mut search = content;
        let mut doubled_quotes = false;
        let close = loop {
            match memchr(b'"', &bytes[search..]) {
                None => {
                    self.unclosed_quote = true;
                    break bytes.len();
                }
                Some(offset) => {
                    let quote = search + offset;
                    if bytes.get(quote + 1) == Some(&b'"') {
                        doubled_quotes = true;
                        search = quote + 2;
                    } else {
                        break quote;
                    }
                }
            }
        };
        self.newlines += memchr::memchr_iter(b'\n', &bytes[content..close]).count() as u64;
        let after = (close + 1).min(bytes.len());
        let stop = match bytes.get(after) {
            None => bytes.len(),
            Some(&byte) if byte == self.delimiter || byte == b'\n' || byte == b'\r' => after,
            Some(_) => self.unquoted_end(after),
        };
        if !doubled_quotes && stop == after {
            return (
                Span {
                    start: content,
                    end: close,
                },
                stop,
            );
        }
        let start = side.len();
        let mut piece = content;
        while let Some(offset) = memchr(b'"', &bytes[piece..close]) {
            let quote = piece + offset;
            side.extend_from_slice(&bytes[piece..=quote]);
            piece = quote + 2;
        }
        side.extend_from_slice(&bytes[piece.min(close)..close]);
        side.extend_from_slice(&bytes[after..stop]);
        (
            Span {
                start: start | IN_SIDE_BUFFER,
                end: side.len(),
            },
            stop,
        )
    }
}

/// The bytes of a field.
#[inline]
pub fn field<'b>(chunk: &'b [u8], side: &'b [u8], span: Span) -> &'b [u8] {
    if span.start & IN_SIDE_BUFFER != 0 {
        &side[span.start & !IN_SIDE_BUFFER..span.end]
    } else {
        &chunk[span.start..span.end]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Records as the `csv` crate reads them (no header, any field count).
    fn with_csv_crate(bytes: &[u8], delimiter: u8) -> Vec<Vec<Vec<u8>>> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(bytes);
        let mut out = Vec::new();
        let mut record = csv::ByteRecord::new();
        while reader.read_byte_record(&mut record).unwrap() {
            out.push(record.iter().map(<[u8]>::to_vec).collect());
        }
        out
    }

    fn with_splitter(bytes: &[u8], delimiter: u8) -> Vec<(u64, Vec<Vec<u8>>)> {
        let mut splitter = Splitter::new(bytes, delimiter);
        let mut spans = Vec::new();
        let mut side = Vec::new();
        let mut out = Vec::new();
        while let Some(line) = splitter.next_record(&mut spans, &mut side) {
            let fields = spans
                .iter()
                .map(|&s| field(bytes, &side, s).to_vec())
                .collect();
            out.push((line, fields));
            spans.clear();
        }
        out
    }

    #[test]
    fn reads_quotes_like_csv_core() {
        let text = b"a,\"b,c\",\"say \"\"hi\"\"\"\r\n\n\"x\ny\"z,,\"open\n";
        let got = with_splitter(text, b',');
        let fields: Vec<_> = got.iter().map(|(_, fields)| fields.clone()).collect();
        assert_eq!(fields, with_csv_crate(text, b','));
        assert_eq!(got[0].1[2], b"say \"hi\"");
        assert_eq!(got[1].1[0], b"x\nyz");
    }

    #[test]
    fn counts_every_line_break_before_a_record() {
        // Blank lines and line breaks inside quotes count: the line is the one an
        // editor shows (the csv crate's own count skips blank lines).
        let text = b"a\n\n\r\n\"b\nc\"\nd\n";
        let lines: Vec<u64> = with_splitter(text, b',')
            .iter()
            .map(|(line, _)| *line)
            .collect();
        assert_eq!(lines, vec![0, 3, 5]);
    }

    proptest! {
        #[test]
        fn agrees_with_the_csv_crate(
            bytes in proptest::collection::vec(
                proptest::sample::select(vec![b'a', b'b', b',', b';', b'"', b'\n', b'\r', b' ']),
                0..200,
            ),
            semicolon in any::<bool>(),
        ) {
            let delimiter = if semicolon { b';' } else { b',' };
            let fields: Vec<_> = with_splitter(&bytes, delimiter)
                .into_iter()
                .map(|(_, fields)| fields)
                .collect();
            prop_assert_eq!(fields, with_csv_crate(&bytes, delimiter));
        }
    }
}
