//! Loading and validating a rule pack: every `*.toml` in the rules folder (in name
//! order) plus the reference lists in `ref/`. Everything is checked before any data is
//! read — unknown check kind or key, unknown field, unknown list, duplicate id, bad
//! severity or dimension, a predicate that does not parse — and each error names the
//! file, the rule id and the line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::predicate::{self, Expr, NameKind};
use super::refs::{RefList, RefLists};
use super::types::{CheckDef, Dimension, MatchingDef, RuleDef, RuleFile, Severity};
use crate::error::{Error, Result};
use crate::model::{DatasetKind, FieldKind, Schema};

/// The default pack, compiled into the binary so that a fresh install runs without a
/// rules folder; `--rules DIR` replaces it.
pub const BUILTIN_FILES: &[(&str, &str)] = &[
    (
        "population.toml",
        include_str!("../../rules/population.toml"),
    ),
    ("deaths.toml", include_str!("../../rules/deaths.toml")),
    ("legacy_id.toml", include_str!("../../rules/legacy_id.toml")),
    (
        "duplicates.toml",
        include_str!("../../rules/duplicates.toml"),
    ),
    (
        "crossmatch.toml",
        include_str!("../../rules/crossmatch.toml"),
    ),
    ("matching.toml", include_str!("../../rules/matching.toml")),
];

/// The default reference lists, compiled in likewise.
pub const BUILTIN_REFS: &[(&str, &str)] = &[
    (
        "ethnicities",
        include_str!("../../rules/ref/ethnicities.txt"),
    ),
    ("religions", include_str!("../../rules/ref/religions.txt")),
    (
        "nationalities",
        include_str!("../../rules/ref/nationalities.txt"),
    ),
    (
        "relations_to_head",
        include_str!("../../rules/ref/relations_to_head.txt"),
    ),
    (
        "id_province_codes",
        include_str!("../../rules/ref/id_province_codes.txt"),
    ),
    (
        "province_codes",
        include_str!("../../rules/ref/province_codes.txt"),
    ),
    ("genders", include_str!("../../rules/ref/genders.txt")),
    (
        "residence_types",
        include_str!("../../rules/ref/residence_types.txt"),
    ),
];

/// Reference-list names resolved from the run's admin units rather than a file.
pub const ADMIN_COMMUNE_LIST: &str = "admin:commune";

/// A validated, expanded rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Rule id (with `{dataset}` expanded).
    pub id: String,
    /// Dimension.
    pub dimension: Dimension,
    /// Severity.
    pub severity: Severity,
    /// Dataset of the findings.
    pub dataset: String,
    /// Vietnamese title.
    pub title: String,
    /// Vietnamese action.
    pub action: String,
    /// Parsed scoping predicate.
    pub when: Option<Expr>,
    /// The predicate as written.
    pub when_text: Option<String>,
    /// Extra columns read.
    pub columns: Vec<String>,
    /// Checks, merged per record.
    pub checks: Vec<CheckDef>,
    /// The file that defined it.
    pub file: PathBuf,
}

impl Rule {
    /// Every column the rule reads: check fields, predicate columns, extra columns.
    pub fn referenced_fields(&self) -> Vec<String> {
        let mut out: Vec<String> = self.columns.clone();
        for check in &self.checks {
            match check {
                CheckDef::Required { fields } => out.extend(fields.iter().cloned()),
                CheckDef::InList { field, .. } | CheckDef::DuplicateKey { field } => {
                    out.push(field.clone())
                }
                CheckDef::IdStructure { field, .. } => {
                    out.extend([field.clone(), "birth_date".into(), "gender".into()])
                }
                CheckDef::IdBirthProvince {
                    field,
                    birth_province,
                } => out.extend([field.clone(), birth_province.clone()]),
                CheckDef::HouseholdHeads {
                    household,
                    relation,
                    ..
                } => out.extend([household.clone(), relation.clone(), "full_name".into()]),
                _ => {}
            }
        }
        // Date checks' fields (not death_date: the age of the dead is taken at death
        // where the dataset has it, but the rule asks no file for it).
        out.extend(self.date_fields());
        if let Some(expr) = &self.when {
            predicate::columns_of(expr, &mut out);
        }
        out.sort();
        out.dedup();
        out
    }

