//! Input formats: a Parquet register gives the same findings as the same data in CSV,
//! and Vietnamese headers are mapped without configuration.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;

use crate::common::*;

fn sample() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sample-data")
}

#[test]
fn parquet_register_gives_the_same_findings_as_csv() {
    let dir = temp();
    let (header, rows) = read_csv(&sample().join("population.csv"));
    let schema = Arc::new(Schema::new(
        header
            .iter()
            .map(|h| Field::new(h, DataType::Utf8, true))
            .collect::<Vec<_>>(),
    ));
    let columns: Vec<ArrayRef> = (0..header.len())
        .map(|i| {
            Arc::new(StringArray::from_iter(rows.iter().map(|r| {
                let v = &r[i];
                (!v.is_empty()).then(|| v.clone())
            }))) as ArrayRef
        })
        .collect();
    let batch = RecordBatch::try_new(schema.clone(), columns).unwrap();
    let parquet_path = dir.path().join("population.parquet");
    let mut writer =
        ArrowWriter::try_new(std::fs::File::create(&parquet_path).unwrap(), schema, None).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();

    let csv_out = dir.path().join("csv");
    let config = config_for(&sample(), &csv_out);
    doisoat::run(&config, &doisoat::Silent).unwrap();
    let parquet_out = dir.path().join("parquet");
    let mut config = config_for(&sample(), &parquet_out);
    config.population.path = parquet_path;
    let outcome = doisoat::run(&config, &doisoat::Silent).unwrap();
    assert_eq!(
        outcome.summary.inputs["population"].accepted as usize,
        rows.len()
    );
    let a = std::fs::read(csv_out.join("findings.csv")).unwrap();
    let b = std::fs::read(parquet_out.join("findings.csv")).unwrap();
    assert!(a.len() > 1000);
    assert!(a == b, "findings differ between CSV and Parquet input");

    // The same Parquet file under a .csv name is read by its content.
    let renamed = dir.path().join("population-export.csv");
    std::fs::copy(&config.population.path, &renamed).unwrap();
    let renamed_out = dir.path().join("renamed");
    let mut config = config_for(&sample(), &renamed_out);
    config.population.path = renamed;
    doisoat::run(&config, &doisoat::Silent).unwrap();
    let c = std::fs::read(renamed_out.join("findings.csv")).unwrap();
    assert!(a == c, "a Parquet file named .csv was not read as Parquet");
}

#[test]
fn vietnamese_headers_are_recognised() {
    let dir = temp();
    let text = std::fs::read_to_string(sample().join("population.csv")).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let renamed = header
        .replace("person_id", "Số định danh")
        .replace("full_name", "Họ và tên")
        .replace("birth_date", "Ngày sinh")
        .replace("gender", "Giới tính")
        .replace("household_id", "Mã hộ")
        .replace("relation_to_head", "Quan hệ với chủ hộ");
    let mut body = renamed;
    for line in lines {
        body.push('\n');
        body.push_str(line);
    }
    body.push('\n');
    for name in ["insurance.csv", "admin_units.csv"] {
        std::fs::copy(sample().join(name), dir.path().join(name)).unwrap();
    }
    write(dir.path(), "population.csv", body.as_bytes());
    let out = dir.path().join("out");
    let outcome = doisoat::run(&config_for(dir.path(), &out), &doisoat::Silent).unwrap();
    assert!(outcome.summary.findings.by_rule["DUNG.ID_STRUCTURE"].count > 0);
    assert_eq!(outcome.summary.inputs["population"].rejected, 0);
}

