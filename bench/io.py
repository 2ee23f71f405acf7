"""Benchmark: capcoop's Leontief inverse + demand shock vs pymrio's (pip).

Cases, in one run:

* ``ADB-size MRIO``: a generated table of ADB MRIO size, 73 regions × 35 sectors = 2,555
  industries, seeded. Coefficients have dense own-region 35 × 35 blocks and sparse cross-region
  blocks (each region buys from ~15 % of foreign industries, gravity-like sizes), column sums of
  ``A`` between 0.3 and 0.7 (value added 30-70 % of output); lognormal final demand, ``x`` from
  ``(I − A) x = y`` and ``Z = A x̂`` — so the input is productive and balanced, like a real table.
* ``WIOD 2011``: the real WIOD 2013-release table for 2011 (41 regions × 35 sectors = 1,435
  industries) from ``../shared/data/io2/wiod2013_bquast``, parsed minimally here (Z and gross
  output ``GO``).

Work timed, *in process*, per contender on the same arrays: technical coefficients ``A`` from
``Z`` and ``x``, the Leontief inverse ``L``, and a demand shock ``Δx = L Δy`` (−30 % of the final
demand of one sector in one region, China's electrical equipment ``c14`` for WIOD). capcoop:
``technical_coefficients``, ``leontief_inverse`` (with its productivity check), ``demand_shock``.
pymrio: ``calc_A``, ``calc_L``, ``calc_x_from_L`` — on pandas DataFrames as ``IOSystem.calc_all``
does (``pymrio-pandas``) and on numpy arrays, its fastest path (``pymrio-numpy``). Each run is a
fresh child process (peak memory is that process's ``ru_maxrss``); contenders alternate.

    python bench/io.py            # full run (~5 minutes), writes bench/results/io.json
    python bench/io.py --quick    # smoke run (fewer runs, 20 regions), writes nothing unless --out
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from datetime import date
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CONTENDERS = ("capcoop", "pymrio-numpy", "pymrio-pandas")


# --------------------------------------------------------------------------- inputs


def generate_mrio(regions: int = 73, sectors: int = 35, seed: int = 20240601,
                  foreign_density: float = 0.15) -> dict[str, np.ndarray]:
    """A productive, balanced MRIO with dense domestic and sparse foreign coefficient blocks."""
    rng = np.random.default_rng(seed)
    n = regions * sectors
    size = np.exp(rng.normal(0, 1.5, regions))  # region size, ~4 orders of magnitude
    region_of = np.repeat(np.arange(regions), sectors)
    A = np.exp(rng.normal(0, 1.2, (n, n)))
    domestic = region_of[:, None] == region_of[None, :]
    foreign = ~domestic & (rng.random((n, n)) < foreign_density)
    A *= np.where(domestic, 1.0, 0.08 * size[region_of][:, None] / size.mean())  # gravity-ish
    A[~(domestic | foreign)] = 0.0
    A *= rng.uniform(0.3, 0.7, n)[None, :] / A.sum(axis=0)[None, :]  # column sums 0.3-0.7
    y = np.exp(rng.normal(6, 1.5, n)) * size[region_of]
    x = np.linalg.solve(np.eye(n) - A, y)
    Z = A * x[None, :]
    labels = [f"R{r:02d}_s{s:02d}" for r in range(regions) for s in range(sectors)]
    dy = np.zeros(n)
    k = labels.index("R00_s14") if "R00_s14" in labels else 0
    dy[k] = -0.3 * y[k]
    return {"Z": Z, "x": x, "dy": dy, "labels": np.array(labels)}


def read_wiod(path: Path) -> dict[str, np.ndarray]:
    """Z and GO from the wide WIOD CSV (row labels, 1,435 Z columns, 205 final-demand, GO)."""
    with gzip.open(path, "rt") as handle:
        header = handle.readline().rstrip("\n").split(",")
    labels = [h.strip('"') for h in header[1:]]
    n = next(i for i, label in enumerate(labels)  # first final-demand column (AUS_CONS_h...)
             if not re.fullmatch(r"[A-Za-z]+_c\d+", label))
    data = np.loadtxt(path, delimiter=",", skiprows=1, usecols=range(1, len(header)),
                      dtype=float)
    Z, Y, x = data[:, :n], data[:, n:-1], data[:, -1]
    rows = np.array(labels[:n])
    k = int(np.nonzero(rows == "CHN_c14")[0][0])
    dy = np.zeros(n)
    dy[k] = -0.3 * Y[k].sum()
    return {"Z": Z, "x": x, "dy": dy, "labels": rows}


# --------------------------------------------------------------------------- child process


def worker(contender: str, input_path: str, output_dir: str | None) -> None:
    import resource

    data = np.load(input_path)
    Z, x, dy, labels = data["Z"], data["x"], data["dy"], data["labels"]
    loaded_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if contender == "capcoop":
        from capcoop.analytics.io import demand_shock, leontief_inverse, technical_coefficients

        start = time.perf_counter()
        A = technical_coefficients(Z, x)
        L = leontief_inverse(A)
        dx = demand_shock(None, dy, leontief=L)
        seconds = time.perf_counter() - start
    else:
        import pandas as pd
        import pymrio

        if contender == "pymrio-pandas":
            Z = pd.DataFrame(Z, index=labels, columns=labels)
            x = pd.DataFrame({"indout": x}, index=labels)
            dy = pd.Series(dy, index=labels)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            start = time.perf_counter()
            A = pymrio.calc_A(Z, x)
            L = pymrio.calc_L(A)
            dx = pymrio.calc_x_from_L(L, dy)
            seconds = time.perf_counter() - start
        A, L, dx = (np.asarray(v, dtype=float) for v in (A, L, dx))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # before output I/O
    if output_dir:
        np.save(Path(output_dir) / f"{contender}_A.npy", A)
        np.save(Path(output_dir) / f"{contender}_L.npy", L)
        np.save(Path(output_dir) / f"{contender}_dx.npy", np.ravel(dx))
    print(json.dumps({"seconds": seconds, "loaded_mb": loaded_mb, "peak_mb": peak_mb}))


def run_child(contender: str, input_path: Path, output_dir: Path | None) -> dict:
    command = [sys.executable, __file__, "--worker", contender, "--input", str(input_path)]
    if output_dir is not None:
        command += ["--output", str(output_dir)]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=env)
    _, status, usage = os.wait4(child.pid, 0)
    out, err = child.stdout.read(), child.stderr.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{contender} failed:\n{err[-3000:]}")
    report = json.loads(out.strip().splitlines()[-1])
    report["process_peak_mb"] = usage.ru_maxrss / 1024
    return report


# --------------------------------------------------------------------------- comparison


def max_rel_diff(a: np.ndarray, b: np.ndarray) -> float:
    """max |a-b| / max(|a|,|b|) over cells where either is non-zero."""
    size = np.maximum(np.abs(a), np.abs(b))
    counted = size > 0
    return float((np.abs(a - b)[counted] / size[counted]).max()) if counted.any() else 0.0


def differences(work: Path) -> dict[str, dict[str, float]]:
    out = {}
    for other in CONTENDERS[1:]:
        out[other] = {what: max_rel_diff(np.load(work / f"capcoop_{what}.npy"),
                                         np.load(work / f"{other}_{what}.npy"))
                      for what in ("A", "L", "dx")}
    return out


def summarise(times: list[float]) -> dict:
    return {"median": round(statistics.median(times), 4), "min": round(min(times), 4),
            "max": round(max(times), 4), "runs": len(times)}


def prepare(case: str, regions: int, path: Path) -> None:
    """Write a case's input (run in a child so the parent process stays small)."""
    data = generate_mrio(regions) if case == "mrio" else read_wiod(wiod_path())
    np.savez(path, **data)
    print(json.dumps({"n": len(data["x"]),
                      "density": np.count_nonzero(data["Z"]) / data["Z"].size}))


