//! Row-wise check kernels: required fields, reference lists, ID structure, ID vs birth
//! province, impossible dates, card renewal. Each runs over whole columns (in
//! parallel where the per-row work is more than a lookup) and returns hits only for
//! the rows that fail, so the common "all good" row costs a few comparisons.

use chrono::NaiveDate;
use rayon::prelude::*;

use super::super::facts::age_bounds;
use super::super::load::ADMIN_COMMUNE_LIST;
use super::super::{field_label, EvalContext, Hit};
use crate::model::date::{age_on, anniversary};
use crate::model::{admin::normalize_province_code, Column, DateColumn, PartialDate, Table};
use crate::normalize::id::{self, check_id, IdPrefixes};

/// `required`: one hit per row listing every empty field. A field whose column the file
/// lacks altogether is one problem of the file, named in the run's warnings, not a
/// finding on every record (a header the mapping did not recognise would otherwise
/// flag the whole province).
pub fn required(table: &Table, fields: &[String], mask: Option<&[bool]>) -> Vec<Hit> {
    let columns: Vec<(&String, &Column)> = fields
        .iter()
        .filter_map(|f| Some((f, table.column(f)?)))
        .collect();
    if columns.is_empty() {
        return Vec::new();
    }
    (0..table.rows)
        .into_par_iter()
        .filter(|&row| mask.is_none_or(|m| m[row]))
        .filter_map(|row| {
            let missing: Vec<&String> = columns
                .iter()
                .filter(|(_, column)| column.is_blank(row))
                .map(|(name, _)| *name)
                .collect();
            if missing.is_empty() {
                return None;
            }
            let labels: Vec<&str> = missing.iter().map(|f| field_label(f)).collect();
            Some(Hit::row(
                row,
                missing
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(";"),
                format!("Thiếu: {}", labels.join(", ")),
            ))
        })
        .collect()
}

/// `in_list`: the value must be in a reference list (empty values are not checked:
/// that is `required`'s job).
pub fn in_list(
    table: &Table,
    field: &str,
    list: &str,
    mask: Option<&[bool]>,
    ctx: &EvalContext<'_>,
) -> Vec<Hit> {
    let Some(column) = table.column(field) else {
        return Vec::new();
    };
    let valid = |value: &str| -> bool {
        if value.is_empty() {
            return true;
        }
        if list == ADMIN_COMMUNE_LIST {
            // Without an admin-units file there is nothing to check against.
            return ctx.admin.is_empty() || ctx.admin.commune(value).is_some();
        }
        match ctx.refs.get(list) {
            Some(reference) => {
                reference.contains(value)
                    || (list.contains("province")
                        && reference.contains(&normalize_province_code(value)))
            }
            None => true,
        }
    };
    let message = |value: &str| -> String {
        if list == ADMIN_COMMUNE_LIST {
            let ended = ctx.admin.ended.get(value).map(|(name, last_day)| {
                format!(
                    " (mã của {name}, hết hiệu lực sau ngày {}: đã sáp nhập/giải thể, cập nhật mã xã hiện hành)",
                    last_day.format("%d/%m/%Y")
                )
            });
            format!(
                "{} \"{value}\" không có trong danh mục đơn vị hành chính{}",
                field_label(field),
                ended.unwrap_or_default()
            )
        } else {
            format!("{} \"{value}\" không có trong danh mục", field_label(field))
        }
    };
    let bad_rows: Vec<usize> = match column {
        Column::Dict(dict) => {
            let ok: Vec<bool> = dict.values.iter().map(|v| valid(v)).collect();
            dict.codes
                .iter()
                .enumerate()
                .filter(|&(row, &code)| !ok[code as usize] && mask.is_none_or(|m| m[row]))
                .map(|(row, _)| row)
                .collect()
        }
        other => (0..table.rows)
            .filter(|&row| mask.is_none_or(|m| m[row]))
            .filter(|&row| !valid(&other.display(row)))
            .collect(),
    };
    bad_rows
        .into_iter()
        .map(|row| Hit::row(row, field.to_string(), message(&column.display(row))))
        .collect()
}

