//! Text normalisation: NFC once at ingest, and folded comparison keys.
//!
//! A folded key is lowercase ASCII with Vietnamese diacritics removed and đ → d, words
//! separated by single spaces: `Nguyễn  Văn HÙNG` and the NFD form of the same name
//! both fold to `nguyen van hung`. Folding uses a table built once from the Unicode
//! decompositions of the Latin letters Vietnamese uses, so the hot path is a table
//! lookup per character and never allocates when the caller reuses its buffer.

use std::sync::OnceLock;

use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// First code point covered by the folding table (Latin-1 Supplement).
const TABLE_START: u32 = 0x00C0;
/// One past the last code point covered (end of Latin Extended Additional).
const TABLE_END: u32 = 0x1F00;

fn fold_table() -> &'static [u8] {
    static TABLE: OnceLock<Vec<u8>> = OnceLock::new();
    TABLE.get_or_init(|| {
        (TABLE_START..TABLE_END)
            .map(|code| {
                let Some(c) = char::from_u32(code) else {
                    return 0;
                };
                match c {
                    // Eth (Ð, ð) stands in for Đ in text converted from legacy encodings.
                    'đ' | 'Đ' | 'ð' | 'Ð' => b'd',
                    _ => c
                        .nfd()
                        .next()
                        .filter(|base| base.is_ascii_alphabetic())
                        .map(|base| base.to_ascii_lowercase() as u8)
                        .unwrap_or(0),
                }
            })
            .collect()
    })
}

/// The ASCII letter a Latin character folds to, if any.
#[inline]
pub fn fold_char(c: char) -> Option<u8> {
    let code = c as u32;
    if code < 0x80 {
        let b = code as u8;
        return if b.is_ascii_alphanumeric() {
            Some(b.to_ascii_lowercase())
        } else {
            None
        };
    }
    if (TABLE_START..TABLE_END).contains(&code) {
        let folded = fold_table()[(code - TABLE_START) as usize];
        return (folded != 0).then_some(folded);
    }
    None
}

/// True for the combining marks NFD text carries (they vanish when folding).
#[inline]
fn is_combining_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F)
}

/// Fold `text` into `out` (cleared first): lowercase ASCII letters and digits, words
/// separated by one space; punctuation separates words; combining marks are dropped.
pub fn fold_into(text: &str, out: &mut String) {
    out.clear();
    let mut pending_space = false;
    for c in text.chars() {
        if let Some(b) = fold_char(c) {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(b as char);
        } else if is_combining_mark(c) || c == '\'' || c == '’' {
            // NFD marks and apostrophes (H'Mông) belong to the letter or word around them.
        } else {
            pending_space = true;
        }
    }
}

/// Folded key of `text` as a new string.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    fold_into(text, &mut out);
    out
}

/// Folded key with every separator removed (`Gia-Rai`, `Gia Rai` → `giarai`); used to
/// compare reference-list values where spelling of spaces and hyphens varies.
pub fn fold_compact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if let Some(b) = fold_char(c) {
            out.push(b as char);
        }
    }
    out
}

/// NFC, trimmed, runs of whitespace collapsed to one space. Borrowed when the input is
/// already clean (the common case), so ingest allocates only for the rare dirty value.
pub fn clean(text: &str) -> std::borrow::Cow<'_, str> {
    if is_plain(text.as_bytes()) {
        return std::borrow::Cow::Borrowed(text);
    }
    if text.chars().any(|c| is_invisible(c) || is_full_width(c)) {
        // Pasted from web forms and word processors: a name with a zero-width space
        // looks the same as without one, so it must compare the same. Digits typed
        // with an East Asian input method come full width (０１２): an ID or a date
        // written so is the same ID or date.
        let visible: String = text
            .chars()
            .filter(|&c| !is_invisible(c))
            .map(half_width)
            .collect();
        return std::borrow::Cow::Owned(clean_visible(&visible).into_owned());
    }
    clean_visible(text)
}

