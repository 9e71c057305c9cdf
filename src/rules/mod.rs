//! Rules: typed definitions loaded from `rules/*.toml`, validated up front, and run as
//! column kernels. A rule's predicate becomes a boolean mask; each check returns hits
//! for failing rows; several checks of one rule merge into one finding per record.

pub mod checks;
pub mod facts;
pub mod load;
pub mod predicate;
pub mod refs;
pub mod types;

use std::collections::BTreeMap;
use std::time::Instant;

use chrono::NaiveDate;

use crate::matching::Links;
use crate::model::{AdminUnits, Table};
use crate::normalize::id::IdPrefixes;
use facts::PopulationFacts;
use load::Rule;
use predicate::FactColumn;
use refs::RefLists;
use types::CheckDef;

/// One failing record (or household) found by a check.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Hit {
    /// Row of the rule's dataset (None for group findings such as households).
    pub row: Option<u32>,
    /// Record key when it is not the row's own key (the household id).
    pub key: Option<String>,
    /// Fields involved, `;`-separated.
    pub fields: String,
    /// Vietnamese explanation.
    pub detail: String,
    /// Suggested value (a fixed ID, an ID to link), if any.
    pub suggestion: String,
    /// Other records involved.
    pub related: Vec<String>,
    /// Cluster id for duplicate groups.
    pub cluster_id: String,
    /// Register row of the person the finding is about (for routing), when not the row.
    pub person_row: Option<u32>,
    /// Explicit commune to route to (household majority, employer's commune).
    pub commune: Option<String>,
}

impl Hit {
    /// A hit on a row of the rule's dataset.
    pub fn row(row: usize, fields: String, detail: String) -> Hit {
        Hit {
            row: Some(row as u32),
            fields,
            detail,
            ..Hit::default()
        }
    }
}

/// Everything a check may read.
pub struct EvalContext<'a> {
    /// The run date.
    pub as_of: NaiveDate,
    /// The register.
    pub population: &'a Table,
    /// All datasets by name (the register included).
    pub tables: &'a BTreeMap<String, Table>,
    /// Register facts.
    pub facts: &'a PopulationFacts,
    /// Reference lists.
    pub refs: &'a RefLists,
    /// Admin units in force.
    pub admin: &'a AdminUnits,
    /// Accepted ID province codes.
    pub prefixes: &'a IdPrefixes,
    /// Identity-matching results.
    pub links: &'a Links,
    /// The cells of register rows rejected at ingest: a household whose head's row was
    /// rejected is not reported headless.
    pub rejected_register_cells: &'a std::collections::HashSet<String>,
}

/// Vietnamese label of a canonical field, for messages and worklists.
pub fn field_label(field: &str) -> &str {
    match field {
        "record_id" => "Mã bản ghi",
        "person_id" => "Số định danh",
        "old_id" => "Số CMND cũ",
        "full_name" => "Họ và tên",
        "birth_date" => "Ngày sinh",
        "gender" => "Giới tính",
        "birth_province_code" => "Nơi đăng ký khai sinh",
        "ethnicity" => "Dân tộc",
        "religion" => "Tôn giáo",
        "nationality" => "Quốc tịch",
        "province_code" => "Mã tỉnh",
        "district_code" => "Mã huyện",
        "commune_code" => "Mã xã",
        "address" => "Địa chỉ",
        "residence_type" => "Loại cư trú",
        "household_id" => "Mã hộ",
        "relation_to_head" => "Quan hệ với chủ hộ",
        "father_name" => "Họ tên cha",
        "mother_name" => "Họ tên mẹ",
        "spouse_name" => "Họ tên vợ/chồng",
        "card_issue_date" => "Ngày cấp thẻ căn cước",
        "death_date" => "Ngày mất",
        "phone" => "Số điện thoại",
        "status" => "Trạng thái",
        "dose_date" => "Ngày tiêm",
        "industrial_zone" => "Khu công nghiệp",
        other => other,
    }
}

/// Outcome of one rule over its dataset.
pub struct RuleResult {
    /// Hits, one per record (checks merged).
    pub hits: Vec<Hit>,
    /// Wall time of the rule in seconds.
    pub seconds: f64,
    /// Rows the rule looked at.
    pub rows: usize,
}

