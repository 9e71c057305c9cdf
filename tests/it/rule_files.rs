//! Rule-file validation: every mistake is reported before data is read, naming the
//! file, the rule id and what is wrong; a valid province rule runs without a rebuild.

use std::path::PathBuf;

use doisoat::rules::load::{default_catalog, load_pack};

use crate::common::*;

const HEADER: &str = "[[rule]]\nid = \"DU.PHONE\"\ndimension = \"du\"\ndataset = \"population\"\nseverity = \"low\"\ntitle = \"Thiếu số điện thoại\"\naction = \"Bổ sung số điện thoại\"\n";

fn check(body: &str) -> Result<usize, String> {
    let dir = temp();
    write(dir.path(), "extra.toml", body.as_bytes());
    load_pack(&[dir.path().to_path_buf()], &default_catalog())
        .map(|p| p.rules.len())
        .map_err(|e| e.to_string())
}

#[test]
fn a_valid_province_rule_loads() {
    let n = check(&format!("{HEADER}when = \"alive && age >= 18\"\ncheck = {{ kind = \"required\", fields = [\"phone\"] }}\n")).unwrap();
    assert_eq!(n, 1);
}

#[test]
fn unknown_check_kind() {
    let e = check(&format!(
        "{HEADER}check = {{ kind = \"regex\", field = \"phone\" }}\n"
    ))
    .unwrap_err();
    assert!(
        e.contains("extra.toml") && e.contains("DU.PHONE") && e.contains("regex"),
        "{e}"
    );
}

#[test]
fn unknown_field() {
    let e = check(&format!(
        "{HEADER}check = {{ kind = \"required\", fields = [\"phon\"] }}\n"
    ))
    .unwrap_err();
    assert!(e.contains("DU.PHONE") && e.contains("phon"), "{e}");
    assert!(e.contains("line 2"), "the line of the rule: {e}");
}

#[test]
fn bad_severity_and_dimension() {
    let e = check(
        &(HEADER.replace("\"low\"", "\"urgent\"")
            + "check = { kind = \"required\", fields = [\"phone\"] }\n"),
    )
    .unwrap_err();
    assert!(e.contains("urgent") && e.contains("DU.PHONE"), "{e}");
    let e = check(
        &(HEADER.replace("dimension = \"du\"", "dimension = \"dung\"")
            + "check = { kind = \"required\", fields = [\"phone\"] }\n"),
    )
    .unwrap_err();
    assert!(
        e.contains("dimension"),
        "an id starting DU with dimension dung: {e}"
    );
}

#[test]
fn duplicate_ids_name_both_files() {
    let dir = temp();
    let rule = format!("{HEADER}check = {{ kind = \"required\", fields = [\"phone\"] }}\n");
    write(dir.path(), "a.toml", rule.as_bytes());
    write(dir.path(), "b.toml", rule.as_bytes());
    let e = load_pack(&[dir.path().to_path_buf()], &default_catalog())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("duplicate") && e.contains("a.toml") && e.contains("b.toml"),
        "{e}"
    );
}

#[test]
fn bad_predicate_and_unknown_list_and_key() {
    let e = check(&format!("{HEADER}when = \"alive && agee > 3\"\ncheck = {{ kind = \"required\", fields = [\"phone\"] }}\n")).unwrap_err();
    assert!(e.contains("agee"), "{e}");
    let e = check(&format!(
        "{HEADER}check = {{ kind = \"in_list\", field = \"religion\", list = \"religons\" }}\n"
    ))
    .unwrap_err();
    assert!(e.contains("religons"), "{e}");
    let e = check(&format!(
        "{HEADER}severty = \"low\"\ncheck = {{ kind = \"required\", fields = [\"phone\"] }}\n"
    ))
    .unwrap_err();
    assert!(e.contains("severty"), "{e}");
}

#[test]
fn the_shipped_pack_is_valid_and_has_the_contract_ids() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("rules");
    let pack = load_pack(&[dir], &default_catalog()).unwrap();
    let ids: Vec<&str> = pack.rules.iter().map(|r| r.id.as_str()).collect();
    for id in [
        "DUNG.ID_STRUCTURE",
        "DUNG.ID_BIRTH_PROVINCE",
        "DUNG.INVALID_VALUE",
        "DU.MISSING_FIELD",
        "DU.HOUSEHOLD_NO_HEAD",
        "DUNG.HOUSEHOLD_MULTI_HEAD",
        "DU.OLD_ID_NOT_LINKED",
        "SACH.DUP_ID",
        "SACH.DUP_PERSON",
        "SONG.DEATH_NOT_RECORDED",
        "SONG.NO_ID_CARD",
        "SONG.CARD_EXPIRED",
        "XM.insurance.MISMATCH",
        "XM.tax.ID_MISSING",
        "XM.vaccination.ID_WRONG",
        "XM.insurance.NOT_FOUND",
        "XM.tax.AMBIGUOUS",
        "XM.insurance.DECEASED_ACTIVE",
        "XM.vaccination.DECEASED_ACTIVE",
        "XM.insurance.IZ_NO_TEMP_RESIDENCE",
    ] {
        assert!(ids.contains(&id), "{id} missing from rules/");
    }
    assert_eq!(
        pack.refs.get("ethnicities").map(|l| l.len()),
        Some(55),
        "54 groups + foreigners"
    );
    assert_eq!(
        pack.refs.get("id_province_codes").map(|l| l.len()),
        Some(63)
    );
}