    /// The fields this rule reads as dates: a province's own column named here (declared
    /// in `columns`) is read as a date column, not as text.
    pub fn date_fields(&self) -> Vec<String> {
        let mut out = Vec::new();
        for check in &self.checks {
            match check {
                CheckDef::DateSanity {
                    birth, after_birth, ..
                } => {
                    out.push(birth.clone());
                    out.extend(after_birth.iter().cloned());
                }
                CheckDef::CardExpiry { birth, issue, .. } => {
                    out.extend([birth.clone(), issue.clone()])
                }
                CheckDef::Crossmatch {
                    event_date: Some(field),
                    ..
                } => out.push(field.clone()),
                _ => {}
            }
        }
        out.sort();
        out.dedup();
        out
    }
}

/// A whole rule pack.
#[derive(Debug, Clone)]
pub struct RulePack {
    /// Rules in file order.
    pub rules: Vec<Rule>,
    /// Reference lists.
    pub refs: RefLists,
    /// Matching settings.
    pub matching: MatchingDef,
    /// Where the pack came from (folder or "built-in").
    pub origin: String,
}

/// Datasets that rules may name, with their kinds (custom sector datasets included).
pub type DatasetCatalog = BTreeMap<String, DatasetKind>;

/// The built-in dataset names.
pub fn default_catalog() -> DatasetCatalog {
    [
        "population",
        "insurance",
        "tax",
        "vaccination",
        "deaths",
        "legacy_id",
    ]
    .iter()
    .map(|name| (name.to_string(), DatasetKind::from_name(name)))
    .collect()
}

/// A rule file or reference list as text. Notepad's "Unicode" (UTF-16 with its byte
/// order mark) is read as such; text in a legacy encoding is refused with the line
/// and the conversion to make, instead of a bare "not valid UTF-8".
fn read_text(path: &Path, action: &'static str) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, action, e))?;
    if let Some((encoding, bom_length)) = encoding_rs::Encoding::for_bom(&bytes) {
        if encoding != encoding_rs::UTF_8 {
            let (text, had_errors) =
                encoding.decode_without_bom_handling(bytes.get(bom_length..).unwrap_or_default());
            if !had_errors {
                return Ok(text.into_owned());
            }
        }
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(error) => {
            let valid = error.utf8_error().valid_up_to();
            let line = error.as_bytes()[..valid]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            Err(Error::input(
                path,
                format!(
                    "line {line} is not UTF-8 text (the file seems to be in a legacy \
                     encoding: Windows-1258, TCVN3 or VNI); save it as UTF-8, e.g. \
                     `iconv -f CP1258 -t UTF-8 {name} > {name}.utf8`, or in Notepad \
                     \"Save as\" with encoding UTF-8",
                    name = path
                        .file_name()
                        .map_or(String::new(), |n| n.to_string_lossy().into_owned())
                ),
            ))
        }
    }
}

