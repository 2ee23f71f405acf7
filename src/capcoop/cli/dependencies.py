"""Supply-chain commands: ``dependencies`` (import-dependency screen) and ``disruption``.

Each command parses its options, calls one function of :mod:`capcoop.services.dependencies`
and renders the rows: a table captioned with the warehouse (notes below), or the report's
``records()`` as JSON or CSV (then the warehouse label and the notes go to stderr, so stdout
stays machine-readable). ``register_dependencies_commands(app)`` attaches them to the root app.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from capcoop.cli import state
from capcoop.cli.render import OutputFormat, emit_rows, stderr, stdout, to_json

__all__ = ["register_dependencies_commands"]

FORMAT = typer.Option(OutputFormat.table, "--format", help="table, json or csv.")
WAREHOUSE = typer.Option(None, "--warehouse", help="Warehouse file (default: the global --warehouse).")
YEAR = typer.Option(None, "--year", help="The year (default: the latest with data).")
TOP = typer.Option(None, "--top", help="Show the first N rows of the ranking.")
SOURCE = typer.Option(None, "--source", help="Read one source only, e.g. baci or comtrade.")

_SCREEN_COLUMNS = ("rank", "product", "imports_usd", "top_supplier", "top_share", "hhi",
                   "substitutability", "flags")
_FLAGS = (("eu_critical", "EU-critical"), ("eu_dependent", "EU"), ("cepii_dependent", "CEPII"))
_DISRUPTION_COLUMNS = ("rank", "importer", "direct_loss_usd", "replacement_usd",
                       "net_shortfall_usd", "shortfall_pct_of_imports")


def _warehouse(option: Path | None) -> Path | None:
    return option if option is not None else state.warehouse


def _cell(value: Any) -> Any:
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3f}"
    if isinstance(value, str) and len(value) > 40:
        return value[:39] + "…"
    return value


def _emit(report: Any, fmt: OutputFormat, columns: tuple[str, ...], title: str) -> None:
    rows = report.records()
    if fmt is not OutputFormat.table:
        stderr.print(f"warehouse: {report.meta()['warehouse']}", highlight=False, soft_wrap=True)
        for note in report.meta()["notes"]:
            stderr.print(f"note: {note}", highlight=False, soft_wrap=True)
    if fmt is OutputFormat.json:
        sys.stdout.write(to_json(rows) + "\n")
        return
    if fmt is OutputFormat.csv:
        flat = [{k: (to_json(v) if isinstance(v, (dict, list)) else v) for k, v in r.items()}
                for r in rows]
        emit_rows(flat, fmt)
        return
    for row in rows:
        row["flags"] = " ".join(name for key, name in _FLAGS if row.get(key))
    emit_rows([{c: _cell(r.get(c)) for c in columns} for r in rows], fmt, title=title,
              caption=f"warehouse: {report.meta()['warehouse']}")
    for note in report.meta()["notes"]:
        stdout.print(f"[dim]note:[/] {note}", highlight=False, soft_wrap=True)


def dependencies_command(
    importer: str = typer.Argument(..., help="Importer: ISO3 code, country name or bloc (VNM, ASEAN)."),
    products: str | None = typer.Option(None, "--products", help="Product groups and/or HS codes: "
                                        "medical, vaccines, 3004,300220 (default: every product)."),
    year: int | None = YEAR, top: int | None = TOP,
    by: str = typer.Option("product", "--by", help="product (one row per HS code) or group "
                                                   "(one row per group or code named)."),
    intra: str = typer.Option("exclude", "--intra", help="For a bloc: exclude (extra-bloc trade, "
                                                         "EU method) or include intra-bloc trade."),
    hhi: float = typer.Option(0.4, "--hhi", help="Import-concentration threshold (EU/CEPII 0.4)."),
    ratio: float = typer.Option(1.0, "--ratio", help="Import/export ratio threshold (1)."),
    world_hhi: float = typer.Option(0.4, "--world-hhi", help="World-export concentration threshold (CEPII 0.4)."),
    substitutability: float = typer.Option(1.0, "--substitutability",
                                           help="Low-substitutability threshold (1)."),
    extra_share: float = typer.Option(0.5, "--extra-share", help="Extra-bloc import share threshold (EU 0.5)."),
    source: str | None = SOURCE, warehouse: Path | None = WAREHOUSE, fmt: OutputFormat = FORMAT,
) -> None:
    """Screen an importer's imports for concentrated, hard-to-replace suppliers (EU/CEPII flags).

    Example: capcoop dependencies VNM --products medical --year 2021 --top 10 --format json
    """
    from capcoop.services.dependencies import dependency_screen

    thresholds = {"hhi": hhi, "import_export_ratio": ratio, "world_hhi": world_hhi,
                  "substitutability": substitutability, "extra_share": extra_share}
    report = dependency_screen(importer, products=products, year=year, top=top, by=by,
                               intra=intra, thresholds=thresholds, source=source,
                               warehouse=_warehouse(warehouse))
    _emit(report, fmt, _SCREEN_COLUMNS,
          f"Import dependencies of {report.importer}, {report.year} ({report.level})")


def disruption_command(
    exporter: str = typer.Option(..., "--exporter", help="The exporter whose shipments fall (CHN)."),
    products: str | None = typer.Option(None, "--products", help="Product groups and/or HS codes "
                                        "(default: all goods)."),
    cut: str = typer.Option(..., "--cut", help="The fall of its shipments: 30% or 0.3."),
    year: int | None = YEAR,
    importers: str | None = typer.Option(None, "--importers", help="Report only these importers: "
                                         "a country or a bloc's members (ASEAN)."),
    spare_share: float = typer.Option(0.1, "--spare-share", help="Share of an alternative "
                                      "supplier's exports to the rest of the world it can divert."),
    weights: str = typer.Option("importer", "--weights", help="Spread replacement by existing "
                                "shares of the importer's imports (importer) or world exports (world)."),
    top: int | None = TOP, source: str | None = SOURCE, warehouse: Path | None = WAREHOUSE,
    fmt: OutputFormat = FORMAT,
) -> None:
    """Disruption scenario: an exporter's shipments fall; direct loss, replacement, net shortfall.

    Example: capcoop disruption --exporter CHN --products medical --cut 30% --importers ASEAN --format json
    """
    from capcoop.services.dependencies import disruption_scenario

    report = disruption_scenario(exporter, products, cut, year=year, importers=importers,
                                 spare_share=spare_share, weights=weights, top=top, source=source,
                                 warehouse=_warehouse(warehouse))
    _emit(report, fmt, _DISRUPTION_COLUMNS,
          f"{report.exporter} shipments -{report.cut:.0%}, {report.year} ({report.level})")


def register_dependencies_commands(app: typer.Typer) -> None:
    """Attach ``dependencies`` and ``disruption`` to the root app."""
    app.command("dependencies")(dependencies_command)
    app.command("disruption")(disruption_command)
