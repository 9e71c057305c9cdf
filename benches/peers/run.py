#!/usr/bin/env python3
"""doisoat side by side with the tools a data team would otherwise use.

    bash benches/peers/setup.sh                     # once: DuckDB + Splink in .venv
    cargo build --release
    python3 benches/peers/run.py --people 1000000 --rounds 3

Two comparisons on the same generated province (`doisoat gen`, cached in --work):

* rules  — the deterministic rules of SPEC §4 and the exact-ID cross-match:
  `doisoat run` with population + deaths + crossmatch rules (CSV worklists, no XLSX or
  HTML, so both tools write the same kind of artefacts) against duckdb_rules.py.
* linkage — duplicate persons and ID-less sector records against splink_dedup.py
  (EM-trained, DuckDB backend). doisoat runs Splink's job on Splink's files (population,
  insurance, tax, vaccination; rules SACH.DUP_PERSON and XM.<ds>.ID_MISSING, cut from
  rules/crossmatch.toml) — it still matches every ID-carrying sector row by its ID, which
  Splink does not — and, as a second row, the whole cross-match pack over every file
  (deaths and old IDs too). The second run must find the same duplicates and links.

Runs alternate (doisoat first in odd rounds, the peer first in even rounds) so that
machine drift falls on both. Every run's wall time and peak memory (the child's
maximum resident set, from wait4) are recorded; accuracy is scored against truth.csv
for the rule ids both tools produce. Writes WORK/results-<people>-<seed>.json and .md
and prints the Markdown table. doisoat does strictly more work in both comparisons (it
also runs the fuzzy cross-match for ID-less records in `rules`, and writes Parquet and
history); nothing is taken off its time for that.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
VENV_PYTHON = HERE / ".venv" / "bin" / "python"

# Rule files of each doisoat side (matching.toml holds the shared matching parameters).
# "linkage" is Splink's job exactly: duplicate persons and the XM.<ds>.ID_MISSING rule,
# cut from rules/crossmatch.toml (so it cannot drift from the shipped rule), over the
# files Splink reads. "linkage-full" runs the whole cross-match pack over every file.
RULE_SETS = {
    "rules": ["population.toml", "deaths.toml", "crossmatch.toml", "matching.toml"],
    "linkage": ["duplicates.toml", "matching.toml"],
    "linkage-full": ["duplicates.toml", "crossmatch.toml", "matching.toml"],
}
# Rule ids cut from a shipped rule file into a one-rule file, per rule set.
RULE_CUTS = {"linkage": [("crossmatch.toml", "XM.{dataset}.ID_MISSING")]}
# The datasets Splink reads (the population and these), for the like-for-like run.
LINKAGE_CONFIG = """# written by benches/peers/run.py: the files splink_dedup.py reads
as_of = "{as_of}"
population = "population.csv"
admin_units = "admin_units.csv"
[datasets]
insurance = "insurance.csv"
tax = "tax.csv"
vaccination = "vaccination.csv"
"""
# The deterministic rule ids the SQL peer implements (XM.<ds>.* expanded below).
SQL_RULES = {
    "DUNG.ID_STRUCTURE", "DUNG.ID_BIRTH_PROVINCE", "DUNG.INVALID_VALUE", "DU.MISSING_FIELD",
    "DU.HOUSEHOLD_NO_HEAD", "DUNG.HOUSEHOLD_MULTI_HEAD", "SACH.DUP_ID", "SONG.NO_ID_CARD",
    "SONG.CARD_EXPIRED", "XM.insurance.MISMATCH", "XM.tax.MISMATCH",
    "XM.vaccination.MISMATCH", "XM.insurance.DECEASED_ACTIVE",
    "XM.vaccination.DECEASED_ACTIVE", "XM.tax.DECEASED_ACTIVE",
}
# SONG.DEATH_NOT_RECORDED is scored on the deaths that carry an ID only for the SQL
# peer; it is listed separately so both numbers are shown.
SQL_PARTIAL_RULES = {"SONG.DEATH_NOT_RECORDED"}
LINK_DATASETS = ("insurance", "tax", "vaccination")


def run_measured(command: list[str], log: Path) -> tuple[float, float]:
    """Run a command; return (wall seconds, peak resident memory in MiB)."""
    with open(log, "w", encoding="utf-8") as out:
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        tail = log.read_text("utf-8", errors="replace")[-3000:]
        raise SystemExit(f"command failed ({code}): {' '.join(command)}\n{tail}")
    return seconds, usage.ru_maxrss / 1024.0  # ru_maxrss is in KiB on Linux


def generator_stamp(binary: Path) -> str:
    """The first line of the run file this binary's `gen` writes (it names the
    generator's revision), read off a tiny province."""
    with tempfile.TemporaryDirectory() as scratch:
        subprocess.run([str(binary), "gen", "--people", "200", "--out", scratch],
                       check=True, capture_output=True)
        return (Path(scratch) / "province.toml").read_text(encoding="utf-8").split("\n", 1)[0]


