//! Defect rates: one probability per injected defect kind, keyed by rule id.

use super::GenError;

/// Rates of the cross-match defects of one sector dataset (per sector record).
#[derive(Clone, Debug, PartialEq)]
pub struct SectorRates {
    /// `XM.<ds>.MISMATCH`: right ID, different name / birth date / gender.
    pub mismatch: f64,
    /// `XM.<ds>.ID_MISSING`: no ID, exactly one person matches.
    pub id_missing: f64,
    /// `XM.<ds>.ID_WRONG`: one-digit or adjacent-swap typo in the ID.
    pub id_wrong: f64,
    /// `XM.<ds>.NOT_FOUND`: a person absent from the register.
    pub not_found: f64,
    /// `XM.<ds>.AMBIGUOUS`: no ID, several namesakes match equally.
    pub ambiguous: f64,
}

/// One probability per defect kind (per eligible record; see each field).
#[derive(Clone, Debug, PartialEq)]
pub struct DefectRates {
    /// `DUNG.ID_STRUCTURE`, per person.
    pub id_structure: f64,
    /// `DUNG.ID_BIRTH_PROVINCE`, per person.
    pub id_birth_province: f64,
    /// `DUNG.INVALID_VALUE`, per person.
    pub invalid_value: f64,
    /// `DU.MISSING_FIELD`, per person.
    pub missing_field: f64,
    /// `DU.HOUSEHOLD_NO_HEAD`, per household.
    pub household_no_head: f64,
    /// `DUNG.HOUSEHOLD_MULTI_HEAD`, per household of two or more.
    pub household_multi_head: f64,
    /// `SACH.DUP_ID`, per person (each hit makes a pair of records).
    pub dup_id: f64,
    /// `SACH.DUP_PERSON`, per person (each hit adds a second registration).
    pub dup_person: f64,
    /// `SONG.DEATH_NOT_RECORDED`, per living adult.
    pub death_not_recorded: f64,
    /// `SONG.NO_ID_CARD`, per card holder aged 14+ (on top of the natural rate).
    pub no_id_card: f64,
    /// `SONG.CARD_EXPIRED`, per adult card holder.
    pub card_expired: f64,
    /// `DU.OLD_ID_NOT_LINKED`, per legacy CMND record.
    pub old_id_not_linked: f64,
    /// Cross-match defects of `insurance`.
    pub insurance: SectorRates,
    /// Cross-match defects of `tax`.
    pub tax: SectorRates,
    /// Cross-match defects of `vaccination` (per dose record).
    pub vaccination: SectorRates,
    /// `XM.insurance.DECEASED_ACTIVE`, per insurance record.
    pub insurance_deceased_active: f64,
    /// `XM.vaccination.DECEASED_ACTIVE`, per vaccination record.
    pub vaccination_deceased_active: f64,
    /// `XM.tax.DECEASED_ACTIVE`, per tax record.
    pub tax_deceased_active: f64,
    /// `XM.insurance.IZ_NO_TEMP_RESIDENCE`, per insurance record.
    pub iz_no_temp_residence: f64,
}

impl Default for DefectRates {
    fn default() -> Self {
        DefectRates {
            id_structure: 0.003,
            id_birth_province: 0.002,
            invalid_value: 0.003,
            missing_field: 0.004,
            household_no_head: 0.005,
            household_multi_head: 0.004,
            dup_id: 0.0015,
            dup_person: 0.003,
            death_not_recorded: 0.002,
            no_id_card: 0.005,
            card_expired: 0.015,
            old_id_not_linked: 0.01,
            insurance: SectorRates {
                mismatch: 0.004,
                id_missing: 0.003,
                id_wrong: 0.0025,
                not_found: 0.002,
                ambiguous: 0.0025,
            },
            tax: SectorRates {
                mismatch: 0.005,
                id_missing: 0.004,
                id_wrong: 0.004,
                not_found: 0.003,
                ambiguous: 0.004,
            },
            vaccination: SectorRates {
                mismatch: 0.002,
                id_missing: 0.001,
                id_wrong: 0.001,
                not_found: 0.001,
                ambiguous: 0.0008,
            },
            insurance_deceased_active: 0.002,
            vaccination_deceased_active: 0.0005,
            tax_deceased_active: 0.002,
            iz_no_temp_residence: 0.002,
        }
    }
}

