//! Worklists people can work: XLSX read back, the HTML report in a headless browser,
//! night-to-night progress and commune feedback.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use calamine::{open_workbook_auto, Data, Reader};

use crate::common::*;

fn generated(people: usize, seed: u64) -> tempfile::TempDir {
    let data = temp();
    let mut options = doisoat::gen::GenOptions::new(people, seed, data.path().to_path_buf());
    options.as_of = as_of();
    doisoat::gen::generate(&options).unwrap();
    data
}

fn run(
    data: &Path,
    out: &Path,
    previous: Option<&Path>,
    state: Option<&Path>,
) -> doisoat::RunOutcome {
    let mut config = config_for(data, out);
    config.previous = previous.map(Path::to_path_buf);
    config.state_dir = state.map(Path::to_path_buf);
    doisoat::run(&config, &doisoat::Silent).unwrap()
}

fn findings_by_commune(out: &Path) -> BTreeMap<(String, String), usize> {
    let (_, rows) = read_csv(&out.join("findings.csv"));
    let mut counts = BTreeMap::new();
    for row in rows {
        *counts.entry((row[9].clone(), row[11].clone())).or_default() += 1;
    }
    counts
}

#[test]
fn xlsx_worklists_read_back_with_text_ids_and_all_rows() {
    let data = generated(6_000, 3);
    let out = data.path().join("out");
    run(data.path(), &out, None, None);
    let per_commune = findings_by_commune(&out);
    assert!(!per_commune.is_empty());
    let mut checked_leading_zero = false;
    let mut checked_date = false;
    for ((province, commune), expected) in &per_commune {
        let path = out
            .join("worklists")
            .join(doisoat::report::tables::code_dir(province))
            .join(format!(
                "{}.xlsx",
                doisoat::report::tables::code_dir(commune)
            ));
        let mut book = open_workbook_auto(&path).unwrap();
        let names = book.sheet_names();
        assert_eq!(names, vec!["Tổng hợp", "Đúng", "Đủ", "Sạch", "Sống"]);
        let mut rows = 0;
        for sheet in &names[1..] {
            let range = book.worksheet_range(sheet).unwrap();
            let header: Vec<String> = range
                .rows()
                .next()
                .unwrap()
                .iter()
                .map(|c| c.to_string())
                .collect();
            assert_eq!(header[7], "Số định danh");
            assert_eq!(header[21], "Kết quả xác minh");
            assert_eq!(header[22], "Ghi chú");
            for row in range.rows().skip(1) {
                rows += 1;
                // IDs stay text: a leading zero survives.
                if let Data::String(id) = &row[7] {
                    if id.starts_with('0') {
                        checked_leading_zero = true;
                    }
                } else {
                    assert!(
                        matches!(row[7], Data::Empty),
                        "ID cell is not text: {:?}",
                        row[7]
                    );
                }
                // A full birth date is a real Excel date (its cell carries the date
                // format); a partial one, or one Excel cannot hold, stays text.
                match &row[9] {
                    Data::DateTime(_) => checked_date = true,
                    // Excel has no date before 1900: those stay text too.
                    Data::String(text) => {
                        let date = doisoat::normalize::date::parse_date(text);
                        assert!(
                            date.precision() != Some(doisoat::model::Precision::Day)
                                || date.year() < 1900,
                            "a full date was written as text: {text}"
                        );
                    }
                    other => assert!(matches!(other, Data::Empty), "date cell {other:?}"),
                }
            }
        }
        assert_eq!(rows, *expected, "{commune}.xlsx rows");
    }
    assert!(
        checked_leading_zero,
        "some ID with a leading zero was read back as text"
    );
    assert!(checked_date, "some birth date was read back as a date");
}

fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            let out = Command::new("which").arg(name).output().ok()?;
            out.status
                .success()
                .then(|| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim().to_string()))
        })
}

