//! Bad input: every malformed row is rejected with its line and reason, every broken
//! file stops the run with a message naming the file, nothing panics, the accounting
//! holds and a failed run leaves no output.

use std::collections::BTreeSet;

use crate::common::*;

const GOOD: &str = "P1,083190012345,,Nguyễn Thị Lan,05/03/1990,Nữ,83,Kinh,Không,Việt Nam,83,829,28756,Ấp 1,thuong_tru,H1,Chủ hộ,,,,01/02/2021,,0912345678";
const GOOD2: &str = "P2,083088012346,,Trần Văn Hùng,01/07/1988,Nam,83,Kinh,Không,Việt Nam,83,829,28756,Ấp 1,thuong_tru,H1,Chồng,,,,01/02/2021,,";

fn run_on(population: &[u8]) -> (doisoat::Result<doisoat::RunOutcome>, tempfile::TempDir) {
    let dir = temp();
    write(dir.path(), "population.csv", population);
    let out = dir.path().join("out");
    let config = config_for(dir.path(), &out);
    (doisoat::run(&config, &doisoat::Silent), dir)
}

fn population(rows: &[&str]) -> Vec<u8> {
    let mut text = String::from(POPULATION_HEADER);
    for row in rows {
        text.push('\n');
        text.push_str(row);
    }
    text.push('\n');
    text.into_bytes()
}

fn rejects(dir: &tempfile::TempDir) -> Vec<Vec<String>> {
    read_csv(&dir.path().join("out/rejects/population.csv")).1
}

#[test]
fn ragged_rows_are_rejected_with_line_and_reason() {
    let short = "P3,083190012347,,Lê Văn Nam";
    let long = format!("{GOOD2},extra");
    let (outcome, dir) = run_on(&population(&[GOOD, short, &long.replace("P2", "P9")]));
    let summary = outcome.unwrap().summary;
    let stats = &summary.inputs["population"];
    assert_eq!((stats.read, stats.accepted, stats.rejected), (3, 1, 2));
    let rows = rejects(&dir);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0][1], "3");
    assert!(rows[0][2].contains("4 cột"), "{:?}", rows[0]);
    assert_eq!(rows[1][1], "4");
    assert!(rows[1][0].ends_with("population.csv"));
}

#[test]
fn missing_required_column_stops_the_run_naming_file_and_column() {
    let text = "record_id,full_name,birth_date\nP1,A,1990\n";
    let (outcome, dir) = run_on(text.as_bytes());
    let error = outcome.err().expect("must fail").to_string();
    assert!(error.contains("population.csv"), "{error}");
    assert!(error.contains("person_id"), "{error}");
    assert!(
        !dir.path().join("out").exists(),
        "a failed run leaves no output"
    );
}

#[test]
fn empty_file_is_a_clear_error() {
    let (outcome, _dir) = run_on(b"");
    let error = outcome.err().expect("must fail").to_string();
    assert!(error.contains("empty"), "{error}");
}

#[test]
fn header_only_is_zero_rows_not_an_error() {
    let (outcome, _dir) = run_on(format!("{POPULATION_HEADER}\n").as_bytes());
    let summary = outcome.unwrap().summary;
    let stats = &summary.inputs["population"];
    assert_eq!((stats.read, stats.accepted, stats.rejected), (0, 0, 0));
    assert_eq!(summary.findings.total, 0);
}

#[test]
fn bom_crlf_and_semicolons_are_read() {
    let text = population(&[GOOD, GOOD2]);
    let text = String::from_utf8(text).unwrap();
    let semicolons = text.replace(',', ";").replace('\n', "\r\n");
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(semicolons.as_bytes());
    let (outcome, _dir) = run_on(&bytes);
    let summary = outcome.unwrap().summary;
    let stats = &summary.inputs["population"];
    assert_eq!((stats.read, stats.accepted, stats.rejected), (2, 2, 0));
}

#[test]
fn quoted_fields_with_delimiters_and_newlines() {
    let row = GOOD.replace("Ấp 1", "\"Ấp 1, \"\"Khu A\"\"\nPhường 1\"");
    let (outcome, dir) = run_on(&population(&[&row, GOOD2]));
    let summary = outcome.unwrap().summary;
    assert_eq!(summary.inputs["population"].accepted, 2);
    assert!(rejects(&dir).is_empty());
}

/// A row in a legacy encoding (Latin-1 / Windows-1258 bytes).
fn legacy_row(key: &str) -> Vec<u8> {
    let mut row = format!("{key},083088012346,,Tr").into_bytes();
    row.extend_from_slice(
        b"\xe2n V\xe3n,01/07/1988,Nam,83,Kinh,Kh,VN,83,829,28756,A,thuong_tru,H1,Con,,,,,,\n",
    );
    row
}

#[test]
fn a_file_in_a_legacy_encoding_stops_the_run_and_names_it() {
    let mut bytes = population(&[GOOD]);
    for i in 0..20 {
        bytes.extend_from_slice(&legacy_row(&format!("L{i}")));
    }
    let (outcome, dir) = run_on(&bytes);
    let error = outcome.err().expect("must fail").to_string();
    assert!(error.contains("population.csv"), "{error}");
    assert!(
        error.contains("UTF-8") && error.contains("line 3") && error.contains("CP1258"),
        "{error}"
    );
    assert!(!dir.path().join("out").exists());
}

