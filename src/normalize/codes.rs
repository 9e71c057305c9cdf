//! Administrative unit codes: province (2 digits), district (3) and commune (5), as in
//! the national list of administrative units. A spreadsheet that stored them as numbers
//! drops their leading zeros ("340" for commune "00340"); they are padded back at
//! ingest so that such a file matches the register and the admin-unit list. A
//! dataframe that read them as floating-point numbers writes `340.0`: the zero
//! fraction is dropped too.

use std::collections::HashMap;

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

/// Province codes by the folded name of the province (`ben tre` → `83`), from the
/// labels of the `province_codes` list.
pub fn province_codes_by_name(list: &crate::rules::refs::RefList) -> HashMap<String, String> {
    list.canonical
        .iter()
        .zip(&list.labels)
        .filter(|(_, label)| !label.is_empty())
        .map(|(code, label)| (province_name_key(label), code.clone()))
        .collect()
}

/// The province code a place written out in words names (`Bến Tre`, `Tỉnh Bến Tre`,
/// `Xã A, Huyện B, Tỉnh Bến Tre`: register extracts put the place of birth
/// registration in this column), or `None` for a code or an unknown place.
pub fn province_code_of_place(value: &str, by_name: &HashMap<String, String>) -> Option<String> {
    let value = value.trim();
    if value.is_empty() || value.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    // The province is the last part of an address.
    let last = value.rsplit([',', '-']).next().unwrap_or(value);
    by_name
        .get(&province_name_key(last))
        .or_else(|| by_name.get(&province_name_key(value)))
        .cloned()
}

/// A province name folded, without its `Tỉnh` / `Thành phố` / `TP` prefix.
fn province_name_key(name: &str) -> String {
    let folded = crate::normalize::text::fold(name);
    let bare = ["tinh ", "thanh pho ", "tp "]
        .iter()
        .find_map(|prefix| folded.strip_prefix(prefix))
        .unwrap_or(&folded);
    bare.replace(' ', "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_province_written_out_reads_as_its_code() {
        let list = crate::rules::refs::RefList::parse(
            "83 # Bến Tre\n79 # TP Hồ Chí Minh\n46 # Thừa Thiên Huế\n",
        );
        let named = province_codes_by_name(&list);
        let code = |place: &str| province_code_of_place(place, &named);
        assert_eq!(code("Bến Tre").as_deref(), Some("83"));
        assert_eq!(code("TỈNH BẾN TRE").as_deref(), Some("83"));
        assert_eq!(
            code("Xã An Hội, Huyện Châu Thành, Tỉnh Bến Tre").as_deref(),
            Some("83")
        );
        assert_eq!(code("Thành phố Hồ Chí Minh").as_deref(), Some("79"));
        assert_eq!(code("Phường 1 - TP Hồ Chí Minh").as_deref(), Some("79"));
        // Codes, unknown places and a province inside a name are left alone.
        for other in ["83", "083", "Tỉnh Xyz", "", "Bến Tre Mới"] {
            assert_eq!(code(other), None, "{other}");
        }
    }

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
