//! Cross-match outcomes on small hand-written inputs that follow the SPEC but that the
//! bundled generator does not produce: namesakes in different communes, a register
//! row without a name or with a broken ID, an old CMND number in a sector's ID column,
//! tone marks placed by the old spelling rule, and a tax extract without a status.

use std::collections::BTreeMap;
use std::path::Path;

use crate::common::*;

const INSURANCE_HEADER: &str = "insurance_code,person_id,full_name,birth_date,gender,commune_code,employer,employer_commune_code,industrial_zone,status,card_valid_to";
const TAX_HEADER: &str = "tax_code,person_id,full_name,birth_date,address,commune_code";

/// A register row: key, ID, name, birth date, gender, commune, parents, death date.
fn person(key: &str, id: &str, name: &str, birth: &str, gender: &str, commune: &str) -> String {
    person_with(key, id, name, birth, gender, commune, "")
}

fn person_with(
    key: &str,
    id: &str,
    name: &str,
    birth: &str,
    gender: &str,
    commune: &str,
    death: &str,
) -> String {
    format!(
        "{key},{id},,{name},{birth},{gender},83,Kinh,Không,Việt Nam,83,829,{commune},\"Ấp 1\",thuong_tru,H{key},Chủ hộ,Cha {key},Mẹ {key},,01/02/2021,{death},"
    )
}

fn insurance(key: &str, id: &str, name: &str, birth: &str, gender: &str, commune: &str) -> String {
    format!("{key},{id},{name},{birth},{gender},{commune},Công ty A,{commune},,active,31/12/2026")
}

/// [`findings`] of a register and an insurance file.
fn with_insurance(
    population: Vec<String>,
    insurance: Vec<String>,
) -> BTreeMap<(String, String), (String, String)> {
    findings(&[
        ("population", POPULATION_HEADER, population),
        ("insurance", INSURANCE_HEADER, insurance),
    ])
}

fn rules_of(found: &BTreeMap<(String, String), (String, String)>, key: &str) -> Vec<String> {
    found
        .keys()
        .filter(|(_, k)| k == key)
        .map(|(rule, _)| rule.clone())
        .collect()
}

/// Two namesakes born the same day in different communes are equally good candidates
/// for a record without an ID, wherever the record says it lives.
#[test]
fn namesakes_in_different_communes_are_ambiguous() {
    let found = with_insurance(
        vec![
            person(
                "P1",
                "083080000011",
                "Lê Văn Tám",
                "01/02/1980",
                "Nam",
                "28756",
            ),
            person(
                "P2",
                "083080000022",
                "Lê Văn Tám",
                "01/02/1980",
                "Nam",
                "28757",
            ),
        ],
        vec![insurance(
            "BH1",
            "",
            "Lê Văn Tám",
            "01/02/1980",
            "Nam",
            "28757",
        )],
    );
    assert_eq!(rules_of(&found, "BH1"), vec!["XM.insurance.AMBIGUOUS"]);
    assert_eq!(
        found[&("XM.insurance.AMBIGUOUS".to_string(), "BH1".to_string())].1,
        "P1;P2"
    );
}

/// An empty name in the register is missing (DU.MISSING_FIELD), not different from
/// the sector's name.
#[test]
fn an_empty_register_name_is_no_mismatch() {
    let found = with_insurance(
        vec![person(
            "P1",
            "083080000011",
            "",
            "01/02/1980",
            "Nam",
            "28756",
        )],
        vec![insurance(
            "BH1",
            "083080000011",
            "Lê Văn Tám",
            "01/02/1980",
            "Nam",
            "28756",
        )],
    );
    assert_eq!(rules_of(&found, "P1"), vec!["DU.MISSING_FIELD"]);
    assert!(rules_of(&found, "BH1").is_empty(), "{found:?}");
}

/// An old 9-digit CMND number in a sector's ID column is no personal ID: the record is
/// matched on name and birth date, and the register ID is suggested.
#[test]
fn an_old_cmnd_number_in_the_id_column_is_a_missing_id() {
    let found = with_insurance(
        vec![person(
            "P1",
            "083080000011",
            "Lê Văn Tám",
            "01/02/1980",
            "Nam",
            "28756",
        )],
        vec![insurance(
            "BH1",
            "321456789",
            "Lê Văn Tám",
            "01/02/1980",
            "Nam",
            "28756",
        )],
    );
    assert_eq!(rules_of(&found, "BH1"), vec!["XM.insurance.ID_MISSING"]);
    assert_eq!(
        found[&("XM.insurance.ID_MISSING".to_string(), "BH1".to_string())].0,
        "083080000011"
    );
}

