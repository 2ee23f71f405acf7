"""The ``opportunities`` command: rank cooperation areas for a provider and a host.

Parses the options, calls :func:`capcoop.services.opportunities.rank_opportunities` once and
renders its service contract (``records()`` and ``meta()``): per host a compact table (rank, code,
a shortened name, score and the two components that move the score most), the host profile and
notes below it; ``--explain`` adds one row per component (value, within-host z, weight,
contribution) for the top N; ``--format json`` prints the contract's rows and ``--format csv``
one line per area with every component's value, z, weight and contribution.

Answers are cached on disk (setting ``cache_dir``, folder ``answers``) under a key made of the
options, the resolved warehouse file and its version (size and modification time of the file and
its write-ahead log) and the version of the code computing them: a repeated question is answered
without importing pandas or recomputing, and any committed write to the warehouse (or a new
capcoop) computes afresh. ``--no-cache`` bypasses the cache. ``register_opportunities_commands(app)``
attaches the command.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

import capcoop
from capcoop.cli import state
from capcoop.cli.render import OutputFormat, emit_rows, stdout, to_json
from capcoop.warehouse.versions import warehouse_version

__all__ = ["register_opportunities_commands", "driver_text", "short_name"]

#: Width of the shortened area names in the default table.
NAME_WIDTH = 28
#: How many components the default table names per row.
DRIVERS = 2
#: Terminal width from which the drivers of a row share one line.
WIDE = 100
#: Folders whose files make the computation: a change there invalidates cached answers.
_CODE_DIRS = ("analytics", "services", "codes", "warehouse")


def short_name(name: str, width: int = NAME_WIDTH) -> str:
    """``name`` cut to ``width`` characters at a word boundary, with an ellipsis when cut.

    Example: ``short_name("Electrical and optical equipment", 20)`` → ``'Electrical and…'``.
    """
    name = " ".join(str(name).split())
    if len(name) <= width:
        return name
    cut = name[:width - 1].rstrip(" ,;:-")
    space = cut.rfind(" ")
    if space >= width // 2:
        cut = cut[:space].rstrip(" ,;:-")
    return cut + "…"


def driver_text(components: dict[str, dict[str, Any]], count: int = DRIVERS,
                separator: str = ", ") -> str:
    """The ``count`` components with the largest absolute contribution, largest first.

    Example: ``"feasibility +0.36, demand +0.28"`` (contributions to the score; a cost such as
    the environment shows with a minus sign).
    """
    parts = [(name, part["contribution"]) for name, part in components.items()
             if part.get("contribution") is not None]
    parts.sort(key=lambda item: (-abs(item[1]), item[0]))
    return separator.join(f"{name} {value:+.2f}" for name, value in parts[:count]) or "n/a"


def _flat(record: dict[str, Any], explain: bool) -> dict[str, Any]:
    """One line per area: contributions by component (CSV: also value, z and weight)."""
    row = {"rank": record["rank"], "code": record["code"], "name": record["name"][:40],
           "score": round(record["score"], 3)}
    for name, parts in record["components"].items():
        row[name] = round(parts["contribution"], 3)
        if explain:
            row[f"{name}_value"] = parts["value"]
            row[f"{name}_z"] = parts["z"]
            row[f"{name}_weight"] = parts["weight"]
    row["tags"] = ";".join(record["tags"])
    if "p_top_n" in record:
        row["p_top_n"] = record["p_top_n"]
    return row


def _fmt(value: float | None, digits: int) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.{digits}g}" if abs(value) >= 1e4 else f"{value:.{digits}f}"


def _long(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Area × component rows: value, z, weight, contribution (the --explain table)."""
    return [{"rank": r["rank"], "code": r["code"], "component": name,
             "value": _fmt(parts["value"], 4), "z": _fmt(parts["z"], 3),
             "weight": _fmt(parts["weight"], 3), "contribution": _fmt(parts["contribution"], 3)}
            for r in records for name, parts in r["components"].items()]


def _ranking_table(records: list[dict[str, Any]], title: str, caption: str, top_n: int
                   ) -> Table:
    """The default view: five narrow columns (six with the sensitivity) that fit 80 columns.

    Below 100 columns each driver gets its own line, so that none is broken in two.
    """
    separator = ", " if stdout.width >= WIDE else "\n"
    table = Table(title=title, caption=caption, expand=False)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("code", no_wrap=True)
    table.add_column("name", max_width=NAME_WIDTH, overflow="fold")
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("main drivers (contribution)", overflow="fold")
    sensitivity = any("p_top_n" in r for r in records)
    if sensitivity:
        table.add_column(f"P(top {top_n})", justify="right", no_wrap=True)
    for r in records:
        cells = [str(r["rank"]), r["code"], short_name(r["name"]),
                 _fmt(r["score"], 3), driver_text(r["components"], separator=separator)]
        if sensitivity:
            cells.append(_fmt(r.get("p_top_n"), 2))
        table.add_row(*cells)
    return table