/// `id_structure` over any dataset with an ID, birth date and gender; the register
/// uses its precomputed facts.
pub fn id_structure(
    table: &Table,
    field: &str,
    prefixes: &IdPrefixes,
    mask: Option<&[bool]>,
    ctx: &EvalContext<'_>,
) -> Vec<Hit> {
    let Some(ids) = table.text(field) else {
        return Vec::new();
    };
    let is_population = table.name == ctx.population.name;
    let genders = if is_population {
        None
    } else {
        Some(super::super::facts::genders(table))
    };
    let births = table.date("birth_date");
    (0..table.rows)
        .into_par_iter()
        .filter(|&row| mask.is_none_or(|m| m[row]) && ids.len_at(row) > 0)
        .filter_map(|row| {
            let text = ids.get(row);
            let (plausible, gender) = if is_population {
                (ctx.facts.birth_plausible[row], ctx.facts.gender[row])
            } else {
                let birth = births.map_or(PartialDate::EMPTY, |c| c.get(row));
                (
                    age_bounds(birth, ctx.as_of, 120).2,
                    genders.as_ref().and_then(|g| g[row]),
                )
            };
            let birth_year = plausible
                .then(|| births.map(|c| c.get(row).year()))
                .flatten();
            let check = check_id(text, birth_year, gender, prefixes);
            if check.problems.is_ok() {
                return None;
            }
            let mut hit = Hit::row(
                row,
                field.to_string(),
                id::describe(text, &check, birth_year, gender),
            );
            if check.problems.has(id::IdProblems::LOST_LEADING_ZEROS) {
                hit.suggestion = id::pad_id(text);
            } else {
                // Digit groups typed apart (`083 099 347 656`): suggest the 12 typed
                // digits when they make a well-formed ID (fewer digits are no
                // grouping, and padding them would be a guess).
                let number = super::super::facts::sector_id_number(text);
                let digits = format!("{number:012}");
                let typed_digits = text.bytes().filter(u8::is_ascii_digit).count();
                if number != 0
                    && typed_digits == 12
                    && digits != text
                    && check_id(&digits, birth_year, gender, prefixes)
                        .problems
                        .is_ok()
                {
                    hit.suggestion = digits;
                }
            }
            Some(hit)
        })
        .collect()
}

/// `id_birth_province`: the ID's `PPP` must be the birth province (`083` ↔ `83`).
pub fn id_birth_province(
    table: &Table,
    field: &str,
    birth_province: &str,
    mask: Option<&[bool]>,
    ctx: &EvalContext<'_>,
) -> Vec<Hit> {
    let (Some(ids), Some(provinces)) = (table.text(field), table.dict(birth_province)) else {
        return Vec::new();
    };
    let is_population = table.name == ctx.population.name;
    // Per distinct birth-province value: its numeric code (two- or three-digit form).
    let codes: Vec<Option<u16>> = provinces
        .values
        .iter()
        .map(|v| {
            let code = normalize_province_code(v);
            let numeric =
                !code.is_empty() && code.len() <= 3 && code.bytes().all(|b| b.is_ascii_digit());
            if numeric {
                code.parse::<u16>().ok()
            } else {
                None
            }
        })
        .collect();
    let id_names = ctx.refs.get("id_province_codes");
    (0..table.rows)
        .into_par_iter()
        .filter(|&row| mask.is_none_or(|m| m[row]))
        .filter_map(|row| {
            let birth_code = codes[provinces.code(row) as usize]?;
            let value = if is_population {
                ctx.facts.id_value[row]
            } else {
                super::super::facts::sector_id_number(ids.get(row))
            };
            if value == 0 {
                return None;
            }
            let id_province = (value / 1_000_000_000) as u16;
            let id_known = id_names.is_none_or(|l| l.contains(&format!("{id_province:03}")));
            if !id_known || id_province == birth_code {
                return None;
            }
            let name_of = |code: u16| -> String {
                let label = id_names.map_or("", |l| l.label_of(&format!("{code:03}")));
                if label.is_empty() {
                    String::new()
                } else {
                    format!(" ({label})")
                }
            };
            Some(Hit::row(
                row,
                format!("{field};{birth_province}"),
                format!(
                    "Mã tỉnh trong số định danh là {id_province:03}{}, nhưng nơi đăng ký khai sinh là {}{}",
                    name_of(id_province),
                    provinces.get(row),
                    name_of(birth_code),
                ),
            ))
        })
        .collect()
}

