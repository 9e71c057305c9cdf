//! Planning: builds the register, decides who appears in which dataset, and injects
//! every defect that must be decided before writing (duplicates, namesakes, deaths,
//! population field defects, households, cards). Each step draws from its own stream
//! and claims the people it uses, so defects stay independent of each other.

use std::collections::HashMap;

use super::admin::{is_province, AdminUnits};
use super::dates::{age_on, Ymd};
use super::names::{Lexicon, Name, NO_NAME};
use super::people::{
    card_issue, expired_card_issue, generate_register, next_id, Household, HouseholdCtx, Person,
    CHILD, F_AMB_INS, F_AMB_TAX, F_AMB_VAC, F_BIRTH_MONTH, F_BIRTH_YEAR, F_CARD_DEFECT, F_CLAIMED,
    F_DA_INS, F_DA_TAX, F_DA_VAC, F_DEATH_UNRECORDED, F_DUP, F_DUP_COPY, F_EXTRA, F_INS, F_IZ,
    F_LEGACY_UNLINKED, F_NAMESAKE, F_OLD_ID, F_OVERRIDE, F_POPDEF, F_REG_NOID, F_TAX, F_VAC,
    GRANDCHILD, HEAD,
};
use super::render::{col, id_malformed};
use super::rng::{mix, tag, Rng};
use super::sectors::vacc_plan;
use super::{DefectRates, GenError, GenOptions};

/// The names are unique enough for matching without an ID (see `unique_keys`).
pub(super) const F_UNIQUE: u32 = 1 << 24;

