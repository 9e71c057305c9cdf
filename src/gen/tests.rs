//! Tests of the generator: determinism, ID structure, truth coverage and consistency,
//! namesakes, and that every file parses.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use super::dates::{age_on, parse_date, Ymd};
use super::names::{fold, letter_typo, Lexicon};
use super::rng::Rng;
use super::truth::due_age;
use super::{generate, DefectRates, GenError, GenOptions, GenReport};

/// One 20,000-person province shared by the tests (generated once).
fn province() -> &'static (tempfile::TempDir, GenReport) {
    static CELL: OnceLock<(tempfile::TempDir, GenReport)> = OnceLock::new();
    CELL.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let report = generate(&GenOptions::new(20_000, 11, dir.path().to_path_buf())).unwrap();
        (dir, report)
    })
}

fn dir() -> PathBuf {
    province().0.path().to_path_buf()
}

/// Read a CSV (any delimiter, optional BOM) into header + rows.
fn read(path: &Path, delimiter: u8) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .from_path(path)
        .unwrap();
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_string())
        .collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

fn column(header: &[String], name: &str) -> usize {
    header.iter().position(|h| h == name).unwrap()
}

fn truth() -> Vec<(String, String, String, String)> {
    let (_, rows) = read(&dir().join("truth.csv"), b',');
    rows.into_iter()
        .map(|r| (r[0].clone(), r[1].clone(), r[2].clone(), r[3].clone()))
        .collect()
}

fn bytes_of(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|n| {
            let b = std::fs::read(dir.join(&n)).unwrap();
            (n, b)
        })
        .collect()
}

#[test]
fn same_seed_same_bytes_whatever_the_thread_count() {
    let run = |threads: usize| {
        let dir = tempfile::tempdir().unwrap();
        let options = GenOptions::new(4_000, 5, dir.path().to_path_buf());
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| generate(&options)).unwrap();
        let files = bytes_of(dir.path());
        (dir, files)
    };
    let (_a, one) = run(1);
    let (_b, two) = run(2);
    let (_c, again) = run(2);
    assert_eq!(one.len(), 9);
    for ((name, x), (_, y)) in one.iter().zip(&two) {
        assert!(x == y, "{name} differs between 1 and 2 threads");
    }
    assert_eq!(two, again);
    // Another seed gives other data.
    let dir = tempfile::tempdir().unwrap();
    generate(&GenOptions::new(4_000, 6, dir.path().to_path_buf())).unwrap();
    let other = bytes_of(dir.path());
    let population = |files: &[(String, Vec<u8>)]| {
        files
            .iter()
            .find(|(n, _)| n == "population.csv")
            .map(|(_, b)| b.clone())
            .unwrap()
    };
    assert_ne!(population(&one), population(&other));
}

#[test]
fn every_rule_is_in_the_truth() {
    let t = truth();
    let rules: HashSet<&str> = t.iter().map(|r| r.0.as_str()).collect();
    for rule in DefectRates::rule_ids()
        .into_iter()
        .chain(["SONG.NO_ID_CARD", "SONG.CARD_EXPIRED"])
    {
        assert!(rules.contains(rule), "no truth row for {rule}");
    }
    // Sorted by rule id, dataset, record key.
    let keys: Vec<(&str, &str, &str)> = t
        .iter()
        .map(|r| (r.0.as_str(), r.1.as_str(), r.2.as_str()))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert_eq!(t.len(), province().1.truth_rows);
}

#[test]
fn truth_keys_exist_in_the_files() {
    let d = dir();
    let keys = |file: &str, delimiter: u8, key: &str| -> HashSet<String> {
        let (h, rows) = read(&d.join(file), delimiter);
        let c = column(&h, key);
        rows.into_iter().map(|r| r[c].clone()).collect()
    };
    let population = keys("population.csv", b',', "record_id");
    let households = keys("population.csv", b',', "household_id");
    let by_dataset: HashMap<&str, HashSet<String>> = [
        ("insurance", keys("insurance.csv", b',', "insurance_code")),
        ("tax", keys("tax.csv", b',', "tax_code")),
        ("vaccination", keys("vaccination.csv", b';', "record_id")),
        ("deaths", keys("deaths.csv", b',', "death_reg_id")),
        ("legacy_id", keys("legacy_id.csv", b',', "old_id")),
    ]
    .into_iter()
    .collect();
    for (rule, dataset, key, related) in truth() {
        let exists = match dataset.as_str() {
            "population" if rule.contains("HOUSEHOLD") => households.contains(&key),
            "population" => population.contains(&key),
            other => by_dataset[other].contains(&key),
        };
        assert!(exists, "{rule} {dataset} {key} is in no file");
        for r in related.split(';').filter(|r| !r.is_empty()) {
            assert!(population.contains(r), "{rule} {key}: related {r} unknown");
        }
        let parts: Vec<&str> = related.split(';').collect();
        let mut sorted = parts.clone();
        sorted.sort();
        assert_eq!(parts, sorted, "related keys of {key} not sorted");
    }
}