/// When the register's ID is the broken one (a wrong gender digit, a lost last digit)
/// and the sector holds the well-formed ID of the same person, the sector record is
/// matched: it is never told to take the broken ID. A namesake born the same day with
/// another province's ID is still not found.
#[test]
fn a_broken_register_id_is_not_suggested_to_the_sector() {
    let found = with_insurance(
        vec![
            person(
                "P1",
                "083180000001",
                "Lê Văn Tám",
                "01/02/1980",
                "Nam",
                "28756",
            ),
            person(
                "P2",
                "08308000000",
                "Võ Văn Sáu",
                "03/05/1980",
                "Nam",
                "28756",
            ),
        ],
        vec![
            insurance(
                "BH1",
                "083080000001",
                "Lê Văn Tám",
                "01/02/1980",
                "Nam",
                "28756",
            ),
            insurance(
                "BH2",
                "083080000003",
                "Võ Văn Sáu",
                "03/05/1980",
                "Nam",
                "28756",
            ),
            insurance(
                "BH3",
                "079080000004",
                "Võ Văn Sáu",
                "03/05/1980",
                "Nam",
                "28756",
            ),
        ],
    );
    assert_eq!(rules_of(&found, "P1"), vec!["DUNG.ID_STRUCTURE"]);
    assert_eq!(rules_of(&found, "P2"), vec!["DUNG.ID_STRUCTURE"]);
    assert!(rules_of(&found, "BH1").is_empty(), "{found:?}");
    assert!(rules_of(&found, "BH2").is_empty(), "{found:?}");
    assert_eq!(rules_of(&found, "BH3"), vec!["XM.insurance.NOT_FOUND"]);
}

/// Tone marks placed by the old or the new spelling rule, a missing space and eth for
/// Đ are the same name; another tone or another vowel mark is not.
#[test]
fn tone_placement_is_no_name_mismatch() {
    let pairs = [
        ("Nguyễn Thị Hòa", "Nguyễn Thị Hoà", false),
        ("Lê Thị Thủy", "LÊ THỊ THUỶ", false),
        ("Võ Thị Mỹ Linh", "Võ Thị MỹLinh", false),
        ("Đặng Văn Đức", "Ðặng Văn Ðức", false),
        ("Nguyễn Văn Hùng", "Nguyễn Văn Hưng", true),
        ("Lê Thị Thủy", "Lê Thị Thùy", true),
    ];
    let mut population = Vec::new();
    let mut sector = Vec::new();
    for (i, (register, written, _)) in pairs.iter().enumerate() {
        let id = format!("0831800000{i:02}");
        population.push(person(
            &format!("P{i}"),
            &id,
            register,
            "01/02/1980",
            "Nữ",
            "28756",
        ));
        sector.push(insurance(
            &format!("BH{i}"),
            &id,
            written,
            "01/02/1980",
            "Nữ",
            "28756",
        ));
    }
    let found = with_insurance(population, sector);
    for (i, (register, written, differs)) in pairs.iter().enumerate() {
        let expected: Vec<String> = if *differs {
            vec!["XM.insurance.MISMATCH".to_string()]
        } else {
            Vec::new()
        };
        assert_eq!(
            rules_of(&found, &format!("BH{i}")),
            expected,
            "{register} / {written}"
        );
    }
}

/// The SPEC's tax extract has no status: a tax record of a dead person is still in use.
#[test]
fn a_dead_persons_tax_record_is_deceased_active() {
    let found = findings(&[
        (
            "population",
            POPULATION_HEADER,
            vec![
                person_with(
                    "P1",
                    "083080000011",
                    "Lê Văn Tám",
                    "01/02/1980",
                    "Nam",
                    "28756",
                    "05/06/2024",
                ),
                person(
                    "P2",
                    "083080000022",
                    "Lê Văn Bảy",
                    "01/03/1980",
                    "Nam",
                    "28756",
                ),
            ],
        ),
        (
            "tax",
            TAX_HEADER,
            vec![
                "8000000011,083080000011,Lê Văn Tám,1980-02-01,\"Ấp 1\",28756".to_string(),
                "8000000022,083080000022,Lê Văn Bảy,1980-03-01,\"Ấp 1\",28756".to_string(),
            ],
        ),
    ]);
    assert_eq!(
        rules_of(&found, "8000000011"),
        vec!["XM.tax.DECEASED_ACTIVE"]
    );
    assert_eq!(
        found[&(
            "XM.tax.DECEASED_ACTIVE".to_string(),
            "8000000011".to_string()
        )]
            .1,
        "P1"
    );
    assert!(rules_of(&found, "8000000022").is_empty(), "{found:?}");
}