/// Everything decided before writing.
pub(super) struct World {
    /// Seed.
    pub seed: u64,
    /// Run date.
    pub as_of: Ymd,
    /// Name pools.
    pub lex: Lexicon,
    /// Admin units.
    pub admin: AdminUnits,
    /// Register records (base people, then duplicate registrations).
    pub persons: Vec<Person>,
    /// Households.
    pub households: Vec<Household>,
    /// Field values that replace the rendered ones, by record.
    pub overrides: HashMap<u32, Vec<(usize, String)>>,
    /// Namesake groups (record indices), and the group of each member.
    pub namesake_groups: Vec<Vec<u32>>,
    /// Group index by record.
    pub namesake_of: HashMap<u32, u32>,
    /// Duplicate-person groups (original first).
    pub dup_groups: Vec<Vec<u32>>,
    /// Rates.
    pub rates: DefectRates,
    /// Population defects injected (rule id, record), to check the rule-based truth.
    pub injected: Vec<(&'static str, u32)>,
    /// Household defects injected (rule id, household).
    pub injected_households: Vec<(&'static str, u32)>,
    /// Industrial-zone workers to create outside the register.
    pub iz_outsiders: usize,
    /// Legacy CMND records that match nobody.
    pub legacy_unmatched: usize,
    /// Next old CMND counter (after the register's).
    pub next_old_id: u64,
    /// Every ID value present in the register (sorted), for typo and outsider checks.
    pub register_ids: Vec<u64>,
    /// Hashes of (given name, birth day) and (surname, birth day) of the register.
    pub day_keys: Vec<u64>,
}

impl World {
    /// Record key (`record_id`) of a register record.
    pub(super) fn record_id(&self, index: u32) -> String {
        format!("P{:09}", index + 1)
    }

    /// Does a register person share (given, day) or (surname, day) with `name`/`birth`?
    pub(super) fn day_conflict(&self, name: &Name, birth: Ymd) -> bool {
        let (a, b) = day_key_pair(&self.lex, name, birth);
        self.day_keys.binary_search(&a).is_ok() || self.day_keys.binary_search(&b).is_ok()
    }

    /// Is `id` (or something equal to it) a register ID?
    pub(super) fn id_taken(&self, id: u64) -> bool {
        self.register_ids.binary_search(&id).is_ok()
    }
}

fn day_key_pair(lex: &Lexicon, name: &Name, birth: Ymd) -> (u64, u64) {
    let days = birth.days() as u64;
    let given = u64::from(lex.folded_id(name[3]));
    let surname = u64::from(lex.surname_key(name[0]));
    (mix(mix(1, given), days), mix(mix(2, surname), days))
}

/// Parse and check the options, then build the world.
pub(super) fn build(options: &GenOptions) -> Result<World, GenError> {
    let code_text = options.province_code.trim();
    let main_code: u8 = code_text
        .parse::<u16>()
        .ok()
        .and_then(|c| u8::try_from(c).ok())
        .filter(|&c| is_province(c))
        .ok_or_else(|| {
            GenError::Options(format!(
                "province code `{}` is not one of the 63 two-digit codes",
                options.province_code
            ))
        })?;
    if options.people < 50 {
        return Err(GenError::Options(format!(
            "at least 50 people are needed, got {}",
            options.people
        )));
    }
    let seed = options.seed;
    let as_of = Ymd::from_naive(options.as_of);
    if !(2000..=2200).contains(&as_of.year()) {
        return Err(GenError::Options(format!(
            "as_of {} is outside 2000–2200",
            options.as_of
        )));
    }
    let rates = options.rates.clone();
    let people = options.people;
    let extras = options.extra_provinces.min(10);
    let extra_share = 0.02;
    let main_people = people as f64 * (1.0 - extra_share * extras as f64).max(0.5);
    let communes = ((main_people / 7500.0).round() as usize).max(10);
    let mut admin_rng = Rng::stream(seed, tag("admin"), 0);
    let admin = AdminUnits::build(main_code, communes, extras, &mut admin_rng)?;
    let lex = Lexicon::new();

    let groups = if rates.dup_person > 0.0 {
        ((people as f64 * rates.dup_person).ceil() as usize).min(people / 10)
    } else {
        0
    };
    let triples = groups / 8;
    let base = people - groups - triples;

    let register = {
        let ctx = HouseholdCtx::new(seed, as_of, &lex, &admin);
        generate_register(&ctx, base, extra_share)?
    };
    let old_ids = register.persons.iter().filter(|p| p.has(F_OLD_ID)).count() as u64;
    let mut planner = Planner {
        world: World {
            seed,
            as_of,
            lex,
            admin,
            persons: register.persons,
            households: register.households,
            overrides: HashMap::new(),
            namesake_groups: Vec::new(),
            namesake_of: HashMap::new(),
            dup_groups: Vec::new(),
            rates,
            injected: Vec::new(),
            injected_households: Vec::new(),
            iz_outsiders: 0,
            legacy_unmatched: 0,
            next_old_id: old_ids,
            register_ids: Vec::new(),
            day_keys: Vec::new(),
        },
        counters: register.id_counters,
        base,
        commune_ranges: Vec::new(),
        extra_start: base,
    };
    planner.index_communes();
    planner.memberships();
    planner.duplicates(groups, triples)?;
    planner.namesakes()?;
    planner.stand_in_namesakes()?;
    planner.unique_keys();
    planner.iz_targets();
    planner.deceased_active();
    planner.deaths_not_recorded();
    planner.legacy_unlinked();
    planner.population_defects();
    planner.dup_ids();
    planner.household_defects();
    planner.card_defects();
    planner.finish();
    Ok(planner.world)
}

struct Planner {
    world: World,
    counters: Vec<u32>,
    base: usize,
    commune_ranges: Vec<(u32, u32)>,
    extra_start: usize,
}

/// ceil(rate × n), 0 when the rate is 0.
fn planned(rate: f64, n: usize) -> usize {
    if rate <= 0.0 || n == 0 {
        0
    } else {
        (rate * n as f64).ceil() as usize
    }
}

impl Planner {
    fn rng(&self, name: &str) -> Rng {
        Rng::stream(self.world.seed, tag(name), 0)
    }

    fn age(&self, i: usize) -> i32 {
        age_on(self.world.persons[i].birth, self.world.as_of)
    }

    fn free(&self, i: usize) -> bool {
        let p = &self.world.persons[i];
        !p.has(F_CLAIMED) && p.alive()
    }

    fn claim(&mut self, i: usize, flags: u32) {
        self.world.persons[i].flags |= F_CLAIMED | flags;
    }

    fn set_override(&mut self, i: usize, column: usize, value: String) {
        let p = &mut self.world.persons[i];
        p.flags |= F_OVERRIDE;
        let list = self.world.overrides.entry(i as u32).or_default();
        list.retain(|(c, _)| *c != column);
        list.push((column, value));
    }

    /// First index `i` in `lo..hi` (random probing) satisfying `pred`.
    fn probe(
        &self,
        rng: &mut Rng,
        lo: usize,
        hi: usize,
        tries: usize,
        pred: impl Fn(&Planner, usize) -> bool,
    ) -> Option<usize> {
        if hi <= lo {
            return None;
        }
        (0..tries)
            .map(|_| lo + rng.index(hi - lo))
            .find(|&i| pred(self, i))
    }

    fn index_communes(&mut self) {
        let n = self.world.admin.communes.len();
        let mut ranges = vec![(0u32, 0u32); n];
        let persons = &self.world.persons;
        let mut i = 0;
        while i < self.base {
            let c = persons[i].commune as usize;
            let start = i;
            while i < self.base && persons[i].commune as usize == c {
                i += 1;
            }
            ranges[c] = (start as u32, i as u32);
        }
        self.commune_ranges = ranges;
        self.extra_start = persons[..self.base]
            .iter()
            .position(|p| p.has(F_EXTRA))
            .unwrap_or(self.base);
    }

    /// Who appears in insurance, tax and vaccination (one stream per person).
    fn memberships(&mut self) {
        let seed = self.world.seed;
        let as_of = self.world.as_of;
        let vac_start = Ymd::new(2021, 8, 1);
        for (i, p) in self.world.persons.iter_mut().enumerate() {
            let mut rng = Rng::stream(seed, tag("membership"), i as u64);
            let age = age_on(p.birth, as_of);
            if (18..=85).contains(&age) && rng.chance(0.6) {
                p.flags |= F_INS;
            }
            if (18..=75).contains(&age) && rng.chance(0.35) {
                p.flags |= F_TAX;
            }
            let age_2022 = age_on(p.birth, Ymd::new(2022, 4, 1));
            let alive_then = p.death.is_none() || p.death > vac_start;
            if age_2022 >= 5 && alive_then && rng.chance(0.8) {
                p.flags |= F_VAC;
            }
        }
    }

    /// Second registrations of existing people (SACH.DUP_PERSON).
    fn duplicates(&mut self, groups: usize, triples: usize) -> Result<(), GenError> {
        let mut rng = self.rng("dup_person");
        let main_end = self.extra_start;
        for g in 0..groups {
            let Some(original) = self.probe(&mut rng, 0, main_end, 400, |pl, i| {
                pl.free(i) && pl.world.persons[i].name[3] != 0
            }) else {
                break;
            };
            self.claim(original, F_DUP);
            let copies = if g < triples { 2 } else { 1 };
            let mut group = vec![original as u32];
            for _ in 0..copies {
                let copy = self.duplicate_record(&mut rng, original)?;
                group.push(copy as u32);
            }
            self.world.dup_groups.push(group);
        }
        Ok(())
    }

    fn duplicate_record(&mut self, rng: &mut Rng, original: usize) -> Result<usize, GenError> {
        let index = self.world.persons.len();
        let mut copy = self.world.persons[original].clone();
        copy.flags &= !(F_INS | F_TAX | F_VAC | F_OVERRIDE | F_BIRTH_MONTH | F_BIRTH_YEAR);
        copy.flags |= F_DUP | F_DUP_COPY | F_CLAIMED;
        copy.flags |= self.world.persons[original].flags & (F_BIRTH_MONTH | F_BIRTH_YEAR);
        // Variations, as a second registration typed by another clerk would show.
        let mut name_override = None;
        match rng.index(5) {
            0 => name_override = Some(super::names::to_nfd(&self.world.lex.full(&copy.name))),
            1 => name_override = Some(self.world.lex.full(&copy.name).to_uppercase()),
            2 if copy.name[1] != 0 => {
                copy.name[1] = 0;
                copy.name[2] = 0;
            }
            _ => {
                let given = self.world.lex.part(copy.name[3]).to_string();
                let typo = super::names::letter_typo(rng, &given);
                if let Some(id) = self.world.lex.try_intern(&typo) {
                    copy.name[3] = id;
                }
            }
        }
        if rng.chance(0.25) {
            copy.flags &= !F_BIRTH_MONTH;
            copy.flags |= F_BIRTH_YEAR;
        }
        // The other clerk mistyped the birth date (before the ID is made, so that the
        // copy's ID carries the year it was registered with), or left a parent out.
        if copy.full_birth() && rng.chance(0.12) {
            if let Some(birth) = mistyped_date(rng, copy.birth, copy.death, self.world.as_of) {
                copy.birth = birth;
            }
        }
        if rng.chance(0.15) {
            if rng.chance(0.5) {
                copy.father = NO_NAME;
            } else {
                copy.mother = NO_NAME;
            }
        }
        let missing_id = rng.chance(0.3);
        copy.id = next_id(
            self.world.seed,
            &mut self.counters,
            copy.birth_prov,
            copy.birth.year(),
            copy.gender,
        )?;
        if rng.chance(0.3) {
            copy.card = Ymd::NONE;
        }
        // Where the second registration lives.
        let r = rng.f64();
        let n_communes = self.world.admin.communes.len();
        let main = self.world.admin.main().communes.clone();
        let commune = if r < 0.25 && self.world.admin.provinces.len() > 1 {
            let extra = self.world.admin.provinces
                [1 + rng.index(self.world.admin.provinces.len() - 1)]
            .communes
            .clone();
            extra.start + rng.index(extra.len())
        } else if r < 0.75 {
            main.start + rng.index(main.len())
        } else {
            copy.commune as usize
        };
        let commune = commune.min(n_communes - 1);
        copy.commune = commune as u16;
        if !self.world.admin.in_main(commune) {
            copy.flags |= F_EXTRA;
        } else {
            copy.flags &= !F_EXTRA;
        }
        let (lo, hi) = self.commune_ranges[commune];
        let join = rng.chance(0.4) && hi > lo;
        if join {
            let host = lo as usize + rng.index((hi - lo) as usize);
            let household = self.world.persons[host].household;
            copy.household = household;
            copy.hamlet = self.world.persons[host].hamlet;
            let age = age_on(copy.birth, self.world.as_of);
            copy.relation = if age < 30 && rng.chance(0.5) {
                GRANDCHILD
            } else if age < 40 && rng.chance(0.3) {
                CHILD
            } else {
                9
            };
        } else {
            let household = self.world.households.len() as u32;
            self.world.households.push(Household {
                start: index as u32,
                len: 1,
                commune: commune as u16,
            });
            copy.household = household;
            copy.relation = HEAD;
            let hamlets = self.world.admin.communes[commune].hamlets.len().max(1);
            copy.hamlet = rng.index(hamlets) as u8;
        }
        self.world.persons.push(copy);
        if let Some(name) = name_override {
            self.set_override(index, col::FULL_NAME, name);
        }
        if missing_id {
            self.set_override(index, col::PERSON_ID, String::new());
        }
        Ok(index)
    }

    /// Namesake pairs: ambiguous-record targets per sector dataset, and plain ones.
    fn namesakes(&mut self) -> Result<(), GenError> {
        let rates = self.world.rates.clone();
        let ins = self.count(F_INS);
        let tax = self.count(F_TAX);
        let vac_rows = (self.count(F_VAC) as f64 * 2.35) as usize;
        let mut rng = self.rng("namesakes");
        let plans = [
            (F_INS, F_AMB_INS, planned(rates.insurance.ambiguous, ins)),
            (F_TAX, F_AMB_TAX, planned(rates.tax.ambiguous, tax)),
            (
                F_VAC,
                F_AMB_VAC,
                planned(rates.vaccination.ambiguous, vac_rows),
            ),
            (0, 0, (self.base as f64 * 0.003).ceil() as usize),
        ];
        let main_end = self.extra_start;
        for (member, target_flag, n) in plans {
            for _ in 0..n {
                let Some(target) = self.probe(&mut rng, 0, main_end, 400, |pl, i| {
                    let p = &pl.world.persons[i];
                    pl.free(i)
                        && (member == 0 || p.has(member))
                        && p.full_birth()
                        && (18..=80).contains(&pl.age(i))
                        && p.name[3] != 0
                }) else {
                    break;
                };
                let t = self.world.persons[target].clone();
                // Half the namesakes live in the same commune, half elsewhere in the
                // province: either way they are equally good candidates.
                let (lo, hi) = if rng.chance(0.5) {
                    self.commune_ranges[t.commune as usize]
                } else {
                    (0, main_end as u32)
                };
                let Some(twin) = self.probe(&mut rng, lo as usize, hi as usize, 600, |pl, i| {
                    let p = &pl.world.persons[i];
                    i != target
                        && pl.free(i)
                        && p.household != t.household
                        && p.gender == t.gender
                        && p.full_birth()
                        && (18..=85).contains(&pl.age(i))
                        && (p.birth.year() - t.birth.year()).abs() <= 2
                        && (p.gender == 1 || p.name[0] == t.name[0])
                        && !pl.same_name(&p.father, &t.father)
                        && !pl.same_name(&p.mother, &t.mother)
                }) else {
                    continue;
                };
                self.rename(twin, t.name, t.birth, &mut rng)?;
                self.record_namesakes(target, twin, target_flag);
            }
        }
        Ok(())
    }

    /// Claim two records made namesakes (the target also with `target_flag`) and file
    /// them as one namesake group.
    fn record_namesakes(&mut self, target: usize, twin: usize, target_flag: u32) {
        self.claim(target, F_NAMESAKE | target_flag);
        self.claim(twin, F_NAMESAKE);
        let group = self.world.namesake_groups.len() as u32;
        self.world
            .namesake_groups
            .push(vec![target as u32, twin as u32]);
        self.world.namesake_of.insert(target as u32, group);
        self.world.namesake_of.insert(twin as u32, group);
    }

    /// Namesakes in one commune registered on 01/01 of one year (the stand-in for an
    /// unknown birth date) and without their parents' names: two people a duplicate
    /// search must not join, since a stand-in date agrees by chance far more often
    /// than a real one.
    fn stand_in_namesakes(&mut self) -> Result<(), GenError> {
        let mut rng = self.rng("stand-in namesakes");
        let main_end = self.extra_start;
        for _ in 0..(self.base as f64 * 0.001).ceil() as usize {
            let Some(target) = self.probe(&mut rng, 0, main_end, 2000, |pl, i| {
                let p = &pl.world.persons[i];
                pl.free(i)
                    && p.full_birth()
                    && p.birth.m == 1
                    && p.birth.d == 1
                    && (18..=85).contains(&pl.age(i))
                    && p.name[3] != 0
            }) else {
                break;
            };
            let t = self.world.persons[target].clone();
            let (lo, hi) = self.commune_ranges[t.commune as usize];
            let Some(twin) = self.probe(&mut rng, lo as usize, hi as usize, 600, |pl, i| {
                let p = &pl.world.persons[i];
                i != target
                    && pl.free(i)
                    && p.household != t.household
                    && p.gender == t.gender
                    && p.full_birth()
                    && (18..=85).contains(&pl.age(i))
                    && (p.birth.year() - t.birth.year()).abs() <= 2
                    && (p.gender == 1 || p.name[0] == t.name[0])
            }) else {
                continue;
            };
            self.rename(twin, t.name, t.birth, &mut rng)?;
            for i in [target, twin] {
                let p = &mut self.world.persons[i];
                p.father = NO_NAME;
                p.mother = NO_NAME;
            }
            self.record_namesakes(target, twin, 0);
        }
        Ok(())
    }

    /// Give record `i` another name and birth date, keeping its household consistent.
    fn rename(&mut self, i: usize, name: Name, birth: Ymd, rng: &mut Rng) -> Result<(), GenError> {
        let old = self.world.persons[i].name;
        let household = self.world.households[self.world.persons[i].household as usize].clone();
        let start = household.start as usize;
        let end = start + household.len as usize;
        for m in start..end.min(self.base) {
            let member = &mut self.world.persons[m];
            for slot in [&mut member.father, &mut member.mother, &mut member.spouse] {
                if *slot == old {
                    *slot = name;
                }
            }
        }
        let as_of = self.world.as_of;
        let p = &mut self.world.persons[i];
        p.name = name;
        let year_changed = p.birth.y != birth.y;
        p.birth = birth;
        if p.card.is_some() {
            p.card = card_issue(rng, birth, as_of);
        }
        if year_changed {
            let (prov, year, gender) = (p.birth_prov, birth.year(), p.gender);
            let id = next_id(self.world.seed, &mut self.counters, prov, year, gender)?;
            self.world.persons[i].id = id;
        }
        Ok(())
    }

    /// Do two names fold to the same key (namesakes must not share a parent's name)?
    fn same_name(&self, a: &Name, b: &Name) -> bool {
        let lex = &self.world.lex;
        (0..4).all(|k| lex.folded_id(a[k]) == lex.folded_id(b[k]))
    }

    fn count(&self, flag: u32) -> usize {
        self.world.persons.iter().filter(|p| p.has(flag)).count()
    }

    /// Flag records whose (surname, given name, birth date) is unique in the register:
    /// only those may lose their ID in a sector record and still match one person
    /// clearly (a namesake with another middle name or birth date scores well below).
    fn unique_keys(&mut self) {
        let lex = &self.world.lex;
        let mut keys: Vec<(u64, u32)> = self
            .world
            .persons
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let k = mix(
                    mix(
                        u64::from(lex.surname_key(p.name[0])),
                        u64::from(lex.folded_id(p.name[3])),
                    ),
                    p.birth.days() as u64,
                );
                (k, i as u32)
            })
            .collect();
        keys.sort_unstable();
        let mut i = 0;
        while i < keys.len() {
            let mut j = i + 1;
            while j < keys.len() && keys[j].0 == keys[i].0 {
                j += 1;
            }
            if j == i + 1 {
                self.world.persons[keys[i].1 as usize].flags |= F_UNIQUE;
            }
            i = j;
        }
    }

