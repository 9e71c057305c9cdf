//! Identity matching, shared by every stage that must find "the same person" in the
//! register: exact join on the personal ID, candidate search by blocking keys for
//! records without a usable ID, and scoring of candidates on the evidence (folded
//! name similarity, birth date at the coarser precision, gender, commune, ID typos)
//! with weights and thresholds from the rule pack's `[matching]` table.

pub mod crossmatch;
pub mod deaths;
pub mod dedup;
pub mod index;
pub mod legacy;
pub mod similarity;

use std::collections::BTreeMap;

use crate::model::{DictColumn, Gender, NameColumn, PartialDate, Precision, Table};
use crate::normalize::id::IdProblems;
use crate::normalize::text::{diacritics_conflict, names_agree, names_agree_but_i_y, same_letters};
use crate::rules::facts::PopulationFacts;
use crate::rules::types::MatchingDef;
use index::{blocking_keys, BlockingIndex, IdTable};
use similarity::{is_id_typo, name_similarity};

/// Default weight of living in the record's commune: below the default ambiguity
/// margin, so that it never alone makes one of two namesakes "the" person.
pub const COMMUNE_AGREE: f64 = 0.5;

/// Weights of the evidence (from `[matching.weights]`, defaults below).
#[derive(Debug, Clone)]
pub struct Weights {
    /// Name similarity floor.
    pub name_threshold: f64,
    /// Score to accept.
    pub accept_score: f64,
    /// Margin within which two candidates are equally good.
    pub ambiguity_margin: f64,
    name_exact: f64,
    name_similar: f64,
    birth_day: f64,
    birth_month: f64,
    birth_year: f64,
    birth_conflict: f64,
    gender_agree: f64,
    gender_conflict: f64,
    commune_agree: f64,
    id_typo: f64,
}

impl Weights {
    /// A warning when living in the record's commune outweighs the ambiguity margin:
    /// the commune alone would then pick one of two namesakes born the same day
    /// instead of reporting them as ambiguous (a rule folder copied before the
    /// shipped value went below the margin).
    pub fn tie_break_warning(&self) -> Option<String> {
        (self.commune_agree >= self.ambiguity_margin).then(|| {
            format!(
                "rules: [matching.weights] commune_agree = {} is not below ambiguity_margin = {}: the record's commune alone picks one of two namesakes born the same day instead of reporting AMBIGUOUS (the shipped matching.toml has {COMMUNE_AGREE})",
                self.commune_agree, self.ambiguity_margin
            )
        })
    }

    /// From the rule pack's matching settings.
    pub fn from_def(def: &MatchingDef) -> Weights {
        let w = |name: &str, default: f64| def.weights.get(name).copied().unwrap_or(default);
        Weights {
            name_threshold: def.name_threshold,
            accept_score: def.accept_score,
            ambiguity_margin: def.ambiguity_margin,
            name_exact: w("name_exact", 3.0),
            name_similar: w("name_similar", 2.0),
            birth_day: w("birth_date_day", 3.0),
            birth_month: w("birth_date_month", 2.0),
            birth_year: w("birth_date_year", 1.0),
            birth_conflict: w("birth_date_conflict", -6.0),
            gender_agree: w("gender_agree", 0.5),
            gender_conflict: w("gender_conflict", -4.0),
            commune_agree: w("commune_agree", COMMUNE_AGREE),
            id_typo: w("id_typo", 2.0),
        }
    }
}

/// A record looking for its person in the register.
#[derive(Debug, Clone, Copy)]
pub struct Query<'a> {
    /// Full name (NFC).
    pub name: &'a str,
    /// Folded full name.
    pub folded: &'a str,
    /// Birth date.
    pub birth: PartialDate,
    /// Gender, when known.
    pub gender: Option<Gender>,
    /// Commune code, may be empty.
    pub commune: &'a str,
    /// ID number (0 when none or malformed).
    pub id: u64,
}