#[test]
fn a_province_sector_dataset_needs_only_config_and_a_rule_file() {
    let dir = temp();
    // The insurance extract, renamed to a province's social-protection list with its
    // own headers.
    let text = std::fs::read_to_string(sample().join("insurance.csv")).unwrap();
    let (header, body) = text.split_once('\n').unwrap();
    let renamed = header
        .replace("insurance_code", "Mã đối tượng")
        .replace("person_id", "Số ĐDCN");
    write(
        dir.path(),
        "btxh.csv",
        format!("{renamed}\n{body}").as_bytes(),
    );
    let rules = dir.path().join("rules");
    std::fs::create_dir_all(rules.join("ref")).unwrap();
    for entry in std::fs::read_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("rules")).unwrap()
    {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, rules.join(path.file_name().unwrap())).unwrap();
        }
    }
    write(
        &rules,
        "btxh.toml",
        "[[rule]]\nid = \"XM.{dataset}.MISMATCH\"\ndimension = \"dung\"\ndataset = \"{dataset}\"\ndatasets = [\"social_protection\"]\nseverity = \"medium\"\ntitle = \"Thông tin bảo trợ xã hội không khớp\"\naction = \"Xác minh\"\ncheck = { kind = \"crossmatch\", outcome = \"mismatch\" }\n\n[[rule]]\nid = \"XM.{dataset}.NOT_FOUND\"\ndimension = \"dung\"\ndataset = \"{dataset}\"\ndatasets = [\"social_protection\"]\nseverity = \"medium\"\ntitle = \"Không tìm thấy\"\naction = \"Xác minh\"\ncheck = { kind = \"crossmatch\", outcome = \"not_found\" }\n"
            .as_bytes(),
    );
    let run_file = format!(
        "as_of = \"2026-11-22\"\npopulation = \"{}\"\nadmin_units = \"{}\"\nrules = \"rules\"\n[datasets]\ninsurance = \"{}\"\n[datasets.social_protection]\npath = \"btxh.csv\"\nkind = \"sector\"\nkey = \"ma_doi_tuong\"\ncolumns = {{ ma_doi_tuong = \"Mã đối tượng\", person_id = \"Số ĐDCN\" }}\n",
        sample().join("population.csv").display(),
        sample().join("admin_units.csv").display(),
        sample().join("insurance.csv").display(),
    );
    let config_path = write(dir.path(), "run.toml", run_file.as_bytes());
    let mut config = doisoat::RunConfig::from_file(&config_path).unwrap();
    config.out = dir.path().join("out");
    let summary = doisoat::run(&config, &doisoat::Silent).unwrap().summary;
    let count = |id: &str| summary.findings.by_rule[id].count;
    assert!(count("XM.insurance.MISMATCH") > 0);
    assert_eq!(
        count("XM.social_protection.MISMATCH"),
        count("XM.insurance.MISMATCH")
    );
    // The province's list has no industrial-zone columns, so its IZ workers absent
    // from the register are plain "not found"; the match classes are the same.
    assert!(count("XM.social_protection.NOT_FOUND") > count("XM.insurance.NOT_FOUND"));
    let classes = &summary.match_classes["social_protection"];
    assert_eq!(classes.classes, summary.match_classes["insurance"].classes);
}