#[test]
fn a_stray_row_that_is_not_utf8_is_rejected_with_its_line() {
    let good: Vec<String> = (0..200)
        .map(|i| GOOD.replacen("P1", &format!("G{i}"), 1))
        .collect();
    let good: Vec<&str> = good.iter().map(String::as_str).collect();
    let mut bytes = population(&good[..100]);
    bytes.extend_from_slice(&legacy_row("L1"));
    bytes.extend_from_slice(&population(&good[100..])[POPULATION_HEADER.len() + 1..]);
    let (outcome, dir) = run_on(&bytes);
    let stats = &outcome.unwrap().summary.inputs["population"];
    assert_eq!((stats.read, stats.accepted, stats.rejected), (201, 200, 1));
    let rows = rejects(&dir);
    assert_eq!(rows[0][1], "102");
    assert!(rows[0][2].contains("UTF-8"), "{:?}", rows[0]);
    assert!(
        rows[0][3].starts_with("L1,") && rows[0][3].contains('\u{fffd}'),
        "{:?}",
        rows[0]
    );
}

#[test]
fn damaged_utf16_is_named() {
    // A BOM, then "re", then half of a surrogate pair: not UTF-16 text.
    let (outcome, _dir) = run_on(&[0xFF, 0xFE, b'r', 0, b'e', 0, 0x00, 0xD8]);
    let error = outcome.err().expect("must fail").to_string();
    assert!(error.contains("UTF-16"), "{error}");
}

#[test]
fn a_one_megabyte_field_rejects_its_row() {
    let huge = "x".repeat(1 << 20);
    let row = GOOD2.replace("Ấp 1", &huge);
    let (outcome, dir) = run_on(&population(&[GOOD, &row]));
    let summary = outcome.unwrap().summary;
    let stats = &summary.inputs["population"];
    assert_eq!((stats.read, stats.accepted, stats.rejected), (2, 1, 1));
    let rows = rejects(&dir);
    assert!(rows[0][2].contains("1048576"), "{:?}", rows[0][2]);
    assert!(
        rows[0][3].len() < 2000,
        "the rejects file quotes a shortened row"
    );
}

#[test]
fn empty_and_repeated_record_keys_are_rejected() {
    let no_key = GOOD2.replacen("P2", "", 1);
    let (outcome, dir) = run_on(&population(&[GOOD, &no_key, GOOD]));
    let summary = outcome.unwrap().summary;
    let stats = &summary.inputs["population"];
    assert_eq!((stats.read, stats.accepted, stats.rejected), (3, 1, 2));
    let rows = rejects(&dir);
    assert!(rows.iter().any(|r| r[1] == "3" && r[2].contains("khóa")));
    assert!(rows.iter().any(|r| r[1] == "4" && r[2].contains("dòng 2")));
    // The repeated row is quoted whole, so the officer sees which copy to keep.
    assert!(rows.iter().any(|r| r[1] == "4" && r[3] == GOOD), "{rows:?}");
}

#[test]
fn missing_file_is_named() {
    let dir = temp();
    let out = dir.path().join("out");
    let config = config_for(dir.path(), &out);
    let error = doisoat::run(&config, &doisoat::Silent)
        .err()
        .unwrap()
        .to_string();
    assert!(
        error.contains("population.csv") && error.contains("not found"),
        "{error}"
    );
}

#[test]
fn reject_lines_stay_exact_across_parallel_chunks() {
    // Over 8 MB, so the file is parsed as several chunks in parallel; blank lines and
    // quoted line breaks before the bad rows must all count.
    let mut text = String::from(POPULATION_HEADER);
    text.push('\n');
    let mut line = 1u64;
    let mut expected = Vec::new();
    let mut row = 0u64;
    while text.len() < 20 << 20 {
        row += 1;
        let good = GOOD
            .replace(
                "P1,083190012345,",
                &format!("P{row},083190{:06},", row % 1_000_000),
            )
            .replace(",H1,", &format!(",H{row},"))
            .replacen(
                "Ấp 1",
                if row.is_multiple_of(7) {
                    "\"Ấp 1\nxã An Thạnh\""
                } else {
                    "Ấp 1"
                },
                1,
            );
        text.push_str(&good);
        text.push('\n');
        line += 1 + u64::from(row.is_multiple_of(7));
        if row.is_multiple_of(5_000) {
            text.push('\n');
            line += 1;
        }
        if row.is_multiple_of(20_000) {
            text.push_str(&format!("R{row},short row\n"));
            line += 1;
            expected.push(line.to_string());
        }
    }
    let (outcome, dir) = run_on(text.as_bytes());
    let summary = outcome.unwrap().summary;
    let stats = &summary.inputs["population"];
    assert_eq!(stats.accepted, row);
    assert_eq!(stats.rejected as usize, expected.len());
    assert!(expected.len() > 3);
    let lines: Vec<String> = rejects(&dir).iter().map(|r| r[1].clone()).collect();
    assert_eq!(lines, expected);
}

/// A population file of over 8 MB (several parallel chunks) whose first address is
/// `first` and every `every`-th address `multiline`; returns (rows, run outcome, dir).
fn chunked_file_with(
    first: &str,
    multiline: &str,
    every: u64,
) -> (u64, doisoat::Result<doisoat::RunOutcome>, tempfile::TempDir) {
    let mut text = String::from(POPULATION_HEADER);
    text.push('\n');
    let mut row = 0u64;
    while text.len() < 20 << 20 {
        row += 1;
        let address = match row {
            1 => first,
            _ if row.is_multiple_of(every) => multiline,
            _ => "Ấp 1",
        };
        let good = GOOD
            .replace(
                "P1,083190012345,",
                &format!("P{row},083190{:06},", row % 1_000_000),
            )
            .replace(",H1,", &format!(",H{row},"))
            .replacen("Ấp 1", address, 1);
        text.push_str(&good);
        text.push('\n');
    }
    let (outcome, dir) = run_on(text.as_bytes());
    (row, outcome, dir)
}