/// Why a candidate scored what it did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evidence {
    /// Total score.
    pub score: f64,
    /// Folded-name similarity.
    pub name_similarity: f64,
    /// Names agree in the SPEC's sense (case/spacing/Unicode form ignored).
    pub name_exact: bool,
    /// Precision at which the birth dates agree (None: not compared or conflict).
    pub birth: Option<Precision>,
    /// Gender agreement, when both known.
    pub gender: Option<bool>,
    /// Same commune.
    pub commune: bool,
    /// The IDs differ by one typo.
    pub id_typo: bool,
}

impl Evidence {
    /// Vietnamese summary for a finding's detail.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.name_exact {
            parts.push("họ tên trùng khớp".to_string());
        } else {
            parts.push(format!("họ tên giống {:.0}%", self.name_similarity * 100.0));
        }
        match self.birth {
            Some(Precision::Day) => parts.push("ngày sinh khớp".into()),
            Some(Precision::Month) => parts.push("tháng/năm sinh khớp".into()),
            Some(Precision::Year) => parts.push("năm sinh khớp".into()),
            None => {}
        }
        if self.gender == Some(true) {
            parts.push("giới tính khớp".into());
        }
        if self.commune {
            parts.push("cùng xã".into());
        }
        if self.id_typo {
            parts.push("số định danh lệch 1 chữ số/đảo 2 số".into());
        }
        format!("{} (điểm {:.1})", parts.join(", "), self.score)
    }
}

/// A birthday this many times commoner than an ordinary day of the year is a
/// stand-in written when only the year was known (01/01 above all).
const STAND_IN_BIRTHDAY_RATIO: f64 = 3.0;
/// ... and carried by at least this many full dates, so that chance in a small
/// register does not make one.
const STAND_IN_BIRTHDAY_MIN: u32 = 20;

/// Index of a date's day and month in the per-birthday tables (`month << 5 | day`).
fn birthday_slot(birth: PartialDate) -> usize {
    (birth.month() << 5 | birth.day()) as usize
}

/// For every birthday (day and month), how many bits agreeing on a full birth date
/// that falls on it overstates: `log2` of how much commoner it is than an ordinary
/// day, where that is at least [`STAND_IN_BIRTHDAY_RATIO`]; 0 elsewhere. Where
/// people born in an unknown month are registered on 01/01 of their year, two
/// namesakes "born on 01/01/1982" agree on little more than the year (the
/// term-frequency adjustment a linkage tool makes on dates).
fn stand_in_birthdays(births: impl rayon::iter::ParallelIterator<Item = PartialDate>) -> Vec<f64> {
    use rayon::prelude::*;
    let slots = 13 << 5;
    let counts = births
        .filter(|birth| birth.precision() == Some(Precision::Day))
        .fold(
            || vec![0u32; slots],
            |mut counts, birth| {
                if let Some(slot) = counts.get_mut(birthday_slot(birth)) {
                    *slot += 1;
                }
                counts
            },
        )
        .reduce(
            || vec![0u32; slots],
            |mut a, b| {
                a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
                a
            },
        );
    let total: u32 = counts.iter().sum();
    let per_day = f64::from(total) / 365.2425;
    counts
        .iter()
        .enumerate()
        .map(|(slot, &count)| {
            // 29 February comes once in four years.
            let expected = if slot == (2 << 5 | 29) {
                per_day / 4.0
            } else {
                per_day
            };
            let ratio = f64::from(count) / expected.max(1e-9);
            if count >= STAND_IN_BIRTHDAY_MIN && ratio >= STAND_IN_BIRTHDAY_RATIO {
                ratio.log2()
            } else {
                0.0
            }
        })
        .collect()
}

