//! The rule file format, as serde types. A rule file is TOML:
//!
//! ```toml
//! [[rule]]
//! id = "SONG.NO_ID_CARD"
//! dimension = "song"
//! dataset = "population"
//! severity = "medium"
//! title = "Công dân từ 14 tuổi chưa được cấp thẻ căn cước"
//! action = "Liên hệ công dân, hướng dẫn làm thủ tục cấp thẻ căn cước"
//! when = "alive && age >= 14"
//! check = { kind = "required", fields = ["card_issue_date"] }
//! ```
//!
//! Unknown keys are errors, so a typo in a rule file is caught before any data is read.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One rule file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    /// Rules defined in the file.
    #[serde(default)]
    pub rule: Vec<RuleDef>,
    /// Identity-matching settings (weights, thresholds), at most one file sets them.
    #[serde(default)]
    pub matching: Option<MatchingDef>,
}

/// The four dimensions of "đúng, đủ, sạch, sống".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// Đúng: the value is right.
    Dung,
    /// Đủ: nothing required is missing.
    Du,
    /// Sạch: no duplicates.
    Sach,
    /// Sống: the record reflects the living present.
    Song,
}

impl Dimension {
    /// The value written in findings (`dung`, `du`, `sach`, `song`).
    pub fn code(self) -> &'static str {
        match self {
            Dimension::Dung => "dung",
            Dimension::Du => "du",
            Dimension::Sach => "sach",
            Dimension::Song => "song",
        }
    }

    /// Vietnamese label.
    pub fn label(self) -> &'static str {
        match self {
            Dimension::Dung => "Đúng",
            Dimension::Du => "Đủ",
            Dimension::Sach => "Sạch",
            Dimension::Song => "Sống",
        }
    }

    /// All four, in the programme's order.
    pub const ALL: [Dimension; 4] = [
        Dimension::Dung,
        Dimension::Du,
        Dimension::Sach,
        Dimension::Song,
    ];
}

/// How urgent a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Fix first.
    High,
    /// Fix soon.
    Medium,
    /// Fix when convenient.
    Low,
}

impl Severity {
    /// The value written in findings.
    pub fn code(self) -> &'static str {
        match self {
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        }
    }

    /// Vietnamese label.
    pub fn label(self) -> &'static str {
        match self {
            Severity::High => "Cao",
            Severity::Medium => "Trung bình",
            Severity::Low => "Thấp",
        }
    }

    /// Sort rank: high first.
    pub fn rank(self) -> u8 {
        match self {
            Severity::High => 0,
            Severity::Medium => 1,
            Severity::Low => 2,
        }
    }
}

/// A rule as written in a file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    /// Stable id, e.g. `DUNG.ID_STRUCTURE`; may contain `{dataset}` when `datasets` is set.
    pub id: String,
    /// Dimension.
    pub dimension: Dimension,
    /// Dataset the findings belong to (or `{dataset}` with `datasets`).
    pub dataset: String,
    /// For sector rules: the datasets the rule is instantiated for (one rule each).
    #[serde(default)]
    pub datasets: Vec<String>,
    /// Severity.
    pub severity: Severity,
    /// Vietnamese title shown in worklists.
    pub title: String,
    /// Vietnamese action text: what the commune officer should do.
    pub action: String,
    /// Scoping predicate, e.g. `alive && age >= 14`.
    #[serde(default)]
    pub when: Option<String>,
    /// Non-canonical columns this rule reads (loaded from the file if present).
    #[serde(default)]
    pub columns: Vec<String>,
    /// Set `enabled = false` to keep a rule in the file but not run it.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// The check(s) as written: a table or an array of tables (validated separately
    /// so that errors name the bad key instead of a generic "no variant matched").
    pub check: toml::Value,
}

fn yes() -> bool {
    true
}