#[test]
fn a_stray_quote_inside_a_value_does_not_break_later_chunks() {
    // `Ấp 5" mới` is text to a CSV reader (the quote is not at the start of the
    // field); the parallel split must not take it as an open quote, which would cut
    // the later multi-line quoted addresses in the middle.
    let (rows, outcome, dir) = chunked_file_with("Ấp 5\" mới", "\"Ấp 1\nxã An Thạnh\"", 3);
    let stats = &outcome.unwrap().summary.inputs["population"];
    assert_eq!(
        (stats.read, stats.accepted, stats.rejected),
        (rows, rows, 0)
    );
    assert!(rejects(&dir).is_empty());
}

#[test]
fn quotes_the_split_misreads_are_caught_by_the_parse() {
    // `""` right before a delimiter inside quoted text, and a quote at the end of an
    // unquoted value, look like field-edge quotes to the split's quote count, so some
    // cuts land inside a quoted field; the parse sees a chunk end inside quotes and
    // reads the file again as one chunk. The two first rows give both parities.
    for first in ["Ấp 1", "Ấp 1\""] {
        let (rows, outcome, dir) = chunked_file_with(first, "\"Ấp \"\"A\"\",\nxã\"", 1);
        let stats = &outcome.unwrap().summary.inputs["population"];
        assert_eq!(
            (stats.read, stats.accepted, stats.rejected),
            (rows, rows, 0),
            "{first}"
        );
        assert!(rejects(&dir).is_empty());
    }
}

/// Rows that end with a delimiter (empty fields past the header, as some exports
/// write) are accepted with the same values as without it; a non-empty extra field
/// still rejects its row.
#[test]
fn a_trailing_delimiter_adds_no_column() {
    let rows: Vec<String> = (0..300)
        .map(|i| {
            let row = if i % 2 == 0 { GOOD } else { GOOD2 };
            row.replacen(if i % 2 == 0 { "P1" } else { "P2" }, &format!("R{i}"), 1)
        })
        .collect();
    let plain: Vec<&str> = rows.iter().map(String::as_str).collect();
    let trailing: Vec<String> = rows
        .iter()
        .enumerate()
        .map(|(i, row)| format!("{row}{}", if i % 3 == 0 { ",," } else { "," }))
        .chain([format!("{GOOD2},extra").replacen("P2", "X1", 1)])
        .collect();
    let trailing: Vec<&str> = trailing.iter().map(String::as_str).collect();
    let (plain_outcome, plain_dir) = run_on(&population(&plain));
    let (trailing_outcome, trailing_dir) = run_on(&population(&trailing));
    let stats = &trailing_outcome.unwrap().summary.inputs["population"];
    assert_eq!((stats.read, stats.accepted, stats.rejected), (301, 300, 1));
    assert_eq!(rejects(&trailing_dir)[0][1], "302");
    assert_eq!(
        plain_outcome.unwrap().summary.inputs["population"].accepted,
        300
    );
    let findings = |dir: &tempfile::TempDir| keyed(&dir.path().join("out/findings.csv"));
    assert!(
        findings(&plain_dir).len() >= 300,
        "every row shares an ID: SACH.DUP_ID"
    );
    assert_eq!(findings(&plain_dir), findings(&trailing_dir));
}

#[test]
fn a_repeated_header_line_is_rejected_not_read_as_a_person() {
    // Two district extracts joined with `cat`: the second header sits at line 3.
    let text = format!(
        "{}{POPULATION_HEADER}\n{}\n",
        String::from_utf8(population(&[GOOD])).unwrap(),
        GOOD2
    );
    let (outcome, dir) = run_on(text.as_bytes());
    let summary = outcome.unwrap().summary;
    let stats = &summary.inputs["population"];
    assert_eq!((stats.read, stats.accepted, stats.rejected), (3, 2, 1));
    let rows = rejects(&dir);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][1], "3");
    assert!(rows[0][2].contains("tiêu đề"), "{:?}", rows[0]);
    let findings = keyed(&dir.path().join("out/findings.csv"));
    assert!(
        findings.iter().all(|(_, _, key)| key != "record_id"),
        "{findings:?}"
    );
}

#[test]
fn two_columns_read_as_one_field_stop_the_run_naming_both() {
    let header = POPULATION_HEADER.replace("phone", "Số định danh");
    let text = format!("{header}\n{GOOD}\n");
    let (outcome, dir) = run_on(text.as_bytes());
    let error = outcome.err().expect("must fail").to_string();
    assert!(error.contains("person_id"), "{error}");
    assert!(error.contains("\"Số định danh\" (column 23)"), "{error}");
    assert!(error.contains("\"person_id\" (column 2)"), "{error}");
    assert!(!dir.path().join("out").exists());
}

#[test]
fn an_output_folder_holding_the_inputs_or_other_files_is_refused() {
    let dir = temp();
    write(dir.path(), "population.csv", &population(&[GOOD, GOOD2]));
    // --out pointed at the data folder: refused, the data kept.
    let config = config_for(dir.path(), dir.path());
    let error = doisoat::run(&config, &doisoat::Silent)
        .err()
        .expect("must refuse")
        .to_string();
    assert!(error.contains("inside it"), "{error}");
    assert!(dir.path().join("population.csv").exists());
    // A folder holding someone else's files: refused, the files kept.
    let other = dir.path().join("notes");
    std::fs::create_dir(&other).unwrap();
    write(&other, "ghi-chu.txt", b"x");
    let error = doisoat::run(&config_for(dir.path(), &other), &doisoat::Silent)
        .err()
        .expect("must refuse")
        .to_string();
    assert!(error.contains("ghi-chu.txt"), "{error}");
    assert!(other.join("ghi-chu.txt").exists());
    // The feedback state inside the output would be lost with the next run.
    let out = dir.path().join("out");
    let mut config = config_for(dir.path(), &out);
    config.state_dir = Some(out.join("state"));
    assert!(doisoat::run(&config, &doisoat::Silent).is_err());
    // An earlier output is replaced, night after night.
    let config = config_for(dir.path(), &out);
    doisoat::run(&config, &doisoat::Silent).unwrap();
    doisoat::run(&config, &doisoat::Silent).unwrap();
    assert!(out.join("summary.json").exists());
}