    /// Industrial-zone workers registered only in a neighbouring province.
    fn iz_targets(&mut self) {
        let n = planned(self.world.rates.iz_no_temp_residence, self.count(F_INS));
        let mut rng = self.rng("iz");
        let in_register = (n * 2) / 5;
        let mut made = 0;
        for _ in 0..in_register {
            let Some(i) = self.probe(&mut rng, self.extra_start, self.base, 300, |pl, i| {
                pl.free(i) && (18..=55).contains(&pl.age(i)) && pl.world.persons[i].full_birth()
            }) else {
                break;
            };
            self.claim(i, F_IZ | F_INS);
            made += 1;
        }
        self.world.iz_outsiders = n - made;
    }

    /// People who died but whose insurance stays active, whose tax code stays in the tax
    /// register, or who got a dose after death.
    fn deceased_active(&mut self) {
        let rates = self.world.rates.clone();
        let as_of = self.world.as_of;
        let seed = self.world.seed;
        let mut rng = self.rng("deceased_active");
        // Dead people whose record in a sector stays in use: (rate per record,
        // membership, ages, earliest death year, defect flag).
        let still_in_use = [
            (
                rates.insurance_deceased_active,
                F_INS,
                25..=85,
                2023,
                F_DA_INS,
            ),
            (rates.tax_deceased_active, F_TAX, 25..=75, 2022, F_DA_TAX),
        ];
        for (rate, member, ages, earliest, flag) in still_in_use {
            for _ in 0..planned(rate, self.count(member)) {
                let Some(i) = self.probe(&mut rng, 0, self.base, 400, |pl, i| {
                    let p = &pl.world.persons[i];
                    pl.free(i) && p.has(member) && p.full_birth() && ages.contains(&pl.age(i))
                }) else {
                    break;
                };
                let lo = Ymd::new(earliest, 1, 1).days();
                let death =
                    Ymd::from_days(rng.range(i64::from(lo), i64::from(as_of.days() - 7)) as i32);
                self.kill(i, death, &mut rng);
                self.claim(i, flag);
            }
        }
        let vac_rows = (self.count(F_VAC) as f64 * 2.35) as usize;
        let n_vac = planned(rates.vaccination_deceased_active, vac_rows);
        for _ in 0..n_vac {
            let Some(i) = self.probe(&mut rng, 0, self.base, 400, |pl, i| {
                let p = &pl.world.persons[i];
                pl.free(i)
                    && p.has(F_VAC)
                    && p.full_birth()
                    && pl.age(i) >= 18
                    && vacc_plan(seed, i, p.birth).n >= 2
            }) else {
                break;
            };
            let plan = vacc_plan(seed, i, self.world.persons[i].birth);
            let first = plan.dates[0].days();
            let last = plan.dates[plan.n - 1].days();
            if last - first < 3 {
                continue;
            }
            let death = Ymd::from_days(rng.range(i64::from(first + 1), i64::from(last - 1)) as i32);
            self.kill(i, death, &mut rng);
            self.claim(i, F_DA_VAC);
        }
    }