/// Load the pack from `dirs` (later folders add rules), or the built-in pack when empty.
pub fn load_pack(dirs: &[PathBuf], catalog: &DatasetCatalog) -> Result<RulePack> {
    let mut files: Vec<(PathBuf, String)> = Vec::new();
    let mut refs = RefLists::default();
    let origin;
    if dirs.is_empty() {
        origin = "built-in".to_string();
        for (name, text) in BUILTIN_FILES {
            files.push((PathBuf::from("rules").join(name), text.to_string()));
        }
        for (name, text) in BUILTIN_REFS {
            refs.lists.insert(name.to_string(), RefList::parse(text));
        }
    } else {
        origin = dirs
            .iter()
            .map(|d| d.display().to_string())
            .collect::<Vec<_>>()
            .join(", ");
        // Built-in lists are the fallback; a folder's ref/ overrides them by name.
        for (name, text) in BUILTIN_REFS {
            refs.lists.insert(name.to_string(), RefList::parse(text));
        }
        for dir in dirs {
            if !dir.is_dir() {
                return Err(Error::Config(format!(
                    "rules folder {} does not exist or is not a folder",
                    dir.display()
                )));
            }
            let mut tomls = list_files(dir, "toml")?;
            tomls.sort();
            for path in tomls {
                let text = read_text(&path, "reading rule file")?;
                files.push((path, text));
            }
            let ref_dir = dir.join("ref");
            if ref_dir.is_dir() {
                for path in list_files(&ref_dir, "txt")? {
                    let text = read_text(&path, "reading reference list")?;
                    let name = path
                        .file_stem()
                        .and_then(|s| s.to_str())
                        .unwrap_or_default()
                        .to_string();
                    refs.lists.insert(name, RefList::parse(&text));
                }
            }
        }
        if files.is_empty() {
            return Err(Error::Config(format!("no rule files (*.toml) in {origin}")));
        }
    }
    let mut rules = Vec::new();
    let mut matching: Option<(PathBuf, MatchingDef)> = None;
    let mut seen: BTreeMap<String, PathBuf> = BTreeMap::new();
    for (path, text) in &files {
        let (file_rules, file_matching) = parse_file(path, text, catalog, &refs)?;
        if let Some(m) = file_matching {
            if let Some((first, _)) = &matching {
                return Err(Error::rule(
                    path,
                    "[matching]",
                    format!(
                        "matching settings are already defined in {}",
                        first.display()
                    ),
                ));
            }
            matching = Some((path.clone(), m));
        }
        for rule in file_rules {
            if let Some(first) = seen.get(&rule.id) {
                return Err(Error::rule(
                    path,
                    &rule.id,
                    format!("duplicate rule id: already defined in {}", first.display()),
                ));
            }
            seen.insert(rule.id.clone(), path.clone());
            rules.push(rule);
        }
    }
    if rules.is_empty() {
        // A night run with no rule writes empty worklists that read as "all clean".
        return Err(Error::Config(format!(
            "no rule to run in {origin}: the rule files define no [[rule]], or every rule \
             has `enabled = false`. Add the rule files (copy them from the project's rules/ \
             folder), or leave out --rules to run the built-in pack"
        )));
    }
    let matching = match matching {
        Some((path, m)) => {
            validate_matching(&path, &m)?;
            m
        }
        None => default_matching()?,
    };
    Ok(RulePack {
        rules,
        refs,
        matching,
        origin,
    })
}

/// Weight names the engine reads; anything else is a typo worth an error.
const MATCHING_WEIGHTS: &[&str] = &[
    "name_exact",
    "name_similar",
    "birth_date_day",
    "birth_date_month",
    "birth_date_year",
    "birth_date_conflict",
    "gender_agree",
    "gender_conflict",
    "commune_agree",
    "id_typo",
];
const DEDUP_PARAMETERS: &[&str] = &[
    "match_threshold",
    "prior_duplicate_share",
    "name_floor",
    "name_exact_m",
    "name_variant_m",
    "birth_date_day",
    "birth_date_month",
    "birth_date_year",
    "birth_date_typo",
    "parent_m",
    "parent_conflict",
    "parent_max",
    "spouse_m",
    "old_id_agree",
    "old_id_conflict",
    "birth_province_agree",
    "birth_province_conflict",
    "different_valid_ids",
];

fn validate_matching(path: &Path, matching: &MatchingDef) -> Result<()> {
    for (table, keys, known) in [
        (
            "matching.weights",
            matching.weights.keys(),
            MATCHING_WEIGHTS,
        ),
        ("matching.dedup", matching.dedup.keys(), DEDUP_PARAMETERS),
    ] {
        for key in keys {
            if !known.contains(&key.as_str()) {
                return Err(Error::rule(
                    path,
                    &format!("[{table}]"),
                    format!("unknown parameter \"{key}\" (known: {})", known.join(", ")),
                ));
            }
        }
    }
    Ok(())
}

fn default_matching() -> Result<MatchingDef> {
    let text = BUILTIN_FILES
        .iter()
        .find(|(name, _)| *name == "matching.toml")
        .map(|(_, text)| *text)
        .unwrap_or("");
    let file: RuleFile = toml::from_str(text).map_err(|e| {
        Error::rule(
            Path::new("rules/matching.toml"),
            "[matching]",
            e.to_string(),
        )
    })?;
    file.matching.ok_or_else(|| {
        Error::rule(
            Path::new("rules/matching.toml"),
            "[matching]",
            "the built-in matching settings are missing",
        )
    })
}

