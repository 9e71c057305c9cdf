//! The command line as a user runs it: exit codes, messages, outputs.

use std::path::PathBuf;
use std::process::Command;

use crate::common::*;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_doisoat"))
}

fn sample() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sample-data")
}

#[test]
fn rules_check_lists_the_pack() {
    let out = bin().args(["rules", "check"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("DUNG.ID_STRUCTURE") && text.contains("XM.insurance.MISMATCH"));
}

#[test]
fn rules_check_reports_a_broken_pack() {
    let dir = temp();
    write(dir.path(), "bad.toml", b"[[rule]]\nid = \"DU.X\"\n");
    let out = bin()
        .args(["rules", "check", "--rules"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.toml") && err.contains("DU.X"), "{err}");
}

#[test]
fn run_on_sample_data_with_the_run_file() {
    let dir = temp();
    let out = dir.path().join("out");
    let result = bin()
        .args(["run", "--quiet", "--config"])
        .arg(sample().join("province.toml"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let (header, rows) = read_csv(&out.join("findings.csv"));
    assert_eq!(header[0], "finding_id");
    assert!(!rows.is_empty());
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    let totals = &summary["input_totals"];
    assert_eq!(
        totals["read"].as_u64().unwrap(),
        totals["accepted"].as_u64().unwrap() + totals["rejected"].as_u64().unwrap()
    );
    // Each blocking pass of duplicate detection with the pairs it proposed: together
    // at least the distinct candidate pairs scored (a pair met twice counts twice).
    let passes = summary["duplicate_blocking"].as_array().unwrap();
    assert!(passes.len() >= 10, "{passes:?}");
    assert_eq!(passes[0]["pass"], "name_year");
    let proposed: u64 = passes.iter().map(|p| p["pairs"].as_u64().unwrap()).sum();
    let scored = summary["candidate_pairs"]["duplicates"].as_u64().unwrap();
    assert!(scored > 0 && proposed >= scored, "{proposed} < {scored}");
    // Worklists: one per commune with findings, with a BOM.
    let first = &rows[0];
    let worklist = out
        .join("worklists")
        .join(&first[9])
        .join(format!("{}.csv", first[11]));
    assert!(std::fs::read(&worklist)
        .unwrap()
        .starts_with(b"\xEF\xBB\xBF"));
}

#[test]
fn a_missing_file_exits_non_zero_and_names_it() {
    let dir = temp();
    let out = dir.path().join("out");
    let result = bin()
        .args(["run", "--population", "no-such-file.csv", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(!result.status.success());
    let err = String::from_utf8_lossy(&result.stderr);
    assert!(
        err.contains("no-such-file.csv") && !err.contains("panicked"),
        "{err}"
    );
    assert!(!out.exists());
}

#[test]
fn run_without_inputs_is_an_error() {
    let result = bin().args(["run", "--out", "x"]).output().unwrap();
    assert!(!result.status.success());
    assert!(String::from_utf8_lossy(&result.stderr).contains("--population"));
}

/// `doisoat rules check | head -1`: the reader closes the pipe after one line, and the
/// listing ends quietly with success instead of a panic (exit 101).
#[test]
fn a_closed_stdout_ends_the_listing_quietly() {
    use std::process::Stdio;
    let mut child = bin()
        .args(["rules", "check"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Close the read end at once: every line the program prints meets a broken pipe.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{:?}: {err}", out.status);
    assert!(!err.contains("panicked"), "{err}");
}

/// A rule on a province's own sector dataset is checked with the run file that
/// declares the dataset; without it the check names the dataset and the way out.
#[test]
fn rules_check_learns_a_provinces_own_dataset_from_the_run_file() {
    let dir = temp();
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    write(
        &rules,
        "bao_tro.toml",
        "[[rule]]\nid = \"DU.BAOTRO_MUC\"\ndimension = \"du\"\ndataset = \"bao_tro\"\n\
         severity = \"low\"\ntitle = \"Thiếu mức trợ cấp\"\naction = \"Bổ sung mức trợ cấp\"\n\
         columns = [\"muc_tro_cap\"]\ncheck = { kind = \"required\", fields = [\"muc_tro_cap\"] }\n"
            .as_bytes(),
    );
    let run_file = write(
        dir.path(),
        "tinh.toml",
        format!(
            "population = \"population.csv\"\nrules = [{:?}]\n[datasets.bao_tro]\npath = \"bt.csv\"\nkind = \"sector\"\nkey = \"ma_doi_tuong\"\n",
            rules.display().to_string()
        )
        .as_bytes(),
    );
    let without = bin()
        .args(["rules", "check", "--rules"])
        .arg(&rules)
        .output()
        .unwrap();
    assert!(!without.status.success());
    let err = String::from_utf8_lossy(&without.stderr);
    assert!(err.contains("bao_tro") && err.contains("--config"), "{err}");
    let with = bin()
        .args(["rules", "check", "--config"])
        .arg(&run_file)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&with.stderr);
    assert!(with.status.success(), "{err}");
    assert!(String::from_utf8_lossy(&with.stdout).contains("DU.BAOTRO_MUC"));
}