def _print_host(records: list[dict[str, Any]], meta: dict[str, Any], explain: bool,
                explain_top: int | None) -> None:
    params = meta["parameters"]
    profile = meta["host_profile"]
    top_n = int(params["scenario"].get("top_n", 10))
    title = (f"Cooperation opportunities {params['provider']} -> {params['host']}, "
             f"{params['level']} level, {params['year']} (scenario {params['scenario']['name']})")
    stdout.print(_ranking_table(records, title, f"warehouse: {meta['warehouse']}", top_n))
    gdp = profile.get("gdp_per_capita_ppp")
    burden = profile.get("pollution_burden")
    stdout.print(f"[dim]host:[/] income group {profile.get('income_group')}, GDP per capita "
                 f"(PPP) {'n/a' if gdp is None else f'{gdp:,.0f}'}, pollution burden "
                 f"{'n/a' if burden is None else f'{burden:.2f}'}, infrastructure gaps "
                 + ", ".join(f"{k} {_fmt(v, 2)}"
                             for k, v in profile["infrastructure_gaps"].items()),
                 highlight=False, soft_wrap=True)
    stdout.print("[dim]effective weights:[/] " + ", ".join(
        f"{k} {v:+.3f}" for k, v in meta["effective_weights"].items()), highlight=False,
        soft_wrap=True)
    stdout.print("[dim]main drivers:[/] the two components that move the score most "
                 "(contributions add up to the score); --explain shows all seven, --format "
                 "json or csv every number", highlight=False, soft_wrap=True)
    for note in meta["notes"]:
        stdout.print(f"[dim]note:[/] {note}", highlight=False, soft_wrap=True)
    if explain:
        shown = records[:explain_top or top_n]
        emit_rows(_long(shown), OutputFormat.table,
                  title=f"Each component of the top {len(shown)}: value, within-host z, "
                        "weight and contribution (contributions add up to the score)",
                  caption=f"warehouse: {meta['warehouse']}")


# --------------------------------------------------------------------------- answers


def _payload(report: Any) -> dict[str, Any]:
    """The service contract of a report as plain JSON data (what the command renders)."""
    members = getattr(report, "members", None)
    if members is None:
        data: dict[str, Any] = {"records": report.records(), "meta": report.meta()}
    else:
        data = {"summary": report.summary_records(), "meta": report.meta(),
                "members": {k: {"records": r.records(), "meta": r.meta()}
                            for k, r in members.items()}}
    return json.loads(to_json(data))


def _code_version() -> list[Any]:
    root = Path(capcoop.__file__).parent
    stamps: list[Any] = [capcoop.__version__]
    for folder in _CODE_DIRS:
        for dirpath, dirnames, filenames in os.walk(root / folder):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for name in sorted(filenames):
                stat = os.stat(os.path.join(dirpath, name))
                stamps.append((os.path.relpath(os.path.join(dirpath, name), root),
                               stat.st_size, stat.st_mtime_ns))
    return stamps


def _cache_file(options: dict[str, Any], warehouse: Path | None) -> Path | None:
    """Where the answer to ``options`` is kept, or None when there is no usable cache."""
    from capcoop.settings import get_setting
    from capcoop.warehouse.connection import locate_warehouse

    try:
        location = locate_warehouse(warehouse)
        folder = Path(str(get_setting("cache_dir"))).expanduser() / "answers"
    except Exception:  # noqa: BLE001 - the command reports these errors when it computes
        return None
    blocs_file = get_setting("blocs_file")
    key = json.dumps({"command": "opportunities", "options": options,
                      "warehouse": [str(location.path), location.kind,
                                    list(warehouse_version(location.path))],
                      "blocs_file": [str(blocs_file),
                                     list(warehouse_version(blocs_file)) if blocs_file else []],
                      "code": _code_version()}, sort_keys=True, default=str)
    return folder / f"opportunities-{hashlib.sha256(key.encode()).hexdigest()[:32]}.json"


def _cached(path: Path | None) -> dict[str, Any] | None:
    if path is None:
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _store(path: Path | None, data: dict[str, Any]) -> None:
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(partial, path)
    except OSError:
        pass  # an unwritable cache only costs the computation next time


def _answer(options: dict[str, Any], warehouse: Path | None, use_cache: bool
            ) -> dict[str, Any]:
    """The payload for ``options``: from the answer cache, else computed (and stored)."""
    path = _cache_file(options, warehouse) if use_cache else None
    found = _cached(path)
    if found is not None:
        return found
    from capcoop.analytics.opportunities import parse_weights
    from capcoop.services import opportunities as service

    report = service.rank_opportunities(
        options["provider"], options["host"], level=options["level"], year=options["year"],
        scenario=options["scenario"], weights=parse_weights(options["weights"]),
        top=options["top"], sensitivity_draws=options["sensitivity"], seed=options["seed"],
        warehouse=warehouse)
    data = _payload(report)
    _store(path, data)
    return data


