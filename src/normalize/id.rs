//! The personal identification number `PPP G YY NNNNNN` (SPEC §2).
//!
//! `PPP` is the birth-registration province (a fixed reference list), `G` encodes
//! century and gender (even = male; 0/1 → 1900s, 2/3 → 2000s, … 8/9 → 2300s), `YY` the
//! last two digits of the birth year, `NNNNNN` a sequence without check digit.
//! The classic spreadsheet damage — an ID stored as a number, losing its leading zeros —
//! is recognised and the padded value is offered as the fix.

use crate::model::Gender;

/// Which of the 1000 possible `PPP` codes are real birth-province codes.
#[derive(Clone)]
pub struct IdPrefixes {
    known: Vec<bool>,
}

impl IdPrefixes {
    /// From a list of three-digit codes (`"001"`, `"079"`, …); other entries are ignored.
    pub fn from_codes<'a>(codes: impl IntoIterator<Item = &'a str>) -> Self {
        let mut known = vec![false; 1000];
        for code in codes {
            if code.len() == 3 {
                if let Ok(n) = code.parse::<usize>() {
                    known[n] = true;
                }
            }
        }
        IdPrefixes { known }
    }

    /// Is `code` (0–999) a real province code?
    pub fn contains(&self, code: u16) -> bool {
        self.known.get(code as usize).copied().unwrap_or(false)
    }
}

impl std::fmt::Debug for IdPrefixes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let count = self.known.iter().filter(|&&k| k).count();
        write!(f, "IdPrefixes({count} codes)")
    }
}

/// The parts of a 12-digit ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdParts {
    /// The whole ID as a number (leading zeros implied).
    pub value: u64,
    /// `PPP`, the birth-registration province code.
    pub province: u16,
    /// `G`, the century/gender digit.
    pub century_gender: u8,
    /// `YY`, the last two digits of the birth year.
    pub year_digits: u8,
}

impl IdParts {
    /// Split a string of exactly 12 ASCII digits.
    pub fn parse(text: &str) -> Option<IdParts> {
        let bytes = text.as_bytes();
        if bytes.len() != 12 || !bytes.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let digit = |i: usize| u64::from(bytes[i] - b'0');
        let value = bytes
            .iter()
            .fold(0u64, |acc, &b| acc * 10 + u64::from(b - b'0'));
        Some(IdParts {
            value,
            province: (digit(0) * 100 + digit(1) * 10 + digit(2)) as u16,
            century_gender: digit(3) as u8,
            year_digits: (digit(4) * 10 + digit(5)) as u8,
        })
    }

    /// First year of the century the `G` digit encodes (1900, 2000, … 2300).
    pub fn century_start(&self) -> i32 {
        1900 + 100 * i32::from(self.century_gender / 2)
    }

    /// The gender the `G` digit encodes.
    pub fn gender(&self) -> Gender {
        if self.century_gender.is_multiple_of(2) {
            Gender::Male
        } else {
            Gender::Female
        }
    }

    /// The full birth year the ID encodes.
    pub fn birth_year(&self) -> i32 {
        self.century_start() + i32::from(self.year_digits)
    }
}

/// What is wrong with an ID, as a bit set (several parts can be wrong at once).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IdProblems(u8);

impl IdProblems {
    /// Contains something other than digits.
    pub const NOT_DIGITS: u8 = 1;
    /// Not 12 digits (and not the lost-leading-zeros case).
    pub const WRONG_LENGTH: u8 = 2;
    /// `PPP` is not a province code.
    pub const UNKNOWN_PROVINCE: u8 = 4;
    /// `G` gives another century than the recorded birth year.
    pub const CENTURY: u8 = 8;
    /// `YY` differs from the recorded birth year.
    pub const YEAR: u8 = 16;
    /// `G` gives the other gender.
    pub const GENDER: u8 = 32;
    /// 9–11 digits that become a valid ID when left-padded with zeros.
    pub const LOST_LEADING_ZEROS: u8 = 64;

    /// No problem found.
    pub fn is_ok(self) -> bool {
        self.0 == 0
    }

    /// Is `flag` set?
    pub fn has(self, flag: u8) -> bool {
        self.0 & flag != 0
    }

    fn set(&mut self, flag: u8) {
        self.0 |= flag;
    }

    /// The raw bits.
    pub fn bits(self) -> u8 {
        self.0
    }
}