def ensure_data(binary: Path, work: Path, people: int, seed: int) -> Path:
    data = work / f"{people}-{seed}"
    # A province written by another revision of the generator is made again.
    stamp = generator_stamp(binary)
    run_file = data / "province.toml"
    current = run_file.exists() and run_file.read_text(encoding="utf-8").split("\n", 1)[0] == stamp
    if not (data / "truth.csv").exists() or not current:
        print(f"generating {people} people (seed {seed}) in {data}", file=sys.stderr)
        subprocess.run([str(binary), "gen", "--people", str(people), "--seed", str(seed),
                        "--out", str(data)], check=True)
    return data


def rules_folder(work: Path, name: str) -> Path:
    """A rules folder holding only the files of one side of a comparison."""
    folder = work / f"rules-{name}"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for file in RULE_SETS[name]:
        shutil.copy(REPO / "rules" / file, folder / file)
    for file, rule_id in RULE_CUTS.get(name, []):
        block = rule_block(REPO / "rules" / file, rule_id)
        (folder / f"cut-{Path(file).stem}.toml").write_text(block, "utf-8")
    shutil.copytree(REPO / "rules" / "ref", folder / "ref")
    return folder


def rule_block(path: Path, rule_id: str) -> str:
    """The `[[rule]]` table of `rule_id` in a rule file, as text."""
    text = path.read_text("utf-8")
    for block in text.split("[[rule]]")[1:]:
        if f'id = "{rule_id}"' in block:
            return "[[rule]]" + block.rstrip() + "\n"
    raise SystemExit(f"{path}: no rule {rule_id}")


def linkage_config(data: Path) -> Path:
    """A run config over the files Splink reads, beside the generated province.toml."""
    as_of = "2026-11-22"
    for line in (data / "province.toml").read_text("utf-8").splitlines():
        if line.startswith("as_of"):
            as_of = line.split("=", 1)[1].strip().strip('"')
    path = data / "linkage.toml"
    path.write_text(LINKAGE_CONFIG.format(as_of=as_of), "utf-8")
    return path


def read_rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def truth_rows(data: Path) -> list[dict]:
    return read_rows(data / "truth.csv")


def score(found: set, expected: set) -> dict:
    tp = len(found & expected)
    fp = len(found - expected)
    fn = len(expected - found)
    return {"tp": tp, "fp": fp, "fn": fn,
            "precision": round(tp / max(tp + fp, 1), 4), "recall": round(tp / max(tp + fn, 1), 4)}


def keys_by_rule(rows: list[dict], rules: set[str]) -> dict[str, set]:
    out: dict[str, set] = defaultdict(set)
    for row in rows:
        if row["rule_id"] in rules:
            out[row["rule_id"]].add((row["dataset"], row["record_key"]))
    return out


def cluster_pairs(members_by_cluster: dict[str, list[str]]) -> set:
    pairs = set()
    for members in members_by_cluster.values():
        members = sorted(members)
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                pairs.add((a, b))
    return pairs


def truth_dup_pairs(truth: list[dict]) -> set:
    pairs = set()
    for row in truth:
        if row["rule_id"] == "SACH.DUP_PERSON":
            for other in filter(None, row["related_keys"].split(";")):
                pairs.add(tuple(sorted((row["record_key"], other))))
    return pairs


def score_rules(data: Path, doisoat_out: Path, duckdb_out: Path) -> dict:
    truth = truth_rows(data)
    rules = SQL_RULES | SQL_PARTIAL_RULES
    expected = keys_by_rule(truth, rules)
    ours = keys_by_rule(read_rows(doisoat_out / "findings.csv"), rules)
    theirs = keys_by_rule(read_rows(duckdb_out / "findings.csv"), rules)
    result = {}
    for rule in sorted(rules):
        result[rule] = {
            "truth": len(expected[rule]),
            "doisoat": score(ours[rule], expected[rule]),
            "duckdb": score(theirs[rule], expected[rule]),
            # findings one tool has and the other has not
            "only_doisoat": len(ours[rule] - theirs[rule]),
            "only_duckdb": len(theirs[rule] - ours[rule]),
        }
    return result


def worklist_files(out: Path) -> int:
    """Number of per-commune worklist CSV files under OUT/worklists."""
    return sum(1 for _ in (out / "worklists").rglob("*.csv"))