impl DefectRates {
    /// Every rate with the rule id that names it.
    fn entries_mut(&mut self) -> Vec<(&'static str, &mut f64)> {
        let mut out: Vec<(&'static str, &mut f64)> = vec![
            ("DUNG.ID_STRUCTURE", &mut self.id_structure),
            ("DUNG.ID_BIRTH_PROVINCE", &mut self.id_birth_province),
            ("DUNG.INVALID_VALUE", &mut self.invalid_value),
            ("DU.MISSING_FIELD", &mut self.missing_field),
            ("DU.HOUSEHOLD_NO_HEAD", &mut self.household_no_head),
            ("DUNG.HOUSEHOLD_MULTI_HEAD", &mut self.household_multi_head),
            ("SACH.DUP_ID", &mut self.dup_id),
            ("SACH.DUP_PERSON", &mut self.dup_person),
            ("SONG.DEATH_NOT_RECORDED", &mut self.death_not_recorded),
            ("SONG.NO_ID_CARD", &mut self.no_id_card),
            ("SONG.CARD_EXPIRED", &mut self.card_expired),
            ("DU.OLD_ID_NOT_LINKED", &mut self.old_id_not_linked),
            (
                "XM.insurance.DECEASED_ACTIVE",
                &mut self.insurance_deceased_active,
            ),
            (
                "XM.vaccination.DECEASED_ACTIVE",
                &mut self.vaccination_deceased_active,
            ),
            ("XM.tax.DECEASED_ACTIVE", &mut self.tax_deceased_active),
            (
                "XM.insurance.IZ_NO_TEMP_RESIDENCE",
                &mut self.iz_no_temp_residence,
            ),
        ];
        for (names, sector) in [
            (SECTOR_KEYS[0], &mut self.insurance),
            (SECTOR_KEYS[1], &mut self.tax),
            (SECTOR_KEYS[2], &mut self.vaccination),
        ] {
            out.push((names[0], &mut sector.mismatch));
            out.push((names[1], &mut sector.id_missing));
            out.push((names[2], &mut sector.id_wrong));
            out.push((names[3], &mut sector.not_found));
            out.push((names[4], &mut sector.ambiguous));
        }
        out
    }

    /// Defaults overridden by a TOML table of `"RULE.ID" = rate` entries (optionally
    /// inside a `[rates]` table); unknown keys and rates outside 0–1 are errors.
    pub fn from_toml_str(s: &str) -> Result<Self, GenError> {
        let table: toml::Table = s
            .parse()
            .map_err(|e: toml::de::Error| GenError::Rates(e.to_string()))?;
        let table = match table.get("rates") {
            Some(toml::Value::Table(inner)) if table.len() == 1 => inner.clone(),
            _ => table,
        };
        let mut rates = DefectRates::default();
        {
            let mut entries = rates.entries_mut();
            for (key, value) in &table {
                let rate = match value {
                    toml::Value::Float(f) => *f,
                    toml::Value::Integer(i) => *i as f64,
                    _ => {
                        return Err(GenError::Rates(format!(
                            "rate for `{key}` must be a number"
                        )))
                    }
                };
                if !(0.0..=1.0).contains(&rate) {
                    return Err(GenError::Rates(format!(
                        "rate for `{key}` must be between 0 and 1, got {rate}"
                    )));
                }
                let slot = entries
                    .iter_mut()
                    .find(|(name, _)| *name == key.as_str())
                    .ok_or_else(|| GenError::UnknownRate(key.clone()))?;
                *slot.1 = rate;
            }
        }
        Ok(rates)
    }

    /// Every rate multiplied by `factor` (kept within 0–1).
    pub fn scaled(&self, factor: f64) -> Self {
        let mut out = self.clone();
        for (_, rate) in out.entries_mut() {
            *rate = (*rate * factor).clamp(0.0, 1.0);
        }
        out
    }

    /// Rule ids that have a rate.
    pub fn rule_ids() -> Vec<&'static str> {
        DefectRates::default()
            .entries_mut()
            .into_iter()
            .map(|(k, _)| k)
            .collect()
    }

    /// The cross-match rates of a sector dataset by index (insurance, tax, vaccination).
    pub(super) fn sector(&self, ds: usize) -> &SectorRates {
        match ds {
            0 => &self.insurance,
            1 => &self.tax,
            _ => &self.vaccination,
        }
    }
}

/// Rule ids of the cross-match rates per sector dataset.
const SECTOR_KEYS: [[&str; 5]; 3] = [
    [
        "XM.insurance.MISMATCH",
        "XM.insurance.ID_MISSING",
        "XM.insurance.ID_WRONG",
        "XM.insurance.NOT_FOUND",
        "XM.insurance.AMBIGUOUS",
    ],
    [
        "XM.tax.MISMATCH",
        "XM.tax.ID_MISSING",
        "XM.tax.ID_WRONG",
        "XM.tax.NOT_FOUND",
        "XM.tax.AMBIGUOUS",
    ],
    [
        "XM.vaccination.MISMATCH",
        "XM.vaccination.ID_MISSING",
        "XM.vaccination.ID_WRONG",
        "XM.vaccination.NOT_FOUND",
        "XM.vaccination.AMBIGUOUS",
    ],
];

/// Rule id of a cross-match outcome (0 mismatch, 1 id missing, 2 id wrong, 3 not
/// found, 4 ambiguous) for sector dataset `ds`.
pub(super) fn sector_rule(ds: usize, outcome: usize) -> &'static str {
    SECTOR_KEYS[ds.min(2)][outcome.min(4)]
}