/// Run one rule. Returns `None` when its dataset is not part of the run.
pub fn run_rule(rule: &Rule, ctx: &EvalContext<'_>) -> Option<RuleResult> {
    let table = ctx.tables.get(&rule.dataset)?;
    let started = Instant::now();
    let is_population = table.name == ctx.population.name;
    let mask: Option<Vec<bool>> = rule.when.as_ref().map(|expr| {
        let fact = |name: &str| -> Option<FactColumn<'_>> {
            if !is_population {
                return None;
            }
            let f = ctx.facts;
            match name {
                "alive" => Some(FactColumn::Bool(&f.alive)),
                "dead" => Some(FactColumn::Bool(&f.dead)),
                "id_valid" => Some(FactColumn::Bool(&f.id_valid)),
                "age" => Some(FactColumn::Int(&f.age)),
                "age_max" => Some(FactColumn::Int(&f.age_max)),
                _ => None,
            }
        };
        predicate::evaluate(expr, table, &fact)
    });
    let mask = mask.as_deref();
    let mut per_check: Vec<Vec<Hit>> = Vec::with_capacity(rule.checks.len());
    for check in &rule.checks {
        per_check.push(run_check(check, table, mask, ctx));
    }
    let hits = merge_hits(per_check);
    Some(RuleResult {
        hits,
        seconds: started.elapsed().as_secs_f64(),
        rows: table.rows,
    })
}

fn run_check(
    check: &CheckDef,
    table: &Table,
    mask: Option<&[bool]>,
    ctx: &EvalContext<'_>,
) -> Vec<Hit> {
    use checks::{groups, values};
    match check {
        CheckDef::Required { fields } => values::required(table, fields, mask),
        CheckDef::InList { field, list } => values::in_list(table, field, list, mask, ctx),
        CheckDef::IdStructure { field, prefixes } => {
            let own;
            let prefixes = if prefixes == "id_province_codes" {
                ctx.prefixes
            } else {
                own = IdPrefixes::from_codes(
                    ctx.refs
                        .get(prefixes)
                        .map(|l| l.canonical.iter().map(String::as_str).collect::<Vec<_>>())
                        .unwrap_or_default(),
                );
                &own
            };
            values::id_structure(table, field, prefixes, mask, ctx)
        }
        CheckDef::IdBirthProvince {
            field,
            birth_province,
        } => values::id_birth_province(table, field, birth_province, mask, ctx),
        CheckDef::DateSanity {
            birth,
            after_birth,
            max_age,
        } => values::date_sanity(table, birth, after_birth, *max_age, mask, ctx.as_of),
        CheckDef::HouseholdHeads {
            condition,
            household,
            relation,
            head,
            list,
        } => groups::household_heads(
            table,
            *condition,
            (household, relation),
            head,
            ctx.refs.get(list),
            ctx.rejected_register_cells,
        ),
        CheckDef::DuplicateKey { field } => groups::duplicate_key(table, field, mask, ctx),
        CheckDef::CardExpiry {
            birth,
            issue,
            renewal_ages,
            grace_years,
        } => {
            let plausible =
                (table.name == ctx.population.name).then_some(ctx.facts.birth_plausible.as_slice());
            values::card_expiry(
                table,
                birth,
                issue,
                renewal_ages,
                *grace_years,
                mask,
                ctx.as_of,
                plausible,
            )
        }
        CheckDef::DeathNotRecorded {} => crate::matching::deaths::hits(table, mask, ctx),
        CheckDef::OldIdNotLinked {} => crate::matching::legacy::hits(table, mask, ctx),
        CheckDef::DuplicatePerson {} => crate::matching::dedup::hits(mask, ctx),
        CheckDef::Crossmatch {
            outcome,
            active_status,
            event_date,
            ..
        } => crate::matching::crossmatch::hits(
            table,
            *outcome,
            active_status,
            event_date.as_deref(),
            mask,
            ctx,
        ),
    }
}

/// Merge the hits of several checks: one hit per record, fields and details joined.
fn merge_hits(per_check: Vec<Vec<Hit>>) -> Vec<Hit> {
    if per_check.len() == 1 {
        return per_check.into_iter().next().unwrap_or_default();
    }
    let mut merged: BTreeMap<(Option<u32>, Option<String>), Hit> = BTreeMap::new();
    for hits in per_check {
        for hit in hits {
            let key = (hit.row, hit.key.clone());
            match merged.get_mut(&key) {
                Some(existing) => {
                    existing.fields.push(';');
                    existing.fields.push_str(&hit.fields);
                    existing.detail.push_str("; ");
                    existing.detail.push_str(&hit.detail);
                    if existing.suggestion.is_empty() {
                        existing.suggestion = hit.suggestion;
                    }
                    existing.related.extend(hit.related);
                }
                None => {
                    merged.insert(key, hit);
                }
            }
        }
    }
    merged.into_values().collect()
}
