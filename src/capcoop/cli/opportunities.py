"""The ``opportunities`` command: rank cooperation areas for a provider and a host.

Parses the options, calls :func:`capcoop.services.opportunities.rank_opportunities` once and
renders the result: a table per host (warehouse in the caption, notes below), the JSON rows of
the service contract, or CSV. ``register_opportunities_commands(app)`` attaches it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from capcoop.cli import state
from capcoop.cli.render import OutputFormat, emit_rows, stdout, to_json

__all__ = ["register_opportunities_commands"]


_SHORT = {"capacity": "cap", "demand": "dem", "complementarity": "compl", "feasibility": "feas",
          "stage_fit": "stage", "environment": "env", "strategic": "strat"}


def _flat(record: dict[str, Any], explain: bool) -> dict[str, Any]:
    """One line per area: contributions by component (CSV: also value, z and weight)."""
    row = {"rank": record["rank"], "code": record["code"], "name": record["name"][:40],
           "score": round(record["score"], 3)}
    for name, parts in record["components"].items():
        row[name if explain else _SHORT[name]] = round(parts["contribution"], 3)
        if explain:
            row[f"{name}_value"] = parts["value"]
            row[f"{name}_z"] = parts["z"]
            row[f"{name}_weight"] = parts["weight"]
    row["tags"] = ";".join(record["tags"])
    if "p_top_n" in record:
        row["p_top_n"] = record["p_top_n"]
    return row


def _long(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Area × component rows: value, z, weight, contribution (the --explain table)."""
    def fmt(v: float | None, digits: int) -> str:
        return "n/a" if v is None else (f"{v:,.{digits}g}" if abs(v) >= 1e4 else
                                        f"{v:.{digits}f}")
    return [{"rank": r["rank"], "code": r["code"], "component": name,
             "value": fmt(parts["value"], 4), "z": fmt(parts["z"], 3),
             "weight": fmt(parts["weight"], 3), "contribution": fmt(parts["contribution"], 3)}
            for r in records for name, parts in r["components"].items()]


def _print_host(report: Any, fmt: OutputFormat, explain: bool) -> None:
    meta = report.meta()
    profile = meta["host_profile"]
    records = report.records()
    emit_rows([_flat(r, False) for r in records], fmt,
              title=f"Cooperation opportunities {report.provider} -> {report.host}, "
                    f"{report.level} level, {report.year} (scenario {report.scenario.name}; "
                    "component columns are contributions to the score)",
              caption=f"warehouse: {meta['warehouse']}")
    stdout.print(f"[dim]host:[/] income group {profile.get('income_group')}, GDP per capita "
                 f"(PPP) {profile.get('gdp_per_capita_ppp') or float('nan'):,.0f}, pollution "
                 f"burden {profile['pollution_burden']:.2f}, infrastructure gaps "
                 + ", ".join(f"{k} {v:.2f}" for k, v in profile["infrastructure_gaps"].items()),
                 highlight=False, soft_wrap=True)
    stdout.print("[dim]effective weights:[/] " + ", ".join(
        f"{k} {v:+.3f}" for k, v in meta["effective_weights"].items()), highlight=False)
    for note in meta["notes"]:
        stdout.print(f"[dim]note:[/] {note}", highlight=False, soft_wrap=True)
    if explain:
        emit_rows(_long(records), fmt, title="Each component: value, within-host z, weight "
                                             "and contribution (they add up to the score)")


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
    explain: bool = typer.Option(False, "--explain", help="Show each component's value, z and "
                                                          "weight, and the raw indicators."),
    sensitivity: int = typer.Option(0, "--sensitivity", help="Weight perturbations for "
                                                             "P(stay in top N), e.g. 200."),
    seed: int = typer.Option(0, "--seed", help="Seed of the sensitivity analysis."),
    list_scenarios: bool = typer.Option(False, "--list-scenarios",
                                        help="List the scenario presets and exit."),
    warehouse: Path | None = typer.Option(None, "--warehouse",
                                          help="Warehouse file (default: the global "
                                               "--warehouse)."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table, json or csv."),
) -> None:
    """Rank sectors or products for production-capacity cooperation, component by component.

    Example: capcoop opportunities --provider CHN --host VNM --level sector --top 10 --format json
    """
    from capcoop.analytics.opportunities import parse_weights
    from capcoop.services import opportunities as service

    if list_scenarios:
        rows = [s | {"weights": ", ".join(f"{k}={v}" for k, v in s["weights"].items()),
                     "boosts": ", ".join(f"{k}={v}" for k, v in s["boosts"].items())}
                for s in service.list_scenarios()]
        emit_rows(rows if fmt is not OutputFormat.json else service.list_scenarios(), fmt,
                  title="Opportunity scenarios")
        return
    report = service.rank_opportunities(
        provider, host, level=level, year=year, scenario=scenario,
        weights=parse_weights(weights), top=top, sensitivity_draws=sensitivity, seed=seed,
        warehouse=warehouse if warehouse is not None else state.warehouse)
    members = getattr(report, "members", None)
    if fmt is OutputFormat.json:
        data: Any = report.records()
        if members is not None:
            data = {"summary": report.summary_records(), "members":
                    {k: r.records() for k, r in members.items()}, "meta": report.meta()}
        sys.stdout.write(to_json(data) + "\n")
        return
    if fmt is OutputFormat.csv:
        rows = [(_flat(r, True) | ({"host": r["host"]} if "host" in r else {}))
                for r in report.records()]
        emit_rows(rows, fmt)
        return
    for member in (members.values() if members is not None else [report]):
        _print_host(member, fmt, explain)
    if members is not None:
        meta = report.meta()
        emit_rows([{k: (", ".join(v) if isinstance(v, list) else
                        round(v, 3) if isinstance(v, float) else v) for k, v in r.items()}
                   for r in report.summary_records()], fmt,
                  title=f"Across {report.host} members: hosts ranking each area in their top "
                        f"{report.top_n}", caption=f"warehouse: {meta['warehouse']}")
        for member, reason in meta["skipped"].items():
            stdout.print(f"[dim]note:[/] {member} not ranked: {reason}", highlight=False,
                         soft_wrap=True)


def register_opportunities_commands(app: typer.Typer) -> None:
    """Attach the ``opportunities`` command to the root app."""
    app.command("opportunities")(opportunities_command)
