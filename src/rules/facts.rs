//! Domain facts computed once per register row and shared by every rule: decoded ID,
//! gender, plausible birth date, age bounds at `--as-of`, dead / alive.
//!
//! Age uses the latest date a partial birth date allows for `age` (the age the person
//! has certainly reached) and the earliest for `age_max`, so "aged 14+" never fires
//! on someone who might still be 13.

use chrono::NaiveDate;
use rayon::prelude::*;

use crate::model::date::age_on;
use crate::model::{Gender, PartialDate, Table};
use crate::normalize::id::{check_id, pad_id, IdCheck, IdParts, IdPrefixes, IdProblems};

/// Unknown value in an `i16` fact column.
pub const UNKNOWN_AGE: i16 = i16::MIN;

/// Per-row facts of the population register.
#[derive(Debug, Clone, Default)]
pub struct PopulationFacts {
    /// Recorded gender (None when missing or not Nam/Nữ).
    pub gender: Vec<Option<Gender>>,
    /// Birth date is a real date, not in the future and not more than `max_age` ago.
    pub birth_plausible: Vec<bool>,
    /// Age certainly reached at as-of (UNKNOWN_AGE when the birth date is unusable).
    pub age: Vec<i16>,
    /// Oldest possible age at as-of.
    pub age_max: Vec<i16>,
    /// Structural problems of the person_id.
    pub id_problems: Vec<IdProblems>,
    /// The ID as a number when it is 12 digits, or 9–11 digits that pad to a valid
    /// ID; 0 otherwise. Used for exact joins.
    pub id_value: Vec<u64>,
    /// The register itself records a death (death_date present).
    pub death_recorded: Vec<bool>,
    /// Dead: death recorded, or a civil-registry death linked to the row.
    pub dead: Vec<bool>,
    /// Not dead.
    pub alive: Vec<bool>,
    /// ID well-formed (12 digits, known province, consistent).
    pub id_valid: Vec<bool>,
}

/// Gender of every dictionary value of a gender column, then per row.
pub fn genders(table: &Table) -> Vec<Option<Gender>> {
    match table.dict("gender") {
        Some(dict) => {
            let per_code: Vec<Option<Gender>> =
                dict.values.iter().map(|v| Gender::parse(v)).collect();
            dict.codes.iter().map(|&c| per_code[c as usize]).collect()
        }
        None => vec![None; table.rows],
    }
}

impl PopulationFacts {
    /// Compute the facts that do not depend on other datasets.
    pub fn compute(
        table: &Table,
        as_of: NaiveDate,
        max_age: i32,
        prefixes: &IdPrefixes,
    ) -> PopulationFacts {
        let rows = table.rows;
        let gender = genders(table);
        let births: &[PartialDate] = table.date("birth_date").map_or(&[], |c| &c.values);
        let birth_at = |row: usize| births.get(row).copied().unwrap_or(PartialDate::EMPTY);
        let ages: Vec<(i16, i16, bool)> = (0..rows)
            .into_par_iter()
            .map(|row| age_bounds(birth_at(row), as_of, max_age))
            .collect();
        let ids = table.text("person_id");
        let checks: Vec<(IdProblems, u64)> = (0..rows)
            .into_par_iter()
            .map(|row| {
                let text = ids.map_or("", |c| c.get(row));
                let (_, _, plausible) = ages[row];
                let birth_year = plausible.then(|| birth_at(row).year());
                let check = check_id(text, birth_year, gender[row], prefixes);
                let mut value = id_number(text, &check);
                // Twelve digits typed in groups or marked as text ("083 190 012 345",
                // "'083190012345") are still flagged (DUNG.ID_STRUCTURE) but join,
                // and count as the same ID, as the number they spell.
                if value == 0
                    && check.problems.has(IdProblems::NOT_DIGITS)
                    && text.bytes().filter(u8::is_ascii_digit).count() == 12
                {
                    value = sector_id_number(text);
                }
                (check.problems, value)
            })
            .collect();
        let death_recorded: Vec<bool> = match table.date("death_date") {
            Some(c) => c.values.iter().map(|d| !d.is_empty()).collect(),
            None => vec![false; rows],
        };
        let id_valid = (0..rows)
            .map(|row| checks[row].0.is_ok() && ids.is_some_and(|c| c.len_at(row) == 12))
            .collect();
        PopulationFacts {
            gender,
            birth_plausible: ages.iter().map(|a| a.2).collect(),
            age: ages.iter().map(|a| a.0).collect(),
            age_max: ages.iter().map(|a| a.1).collect(),
            id_problems: checks.iter().map(|c| c.0).collect(),
            id_value: checks.iter().map(|c| c.1).collect(),
            dead: death_recorded.clone(),
            alive: death_recorded.iter().map(|d| !d).collect(),
            death_recorded,
            id_valid,
        }
    }

    /// Mark rows linked to a civil-registry death as dead.
    pub fn add_registered_deaths(&mut self, rows: impl IntoIterator<Item = usize>) {
        for row in rows {
            if let (Some(dead), Some(alive)) = (self.dead.get_mut(row), self.alive.get_mut(row)) {
                *dead = true;
                *alive = false;
            }
        }
    }
}