fn list_files(dir: &Path, extension: &str) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, "listing", e))?;
    let mut out = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| Error::io(dir, "listing", e))?.path();
        if path.extension().and_then(|e| e.to_str()) == Some(extension) {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

/// Line of the rule with id `id` in the file text (for error messages).
fn line_of(text: &str, needle: &str) -> Option<usize> {
    text.lines()
        .position(|line| line.contains(needle))
        .map(|i| i + 1)
}

/// The line, in the `[[rule]]` block around `id_line`, of the key an error message
/// names as "in `key`" (for a dotted path, its first part).
fn key_line(text: &str, id_line: usize, message: &str) -> Option<usize> {
    let start = message.rfind("in `")? + 4;
    let path = &message[start..];
    let key = path[..path.find('`')?].split('.').next()?;
    if key.is_empty() {
        return None;
    }
    let lines: Vec<&str> = text.lines().collect();
    let is_header = |line: &str| line.trim_start().starts_with("[[rule]]");
    let id_index = id_line.checked_sub(1)?;
    let first = (0..=id_index)
        .rev()
        .find(|&i| is_header(lines[i]))
        .unwrap_or(0);
    let end = (id_index + 1..lines.len())
        .find(|&i| is_header(lines[i]))
        .unwrap_or(lines.len());
    (first..end)
        .find(|&i| {
            let line = lines[i].trim_start();
            line.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with(['=', '.']))
        })
        .map(|i| i + 1)
}

fn parse_file(
    path: &Path,
    text: &str,
    catalog: &DatasetCatalog,
    refs: &RefLists,
) -> Result<(Vec<Rule>, Option<MatchingDef>)> {
    let document: toml::Table =
        toml::from_str(text).map_err(|e| Error::rule(path, "?", format!("not valid TOML: {e}")))?;
    for key in document.keys() {
        if key != "rule" && key != "matching" {
            return Err(Error::rule(
                path,
                "?",
                format!("unknown top-level key \"{key}\" (expected [[rule]] or [matching])"),
            ));
        }
    }
    let matching = match document.get("matching") {
        Some(value) => Some(
            MatchingDef::deserialize(value.clone())
                .map_err(|e| Error::rule(path, "[matching]", e.to_string()))?,
        ),
        None => None,
    };
    let entries = match document.get("rule") {
        None => Vec::new(),
        Some(toml::Value::Array(items)) => items.clone(),
        Some(_) => {
            return Err(Error::rule(
                path,
                "?",
                "\"rule\" must be an array of tables: write [[rule]]",
            ))
        }
    };
    let mut rules = Vec::new();
    for (index, entry) in entries.into_iter().enumerate() {
        let raw_id = entry
            .get("id")
            .and_then(|v| v.as_str())
            .map(str::to_string)
            .unwrap_or_else(|| format!("#{} (no id)", index + 1));
        let line = line_of(text, &format!("\"{raw_id}\""));
        let at = |message: String| {
            let message = match line {
                Some(line) => format!("{message} (line {line})"),
                None => message,
            };
            Error::rule(path, &raw_id, message)
        };
        let def = RuleDef::deserialize(entry).map_err(|e| {
            let message = e.to_string();
            // serde names the key at fault ("… in `severity`"): point at its line, not
            // at the rule's id.
            match line.and_then(|id_line| key_line(text, id_line, &message)) {
                Some(key_line) => {
                    Error::rule(path, &raw_id, format!("{message} (line {key_line})"))
                }
                None => at(message),
            }
        })?;
        if !def.enabled {
            continue;
        }
        for mut rule in expand(def, path).map_err(at)? {
            rule.when = validate_rule(&rule, catalog, refs).map_err(|m| {
                let message = match line {
                    Some(line) => format!("{m} (line {line})"),
                    None => m,
                };
                Error::rule(path, &rule.id, message)
            })?;
            rules.push(rule);
        }
    }
    Ok((rules, matching))
}

