"""Benchmark: validated BACI ingest vs pandas and vs DuckDB's raw CSV load, as whole processes.

Usage::

    python bench/ingest_baci.py            # 10 million rows (about 6 minutes)
    python bench/ingest_baci.py --quick    # 500,000 rows, a smoke run
    python bench/ingest_baci.py --rows 2000000 --runs 7
    python bench/ingest_baci.py --rows 2000000 --profile   # where capcoop's time goes, no race

It writes a BACI-shaped year file (``t,i,j,k,v,q``; seeded; ~220 exporters x 220 importers x
5,000 HS6 products, sparse, log-normal values, space-padded quantities with ~3 % ``NA``) to
``bench/work/`` (git-ignored), then times, alternating A B C after one warm-up round:

A ``capcoop ingest baci FILE --warehouse fresh.duckdb``: parse, stage, validate, load with
  provenance, into a new warehouse file each run;
B pandas: ``pd.read_csv(FILE).to_parquet(...)`` (default C engine, no validation);
C DuckDB: ``CREATE TABLE t AS SELECT * FROM read_csv(FILE)`` into a new database file.

Each contender is a separate process (as a user runs it); wall time is measured around the
process, peak memory is the child's maximum resident set (``/usr/bin/time``, else a wrapper
that reads its own child's ``ru_maxrss``). Results go to ``bench/results/ingest_baci.json``.

``--profile`` times the phases of one capcoop ingest in process instead (wall and CPU seconds
of: opening and migrating a new warehouse, the file's sha256, parse, DuckDB's typed CSV read
alone, the insert into ``trade_flows``, each SQL check, the replacement delete, the commit, the
derived bilateral totals and the closing checkpoint) and stores them under ``profile`` in the
results file, keeping its timed cases.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from capcoop.codes.countries import countries_table

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"
RESULTS = HERE / "results" / "ingest_baci.json"
SLOW_RUN_S = 30.0

PANDAS_CHILD = "import sys, pandas as pd; pd.read_csv(sys.argv[1]).to_parquet(sys.argv[2])"
DUCKDB_CHILD = ("import sys, duckdb; con = duckdb.connect(sys.argv[2]); "
                "con.execute('CREATE TABLE t AS SELECT * FROM read_csv(?)', [sys.argv[1]]); "
                "con.close()")
RSS_WRAPPER = ("import resource, subprocess, sys; code = subprocess.call(sys.argv[2:]); "
               "open(sys.argv[1], 'w').write(str(resource.getrusage("
               "resource.RUSAGE_CHILDREN).ru_maxrss)); sys.exit(code)")


# --- input ----------------------------------------------------------------------------------

def hs6_codes(rng: np.random.Generator, count: int) -> np.ndarray:
    """``count`` distinct HS6-like codes (chapter 01-97 without 77, heading, subheading), sorted."""
    chapters = np.array([c for c in range(1, 98) if c != 77])
    subheadings = np.array([10, 11, 19, 20, 21, 22, 29, 30, 31, 39, 40, 50, 60, 70, 80, 90, 99])
    codes: set[int] = set()
    while len(codes) < count:
        chapter = rng.choice(chapters, count)
        heading = rng.integers(1, 25, count)
        sub = rng.choice(subheadings, count)
        codes.update((chapter * 10000 + heading * 100 + sub).tolist())
    return np.sort(rng.choice(np.fromiter(codes, np.int64), count, replace=False))


def _pairs_for(rows: int, weights: np.ndarray, products: int) -> np.ndarray:
    """Products per (exporter, importer) pair, proportional to ``weights``, about ``rows`` in all."""
    low, high = 0.0, float(rows) * 4
    for _ in range(60):
        scale = (low + high) / 2
        total = np.minimum(np.floor(weights * scale), products).sum()
        low, high = (scale, high) if total < rows else (low, scale)
    return np.minimum(np.floor(weights * high), products).astype(np.int64)


def generate(rows: int, path: Path, *, seed: int = 2021) -> int:
    """Write a BACI-shaped year file of exactly ``rows`` data rows; return the row count.

    Exporter and importer sizes are log-normal (so a few pairs trade thousands of products and
    most trade a few), products per pair are distinct, rows are sorted by (i, j, k) like the
    publisher's files, v (thousand US$) is log-normal with 3 decimals and q (tons) is
    right-aligned in 13 characters, ``NA`` for ~3 % of rows.
    """
    rng = np.random.default_rng(seed)
    table = countries_table()
    codes = np.sort(table.loc[table["kind"].eq("country") & table["baci"].notna(), "baci"]
                    .astype("int64").to_numpy())
    codes = np.sort(rng.choice(codes, min(220, len(codes)), replace=False))
    products = hs6_codes(rng, 5000)
    size = rng.lognormal(0.0, 1.6, len(codes))
    weights = np.outer(size, size * rng.lognormal(0.0, 0.5, len(codes)))
    np.fill_diagonal(weights, 0.0)
    per_pair = _pairs_for(rows, (weights / weights.sum()).ravel(), len(products))
    pair = np.repeat(np.arange(per_pair.size), per_pair)
    rank = np.arange(pair.size) - np.repeat(np.cumsum(per_pair) - per_pair, per_pair)
    steps = np.array([s for s in range(1, len(products)) if s % 2 and s % 5])  # coprime to 5000
    step = rng.choice(steps, per_pair.size)
    offset = rng.integers(0, len(products), per_pair.size)
    keep = np.sort(rng.choice(pair.size, rows, replace=False)) if pair.size > rows else \
        np.arange(pair.size)
    pair, rank = pair[keep], rank[keep]
    exporter, importer = np.divmod(pair, len(codes))
    product = products[(offset[pair] + rank * step[pair]) % len(products)]
    order = np.lexsort((product, importer, exporter))
    value = np.maximum(np.round(rng.lognormal(0.0, 2.6, pair.size), 3), 0.001)
    frame = pa.table({
        "t": np.full(pair.size, 2021, np.int16), "i": codes[exporter[order]],
        "j": codes[importer[order]], "k": product[order], "v": value,
        "q": np.round(value * rng.lognormal(-0.5, 1.5, pair.size), 3),
        "na": rng.random(pair.size) < 0.03})
    _write_csv(frame, path)
    return pair.size


def _write_csv(frame: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = path.with_suffix(".body")
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.register("frame", frame)
    con.execute(
        "COPY (SELECT t, i, j, k, v, CASE WHEN na THEN lpad('NA', 13, ' ') "
        "ELSE lpad(printf('%.3f', q), 13, ' ') END AS q FROM frame) "
        f"TO '{body}' (HEADER false, FORCE_QUOTE (q))")
    con.close()
    with open(path, "wb") as out, open(body, "rb") as rest:
        out.write(b'"t","i","j","k","v","q"\n')
        shutil.copyfileobj(rest, out, 1 << 24)
    body.unlink()


# --- timing ---------------------------------------------------------------------------------

def contenders(csv_path: Path, folder: Path) -> dict[str, tuple[list[str], Path]]:
    """Command and output file of each contender (the output is deleted before each run)."""
    capcoop = shutil.which("capcoop") or str(Path(sys.executable).with_name("capcoop"))
    fresh, parquet, raw = folder / "fresh.duckdb", folder / "pandas.parquet", folder / "raw.duckdb"
    return {
        "capcoop": ([capcoop, "ingest", "baci", str(csv_path), "--warehouse", str(fresh),
                     "--format", "json"], fresh),
        "pandas": ([sys.executable, "-c", PANDAS_CHILD, str(csv_path), str(parquet)], parquet),
        "duckdb": ([sys.executable, "-c", DUCKDB_CHILD, str(csv_path), str(raw)], raw),
    }


def run_child(command: list[str], output: Path) -> tuple[float, float]:
    """(wall seconds, peak resident MB) of one child process writing ``output`` afresh."""
    for stale in (output, output.with_name(output.name + ".wal")):
        stale.unlink(missing_ok=True)
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as report:
        if Path("/usr/bin/time").exists():
            wrapped = ["/usr/bin/time", "-f", "%M", "-o", report.name, *command]
        else:
            wrapped = [sys.executable, "-c", RSS_WRAPPER, report.name, *command]
        start = time.perf_counter()
        done = subprocess.run(wrapped, capture_output=True, text=True)
        wall = time.perf_counter() - start
        if done.returncode != 0:
            raise RuntimeError(f"{command[:3]} failed: {done.stderr[-2000:]}")
        peak_kb = int(report.read().strip().splitlines()[-1])
    return wall, peak_kb / 1024


def alternate(commands: dict[str, tuple[list[str], Path]], runs: int) -> dict[str, list[tuple]]:
    """One warm-up round, then ``runs`` counted rounds of A B C; returns the counted samples."""
    samples: dict[str, list[tuple]] = {name: [] for name in commands}
    warmup = {name: run_child(*spec) for name, spec in commands.items()}
    print("warm-up:", {name: f"{wall:.2f}s" for name, (wall, _) in warmup.items()}, flush=True)
    if runs is None or runs <= 0:
        slowest = max(wall for wall, _ in warmup.values())
        runs = 5 if slowest <= SLOW_RUN_S else 3
    for round_no in range(runs):
        for name, spec in commands.items():
            samples[name].append(run_child(*spec))
        print(f"round {round_no + 1}/{runs}:",
              {name: f"{s[-1][0]:.2f}s {s[-1][1]:.0f}MB" for name, s in samples.items()},
              flush=True)
    return samples


def answers(commands: dict[str, tuple[list[str], Path]]) -> dict[str, tuple[int, float]]:
    """(rows, sum of v in thousand US$) of each contender's last output."""
    con = duckdb.connect()
    fresh, parquet, raw = (commands[n][1] for n in ("capcoop", "pandas", "duckdb"))
    con.execute("ATTACH ? AS w (READ_ONLY)", [str(fresh)])
    con.execute("ATTACH ? AS r (READ_ONLY)", [str(raw)])
    out = {
        "capcoop": con.execute("SELECT count(*), sum(value_usd) / 1000 FROM w.trade_flows")
        .fetchone(),
        "pandas": con.execute("SELECT count(*), sum(v) FROM read_parquet(?)", [str(parquet)])
        .fetchone(),
        "duckdb": con.execute("SELECT count(*), sum(v) FROM r.t").fetchone(),
    }
    con.close()
    return {name: (int(n), float(total)) for name, (n, total) in out.items()}


