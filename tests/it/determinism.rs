//! Same inputs and --as-of → byte-identical findings and worklists, whatever the
//! thread count.

use std::path::Path;

use crate::common::*;

fn files_under(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().unwrap() != "summary.json" {
                let rel = path.strip_prefix(dir).unwrap().display().to_string();
                out.push((rel, std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn one_and_two_threads_give_identical_outputs() {
    let data = temp();
    let mut options = doisoat::gen::GenOptions::new(20_000, 7, data.path().to_path_buf());
    options.as_of = as_of();
    doisoat::gen::generate(&options).unwrap();
    let mut outputs = Vec::new();
    for threads in [1, 2] {
        // Runs a second apart, so that anything taken from the clock (a timestamp
        // inside a workbook, say) shows up as a difference.
        if threads == 2 {
            std::thread::sleep(std::time::Duration::from_millis(1100));
        }
        let out = data.path().join(format!("out{threads}"));
        let config = config_for(data.path(), &out);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| doisoat::run(&config, &doisoat::Silent))
            .unwrap();
        let mut files = files_under(&out);
        // The summary too, but for its timings (which differ from run to run): the
        // datasets are read while the register is indexed, and neither may change
        // what the other finds, counts or warns.
        let mut summary: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
        let timings = summary.as_object_mut().unwrap().remove("timings");
        assert!(timings.is_some_and(|t| t["stages"].as_array().is_some_and(|s| s.len() > 5)));
        files.push((
            "summary.json without timings".into(),
            serde_json::to_vec_pretty(&summary).unwrap(),
        ));
        outputs.push(files);
    }
    assert!(
        outputs[0].len() > 10,
        "findings, worklists and rejects were written"
    );
    let names = |o: &Vec<(String, Vec<u8>)>| o.iter().map(|f| f.0.clone()).collect::<Vec<_>>();
    assert_eq!(names(&outputs[0]), names(&outputs[1]));
    for (a, b) in outputs[0].iter().zip(&outputs[1]) {
        assert!(a.1 == b.1, "{} differs between 1 and 2 threads", a.0);
    }
}

/// Tonight's extract may list the register in another order than last night's: the
/// findings, and every text in them (members of a household or a duplicate group,
/// equally good candidates), stay the same.
#[test]
fn the_registers_row_order_changes_no_finding_text() {
    let data = temp();
    let mut options = doisoat::gen::GenOptions::new(8_000, 11, data.path().to_path_buf());
    options.as_of = as_of();
    doisoat::gen::generate(&options).unwrap();
    let findings_of = |out: &Path| {
        let mut config = config_for(data.path(), out);
        config.xlsx = false;
        config.html = false;
        doisoat::run(&config, &doisoat::Silent).unwrap();
        let (header, mut rows) = read_csv(&out.join("findings.csv"));
        let status = header.iter().position(|h| h == "status").unwrap();
        for row in &mut rows {
            row[status].clear();
        }
        rows.sort();
        rows
    };
    let before = findings_of(&data.path().join("out1"));
    // Reverse the data rows (the header stays first; no row spans lines here).
    let path = data.path().join("population.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines[1..].reverse();
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let after = findings_of(&data.path().join("out2"));
    assert_eq!(before.len(), after.len());
    let differing: Vec<_> = before
        .iter()
        .zip(&after)
        .filter(|(a, b)| a != b)
        .take(3)
        .collect();
    assert!(differing.is_empty(), "{differing:?}");
}
