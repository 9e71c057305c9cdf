//! Night-to-night history: compare with the previous run's output by `finding_id`.
//! A finding is `new` or `open` (with the date first seen and days open); findings of
//! the previous run that disappeared are counted as resolved per rule and commune.
//!
//! The previous run's `history.csv` (finding_id, rule_id, province, commune,
//! first_seen) carries first-seen dates forward; a previous output without it (or
//! from another tool) still works from its `findings.csv`.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use chrono::NaiveDate;
use serde::Serialize;

use super::{Finding, Status};
use crate::error::{Error, Result};

/// What was seen in a previous run.
#[derive(Debug, Clone)]
pub struct PreviousFinding {
    /// Rule id.
    pub rule_id: String,
    /// Province code.
    pub province_code: String,
    /// Commune code.
    pub commune_code: String,
    /// First seen (`yyyy-mm-dd`).
    pub first_seen: String,
}

/// Counts of progress against the previous run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Progress {
    /// A previous run was given.
    pub compared: bool,
    /// The previous run's date, when known.
    pub previous_as_of: Option<String>,
    /// Findings new tonight.
    pub new: u64,
    /// Findings still open.
    pub open: u64,
    /// Findings of the previous run that are gone.
    pub resolved: u64,
    /// Findings of the previous run that tonight's run could not find again, so they
    /// are not counted as resolved: their rule is no longer in the pack, or their
    /// dataset was not given or had no rows tonight. Per rule id.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub not_rechecked: BTreeMap<String, u64>,
    /// Per rule: (new, open, resolved).
    pub rules: BTreeMap<String, ProgressCounts>,
    /// Per commune (`province/commune`): (new, open, resolved).
    pub communes: BTreeMap<String, ProgressCounts>,
    /// Per commune and rule.
    pub commune_rules: BTreeMap<String, BTreeMap<String, ProgressCounts>>,
}

/// New / open / resolved counts and the "đã cập nhật" ratio.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ProgressCounts {
    /// New findings.
    pub new: u64,
    /// Still open.
    pub open: u64,
    /// Resolved since the previous run.
    pub resolved: u64,
    /// resolved / (resolved + open).
    pub resolved_share: f64,
}

impl ProgressCounts {
    fn finish(&mut self) {
        let base = self.resolved + self.open;
        self.resolved_share = if base == 0 {
            0.0
        } else {
            ((self.resolved as f64 / base as f64) * 10_000.0).round() / 10_000.0
        };
    }
}

/// Read the previous run's findings (history.csv when present, else findings.csv).
pub fn load_previous(dir: &Path) -> Result<HashMap<String, PreviousFinding>> {
    let history = dir.join("history.csv");
    let path = if history.exists() {
        history
    } else {
        dir.join("findings.csv")
    };
    if !path.exists() {
        return Err(Error::Config(format!(
            "--previous {}: no findings.csv or history.csv there; point it at an earlier run's output folder",
            dir.display()
        )));
    }
    let mut reader = csv::ReaderBuilder::new()
        .from_path(&path)
        .map_err(|e| Error::input(&path, e.to_string()))?;
    let headers = reader
        .headers()
        .map_err(|e| Error::input(&path, e.to_string()))?
        .clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}') == name)
    };
    let (Some(id), Some(rule)) = (column("finding_id"), column("rule_id")) else {
        return Err(Error::input(
            &path,
            "not a doisoat output: it has no finding_id / rule_id columns",
        ));
    };
    let province = column("province_code");
    let commune = column("commune_code");
    let first_seen = column("first_seen");
    let mut out = HashMap::new();
    let mut rows = 0u64;
    for record in reader.records() {
        let record = record.map_err(|e| Error::input(&path, e.to_string()))?;
        rows += 1;
        let get = |i: Option<usize>| i.and_then(|i| record.get(i)).unwrap_or("").to_string();
        out.insert(
            get(Some(id)),
            PreviousFinding {
                rule_id: get(Some(rule)),
                province_code: get(province),
                commune_code: get(commune),
                first_seen: get(first_seen),
            },
        );
    }
    // A file cut short (a copy interrupted, an edit) would turn its missing findings
    // into tonight's "new" ones: the run's own summary says how many there were.
    let counted =
        previous_summary(dir).and_then(|summary| summary.get("findings")?.get("total")?.as_u64());
    if let Some(counted) = counted {
        if counted != rows {
            return Err(Error::input(
                &path,
                format!(
                    "holds {} findings, but that run's summary.json counts {counted}: the \
                     folder is incomplete or was edited; point --previous at a complete \
                     earlier output folder",
                    rows
                ),
            ));
        }
    }
    Ok(out)
}