/// The register prepared for matching.
pub struct PersonIndex<'a> {
    /// The register.
    pub table: &'a Table,
    names: Option<&'a NameColumn>,
    births: &'a [PartialDate],
    genders: &'a [Option<Gender>],
    communes: Option<&'a DictColumn>,
    /// ID number per row.
    pub ids: &'a [u64],
    /// What is wrong with each row's ID (`DUNG.ID_STRUCTURE`'s reading).
    pub id_problems: &'a [IdProblems],
    /// The register row itself records a death.
    death_recorded: &'a [bool],
    /// ID → rows.
    pub id_table: IdTable,
    /// Blocking passes.
    pub blocking: BlockingIndex,
    /// Blocking keys per row (kept for dedup).
    pub keys: Vec<[u64; index::PASSES]>,
    /// Weights.
    pub weights: Weights,
    /// How many register names carry each surname and given name.
    name_words: NameWordCounts,
    /// Per birthday (`month << 5 | day`): bits by which agreeing on it overstates the
    /// evidence (see [`stand_in_birthdays`]).
    birthday_excess: Vec<f64>,
}

/// Carriers per folded word, by the word's hash.
type WordCounts = hashbrown::HashMap<u64, u32, crate::ingest::columns::QuickBuild>;

/// How many people of the register carry each surname and each given name (folded,
/// by hash), to tell another person's name from a mistyped one: two surnames (or two
/// given names) that many people carry are two names, however few letters apart
/// (Phan / Phạm, Lê / Lý, Hùng / Dũng); a misspelling is carried by few.
struct NameWordCounts {
    surnames: WordCounts,
    given: WordCounts,
    /// Carriers from which a word counts as a name in its own right.
    common: u32,
}

impl NameWordCounts {
    fn build(names: Option<&NameColumn>, rows: usize) -> NameWordCounts {
        use rayon::prelude::*;
        type Counts = (WordCounts, WordCounts);
        let add = |mut counts: Counts, row: usize| {
            let folded = names.map_or("", |n| n.folded.get(row));
            let (surname, _, given) = similarity::split_name(folded);
            if !surname.is_empty() {
                *counts.0.entry(word_hash(surname)).or_insert(0) += 1;
            }
            if !given.is_empty() {
                *counts.1.entry(word_hash(given)).or_insert(0) += 1;
            }
            counts
        };
        let merge = |mut a: Counts, b: Counts| {
            for (word, count) in b.0 {
                *a.0.entry(word).or_insert(0) += count;
            }
            for (word, count) in b.1 {
                *a.1.entry(word).or_insert(0) += count;
            }
            a
        };
        // A sample of evenly spaced rows tells common names from rare spellings as
        // well as the whole register, at a fraction of the cost on a large one.
        let step = rows.div_ceil(SAMPLED_NAMES).max(1);
        let sampled = rows.div_ceil(step);
        let (surnames, given) = (0..sampled)
            .into_par_iter()
            .map(|i| i * step)
            .fold(Counts::default, add)
            .reduce(Counts::default, merge);
        NameWordCounts {
            surnames,
            given,
            common: (sampled / 100_000).max(3) as u32,
        }
    }

    /// Are `a` and `b` (folded words, different) both names many people carry?
    fn both_common(&self, counts: &WordCounts, a: &str, b: &str) -> bool {
        let count = |word: &str| counts.get(&word_hash(word)).copied().unwrap_or(0);
        count(a) >= self.common && count(b) >= self.common
    }
}

/// Register rows whose names are counted for [`NameWordCounts`].
const SAMPLED_NAMES: usize = 250_000;

fn word_hash(word: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(word.as_bytes())
}

/// How a query was resolved.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolution {
    /// One person is clearly the best.
    Unique(u32, Evidence),
    /// Several equally good candidates (rows sorted).
    Ambiguous(Vec<u32>, f64),
    /// Nobody scores enough.
    NoMatch,
}