/// The outcome of checking one ID against the record it sits on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdCheck {
    /// What is wrong (empty when the ID is well-formed).
    pub problems: IdProblems,
    /// Decoded parts, when the value is 12 digits.
    pub parts: Option<IdParts>,
}

/// Check an ID (already trimmed) against the recorded birth year and gender. Pass
/// `None` for a birth year or gender that is missing or itself invalid: nothing is
/// compared against an unknown value.
pub fn check_id(
    text: &str,
    birth_year: Option<i32>,
    gender: Option<Gender>,
    prefixes: &IdPrefixes,
) -> IdCheck {
    let mut problems = IdProblems::default();
    if text.is_empty() {
        return IdCheck {
            problems,
            parts: None,
        };
    }
    let digits = without_zero_fraction(text);
    // Only a number that lost its leading zeros comes back from a float.
    let float_form = digits.len() != text.len();
    if !digits.bytes().all(|b| b.is_ascii_digit())
        || (float_form && !(9..=11).contains(&digits.len()))
    {
        problems.set(IdProblems::NOT_DIGITS);
        return IdCheck {
            problems,
            parts: None,
        };
    }
    if digits.len() != 12 {
        if (9..=11).contains(&digits.len()) {
            let padded = pad_id(text);
            if let Some(parts) = IdParts::parse(&padded) {
                if consistency(&parts, birth_year, gender, prefixes).is_ok() {
                    problems.set(IdProblems::LOST_LEADING_ZEROS);
                    return IdCheck {
                        problems,
                        parts: Some(parts),
                    };
                }
            }
        }
        problems.set(IdProblems::WRONG_LENGTH);
        return IdCheck {
            problems,
            parts: None,
        };
    }
    let parts = IdParts::parse(text);
    if let Some(parts) = parts {
        problems = consistency(&parts, birth_year, gender, prefixes);
    }
    IdCheck { problems, parts }
}

fn consistency(
    parts: &IdParts,
    birth_year: Option<i32>,
    gender: Option<Gender>,
    prefixes: &IdPrefixes,
) -> IdProblems {
    let mut problems = IdProblems::default();
    if !prefixes.contains(parts.province) {
        problems.set(IdProblems::UNKNOWN_PROVINCE);
    }
    match birth_year {
        Some(year) => {
            let century = 1900 + 100 * ((year - 1900).div_euclid(100));
            if century != parts.century_start() {
                problems.set(IdProblems::CENTURY);
            }
            if (year.rem_euclid(100)) as u8 != parts.year_digits {
                problems.set(IdProblems::YEAR);
            }
        }
        // Without a birth year only an impossible century (2100 or later) is certain.
        None if parts.century_start() >= 2100 => problems.set(IdProblems::CENTURY),
        None => {}
    }
    if let Some(g) = gender {
        if g != parts.gender() {
            problems.set(IdProblems::GENDER);
        }
    }
    problems
}

/// Left-pad a digit string with zeros to 12 characters.
pub fn pad_id(text: &str) -> String {
    format!("{:0>12}", without_zero_fraction(text))
}

/// The digits of an ID a spreadsheet or dataframe wrote as a floating-point number
/// (`83190012345.0`: the same lost-leading-zeros error in another form); any other
/// text unchanged.
pub fn without_zero_fraction(text: &str) -> &str {
    match text.split_once('.') {
        Some((whole, fraction))
            if !whole.is_empty()
                && whole.bytes().all(|b| b.is_ascii_digit())
                && !fraction.is_empty()
                && fraction.bytes().all(|b| b == b'0') =>
        {
            whole
        }
        _ => text,
    }
}

