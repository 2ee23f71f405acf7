"""Benchmark: the cooperation opportunity engine on the embedded demo warehouse.

Usage::

    python bench/opportunities.py            # 7 runs of each case
    python bench/opportunities.py --runs 3

Cases (target < 1 s each): CHN -> VNM sector ranking (35 ADB MRIO sectors, 2022) and CHN -> ASEAN
(nine members ranked, Myanmar reported as absent) in process, warm (after one warm-up call: the
world-wide inputs are kept per warehouse version) and cold (the first call of a process, its
caches cleared); and the VNM ranking through the CLI (``capcoop opportunities ... --format json``
in a new process: imports, opening the warehouse, queries, rendering), computed (``--no-cache``)
and repeated (answered from the answer cache). Wall and CPU times (medians, min-max) are written
to ``bench/results/opportunities.json`` with the machine's load average: the machine is shared,
so CPU time is the steadier figure.
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
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "opportunities.json"


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _timed(call, runs: int, before=None) -> dict[str, float]:
    call()  # warm-up
    walls, cpus = [], []
    for _ in range(runs):
        if before is not None:
            before()
        start, cpu = time.perf_counter(), _cpu()
        call()
        walls.append(time.perf_counter() - start)
        cpus.append(_cpu() - cpu)
    return {"median_s": statistics.median(walls), "min_s": min(walls), "max_s": max(walls),
            "cpu_median_s": statistics.median(cpus), "cpu_min_s": min(cpus),
            "cpu_max_s": max(cpus)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    from capcoop.services import opportunities as service

    rank = service.rank_opportunities
    cases = {
        "CHN -> VNM, sector level, warm": _timed(
            lambda: rank("CHN", "VNM", level="sector"), args.runs),
        "CHN -> ASEAN (9 members), sector level, warm": _timed(
            lambda: rank("CHN", "ASEAN", level="sector"), args.runs),
        "CHN -> ASEAN (9 members), sector level, first call (caches cleared)": _timed(
            lambda: rank("CHN", "ASEAN", level="sector"), args.runs,
            before=service._WORLDS.clear),
    }
    cli = [sys.executable, "-m", "capcoop.cli.main", "opportunities", "--provider", "CHN",
           "--host", "VNM", "--level", "sector", "--format", "json"]
    with tempfile.TemporaryDirectory() as cache:
        env = os.environ | {"CAPCOOP_CACHE_DIR": cache}
        cli_runs = max(3, args.runs // 2)
        cases["CHN -> VNM, CLI new process, computed (--no-cache)"] = _timed(
            lambda: subprocess.run(cli + ["--no-cache"], check=True, capture_output=True,
                                   env=env), cli_runs)
        cases["CHN -> VNM, CLI new process, repeated (answer cache)"] = _timed(
            lambda: subprocess.run(cli, check=True, capture_output=True, env=env), cli_runs)
    result = {"name": "opportunities", "date": dt.date.today().isoformat(),
              "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                          "load_average_at_end": list(os.getloadavg())},
              "runs": args.runs, "target_s": 1.0, "warehouse": "demo (embedded)",
              "note": "wall and CPU (user + system) times on a shared 2-CPU machine; CLI "
                      "CPU times include the child process",
              "cases": cases}
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