#[test]
fn clean_ids_decode_to_birth_year_and_gender() {
    let (h, rows) = read(&dir().join("population.csv"), b',');
    let flagged: HashSet<String> = truth()
        .into_iter()
        .filter(|r| r.1 == "population")
        .map(|r| r.2)
        .collect();
    let (id, birth, gender, province) = (
        column(&h, "person_id"),
        column(&h, "birth_date"),
        column(&h, "gender"),
        column(&h, "birth_province_code"),
    );
    let mut checked = 0;
    for row in rows.iter().filter(|r| !flagged.contains(&r[0])) {
        let text = row[id].trim();
        assert_eq!(text.len(), 12, "{}: {text}", row[0]);
        let d = |i: usize| u32::from(text.as_bytes()[i] - b'0');
        let year = parse_date(&row[birth]).unwrap().y;
        let g = d(3);
        assert_eq!(
            1900 + 100 * (g as i32 / 2) + (d(4) * 10 + d(5)) as i32,
            year,
            "{}",
            row[0]
        );
        let female = fold(&row[gender]) == "nu";
        assert_eq!(g % 2 == 1, female, "{}", row[0]);
        let ppp = d(0) * 100 + d(1) * 10 + d(2);
        assert_eq!(
            ppp,
            row[province].trim().parse::<u32>().unwrap(),
            "{}",
            row[0]
        );
        checked += 1;
    }
    assert!(checked > 17_000);
}

#[test]
fn namesakes_are_common() {
    let (h, rows) = read(&dir().join("population.csv"), b',');
    let (name, birth, district) = (
        column(&h, "full_name"),
        column(&h, "birth_date"),
        column(&h, "district_code"),
    );
    let mut groups: HashMap<(String, i32, String), usize> = HashMap::new();
    for r in &rows {
        let Some(date) = parse_date(&r[birth]) else {
            continue;
        };
        *groups
            .entry((fold(&r[name]), date.y, r[district].clone()))
            .or_default() += 1;
    }
    let with_namesake: usize = groups.values().filter(|&&n| n > 1).sum();
    let share = with_namesake as f64 / rows.len() as f64;
    assert!(share >= 0.01, "only {:.2}% have a namesake", share * 100.0);
}

#[test]
fn files_parse_and_follow_their_formats() {
    let d = dir();
    let report = &province().1;
    for (dataset, path, rows) in &report.files {
        if dataset == "config" {
            continue;
        }
        let delimiter = if dataset == "vaccination" { b';' } else { b',' };
        let (header, parsed) = read(path, delimiter);
        assert_eq!(parsed.len(), *rows, "{dataset}");
        assert!(parsed.iter().all(|r| r.len() == header.len()), "{dataset}");
    }
    let population_rows = report.files.iter().find(|f| f.0 == "population").unwrap().2;
    assert_eq!(population_rows, 20_000);
    let tax = std::fs::read(d.join("tax.csv")).unwrap();
    assert!(tax.starts_with("\u{feff}tax_code".as_bytes()));
    let vaccination = std::fs::read_to_string(d.join("vaccination.csv")).unwrap();
    assert!(vaccination.starts_with("record_id;person_id"));
    assert!(vaccination.contains("\r\n"));
    let population = std::fs::read_to_string(d.join("population.csv")).unwrap();
    assert!(!population.contains('\r'));
    let (insurance, _) = read(&d.join("insurance.csv"), b',');
    assert_ne!(
        insurance[0], "insurance_code",
        "insurance columns are shuffled"
    );
    assert_eq!(insurance.len(), 11);
    let toml_text = std::fs::read_to_string(d.join("province.toml")).unwrap();
    let config: toml::Table = toml_text.parse().unwrap();
    assert_eq!(config["as_of"].as_str(), Some("2026-11-22"));
    assert_eq!(
        config["datasets"]["vaccination"].as_str(),
        Some("vaccination.csv")
    );
    // Some text arrives decomposed (NFD), as the SPEC promises.
    assert!(population.contains("\u{306}") || population.contains("\u{302}"));
}

#[test]
fn rates_from_toml() {
    let rates =
        DefectRates::from_toml_str("\"SACH.DUP_PERSON\" = 0.01\n\"XM.tax.AMBIGUOUS\" = 0").unwrap();
    assert_eq!(rates.dup_person, 0.01);
    assert_eq!(rates.tax.ambiguous, 0.0);
    assert_eq!(rates.id_structure, DefectRates::default().id_structure);
    let nested = DefectRates::from_toml_str("[rates]\n\"DU.MISSING_FIELD\" = 0.5").unwrap();
    assert_eq!(nested.missing_field, 0.5);
    match DefectRates::from_toml_str("\"XM.deaths.DECEASED_ACTIVE\" = 0.1") {
        Err(GenError::UnknownRate(key)) => assert_eq!(key, "XM.deaths.DECEASED_ACTIVE"),
        other => panic!("expected an unknown-key error, got {other:?}"),
    }
    assert!(DefectRates::from_toml_str("\"SACH.DUP_ID\" = 2.0").is_err());
    let doubled = DefectRates::default().scaled(2.0);
    assert_eq!(
        doubled.card_expired,
        DefectRates::default().card_expired * 2.0
    );
    assert_eq!(DefectRates::default().scaled(1e9).dup_id, 1.0);
}

