//! Ground truth: the rows of `truth.csv`, and the population rules applied to the
//! rendered rows exactly as SPEC §4 states them.

use std::collections::HashSet;

use super::dates::{age_on, parse_date, PDate, Ymd};
use super::names::{fold, fold_compact};
use super::people::{ETHNICITIES, RENEWAL_AGES};
use super::render::{col, id_malformed, id_value, known_ppp, province_code, PopRow};

/// One expected finding.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct TruthRow {
    /// Rule id.
    pub rule: &'static str,
    /// Dataset of the record.
    pub dataset: &'static str,
    /// Record key.
    pub key: String,
    /// Related record keys, sorted, `;`-separated.
    pub related: String,
}

impl TruthRow {
    /// A row with related keys (sorted here).
    pub(super) fn new(
        rule: &'static str,
        dataset: &'static str,
        key: String,
        mut related: Vec<String>,
    ) -> TruthRow {
        related.sort();
        related.dedup();
        TruthRow {
            rule,
            dataset,
            key,
            related: related.join(";"),
        }
    }
}

/// Reference values the population rules check against.
pub(super) struct Lists {
    ethnicities: HashSet<String>,
    communes: HashSet<String>,
    /// Run date.
    pub as_of: Ymd,
}

impl Lists {
    /// The lists for a run.
    pub(super) fn new(communes: &HashSet<String>, as_of: Ymd) -> Lists {
        let mut ethnicities: HashSet<String> =
            ETHNICITIES.iter().map(|e| fold_compact(e)).collect();
        // Accepted other names of the same groups that the generator writes.
        for alias in ["Việt", "Khơ Me", "Khmer Krôm", "H'Mông"] {
            ethnicities.insert(fold_compact(alias));
        }
        Lists {
            ethnicities,
            communes: communes.clone(),
            as_of,
        }
    }
}

/// What the household and duplicate-ID rules need from one row.
#[derive(Clone, Copy, Debug)]
pub(super) struct RowFacts {
    /// Household number parsed from `H0000123` (0 when blank or unparsable).
    pub household: u32,
    /// The relation names the head.
    pub head: bool,
    /// Key of the trimmed person_id (0 when blank).
    pub id_key: u64,
}

/// Gender of a written value: 0 male, 1 female, None otherwise.
pub(super) fn parse_gender(text: &str) -> Option<u8> {
    match fold(text).as_str() {
        "nam" => Some(0),
        "nu" => Some(1),
        _ => None,
    }
}

/// Completed years on `on` for the latest/earliest birth day of a partial date.
fn age_range(birth: PDate, on: Ymd) -> (i32, i32) {
    (age_on(birth.latest(), on), age_on(birth.earliest(), on))
}

/// The renewal age at which a card issued at `issue` to someone born on `birth` falls
/// due, if ever (a card issued within two years before a renewal age stays valid until
/// the next one).
pub(super) fn due_age(birth: Ymd, issue: Ymd) -> Option<i32> {
    let issue_age = age_on(birth, issue);
    RENEWAL_AGES.iter().copied().find(|&r| issue_age < r - 2)
}

/// Is the card expired on `as_of` for birth day `birth`?
fn expired_for(birth: Ymd, issue: Ymd, as_of: Ymd) -> bool {
    match due_age(birth, issue) {
        Some(r) => age_on(birth, as_of) >= r,
        None => false,
    }
}

/// Candidate birth days within a partial date where the expiry outcome can change:
/// the range ends and the days around the issue and run-date anniversaries.
fn critical_days(birth: PDate, issue: Ymd, as_of: Ymd) -> Vec<Ymd> {
    let (lo, hi) = (birth.earliest(), birth.latest());
    let mut out = vec![lo, hi];
    for year in lo.y..=hi.y {
        for anchor in [issue, as_of] {
            let d = Ymd::new(year.into(), anchor.m.into(), anchor.d.into());
            if d.is_valid() {
                for candidate in [d, d.add_days(1), d.add_days(-1)] {
                    if candidate >= lo && candidate <= hi {
                        out.push(candidate);
                    }
                }
            }
        }
    }
    out
}

