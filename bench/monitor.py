"""Benchmark: the trade monitor on a BACI-shaped warehouse vs a pandas baseline on Parquet.

Usage::

    python bench/monitor.py            # 50 million rows over 10 years (builds ~2 GB in bench/work)
    python bench/monitor.py --quick    # 2 million rows, a smoke run
    python bench/monitor.py --rows 50000000 --runs 5

The warehouse is generated straight into ``trade_flows`` by DuckDB SQL (no CSV): ten years
(2011-2020) of reconciled exporter -> importer -> HS6 flows, ``basis='reconciled'``, like CEPII
BACI. About 225 countries with Zipf-like sizes (weight ~ rank^-1.1, China the largest), 5,000
HS6 products, a (year, exporter, importer) pair trading a number of products proportional to
the product of the two weights (at most all of them), log-normal values growing 4 % a year;
everything is seeded (hash-based, so the data do not depend on the thread count), and rows are
inserted year by year in exporter order, as BACI loads are. The same rows are written to one
Parquet file for the baseline.

capcoop answers from bilateral totals that the warehouse derives once from the product rows
(``capcoop.warehouse.trade_queries.derive_product_totals``: one atomic load with provenance,
as after a BACI ingest); that one-off step is timed and recorded. For transparency the run
first times capcoop on the product rows alone (before the totals exist) against the same pandas
baseline.

The question both contenders answer, for one reporter (China) over ten years: the partner
ranking of every year (ASEAN and the EU counted as one partner with their membership of that
year; shares of the reporter's world trade; year-on-year change) and the bilateral summary
China-ASEAN of the last year with its ten-year series and CAGR.

Contenders, alternated A B C in each round after one warm-up round, each in its own process:

A capcoop warm: ``ranking_history`` + ``bilateral_summary`` timed in process after a warm-up call;
B capcoop cold: the same two calls in a new Python process, timed around the whole process
  (imports, opening the warehouse, the queries);
C pandas: ``pd.read_parquet`` of the two legs (exporter = China, importer = China, with
  pyarrow's filter pushdown) and the same aggregation, ranking and series in pandas, timed in
  process (and around its process, for the cold comparison).

Medians and min-max spreads are reported, with each child's peak resident memory and the
maximum relative difference between the contenders' answers. Results: ``bench/results/monitor.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"
RESULTS = HERE / "results" / "monitor.json"
FIRST, LAST = 2011, 2020
REPORTER, PARTNER = "CHN", "ASEAN"
PRODUCTS = 5000

CAPCOOP_CHILD = r"""
import json, sys, time
start = time.perf_counter()
from capcoop.services.monitor import bilateral_summary, ranking_history
warehouse, first, last, mode, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]

def answer():
    history = ranking_history("CHN", first, last, basis="reconciled", warehouse=warehouse)
    summary = bilateral_summary("CHN", "ASEAN", last, since=first, basis="reconciled",
                                warehouse=warehouse)
    return history, summary

cpu = time.process_time()
if mode == "warm":
    answer()
    start, cpu = time.perf_counter(), time.process_time()
history, summary = answer()
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
ranks = {str(r.period.year): r.table[["partner", "total", "share_pct", "yoy_pct"]].values.tolist()
         for r in history}
series = summary.series[["year", "total"]].values.tolist()
json.dump({"seconds": seconds, "cpu_seconds": cpu, "ranks": ranks, "series": series,
           "cagr": summary.cagr_pct}, open(out, "w"))
"""

PANDAS_CHILD = r"""
import json, sys, time
start = time.perf_counter()
import numpy as np, pandas as pd
from capcoop.codes.blocs import bloc
parquet, first, last, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
start_in, cpu = time.perf_counter(), time.process_time()
years = [("year", ">=", first - 1), ("year", "<=", last)]
cols = ["year", "reporter", "partner", "value_usd"]
exports = pd.read_parquet(parquet, columns=cols, filters=[("reporter", "==", "CHN"), *years])
imports = pd.read_parquet(parquet, columns=cols, filters=[("partner", "==", "CHN"), *years])
x = exports.groupby(["year", "partner"])["value_usd"].sum().rename("exports")
m = imports.groupby(["year", "reporter"])["value_usd"].sum().rename_axis(["year", "partner"]).rename("imports")
flows = pd.concat([x, m], axis=1).fillna(0.0).reset_index()
flows = flows[flows["partner"] != "CHN"]
blocs = [bloc("ASEAN"), bloc("EU")]

