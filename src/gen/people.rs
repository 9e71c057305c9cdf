//! People and households of the synthetic register: household composition, ages,
//! names, parents and spouses, birth places, cards, deaths, and personal IDs.

use rayon::prelude::*;

use super::admin::{AdminUnits, PROVINCES};
use super::dates::{age_on, Ymd};
use super::names::{Lexicon, Name, NO_NAME};
use super::rng::{scatter, tag, Rng, Weighted};
use super::GenError;

/// The 54 ethnic groups (canonical names), Kinh first.
pub(super) const ETHNICITIES: &[&str] = &[
    "Kinh",
    "Tày",
    "Thái",
    "Mường",
    "Khmer",
    "Hoa",
    "Nùng",
    "Mông",
    "Dao",
    "Gia Rai",
    "Ê Đê",
    "Ba Na",
    "Sán Chay",
    "Chăm",
    "Cơ Ho",
    "Xơ Đăng",
    "Sán Dìu",
    "Hrê",
    "Ra Glai",
    "Mnông",
    "Thổ",
    "Xtiêng",
    "Khơ Mú",
    "Bru - Vân Kiều",
    "Cơ Tu",
    "Giáy",
    "Tà Ôi",
    "Mạ",
    "Giẻ Triêng",
    "Co",
    "Chơ Ro",
    "Xinh Mun",
    "Hà Nhì",
    "Chu Ru",
    "Lào",
    "Kháng",
    "La Chí",
    "Phù Lá",
    "La Hủ",
    "La Ha",
    "Pà Thẻn",
    "Chứt",
    "Lự",
    "Lô Lô",
    "Mảng",
    "Cờ Lao",
    "Bố Y",
    "Cống",
    "Ngái",
    "Si La",
    "Pu Péo",
    "Brâu",
    "Ơ Đu",
    "Rơ Măm",
];

/// Share (percent) of each ethnicity in the first entries of `ETHNICITIES`; the rest
/// share a small remainder.
const ETHNICITY_WEIGHTS: &[f64] = &[
    92.0, 0.8, 0.7, 0.6, 2.5, 1.5, 0.4, 0.3, 0.2, 0.1, 0.1, 0.08, 0.05, 0.3, 0.05, 0.05,
];

/// Religions as the register writes them.
pub(super) const RELIGIONS: &[&str] = &[
    "Không",
    "Phật giáo",
    "Công giáo",
    "Cao Đài",
    "Phật giáo Hòa Hảo",
    "Tin Lành",
    "Hồi giáo",
    "Bửu Sơn Kỳ Hương",
];

const RELIGION_WEIGHTS: &[f64] = &[70.0, 15.0, 7.0, 4.0, 2.0, 1.0, 0.2, 0.3];

/// Relations to the household head.
pub(super) const RELATIONS: &[&str] = &[
    "Chủ hộ",
    "Vợ",
    "Chồng",
    "Con",
    "Cha",
    "Mẹ",
    "Cháu",
    "Con dâu",
    "Con rể",
    "Khác",
];

/// Relation index of the head.
pub(super) const HEAD: u8 = 0;
const WIFE: u8 = 1;
const HUSBAND: u8 = 2;
/// Relation index of a child.
pub(super) const CHILD: u8 = 3;
const FATHER: u8 = 4;
const MOTHER: u8 = 5;
/// Relation index of a grandchild.
pub(super) const GRANDCHILD: u8 = 6;
const DAUGHTER_IN_LAW: u8 = 7;
const SON_IN_LAW: u8 = 8;

/// Mobile prefixes in use (first three digits after the leading 0).
const PHONE_PREFIXES: &[u64] = &[
    32, 33, 34, 35, 36, 37, 38, 39, 56, 58, 70, 76, 77, 78, 79, 81, 82, 83, 84, 85, 86, 88, 89, 90,
    91, 93, 94, 96, 97, 98,
];

/// Household sizes 1–8 (share, percent).
const HOUSEHOLD_SIZES: &[f64] = &[12.0, 20.0, 22.0, 25.0, 11.0, 6.0, 2.5, 1.5];

/// Population share (percent) by five-year age band 0–4 … 95–99, Vietnam mid-2020s.
const AGE_BANDS: &[f64] = &[
    7.0, 7.8, 7.6, 7.0, 6.8, 7.5, 8.0, 8.0, 7.4, 6.8, 6.2, 5.6, 4.8, 3.9, 2.8, 1.6, 1.0, 0.6, 0.3,
    0.12,
];

