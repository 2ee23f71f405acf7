"""Critical-supplies commands: ``capcoop supplies coverage`` and ``capcoop supplies allocate``.

Each command parses its options, calls one function of :mod:`capcoop.services.supplies` and
renders the rows: a table captioned with the warehouse (notes below), JSON (``{"data", "meta"}``)
or CSV. ``register_supplies_commands(app)`` attaches the ``supplies`` group to the root app.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from capcoop.cli import state
from capcoop.cli.render import OutputFormat, emit_rows, stdout, to_json

__all__ = ["register_supplies_commands", "supplies_app"]

supplies_app = typer.Typer(no_args_is_help=True,
                           help="Critical supplies: the vaccine ledger and the dose planner.")

FORMAT = typer.Option(OutputFormat.table, "--format", help="table, json or csv.")
WAREHOUSE = typer.Option(None, "--warehouse", help="Warehouse file (default: the global --warehouse).")
REGION = typer.Option("ASEAN", "--region", help="Bloc or countries, e.g. ASEAN or ASEAN,CHN.")
DATE = typer.Option(None, "--date", help="Data as of this day (YYYY-MM-DD; default: the latest).")


def _emit(report: Any, fmt: OutputFormat, title: str, columns: list[str]) -> None:
    records = report.records()
    if fmt is OutputFormat.json:
        sys.stdout.write(to_json({"data": records, "meta": report.meta()}) + "\n")
        return
    if fmt is OutputFormat.csv:
        emit_rows(records, fmt)
        return
    rows = [{c: _show(r.get(c)) for c in columns} for r in records]
    emit_rows(rows, fmt, title=title, caption=f"warehouse: {report.meta()['warehouse']}")
    for note in report.meta()["notes"]:
        stdout.print(f"[dim]note:[/] {note}", highlight=False, soft_wrap=True)


def _show(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) < 1000 else f"{value:,.0f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


@supplies_app.command("coverage")
def coverage_command(region: str = REGION, date: str | None = DATE,
                     warehouse: Path | None = WAREHOUSE, fmt: OutputFormat = FORMAT) -> None:
    """Vaccine doses secured, delivered and donated, people vaccinated and coverage per 100.

    Example: capcoop supplies coverage --region ASEAN,CHN --date 2022-12-31 --format json
    """
    from capcoop.services.supplies import coverage

    report = coverage(region, date=date, warehouse=warehouse or state.warehouse)
    _emit(report, fmt, f"Vaccine ledger, {report.region}, as of {report.as_of}",
          ["country", "date", "doses_secured", "doses_delivered", "doses_donated",
           "people_vaccinated_per100", "people_fully_vaccinated_per100", "population"])


@supplies_app.command("allocate")
def allocate_command(
    doses: int = typer.Option(..., "--doses", help="Doses to share, e.g. 10000000."),
    region: str = REGION,
    method: str = typer.Option("population", "--method",
                               help="population (proportional) or need (to doses needed to "
                                    "reach --target)."),
    target: float = typer.Option(70.0, "--target", help="need: people fully vaccinated per 100 "
                                                        "to reach."),
    doses_per_person: int = typer.Option(2, "--doses-per-person", help="Doses in a full course."),
    floor: str | None = typer.Option(None, "--floor", help="Minimum doses: one number for all or "
                                                           "KHM=500000,LAO=200000."),
    cap: str | None = typer.Option(None, "--cap", help="Maximum doses: one number for all or "
                                                       "VNM=1000000."),
    tiers: str | None = typer.Option(None, "--tiers", help="Priority groups served in order, "
                                                           "e.g. 'KHM,LAO,MMR;IDN'."),
    date: str | None = DATE, warehouse: Path | None = WAREHOUSE, fmt: OutputFormat = FORMAT,
) -> None:
    """Share scarce doses among a region's countries; the rows add up to the doses allocated.

    Example: capcoop supplies allocate --doses 10000000 --region ASEAN --method need --format json
    """
    from capcoop.services.supplies import allocate

    report = allocate(doses, region, method=method, target=target,
                      doses_per_person=doses_per_person, floors=floor, caps=cap, tiers=tiers,
                      date=date, warehouse=warehouse or state.warehouse)
    meta = report.meta()
    _emit(report, fmt, f"{meta['allocated']:,} of {meta['requested']:,} doses by "
                       f"{meta['parameters']['method']}, {meta['parameters']['region']}",
          ["recipient", "doses", "share_pct", "tier", "floor", "capacity",
           "fully_vaccinated_per100", "fully_vaccinated_per100_after"])


def register_supplies_commands(app: typer.Typer) -> None:
    """Attach the ``supplies`` group (``coverage``, ``allocate``) to ``app``."""
    app.add_typer(supplies_app, name="supplies")