    /// Set a death date; some deaths reach the register only as a registration.
    fn kill(&mut self, i: usize, death: Ymd, rng: &mut Rng) {
        let unrecorded = rng.chance(0.15);
        let p = &mut self.world.persons[i];
        p.death = death;
        if p.card.is_some() && p.card >= death {
            p.card = card_issue(rng, p.birth, death.add_days(-1));
        }
        if unrecorded {
            p.flags |= F_DEATH_UNRECORDED;
        }
    }

    /// Registered deaths the register does not show (SONG.DEATH_NOT_RECORDED).
    fn deaths_not_recorded(&mut self) {
        let adults = (0..self.base).filter(|&i| self.age(i) >= 18).count();
        let n = planned(self.world.rates.death_not_recorded, adults);
        let as_of = self.world.as_of;
        let mut rng = self.rng("death_not_recorded");
        for _ in 0..n {
            let Some(i) = self.probe(&mut rng, 0, self.base, 400, |pl, i| {
                pl.free(i) && pl.age(i) >= 40
            }) else {
                break;
            };
            // Deaths concentrate among the old: accept younger candidates less often.
            if self.age(i) < 65 && rng.chance(0.5) {
                if let Some(j) = self.probe(&mut rng, 0, self.base, 400, |pl, j| {
                    pl.free(j) && pl.age(j) >= 65
                }) {
                    self.mark_unrecorded(j, as_of, &mut rng);
                    continue;
                }
            }
            self.mark_unrecorded(i, as_of, &mut rng);
        }
    }