/// The death is registered in the deaths dataset but not in the register.
pub(super) const F_DEATH_UNRECORDED: u32 = 1;
/// Temporary residence.
pub(super) const F_TAM_TRU: u32 = 1 << 1;
/// Appears in insurance.
pub(super) const F_INS: u32 = 1 << 2;
/// Appears in tax.
pub(super) const F_TAX: u32 = 1 << 3;
/// Appears in vaccination.
pub(super) const F_VAC: u32 = 1 << 4;
/// Carries a population defect: kept out of every other dataset.
pub(super) const F_POPDEF: u32 = 1 << 5;
/// Has field overrides in the register.
pub(super) const F_OVERRIDE: u32 = 1 << 6;
/// Member of a duplicate-person group.
pub(super) const F_DUP: u32 = 1 << 7;
/// Member of a namesake group (same name, birth date, gender, commune).
pub(super) const F_NAMESAKE: u32 = 1 << 8;
/// Ambiguous-record target in insurance.
pub(super) const F_AMB_INS: u32 = 1 << 9;
/// Ambiguous-record target in tax.
pub(super) const F_AMB_TAX: u32 = 1 << 10;
/// Ambiguous-record target in vaccination.
pub(super) const F_AMB_VAC: u32 = 1 << 11;
/// Industrial-zone worker registered only in another province.
pub(super) const F_IZ: u32 = 1 << 12;
/// Dead with an active insurance card.
pub(super) const F_DA_INS: u32 = 1 << 13;
/// Dead with a vaccination dose after death.
pub(super) const F_DA_VAC: u32 = 1 << 14;
/// Death registration written without person_id.
pub(super) const F_REG_NOID: u32 = 1 << 15;
/// Legacy CMND record exists but the register has no old_id.
pub(super) const F_LEGACY_UNLINKED: u32 = 1 << 16;
/// The record is a second registration of someone (a duplicate copy).
pub(super) const F_DUP_COPY: u32 = 1 << 17;
/// Claimed by some planned defect: not free for another.
pub(super) const F_CLAIMED: u32 = 1 << 18;
/// Holds an old CMND number.
pub(super) const F_OLD_ID: u32 = 1 << 19;
/// Birth date written partially: month precision.
pub(super) const F_BIRTH_MONTH: u32 = 1 << 20;
/// Birth date written partially: year only.
pub(super) const F_BIRTH_YEAR: u32 = 1 << 21;
/// Lives in a household of an extra province.
pub(super) const F_EXTRA: u32 = 1 << 22;
/// Card issue date was changed to an expired one.
pub(super) const F_CARD_DEFECT: u32 = 1 << 23;
/// Dead with a tax code still in the tax register.
// (1 << 24 is `plan::F_UNIQUE`.)
pub(super) const F_DA_TAX: u32 = 1 << 25;

/// One register record.
#[derive(Clone, Debug)]
pub(super) struct Person {
    /// Full name.
    pub name: Name,
    /// Father's name.
    pub father: Name,
    /// Mother's name.
    pub mother: Name,
    /// Spouse's name (empty when none).
    pub spouse: Name,
    /// True birth date.
    pub birth: Ymd,
    /// ID card issue date.
    pub card: Ymd,
    /// Death date.
    pub death: Ymd,
    /// Personal ID as a number (12 digits with leading zeros implied).
    pub id: u64,
    /// Mobile number without the leading 0 (0 when none).
    pub phone: u64,
    /// Old CMND number (0 when none).
    pub old_id: u32,
    /// Household index.
    pub household: u32,
    /// Commune index.
    pub commune: u16,
    /// 0 male, 1 female.
    pub gender: u8,
    /// Two-digit birth province code.
    pub birth_prov: u8,
    /// Index into `ETHNICITIES`.
    pub ethnicity: u8,
    /// Index into `RELIGIONS`.
    pub religion: u8,
    /// Index into `RELATIONS`.
    pub relation: u8,
    /// Hamlet index within the commune.
    pub hamlet: u8,
    /// `F_*` bits.
    pub flags: u32,
}

impl Person {
    /// Is the flag set?
    pub(super) fn has(&self, flag: u32) -> bool {
        self.flags & flag != 0
    }

    /// Is the person alive as far as anyone knows (no death at all)?
    pub(super) fn alive(&self) -> bool {
        self.death.is_none()
    }

    /// Is the birth date written with the day?
    pub(super) fn full_birth(&self) -> bool {
        !self.has(F_BIRTH_MONTH | F_BIRTH_YEAR)
    }
}

/// A household: contiguous members of the base register, or a one-person household
/// created for a duplicate record.
#[derive(Clone, Debug)]
pub(super) struct Household {
    /// First member index.
    pub start: u32,
    /// Number of contiguous members.
    pub len: u32,
    /// Commune index.
    pub commune: u16,
}

/// The generated register before defects.
pub(super) struct Register {
    /// All records.
    pub persons: Vec<Person>,
    /// All households.
    pub households: Vec<Household>,
    /// Next sequence counter per (PPP, G, YY).
    pub id_counters: Vec<u32>,
}

