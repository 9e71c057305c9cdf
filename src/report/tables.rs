//! Tabular outputs: `findings.csv`, `findings.parquet`, `history.csv`, the per-commune
//! CSV worklists (UTF-8 with BOM so Excel opens them right, Vietnamese headers) and
//! `rejects/<dataset>.csv`.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::findings::{worklist_order, Finding};
use crate::ingest::Reject;
use crate::rules::load::Rule;

/// Columns of `findings.csv` / `findings.parquet` (SPEC §5), in order.
pub const FINDING_COLUMNS: [&str; 18] = [
    "finding_id",
    "rule_id",
    "dimension",
    "severity",
    "dataset",
    "record_key",
    "person_id",
    "full_name",
    "birth_date",
    "province_code",
    "district_code",
    "commune_code",
    "fields",
    "detail",
    "suggested_value",
    "related_keys",
    "cluster_id",
    "status",
];

fn finding_values(f: &Finding) -> [&str; 18] {
    [
        &f.finding_id,
        &f.rule_id,
        f.dimension.code(),
        f.severity.code(),
        &f.dataset,
        &f.record_key,
        &f.person_id,
        &f.full_name,
        &f.birth_date,
        &f.province_code,
        &f.district_code,
        &f.commune_code,
        &f.fields,
        &f.detail,
        &f.suggested_value,
        &f.related_keys,
        &f.cluster_id,
        f.status.code(),
    ]
}

fn csv_error(path: &Path, e: csv::Error) -> Error {
    Error::input(path, format!("writing CSV failed: {e}"))
}

fn create(path: &Path) -> Result<BufWriter<File>> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, "creating folder", e))?;
    }
    let file = File::create(path).map_err(|e| Error::io(path, "creating", e))?;
    Ok(BufWriter::with_capacity(1 << 20, file))
}

/// Write `findings.csv`.
pub fn write_findings_csv(path: &Path, findings: &[Finding]) -> Result<()> {
    let mut writer = csv::Writer::from_writer(create(path)?);
    writer
        .write_record(FINDING_COLUMNS)
        .map_err(|e| csv_error(path, e))?;
    for finding in findings {
        writer
            .write_record(finding_values(finding))
            .map_err(|e| csv_error(path, e))?;
    }
    writer.flush().map_err(|e| Error::io(path, "writing", e))
}

/// Write `history.csv` (finding_id, rule_id, province_code, commune_code, first_seen)
/// for the next night's comparison.
pub fn write_history_csv(path: &Path, findings: &[Finding]) -> Result<()> {
    let mut writer = csv::Writer::from_writer(create(path)?);
    writer
        .write_record([
            "finding_id",
            "rule_id",
            "province_code",
            "commune_code",
            "first_seen",
            "record_hash",
        ])
        .map_err(|e| csv_error(path, e))?;
    for f in findings {
        writer
            .write_record([
                f.finding_id.as_str(),
                &f.rule_id,
                &f.province_code,
                &f.commune_code,
                &f.first_seen,
                &f.record_hash,
            ])
            .map_err(|e| csv_error(path, e))?;
    }
    writer.flush().map_err(|e| Error::io(path, "writing", e))
}