#[test]
fn a_misspelt_dataset_name_is_an_error_with_the_likely_name() {
    let dir = temp();
    write(dir.path(), "population.csv", &population(&[GOOD]));
    let path = write(
        dir.path(),
        "vaccination.csv",
        b"record_id,person_id\nV1,083190012345\n",
    );
    let mut config = config_for(dir.path(), &dir.path().join("out"));
    config.datasets.insert(
        "vacination".into(),
        doisoat::config::source("vacination", path),
    );
    let error = doisoat::run(&config, &doisoat::Silent)
        .err()
        .expect("must fail")
        .to_string();
    assert!(error.contains("Did you mean \"vaccination\""), "{error}");
}

#[test]
fn a_column_rules_read_but_the_file_lacks_is_one_warning_naming_the_rules() {
    let drop_card = |line: &str| {
        let mut cells: Vec<&str> = line.split(',').collect();
        cells.remove(20);
        cells.join(",")
    };
    assert!(POPULATION_HEADER.split(',').nth(20) == Some("card_issue_date"));
    let text = format!(
        "{}\n{}\n{}\n",
        drop_card(POPULATION_HEADER),
        drop_card(GOOD),
        drop_card(GOOD2)
    );
    let (outcome, _dir) = run_on(text.as_bytes());
    let warnings = outcome.unwrap().summary.warnings;
    let about: Vec<&String> = warnings
        .iter()
        .filter(|w| w.contains("\"card_issue_date\""))
        .collect();
    assert_eq!(about.len(), 1, "{warnings:?}");
    assert!(about[0].contains("SONG.NO_ID_CARD"), "{}", about[0]);
    assert!(about[0].contains("population.csv"), "{}", about[0]);
    // Derived facts (alive, age) are no file columns and are not warned about.
    assert!(
        !warnings.iter().any(|w| w.contains("\"alive\"")),
        "{warnings:?}"
    );
}

#[test]
fn a_register_without_relatives_names_warns_that_duplicates_are_weaker() {
    let header: Vec<&str> = POPULATION_HEADER.split(',').collect();
    let relatives: Vec<usize> = ["father_name", "mother_name", "spouse_name"]
        .iter()
        .filter_map(|name| header.iter().position(|h| h == name))
        .collect();
    assert_eq!(relatives.len(), 3);
    let without = |line: &str| {
        line.split(',')
            .enumerate()
            .filter(|(i, _)| !relatives.contains(i))
            .map(|(_, cell)| cell)
            .collect::<Vec<_>>()
            .join(",")
    };
    let warned = |text: String| {
        let (outcome, _dir) = run_on(text.as_bytes());
        let warnings = outcome.unwrap().summary.warnings;
        warnings
            .iter()
            .filter(|w| w.contains("no father_name, mother_name or spouse_name column"))
            .inspect(|w| assert!(w.contains("SACH.DUP_PERSON"), "{w}"))
            .count()
    };
    assert!(!GOOD.contains('"') && !GOOD2.contains('"'));
    let bare = format!(
        "{}\n{}\n{}\n",
        without(POPULATION_HEADER),
        without(GOOD),
        without(GOOD2)
    );
    assert_eq!(warned(bare), 1);
    let whole = format!("{POPULATION_HEADER}\n{GOOD}\n{GOOD2}\n");
    assert_eq!(warned(whole), 0);
}

#[test]
fn ids_a_spreadsheet_showed_in_scientific_notation_are_no_duplicates_but_a_warning() {
    // Two different people whose IDs Excel rounded to the same 8.31900E+10.
    let first = GOOD.replace("083190012345", "8.31900E+10");
    let second = GOOD2.replace("083088012346", "8.31900E+10");
    let (outcome, dir) = run_on(&population(&[&first, &second]));
    let warnings = outcome.unwrap().summary.warnings;
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("2 person_id value(s) are in scientific notation")),
        "{warnings:?}"
    );
    let found = keyed(&dir.path().join("out/findings.csv"));
    let rules: BTreeSet<&str> = found.iter().map(|(rule, _, _)| rule.as_str()).collect();
    assert!(!rules.contains("SACH.DUP_ID"), "{found:?}");
    assert!(rules.contains("DUNG.ID_STRUCTURE"), "{found:?}");
}

#[test]
fn an_excel_workbook_given_as_csv_is_named_as_one() {
    // The first bytes of an .xlsx (a zip) and of an old .xls.
    for start in [
        &b"PK\x03\x04\x14\x00\x06\x00"[..],
        &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1],
    ] {
        let (outcome, dir) = run_on(start);
        let error = outcome.err().expect("must fail").to_string();
        assert!(error.contains("Excel workbook"), "{error}");
        assert!(error.contains("population.csv"), "{error}");
        assert!(!error.contains("iconv"), "{error}");
        assert!(!dir.path().join("out").exists());
    }
}