/// Inputs shared by every commune's household generator.
pub(super) struct HouseholdCtx<'a> {
    /// Seed of the run.
    pub seed: u64,
    /// Run date.
    pub as_of: Ymd,
    /// Name pools.
    pub lex: &'a Lexicon,
    /// Admin units.
    pub admin: &'a AdminUnits,
    ages: Weighted,
    ethnicities: Weighted,
    religions: Weighted,
    sizes: Weighted,
}

impl<'a> HouseholdCtx<'a> {
    /// Prepare the samplers.
    pub(super) fn new(seed: u64, as_of: Ymd, lex: &'a Lexicon, admin: &'a AdminUnits) -> Self {
        let ages: Vec<f64> = (0..=100)
            .map(|age: usize| AGE_BANDS.get(age / 5).copied().unwrap_or(0.05) / 5.0)
            .collect();
        let mut eth = ETHNICITY_WEIGHTS.to_vec();
        eth.resize(ETHNICITIES.len(), 0.005);
        HouseholdCtx {
            seed,
            as_of,
            lex,
            admin,
            ages: Weighted::new(&ages),
            ethnicities: Weighted::new(&eth),
            religions: Weighted::new(RELIGION_WEIGHTS),
            sizes: Weighted::new(HOUSEHOLD_SIZES),
        }
    }

    /// An age drawn from the pyramid within `lo..=hi`.
    fn age_in(&self, rng: &mut Rng, lo: i32, hi: i32) -> i32 {
        if hi <= lo {
            return lo.max(0);
        }
        for _ in 0..40 {
            let a = self.ages.sample(rng) as i32;
            if (lo..=hi).contains(&a) {
                return a;
            }
        }
        rng.range(i64::from(lo), i64::from(hi)) as i32
    }

    /// A birth date for someone aged `age` at the run date.
    fn birth_for_age(&self, rng: &mut Rng, age: i32) -> Ymd {
        self.as_of
            .add_years(-age)
            .add_days(-(rng.range(0, 364) as i32))
    }
}

/// A member being assembled.
struct Draft {
    gender: u8,
    age: i32,
    relation: u8,
    name: Name,
    father: Name,
    mother: Name,
    spouse: Name,
    tam_tru: bool,
}

/// Split `total` people over the communes and generate every household.
pub(super) fn generate_register(
    ctx: &HouseholdCtx<'_>,
    total: usize,
    extra_share: f64,
) -> Result<Register, GenError> {
    let admin = ctx.admin;
    let mut targets = vec![0usize; admin.communes.len()];
    let extras = admin.provinces.len() - 1;
    let per_extra = if extras == 0 {
        0
    } else {
        ((total as f64 * extra_share).round() as usize).max(usize::from(total >= 200) * 30)
    };
    let main_total = total.saturating_sub(per_extra * extras);
    let mut remaining_extra = total - main_total;
    for (p, province) in admin.provinces.iter().enumerate() {
        let n = if p == 0 {
            main_total
        } else {
            let share = remaining_extra / (admin.provinces.len() - p);
            remaining_extra -= share;
            share
        };
        let range = province.communes.clone();
        let weights: Vec<f64> = range.clone().map(|c| admin.communes[c].weight).collect();
        let sum: f64 = weights.iter().sum();
        let mut assigned = 0usize;
        for (i, c) in range.clone().enumerate() {
            let share = ((n as f64) * weights[i] / sum).floor() as usize;
            targets[c] = share;
            assigned += share;
        }
        // Hand out the rounding remainder one by one.
        let mut i = 0;
        while assigned < n && !range.is_empty() {
            targets[range.start + i % range.len()] += 1;
            assigned += 1;
            i += 1;
        }
    }
    let per_commune: Vec<(Vec<Person>, Vec<u32>)> = targets
        .par_iter()
        .enumerate()
        .map(|(commune, &target)| generate_commune(ctx, commune, target))
        .collect();
    let mut persons = Vec::with_capacity(total + total / 50);
    let mut households = Vec::new();
    for (members, sizes) in per_commune {
        let base = persons.len() as u32;
        let mut offset = 0u32;
        for size in sizes {
            households.push(Household {
                start: base + offset,
                len: size,
                commune: 0,
            });
            offset += size;
        }
        persons.extend(members);
    }
    for (h, household) in households.iter_mut().enumerate() {
        let start = household.start as usize;
        for p in &mut persons[start..start + household.len as usize] {
            p.household = h as u32;
        }
        household.commune = persons[start].commune;
    }
    let mut register = Register {
        persons,
        households,
        id_counters: vec![0; 1000 * 10 * 100],
    };
    assign_ids(ctx.seed, &mut register)?;
    assign_old_ids(&mut register.persons);
    Ok(register)
}