#[test]
fn html_report_renders_in_headless_chromium() {
    let Some(browser) = chromium() else {
        eprintln!("SKIPPED: chromium is not installed (.ci/run installs it)");
        return;
    };
    let data = generated(6_000, 4);
    let out = data.path().join("out");
    let outcome = run(data.path(), &out, None, None);
    let report = out.join("report.html");
    let profile = temp();
    let common = |cmd: &mut Command| {
        cmd.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()));
    };
    let mut dump = Command::new(&browser);
    common(&mut dump);
    let dom = dump
        .arg("--dump-dom")
        .arg(format!("file://{}", report.display()))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&dom.stdout);
    for section in [
        "id=\"tong-quan\"",
        "id=\"quy-tac\"",
        "id=\"doi-soat\"",
        "id=\"tien-do\"",
        "id=\"xa\"",
    ] {
        assert!(
            dom.contains(section),
            "section {section} missing from the rendered page"
        );
    }
    let table_start = dom.find("id=\"communes\"").unwrap();
    let body = &dom[table_start..];
    let body = &body[body.find("<tbody>").unwrap()..body.find("</tbody>").unwrap()];
    let rows = body.matches("<tr>").count();
    assert_eq!(rows, outcome.summary.findings.by_commune.len());
    // A screenshot as a test artifact.
    let artifacts = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report.png");
    let mut shot = Command::new(&browser);
    common(&mut shot);
    let status = shot
        .arg("--window-size=1400,1800")
        .arg(format!("--screenshot={}", artifacts.display()))
        .arg(format!("file://{}", report.display()))
        .output()
        .unwrap();
    assert!(status.status.success());
    assert!(
        std::fs::metadata(&artifacts).unwrap().len() > 10_000,
        "a real screenshot"
    );
}

/// Edit a CSV in place: `edit(header, row)` may change the row.
fn edit_csv(path: &Path, mut edit: impl FnMut(&[String], &mut Vec<String>)) {
    let (header, rows) = read_csv(path);
    let mut writer = csv::Writer::from_path(path).unwrap();
    writer.write_record(&header).unwrap();
    for mut row in rows {
        edit(&header, &mut row);
        writer.write_record(&row).unwrap();
    }
    writer.flush().unwrap();
}

