#!/usr/bin/env bash
# Create the Python virtualenv for the peer benchmarks (benches/peers/.venv) and
# install the pinned peers from PyPI: DuckDB (SQL rules) and Splink 4 (probabilistic
# record linkage on the DuckDB backend).
#
#   bash benches/peers/setup.sh
#
# Idempotent: re-running only installs what is missing. Needs python3 (>= 3.9) with venv.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv"
python="${PYTHON:-python3}"

if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip
# Pinned versions (the newest that install together here; Splink 4 is the major the
# benchmark targets — Splink 5 changed the API).
"$venv/bin/python" -m pip install --quiet \
    "duckdb==2.0.0" \
    "splink==4.0.17"
"$venv/bin/python" - <<'PY'
import duckdb, splink
print(f"peers ready: duckdb {duckdb.__version__}, splink {splink.__version__}")
PY
