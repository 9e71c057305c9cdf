//! # doisoat — đối soát dữ liệu dân cư
//!
//! A data-quality reconciliation engine for Vietnam's national population data
//! programme (Đề án 06). It reads a province's population register and the sector
//! datasets (insurance, tax, vaccination, civil-registry deaths, the old CMND
//! register), applies declarative "đúng, đủ, sạch, sống" rules from `rules/*.toml`,
//! matches identities across datasets, and writes findings plus a cleanup worklist
//! per commune.
//!
//! The pipeline follows the data: [`ingest`] → [`normalize`] → [`rules`] (facts,
//! predicates, check kernels) and [`matching`] (blocking, similarity, cross-match,
//! dedup) → [`findings`] → [`report`]. [`run`] drives it; `src/main.rs` is only the
//! command line.

pub mod bench;
pub mod config;
pub mod error;
pub mod findings;
pub mod gen;
pub mod ingest;
pub mod matching;
pub mod model;
pub mod normalize;
pub mod report;
pub mod rules;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

pub use config::RunConfig;
pub use error::{Error, Result};
use findings::{Finding, FindingBuilder};
use ingest::{IngestStats, ReadRequest, Reject};
use matching::{Links, PersonIndex};
use model::{AdminUnits, Column, DatasetKind, Schema, Table};
use normalize::id::IdPrefixes;
use report::summary::{RuleTiming, RunSummary, StageTiming, Totals};
use rules::facts::PopulationFacts;
use rules::load::{load_pack, RulePack};
use rules::EvalContext;

/// Receives progress of a run (the binary draws progress bars with it).
pub trait Observer: Sync {
    /// A stage begins.
    fn stage(&self, _name: &str) {}
    /// A stage ended after `seconds`.
    fn done(&self, _name: &str, _seconds: f64) {}
}

/// An observer that ignores everything (library use, tests, pipelines).
pub struct Silent;
impl Observer for Silent {}

/// What a finished run produced.
pub struct RunOutcome {
    /// The summary (also written as `summary.json`).
    pub summary: RunSummary,
    /// The output folder.
    pub out: PathBuf,
}

struct Clock<'a> {
    stages: Vec<StageTiming>,
    observer: &'a dyn Observer,
}

impl Clock<'_> {
    fn time<T>(&mut self, name: &str, rows: impl Fn(&T) -> u64, work: impl FnOnce() -> T) -> T {
        self.observer.stage(name);
        let started = Instant::now();
        let value = work();
        let seconds = started.elapsed().as_secs_f64();
        let rows = rows(&value);
        self.observer.done(name, seconds);
        self.stages
            .push(stage_timing(name.to_string(), seconds, rows));
        value
    }

    /// Record the timed phases of stage `parent` as its parts (`parent:phase`).
    fn phases(&mut self, parent: &str, phases: &[(&str, f64, u64)]) {
        for &(phase, seconds, rows) in phases {
            self.stages
                .push(stage_timing(format!("{parent}:{phase}"), seconds, rows));
        }
    }
}

fn stage_timing(stage: String, seconds: f64, rows: u64) -> StageTiming {
    StageTiming {
        stage,
        seconds: round3(seconds),
        rows,
        rows_per_second: if seconds > 0.0 {
            (rows as f64 / seconds).round()
        } else {
            0.0
        },
        alongside: Vec::new(),
    }
}

/// The largest register whose indexing and duplicate search run beside the reading of
/// the other datasets (see `run`).
const SIDE_BY_SIDE_MAX_ROWS: usize = 3_000_000;

/// Mark two lists of stages that ran at the same time as running alongside each
/// other's top-level stages (a stage's phases, `parent:phase`, are not listed apart).
fn mark_alongside(first: &mut [StageTiming], second: &mut [StageTiming]) {
    let top_level = |stages: &[StageTiming]| -> Vec<String> {
        let is_phase = |name: &str| {
            stages
                .iter()
                .any(|parent| name.starts_with(&format!("{}:", parent.stage)))
        };
        stages
            .iter()
            .filter(|stage| !is_phase(&stage.stage))
            .map(|stage| stage.stage.clone())
            .collect()
    };
    let (first_names, second_names) = (top_level(first), top_level(second));
    for stage in first.iter_mut() {
        stage.alongside = second_names.clone();
    }
    for stage in second.iter_mut() {
        stage.alongside = first_names.clone();
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

struct Loaded {
    table: Table,
    stats: IngestStats,
    rejects: Vec<Reject>,
    /// See [`id_format_warnings`].
    id_warnings: Vec<String>,
}

/// IDs that a spreadsheet stored as numbers: leading zeros dropped (9–11 digits) or
/// digits lost in scientific notation (`8.33001E+10`). Found while the file is read, so
/// that the scan runs beside the stages that share the cores with reading.
fn id_format_warnings(table: &Table) -> Vec<String> {
    use rayon::prelude::*;
    let mut warnings = Vec::new();
    let Some(ids) = table.column("person_id") else {
        return warnings;
    };
    // One pass over the IDs for both warnings: (given, 9–11 digits, scientific).
    let (given, short, lossy) = (0..table.rows)
        .into_par_iter()
        .filter_map(|row| ids.text(row).filter(|id| !id.is_empty()))
        .map(|id| {
            let short = (9..=11).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit());
            let lossy = normalize::id::is_scientific_notation(id);
            (1usize, usize::from(short), usize::from(lossy))
        })
        .reduce(|| (0, 0, 0), |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2));
    if short >= 20 && short * 2 >= given {
        warnings.push(format!(
            "{}: {short} of {given} person_id values have 9–11 digits: the column was \
             stored as numbers somewhere (a spreadsheet, or a Parquet or database column \
             of integer type), which drops the leading zeros. Export the column as text; \
             until then every such ID is matched padded and reported with the padded \
             value suggested",
            table.source.display()
        ));
    }
    if lossy > 0 {
        warnings.push(format!(
            "{}: {lossy} person_id value(s) are in scientific notation (e.g. 8.33001E+10): \
             a spreadsheet stored the IDs as numbers and their digits are lost; export \
             the column again formatted as text",
            table.source.display()
        ));
    }
    warnings
}