#[test]
fn second_night_counts_resolved_new_open_and_suppresses_confirmed() {
    let data = generated(8_000, 5);
    let first = data.path().join("night1");
    let state = data.path().join("state");
    let outcome1 = run(data.path(), &first, None, None);
    let (header, rows) = read_csv(&first.join("findings.csv"));
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    // Adults born 1975–1995: a card issued to them in 2022 is due only at 40 or 60.
    let no_card: Vec<&Vec<String>> = rows
        .iter()
        .filter(|r| r[col("rule_id")] == "SONG.NO_ID_CARD")
        .filter(|r| {
            let birth = &r[col("birth_date")];
            birth.len() >= 4
                && birth[birth.len() - 4..]
                    .parse::<i32>()
                    .is_ok_and(|y| (1975..=1995).contains(&y))
        })
        .collect();
    assert!(
        no_card.len() >= 10,
        "enough NO_ID_CARD findings to work with"
    );
    // The commune fixes five records in the register …
    let fixed: Vec<String> = no_card[..5]
        .iter()
        .map(|r| r[col("record_key")].clone())
        .collect();
    edit_csv(&data.path().join("population.csv"), |h, row| {
        let key = h.iter().position(|x| x == "record_id").unwrap();
        let card = h.iter().position(|x| x == "card_issue_date").unwrap();
        if fixed.contains(&row[key]) {
            row[card] = "15/03/2022".to_string();
        }
    });
    // … and confirms three others as correct in its returned worklist.
    let confirmed: Vec<&Vec<String>> = no_card[5..]
        .iter()
        .filter(|r| r[col("commune_code")] == no_card[5][col("commune_code")])
        .take(3)
        .copied()
        .collect();
    let province = confirmed[0][col("province_code")].clone();
    let commune = confirmed[0][col("commune_code")].clone();
    let returned_dir = data.path().join("returned");
    std::fs::create_dir_all(&returned_dir).unwrap();
    let worklist = first
        .join("worklists")
        .join(&province)
        .join(format!("{commune}.csv"));
    let returned = returned_dir.join(format!("{commune}.csv"));
    std::fs::copy(&worklist, &returned).unwrap();
    let confirmed_ids: Vec<String> = confirmed
        .iter()
        .map(|r| r[col("finding_id")].clone())
        .collect();
    edit_csv(&returned, |h, row| {
        let id = h.iter().position(|x| x == "Mã phát hiện").unwrap();
        let result = h.iter().position(|x| x == "Kết quả xác minh").unwrap();
        let note = h.iter().position(|x| x == "Ghi chú").unwrap();
        if confirmed_ids.contains(&row[id]) {
            row[result] = "Đúng, không sai".to_string();
            row[note] = "Công dân đã có thẻ, hệ thống chưa đồng bộ".to_string();
        }
    });
    let report = doisoat::findings::feedback::import(
        std::slice::from_ref(&returned),
        &first,
        &state,
        Some("Công an xã thử nghiệm"),
        "2026-11-23",
    )
    .unwrap();
    assert_eq!(report.decisions.get("not_an_error"), Some(&3));

    // A tampered file (unknown id) and a foreign commune's rows are refused whole.
    let bad = returned_dir.join("bad").join(format!("{commune}.csv"));
    std::fs::create_dir_all(bad.parent().unwrap()).unwrap();
    std::fs::copy(&returned, &bad).unwrap();
    edit_csv(&bad, |h, row| {
        let id = h.iter().position(|x| x == "Mã phát hiện").unwrap();
        let result = h.iter().position(|x| x == "Kết quả xác minh").unwrap();
        if row[0] == "1" {
            row[id] = "ffffffffffffffff".to_string();
            row[result] = "Đã sửa".to_string();
        }
    });
    let before = std::fs::read(state.join("decisions.csv")).unwrap();
    let error = doisoat::findings::feedback::import(&[bad], &first, &state, None, "2026-11-23")
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("unknown finding id") && error.contains("nothing imported"),
        "{error}"
    );
    let other_commune = per_other_commune(&first, &commune);
    let foreign = returned_dir.join("foreign").join(format!("{commune}.csv"));
    std::fs::create_dir_all(foreign.parent().unwrap()).unwrap();
    std::fs::copy(&other_commune, &foreign).unwrap();
    let error = doisoat::findings::feedback::import(&[foreign], &first, &state, None, "2026-11-23")
        .unwrap_err()
        .to_string();
    assert!(error.contains("only return its own rows"), "{error}");
    assert_eq!(
        std::fs::read(state.join("decisions.csv")).unwrap(),
        before,
        "nothing half-imported"
    );

    // Night two.
    let second = data.path().join("night2");
    let outcome2 = run(data.path(), &second, Some(&first), Some(&state));
    let p = &outcome2.summary.progress;
    assert!(p.compared);
    assert_eq!(
        p.previous_as_of.as_deref(),
        Some(outcome1.summary.as_of.as_str()),
        "the comparison names the earlier night"
    );
    let rule = &p.rules["SONG.NO_ID_CARD"];
    assert_eq!(
        rule.resolved, 5,
        "the five fixed are resolved; the three confirmed correct are gone from the list \
         but counted as verified correct, not as resolved"
    );
    assert_eq!(rule.new, 0);
    let all_no_card = rows
        .iter()
        .filter(|r| r[col("rule_id")] == "SONG.NO_ID_CARD")
        .count();
    assert_eq!(rule.open as usize, all_no_card - 8);
    assert_eq!(outcome2.summary.feedback.verified_correct, 3);
    assert_eq!(
        p.open + p.resolved + outcome2.summary.feedback.verified_correct,
        outcome1.summary.findings.total
    );
    let (_, rows2) = read_csv(&second.join("findings.csv"));
    let new: Vec<&Vec<String>> = rows2.iter().filter(|r| r[17] != "open").collect();
    assert!(new.is_empty(), "nothing new on an unchanged night: {new:?}");
    assert!(rows2.iter().all(|r| !confirmed_ids.contains(&r[0])));
}