/// Apply the single-row population rules to a rendered row; `registered_death` tells
/// whether the deaths dataset holds a registration for the person.
pub(super) fn check_population(
    row: &PopRow,
    lists: &Lists,
    registered_death: bool,
    out: &mut Vec<TruthRow>,
) -> RowFacts {
    let f = &row.f;
    let key = || f[col::RECORD_ID].clone();
    let as_of = lists.as_of;
    let birth_text = f[col::BIRTH_DATE].trim();
    let birth = parse_date(birth_text);
    let gender_text = f[col::GENDER].trim();
    let gender = parse_gender(gender_text);
    let death = parse_date(&f[col::DEATH]);
    let death_text = f[col::DEATH].trim();
    // Birth plausibility: not in the future, not older than 120 (at death if dead).
    let (birth_ok, birth_invalid) = match birth {
        None => (false, !birth_text.is_empty()),
        Some(b) => {
            let until = death
                .map(|d| d.latest())
                .filter(|&d| d <= as_of)
                .unwrap_or(as_of);
            let plausible = b.earliest() <= as_of && age_on(b.earliest(), until) <= 120;
            (plausible, !plausible)
        }
    };
    let birth_year = birth.filter(|_| birth_ok).map(|b| b.y);
    // DUNG.ID_STRUCTURE
    let id_text = f[col::PERSON_ID].trim();
    if !id_text.is_empty() && id_malformed(id_text, birth_year, gender) {
        out.push(TruthRow::new(
            "DUNG.ID_STRUCTURE",
            "population",
            key(),
            Vec::new(),
        ));
    }
    // DUNG.ID_BIRTH_PROVINCE
    if let (Some(value), Some(birth_code)) = (
        id_value(id_text, birth_year, gender),
        province_code(&f[col::BIRTH_PROVINCE]),
    ) {
        let ppp = (value / 1_000_000_000) as u32;
        if known_ppp(ppp) && ppp != u32::from(birth_code) {
            out.push(TruthRow::new(
                "DUNG.ID_BIRTH_PROVINCE",
                "population",
                key(),
                Vec::new(),
            ));
        }
    }
    // DUNG.INVALID_VALUE: one finding whatever the number of bad fields.
    let mut invalid = birth_invalid;
    let in_list = |text: &str, ok: &dyn Fn(&str) -> bool| text.trim().is_empty() || ok(text);
    invalid |= !in_list(&f[col::ETHNICITY], &|t| {
        lists.ethnicities.contains(&fold_compact(t))
    });
    invalid |= !in_list(&f[col::NATIONALITY], &|t| fold_compact(t) == "vietnam");
    invalid |= !in_list(gender_text, &|_| gender.is_some());
    invalid |= !in_list(&f[col::RESIDENCE], &|t| {
        matches!(fold_compact(t).as_str(), "thuongtru" | "tamtru")
    });
    invalid |= !in_list(&f[col::BIRTH_PROVINCE], &|t| province_code(t).is_some());
    invalid |= !in_list(&f[col::COMMUNE], &|t| lists.communes.contains(t.trim()));
    for (text, value) in [
        (death_text, death),
        (f[col::CARD].trim(), parse_date(&f[col::CARD])),
    ] {
        if text.is_empty() {
            continue;
        }
        match value {
            None => invalid = true,
            Some(d) => {
                if d.earliest() > as_of || birth.is_some_and(|b| d.latest() < b.earliest()) {
                    invalid = true;
                }
            }
        }
    }
    if invalid {
        out.push(TruthRow::new(
            "DUNG.INVALID_VALUE",
            "population",
            key(),
            Vec::new(),
        ));
    }
    // DU.MISSING_FIELD
    const REQUIRED: [usize; 10] = [
        col::PERSON_ID,
        col::FULL_NAME,
        col::BIRTH_DATE,
        col::GENDER,
        col::BIRTH_PROVINCE,
        col::ETHNICITY,
        col::NATIONALITY,
        col::COMMUNE,
        col::HOUSEHOLD,
        col::RELATION,
    ];
    if REQUIRED.iter().any(|&c| f[c].trim().is_empty()) {
        out.push(TruthRow::new(
            "DU.MISSING_FIELD",
            "population",
            key(),
            Vec::new(),
        ));
    }
    // SONG rules: alive = no death date and no registered death.
    let alive = death_text.is_empty() && !registered_death;
    if let (true, true, Some(b)) = (alive, birth_ok, birth) {
        let card_text = f[col::CARD].trim();
        if card_text.is_empty() {
            if age_range(b, as_of).0 >= 14 {
                out.push(TruthRow::new(
                    "SONG.NO_ID_CARD",
                    "population",
                    key(),
                    Vec::new(),
                ));
            }
        } else if let Some(issue) = parse_date(card_text).filter(|d| d.is_full()) {
            let issue = issue.earliest();
            if issue <= as_of && issue >= b.earliest() {
                let days = critical_days(b, issue, as_of);
                let outcomes: Vec<bool> =
                    days.iter().map(|&d| expired_for(d, issue, as_of)).collect();
                if outcomes.iter().all(|&e| e) {
                    out.push(TruthRow::new(
                        "SONG.CARD_EXPIRED",
                        "population",
                        key(),
                        Vec::new(),
                    ));
                }
            }
        }
    }
    let household = f[col::HOUSEHOLD]
        .trim()
        .strip_prefix('H')
        .and_then(|n| n.parse::<u32>().ok())
        .unwrap_or(0);
    let head = fold_compact(&f[col::RELATION]) == "chuho";
    let id_key = if id_text.is_empty() {
        0
    } else if id_text.len() == 12 && id_text.bytes().all(|b| b.is_ascii_digit()) {
        id_text.parse::<u64>().unwrap_or(0) + 1
    } else {
        super::rng::mix(0x1d, fnv(id_text)) | (1 << 63)
    };
    RowFacts {
        household,
        head,
        id_key,
    }
}

fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Household rules over all rows: no head, or more than one.
pub(super) fn household_rules(facts: &[RowFacts], out: &mut Vec<TruthRow>) {
    let max = facts.iter().map(|f| f.household).max().unwrap_or(0) as usize;
    let mut members = vec![0u32; max + 1];
    let mut heads = vec![0u32; max + 1];
    for f in facts {
        if f.household == 0 {
            continue;
        }
        members[f.household as usize] += 1;
        if f.head {
            heads[f.household as usize] += 1;
        }
    }
    let flagged = |h: usize| members[h] > 0 && heads[h] != 1;
    let mut related: std::collections::HashMap<u32, Vec<String>> = std::collections::HashMap::new();
    // Related keys: every member when there is no head, the competing heads otherwise.
    for (i, f) in facts.iter().enumerate() {
        let h = f.household as usize;
        if f.household != 0 && flagged(h) && (heads[h] == 0 || f.head) {
            related
                .entry(f.household)
                .or_default()
                .push(format!("P{:09}", i + 1));
        }
    }
    for h in (1..=max).filter(|&h| flagged(h)) {
        let key = format!("H{h:07}");
        let rule = if heads[h] == 0 {
            "DU.HOUSEHOLD_NO_HEAD"
        } else {
            "DUNG.HOUSEHOLD_MULTI_HEAD"
        };
        let keys = related.remove(&(h as u32)).unwrap_or_default();
        out.push(TruthRow::new(rule, "population", key, keys));
    }
}

/// SACH.DUP_ID: one row per record whose ID another record carries too.
pub(super) fn duplicate_ids(facts: &[RowFacts], out: &mut Vec<TruthRow>) {
    let mut keys: Vec<(u64, u32)> = facts
        .iter()
        .enumerate()
        .filter(|(_, f)| f.id_key != 0)
        .map(|(i, f)| (f.id_key, i as u32))
        .collect();
    keys.sort_unstable();
    let mut i = 0;
    while i < keys.len() {
        let mut j = i + 1;
        while j < keys.len() && keys[j].0 == keys[i].0 {
            j += 1;
        }
        if j - i > 1 {
            let group: Vec<String> = keys[i..j]
                .iter()
                .map(|(_, r)| format!("P{:09}", r + 1))
                .collect();
            for (k, key) in group.iter().enumerate() {
                let related: Vec<String> = group
                    .iter()
                    .enumerate()
                    .filter(|(m, _)| *m != k)
                    .map(|(_, s)| s.clone())
                    .collect();
                out.push(TruthRow::new(
                    "SACH.DUP_ID",
                    "population",
                    key.clone(),
                    related,
                ));
            }
        }
        i = j;
    }
}
