"""Benchmark: capcoop's economic complexity vs the pip package ``ecomplexity`` (Growth Lab).

Input: a generated country × product export table at HS6 scale (230 locations × 5,000
products, lognormal country and product sizes, ~60 % zero cells, seeded), for 1 and 5 years.
Both contenders are timed *in process* around one library call on the same DataFrame:
``capcoop.analytics.complexity_panel.complexity_table(df, time=..., ...)`` and
``ecomplexity.ecomplexity(df, cols)`` with their defaults. Each run is a fresh child process
(so every run pays the same cold costs and its peak memory is its own, read with ``wait4``);
contenders alternate (A B A B ...). ``ecomplexity`` takes ~1 minute per year here, so it gets
fewer counted runs than capcoop (recorded in the results). Output differences are measured
column by column on the rows both produce.

    python bench/complexity.py            # full run (~10 minutes), writes bench/results/complexity.json
    python bench/complexity.py --quick    # smoke run (230 × 500, ~1 minute), writes nothing unless --out
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
KEYS = ["year", "origin", "hs6"]
COLUMNS = ["rca", "mcp", "diversity", "ubiquity", "eci", "pci", "density", "coi", "cog"]


def generate(n_locations: int, n_products: int, years: int, seed: int = 20240601,
             zero_share: float = 0.6) -> pd.DataFrame:
    """Long export rows (zeros omitted) with realistic skew: lognormal sizes, size-driven zeros."""
    rng = np.random.default_rng(seed)
    country = rng.normal(0.0, 2.0, n_locations)  # log GDP-like spread (≈ 4 orders of magnitude)
    product = rng.normal(0.0, 1.5, n_products)  # log world market size
    frames = []
    for t in range(years):
        size = country + rng.normal(0.0, 0.1, n_locations)  # small year-to-year drift
        z = lambda v: (v - v.mean()) / v.std()  # noqa: E731
        propensity = (1.2 * z(size)[:, None] + 0.6 * z(product)[None, :]
                      + rng.normal(0.0, 1.0, (n_locations, n_products)))
        present = propensity > np.quantile(propensity, zero_share)
        present[np.arange(n_locations), propensity.argmax(axis=1)] = True  # every location exports
        value = np.round(np.exp(10 + size[:, None] + product[None, :]
                                + rng.normal(0.0, 1.5, (n_locations, n_products))))
        rows, cols = np.nonzero(present & (value > 0))
        frames.append(pd.DataFrame({
            "year": 2020 + t, "origin": np.char.add("L", np.char.zfill(rows.astype(str), 3)),
            "hs6": np.char.zfill(cols.astype(str), 6), "export_val": value[rows, cols]}))
    return pd.concat(frames, ignore_index=True)


# --------------------------------------------------------------------------- child process


def worker(contender: str, input_path: str, output_path: str | None) -> None:
    import resource

    frame = pd.read_parquet(input_path)
    loaded_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if contender.startswith("capcoop"):
        from capcoop.analytics.complexity_panel import complexity_table

        convention = "py-ecomplexity" if contender.endswith("pip-convention") else "stata"
        start = time.perf_counter()
        result = complexity_table(frame, time="year", location="origin", product="hs6",
                                  value="export_val", convention=convention).table
        seconds = time.perf_counter() - start
    else:
        from ecomplexity import ecomplexity

        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            start = time.perf_counter()
            result = ecomplexity(frame, {"time": "year", "loc": "origin", "prod": "hs6",
                                         "val": "export_val"})
            seconds = time.perf_counter() - start
    rows = len(result)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # before any output I/O
    if output_path:
        keep = [c for c in KEYS + COLUMNS if c in result.columns]
        result[keep].astype({"origin": str, "hs6": str}).to_parquet(output_path, index=False)
    print(json.dumps({"seconds": seconds, "rows": rows, "loaded_mb": loaded_mb,
                      "peak_mb": peak_mb}))


def run_child(contender: str, input_path: Path, output_path: Path | None) -> dict:
    command = [sys.executable, __file__, "--worker", contender, "--input", str(input_path)]
    if output_path is not None:
        command += ["--output", str(output_path)]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(child.pid, 0)
    out, err = child.stdout.read(), child.stderr.read()
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"{contender} failed:\n{err[-3000:]}")
    report = json.loads(out.strip().splitlines()[-1])
    report["process_peak_mb"] = usage.ru_maxrss / 1024  # KiB on Linux; includes output I/O
    return report


# --------------------------------------------------------------------------- comparison


def differences(ours: Path, theirs: Path) -> dict[str, dict[str, float]]:
    """Per column: max |a - b| and max |a - b| / max(|a|, |b|) over cells not both ~0."""
    a, b = pd.read_parquet(ours), pd.read_parquet(theirs)
    merged = a.merge(b, on=KEYS, suffixes=("", "_pip"), validate="1:1")
    assert len(merged) == len(a) == len(b), (len(merged), len(a), len(b))
    out = {}
    for column in COLUMNS:
        x = merged[column].to_numpy(np.float64)
        y = merged[f"{column}_pip"].to_numpy(np.float64)
        gap = np.abs(x - y)
        size = np.maximum(np.abs(x), np.abs(y))
        counted = size > 1e-9  # both essentially zero: the absolute gap says it all
        rel = float((gap[counted] / size[counted]).max()) if counted.any() else 0.0
        out[column] = {"max_rel_diff": rel, "max_abs_diff": float(gap.max())}
    return out


def machine() -> dict:
    import numpy
    import scipy

    memory_kb = next(int(line.split()[1]) for line in open("/proc/meminfo")
                     if line.startswith("MemTotal"))
    versions = {"numpy": numpy.__version__, "scipy": scipy.__version__,
                "pandas": pd.__version__}
    for name in ("ecomplexity", "capcoop", "threadpoolctl"):
        try:
            from importlib.metadata import version

            versions[name] = version(name)
        except Exception:  # not installed
            versions[name] = None
    blas = numpy.show_config(mode="dicts")["Build Dependencies"]["blas"]
    return {"cpus": os.cpu_count(), "memory_gb": round(memory_kb / 1024 ** 2, 1),
            "python": platform.python_version(), "platform": platform.platform(),
            "blas": f"{blas.get('name')} {blas.get('version')}", "packages": versions}


def summarise(times: list[float]) -> dict:
    return {"median": statistics.median(times), "min": min(times), "max": max(times),
            "runs": len(times)}


def bench_case(name: str, frame: pd.DataFrame, work: Path, *, capcoop_runs: int,
               pip_runs: int, deadline: float, reserve: float) -> dict:
    """Alternate the contenders; ``ecomplexity`` gets up to ``pip_runs`` counted runs (at least
    one) while the time left before ``deadline`` (minus ``reserve`` pip-run lengths kept for
    later cases) allows another."""
    path = work / f"{name}.parquet"
    frame.to_parquet(path, index=False)
    n_loc, n_prod = frame["origin"].nunique(), frame["hs6"].nunique()
    years = frame["year"].nunique()
    print(f"[{name}] {n_loc} locations × {n_prod} products × {years} year(s), "
          f"{len(frame):,} non-zero rows ({len(frame) / (n_loc * n_prod * years):.0%} filled)",
          flush=True)
    run_child("capcoop", path, None)  # warm-up (imports, file cache); not counted
    ours, theirs = {"seconds": [], "peak_mb": []}, {"seconds": [], "peak_mb": []}
    outputs = {"capcoop": work / f"{name}_capcoop.parquet", "pip": work / f"{name}_pip.parquet"}
    loaded = {}

    def one(contender: str) -> None:
        bucket = ours if contender == "capcoop" else theirs
        report = run_child(contender, path, outputs[contender] if not bucket["seconds"] else None)
        bucket["seconds"].append(report["seconds"])
        bucket["peak_mb"].append(report["peak_mb"])
        loaded[contender] = report["loaded_mb"]
        print(f"  {contender:8s} {report['seconds']:8.2f} s  peak {report['peak_mb']:7.0f} MB "
              f"({report['rows']:,} rows)", flush=True)

    for _ in range(capcoop_runs):
        one("capcoop")
        done = len(theirs["seconds"])
        typical = statistics.median(theirs["seconds"]) * 1.1 if done else 0.0
        left = deadline - time.monotonic() - reserve * typical
        if done == 0 or (done < pip_runs and left > typical):
            one("pip")
    same = work / f"{name}_capcoop_pipconv.parquet"
    run_child("capcoop-pip-convention", path, same)
    diff = differences(outputs["capcoop"], outputs["pip"])
    diff_same = differences(same, outputs["pip"])
    t_ours, t_pip = summarise(ours["seconds"]), summarise(theirs["seconds"])
    return {
        "case": name, "size": f"{n_loc} locations × {n_prod} products × {years} year(s); "
                              f"{len(frame):,} non-zero input rows",
        "capcoop_s": round(t_ours["median"], 3),
        "baseline": f"ecomplexity {_version('ecomplexity')} (pip, Growth Lab) "
                    "ecomplexity(df, cols) with its defaults, same DataFrame",
        "baseline_s": round(t_pip["median"], 3),
        "ratio": round(t_pip["median"] / t_ours["median"], 1),
        "capcoop_peak_mb": round(max(ours["peak_mb"])),
        "baseline_peak_mb": round(max(theirs["peak_mb"])),
        "max_rel_diff": {c: diff[c]["max_rel_diff"] for c in COLUMNS},
        "max_rel_diff_same_convention": {c: diff_same[c]["max_rel_diff"] for c in COLUMNS},
        "max_abs_diff": {c: diff[c]["max_abs_diff"] for c in COLUMNS},
        "max_abs_diff_same_convention": {c: diff_same[c]["max_abs_diff"] for c in COLUMNS},
        "capcoop_runs": t_ours, "baseline_runs": t_pip, "baseline_runs_planned": pip_runs,
        "input_loaded_mb": {k: round(v) for k, v in loaded.items()},
    }


def _version(name: str) -> str:
    from importlib.metadata import version

    return version(name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small matrix, few runs")
    parser.add_argument("--out", type=Path, default=None,
                        help="results file (default: bench/results/complexity.json, full run)")
    parser.add_argument("--budget-minutes", type=float, default=15.0,
                        help="stop adding ecomplexity runs (beyond one per case) past this")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--input", help=argparse.SUPPRESS)
    parser.add_argument("--output", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.input, args.output)
        return
    n_products, runs, pip_runs_1, pip_runs_5, years_big = (
        (500, 3, 2, 1, 2) if args.quick else (5000, 5, 3, 1, 5))
    load_before = os.getloadavg()
    started = time.perf_counter()
    deadline = time.monotonic() + 60 * args.budget_minutes
    with tempfile.TemporaryDirectory(prefix="capcoop-bench-") as tmp:
        work = Path(tmp)
        cases = [bench_case("1 year", generate(230, n_products, 1), work, capcoop_runs=runs,
                            pip_runs=pip_runs_1, deadline=deadline, reserve=years_big),
                 bench_case(f"{years_big} years", generate(230, n_products, years_big), work,
                            capcoop_runs=runs, pip_runs=pip_runs_5, deadline=deadline,
                            reserve=0)]
    results = {
        "name": "complexity", "date": date.today().isoformat(), "machine": machine(),
        "method": "library calls timed in process (time.perf_counter around the call), one "
                  "fresh child process per run, contenders alternated, median of the counted "
                  "runs (min-max in *_runs); capcoop had one uncounted warm-up run; "
                  f"ecomplexity gets up to {pip_runs_1} counted runs for 1 year and "
                  f"{pip_runs_5} for {years_big} years (one year takes one to several minutes), "
                  f"fewer when the {args.budget_minutes:g}-minute budget would be exceeded "
                  "(baseline_runs.runs says how many were counted); peak memory "
                  "= ru_maxrss of the child process read right after the call (interpreter, "
                  "input and output, before writing the output used for the differences); "
                  "input_loaded_mb = ru_maxrss after reading the input, before the call",
        "max_rel_diff_definition": "per output column, max |a-b|/max(|a|,|b|) over rows both "
                                   "produce, ignoring cells where both |a|,|b| < 1e-9 (see "
                                   "max_abs_diff); 'max_rel_diff' compares capcoop's default "
                                   "(Stata) conventions with ecomplexity, "
                                   "'max_rel_diff_same_convention' capcoop with "
                                   "convention='py-ecomplexity'",
        "load_average": {"before": load_before, "after": os.getloadavg()},
        "total_seconds": round(time.perf_counter() - started),
        "cases": cases,
    }
    out = args.out or (None if args.quick else HERE / "results" / "complexity.json")
    print(json.dumps({c["case"]: {k: c[k] for k in ("capcoop_s", "baseline_s", "ratio",
                                                     "capcoop_peak_mb", "baseline_peak_mb")}
                      for c in cases}, indent=2))
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(results, indent=2) + "\n")
        print(f"wrote {out}")


if __name__ == "__main__":
    main()