def units(year, membership_year):
    mapping = {}
    for b in blocs:
        for code in b.members_for_period(membership_year):
            mapping[code] = b.code
    frame = flows[flows["year"] == year].copy()
    frame["unit"] = frame["partner"].map(mapping).fillna(frame["partner"])
    table = frame.groupby("unit")[["exports", "imports"]].sum()
    table["total"] = table["exports"] + table["imports"]
    return table[table["total"] > 0]

ranks = {}
for year in range(first, last + 1):
    now, before = units(year, year), units(year - 1, year)
    world = now["total"].sum()
    now = now.sort_values("total", ascending=False, kind="mergesort")
    now["share_pct"] = 100 * now["total"] / world
    now["yoy_pct"] = 100 * (now["total"] / before["total"].reindex(now.index) - 1)
    ranks[str(year)] = [[u, t, s, None if y != y else y] for u, t, s, y in
                        zip(now.index, now["total"], now["share_pct"], now["yoy_pct"])]
series = []
members = bloc("ASEAN").members_for_period(last)
for year in range(first, last + 1):
    part = flows[(flows["year"] == year) & flows["partner"].isin(members)]
    series.append([year, float(part["exports"].sum() + part["imports"].sum())])
cagr = 100 * ((series[-1][1] / series[0][1]) ** (1 / (last - first)) - 1)
seconds, cpu = time.perf_counter() - start_in, time.process_time() - cpu
json.dump({"seconds": seconds, "cpu_seconds": cpu, "ranks": ranks, "series": series,
           "cagr": cagr}, open(out, "w"))
"""

RSS_WRAPPER = ("import resource, subprocess, sys; code = subprocess.call(sys.argv[2:]); "
               "open(sys.argv[1], 'w').write(str(resource.getrusage("
               "resource.RUSAGE_CHILDREN).ru_maxrss)); sys.exit(code)")


# --- input ----------------------------------------------------------------------------------


def _countries() -> list[str]:
    from capcoop.codes.countries import countries_table
    table = countries_table()
    codes = sorted(table.loc[table["kind"] == "country", "iso3"])
    rng = np.random.default_rng(20201)
    rest = [c for c in codes if c != REPORTER]
    rng.shuffle(rest)
    return [REPORTER, *rest[:224]]


def _pairs(rows_per_year: int) -> pd.DataFrame:
    """(exporter, importer, products, offset) with products ~ weight_e * weight_i, about
    ``rows_per_year`` in all."""
    codes = _countries()
    weights = np.arange(1, len(codes) + 1, dtype=float) ** -1.1
    outer = np.outer(weights, weights)
    np.fill_diagonal(outer, 0.0)
    low, high = 0.0, 1e12
    for _ in range(80):  # the scale that gives about rows_per_year rows
        scale = (low + high) / 2
        total = np.minimum(np.floor(outer * scale), PRODUCTS).sum()
        low, high = (scale, high) if total < rows_per_year else (low, scale)
    counts = np.minimum(np.floor(outer * high), PRODUCTS).astype(int)
    e, i = np.nonzero(counts)
    rng = np.random.default_rng(7)
    return pd.DataFrame({"ei": e, "ii": i, "exporter": np.array(codes)[e],
                         "importer": np.array(codes)[i], "n": counts[e, i],
                         "off": rng.integers(0, PRODUCTS, len(e)),
                         "mu": 9.0 + 1.5 * np.log1p(counts[e, i])})


def _products() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    chapters = np.array([c for c in range(1, 98) if c != 77])
    codes: set[str] = set()
    while len(codes) < PRODUCTS:
        codes.add(f"{rng.choice(chapters):02d}{rng.integers(1, 25):02d}{rng.integers(10, 99):02d}")
    return pd.DataFrame({"pidx": range(PRODUCTS), "code": sorted(codes)[:PRODUCTS]})


GENERATE = """
INSERT INTO trade_flows (source, basis, freq, year, month, reporter, partner, flow, classification,
                         product, value_usd, value_local, currency, quantity, quantity_unit,
                         estimate, load_id)
