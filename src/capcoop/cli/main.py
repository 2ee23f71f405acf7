"""The ``capcoop`` command line: parse options, call one service, render the result.

Errors raised on purpose (:class:`~capcoop.errors.CapcoopError`) become a one-line message with the
fix on stderr and exit code 2; no traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from capcoop import __version__
from capcoop.cli import state
from capcoop.cli.brief import register_brief_commands
from capcoop.cli.codes import codes_app
from capcoop.cli.complexity import register_complexity_commands
from capcoop.cli.data import db_app, register_data_commands
from capcoop.cli.dependencies import register_dependencies_commands
from capcoop.cli.goals import register_goals_commands
from capcoop.cli.io import register_io_commands
from capcoop.cli.monitor import register_monitor_commands
from capcoop.cli.opportunities import register_opportunities_commands
from capcoop.cli.render import OutputFormat, emit_rows, stderr
from capcoop.cli.serve import register_serve_commands
from capcoop.cli.supplies import register_supplies_commands
from capcoop.errors import CapcoopError
from capcoop.settings import list_settings

__all__ = ["app", "main", "run"]

app = typer.Typer(
    name="capcoop", no_args_is_help=True, pretty_exceptions_enable=False,
    help="Plan and monitor production-capacity cooperation between economies "
         "(China and ASEAN by default).")
app.add_typer(codes_app, name="codes")
app.add_typer(db_app, name="db")
register_data_commands(app)
register_monitor_commands(app)
register_brief_commands(app)
register_opportunities_commands(app)
register_complexity_commands(app)
register_dependencies_commands(app)
register_serve_commands(app)
register_io_commands(app)
register_goals_commands(app)
register_supplies_commands(app)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"capcoop {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    warehouse: Path | None = typer.Option(
        None, "--warehouse", envvar="CAPCOOP_WAREHOUSE",
        help="Warehouse file (default: your warehouse if it exists, else the embedded demo)."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """capcoop: trade monitoring, cooperation opportunities and supply-chain stability."""
    state.warehouse = warehouse


@app.command("settings")
def settings_command(
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table, json or csv."),
) -> None:
    """List every setting with its type, current value, source and environment variable.

    Example: capcoop settings --format json
    """
    emit_rows(list_settings(), fmt, title="capcoop settings")


def run(argv: list[str] | None = None) -> int:
    """Run the CLI with ``argv`` and return the exit code (errors are printed, not raised)."""
    try:
        app(args=argv, prog_name="capcoop")  # standalone: usage errors exit with code 2
    except CapcoopError as exc:
        stderr.print(f"[bold red]error:[/] {exc.message}" + (f". Try: {exc.hint}" if exc.hint else ""),
                     highlight=False, soft_wrap=True)
        return 2
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0


def main() -> None:
    """Entry point of the ``capcoop`` console script."""
    sys.exit(run())


if __name__ == "__main__":
    main()