/// Problems with whole input files, one warning each: a column that rules read but the
/// file lacks is empty for every row (named once per file and column, with the rules,
/// so a dropped column is not mistaken for thousands of real defects), and IDs that a
/// spreadsheet turned into numbers shown as `8.33001E+10` have lost their digits.
fn file_warnings(
    pack: &RulePack,
    tables: &BTreeMap<String, Table>,
    id_warnings: &BTreeMap<String, Vec<String>>,
) -> Vec<String> {
    let mut absent: BTreeMap<(String, String), Vec<&str>> = BTreeMap::new();
    for rule in &pack.rules {
        let Some(table) = tables.get(&rule.dataset) else {
            continue;
        };
        let facts = rules::load::predicate_names(table.schema.kind);
        for column in rule.referenced_fields() {
            let derived = facts.iter().any(|(name, _)| *name == column);
            if !derived && !table.has(&column) {
                let rules = absent
                    .entry((table.source.display().to_string(), column))
                    .or_default();
                if !rules.contains(&rule.id.as_str()) {
                    rules.push(&rule.id);
                }
            }
        }
    }
    let mut warnings = Vec::new();
    for name in tables.keys() {
        warnings.extend(id_warnings.get(name).into_iter().flatten().cloned());
    }
    for table in tables.values() {
        for (name, column) in table.names.iter().zip(&table.columns) {
            if let Some(model::Column::Date(dates)) = column {
                warnings.extend(unreadable_date_warning(table, name, dates));
            }
        }
    }
    warnings.extend(unknown_status_warnings(pack, tables));
    warnings.extend(relatives_warning(pack, tables));
    for ((file, column), rules) in &absent {
        warnings.push(format!(
            "{file}: no column \"{column}\"; rules {} cannot check it (a required field \
             absent from the whole file is not reported record by record): if the file \
             has it under another header, map it in the run file \
             ([datasets.<name>] columns = {{ {column} = \"…\" }})",
            rules.join(", ")
        ));
    }
    warnings
}

/// A register without any relative's name: duplicate detection then has only the name,
/// birth date, gender and birth province of each record, and cannot tell a second
/// registration from a namesake born the same day, so the team is told once.
fn relatives_warning(pack: &RulePack, tables: &BTreeMap<String, Table>) -> Option<String> {
    let duplicate_rules: Vec<&str> = pack
        .rules
        .iter()
        .filter(|rule| {
            rule.checks
                .iter()
                .any(|check| matches!(check, rules::types::CheckDef::DuplicatePerson {}))
        })
        .map(|rule| rule.id.as_str())
        .collect();
    let register = tables.get("population")?;
    const RELATIVES: [&str; 3] = ["father_name", "mother_name", "spouse_name"];
    if duplicate_rules.is_empty() || RELATIVES.iter().any(|column| register.has(column)) {
        return None;
    }
    Some(format!(
        "{}: no father_name, mother_name or spouse_name column; {} can weigh only the          name, birth date, gender and birth province, so namesakes born the same day          may be reported as one person and second registrations with a changed name or          date are missed. Export the relatives' names with the register (or map their          headers in the run file) for reliable duplicate detection",
        register.source.display(),
        duplicate_rules.join(", ")
    ))
}

/// Death registrations that mark nobody dead (no register person matches, or several
/// match equally): no rule reports them, so the run names them once, for the civil
/// registry and the register to be compared by hand.
fn unattached_deaths_warning(
    table: &Table,
    links: &[matching::deaths::DeathLink],
) -> Option<String> {
    use matching::deaths::LinkHow;
    let mut examples = Vec::new();
    let (mut nobody, mut several) = (0usize, 0usize);
    for (row, link) in links.iter().enumerate() {
        match link.how {
            LinkHow::NotFound => nobody += 1,
            LinkHow::Ambiguous(_) => several += 1,
            _ => continue,
        }
        if examples.len() < 5 {
            examples.push(table.key(row).to_string());
        }
    }
    (nobody + several > 0).then(|| {
        format!(
            "{}: {} death registration(s) mark nobody dead in the register ({nobody} match \
             no person, {several} match several equally; e.g. {}): compare them with the \
             register by hand",
            table.source.display(),
            nobody + several,
            examples.join(", ")
        )
    })
}