#[test]
fn an_empty_register_beside_sector_files_is_a_warning() {
    let dir = temp();
    write(
        dir.path(),
        "population.csv",
        format!("{POPULATION_HEADER}\n").as_bytes(),
    );
    write(
        dir.path(),
        "tax.csv",
        b"tax_code,person_id,full_name,birth_date,address,commune_code\nT1,083190012345,A,1990,x,28756\n",
    );
    let out = dir.path().join("out");
    let config = config_for(dir.path(), &out);
    let warnings = doisoat::run(&config, &doisoat::Silent)
        .unwrap()
        .summary
        .warnings;
    assert!(
        warnings.iter().any(|w| w.contains("no accepted row")),
        "{warnings:?}"
    );
    // The report shows it first, before the counts it explains.
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    let warned = report
        .find("Cảnh báo về dữ liệu đầu vào")
        .expect("warnings section");
    assert!(report[warned..].contains("no accepted row"));
    assert!(warned < report.find("id=\"tong-quan\"").unwrap());
}

/// Insurance and tax statuses as the agencies write them count as active.
#[test]
fn agency_status_words_count_as_active() {
    let dead = GOOD.replace(
        ",01/02/2021,,0912345678",
        ",01/02/2021,01/01/2024,0912345678",
    );
    let dir = temp();
    write(dir.path(), "population.csv", &population(&[&dead, GOOD2]));
    let insurance = "insurance_code,person_id,full_name,birth_date,gender,commune_code,status\n\
                     BH1,083190012345,Nguyễn Thị Lan,05/03/1990,Nữ,28756,Đang tham gia\n\
                     BH2,083190012345,Nguyễn Thị Lan,05/03/1990,Nữ,28756,Ngừng tham gia\n\
                     BH3,083190012345,Nguyễn Thị Lan,05/03/1990,Nữ,28756,Đang HĐ\n\
                     BH4,083190012345,Nguyễn Thị Lan,05/03/1990,Nữ,28756,Đang HĐ\n";
    write(dir.path(), "insurance.csv", insurance.as_bytes());
    let out = dir.path().join("out");
    let summary = doisoat::run(&config_for(dir.path(), &out), &doisoat::Silent)
        .unwrap()
        .summary;
    // An abbreviation no list knows counts as inactive, and is named with its rows.
    let unknown: Vec<&String> = summary
        .warnings
        .iter()
        .filter(|w| w.contains("status value"))
        .collect();
    assert_eq!(unknown.len(), 1, "{:?}", summary.warnings);
    assert!(
        unknown[0].contains("1 status value(s)") && unknown[0].contains("\"Đang HĐ\" (2)"),
        "{}",
        unknown[0]
    );
    let found = keyed(&out.join("findings.csv"));
    assert_eq!(
        keys_of(&found, "XM.insurance.DECEASED_ACTIVE"),
        BTreeSet::from(["BH1".to_string()])
    );
}

#[test]
fn two_address_or_phone_columns_are_ordinary_and_read() {
    // Register exports often carry both "Nơi thường trú" and "Nơi ở hiện tại", and two
    // phone columns: the first by the alias order is read, the run goes on.
    let header = POPULATION_HEADER
        .replace(",address,", ",Nơi ở hiện tại,")
        .replace(
            ",phone",
            ",Số điện thoại,Điện thoại,Nơi thường trú,Điện thoại",
        );
    let rows: Vec<String> = [GOOD, GOOD2]
        .iter()
        .map(|row| format!("{row},0987654321,Ấp 9,0912000000"))
        .collect();
    let text = format!("{header}\n{}\n{}\n", rows[0], rows[1]);
    let (outcome, _dir) = run_on(text.as_bytes());
    let summary = outcome.expect("an ordinary export runs").summary;
    assert_eq!(summary.inputs["population"].accepted, 2);
}

#[test]
fn other_systems_spellings_of_the_head_count_as_the_head() {
    // "Là chủ hộ" is the relations list's alias of "Chủ hộ"; "Vợ chủ hộ" and
    // "Con (Chủ hộ)" name someone else, so H3 has no head.
    let rows: Vec<String> = [
        ("P1", "H1", "Là chủ hộ"),
        ("P2", "H1", "Vợ"),
        ("P3", "H2", "CHỦ HỘ GIA ĐÌNH"),
        ("P4", "H3", "Vợ chủ hộ"),
        ("P5", "H3", "Con (Chủ hộ)"),
        ("P6", "H4", "Là chủ hộ"),
        ("P7", "H4", "Chủ hộ"),
    ]
    .iter()
    .enumerate()
    .map(|(i, (key, household, relation))| {
        GOOD.replace("P1,", &format!("{key},"))
            .replace("083190012345", &format!("08319001234{i}"))
            .replace(",H1,Chủ hộ,", &format!(",{household},{relation},"))
    })
    .collect();
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    let (outcome, dir) = run_on(&population(&rows));
    outcome.expect("runs");
    let found = keyed(&dir.path().join("out/findings.csv"));
    let households = |rule: &str| keys_of(&found, rule);
    assert_eq!(
        households("DU.HOUSEHOLD_NO_HEAD"),
        BTreeSet::from(["H3".to_string()])
    );
    assert_eq!(
        households("DUNG.HOUSEHOLD_MULTI_HEAD"),
        BTreeSet::from(["H4".to_string()])
    );
}