fn generate_commune(
    ctx: &HouseholdCtx<'_>,
    commune: usize,
    target: usize,
) -> (Vec<Person>, Vec<u32>) {
    let mut rng = Rng::stream(ctx.seed, tag("households"), commune as u64);
    let mut persons = Vec::with_capacity(target);
    let mut sizes = Vec::new();
    let n_hamlets = ctx.admin.communes[commune].hamlets.len().max(1);
    while persons.len() < target {
        let size = (ctx.sizes.sample(&mut rng) + 1).min(target - persons.len());
        let drafts = household_drafts(ctx, &mut rng, size);
        let ethnicity = ctx.ethnicities.sample(&mut rng) as u8;
        let mut religion = ctx.religions.sample(&mut rng) as u8;
        if ethnicity == 4 && rng.chance(0.9) {
            religion = 1;
        }
        let hamlet = rng.index(n_hamlets) as u8;
        let tam_tru_household = rng.chance(0.05);
        sizes.push(drafts.len() as u32);
        for draft in drafts {
            let person = finish_person(
                ctx,
                &mut rng,
                commune,
                draft,
                ethnicity,
                religion,
                hamlet,
                tam_tru_household,
            );
            persons.push(person);
        }
    }
    (persons, sizes)
}

#[allow(clippy::too_many_arguments)]
fn finish_person(
    ctx: &HouseholdCtx<'_>,
    rng: &mut Rng,
    commune: usize,
    draft: Draft,
    ethnicity: u8,
    religion: u8,
    hamlet: u8,
    tam_tru_household: bool,
) -> Person {
    let as_of = ctx.as_of;
    let birth = ctx.birth_for_age(rng, draft.age);
    let mut flags = 0;
    if tam_tru_household || draft.tam_tru {
        flags |= F_TAM_TRU;
    }
    if ctx.admin.communes[commune].province != 0 {
        flags |= F_EXTRA;
    }
    if birth.y < 1960 && rng.chance(0.3) {
        flags |= if rng.chance(0.5) {
            F_BIRTH_YEAR
        } else {
            F_BIRTH_MONTH
        };
    }
    // Where only the year of birth was known, 01/01 of it was registered: commoner for
    // older people and ethnic minorities (ethnicity 0 is Kinh).
    let stand_in_chance =
        if birth.y < 1975 { 0.06 } else { 0.01 } + if ethnicity != 0 { 0.08 } else { 0.0 };
    let birth = if flags & (F_BIRTH_YEAR | F_BIRTH_MONTH) == 0 && rng.chance(stand_in_chance) {
        Ymd::new(i32::from(birth.y), 1, 1)
    } else {
        birth
    };
    let age = draft.age;
    let death_chance = match age {
        85.. => 0.10,
        75..=84 => 0.05,
        65..=74 => 0.02,
        50..=64 => 0.006,
        18..=49 => 0.0015,
        _ => 0.0005,
    };
    let death = if rng.chance(death_chance) {
        let earliest = birth.days().max(as_of.add_years(-10).days()) + 1;
        Ymd::from_days(rng.range(i64::from(earliest), i64::from(as_of.days() - 1)) as i32)
    } else {
        Ymd::NONE
    };
    let until = if death.is_some() { death } else { as_of };
    let card = card_issue(rng, birth, until);
    if birth.y < 1995 && age >= 18 && rng.chance(0.4) {
        flags |= F_OLD_ID;
    }
    let phone_chance = match age {
        0..=15 => 0.0,
        16..=17 => 0.5,
        18..=79 => 0.9,
        _ => 0.4,
    };
    let phone = if rng.chance(phone_chance) {
        rng.pick(PHONE_PREFIXES) * 10_000_000 + rng.below(10_000_000)
    } else {
        0
    };
    let main_code = ctx.admin.main().code;
    let own_code = ctx.admin.province_code_of(commune);
    let birth_prov = birth_province(rng, own_code, main_code, birth.y >= 1996, ctx.admin);
    let religion = if rng.chance(0.9) {
        religion
    } else {
        ctx.religions.sample(rng) as u8
    };
    Person {
        name: draft.name,
        father: draft.father,
        mother: draft.mother,
        spouse: draft.spouse,
        birth,
        card,
        death,
        id: 0,
        phone,
        old_id: 0,
        household: 0,
        commune: commune as u16,
        gender: draft.gender,
        birth_prov,
        ethnicity,
        religion,
        relation: draft.relation,
        hamlet,
        flags,
    }
}