def opportunities_command(
    provider: str = typer.Option("CHN", "--provider", help="Capacity provider (ISO3 or name)."),
    host: str = typer.Option("VNM", "--host", help="Host country or bloc (VNM, Laos, "
                                                   "ASEAN)."),
    level: str = typer.Option("sector", "--level", help="sector (ADB MRIO 35 sectors) or "
                                                        "product (export matrix)."),
    year: int | None = typer.Option(None, "--year", help="Year (default: the latest with data)."),
    scenario: str = typer.Option("balanced", "--scenario",
                                 help="balanced, infrastructure-first, green-and-digital, "
                                      "low-carbon."),
    weights: str | None = typer.Option(None, "--weights",
                                       help="Override weights: environment=0.3,strategic=0.2."),
    top: int | None = typer.Option(None, "--top", help="Show the first N rows."),
    explain: bool = typer.Option(False, "--explain", help="Also show every component's value, "
                                                          "within-host z, weight and "
                                                          "contribution for the top N (--top, "
                                                          "else the scenario's N)."),
    sensitivity: int = typer.Option(0, "--sensitivity", help="Weight perturbations for "
                                                             "P(stay in top N), e.g. 200."),
    seed: int = typer.Option(0, "--seed", help="Seed of the sensitivity analysis."),
    list_scenarios: bool = typer.Option(False, "--list-scenarios",
                                        help="List the scenario presets and exit."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Compute afresh instead of reusing "
                                                            "the cached answer (answers are "
                                                            "kept per warehouse version)."),
    warehouse: Path | None = typer.Option(None, "--warehouse",
                                          help="Warehouse file (default: the global "
                                               "--warehouse)."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table, json or csv."),
) -> None:
    """Rank sectors or products for production-capacity cooperation, component by component.

    The table shows each area's rank, code, name, score and the two components that move its
    score most; --explain adds every component for the top N; json and csv carry all numbers.

    Example: capcoop opportunities --provider CHN --host VNM --level sector --top 10 --format json
    """
    if list_scenarios:
        from capcoop.services import opportunities as service

        rows = [s | {"weights": ", ".join(f"{k}={v}" for k, v in s["weights"].items()),
                     "boosts": ", ".join(f"{k}={v}" for k, v in s["boosts"].items())}
                for s in service.list_scenarios()]
        emit_rows(rows if fmt is not OutputFormat.json else service.list_scenarios(), fmt,
                  title="Opportunity scenarios")
        return
    options = {"provider": provider, "host": host, "level": level, "year": year,
               "scenario": scenario, "weights": weights, "top": top,
               "sensitivity": sensitivity, "seed": seed}
    data = _answer(options, warehouse if warehouse is not None else state.warehouse,
                   not no_cache)
    members = data.get("members")
    if fmt is OutputFormat.json:
        out: Any = data["records"] if members is None else {
            "summary": data["summary"], "members": {k: m["records"] for k, m in members.items()},
            "meta": data["meta"]}
        sys.stdout.write(to_json(out) + "\n")
        return
    if fmt is OutputFormat.csv:
        records = data["records"] if members is None else [
            {"host": k} | r for k, m in members.items() for r in m["records"]]
        emit_rows([(_flat(r, True) | ({"host": r["host"]} if "host" in r else {}))
                   for r in records], fmt)
        return
    for member in ([data] if members is None else members.values()):
        _print_host(member["records"], member["meta"], explain, top)
    if members is not None:
        meta = data["meta"]
        top_n = meta["parameters"]["top_n"]
        emit_rows([{"code": r["code"], "name": short_name(r["name"], 24),
                    f"in top {top_n}": r["hosts_in_top_n"],
                    "hosts": " ".join(r["top_n_hosts"]),
                    "mean rank": f"{r['mean_rank']:.1f}",
                    "best": f"{r['best_host']} #{r['best_rank']}"}
                   for r in data["summary"]], fmt,
                  title=f"Across {meta['parameters']['host']} members: hosts ranking each area "
                        f"in their top {top_n}", caption=f"warehouse: {meta['warehouse']}")
        for member, reason in meta["skipped"].items():
            stdout.print(f"[dim]note:[/] {member} not ranked: {reason}", highlight=False,
                         soft_wrap=True)


def register_opportunities_commands(app: typer.Typer) -> None:
    """Attach the ``opportunities`` command to the root app."""
    app.command("opportunities")(opportunities_command)