/// A rule folder copied before `commune_agree` went below `ambiguity_margin` still
/// runs, and the run says why its namesakes are not reported as ambiguous.
#[test]
fn an_old_commune_weight_is_warned_about() {
    let dir = temp();
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let matching = std::fs::read_to_string(shipped.join("matching.toml")).unwrap();
    let old = matching.replacen("commune_agree = 0.5", "commune_agree = 1.0", 1);
    assert_ne!(
        old, matching,
        "the shipped matching.toml sets commune_agree = 0.5"
    );
    write(&rules, "matching.toml", old.as_bytes());
    // A pack needs a rule to run (matching settings alone are refused).
    let population_rules = std::fs::read(shipped.join("population.toml")).unwrap();
    write(&rules, "population.toml", &population_rules);
    write(dir.path(), "admin_units.csv", ADMIN.as_bytes());
    let population = format!(
        "{POPULATION_HEADER}\n{}\n",
        person(
            "P1",
            "083080000011",
            "Lê Văn Tám",
            "01/02/1980",
            "Nam",
            "28756"
        )
    );
    write(dir.path(), "population.csv", population.as_bytes());
    let warned = |rules_dir: Option<&Path>| {
        let out = dir.path().join("out");
        let mut config = config_for(dir.path(), &out);
        config.xlsx = false;
        config.html = false;
        config.rules = rules_dir.map(Path::to_path_buf).into_iter().collect();
        let summary = doisoat::run(&config, &doisoat::Silent).unwrap().summary;
        summary.warnings.iter().any(|w| w.contains("commune_agree"))
    };
    assert!(warned(Some(&rules)));
    assert!(!warned(None));
}

/// A register ID typed in digit groups or marked as text is flagged, but joins its
/// sector records and is the same ID as the one written plainly (SACH.DUP_ID).
#[test]
fn a_formatted_register_id_joins_and_counts_as_the_same_id() {
    let found = with_insurance(
        vec![
            person(
                "P1",
                "083 080 000 011",
                "Lê Văn Tám",
                "01/02/1980",
                "Nam",
                "28756",
            ),
            person(
                "P2",
                "'083080000022",
                "Lê Văn Bảy",
                "01/03/1980",
                "Nam",
                "28756",
            ),
            person(
                "P3",
                "083080000022",
                "Trần Văn Chín",
                "01/04/1980",
                "Nam",
                "28756",
            ),
        ],
        vec![insurance(
            "BH1",
            "083080000011",
            "Lê Văn Tám",
            "01/02/1980",
            "Nam",
            "28756",
        )],
    );
    assert_eq!(rules_of(&found, "P1"), vec!["DUNG.ID_STRUCTURE"]);
    assert!(rules_of(&found, "BH1").is_empty(), "{found:?}");
    for key in ["P2", "P3"] {
        assert!(
            rules_of(&found, key).contains(&"SACH.DUP_ID".to_string()),
            "{key}: {found:?}"
        );
    }
}

/// An industrial zone of another province listed in the admin units is not this
/// province's: a worker who lives here is no `IZ_NO_TEMP_RESIDENCE` there, and an ID
/// unknown here is `NOT_FOUND`. A zone of this province still flags a worker
/// registered only elsewhere (also under a mistyped ID), or not at all.
#[test]
fn industrial_zones_of_another_province_are_not_this_provinces() {
    let admin = format!("{ADMIN}74,Tỉnh Bình Dương,718,Thị xã Bến Cát,25741,Phường Mỹ Phước\n");
    let worker = |key: &str, id: &str, name: &str, birth: &str, employer_commune: &str| {
        format!("{key},{id},{name},{birth},Nam,28756,Công ty A,{employer_commune},KCN Mỹ Phước,active,31/12/2026")
    };
    let population = vec![
        person(
            "P1",
            "083085000201",
            "Trần Văn Một",
            "01/01/1985",
            "Nam",
            "28756",
        ),
        person(
            "P2",
            "083086000202",
            "Trần Văn Hai",
            "02/02/1986",
            "Nam",
            "28757",
        ),
        person(
            "P3",
            "083087000203",
            "Trần Văn Ba",
            "03/03/1987",
            "Nam",
            "28756",
        ),
        person(
            "P4",
            "083088000204",
            "Trần Văn Bốn",
            "04/04/1988",
            "Nam",
            "25741",
        ),
    ];
    let insurance = vec![
        // Lives here, works in another province's zone.
        worker("W1", "083085000201", "Trần Văn Một", "01/01/1985", "25741"),
        // Registered only in the other province, works in this province's zone.
        worker("W2", "083088000204", "Trần Văn Bốn", "04/04/1988", "28757"),
        // Unknown here, another province's zone; then this province's zone.
        worker("W3", "083090000205", "Lê Văn Năm", "05/05/1990", "25741"),
        worker("W4", "083091000206", "Lê Văn Sáu", "06/06/1991", "28757"),
        // W2's worker with a mistyped ID: the typo and the missing residence both.
        worker("W5", "083088000207", "Trần Văn Bốn", "04/04/1988", "28757"),
    ];
    let found = findings_with_admin(
        &admin,
        &[
            ("population", POPULATION_HEADER, population),
            ("insurance", INSURANCE_HEADER, insurance),
        ],
    );
    let insurance_rules = |key: &str| -> Vec<String> {
        rules_of(&found, key)
            .into_iter()
            .filter(|rule| rule.starts_with("XM.insurance."))
            .collect()
    };
    assert!(insurance_rules("W1").is_empty(), "{found:#?}");
    assert_eq!(insurance_rules("W2"), ["XM.insurance.IZ_NO_TEMP_RESIDENCE"]);
    assert_eq!(insurance_rules("W3"), ["XM.insurance.NOT_FOUND"]);
    assert_eq!(insurance_rules("W4"), ["XM.insurance.IZ_NO_TEMP_RESIDENCE"]);
    assert_eq!(
        insurance_rules("W5"),
        ["XM.insurance.ID_WRONG", "XM.insurance.IZ_NO_TEMP_RESIDENCE"]
    );
}

