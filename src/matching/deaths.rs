//! Civil-registry deaths (khai tử) linked to register rows: by ID when the
//! registration carries one (and the person behind it is plausibly the same), else
//! by name + birth date + gender + commune. A linked person counts as dead for every
//! "alive" rule, and `SONG.DEATH_NOT_RECORDED` fires when the register itself has no
//! death date.

use rayon::prelude::*;

use super::{Evidence, PersonIndex, QueryColumns, Resolution};
use crate::model::Table;
use crate::normalize::text::names_agree;
use crate::rules::facts::sector_id_number;
use crate::rules::{EvalContext, Hit};

/// How a death registration was linked.
#[derive(Debug, Clone, PartialEq)]
pub enum LinkHow {
    /// Same personal ID (and name or birth date agree).
    ExactId,
    /// Matched on name, birth date, gender, commune.
    Fuzzy(Evidence),
    /// Several people match equally: not linked.
    Ambiguous(Vec<u32>),
    /// Nobody matches.
    NotFound,
}

/// One death registration's link.
#[derive(Debug, Clone, PartialEq)]
pub struct DeathLink {
    /// The register row, when linked.
    pub person: Option<u32>,
    /// Further register rows of the same ID that agree as well: the same person
    /// registered more than once (SACH.DUP_ID), dead in every one of them.
    pub also: Vec<u32>,
    /// How.
    pub how: LinkHow,
}

/// Link every death registration; returns the links and the candidate pairs scored.
pub fn link(deaths: &Table, index: &PersonIndex<'_>) -> (Vec<DeathLink>, u64) {
    let columns = QueryColumns::new(deaths);
    let ids = deaths.text("person_id");
    let results: Vec<(DeathLink, usize)> = (0..deaths.rows)
        .into_par_iter()
        .map(|row| {
            let id = ids.map_or(0, |c| sector_id_number(c.get(row)));
            let query = columns.query(row, 0);
            let same_id = index.id_table.rows_of(id);
            let mut by_id = same_id.iter().filter(|&person| {
                names_agree(
                    query.name,
                    query.folded,
                    index.name(person),
                    index.folded(person),
                ) || query.birth.agrees_with(index.birth(person)) == Some(true)
            });
            if let Some(first) = by_id.next() {
                let mut rows: Vec<u32> = by_id.collect();
                if !rows.is_empty() {
                    // One person registered more than once: the link goes to a row that
                    // still lacks the death, if any does, so that it is reported; the
                    // record key, not the extract's row order, picks among equals.
                    rows.push(first);
                    rows.sort_by(|&a, &b| {
                        index
                            .death_recorded(a)
                            .cmp(&index.death_recorded(b))
                            .then_with(|| index.key(a).cmp(index.key(b)))
                    });
                }
                let person = if rows.is_empty() {
                    first
                } else {
                    rows.remove(0)
                };
                return (
                    DeathLink {
                        person: Some(person),
                        also: rows,
                        how: LinkHow::ExactId,
                    },
                    1,
                );
            }
            // Marking someone dead is serious: the birth date must agree and the
            // gender must not conflict.
            let accept = |e: &Evidence| e.birth.is_some() && e.gender != Some(false);
            let (resolution, compared) = index.resolve(&query, &[], &accept);
            let link = match resolution {
                Resolution::Unique(person, evidence) => DeathLink {
                    person: Some(person),
                    also: Vec::new(),
                    how: LinkHow::Fuzzy(evidence),
                },
                Resolution::Ambiguous(rows, _) => DeathLink {
                    person: None,
                    also: Vec::new(),
                    how: LinkHow::Ambiguous(rows),
                },
                Resolution::NoMatch => DeathLink {
                    person: None,
                    also: Vec::new(),
                    how: LinkHow::NotFound,
                },
            };
            (link, compared)
        })
        .collect();
    let pairs = results.iter().map(|r| r.1 as u64).sum();
    (results.into_iter().map(|r| r.0).collect(), pairs)
}

/// `death_not_recorded` hits: linked registrations whose register row has no death date,
/// and registrations that match several namesakes none of whom records a death.
pub fn hits(table: &Table, mask: Option<&[bool]>, ctx: &EvalContext<'_>) -> Vec<Hit> {
    let population_keys = ctx.population.keys();
    let names = ctx.population.name_column("full_name");
    let births = ctx.population.date("birth_date");
    let death_dates = table.date("death_date");
    ctx.links
        .deaths
        .iter()
        .enumerate()
        .filter(|(row, _)| mask.is_none_or(|m| m[*row]))
        .filter_map(|(row, link)| {
            let key_of = |person: u32| population_keys.map_or("", |k| k.get(person as usize)).to_string();
            let death = death_dates.map(|c| c.display(row)).unwrap_or_default();
            // Only a date that reads as one is offered for the register; text such as
            // "không rõ" is quoted in the message, for the officer to look up.
            let readable = death_dates.is_some_and(|c| !c.get(row).is_invalid());
            // Built only for a record that gets a finding.
            let death_text = || {
                if readable {
                    death.clone()
                } else {
                    format!("\"{death}\" (không đọc được là ngày)")
                }
            };
            let Some(person) = link.person else {
                // Namesakes born the same day: whichever it is, a register record
                // lacks this death, unless one of them already records a death.
                let LinkHow::Ambiguous(rows) = &link.how else {
                    return None;
                };
                if rows.iter().any(|&r| ctx.facts.death_recorded[r as usize]) {
                    return None;
                }
                let keys: Vec<String> = rows.iter().map(|&r| key_of(r)).collect();
                let mut hit = Hit::row(
                    row,
                    "death_date".to_string(),
                    format!(
                        "Khai tử {} ngày mất {}; không có/không khớp số định danh, khớp ngang nhau {} hồ sơ dân cư chưa có ngày mất ({}): xác định đúng người rồi cập nhật ngày mất",
                        table.key(row),
                        death_text(),
                        keys.len(),
                        keys.join(", ")
                    ),
                );
                if readable {
                    hit.suggestion = death;
                }
                hit.related = keys;
                return Some(hit);
            };
            if ctx.facts.death_recorded[person as usize] {
                return None;
            }
            let key = key_of(person);
            let person = person as usize;
            let how = match &link.how {
                LinkHow::ExactId => "khớp số định danh".to_string(),
                LinkHow::Fuzzy(evidence) => format!("không có/không khớp số định danh; {}", evidence.describe()),
                _ => String::new(),
            };
            let mut hit = Hit::row(
                row,
                "death_date".to_string(),
                format!(
                    "Khai tử {} ngày mất {}; hồ sơ dân cư {key} ({}, sinh {}) chưa có ngày mất [{how}]",
                    table.key(row),
                    death_text(),
                    names.map_or("", |n| n.text.get(person)),
                    births.map(|b| b.display(person)).unwrap_or_default(),
                ),
            );
            if readable {
                hit.suggestion = death;
            }
            // The person's other registrations that lack the death as well.
            hit.related = std::iter::once(key)
                .chain(
                    link.also
                        .iter()
                        .filter(|&&other| !ctx.facts.death_recorded[other as usize])
                        .map(|&other| key_of(other)),
                )
                .collect();
            hit.person_row = Some(person as u32);
            Some(hit)
        })
        .collect()
}
