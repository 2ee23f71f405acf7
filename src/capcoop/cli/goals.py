"""``capcoop goals add|list|progress|remove|metrics``: record development goals and track them.

Each command calls one function of :mod:`capcoop.services.goals` (imported on use) and renders
its rows as a table captioned with the warehouse, JSON or CSV.
"""

from __future__ import annotations

from pathlib import Path

import typer

from capcoop.cli import state
from capcoop.cli.render import OutputFormat, emit_rows, stdout

__all__ = ["goals_app", "register_goals_commands"]

goals_app = typer.Typer(help="Record cooperation goals and track their progress.",
                        no_args_is_help=True)

FORMAT = typer.Option(OutputFormat.table, "--format", help="table, json or csv.")
WAREHOUSE = typer.Option(None, "--warehouse",
                         help="Warehouse file (default: the global --warehouse; with the "
                              "embedded demo, goals go to your goals store).")


def _warehouse(option: Path | None) -> Path | None:
    return option if option is not None else state.warehouse


@goals_app.command("add")
def add_command(
    metric: str = typer.Option(..., "--metric", help="trade_total, exports, imports, "
                               "export_share, sector_imports, sector_output or indicator "
                               "(see `capcoop goals metrics`)."),
    host: str = typer.Option(..., "--host", help="Host country (bloc for trade metrics)."),
    target: float = typer.Option(..., "--target", help="Level (metric unit), share (%) or "
                                 "growth (% a year)."),
    deadline: int = typer.Option(..., "--deadline", help="Year the target is due."),
    provider: str | None = typer.Option(None, "--provider", help="Provider (default: setting "
                                        "provider, CHN)."),
    sector: str | None = typer.Option(None, "--sector", help="Group (green-and-digital, "
                                      "power_grid), IO sector (c17) or WDI indicator."),
    target_type: str | None = typer.Option(None, "--type", help="level, share or growth."),
    base_year: int | None = typer.Option(None, "--base-year", help="Base year (default: the "
                                         "latest year with data)."),
    label: str | None = typer.Option(None, "--label", help="A name for the goal."),
    warehouse: Path | None = WAREHOUSE, fmt: OutputFormat = FORMAT,
) -> None:
    """Record a goal (refused when invalid: unknown code, past deadline, impossible target).

    Example: capcoop goals add --metric export_share --host VNM --sector green-and-digital
    --target 30 --deadline 2030 --warehouse my.duckdb
    """
    from capcoop.services.goals import add_goal

    spec = {"metric": metric, "host": host, "target": target, "deadline": deadline,
            "provider": provider, "sector": sector, "target_type": target_type,
            "base_year": base_year, "label": label}
    goal = add_goal({k: v for k, v in spec.items() if v is not None},
                    warehouse=_warehouse(warehouse))
    emit_rows([goal], fmt, title=f"goal {goal['goal_id']} recorded",
              caption=goal["stored_in"])


@goals_app.command("list")
def list_command(warehouse: Path | None = WAREHOUSE, fmt: OutputFormat = FORMAT) -> None:
    """List the recorded goals.

    Example: capcoop goals list --format json
    """
    from capcoop.services.goals import list_goals

    goals = list_goals(warehouse=_warehouse(warehouse))
    if not goals and fmt is OutputFormat.table:
        stdout.print("no goals recorded; add one with `capcoop goals add`")
        return
    emit_rows(goals, fmt, title="goals", caption=goals[0]["stored_in"] if goals else None)


@goals_app.command("progress")
def progress_command(
    goal_id: int | None = typer.Argument(None, help="A goal id (default: every goal)."),
    warehouse: Path | None = WAREHOUSE, fmt: OutputFormat = FORMAT,
) -> None:
    """Compare goals with the data: base, latest, required path, projection, on/off track.

    Example: capcoop goals progress 1 --format json
    """
    from capcoop.services.goals import goal_progress

    report = goal_progress(goal_id, warehouse=_warehouse(warehouse))
    rows = report.records()
    if fmt is not OutputFormat.table:
        emit_rows(rows, fmt)
        return
    if not rows:
        stdout.print("no goals recorded; add one with `capcoop goals add`")
        return
    shown = [{"id": r["goal_id"], "status": r["status"], "statement": r["statement"],
              "source": r["source"]} for r in rows]
    emit_rows(shown, fmt, title=f"goal progress ({report.today})",
              caption=f"data: {report.warehouse}; goals: {report.store}")
    for note in report.notes:
        stdout.print(f"[dim]note:[/] {note}", highlight=False, soft_wrap=True)


@goals_app.command("remove")
def remove_command(goal_id: int = typer.Argument(..., help="The goal id."),
                   warehouse: Path | None = WAREHOUSE, fmt: OutputFormat = FORMAT) -> None:
    """Delete a goal.

    Example: capcoop goals remove 2
    """
    from capcoop.services.goals import remove_goal

    goal = remove_goal(goal_id, warehouse=_warehouse(warehouse))
    emit_rows([goal], fmt, title=f"goal {goal['goal_id']} removed", caption=goal["stored_in"])


@goals_app.command("metrics")
def metrics_command(fmt: OutputFormat = FORMAT) -> None:
    """List the metrics a goal can track, their units and how they are measured.

    Example: capcoop goals metrics
    """
    from capcoop.services.goals import metrics

    emit_rows(metrics(), fmt, title="goal metrics")


def register_goals_commands(app: typer.Typer) -> None:
    """Attach the ``goals`` command group to ``app``."""
    app.add_typer(goals_app, name="goals")