    fn mark_unrecorded(&mut self, i: usize, as_of: Ymd, rng: &mut Rng) {
        let lo = Ymd::new(2024, 1, 1)
            .days()
            .max(self.world.persons[i].birth.days() + 1);
        let death = Ymd::from_days(rng.range(i64::from(lo), i64::from(as_of.days() - 1)) as i32);
        let p = &mut self.world.persons[i];
        p.death = death;
        p.flags |= F_DEATH_UNRECORDED;
        if p.card.is_some() && p.card >= death {
            p.card = card_issue(rng, p.birth, death.add_days(-1));
        }
        let no_id = p.has(F_UNIQUE) && p.full_birth() && rng.chance(0.3);
        if no_id {
            p.flags |= F_REG_NOID;
        }
        self.claim(i, 0);
    }

    /// Legacy CMND records of people whose register record lacks the old ID.
    fn legacy_unlinked(&mut self) {
        let legacy = self
            .world
            .persons
            .iter()
            .filter(|p| p.has(F_OLD_ID) && !p.has(F_DUP_COPY))
            .count();
        let n = planned(self.world.rates.old_id_not_linked, legacy);
        let matched = n / 2;
        let mut rng = self.rng("legacy");
        let mut made = 0;
        for _ in 0..matched {
            let Some(i) = self.probe(&mut rng, 0, self.base, 400, |pl, i| {
                let p = &pl.world.persons[i];
                pl.free(i)
                    && !p.has(F_OLD_ID)
                    && p.has(F_UNIQUE)
                    && p.full_birth()
                    && (1950..1995).contains(&p.birth.year())
                    && pl.age(i) >= 18
            }) else {
                break;
            };
            self.claim(i, F_LEGACY_UNLINKED);
            made += 1;
        }
        self.world.legacy_unmatched = n - made;
    }