/// A zero-width space pasted into a sector name is invisible, so the name is the
/// register's: no MISMATCH. Only the name differs from the register's row.
#[test]
fn invisible_characters_in_a_sector_name_are_not_a_mismatch() {
    let register = vec![person(
        "P1",
        "083080000011",
        "Huỳnh Quốc Bảo",
        "01/02/1980",
        "Nam",
        "28756",
    )];
    for name in [
        "Huỳnh \u{200b}Quốc Bảo",
        "Huỳnh Quốc\u{feff} Bảo",
        "Huỳnh Quốc Bảo",
    ] {
        let found = with_insurance(
            register.clone(),
            vec![insurance(
                "BH1",
                "083080000011",
                name,
                "01/02/1980",
                "Nam",
                "28756",
            )],
        );
        assert!(rules_of(&found, "BH1").is_empty(), "{name:?}: {found:?}");
    }
    // The same name with a real difference is still one.
    let found = with_insurance(
        register,
        vec![insurance(
            "BH1",
            "083080000011",
            "Huỳnh Quốc Bình",
            "01/02/1980",
            "Nam",
            "28756",
        )],
    );
    assert_eq!(rules_of(&found, "BH1"), ["XM.insurance.MISMATCH"]);
}

/// A registered death whose date is not a date ("không rõ") still tells the commune the
/// register lacks the death, but offers no value to type into the register.
#[test]
fn a_death_date_that_is_not_a_date_is_not_suggested() {
    const DEATHS_HEADER: &str =
        "death_reg_id,person_id,full_name,birth_date,gender,death_date,commune_code";
    let found = findings(&[
        (
            "population",
            POPULATION_HEADER,
            vec![
                person(
                    "P1",
                    "083080000011",
                    "Lê Văn Tám",
                    "01/02/1980",
                    "Nam",
                    "28756",
                ),
                person(
                    "P2",
                    "083080000012",
                    "Lê Văn Bảy",
                    "01/03/1980",
                    "Nam",
                    "28756",
                ),
            ],
        ),
        (
            "deaths",
            DEATHS_HEADER,
            vec![
                "KT1,083080000011,Lê Văn Tám,01/02/1980,Nam,không rõ,28756".to_string(),
                "KT2,083080000012,Lê Văn Bảy,01/03/1980,Nam,05/06/2025,28756".to_string(),
            ],
        ),
    ]);
    let rule = "SONG.DEATH_NOT_RECORDED".to_string();
    assert_eq!(found[&(rule.clone(), "KT1".to_string())].0, "");
    assert_eq!(found[&(rule, "KT2".to_string())].0, "05/06/2025");
}

/// A sector birth date that is no date ("31/02/1980", "không rõ") disagrees with the
/// register's: MISMATCH on the birth date, quoting what the sector wrote.
#[test]
fn an_unreadable_sector_birth_date_is_a_mismatch() {
    let register = vec![person(
        "P1",
        "083080000011",
        "Lê Văn Tám",
        "01/02/1980",
        "Nam",
        "28756",
    )];
    for written in ["31/02/1980", "không rõ"] {
        let found = with_insurance(
            register.clone(),
            vec![insurance(
                "BH1",
                "083080000011",
                "Lê Văn Tám",
                written,
                "Nam",
                "28756",
            )],
        );
        assert_eq!(
            rules_of(&found, "BH1"),
            ["XM.insurance.MISMATCH"],
            "{written}"
        );
    }
    // An empty sector date is missing, not different.
    let found = with_insurance(
        register,
        vec![insurance(
            "BH1",
            "083080000011",
            "Lê Văn Tám",
            "",
            "Nam",
            "28756",
        )],
    );
    assert!(rules_of(&found, "BH1").is_empty(), "{found:?}");
}

