//! Outputs: the atomic output folder, findings (CSV + Parquet), per-commune
//! worklists, rejects, `summary.json`.

pub mod html;
pub mod output;
pub mod summary;
pub mod tables;
pub mod xlsx;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::config::RunConfig;
use crate::error::{Error, Result};
use crate::findings::Finding;
use crate::ingest::Reject;
use crate::model::AdminUnits;
use crate::rules::load::Rule;
use summary::RunSummary;

/// Write every output except `summary.json` into `dir`.
pub fn write_all(
    dir: &Path,
    findings: &[Finding],
    rules: &BTreeMap<&str, &Rule>,
    rejects: &BTreeMap<String, (PathBuf, Vec<Reject>)>,
    config: &RunConfig,
    summary: &RunSummary,
    admin: &AdminUnits,
) -> Result<()> {
    let (csv, parquet) = rayon::join(
        || {
            tables::write_findings_csv(&dir.join("findings.csv"), findings)?;
            tables::write_history_csv(&dir.join("history.csv"), findings)
        },
        || tables::write_findings_parquet(&dir.join("findings.parquet"), findings),
    );
    csv?;
    parquet?;
    let groups = tables::by_commune(findings);
    tables::write_worklists_csv(dir, &groups, rules)?;
    if config.xlsx {
        xlsx::write_worklists_xlsx(dir, &groups, rules, admin, &summary.as_of)?;
    }
    let trend = html::extend_trend(html::load_trend(config.previous.as_deref()), summary);
    let trend_path = dir.join("trend.json");
    let trend_text = serde_json::to_string_pretty(&trend)
        .map_err(|e| Error::Config(format!("cannot serialise the trend: {e}")))?;
    std::fs::write(&trend_path, trend_text).map_err(|e| Error::io(&trend_path, "writing", e))?;
    if config.html {
        html::write_report(dir, summary, findings, &groups, rules, admin, &trend)?;
    }
    for (dataset, (file, list)) in rejects {
        tables::write_rejects(
            &dir.join("rejects").join(format!("{dataset}.csv")),
            file,
            list,
        )?;
    }
    Ok(())
}

/// Write `summary.json`.
pub fn write_summary(dir: &Path, summary: &RunSummary) -> Result<()> {
    let path = dir.join("summary.json");
    let text = serde_json::to_string_pretty(summary)
        .map_err(|e| Error::Config(format!("cannot serialise the summary: {e}")))?;
    std::fs::write(&path, text + "\n").map_err(|e| Error::io(&path, "writing", e))
}