/// Write `findings.parquet` (all columns as UTF-8 strings, Snappy).
pub fn write_findings_parquet(path: &Path, findings: &[Finding]) -> Result<()> {
    let parquet_error = |e: &dyn std::fmt::Display| Error::Parquet {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let schema = Arc::new(Schema::new(
        FINDING_COLUMNS
            .iter()
            .map(|name| Field::new(*name, DataType::Utf8, false))
            .collect::<Vec<_>>(),
    ));
    let properties = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let file = File::create(path).map_err(|e| Error::io(path, "creating", e))?;
    let mut writer = ArrowWriter::try_new(file, schema.clone(), Some(properties))
        .map_err(|e| parquet_error(&e))?;
    for chunk in findings.chunks(256 * 1024) {
        let columns: Vec<ArrayRef> = (0..FINDING_COLUMNS.len())
            .into_par_iter()
            .map(|i| {
                Arc::new(StringArray::from_iter_values(
                    chunk.iter().map(|f| finding_values(f)[i]),
                )) as ArrayRef
            })
            .collect();
        let batch = RecordBatch::try_new(schema.clone(), columns).map_err(|e| parquet_error(&e))?;
        writer.write(&batch).map_err(|e| parquet_error(&e))?;
    }
    writer.close().map_err(|e| parquet_error(&e))?;
    Ok(())
}

/// Vietnamese worklist headers, in column order.
pub const WORKLIST_HEADERS: [&str; 23] = [
    "STT",
    "Mức độ",
    "Nhóm",
    "Mã quy tắc",
    "Nội dung",
    "Nguồn dữ liệu",
    "Mã hồ sơ",
    "Số định danh",
    "Họ và tên",
    "Ngày sinh",
    "Mã hộ",
    "Trường liên quan",
    "Chi tiết",
    "Giá trị đề xuất",
    "Hồ sơ liên quan",
    "Mã cụm trùng",
    "Hướng xử lý",
    "Trạng thái",
    "Ngày phát hiện",
    "Số ngày tồn tại",
    "Mã phát hiện",
    "Kết quả xác minh",
    "Ghi chú",
];

/// Vietnamese name of a dataset for worklists and the report (capitalised).
pub fn dataset_label(dataset: &str) -> String {
    let label = crate::model::schema::dataset_label(dataset);
    let mut chars = label.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// One worklist row as text cells (shared by CSV and XLSX writers).
pub fn worklist_cells(index: usize, f: &Finding, rule: Option<&Rule>) -> [String; 23] {
    [
        (index + 1).to_string(),
        f.severity.label().to_string(),
        f.dimension.label().to_string(),
        f.rule_id.to_string(),
        rule.map(|r| r.title.clone()).unwrap_or_default(),
        dataset_label(&f.dataset),
        f.record_key.clone(),
        f.person_id.clone(),
        f.full_name.clone(),
        f.birth_date.clone(),
        f.household_id.clone(),
        f.fields.clone(),
        f.detail.clone(),
        f.suggested_value.clone(),
        f.related_keys.clone(),
        f.cluster_id.clone(),
        rule.map(|r| r.action.clone()).unwrap_or_default(),
        match f.status {
            crate::findings::Status::New => "Mới".to_string(),
            crate::findings::Status::Open => "Đang mở".to_string(),
        },
        f.first_seen.clone(),
        f.days_open.to_string(),
        f.finding_id.clone(),
        String::new(),
        String::new(),
    ]
}

/// Findings grouped by (province, commune), each group in worklist order.
pub fn by_commune(findings: &[Finding]) -> BTreeMap<(String, String), Vec<&Finding>> {
    let mut groups: BTreeMap<(String, String), Vec<&Finding>> = BTreeMap::new();
    for f in findings {
        groups
            .entry((f.province_code.clone(), f.commune_code.clone()))
            .or_default()
            .push(f);
    }
    groups
        .par_iter_mut()
        .for_each(|(_, list)| list.sort_by(|a, b| worklist_order(a, b)));
    groups
}

/// Folder or file name for a province or commune code (empty → `khong_xac_dinh`).
/// A code is its own name, so that `worklists/<province>/<commune>.csv` holds what it
/// says, unless no file system would take it: a separator, a character Windows
/// refuses, a leading or trailing dot or space, or more than 100 bytes. Such a code
/// keeps what is safe of it, cut to 40 characters, and a hash of the whole code: two
/// codes never share a file, and a code the length of an address cannot make a name
/// the file system refuses.
pub fn code_dir(code: &str) -> String {
    const LONGEST: usize = 100;
    let refused = |c: char| {
        c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|')
    };
    if code.is_empty() {
        return "khong_xac_dinh".to_string();
    }
    let usable = code.len() <= LONGEST
        && !code.chars().any(refused)
        && !code.starts_with(['.', ' '])
        && !code.ends_with(['.', ' '])
        && !code.starts_with("khong_xac_dinh");
    if usable {
        return code.to_string();
    }
    let kept: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .take(40)
        .collect();
    let hash = xxhash_rust::xxh3::xxh3_64(code.as_bytes()) as u32;
    if kept.is_empty() {
        format!("khong_xac_dinh-{hash:08x}")
    } else {
        format!("{kept}-{hash:08x}")
    }
}

/// Write `worklists/<province>/<commune>.csv` for every commune with findings.
pub fn write_worklists_csv(
    out: &Path,
    groups: &BTreeMap<(String, String), Vec<&Finding>>,
    rules: &BTreeMap<&str, &Rule>,
) -> Result<Vec<PathBuf>> {
    let written: Vec<Result<PathBuf>> = groups
        .par_iter()
        .map(|((province, commune), list)| {
            let path = out
                .join("worklists")
                .join(code_dir(province))
                .join(format!("{}.csv", code_dir(commune)));
            let mut file = create(&path)?;
            file.write_all(b"\xEF\xBB\xBF")
                .map_err(|e| Error::io(&path, "writing", e))?;
            let mut writer = csv::Writer::from_writer(file);
            writer
                .write_record(WORKLIST_HEADERS)
                .map_err(|e| csv_error(&path, e))?;
            for (i, f) in list.iter().enumerate() {
                let cells = worklist_cells(i, f, rules.get(&*f.rule_id).copied())
                    .map(inert_in_spreadsheets);
                writer
                    .write_record(&cells)
                    .map_err(|e| csv_error(&path, e))?;
            }
            writer.flush().map_err(|e| Error::io(&path, "writing", e))?;
            Ok(path)
        })
        .collect();
    written.into_iter().collect()
}

/// A worklist cell that a spreadsheet would run as a formula (`=HYPERLINK(…)`,
/// `+84 …`, `@SUM(…)` typed into a name or address somewhere upstream) gets Excel's
/// text mark in front, so that opening the worklist runs nothing. Numbers (`-5`) and
/// everything else are written as they are; findings.csv, for programs, keeps every
/// value unchanged.
pub fn inert_in_spreadsheets(cell: String) -> String {
    let starts_formula = matches!(
        cell.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    );
    if starts_formula && cell.parse::<f64>().is_err() {
        format!("'{cell}")
    } else {
        cell
    }
}

/// Write `rejects/<dataset>.csv` (file, line, reason, row).
pub fn write_rejects(path: &Path, file: &Path, rejects: &[Reject]) -> Result<()> {
    let mut handle = create(path)?;
    handle
        .write_all(b"\xEF\xBB\xBF")
        .map_err(|e| Error::io(path, "writing", e))?;
    let mut writer = csv::Writer::from_writer(handle);
    writer
        .write_record(["file", "line", "reason", "row"])
        .map_err(|e| csv_error(path, e))?;
    let file = file.display().to_string();
    for reject in rejects {
        writer
            .write_record([
                file.as_str(),
                &reject.line.to_string(),
                &reject.reason,
                &reject.raw,
            ])
            .map_err(|e| csv_error(path, e))?;
    }
    writer.flush().map_err(|e| Error::io(path, "writing", e))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_code_gets_its_own_short_safe_file_name() {
        use super::code_dir;
        assert_eq!(code_dir("28756"), "28756");
        assert_eq!(code_dir("83"), "83");
        assert_eq!(code_dir("Xã Tân Phú"), "Xã Tân Phú");
        assert_eq!(code_dir(""), "khong_xac_dinh");
        let names = [
            code_dir("a/b"),
            code_dir("ab"),
            code_dir("../ab"),
            code_dir(".."),
            code_dir("a\\b"),
            code_dir("Xã Á"),
            code_dir("Xã Ê"),
            code_dir("Phường 1."),
            code_dir(""),
            code_dir("khong_xac_dinh"),
            code_dir(&"x".repeat(250)),
            code_dir(&"x".repeat(251)),
        ];
        let distinct: std::collections::BTreeSet<&String> = names.iter().collect();
        assert_eq!(distinct.len(), names.len(), "{names:?}");
        for name in &names {
            assert!(name.len() <= 100, "{name}");
            assert!(
                !name.contains(['/', '\\', ':', '*', '?', '"', '<', '>', '|']),
                "{name}"
            );
            assert!(
                !name.starts_with('.') && !name.ends_with(['.', ' ']),
                "{name}"
            );
        }
    }

    #[test]
    fn formulas_are_inert_and_numbers_stay() {
        use super::inert_in_spreadsheets as inert;
        assert_eq!(inert("=HYPERLINK(\"x\")".into()), "'=HYPERLINK(\"x\")");
        assert_eq!(inert("+84 912 345 678".into()), "'+84 912 345 678");
        assert_eq!(inert("@SUM(1+1)".into()), "'@SUM(1+1)");
        assert_eq!(inert("-Lê Văn Tám".into()), "'-Lê Văn Tám");
        assert_eq!(inert("-5".into()), "-5");
        assert_eq!(inert("Lê Văn Tám".into()), "Lê Văn Tám");
        assert_eq!(inert(String::new()), "");
    }
}
