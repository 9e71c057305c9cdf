//! Calendar arithmetic on plain (year, month, day) triples, date rendering in the
//! register's styles, and parsing of the rendered forms for the truth checks.
//!
//! Own arithmetic rather than chrono in the hot loops: millions of dates are drawn and
//! rendered, and day numbers make ranges and ages cheap.

use std::fmt::Write as _;

/// A calendar date; the all-zero value means "no date".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) struct Ymd {
    /// Year.
    pub y: i16,
    /// Month 1–12.
    pub m: u8,
    /// Day 1–31.
    pub d: u8,
}

impl Ymd {
    /// The empty date.
    pub(super) const NONE: Ymd = Ymd { y: 0, m: 0, d: 0 };

    /// A date from its parts (not validated).
    pub(super) const fn new(y: i32, m: u32, d: u32) -> Ymd {
        Ymd {
            y: y as i16,
            m: m as u8,
            d: d as u8,
        }
    }

    /// Is this the empty date?
    pub(super) fn is_none(self) -> bool {
        self.y == 0
    }

    /// Is a date set?
    pub(super) fn is_some(self) -> bool {
        self.y != 0
    }

    /// Year as i32.
    pub(super) fn year(self) -> i32 {
        i32::from(self.y)
    }

    /// Days since 1970-01-01 (proleptic Gregorian).
    pub(super) fn days(self) -> i32 {
        days_from_civil(i32::from(self.y), u32::from(self.m), u32::from(self.d))
    }

    /// The date `days` after 1970-01-01.
    pub(super) fn from_days(days: i32) -> Ymd {
        let (y, m, d) = civil_from_days(days);
        Ymd::new(y, m, d)
    }

    /// This date moved by `n` days.
    pub(super) fn add_days(self, n: i32) -> Ymd {
        Ymd::from_days(self.days() + n)
    }

    /// The same month and day `n` years later (29 Feb becomes 28 Feb when needed).
    pub(super) fn add_years(self, n: i32) -> Ymd {
        let y = i32::from(self.y) + n;
        let d = u32::from(self.d).min(days_in_month(y, u32::from(self.m)));
        Ymd::new(y, u32::from(self.m), d)
    }

    /// Is this a real calendar date?
    pub(super) fn is_valid(self) -> bool {
        (1..=12).contains(&self.m)
            && self.d >= 1
            && u32::from(self.d) <= days_in_month(i32::from(self.y), u32::from(self.m))
    }

    /// From a chrono date.
    pub(super) fn from_naive(date: chrono::NaiveDate) -> Ymd {
        use chrono::Datelike;
        Ymd::new(date.year(), date.month(), date.day())
    }
}

/// Days in a month of a year.
pub(super) fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

// Howard Hinnant's algorithms: exact for every Gregorian date, no tables.
fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i32;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i32 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i32) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Completed years of age on `on` for someone born on `birth`.
pub(super) fn age_on(birth: Ymd, on: Ymd) -> i32 {
    let mut age = i32::from(on.y) - i32::from(birth.y);
    if (on.m, on.d) < (birth.m, birth.d) {
        age -= 1;
    }
    age
}

/// How precisely a date is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Precision {
    /// Day, month and year.
    Day,
    /// Month and year.
    Month,
    /// Year only.
    Year,
}

/// Written forms of a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum DateStyle {
    /// `dd/mm/yyyy`.
    Dmy,
    /// `d/m/yyyy`.
    DmyShort,
    /// `yyyy-mm-dd`.
    Iso,
}

/// Append `date` to `out` in `style` at `precision` (partial dates are `mm/yyyy` or
/// `yyyy` whatever the style).
pub(super) fn write_date(out: &mut String, date: Ymd, style: DateStyle, precision: Precision) {
    if date.is_none() {
        return;
    }
    // Writing to a String cannot fail.
    let _ = match precision {
        Precision::Year => write!(out, "{}", date.y),
        Precision::Month => write!(out, "{:02}/{}", date.m, date.y),
        Precision::Day => match style {
            DateStyle::Dmy => write!(out, "{:02}/{:02}/{}", date.d, date.m, date.y),
            DateStyle::DmyShort => write!(out, "{}/{}/{}", date.d, date.m, date.y),
            DateStyle::Iso => write!(out, "{}-{:02}-{:02}", date.y, date.m, date.d),
        },
    };
}

/// A date as read back from a rendered field: unknown month/day are 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct PDate {
    /// Year.
    pub y: i32,
    /// Month or 0.
    pub m: u32,
    /// Day or 0.
    pub d: u32,
}

impl PDate {
    /// First day the date can mean.
    pub(super) fn earliest(self) -> Ymd {
        Ymd::new(self.y, self.m.max(1), self.d.max(1))
    }

    /// Last day the date can mean.
    pub(super) fn latest(self) -> Ymd {
        let m = if self.m == 0 { 12 } else { self.m };
        let d = if self.d == 0 {
            days_in_month(self.y, m)
        } else {
            self.d
        };
        Ymd::new(self.y, m, d)
    }

    /// Is the day known?
    pub(super) fn is_full(self) -> bool {
        self.d != 0
    }
}

/// Parse a rendered date (`dd/mm/yyyy`, `d/m/yyyy`, `yyyy-mm-dd`, `mm/yyyy`, `yyyy`);
/// `None` for empty or unparseable text, or a day that does not exist.
pub(super) fn parse_date(text: &str) -> Option<PDate> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let num = |s: &str| -> Option<u32> {
        if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    };
    let date = if text.contains('-') {
        let mut parts = text.split('-');
        let y = num(parts.next()?)?;
        let m = num(parts.next()?)?;
        let d = num(parts.next()?)?;
        if parts.next().is_some() {
            return None;
        }
        PDate { y: y as i32, m, d }
    } else {
        let parts: Vec<&str> = text.split('/').collect();
        match parts.as_slice() {
            [y] => PDate {
                y: num(y)? as i32,
                m: 0,
                d: 0,
            },
            [m, y] => PDate {
                y: num(y)? as i32,
                m: num(m)?,
                d: 0,
            },
            [d, m, y] => PDate {
                y: num(y)? as i32,
                m: num(m)?,
                d: num(d)?,
            },
            _ => return None,
        }
    };
    if date.m > 12 || (date.m == 0 && date.d != 0) {
        return None;
    }
    if date.d != 0 && date.d > days_in_month(date.y, date.m) {
        return None;
    }
    Some(date)
}