# --- profile --------------------------------------------------------------------------------

class _TimedConnection:
    """A DuckDB connection that records (seconds wall, seconds CPU, SQL) of each ``execute``."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con, self.log = con, []

    def execute(self, sql: str, params: object = None) -> duckdb.DuckDBPyConnection:
        wall, cpu = time.perf_counter(), time.process_time()
        result = self._con.execute(sql, params) if params is not None else self._con.execute(sql)
        self.log.append((time.perf_counter() - wall, time.process_time() - cpu, sql))
        return result

    def __getattr__(self, name: str) -> object:
        return getattr(self._con, name)


def profile(csv_path: Path, folder: Path) -> dict[str, dict[str, float]]:
    """Wall and CPU seconds of each phase of one in-process ingest into a new warehouse."""
    from capcoop.services.ingest import derive_totals_after_load
    from capcoop.sources import baci
    from capcoop.sources.base import sha256_path
    from capcoop.warehouse.connection import open_writer
    from capcoop.warehouse.loads import load_batches

    phases: dict[str, dict[str, float]] = {}

    def record(name: str, wall: float, cpu: float) -> None:
        phase = phases.setdefault(name, {"wall_s": 0.0, "cpu_s": 0.0})
        phase["wall_s"] += wall
        phase["cpu_s"] += cpu

    def timed(name: str, work):  # noqa: ANN001, ANN202
        wall, cpu = time.perf_counter(), time.process_time()
        result = work()
        record(name, time.perf_counter() - wall, time.process_time() - cpu)
        return result

    warehouse = folder / "profile.duckdb"
    opened = open_writer(warehouse)
    con, _ = timed("open and migrate a new warehouse", opened.__enter__)
    try:
        digest = timed("sha256 of the file", lambda: sha256_path(csv_path))
        parsed = timed("parse (header, SQL)", lambda: baci.parse(csv_path))
        stage = parsed.batches[0].data
        reader = stage.sql.split("FROM read_csv", 1)[1]
        timed("typed CSV read alone (sum of every column)", lambda: con.execute(
            "SELECT sum(t), sum(i), sum(j), sum(k), sum(v), sum(q) FROM read_csv" + reader,
            [str(csv_path)]).fetchall())
        traced = _TimedConnection(con)
        timed("load (all of the steps below)", lambda: load_batches(
            traced, source=parsed.source, release=parsed.release, file=csv_path.name,
            sha256=digest, batches=parsed.batches, parameters=parsed.parameters))
        checks = dict(zip(parsed.batches[0].checks, ("rejects check", "row rules check",
                                                     "duplicate-key scan"), strict=True))
        for wall, cpu, sql in traced.log:
            name = next((label for check, label in checks.items() if check in sql), None)
            if name is None:
                name = ("  insert into trade_flows" if sql.startswith("INSERT INTO trade_flows")
                        else "  replace (delete superseded rows)" if sql.startswith("DELETE")
                        else "  commit" if sql == "COMMIT" else "  other load statements")
            else:
                name = "  " + name
            record(name, wall, cpu)
        timed("derived bilateral totals", lambda: derive_totals_after_load(con, "baci"))
    finally:
        timed("close (checkpoint)", lambda: opened.__exit__(None, None, None))
    return {name: {k: round(v, 3) for k, v in phase.items()} for name, phase in phases.items()}


# --- report ---------------------------------------------------------------------------------

def summarise(samples: list[tuple[float, float]], rows: int) -> dict[str, object]:
    walls = [wall for wall, _ in samples]
    median = statistics.median(walls)
    return {"median_s": round(median, 3), "min_s": round(min(walls), 3),
            "max_s": round(max(walls), 3), "runs": len(walls),
            "rows_per_s": round(rows / median), "peak_mb": round(max(p for _, p in samples))}


def machine() -> dict[str, object]:
    import importlib.metadata as md
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {"cpus": os.cpu_count(), "memory_gb": round(memory, 1),
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
            "python": platform.python_version(),
            "packages": {p: md.version(p) for p in ("capcoop", "duckdb", "pandas", "pyarrow")}}


def report(rows: int, csv_path: Path, stats: dict[str, dict], checks: dict[str, tuple],
           note: str) -> dict[str, object]:
    capcoop = stats["capcoop"]
    base_sum = checks["duckdb"][1]
    max_rel = max(abs(total - base_sum) / abs(base_sum) for _, total in checks.values())
    cases = []
    for baseline, label in (("duckdb", "DuckDB raw CSV load: CREATE TABLE t AS SELECT * FROM "
                                       "read_csv(FILE), no validation, whole process"),
                            ("pandas", "pandas read_csv (C engine) -> to_parquet, no validation, "
                                       "whole process")):
        other = stats[baseline]
        cases.append({
            "case": f"ingest a BACI year CSV (capcoop ingest baci, whole process) vs {baseline}",
            "size": f"{rows} rows, {csv_path.stat().st_size / 2**20:.0f} MiB CSV",
            "capcoop_s": capcoop["median_s"], "baseline": label, "baseline_s": other["median_s"],
            "ratio": round(capcoop["median_s"] / other["median_s"], 3),
            "capcoop_peak_mb": capcoop["peak_mb"], "baseline_peak_mb": other["peak_mb"],
            "max_rel_diff": max_rel,
            "capcoop_min_max_s": [capcoop["min_s"], capcoop["max_s"]],
            "baseline_min_max_s": [other["min_s"], other["max_s"]],
            "capcoop_rows_per_s": capcoop["rows_per_s"], "baseline_rows_per_s": other["rows_per_s"],
            "runs": capcoop["runs"],
        })
    return {"name": "ingest_baci", "date": dt.date.today().isoformat(), "machine": machine(),
            "cases": cases, "contenders": stats,
            "rows_and_value_sums": {k: {"rows": n, "sum_v_thousand_usd": s}
                                    for k, (n, s) in checks.items()},
            "targets": {"capcoop_over_duckdb_max": 1.3, "capcoop_over_pandas_max": 1.0,
                        "capcoop_peak_mb_max": 2048},
            "note": note}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="500,000 rows, for a smoke run")
    parser.add_argument("--rows", type=int, default=None, help="rows in the generated file")
    parser.add_argument("--runs", type=int, default=0,
                        help="counted rounds (default 5; 3 when a warm-up run exceeds 30 s)")
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--out", type=Path, default=RESULTS, help="results JSON")
    parser.add_argument("--profile", action="store_true",
                        help="time the phases of one in-process capcoop ingest instead")
    args = parser.parse_args(argv)
    rows = args.rows or (500_000 if args.quick else 10_000_000)
    csv_path = WORK / f"BACI_HS92_Y2021_V202301_bench_{rows}.csv"
    if not csv_path.exists():
        start = time.perf_counter()
        generate(rows, csv_path, seed=args.seed)
        print(f"generated {csv_path.name} in {time.perf_counter() - start:.1f}s", flush=True)
    if args.profile:
        with tempfile.TemporaryDirectory(dir=WORK) as folder:
            phases = profile(csv_path, Path(folder))
        for name, phase in phases.items():
            print(f"{phase['wall_s']:8.2f} s wall {phase['cpu_s']:8.2f} s CPU  {name}")
        result = json.loads(args.out.read_text()) if args.out.exists() else {"name": "ingest_baci"}
        result["profile"] = {"size": f"{rows} rows", "date": dt.date.today().isoformat(),
                             "machine": machine(), "phases": phases,
                             "note": "one in-process ingest into a new warehouse; CPU counts "
                                     "every DuckDB thread; indented phases are parts of load"}
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2) + "\n")
        return
    with tempfile.TemporaryDirectory(dir=WORK) as folder:
        commands = contenders(csv_path, Path(folder))
        samples = alternate(commands, args.runs)
        checks = answers(commands)
    stats = {name: summarise(s, rows) for name, s in samples.items()}
    runs = stats["capcoop"]["runs"]
    note = (f"{runs} counted runs after one warm-up, alternating A B C; wall time of each whole "
            "process (capcoop includes CLI start-up, parse, validation, load with provenance and "
            "the final checkpoint); peak = child's max RSS")
    if runs < 5:
        note += f"; only {runs} counted runs because a warm-up run took over {SLOW_RUN_S:.0f} s"
    result = report(rows, csv_path, stats, checks, note)
    if args.out.exists():  # keep the phase profile of an earlier --profile run
        earlier = json.loads(args.out.read_text()).get("profile")
        if earlier:
            result["profile"] = earlier
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result["contenders"], indent=2))
    print("ratios:", {c["case"].rsplit(" ", 1)[-1]: c["ratio"] for c in result["cases"]})


if __name__ == "__main__":
    main()
