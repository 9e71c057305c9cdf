//! Register rules on small hand-written registers, for cases the bundled generator
//! does not write: places of birth recorded under the codes of the provinces merged on
//! 1 July 2025.

use std::collections::BTreeMap;

use crate::common::*;

/// A register row: key, ID, birth date, gender, birth-province code.
fn person(key: &str, id: &str, birth: &str, gender: &str, birth_province: &str) -> String {
    format!(
        "{key},{id},,Lê Văn {key},{birth},{gender},{birth_province},Kinh,Không,Việt Nam,83,829,28756,\"Ấp 1\",thuong_tru,H{key},Chủ hộ,,,,01/02/2021,,"
    )
}

fn flagged(found: &BTreeMap<(String, String), (String, String)>) -> Vec<&str> {
    found
        .keys()
        .filter(|(rule, _)| rule == "DUNG.ID_BIRTH_PROVINCE")
        .map(|(_, key)| key.as_str())
        .collect()
}

#[test]
fn a_birth_province_under_its_merged_provinces_code_agrees_with_the_id() {
    #[rustfmt::skip]
    let register = vec![
        // Born in Bến Tre (083), the place written as Vĩnh Long (86), which took Bến
        // Tre in: the same place.
        person("A", "083080000101", "05/03/1980", "Nam", "86"),
        // Born in Trà Vinh by the register (84), in Bến Tre by the ID: both are now
        // Vĩnh Long, but they were two provinces when the ID was issued.
        person("B", "083080000102", "05/03/1980", "Nam", "84"),
        // An ID issued under Vĩnh Long's code after the merger, the birth place still
        // written as Bến Tre.
        person("C", "086325000103", "10/08/2025", "Nữ", "83"),
        // Hà Nội was not merged: 86 is another province.
        person("D", "001080000104", "05/03/1980", "Nam", "86"),
        // The three-digit form of the kept code.
        person("E", "002080000105", "05/03/1980", "Nam", "008"),
    ];
    let found = findings(&[("population", POPULATION_HEADER, register)]);
    assert_eq!(flagged(&found), vec!["B", "D"], "{found:#?}");
}