fn per_other_commune(out: &Path, not: &str) -> PathBuf {
    for province in std::fs::read_dir(out.join("worklists")).unwrap() {
        for file in std::fs::read_dir(province.unwrap().path()).unwrap() {
            let path = file.unwrap().path();
            if path.extension().unwrap() == "csv" && path.file_stem().unwrap() != not {
                return path;
            }
        }
    }
    panic!("only one commune");
}

/// A collective household of thousands with no head, all under one ID: the details
/// name the first members and a count, the workbook cuts a cell Excel could not hold
/// (instead of failing the night), and findings.csv keeps every related key.
#[test]
fn a_huge_group_fits_the_workbook_and_keeps_its_keys_in_the_csv() {
    let dir = temp();
    let members = 6_000;
    let mut text = String::from(POPULATION_HEADER);
    for i in 0..members {
        text.push_str(&format!(
            "\nP{i:05},083190012345,,Nguyễn Văn Tập Thể {i},05/03/1990,Nam,83,Kinh,Không,Việt Nam,83,829,28756,Ấp 1,thuong_tru,HTT,Thành viên,,,,01/02/2021,,"
        ));
    }
    write(dir.path(), "population.csv", text.as_bytes());
    let out = dir.path().join("out");
    run(dir.path(), &out, None, None);
    let (header, rows) = read_csv(&out.join("findings.csv"));
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let headless = rows
        .iter()
        .find(|r| r[column("rule_id")] == "DU.HOUSEHOLD_NO_HEAD")
        .expect("the household has no head");
    assert!(
        headless[column("detail")].contains("… và 5970 hồ sơ khác"),
        "{}",
        headless[column("detail")]
    );
    let shared = rows
        .iter()
        .find(|r| r[column("rule_id")] == "SACH.DUP_ID")
        .expect("the ID is shared");
    assert_eq!(
        shared[column("related_keys")].split(';').count(),
        members - 1
    );
    let mut book = open_workbook_auto(out.join("worklists/83/28756.xlsx")).unwrap();
    let summary = book.worksheet_range("Tổng hợp").unwrap();
    let titles: Vec<String> = summary
        .rows()
        .filter(|r| r[0] == "SACH.DUP_ID")
        .map(|r| r[1].to_string())
        .collect();
    assert_eq!(titles.len(), 1);
    assert!(
        !titles[0].is_empty(),
        "the rule's title is on the summary sheet"
    );
    let clean = book.worksheet_range("Sạch").unwrap();
    let longest = clean
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string().chars().count()))
        .max()
        .unwrap_or(0);
    assert!(longest <= 32_767, "{longest}");
    assert!(
        clean.rows().any(|r| r
            .iter()
            .any(|c| c.to_string().ends_with("(xem đủ trong tệp CSV)"))),
        "the cut cell says where the whole list is"
    );
}

