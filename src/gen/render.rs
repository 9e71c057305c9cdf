//! Rendering of register rows (with benign noise) and the personal-ID checks shared by
//! the defect injection and the rule-based truth.

use super::admin::{is_province, PROVINCES};
use super::dates::{write_date, DateStyle, Precision};
use super::names::to_nfd;
use super::people::{
    Person, ETHNICITIES, F_BIRTH_MONTH, F_BIRTH_YEAR, F_DEATH_UNRECORDED, F_OLD_ID, F_OVERRIDE,
    F_TAM_TRU, HEAD, RELATIONS, RELIGIONS,
};
use super::plan::World;
use super::rng::{mix, tag};

/// Column indices of the population dataset.
pub(super) mod col {
    /// `record_id`.
    pub const RECORD_ID: usize = 0;
    /// `person_id`.
    pub const PERSON_ID: usize = 1;
    /// `old_id`.
    pub const OLD_ID: usize = 2;
    /// `full_name`.
    pub const FULL_NAME: usize = 3;
    /// `birth_date`.
    pub const BIRTH_DATE: usize = 4;
    /// `gender`.
    pub const GENDER: usize = 5;
    /// `birth_province_code`.
    pub const BIRTH_PROVINCE: usize = 6;
    /// `ethnicity`.
    pub const ETHNICITY: usize = 7;
    /// `religion`.
    pub const RELIGION: usize = 8;
    /// `nationality`.
    pub const NATIONALITY: usize = 9;
    /// `province_code`.
    pub const PROVINCE: usize = 10;
    /// `district_code`.
    pub const DISTRICT: usize = 11;
    /// `commune_code`.
    pub const COMMUNE: usize = 12;
    /// `address`.
    pub const ADDRESS: usize = 13;
    /// `residence_type`.
    pub const RESIDENCE: usize = 14;
    /// `household_id`.
    pub const HOUSEHOLD: usize = 15;
    /// `relation_to_head`.
    pub const RELATION: usize = 16;
    /// `father_name`.
    pub const FATHER: usize = 17;
    /// `mother_name`.
    pub const MOTHER: usize = 18;
    /// `spouse_name`.
    pub const SPOUSE: usize = 19;
    /// `card_issue_date`.
    pub const CARD: usize = 20;
    /// `death_date`.
    pub const DEATH: usize = 21;
    /// `phone`.
    pub const PHONE: usize = 22;
}

/// Header of `population.csv`.
pub(super) const POP_HEADER: [&str; 23] = [
    "record_id",
    "person_id",
    "old_id",
    "full_name",
    "birth_date",
    "gender",
    "birth_province_code",
    "ethnicity",
    "religion",
    "nationality",
    "province_code",
    "district_code",
    "commune_code",
    "address",
    "residence_type",
    "household_id",
    "relation_to_head",
    "father_name",
    "mother_name",
    "spouse_name",
    "card_issue_date",
    "death_date",
    "phone",
];

/// One rendered population row (buffers reused across rows).
#[derive(Default)]
pub(super) struct PopRow {
    /// Field texts in `POP_HEADER` order.
    pub f: [String; 23],
}

/// The date style a noise byte selects: mostly `dd/mm/yyyy`, ~10% each of the others.
pub(super) fn style_of(byte: u8) -> DateStyle {
    match byte {
        0..=204 => DateStyle::Dmy,
        205..=230 => DateStyle::DmyShort,
        _ => DateStyle::Iso,
    }
}

fn byte(h: u64, n: u32) -> u8 {
    (h >> (8 * n)) as u8
}

/// Append `text`, decomposed (NFD) when `nfd` is set.
fn push_text(out: &mut String, text: &str, nfd: bool) {
    if nfd {
        out.push_str(&to_nfd(text));
    } else {
        out.push_str(text);
    }
}