WITH r AS (
    SELECT ei, ii, exporter, importer, off, mu, unnest(range(n)) AS k FROM pairs_
), v AS (
    SELECT r.*, p.code,
           ((hash(?, ei, ii, k) % 999983) + 1) / 999984.0 AS u1,
           ((hash(?, k, ii, ei) % 999979) + 1) / 999980.0 AS u2
    FROM r JOIN products_ p ON p.pidx = (r.off + r.k) % ?
)
SELECT 'baci', 'reconciled', 'A', ?, NULL, exporter, importer, 'X', 'HS92', code,
       round(exp(mu + 1.8 * sqrt(-2 * ln(u1)) * cos(2 * pi() * u2)) * pow(1.04, ? - 2011), 3),
       NULL, 'USD', round(u2 * 1000, 3), 't', false, 1
FROM v ORDER BY exporter, importer, code
"""


def build(rows: int) -> tuple[Path, Path]:
    """The warehouse and Parquet file for ``rows`` rows (reused when already built)."""
    from capcoop.warehouse.connection import open_writer
    WORK.mkdir(parents=True, exist_ok=True)
    path, parquet = WORK / f"monitor_{rows}.duckdb", WORK / f"monitor_{rows}.parquet"
    if path.exists() and parquet.exists():
        return path, parquet
    path.unlink(missing_ok=True)
    pairs, products = _pairs(rows // (LAST - FIRST + 1)), _products()
    started = time.perf_counter()
    with open_writer(path) as (con, _):
        con.execute("SET enable_progress_bar = false")
        con.register("pairs_", pairs)
        con.register("products_", products)
        for year in range(FIRST, LAST + 1):
            con.execute(GENERATE, [year, year, PRODUCTS, year, year])
            print(f"  {year}: {con.execute('SELECT count(*) FROM trade_flows').fetchone()[0]:,} rows",
                  flush=True)
        count = con.execute("SELECT count(*) FROM trade_flows").fetchone()[0]
        con.execute("INSERT INTO provenance VALUES (1, 'baci', 'bench', 'generated by bench/monitor.py',"
                    " ?, ?, 'trade_flows', 0, ?, NULL, now()::TIMESTAMP)",
                    [f"seeded-{rows}", count, json.dumps({"rows": rows, "years": [FIRST, LAST]})])
        con.execute("CHECKPOINT")
        con.execute(f"COPY (SELECT year, reporter, partner, flow, product, value_usd FROM trade_flows) "
                    f"TO '{parquet}' (FORMAT parquet)")
    print(f"built {path.name} and {parquet.name} in {time.perf_counter() - started:.0f} s")
    return path, parquet


# --- runs -----------------------------------------------------------------------------------


def _child(code: str, args: list[str], out: Path) -> dict:
    """Run a child process; return its answer, whole-process seconds and peak RSS (MB)."""
    rss_file = out.with_suffix(".rss")
    command = [sys.executable, "-c", RSS_WRAPPER, str(rss_file), sys.executable, "-c", code,
               *args, str(out)]
    started = time.perf_counter()
    subprocess.run(command, check=True, env=os.environ | {"PYTHONHASHSEED": "0"})
    process = time.perf_counter() - started
    answer = json.loads(out.read_text())
    answer["process_seconds"] = process
    answer["peak_mb"] = int(rss_file.read_text()) / 1024
    return answer


def _rel_diff(a: dict, b: dict) -> float:
    """Largest relative difference between two answers (totals, shares, yoy, series, CAGR)."""
    worst = 0.0
    for year, rows in a["ranks"].items():
        other = {r[0]: r for r in b["ranks"][year]}
        if [r[0] for r in rows] != [r[0] for r in b["ranks"][year]]:
            return float("inf")  # a different ranking is a different answer
        for row in rows:
            for x, y in zip(row[1:], other[row[0]][1:], strict=True):
                if x is not None and y is not None and y != 0:
                    worst = max(worst, abs(x - y) / abs(y))
    for (_, x), (_, y) in zip(a["series"], b["series"], strict=True):
        worst = max(worst, abs(x - y) / abs(y))
    return max(worst, abs(a["cagr"] - b["cagr"]) / abs(b["cagr"]))


def _summary(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def _drop_derived(path: Path) -> None:
    """Back to product rows only (derived totals removed), so every run starts the same."""
    from capcoop.warehouse.connection import open_writer
    from capcoop.warehouse.trade_queries import DERIVED_PREFIX
    with open_writer(path) as (con, _):
        con.execute("DELETE FROM trade_flows WHERE classification = 'TOTAL'")
        con.execute("DELETE FROM provenance WHERE file LIKE ?", [DERIVED_PREFIX + "%"])
        con.execute("CHECKPOINT")


def _derive(path: Path) -> tuple[float, int]:
    from capcoop.warehouse.connection import open_writer
    from capcoop.warehouse.trade_queries import derive_product_totals
    started = time.perf_counter()
    with open_writer(path) as (con, _):
        result = derive_product_totals(con, source="baci", classification="HS92")
        con.execute("CHECKPOINT")
    return time.perf_counter() - started, result.rows


def _rounds(contenders: dict, runs: int, label: str) -> dict[str, list[dict]]:
    """Alternate the contenders; round 0 warms the caches and is not counted."""
    times: dict[str, list[dict]] = {name: [] for name in contenders}
    for run in range(runs + 1):
        for name, call in contenders.items():
            answer = call(WORK / f"answer_{name}.json")
            print(f"{label} run {run} {name:16} in-process {answer['seconds']:.3f} s "
                  f"(cpu {answer['cpu_seconds']:.3f} s), process {answer['process_seconds']:.2f} s, "
                  f"peak {answer['peak_mb']:.0f} MB, load {os.getloadavg()[0]:.1f}", flush=True)
            answer["load_1min"] = os.getloadavg()[0]
            if run:
                times[name].append(answer)
    return times


def main() -> None:
    """Build the input, alternate the contenders, write ``bench/results/monitor.json``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=50_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="2 million rows, 2 runs")
    args = parser.parse_args()
    rows, runs = (2_000_000, 2) if args.quick else (args.rows, args.runs)
    path, parquet = build(rows)
    _drop_derived(path)
    with duckdb.connect(str(path), read_only=True) as con:
        size = con.execute("SELECT count(*) FROM trade_flows").fetchone()[0]
    span = [str(FIRST), str(LAST)]
    capcoop = {"warm": lambda out: _child(CAPCOOP_CHILD, [str(path), *span, "warm"], out),
               "cold": lambda out: _child(CAPCOOP_CHILD, [str(path), *span, "cold"], out)}
    pandas_run = lambda out: _child(PANDAS_CHILD, [str(parquet), *span], out)  # noqa: E731
    products = _rounds({"capcoop_warm": capcoop["warm"], "pandas": pandas_run},
                       max(2, runs - 2), "product rows only:")
    derive_s, derived_rows = _derive(path)
    print(f"derived {derived_rows:,} total rows in {derive_s:.1f} s", flush=True)
    totals = _rounds({"capcoop_warm": capcoop["warm"], "capcoop_cold": capcoop["cold"],
                      "pandas": pandas_run}, runs, "with totals:")
    _write(size, totals, products, {"seconds": derive_s, "rows": derived_rows})


