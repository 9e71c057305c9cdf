//! `doisoat bench`: run the whole pipeline on synthetic provinces of given sizes
//! (generated once and cached by size and seed), with one or two rule folders, and
//! report time, peak memory, throughput per stage and rule, and accuracy against the
//! generator's truth. Each run is a separate process (so peak memory is that run's
//! own), and with two rule folders the runs alternate A, B, A, B … so that drift of
//! the machine (other load, thermal state) falls on both equally.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Serialize;

use crate::error::{Error, Result};

/// What to benchmark.
#[derive(Debug, Clone)]
pub struct BenchOptions {
    /// Register sizes.
    pub people: Vec<usize>,
    /// Generator seed.
    pub seed: u64,
    /// Rule folders to compare (empty: the built-in pack).
    pub rules: Vec<PathBuf>,
    /// Rounds per size and rule folder.
    pub rounds: usize,
    /// Where generated provinces are cached.
    pub cache: PathBuf,
    /// Where the report (bench.json, bench.md) goes.
    pub out: PathBuf,
    /// Extra arguments for `doisoat run` (e.g. `--no-xlsx`).
    pub run_args: Vec<String>,
}

/// Precision and recall of one rule.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Accuracy {
    /// True positives.
    pub tp: u64,
    /// False positives.
    pub fp: u64,
    /// False negatives.
    pub r#fn: u64,
    /// tp / (tp + fp).
    pub precision: f64,
    /// tp / (tp + fn).
    pub recall: f64,
}

/// One measured run.
#[derive(Debug, Clone, Serialize)]
pub struct BenchRun {
    /// People in the register.
    pub people: usize,
    /// Rule folder (or "built-in").
    pub rules: String,
    /// Round number.
    pub round: usize,
    /// Wall time of the whole run.
    pub seconds: f64,
    /// Peak resident memory.
    pub peak_memory_mib: f64,
    /// Rows read over all inputs.
    pub rows_read: u64,
    /// Findings.
    pub findings: u64,
    /// Per stage: (seconds, rows per second).
    pub stages: BTreeMap<String, (f64, f64)>,
    /// Per stage that shared the cores with others: those stages, `, `-separated.
    pub stages_alongside: BTreeMap<String, String>,
    /// Per rule: (seconds, rows per second, findings).
    pub rule_timings: BTreeMap<String, (f64, f64, u64)>,
    /// Per rule accuracy against truth.csv.
    pub accuracy: BTreeMap<String, Accuracy>,
}

/// Ingest of one input file against its floor (see [`crate::ingest::csv::split_floor`]).
#[derive(Debug, Clone, Serialize)]
pub struct IngestFloor {
    /// People in the register.
    pub people: usize,
    /// Dataset (the file's name without `.csv`).
    pub dataset: String,
    /// File size.
    pub bytes: u64,
    /// Records in the file.
    pub records: u64,
    /// Fastest split of the file that builds nothing (best of the rounds).
    pub floor_seconds: f64,
    /// The read stage in the runs (median): split, UTF-8 check, row checks,
    /// record offsets, typed columns built, key check.
    pub read_seconds: f64,
    /// Stages the read shared the cores with (empty when it ran by itself, so that
    /// its time measures the ingest alone).
    pub read_alongside: String,
}

/// Everything one `doisoat bench` measured.
#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    /// Every run.
    pub runs: Vec<BenchRun>,
    /// Ingest of each input file against its floor, per size.
    pub ingest_floors: Vec<IngestFloor>,
}

/// Measure the split floor of every CSV input of a generated province and set it
/// beside the read stages of the runs on it.
fn ingest_floors(
    data: &Path,
    people: usize,
    rounds: usize,
    runs: &[BenchRun],
) -> Result<Vec<IngestFloor>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(data)
        .map_err(|e| Error::io(data, "listing", e))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| {
            path.extension().is_some_and(|e| e == "csv")
                && path.file_stem().is_some_and(|stem| stem != "truth")
        })
        .collect();
    files.sort();
    let mut floors = Vec::new();
    for path in files {
        let dataset = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let bytes = std::fs::metadata(&path)
            .map_err(|e| Error::io(&path, "reading", e))?
            .len();
        let mut best = crate::ingest::csv::split_floor(&path)?;
        for _ in 1..rounds {
            let floor = crate::ingest::csv::split_floor(&path)?;
            if floor.seconds < best.seconds {
                best = floor;
            }
        }
        let stage = |name: String| {
            median(
                runs.iter()
                    .filter(|r| r.people == people)
                    .filter_map(|r| r.stages.get(&name).map(|s| s.0))
                    .collect(),
            )
        };
        let read_alongside = runs
            .iter()
            .filter(|r| r.people == people)
            .find_map(|r| r.stages_alongside.get(&format!("read:{dataset}")))
            .cloned()
            .unwrap_or_default();
        floors.push(IngestFloor {
            people,
            read_seconds: stage(format!("read:{dataset}")),
            read_alongside,
            dataset,
            bytes,
            records: best.records,
            floor_seconds: best.seconds,
        });
    }
    Ok(floors)
}