/// The summary.json of the earlier run in `dir` (`None` when it has none or it cannot
/// be read: what it adds only labels and checks the comparison).
fn previous_summary(dir: &Path) -> Option<serde_json::Value> {
    let text = std::fs::read_to_string(dir.join("summary.json")).ok()?;
    serde_json::from_str(&text).ok()
}

/// The run date of the earlier run in `dir`, from its summary.json.
pub fn previous_as_of(dir: &Path) -> Option<String> {
    previous_summary(dir)?
        .get("as_of")?
        .as_str()
        .map(str::to_string)
}

/// The accepted rows per dataset of the earlier run in `dir`, from its summary.json
/// (empty when it has none).
pub fn previous_accepted(dir: &Path) -> BTreeMap<String, u64> {
    let Some(summary) = previous_summary(dir) else {
        return BTreeMap::new();
    };
    summary
        .get("inputs")
        .and_then(|inputs| inputs.as_object())
        .into_iter()
        .flatten()
        .filter_map(|(dataset, stats)| Some((dataset.clone(), stats.get("accepted")?.as_u64()?)))
        .collect()
}

/// What tonight's run could find again of the previous run's findings.
pub struct Recheck<'a> {
    /// Ids of the rules that ran tonight on a dataset with rows: only their findings
    /// can be resolved.
    pub rules: &'a std::collections::HashSet<String>,
    /// Finding ids a commune confirmed correct, left out tonight: counted as verified
    /// correct, not as resolved.
    pub verified_correct: &'a std::collections::HashSet<String>,
}

/// Mark findings new/open against `previous` and count progress. Without a previous
/// run every finding is new and first seen today. A previous finding that is gone
/// counts as resolved only when tonight's run looked for it again (see [`Recheck`]).
pub fn apply(
    findings: &mut [Finding],
    previous: Option<&HashMap<String, PreviousFinding>>,
    as_of: NaiveDate,
    recheck: &Recheck<'_>,
) -> Progress {
    let today = as_of.format("%Y-%m-%d").to_string();
    let mut progress = Progress {
        compared: previous.is_some(),
        ..Progress::default()
    };
    let mut present: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for finding in findings.iter_mut() {
        let commune_key = format!("{}/{}", finding.province_code, finding.commune_code);
        let seen = previous.and_then(|p| p.get(&finding.finding_id));
        match seen {
            Some(before) => {
                finding.status = Status::Open;
                finding.first_seen = if before.first_seen.is_empty() {
                    today.clone()
                } else {
                    before.first_seen.clone()
                };
            }
            None => {
                finding.status = Status::New;
                finding.first_seen = today.clone();
            }
        }
        finding.days_open = NaiveDate::parse_from_str(&finding.first_seen, "%Y-%m-%d")
            .map(|d| (as_of - d).num_days())
            .unwrap_or(0);
        let bump = |c: &mut ProgressCounts| match finding.status {
            Status::New => c.new += 1,
            Status::Open => c.open += 1,
        };
        bump(
            progress
                .rules
                .entry(finding.rule_id.to_string())
                .or_default(),
        );
        bump(progress.communes.entry(commune_key.clone()).or_default());
        bump(
            progress
                .commune_rules
                .entry(commune_key)
                .or_default()
                .entry(finding.rule_id.to_string())
                .or_default(),
        );
        match finding.status {
            Status::New => progress.new += 1,
            Status::Open => progress.open += 1,
        }
    }
    for finding in findings.iter() {
        present.insert(finding.finding_id.as_str());
    }
    if let Some(previous) = previous {
        let mut gone: Vec<(&String, &PreviousFinding)> = previous
            .iter()
            .filter(|(id, _)| !present.contains(id.as_str()))
            .filter(|(id, _)| !recheck.verified_correct.contains(id.as_str()))
            .collect();
        gone.sort_by(|a, b| a.0.cmp(b.0));
        for (_, before) in gone {
            if !recheck.rules.contains(&before.rule_id) {
                *progress
                    .not_rechecked
                    .entry(before.rule_id.clone())
                    .or_default() += 1;
                continue;
            }
            let commune_key = format!("{}/{}", before.province_code, before.commune_code);
            progress.resolved += 1;
            progress
                .rules
                .entry(before.rule_id.clone())
                .or_default()
                .resolved += 1;
            progress
                .communes
                .entry(commune_key.clone())
                .or_default()
                .resolved += 1;
            progress
                .commune_rules
                .entry(commune_key)
                .or_default()
                .entry(before.rule_id.clone())
                .or_default()
                .resolved += 1;
        }
    }
    progress.rules.values_mut().for_each(ProgressCounts::finish);
    progress
        .communes
        .values_mut()
        .for_each(ProgressCounts::finish);
    for rules in progress.commune_rules.values_mut() {
        rules.values_mut().for_each(ProgressCounts::finish);
    }
    progress
}