def _write(size: int, times: dict[str, list[dict]], products: dict[str, list[dict]],
           derive: dict) -> None:
    warm = [a["seconds"] for a in times["capcoop_warm"]]
    warm_cpu = [a["cpu_seconds"] for a in times["capcoop_warm"]]
    pandas_cpu = [a["cpu_seconds"] for a in times["pandas"]]
    loads = [a["load_1min"] for answers in times.values() for a in answers]
    cold = [a["process_seconds"] for a in times["capcoop_cold"]]
    pandas_in = [a["seconds"] for a in times["pandas"]]
    pandas_proc = [a["process_seconds"] for a in times["pandas"]]
    diff = max(_rel_diff(times["capcoop_warm"][-1], times["pandas"][-1]),
               _rel_diff(times["capcoop_cold"][-1], times["pandas"][-1]))
    peak = {name: max(a["peak_mb"] for a in answers) for name, answers in times.items()}
    question = (f"partner_ranking for each year {FIRST}-{LAST} (ASEAN and EU as one partner) + "
                f"bilateral_summary {REPORTER}-{PARTNER} {LAST} with the {FIRST}-{LAST} series and CAGR")
    cases = [
        {"case": "warm, in process: " + question, "size": size,
         "capcoop_s": _summary(warm)["median"], "capcoop_spread_s": _summary(warm),
         "baseline": "pandas 3 + pyarrow: read_parquet of both legs with filter pushdown, "
                     "then groupby/rank in pandas, timed in process",
         "baseline_s": _summary(pandas_in)["median"], "baseline_spread_s": _summary(pandas_in),
         "ratio": statistics.median(pandas_in) / statistics.median(warm),
         "capcoop_cpu_s": _summary(warm_cpu)["median"], "baseline_cpu_s": _summary(pandas_cpu)["median"],
         "capcoop_peak_mb": peak["capcoop_warm"], "baseline_peak_mb": peak["pandas"],
         "max_rel_diff": diff},
        {"case": "cold, whole new process: " + question, "size": size,
         "capcoop_s": _summary(cold)["median"], "capcoop_spread_s": _summary(cold),
         "baseline": "the same pandas script as a whole new process",
         "baseline_s": _summary(pandas_proc)["median"], "baseline_spread_s": _summary(pandas_proc),
         "ratio": statistics.median(pandas_proc) / statistics.median(cold),
         "capcoop_peak_mb": peak["capcoop_cold"], "baseline_peak_mb": peak["pandas"],
         "max_rel_diff": diff},
    ]
    only = [a["seconds"] for a in products["capcoop_warm"]]
    only_pandas = [a["seconds"] for a in products["pandas"]]
    cases.append(
        {"case": "warm, in process, product rows only (before totals are derived): " + question,
         "size": size, "capcoop_s": _summary(only)["median"], "capcoop_spread_s": _summary(only),
         "baseline": cases[0]["baseline"], "baseline_s": _summary(only_pandas)["median"],
         "baseline_spread_s": _summary(only_pandas),
         "ratio": statistics.median(only_pandas) / statistics.median(only),
         "capcoop_peak_mb": max(a["peak_mb"] for a in products["capcoop_warm"]),
         "baseline_peak_mb": max(a["peak_mb"] for a in products["pandas"]),
         "max_rel_diff": _rel_diff(products["capcoop_warm"][-1], products["pandas"][-1])})
    result = {"name": "monitor", "date": dt.date.today().isoformat(), "machine": _machine(),
              "runs": len(warm), "load_1min_during_runs": _summary(loads),
              "note": "wall times on a shared 2-CPU machine with other jobs running; the "
                      "contenders alternate, so ratios compare like with like. CPU seconds are "
                      "process_time of the timed call (DuckDB worker threads included).",
              "one_off_derive_totals": derive, "cases": cases}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(cases, indent=2))


def _machine() -> dict:
    import ibis
    import pyarrow
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    return {"cpus": os.cpu_count(), "memory_gb": round(memory, 1),
            "python": platform.python_version(), "platform": platform.platform(),
            "load_average_at_end": os.getloadavg(),
            "packages": {"duckdb": duckdb.__version__, "ibis": ibis.__version__,
                         "pandas": pd.__version__, "pyarrow": pyarrow.__version__,
                         "numpy": np.__version__},
            "max_rss_parent_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


if __name__ == "__main__":
    main()
