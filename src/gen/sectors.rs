//! Sector datasets drawn from the register (insurance, tax, vaccination, deaths,
//! legacy CMND), with their cross-match defects and the matching truth rows.

use super::admin::PROVINCES;
use super::dates::{age_on, write_date, DateStyle, Precision, Ymd};
use super::names::{strip_diacritics, to_nfd, Lexicon, Name};
use super::people::{
    century_digit, Person, F_AMB_INS, F_AMB_TAX, F_AMB_VAC, F_BIRTH_MONTH, F_BIRTH_YEAR, F_CLAIMED,
    F_DA_INS, F_DA_TAX, F_DA_VAC, F_DEATH_UNRECORDED, F_DUP_COPY, F_INS, F_IZ, F_LEGACY_UNLINKED,
    F_OLD_ID, F_POPDEF, F_REG_NOID, F_TAX, F_VAC,
};
use super::plan::{World, F_UNIQUE};
use super::rates::sector_rule;
use super::rng::{scatter, tag, Rng};
use super::truth::TruthRow;
use super::write::Sink;

/// Sector dataset names, by index.
pub(super) const DATASETS: [&str; 3] = ["insurance", "tax", "vaccination"];

/// Header of `insurance.csv` (before the column shuffle).
pub(super) const INS_HEADER: [&str; 11] = [
    "insurance_code",
    "person_id",
    "full_name",
    "birth_date",
    "gender",
    "commune_code",
    "employer",
    "employer_commune_code",
    "industrial_zone",
    "status",
    "card_valid_to",
];
/// Header of `tax.csv`.
pub(super) const TAX_HEADER: [&str; 6] = [
    "tax_code",
    "person_id",
    "full_name",
    "birth_date",
    "address",
    "commune_code",
];
/// Header of `vaccination.csv`.
pub(super) const VAC_HEADER: [&str; 10] = [
    "record_id",
    "person_id",
    "full_name",
    "birth_date",
    "gender",
    "phone",
    "commune_code",
    "vaccine",
    "dose_no",
    "dose_date",
];
/// Header of `deaths.csv`.
pub(super) const DEATH_HEADER: [&str; 7] = [
    "death_reg_id",
    "person_id",
    "full_name",
    "birth_date",
    "gender",
    "death_date",
    "commune_code",
];
/// Header of `legacy_id.csv`.
pub(super) const LEGACY_HEADER: [&str; 6] = [
    "old_id",
    "full_name",
    "birth_date",
    "gender",
    "hometown",
    "commune_code",
];

const VACCINES: &[&str] = &[
    "AstraZeneca",
    "Pfizer-BioNTech",
    "Vero Cell",
    "Moderna",
    "Sputnik V",
    "Abdala",
];
const VACCINE_WEIGHTS: &[f64] = &[35.0, 25.0, 20.0, 10.0, 5.0, 5.0];

const EMPLOYERS: &[&str] = &[
    "Công ty TNHH Chế biến Dừa Lương Quới",
    "Công ty CP Thủy sản Bến Tre",
    "Công ty TNHH May mặc Việt Thắng",
    "Công ty CP Xây dựng Đồng Khởi",
    "Công ty TNHH Thương mại Dịch vụ Phú Hưng",
    "Công ty CP Dược phẩm Bến Tre",
    "Công ty TNHH Cơ khí Minh Phát",
    "Công ty CP Vận tải Thành Công",
    "Công ty TNHH Kẹo dừa Thanh Long",
    "Công ty CP Cấp thoát nước",
    "Ngân hàng TMCP Ngoại thương chi nhánh tỉnh",
    "Bưu điện tỉnh",
    "Bệnh viện Đa khoa tỉnh",
    "Hợp tác xã Nông nghiệp Tân Phú",
    "Công ty Điện lực tỉnh",
];
const IZ_EMPLOYERS: &[&str] = &[
    "Công ty TNHH Sợi Thế Kỷ",
    "Công ty TNHH May Hoa Sen",
    "Công ty TNHH Alliance One",
    "Công ty CP Chế biến Dừa Á Châu",
    "Công ty TNHH Giày Kim Việt",
    "Công ty TNHH Điện tử Tân Long",
    "Công ty TNHH Bao bì Phú Thuận",
];

/// The doses a person receives (a pure function of seed and record, so the planner
/// and the writer agree).
#[derive(Clone, Copy, Debug)]
pub(super) struct VaccPlan {
    /// Number of doses (0–3).
    pub n: usize,
    /// Dose dates.
    pub dates: [Ymd; 3],
    /// Vaccine indices.
    pub vaccines: [u8; 3],
}