fn birth_province(rng: &mut Rng, own: u8, main: u8, young: bool, admin: &AdminUnits) -> u8 {
    let stay = if young { 0.93 } else { 0.82 };
    if rng.chance(stay) {
        return own;
    }
    let r = rng.f64();
    if r < 0.35 {
        let p = rng.index(admin.provinces.len());
        admin.provinces[p].code
    } else if r < 0.5 {
        if own == main {
            79
        } else {
            main
        }
    } else {
        PROVINCES[rng.index(PROVINCES.len())].0
    }
}

/// Renewal ages of the ID card (Luật Căn cước 2023).
pub(super) const RENEWAL_AGES: [i32; 4] = [14, 25, 40, 60];

/// The date a person born on `birth` reaches `age`.
pub(super) fn anniversary(birth: Ymd, age: i32) -> Ymd {
    birth.add_years(age)
}

/// A realistic, not expired card issue date for someone alive until `until` (the run
/// date or the death date), or none.
pub(super) fn card_issue(rng: &mut Rng, birth: Ymd, until: Ymd) -> Ymd {
    let age = age_on(birth, until);
    let chip_start = Ymd::new(2021, 1, 15);
    let law_2024 = Ymd::new(2024, 7, 1);
    if age < 14 {
        // Cards for children under 14 exist only since the 2024 law, and are rare.
        if until > law_2024 && rng.chance(0.03) {
            let lo = law_2024.days().max(birth.days() + 30);
            if lo < until.days() {
                return Ymd::from_days(rng.range(i64::from(lo), i64::from(until.days())) as i32);
            }
        }
        return Ymd::NONE;
    }
    let uncarded = if age < 16 { 0.15 } else { 0.01 };
    if rng.chance(uncarded) {
        return Ymd::NONE;
    }
    // The card must have been issued at or after the grace start of the last renewal
    // age reached, so that it is still valid.
    let last = RENEWAL_AGES
        .iter()
        .rev()
        .find(|&&r| age >= r)
        .copied()
        .unwrap_or(14);
    let window_age = if last == 14 { 14 } else { last - 2 };
    let window_start = anniversary(birth, window_age).days();
    let end = until.days();
    let era_start = if rng.chance(0.88) {
        Ymd::new(2016, 1, 1).days()
    } else {
        Ymd::new(2008, 1, 1).days()
    };
    let mut lo = window_start.max(era_start);
    if lo > end {
        lo = window_start;
    }
    if lo > end {
        return Ymd::NONE;
    }
    // Cards issued in the two years before a renewal age stay valid to the next one:
    // draw some of those on purpose (benign cases the engine must not flag).
    if last > 14 && rng.chance(0.2) {
        let grace_end = anniversary(birth, last).days() - 1;
        if grace_end >= lo {
            let glo = lo.max(window_start);
            return Ymd::from_days(rng.range(i64::from(glo), i64::from(grace_end.min(end))) as i32);
        }
    }
    // The 2021 chip-card campaign issued most of today's cards.
    if rng.chance(0.45) && chip_start.days() >= lo && chip_start.days() + 330 <= end {
        return Ymd::from_days(rng.range(
            i64::from(chip_start.days()),
            i64::from(chip_start.days() + 330),
        ) as i32);
    }
    Ymd::from_days(rng.range(i64::from(lo), i64::from(end)) as i32)
}

/// An issue date that has expired by `as_of`, or none when no such date is plausible.
pub(super) fn expired_card_issue(rng: &mut Rng, birth: Ymd, as_of: Ymd) -> Ymd {
    let age = age_on(birth, as_of);
    // Due at renewal age R when issued before R-2 (and after the previous grace start).
    let Some(&due) = RENEWAL_AGES.iter().rev().find(|&&r| age >= r && r > 14) else {
        return Ymd::NONE;
    };
    let previous = RENEWAL_AGES
        .iter()
        .rev()
        .find(|&&r| r < due)
        .copied()
        .unwrap_or(14);
    let from_age = if previous == 14 { 14 } else { previous - 2 };
    let lo = anniversary(birth, from_age)
        .days()
        .max(Ymd::new(2008, 1, 1).days());
    let hi = (anniversary(birth, due - 2).days() - 1).min(as_of.days() - 1);
    if hi <= lo {
        return Ymd::NONE;
    }
    Ymd::from_days(rng.range(i64::from(lo), i64::from(hi)) as i32)
}

/// Names of a person's parents who are not in the household.
fn absent_parents(
    ctx: &HouseholdCtx<'_>,
    rng: &mut Rng,
    surname: u16,
    child_year: i32,
    ethnicity_hint: u8,
) -> (Name, Name) {
    let lex = ctx.lex;
    let father = lex.name(rng, 0, child_year - 28, surname);
    let mother_surname = lex.surname(rng, ethnicity_hint);
    let mother = lex.name(rng, 1, child_year - 25, mother_surname);
    (father, mother)
}