impl<'a> PersonIndex<'a> {
    /// Prepare the register.
    pub fn build(table: &'a Table, facts: &'a PopulationFacts, def: &MatchingDef) -> Self {
        let names = table.name_column("full_name");
        let births: &[PartialDate] = table.date("birth_date").map_or(&[], |c| &c.values);
        let keys: Vec<[u64; index::PASSES]> = {
            use rayon::prelude::*;
            (0..table.rows)
                .into_par_iter()
                .map(|row| {
                    let folded = names.map_or("", |n| n.folded.get(row));
                    let birth = births.get(row).copied().unwrap_or_default();
                    blocking_keys(folded, birth)
                })
                .collect()
        };
        // The ID table is built on one thread (random writes into one table), so it
        // runs beside the blocking passes, whose sorts use the other threads.
        let (id_table, blocking) = rayon::join(
            || IdTable::build(&facts.id_value),
            || BlockingIndex::build(&keys),
        );
        PersonIndex {
            table,
            names,
            births,
            genders: &facts.gender,
            communes: table.dict("commune_code"),
            ids: &facts.id_value,
            id_problems: &facts.id_problems,
            death_recorded: &facts.death_recorded,
            id_table,
            blocking,
            keys,
            weights: Weights::from_def(def),
            name_words: NameWordCounts::build(names, table.rows),
            birthday_excess: {
                use rayon::prelude::*;
                stand_in_birthdays(births.par_iter().copied())
            },
        }
    }

    /// Are two names that fuzzy similarity finds close nevertheless two people's?
    /// Per SPEC §4 names whose diacritics differ disagree (Hùng / Hưng); a surname
    /// more than one edit away (Trần / Đặng), or a surname or given name that is another
    /// common name (Phan / Phạm, Hùng / Dũng), is no typo. A regional surname (Huỳnh / Hoàng) and a rare spelling (a typo) are left
    /// to the similarity score.
    fn names_conflict(&self, name_a: &str, folded_a: &str, name_b: &str, folded_b: &str) -> bool {
        if folded_a == folded_b {
            // Equal folded, yet not agreeing: only the diacritics differ.
            return true;
        }
        let (surname_a, _, given_a) = similarity::split_name(folded_a);
        let (surname_b, _, given_b) = similarity::split_name(folded_b);
        let words = &self.name_words;
        // A mistyped surname is one edit from the right one; more is another family.
        let surnames_differ = |x: &str, y: &str| {
            similarity::canonical_surname(x) != similarity::canonical_surname(y)
                && (!similarity::edit_distance_at_most_one(x.as_bytes(), y.as_bytes())
                    || words.both_common(&words.surnames, x, y))
        };
        // A word written before the name ("Ông", "Bà", a title) pushes the surname
        // along: the longer name's second word is then the one to compare.
        fn second_word(folded: &str) -> &str {
            folded.split(' ').nth(1).unwrap_or("")
        }
        let (words_a, words_b) = (folded_a.split(' ').count(), folded_b.split(' ').count());
        let shifted = match words_a.cmp(&words_b) {
            std::cmp::Ordering::Greater => !surnames_differ(second_word(folded_a), surname_b),
            std::cmp::Ordering::Less => !surnames_differ(surname_a, second_word(folded_b)),
            std::cmp::Ordering::Equal => false,
        };
        let surname_conflict = !surname_a.is_empty()
            && !surname_b.is_empty()
            && surnames_differ(surname_a, surname_b)
            && !shifted;
        let given_conflict =
            given_a != given_b && words.both_common(&words.given, given_a, given_b);
        surname_conflict || given_conflict || diacritics_conflict(name_a, name_b)
    }

    /// Does the register row itself record a death?
    pub fn death_recorded(&self, row: u32) -> bool {
        self.death_recorded
            .get(row as usize)
            .copied()
            .unwrap_or(false)
    }

    /// The row's record key (empty when the register has none).
    pub fn key(&self, row: u32) -> &str {
        self.table.keys().map_or("", |k| k.get(row as usize))
    }

    /// The row's register ID is missing or malformed, not just stripped of its leading
    /// zeros (which join padded).
    pub fn id_broken(&self, row: u32) -> bool {
        let problems = self
            .id_problems
            .get(row as usize)
            .copied()
            .unwrap_or_default();
        let empty = problems.is_ok() && self.ids.get(row as usize).is_none_or(|&id| id == 0);
        empty || !(problems.is_ok() || problems.has(IdProblems::LOST_LEADING_ZEROS))
    }