/// The COVID-19 doses of record `i` born on `birth`.
pub(super) fn vacc_plan(seed: u64, i: usize, birth: Ymd) -> VaccPlan {
    let mut rng = Rng::stream(seed, tag("vaccplan"), i as u64);
    let mut plan = VaccPlan {
        n: 0,
        dates: [Ymd::NONE; 3],
        vaccines: [0; 3],
    };
    let age_2021 = age_on(birth, Ymd::new(2021, 7, 1));
    let age_2022 = age_on(birth, Ymd::new(2022, 4, 1));
    let (start, end, max_doses) = if age_2021 >= 18 {
        (Ymd::new(2021, 7, 1), Ymd::new(2021, 11, 30), 3)
    } else if age_2021 >= 12 {
        (Ymd::new(2021, 10, 15), Ymd::new(2022, 1, 31), 3)
    } else if age_2022 >= 5 {
        (Ymd::new(2022, 4, 15), Ymd::new(2022, 8, 31), 2)
    } else {
        return plan;
    };
    let x = rng.f64();
    let n = if x < 0.1 {
        1
    } else if x < 0.5 {
        2
    } else {
        3
    };
    let weights = super::rng::Weighted::new(VACCINE_WEIGHTS);
    let first_vaccine = weights.sample(&mut rng) as u8;
    let last_day = Ymd::new(2022, 12, 31).days();
    let mut day = rng.range(i64::from(start.days()), i64::from(end.days())) as i32;
    for k in 0..n.min(max_doses) {
        if k == 1 {
            day += rng.range(28, 84) as i32;
        } else if k == 2 {
            day += rng.range(120, 240) as i32;
        }
        if day > last_day {
            break;
        }
        plan.dates[k] = Ymd::from_days(day);
        plan.vaccines[k] = match k {
            0 => first_vaccine,
            1 if rng.chance(0.9) => first_vaccine,
            _ => [1u8, 3][rng.index(2)],
        };
        plan.n = k + 1;
    }
    plan
}

/// A person who is not in the register (sector-only).
#[derive(Clone, Debug)]
pub(super) struct Outsider {
    /// Name.
    pub name: Name,
    /// 0 male, 1 female.
    pub gender: u8,
    /// Birth date.
    pub birth: Ymd,
    /// Personal ID, when the record carries one.
    pub id: Option<u64>,
    /// Commune where the record places them (main province).
    pub commune: usize,
    /// Industrial zone they work in.
    pub zone: Option<usize>,
}

/// Everything the sector writers share.
pub(super) struct SectorCtx<'a> {
    /// The world.
    pub world: &'a World,
    /// Outsiders per sector dataset.
    pub outsiders: [Vec<Outsider>; 3],
    /// Outsiders of the legacy register (no match).
    pub legacy_outsiders: Vec<Outsider>,
    /// Whether deaths are written (a registration makes a person dead).
    pub deaths_written: bool,
}

/// Cross-match defect of one sector record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Defect {
    None,
    Mismatch,
    IdMissing,
    IdWrong,
    Ambiguous,
}

/// Record keys.
pub(super) fn insurance_code(main: u8, index: usize) -> String {
    format!(
        "BH{main:02}{:08}",
        scatter(index as u64, 100_000_000, 48_271, 7_777_777)
    )
}

/// Tax code of a record (10 digits).
pub(super) fn tax_code(index: usize) -> String {
    format!(
        "8{:09}",
        scatter(index as u64, 1_000_000_000, 7_654_321, 13_579)
    )
}

/// Vaccination record id of dose `k` of record `index`.
fn vaccination_id(index: usize, k: usize) -> String {
    format!("V{:010}", index * 4 + k)
}

/// A sector rendering of a name: benign noise (upper case, no diacritics, double
/// spaces, NFD) unless `exact` (folding would hide a diacritic-only mismatch).
fn sector_name(lex: &Lexicon, name: &Name, rng: &mut Rng, exact: bool) -> String {
    let full = lex.full(name);
    let x = rng.f64();
    let text = if x < 0.02 {
        full.to_uppercase()
    } else if x < 0.05 && !exact {
        strip_diacritics(&full)
    } else if x < 0.06 {
        full.replacen(' ', "  ", 1)
    } else if x < 0.09 {
        // The other spelling rule's tone placement (Hòa / Hoà): the same name.
        other_tone_placement(&full)
    } else {
        full
    };
    if rng.chance(0.05) {
        to_nfd(&text)
    } else {
        text
    }
}

/// Tone marks on the first or the second vowel of an open `oa`, `oe`, `uy` syllable:
/// the old and the new spelling rule, in that order.
const TONE_PLACEMENTS: [(&str, &str); 15] = [
    ("òa", "oà"),
    ("óa", "oá"),
    ("ỏa", "oả"),
    ("õa", "oã"),
    ("ọa", "oạ"),
    ("òe", "oè"),
    ("óe", "oé"),
    ("ỏe", "oẻ"),
    ("õe", "oẽ"),
    ("ọe", "oẹ"),
    ("ùy", "uỳ"),
    ("úy", "uý"),
    ("ủy", "uỷ"),
    ("ũy", "uỹ"),
    ("ụy", "uỵ"),
];