#[allow(clippy::too_many_arguments)]
fn new_draft(
    ctx: &HouseholdCtx<'_>,
    rng: &mut Rng,
    gender: u8,
    age: i32,
    relation: u8,
    surname: u16,
    father: Option<Name>,
    mother: Option<Name>,
) -> Draft {
    let year = ctx.as_of.year() - age;
    let name = ctx.lex.name(rng, gender, year, surname);
    let (gen_father, gen_mother) = if father.is_none() || mother.is_none() {
        absent_parents(ctx, rng, surname, year, 0)
    } else {
        (NO_NAME, NO_NAME)
    };
    Draft {
        gender,
        age,
        relation,
        name,
        father: father.unwrap_or(gen_father),
        mother: mother.unwrap_or(gen_mother),
        spouse: NO_NAME,
        tam_tru: false,
    }
}

/// The members of one household of `size` people.
fn household_drafts(ctx: &HouseholdCtx<'_>, rng: &mut Rng, size: usize) -> Vec<Draft> {
    let lex = ctx.lex;
    let r = rng.f64();
    match size {
        1 => {
            let elderly = rng.chance(0.45);
            let age = if elderly {
                ctx.age_in(rng, 60, 100)
            } else {
                ctx.age_in(rng, 20, 59)
            };
            let female = if elderly { 0.65 } else { 0.45 };
            let gender = u8::from(rng.chance(female));
            let surname = lex.surname(rng, 0);
            vec![new_draft(ctx, rng, gender, age, HEAD, surname, None, None)]
        }
        2 if r < 0.6 => nuclear(ctx, rng, 0),
        2 if r < 0.85 => {
            // A single parent with one child.
            let parent_age = ctx.age_in(rng, 25, 80);
            let gender = u8::from(rng.chance(0.7));
            let child_age = (parent_age - rng.range(18, 40) as i32).max(0);
            let parent_surname = lex.surname(rng, 0);
            let parent = new_draft(
                ctx,
                rng,
                gender,
                parent_age,
                HEAD,
                parent_surname,
                None,
                None,
            );
            let (father, mother, child_surname) = if gender == 0 {
                let mother_surname = lex.surname(rng, 0);
                let mother = lex.name(rng, 1, ctx.as_of.year() - parent_age, mother_surname);
                (parent.name, mother, parent_surname)
            } else {
                let father_surname = lex.surname(rng, 0);
                let father = lex.name(rng, 0, ctx.as_of.year() - parent_age - 3, father_surname);
                (father, parent.name, father_surname)
            };
            let child_gender = u8::from(rng.chance(0.5));
            let child = new_draft(
                ctx,
                rng,
                child_gender,
                child_age,
                CHILD,
                child_surname,
                Some(father),
                Some(mother),
            );
            vec![parent, child]
        }
        2 => with_parent(ctx, rng, None),
        n if r < 0.62 => nuclear(ctx, rng, n - 2),
        n if r < 0.77 => with_parent(ctx, rng, Some(n - 3)),
        n => three_generations(ctx, rng, n),
    }
}

/// Head, spouse and `children` children.
fn nuclear(ctx: &HouseholdCtx<'_>, rng: &mut Rng, children: usize) -> Vec<Draft> {
    let lex = ctx.lex;
    let mother_age = if children == 0 {
        ctx.age_in(rng, 20, 92)
    } else {
        // Room for the children one or more years apart.
        ctx.age_in(rng, (18 + 2 * children as i32).clamp(20, 50), 62)
    };
    let mut child_ages: Vec<i32> = Vec::with_capacity(children);
    if children > 0 {
        let oldest = rng.range(
            i64::from((mother_age - 42).max(0)),
            i64::from(mother_age - 18),
        ) as i32;
        let mut age = oldest;
        let youngest_possible = (mother_age - 45).max(0);
        for _ in 0..children {
            // Siblings are at least a year apart: stop rather than invent
            // same-year siblings (the household is then smaller).
            if age < youngest_possible {
                break;
            }
            child_ages.push(age);
            age -= rng.range(1, 5) as i32;
        }
    }
    let youngest = child_ages.iter().copied().min().unwrap_or(mother_age - 18);
    let father_age = (mother_age + rng.range(0, 7) as i32)
        .min(youngest + 45)
        .min(100)
        .max(mother_age);
    let father_surname = lex.surname(rng, 0);
    let mother_surname = lex.surname(rng, 0);
    let head_is_father = rng.chance(0.88);
    let (father_rel, mother_rel) = if head_is_father {
        (HEAD, WIFE)
    } else {
        (HUSBAND, HEAD)
    };
    let mut father = new_draft(
        ctx,
        rng,
        0,
        father_age,
        father_rel,
        father_surname,
        None,
        None,
    );
    let mut mother = new_draft(
        ctx,
        rng,
        1,
        mother_age,
        mother_rel,
        mother_surname,
        None,
        None,
    );
    father.spouse = mother.name;
    mother.spouse = father.name;
    let mut out = Vec::with_capacity(children + 2);
    let (fname, mname) = (father.name, mother.name);
    if head_is_father {
        out.push(father);
        out.push(mother);
    } else {
        out.push(mother);
        out.push(father);
    }
    for age in child_ages {
        let gender = u8::from(rng.chance(0.49));
        out.push(new_draft(
            ctx,
            rng,
            gender,
            age,
            CHILD,
            father_surname,
            Some(fname),
            Some(mname),
        ));
    }
    out
}

