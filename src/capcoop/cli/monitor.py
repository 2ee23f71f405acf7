"""Trade-monitor commands: ``monitor``, ``partners``, ``headlines``, ``mirror`` and ``products``.

Each command parses its options, calls one service of :mod:`capcoop.services.monitor` and
renders the result: a table (with the warehouse in the caption and the notes below), JSON or
CSV. ``register_monitor_commands(app)`` attaches them to the root app.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from capcoop.cli import state
from capcoop.cli.render import OutputFormat, emit_rows, stdout, to_json

if TYPE_CHECKING:
    import pandas as pd


class _LazyService:
    """The monitor service, imported on first use so unrelated commands start fast."""

    def __getattr__(self, name: str) -> Any:
        from capcoop.services import monitor

        return getattr(monitor, name)


service = _LazyService()

__all__ = ["register_monitor_commands"]

FORMAT = typer.Option(OutputFormat.table, "--format", help="table, json or csv.")
WAREHOUSE = typer.Option(None, "--warehouse", help="Warehouse file (default: the global --warehouse).")
YEAR = typer.Option(..., "--year", help="The year, e.g. 2020.")
MONTHS = typer.Option(None, "--months", help="Months of the year: 8, or 1-8 for January-August "
                                             "(cumulative year to date).")
BASIS = typer.Option(None, "--basis", help="reported (the reporter's declarations; default), "
                                           "mirror (the partners') or reconciled (BACI).")
BLOCS = typer.Option(None, "--blocs", help="Blocs counted as one partner, e.g. ASEAN,EU "
                                           "(default: setting ranking_blocs; 'none' for none).")
SOURCE = typer.Option(None, "--source", help="Source to read, e.g. imf-dots (default: the one "
                                             "covering most partners).")
REPORTER = typer.Argument(..., help="Reporter: ISO3 code, country name or bloc (CHN, 'Viet Nam', ASEAN).")
PARTNER = typer.Argument(..., help="Partner: ISO3 code, country name or bloc.")
EXPLAIN = typer.Option(False, "--explain", help="Also list the stored rows behind the figures.")


def _warehouse(option: Path | None) -> Path | None:
    return option if option is not None else state.warehouse


def _money(value: float | None, currency: str) -> str:
    if currency == "USD":
        from capcoop.analytics.trade import format_usd

        return format_usd(value)
    return "n/a" if value is None else f"{currency} {value / 1e9:,.2f} billion"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.1f}%"


def _frame_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [] if frame is None or frame.empty else frame.astype(object).where(frame.notna(), None) \
        .to_dict(orient="records")


def _print_notes(notes: list[str] | tuple[str, ...]) -> None:
    for note in notes:
        stdout.print(f"[dim]note:[/] {note}", highlight=False, soft_wrap=True)


def monitor_command(
    reporter: str = REPORTER, partner: str = PARTNER, year: int = YEAR,
    months: str | None = MONTHS, basis: str | None = BASIS, blocs: str | None = BLOCS,
    source: str | None = SOURCE,
    since: int | None = typer.Option(None, "--since", help="First year of the CAGR, e.g. 2010."),
    explain: bool = EXPLAIN, warehouse: Path | None = WAREHOUSE, fmt: OutputFormat = FORMAT,
) -> None:
    """Bilateral trade of a pair: exports, imports, balance, growth, shares, rank and streak.

    Example: capcoop monitor CHN ASEAN --year 2020 --format json
    """
    report = service.monitor(reporter, partner, year, months=months, basis=basis, blocs=blocs,
                     source=source, since=since, explain=explain, warehouse=_warehouse(warehouse))
    record = report.record()
    rows = _frame_records(report.summary.rows)
    if fmt is OutputFormat.json:
        sys.stdout.write(to_json(record | ({"explain": rows} if explain else {})) + "\n")
        return
    if fmt is OutputFormat.csv:
        emit_rows([{k: (" | ".join(v) if isinstance(v, list) else v) for k, v in record.items()}],
                  fmt)
        return
    emit_rows(_monitor_lines(report), fmt, title=f"{record['reporter_name']} - "
              f"{record['partner_name']}, {record['period']} ({record['basis']})",
              caption=f"warehouse: {record['warehouse']}")
    _print_notes(record["notes"])
    if explain:
        emit_rows(rows, fmt, title="Stored rows behind the figures")


def _monitor_lines(report: Any) -> list[dict[str, str]]:
    s, record, c = report.summary, report.record(), report.summary.currency
    lines = [("exports", _money(s.current.exports, c)), ("imports", _money(s.current.imports, c)),
             ("total trade", _money(s.current.total, c)), ("balance", _money(s.current.balance, c)),
             ("total, year on year", _pct(s.total_yoy_pct)),
             ("share of reporter's total trade", _pct(s.share_of_reporter_total_pct).lstrip("+")),
             ("share of partner's total trade", _pct(s.share_of_partner_total_pct).lstrip("+")),
             ("partner's rank", str(record["partner_rank"] or "n/a")),
             ("largest partner", str(record["largest_partner"] or "n/a")),
             ("years ranked first in a row", str(record["rank1_streak_years"]))]
    if s.cagr_since is not None:
        lines.append((f"CAGR since {s.cagr_since}", _pct(s.cagr_pct)))
    return [{"metric": k, "value": v} for k, v in lines]


def partners_command(
    reporter: str = REPORTER, year: int = YEAR, months: str | None = MONTHS,
    blocs: str | None = BLOCS,
    top: int = typer.Option(10, "--top", min=1, help="How many partners to list."),
    by: str = typer.Option("total", "--by", help="Rank by total, exports or imports."),
    basis: str | None = BASIS, source: str | None = SOURCE,
    warehouse: Path | None = WAREHOUSE, fmt: OutputFormat = FORMAT,
) -> None:
    """A reporter's partners ranked by trade; chosen blocs count as one partner.

    Example: capcoop partners CHN --year 2020 --blocs ASEAN,EU --top 5 --format json
    """
    ranking = service.partner_ranking(reporter, year, months=months, blocs=blocs, by=by, basis=basis,
                              source=source, warehouse=_warehouse(warehouse))
    records = ranking.records(top)
    if fmt is not OutputFormat.table:
        emit_rows(records if fmt is OutputFormat.json else
                  [r | {"members": " ".join(r["members"])} for r in records], fmt)
        return
    money = ranking.currency
    rows = [{"rank": r["rank"], "partner": r["partner"], "name": r["partner_name"],
             "total": _money(r.get("total_usd", r.get(f"total_{money.lower()}")), money),
             "share": _pct(r["share_pct"]).lstrip("+"), "year on year": _pct(r["yoy_pct"])}
            for r in records]
    emit_rows(rows, fmt, title=f"Partners of {ranking.reporter.label()}, "
              f"{ranking.period.label} ({ranking.selection.basis}, by {ranking.by})",
              caption=f"warehouse: {ranking.warehouse}")
    _print_notes(ranking.notes)


def headlines_command(
    reporter: str = REPORTER, partner: str = PARTNER, year: int = YEAR,
    months: str | None = MONTHS,
    lang: str | None = typer.Option(None, "--lang", help="en or zh (default: setting lang)."),
    blocs: str | None = BLOCS, basis: str | None = BASIS, source: str | None = SOURCE,
    explain: bool = EXPLAIN, warehouse: Path | None = WAREHOUSE, fmt: OutputFormat = FORMAT,
) -> None:
    """Headline statements about a pair (rank, trade and growth, streak), in English or Chinese.

    Example: capcoop headlines CHN ASEAN --year 2020 --lang zh --explain
    """
    result = service.headlines(reporter, partner, year, months=months, lang=lang, blocs=blocs,
                       basis=basis, source=source, warehouse=_warehouse(warehouse))
    rows = _frame_records(result.explain_rows()) if explain else []
    if fmt is OutputFormat.json:
        sys.stdout.write(to_json(result.record() | ({"explain": rows} if explain else {})) + "\n")
        return
    facts = [{"statement": i + 1, "fact": f.name, "value": f.value, "formula": f.formula}
             for i, s in enumerate(result.statements) for f in s.facts]
    if fmt is OutputFormat.csv:
        emit_rows(facts, fmt)
        return
    for statement in result.statements:
        stdout.print(statement.text, highlight=False, soft_wrap=True)
    stdout.print(f"[dim](warehouse: {result.warehouse})[/]", highlight=False)
    _print_notes(result.notes)
    if explain:
        emit_rows(facts, fmt, title="Facts and formulas")
        emit_rows(rows, fmt, title="Stored rows behind the facts")


def mirror_command(
    reporter: str = REPORTER, partner: str = PARTNER, year: int = YEAR,
    months: str | None = MONTHS, source: str | None = SOURCE,
    warehouse: Path | None = WAREHOUSE, fmt: OutputFormat = FORMAT,
) -> None:
    """Reported vs mirror figures of a pair, side by side, with the gap and the CIF/FOB caveat.

    Example: capcoop mirror CHN VNM --year 2020
    """
    result = service.mirror_comparison(reporter, partner, year, months=months, source=source,
                               warehouse=_warehouse(warehouse))
    emit_rows(result.records(), fmt, title=f"{result.reporter.label()} - {result.partner.label()}"
              f", {result.period.label}: reported vs mirror", caption=f"warehouse: {result.warehouse}")
    if fmt is OutputFormat.table:
        _print_notes([*result.notes, result.caveat])


def products_command(
    reporter: str = REPORTER, partner: str = PARTNER, year: int = YEAR,
    flow: str = typer.Option("exports", "--flow", help="exports or imports (the reporter's)."),
    digits: int = typer.Option(4, "--digits", help="HS digits: 2, 4 or 6."),
    top: int = typer.Option(10, "--top", min=1, help="How many products and movers."),
    basis: str | None = BASIS, source: str | None = SOURCE,
    warehouse: Path | None = WAREHOUSE, fmt: OutputFormat = FORMAT,
) -> None:
    """Product composition of a pair's trade: top products, cooperation sectors, top movers.

    Example: capcoop products CHN VNM --year 2021 --flow exports --digits 4
    """
    result = service.product_composition(reporter, partner, year, flow=flow, digits=digits, top=top,
                                 basis=basis, source=source, warehouse=_warehouse(warehouse))
    data = {"products": _frame_records(result.products), "sectors": _frame_records(result.sectors),
            "movers": _frame_records(result.movers), "notes": list(result.notes),
            "warehouse": result.warehouse}
    if fmt is OutputFormat.json:
        sys.stdout.write(to_json(data) + "\n")
        return
    for key in ("products", "sectors", "movers"):
        if fmt is OutputFormat.csv:
            sys.stdout.write(f"# {key}\n")
        emit_rows(data[key], fmt, title=f"{key} ({result.flow}, {result.period.label})",
                  caption=f"warehouse: {result.warehouse}")
    if fmt is OutputFormat.table:
        _print_notes(result.notes)


def register_monitor_commands(app: typer.Typer) -> None:
    """Attach ``monitor``, ``partners``, ``headlines``, ``mirror`` and ``products`` to ``app``."""
    for name, command in (("monitor", monitor_command), ("partners", partners_command),
                          ("headlines", headlines_command), ("mirror", mirror_command),
                          ("products", products_command)):
        app.command(name)(command)