    /// Field defects of single records (ID structure, birth province, invalid values,
    /// missing fields): at most one kind per record.
    fn population_defects(&mut self) {
        let r = self.world.rates.clone();
        let thresholds = [
            r.id_structure,
            r.id_structure + r.id_birth_province,
            r.id_structure + r.id_birth_province + r.invalid_value,
            r.id_structure + r.id_birth_province + r.invalid_value + r.missing_field,
        ];
        for i in 0..self.base {
            if !self.free(i) || self.world.persons[i].has(F_DUP | F_NAMESAKE) {
                continue;
            }
            let mut rng = Rng::stream(self.world.seed, tag("popdef"), i as u64);
            let x = rng.f64();
            let kind = thresholds.iter().position(|&t| x < t);
            let Some(kind) = kind else {
                continue;
            };
            let applied = match kind {
                0 => self.id_structure(i, &mut rng),
                1 => self.birth_province(i, &mut rng),
                2 => self.invalid_value(i, &mut rng),
                _ => self.missing_field(i, &mut rng),
            };
            if let Some(rule) = applied {
                self.world.persons[i].flags &= !(F_INS | F_TAX | F_VAC);
                self.claim(i, F_POPDEF);
                self.world.injected.push((rule, i as u32));
            }
        }
    }

    fn id_structure(&mut self, i: usize, rng: &mut Rng) -> Option<&'static str> {
        let p = &self.world.persons[i];
        let id = format!("{:012}", p.id);
        let year = p.birth.year();
        let gender = p.gender;
        let digits: Vec<u8> = id.bytes().collect();
        let text = |d: &[u8]| String::from_utf8_lossy(d).into_owned();
        let malformed = |s: &str| id_malformed(s.trim(), Some(year), Some(gender));
        let variant = rng.index(10);
        let value = match variant {
            // The classic: stored as a number, leading zeros lost.
            0..=2 => id.trim_start_matches('0').to_string(),
            3 => {
                let mut d = digits.clone();
                let pos = rng.index(13);
                d.insert(pos, b'0' + rng.below(10) as u8);
                text(&d)
            }
            4 => {
                // Eleven digits that do not become valid when padded.
                let mut found = None;
                for _ in 0..12 {
                    let mut d = digits.clone();
                    d.remove(3 + rng.index(9));
                    let candidate = text(&d);
                    if malformed(&format!("0{candidate}")) {
                        found = Some(candidate);
                        break;
                    }
                }
                found.unwrap_or_else(|| format!("{id}{}", rng.below(10)))
            }
            5 => {
                let mut d = digits.clone();
                if rng.chance(0.4) {
                    d.insert(3, b'-');
                } else {
                    let pos = 3 + rng.index(9);
                    d[pos] = [b'O', b'I', b'l', b'-', b'o'][rng.index(5)];
                }
                text(&d)
            }
            6 => {
                const UNKNOWN: &[&str] = &[
                    "003", "005", "007", "009", "013", "016", "018", "021", "023", "028", "029",
                    "032", "039", "041", "043", "047", "050", "053", "055", "057", "059", "061",
                    "063", "065", "069", "071", "073", "076", "078", "081", "085", "088", "090",
                    "097", "098", "099", "000",
                ];
                format!("{}{}", UNKNOWN[rng.index(UNKNOWN.len())], &id[3..])
            }
            7 => {
                let mut d = digits.clone();
                d[3] = match d[3] {
                    b'0' | b'1' => d[3] + 2,
                    b'2' | b'3' if rng.chance(0.5) => d[3] - 2,
                    other => other + 2,
                };
                text(&d)
            }
            8 => {
                let yy = (year.rem_euclid(100) + 1 + rng.below(9) as i32) % 100;
                format!("{}{yy:02}{}", &id[..4], &id[6..])
            }
            _ => {
                let mut d = digits.clone();
                d[3] ^= 1;
                text(&d)
            }
        };
        if !malformed(&value) {
            return None;
        }
        self.set_override(i, col::PERSON_ID, value);
        Some("DUNG.ID_STRUCTURE")
    }

    fn birth_province(&mut self, i: usize, rng: &mut Rng) -> Option<&'static str> {
        let current = self.world.persons[i].birth_prov;
        let codes: Vec<u8> = super::admin::PROVINCES
            .iter()
            .map(|(c, _)| *c)
            .filter(|&c| c != current)
            .collect();
        // Neighbouring codes are the likely slip; sometimes any province.
        let other = if rng.chance(0.5) {
            let near: Vec<u8> = codes
                .iter()
                .copied()
                .filter(|&c| (i32::from(c) - i32::from(current)).abs() <= 5)
                .collect();
            if near.is_empty() {
                rng.pick(&codes)
            } else {
                rng.pick(&near)
            }
        } else {
            rng.pick(&codes)
        };
        self.set_override(i, col::BIRTH_PROVINCE, format!("{other:02}"));
        Some("DUNG.ID_BIRTH_PROVINCE")
    }

    fn invalid_value(&mut self, i: usize, rng: &mut Rng) -> Option<&'static str> {
        let kinds = if rng.chance(0.2) { 2 } else { 1 };
        let first = rng.index(8);
        // Two impossible dates on one record would make "how old" ambiguous: a second
        // bad field is always a list value.
        let second = (first + 1 + rng.index(4)) % 5;
        let second = if second == first {
            (first + 1) % 5
        } else {
            second
        };
        for kind in [first, second].into_iter().take(kinds) {
            self.invalid_field(i, kind, rng);
        }
        Some("DUNG.INVALID_VALUE")
    }

    fn invalid_field(&mut self, i: usize, kind: usize, rng: &mut Rng) {
        let as_of = self.world.as_of;
        match kind {
            0 => {
                let v = [
                    "Kinh Việt",
                    "Không rõ",
                    "X",
                    "Kih",
                    "Dân tộc khác",
                    "Kinh-Hoa",
                ];
                self.set_override(i, col::ETHNICITY, rng.pick(&v).to_string());
            }
            1 => {
                let v = ["Việt Nan", "Kinh", "Viet Nma", "Không"];
                self.set_override(i, col::NATIONALITY, rng.pick(&v).to_string());
            }
            2 => {
                let v = ["Khác", "X", "3", "Nan"];
                self.set_override(i, col::GENDER, rng.pick(&v).to_string());
            }
            3 => {
                let v = ["thuong tru tam", "KT3", "tạm vắng", "thuong_tru_cu"];
                self.set_override(i, col::RESIDENCE, rng.pick(&v).to_string());
            }
            4 => {
                let code = self.world.admin.unknown_commune_code(rng);
                self.set_override(i, col::COMMUNE, code);
            }
            5 => {
                // Future birth: 19xx typed as 20xx, or a date past the run date.
                let p = &mut self.world.persons[i];
                let mut b = p.birth.add_years(100);
                if b <= as_of {
                    b = as_of.add_days(rng.range(30, 2000) as i32);
                }
                p.birth = b;
                p.flags &= !(F_BIRTH_MONTH | F_BIRTH_YEAR);
            }
            6 => {
                let p = &mut self.world.persons[i];
                p.death = p.birth.add_days(-(rng.range(30, 5000) as i32));
                p.flags &= !F_DEATH_UNRECORDED;
            }
            _ => {
                // A living person "born" more than 120 years ago; they hold a card, so
                // no card rule depends on how the impossible age is read.
                let p = &mut self.world.persons[i];
                let mut b = p.birth.add_years(-100);
                if age_on(b, as_of) <= 120 {
                    b = Ymd::new(1890 + rng.range(0, 10) as i32, p.birth.m.into(), 1);
                }
                p.birth = b;
                p.flags &= !(F_BIRTH_MONTH | F_BIRTH_YEAR);
                if p.card.is_none() {
                    p.card = Ymd::new(2021, 3, 1 + rng.below(28) as u32);
                }
            }
        }
    }

    fn missing_field(&mut self, i: usize, rng: &mut Rng) -> Option<&'static str> {
        let is_head = self.world.persons[i].relation == HEAD;
        let fields = [
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
        let allowed: Vec<usize> = fields
            .into_iter()
            .filter(|&f| !(is_head && (f == col::HOUSEHOLD || f == col::RELATION)))
            .collect();
        let n = if rng.chance(0.2) { 2 } else { 1 };
        let first = rng.pick(&allowed);
        self.set_override(i, first, String::new());
        if n == 2 {
            let second = rng.pick(&allowed);
            self.set_override(i, second, String::new());
        }
        Some("DU.MISSING_FIELD")
    }

    /// The same ID copied onto an unrelated person of the same gender, birth year and
    /// birth province (SACH.DUP_ID), so the copied ID still looks valid.
    fn dup_ids(&mut self) {
        let n = planned(self.world.rates.dup_id, self.base);
        let mut rng = self.rng("dup_id");
        for k in 0..n {
            let Some(b) = self.probe(&mut rng, 0, self.base, 400, |pl, i| {
                pl.free(i) && !pl.world.persons[i].has(F_DUP | F_NAMESAKE)
            }) else {
                break;
            };
            let target = self.world.persons[b].clone();
            let candidates = |pl: &Planner, i: usize| {
                let p = &pl.world.persons[i];
                i != b
                    && pl.free(i)
                    && !p.has(F_DUP | F_NAMESAKE)
                    && p.household != target.household
                    && p.gender == target.gender
                    && p.birth.y == target.birth.y
                    && p.birth_prov == target.birth_prov
            };
            let Some(a) = self.probe(&mut rng, 0, self.base, 3000, candidates) else {
                continue;
            };
            let id = self.world.persons[a].id;
            let mut members = vec![a, b];
            if k % 10 == 9 {
                if let Some(c) = self.probe(&mut rng, 0, self.base, 3000, |pl, i| {
                    i != a && candidates(pl, i)
                }) {
                    members.push(c);
                }
            }
            for &m in &members {
                self.world.persons[m].id = id;
                self.world.persons[m].flags &= !(F_INS | F_TAX | F_VAC);
                self.claim(m, F_POPDEF);
                self.world.injected.push(("SACH.DUP_ID", m as u32));
            }
        }
    }

    /// Households without a head, or with two (relation_to_head rewritten).
    fn household_defects(&mut self) {
        let rates = self.world.rates.clone();
        let n_households = self.world.households.len();
        for h in 0..n_households {
            let household = self.world.households[h].clone();
            if household.start as usize >= self.base {
                continue;
            }
            let mut rng = Rng::stream(self.world.seed, tag("household_defect"), h as u64);
            let start = household.start as usize;
            let members: Vec<usize> = (start..start + household.len as usize).collect();
            let Some(&head) = members
                .iter()
                .find(|&&m| self.world.persons[m].relation == HEAD)
            else {
                continue;
            };
            let touched = members
                .iter()
                .any(|&m| self.world.persons[m].has(F_OVERRIDE));
            if touched {
                continue;
            }
            let x = rng.f64();
            if x < rates.household_no_head {
                let v = ["Khác", "Ông", "Bà", "Cha", "Chồng", "Vợ"];
                self.set_override(head, col::RELATION, rng.pick(&v).to_string());
                self.world
                    .injected_households
                    .push(("DU.HOUSEHOLD_NO_HEAD", h as u32));
            } else if x < rates.household_no_head + rates.household_multi_head && members.len() >= 2
            {
                let others: Vec<usize> = members.iter().copied().filter(|&m| m != head).collect();
                let second = rng.pick(&others);
                let v = ["Chủ hộ", "chủ hộ", "CHU HO", "Chủ Hộ"];
                self.set_override(second, col::RELATION, rng.pick(&v).to_string());
                self.world
                    .injected_households
                    .push(("DUNG.HOUSEHOLD_MULTI_HEAD", h as u32));
            }
        }
    }

    /// Cards removed or made expired (the truth comes from the rules on the final data).
    fn card_defects(&mut self) {
        let rates = self.world.rates.clone();
        let as_of = self.world.as_of;
        for i in 0..self.world.persons.len() {
            let p = &self.world.persons[i];
            if !p.alive() || p.has(F_POPDEF | F_DUP_COPY) || age_on(p.birth, as_of) < 14 {
                continue;
            }
            let mut rng = Rng::stream(self.world.seed, tag("card_defect"), i as u64);
            let x = rng.f64();
            if p.card.is_some() && x < rates.no_id_card {
                let p = &mut self.world.persons[i];
                p.card = Ymd::NONE;
                p.flags |= F_CARD_DEFECT;
            } else if x < rates.no_id_card + rates.card_expired && p.full_birth() {
                let expired = expired_card_issue(&mut rng, p.birth, as_of);
                if expired.is_some() {
                    let p = &mut self.world.persons[i];
                    p.card = expired;
                    p.flags |= F_CARD_DEFECT;
                }
            }
        }
    }

    /// Indexes the writers need.
    fn finish(&mut self) {
        let mut ids: Vec<u64> = self.world.persons.iter().map(|p| p.id).collect();
        for list in self.world.overrides.values() {
            for (c, v) in list {
                if *c == col::PERSON_ID {
                    let t = v.trim();
                    if !t.is_empty() && t.len() <= 12 && t.bytes().all(|b| b.is_ascii_digit()) {
                        if let Ok(n) = t.parse::<u64>() {
                            ids.push(n);
                        }
                    }
                }
            }
        }
        ids.sort_unstable();
        ids.dedup();
        self.world.register_ids = ids;
        let lex = &self.world.lex;
        let mut keys: Vec<u64> = Vec::with_capacity(self.world.persons.len() * 2);
        for p in &self.world.persons {
            if p.full_birth() {
                let (a, b) = day_key_pair(lex, &p.name, p.birth);
                keys.push(a);
                keys.push(b);
            }
        }
        keys.sort_unstable();
        keys.dedup();
        self.world.day_keys = keys;
    }
}

/// `birth` as a clerk might mistype it: one day off, another last digit of the day or
/// the year, another month digit, or day and month swapped. `None` when the draw gives
/// no real date before the death (if any) and the run date.
pub(super) fn mistyped_date(rng: &mut Rng, birth: Ymd, death: Ymd, as_of: Ymd) -> Option<Ymd> {
    let (y, m, d) = (birth.year(), u32::from(birth.m), u32::from(birth.d));
    let other_digit = |rng: &mut Rng, digit: u32| (digit + 1 + rng.index(9) as u32) % 10;
    let typo = match rng.index(5) {
        0 => birth.add_days(if rng.chance(0.5) { 1 } else { -1 }),
        1 => Ymd::new(y, m, d / 10 * 10 + other_digit(rng, d % 10)),
        2 => Ymd::new(y - y % 10 + other_digit(rng, (y % 10) as u32) as i32, m, d),
        3 => Ymd::new(y, m / 10 * 10 + other_digit(rng, m % 10), d),
        _ => Ymd::new(y, d, m),
    };
    let before_end = if death.is_some() {
        typo < death
    } else {
        typo < as_of
    };
    (typo.is_valid() && typo != birth && before_end && typo.year() >= 1900).then_some(typo)
}
