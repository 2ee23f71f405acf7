"""Commands ``capcoop io info``, ``capcoop io multipliers`` and ``capcoop shock`` over an
input-output table stored in the warehouse or read from a file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from capcoop.cli import state
from capcoop.cli.render import OutputFormat, emit_rows, stderr, to_json

__all__ = ["register_io_commands", "io_app"]

io_app = typer.Typer(help="Input-output tables: what they hold and their multipliers.",
                     no_args_is_help=True)

TABLE = typer.Option(..., "--table", help="A stored table (wiod2013, pymrio-test, china-nbs, "
                     "oecd-niot-chn ...) or a path to a table file/folder.")
YEAR = typer.Option(None, "--year", help="Year of the table (default: the latest).")
WAREHOUSE = typer.Option(None, "--warehouse", help="Warehouse file (default: as `capcoop "
                         "--warehouse`).")
FORMAT = typer.Option(OutputFormat.table, "--format", help="table, json or csv.")
WITH_META = typer.Option(False, "--with-meta", help="JSON: print {\"data\": rows, \"meta\": ...} "
                         "(totals, parameters, sources, notes) instead of the rows alone.")
LIMIT = typer.Option(40, "--limit", help="Rows shown in a terminal table.")


def _service() -> Any:
    from capcoop.services import io

    return io


def _warehouse(option: Path | None) -> Path | None:
    return option if option is not None else state.warehouse


def _print(report: Any, fmt: OutputFormat, with_meta: bool, title: str, limit: int,
           rows: list[dict[str, Any]] | None = None) -> None:
    rows = report.records() if rows is None else rows
    meta = report.meta()
    if fmt is OutputFormat.json:
        sys.stdout.write(to_json({"data": rows, "meta": meta} if with_meta else rows) + "\n")
        return
    if fmt is OutputFormat.table:
        rows = [{k: (f"{v:,.4g}" if isinstance(v, float) else v) for k, v in row.items()}
                for row in rows[:limit]]
    emit_rows(rows, fmt, title=title, caption=f"warehouse: {meta['warehouse']}")
    if fmt is OutputFormat.table:
        for note in meta.get("notes", []):
            stderr.print(f"[yellow]note:[/] {note}", highlight=False, soft_wrap=True)


@io_app.command("info")
def info_command(table: str = TABLE, year: int | None = YEAR, warehouse: Path | None = WAREHOUSE,
                 fmt: OutputFormat = FORMAT, with_meta: bool = WITH_META,
                 limit: int = LIMIT) -> None:
    """Regions, sectors, years, totals and balance check of a table (rows: one per region).

    Example: capcoop io info --table wiod2013 --year 2011 --format json --with-meta
    """
    report = _service().io_info(table, year=year, warehouse=_warehouse(warehouse))
    meta = report.meta()
    _print(report, fmt, with_meta, f"{meta['parameters']['table']} {meta['parameters']['year']} "
           f"({meta['unit']})", limit)


@io_app.command("multipliers")
def multipliers_command(table: str = TABLE, year: int | None = YEAR,
                        warehouse: Path | None = WAREHOUSE, fmt: OutputFormat = FORMAT,
                        with_meta: bool = WITH_META, limit: int = LIMIT) -> None:
    """Output, value-added and other multipliers and linkages of every industry.

    Example: capcoop io multipliers --table pymrio-test --format json
    """
    report = _service().io_multipliers(table, year=year, warehouse=_warehouse(warehouse))
    _print(report, fmt, with_meta, f"Multipliers, {report.loaded.table_name} "
           f"{report.loaded.year}", limit)


def shock_command(
    table: str = TABLE, year: int | None = YEAR,
    region: str = typer.Option(..., "--region", help="Region hit: CHN, China, 中国 ..."),
    sector: str = typer.Option(..., "--sector", help="Sector hit: a code (c14) or part of its "
                               "name (electrical)."),
    cut: str = typer.Option(..., "--cut", help="Capacity lost: 30% or 0.3."),
    weeks: int = typer.Option(8, "--weeks", help="Weeks the full cut lasts."),
    models: str = typer.Option("mixed,ghosh,ario", "--models",
                               help="Models to run: mixed (Leontief), ghosh, ario (dynamic)."),
    recovery_weeks: int = typer.Option(0, "--recovery-weeks",
                                       help="ARIO: weeks of linear recovery after the cut."),
    horizon_weeks: int = typer.Option(104, "--horizon-weeks", help="ARIO: weeks simulated."),
    by_region: bool = typer.Option(False, "--by-region", help="Rows: totals per region."),
    min_loss: float = typer.Option(0.0, "--min-loss",
                                   help="Leave out industries losing no more than this."),
    warehouse: Path | None = WAREHOUSE, fmt: OutputFormat = FORMAT,
    with_meta: bool = WITH_META, limit: int = LIMIT,
) -> None:
    """Output lost by region and sector when one industry's capacity is cut (China and ASEAN
    first), by the static Leontief and Ghosh models and the dynamic ARIO model.

    Example: capcoop shock --table wiod2013 --year 2011 --region CHN --sector c14 --cut 30% --weeks 8 --format json
    """
    chosen = tuple(m.strip().lower() for m in models.split(",") if m.strip())
    report = _service().io_shock(table, year=year, region=region, sector=sector, cut=cut,
                                 weeks=weeks, models=chosen, recovery_weeks=recovery_weeks,
                                 horizon_weeks=horizon_weeks, min_loss=min_loss,
                                 warehouse=_warehouse(warehouse))
    p = report.parameters
    _print(report, fmt, with_meta, f"{p['region']} {p['sector']} ({p['sector_name']}) "
           f"-{p['cut']:.0%} for {p['weeks']} weeks, {p['table']} {p['year']}", limit,
           rows=report.region_records() if by_region else None)


def register_io_commands(app: typer.Typer) -> None:
    """Attach ``io`` (info, multipliers) and ``shock`` to ``app``."""
    app.add_typer(io_app, name="io")
    app.command("shock")(shock_command)