#[test]
fn spreadsheet_footer_lines_are_rejected_not_read_as_people() {
    // Excel pads the total and signature lines under a report to the table's width.
    let width = POPULATION_HEADER.matches(',').count();
    let padded = |cells: &[&str]| {
        let mut line = cells.join(",");
        line.push_str(&",".repeat(width + 1 - cells.len()));
        line
    };
    let total = padded(&["Tổng cộng", "2 người"]);
    let count = padded(&["Cộng: 2"]);
    let signed = padded(&["Người lập biểu", "", "", "Thủ trưởng đơn vị"]);
    // A key that only starts like a footer word is a record.
    let named = GOOD2.replace("P2,", "Ngay-2,");
    let (outcome, dir) = run_on(&population(&[GOOD, &named, &total, &count, &signed]));
    let summary = outcome.expect("runs").summary;
    let stats = &summary.inputs["population"];
    assert_eq!((stats.read, stats.accepted, stats.rejected), (5, 2, 3));
    let rows = rejects(&dir);
    let lines: Vec<&str> = rows.iter().map(|row| row[1].as_str()).collect();
    assert_eq!(lines, ["4", "5", "6"]);
    for row in &rows {
        assert!(row[2].contains("tổng cộng"), "{row:?}");
    }
    let findings = keyed(&dir.path().join("out/findings.csv"));
    assert!(
        findings.iter().all(|(_, _, key)| !key.starts_with("Tổng")
            && !key.starts_with("Người")
            && !key.starts_with("Cộng")),
        "{findings:?}"
    );
}

#[test]
fn the_mapping_the_error_suggests_works_when_pasted_into_the_run_file() {
    // A team's own headers: the register's ID and the insurance ID under other names.
    // The error's table, pasted in place of the short-form line with the header
    // filled in, must make the run go: no loop of advice that does not parse.
    let dir = temp();
    let header = POPULATION_HEADER.replace(",person_id,", ",ID công dân,");
    let text = format!("{header}\n{GOOD}\n{GOOD2}\n");
    write(dir.path(), "population.csv", text.as_bytes());
    write(
        dir.path(),
        "insurance.csv",
        "insurance_code,ID người tham gia,full_name,birth_date,gender,commune_code\n\
         BH1,083190012345,Nguyễn Thị Lan,05/03/1990,Nữ,28756\n"
            .as_bytes(),
    );
    let run_file = |body: &str| {
        let path = write(dir.path(), "province.toml", body.as_bytes());
        doisoat::RunConfig::from_file(&path).and_then(|mut config| {
            config.out = dir.path().join("out");
            config.as_of = as_of();
            doisoat::run(&config, &doisoat::Silent)
        })
    };
    let error_of = |body: &str| match run_file(body) {
        Ok(_) => panic!("expected the run to stop:\n{body}"),
        Err(error) => error.to_string(),
    };
    let short = "population = \"population.csv\"\n[datasets]\ninsurance = \"insurance.csv\"\n";
    let advice = error_of(short);
    let table = |advice: &str, header: &str| -> String {
        let start = advice.find("[datasets.").expect("advice names a table");
        let lines: Vec<&str> = advice[start..].lines().take(3).map(str::trim).collect();
        lines
            .join("\n")
            .replace("<column header in the file>", header)
    };
    let population_table = table(&advice, "ID công dân");
    assert!(
        population_table.starts_with("[datasets.population]"),
        "{advice}"
    );
    let fixed = format!("{population_table}\n[datasets]\ninsurance = \"insurance.csv\"\n");
    let advice = error_of(&fixed);
    let insurance_table = table(&advice, "ID người tham gia");
    assert!(
        insurance_table.starts_with("[datasets.insurance]"),
        "{advice}"
    );
    let fixed = format!("{population_table}\n{insurance_table}\n");
    let outcome = run_file(&fixed).expect("the suggested tables make the run go");
    assert_eq!(outcome.summary.inputs["population"].accepted, 2);
    assert_eq!(outcome.summary.inputs["insurance"].accepted, 1);

    // The top-level line may stay, with only the columns under [datasets.population].
    let split = format!(
        "population = \"population.csv\"\n[datasets.population.columns]\n\
         person_id = \"ID công dân\"\n{insurance_table}\n"
    );
    assert!(run_file(&split).is_ok());
    let twice = format!("population = \"population.csv\"\n{population_table}\n");
    let error = error_of(&twice);
    assert!(error.contains("names its file twice"), "{error}");
}

#[test]
fn values_wrapped_in_excels_text_formula_read_as_what_they_wrap() {
    let plain = population(&[GOOD, GOOD2]);
    let (outcome, dir) = run_on(&plain);
    outcome.expect("runs");
    let expected = keyed(&dir.path().join("out/findings.csv"));
    // Unquoted, and quoted as a CSV writer quotes it.
    let wrapped = [
        GOOD.replace(",083190012345,", ",=\"083190012345\","),
        GOOD2
            .replace(",083088012346,", ",\"=\"\"083088012346\"\"\",")
            .replace(",28756,", ",=\"28756\","),
    ];
    let (outcome, dir) = run_on(&population(&[&wrapped[0], &wrapped[1]]));
    let summary = outcome.expect("runs").summary;
    assert_eq!(summary.inputs["population"].accepted, 2);
    assert_eq!(keyed(&dir.path().join("out/findings.csv")), expected);
    assert!(
        expected
            .iter()
            .all(|(rule, _, _)| rule != "DUNG.ID_STRUCTURE"),
        "{expected:?}"
    );
    // Excel's text mark before a number is no part of it, nor a space typed after it.
    for marked in [",'083190012345,", ",' 083190012345,"] {
        let marked = GOOD.replace(",083190012345,", marked);
        let (outcome, dir) = run_on(&population(&[&marked, GOOD2]));
        outcome.expect("runs");
        assert_eq!(
            keyed(&dir.path().join("out/findings.csv")),
            expected,
            "{marked}"
        );
    }
    // Digit groups typed apart in the register are a finding, with the 12 digits as
    // the suggested value.
    let grouped = GOOD.replace(",083190012345,", ",083 190 012 345,");
    let (outcome, dir) = run_on(&population(&[&grouped, GOOD2]));
    outcome.expect("runs");
    let (header, rows) = read_csv(&dir.path().join("out/findings.csv"));
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let structure: Vec<&Vec<String>> = rows
        .iter()
        .filter(|row| row[column("rule_id")] == "DUNG.ID_STRUCTURE")
        .collect();
    assert_eq!(structure.len(), 1, "{rows:?}");
    assert_eq!(structure[0][column("suggested_value")], "083190012345");
}

