"""Benchmark: ``capcoop brief`` end to end on the embedded demo warehouse.

Usage::

    python bench/brief.py                       # 3 counted runs per case after a warm-up
    python bench/brief.py --quick               # 1 counted run per case, no warm-up
    python bench/brief.py --before /path/to/src # also time another source tree, alternated

Each run is the whole command as a user types it (``capcoop brief --out DIR``, with and without
``--no-pdf``), a new Python process timed from the outside: wall seconds, CPU seconds (user +
system of the child, DuckDB's worker threads included) and peak resident memory (``wait4``).
Runs alternate between the cases (and, with ``--before``, between the two source trees: the
tree is put first on ``PYTHONPATH``, e.g. an export of the code before a change), so a busy
machine slows every contender alike. Medians and min-max spreads are reported.

There is no peer tool that writes a cooperation brief, so there is no baseline to compare
against; ``--before`` compares capcoop with an earlier capcoop, and the HTML of both trees is
compared byte for byte (a speed-up that changes the brief is a bug). Results:
``bench/results/brief.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import filecmp
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
CASES = {"html": ["--no-pdf"], "html+pdf": []}


def _run(args: list[str], out: Path, src: str | None) -> dict[str, float]:
    """One ``capcoop brief`` process: wall and CPU seconds, peak RSS (MB)."""
    env = dict(os.environ)
    env.pop("CAPCOOP_WAREHOUSE", None)  # the embedded demo
    if src:
        env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    command = [sys.executable, "-m", "capcoop.cli.main", "brief", "--out", str(out), *args]
    started = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, cwd=str(out))
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    errors = child.stderr.read().decode() if child.stderr else ""
    if child.returncode != 0:
        raise SystemExit(f"capcoop brief failed ({child.returncode}): {errors}")
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime,
            "peak_mb": usage.ru_maxrss / 1024}


def _spread(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def _machine() -> dict:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024 ** 3
    packages = {}
    for name in ("duckdb", "pandas", "matplotlib", "weasyprint", "jinja2"):
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            packages[name] = None
    return {"cpus": os.cpu_count(), "memory_gb": round(memory, 1),
            "python": platform.python_version(), "platform": platform.platform(),
            "packages": packages}


def main() -> None:
    """Time the cases, print a summary and write ``bench/results/brief.json``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="counted runs per case (default 3)")
    parser.add_argument("--quick", action="store_true", help="one run per case, no warm-up")
    parser.add_argument("--before", help="another source tree (its src folder) to time too")
    parser.add_argument("--before-label", default="the source tree given with --before",
                        help="what --before is, for the results file")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "brief.json")
    options = parser.parse_args()
    runs = 1 if options.quick else options.runs
    trees = {"capcoop": None} | ({"before": options.before} if options.before else {})
    work = Path(tempfile.mkdtemp(prefix="capcoop-bench-brief-"))
    folders = {tree: work / tree for tree in trees}
    for folder in folders.values():
        folder.mkdir()
    if not options.quick:  # warm-up: the OS file cache, matplotlib's font cache
        for tree, src in trees.items():
            _run(CASES["html"], folders[tree], src)
    times: dict[tuple[str, str], list[dict[str, float]]] = {}
    loads = []
    for _ in range(runs):
        for case, args in CASES.items():
            for tree, src in trees.items():
                times.setdefault((tree, case), []).append(_run(args, folders[tree], src))
                loads.append(os.getloadavg()[0])
    same_html = None
    if options.before:
        pages = sorted(p.name for p in folders["capcoop"].glob("*.html"))
        same_html = all(filecmp.cmp(folders["capcoop"] / n, folders["before"] / n, shallow=False)
                        for n in pages)
    cases = []
    for case in CASES:
        mine = times[("capcoop", case)]
        entry = {"case": f"capcoop brief {' '.join(CASES[case])}".strip()
                 + f" (no arguments: CHN-ASEAN, latest year, en; {case})",
                 "size": "embedded demo warehouse", "runs": runs,
                 "capcoop_s": statistics.median(r["wall_s"] for r in mine),
                 "capcoop_wall_s": _spread([r["wall_s"] for r in mine]),
                 "capcoop_cpu_s": _spread([r["cpu_s"] for r in mine]),
                 "capcoop_peak_mb": max(r["peak_mb"] for r in mine),
                 "baseline": "none: no peer tool writes a cooperation brief",
                 "baseline_s": None, "ratio": None, "baseline_peak_mb": None,
                 "max_rel_diff": None}
        if options.before:
            old = times[("before", case)]
            entry |= {"before": f"the same command from {options.before_label}",
                      "before_s": statistics.median(r["wall_s"] for r in old),
                      "before_wall_s": _spread([r["wall_s"] for r in old]),
                      "before_cpu_s": _spread([r["cpu_s"] for r in old]),
                      "before_peak_mb": max(r["peak_mb"] for r in old),
                      "speedup_wall": statistics.median(r["wall_s"] for r in old)
                      / statistics.median(r["wall_s"] for r in mine),
                      "speedup_cpu": statistics.median(r["cpu_s"] for r in old)
                      / statistics.median(r["cpu_s"] for r in mine),
                      "html_identical": same_html}
        cases.append(entry)
        line = (f"{case:9s} wall {entry['capcoop_wall_s']['median']:6.2f} s "
                f"cpu {entry['capcoop_cpu_s']['median']:6.2f} s "
                f"peak {entry['capcoop_peak_mb']:5.0f} MB")
        if options.before:
            line += (f" | before wall {entry['before_wall_s']['median']:6.2f} s "
                     f"cpu {entry['before_cpu_s']['median']:6.2f} s")
        print(line)
    result = {"name": "brief", "date": dt.date.today().isoformat(), "machine": _machine(),
              "runs": runs, "load_1min_during_runs": _spread(loads),
              "note": ("whole `capcoop brief` processes on a shared 2-CPU machine with other "
                       "jobs running; wall time depends on that load, CPU seconds much less. "
                       "There is no peer tool for a brief: the comparison, when made, is "
                       "with an earlier capcoop (--before), alternated run by run."),
              "cases": cases}
    if options.before:
        result["html_identical_to_before"] = same_html
    options.out.parent.mkdir(parents=True, exist_ok=True)
    options.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"written {options.out}")


if __name__ == "__main__":
    main()