/// The full-width forms of ASCII (U+FF01–U+FF5E) and the ideographic space.
#[inline]
fn is_full_width(c: char) -> bool {
    matches!(c as u32, 0xFF01..=0xFF5E | 0x3000)
}

/// The ASCII character a full-width form stands for (as NFKC maps it); others unchanged.
fn half_width(c: char) -> char {
    match c as u32 {
        code @ 0xFF01..=0xFF5E => char::from_u32(code - 0xFF01 + 0x21).unwrap_or(c),
        0x3000 => ' ',
        _ => c,
    }
}

/// Characters that print as nothing: controls other than the whitespace ones, the
/// soft hyphen, zero-width spaces and joiners, direction marks, the word joiner and a
/// byte-order mark inside text.
#[inline]
fn is_invisible(c: char) -> bool {
    matches!(
        c as u32,
        0x00..=0x08
            | 0x0E..=0x1F
            | 0x7F..=0x9F
            | 0xAD
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x2064
            | 0xFEFF
    )
}

/// [`clean`] of text without invisible characters.
fn clean_visible(text: &str) -> std::borrow::Cow<'_, str> {
    let needs_nfc = !surely_nfc(text.as_bytes()) && is_nfc_quick(text.chars()) != IsNormalized::Yes;
    let needs_space = needs_space_cleanup(text);
    if !needs_nfc && !needs_space {
        return std::borrow::Cow::Borrowed(text);
    }
    let composed: String = if needs_nfc {
        text.nfc().collect()
    } else {
        text.to_string()
    };
    if !needs_space_cleanup(&composed) {
        return std::borrow::Cow::Owned(composed);
    }
    let mut out = String::with_capacity(composed.len());
    for word in composed.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    std::borrow::Cow::Owned(out)
}

/// [`clean`] and [`fold_into`] together, as ingest needs them for every name: in the
/// common case (the text is already clean, see [`is_plain`]) one pass over the bytes
/// both checks the text and writes its folded key; anything else takes the two full
/// steps. The results are always those of `clean` then `fold_into`.
pub fn clean_and_fold<'a>(text: &'a str, folded: &mut String) -> std::borrow::Cow<'a, str> {
    if fold_plain(text.as_bytes(), folded) {
        return std::borrow::Cow::Borrowed(text);
    }
    let clean = clean(text);
    fold_into(&clean, folded);
    clean
}

/// Fold `bytes` into `out` while checking [`is_plain`]'s conditions; false (and `out`
/// unspecified) as soon as the text is not plain.
#[inline]
fn fold_plain(bytes: &[u8], out: &mut String) -> bool {
    out.clear();
    let table = fold_table();
    let mut pending_space = false;
    scan_plain(bytes, |character| {
        let folded = match character {
            PlainChar::Ascii(b) if b.is_ascii_alphanumeric() => b.to_ascii_lowercase(),
            // An apostrophe (H'Mông) belongs to the word around it.
            PlainChar::Ascii(b'\'') => return,
            PlainChar::Ascii(_) => 0,
            PlainChar::Latin(code) => table_fold(table, code),
        };
        if folded == 0 {
            pending_space = true;
            return;
        }
        if pending_space && !out.is_empty() {
            out.push(' ');
        }
        pending_space = false;
        out.push(folded as char);
    })
}

/// The folding table's letter for a code point (0 when it folds to none).
#[inline]
fn table_fold(table: &[u8], code: u32) -> u8 {
    code.checked_sub(TABLE_START)
        .and_then(|index| table.get(index as usize))
        .copied()
        .unwrap_or(0)
}

/// One pass for the common case: no leading, trailing or doubled space, no tab or
/// other control, and only characters that are certainly NFC (see [`surely_nfc`]).
#[inline]
fn is_plain(bytes: &[u8]) -> bool {
    scan_plain(bytes, |_| {})
}

/// A character of plain text, as [`scan_plain`] meets it.
#[derive(Clone, Copy)]
enum PlainChar {
    /// An ASCII byte (no control).
    Ascii(u8),
    /// A code point of U+0080–U+027F or U+1E00–U+1EFF.
    Latin(u32),
}