#[test]
fn zero_rates_give_only_natural_findings() {
    let dir = tempfile::tempdir().unwrap();
    let mut options = GenOptions::new(2_000, 3, dir.path().to_path_buf());
    options.rates = DefectRates::default().scaled(0.0);
    generate(&options).unwrap();
    let (_, rows) = read(&dir.path().join("truth.csv"), b',');
    for r in rows {
        assert!(
            r[0] == "SONG.NO_ID_CARD",
            "unexpected {} {} without injected defects",
            r[0],
            r[2]
        );
    }
}

#[test]
fn name_pools_are_rich() {
    let lex = Lexicon::new();
    let mut rng = Rng::new(1);
    let mut males = HashSet::new();
    let mut females = HashSet::new();
    for _ in 0..200_000 {
        let m = lex.name(&mut rng, 0, 1980, 1);
        males.insert(m[3]);
        let f = lex.name(&mut rng, 1, 1980, 1);
        females.insert(f[3]);
    }
    assert!(males.len() >= 150, "{} male given names", males.len());
    assert!(females.len() >= 150, "{} female given names", females.len());
    let typo = letter_typo(&mut rng, "Thanh");
    assert_ne!(typo, "Thanh");
}

#[test]
fn card_renewal_ages() {
    let birth = Ymd::new(1990, 6, 15);
    assert_eq!(due_age(birth, Ymd::new(2010, 7, 1)), Some(25));
    // Issued at 23: within two years of 25, valid until 40.
    assert_eq!(due_age(birth, Ymd::new(2013, 7, 1)), Some(40));
    assert_eq!(due_age(birth, Ymd::new(2031, 7, 1)), Some(60));
    assert_eq!(due_age(birth, Ymd::new(2048, 7, 1)), None);
    assert_eq!(due_age(birth, Ymd::new(2001, 7, 1)), Some(14));
    assert_eq!(age_on(birth, Ymd::new(2015, 6, 14)), 24);
    assert_eq!(age_on(birth, Ymd::new(2015, 6, 15)), 25);
    for days in [-800_000, -1, 0, 59, 10_957, 20_000] {
        assert_eq!(Ymd::from_days(days).days(), days);
    }
    assert_eq!(Ymd::new(2024, 2, 29).add_years(1), Ymd::new(2025, 2, 28));
}

#[test]
fn bad_options_are_rejected() {
    let mut options = GenOptions::new(1_000, 1, PathBuf::from("/nonexistent/x"));
    options.province_code = "99".into();
    assert!(matches!(generate(&options), Err(GenError::Options(_))));
    let options = GenOptions::new(10, 1, PathBuf::from("/nonexistent/x"));
    assert!(matches!(generate(&options), Err(GenError::Options(_))));
}

/// Benign tone-placement noise swaps the old and new spelling of open `oa`/`oe`/`uy`
/// syllables only, both ways, and leaves closed syllables (Hoàng) alone.
#[test]
fn tone_placement_noise_swaps_open_syllables_only() {
    use super::sectors::other_tone_placement;
    assert_eq!(other_tone_placement("Nguyễn Thị Hòa"), "Nguyễn Thị Hoà");
    assert_eq!(other_tone_placement("Lê Thị Thuỷ"), "Lê Thị Thủy");
    assert_eq!(other_tone_placement("Trần Khỏe"), "Trần Khoẻ");
    assert_eq!(other_tone_placement("Hoàng Văn Toàn"), "Hoàng Văn Toàn");
    let name = "Phạm Thúy Hòa";
    assert_ne!(other_tone_placement(name), name);
    assert_eq!(other_tone_placement(&other_tone_placement(name)), name);
}

#[test]
fn mistyped_birth_dates_are_typos_the_engine_can_recognise() {
    use crate::model::PartialDate;
    let as_of = Ymd::new(2026, 11, 22);
    let mut rng = Rng::new(7);
    let mut made = 0;
    for i in 0..5000 {
        let birth = Ymd::new(1940 + i % 80, 1 + (i % 12) as u32, 1 + (i % 28) as u32);
        let death = if i % 7 == 0 {
            birth.add_days(400)
        } else {
            Ymd::NONE
        };
        let Some(typo) = super::plan::mistyped_date(&mut rng, birth, death, as_of) else {
            continue;
        };
        made += 1;
        assert!(typo.is_valid() && typo != birth, "{birth:?} → {typo:?}");
        assert!(typo < if death.is_some() { death } else { as_of });
        let packed = |d: Ymd| PartialDate::ymd(d.year(), u32::from(d.m), u32::from(d.d)).unwrap();
        assert!(
            packed(birth).typo_of(packed(typo)),
            "{birth:?} → {typo:?} is not one typo"
        );
    }
    // Most draws give a date (a swapped day above 12 or an impossible day does not).
    assert!(made > 3000, "{made}");
}
