"""Benchmark: the cooperation opportunity engine on the embedded demo warehouse.

Usage::

    python bench/opportunities.py            # 7 runs of each case
    python bench/opportunities.py --runs 3

Cases (target < 1 s each): CHN -> VNM sector ranking (35 ADB MRIO sectors, 2022) and CHN -> ASEAN
(nine members ranked, Myanmar reported as absent), both warm in process after one warm-up call,
and the VNM ranking cold through the CLI (``capcoop opportunities ... --format json`` in a new
process: imports, opening the warehouse, queries, rendering). Medians and min-max spreads are
written to ``bench/results/opportunities.json`` with the machine's load average.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "opportunities.json"


def _timed(call, runs: int) -> dict[str, float]:
    call()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return {"median_s": statistics.median(times), "min_s": min(times), "max_s": max(times)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    from capcoop.services.opportunities import rank_opportunities

    cases = {
        "CHN -> VNM, sector level, warm": _timed(
            lambda: rank_opportunities("CHN", "VNM", level="sector"), args.runs),
        "CHN -> ASEAN (9 members), sector level, warm": _timed(
            lambda: rank_opportunities("CHN", "ASEAN", level="sector"), args.runs),
    }
    cli = [sys.executable, "-m", "capcoop.cli.main", "opportunities", "--provider", "CHN",
           "--host", "VNM", "--level", "sector", "--format", "json"]
    cases["CHN -> VNM, CLI cold process"] = _timed(
        lambda: subprocess.run(cli, check=True, capture_output=True), max(3, args.runs // 2))
    result = {"name": "opportunities", "date": dt.date.today().isoformat(),
              "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                          "load_average_at_end": list(os.getloadavg())},
              "runs": args.runs, "target_s": 1.0, "warehouse": "demo (embedded)",
              "note": "wall times on a shared 2-CPU machine with other jobs running",
              "cases": cases}
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