/// Only what tonight's run looked for again can be resolved: a dataset left out of the
/// night, or a rule taken out of the pack, leaves its findings uncounted (and named in
/// a warning); a half-size extract is named too; and the output of another province
/// is not compared at all.
#[test]
fn findings_not_looked_for_again_are_not_resolved_and_a_foreign_previous_is_refused() {
    let data = generated(3_000, 9);
    let first = data.path().join("night1");
    let outcome1 = run(data.path(), &first, None, None);
    let tax_findings = outcome1
        .summary
        .findings
        .by_rule
        .iter()
        .filter(|(rule, _)| rule.starts_with("XM.tax."))
        .map(|(_, count)| count.count)
        .sum::<u64>();
    assert!(tax_findings > 0);

    // Night two: the same data, but the tax file is not given.
    let second = data.path().join("night2");
    let mut config = config_for(data.path(), &second);
    config.datasets.remove("tax");
    config.previous = Some(first.clone());
    let outcome2 = doisoat::run(&config, &doisoat::Silent).unwrap();
    let p = &outcome2.summary.progress;
    assert_eq!(p.resolved, 0, "nothing was fixed");
    assert_eq!(p.not_rechecked.values().sum::<u64>(), tax_findings);
    assert!(p
        .not_rechecked
        .keys()
        .all(|rule| rule.starts_with("XM.tax.")));
    assert!(outcome2
        .summary
        .warnings
        .iter()
        .any(|w| w.contains("not looked for again") && w.contains("XM.tax.")));

    // Night three: half the register.
    let half = data.path().join("half");
    std::fs::create_dir_all(&half).unwrap();
    for entry in std::fs::read_dir(data.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "csv") {
            std::fs::copy(&path, half.join(path.file_name().unwrap())).unwrap();
        }
    }
    let text = std::fs::read_to_string(half.join("population.csv")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    std::fs::write(
        half.join("population.csv"),
        lines[..lines.len() / 2].join("\n") + "\n",
    )
    .unwrap();
    let third = data.path().join("night3");
    let outcome3 = run(&half, &third, Some(&first), None);
    assert!(
        outcome3
            .summary
            .warnings
            .iter()
            .any(|w| w.contains("population.csv") && w.contains("in the previous run")),
        "{:?}",
        outcome3.summary.warnings
    );

    // Another province's output as --previous: not compared.
    let other = temp();
    let mut options = doisoat::gen::GenOptions::new(2_000, 4, other.path().to_path_buf());
    options.as_of = as_of();
    options.province_code = "01".into();
    doisoat::gen::generate(&options).unwrap();
    let foreign = other.path().join("out");
    run(other.path(), &foreign, None, None);
    let fourth = data.path().join("night4");
    let outcome4 = run(data.path(), &fourth, Some(&foreign), None);
    let p = &outcome4.summary.progress;
    assert!(!p.compared && p.resolved == 0 && p.open == 0);
    assert_eq!(p.new, outcome4.summary.findings.total);
    assert!(outcome4
        .summary
        .warnings
        .iter()
        .any(|w| w.contains("none of this run's")));
}

/// A previous folder whose history.csv was cut short is refused (its missing findings
/// would all come back "new"), and a previous run dated after tonight's --as-of is
/// named in a warning.
#[test]
fn a_cut_previous_history_is_refused_and_a_later_previous_date_is_a_warning() {
    let data = generated(2_000, 12);
    let first = data.path().join("night1");
    run(data.path(), &first, None, None);
    let cut = data.path().join("cut");
    std::fs::create_dir_all(&cut).unwrap();
    for name in ["summary.json", "findings.csv"] {
        std::fs::copy(first.join(name), cut.join(name)).unwrap();
    }
    let history = std::fs::read_to_string(first.join("history.csv")).unwrap();
    let lines: Vec<&str> = history.lines().collect();
    std::fs::write(
        cut.join("history.csv"),
        lines[..lines.len() - 3].join("\n") + "\n",
    )
    .unwrap();
    let mut config = config_for(data.path(), &data.path().join("night2"));
    config.previous = Some(cut);
    let Err(error) = doisoat::run(&config, &doisoat::Silent) else {
        panic!("a cut history.csv was accepted");
    };
    let error = error.to_string();
    assert!(
        error.contains("history.csv") && error.contains("summary.json counts"),
        "{error}"
    );

    let mut config = config_for(data.path(), &data.path().join("night0"));
    config.previous = Some(first);
    config.as_of = as_of() - chrono::Duration::days(7);
    let outcome = doisoat::run(&config, &doisoat::Silent).unwrap();
    assert!(
        outcome
            .summary
            .warnings
            .iter()
            .any(|w| w.contains("after tonight's --as-of")),
        "{:?}",
        outcome.summary.warnings
    );
}