/// `date_sanity`: dates that do not exist, births in the future or more than
/// `max_age` years ago, and other dates before birth or in the future.
pub fn date_sanity(
    table: &Table,
    birth_field: &str,
    after_birth: &[String],
    max_age: u32,
    mask: Option<&[bool]>,
    as_of: NaiveDate,
) -> Vec<Hit> {
    let Some(births) = table.date(birth_field) else {
        return Vec::new();
    };
    let others: Vec<(&String, &DateColumn)> = after_birth
        .iter()
        .filter_map(|f| table.date(f).map(|c| (f, c)))
        .collect();
    let death = table.date("death_date");
    let as_of_text = PartialDate::from_naive(as_of).display();
    (0..table.rows)
        .into_par_iter()
        .filter(|&row| mask.is_none_or(|m| m[row]))
        .filter_map(|row| {
            let birth = births.get(row);
            let mut fields: Vec<&str> = Vec::new();
            let mut notes: Vec<String> = Vec::new();
            if birth.is_invalid() {
                fields.push(birth_field);
                notes.push(format!(
                    "{} \"{}\" không phải ngày hợp lệ",
                    field_label(birth_field),
                    births.display(row)
                ));
            } else if let (Some(earliest), Some(latest)) = (birth.earliest(), birth.latest()) {
                if earliest > as_of {
                    fields.push(birth_field);
                    notes.push(format!(
                        "{} {} sau ngày đối soát {as_of_text}",
                        field_label(birth_field),
                        birth.display()
                    ));
                } else {
                    // Age at death for the dead, at the run date for everyone else.
                    let until = death
                        .map(|c| c.get(row))
                        .and_then(|d| d.latest())
                        .filter(|&d| d <= as_of)
                        .unwrap_or(as_of);
                    // The age certainly reached: a year-only 1905 may be 120 today.
                    let age = age_on(latest, until);
                    if age > max_age as i32 {
                        fields.push(birth_field);
                        notes.push(format!(
                            "{} {}: {age} tuổi, vượt quá {max_age} tuổi",
                            field_label(birth_field),
                            birth.display()
                        ));
                    }
                }
            }
            for (name, column) in &others {
                let value = column.get(row);
                if value.is_invalid() {
                    fields.push(name);
                    notes.push(format!(
                        "{} \"{}\" không phải ngày hợp lệ",
                        field_label(name),
                        column.display(row)
                    ));
                    continue;
                }
                let (Some(earliest), Some(latest)) = (value.earliest(), value.latest()) else {
                    continue;
                };
                if earliest > as_of {
                    fields.push(name);
                    notes.push(format!(
                        "{} {} sau ngày đối soát {as_of_text}",
                        field_label(name),
                        value.display()
                    ));
                } else if birth.earliest().is_some_and(|b| latest < b) {
                    fields.push(name);
                    notes.push(format!(
                        "{} {} trước {} {}",
                        field_label(name),
                        value.display(),
                        field_label(birth_field).to_lowercase(),
                        birth.display()
                    ));
                }
            }
            if fields.is_empty() {
                return None;
            }
            Some(Hit::row(row, fields.join(";"), notes.join("; ")))
        })
        .collect()
}

/// When a card issued at `issue` to someone born on `birth` must be renewed, if ever.
pub fn renewal_due(
    birth: NaiveDate,
    issue: NaiveDate,
    renewal_ages: &[u32],
    grace_years: u32,
) -> Option<(u32, NaiveDate)> {
    let issue_age = age_on(birth, issue);
    for &renewal in renewal_ages {
        let renewal = renewal as i32;
        if issue_age >= renewal {
            continue;
        }
        if issue_age >= renewal - grace_years as i32 {
            // Issued within the grace period before this age: valid until the next.
            continue;
        }
        return anniversary(birth, renewal).map(|due| (renewal as u32, due));
    }
    None
}

/// The latest renewal due date over every birth date from `early` to `late` of a card
/// issued on `issued`; None when for some of them the card never expires. The age at
/// issue, and so the renewal age due, steps down as the birth moves later, so the
/// latest due date is at one end of the range or at the last birth of a step: the day
/// `issued` is exactly a grace threshold (renewal age less grace years) after it.
fn latest_renewal_due(
    early: NaiveDate,
    late: NaiveDate,
    issued: NaiveDate,
    renewal_ages: &[u32],
    grace_years: u32,
) -> Option<(u32, NaiveDate)> {
    if early == late {
        return renewal_due(early, issued, renewal_ages, grace_years);
    }
    let steps = renewal_ages.iter().flat_map(|&renewal| {
        [renewal.saturating_sub(grace_years), renewal]
            .map(|years| issued.checked_sub_months(chrono::Months::new(12 * years)))
    });
    let mut latest: Option<(u32, NaiveDate)> = None;
    for birth in [Some(early), Some(late)].into_iter().chain(steps).flatten() {
        if birth < early || birth > late {
            continue;
        }
        let due = renewal_due(birth, issued, renewal_ages, grace_years)?;
        if latest.is_none_or(|l| due.1 > l.1) {
            latest = Some(due);
        }
    }
    latest
}

