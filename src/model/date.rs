//! Dates that remember how much of them is known.
//!
//! Older citizens are often registered with only a year (`1948`) or a month (`03/1948`).
//! Such a date is not an error: it compares only at its own precision. The value packs
//! year, month and day into one `u32` so that a column of dates is a plain `Vec<u32>`
//! and full dates order like calendar dates.

use chrono::{Datelike, NaiveDate};

/// How much of a date is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Precision {
    /// Only the year.
    Year,
    /// Month and year.
    Month,
    /// Day, month and year.
    Day,
}

/// A calendar date of year, month or day precision, or empty / invalid, in 4 bytes.
///
/// Layout: `year << 9 | month << 5 | day`; month 0 means year precision, day 0 month
/// precision. `0` is "empty" and `u32::MAX` is "present but not a date".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct PartialDate(u32);

impl PartialDate {
    /// No date given.
    pub const EMPTY: PartialDate = PartialDate(0);
    /// A value was given but it is not a valid date (31/02/1990, "abc").
    pub const INVALID: PartialDate = PartialDate(u32::MAX);

    /// A full date; `None` when the day does not exist in that month.
    pub fn ymd(year: i32, month: u32, day: u32) -> Option<Self> {
        if !(1..=9999).contains(&year) || !(1..=12).contains(&month) {
            return None;
        }
        if day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Self::pack(year as u32, month, day))
    }

    /// A month-precision date.
    pub fn year_month(year: i32, month: u32) -> Option<Self> {
        if !(1..=9999).contains(&year) || !(1..=12).contains(&month) {
            return None;
        }
        Some(Self::pack(year as u32, month, 0))
    }

    /// A year-precision date.
    pub fn year_only(year: i32) -> Option<Self> {
        if !(1..=9999).contains(&year) {
            return None;
        }
        Some(Self::pack(year as u32, 0, 0))
    }

    /// From a chrono date (day precision).
    pub fn from_naive(date: NaiveDate) -> Self {
        Self::pack(date.year() as u32, date.month(), date.day())
    }

    fn pack(year: u32, month: u32, day: u32) -> Self {
        PartialDate(year << 9 | month << 5 | day)
    }

    /// The packed representation (for columns and hashing).
    pub fn raw(self) -> u32 {
        self.0
    }

    /// Rebuild from [`PartialDate::raw`].
    pub fn from_raw(raw: u32) -> Self {
        PartialDate(raw)
    }

    /// True when no date was given.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// True when a value was given that is not a date.
    pub fn is_invalid(self) -> bool {
        self == Self::INVALID
    }

    /// True for a usable date of any precision.
    pub fn is_known(self) -> bool {
        !self.is_empty() && !self.is_invalid()
    }

    /// The year (0 when not known).
    pub fn year(self) -> i32 {
        if self.is_known() {
            (self.0 >> 9) as i32
        } else {
            0
        }
    }

    /// The month, 0 when not known.
    pub fn month(self) -> u32 {
        if self.is_known() {
            (self.0 >> 5) & 0xF
        } else {
            0
        }
    }

    /// The day, 0 when not known.
    pub fn day(self) -> u32 {
        if self.is_known() {
            self.0 & 0x1F
        } else {
            0
        }
    }

    /// How much of the date is known; `None` for empty or invalid.
    pub fn precision(self) -> Option<Precision> {
        if !self.is_known() {
            None
        } else if self.month() == 0 {
            Some(Precision::Year)
        } else if self.day() == 0 {
            Some(Precision::Month)
        } else {
            Some(Precision::Day)
        }
    }

    /// The same date cut down to `precision` (no-op when already coarser).
    pub fn truncate(self, precision: Precision) -> Self {
        match (self.precision(), precision) {
            (None, _) => self,
            (Some(own), wanted) if own <= wanted => self,
            (_, Precision::Year) => Self::pack(self.year() as u32, 0, 0),
            (_, Precision::Month) => Self::pack(self.year() as u32, self.month(), 0),
            (_, Precision::Day) => self,
        }
    }

    /// Do two dates agree at the coarser precision of the two? `None` when either is
    /// missing or invalid (nothing to compare).
    pub fn agrees_with(self, other: PartialDate) -> Option<bool> {
        let (a, b) = (self.precision()?, other.precision()?);
        let common = a.min(b);
        Some(self.truncate(common) == other.truncate(common))
    }

    /// Could one full date be the other mistyped? True when they differ and, written
    /// `yyyymmdd`, one digit was changed or two neighbouring digits swapped, or the day
    /// and month were swapped (`05/03` for `03/05`), or they are one day apart. Both
    /// dates must have day precision.
    pub fn typo_of(self, other: PartialDate) -> bool {
        if self == other
            || self.precision() != Some(Precision::Day)
            || other.precision() != Some(Precision::Day)
        {
            return false;
        }
        // Called for many candidate pairs while blocking: digits are compared as
        // nibbles of one `u32` (binary-coded decimal), without allocating or chrono.
        let (a, b) = (self.decimal_digits(), other.decimal_digits());
        let differing = {
            let diff = a ^ b;
            (diff | diff >> 1 | diff >> 2 | diff >> 3) & 0x1111_1111
        };
        let neighbours_swapped = || {
            let (low, high) = (differing.trailing_zeros(), 31 - differing.leading_zeros());
            high - low == 4
                && (a >> low) & 0xF == (b >> high) & 0xF
                && (a >> high) & 0xF == (b >> low) & 0xF
        };
        match differing.count_ones() {
            1 => return true,
            2 if neighbours_swapped() => return true,
            _ => {}
        }
        let day_month_swapped = self.year() == other.year()
            && self.day() == other.month()
            && self.month() == other.day();
        let (earlier, later) = if self < other {
            (self, other)
        } else {
            (other, self)
        };
        let next_day = if earlier.day() < days_in_month(earlier.year(), earlier.month()) {
            PartialDate::pack(earlier.year() as u32, earlier.month(), earlier.day() + 1)
        } else if earlier.month() < 12 {
            PartialDate::pack(earlier.year() as u32, earlier.month() + 1, 1)
        } else {
            PartialDate::pack(earlier.year() as u32 + 1, 1, 1)
        };
        day_month_swapped || later == next_day
    }

    /// The eight digits of `yyyymmdd`, one per nibble.
    fn decimal_digits(self) -> u32 {
        let (y, m, d) = (self.year() as u32, self.month(), self.day());
        [
            y / 1000 % 10,
            y / 100 % 10,
            y / 10 % 10,
            y % 10,
            m / 10,
            m % 10,
            d / 10,
            d % 10,
        ]
        .iter()
        .fold(0, |acc, &digit| acc << 4 | digit)
    }

    /// The first calendar day the date can mean.
    pub fn earliest(self) -> Option<NaiveDate> {
        let month = self.month().max(1);
        let day = self.day().max(1);
        NaiveDate::from_ymd_opt(self.year(), month, day).filter(|_| self.is_known())
    }

    /// The last calendar day the date can mean.
    pub fn latest(self) -> Option<NaiveDate> {
        if !self.is_known() {
            return None;
        }
        let year = self.year();
        let month = if self.month() == 0 { 12 } else { self.month() };
        let day = if self.day() == 0 {
            days_in_month(year, month)
        } else {
            self.day()
        };
        NaiveDate::from_ymd_opt(year, month, day)
    }

    /// Display form used in findings and worklists: `dd/mm/yyyy`, `mm/yyyy` or `yyyy`.
    pub fn display(self) -> String {
        match self.precision() {
            None => String::new(),
            Some(Precision::Year) => format!("{:04}", self.year()),
            Some(Precision::Month) => format!("{:02}/{:04}", self.month(), self.year()),
            Some(Precision::Day) => {
                format!("{:02}/{:02}/{:04}", self.day(), self.month(), self.year())
            }
        }
    }
}