def helper(*arguments: str) -> dict:
    """Run this script as a child for input preparation or comparison; returns its JSON line."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run([sys.executable, __file__, *arguments], capture_output=True, text=True,
                          env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench_case(name: str, size: str, case: str, regions: int, work: Path, runs: int) -> list:
    """Children only: ru_maxrss survives fork + exec on Linux, so a parent holding the input
    would set a floor under every child's peak memory; this parent never loads an array."""
    case_dir = work / name.replace(" ", "_")
    case_dir.mkdir()
    path = case_dir / "input.npz"
    info = helper("--prepare", case, "--regions", str(regions), "--input", str(path))
    print(f"[{name}] {info['n']:,} industries; A density {info['density']:.1%}", flush=True)
    run_child("capcoop", path, None)  # warm-up (imports, file cache); not counted
    results = {c: {"seconds": [], "peak_mb": [], "loaded_mb": 0.0} for c in CONTENDERS}
    for i in range(runs):
        for contender in CONTENDERS if i % 2 == 0 else CONTENDERS[::-1]:
            report = run_child(contender, path, case_dir if i == 0 else None)
            bucket = results[contender]
            bucket["seconds"].append(report["seconds"])
            bucket["peak_mb"].append(report["peak_mb"])
            bucket["loaded_mb"] = report["loaded_mb"]
            print(f"  {contender:14s} {report['seconds']:7.3f} s  peak {report['peak_mb']:6.0f} MB",
                  flush=True)
    diff = helper("--compare", str(case_dir))
    ours = summarise(results["capcoop"]["seconds"])
    cases = []
    for baseline in CONTENDERS[1:]:
        theirs = summarise(results[baseline]["seconds"])
        cases.append({
            "case": f"{name} vs {baseline}", "size": size,
            "capcoop_s": ours["median"],
            "baseline": f"pymrio {_version('pymrio')} calc_A + calc_L + calc_x_from_L on "
                        + ("numpy arrays" if baseline.endswith("numpy") else
                           "pandas DataFrames (as IOSystem.calc_all)"),
            "baseline_s": theirs["median"],
            "ratio": round(theirs["median"] / ours["median"], 2),
            "capcoop_peak_mb": round(max(results["capcoop"]["peak_mb"])),
            "baseline_peak_mb": round(max(results[baseline]["peak_mb"])),
            "max_rel_diff": max(diff[baseline].values()),
            "max_rel_diff_by_output": diff[baseline],
            "capcoop_runs": ours, "baseline_runs": theirs,
            "input_loaded_mb": {"capcoop": round(results["capcoop"]["loaded_mb"]),
                                "baseline": round(results[baseline]["loaded_mb"])},
        })
    return cases


