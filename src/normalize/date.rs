//! Date parsing: day-first formats of Vietnamese administrative data.
//!
//! Accepted: `dd/mm/yyyy`, `d/m/yyyy` (also with `-` or `.`), ISO `yyyy-mm-dd` (with
//! an optional clock after `T` or a space, as Parquet timestamps cast to text), and
//! the partial forms `mm/yyyy`, `m/yyyy` and `yyyy`. A whole day-first date may carry
//! a clock time (`05/03/1990 00:00:00`, `… 12:00:00 AM`, `… SA`: a spreadsheet's date
//! cell), which is dropped. A spreadsheet's date serial number (`36370`) is its day.
//! Month-first is never guessed. Anything else — including dates that do not exist, like
//! 31/02/1990 — is [`PartialDate::INVALID`].

use crate::model::date::PartialDate;

/// Parse one date value. Empty (after trimming) is [`PartialDate::EMPTY`].
pub fn parse_date(text: &str) -> PartialDate {
    let text = text.trim();
    if text.is_empty() {
        return PartialDate::EMPTY;
    }
    match parse_bytes(text.as_bytes()) {
        Some(date) => date,
        // Full-width digits, a no-break space: what `clean` makes of the text may read.
        None if !text.is_ascii() => match super::text::clean(text) {
            std::borrow::Cow::Owned(clean) if clean.is_ascii() => {
                parse_bytes(clean.as_bytes()).unwrap_or(PartialDate::INVALID)
            }
            _ => PartialDate::INVALID,
        },
        None => PartialDate::INVALID,
    }
}

fn parse_bytes(bytes: &[u8]) -> Option<PartialDate> {
    // ISO first: it is the only form that starts with four digits and a separator.
    if bytes.len() >= 10 && bytes[4] == b'-' && bytes[7] == b'-' {
        // A timestamp cast to text: a clock (`hh:mm`) must follow, whatever comes after
        // it (seconds, a fraction, a time zone).
        let rest = &bytes[10..];
        if !rest.is_empty() && !is_iso_time_start(rest) {
            return None;
        }
        let year = digits(&bytes[0..4])?;
        let month = digits(&bytes[5..7])?;
        let day = digits(&bytes[8..10])?;
        return with_unknown_parts(year, month, day);
    }
    if let Some(date) = excel_serial(bytes) {
        return Some(date);
    }
    // A spreadsheet that stored a date cell as a date-time exports "05/03/1990 00:00"
    // or "05/03/1990 00:00:00" (in a 12-hour locale "… 12:00:00 AM", in Vietnamese
    // "… 12:00:00 SA"): the time says nothing about the birth and is dropped.
    let (bytes, with_time) = match bytes.iter().position(|&b| b == b' ') {
        Some(space) if is_time(without_meridiem(&bytes[space + 1..])) => (&bytes[..space], true),
        Some(_) => return None,
        None => (bytes, false),
    };
    let mut parts = [0u32; 3];
    let mut lengths = [0usize; 3];
    let mut count = 0;
    let mut separator = 0u8;
    for piece in bytes.split(|b| matches!(b, b'/' | b'-' | b'.')) {
        if count == 3 {
            return None;
        }
        parts[count] = digits(piece)?;
        lengths[count] = piece.len();
        count += 1;
    }
    // One kind of separator only: `12/03-1990` is not a date.
    for &b in bytes {
        if matches!(b, b'/' | b'-' | b'.') {
            if separator == 0 {
                separator = b;
            } else if separator != b {
                return None;
            }
        }
    }
    match count {
        // Only a whole date comes with a time: "1990 00:00" is not a date cell.
        _ if with_time && count != 3 => None,
        1 if lengths[0] == 4 => PartialDate::year_only(parts[0] as i32),
        2 if (1..=2).contains(&lengths[0]) && lengths[1] == 4 => {
            PartialDate::year_month(parts[1] as i32, parts[0])
        }
        3 if (1..=2).contains(&lengths[0]) && (1..=2).contains(&lengths[1]) && lengths[2] == 4 => {
            with_unknown_parts(parts[2], parts[1], parts[0])
        }
        // Year first (`1990/03/05`, `1990.3.5`): with the year in front, year-month-day
        // is the only order in use, so this is no guess at month-first.
        3 if lengths[0] == 4 && (1..=2).contains(&lengths[1]) && (1..=2).contains(&lengths[2]) => {
            with_unknown_parts(parts[0], parts[1], parts[2])
        }
        // `1960-03`: the year-first partial date.
        2 if lengths[0] == 4 && (1..=2).contains(&lengths[1]) => {
            PartialDate::year_month(parts[0] as i32, parts[1])
        }
        _ => None,
    }
}

/// A full date, or a partial one where the register writes an unknown day or month as
/// zero (`00/03/1960`, `00/00/1960`, `1960-00-00`). A zero month with a known day is
/// no date.
fn with_unknown_parts(year: u32, month: u32, day: u32) -> Option<PartialDate> {
    match (month, day) {
        (0, 0) => PartialDate::year_only(year as i32),
        (_, 0) => PartialDate::year_month(year as i32, month),
        _ => PartialDate::ymd(year as i32, month, day),
    }
}

