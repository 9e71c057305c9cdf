//! Feedback from the communes: worklists come back (CSV or XLSX) with the
//! "Kết quả xác minh" column filled in. `doisoat feedback import` validates every file
//! against the run that produced it — unknown finding ids, a commune returning another
//! commune's rows, unreadable files, unknown verification values are errors and
//! nothing is imported — then records the decisions (who, when, why) in the state
//! folder. A finding confirmed "Đúng - không sai" is suppressed in later runs (and
//! counted as verified correct) until the underlying record changes.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::normalize::text::fold_compact;

/// What the commune decided about a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// "Đã sửa": corrected in the national system.
    Fixed,
    /// "Đúng, không sai": the record is right; the finding is a false positive.
    NotAnError,
    /// "Không xác minh được": could not be verified.
    Unverifiable,
}

impl Decision {
    /// Parse a verification value (case, diacritics, punctuation ignored).
    pub fn parse(text: &str) -> Option<Decision> {
        match fold_compact(text).as_str() {
            "dasua" | "dasuaxong" | "dacapnhat" | "fixed" => Some(Decision::Fixed),
            "dungkhongsai" | "khongsai" | "dung" | "saiphathien" | "notanerror" => {
                Some(Decision::NotAnError)
            }
            "khongxacminhduoc" | "chuaxacminhduoc" | "unverifiable" => Some(Decision::Unverifiable),
            _ => None,
        }
    }

    /// Value stored in `decisions.csv`.
    pub fn code(self) -> &'static str {
        match self {
            Decision::Fixed => "fixed",
            Decision::NotAnError => "not_an_error",
            Decision::Unverifiable => "unverifiable",
        }
    }

    fn from_code(code: &str) -> Option<Decision> {
        match code {
            "fixed" => Some(Decision::Fixed),
            "not_an_error" => Some(Decision::NotAnError),
            "unverifiable" => Some(Decision::Unverifiable),
            _ => None,
        }
    }
}

/// One recorded decision.
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionRecord {
    /// The finding.
    pub finding_id: String,
    /// Its rule.
    pub rule_id: String,
    /// Province.
    pub province_code: String,
    /// Commune.
    pub commune_code: String,
    /// Decision.
    pub decision: Decision,
    /// Why (the officer's note).
    pub note: String,
    /// Who decided.
    pub decided_by: String,
    /// When it was imported (`yyyy-mm-dd`).
    pub imported_at: String,
    /// The returned file.
    pub source_file: String,
    /// Fingerprint of the record when decided: a changed record revives the finding.
    pub record_hash: String,
}

const DECISION_COLUMNS: [&str; 10] = [
    "finding_id",
    "rule_id",
    "province_code",
    "commune_code",
    "decision",
    "note",
    "decided_by",
    "imported_at",
    "source_file",
    "record_hash",
];

/// The decisions file in a state folder.
pub fn decisions_path(state: &Path) -> PathBuf {
    state.join("decisions.csv")
}

/// Load recorded decisions (empty when the state folder has none yet).
pub fn load_decisions(state: &Path) -> Result<BTreeMap<String, DecisionRecord>> {
    let path = decisions_path(state);
    let mut out = BTreeMap::new();
    if !path.exists() {
        return Ok(out);
    }
    let mut reader =
        csv::Reader::from_path(&path).map_err(|e| Error::input(&path, e.to_string()))?;
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| Error::input(&path, e.to_string()))?;
        let get = |c: usize| record.get(c).unwrap_or("").to_string();
        let Some(decision) = Decision::from_code(&get(4)) else {
            return Err(Error::input(
                &path,
                format!("line {}: unknown decision \"{}\"", i + 2, get(4)),
            ));
        };
        out.insert(
            get(0),
            DecisionRecord {
                finding_id: get(0),
                rule_id: get(1),
                province_code: get(2),
                commune_code: get(3),
                decision,
                note: get(5),
                decided_by: get(6),
                imported_at: get(7),
                source_file: get(8),
                record_hash: get(9),
            },
        );
    }
    Ok(out)
}

fn save_decisions(state: &Path, decisions: &BTreeMap<String, DecisionRecord>) -> Result<()> {
    std::fs::create_dir_all(state).map_err(|e| Error::io(state, "creating the state folder", e))?;
    let path = decisions_path(state);
    let temporary = state.join(format!(".decisions.csv.partial-{}", std::process::id()));
    {
        let mut writer = csv::Writer::from_path(&temporary)
            .map_err(|e| Error::input(&temporary, e.to_string()))?;
        writer
            .write_record(DECISION_COLUMNS)
            .map_err(|e| Error::input(&temporary, e.to_string()))?;
        for d in decisions.values() {
            writer
                .write_record([
                    d.finding_id.as_str(),
                    &d.rule_id,
                    &d.province_code,
                    &d.commune_code,
                    d.decision.code(),
                    &d.note,
                    &d.decided_by,
                    &d.imported_at,
                    &d.source_file,
                    &d.record_hash,
                ])
                .map_err(|e| Error::input(&temporary, e.to_string()))?;
        }
        writer
            .flush()
            .map_err(|e| Error::io(&temporary, "writing", e))?;
    }
    std::fs::rename(&temporary, &path).map_err(|e| Error::io(&path, "replacing", e))
}