def _version(name: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return None


def machine() -> dict:
    import scipy

    memory_kb = next(int(line.split()[1]) for line in open("/proc/meminfo")
                     if line.startswith("MemTotal"))
    blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    return {"cpus": os.cpu_count(), "memory_gb": round(memory_kb / 1024 ** 2, 1),
            "python": platform.python_version(), "platform": platform.platform(),
            "blas": f"{blas.get('name')} {blas.get('version')}",
            "packages": {"numpy": np.__version__, "scipy": scipy.__version__,
                         "pandas": _version("pandas"), "pymrio": _version("pymrio"),
                         "capcoop": _version("capcoop")}}


def wiod_path() -> Path:
    env = os.environ.get("CAPCOOP_SHARED_DATA")
    roots = ([Path(env)] if env else []) + [p / "shared" / "data" for p in ROOT.parents]
    for root in roots:
        path = root / "io2" / "wiod2013_bquast" / "wiod2013_wiot_2011_Z_F_GO.csv.gz"
        if path.is_file():
            return path
    raise SystemExit("WIOD 2011 not found under ../shared/data/io2/wiod2013_bquast "
                     "(set CAPCOOP_SHARED_DATA)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20 regions, 2 runs")
    parser.add_argument("--out", type=Path, default=None,
                        help="results file (default: bench/results/io.json, full run)")
    parser.add_argument("--runs", type=int, default=None, help="counted runs per contender")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--prepare", help=argparse.SUPPRESS)
    parser.add_argument("--compare", help=argparse.SUPPRESS)
    parser.add_argument("--regions", type=int, default=73, help=argparse.SUPPRESS)
    parser.add_argument("--input", help=argparse.SUPPRESS)
    parser.add_argument("--output", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.input, args.output)
        return
    if args.prepare:
        prepare(args.prepare, args.regions, Path(args.input))
        return
    if args.compare:
        print(json.dumps(differences(Path(args.compare))))
        return
    regions, runs = (20, 2) if args.quick else (73, 5)
    runs = args.runs or runs
    load_before = os.getloadavg()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="capcoop-bench-io-") as tmp:
        work = Path(tmp)
        cases = bench_case("ADB-size MRIO", f"{regions} regions × 35 sectors = {regions * 35:,} "
                           "industries (generated, seeded)", "mrio", regions, work, runs)
        cases += bench_case("WIOD 2011", "41 regions × 35 sectors = 1,435 industries (WIOD 2013 "
                            "release, 2011)", "wiod", regions, work, runs)
    results = {
        "name": "io", "date": date.today().isoformat(), "machine": machine(),
        "method": "library calls timed in process (time.perf_counter around A, L and the shock), "
                  "one fresh child process per run, contenders alternated (order reversed every "
                  "other round), median of the counted runs (min-max in *_runs), one uncounted "
                  "capcoop warm-up per case; inputs are prepared and outputs compared in "
                  "separate child processes so the parent stays small (Linux keeps ru_maxrss "
                  "across fork + exec); peak memory = ru_maxrss of the child read right "
                  "after the calls (interpreter, input arrays and outputs); input_loaded_mb = "
                  "ru_maxrss after loading the input, before the calls",
        "max_rel_diff_definition": "max over A, L and Δx of max |a-b|/max(|a|,|b|) over cells "
                                   "where either is non-zero (per output in "
                                   "max_rel_diff_by_output)",
        "load_average": {"before": load_before, "after": os.getloadavg()},
        "total_seconds": round(time.perf_counter() - started),
        "cases": cases,
    }
    print(json.dumps({c["case"]: {k: c[k] for k in ("capcoop_s", "baseline_s", "ratio",
                                                     "capcoop_peak_mb", "baseline_peak_mb",
                                                     "max_rel_diff")} for c in cases}, indent=2))
    out = args.out or (None if args.quick else HERE / "results" / "io.json")
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(results, indent=2) + "\n")
        print(f"wrote {out}")


if __name__ == "__main__":
    main()
