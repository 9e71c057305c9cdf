//! Parquet ingest: every mapped column is cast to text with Arrow's cast kernel (so
//! integer codes, dates and timestamps arrive in the same forms as from CSV) and goes
//! through the same builders as CSV cells. Row numbers stand in for line numbers.

use std::fs::File;

use arrow_array::{Array, StringArray};
use arrow_schema::DataType;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use super::columns::ColumnBuilder;
use super::csv::{row_problem, FieldPlan};
use super::{finish_table, Ingested, ReadRequest, Reject};
use crate::error::{Error, Result};

const BATCH_ROWS: usize = 64 * 1024;

/// Read a Parquet file into a table.
pub fn read_parquet(request: &ReadRequest<'_>) -> Result<Ingested> {
    let path = request.path;
    let parquet_error = |e: &dyn std::fmt::Display| Error::Parquet {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let file = File::open(path).map_err(|e| Error::io(path, "opening", e))?;
    let bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| parquet_error(&e))?;
    let headers: Vec<String> = builder
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    let (plan, key_column) = FieldPlan::for_headers(request, &headers)?;
    let reader = builder
        .with_batch_size(BATCH_ROWS)
        .build()
        .map_err(|e| parquet_error(&e))?;

    let mut builders: Vec<ColumnBuilder> = plan
        .kinds
        .iter()
        .map(|&kind| ColumnBuilder::new(kind, 0))
        .collect();
    let mut rejects = Vec::new();
    let mut lines = Vec::new();
    let mut fingerprints = Vec::new();
    let mut read = 0u64;
    for batch in reader {
        let batch = batch.map_err(|e| parquet_error(&e))?;
        let mut text_columns: Vec<StringArray> = Vec::with_capacity(batch.num_columns());
        for column in batch.columns() {
            let cast =
                arrow_cast::cast::cast(column, &DataType::Utf8).map_err(|e| parquet_error(&e))?;
            let strings = cast
                .as_any()
                .downcast_ref::<StringArray>()
                .cloned()
                .ok_or_else(|| parquet_error(&"a column could not be read as text"))?;
            text_columns.push(strings);
        }
        let mut fields: Vec<&str> = Vec::with_capacity(headers.len());
        let mut scratch = Vec::new();
        for row in 0..batch.num_rows() {
            read += 1;
            let line = read;
            fields.clear();
            for column in &text_columns {
                fields.push(if column.is_null(row) {
                    ""
                } else {
                    column.value(row)
                });
            }
            let get = |i: usize| fields.get(i).copied().unwrap_or("");
            if let Some(reason) = row_problem(fields.len(), &get, headers.len(), key_column) {
                rejects.push(Reject {
                    line,
                    reason,
                    raw: fields.join(",").chars().take(500).collect(),
                });
                continue;
            }
            lines.push(line);
            fingerprints.push(super::fingerprint(
                fields.iter().map(|f| f.as_bytes()),
                &mut scratch,
            ));
            for (builder, source) in builders.iter_mut().zip(&plan.sources) {
                if let Some(index) = source {
                    let cell = fields.get(*index).copied().unwrap_or("");
                    builder.push(if key_column == Some(*index) {
                        cell
                    } else {
                        super::columns::present(cell)
                    });
                }
            }
        }
    }
    let columns = builders
        .into_iter()
        .zip(&plan.sources)
        .map(|(builder, source)| source.map(|_| builder.finish()))
        .collect();
    let raw = super::RawRows {
        columns,
        lines,
        record_hashes: crate::model::RecordHashes::Known(fingerprints),
    };
    finish_table(request, &plan.names, raw, read, rejects, bytes)
}