/// The Vietnamese explanation of `problems` for a finding's detail.
pub fn describe(
    text: &str,
    check: &IdCheck,
    birth_year: Option<i32>,
    gender: Option<Gender>,
) -> String {
    let p = check.problems;
    let mut parts: Vec<String> = Vec::new();
    if p.has(IdProblems::NOT_DIGITS) {
        parts.push(format!(
            "số định danh \"{text}\" chứa ký tự không phải chữ số"
        ));
    }
    if p.has(IdProblems::LOST_LEADING_ZEROS) {
        parts.push(format!(
            "số định danh \"{text}\" có {} chữ số: bị mất số 0 ở đầu (lưu dạng số), đúng là {}",
            without_zero_fraction(text).len(),
            pad_id(text)
        ));
    } else if p.has(IdProblems::WRONG_LENGTH) {
        let hint = if text.len() == 9 {
            " (có thể là số CMND cũ)"
        } else {
            ""
        };
        parts.push(format!(
            "số định danh \"{text}\" có {} chữ số, phải đủ 12 chữ số{hint}",
            text.len()
        ));
    }
    if let Some(ids) = check.parts {
        if p.has(IdProblems::UNKNOWN_PROVINCE) {
            parts.push(format!(
                "mã tỉnh nơi đăng ký khai sinh {:03} (3 số đầu) không tồn tại",
                ids.province
            ));
        }
        if p.has(IdProblems::CENTURY) {
            match birth_year {
                Some(year) => parts.push(format!(
                    "mã thế kỷ {} (số thứ 4) ứng với năm sinh {}–{}, không khớp năm sinh {year}",
                    ids.century_gender,
                    ids.century_start(),
                    ids.century_start() + 99
                )),
                None => parts.push(format!(
                    "mã thế kỷ {} (số thứ 4) ứng với năm sinh từ {} — không thể có",
                    ids.century_gender,
                    ids.century_start()
                )),
            }
        }
        if p.has(IdProblems::YEAR) {
            if let Some(year) = birth_year {
                parts.push(format!(
                    "hai số năm sinh {:02} (số thứ 5–6) không khớp năm sinh {year}",
                    ids.year_digits
                ));
            }
        }
        if p.has(IdProblems::GENDER) {
            if let Some(g) = gender {
                parts.push(format!(
                    "mã giới tính {} (số thứ 4) là {}, không khớp giới tính {}",
                    ids.century_gender,
                    ids.gender().label(),
                    g.label()
                ));
            }
        }
    }
    let mut text = parts.join("; ");
    if let Some(first) = text.get(0..1) {
        let upper = first.to_uppercase();
        text.replace_range(0..1, &upper);
    }
    text
}

