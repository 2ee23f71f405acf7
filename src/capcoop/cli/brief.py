"""The ``capcoop brief`` command: write the cooperation brief (HTML and PDF) and say where.

``register_brief_commands(app)`` attaches it to the root app. The report code is imported on
use, so other commands start as fast as before.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import typer

from capcoop.cli import state
from capcoop.cli.render import OutputFormat, stderr, stdout, to_json

__all__ = ["register_brief_commands", "brief_command"]


def brief_command(
    provider: str = typer.Option("CHN", "--provider", help="Capacity provider: ISO3 code, "
                                 "country name or bloc (default CHN)."),
    partner: str = typer.Option("ASEAN", "--partner", help="Partner: a bloc (its members are the "
                                "host countries) or a country (default ASEAN)."),
    year: int | None = typer.Option(None, "--year", help="The year (default: the latest complete "
                                    "year the warehouse has for the pair)."),
    lang: str | None = typer.Option(None, "--lang", help="en or zh (default: setting lang)."),
    out: Path = typer.Option(Path("."), "--out", help="Folder to write the files into "
                             "(created if needed; default: the current folder)."),
    no_pdf: bool = typer.Option(False, "--no-pdf", help="Write the HTML only."),
    warehouse: Path | None = typer.Option(None, "--warehouse",
                                          help="Warehouse file (default: the global --warehouse)."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format",
                                     help="table (paths for people) or json (paths, parameters, "
                                          "sections available)."),
) -> None:
    """Write the cooperation brief: headline statements with sourced footnotes, trade-trend and
    partner-ranking charts, cooperation areas per host country, supply dependencies, critical
    supplies, data sources and caveats; a self-contained HTML file and its PDF.

    Example: capcoop brief --provider CHN --partner ASEAN --year 2020 --lang zh --out briefs
    """
    from capcoop.reports.render import write_brief

    started = time.perf_counter()
    files = write_brief(provider, partner, year, lang=lang, out=out, pdf=not no_pdf,
                        warehouse=warehouse if warehouse is not None else state.warehouse)
    seconds = time.perf_counter() - started
    for warning in files.warnings:
        stderr.print(f"[bold yellow]warning:[/] {warning}", highlight=False, soft_wrap=True)
    if fmt is OutputFormat.json:
        sys.stdout.write(to_json(files.record() | {"seconds": round(seconds, 2)}) + "\n")
        return
    brief = files.brief
    missing = [s.title for s in brief.sections if not s.available]
    stdout.print(f"[bold]{brief.title}[/] (warehouse: {brief.warehouse})", highlight=False,
                 soft_wrap=True)
    stdout.print(f"HTML: {files.html.resolve()}", highlight=False, soft_wrap=True)
    if files.pdf is not None:
        stdout.print(f"PDF:  {files.pdf.resolve()} ({files.pages} pages)", highlight=False,
                     soft_wrap=True)
    if missing:
        stdout.print(f"[dim]sections without data (see the notes in the brief): "
                     f"{'; '.join(missing)}[/]", highlight=False, soft_wrap=True)
    stdout.print(f"[dim]written in {seconds:.1f} s[/]", highlight=False)


def register_brief_commands(app: typer.Typer) -> None:
    """Attach ``capcoop brief`` to the root app."""
    app.command("brief")(brief_command)