    /// Full name (NFC) of a row.
    pub fn name(&self, row: u32) -> &str {
        self.names.map_or("", |n| n.text.get(row as usize))
    }

    /// Folded name of a row.
    pub fn folded(&self, row: u32) -> &str {
        self.names.map_or("", |n| n.folded.get(row as usize))
    }

    /// Hint for a row about to be compared, some rows ahead: its name's end, birth
    /// date, gender and ID. [`PersonIndex::prefetch_near`] follows, fewer rows ahead.
    #[inline]
    pub fn prefetch_far(&self, row: u32) {
        use crate::model::memory::prefetch;
        let row = row as usize;
        if let Some(names) = self.names {
            names.folded.prefetch_end(row);
        }
        prefetch(self.births, row);
        prefetch(self.genders, row);
        prefetch(self.ids, row);
    }

    /// Hint for a row about to be compared, a few rows ahead: its folded name's text.
    #[inline]
    pub fn prefetch_near(&self, row: u32) {
        if let Some(names) = self.names {
            names.folded.prefetch_text(row as usize);
        }
    }

    /// Birth date of a row.
    pub fn birth(&self, row: u32) -> PartialDate {
        self.births.get(row as usize).copied().unwrap_or_default()
    }

    /// Bits by which agreeing on the full date `birth` overstates the evidence: 0 but
    /// for a stand-in birthday of this register (see [`stand_in_birthdays`]).
    pub fn birthday_excess(&self, birth: PartialDate) -> f64 {
        if birth.precision() != Some(Precision::Day) {
            return 0.0;
        }
        self.birthday_excess
            .get(birthday_slot(birth))
            .copied()
            .unwrap_or(0.0)
    }

    /// `birth` as it compares with another date: a full date on this register's
    /// stand-in birthday (01/01 where the day of birth was not known) is only its year.
    pub fn compared_birth(&self, birth: PartialDate) -> PartialDate {
        if self.birthday_excess(birth) > 0.0 {
            birth.truncate(Precision::Year)
        } else {
            birth
        }
    }

    /// Two birth dates as they compare: a stand-in full date against another date is
    /// only its year (01/01/1964 against 03/09/1964 agrees on 1964); two equal dates
    /// stay as they are.
    pub fn comparable_births(&self, a: PartialDate, b: PartialDate) -> (PartialDate, PartialDate) {
        if a == b {
            return (a, b);
        }
        (self.compared_birth(a), self.compared_birth(b))
    }

    /// Gender of a row.
    pub fn gender(&self, row: u32) -> Option<Gender> {
        self.genders.get(row as usize).copied().flatten()
    }

    /// Commune code of a row.
    pub fn commune(&self, row: u32) -> &str {
        self.communes.map_or("", |c| c.get(row as usize))
    }