/// One parent of the head living with the head's family: a couple with `children`
/// children, or (`None`) a single adult.
fn with_parent(ctx: &HouseholdCtx<'_>, rng: &mut Rng, children: Option<usize>) -> Vec<Draft> {
    let lex = ctx.lex;
    let mut out = if let Some(children) = children {
        nuclear(ctx, rng, children)
    } else {
        // An adult living with an old parent.
        let age = ctx.age_in(rng, 20, 60);
        let gender = u8::from(rng.chance(0.45));
        let surname = lex.surname(rng, 0);
        vec![new_draft(ctx, rng, gender, age, HEAD, surname, None, None)]
    };
    let head = &out[0];
    let parent_age = (head.age + rng.range(20, 38) as i32).min(100);
    if parent_age < head.age + 18 {
        // Too old to have a living parent: the household stays smaller.
        return out;
    }
    let parent_gender = u8::from(rng.chance(0.65));
    let head_surname = head.name[0];
    let parent = if parent_gender == 0 {
        let mut p = new_draft(ctx, rng, 0, parent_age, FATHER, head_surname, None, None);
        p.spouse = NO_NAME;
        p
    } else {
        let surname = lex.surname(rng, 0);
        new_draft(ctx, rng, 1, parent_age, MOTHER, surname, None, None)
    };
    if parent_gender == 0 {
        out[0].father = parent.name;
    } else {
        out[0].mother = parent.name;
    }
    out.push(parent);
    out
}

/// An elderly head, an adult child with spouse, and grandchildren.
fn three_generations(ctx: &HouseholdCtx<'_>, rng: &mut Rng, size: usize) -> Vec<Draft> {
    let lex = ctx.lex;
    let head_age = ctx.age_in(rng, 58, 92);
    let head_gender = u8::from(rng.chance(0.35));
    let with_spouse = size >= 4 && rng.chance(0.75);
    let g1_surname = lex.surname(rng, 0);
    let mut head = new_draft(
        ctx,
        rng,
        head_gender,
        head_age,
        HEAD,
        g1_surname,
        None,
        None,
    );
    let mut out = Vec::with_capacity(size);
    let (g1_father, g1_mother) = if with_spouse {
        let spouse_gender = 1 - head_gender;
        let spouse_age = if spouse_gender == 1 {
            (head_age - rng.range(0, 6) as i32).max(40)
        } else {
            (head_age + rng.range(0, 6) as i32).min(100)
        };
        let spouse_surname = lex.surname(rng, 0);
        let rel = if spouse_gender == 1 { WIFE } else { HUSBAND };
        let mut spouse = new_draft(
            ctx,
            rng,
            spouse_gender,
            spouse_age,
            rel,
            spouse_surname,
            None,
            None,
        );
        spouse.spouse = head.name;
        head.spouse = spouse.name;
        let names = if head_gender == 0 {
            (head.name, spouse.name)
        } else {
            (spouse.name, head.name)
        };
        out.push(head);
        out.push(spouse);
        names
    } else {
        // Widowed head: the other parent of the child is not in the household.
        let other_gender = 1 - head_gender;
        let other_surname = lex.surname(rng, 0);
        let other = lex.name(
            rng,
            other_gender,
            ctx.as_of.year() - head_age,
            other_surname,
        );
        let names = if head_gender == 0 {
            (head.name, other)
        } else {
            (other, head.name)
        };
        out.push(head);
        names
    };
    let g1_mother_age = out
        .iter()
        .find(|d| d.gender == 1)
        .map_or(head_age - 2, |d| d.age);
    let child_surname = g1_father[0];
    let room = size - out.len();
    let child_age = rng.range(
        i64::from((g1_mother_age - 40).max(20)),
        i64::from((g1_mother_age - 19).max(20)),
    ) as i32;
    let child_gender = u8::from(rng.chance(0.55)) ^ 1;
    let mut child = new_draft(
        ctx,
        rng,
        child_gender,
        child_age,
        CHILD,
        child_surname,
        Some(g1_father),
        Some(g1_mother),
    );
    let with_in_law = room >= 3 || (room == 2 && rng.chance(0.5));
    let mut members = vec![];
    let (gc_father, gc_mother, gc_mother_age) = if with_in_law {
        let in_law_gender = 1 - child_gender;
        let in_law_age = if in_law_gender == 1 {
            (child_age - rng.range(0, 5) as i32).max(19)
        } else {
            (child_age + rng.range(0, 5) as i32).min(head_age - 15)
        };
        let surname = lex.surname(rng, 0);
        let rel = if in_law_gender == 1 {
            DAUGHTER_IN_LAW
        } else {
            SON_IN_LAW
        };
        let mut in_law = new_draft(
            ctx,
            rng,
            in_law_gender,
            in_law_age,
            rel,
            surname,
            None,
            None,
        );
        in_law.spouse = child.name;
        child.spouse = in_law.name;
        in_law.tam_tru = rng.chance(0.1);
        let result = if child_gender == 0 {
            (child.name, in_law.name, in_law_age)
        } else {
            (in_law.name, child.name, child_age)
        };
        members.push(in_law);
        result
    } else if child_gender == 0 {
        let surname = lex.surname(rng, 0);
        let mother = lex.name(rng, 1, ctx.as_of.year() - child_age, surname);
        (child.name, mother, child_age)
    } else {
        let surname = lex.surname(rng, 0);
        let father = lex.name(rng, 0, ctx.as_of.year() - child_age - 2, surname);
        (father, child.name, child_age)
    };
    out.push(child);
    out.extend(members);
    let grandchildren = size.saturating_sub(out.len());
    let gc_surname = gc_father[0];
    let min_age = (gc_mother_age - 45).max(0);
    let mut age = rng.range(
        i64::from((gc_mother_age - 42).max(0)),
        i64::from((gc_mother_age - 19).max(0)),
    ) as i32;
    for _ in 0..grandchildren {
        if age < min_age {
            break;
        }
        let gender = u8::from(rng.chance(0.49));
        out.push(new_draft(
            ctx,
            rng,
            gender,
            age,
            GRANDCHILD,
            gc_surname,
            Some(gc_father),
            Some(gc_mother),
        ));
        age -= rng.range(1, 4) as i32;
    }
    out
}