/// One warning per rule with a status list: the status values of its dataset that are
/// in neither `active_status` nor `inactive_status`, with their row counts. They count
/// as inactive, so an agency's new word for active would silently lose
/// `DECEASED_ACTIVE` findings.
fn unknown_status_warnings(pack: &RulePack, tables: &BTreeMap<String, Table>) -> Vec<String> {
    use normalize::text::fold_compact;
    let mut warnings = Vec::new();
    for rule in &pack.rules {
        let Some(statuses) = tables.get(&rule.dataset).and_then(|t| t.dict("status")) else {
            continue;
        };
        for check in &rule.checks {
            let rules::types::CheckDef::Crossmatch {
                active_status,
                inactive_status,
                ..
            } = check
            else {
                continue;
            };
            if active_status.is_empty() {
                continue;
            }
            let known: std::collections::HashSet<String> = active_status
                .iter()
                .chain(inactive_status)
                .map(|value| fold_compact(value))
                .collect();
            let mut rows = vec![0u64; statuses.values.len()];
            for &code in &statuses.codes {
                rows[code as usize] += 1;
            }
            let mut unknown: Vec<(u64, &str)> = statuses
                .values
                .iter()
                .zip(&rows)
                .filter(|(value, &count)| {
                    count > 0 && !value.trim().is_empty() && !known.contains(&fold_compact(value))
                })
                .map(|(value, &count)| (count, value.as_str()))
                .collect();
            if unknown.is_empty() {
                continue;
            }
            unknown.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
            let listed: Vec<String> = unknown
                .iter()
                .take(10)
                .map(|(count, value)| format!("\"{value}\" ({count})"))
                .collect();
            warnings.push(format!(
                "{}: {} status value(s) that {} does not know count as inactive: {}{}; if one \
                 means active, add it to the rule's active_status (else to inactive_status)",
                tables[&rule.dataset].source.display(),
                unknown.len(),
                rule.id,
                listed.join(", "),
                if unknown.len() > 10 { ", …" } else { "" }
            ));
        }
    }
    warnings
}

/// A warning for a date column most of whose values are no date: a whole column in a
/// format the reader does not take (month-first, two-digit years) is a file problem,
/// which the per-record findings alone would hide among thousands of rows.
fn unreadable_date_warning(table: &Table, name: &str, dates: &model::DateColumn) -> Option<String> {
    let unreadable = dates.invalid_text.len();
    let filled = dates.values.iter().filter(|date| !date.is_empty()).count();
    if unreadable < 20 || unreadable * 5 < filled {
        return None;
    }
    let examples: Vec<&str> = dates
        .invalid_text
        .values()
        .take(3)
        .map(String::as_str)
        .collect();
    // Month-first shows itself in values whose second number cannot be a month.
    let month_first = dates
        .invalid_text
        .values()
        .filter(|text| {
            let mut parts = text.split(['/', '-', '.']);
            let (Some(first), Some(second)) = (parts.next(), parts.next()) else {
                return false;
            };
            matches!(
                (first.parse::<u32>(), second.parse::<u32>()),
                (Ok(1..=12), Ok(13..=31))
            )
        })
        .count();
    let hint = if month_first * 2 >= unreadable {
        " They look month-first (mm/dd/yyyy), which is never guessed: export the column \
         day-first (dd/mm/yyyy)."
    } else {
        " Export the column as dd/mm/yyyy or yyyy-mm-dd."
    };
    Some(format!(
        "{}: {unreadable} of {filled} values in column \"{name}\" are no date (e.g. {}); \
         every rule reading them sees an invalid date.{hint}",
        table.source.display(),
        examples.join(", "),
    ))
}

/// Columns the engine itself reads from a dataset (matching, routing, worklists),
/// whatever the rules. Columns only rules read (the relation to the household head,
/// the card issue date, …) are built when a rule of the pack names them.
fn core_columns(kind: DatasetKind) -> &'static [&'static str] {
    match kind {
        DatasetKind::Population => &[
            "person_id",
            "old_id",
            "full_name",
            "birth_date",
            "gender",
            "birth_province_code",
            "province_code",
            "district_code",
            "commune_code",
            "household_id",
            "father_name",
            "mother_name",
            "spouse_name",
            "death_date",
        ],
        DatasetKind::Deaths => &[
            "person_id",
            "full_name",
            "birth_date",
            "gender",
            "death_date",
            "commune_code",
        ],
        DatasetKind::LegacyId => &["full_name", "birth_date", "gender", "commune_code"],
        DatasetKind::AdminUnits => &[
            "province_code",
            "province_name",
            "district_code",
            "district_name",
            "commune_code",
            "commune_name",
            "valid_from",
            "valid_to",
        ],
        _ => &[
            "person_id",
            "full_name",
            "birth_date",
            "gender",
            "commune_code",
            "employer_commune_code",
            "industrial_zone",
            "status",
        ],
    }
}