#[test]
fn a_date_column_mostly_in_another_format_is_one_warning_saying_which() {
    // 25 people whose birth dates an en-US spreadsheet wrote month-first.
    let rows: Vec<String> = (10..35)
        .map(|i| {
            GOOD.replace("P1,", &format!("P{i},"))
                .replace("083190012345", &format!("0831900123{i}"))
                .replace("05/03/1990", &format!("3/{i}/1990"))
                .replace(",H1,", &format!(",H{i},"))
        })
        .collect();
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    let (outcome, _dir) = run_on(&population(&rows));
    let summary = outcome.expect("runs").summary;
    let warning = summary
        .warnings
        .iter()
        .find(|w| w.contains("\"birth_date\""))
        .unwrap_or_else(|| panic!("no birth_date warning: {:?}", summary.warnings));
    assert!(warning.contains("22 of 25"), "{warning}");
    assert!(warning.contains("month-first"), "{warning}");

    // Serial numbers are read as the days they count: no warning, no invalid date.
    let serial = GOOD.replace("05/03/1990", "32937");
    let (outcome, dir) = run_on(&population(&[&serial, GOOD2]));
    let summary = outcome.expect("runs").summary;
    assert!(
        summary.warnings.iter().all(|w| !w.contains("birth_date")),
        "{:?}",
        summary.warnings
    );
    let found = keyed(&dir.path().join("out/findings.csv"));
    assert!(
        found
            .iter()
            .all(|(rule, _, _)| rule != "DUNG.INVALID_VALUE"),
        "{found:?}"
    );
}

#[test]
fn an_empty_sector_file_is_a_night_without_records_and_a_warning() {
    let dir = temp();
    write(dir.path(), "population.csv", &population(&[GOOD, GOOD2]));
    write(dir.path(), "deaths.csv", b"");
    write(dir.path(), "tax.csv", b"\r\n");
    let out = dir.path().join("out");
    let outcome = doisoat::run(&config_for(dir.path(), &out), &doisoat::Silent)
        .expect("an empty sector file does not stop the night");
    let summary = outcome.summary;
    for name in ["deaths", "tax"] {
        assert_eq!(summary.inputs[name].read, 0, "{name}");
        assert!(
            summary
                .warnings
                .iter()
                .any(|w| w.contains(&format!("{name}.csv: no records"))),
            "{name}: {:?}",
            summary.warnings
        );
    }
    assert_eq!(summary.inputs["population"].accepted, 2);
    // The register itself may not be empty.
    let (outcome, _dir) = run_on(b"");
    assert!(outcome.is_err());
}

#[test]
fn a_joined_file_whose_second_header_differs_stops_the_run_naming_the_line() {
    let first = "tax_code,person_id,full_name,birth_date,address,commune_code\n\
                 T1,083190012345,Nguyễn Thị Lan,05/03/1990,Ấp 1,28756\n";
    for second_header in [
        "person_id,tax_code,full_name,birth_date,address,commune_code",
        "Mã số thuế,Số định danh,Họ và tên,Ngày sinh,Địa chỉ,Mã xã",
    ] {
        let dir = temp();
        write(dir.path(), "population.csv", &population(&[GOOD, GOOD2]));
        let text = format!(
            "{first}{second_header}\n083088012346,T2,Trần Văn Hùng,01/07/1988,Ấp 1,28756\n"
        );
        write(dir.path(), "tax.csv", text.as_bytes());
        let out = dir.path().join("out");
        let error = match doisoat::run(&config_for(dir.path(), &out), &doisoat::Silent) {
            Ok(_) => panic!("rows under another header must not be read: {second_header}"),
            Err(error) => error.to_string(),
        };
        assert!(
            error.contains("tax.csv") && error.contains("line 3"),
            "{error}"
        );
        assert!(!out.exists(), "a failed run leaves no output");
    }
    // Column names as values of a record (a key without digits) are no header.
    let dir = temp();
    write(dir.path(), "population.csv", &population(&[GOOD, GOOD2]));
    let text = format!("{first}ABC,083088012346,Trần Văn Hùng,01/07/1988,address,28756\n");
    write(dir.path(), "tax.csv", text.as_bytes());
    let out = dir.path().join("out");
    let summary = doisoat::run(&config_for(dir.path(), &out), &doisoat::Silent)
        .expect("runs")
        .summary;
    assert_eq!(summary.inputs["tax"].accepted, 2);
}

#[test]
fn a_sector_record_of_a_rejected_register_row_is_not_reported_not_found() {
    // P2's row lost a field (rejected); the insurance record with P2's ID is the
    // register row's problem, not the sector's. An ID in no register row still is.
    let broken = GOOD2.replacen(",Kinh,", ",", 1);
    let dir = temp();
    write(dir.path(), "population.csv", &population(&[GOOD, &broken]));
    let insurance = "insurance_code,person_id,full_name,birth_date,gender,commune_code\n\
                     BH1,083088012346,Trần Văn Hùng,01/07/1988,Nam,28756\n\
                     BH2,083088099999,Lê Văn Tư,01/07/1988,Nam,28756\n";
    write(dir.path(), "insurance.csv", insurance.as_bytes());
    let out = dir.path().join("out");
    let summary = doisoat::run(&config_for(dir.path(), &out), &doisoat::Silent)
        .expect("runs")
        .summary;
    assert_eq!(summary.inputs["population"].rejected, 1);
    let found = keyed(&out.join("findings.csv"));
    assert_eq!(
        keys_of(&found, "XM.insurance.NOT_FOUND"),
        BTreeSet::from(["BH2".to_string()])
    );
    assert!(
        summary
            .warnings
            .iter()
            .any(|w| w.contains("insurance.csv: 1 record(s)") && w.contains("rejected")),
        "{:?}",
        summary.warnings
    );
}

