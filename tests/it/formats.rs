//! Input formats: a Parquet register gives the same findings as the same data in CSV,
//! and Vietnamese headers are mapped without configuration.

use std::path::PathBuf;
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