/// Instantiate `{dataset}` rules once per listed dataset.
fn expand(def: RuleDef, path: &Path) -> std::result::Result<Vec<Rule>, String> {
    let check_values = match &def.check {
        toml::Value::Array(items) => items.clone(),
        table @ toml::Value::Table(_) => vec![table.clone()],
        _ => return Err("`check` must be a table or an array of tables".into()),
    };
    let mut checks = Vec::with_capacity(check_values.len());
    for (i, value) in check_values.into_iter().enumerate() {
        let check = CheckDef::deserialize(value).map_err(|e| {
            if checks_len_hint(&def.check) > 1 {
                format!("check #{}: {e}", i + 1)
            } else {
                format!("check: {e}")
            }
        })?;
        checks.push(check);
    }
    let templated = def.id.contains("{dataset}") || def.dataset.contains("{dataset}");
    let datasets: Vec<String> = if templated {
        if def.datasets.is_empty() {
            return Err("the id uses {dataset} but the rule lists no `datasets`".into());
        }
        def.datasets.clone()
    } else {
        if !def.datasets.is_empty() {
            return Err("`datasets` needs an id and dataset containing {dataset}".into());
        }
        vec![def.dataset.clone()]
    };
    Ok(datasets
        .into_iter()
        .map(|dataset| {
            let label = crate::model::schema::dataset_label(&dataset);
            let text = |t: &str| {
                t.replace("{dataset_label}", label)
                    .replace("{dataset}", &dataset)
            };
            Rule {
                id: def.id.replace("{dataset}", &dataset),
                dimension: def.dimension,
                severity: def.severity,
                dataset: def.dataset.replace("{dataset}", &dataset),
                title: text(&def.title),
                action: text(&def.action),
                when: None,
                when_text: def.when.clone(),
                columns: def.columns.clone(),
                checks: checks.clone(),
                file: path.to_path_buf(),
            }
        })
        .collect())
}

fn checks_len_hint(value: &toml::Value) -> usize {
    match value {
        toml::Value::Array(items) => items.len(),
        _ => 1,
    }
}

/// Names a predicate on `dataset` may use.
pub fn predicate_names(kind: DatasetKind) -> &'static [(&'static str, NameKind)] {
    match kind {
        DatasetKind::Population => &[
            ("alive", NameKind::BoolFact),
            ("dead", NameKind::BoolFact),
            ("id_valid", NameKind::BoolFact),
            ("age", NameKind::IntFact),
            ("age_max", NameKind::IntFact),
        ],
        _ => &[],
    }
}