#[test]
fn a_household_whose_heads_row_was_rejected_is_not_reported_headless() {
    let broken_head = GOOD.replacen(",Kinh,", ",", 1);
    let lone = GOOD2
        .replace("P2,", "P3,")
        .replace("083088012346", "083088012347")
        .replace(",H1,", ",H9,");
    let (outcome, dir) = run_on(&population(&[&broken_head, GOOD2, &lone]));
    let summary = outcome.expect("runs").summary;
    assert_eq!(summary.inputs["population"].rejected, 1);
    let found = keyed(&dir.path().join("out/findings.csv"));
    assert_eq!(
        keys_of(&found, "DU.HOUSEHOLD_NO_HEAD"),
        BTreeSet::from(["H9".to_string()])
    );
}

/// An exported report with a title and a date above the table reads from its header
/// row on, with the lines numbered as in the file; the title lines are no records.
#[test]
fn title_lines_above_the_header_are_looked_past() {
    let body = population(&[GOOD, GOOD2]);
    let mut text =
        String::from("DANH SÁCH NHÂN KHẨU XÃ AN HỘI;;;\nNgày xuất: 15/06/2026;;;\n;;;\n")
            .replace(';', ",")
            .into_bytes();
    text.extend_from_slice(&body);
    let bad = GOOD.replace("P1,", "P3,").replace(",Nữ,", ",Nữ,extra,");
    text.extend_from_slice(format!("{bad}\n").as_bytes());
    let (outcome, dir) = run_on(&text);
    let summary = outcome.expect("runs").summary;
    let stats = &summary.inputs["population"];
    assert_eq!((stats.read, stats.accepted, stats.rejected), (3, 2, 1));
    // Three title lines, the header, two rows: the bad row is line 7.
    assert_eq!(rejects(&dir)[0][1], "7");
}

/// UTF-8 text opened as Windows-1252 and saved again ("Nguyá»…n") stops the run with
/// what happened and how to undo it, instead of flagging every name and value.
#[test]
fn text_encoded_twice_stops_the_run_saying_so() {
    // Each UTF-8 byte read as one character (Latin-1, as Windows-1252 reads the bytes
    // of ạ–ỹ), then saved as UTF-8.
    let twice = |text: &str| -> String { text.bytes().map(char::from).collect() };
    let rows: Vec<String> = (0..10)
        .map(|i| {
            twice(
                &GOOD
                    .replace("P1,", &format!("P{i},"))
                    .replace("Nguyễn", "Nguyễn Thị Hường Việt"),
            )
        })
        .collect();
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    let (outcome, dir) = run_on(&population(&rows));
    let error = outcome.err().expect("must fail").to_string();
    assert!(error.contains("encoded twice"), "{error}");
    assert!(error.contains("iconv"), "{error}");
    assert!(!dir.path().join("out").exists());
}

/// A register whose IDs were all stored as numbers (leading zeros gone) says so once,
/// beside the per-record findings.
#[test]
fn ids_stored_as_numbers_are_one_warning() {
    let rows: Vec<String> = (10..40)
        .map(|i| {
            GOOD.replace("P1,", &format!("P{i},"))
                .replace("083190012345", &format!("831900123{i}"))
        })
        .collect();
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    let (outcome, _dir) = run_on(&population(&rows));
    let summary = outcome.expect("runs").summary;
    assert!(
        summary
            .warnings
            .iter()
            .any(|w| w.contains("30 of 30 person_id values have 9–11 digits")),
        "{:?}",
        summary.warnings
    );
    // A few such IDs among many are per-record findings only.
    let (outcome, _dir) = run_on(&population(&[
        GOOD,
        &GOOD2.replace("083088012346", "83088012346"),
    ]));
    let summary = outcome.expect("runs").summary;
    assert!(!summary.warnings.iter().any(|w| w.contains("9–11 digits")));
}

/// A mandatory column missing from the whole file (or under a header the mapping does
/// not know) is one warning, not a DU.MISSING_FIELD on every record; fields that are
/// empty in columns the file has are still reported.
#[test]
fn a_mandatory_column_absent_from_the_file_is_a_warning_not_every_record() {
    let drop_ethnicity = |line: &str| -> String {
        let mut cells: Vec<&str> = line.split(',').collect();
        cells.remove(7);
        cells.join(",")
    };
    let header = drop_ethnicity(POPULATION_HEADER);
    assert!(!header.contains("ethnicity"));
    let no_gender = GOOD2.replace(",Nam,", ",,");
    let text = format!(
        "{header}\n{}\n{}\n",
        drop_ethnicity(GOOD),
        drop_ethnicity(&no_gender)
    );
    let (outcome, dir) = run_on(text.as_bytes());
    let summary = outcome.expect("runs").summary;
    assert!(
        summary
            .warnings
            .iter()
            .any(|w| w.contains("no column \"ethnicity\"") && w.contains("DU.MISSING_FIELD")),
        "{:?}",
        summary.warnings
    );
    let (header, rows) = read_csv(&dir.path().join("out/findings.csv"));
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let missing: Vec<(&str, &str)> = rows
        .iter()
        .filter(|r| r[column("rule_id")] == "DU.MISSING_FIELD")
        .map(|r| {
            (
                r[column("record_key")].as_str(),
                r[column("fields")].as_str(),
            )
        })
        .collect();
    assert_eq!(missing, vec![("P2", "gender")]);
}
