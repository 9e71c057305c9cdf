//! `summary.json`: what was read (read = accepted + rejected per file), what was found
//! (per rule, dimension, severity and commune), the match classes per sector dataset,
//! progress against the previous run, and the cost of every stage and rule.
//! Everything except the `timings` section is deterministic.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::findings::history::Progress;
use crate::findings::Finding;
use crate::ingest::IngestStats;
use crate::matching::crossmatch::ClassCounts;
use crate::model::AdminUnits;
use crate::rules::load::Rule;

/// Row totals over all inputs.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Totals {
    /// Rows read.
    pub read: u64,
    /// Rows accepted.
    pub accepted: u64,
    /// Rows rejected.
    pub rejected: u64,
}

/// Count of one rule.
#[derive(Debug, Clone, Serialize)]
pub struct RuleCount {
    /// Dimension code.
    pub dimension: &'static str,
    /// Severity code.
    pub severity: &'static str,
    /// Dataset.
    pub dataset: String,
    /// Vietnamese title.
    pub title: String,
    /// Findings.
    pub count: u64,
}

/// Counts for one commune.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CommuneCount {
    /// Province code.
    pub province_code: String,
    /// Province name.
    pub province_name: String,
    /// District code.
    pub district_code: String,
    /// District name.
    pub district_name: String,
    /// Commune code.
    pub commune_code: String,
    /// Commune name.
    pub commune_name: String,
    /// Findings.
    pub total: u64,
    /// Per dimension.
    pub by_dimension: BTreeMap<String, u64>,
    /// Per rule.
    pub by_rule: BTreeMap<String, u64>,
    /// Per severity.
    pub by_severity: BTreeMap<String, u64>,
}

/// All finding counts.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FindingCounts {
    /// All findings.
    pub total: u64,
    /// Per rule (every rule of the pack, zero included).
    pub by_rule: BTreeMap<String, RuleCount>,
    /// Per dimension.
    pub by_dimension: BTreeMap<String, u64>,
    /// Per severity.
    pub by_severity: BTreeMap<String, u64>,
    /// Per commune, keyed `province/commune`.
    pub by_commune: BTreeMap<String, CommuneCount>,
    /// Per district, keyed `province/district`.
    pub by_district: BTreeMap<String, u64>,
}

/// Wall time of one stage.
#[derive(Debug, Clone, Serialize)]
pub struct StageTiming {
    /// Stage name (read:population, normalize, rules, match:insurance, write, …).
    pub stage: String,
    /// Seconds.
    pub seconds: f64,
    /// Rows processed.
    pub rows: u64,
    /// Rows per second.
    pub rows_per_second: f64,
    /// Stages that ran at the same time, sharing the cores (so this stage's wall time
    /// is longer than it would be alone); empty for a stage that ran by itself.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub alongside: Vec<String>,
}

/// Wall time of one rule.
#[derive(Debug, Clone, Serialize)]
pub struct RuleTiming {
    /// Rule id.
    pub rule_id: String,
    /// Seconds.
    pub seconds: f64,
    /// Rows examined.
    pub rows: u64,
    /// Rows per second.
    pub rows_per_second: f64,
    /// Findings produced.
    pub findings: u64,
}

/// Timings (the only non-deterministic section).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Timings {
    /// Whole run.
    pub total_seconds: f64,
    /// Per stage, in order.
    pub stages: Vec<StageTiming>,
    /// Per rule, in pack order.
    pub rules: Vec<RuleTiming>,
    /// Peak resident memory in MiB, when the OS tells.
    pub peak_memory_mib: Option<f64>,
}

/// Feedback decisions applied in this run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FeedbackCounts {
    /// Findings suppressed because a commune confirmed the record correct.
    pub verified_correct: u64,
    /// Per rule.
    pub verified_correct_by_rule: BTreeMap<String, u64>,
    /// Per commune (`province/commune`).
    pub verified_correct_by_commune: BTreeMap<String, u64>,
}