/// Walk `bytes` character by character while they are plain (see [`is_plain`]),
/// handing each to `visit`; false as soon as they are not.
#[inline(always)]
fn scan_plain(bytes: &[u8], mut visit: impl FnMut(PlainChar)) -> bool {
    if bytes.first() == Some(&b' ') || bytes.last() == Some(&b' ') {
        return false;
    }
    let mut previous_space = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            if b < 0x20 || (b == b' ' && previous_space) {
                return false;
            }
            previous_space = b == b' ';
            i += 1;
            visit(PlainChar::Ascii(b));
        } else if (0xC2..=0xC9).contains(&b) {
            let Some(&next) = bytes.get(i + 1) else {
                return false;
            };
            // U+00A0 (no-break space) is 0xC2 0xA0: the full path turns it into a space.
            if b == 0xC2 && next == 0xA0 {
                return false;
            }
            previous_space = false;
            i += 2;
            visit(PlainChar::Latin(
                (u32::from(b & 0x1F) << 6) | u32::from(next & 0x3F),
            ));
        } else if b == 0xE1 && matches!(bytes.get(i + 1), Some(0xB8..=0xBB)) {
            let (Some(&second), Some(&third)) = (bytes.get(i + 1), bytes.get(i + 2)) else {
                return false;
            };
            previous_space = false;
            i += 3;
            visit(PlainChar::Latin(
                (u32::from(b & 0x0F) << 12)
                    | (u32::from(second & 0x3F) << 6)
                    | u32::from(third & 0x3F),
            ));
        } else {
            return false;
        }
    }
    true
}

/// A byte-level fast path for the NFC check: text made only of ASCII, Latin-1 /
/// Latin Extended letters (U+0080–U+027F) and the Vietnamese block of Latin Extended
/// Additional (U+1E00–U+1EFF) is NFC as it stands — none of those characters
/// decomposes under NFC or combines with a neighbour. Anything else (combining marks
/// of NFD text, other scripts) goes to the full check.
fn surely_nfc(bytes: &[u8]) -> bool {
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            i += 1;
        } else if (0xC2..=0xC9).contains(&b) {
            i += 2;
        } else if b == 0xE1 && matches!(bytes.get(i + 1), Some(0xB8..=0xBB)) {
            i += 3;
        } else {
            return false;
        }
    }
    true
}

fn needs_space_cleanup(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.is_empty() {
        return false;
    }
    if bytes[0].is_ascii_whitespace() || bytes[bytes.len() - 1].is_ascii_whitespace() {
        return true;
    }
    let mut previous_space = false;
    for &b in bytes {
        let space = b.is_ascii_whitespace();
        if space && (previous_space || b != b' ') {
            return true;
        }
        previous_space = space;
    }
    // Non-ASCII whitespace (no-break space U+00A0 from spreadsheets) is rare; check it
    // only when the text is not pure ASCII.
    !text.is_ascii() && text.chars().any(|c| c.is_whitespace() && c != ' ')
}

/// True when a name carries no Vietnamese diacritics at all (stored folded by the
/// source system), so it can only be compared on its folded key.
pub fn has_no_diacritics(text: &str) -> bool {
    text.is_ascii()
}

