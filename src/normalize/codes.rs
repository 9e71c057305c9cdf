//! Administrative unit codes: province (2 digits), district (3) and commune (5), as in
//! the national list of administrative units. A spreadsheet that stored them as numbers
//! drops their leading zeros ("340" for commune "00340"); they are padded back at
//! ingest so that such a file matches the register and the admin-unit list. A
//! dataframe that read them as floating-point numbers writes `340.0`: the zero
//! fraction is dropped too.

/// The standard width of an administrative code column, by its (canonical) name.
pub fn admin_code_width(column: &str) -> Option<usize> {
    if column.ends_with("commune_code") {
        Some(5)
    } else if column.ends_with("district_code") {
        Some(3)
    } else if column.ends_with("province_code") {
        Some(2)
    } else {
        None
    }
}

/// `value` left-padded with zeros to `width`, when it is a shorter run of digits
/// (trimmed), and without the zero fraction of a code a dataframe or spreadsheet
/// wrote as a floating-point number (`340.0`); `None` when it is already right or not
/// a number at all.
pub fn pad_admin_code(value: &str, width: usize) -> Option<String> {
    let trimmed = value.trim();
    let (digits, had_fraction) = match trimmed.split_once('.') {
        Some((whole, fraction)) if !fraction.is_empty() && fraction.bytes().all(|b| b == b'0') => {
            (whole, true)
        }
        _ => (trimmed, false),
    };
    let is_number = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    (is_number && (had_fraction || digits.len() < width)).then(|| format!("{digits:0>width$}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_follow_the_column_name() {
        assert_eq!(admin_code_width("commune_code"), Some(5));
        assert_eq!(admin_code_width("employer_commune_code"), Some(5));
        assert_eq!(admin_code_width("district_code"), Some(3));
        assert_eq!(admin_code_width("birth_province_code"), Some(2));
        assert_eq!(admin_code_width("household_id"), None);
    }

    #[test]
    fn only_short_digit_runs_are_padded() {
        assert_eq!(pad_admin_code("340", 5).as_deref(), Some("00340"));
        assert_eq!(pad_admin_code(" 1 ", 2).as_deref(), Some("01"));
        assert_eq!(pad_admin_code("10", 3).as_deref(), Some("010"));
        assert_eq!(pad_admin_code("00340", 5), None);
        assert_eq!(pad_admin_code("083", 2), None);
        assert_eq!(pad_admin_code("", 5), None);
        assert_eq!(pad_admin_code("3A0", 5), None);
        assert_eq!(pad_admin_code("xã 340", 5), None);
        // Written as floating-point numbers.
        assert_eq!(pad_admin_code("340.0", 5).as_deref(), Some("00340"));
        assert_eq!(pad_admin_code("00340.00", 5).as_deref(), Some("00340"));
        assert_eq!(pad_admin_code("83.0", 2).as_deref(), Some("83"));
        assert_eq!(pad_admin_code("340.5", 5), None);
        assert_eq!(pad_admin_code("340.", 5), None);
        assert_eq!(pad_admin_code(".0", 5), None);
    }
}
