#!/usr/bin/env python3
"""Duplicate persons and ID-less sector records with Splink 4 (DuckDB backend).

    .venv/bin/python splink_dedup.py --data /tmp/doisoat-peers/1000000-1 --out /tmp/out-splink

The peer of doisoat's fuzzy matching (benches/peers/run.py):

* dedup — SACH.DUP_PERSON: the population register deduplicated with a
  Fellegi-Sunter model (`link_type="dedupe_only"`), then clustered with
  `cluster_pairwise_predictions_at_threshold`; every record of a cluster of two or more
  is a finding. Writes OUT/dup_person.csv (record_key, cluster_id, cluster_size).
* link — XM.<ds>.ID_MISSING: the insurance, tax and vaccination records without a
  person_id linked to the register (`link_type="link_only"`); a sector record takes the
  best register record above the threshold when no other candidate comes close (a tie
  is ambiguous, as namesakes are). Writes OUT/id_missing.csv (dataset, record_key,
  person_record_key, match_probability).

Both models follow the Splink documentation: comparisons from
`splink.comparison_library` on normalised columns (names folded: lower case, NFC,
no diacritics, single spaces; birth dates as ISO strings at their precision, `yyyy`,
`yyyy-mm` or `yyyy-mm-dd`), blocking with `block_on(...)`, the prior from
deterministic rules, u from random sampling, m by expectation maximisation on two
blocking rules, then predict. OUT/summary.json holds the wall time of every step.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
import time
from pathlib import Path

import duckdb
import splink
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

# Normalisation done in DuckDB before Splink sees the data (same folding as the SQL
# rules: names ignore case, spacing, Unicode form and — for fuzzy matching — diacritics).
PREP_MACROS = r"""
CREATE MACRO name_key(t) AS nullif(regexp_replace(
    strip_accents(replace(trim(lower(nfc_normalize(t))), 'đ', 'd')), '\s+', ' ', 'g'), '');
-- dd/mm/yyyy, d/m/yyyy, yyyy-mm-dd, mm/yyyy, yyyy → ISO at the date's precision
CREATE MACRO dob_iso(t) AS CASE
    WHEN t IS NULL THEN NULL
    WHEN length(t) = 4 THEN CASE WHEN TRY_CAST(t AS INTEGER) IS NOT NULL THEN t END
    WHEN length(t) <= 7 THEN strftime(try_strptime('1/' || t, '%d/%m/%Y'), '%Y-%m')
    WHEN contains(t, '-') THEN strftime(try_strptime(t, '%Y-%m-%d'), '%Y-%m-%d')
    ELSE strftime(try_strptime(t, '%d/%m/%Y'), '%Y-%m-%d') END;
CREATE MACRO gender_key(t) AS CASE
    regexp_replace(strip_accents(lower(t)), '[^a-z]', '', 'g') WHEN 'nam' THEN 'M' WHEN 'nu' THEN 'F' END;
"""

# The register as Splink input: one row per record.
PREP_POPULATION = """
CREATE TABLE pop AS
SELECT record_id AS unique_id, name_fold,
       -- Vietnamese order: surname (họ), middle names (tên đệm, may be empty), given name
       split_part(name_fold, ' ', 1) AS surname,
       nullif(array_to_string(string_split(name_fold, ' ')[2:-2], ' '), '') AS middle_name,
       list_last(string_split(name_fold, ' ')) AS given_name,
       dob, substr(dob, 1, 4) AS birth_year, gender_key(gender) AS gender,
       name_key(father_name) AS father_name, name_key(mother_name) AS mother_name,
       nullif(trim(commune_code), '') AS commune_code,
       TRY_CAST(trim(birth_province_code) AS INTEGER) AS birth_province
FROM (SELECT *, name_key(full_name) AS name_fold, dob_iso(nullif(trim(birth_date), '')) AS dob
      FROM read_csv('{data}/population.csv', all_varchar = true, header = true, delim = ','));
"""

# Sector records without a person_id, as one Splink input (tax has no gender); the
# unique_id is "<dataset>:<record key>". Same columns as the register side.
PREP_SECTOR = """
CREATE TABLE sector_noid AS
SELECT ds || ':' || record_key AS unique_id, name_fold,
       split_part(name_fold, ' ', 1) AS surname,
       list_last(string_split(name_fold, ' ')) AS given_name,
       dob, substr(dob, 1, 4) AS birth_year, gender, commune_code