/// Index of the (PPP, G, YY) sequence counter.
pub(super) fn counter_index(ppp: u8, g: u8, yy: u8) -> usize {
    usize::from(ppp) * 1000 + usize::from(g) * 100 + usize::from(yy)
}

/// Century/gender digit for a birth year and gender.
pub(super) fn century_digit(year: i32, gender: u8) -> u8 {
    let century = ((year - 1900).div_euclid(100)).clamp(0, 4) as u8;
    century * 2 + gender.min(1)
}

/// A fresh personal ID from the counters (unique per run).
pub(super) fn next_id(
    seed: u64,
    counters: &mut [u32],
    ppp: u8,
    year: i32,
    gender: u8,
) -> Result<u64, GenError> {
    let g = century_digit(year, gender);
    let yy = year.rem_euclid(100) as u8;
    let slot = counter_index(ppp, g, yy);
    let counter = counters[slot];
    if counter >= 999_999 {
        return Err(GenError::Exhausted(format!(
            "more than 999,999 IDs for province {ppp:03}, century/gender {g}, year {yy:02}"
        )));
    }
    counters[slot] += 1;
    // Sequences are scattered (bijectively) so that IDs do not follow record order.
    let salt = super::rng::mix(seed, slot as u64) % 1_000_000;
    let seq = scatter(u64::from(counter), 1_000_000, 7919, salt);
    Ok(u64::from(ppp) * 1_000_000_000
        + u64::from(g) * 100_000_000
        + u64::from(yy) * 1_000_000
        + seq)
}

/// Give every record its personal ID, in record order.
fn assign_ids(seed: u64, register: &mut Register) -> Result<(), GenError> {
    for person in &mut register.persons {
        person.id = next_id(
            seed,
            &mut register.id_counters,
            person.birth_prov,
            person.birth.year(),
            person.gender,
        )?;
    }
    Ok(())
}

/// Give old CMND numbers (unique 9-digit) to the holders, in record order.
fn assign_old_ids(persons: &mut [Person]) {
    for (counter, person) in persons.iter_mut().filter(|p| p.has(F_OLD_ID)).enumerate() {
        person.old_id = old_id_number(counter as u64);
    }
}

/// The `n`-th old CMND number (9 digits starting with 2 or 3, as in the south).
pub(super) fn old_id_number(n: u64) -> u32 {
    (200_000_000 + scatter(n, 200_000_000, 48_271, 12_345_679)) as u32
}