/// The whole `summary.json`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RunSummary {
    /// Tool name.
    pub tool: String,
    /// Tool version.
    pub version: String,
    /// Run date.
    pub as_of: String,
    /// Rule pack origin.
    pub rules_origin: String,
    /// Rules run.
    pub rules_run: usize,
    /// Per input dataset: file and row accounting.
    pub inputs: BTreeMap<String, IngestStats>,
    /// Accounting over all inputs.
    pub input_totals: Totals,
    /// Finding counts.
    pub findings: FindingCounts,
    /// Match classes per sector dataset.
    pub match_classes: BTreeMap<String, ClassCounts>,
    /// Candidate pairs scored per matching stage.
    pub candidate_pairs: BTreeMap<String, u64>,
    /// Pairs each blocking pass of duplicate detection proposed, in pass order (a pair
    /// met by several passes counts in each): what a blocking pass costs.
    pub duplicate_blocking: Vec<BlockingPass>,
    /// The share of second registrations duplicate detection assumed: configured,
    /// estimated from this register, used.
    pub duplicate_prior_share: crate::matching::dedup::PriorShare,
    /// Progress vs the previous run.
    pub progress: Progress,
    /// Feedback applied.
    pub feedback: FeedbackCounts,
    /// Things the user should know (skipped rules, absent columns).
    pub warnings: Vec<String>,
    /// Timings.
    pub timings: Timings,
}

/// One blocking pass of duplicate detection and the pairs it proposed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct BlockingPass {
    /// Pass name (`name_year`, `dropped_middle`, `father_year`, …).
    pub pass: String,
    /// Candidate pairs it proposed.
    pub pairs: u64,
}

/// Count findings per rule, dimension, severity, commune and district.
pub fn count_findings(findings: &[Finding], rules: &[Rule], admin: &AdminUnits) -> FindingCounts {
    let mut counts = FindingCounts {
        total: findings.len() as u64,
        ..FindingCounts::default()
    };
    for rule in rules {
        counts.by_rule.insert(
            rule.id.clone(),
            RuleCount {
                dimension: rule.dimension.code(),
                severity: rule.severity.code(),
                dataset: rule.dataset.clone(),
                title: rule.title.clone(),
                count: 0,
            },
        );
    }
    for dimension in crate::rules::types::Dimension::ALL {
        counts.by_dimension.insert(dimension.code().to_string(), 0);
    }
    for f in findings {
        if let Some(rule) = counts.by_rule.get_mut(&*f.rule_id) {
            rule.count += 1;
        }
        *counts
            .by_dimension
            .entry(f.dimension.code().to_string())
            .or_default() += 1;
        *counts
            .by_severity
            .entry(f.severity.code().to_string())
            .or_default() += 1;
        let key = format!("{}/{}", f.province_code, f.commune_code);
        let commune = counts.by_commune.entry(key).or_insert_with(|| {
            let unit = admin.commune(&f.commune_code);
            CommuneCount {
                province_code: f.province_code.clone(),
                province_name: unit.map(|u| u.province_name.clone()).unwrap_or_default(),
                district_code: f.district_code.clone(),
                district_name: unit.map(|u| u.district_name.clone()).unwrap_or_default(),
                commune_code: f.commune_code.clone(),
                commune_name: unit.map(|u| u.name.clone()).unwrap_or_default(),
                ..CommuneCount::default()
            }
        });
        commune.total += 1;
        *commune
            .by_dimension
            .entry(f.dimension.code().to_string())
            .or_default() += 1;
        *commune.by_rule.entry(f.rule_id.to_string()).or_default() += 1;
        *commune
            .by_severity
            .entry(f.severity.code().to_string())
            .or_default() += 1;
        *counts
            .by_district
            .entry(format!("{}/{}", f.province_code, f.district_code))
            .or_default() += 1;
    }
    counts
}

/// Peak resident set size of this process in MiB (Linux `VmHWM`).
pub fn peak_memory_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some((kib / 1024.0 * 10.0).round() / 10.0)
}