/// What a rule checks. `kind` selects the kernel.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum CheckDef {
    /// Fields that must not be empty.
    Required {
        /// Canonical column names.
        fields: Vec<String>,
    },
    /// The value must be in a reference list (`rules/ref/<list>.txt`, or `admin:commune`).
    InList {
        /// Column.
        field: String,
        /// Reference list name.
        list: String,
    },
    /// Personal-ID structure (SPEC §2).
    IdStructure {
        /// ID column.
        #[serde(default = "person_id")]
        field: String,
        /// Reference list of accepted `PPP` codes.
        #[serde(default = "id_prefixes")]
        prefixes: String,
    },
    /// The ID's province code must equal the birth province.
    IdBirthProvince {
        /// ID column.
        #[serde(default = "person_id")]
        field: String,
        /// Birth-province column.
        #[serde(default = "birth_province_code")]
        birth_province: String,
    },
    /// Impossible dates: future birth, death before birth, age over `max_age`, dates
    /// that do not exist.
    DateSanity {
        /// Birth-date column.
        #[serde(default = "birth_date")]
        birth: String,
        /// Other date columns that must lie between birth and the run date.
        #[serde(default)]
        after_birth: Vec<String>,
        /// Oldest plausible age.
        #[serde(default = "max_age")]
        max_age: u32,
    },
    /// Household head count.
    HouseholdHeads {
        /// `none` (no head) or `many` (more than one).
        condition: HeadCondition,
        /// Household column.
        #[serde(default = "household_id")]
        household: String,
        /// Relation column.
        #[serde(default = "relation_to_head")]
        relation: String,
        /// Relation value of the head.
        #[serde(default = "head_value")]
        head: String,
        /// Reference list whose aliases of `head` also name the head (`Là chủ hộ`).
        #[serde(default = "relations_list")]
        list: String,
    },
    /// The same value on two or more records.
    DuplicateKey {
        /// Column.
        field: String,
    },
    /// Card renewal ages (Luật Căn cước 2023, art. 21).
    CardExpiry {
        /// Birth-date column.
        #[serde(default = "birth_date")]
        birth: String,
        /// Card issue date column.
        #[serde(default = "card_issue_date")]
        issue: String,
        /// Ages at which the card must be renewed.
        #[serde(default = "renewal_ages")]
        renewal_ages: Vec<u32>,
        /// A card issued within this many years before a renewal age is valid until the next.
        #[serde(default = "grace_years")]
        grace_years: u32,
    },
    /// A death registration whose person is still alive in the register.
    DeathNotRecorded {},
    /// An old CMND record not linked to its person.
    OldIdNotLinked {},
    /// Fuzzy duplicate people.
    DuplicatePerson {},
    /// An outcome of cross-matching a sector dataset against the register.
    Crossmatch {
        /// Which outcome produces findings.
        outcome: Outcome,
        /// For `deceased_active`: status column value meaning active.
        #[serde(default)]
        active_status: Vec<String>,
        /// For `deceased_active`: status values known to mean inactive. Values in
        /// neither list also count as inactive, and are named in a warning so that an
        /// agency's new word for active is not missed silently.
        #[serde(default)]
        inactive_status: Vec<String>,
        /// For `deceased_active`: an event date column that must not be after death.
        #[serde(default)]
        event_date: Option<String>,
    },
}

/// Household-head condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HeadCondition {
    /// No member is head.
    None,
    /// More than one member is head.
    Many,
}

/// Cross-match outcomes that rules can report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// ID found, but name / birth date / gender differ.
    Mismatch,
    /// No ID; a unique person matches.
    IdMissing,
    /// ID not in the register; a person matches and their ID differs by a typo.
    IdWrong,
    /// Nobody matches.
    NotFound,
    /// Several people match equally.
    Ambiguous,
    /// The person is dead but the record is active / dated after death.
    DeceasedActive,
    /// Industrial-zone worker without residence in the province.
    IzNoTempResidence,
}

/// Matching weights and thresholds (SPEC: declared in rule files, not code).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MatchingDef {
    /// Minimum name similarity (0–1) for a candidate to count at all.
    #[serde(default = "name_floor")]
    pub name_threshold: f64,
    /// Score a candidate needs to be accepted as a match (sum of weights).
    #[serde(default = "accept_score")]
    pub accept_score: f64,
    /// Two candidates closer than this in score are "equally good" (ambiguous).
    #[serde(default = "ambiguity_margin")]
    pub ambiguity_margin: f64,
    /// Weights of the evidence, by name.
    #[serde(default)]
    pub weights: BTreeMap<String, f64>,
    /// Duplicate detection settings.
    #[serde(default)]
    pub dedup: BTreeMap<String, f64>,
}

fn person_id() -> String {
    "person_id".into()
}
fn id_prefixes() -> String {
    "id_province_codes".into()
}
fn birth_province_code() -> String {
    "birth_province_code".into()
}
fn birth_date() -> String {
    "birth_date".into()
}
fn max_age() -> u32 {
    120
}
fn household_id() -> String {
    "household_id".into()
}
fn relation_to_head() -> String {
    "relation_to_head".into()
}
fn head_value() -> String {
    "Chủ hộ".into()
}
fn relations_list() -> String {
    "relations_to_head".into()
}
fn card_issue_date() -> String {
    "card_issue_date".into()
}
fn renewal_ages() -> Vec<u32> {
    vec![14, 25, 40, 60]
}
fn grace_years() -> u32 {
    2
}
fn name_floor() -> f64 {
    0.85
}
fn accept_score() -> f64 {
    4.0
}
fn ambiguity_margin() -> f64 {
    0.5
}