/// The day a spreadsheet's date serial number names, when a date column was exported
/// as numbers (`36370` is 29/07/1999; a fraction is the time of day): from 01/10/1905
/// (2101) to 31/12/2099 (73050). Four digits up to 2100 are a year.
fn excel_serial(bytes: &[u8]) -> Option<PartialDate> {
    // Every other date form has a separator within its first five bytes: this is the
    // only scan most values get.
    let whole_len = bytes
        .iter()
        .take(6)
        .take_while(|b| b.is_ascii_digit())
        .count();
    if !(4..=5).contains(&whole_len) {
        return None;
    }
    let (whole, fraction) = bytes.split_at(whole_len);
    let fraction_ok = match fraction {
        [] => true,
        [b'.', digits @ ..] => !digits.is_empty() && digits.iter().all(u8::is_ascii_digit),
        _ => false,
    };
    if !fraction_ok {
        return None;
    }
    let days = whole
        .iter()
        .fold(0u32, |value, &b| value * 10 + u32::from(b - b'0'));
    // 9999 is a placeholder for "unknown", not a day in 1927: it stays a year, which
    // the date rules then flag.
    if !(2_101..=73_050).contains(&days) || days == 9_999 {
        return None;
    }
    // Day 0 is 30/12/1899: Excel counts the 1900 leap day that never was, so every
    // serial after February 1900 is days since then.
    let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30)?;
    let date = epoch.checked_add_days(chrono::Days::new(u64::from(days)))?;
    use chrono::Datelike;
    PartialDate::ymd(date.year(), date.month(), date.day())
}

/// A clock time without a trailing 12-hour marker (`AM`, `PM`, or the Vietnamese
/// `SA`, `CH`).
fn without_meridiem(time: &[u8]) -> &[u8] {
    match time {
        [clock @ .., b' ', first, second]
            if matches!(
                [first.to_ascii_uppercase(), second.to_ascii_uppercase()],
                [b'A' | b'P', b'M'] | [b'S', b'A'] | [b'C', b'H']
            ) =>
        {
            clock
        }
        _ => time,
    }
}

/// A clock time `h:mm` or `hh:mm:ss`, the seconds optionally with a fraction
/// (`00:00:00.000`), within 23:59:59.
fn is_time(bytes: &[u8]) -> bool {
    let (clock, fraction) = match bytes.iter().position(|&b| b == b'.') {
        Some(dot) => (&bytes[..dot], Some(&bytes[dot + 1..])),
        None => (bytes, None),
    };
    if fraction.is_some_and(|f| f.is_empty() || !f.iter().all(u8::is_ascii_digit)) {
        return false;
    }
    let mut parts = 0;
    for (i, piece) in clock.split(|&b| b == b':').enumerate() {
        let (limit, lengths) = if i == 0 { (23, 1..=2) } else { (59, 2..=2) };
        match digits(piece) {
            Some(value) if lengths.contains(&piece.len()) && value <= limit => parts += 1,
            _ => return false,
        }
    }
    // A fraction belongs to the seconds only.
    (2..=3).contains(&parts) && (fraction.is_none() || parts == 3)
}

/// `T` or a space, then `hh:mm` within 23:59.
fn is_iso_time_start(rest: &[u8]) -> bool {
    match rest {
        [b'T' | b' ', h1, h2, b':', m1, m2, ..] => {
            let hour = digits(&[*h1, *h2]);
            let minute = digits(&[*m1, *m2]);
            hour.is_some_and(|h| h <= 23) && minute.is_some_and(|m| m <= 59)
        }
        _ => false,
    }
}