    /// Score `row` as the person of `query`; `None` when the name is too different, or
    /// when the score cannot reach `floor` whatever the names.
    ///
    /// Birth date, gender, commune and ID are scored first: they are cheap, and in a
    /// large name + year block most candidates have another birth date, whose conflict
    /// alone keeps them below the floor, so their names are never compared. The score
    /// is summed in the same order either way, so it does not depend on the floor.
    pub fn score(&self, query: &Query<'_>, row: u32, floor: f64) -> Option<Evidence> {
        let w = &self.weights;
        let (query_birth, row_birth) = self.comparable_births(query.birth, self.birth(row));
        let (birth, birth_score) = match query_birth.agrees_with(row_birth) {
            Some(true) => {
                let precision = query_birth
                    .precision()
                    .min(row_birth.precision())
                    .unwrap_or(Precision::Year);
                let points = match precision {
                    Precision::Day => w.birth_day,
                    Precision::Month => w.birth_month,
                    Precision::Year => w.birth_year,
                };
                (Some(precision), points)
            }
            Some(false) => (None, w.birth_conflict),
            None => (None, 0.0),
        };
        let (gender, gender_score) = match (query.gender, self.gender(row)) {
            (Some(a), Some(b)) => (
                Some(a == b),
                if a == b {
                    w.gender_agree
                } else {
                    w.gender_conflict
                },
            ),
            _ => (None, 0.0),
        };
        let commune = !query.commune.is_empty() && query.commune == self.commune(row);
        let commune_score = if commune { w.commune_agree } else { 0.0 };
        let id_typo = query.id != 0 && is_id_typo(query.id, self.ids[row as usize]);
        let id_score = if id_typo { w.id_typo } else { 0.0 };
        let best_name = w
            .name_exact
            .max(w.name_similar)
            .max(w.name_similar * w.name_threshold);
        // A margin far above rounding error keeps the shortcut from ever dropping a
        // candidate the full sum would have kept.
        if best_name + birth_score + gender_score + commune_score + id_score < floor - 1e-9 {
            return None;
        }
        let folded = self.folded(row);
        // Lí / Lý, Mĩ / Mỹ: the same name in the other spelling in use.
        let spelling = names_agree_but_i_y(query.name, query.folded, self.name(row), folded);
        let similarity = if spelling {
            1.0
        } else {
            name_similarity(query.folded, folded)
        };
        if similarity < w.name_threshold {
            return None;
        }
        let exact = spelling
            || (query.folded == folded || same_letters(query.folded, folded))
                && names_agree(query.name, query.folded, self.name(row), folded);
        if !exact && self.names_conflict(query.name, query.folded, self.name(row), folded) {
            return None;
        }
        let mut score = if exact {
            w.name_exact
        } else {
            w.name_similar * similarity
        };
        score += birth_score;
        score += gender_score;
        score += commune_score;
        score += id_score;
        Some(Evidence {
            score,
            name_similarity: similarity,
            name_exact: exact,
            birth,
            gender,
            commune,
            id_typo,
        })
    }

    /// Candidates from the blocking passes.
    pub fn candidates(&self, query: &Query<'_>, out: &mut Vec<u32>) {
        let keys = blocking_keys(query.folded, query.birth);
        self.blocking.candidates(&keys, out);
    }

    /// Find the person of `query` among `candidates` (plus the blocking candidates when
    /// `search` is set). `accept` filters candidates further (e.g. "birth date must
    /// agree"). Returns the resolution and the number of pairs scored.
    pub fn resolve(
        &self,
        query: &Query<'_>,
        extra: &[u32],
        accept: &dyn Fn(&Evidence) -> bool,
    ) -> (Resolution, usize) {
        let mut candidates = Vec::new();
        self.candidates(query, &mut candidates);
        candidates.extend_from_slice(extra);
        candidates.sort_unstable();
        candidates.dedup();
        let mut scored: Vec<(f64, u32, Evidence)> = candidates
            .iter()
            .filter_map(|&row| {
                let evidence = self.score(query, row, self.weights.accept_score)?;
                (evidence.score >= self.weights.accept_score && accept(&evidence)).then_some((
                    evidence.score,
                    row,
                    evidence,
                ))
            })
            .collect();
        let compared = candidates.len();
        if scored.is_empty() {
            return (Resolution::NoMatch, compared);
        }
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let best = scored[0].0;
        let close: Vec<u32> = scored
            .iter()
            .take_while(|s| best - s.0 < self.weights.ambiguity_margin)
            .map(|s| s.1)
            .collect();
        if close.len() > 1 {
            let mut rows = close;
            rows.sort_unstable();
            return (Resolution::Ambiguous(rows, best), compared);
        }
        (Resolution::Unique(scored[0].1, scored[0].2), compared)
    }
}