/// `full` with each word that ends in an open `oa`/`oe`/`uy` syllable written by the
/// other spelling rule (`Hòa` ↔ `Hoà`, `Thủy` ↔ `Thuỷ`); other words unchanged.
pub(super) fn other_tone_placement(full: &str) -> String {
    full.split(' ')
        .map(|word| {
            for (old, new) in TONE_PLACEMENTS {
                for (from, to) in [(old, new), (new, old)] {
                    if let Some(stem) = word.strip_suffix(from) {
                        return format!("{stem}{to}");
                    }
                }
            }
            word.to_string()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A birth date as a sector writes it: the true date, at the register's precision or
/// finer; sometimes year-only when `coarse_ok`.
fn sector_birth(p: &Person, rng: &mut Rng, style: DateStyle, coarse_ok: bool) -> String {
    let mut out = String::with_capacity(10);
    let precision = if p.has(F_BIRTH_YEAR | F_BIRTH_MONTH) {
        if rng.chance(0.7) {
            Precision::Day
        } else if p.has(F_BIRTH_YEAR) {
            Precision::Year
        } else {
            Precision::Month
        }
    } else if coarse_ok && rng.chance(0.02) {
        Precision::Year
    } else {
        Precision::Day
    };
    write_date(&mut out, p.birth, style, precision);
    out
}

fn date_text(date: Ymd, style: DateStyle) -> String {
    let mut out = String::with_capacity(10);
    write_date(&mut out, date, style, Precision::Day);
    out
}

fn gender_text(gender: u8, rng: &mut Rng) -> &'static str {
    match (gender, rng.below(100)) {
        (0, 0) => "nam",
        (0, _) => "Nam",
        (_, 0) => "nữ",
        _ => "Nữ",
    }
}

/// Can this record carry a random cross-match defect without creating ambiguity?
fn eligible(p: &Person) -> bool {
    p.alive() && p.full_birth() && !p.has(F_CLAIMED | F_POPDEF | F_DUP_COPY)
}

/// The identity fields of a sector record after applying `defect`.
struct Identity {
    id: String,
    name: String,
    birth: String,
    gender: u8,
}

fn roll_defect(ctx: &SectorCtx<'_>, ds: usize, p: &Person, rng: &mut Rng, zone: bool) -> Defect {
    let rates = ctx.world.rates.sector(ds);
    let x = rng.f64();
    if zone || !eligible(p) {
        return Defect::None;
    }
    if x < rates.mismatch {
        Defect::Mismatch
    } else if x < rates.mismatch + rates.id_missing && p.has(F_UNIQUE) {
        Defect::IdMissing
    } else if x < rates.mismatch + rates.id_missing + rates.id_wrong && p.has(F_UNIQUE) {
        Defect::IdWrong
    } else {
        Defect::None
    }
}

/// A one-digit change or adjacent swap of `id` that is no register ID.
fn typo_id(world: &World, id: u64, rng: &mut Rng) -> Option<u64> {
    let mut digits = [0u8; 12];
    let mut v = id;
    for d in digits.iter_mut().rev() {
        *d = (v % 10) as u8;
        v /= 10;
    }
    for _ in 0..30 {
        let mut t = digits;
        if rng.chance(0.6) {
            let pos = 3 + rng.index(9);
            t[pos] = (t[pos] + 1 + rng.below(9) as u8) % 10;
        } else {
            let pos = 3 + rng.index(8);
            if t[pos] == t[pos + 1] {
                continue;
            }
            t.swap(pos, pos + 1);
        }
        let value = t.iter().fold(0u64, |acc, &d| acc * 10 + u64::from(d));
        if value != id && !world.id_taken(value) {
            return Some(value);
        }
    }
    None
}

/// Identity of record `i` in dataset `ds` with `defect` applied; returns the defect
/// actually applied (a typo that cannot be made falls back to none).
fn identity(
    ctx: &SectorCtx<'_>,
    ds: usize,
    i: usize,
    mut defect: Defect,
    rng: &mut Rng,
    style: DateStyle,
) -> (Identity, Defect) {
    let world = ctx.world;
    let lex = &world.lex;
    let p = &world.persons[i];
    let mut name = p.name;
    let mut gender = p.gender;
    let mut exact = false;
    let mut birth = None;
    let mut id = format!("{:012}", p.id);
    match defect {
        Defect::Mismatch => {
            let what = if ds == 1 { rng.index(2) } else { rng.index(3) };
            match what {
                0 => {
                    exact = true;
                    let x = rng.f64();
                    let twin = lex.diacritic_twin(name[3]).filter(|&t| {
                        let mut alt = name;
                        alt[3] = t;
                        !lex.full(&alt).is_ascii() && !lex.full(&name).is_ascii()
                    });
                    if let (true, Some(t)) = (x < 0.3, twin) {
                        name[3] = t;
                    } else if x > 0.8 && name[1] != 0 {
                        name[1] = lex.other_middle(rng, gender, name[1]);
                    } else {
                        name[3] = lex.other_given(rng, gender, name[3]);
                    }
                }
                1 => {
                    let b = p.birth;
                    let x = rng.f64();
                    let changed = if x < 0.5 {
                        let shift = rng.range(1, 9) as i32;
                        b.add_days(if rng.chance(0.5) { shift } else { -shift })
                    } else if x < 0.8 || b.d > 12 || b.d == b.m {
                        let y = rng.range(1, 3) as i32;
                        b.add_years(if rng.chance(0.5) { y } else { -y })
                    } else {
                        Ymd {
                            y: b.y,
                            m: b.d,
                            d: b.m,
                        }
                    };
                    birth = Some(date_text(changed, style));
                }
                _ => gender = 1 - gender,
            }
        }
        Defect::IdMissing | Defect::Ambiguous => id.clear(),
        Defect::IdWrong => match typo_id(world, p.id, rng) {
            Some(t) => id = format!("{t:012}"),
            None => defect = Defect::None,
        },
        Defect::None => {}
    }
    let name = sector_name(lex, &name, rng, exact);
    let coarse_ok = defect == Defect::None;
    let birth = birth.unwrap_or_else(|| sector_birth(p, rng, style, coarse_ok));
    (
        Identity {
            id,
            name,
            birth,
            gender,
        },
        defect,
    )
}

/// Truth row of a cross-match defect.
fn defect_truth(
    ctx: &SectorCtx<'_>,
    ds: usize,
    i: usize,
    defect: Defect,
    key: &str,
) -> Option<TruthRow> {
    let world = ctx.world;
    let outcome = match defect {
        Defect::None => return None,
        Defect::Mismatch => 0,
        Defect::IdMissing => 1,
        Defect::IdWrong => 2,
        Defect::Ambiguous => 4,
    };
    let related = if defect == Defect::Ambiguous {
        world
            .namesake_of
            .get(&(i as u32))
            .map(|&g| {
                world.namesake_groups[g as usize]
                    .iter()
                    .map(|&m| world.record_id(m))
                    .collect()
            })
            .unwrap_or_default()
    } else {
        vec![world.record_id(i as u32)]
    };
    Some(TruthRow::new(
        sector_rule(ds, outcome),
        DATASETS[ds],
        key.to_string(),
        related,
    ))
}

/// Is the person dead to the engine (death date in the register or a registration)?
fn dead(ctx: &SectorCtx<'_>, p: &Person) -> bool {
    p.death.is_some() && (!p.has(F_DEATH_UNRECORDED) || ctx.deaths_written)
}

fn commune_code(world: &World, commune: usize) -> &str {
    &world.admin.communes[commune].code
}

/// Insurance rows of item `i` (a register record, or an outsider after them).
pub(super) fn insurance_item(
    ctx: &SectorCtx<'_>,
    i: usize,
    sink: &mut Sink,
) -> Result<(), csv::Error> {
    let world = ctx.world;
    let n = world.persons.len();
    let main = world.admin.main().code;
    if i >= n {
        return outsider_insurance(ctx, i - n, sink);
    }
    let p = &world.persons[i];
    if !p.has(F_INS) || p.has(F_POPDEF | F_DUP_COPY) {
        return Ok(());
    }
    let mut rng = Rng::stream(world.seed, tag("insurance"), i as u64);
    let age = age_on(p.birth, world.as_of);
    let employed = p.has(F_IZ) || (age <= 60 && rng.chance(0.55));
    let in_zone =
        p.has(F_IZ) || (employed && world.admin.in_main(p.commune as usize) && rng.chance(0.1));
    let zone = in_zone.then(|| rng.index(world.admin.zones.len()));
    let (employer, employer_commune) = match zone {
        Some(z) => (
            rng.pick(IZ_EMPLOYERS).to_string(),
            commune_code(world, world.admin.zones[z].commune).to_string(),
        ),
        None if employed => {
            let main_range = world.admin.main().communes.clone();
            let c = if rng.chance(0.5) {
                p.commune as usize
            } else {
                main_range.start + rng.index(main_range.len())
            };
            (
                rng.pick(EMPLOYERS).to_string(),
                commune_code(world, c).to_string(),
            )
        }
        None => (String::new(), String::new()),
    };
    let is_dead = dead(ctx, p);
    let active = if p.death.is_some() {
        p.has(F_DA_INS)
    } else {
        rng.chance(0.93)
    };
    let valid_to = if active {
        if rng.chance(0.7) {
            Ymd::new(2026, 12, 31)
        } else {
            Ymd::new(2027, 1 + rng.below(12) as u32, 1).add_days(-1)
        }
    } else {
        let lo = Ymd::new(2023, 1, 1).days();
        Ymd::from_days(rng.range(i64::from(lo), i64::from(world.as_of.days() - 1)) as i32)
    };
    let defect = if p.has(F_AMB_INS) {
        Defect::Ambiguous
    } else {
        roll_defect(ctx, 0, p, &mut rng, zone.is_some())
    };
    let style = if rng.chance(0.85) {
        DateStyle::Dmy
    } else {
        DateStyle::DmyShort
    };
    let (ident, defect) = identity(ctx, 0, i, defect, &mut rng, style);
    let key = insurance_code(main, i);
    let commune = if defect == Defect::None && !p.has(F_IZ) && rng.chance(0.03) {
        let r = world.admin.main().communes.clone();
        r.start + rng.index(r.len())
    } else {
        p.commune as usize
    };
    let zone_name = zone.map_or("", |z| world.admin.zones[z].name.as_str());
    let valid = date_text(valid_to, DateStyle::Dmy);
    sink.record(&[
        &key,
        &ident.id,
        &ident.name,
        &ident.birth,
        gender_text(ident.gender, &mut rng),
        commune_code(world, commune),
        &employer,
        &employer_commune,
        zone_name,
        if active { "active" } else { "inactive" },
        &valid,
    ])?;
    if let Some(t) = defect_truth(ctx, 0, i, defect, &key) {
        sink.truth(t);
    }
    if p.has(F_IZ) {
        sink.truth(TruthRow::new(
            "XM.insurance.IZ_NO_TEMP_RESIDENCE",
            "insurance",
            key.clone(),
            vec![world.record_id(i as u32)],
        ));
    }
    if is_dead && active {
        sink.truth(TruthRow::new(
            "XM.insurance.DECEASED_ACTIVE",
            "insurance",
            key,
            vec![world.record_id(i as u32)],
        ));
    }
    Ok(())
}

fn outsider_insurance(ctx: &SectorCtx<'_>, k: usize, sink: &mut Sink) -> Result<(), csv::Error> {
    let world = ctx.world;
    let Some(o) = ctx.outsiders[0].get(k) else {
        return Ok(());
    };
    let mut rng = Rng::stream(world.seed, tag("insurance_outsider"), k as u64);
    let key = insurance_code(world.admin.main().code, world.persons.len() + k);
    let (employer, employer_commune, zone_name) = match o.zone {
        Some(z) => (
            rng.pick(IZ_EMPLOYERS),
            commune_code(world, world.admin.zones[z].commune),
            world.admin.zones[z].name.as_str(),
        ),
        None => ("", "", ""),
    };
    let id = o.id.map(|v| format!("{v:012}")).unwrap_or_default();
    let name = sector_name(&world.lex, &o.name, &mut rng, false);
    let birth = date_text(o.birth, DateStyle::Dmy);
    let valid = date_text(Ymd::new(2026, 12, 31), DateStyle::Dmy);
    sink.record(&[
        &key,
        &id,
        &name,
        &birth,
        gender_text(o.gender, &mut rng),
        commune_code(world, o.commune),
        employer,
        employer_commune,
        zone_name,
        "active",
        &valid,
    ])?;
    let rule = if o.zone.is_some() {
        "XM.insurance.IZ_NO_TEMP_RESIDENCE"
    } else {
        sector_rule(0, 3)
    };
    sink.truth(TruthRow::new(rule, "insurance", key, Vec::new()));
    Ok(())
}

/// Tax rows of item `i`.
pub(super) fn tax_item(ctx: &SectorCtx<'_>, i: usize, sink: &mut Sink) -> Result<(), csv::Error> {
    let world = ctx.world;
    let n = world.persons.len();
    if i >= n {
        let Some(o) = ctx.outsiders[1].get(i - n) else {
            return Ok(());
        };
        let mut rng = Rng::stream(world.seed, tag("tax_outsider"), (i - n) as u64);
        let key = tax_code(i);
        let id = o.id.map(|v| format!("{v:012}")).unwrap_or_default();
        let name = sector_name(&world.lex, &o.name, &mut rng, false);
        let commune = &world.admin.communes[o.commune];
        let address = format!("{}{}", commune.hamlets[0], commune.address_tail);
        sink.record(&[
            &key,
            &id,
            &name,
            &date_text(o.birth, DateStyle::Iso),
            &address,
            &commune.code,
        ])?;
        sink.truth(TruthRow::new(sector_rule(1, 3), "tax", key, Vec::new()));
        return Ok(());
    }
    let p = &world.persons[i];
    if !p.has(F_TAX) || p.has(F_POPDEF | F_DUP_COPY) {
        return Ok(());
    }
    // The tax register holds the codes in use: a dead person's code is closed, unless
    // it is the planned defect.
    if p.death.is_some() && !p.has(F_DA_TAX) {
        return Ok(());
    }
    let mut rng = Rng::stream(world.seed, tag("tax"), i as u64);
    let defect = if p.has(F_AMB_TAX) {
        Defect::Ambiguous
    } else {
        roll_defect(ctx, 1, p, &mut rng, false)
    };
    let style = if rng.chance(0.6) {
        DateStyle::Iso
    } else {
        DateStyle::Dmy
    };
    let (ident, defect) = identity(ctx, 1, i, defect, &mut rng, style);
    let key = tax_code(i);
    let commune = &world.admin.communes[p.commune as usize];
    let hamlet = commune
        .hamlets
        .get(usize::from(p.hamlet))
        .map_or("", String::as_str);
    let mut address = if rng.chance(0.2) {
        format!(
            "Số {}, {hamlet}{}",
            1 + rng.below(300),
            commune.address_tail
        )
    } else {
        format!("{hamlet}{}", commune.address_tail)
    };
    if rng.chance(0.05) {
        address = to_nfd(&address);
    }
    sink.record(&[
        &key,
        &ident.id,
        &ident.name,
        &ident.birth,
        &address,
        &commune.code,
    ])?;
    if let Some(t) = defect_truth(ctx, 1, i, defect, &key) {
        sink.truth(t);
    }
    if dead(ctx, p) {
        sink.truth(TruthRow::new(
            "XM.tax.DECEASED_ACTIVE",
            "tax",
            key.clone(),
            vec![world.record_id(i as u32)],
        ));
    }
    Ok(())
}

/// Vaccination rows (one per dose) of item `i`.
pub(super) fn vaccination_item(
    ctx: &SectorCtx<'_>,
    i: usize,
    sink: &mut Sink,
) -> Result<(), csv::Error> {
    let world = ctx.world;
    let n = world.persons.len();
    if i >= n {
        let k = i - n;
        let Some(o) = ctx.outsiders[2].get(k) else {
            return Ok(());
        };
        let mut rng = Rng::stream(world.seed, tag("vaccination_outsider"), k as u64);
        let plan = vacc_plan(world.seed, i, o.birth);
        let doses = plan.n.clamp(1, 2);
        for d in 0..doses {
            let date = if plan.dates[d].is_some() {
                plan.dates[d]
            } else {
                Ymd::new(2021, 9, 1 + d as u32)
            };
            let key = vaccination_id(i, d);
            let id = o.id.map(|v| format!("{v:012}")).unwrap_or_default();
            let name = sector_name(&world.lex, &o.name, &mut rng, false);
            sink.record(&[
                &key,
                &id,
                &name,
                &date_text(o.birth, DateStyle::DmyShort),
                gender_text(o.gender, &mut rng),
                "",
                commune_code(world, o.commune),
                VACCINES[usize::from(plan.vaccines[d]).min(VACCINES.len() - 1)],
                &(d + 1).to_string(),
                &date_text(date, DateStyle::DmyShort),
            ])?;
            sink.truth(TruthRow::new(
                sector_rule(2, 3),
                "vaccination",
                key,
                Vec::new(),
            ));
        }
        return Ok(());
    }
    let p = &world.persons[i];
    if !p.has(F_VAC) || p.has(F_POPDEF | F_DUP_COPY) {
        return Ok(());
    }
    let plan = vacc_plan(world.seed, i, p.birth);
    let mut rng = Rng::stream(world.seed, tag("vaccination"), i as u64);
    let is_dead = dead(ctx, p);
    let phone = if p.phone != 0 {
        format!("0{}", p.phone)
    } else {
        String::new()
    };
    for d in 0..plan.n {
        let date = plan.dates[d];
        if p.death.is_some() && !p.has(F_DA_VAC) && date >= p.death {
            break;
        }
        let defect = if p.has(F_AMB_VAC) && d == 0 {
            Defect::Ambiguous
        } else {
            roll_defect(ctx, 2, p, &mut rng, false)
        };
        let style = if rng.chance(0.5) {
            DateStyle::DmyShort
        } else {
            DateStyle::Dmy
        };
        let (ident, defect) = identity(ctx, 2, i, defect, &mut rng, style);
        let key = vaccination_id(i, d);
        sink.record(&[
            &key,
            &ident.id,
            &ident.name,
            &ident.birth,
            gender_text(ident.gender, &mut rng),
            &phone,
            commune_code(world, p.commune as usize),
            VACCINES[usize::from(plan.vaccines[d]).min(VACCINES.len() - 1)],
            &(d + 1).to_string(),
            &date_text(date, style),
        ])?;
        if let Some(t) = defect_truth(ctx, 2, i, defect, &key) {
            sink.truth(t);
        }
        if is_dead && date > p.death {
            sink.truth(TruthRow::new(
                "XM.vaccination.DECEASED_ACTIVE",
                "vaccination",
                key,
                vec![world.record_id(i as u32)],
            ));
        }
    }
    Ok(())
}

/// Death registration of item `i`; `seq` numbers the registrations.
pub(super) fn death_item(
    ctx: &SectorCtx<'_>,
    i: usize,
    seq: usize,
    sink: &mut Sink,
) -> Result<(), csv::Error> {
    let world = ctx.world;
    let p = &world.persons[i];
    let mut rng = Rng::stream(world.seed, tag("deaths"), i as u64);
    let key = format!("KT{:08}", seq + 1);
    let id = if p.has(F_REG_NOID) {
        String::new()
    } else {
        format!("{:012}", p.id)
    };
    let name = sector_name(&world.lex, &p.name, &mut rng, false);
    let birth = sector_birth(p, &mut rng, DateStyle::Dmy, false);
    sink.record(&[
        &key,
        &id,
        &name,
        &birth,
        gender_text(p.gender, &mut rng),
        &date_text(p.death, DateStyle::Dmy),
        commune_code(world, p.commune as usize),
    ])?;
    if p.has(F_DEATH_UNRECORDED) {
        sink.truth(TruthRow::new(
            "SONG.DEATH_NOT_RECORDED",
            "deaths",
            key,
            vec![world.record_id(i as u32)],
        ));
    }
    Ok(())
}

/// Does record `i` get a death registration?
pub(super) fn has_registration(p: &Person) -> bool {
    p.death.is_some() && !p.has(F_POPDEF)
}

/// Hometown text for a birth province.
fn hometown(world: &World, p_birth_prov: u8, rng: &mut Rng) -> String {
    if p_birth_prov == world.admin.main().code {
        let r = world.admin.main().communes.clone();
        let c = &world.admin.communes[r.start + rng.index(r.len())];
        c.address_tail.trim_start_matches(", ").to_string()
    } else {
        super::admin::province_name(p_birth_prov).to_string()
    }
}

/// Legacy CMND rows of item `i` (register records, then unmatched outsiders).
pub(super) fn legacy_item(
    ctx: &SectorCtx<'_>,
    i: usize,
    sink: &mut Sink,
) -> Result<(), csv::Error> {
    let world = ctx.world;
    let n = world.persons.len();
    if i >= n {
        let k = i - n;
        let Some(o) = ctx.legacy_outsiders.get(k) else {
            return Ok(());
        };
        let mut rng = Rng::stream(world.seed, tag("legacy_outsider"), k as u64);
        let key = super::people::old_id_number(world.next_old_id + k as u64).to_string();
        let name = sector_name(&world.lex, &o.name, &mut rng, false);
        let home = super::admin::province_name(64).to_string();
        sink.record(&[
            &key,
            &name,
            &date_text(o.birth, DateStyle::Dmy),
            gender_text(o.gender, &mut rng),
            &home,
            commune_code(world, o.commune),
        ])?;
        sink.truth(TruthRow::new(
            "DU.OLD_ID_NOT_LINKED",
            "legacy_id",
            key,
            Vec::new(),
        ));
        return Ok(());
    }
    let p = &world.persons[i];
    let linked = p.has(F_OLD_ID) && !p.has(F_POPDEF | F_DUP_COPY);
    let unlinked = p.has(F_LEGACY_UNLINKED);
    if !linked && !unlinked {
        return Ok(());
    }
    let mut rng = Rng::stream(world.seed, tag("legacy"), i as u64);
    let key = if unlinked {
        // Fresh numbers for unlinked records come after the outsiders'.
        super::people::old_id_number(world.next_old_id + world.legacy_unmatched as u64 + i as u64)
            .to_string()
    } else {
        p.old_id.to_string()
    };
    let name = sector_name(&world.lex, &p.name, &mut rng, false);
    let birth = if unlinked {
        date_text(p.birth, DateStyle::Dmy)
    } else if p.birth.y < 1975 && rng.chance(0.2) {
        let mut s = String::new();
        write_date(&mut s, p.birth, DateStyle::Dmy, Precision::Year);
        s
    } else {
        sector_birth(p, &mut rng, DateStyle::Dmy, false)
    };
    let home = hometown(world, p.birth_prov, &mut rng);
    sink.record(&[
        &key,
        &name,
        &birth,
        gender_text(p.gender, &mut rng),
        &home,
        commune_code(world, p.commune as usize),
    ])?;
    if unlinked {
        sink.truth(TruthRow::new(
            "DU.OLD_ID_NOT_LINKED",
            "legacy_id",
            key,
            vec![world.record_id(i as u32)],
        ));
    }
    Ok(())
}

/// People outside the register: `not_found` per dataset, the insurance industrial-zone
/// workers, and the legacy records that match nobody.
pub(super) fn make_outsiders(world: &World) -> ([Vec<Outsider>; 3], Vec<Outsider>) {
    let count = |flag: u32| {
        world
            .persons
            .iter()
            .filter(|p| p.has(flag) && !p.has(F_POPDEF | F_DUP_COPY))
            .count()
    };
    let rows = [
        count(F_INS),
        count(F_TAX),
        (count(F_VAC) as f64 * 2.35) as usize,
    ];
    let mut out: [Vec<Outsider>; 3] = Default::default();
    let mut used: std::collections::HashSet<u64> = std::collections::HashSet::new();
    for ds in 0..3 {
        let mut rng = Rng::stream(world.seed, tag("outsiders"), ds as u64);
        let rate = world.rates.sector(ds).not_found;
        let mut n = if rate > 0.0 {
            (rate * rows[ds] as f64).ceil() as usize
        } else {
            0
        };
        if ds == 2 {
            // About 1.5 dose rows each.
            n = n.div_ceil(2).max(usize::from(rate > 0.0));
        }
        for k in 0..n {
            let with_id = k % 2 == 0;
            out[ds].push(outsider(world, &mut rng, with_id, None, &mut used));
        }
        if ds == 0 {
            for _ in 0..world.iz_outsiders {
                let zone = rng.index(world.admin.zones.len().max(1));
                let zone = (!world.admin.zones.is_empty()).then_some(zone);
                out[0].push(outsider(world, &mut rng, true, zone, &mut used));
            }
        }
    }
    let mut rng = Rng::stream(world.seed, tag("outsiders"), 99);
    let legacy = (0..world.legacy_unmatched)
        .map(|_| {
            let mut o = outsider(world, &mut rng, false, None, &mut used);
            // Old CMND holders were born before 1995.
            if o.birth.y >= 1995 {
                o.birth = o.birth.add_years(-20);
                for _ in 0..20 {
                    if !world.day_conflict(&o.name, o.birth) {
                        break;
                    }
                    o.birth = o.birth.add_days(-(rng.range(1, 300) as i32));
                }
            }
            o
        })
        .collect();
    (out, legacy)
}

/// Province codes that are not in the register (where outsiders come from).
fn outside_codes(world: &World) -> Vec<u8> {
    PROVINCES
        .iter()
        .map(|(c, _)| *c)
        .filter(|c| !world.admin.provinces.iter().any(|p| p.code == *c))
        .collect()
}

fn outsider(
    world: &World,
    rng: &mut Rng,
    with_id: bool,
    zone: Option<usize>,
    used: &mut std::collections::HashSet<u64>,
) -> Outsider {
    let lex = &world.lex;
    let main = world.admin.main().communes.clone();
    let commune = main.start + rng.index(main.len());
    let gender = u8::from(rng.chance(0.45));
    let mut name;
    let mut birth;
    let mut tries = 0;
    loop {
        birth = Ymd::new(1968 + rng.range(0, 38) as i32, 1, 1).add_days(rng.range(0, 364) as i32);
        name = if with_id && tries < 30 {
            let surname = lex.surname(rng, 0);
            lex.name(rng, gender, birth.year(), surname)
        } else {
            lex.highland_name(rng, gender)
        };
        tries += 1;
        if !world.day_conflict(&name, birth) || tries > 60 {
            break;
        }
    }
    let id = with_id.then(|| outsider_id(world, rng, birth, gender, used));
    Outsider {
        name,
        gender,
        birth,
        id,
        commune,
        zone,
    }
}

/// A well-formed ID of another province that is neither a register ID nor one typo
/// away from one.
fn outsider_id(
    world: &World,
    rng: &mut Rng,
    birth: Ymd,
    gender: u8,
    used: &mut std::collections::HashSet<u64>,
) -> u64 {
    let codes = outside_codes(world);
    let g = century_digit(birth.year(), gender);
    let yy = birth.year().rem_euclid(100) as u64;
    let mut candidate = 0;
    for _ in 0..200 {
        let ppp = if codes.is_empty() {
            79
        } else {
            rng.pick(&codes)
        };
        let seq = rng.below(1_000_000);
        candidate =
            u64::from(ppp) * 1_000_000_000 + u64::from(g) * 100_000_000 + yy * 1_000_000 + seq;
        if used.contains(&candidate) || world.id_taken(candidate) {
            continue;
        }
        if !near_register_id(world, candidate) {
            break;
        }
    }
    used.insert(candidate);
    candidate
}

fn near_register_id(world: &World, id: u64) -> bool {
    let mut digits = [0u8; 12];
    let mut v = id;
    for d in digits.iter_mut().rev() {
        *d = (v % 10) as u8;
        v /= 10;
    }
    let value = |d: &[u8; 12]| d.iter().fold(0u64, |acc, &x| acc * 10 + u64::from(x));
    for i in 0..12 {
        for r in 0..10u8 {
            if r != digits[i] {
                let mut t = digits;
                t[i] = r;
                if world.id_taken(value(&t)) {
                    return true;
                }
            }
        }
        if i < 11 && digits[i] != digits[i + 1] {
            let mut t = digits;
            t.swap(i, i + 1);
            if world.id_taken(value(&t)) {
                return true;
            }
        }
    }
    false
}