def score_linkage(data: Path, doisoat_out: Path, splink_out: Path) -> dict:
    truth = truth_rows(data)
    findings = read_rows(doisoat_out / "findings.csv")
    result: dict = {}

    # SACH.DUP_PERSON, record level and pair level
    expected_records = {r["record_key"] for r in truth if r["rule_id"] == "SACH.DUP_PERSON"}
    expected_pairs = truth_dup_pairs(truth)
    ours_clusters: dict[str, list[str]] = defaultdict(list)
    for row in findings:
        if row["rule_id"] == "SACH.DUP_PERSON":
            ours_clusters[row["cluster_id"]].append(row["record_key"])
    theirs_clusters: dict[str, list[str]] = defaultdict(list)
    for row in read_rows(splink_out / "dup_person.csv"):
        theirs_clusters[row["cluster_id"]].append(row["record_key"])
    result["SACH.DUP_PERSON records"] = {
        "truth": len(expected_records),
        "doisoat": score({k for m in ours_clusters.values() for k in m}, expected_records),
        "splink": score({k for m in theirs_clusters.values() for k in m}, expected_records),
    }
    result["SACH.DUP_PERSON pairs"] = {
        "truth": len(expected_pairs),
        "doisoat": score(cluster_pairs(ours_clusters), expected_pairs),
        "splink": score(cluster_pairs(theirs_clusters), expected_pairs),
    }

    # XM.<ds>.ID_MISSING: the record and the register record it was linked to
    expected_links = set()
    for row in truth:
        ds = row["dataset"]
        if ds in LINK_DATASETS and row["rule_id"] == f"XM.{ds}.ID_MISSING":
            expected_links.add((ds, row["record_key"], row["related_keys"]))
    ours_links = set()
    for row in findings:
        ds = row["dataset"]
        if ds in LINK_DATASETS and row["rule_id"] == f"XM.{ds}.ID_MISSING":
            ours_links.add((ds, row["record_key"], row["related_keys"]))
    theirs_links = {(r["dataset"], r["record_key"], r["person_record_key"])
                    for r in read_rows(splink_out / "id_missing.csv")}
    result["XM.<ds>.ID_MISSING links"] = {
        "truth": len(expected_links),
        "doisoat": score(ours_links, expected_links),
        "splink": score(theirs_links, expected_links),
    }
    return result


def doisoat_command(binary: Path, config: Path, rules: Path, out: Path) -> list[str]:
    return [str(binary), "run", "--quiet", "--config", str(config),
            "--rules", str(rules), "--out", str(out), "--no-xlsx", "--no-html"]


def compare(name: str, rounds: int, ours: dict[str, list[str]], theirs: list[str], peer: str,
            logs: Path) -> dict:
    """Alternating rounds of every doisoat command in `ours` and the peer; the time
    ratio is that of the first doisoat command, every other's is in `time_ratios`."""
    tools = [*ours, peer]
    commands = {**ours, peer: theirs}
    times: dict[str, list[float]] = {tool: [] for tool in tools}
    memory: dict[str, list[float]] = {tool: [] for tool in tools}
    for round_no in range(1, rounds + 1):
        order = tools if round_no % 2 == 1 else list(reversed(tools))
        for tool in order:
            log = logs / f"{name}-{tool.replace(' ', '-')}-{round_no}.log"
            seconds, mib = run_measured(commands[tool], log)
            times[tool].append(round(seconds, 3))
            memory[tool].append(round(mib, 1))
            print(f"  {name} round {round_no}: {tool} {seconds:.2f} s, {mib:.0f} MiB",
                  file=sys.stderr)
    median = {tool: statistics.median(values) for tool, values in times.items()}
    ratios = {tool: round(median[tool] / median[peer], 4) for tool in ours}
    return {
        "seconds": times,
        "peak_memory_mib": memory,
        "median_seconds": median,
        "time_ratio": ratios[next(iter(ours))],
        "time_ratios": ratios,
    }