/// Compare two NFC texts ignoring case and spacing, without allocating.
pub fn eq_ignore_case(a: &str, b: &str) -> bool {
    let mut left = a.split_whitespace().flat_map(|w| w.chars().chain([' ']));
    let mut right = b.split_whitespace().flat_map(|w| w.chars().chain([' ']));
    loop {
        match (left.next(), right.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) => {
                if x != y && !x.to_lowercase().eq(y.to_lowercase()) {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

/// Do two person names agree in the SPEC's sense? Case, spacing and Unicode form are
/// ignored; a name stored without any diacritics agrees with its folded counterpart;
/// otherwise diacritics matter (Hùng ≠ Hưng), but not where the old or new spelling
/// rule puts the tone mark (Hòa = Hoà, Thủy = Thuỷ).
pub fn names_agree(a: &str, a_folded: &str, b: &str, b_folded: &str) -> bool {
    if a == b {
        return true;
    }
    if has_no_diacritics(a) || has_no_diacritics(b) {
        return a_folded == b_folded;
    }
    eq_ignore_case(a, b) || (same_letters(a_folded, b_folded) && tone_placed(a) == tone_placed(b))
}

/// Do two names that carry diacritics spell one word the same but for its diacritics
/// (Hùng / Hưng, Lan / Lân)? Such names disagree (SPEC §4) however close their folded
/// keys: record linkage must not take one for the other. Words are compared in place
/// (surname with surname, given name with given name, middle words when both have as
/// many). A name written without any diacritics agrees with any accented spelling.
pub fn diacritics_conflict(a: &str, b: &str) -> bool {
    if has_no_diacritics(a) || has_no_diacritics(b) {
        return false;
    }
    let words = |name: &str| -> Vec<String> {
        name.split(|c: char| c.is_whitespace() || c == '-')
            .filter(|word| !word.is_empty())
            .map(str::to_string)
            .collect()
    };
    let (words_a, words_b) = (words(a), words(b));
    // A word may rightly carry no mark (Lan, Thu, Hoa): once a name is written with
    // diacritics, each of its words is as written.
    let conflict = |x: &str, y: &str| fold(x) == fold(y) && tone_placed(x) != tone_placed(y);
    match (words_a.as_slice(), words_b.as_slice()) {
        (all_a, all_b) if all_a.len() == all_b.len() => {
            all_a.iter().zip(all_b).any(|(x, y)| conflict(x, y))
        }
        ([first_a, .., last_a], [first_b, .., last_b]) => {
            conflict(first_a, first_b) || conflict(last_a, last_b)
        }
        _ => false,
    }
}

/// Is byte `at` of a folded name a syllable's lone final vowel written `i` or `y`, after
/// at least one consonant (Lý, Mỹ, Kỳ, Sỹ, Quý: Lí, Mĩ, Kì, Sĩ, Quí are the same
/// names in the other spelling in use)? A y after another vowel (Huy, Tây) or alone
/// (the Ê Đê name Y) is no such vowel.
fn lone_final_i_or_y(folded: &[u8], at: usize) -> bool {
    if !matches!(folded.get(at), Some(b'i' | b'y')) {
        return false;
    }
    if folded.get(at + 1).is_some_and(|&b| b != b' ') {
        return false;
    }
    let start = folded[..at]
        .iter()
        .rposition(|&b| b == b' ')
        .map_or(0, |space| space + 1);
    let onset = &folded[start..at];
    !onset.is_empty()
        && (onset == b"qu"
            || onset
                .iter()
                .all(|&b| b.is_ascii_lowercase() && !matches!(b, b'a' | b'e' | b'i' | b'o' | b'u')))
}

/// Do two folded names differ only in how they write syllables' lone final vowel, i
/// against y (`ly van sy`, `li van si`)? Equal names are not variants.
pub fn i_y_variants(a_folded: &str, b_folded: &str) -> bool {
    let (a, b) = (a_folded.as_bytes(), b_folded.as_bytes());
    a.len() == b.len()
        && a != b
        && a.iter()
            .zip(b)
            .enumerate()
            .all(|(at, (x, y))| x == y || lone_final_i_or_y(a, at) && lone_final_i_or_y(b, at))
}

/// A folded name with every syllable's lone final vowel written `i` (see
/// [`i_y_variants`]), in `buffer`, so that both spellings give one blocking key; the
/// name itself when nothing changes or it does not fit.
pub fn i_for_final_y<'a>(folded: &'a str, buffer: &'a mut [u8]) -> &'a str {
    let bytes = folded.as_bytes();
    let finals = (0..bytes.len()).filter(|&at| bytes[at] == b'y' && lone_final_i_or_y(bytes, at));
    let Some(target) = buffer.get_mut(..bytes.len()) else {
        return folded;
    };
    let mut changed = false;
    for at in finals {
        if !changed {
            target.copy_from_slice(bytes);
            changed = true;
        }
        target[at] = b'i';
    }
    if !changed {
        return folded;
    }
    // An ASCII letter replaced by another keeps the text UTF-8.
    std::str::from_utf8(target).unwrap_or(folded)
}

/// Do two names agree but for the i / y spelling of syllables' lone final vowel, their
/// diacritics included (Lý Văn Sỹ = Lí Văn Sĩ; Mỹ ≠ Mì)? Only syllables with a tone
/// mark are spelt either way: without one, Vy and Vi, My and Mi, Ly and Li are given
/// names of their own. A name without diacritics cannot show its tones, so it never
/// agrees this way.
pub fn names_agree_but_i_y(a: &str, a_folded: &str, b: &str, b_folded: &str) -> bool {
    if !i_y_variants(a_folded, b_folded) || has_no_diacritics(a) || has_no_diacritics(b) {
        return false;
    }
    // The folded names have as many words as each other (same length, same spaces);
    // each name must have as many as its folded key for the words to pair up.
    let aligned =
        |name: &str, folded: &str| name.split_whitespace().count() == folded.split(' ').count();
    if !aligned(a, a_folded) || !aligned(b, b_folded) {
        return false;
    }
    let has_tone = |word: &str| word.nfd().any(is_tone_mark);
    let respelt_words_carry_tones = a
        .split_whitespace()
        .zip(b.split_whitespace())
        .zip(a_folded.split(' ').zip(b_folded.split(' ')))
        .all(|((word_a, word_b), (folded_a, folded_b))| {
            folded_a == folded_b || has_tone(word_a) && has_tone(word_b)
        });
    respelt_words_carry_tones
        && tone_placed(a).replace('y', "i") == tone_placed(b).replace('y', "i")
}

/// Folded keys equal once spaces are dropped (`my linh`, `mylinh`).
pub fn same_letters(a_folded: &str, b_folded: &str) -> bool {
    a_folded
        .bytes()
        .filter(|&b| b != b' ')
        .eq(b_folded.bytes().filter(|&b| b != b' '))
}

/// Vietnamese tone marks (grave, acute, tilde, hook above, dot below), as NFD carries
/// them; the other marks (circumflex, breve, horn) belong to their letter.
fn is_tone_mark(c: char) -> bool {
    matches!(
        c,
        '\u{0300}' | '\u{0301}' | '\u{0303}' | '\u{0309}' | '\u{0323}'
    )
}

/// A name as a comparison key where the tone mark's place does not count: lowercase
/// NFD without spaces, each run of vowels followed by its tone marks (so `hòa` and
/// `hoà` give the same key, and `hùng` and `hưng` do not). Eth is read as đ.
fn tone_placed(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let mut tones = String::new();
    for c in name.nfd().flat_map(char::to_lowercase) {
        if is_tone_mark(c) {
            tones.push(c);
        } else if is_combining_mark(c) || matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y') {
            out.push(c);
        } else {
            out.push_str(&tones);
            tones.clear();
            // Spaces and punctuation (H'Hen / H’Hen, Mai-Anh, a stray full stop) are
            // how the name was typed, not part of it.
            if c.is_alphanumeric() {
                out.push(if c == 'ð' { 'đ' } else { c });
            }
        }
    }
    out.push_str(&tones);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_digits_and_letters_read_as_ascii() {
        assert_eq!(clean("０７９１９０００１２３４"), "079190001234");
        assert_eq!(clean("Ｎｇｕｙễｎ\u{3000}An"), "Nguyễn An");
        let mut key = String::new();
        assert_eq!(clean_and_fold("ＨÙＮＧ", &mut key), "HÙNG");
        assert_eq!(key, "hung");
    }

    #[test]
    fn folds_vietnamese() {
        assert_eq!(fold("Nguyễn  Văn HÙNG"), "nguyen van hung");
        assert_eq!(fold("Đặng Thị Ánh"), "dang thi anh");
        assert_eq!(fold("Huỳnh Ngọc Ẩn"), "huynh ngoc an");
        assert_eq!(fold("  Lê-Thị   Ơn "), "le thi on");
        assert_eq!(fold("H'Mông"), "hmong");
        assert_eq!(fold_compact("Gia-Rai"), "giarai");
    }

    #[test]
    fn nfd_folds_like_nfc() {
        let nfc = "Nguyễn Thị Hường";
        let nfd: String = nfc.nfd().collect();
        assert_ne!(nfc, nfd);
        assert_eq!(fold(&nfd), fold(nfc));
        assert_eq!(clean(&nfd), nfc);
    }

    #[test]
    fn fast_nfc_path_agrees_with_the_full_check() {
        for text in ["Nguyễn Thị Hường", "Đặng Ánh", "abc", "Việt Nam", "Ơn Ưu"] {
            assert!(surely_nfc(text.as_bytes()), "{text}");
            assert_eq!(is_nfc_quick(text.chars()), IsNormalized::Yes);
        }
        let nfd: String = "Nguyễn".nfd().collect();
        assert!(!surely_nfc(nfd.as_bytes()));
        assert!(!surely_nfc("日本".as_bytes()));
    }

    #[test]
    fn clean_borrows_clean_text() {
        assert!(matches!(clean("Trần Văn A"), std::borrow::Cow::Borrowed(_)));
        assert_eq!(clean("  Trần \t Văn  A "), "Trần Văn A");
        assert_eq!(clean("Trần\u{a0}Văn"), "Trần Văn");
    }

    proptest::proptest! {
        /// The one-pass name path gives exactly `clean` then `fold_into`, on clean and
        /// dirty text alike (spaces, tabs, no-break spaces, NFD marks, apostrophes).
        #[test]
        fn clean_and_fold_equals_the_two_steps(
            text in "[a-zA-ZàáạảãâầấậẩẫăằắặẳẵđĐưƯơƠêềếệểễôồốộổỗÀÁẠẢÃ'’\\- ,.\t\u{a0}\u{301}\u{323}©«日]{0,24}"
        ) {
            let mut one_pass = String::from("stale");
            let cleaned = clean_and_fold(&text, &mut one_pass);
            let expected_clean = clean(&text);
            let mut expected_fold = String::new();
            fold_into(&expected_clean, &mut expected_fold);
            proptest::prop_assert_eq!(cleaned.as_ref(), expected_clean.as_ref());
            proptest::prop_assert_eq!(one_pass, expected_fold);
        }
    }

    #[test]
    fn clean_and_fold_on_names() {
        let mut folded = String::new();
        let cleaned = clean_and_fold("Nguyễn Thị Ánh-Hồng H'Mông", &mut folded);
        assert!(matches!(cleaned, std::borrow::Cow::Borrowed(_)));
        assert_eq!(folded, "nguyen thi anh hong hmong");
        assert_eq!(clean_and_fold(" Đặng  Văn ", &mut folded), "Đặng Văn");
        assert_eq!(folded, "dang van");
    }

    #[test]
    fn name_agreement() {
        let agree = |a: &str, b: &str| names_agree(a, &fold(a), b, &fold(b));
        assert!(agree("Nguyễn Văn Hùng", "NGUYỄN  VĂN HÙNG"));
        assert!(agree("Nguyễn Văn Hùng", "Nguyen Van Hung"));
        assert!(!agree("Nguyễn Văn Hùng", "Nguyễn Văn Hưng"));
        assert!(!agree("Nguyễn Văn Hùng", "Nguyễn Hùng"));
        // Old and new tone placement, a missing space, eth for Đ.
        assert!(agree("Nguyễn Thị Hòa", "Nguyễn Thị Hoà"));
        assert!(agree("Lê Thủy", "LÊ THUỶ"));
        assert!(agree("Trần Quý", "Trần Qúy"));
        assert!(agree("Võ Thị Mỹ Linh", "Võ Thị MỹLinh"));
        assert!(agree("Đặng Đức", "Ðặng Ðức"));
        // The tone itself, and the other marks, still count.
        assert!(!agree("Nguyễn Thị Hòa", "Nguyễn Thị Hóa"));
        assert!(!agree("Lê Thủy", "Lê Thùy"));
        assert!(!agree("Trần Hoà", "Trần Hoa"));
        assert!(!agree("Phạm Hơn", "Phạm Hồn"));
        assert_eq!(fold("Ðức"), "duc");
        // Apostrophes as typed by other programs, hyphens and stray full stops.
        assert!(agree("H'Hen Niê", "H’Hen Niê"));
        assert!(agree("Ksor H'Ngơn", "Ksor H`Ngơn"));
        assert!(agree("K'Bròi", "K Bròi"));
        assert!(agree("Trần Thị Mai Anh", "Trần Thị Mai-Anh"));
        assert!(agree("Võ Văn Tý", "Võ Văn Tý."));
        assert!(!agree("H'Hen Niê", "H’Hên Niê"));
    }

    #[test]
    fn i_and_y_spellings_of_one_name() {
        for (a, b) in [
            ("Lý Văn Sỹ", "Lí Văn Sĩ"),
            ("Trịnh Thị Mỹ Kỳ", "Trịnh Thị Mĩ Kì"),
            ("Phạm Quý Hùng", "Phạm Quí Hùng"),
            ("LÝ THỊ MỸ", "Lí Thị Mĩ"),
        ] {
            assert!(names_agree_but_i_y(a, &fold(a), b, &fold(b)), "{a} / {b}");
        }
        for (a, b) in [
            // Another tone, another vowel before y, the Ê Đê name Y, the same name.
            ("Lý Văn Sỹ", "Lì Văn Sĩ"),
            ("Nguyễn Văn Huy", "Nguyễn Văn Hui"),
            ("Lê Thị Tây", "Lê Thị Tâi"),
            ("Y Moan Niê", "I Moan Niê"),
            ("Lý Văn Sỹ", "Lý Văn Sỹ"),
            // Without a tone, Vy and Vi are two given names; without diacritics, the
            // tones are unknown.
            ("Nguyễn Thị Vy", "Nguyễn Thị Vi"),
            ("Lý Thị Mỹ", "LI THI MI"),
        ] {
            assert!(!names_agree_but_i_y(a, &fold(a), b, &fold(b)), "{a} / {b}");
        }
        let mut buffer = [0u8; 64];
        assert_eq!(i_for_final_y("ly thi my ky", &mut buffer), "li thi mi ki");
        assert_eq!(
            i_for_final_y("nguyen van huy", &mut buffer),
            "nguyen van huy"
        );
        assert_eq!(i_for_final_y("pham quy hung", &mut buffer), "pham qui hung");
        let long = "ly ".repeat(30);
        assert_eq!(i_for_final_y(&long, &mut buffer), long);
    }

    #[test]
    fn diacritics_conflicts() {
        assert!(diacritics_conflict("Trần Văn Hùng", "Trần Văn Hưng"));
        assert!(diacritics_conflict("Phan Thị Lan", "Phan Thị Lân"));
        assert!(diacritics_conflict("Lê Văn Hùng", "Lê Hưng"));
        // Typos and other words are for fuzzy matching to weigh, not a conflict.
        assert!(!diacritics_conflict("Trần Văn Hùng", "Trần Văn Hùg"));
        assert!(!diacritics_conflict("Trần Văn Hùng", "Đặng Văn Hùng"));
        // Without diacritics (the whole name or the word), tone placement, case.
        assert!(!diacritics_conflict("Tran Van Hung", "Trần Văn Hưng"));
        assert!(diacritics_conflict("Trần Văn Hung", "Trần Văn Hưng"));
        assert!(diacritics_conflict("Nguyễn Thị Thu", "Nguyễn Thị Thư"));
        assert!(!diacritics_conflict("Nguyễn Thị Hòa", "NGUYỄN THỊ HOÀ"));
        assert!(!diacritics_conflict("Trần Văn Hùng", "Trần Văn Hùng"));
    }
}