/// Results of all matching, read by the rules.
#[derive(Default)]
pub struct Links {
    /// Per row of `deaths`: the linked register row and how.
    pub deaths: Vec<deaths::DeathLink>,
    /// Per register row: death date known from the register or a linked registration.
    pub death_date: Vec<PartialDate>,
    /// Per row of `legacy_id`.
    pub legacy: Vec<legacy::LegacyOutcome>,
    /// Per sector dataset.
    pub sectors: BTreeMap<String, crossmatch::SectorMatches>,
    /// Duplicate-person clusters.
    pub duplicates: dedup::Duplicates,
    /// Candidate pairs scored, per stage.
    pub pairs: BTreeMap<String, u64>,
    /// Seconds per matching stage.
    pub seconds: BTreeMap<String, f64>,
}

/// The identity columns of a dataset, looked up once, to build queries per row.
pub struct QueryColumns<'t> {
    names: Option<&'t NameColumn>,
    births: Option<&'t crate::model::DateColumn>,
    communes: Option<&'t DictColumn>,
    /// Gender per row.
    pub genders: Vec<Option<Gender>>,
}

impl<'t> QueryColumns<'t> {
    /// Look up the columns of `table`.
    pub fn new(table: &'t Table) -> Self {
        QueryColumns {
            names: table.name_column("full_name"),
            births: table.date("birth_date"),
            communes: table.dict("commune_code"),
            genders: crate::rules::facts::genders(table),
        }
    }

    /// The birth date of `row` as written, when it is not empty and does not read as
    /// a date (`31/02/1974`, `không rõ`).
    pub fn unreadable_birth(&self, row: usize) -> Option<String> {
        let births = self.births?;
        births.get(row).is_invalid().then(|| births.display(row))
    }

    /// The query for `row`, with ID number `id`.
    pub fn query(&self, row: usize, id: u64) -> Query<'t> {
        Query {
            name: self.names.map_or("", |n| n.text.get(row)),
            folded: self.names.map_or("", |n| n.folded.get(row)),
            birth: self.births.map_or(PartialDate::EMPTY, |c| c.get(row)),
            gender: self.genders.get(row).copied().flatten(),
            commune: self.communes.map_or("", |c| c.get(row)),
            id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rayon::prelude::*;

    fn birthday_bits(births: &[PartialDate], month: u32, day: u32) -> f64 {
        stand_in_birthdays(births.par_iter().copied())[(month << 5 | day) as usize]
    }

    #[test]
    fn only_a_birthday_far_commoner_than_the_rest_is_a_stand_in() {
        // Every day of 1980 to 1989 once: nothing stands out.
        let even: Vec<PartialDate> = (0..3652)
            .filter_map(|d| {
                let date = chrono::NaiveDate::from_ymd_opt(1980, 1, 1)? + chrono::Duration::days(d);
                Some(PartialDate::from_naive(date))
            })
            .collect();
        assert!(stand_in_birthdays(even.par_iter().copied())
            .iter()
            .all(|&bits| bits == 0.0));
        // Then a tenth of them again on 01/01 of their year: 01/01 is about 37 times
        // commoner than a day, 5.2 bits; 02/01 is untouched, as are year-only dates.
        let mut placeholders = even.clone();
        for d in 0..365 {
            placeholders.push(PartialDate::ymd(1980 + d % 10, 1, 1).unwrap());
            placeholders.push(PartialDate::year_only(1980 + d % 10).unwrap());
        }
        let bits = birthday_bits(&placeholders, 1, 1);
        assert!((5.0..5.4).contains(&bits), "{bits}");
        assert_eq!(birthday_bits(&placeholders, 1, 2), 0.0);
        // Twice as common as a day is not yet a placeholder, nor 19 births on a day.
        let mut twice = even.clone();
        twice.extend(even.iter().filter(|d| d.month() == 1 && d.day() == 1));
        assert_eq!(birthday_bits(&twice, 1, 1), 0.0);
        let few: Vec<PartialDate> = (0..19)
            .map(|_| PartialDate::ymd(1990, 1, 1).unwrap())
            .collect();
        assert_eq!(birthday_bits(&few, 1, 1), 0.0);
    }
}