/// Compare a findings.csv with a truth.csv on (rule_id, dataset, record_key).
pub fn accuracy(findings: &Path, truth: &Path) -> Result<BTreeMap<String, Accuracy>> {
    let keys = |path: &Path| -> Result<std::collections::BTreeSet<(String, String, String)>> {
        let mut reader =
            csv::Reader::from_path(path).map_err(|e| Error::input(path, e.to_string()))?;
        let headers = reader
            .headers()
            .map_err(|e| Error::input(path, e.to_string()))?
            .clone();
        let col = |name: &str| {
            headers
                .iter()
                .position(|h| h.trim_start_matches('\u{feff}') == name)
                .ok_or_else(|| Error::input(path, format!("no column {name}")))
        };
        let (rule, dataset, key) = (col("rule_id")?, col("dataset")?, col("record_key")?);
        let mut out = std::collections::BTreeSet::new();
        for record in reader.records() {
            let record = record.map_err(|e| Error::input(path, e.to_string()))?;
            let get = |i: usize| record.get(i).unwrap_or("").to_string();
            out.insert((get(rule), get(dataset), get(key)));
        }
        Ok(out)
    };
    let found = keys(findings)?;
    let expected = keys(truth)?;
    let mut out: BTreeMap<String, Accuracy> = BTreeMap::new();
    for item in &expected {
        let entry = out.entry(item.0.clone()).or_default();
        if found.contains(item) {
            entry.tp += 1;
        } else {
            entry.r#fn += 1;
        }
    }
    for item in &found {
        if !expected.contains(item) {
            out.entry(item.0.clone()).or_default().fp += 1;
        }
    }
    for a in out.values_mut() {
        a.precision = a.tp as f64 / (a.tp + a.fp).max(1) as f64;
        a.recall = a.tp as f64 / (a.tp + a.r#fn).max(1) as f64;
    }
    Ok(out)
}

fn ensure_data(options: &BenchOptions, people: usize) -> Result<PathBuf> {
    let dir = options.cache.join(format!("{people}-{}", options.seed));
    // A province written by another revision of the generator is made again: its
    // defects and their truth are not today's.
    let current = std::fs::read_to_string(dir.join("province.toml"))
        .is_ok_and(|text| text.lines().next() == Some(crate::gen::run_file_stamp().as_str()));
    if dir.join("truth.csv").exists() && current {
        return Ok(dir);
    }
    let gen = crate::gen::GenOptions::new(people, options.seed, dir.clone());
    crate::gen::generate(&gen)?;
    Ok(dir)
}

fn run_once(
    options: &BenchOptions,
    data: &Path,
    rules: Option<&Path>,
    round: usize,
    people: usize,
) -> Result<BenchRun> {
    let exe = std::env::current_exe()
        .map_err(|e| Error::io(Path::new("doisoat"), "finding the executable", e))?;
    let out = options
        .cache
        .join(format!("run-{people}-{round}-{}", std::process::id()));
    let mut command = Command::new(exe);
    command
        .arg("run")
        .arg("--quiet")
        .arg("--config")
        .arg(data.join("province.toml"))
        .arg("--out")
        .arg(&out)
        .args(&options.run_args);
    if let Some(dir) = rules {
        command.arg("--rules").arg(dir);
    }
    let status = command
        .status()
        .map_err(|e| Error::io(data, "starting a benchmark run", e))?;
    if !status.success() {
        return Err(Error::Config(format!(
            "benchmark run on {} failed ({status})",
            data.display()
        )));
    }
    let summary_path = out.join("summary.json");
    let text = std::fs::read(&summary_path).map_err(|e| Error::io(&summary_path, "reading", e))?;
    let summary: serde_json::Value =
        serde_json::from_slice(&text).map_err(|e| Error::input(&summary_path, e.to_string()))?;
    let number = |v: &serde_json::Value| v.as_f64().unwrap_or(0.0);
    let timings = &summary["timings"];
    let mut stages = BTreeMap::new();
    let mut stages_alongside = BTreeMap::new();
    for stage in timings["stages"].as_array().into_iter().flatten() {
        let name = stage["stage"].as_str().unwrap_or("").to_string();
        let alongside: Vec<&str> = stage["alongside"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|other| other.as_str())
            .collect();
        if !alongside.is_empty() {
            stages_alongside.insert(name.clone(), alongside.join(", "));
        }
        stages.insert(
            name,
            (number(&stage["seconds"]), number(&stage["rows_per_second"])),
        );
    }
    let mut rule_timings = BTreeMap::new();
    for rule in timings["rules"].as_array().into_iter().flatten() {
        rule_timings.insert(
            rule["rule_id"].as_str().unwrap_or("").to_string(),
            (
                number(&rule["seconds"]),
                number(&rule["rows_per_second"]),
                rule["findings"].as_u64().unwrap_or(0),
            ),
        );
    }
    let accuracy = accuracy(&out.join("findings.csv"), &data.join("truth.csv"))?;
    let run = BenchRun {
        people,
        rules: rules.map_or("built-in".to_string(), |r| r.display().to_string()),
        round,
        seconds: number(&timings["total_seconds"]),
        peak_memory_mib: number(&timings["peak_memory_mib"]),
        rows_read: summary["input_totals"]["read"].as_u64().unwrap_or(0),
        findings: summary["findings"]["total"].as_u64().unwrap_or(0),
        stages,
        stages_alongside,
        rule_timings,
        accuracy,
    };
    let _ = std::fs::remove_dir_all(&out);
    Ok(run)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => 0.0,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

/// Render the report as Markdown.
pub fn markdown(report: &BenchReport) -> String {
    let mut text = runs_markdown(&report.runs);
    if !report.ingest_floors.is_empty() {
        text.push_str("\n## Ingest against its floor\n\nThe floor is the same file mapped, cut into the same chunks and split in parallel by the same splitter, building nothing (best of the rounds). The read adds the UTF-8 check, row checks, record offsets (row fingerprints are computed later, only for rows that get a finding), building the typed columns (NFC, folding, dictionaries, dates) and the key check. A file read while other stages ran (\"beside\") shared the two cores with them, so its time there overstates the ingest alone.\n\n| people | file | MB | records | floor s | read s | × floor | beside |\n|---:|---|---:|---:|---:|---:|---:|---|\n");
        for floor in &report.ingest_floors {
            let times = |seconds: f64| seconds / floor.floor_seconds.max(1e-9);
            text.push_str(&format!(
                "| {} | {} | {:.1} | {} | {:.3} | {:.3} | {:.2} | {} |\n",
                floor.people,
                floor.dataset,
                floor.bytes as f64 / 1e6,
                floor.records,
                floor.floor_seconds,
                floor.read_seconds,
                times(floor.read_seconds),
                floor.read_alongside,
            ));
        }
    }
    text
}

fn runs_markdown(runs: &[BenchRun]) -> String {
    let mut text = String::from("# doisoat bench\n\n| people | rules | runs | median s | people/s | peak MiB | findings |\n|---:|---|---:|---:|---:|---:|---:|\n");
    let mut groups: BTreeMap<(usize, String), Vec<&BenchRun>> = BTreeMap::new();
    for run in runs {
        groups
            .entry((run.people, run.rules.clone()))
            .or_default()
            .push(run);
    }
    for ((people, rules), list) in &groups {
        let seconds = median(list.iter().map(|r| r.seconds).collect());
        let memory = list.iter().map(|r| r.peak_memory_mib).fold(0.0, f64::max);
        text.push_str(&format!(
            "| {people} | {rules} | {} | {seconds:.2} | {:.0} | {memory:.0} | {} |\n",
            list.len(),
            *people as f64 / seconds.max(1e-9),
            list[0].findings
        ));
    }
    for ((people, rules), list) in &groups {
        text.push_str(&format!("\n## {people} people, rules {rules}: stages (median)\n\n| stage | s | rows/s | ran beside |\n|---|---:|---:|---|\n"));
        let names: Vec<String> = list[0].stages.keys().cloned().collect();
        for name in names {
            let seconds = median(
                list.iter()
                    .filter_map(|r| r.stages.get(&name).map(|s| s.0))
                    .collect(),
            );
            let rate = median(
                list.iter()
                    .filter_map(|r| r.stages.get(&name).map(|s| s.1))
                    .collect(),
            );
            let beside = list[0]
                .stages_alongside
                .get(&name)
                .map_or("", String::as_str);
            text.push_str(&format!(
                "| {name} | {seconds:.3} | {rate:.0} | {beside} |\n"
            ));
        }
        text.push_str("\n| rule | s | rows/s | findings | precision | recall |\n|---|---:|---:|---:|---:|---:|\n");
        for (rule, (seconds, rate, findings)) in &list[0].rule_timings {
            let accuracy = list[0].accuracy.get(rule);
            text.push_str(&format!(
                "| {rule} | {seconds:.3} | {rate:.0} | {findings} | {} | {} |\n",
                accuracy.map_or("—".into(), |a| format!("{:.4}", a.precision)),
                accuracy.map_or("—".into(), |a| format!("{:.4}", a.recall)),
            ));
        }
    }
    text
}

/// Run the benchmark; returns the report (also written to `out/bench.json` and `.md`).
pub fn bench(options: &BenchOptions, progress: &dyn Fn(&str)) -> Result<BenchReport> {
    std::fs::create_dir_all(&options.cache)
        .map_err(|e| Error::io(&options.cache, "creating", e))?;
    let mut runs = Vec::new();
    let mut ingest_floors_all = Vec::new();
    let folders: Vec<Option<&Path>> = if options.rules.is_empty() {
        vec![None]
    } else {
        options.rules.iter().map(|p| Some(p.as_path())).collect()
    };
    for &people in &options.people {
        progress(&format!(
            "generating or reusing a province of {people} people"
        ));
        let data = ensure_data(options, people)?;
        for round in 1..=options.rounds.max(1) {
            // Interleave the rule folders inside each round.
            for rules in &folders {
                progress(&format!(
                    "{people} people, round {round}, rules {}",
                    rules.map_or("built-in".to_string(), |r| r.display().to_string())
                ));
                runs.push(run_once(options, &data, *rules, round, people)?);
            }
        }
        progress(&format!("{people} people: ingest floor of each input file"));
        let floors = ingest_floors(&data, people, options.rounds, &runs)?;
        ingest_floors_all.extend(floors);
    }
    let report = BenchReport {
        runs,
        ingest_floors: ingest_floors_all,
    };
    std::fs::create_dir_all(&options.out).map_err(|e| Error::io(&options.out, "creating", e))?;
    let json = serde_json::to_string_pretty(&report)
        .map_err(|e| Error::Config(format!("cannot serialise the benchmark: {e}")))?;
    let json_path = options.out.join("bench.json");
    std::fs::write(&json_path, json).map_err(|e| Error::io(&json_path, "writing", e))?;
    let md_path = options.out.join("bench.md");
    std::fs::write(&md_path, markdown(&report)).map_err(|e| Error::io(&md_path, "writing", e))?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cached province is reused while the generator's revision is the same, and made
    /// again when an older generator wrote it.
    #[test]
    fn a_province_from_another_generator_revision_is_made_again() {
        let cache = tempfile::tempdir().unwrap();
        let options = BenchOptions {
            people: vec![300],
            seed: 1,
            rules: Vec::new(),
            rounds: 1,
            cache: cache.path().to_path_buf(),
            out: cache.path().join("out"),
            run_args: Vec::new(),
        };
        let dir = ensure_data(&options, 300).unwrap();
        let truth = dir.join("truth.csv");
        let marked = "rule_id,dataset,record_key,related_keys\n";
        std::fs::write(&truth, marked).unwrap();
        ensure_data(&options, 300).unwrap();
        assert_eq!(std::fs::read_to_string(&truth).unwrap(), marked, "reused");

        let run_file = dir.join("province.toml");
        let text = std::fs::read_to_string(&run_file).unwrap();
        let older = text.replacen(&crate::gen::run_file_stamp(), "# written by doisoat gen", 1);
        assert_ne!(older, text);
        std::fs::write(&run_file, older).unwrap();
        ensure_data(&options, 300).unwrap();
        assert_ne!(
            std::fs::read_to_string(&truth).unwrap(),
            marked,
            "made again"
        );
        assert!(std::fs::read_to_string(&run_file)
            .unwrap()
            .starts_with(&crate::gen::run_file_stamp()));
    }
}