/// IDs a spreadsheet stored as numbers (leading zeros dropped), typed in digit groups
/// or marked as text in a sector file give the same cross-match findings as the IDs
/// written plainly.
#[test]
fn sector_ids_that_lost_their_leading_zeros_match_as_written_in_full() {
    let dir = temp();
    for name in ["population.csv", "admin_units.csv"] {
        std::fs::copy(sample().join(name), dir.path().join(name)).unwrap();
    }
    let (header, rows) = read_csv(&sample().join("insurance.csv"));
    let id = header.iter().position(|h| h == "person_id").unwrap();
    let mut writer = csv::Writer::from_path(dir.path().join("insurance.csv")).unwrap();
    writer.write_record(&header).unwrap();
    let mut stripped = 0;
    for (i, mut row) in rows.into_iter().enumerate() {
        let plain = row[id].clone();
        if plain.len() == 12 && plain.starts_with('0') {
            row[id] = match i % 3 {
                0 => plain.trim_start_matches('0').to_string(),
                1 => format!(
                    "{} {} {} {}",
                    &plain[..3],
                    &plain[3..6],
                    &plain[6..9],
                    &plain[9..]
                ),
                _ => format!("'{plain}"),
            };
            stripped += 1;
        }
        writer.write_record(&row).unwrap();
    }
    writer.flush().unwrap();
    assert!(stripped > 100, "the sample's IDs start with zeros");
    let insurance_findings = |data: &std::path::Path, out: &std::path::Path| {
        let mut config = config_for(data, out);
        config.datasets.retain(|name, _| name == "insurance");
        config.xlsx = false;
        config.html = false;
        doisoat::run(&config, &doisoat::Silent).unwrap();
        keyed(&out.join("findings.csv"))
            .into_iter()
            .filter(|(rule, _, _)| rule.starts_with("XM.insurance."))
            .collect::<std::collections::BTreeSet<_>>()
    };
    let full = temp();
    for name in ["population.csv", "admin_units.csv", "insurance.csv"] {
        std::fs::copy(sample().join(name), full.path().join(name)).unwrap();
    }
    let written_in_full = insurance_findings(full.path(), &full.path().join("out"));
    let without_zeros = insurance_findings(dir.path(), &dir.path().join("out"));
    assert!(written_in_full
        .iter()
        .any(|(rule, _, _)| rule == "XM.insurance.IZ_NO_TEMP_RESIDENCE"));
    assert_eq!(written_in_full, without_zeros);
}

/// A generated province (main province `province`) in a fresh folder.
fn generated(people: usize, seed: u64, province: &str) -> tempfile::TempDir {
    let dir = temp();
    let mut options = doisoat::gen::GenOptions::new(people, seed, dir.path().to_path_buf());
    options.as_of = as_of();
    options.province_code = province.to_string();
    doisoat::gen::generate(&options).unwrap();
    dir
}

/// Every CSV file of `from` written into a fresh folder, each data row passed through
/// `edit(file name, header, row)` first.
fn rewritten(
    from: &Path,
    mut edit: impl FnMut(&str, &[String], &mut Vec<String>),
) -> tempfile::TempDir {
    let to = temp();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        if !name.ends_with(".csv") {
            continue;
        }
        let (header, rows) = read_csv(&path);
        let mut writer = csv::Writer::from_path(to.path().join(&name)).unwrap();
        writer.write_record(&header).unwrap();
        for mut row in rows {
            edit(&name, &header, &mut row);
            writer.write_record(&row).unwrap();
        }
        writer.flush().unwrap();
    }
    to
}

/// Run the standard files of `dir` without XLSX or HTML: the outcome and the findings
/// as (rule id, dataset, record key).
fn run_keyed(dir: &Path) -> (doisoat::RunOutcome, BTreeSet<(String, String, String)>) {
    let out = dir.join("out");
    let mut config = config_for(dir, &out);
    config.xlsx = false;
    config.html = false;
    let outcome = doisoat::run(&config, &doisoat::Silent).unwrap();
    (outcome, keyed(&out.join("findings.csv")))
}

/// Administrative codes that lost their leading zeros in a spreadsheet ("340" for
/// commune "00340", "1" for province "01"), or were written as floats ("340.0"), are
/// padded back: every file of a Hà Nội province damaged so gives the same findings as
/// the files written in full.
#[test]
fn admin_codes_that_lost_their_leading_zeros_give_the_same_findings() {
    let full = generated(20_000, 3, "01");
    let mut changed = 0;
    let stripped = rewritten(full.path(), |_, header, row| {
        let is_code = |i: usize| {
            header[i].ends_with("_code")
                && !header[i].ends_with("insurance_code")
                && header[i] != "tax_code"
        };
        for i in (0..header.len()).filter(|&i| is_code(i)) {
            let short = row[i].trim_start_matches('0');
            if !short.is_empty() && short.len() < row[i].len() {
                // Every other one as a dataframe writes a float: "340.0".
                row[i] = if changed % 2 == 0 {
                    short.to_string()
                } else {
                    format!("{short}.0")
                };
                changed += 1;
            }
        }
    });
    assert!(changed > 10_000, "only {changed} codes had leading zeros");
    let written_in_full = run_keyed(full.path()).1;
    assert!(written_in_full.len() > 1000);
    assert_eq!(written_in_full, run_keyed(stripped.path()).1);
}