/// Names whose diacritics differ disagree (SPEC §4), and so do surnames that are not
/// one typo apart: a record without an ID is not linked to such a person, a death is
/// not put on them and an old CMND is not suggested for them. A name written without
/// any diacritics, and a one-letter typo, still link.
#[test]
fn record_linkage_keeps_names_that_disagree_apart() {
    let found = findings(&[
        (
            "population",
            POPULATION_HEADER,
            vec![
                person(
                    "P1",
                    "083086000011",
                    "Trần Văn Hùng",
                    "20/04/1986",
                    "Nam",
                    "28756",
                ),
                person(
                    "P2",
                    "083060000022",
                    "Đặng Văn Minh",
                    "10/01/1960",
                    "Nam",
                    "28756",
                ),
                person(
                    "P3",
                    "083069000033",
                    "Quan Văn Hùng",
                    "08/08/1969",
                    "Nam",
                    "28756",
                ),
                person(
                    "P4",
                    "083175000044",
                    "Lê Thị Thu",
                    "03/03/1975",
                    "Nữ",
                    "28756",
                ),
            ],
        ),
        (
            "tax",
            TAX_HEADER,
            vec![
                // Diacritics differ: nobody.
                "8000000001,,Trần Văn Hưng,1986-04-20,\"Ấp 1\",28756".to_string(),
                "8000000004,,Lê Thị Thư,1975-03-03,\"Ấp 1\",28756".to_string(),
                // Written without diacritics, or with a one-letter typo: the person.
                "8000000011,,TRAN VAN HUNG,1986-04-20,\"Ấp 1\",28756".to_string(),
                "8000000012,,Trần Văn Hùg,1986-04-20,\"Ấp 1\",28756".to_string(),
            ],
        ),
        (
            "deaths",
            "death_reg_id,person_id,full_name,birth_date,gender,death_date,commune_code",
            vec!["KT1,,Trần Văn Minh,10/01/1960,Nam,01/01/2026,28756".to_string()],
        ),
        (
            "legacy_id",
            "old_id,full_name,birth_date,gender,hometown,commune_code",
            vec!["211111116,Quan Văn Hưng,08/08/1969,Nam,Bến Tre,28756".to_string()],
        ),
    ]);
    for key in ["8000000001", "8000000004"] {
        assert_eq!(rules_of(&found, key), vec!["XM.tax.NOT_FOUND"], "{key}");
    }
    for key in ["8000000011", "8000000012"] {
        assert_eq!(rules_of(&found, key), vec!["XM.tax.ID_MISSING"], "{key}");
        assert_eq!(
            found[&("XM.tax.ID_MISSING".to_string(), key.to_string())].0,
            "083086000011"
        );
    }
    // Đặng is not Trần: P2 is alive, so no recorded death is missing and the card rules
    // still see him.
    assert!(rules_of(&found, "KT1").is_empty(), "{found:?}");
    let legacy = &found[&("DU.OLD_ID_NOT_LINKED".to_string(), "211111116".to_string())];
    assert_eq!(legacy.0, "", "no person is suggested: {legacy:?}");
}

/// A record still carrying the code of a commune merged away before the run date is
/// an unknown commune, and its finding says which commune the code was and since when
/// it is gone, so the officer knows to look up the new code.
#[test]
fn a_merged_communes_code_says_it_ended() {
    let admin = "province_code,province_name,district_code,district_name,commune_code,commune_name,valid_from,valid_to
83,Tỉnh Bến Tre,829,Thành phố Bến Tre,28756,Phường 1,,
83,Tỉnh Bến Tre,829,Thành phố Bến Tre,28757,Phường 2,,30/06/2025
";
    let rows = vec![
        person(
            "P1",
            "083080000011",
            "Lê Văn Tám",
            "01/02/1980",
            "Nam",
            "28756",
        ),
        person(
            "P2",
            "083080000022",
            "Lê Văn Bảy",
            "01/03/1980",
            "Nam",
            "28757",
        ),
        person(
            "P3",
            "083080000033",
            "Lê Văn Chín",
            "01/04/1980",
            "Nam",
            "99999",
        ),
    ];
    let (_, dir) = run_files(admin, &[("population", POPULATION_HEADER, rows)]);
    let out = dir.path().join("out");
    let (header, found) = read_csv(&out.join("findings.csv"));
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let detail_of = |key: &str| -> String {
        found
            .iter()
            .find(|r| r[col("rule_id")] == "DUNG.INVALID_VALUE" && r[col("record_key")] == key)
            .map(|r| r[col("detail")].clone())
            .unwrap_or_else(|| panic!("no INVALID_VALUE for {key}: {found:?}"))
    };
    let merged = detail_of("P2");
    assert!(
        merged.contains("Phường 2") && merged.contains("30/06/2025"),
        "{merged}"
    );
    let unknown = detail_of("P3");
    assert!(!unknown.contains("hết hiệu lực"), "{unknown}");
    assert!(!found
        .iter()
        .any(|r| r[col("record_key")] == "P1" && r[col("rule_id")] == "DUNG.INVALID_VALUE"));
}