/// Days in a month of the proleptic Gregorian calendar.
pub fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// The day a person born on `birth` reaches `years` of age (29 February → 1 March).
pub fn anniversary(birth: NaiveDate, years: i32) -> Option<NaiveDate> {
    let year = birth.year() + years;
    NaiveDate::from_ymd_opt(year, birth.month(), birth.day())
        .or_else(|| NaiveDate::from_ymd_opt(year, 3, 1))
}

/// Completed years between `birth` and `on`.
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> i32 {
    let mut age = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precision_and_display() {
        let d = PartialDate::ymd(1990, 2, 28).unwrap();
        assert_eq!(d.precision(), Some(Precision::Day));
        assert_eq!(d.display(), "28/02/1990");
        let m = PartialDate::year_month(1948, 3).unwrap();
        assert_eq!(m.display(), "03/1948");
        let y = PartialDate::year_only(1948).unwrap();
        assert_eq!(y.display(), "1948");
        assert!(PartialDate::ymd(1990, 2, 29).is_none());
        assert!(PartialDate::ymd(2000, 2, 29).is_some());
    }

    #[test]
    fn typos_of_a_birth_date() {
        let d = |y, m, day| PartialDate::ymd(y, m, day).unwrap();
        let base = d(1985, 3, 15);
        // One digit, neighbours swapped, day and month swapped, one day apart.
        assert!(base.typo_of(d(1985, 3, 16)));
        assert!(base.typo_of(d(1985, 3, 25)));
        assert!(base.typo_of(d(1985, 8, 15)));
        assert!(base.typo_of(d(1986, 3, 15)));
        assert!(base.typo_of(d(1958, 3, 15)));
        assert!(base.typo_of(d(1985, 3, 11)));
        assert!(d(1985, 3, 12).typo_of(d(1985, 12, 3)));
        assert!(d(1985, 3, 31).typo_of(d(1985, 4, 1)));
        assert!(d(1985, 12, 31).typo_of(d(1986, 1, 1)));
        // Not typos: equal, two unrelated digits, partial dates.
        assert!(!base.typo_of(base));
        assert!(!base.typo_of(d(1985, 4, 16)));
        assert!(!base.typo_of(d(1984, 3, 16)));
        assert!(!base.typo_of(d(1985, 3, 28)));
        assert!(!base.typo_of(PartialDate::year_month(1985, 3).unwrap()));
        assert!(!PartialDate::year_only(1985)
            .unwrap()
            .typo_of(PartialDate::year_only(1986).unwrap()));
        // Symmetric.
        for other in [
            d(1985, 3, 16),
            d(1985, 3, 11),
            d(1958, 3, 15),
            d(1985, 4, 16),
        ] {
            assert_eq!(base.typo_of(other), other.typo_of(base));
        }
    }

    #[test]
    fn agreement_at_coarser_precision() {
        let full = PartialDate::ymd(1948, 3, 12).unwrap();
        let year = PartialDate::year_only(1948).unwrap();
        let other_year = PartialDate::year_only(1949).unwrap();
        let month = PartialDate::year_month(1948, 4).unwrap();
        assert_eq!(full.agrees_with(year), Some(true));
        assert_eq!(full.agrees_with(other_year), Some(false));
        assert_eq!(full.agrees_with(month), Some(false));
        assert_eq!(full.agrees_with(PartialDate::EMPTY), None);
    }

    #[test]
    fn bounds_of_partial_dates() {
        let m = PartialDate::year_month(2000, 2).unwrap();
        assert_eq!(m.earliest(), NaiveDate::from_ymd_opt(2000, 2, 1));
        assert_eq!(m.latest(), NaiveDate::from_ymd_opt(2000, 2, 29));
        let y = PartialDate::year_only(1950).unwrap();
        assert_eq!(y.latest(), NaiveDate::from_ymd_opt(1950, 12, 31));
    }

    #[test]
    fn ages() {
        let birth = NaiveDate::from_ymd_opt(2012, 11, 23).unwrap();
        assert_eq!(
            age_on(birth, NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()),
            13
        );
        assert_eq!(
            age_on(birth, NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()),
            14
        );
        let leap = NaiveDate::from_ymd_opt(2004, 2, 29).unwrap();
        assert_eq!(anniversary(leap, 1), NaiveDate::from_ymd_opt(2005, 3, 1));
    }
}