FROM (
    SELECT ds, record_key, name_key(full_name) AS name_fold,
           dob_iso(nullif(trim(birth_date), '')) AS dob, gender_key(gender) AS gender,
           nullif(trim(commune_code), '') AS commune_code
    FROM (
        SELECT 'insurance' AS ds, insurance_code AS record_key, person_id, full_name, birth_date,
               gender, commune_code
        FROM read_csv('{data}/insurance.csv', all_varchar = true, header = true, delim = ',')
        UNION ALL
        SELECT 'tax', tax_code, person_id, full_name, birth_date, NULL, commune_code
        FROM read_csv('{data}/tax.csv', all_varchar = true, header = true, delim = ',')
        UNION ALL
        SELECT 'vaccination', record_id, person_id, full_name, birth_date, gender, commune_code
        FROM read_csv('{data}/vaccination.csv', all_varchar = true, header = true, delim = ';'))
    WHERE nullif(trim(person_id), '') IS NULL);
"""


def dob_comparison() -> cl.CustomComparison:
    """Birth dates as ISO strings at their precision: exact, compatible at the coarser
    precision (one side partial: '1952' vs '1952-03-04'), a one-character typo, else."""
    return cl.CustomComparison(
        output_column_name="dob",
        comparison_levels=[
            cll.NullLevel("dob"),
            cll.ExactMatchLevel("dob"),
            cll.CustomLevel(
                "(starts_with(dob_l, dob_r) OR starts_with(dob_r, dob_l))",
                label_for_charts="agree at the coarser precision",
            ),
            cll.LevenshteinLevel("dob", 1),
            cll.ElseLevel(),
        ],
        comparison_description="birth date (ISO, partial aware)",
    )


def timed(steps: list, name: str, fn, *args, **kwargs):
    """Run fn, record its wall time under name, return its result."""
    t0 = time.perf_counter()
    result = fn(*args, **kwargs)
    steps.append({"step": name, "seconds": round(time.perf_counter() - t0, 3)})
    print(f"  {name}: {steps[-1]['seconds']} s", file=sys.stderr)
    return result


def dedup(con, out: Path, args, steps: list) -> int:
    """SACH.DUP_PERSON: dedupe the register, cluster, write dup_person.csv."""
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[
            cl.NameComparison("name_fold").configure(term_frequency_adjustments=True),
            dob_comparison(),
            cl.ExactMatch("gender"),
            cl.ExactMatch("father_name"),
            cl.ExactMatch("mother_name"),
            cl.ExactMatch("birth_province"),
            cl.ExactMatch("commune_code"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("name_fold", "birth_year"),
            block_on("father_name", "mother_name"),
            block_on("given_name", "dob", "gender"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker("pop", settings, DuckDBAPI(connection=con))
    training = linker.training
    timed(steps, "dedup: prior (deterministic rules)",
          training.estimate_probability_two_random_records_match,
          [block_on("name_fold", "dob", "mother_name"),
           block_on("father_name", "mother_name", "dob", "gender")], recall=0.8)
    timed(steps, "dedup: u by random sampling", training.estimate_u_using_random_sampling,
          max_pairs=args.max_pairs, seed=1)
    # EM needs training blocks in which true matches are a fair share of the pairs
    # (on broad blocks it learns siblings or namesakes as the "match" class instead).
    timed(steps, "dedup: EM on parents+gender+birth year",
          training.estimate_parameters_using_expectation_maximisation,
          block_on("father_name", "mother_name", "gender", "birth_year"))
    timed(steps, "dedup: EM on name+birth date", training.estimate_parameters_using_expectation_maximisation,
          block_on("name_fold", "dob"))
    linker.misc.save_model_to_json(str(out / "dedup_model.json"), overwrite=True)
    pairs = timed(steps, "dedup: predict", linker.inference.predict,
                  threshold_match_probability=args.threshold)
    clusters = timed(steps, "dedup: cluster", linker.clustering.cluster_pairwise_predictions_at_threshold,
                     pairs, threshold_match_probability=args.threshold)
    table = clusters.physical_name
    path = str(out / "dup_person.csv").replace("'", "''")
    timed(steps, "dedup: write", con.execute, f"""
        COPY (SELECT unique_id AS record_key, cluster_id, cluster_size FROM (
                  SELECT unique_id, cluster_id, count(*) OVER (PARTITION BY cluster_id) AS cluster_size
                  FROM {table})
              WHERE cluster_size > 1 ORDER BY cluster_id, record_key)
        TO '{path}' (FORMAT csv, HEADER)""")
    return con.execute(f"SELECT count(*) FROM read_csv('{path}')").fetchall()[0][0]


def link(con, out: Path, args, steps: list) -> int:
    """XM.<ds>.ID_MISSING: link ID-less sector records to the register."""
    settings = SettingsCreator(
        link_type="link_only",
        unique_id_column_name="unique_id",
        comparisons=[
            cl.NameComparison("name_fold").configure(term_frequency_adjustments=True),
            dob_comparison(),
            cl.ExactMatch("gender"),
            cl.ExactMatch("commune_code"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("name_fold", "birth_year"),
            block_on("given_name", "dob"),
            block_on("surname", "dob", "commune_code"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(["sector_noid", "pop_link"], settings, DuckDBAPI(connection=con),
                    input_table_aliases=["sector", "population"])
    training = linker.training
    timed(steps, "link: prior (deterministic rules)",
          training.estimate_probability_two_random_records_match,
          [block_on("name_fold", "dob", "gender")], recall=0.8)
    timed(steps, "link: u by random sampling", training.estimate_u_using_random_sampling,
          max_pairs=args.max_pairs, seed=1)
    timed(steps, "link: EM on name+birth year", training.estimate_parameters_using_expectation_maximisation,
          block_on("name_fold", "birth_year"))
    timed(steps, "link: EM on birth date", training.estimate_parameters_using_expectation_maximisation,
          block_on("dob"))
    linker.misc.save_model_to_json(str(out / "link_model.json"), overwrite=True)
    pairs = timed(steps, "link: predict", linker.inference.predict,
                  threshold_match_probability=args.threshold)
    table = pairs.physical_name
    path = str(out / "id_missing.csv").replace("'", "''")
    # Best candidate per sector record; a runner-up within `margin` match weight (bits)
    # makes the record ambiguous (namesakes), so it gets no suggested ID.
    timed(steps, "link: write", con.execute, f"""
        COPY (
            WITH p AS (
                SELECT CASE WHEN source_dataset_l = 'sector' THEN unique_id_l ELSE unique_id_r END AS sector_id,
                       CASE WHEN source_dataset_l = 'sector' THEN unique_id_r ELSE unique_id_l END AS person,
                       match_weight, match_probability
                FROM {table}),
            ranked AS (
                SELECT *, row_number() OVER (PARTITION BY sector_id ORDER BY match_weight DESC, person) AS rank,
                       lead(match_weight) OVER (PARTITION BY sector_id ORDER BY match_weight DESC, person) AS runner_up
                FROM p)
            SELECT split_part(sector_id, ':', 1) AS dataset, split_part(sector_id, ':', 2) AS record_key,
                   person AS person_record_key, round(match_probability, 6) AS match_probability
            FROM ranked
            WHERE rank = 1 AND (runner_up IS NULL OR match_weight - runner_up >= {args.margin})
            ORDER BY dataset, record_key)
        TO '{path}' (FORMAT csv, HEADER)""")
    return con.execute(f"SELECT count(*) FROM read_csv('{path}')").fetchall()[0][0]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, type=Path, help="folder written by `doisoat gen`")
    ap.add_argument("--out", required=True, type=Path, help="output folder (replaced)")
    ap.add_argument("--tasks", default="dedup,link", help="dedup, link or both (comma-separated)")
    ap.add_argument("--threshold", type=float, default=0.95, help="match probability threshold")
    ap.add_argument("--margin", type=float, default=1.0,
                    help="link: the best candidate must beat the runner-up by this many bits")
    ap.add_argument("--max-pairs", type=float, default=5e6, help="pairs sampled to estimate u")
    args = ap.parse_args()
    logging.getLogger("splink").setLevel(logging.WARNING)  # keep the run log short

    start = time.perf_counter()
    data = str(args.data.resolve()).replace("'", "''")
    out = args.out.resolve()
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    tasks = {t.strip() for t in args.tasks.split(",") if t.strip()}

    con = duckdb.connect()
    steps: list = []
    con.execute(PREP_MACROS)
    timed(steps, "read population", con.execute, PREP_POPULATION.format(data=data))
    counts = {}
    if "dedup" in tasks:
        counts["SACH.DUP_PERSON"] = dedup(con, out, args, steps)
    if "link" in tasks:
        timed(steps, "read sector records without ID", con.execute, PREP_SECTOR.format(data=data))
        # the register side of the link: the same columns as the sector side
        con.execute("""CREATE VIEW pop_link AS
                       SELECT unique_id, name_fold, surname, given_name, dob, birth_year, gender,
                              commune_code FROM pop""")
        counts["XM.<ds>.ID_MISSING"] = link(con, out, args, steps)

    total = time.perf_counter() - start
    summary = {
        "tool": "splink",
        "version": splink.__version__,
        "duckdb": duckdb.__version__,
        "threshold": args.threshold,
        "margin": args.margin,
        "max_pairs": args.max_pairs,
        "records": counts,
        "timings": {"total_seconds": round(total, 3), "steps": steps},
    }
    (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), "utf-8")
    print(f"splink {splink.__version__}: {counts} in {total:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