/// A death registration that marks nobody dead (its person is not in the register, or
/// two people match it equally) is named in one warning instead of vanishing; one that
/// two namesakes match equally is also a finding naming both.
#[test]
fn death_registrations_that_mark_nobody_are_a_warning() {
    let rows = vec![
        person(
            "P1",
            "083080000011",
            "Lê Văn Tám",
            "01/02/1980",
            "Nam",
            "28756",
        ),
        person(
            "P2",
            "083080000022",
            "Lê Văn Tám",
            "01/02/1980",
            "Nam",
            "28757",
        ),
        person(
            "P3",
            "083080000033",
            "Trần Văn Chín",
            "01/04/1980",
            "Nam",
            "28756",
        ),
    ];
    let deaths = vec![
        "KT1,,Lê Văn Tám,01/02/1980,Nam,01/01/2026,28758".to_string(),
        "KT2,,Phạm Thị Mơ,01/02/1950,Nữ,01/01/2026,28756".to_string(),
        "KT3,083080000033,Trần Văn Chín,01/04/1980,Nam,01/01/2026,28756".to_string(),
    ];
    let (outcome, dir) = run_files(
        ADMIN,
        &[
            ("population", POPULATION_HEADER, rows),
            (
                "deaths",
                "death_reg_id,person_id,full_name,birth_date,gender,death_date,commune_code",
                deaths,
            ),
        ],
    );
    let summary = outcome.summary;
    let warning = summary
        .warnings
        .iter()
        .find(|w| w.contains("death registration"))
        .unwrap_or_else(|| panic!("{:?}", summary.warnings));
    assert!(warning.contains("2 death registration(s)"), "{warning}");
    assert!(
        warning.contains("1 match no person, 1 match several"),
        "{warning}"
    );
    assert!(warning.contains("KT1") && warning.contains("KT2") && !warning.contains("KT3"));
    // Whichever namesake KT1 is, a register record lacks the death: it is reported,
    // with both candidates, for the officer to settle. KT2 matches nobody.
    let found = read_findings(&dir.path().join("out"));
    let death = |key: &str| found.get(&("SONG.DEATH_NOT_RECORDED".to_string(), key.to_string()));
    assert_eq!(
        death("KT1"),
        Some(&("01/01/2026".to_string(), "P1;P2".to_string())),
        "{found:?}"
    );
    assert_eq!(death("KT2"), None);
}

/// The match classes of summary.json count every accepted sector record once, per
/// class and per commune, and agree with the findings the classes stand for.
#[test]
fn match_classes_count_every_sector_record_and_agree_with_the_findings() {
    use doisoat::matching::crossmatch::MatchClass;
    let data = temp();
    let mut options = doisoat::gen::GenOptions::new(6_000, 5, data.path().to_path_buf());
    options.as_of = as_of();
    doisoat::gen::generate(&options).unwrap();
    let out = data.path().join("out");
    let mut config = config_for(data.path(), &out);
    config.xlsx = false;
    config.html = false;
    let summary = doisoat::run(&config, &doisoat::Silent).unwrap().summary;
    let (header, rows) = read_csv(&out.join("findings.csv"));
    let rule = header.iter().position(|h| h == "rule_id").unwrap();
    let found = |id: &str| rows.iter().filter(|row| row[rule] == id).count() as u64;
    assert_eq!(
        summary.match_classes.len(),
        3,
        "insurance, tax and vaccination"
    );
    for (dataset, counts) in &summary.match_classes {
        assert_eq!(counts.total, summary.inputs[dataset].accepted, "{dataset}");
        assert_eq!(
            counts.classes.values().sum::<u64>(),
            counts.total,
            "{dataset}"
        );
        for class in MatchClass::ALL {
            let per_commune: u64 = counts
                .communes
                .values()
                .filter_map(|classes| classes.get(&class))
                .sum();
            assert_eq!(per_commune, counts.classes[&class], "{dataset} {class:?}");
        }
        let class = |c: MatchClass| counts.classes[&c];
        assert!(class(MatchClass::Matched) > counts.total / 2, "{dataset}");
        assert_eq!(
            class(MatchClass::Mismatched),
            found(&format!("XM.{dataset}.MISMATCH")),
            "{dataset}"
        );
        assert_eq!(
            class(MatchClass::Ambiguous),
            found(&format!("XM.{dataset}.AMBIGUOUS")),
            "{dataset}"
        );
        assert_eq!(
            class(MatchClass::IdSuggested),
            found(&format!("XM.{dataset}.ID_MISSING")) + found(&format!("XM.{dataset}.ID_WRONG")),
            "{dataset}"
        );
    }
}

