#!/usr/bin/env python3
"""Run the deterministic doisoat rules in DuckDB (duckdb_rules.sql) on a province.

    .venv/bin/python duckdb_rules.py --data /tmp/doisoat-peers/1000000-1 --out /tmp/out-duckdb

Reads the CSV files that `doisoat gen` writes (population, insurance, tax,
vaccination — semicolon-delimited —, deaths, admin_units), applies the rules and
writes OUT/findings.csv, OUT/worklists/province_code=…/commune_code=…/*.csv and
OUT/summary.json (wall time per stage, findings per rule). The run date defaults to
the `as_of` of the province's run file, so results are comparable with doisoat's.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import time
from pathlib import Path

import duckdb

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent


def as_of_from_run_file(data: Path) -> str | None:
    """The `as_of = "YYYY-MM-DD"` of DATA/province.toml, if any."""
    run_file = data / "province.toml"
    if not run_file.exists():
        return None
    match = re.search(r'^as_of\s*=\s*"(\d{4}-\d{2}-\d{2})"', run_file.read_text("utf-8"), re.M)
    return match.group(1) if match else None


def stages(script: str) -> list[tuple[str, str]]:
    """Split the script at `-- @stage NAME` lines into (name, sql) pairs."""
    out: list[tuple[str, str]] = []
    name, lines = "prelude", []
    for line in script.splitlines():
        marker = re.match(r"--\s*@stage\s+(\S+)", line)
        if marker:
            if "".join(lines).strip():
                out.append((name, "\n".join(lines)))
            name, lines = marker.group(1), []
        else:
            lines.append(line)
    if "".join(lines).strip():
        out.append((name, "\n".join(lines)))
    return out


def label(sql: str) -> str:
    """A short label of a statement: its first line that is not a comment, and the rule
    id it inserts findings for, if any."""
    code = [ln.strip() for ln in sql.splitlines() if ln.strip() and not ln.strip().startswith("--")]
    rule = re.search(r"'((?:DU|DUNG|SACH|SONG)\.[A-Z_]+)'", sql)
    text = code[0] if code else ""
    return (text[:60] + (f" [{rule.group(1)}]" if rule else "")).strip()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, type=Path, help="folder written by `doisoat gen`")
    ap.add_argument("--out", required=True, type=Path, help="output folder (replaced)")
    ap.add_argument("--as-of", help="run date YYYY-MM-DD (default: the run file's as_of)")
    ap.add_argument("--ref", type=Path, default=REPO / "rules" / "ref", help="reference lists folder")
    ap.add_argument("--sql", type=Path, default=HERE / "duckdb_rules.sql")
    ap.add_argument("--threads", type=int, help="DuckDB threads (default: all cores)")
    ap.add_argument("--verbose", action="store_true", help="print the time of every statement")
    args = ap.parse_args()

    start = time.perf_counter()
    data = args.data.resolve()
    out = args.out.resolve()
    as_of = args.as_of or as_of_from_run_file(data) or time.strftime("%Y-%m-%d")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)

    script = args.sql.read_text("utf-8")
    for key, value in {"DATA": data, "OUT": out, "REF": args.ref.resolve(), "AS_OF": as_of}.items():
        script = script.replace("{{" + key + "}}", str(value).replace("'", "''"))

    # In-memory database: everything is read from CSV and written back to CSV.
    con = duckdb.connect(config={"threads": args.threads} if args.threads else {})
    timings, statements = [], []
    for name, sql in stages(script):
        t0 = time.perf_counter()
        for statement in con.extract_statements(sql):
            s0 = time.perf_counter()
            con.execute(statement.query)
            statements.append({"stage": name, "statement": label(statement.query),
                               "seconds": round(time.perf_counter() - s0, 3)})
        timings.append({"stage": name, "seconds": round(time.perf_counter() - t0, 3)})

    per_rule = dict(con.execute(
        "SELECT rule_id, count(*) FROM findings GROUP BY rule_id ORDER BY rule_id").fetchall())
    total = time.perf_counter() - start
    summary = {
        "tool": "duckdb",
        "version": duckdb.__version__,
        "as_of": as_of,
        "findings": per_rule,
        "timings": {"total_seconds": round(total, 3), "stages": timings, "statements": statements},
    }
    (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), "utf-8")
    if args.verbose:
        for s in statements:
            print(f"{s['seconds']:8.3f}  {s['stage']:16s} {s['statement']}", file=sys.stderr)
    stage_text = ", ".join(f"{t['stage']} {t['seconds']}" for t in timings)
    print(f"duckdb {duckdb.__version__}: {sum(per_rule.values())} findings in {total:.2f} s "
          f"({stage_text})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