/// Check a rule against the catalog and lists; returns its parsed predicate.
fn validate_rule(
    rule: &Rule,
    catalog: &DatasetCatalog,
    refs: &RefLists,
) -> std::result::Result<Option<Expr>, String> {
    let prefix_ok = rule.id.split('.').count() >= 2
        && rule
            .id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
    if !prefix_ok {
        return Err("the id must look like DIMENSION.NAME (ASCII letters, digits, _ and .)".into());
    }
    let prefix = rule.id.split('.').next().unwrap_or("");
    let expected = match rule.dimension {
        Dimension::Dung => "DUNG",
        Dimension::Du => "DU",
        Dimension::Sach => "SACH",
        Dimension::Song => "SONG",
    };
    if prefix != "XM" && prefix != expected {
        return Err(format!(
            "the id starts with {prefix} but the dimension is {}; ids start with DUNG, DU, SACH, SONG (or XM for cross-match rules)",
            rule.dimension.code()
        ));
    }
    if rule.title.trim().is_empty() || rule.action.trim().is_empty() {
        return Err("title and action must not be empty".into());
    }
    let Some(&kind) = catalog.get(&rule.dataset) else {
        return Err(format!(
            "unknown dataset \"{}\" (known: {}); declare a custom dataset in the run config (and check the pack with `doisoat rules check --config RUN_FILE`)",
            rule.dataset,
            catalog.keys().cloned().collect::<Vec<_>>().join(", ")
        ));
    };
    let schema = Schema::for_kind(kind, None);
    let field_known = |field: &str| -> bool {
        schema.field(field).is_some()
            || rule.columns.iter().any(|c| c == field)
            || (kind == DatasetKind::CustomSector)
    };
    let check_field = |field: &str| -> std::result::Result<(), String> {
        if field_known(field) {
            Ok(())
        } else {
            Err(format!(
                "unknown field \"{field}\" for dataset {} (known: {}); declare extra columns with columns = [\"{field}\"]",
                rule.dataset,
                schema
                    .fields
                    .iter()
                    .map(|f| f.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        }
    };
    // A date check on a register column that holds no dates (a name, a phone number)
    // would find nothing, night after night, without a word.
    let check_date_field = |field: &str| -> std::result::Result<(), String> {
        check_field(field)?;
        match schema.field(field) {
            Some(spec) if spec.kind != FieldKind::Date => Err(format!(
                "field \"{field}\" holds no dates (date fields of {}: {}); name a date \
                 column, or a column of your own declared with columns = [\"…\"], which \
                 is then read as dates",
                rule.dataset,
                schema
                    .fields
                    .iter()
                    .filter(|f| f.kind == FieldKind::Date)
                    .map(|f| f.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            _ => Ok(()),
        }
    };
    let check_list = |list: &str| -> std::result::Result<(), String> {
        if list == ADMIN_COMMUNE_LIST || refs.get(list).is_some() {
            Ok(())
        } else {
            Err(format!(
                "unknown reference list \"{list}\" (have: {}, {ADMIN_COMMUNE_LIST}); add ref/{list}.txt",
                refs.lists.keys().cloned().collect::<Vec<_>>().join(", ")
            ))
        }
    };
    let need_kind = |allowed: &[DatasetKind], what: &str| -> std::result::Result<(), String> {
        if allowed.contains(&kind) {
            Ok(())
        } else {
            Err(format!(
                "check kind {what} does not apply to dataset {}",
                rule.dataset
            ))
        }
    };
    if rule.checks.is_empty() {
        return Err("the rule has no check".into());
    }
    for check in &rule.checks {
        match check {
            CheckDef::Required { fields } => {
                if fields.is_empty() {
                    return Err("required: list at least one field".into());
                }
                fields.iter().try_for_each(|f| check_field(f))?;
            }
            CheckDef::InList { field, list } => {
                check_field(field)?;
                check_list(list)?;
            }
            CheckDef::IdStructure { field, prefixes } => {
                check_field(field)?;
                check_list(prefixes)?;
            }
            CheckDef::IdBirthProvince {
                field,
                birth_province,
            } => {
                check_field(field)?;
                check_field(birth_province)?;
            }
            CheckDef::DateSanity {
                birth, after_birth, ..
            } => {
                check_date_field(birth)?;
                after_birth.iter().try_for_each(|f| check_date_field(f))?;
            }
            CheckDef::HouseholdHeads {
                household,
                relation,
                ..
            } => {
                check_field(household)?;
                check_field(relation)?;
            }
            CheckDef::DuplicateKey { field } => check_field(field)?,
            CheckDef::CardExpiry {
                birth,
                issue,
                renewal_ages,
                ..
            } => {
                check_date_field(birth)?;
                check_date_field(issue)?;
                if renewal_ages.windows(2).any(|w| w[0] >= w[1]) {
                    return Err("renewal_ages must be increasing".into());
                }
            }
            CheckDef::DeathNotRecorded {} => {
                need_kind(&[DatasetKind::Deaths], "death_not_recorded")?
            }
            CheckDef::OldIdNotLinked {} => {
                need_kind(&[DatasetKind::LegacyId], "old_id_not_linked")?
            }
            CheckDef::DuplicatePerson {} => {
                need_kind(&[DatasetKind::Population], "duplicate_person")?
            }
            CheckDef::Crossmatch { event_date, .. } => {
                if !kind.is_sector() {
                    return Err(format!(
                        "crossmatch rules apply to sector datasets, not {}",
                        rule.dataset
                    ));
                }
                if let Some(field) = event_date {
                    check_date_field(field)?;
                }
            }
        }
    }
    if let Some(text) = &rule.when_text {
        let names = predicate_names(kind);
        let kind_of = |name: &str| -> Option<NameKind> {
            names
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, k)| *k)
                .or_else(|| field_known(name).then_some(NameKind::Column))
        };
        let expr =
            predicate::parse(text, &kind_of).map_err(|e| format!("when = \"{text}\": {e}"))?;
        return Ok(Some(expr));
    }
    Ok(None)
}