/// One person registered twice under one ID (SACH.DUP_ID), once with the death and once
/// without: the death registration and the insurance record link the same way whatever
/// the order of the register extract, which a nightly database export does not keep.
#[test]
fn a_person_registered_twice_links_the_same_whatever_the_row_order() {
    let dead = person_with(
        "R1",
        "083180222222",
        "Lý Thị Hoa",
        "02/02/1980",
        "Nữ",
        "28756",
        "01/01/2024",
    );
    let alive = person(
        "R2",
        "083180222222",
        "Lý Thị Hoa",
        "02/02/1980",
        "Nữ",
        "28757",
    );
    let twice_alive = [
        person(
            "R3",
            "083170333333",
            "Mai Thị Hạnh",
            "03/03/1970",
            "Nữ",
            "28757",
        ),
        person(
            "R4",
            "083170333333",
            "Mai Thị Hạnh",
            "03/03/1970",
            "Nữ",
            "28756",
        ),
    ];
    let deaths = vec![
        "KD1,083180222222,Lý Thị Hoa,02/02/1980,Nữ,01/01/2024,28756".to_string(),
        "KD2,083170333333,Mai Thị Hạnh,03/03/1970,Nữ,01/05/2025,28756".to_string(),
    ];
    let cover = vec![
        insurance(
            "BZ1",
            "083180222222",
            "Lý Thị Hoa",
            "02/02/1980",
            "Nữ",
            "28756",
        ),
        insurance(
            "BZ2",
            "083170333333",
            "Mai Thị Hạnh",
            "03/03/1970",
            "Nữ",
            "28756",
        ),
    ];
    let run = |population: Vec<String>| {
        findings(&[
            ("population", POPULATION_HEADER, population),
            (
                "deaths",
                "death_reg_id,person_id,full_name,birth_date,gender,death_date,commune_code",
                deaths.clone(),
            ),
            ("insurance", INSURANCE_HEADER, cover.clone()),
        ])
    };
    let forward = run(vec![
        dead.clone(),
        alive.clone(),
        twice_alive[0].clone(),
        twice_alive[1].clone(),
    ]);
    let backward = run(vec![
        twice_alive[1].clone(),
        twice_alive[0].clone(),
        alive,
        dead,
    ]);
    assert_eq!(forward, backward);
    let of = |rule: &str, key: &str| forward.get(&(rule.to_string(), key.to_string())).cloned();
    // R2 still lacks the death that R1 and the civil registry record.
    assert_eq!(
        of("SONG.DEATH_NOT_RECORDED", "KD1").map(|f| f.1),
        Some("R2".to_string())
    );
    // Both registrations of Mai Thị Hạnh lack it: both are named.
    assert_eq!(
        of("SONG.DEATH_NOT_RECORDED", "KD2").map(|f| f.1),
        Some("R3;R4".to_string())
    );
    // Dead in every registration: no card reminder for any of them.
    for key in ["R1", "R2", "R3", "R4"] {
        assert_eq!(of("SONG.NO_ID_CARD", key), None, "{key}");
        assert_eq!(of("SONG.CARD_EXPIRED", key), None, "{key}");
    }
    // The insurance cards of a dead person are still active, in either order.
    assert!(of("XM.insurance.DECEASED_ACTIVE", "BZ1").is_some());
    assert!(of("XM.insurance.DECEASED_ACTIVE", "BZ2").is_some());
}

/// Age over 120 is an impossible birth date only when certain: born some day of 1905,
/// a person may be 120 on 22/11/2026; born on 22/11/1905, they are 121.
#[test]
fn only_a_certain_age_over_120_is_an_impossible_birth_date() {
    let found = findings(&[(
        "population",
        POPULATION_HEADER,
        vec![
            person("A1", "083005000011", "Lê Văn Một", "1905", "Nam", "28756"),
            person(
                "A2",
                "083005000012",
                "Lê Văn Hai",
                "22/11/1905",
                "Nam",
                "28756",
            ),
            person(
                "A3",
                "083005000013",
                "Lê Văn Ba",
                "23/11/1905",
                "Nam",
                "28756",
            ),
        ],
    )]);
    let invalid =
        |key: &str| found.contains_key(&("DUNG.INVALID_VALUE".to_string(), key.to_string()));
    assert!(!invalid("A1"), "{found:?}");
    assert!(invalid("A2"), "{found:?}");
    assert!(!invalid("A3"), "{found:?}");
}