def markdown(results: dict) -> str:
    lines = [f"### {results['people']:,} people (seed {results['seed']}), "
             f"{results['rounds']} alternating rounds, {results['date']}", ""]
    for name, peer in (("rules", "duckdb"), ("linkage", "splink")):
        if name not in results:
            continue
        r = results[name]
        lines += [f"**{name}** — doisoat vs {peer} ({results['versions'].get(peer, '')})", "",
                  "| tool | wall s (median) | runs | peak MiB (max) |", "|---|---|---|---|"]
        for tool in r["seconds"]:
            lines.append(f"| {tool} | {r['median_seconds'][tool]:.2f} | "
                         f"{', '.join(f'{s:.2f}' for s in r['seconds'][tool])} | "
                         f"{max(r['peak_memory_mib'][tool]):.0f} |")
        lines += ["", f"time ratio doisoat / {peer}: **{r['time_ratio']:.3f}**", ""]
        for tool, ratio in r.get("time_ratios", {}).items():
            if tool != "doisoat":
                lines += [f"time ratio {tool} / {peer}: {ratio:.3f}", ""]
        if "same_findings_with_full_pack" in r:
            lines += ["same duplicates and links with the whole cross-match pack: "
                      f"{'yes' if r['same_findings_with_full_pack'] else 'NO'}", ""]
        if "worklist_files" in r:
            lines += [f"per-commune worklist files: doisoat {r['worklist_files']['doisoat']}, "
                      f"{peer} {r['worklist_files'][peer]}", ""]
        lines += [
                  f"| rule | truth | doisoat P | doisoat R | {peer} P | {peer} R |",
                  "|---|---|---|---|---|---|"]
        for rule, s in r["accuracy"].items():
            lines.append(f"| {rule} | {s['truth']} | {s['doisoat']['precision']:.4f} | "
                         f"{s['doisoat']['recall']:.4f} | {s[peer]['precision']:.4f} | "
                         f"{s[peer]['recall']:.4f} |")
        lines.append("")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--people", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--work", type=Path, default=Path("/tmp/doisoat-peers"))
    ap.add_argument("--bin", type=Path, default=REPO / "target" / "release" / "doisoat")
    ap.add_argument("--only", choices=["rules", "linkage"], help="run one comparison only")
    args = ap.parse_args()

    if not args.bin.exists():
        raise SystemExit(f"{args.bin} not found: run `cargo build --release` first")
    if not VENV_PYTHON.exists():
        raise SystemExit(f"{VENV_PYTHON} not found: run `bash {HERE / 'setup.sh'}` first")
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    logs = work / "logs"
    logs.mkdir(exist_ok=True)
    data = ensure_data(args.bin.resolve(), work, args.people, args.seed)
    versions = json.loads(subprocess.run(
        [str(VENV_PYTHON), "-c",
         "import json, duckdb, splink; print(json.dumps({'duckdb': duckdb.__version__, "
         "'splink': splink.__version__}))"],
        check=True, capture_output=True, text=True).stdout)
    results: dict = {"people": args.people, "seed": args.seed, "rounds": args.rounds,
                     "date": time.strftime("%Y-%m-%d"), "versions": versions,
                     "cpus": os.cpu_count()}

    if args.only in (None, "rules"):
        ours_out, theirs_out = work / "out-doisoat-rules", work / "out-duckdb"
        r = compare("rules", args.rounds,
                    {"doisoat": doisoat_command(args.bin, data / "province.toml",
                                                rules_folder(work, "rules"), ours_out)},
                    [str(VENV_PYTHON), str(HERE / "duckdb_rules.py"), "--data", str(data),
                     "--out", str(theirs_out)], "duckdb", logs)
        r["accuracy"] = score_rules(data, ours_out, theirs_out)
        r["worklist_files"] = {"doisoat": worklist_files(ours_out),
                               "duckdb": worklist_files(theirs_out)}
        results["rules"] = r

    if args.only in (None, "linkage"):
        ours_out, theirs_out = work / "out-doisoat-linkage", work / "out-splink"
        full_out = work / "out-doisoat-linkage-full"
        r = compare("linkage", args.rounds,
                    {"doisoat": doisoat_command(args.bin, linkage_config(data),
                                                rules_folder(work, "linkage"), ours_out),
                     "doisoat full cross-match": doisoat_command(
                         args.bin, data / "province.toml", rules_folder(work, "linkage-full"),
                         full_out)},
                    [str(VENV_PYTHON), str(HERE / "splink_dedup.py"), "--data", str(data),
                     "--out", str(theirs_out)], "splink", logs)
        r["accuracy"] = score_linkage(data, ours_out, theirs_out)
        # The whole pack must find the same duplicates and links as Splink's job alone.
        full_accuracy = score_linkage(data, full_out, theirs_out)
        r["same_findings_with_full_pack"] = all(
            full_accuracy[k]["doisoat"] == r["accuracy"][k]["doisoat"] for k in r["accuracy"])
        results["linkage"] = r

    stem = work / f"results-{args.people}-{args.seed}"
    stem.with_suffix(".json").write_text(json.dumps(results, indent=2), "utf-8")
    text = markdown(results)
    stem.with_suffix(".md").write_text(text, "utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