/// Render register record `i` into `row`.
pub(super) fn render_population(world: &World, i: usize, row: &mut PopRow) {
    for f in row.f.iter_mut() {
        f.clear();
    }
    let p: &Person = &world.persons[i];
    let lex = &world.lex;
    let h = mix(world.seed ^ tag("popnoise"), i as u64);
    let h2 = mix(world.seed ^ tag("popnoise2"), i as u64);
    let nfd = |n: u32| byte(h, n) < 13;
    let misc = byte(h, 7);
    use std::fmt::Write as _;
    let f = &mut row.f;
    let _ = write!(f[col::RECORD_ID], "P{:09}", i + 1);
    if misc == 0 {
        // Benign: an ID with spaces around it.
        let _ = write!(f[col::PERSON_ID], " {:012} ", p.id);
    } else {
        let _ = write!(f[col::PERSON_ID], "{:012}", p.id);
    }
    if p.has(F_OLD_ID) {
        let _ = write!(f[col::OLD_ID], "{}", p.old_id);
    }
    if nfd(1) {
        f[col::FULL_NAME].push_str(&to_nfd(&lex.full(&p.name)));
    } else {
        lex.render(&p.name, &mut f[col::FULL_NAME]);
    }
    let precision = if p.has(F_BIRTH_YEAR) {
        Precision::Year
    } else if p.has(F_BIRTH_MONTH) {
        Precision::Month
    } else {
        Precision::Day
    };
    write_date(
        &mut f[col::BIRTH_DATE],
        p.birth,
        style_of(byte(h, 0)),
        precision,
    );
    let gender_noise = byte(h, 6);
    let gender = match (p.gender, gender_noise) {
        (0, 0..=1) => "nam",
        (0, 2..=3) => "NAM",
        (0, _) => "Nam",
        (_, 0..=1) => "NỮ",
        (_, 2..=3) => "Nu",
        _ => "Nữ",
    };
    f[col::GENDER].push_str(gender);
    if (1..=2).contains(&misc) {
        // Benign: the three-digit form of the code.
        let _ = write!(f[col::BIRTH_PROVINCE], "{:03}", p.birth_prov);
    } else {
        let _ = write!(f[col::BIRTH_PROVINCE], "{:02}", p.birth_prov);
    }
    let ethnicity = ETHNICITIES[usize::from(p.ethnicity)];
    let ethnicity = match (misc, p.ethnicity) {
        (3, 0) => "KINH",
        (4, 0) => "kinh",
        (3..=4, 1) => "Tay",
        (3..=4, 4) => "Khơ Me",
        _ => ethnicity,
    };
    f[col::ETHNICITY].push_str(ethnicity);
    f[col::RELIGION].push_str(RELIGIONS[usize::from(p.religion)]);
    f[col::NATIONALITY].push_str("Việt Nam");
    let commune = &world.admin.communes[p.commune as usize];
    let district = &world.admin.districts[commune.district];
    let _ = write!(
        f[col::PROVINCE],
        "{:02}",
        world.admin.provinces[commune.province].code
    );
    f[col::DISTRICT].push_str(&district.code);
    f[col::COMMUNE].push_str(&commune.code);
    let hamlet = commune
        .hamlets
        .get(usize::from(p.hamlet))
        .map_or("", String::as_str);
    let address_nfd = nfd(2);
    push_text(&mut f[col::ADDRESS], hamlet, address_nfd);
    push_text(&mut f[col::ADDRESS], &commune.address_tail, address_nfd);
    f[col::RESIDENCE].push_str(if p.has(F_TAM_TRU) {
        "tam_tru"
    } else {
        "thuong_tru"
    });
    let _ = write!(f[col::HOUSEHOLD], "H{:07}", p.household + 1);
    let relation = match (p.relation, misc) {
        (HEAD, 5) => "chủ hộ",
        (HEAD, 6) => "Chủ Hộ",
        (r, _) => RELATIONS[usize::from(r).min(RELATIONS.len() - 1)],
    };
    f[col::RELATION].push_str(relation);
    for (column, name, noise) in [
        (col::FATHER, &p.father, 3),
        (col::MOTHER, &p.mother, 4),
        (col::SPOUSE, &p.spouse, 5),
    ] {
        if nfd(noise) {
            f[column].push_str(&to_nfd(&lex.full(name)));
        } else {
            lex.render(name, &mut f[column]);
        }
    }
    if p.card.is_some() {
        write_date(
            &mut f[col::CARD],
            p.card,
            style_of(byte(h2, 0)),
            Precision::Day,
        );
    }
    if p.death.is_some() && !p.has(F_DEATH_UNRECORDED) {
        write_date(
            &mut f[col::DEATH],
            p.death,
            style_of(byte(h2, 1)),
            Precision::Day,
        );
    }
    if p.phone != 0 {
        let _ = write!(f[col::PHONE], "0{}", p.phone);
    }
    if p.has(F_OVERRIDE) {
        if let Some(list) = world.overrides.get(&(i as u32)) {
            for (column, value) in list {
                f[*column].clear();
                f[*column].push_str(value);
            }
        }
    }
}

/// Is a three-digit `PPP` a province code?
pub(super) fn known_ppp(ppp: u32) -> bool {
    ppp < 100 && is_province(ppp as u8)
}

/// Century/year/gender/province consistency of a 12-digit ID (true when consistent).
fn consistent(digits: &[u8], birth_year: Option<i32>, gender: Option<u8>) -> bool {
    let d = |i: usize| u32::from(digits[i] - b'0');
    let ppp = d(0) * 100 + d(1) * 10 + d(2);
    if !known_ppp(ppp) {
        return false;
    }
    let g = d(3);
    let yy = (d(4) * 10 + d(5)) as i32;
    if let Some(year) = birth_year {
        let century = 1900 + 100 * ((year - 1900).div_euclid(100));
        if century != 1900 + 100 * (g as i32 / 2) || year.rem_euclid(100) != yy {
            return false;
        }
    } else if g >= 4 {
        return false;
    }
    if let Some(gender) = gender {
        if u32::from(gender) != g % 2 {
            return false;
        }
    }
    true
}

/// Is a (trimmed, non-empty) ID malformed per SPEC §2, given the recorded birth year
/// (None when unknown or impossible) and gender (None when unknown or invalid)?
pub(super) fn id_malformed(text: &str, birth_year: Option<i32>, gender: Option<u8>) -> bool {
    if text.is_empty() {
        return false;
    }
    let bytes = text.as_bytes();
    if !bytes.iter().all(u8::is_ascii_digit) || bytes.len() != 12 {
        return true;
    }
    !consistent(bytes, birth_year, gender)
}

/// The ID value used for the birth-province comparison: 12 digits, or the padded
/// value of a 9–11-digit ID that becomes valid when padded.
pub(super) fn id_value(text: &str, birth_year: Option<i32>, gender: Option<u8>) -> Option<u64> {
    let bytes = text.as_bytes();
    if bytes.is_empty() || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    match bytes.len() {
        12 => text.parse().ok(),
        9..=11 => {
            let padded = format!("{text:0>12}");
            consistent(padded.as_bytes(), birth_year, gender)
                .then(|| padded.parse().ok())
                .flatten()
        }
        _ => None,
    }
}

/// Normalised two-digit code of a written province code (`083` → 83), if it is one of
/// the 63.
pub(super) fn province_code(text: &str) -> Option<u8> {
    let t = text.trim();
    if t.is_empty() || t.len() > 3 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u32 = t.parse().ok()?;
    (n < 100 && PROVINCES.iter().any(|(c, _)| u32::from(*c) == n)).then_some(n as u8)
}