/// `card_expiry`: the card has reached a renewal age (Luật Căn cước 2023 art. 21).
/// With a partial birth or issue date the card is reported only when it is expired
/// for every pair of dates the partial dates allow.
#[allow(clippy::too_many_arguments)]
pub fn card_expiry(
    table: &Table,
    birth_field: &str,
    issue_field: &str,
    renewal_ages: &[u32],
    grace_years: u32,
    mask: Option<&[bool]>,
    as_of: NaiveDate,
    plausible: Option<&[bool]>,
) -> Vec<Hit> {
    let (Some(births), Some(issues)) = (table.date(birth_field), table.date(issue_field)) else {
        return Vec::new();
    };
    (0..table.rows)
        .into_par_iter()
        .filter(|&row| mask.is_none_or(|m| m[row]) && plausible.is_none_or(|p| p[row]))
        .filter_map(|row| {
            let birth = births.get(row);
            let issue = issues.get(row);
            let (early, late) = (birth.earliest()?, birth.latest()?);
            let issued_first = issue.earliest()?;
            if issued_first > as_of || issued_first < early {
                return None;
            }
            // A later issue is never due sooner, so the last day a partial issue date
            // allows decides; a card "issued 2014" may be one issued inside the grace
            // period.
            let issued = issue.latest()?.min(as_of);
            let due_last = latest_renewal_due(early, late, issued, renewal_ages, grace_years)?;
            if due_last.1 > as_of {
                return None;
            }
            let issue_age = age_on(late, issued);
            Some(Hit::row(
                row,
                issue_field.to_string(),
                format!(
                    "Thẻ cấp ngày {} (khi {issue_age} tuổi), phải cấp đổi khi đủ {} tuổi (từ {})",
                    issue.display(),
                    due_last.0,
                    PartialDate::from_naive(due_last.1).display()
                ),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_partial_issue_or_birth_date_is_due_at_the_latest_it_allows() {
        let ages = [14, 25, 40, 60];
        // Born 01/07/1991, card "2014": issued on or after 01/07/2014 it is inside the
        // grace period before 25 and due only at 40.
        let due = latest_renewal_due(d(1991, 7, 1), d(1991, 7, 1), d(2014, 12, 31), &ages, 2);
        assert_eq!(due.map(|x| x.0), Some(40));
        // Born some day of 1991, card issued 01/07/2014: the person born 01/07/1991
        // was 23 and in the grace period, so the card is due at 40 at the latest.
        let due = latest_renewal_due(d(1991, 1, 1), d(1991, 12, 31), d(2014, 7, 1), &ages, 2);
        assert_eq!(due, Some((40, d(2031, 7, 1))));
        // Born some day of 1991, card issued 01/07/2012 (aged 20 or 21): due at 25,
        // at the latest on 31/12/2016.
        let due = latest_renewal_due(d(1991, 1, 1), d(1991, 12, 31), d(2012, 7, 1), &ages, 2);
        assert_eq!(due, Some((25, d(2016, 12, 31))));
        // Issued at 58 or later to some of the births: it may never expire.
        assert_eq!(
            latest_renewal_due(d(1950, 1, 1), d(1950, 12, 31), d(2008, 7, 1), &ages, 2),
            None
        );
    }

    #[test]
    fn renewal_ages_and_grace_period() {
        let ages = [14, 25, 40, 60];
        let birth = d(1990, 6, 15);
        // Issued at 20: due at 25.
        assert_eq!(
            renewal_due(birth, d(2010, 7, 1), &ages, 2).map(|x| x.0),
            Some(25)
        );
        // Issued at 23 (within 2 years before 25): valid until 40.
        assert_eq!(
            renewal_due(birth, d(2013, 7, 1), &ages, 2).map(|x| x.0),
            Some(40)
        );
        // Issued at 22 and 364 days: not yet within the grace period.
        assert_eq!(
            renewal_due(birth, d(2013, 6, 14), &ages, 2).map(|x| x.0),
            Some(25)
        );
        // Issued at 58 or later: never expires.
        assert_eq!(renewal_due(birth, d(2048, 7, 1), &ages, 2), None);
        assert_eq!(renewal_due(birth, d(2051, 7, 1), &ages, 2), None);
        // A child's card: due at 14 (or 25 when issued at 12–13).
        assert_eq!(
            renewal_due(birth, d(1996, 7, 1), &ages, 2).map(|x| x.0),
            Some(14)
        );
        assert_eq!(
            renewal_due(birth, d(2002, 7, 1), &ages, 2).map(|x| x.0),
            Some(25)
        );
        assert_eq!(
            renewal_due(birth, d(2010, 7, 1), &ages, 2).map(|x| x.1),
            Some(d(2015, 6, 15))
        );
    }
}