/// Lý / Lí, Mỹ / Mĩ, Kỳ / Kì, Quý / Quí are one name in the two spellings in use: a
/// record without an ID written the other way finds its person (and both
/// registrations of someone registered once each way), while a record with the ID
/// still reports the spelling as a name mismatch, for the two sources to agree.
#[test]
fn i_and_y_spellings_link_but_still_differ() {
    #[rustfmt::skip]
    let population = vec![
        person("P1", "083185000712", "Trịnh Thị Mỹ Kỳ", "05/09/1985", "Nữ", "28756"),
        person("P2", "083090000713", "Phạm Quý Hùng", "11/11/1990", "Nam", "28756"),
    ];
    #[rustfmt::skip]
    let sector = vec![
        insurance("BH1", "", "Trịnh Thị Mĩ Kì", "05/09/1985", "Nữ", "28756"),
        insurance("BH2", "083090000713", "Phạm Quí Hùng", "11/11/1990", "Nam", "28756"),
    ];
    let found = with_insurance(population, sector);
    assert_eq!(rules_of(&found, "BH1"), vec!["XM.insurance.ID_MISSING"]);
    assert_eq!(
        found[&("XM.insurance.ID_MISSING".to_string(), "BH1".to_string())].0,
        "083185000712"
    );
    assert_eq!(rules_of(&found, "BH2"), vec!["XM.insurance.MISMATCH"]);
}

/// Where a register writes 01/01 for a birth date it did not know (here one record in
/// four), a record without an ID born another day of that year is that person, as a
/// year-only date would be; another real date of the year is still another person.
#[test]
fn a_stand_in_birthday_is_only_a_year() {
    const GIVEN: [&str; 10] = [
        "An", "Bình", "Cường", "Dũng", "Giang", "Hải", "Khoa", "Lâm", "Long", "Nam",
    ];
    let mut population: Vec<String> = (0..90)
        .map(|i| {
            let birth = if i % 3 == 0 {
                format!("01/01/{}", 1940 + i / 2)
            } else {
                format!("{:02}/{:02}/{}", 2 + i % 27, 1 + i % 12, 1940 + i / 2)
            };
            let name = format!("Đào {} {}", GIVEN[i / 10], GIVEN[i % 10]);
            let id = format!("0830{:02}{:06}", (1940 + i / 2) % 100, 900 + i);
            person(&format!("F{i}"), &id, &name, &birth, "Nam", "28756")
        })
        .collect();
    #[rustfmt::skip]
    population.extend([
        person("P1", "083064000801", "Lục Văn Minh", "01/01/1964", "Nam", "28756"),
        person("P2", "083170000802", "Hà Thị Lan", "15/05/1970", "Nữ", "28756"),
    ]);
    let sector = vec![
        insurance("BH1", "", "Lục Văn Minh", "03/09/1964", "Nam", "28756"),
        insurance("BH2", "", "Hà Thị Lan", "16/08/1970", "Nữ", "28756"),
    ];
    let found = with_insurance(population, sector);
    assert_eq!(rules_of(&found, "BH1"), vec!["XM.insurance.ID_MISSING"]);
    assert_eq!(
        found[&("XM.insurance.ID_MISSING".to_string(), "BH1".to_string())].0,
        "083064000801"
    );
    assert_eq!(rules_of(&found, "BH2"), vec!["XM.insurance.NOT_FOUND"]);
}

/// Namesakes born the same year are equally good candidates for a sector record, but
/// a well-formed ID that is no typo of either one's ID belongs to someone the register
/// does not hold: the record is not found, not ambiguous. An ID one digit from one
/// namesake's is that namesake's, mistyped.
#[test]
fn a_well_formed_id_of_neither_namesake_is_not_found() {
    #[rustfmt::skip]
    let population = vec![
        person("P1", "083072000011", "Lê Văn Tám", "1972", "Nam", "28756"),
        person("P2", "083072000022", "Lê Văn Tám", "1972", "Nam", "28757"),
    ];
    #[rustfmt::skip]
    let sector = vec![
        insurance("BH1", "017072712600", "Lê Văn Tám", "11/03/1972", "Nam", "28756"),
        insurance("BH2", "083072000019", "Lê Văn Tám", "11/03/1972", "Nam", "28756"),
        insurance("BH3", "", "Lê Văn Tám", "11/03/1972", "Nam", "28756"),
    ];
    let found = with_insurance(population, sector);
    assert_eq!(rules_of(&found, "BH1"), vec!["XM.insurance.NOT_FOUND"]);
    assert_eq!(rules_of(&found, "BH2"), vec!["XM.insurance.ID_WRONG"]);
    assert_eq!(
        found[&("XM.insurance.ID_WRONG".to_string(), "BH2".to_string())].0,
        "083072000011"
    );
    assert_eq!(rules_of(&found, "BH3"), vec!["XM.insurance.AMBIGUOUS"]);
}