/// A previous run of another province: none of its findings' provinces is one of
/// tonight's (the admin list's, or tonight's findings'). Comparing with it would mark
/// unrelated records open and count another province's findings as resolved, so it is
/// named in a warning and left out.
fn foreign_previous_warning(
    previous: &std::collections::HashMap<String, findings::history::PreviousFinding>,
    tonight: &[Finding],
    admin: &AdminUnits,
    config: &RunConfig,
) -> Option<String> {
    let theirs: std::collections::BTreeSet<&str> = previous
        .values()
        .map(|f| f.province_code.as_str())
        .filter(|code| !code.is_empty())
        .collect();
    let ours: std::collections::BTreeSet<&str> = admin
        .provinces
        .keys()
        .map(String::as_str)
        .chain(tonight.iter().map(|f| f.province_code.as_str()))
        .filter(|code| !code.is_empty())
        .collect();
    if theirs.is_empty() || ours.is_empty() || !theirs.is_disjoint(&ours) {
        return None;
    }
    let list = |codes: &std::collections::BTreeSet<&str>| {
        codes.iter().take(5).copied().collect::<Vec<_>>().join(", ")
    };
    Some(format!(
        "--previous {}: its findings are of province(s) {}, none of this run's ({}); it \
         is not compared (every finding is new, nothing is counted as resolved): give the \
         previous output of this province",
        config
            .previous
            .as_deref()
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
        list(&theirs),
        list(&ours)
    ))
}

/// An input much smaller than in the previous run (a truncated or partial extract):
/// the findings of its missing rows would look resolved.
fn shrunk_inputs_warnings(
    previous_dir: &std::path::Path,
    inputs: &BTreeMap<String, IngestStats>,
    config: &RunConfig,
) -> Vec<String> {
    let before = findings::history::previous_accepted(previous_dir);
    let mut warnings = Vec::new();
    for (dataset, stats) in inputs {
        let Some(&earlier) = before.get(dataset) else {
            continue;
        };
        // A tenth fewer rows in one night is no register's normal change.
        if earlier >= 100 && stats.accepted * 10 < earlier * 9 {
            let file = match dataset.as_str() {
                "population" => Some(&config.population),
                "admin_units" => config.admin_units.as_ref(),
                name => config.datasets.get(name),
            }
            .map_or_else(|| PathBuf::from(dataset), |source| source.path.clone());
            warnings.push(format!(
                "{}: {} rows accepted tonight against {earlier} in the previous run: if the \
                 extract is incomplete, the findings of the missing rows are counted as \
                 resolved; check the extract before quoting tonight's progress",
                file.display(),
                stats.accepted
            ));
        }
    }
    warnings
}

fn read_source(
    source: &config::DatasetSource,
    (extras, date_extras): (&[String], &[String]),
    wanted: Option<&std::collections::BTreeSet<String>>,
) -> Result<Loaded> {
    if !source.path.exists() {
        return Err(Error::input(
            &source.path,
            format!("{} file not found", source.name),
        ));
    }
    let schema = Schema::for_kind(source.kind, source.key.as_deref());
    let request = ReadRequest {
        path: &source.path,
        dataset: &source.name,
        schema: &schema,
        column_map: &source.columns,
        extras,
        date_extras,
        delimiter: source.delimiter,
        wanted,
    };
    let ingested = ingest::read(&request)?;
    Ok(Loaded {
        id_warnings: id_format_warnings(&ingested.table),
        table: ingested.table,
        stats: ingested.stats,
        rejects: ingested.rejects,
    })
}