/// A finding as the run that produced the worklists knew it (from its history.csv).
#[derive(Debug, Clone)]
struct Known {
    rule_id: String,
    province_code: String,
    commune_code: String,
    record_hash: String,
}

fn load_run(run: &Path) -> Result<HashMap<String, Known>> {
    let path = run.join("history.csv");
    if !path.exists() {
        return Err(Error::Config(format!(
            "--run {}: no history.csv there; point it at the output folder of the run whose worklists were sent",
            run.display()
        )));
    }
    let mut reader =
        csv::Reader::from_path(&path).map_err(|e| Error::input(&path, e.to_string()))?;
    let headers = reader
        .headers()
        .map_err(|e| Error::input(&path, e.to_string()))?
        .clone();
    let column = |name: &str| headers.iter().position(|h| h == name);
    let (Some(id), Some(rule), Some(province), Some(commune)) = (
        column("finding_id"),
        column("rule_id"),
        column("province_code"),
        column("commune_code"),
    ) else {
        return Err(Error::input(&path, "not a doisoat history.csv"));
    };
    let hash = column("record_hash");
    let mut out = HashMap::new();
    for record in reader.records() {
        let record = record.map_err(|e| Error::input(&path, e.to_string()))?;
        let get = |c: Option<usize>| c.and_then(|c| record.get(c)).unwrap_or("").to_string();
        out.insert(
            get(Some(id)),
            Known {
                rule_id: get(Some(rule)),
                province_code: get(Some(province)),
                commune_code: get(Some(commune)),
                record_hash: get(hash),
            },
        );
    }
    Ok(out)
}

/// Rows of a returned worklist: (sheet/line label, finding id, verification, note).
fn read_rows(path: &Path) -> Result<Vec<(String, String, String, String)>> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let mut tables: Vec<(String, Vec<Vec<String>>)> = Vec::new();
    match extension.as_str() {
        "xlsx" | "xlsm" | "xls" | "ods" => {
            use calamine::{open_workbook_auto, Reader};
            let mut workbook = open_workbook_auto(path).map_err(|e| Error::Feedback {
                path: path.to_path_buf(),
                message: format!("cannot open the workbook: {e}"),
            })?;
            for name in workbook.sheet_names() {
                let range = workbook
                    .worksheet_range(&name)
                    .map_err(|e| Error::Feedback {
                        path: path.to_path_buf(),
                        message: format!("sheet {name}: {e}"),
                    })?;
                let rows: Vec<Vec<String>> = range
                    .rows()
                    .map(|row| row.iter().map(|cell| cell.to_string()).collect())
                    .collect();
                tables.push((name, rows));
            }
        }
        "csv" | "txt" => {
            let bytes = std::fs::read(path).map_err(|e| Error::io(path, "reading", e))?;
            let text = std::str::from_utf8(&bytes).map_err(|_| Error::Feedback {
                path: path.to_path_buf(),
                message: "not UTF-8: save the worklist as \"CSV UTF-8\"".into(),
            })?;
            let text = text.trim_start_matches('\u{feff}');
            let delimiter = if text
                .lines()
                .next()
                .is_some_and(|l| l.matches(';').count() > l.matches(',').count())
            {
                b';'
            } else {
                b','
            };
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .delimiter(delimiter)
                .from_reader(text.as_bytes());
            let mut rows = Vec::new();
            for record in reader.records() {
                let record = record.map_err(|e| Error::Feedback {
                    path: path.to_path_buf(),
                    message: e.to_string(),
                })?;
                rows.push(record.iter().map(String::from).collect());
            }
            tables.push(("CSV".into(), rows));
        }
        other => {
            return Err(Error::Feedback {
                path: path.to_path_buf(),
                message: format!(
                    "unsupported file type \".{other}\": return the worklist as .xlsx or .csv"
                ),
            })
        }
    }
    let mut out = Vec::new();
    let mut saw_worklist = false;
    for (sheet, rows) in tables {
        let Some(header) = rows.first() else { continue };
        let find = |name: &str| {
            header
                .iter()
                .position(|h| fold_compact(h) == fold_compact(name))
        };
        let (Some(id), Some(result)) = (find("Mã phát hiện"), find("Kết quả xác minh"))
        else {
            continue;
        };
        saw_worklist = true;
        let note = find("Ghi chú");
        for (i, row) in rows.iter().enumerate().skip(1) {
            let get = |c: usize| row.get(c).map(|s| s.trim().to_string()).unwrap_or_default();
            let finding = get(id);
            let verification = get(result);
            if finding.is_empty() && verification.is_empty() {
                continue;
            }
            out.push((
                format!("{sheet} dòng {}", i + 1),
                finding,
                verification,
                note.map(get).unwrap_or_default(),
            ));
        }
    }
    if !saw_worklist {
        return Err(Error::Feedback {
            path: path.to_path_buf(),
            message: "no worklist found: the columns \"Mã phát hiện\" and \"Kết quả xác minh\" are missing".into(),
        });
    }
    Ok(out)
}

