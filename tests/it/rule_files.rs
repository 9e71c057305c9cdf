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
    assert!(e.contains("(line 5)"), "the line of `severity`: {e}");
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

/// A province's own date column (declared in `columns`) named in a date check is read
/// as dates and checked; a date check on a register column that holds no dates is
/// refused when the pack is loaded, not left to find nothing night after night.
#[test]
fn a_date_check_reads_a_provinces_own_column_as_dates_and_refuses_a_non_date_field() {
    let rule = |after_birth: &str| {
        format!(
            "[[rule]]\nid = \"DUNG.NGAY_DANG_KY\"\ndimension = \"dung\"\ndataset = \"population\"\n\
             severity = \"low\"\ntitle = \"Ngày đăng ký trước ngày sinh\"\naction = \"Sửa ngày đăng ký\"\n\
             columns = [\"ngay_dang_ky\"]\n\
             check = {{ kind = \"date_sanity\", after_birth = [{after_birth}] }}\n"
        )
    };
    let e = check(&rule("\"phone\"")).unwrap_err();
    assert!(
        e.contains("DUNG.NGAY_DANG_KY") && e.contains("\"phone\" holds no dates"),
        "{e}"
    );
    assert!(check(&rule("\"card_issue_date\", \"ngay_dang_ky\"")).is_ok());

    let dir = temp();
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    write(
        &rules,
        "tinh.toml",
        rule("\"card_issue_date\", \"ngay_dang_ky\"").as_bytes(),
    );
    write(dir.path(), "admin_units.csv", ADMIN.as_bytes());
    write(
        dir.path(),
        "population.csv",
        "record_id,person_id,full_name,birth_date,gender,commune_code,household_id,relation_to_head,card_issue_date,ngay_dang_ky\n\
         R1,083090000001,Trần Văn An,01/01/1990,Nam,28756,H1,Chủ hộ,01/01/1980,\n\
         R2,083090000002,Trần Văn Bình,01/01/1990,Nam,28756,H1,Con,,01/01/1995\n\
         R3,083090000003,Trần Văn Cường,01/01/1990,Nam,28756,H1,Con,,01/01/1985\n"
            .as_bytes(),
    );
    let out = dir.path().join("out");
    let mut config = config_for(dir.path(), &out);
    config.rules = vec![rules];
    config.xlsx = false;
    config.html = false;
    let outcome = doisoat::run(&config, &doisoat::Silent).unwrap();
    let found: Vec<String> = read_findings(&out)
        .into_keys()
        .filter(|(rule, _)| rule == "DUNG.NGAY_DANG_KY")
        .map(|(_, key)| key)
        .collect();
    assert_eq!(
        found,
        ["R1", "R3"],
        "card issued, and registered, before birth"
    );
    assert!(
        outcome
            .summary
            .warnings
            .iter()
            .all(|w| !w.contains("death_date")),
        "the rule names no death_date: {:?}",
        outcome.summary.warnings
    );
}

/// A rule file saved by Notepad as "Unicode" (UTF-16 with a byte order mark) loads; one
/// in a legacy encoding is refused with its line and the conversion to make.
#[test]
fn a_utf16_rule_file_loads_and_a_legacy_encoded_one_says_how_to_convert() {
    let body = format!("{HEADER}check = {{ kind = \"required\", fields = [\"phone\"] }}\n");
    let dir = temp();
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(body.encode_utf16().flat_map(u16::to_le_bytes));
    write(dir.path(), "tinh.toml", &utf16);
    let pack = load_pack(&[dir.path().to_path_buf()], &default_catalog()).unwrap();
    assert_eq!(pack.rules[0].title, "Thiếu số điện thoại");

    let legacy = temp();
    // "Thiếu" with its ế as the single Windows-1258 byte 0xEA plus a combining tone.
    let bytes: Vec<u8> = body
        .replace("Thiếu", "Thi\u{1}u")
        .bytes()
        .map(|b| if b == 1 { 0xEA } else { b })
        .collect();
    write(legacy.path(), "tinh.toml", &bytes);
    let error = load_pack(&[legacy.path().to_path_buf()], &default_catalog())
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("tinh.toml")
            && error.contains("line 6 is not UTF-8")
            && error.contains("iconv"),
        "{error}"
    );
}

#[test]
fn a_pack_with_no_rule_to_run_is_refused_not_run_as_all_clean() {
    // Comments only, matching settings only, and every rule disabled: each would have
    // written empty worklists that read as "nothing to fix".
    let disabled = format!(
        "{HEADER}enabled = false\ncheck = {{ kind = \"required\", fields = [\"phone\"] }}\n"
    );
    for (name, text) in [
        ("comments.toml", "# rules to come\n".to_string()),
        (
            "matching.toml",
            "[matching]\naccept_score = 4.0\n".to_string(),
        ),
        ("disabled.toml", disabled),
    ] {
        let dir = temp();
        write(dir.path(), name, text.as_bytes());
        let error = load_pack(&[dir.path().to_path_buf()], &default_catalog())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            error.contains("no rule to run") && error.contains("enabled = false"),
            "{name}: {error:?}"
        );
    }
    // Beside a folder that has rules, a folder of matching settings alone is fine.
    let rules = temp();
    write(
        rules.path(),
        "r.toml",
        format!("{HEADER}check = {{ kind = \"required\", fields = [\"phone\"] }}\n").as_bytes(),
    );
    let settings = temp();
    write(
        settings.path(),
        "m.toml",
        b"[matching]\naccept_score = 4.0\n",
    );
    let pack = load_pack(
        &[rules.path().to_path_buf(), settings.path().to_path_buf()],
        &default_catalog(),
    );
    assert!(pack.is_ok_and(|pack| pack.rules.len() == 1));
}