/// An admin-unit list that keeps the units before and after the 2025 reform repeats
/// each commune code with two periods of validity. Both rows are accepted, the one in
/// force at the run date is used (new name, no district), and the findings are those
/// of the plain list. Two rows in force at once for one code give a warning.
#[test]
fn admin_units_before_and_after_the_reform_share_their_codes() {
    let plain = generated(5_000, 9, "83");
    let history = rewritten(plain.path(), |_, _, _| {});
    let (header, rows) = read_csv(&plain.path().join("admin_units.csv"));
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (district, district_name, name) = (
        column("district_code"),
        column("district_name"),
        column("commune_name"),
    );
    let mut writer = csv::Writer::from_path(history.path().join("admin_units.csv")).unwrap();
    let mut extended = header.clone();
    extended.extend(["valid_from".to_string(), "valid_to".to_string()]);
    writer.write_record(&extended).unwrap();
    for row in &rows {
        let mut before = row.clone();
        before.extend([String::new(), "30/06/2025".to_string()]);
        writer.write_record(&before).unwrap();
        let mut after = row.clone();
        after[district].clear();
        after[district_name].clear();
        after[name] = format!("{} mới", row[name]);
        after.extend(["01/07/2025".to_string(), String::new()]);
        writer.write_record(&after).unwrap();
    }
    writer.flush().unwrap();
    let (_, plain_findings) = run_keyed(plain.path());
    let (outcome, history_findings) = run_keyed(history.path());
    let units = &outcome.summary.inputs["admin_units"];
    assert_eq!(units.read, 2 * rows.len() as u64);
    assert_eq!(
        units.accepted, units.read,
        "no row of the history is rejected"
    );
    assert!(
        plain_findings
            .iter()
            .any(|(rule, _, _)| rule == "DUNG.INVALID_VALUE"),
        "the data has unknown commune codes to find"
    );
    assert_eq!(plain_findings, history_findings);
    assert!(
        outcome.summary.warnings.is_empty(),
        "{:?}",
        outcome.summary.warnings
    );
    // A second row in force for one code: the first is used, and the run says so.
    let overlapping = rewritten(history.path(), |_, _, _| {});
    let mut text = std::fs::read_to_string(overlapping.path().join("admin_units.csv")).unwrap();
    let code = &rows[0][column("commune_code")];
    text.push_str(&format!(
        "{},{},,,{code},Trùng,01/01/2026,\n",
        rows[0][column("province_code")],
        rows[0][column("province_name")]
    ));
    std::fs::write(overlapping.path().join("admin_units.csv"), text).unwrap();
    let (outcome, overlapping_findings) = run_keyed(overlapping.path());
    assert_eq!(overlapping_findings, plain_findings);
    assert!(
        outcome
            .summary
            .warnings
            .iter()
            .any(|w| w.contains("more than one row in force") && w.contains(code.as_str())),
        "{:?}",
        outcome.summary.warnings
    );
}

/// Exports from databases and spreadsheets write empty cells as `NULL`, `N/A` or `-`:
/// those are missing values. Every empty cell of every dataset written so gives the
/// same findings as the files with empty cells.
#[test]
fn placeholder_words_for_empty_cells_give_the_same_findings() {
    let plain = generated(8_000, 11, "83");
    let words = ["NULL", "N/A", "-", "null", "#N/A"];
    let mut replaced = 0usize;
    let marked = rewritten(plain.path(), |name, _, row| {
        if name == "truth.csv" || name == "admin_units.csv" {
            return;
        }
        for cell in row.iter_mut().filter(|c| c.is_empty()) {
            *cell = words[replaced % words.len()].to_string();
            replaced += 1;
        }
    });
    assert!(replaced > 5_000, "only {replaced} empty cells");
    let with_empty_cells = run_keyed(plain.path()).1;
    assert!(with_empty_cells.len() > 500);
    assert_eq!(with_empty_cells, run_keyed(marked.path()).1);
}

