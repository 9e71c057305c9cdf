//! Rule accuracy against the generator's truth: a synthetic province with known,
//! injected defects (and namesakes and benign noise that must not be flagged).
//! Precision and recall are asserted per rule id.

use std::collections::BTreeMap;

use crate::common::*;

fn thresholds(rule: &str) -> (f64, f64) {
    if rule == "SACH.DUP_PERSON" {
        (0.98, 0.95)
    } else if rule.starts_with("XM.") || rule == "DU.OLD_ID_NOT_LINKED" {
        (0.98, 0.98)
    } else {
        (0.99, 0.99)
    }
}

fn report(scores: &BTreeMap<String, (usize, usize, usize)>) -> String {
    let mut text =
        String::from("rule                                  tp    fp    fn  precision recall\n");
    for (rule, &(tp, fp, fn_)) in scores {
        let precision = tp as f64 / (tp + fp).max(1) as f64;
        let recall = tp as f64 / (tp + fn_).max(1) as f64;
        text.push_str(&format!(
            "{rule:<36} {tp:>5} {fp:>5} {fn_:>5}  {precision:>8.4} {recall:>6.4}\n"
        ));
    }
    text
}

#[test]
fn every_rule_meets_its_precision_and_recall() {
    let data = temp();
    let mut options = doisoat::gen::GenOptions::new(200_000, 11, data.path().to_path_buf());
    options.as_of = as_of();
    doisoat::gen::generate(&options).unwrap();
    let out = data.path().join("out");
    let config = config_for(data.path(), &out);
    doisoat::run(&config, &doisoat::Silent).unwrap();
    let truth = keyed(&data.path().join("truth.csv"));
    let found = keyed(&out.join("findings.csv"));
    let scores = score(&truth, &found);
    let table = report(&scores);
    println!("{table}");
    let mut failures = Vec::new();
    for (rule, &(tp, fp, fn_)) in &scores {
        let (min_precision, min_recall) = thresholds(rule);
        let precision = tp as f64 / (tp + fp).max(1) as f64;
        let recall = tp as f64 / (tp + fn_).max(1) as f64;
        if tp + fn_ == 0 {
            failures.push(format!("{rule}: the truth has no case of this rule"));
        }
        if precision < min_precision || recall < min_recall {
            failures.push(format!(
                "{rule}: precision {precision:.4}, recall {recall:.4}"
            ));
        }
    }
    for rule in doisoat::rules::load::load_pack(&[], &doisoat::rules::load::default_catalog())
        .unwrap()
        .rules
        .iter()
        .map(|r| r.id.clone())
        .filter(|id| id != "XM.tax.DECEASED_ACTIVE")
    {
        if !scores.contains_key(&rule) {
            failures.push(format!("{rule}: never in truth nor found"));
        }
    }
    assert!(failures.is_empty(), "{}\n{table}", failures.join("\n"));
}