/// Outcome of an import.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    /// Files imported.
    pub files: usize,
    /// Decisions recorded, by decision.
    pub decisions: BTreeMap<String, usize>,
    /// Rows left blank (no decision yet).
    pub blank: usize,
}

/// Import returned worklists. All files are validated first; any problem aborts the
/// whole import with every problem listed, and the state folder is left untouched.
pub fn import(
    files: &[PathBuf],
    run: &Path,
    state: &Path,
    decided_by: Option<&str>,
    today: &str,
) -> Result<ImportReport> {
    let known = load_run(run)?;
    let mut decisions = load_decisions(state)?;
    let mut problems: Vec<String> = Vec::new();
    let mut staged: Vec<DecisionRecord> = Vec::new();
    let mut report = ImportReport::default();
    for file in files {
        let commune = file
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        if !known.values().any(|k| k.commune_code == commune) {
            problems.push(format!(
                "{}: the file name does not name a commune of this run; return the worklist under the name it was sent with (<mã xã>.xlsx)",
                file.display()
            ));
            continue;
        }
        let rows = match read_rows(file) {
            Ok(rows) => rows,
            Err(e) => {
                problems.push(e.to_string());
                continue;
            }
        };
        for (where_, finding_id, verification, note) in rows {
            let Some(finding) = known.get(&finding_id) else {
                problems.push(format!(
                    "{} ({where_}): unknown finding id \"{finding_id}\" — not in the run {}",
                    file.display(),
                    run.display()
                ));
                continue;
            };
            if finding.commune_code != commune {
                problems.push(format!(
                    "{} ({where_}): finding {finding_id} belongs to commune {}, not {commune} — a commune may only return its own rows",
                    file.display(),
                    finding.commune_code
                ));
                continue;
            }
            if verification.is_empty() {
                report.blank += 1;
                continue;
            }
            let Some(decision) = Decision::parse(&verification) else {
                problems.push(format!(
                    "{} ({where_}): \"{verification}\" is not a verification result (use: Đã sửa / Đúng - không sai / Không xác minh được)",
                    file.display()
                ));
                continue;
            };
            staged.push(DecisionRecord {
                finding_id: finding_id.clone(),
                rule_id: finding.rule_id.clone(),
                province_code: finding.province_code.clone(),
                commune_code: finding.commune_code.clone(),
                decision,
                note,
                decided_by: decided_by
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("Công an xã {commune}")),
                imported_at: today.to_string(),
                source_file: file.display().to_string(),
                record_hash: finding.record_hash.clone(),
            });
        }
        report.files += 1;
    }
    if !problems.is_empty() {
        let shown: Vec<String> = problems.iter().take(20).cloned().collect();
        let more = problems.len().saturating_sub(20);
        return Err(Error::Feedback {
            path: state.to_path_buf(),
            message: format!(
                "nothing imported, {} problem(s):\n  {}{}",
                problems.len(),
                shown.join("\n  "),
                if more > 0 {
                    format!("\n  … and {more} more")
                } else {
                    String::new()
                }
            ),
        });
    }
    for record in staged {
        *report
            .decisions
            .entry(record.decision.code().to_string())
            .or_default() += 1;
        decisions.insert(record.finding_id.clone(), record);
    }
    save_decisions(state, &decisions)?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verification_values() {
        assert_eq!(Decision::parse("Đã sửa"), Some(Decision::Fixed));
        assert_eq!(
            Decision::parse("Đúng, không sai"),
            Some(Decision::NotAnError)
        );
        assert_eq!(
            Decision::parse("đúng - KHÔNG SAI"),
            Some(Decision::NotAnError)
        );
        assert_eq!(
            Decision::parse("Không xác minh được"),
            Some(Decision::Unverifiable)
        );
        assert_eq!(Decision::parse("ok"), None);
    }
}