/// Excel's "Unicode Text" export (UTF-16 little-endian with a byte-order mark,
/// tab-separated), a UTF-16 big-endian file, and UTF-16 little-endian written by a
/// tool that adds no byte-order mark read like the CSV UTF-8 they hold.
#[test]
fn utf16_exports_give_the_same_findings() {
    let original = generated(3_000, 11, "83");
    let (_, expected) = run_keyed(original.path());
    for (name, big_endian, mark) in [
        ("population.csv", false, true),
        ("insurance.csv", true, true),
        ("tax.csv", false, false),
    ] {
        let converted = rewritten(original.path(), |_, _, _| {});
        let text = std::fs::read_to_string(original.path().join(name)).unwrap();
        let text = text.trim_start_matches('\u{feff}');
        // Tabs for Excel's export; fields with a comma are quoted in the original, and
        // the quotes stay valid around a tab-separated field.
        let text = if big_endian {
            text.to_string()
        } else {
            let mut out = String::new();
            for line in text.lines() {
                let fields = csv_fields(line);
                out.push_str(&fields.join("\t"));
                out.push_str("\r\n");
            }
            out
        };
        let mut bytes = match (mark, big_endian) {
            (false, _) => Vec::new(),
            (true, true) => vec![0xFE, 0xFF],
            (true, false) => vec![0xFF, 0xFE],
        };
        for unit in text.encode_utf16() {
            let pair = if big_endian {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            };
            bytes.extend_from_slice(&pair);
        }
        write(converted.path(), name, &bytes);
        let (outcome, found) = run_keyed(converted.path());
        let stats = &outcome.summary.inputs[name.trim_end_matches(".csv")];
        assert_eq!(stats.rejected, 0, "{name}");
        assert_eq!(found, expected, "{name}");
    }
}

/// The fields of one CSV line, quoted again where they hold a quote or a tab.
fn csv_fields(line: &str) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(line.as_bytes());
    let record = reader.records().next().unwrap().unwrap();
    record
        .iter()
        .map(|field| {
            if field.contains('"') || field.contains('\t') {
                format!("\"{}\"", field.replace('"', "\"\""))
            } else {
                field.to_string()
            }
        })
        .collect()
}

/// A first line `sep=;` (Excel's delimiter hint) names the delimiter and is not the
/// header; rejected rows keep their line numbers in the file.
#[test]
fn an_excel_separator_line_names_the_delimiter() {
    let original = generated(3_000, 12, "83");
    let (_, expected) = run_keyed(original.path());
    let converted = rewritten(original.path(), |_, _, _| {});
    let text = std::fs::read_to_string(original.path().join("population.csv")).unwrap();
    let mut out = String::from("sep=;\r\n");
    for (i, line) in text.trim_start_matches('\u{feff}').lines().enumerate() {
        // Fields hold no ';' and no quotes in a generated file, so commas can become
        // semicolons field by field.
        out.push_str(&csv_fields(line).join(";"));
        out.push_str("\r\n");
        if i == 4 {
            out.push_str("P9999999;too;short\r\n");
        }
    }
    write(converted.path(), "population.csv", out.as_bytes());
    let (outcome, found) = run_keyed(converted.path());
    let stats = &outcome.summary.inputs["population"];
    assert_eq!(stats.rejected, 1);
    assert_eq!(found, expected);
    // Line 1 `sep=;`, line 2 the header, four data rows on lines 3–6: the short row is
    // line 7.
    let (_, rejects) = read_csv(&converted.path().join("out/rejects/population.csv"));
    assert_eq!(rejects[0][1], "7", "{rejects:?}");
}