/// True for a number a spreadsheet showed in scientific notation (`8.33001E+10`): its
/// other digits are lost, so two rows showing the same text need not hold the same
/// value, and they are no duplicate (the ID check reports each such cell).
pub fn is_scientific_notation(text: &str) -> bool {
    // Most cells hold no letter e at all: one scan, no trimming.
    if !text.bytes().any(|byte| byte | 0x20 == b'e') {
        return false;
    }
    let text = text.trim();
    let Some(e) = text.find(['e', 'E']) else {
        return false;
    };
    let (mantissa, exponent) = (&text[..e], &text[e + 1..]);
    let exponent = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
    let mantissa = mantissa.strip_prefix(['+', '-']).unwrap_or(mantissa);
    let digits_only = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    let (whole, fraction) = mantissa.split_once(['.', ',']).unwrap_or((mantissa, "1"));
    digits_only(whole) && digits_only(fraction) && digits_only(exponent)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prefixes() -> IdPrefixes {
        IdPrefixes::from_codes(["001", "079", "083", "096"])
    }

    fn problems(text: &str, year: Option<i32>, gender: Option<Gender>) -> IdProblems {
        check_id(text, year, gender, &prefixes()).problems
    }

    #[test]
    fn decodes_every_group() {
        let parts = IdParts::parse("083190012345").unwrap();
        assert_eq!(parts.province, 83);
        assert_eq!(parts.century_gender, 1);
        assert_eq!(parts.year_digits, 90);
        assert_eq!(parts.birth_year(), 1990);
        assert_eq!(parts.gender(), Gender::Female);
        assert_eq!(parts.value, 83_190_012_345);
    }

    #[test]
    fn every_century_and_gender_digit() {
        let cases = [
            (0, 1900, Gender::Male),
            (1, 1900, Gender::Female),
            (2, 2000, Gender::Male),
            (3, 2000, Gender::Female),
            (4, 2100, Gender::Male),
            (5, 2100, Gender::Female),
            (6, 2200, Gender::Male),
            (7, 2200, Gender::Female),
            (8, 2300, Gender::Male),
            (9, 2300, Gender::Female),
        ];
        for (digit, century, gender) in cases {
            let id = format!("079{digit}05123456");
            let parts = IdParts::parse(&id).unwrap();
            assert_eq!(parts.century_start(), century, "digit {digit}");
            assert_eq!(parts.gender(), gender, "digit {digit}");
            assert!(problems(&id, Some(century + 5), Some(gender)).is_ok());
        }
    }

    #[test]
    fn valid_ids() {
        assert!(problems("083190012345", Some(1990), Some(Gender::Female)).is_ok());
        assert!(problems("001205012345", Some(2005), Some(Gender::Male)).is_ok());
        // Unknown birth year and gender: only the structure is checked.
        assert!(problems("001205012345", None, None).is_ok());
    }

    #[test]
    fn each_part_can_be_wrong() {
        let p = problems("003190012345", Some(1990), Some(Gender::Female));
        assert!(p.has(IdProblems::UNKNOWN_PROVINCE));
        let p = problems("083290012345", Some(1990), Some(Gender::Female));
        assert!(p.has(IdProblems::CENTURY) && !p.has(IdProblems::YEAR));
        let p = problems("083191012345", Some(1990), Some(Gender::Female));
        assert!(p.has(IdProblems::YEAR) && !p.has(IdProblems::CENTURY));
        let p = problems("083090012345", Some(1990), Some(Gender::Female));
        assert!(p.has(IdProblems::GENDER));
        assert!(problems("08319001234A", None, None).has(IdProblems::NOT_DIGITS));
        assert!(problems("0831900123456", None, None).has(IdProblems::WRONG_LENGTH));
        assert!(problems("08319001234", Some(1990), None).has(IdProblems::WRONG_LENGTH));
        // Without a birth year a century from 2100 on is still impossible.
        assert!(problems("083590012345", None, None).has(IdProblems::CENTURY));
    }

    #[test]
    fn lost_leading_zeros_for_9_to_11_digits() {
        // 083… → 11 digits
        let check = check_id("83190012345", Some(1990), Some(Gender::Female), &prefixes());
        assert!(check.problems.has(IdProblems::LOST_LEADING_ZEROS));
        assert_eq!(pad_id("83190012345"), "083190012345");
        // 001… → 10 digits
        let check = check_id("1090012345", Some(1990), Some(Gender::Male), &prefixes());
        assert!(check.problems.has(IdProblems::LOST_LEADING_ZEROS));
        // 000… is no province: a 9-digit value is not a padded ID.
        let check = check_id("190012345", Some(1990), None, &prefixes());
        assert!(check.problems.has(IdProblems::WRONG_LENGTH));
        // Written as a floating-point number: the same error, the same fix.
        let check = check_id(
            "83190012345.0",
            Some(1990),
            Some(Gender::Female),
            &prefixes(),
        );
        assert!(check.problems.has(IdProblems::LOST_LEADING_ZEROS));
        assert_eq!(pad_id("83190012345.0"), "083190012345");
        assert!(
            describe("83190012345.0", &check, Some(1990), Some(Gender::Female))
                .contains("có 11 chữ số")
        );
        // Any other fraction is not a number an ID can be.
        let check = check_id(
            "83190012345.5",
            Some(1990),
            Some(Gender::Female),
            &prefixes(),
        );
        assert!(check.problems.has(IdProblems::NOT_DIGITS));
        let check = check_id(
            "083190012345.0",
            Some(1990),
            Some(Gender::Female),
            &prefixes(),
        );
        assert!(check.problems.has(IdProblems::NOT_DIGITS));
        // Ten digits and ".0" are twelve characters, and still a float (Hà Nội, 001…).
        let check = check_id("1090012345.0", Some(1990), Some(Gender::Male), &prefixes());
        assert!(check.problems.has(IdProblems::LOST_LEADING_ZEROS));
        assert_eq!(pad_id("1090012345.0"), "001090012345");
        let check = check_id("1234567890.0", Some(1990), Some(Gender::Male), &prefixes());
        assert!(!check.problems.is_ok());
        // Padding must also agree with the birth year.
        let check = check_id("83190012345", Some(1991), None, &prefixes());
        assert!(check.problems.has(IdProblems::WRONG_LENGTH));
        let text = describe(
            "83190012345",
            &check_id("83190012345", Some(1990), None, &prefixes()),
            Some(1990),
            None,
        );
        assert!(text.contains("083190012345"), "{text}");
    }

    #[test]
    fn scientific_notation_is_recognised() {
        for yes in ["8.33001E+10", "8,33001E+10", "8.3E10", " 1e+11 ", "-2.5e-3"] {
            assert!(is_scientific_notation(yes), "{yes}");
        }
        for no in [
            "083300145288",
            "E+10",
            "8.E+10",
            "8.3E",
            "abc",
            "",
            "P0001e",
            "1e2x",
        ] {
            assert!(!is_scientific_notation(no), "{no}");
        }
    }
}
