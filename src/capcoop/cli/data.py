"""Commands about data: ``sources``, ``ingest`` and ``db info|migrate``."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from capcoop.cli import state
from capcoop.cli.render import OutputFormat, emit, emit_rows, stderr, stdout

__all__ = ["db_app", "register_data_commands"]

db_app = typer.Typer(help="Inspect and maintain the warehouse.", no_args_is_help=True)
FORMAT = typer.Option(OutputFormat.table, "--format", help="table, json or csv.")


def sources_command(fmt: OutputFormat = FORMAT) -> None:
    """List the supported data sources, their publishers, licences and target tables.

    Example: capcoop sources --format json
    """
    from capcoop.sources import source_infos

    rows = [asdict(info) | {"targets": ",".join(info.targets)} for info in source_infos()]
    emit_rows(rows, fmt, title="Supported sources")


def ingest_command(
    source: str = typer.Argument(..., help="Source name, e.g. baci, imf-dots, wdi (see `capcoop sources`)."),
    paths: list[Path] = typer.Argument(..., help="One or more files to load."),
    warehouse: Path = typer.Option(None, "--warehouse", help="Warehouse file to write to."),
    fmt: OutputFormat = FORMAT,
) -> None:
    """Validate and load source files into the warehouse (atomic; re-loading a file is a no-op).

    Example: capcoop ingest imf-dots dots_annual_all_reporters_2010_2020_long.csv.gz --warehouse my.duckdb
    """
    from capcoop.services.ingest import ingest_files

    target = warehouse or state.warehouse
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                  TextColumn("{task.completed}/{task.total} files"), TimeElapsedColumn(),
                  console=stderr, transient=True, disable=fmt is not OutputFormat.table) as bar:
        task = bar.add_task(f"ingest {source}", total=len(paths))

        def on_file(path: Path) -> None:
            bar.update(task, description=f"ingest {source}: {path.name}",
                       completed=paths.index(path) if path in paths else 0)

        reports = ingest_files(source, list(paths), warehouse=target, on_file=on_file)
        bar.update(task, completed=len(paths))
    rows = [{"file": Path(r.file).name, "status": r.result.status, "rows": r.result.rows,
             "replaced_rows": r.result.replaced_rows, "load_id": r.result.load_id,
             "sha256": r.sha256[:12]} for r in reports]
    if fmt is not OutputFormat.table:
        emit_rows(rows, fmt)
        return
    emit_rows(rows, fmt, title=f"capcoop ingest {source}")
    loaded = sum(r.result.status == "loaded" for r in reports)
    stdout.print(f"{source}: {loaded} file(s) loaded, {len(reports) - loaded} unchanged, "
                 f"{sum(r.result.rows for r in reports):,} rows into {reports[0].warehouse}")


@db_app.command("info")
def db_info_command(fmt: OutputFormat = FORMAT) -> None:
    """Show the warehouse's tables with row counts and every load with its provenance.

    Example: capcoop db info --format json
    """
    from capcoop.services.info import warehouse_info

    info = warehouse_info(state.warehouse)
    if fmt is OutputFormat.table:
        stdout.print(f"warehouse: [bold]{info['warehouse']['label']}[/]", highlight=False)
        info = info | {"loads": [{"load": r["load_id"], "source": r["source"], "file": r["file"],
                                  "table": r["target"], "rows": f"{r['rows']:,}",
                                  "sha256": r["sha256"][:12], "loaded_at": r["loaded_at"][:19]}
                                 for r in info["loads"]]}
    emit(info, fmt, sections={"tables": "Tables", "loads": "Loads (provenance)"},
         caption=f"warehouse: {info['warehouse']['label']}")


@db_app.command("migrate")
def db_migrate_command() -> None:
    """Create the warehouse file if needed and apply pending schema migrations.

    Example: capcoop db migrate --warehouse my.duckdb
    """
    from capcoop.warehouse.connection import open_writer

    with open_writer(state.warehouse) as (_, location):
        stdout.print(f"warehouse {location.path} is at the current schema version")


def register_data_commands(app: typer.Typer) -> None:
    """Attach the top-level data commands to the root app."""
    app.command("sources")(sources_command)
    app.command("ingest")(ingest_command)