/// Run the whole reconciliation described by `config`.
pub fn run(config: &RunConfig, observer: &dyn Observer) -> Result<RunOutcome> {
    let started = Instant::now();
    let mut clock = Clock {
        stages: Vec::new(),
        observer,
    };
    config.check_datasets()?;
    report::output::check_target(config)?;
    let catalog = config.catalog();
    // Rules are validated before any data is read.
    let pack: RulePack = clock.time(
        "rules:load",
        |p: &Result<RulePack>| p.as_ref().map_or(0, |p| p.rules.len() as u64),
        || load_pack(&config.rules, &catalog),
    )?;
    let previous = match &config.previous {
        Some(dir) => Some(findings::history::load_previous(dir)?),
        None => None,
    };
    for source in std::iter::once(&config.population)
        .chain(config.datasets.values())
        .chain(config.admin_units.iter())
    {
        if !source.path.exists() {
            return Err(Error::input(
                &source.path,
                format!("{} file not found", source.name),
            ));
        }
    }
    let mut warnings = Vec::new();
    warnings.extend(matching::Weights::from_def(&pack.matching).tie_break_warning());

    // Ingest.
    // A dataset's own columns that rules declare, and those of them read as dates.
    let extras_for = |dataset: &str| -> (Vec<String>, Vec<String>) {
        let rules = || pack.rules.iter().filter(|r| r.dataset == dataset);
        let mut extras: Vec<String> = rules().flat_map(|r| r.columns.iter().cloned()).collect();
        extras.sort();
        extras.dedup();
        let mut dates: Vec<String> = rules()
            .flat_map(|r| r.date_fields())
            .filter(|field| extras.contains(field))
            .collect();
        dates.sort();
        dates.dedup();
        (extras, dates)
    };
    let wanted_for = |dataset: &str, kind: DatasetKind| -> std::collections::BTreeSet<String> {
        let mut wanted: std::collections::BTreeSet<String> =
            core_columns(kind).iter().map(|c| c.to_string()).collect();
        for rule in pack.rules.iter().filter(|r| r.dataset == dataset) {
            wanted.extend(rule.referenced_fields());
        }
        wanted
    };
    let admin = match &config.admin_units {
        Some(source) => {
            let loaded = clock.time(
                "read:admin_units",
                |l: &Result<Loaded>| l.as_ref().map_or(0, |l| l.stats.read),
                || read_source(source, (&[], &[]), None),
            )?;
            let units = AdminUnits::from_table(&loaded.table, config.as_of);
            if !units.overlapping.is_empty() {
                let codes = &units.overlapping;
                warnings.push(format!(
                    "{}: {} commune code(s) have more than one row in force at {} (overlapping valid_from/valid_to), the first row of each is used: {}",
                    source.path.display(),
                    codes.len(),
                    config.as_of,
                    codes.iter().take(10).cloned().collect::<Vec<_>>().join(", ")
                ));
            }
            if units.is_empty() {
                warnings.push(format!(
                    "{}: no administrative unit is in force at {}; commune codes are not checked",
                    source.path.display(),
                    config.as_of
                ));
            }
            Some((units, loaded))
        }
        None => {
            warnings.push(
                "no admin_units file: commune codes are not checked and provinces come from the records".to_string(),
            );
            None
        }
    };
    let population_extras = extras_for("population");
    let population_wanted = wanted_for("population", DatasetKind::Population);
    let mut population = clock.time(
        "read:population",
        |l: &Result<Loaded>| l.as_ref().map_or(0, |l| l.stats.read),
        || {
            read_source(
                &config.population,
                (&population_extras.0, &population_extras.1),
                Some(&population_wanted),
            )
        },
    )?;
    if let (Some(list), Some(Column::Dict(births))) = (
        pack.refs.get("province_codes"),
        population.table.column_mut("birth_province_code"),
    ) {
        let named = normalize::codes::province_codes_by_name(list);
        ingest::columns::rewrite_dict_values(births, |value| {
            normalize::codes::province_code_of_place(value, &named)
        });
    }
    if population.stats.accepted == 0 && !config.datasets.is_empty() {
        // A truncated nightly extract: every sector record would be NOT_FOUND.
        warnings.push(format!(
            "{}: the register has no accepted row, so no sector record can match it \
             (every one is reported NOT_FOUND); check that the extract is complete",
            config.population.path.display()
        ));
    }
    let (admin_units, admin_loaded) = match admin {
        Some((units, l)) => (units, Some(l)),
        None => (AdminUnits::default(), None),
    };

    // Facts.
    let prefixes = IdPrefixes::from_codes(
        pack.refs
            .get("id_province_codes")
            .map(|l| l.canonical.iter().map(String::as_str).collect::<Vec<_>>())
            .unwrap_or_default(),
    );
    let mut facts = clock.time(
        "facts",
        |f: &PopulationFacts| f.alive.len() as u64,
        || PopulationFacts::compute(&population.table, config.as_of, 120, &prefixes),
    );
    let wants_duplicates = pack.rules.iter().any(|r| {
        r.checks
            .iter()
            .any(|c| matches!(c, rules::types::CheckDef::DuplicatePerson {}))
    });

    // The other datasets are read while the register is indexed and searched for
    // duplicates: neither needs the other, and each stage leaves one core idle part of
    // the time (merging a file's chunks, building the ID table), which the other fills.
    // A large register is done one after the other: there both sides are bound by
    // memory, not by idle cores, and side by side they only add up their peak memory
    // (measured at 10M: no time saved, 1.3 GiB more; BENCHMARKS.md, twelfth session).
    let side_by_side = population.table.rows <= SIDE_BY_SIDE_MAX_ROWS;
    let read_datasets = || {
        let mut clock = Clock {
            stages: Vec::new(),
            observer,
        };
        let mut warnings = Vec::new();
        let mut loaded: BTreeMap<String, Loaded> = BTreeMap::new();
        for (name, source) in &config.datasets {
            let extras = extras_for(name);
            let wanted = wanted_for(name, source.kind);
            let data = clock.time(
                &format!("read:{name}"),
                |l: &Result<Loaded>| l.as_ref().map_or(0, |l| l.stats.read),
                || read_source(source, (&extras.0, &extras.1), Some(&wanted)),
            )?;
            if data.stats.read == 0 {
                warnings.push(format!(
                    "{}: no records (the file is empty or has only its header); the \
                         {name} rules find nothing tonight",
                    source.path.display()
                ));
            }
            loaded.insert(name.clone(), data);
        }
        Ok::<_, Error>((loaded, warnings, clock.stages))
    };
    let index_and_duplicates = || {
        let mut clock = Clock {
            stages: Vec::new(),
            observer,
        };
        let index = clock.time(
            "match:index",
            |i: &PersonIndex<'_>| i.table.rows as u64,
            || PersonIndex::build(&population.table, &facts, &pack.matching),
        );
        let duplicates = wants_duplicates.then(|| {
            let duplicates = clock.time(
                "match:duplicates",
                |d: &matching::dedup::Duplicates| d.rows,
                || {
                    matching::dedup::detect(
                        &population.table,
                        &facts,
                        &index,
                        &pack.matching,
                        &admin_units,
                    )
                },
            );
            clock.phases("match:duplicates", &duplicates.phases);
            duplicates
        });
        ((index, clock.stages), duplicates)
    };
    let (read_datasets, (index, duplicates)) = if side_by_side {
        rayon::join(read_datasets, index_and_duplicates)
    } else {
        // A file that cannot be read stops the night before the register is indexed.
        (Ok(read_datasets()?), index_and_duplicates())
    };
    let (loaded, read_warnings, mut read_stages) = read_datasets?;
    let (index, mut index_stages) = index;
    if side_by_side {
        mark_alongside(&mut read_stages, &mut index_stages);
    }
    warnings.extend(read_warnings);
    clock.stages.extend(read_stages);
    clock.stages.extend(index_stages);

    // Identity matching.
    let mut links = Links::default();
    let mut registered_deaths: Vec<usize> = Vec::new();
    links.death_date = population
        .table
        .date("death_date")
        .map(|c| c.values.clone())
        .unwrap_or_else(|| vec![model::PartialDate::EMPTY; population.table.rows]);
    for (name, data) in &loaded {
        let table = &data.table;
        match config.datasets.get(name).map(|s| s.kind) {
            Some(DatasetKind::Deaths) => {
                let (deaths, pairs) = clock.time(
                    "match:deaths",
                    |r: &(Vec<matching::deaths::DeathLink>, u64)| r.0.len() as u64,
                    || matching::deaths::link(table, &index),
                );
                let death_dates = table.date("death_date");
                for (row, link) in deaths.iter().enumerate() {
                    for &person in link.person.iter().chain(&link.also) {
                        let slot = &mut links.death_date[person as usize];
                        if !slot.is_known() {
                            *slot = death_dates.map_or(model::PartialDate::EMPTY, |c| c.get(row));
                        }
                    }
                }
                registered_deaths.extend(
                    deaths
                        .iter()
                        .flat_map(|l| l.person.iter().chain(&l.also).map(|&p| p as usize)),
                );
                warnings.extend(unattached_deaths_warning(table, &deaths));
                links.deaths = deaths;
                links.pairs.insert("deaths".into(), pairs);
            }
            Some(DatasetKind::LegacyId) => {
                let (legacy, pairs) = clock.time(
                    "match:legacy_id",
                    |r: &(Vec<matching::legacy::LegacyOutcome>, u64)| r.0.len() as u64,
                    || matching::legacy::link(table, &index),
                );
                links.legacy = legacy;
                links.pairs.insert("legacy_id".into(), pairs);
            }
            _ => {}
        }
    }
    let rejected_ids = matching::crossmatch::ids_in_rejected_rows(
        population.rejects.iter().map(|reject| reject.raw.as_str()),
    );
    let rejected_register_cells: std::collections::HashSet<String> = population
        .rejects
        .iter()
        .flat_map(|reject| reject.raw.split([',', ';', '\t', '|']))
        .map(|cell| cell.trim().to_string())
        .filter(|cell| !cell.is_empty())
        .collect();
    for (name, data) in &loaded {
        let kind = config.datasets.get(name).map(|s| s.kind);
        if kind.is_some_and(|k| k.is_sector()) {
            let mut matches = clock.time(
                &format!("match:{name}"),
                |m: &matching::crossmatch::SectorMatches| m.outcome.len() as u64,
                || {
                    matching::crossmatch::match_dataset(
                        &data.table,
                        &index,
                        &admin_units,
                        &prefixes,
                    )
                },
            );
            let set_aside = matching::crossmatch::set_aside_rejected_register_rows(
                &data.table,
                &mut matches,
                &rejected_ids,
            );
            if set_aside > 0 {
                warnings.push(format!(
                    "{}: {set_aside} record(s) carry an ID found only in register rows \
                     rejected at ingest ({}); they are not reported as not found: mend \
                     those rows (rejects/population.csv) and run again",
                    data.table.source.display(),
                    config.population.path.display()
                ));
            }
            links.pairs.insert(name.clone(), matches.pairs);
            links.sectors.insert(name.clone(), matches);
        }
    }
    if let Some(duplicates) = duplicates {
        links
            .pairs
            .insert("duplicates".into(), duplicates.candidate_pairs);
        links.duplicates = duplicates;
    }
    drop(index);
    facts.add_registered_deaths(registered_deaths);

    // Rules.
    let mut tables: BTreeMap<String, Table> = BTreeMap::new();
    let Loaded {
        table: population_table,
        stats: population_stats,
        rejects: population_rejects,
        id_warnings: population_id_warnings,
    } = population;
    let mut id_warnings: BTreeMap<String, Vec<String>> = BTreeMap::new();
    id_warnings.insert("population".into(), population_id_warnings);
    let mut inputs: BTreeMap<String, IngestStats> = BTreeMap::new();
    let mut all_rejects: BTreeMap<String, (PathBuf, Vec<Reject>)> = BTreeMap::new();
    inputs.insert("population".into(), population_stats);
    all_rejects.insert(
        "population".into(),
        (config.population.path.clone(), population_rejects),
    );
    if let (Some(source), Some(l)) = (&config.admin_units, admin_loaded) {
        inputs.insert("admin_units".into(), l.stats);
        all_rejects.insert("admin_units".into(), (source.path.clone(), l.rejects));
    }
    for (name, data) in loaded {
        inputs.insert(name.clone(), data.stats);
        id_warnings.insert(name.clone(), data.id_warnings);
        if let Some(source) = config.datasets.get(&name) {
            all_rejects.insert(name.clone(), (source.path.clone(), data.rejects));
        }
        tables.insert(name, data.table);
    }
    tables.insert("population".into(), population_table);
    let population_ref = tables
        .get("population")
        .ok_or_else(|| Error::Config("population table missing".into()))?;
    let ctx = EvalContext {
        as_of: config.as_of,
        population: population_ref,
        tables: &tables,
        facts: &facts,
        refs: &pack.refs,
        admin: &admin_units,
        prefixes: &prefixes,
        links: &links,
        rejected_register_cells: &rejected_register_cells,
    };
    let builder = FindingBuilder {
        population: population_ref,
        admin: &admin_units,
    };
    // Findings fingerprint their rows by reading the records again: the files must
    // still be the ones read, before and after the findings are built.
    let files_unchanged = || -> Result<()> {
        tables
            .values()
            .try_for_each(|table| table.record_hashes.check())
    };
    files_unchanged()?;
    warnings.extend(file_warnings(&pack, &tables, &id_warnings));
    let mut all_findings: Vec<Finding> = Vec::new();
    let mut rule_timings = Vec::new();
    observer.stage("rules");
    let rules_started = Instant::now();
    for rule in &pack.rules {
        let Some(table) = tables.get(&rule.dataset) else {
            continue;
        };
        let Some(result) = rules::run_rule(rule, &ctx) else {
            continue;
        };
        let found = builder.build(rule, table, result.hits);
        rule_timings.push(RuleTiming {
            rule_id: rule.id.clone(),
            seconds: round3(result.seconds),
            rows: result.rows as u64,
            rows_per_second: if result.seconds > 0.0 {
                (result.rows as f64 / result.seconds).round()
            } else {
                0.0
            },
            findings: found.len() as u64,
        });
        all_findings.extend(found);
    }
    files_unchanged()?;
    let rules_seconds = rules_started.elapsed().as_secs_f64();
    observer.done("rules", rules_seconds);
    clock.stages.push(StageTiming {
        stage: "rules".into(),
        seconds: round3(rules_seconds),
        rows: all_findings.len() as u64,
        rows_per_second: 0.0,
        alongside: Vec::new(),
    });
    let rules_run: Vec<rules::load::Rule> = pack
        .rules
        .iter()
        .filter(|r| tables.contains_key(&r.dataset))
        .cloned()
        .collect();

    // Feedback: findings a commune confirmed correct stay away while the record is unchanged.
    let mut feedback_counts = report::summary::FeedbackCounts::default();
    let mut verified_correct: std::collections::HashSet<String> = Default::default();
    if let Some(state) = &config.state_dir {
        let decisions = findings::feedback::load_decisions(state)?;
        if !decisions.is_empty() {
            all_findings.retain(|f| {
                let suppressed = decisions.get(&f.finding_id).is_some_and(|d| {
                    d.decision == findings::feedback::Decision::NotAnError
                        && d.record_hash == f.record_hash
                });
                if suppressed {
                    verified_correct.insert(f.finding_id.clone());
                    feedback_counts.verified_correct += 1;
                    *feedback_counts
                        .verified_correct_by_rule
                        .entry(f.rule_id.to_string())
                        .or_default() += 1;
                    *feedback_counts
                        .verified_correct_by_commune
                        .entry(format!("{}/{}", f.province_code, f.commune_code))
                        .or_default() += 1;
                }
                !suppressed
            });
        }
    }

    // Findings: order, history.
    let previous = previous.filter(|previous| {
        let foreign = foreign_previous_warning(previous, &all_findings, &admin_units, config);
        warnings.extend(foreign.clone());
        foreign.is_none()
    });
    if let Some(dir) = config.previous.as_deref().filter(|_| previous.is_some()) {
        warnings.extend(shrunk_inputs_warnings(dir, &inputs, config));
    }
    let rechecked_rules: std::collections::HashSet<String> = rules_run
        .iter()
        .filter(|rule| tables.get(&rule.dataset).is_some_and(|t| t.rows > 0))
        .map(|rule| rule.id.clone())
        .collect();
    let recheck = findings::history::Recheck {
        rules: &rechecked_rules,
        verified_correct: &verified_correct,
    };
    let finding_count = all_findings.len() as u64;
    let mut progress = clock.time(
        "findings:sort",
        |_: &findings::history::Progress| finding_count,
        || {
            findings::sort(&mut all_findings);
            findings::history::apply(&mut all_findings, previous.as_ref(), config.as_of, &recheck)
        },
    );
    if !progress.not_rechecked.is_empty() {
        let total: u64 = progress.not_rechecked.values().sum();
        let rules: Vec<String> = progress
            .not_rechecked
            .iter()
            .map(|(rule, n)| format!("{rule} {n}"))
            .collect();
        warnings.push(format!(
            "{total} finding(s) of the previous run were not looked for again tonight and \
             are not counted as resolved: their rule is no longer in the pack, or their \
             dataset was not given or had no rows ({})",
            rules.join(", ")
        ));
    }
    progress.previous_as_of = config
        .previous
        .as_deref()
        .filter(|_| progress.compared)
        .and_then(findings::history::previous_as_of);
    let tonight = config.as_of.format("%Y-%m-%d").to_string();
    if let Some(earlier) = progress.previous_as_of.as_deref() {
        // Dates are ISO (yyyy-mm-dd), so they compare as text.
        if earlier > tonight.as_str() {
            warnings.push(format!(
                "--previous is the run of {earlier}, after tonight's --as-of {tonight}: \
                 ages, days open and the progress figures are counted backwards; check \
                 --as-of (or the folder given as --previous)"
            ));
        }
    }

    // Summary.
    let mut summary = RunSummary {
        tool: "doisoat".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        as_of: config.as_of.format("%Y-%m-%d").to_string(),
        rules_origin: pack.origin.clone(),
        rules_run: rules_run.len(),
        input_totals: Totals {
            read: inputs.values().map(|s| s.read).sum(),
            accepted: inputs.values().map(|s| s.accepted).sum(),
            rejected: inputs.values().map(|s| s.rejected).sum(),
        },
        inputs,
        findings: report::summary::count_findings(&all_findings, &rules_run, &admin_units),
        candidate_pairs: links.pairs.clone(),
        duplicate_blocking: links
            .duplicates
            .pass_pairs
            .iter()
            .map(|&(pass, pairs)| report::summary::BlockingPass {
                pass: pass.to_string(),
                pairs,
            })
            .collect(),
        duplicate_prior_share: links.duplicates.prior_share,
        progress,
        feedback: feedback_counts,
        warnings,
        ..RunSummary::default()
    };
    for (name, matches) in &links.sectors {
        if let Some(table) = tables.get(name) {
            summary.match_classes.insert(
                name.clone(),
                matching::crossmatch::count_classes(table, matches, population_ref),
            );
        }
    }

    // The tables and links are done with. Freeing them (about a gigabyte at 1M
    // people, returned page by page) takes a tenth of a second, so it runs on its own
    // thread while the outputs are written.
    let freeing = std::thread::spawn(move || drop((tables, links)));

    // Write.
    let staging = report::output::Staging::create(&config.out)?;
    let rule_index: BTreeMap<&str, &rules::load::Rule> =
        rules_run.iter().map(|r| (r.id.as_str(), r)).collect();
    clock.time(
        "write",
        |_: &Result<()>| all_findings.len() as u64,
        || {
            report::write_all(
                &staging.dir,
                &all_findings,
                &rule_index,
                &all_rejects,
                config,
                &summary,
                &admin_units,
            )
        },
    )?;
    // A panic while freeing could only be a bug in a destructor; the outputs are
    // written either way.
    let _ = freeing.join();
    summary.timings.stages = clock.stages;
    summary.timings.rules = rule_timings;
    summary.timings.total_seconds = round3(started.elapsed().as_secs_f64());
    summary.timings.peak_memory_mib = report::summary::peak_memory_mib();
    report::write_summary(&staging.dir, &summary)?;
    let out = staging.commit()?;
    Ok(RunOutcome { summary, out })
}