/// (certain age, oldest possible age, plausible) for a birth date at `as_of`.
pub fn age_bounds(birth: PartialDate, as_of: NaiveDate, max_age: i32) -> (i16, i16, bool) {
    match (birth.latest(), birth.earliest()) {
        (Some(latest), Some(earliest)) => {
            let min_age = age_on(latest, as_of);
            let max = age_on(earliest, as_of);
            // Impossible only when certainly so: a year-only 1905 may be 120 today.
            let plausible = earliest <= as_of && min_age <= max_age;
            let clamp = |a: i32| a.clamp(i32::from(i16::MIN) + 1, i32::from(i16::MAX)) as i16;
            if plausible {
                (clamp(min_age), clamp(max), true)
            } else {
                (UNKNOWN_AGE, UNKNOWN_AGE, false)
            }
        }
        _ => (UNKNOWN_AGE, UNKNOWN_AGE, false),
    }
}

/// The numeric value used to join on an ID: the 12-digit value, the padded value for
/// the lost-leading-zeros case, or 0.
pub fn id_number(text: &str, check: &IdCheck) -> u64 {
    if check.problems.has(IdProblems::LOST_LEADING_ZEROS) {
        return IdParts::parse(&pad_id(text)).map_or(0, |p| p.value);
    }
    check.parts.map_or(0, |p| p.value)
}

/// Join value of an ID seen in a sector dataset: 12 digits, or 9–11 digits (leading
/// zeros lost) read as the same number. Digit groups typed apart ("083 195 405 008",
/// "083.195.405.008") and a spreadsheet's leading text mark (`'083195405008`) are
/// read through: they change how the number looks, not which number it is. So is the
/// zero fraction of an ID a dataframe wrote as a floating-point number
/// (`83190012345.0`), which is no digit group.
pub fn sector_id_number(text: &str) -> u64 {
    let text = text.trim();
    let text = text.strip_prefix('\'').unwrap_or(text);
    let text = match text.rsplit_once('.') {
        Some((whole, "0" | "00")) => whole,
        _ => text,
    };
    let text = text.as_bytes();
    let (mut value, mut digits) = (0u64, 0usize);
    for (i, &byte) in text.iter().enumerate() {
        match byte {
            b'0'..=b'9' => {
                value = value * 10 + u64::from(byte - b'0');
                digits += 1;
                if digits > 12 {
                    return 0;
                }
            }
            // A separator only between two digits.
            b' ' | b'.' | b'-'
                if i > 0
                    && text[i - 1].is_ascii_digit()
                    && text.get(i + 1).is_some_and(u8::is_ascii_digit) => {}
            _ => return 0,
        }
    }
    // Lost leading zeros leave the province prefix, which is never 000: nine digits
    // (an old CMND number in the ID column) are no ID.
    if digits == 12 || (digits >= 9 && value >= 1_000_000_000) {
        value
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_births_give_certain_ages() {
        let as_of = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let year_2012 = PartialDate::year_only(2012).unwrap();
        let (age, age_max, ok) = age_bounds(year_2012, as_of, 120);
        assert!(ok);
        assert_eq!((age, age_max), (13, 14));
        let future = PartialDate::ymd(2027, 1, 1).unwrap();
        assert!(!age_bounds(future, as_of, 120).2);
        let ancient = PartialDate::year_only(1890).unwrap();
        assert!(!age_bounds(ancient, as_of, 120).2);
        // Born some day of 1905: 120 or 121 on 22/11/2026, so possibly 120.
        let maybe_120 = PartialDate::year_only(1905).unwrap();
        assert_eq!(age_bounds(maybe_120, as_of, 120), (120, 121, true));
        let surely_121 = PartialDate::ymd(1905, 11, 22).unwrap();
        assert!(!age_bounds(surely_121, as_of, 120).2);
    }

    #[test]
    fn sector_ids_join_with_or_without_leading_zeros() {
        assert_eq!(sector_id_number("083190012345"), 83_190_012_345);
        assert_eq!(sector_id_number("83190012345"), 83_190_012_345);
        assert_eq!(sector_id_number("8319001234A"), 0);
        assert_eq!(sector_id_number("083 190 012 345"), 83_190_012_345);
        assert_eq!(sector_id_number("083.190.012.345"), 83_190_012_345);
        assert_eq!(sector_id_number("'083190012345"), 83_190_012_345);
        assert_eq!(sector_id_number(" 083190012345 "), 83_190_012_345);
        assert_eq!(sector_id_number("83190012345.0"), 83_190_012_345);
        assert_eq!(sector_id_number("83190012345.00"), 83_190_012_345);
        assert_eq!(sector_id_number("1190012345"), 1_190_012_345);
        for bad in [
            "083  190012345",
            "083190012345.",
            "-083190012345",
            "0831900123456",
            "12345678",
            // An old CMND number, and ten digits that lost a prefix's third digit.
            "321456789",
            "0321456789",
            "083,190,012,345",
            "",
        ] {
            assert_eq!(sector_id_number(bad), 0, "{bad:?}");
        }
    }
}