/// A run of 1–4 ASCII digits as a number.
#[inline]
fn digits(piece: &[u8]) -> Option<u32> {
    if piece.is_empty() || piece.len() > 4 {
        return None;
    }
    let mut value = 0u32;
    for &b in piece {
        if !b.is_ascii_digit() {
            return None;
        }
        value = value * 10 + u32::from(b - b'0');
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::date::Precision;

    fn ymd(text: &str) -> (i32, u32, u32) {
        let d = parse_date(text);
        (d.year(), d.month(), d.day())
    }

    #[test]
    fn full_dates_in_every_format() {
        assert_eq!(ymd("05/03/1990"), (1990, 3, 5));
        assert_eq!(ymd("5/3/1990"), (1990, 3, 5));
        assert_eq!(ymd("1990-03-05"), (1990, 3, 5));
        assert_eq!(ymd("05-03-1990"), (1990, 3, 5));
        assert_eq!(ymd("05.03.1990"), (1990, 3, 5));
        assert_eq!(ymd("1990-03-05T00:00:00"), (1990, 3, 5));
        assert_eq!(ymd("1990-03-05 00:00:00"), (1990, 3, 5));
        assert_eq!(ymd("1990-03-05T23:59:59.123+07:00"), (1990, 3, 5));
        assert_eq!(ymd("1990-03-05 07:00:00 UTC"), (1990, 3, 5));
        assert_eq!(ymd(" 29/02/2000 "), (2000, 2, 29));
        assert_eq!(ymd("05/03/1990 00:00:00"), (1990, 3, 5));
        assert_eq!(ymd("5/3/1990 0:00"), (1990, 3, 5));
        assert_eq!(ymd("05/03/1990 00:00:00.000"), (1990, 3, 5));
        assert_eq!(ymd("05/03/1990 23:59:59"), (1990, 3, 5));
        assert_eq!(ymd("1990/03/05"), (1990, 3, 5));
        assert_eq!(ymd("1990.3.5"), (1990, 3, 5));
        assert_eq!(ymd("1990/03/05 00:00:00"), (1990, 3, 5));
        assert_eq!(ymd("29/07/1999 12:00:00 AM"), (1999, 7, 29));
        assert_eq!(ymd("29/07/1999 12:00:00 SA"), (1999, 7, 29));
        assert_eq!(ymd("29/07/1999 3:15 pm"), (1999, 7, 29));
        assert_eq!(ymd("２９/０７/１９９９"), (1999, 7, 29));
        assert_eq!(ymd("29/07/1999\u{a0}"), (1999, 7, 29));
    }

    #[test]
    fn spreadsheet_serial_numbers_are_the_days_they_count() {
        assert_eq!(ymd("36370"), (1999, 7, 29));
        assert_eq!(ymd("36370.5"), (1999, 7, 29));
        assert_eq!(ymd("10000"), (1927, 5, 18));
        assert_eq!(ymd("73050"), (2099, 12, 31));
        assert_eq!(ymd("45000"), (2023, 3, 15));
        assert_eq!(ymd("9766"), (1926, 9, 26));
        assert_eq!(ymd("2101"), (1905, 10, 1));
        // Four digits up to 2100 are a year; out of range or signed is no date.
        assert_eq!(parse_date("1990").precision(), Some(Precision::Year));
        assert_eq!(parse_date("2100").precision(), Some(Precision::Year));
        assert_eq!(parse_date("9999").year(), 9999);
        for bad in ["73051", "-36370", "36370.", "363700", "3637O"] {
            assert!(parse_date(bad).is_invalid(), "{bad}");
        }
    }

    #[test]
    fn day_first_never_month_first() {
        // 03/12 is the 3rd of December, never March 12th.
        assert_eq!(ymd("03/12/1990"), (1990, 12, 3));
        // 12/25/1990 would be month-first: invalid, not silently swapped.
        assert!(parse_date("12/25/1990").is_invalid());
    }

    #[test]
    fn partial_dates_keep_precision() {
        let m = parse_date("03/1948");
        assert_eq!(m.precision(), Some(Precision::Month));
        assert_eq!((m.year(), m.month()), (1948, 3));
        assert_eq!(parse_date("3/1948").month(), 3);
        let y = parse_date("1948");
        assert_eq!(y.precision(), Some(Precision::Year));
        // The register's way of writing an unknown day or month: zeros.
        for (text, precision, month) in [
            ("00/03/1948", Precision::Month, 3),
            ("0/3/1948", Precision::Month, 3),
            ("1948-03-00", Precision::Month, 3),
            ("1948-03", Precision::Month, 3),
            ("00/00/1948", Precision::Year, 0),
            ("0/0/1948", Precision::Year, 0),
            ("1948-00-00", Precision::Year, 0),
        ] {
            let date = parse_date(text);
            assert_eq!(date.precision(), Some(precision), "{text}");
            assert_eq!((date.year(), date.month()), (1948, month), "{text}");
        }
    }

    #[test]
    fn invalid_dates() {
        for bad in [
            "31/02/1990",
            "29/02/1990",
            "05/00/1990",
            "00/13/1990",
            "0000-00-00",
            "00/00/0000",
            "13/13/1990",
            "1990-02-30",
            "abc",
            "12/1990/01",
            "1990/13/05",
            "1990/02/30",
            "1990/03/005",
            "12/03-1990",
            "90",
            "1/2/90",
            "13/1990",
            "1990-03-05X",
            "1990-03-05 abc",
            "1990-03-05T",
            "1990-03-05 24:00",
            "1990-03-05 1:00",
            "05/03/1990 abc",
            "05/03/1990 12",
            "05/03/1990 1:2",
            "05/03 1990",
            "05/03/1990 00:00:00:00",
            "05/03/1990 24:00",
            "05/03/1990 10:60",
            "05/03/1990 00:00.5",
            "05/03/1990 00:00:00.5:00",
            "05/03/1990 00:00:00.",
            "1990 00:00",
            "03/1990 00:00",
        ] {
            assert!(parse_date(bad).is_invalid(), "{bad} should be invalid");
        }
        assert!(parse_date("  ").is_empty());
    }
}
