"""The cooperation brief: headline statements, charts, cooperation areas, supply dependencies,
critical supplies and data sources for a provider and a partner in one year.

:func:`assemble_brief` asks the services for every figure (the brief computes nothing of its
own) and returns a :class:`Brief` value; :mod:`capcoop.reports.render` turns it into a
self-contained HTML file and a PDF. Sections whose service or data is missing say what to
load instead of failing. Every headline number carries a footnote naming its source, the
stored table and the loads (files with checksums) its rows came from.
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from capcoop.analytics.trade import format_usd
from capcoop.errors import InputError
from capcoop.reports import charts, sections
from capcoop.reports.i18n import check_lang, labels, term, text
from capcoop.reports.sections import Block, Section, Table
from capcoop.services import monitor as monitor_service
from capcoop.services.monitor import Economy, economy
from capcoop.settings import get_setting

__all__ = ["Brief", "Chart", "Footnote", "Statement", "Block", "Section", "Table",
           "assemble_brief", "latest_year", "TREND_YEARS", "TOP_PARTNERS"]

#: Years shown in the trade-trend chart (ending with the brief's year).
TREND_YEARS = 16
#: Partners shown in the ranking chart.
TOP_PARTNERS = 10
_SHARE_YEARS = 10
_WORKERS = 3  # threads for the sections that do not need the monitor's figures
_MONEY_FACTS = ("total", "other_partner_total", "difference")


@dataclass(frozen=True)
class Footnote:
    """A numbered note naming where the figures of a statement come from."""

    number: int
    text: str


@dataclass(frozen=True)
class Statement:
    """A headline statement (the service's text) and the footnote behind its numbers."""

    text: str
    footnote: int
    facts: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class Chart:
    """A chart as inline SVG, with its title and caption."""

    key: str
    title: str
    caption: str
    svg: str


@dataclass(frozen=True)
class Brief:
    """Everything the brief says, in one language, ready to render.

    ``statements`` are the monitor's headline statements word for word; ``key_figures`` the
    monitor's figures; ``sections`` the cooperation areas, supply dependencies and critical
    supplies (each ``available`` or with a note saying what to load); ``sources`` the data
    sources, licences and caveats.
    """

    provider: Economy
    partner: Economy
    year: int
    lang: str
    warehouse: str
    is_demo: bool
    generated: dt.date
    title: str
    statements: tuple[Statement, ...]
    key_figures: Table
    key_footnote: int
    charts: tuple[Chart, ...]
    sections: tuple[Section, ...]
    sources: sections.Sources
    footnotes: tuple[Footnote, ...]
    warnings: tuple[str, ...] = ()
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def headline_text(self) -> str:
        """The headline statements as one paragraph."""
        return ("" if self.lang == "zh" else " ").join(s.text for s in self.statements)

    def records(self) -> list[dict[str, Any]]:
        """One row per headline fact: statement number, fact name, value and footnote."""
        return [{"statement": i + 1, "text": s.text, "fact": f["name"], "value": f["value"],
                 "footnote": s.footnote} for i, s in enumerate(self.statements) for f in s.facts]

    def meta(self) -> dict[str, Any]:
        """Warehouse label, parameters, sources (loads), notes and which sections are available."""
        return {"warehouse": self.warehouse, "parameters": dict(self.parameters),
                "sources": list(self.sources.loads), "notes": list(self.sources.notes),
                "sections": {s.key: s.available for s in self.sections},
                "warnings": list(self.warnings), "generated": self.generated.isoformat()}


# --- parameters -------------------------------------------------------------------------------


def latest_year(provider: str = "CHN", partner: str = "ASEAN", *,
                warehouse: str | Path | None = None) -> int:
    """The latest complete year of trade data the warehouse holds for ``provider``'s trade.

    A year is complete with annual rows or all twelve months; the provider's own declarations
    are preferred, the partners' (mirror) rows used when it declares nothing.
    """
    from capcoop.warehouse.connection import open_reader
    from capcoop.warehouse.trade_queries import flow_coverage

    rep = economy(provider, role="provider")
    economy(partner, role="partner")  # an unknown partner is reported before any query
    codes = sorted(rep.ever_members())
    with open_reader(warehouse) as (con, _):
        cov = flow_coverage(con, codes=codes, totals_only=True)
        if cov.empty:
            cov = flow_coverage(con, codes=codes)
    if cov.empty:
        raise InputError(f"the warehouse holds no trade data for {rep.code}",
                         hint="load some with `capcoop ingest` (see `capcoop sources`), or "
                              "choose another --provider")
    own = cov[cov["side"] == "reporter"]
    cov = own if len(own) else cov
    months = cov[cov["freq"] == "M"].groupby("year")["month"].nunique()
    complete = set(cov.loc[cov["freq"] == "A", "year"]) | set(months[months >= 12].index)
    years = sorted(complete) or sorted(set(cov["year"]))
    return int(years[-1])


def _ranking_blocs(partner: Economy) -> list[str]:
    """The blocs counted as one partner in the charts: the defaults, plus the partner when it
    is a bloc (dropping default blocs that share members with it), as the headlines do."""
    groups = list(monitor_service.ranking_blocs())
    if partner.is_bloc:
        groups = [partner] + [g for g in groups if g.code != partner.code
                              and not (g.ever_members() & partner.ever_members())]
    return [g.code for g in groups]


def _name(code: str, lang: str, fallback: str | None = None) -> str:
    try:
        return economy(code).short_name(lang)
    except InputError:
        return fallback or code


# --- footnotes --------------------------------------------------------------------------------


class _Notes:
    """Collects footnotes in order of first use."""

    def __init__(self) -> None:
        self.items: list[Footnote] = []

    def add(self, body: str) -> int:
        self.items.append(Footnote(len(self.items) + 1, body))
        return len(self.items)


def _fact_value(name: str, value: Any, lang: str) -> str:
    if value is None:
        return text("unavailable", lang)
    if name.endswith("_pct"):
        return f"{float(value):.1f}%"
    if name in _MONEY_FACTS:
        return format_usd(value, lang)
    return str(value)


def _source_titles() -> dict[str, str]:
    from capcoop.sources import source_infos

    return {info.name: info.title for info in source_infos()}


def _provenance_text(frames: list[pd.DataFrame], selection: Any, loads: dict[int, dict],
                     lang: str) -> list[str]:
    """Source, table and loads of the stored rows behind some facts."""
    stored = [f for f in frames if len(f) and "load_id" in f.columns]
    history = [f for f in frames if len(f) and "load_id" not in f.columns and "year" in f.columns]
    parts: list[str] = []
    if stored:
        rows = pd.concat(stored, ignore_index=True).drop_duplicates(
            subset=["source", "year", "month", "reporter", "partner", "stored_flow", "load_id"])
        names = sorted(set(rows["source"]))
        titles = _source_titles()
        for name in names:
            parts.append(text("fn_source", lang, title=titles.get(name, name), source=name,
                              table="trade_flows", basis=selection.basis,
                              kind=text(f"kind_{selection.freq}", lang) + " "
                              + selection.classification))
        ids = sorted({int(i) for i in rows["load_id"].dropna()})
        files = [f"{loads[i]['file']} (sha256 {str(loads[i]['sha256'])[:12]}…)"
                 for i in ids if i in loads]
        parts.append(text("fn_rows", lang, rows=len(rows), loads=", ".join(map(str, ids)),
                          files="; ".join(files) or "-"))
    for frame in history:
        parts.append(text("fn_history", lang, n=frame["year"].nunique()))
    return parts


def _statement_note(statement: Any, selection: Any, loads: dict[int, dict], call: str,
                    lang: str) -> str:
    facts = []
    for fact in statement.facts:
        value = _fact_value(fact.name, fact.value, lang)
        facts.append(f"{term(fact.name, lang)} = {value}"
                     + (f" [{fact.formula}]" if lang == "en" else ""))
    parts = [f"{text('fn_facts', lang)}: " + "; ".join(facts) + "."] if facts else []
    parts += _provenance_text([f.rows for f in statement.facts], selection, loads, lang)
    parts.append(call)
    return " ".join(parts)


# --- the headline sections ----------------------------------------------------------------------


def _money(value: float | None, currency: str, lang: str) -> str:
    if currency == "USD" or value is None:
        return format_usd(value, lang)
    return f"{currency} {value / 1e9:,.2f} bn"


def _pct(value: float | None, lang: str, *, signed: bool = False) -> str:
    if value is None:
        return text("unavailable", lang)
    return f"{value:+.1f}%" if signed else f"{value:.1f}%"


def _key_figures(report: Any, lang: str) -> Table:
    s, record = report.summary, report.record()
    p_name, r_name = s.partner.short_name(lang), s.reporter.short_name(lang)
    c = s.currency
    rows = [
        (text("exports_of", lang, name=r_name, other=p_name), _money(s.current.exports, c, lang)),
        (text("imports_of", lang, name=r_name, other=p_name), _money(s.current.imports, c, lang)),
        (text("total_trade", lang), _money(s.current.total, c, lang)),
        (text("balance", lang, name=r_name), _money(s.current.balance, c, lang)),
        (text("yoy", lang), _pct(s.total_yoy_pct, lang, signed=True)),
        (text("share_reporter", lang, name=r_name), _pct(s.share_of_reporter_total_pct, lang)),
        (text("share_partner", lang, name=p_name), _pct(s.share_of_partner_total_pct, lang)),
        (text("rank", lang, partner=p_name, provider=r_name),
         str(record["partner_rank"] or text("unavailable", lang))),
        (text("streak", lang), str(record["rank1_streak_years"])),
    ]
    first = _first_complete_year(s.series)
    if first is not None and first < s.period.year:
        from capcoop.analytics.trade import cagr_pct

        row = s.series[s.series["year"] == first].iloc[0]
        rows.append((text("cagr", lang, since=first),
                     _pct(cagr_pct(row["total"], s.current.total, s.period.year - first), lang,
                          signed=True)))
    return Table((text("metric", lang), text("value", lang)), tuple(rows))


def _first_complete_year(series: pd.DataFrame) -> int | None:
    done = series[series["status"] == "complete"] if len(series) else series
    return int(done["year"].min()) if len(done) else None


def _trend_chart(report: Any, lang: str) -> Chart:
    s, r_name, p_name = report.summary, report.summary.reporter.short_name(lang), \
        report.summary.partner.short_name(lang)
    series = s.series
    first = _first_complete_year(series)
    series = series[series["year"] >= first] if first is not None else series
    years = [int(y) for y in series["year"]]
    title = text("chart_trend", lang, provider=r_name, partner=p_name,
                 first=years[0] if years else s.period.year, last=s.period.year)
    svg = charts.trend_chart(years, list(series["exports"]), list(series["imports"]),
                             report.ranks.ranks, labels=labels(lang), title=title, lang=lang)
    return Chart("trend", title, text("chart_trend_caption", lang, provider=r_name,
                                      partner=p_name), svg)


def _ranking_chart(ranking: Any, partner: Economy, lang: str) -> Chart:
    table = ranking.table.head(TOP_PARTNERS)
    names = [_name(code, lang, name) for code, name in zip(table["partner"], table["name"],
                                                              strict=True)]
    r_name = ranking.reporter.short_name(lang)
    title = text("chart_ranking", lang, provider=r_name, year=ranking.period.year)
    shares = [None if pd.isna(v) else float(v) for v in table["share_pct"]]
    svg = charts.ranking_chart(names, [float(v) for v in table["total"]], shares,
                               [code == partner.code for code in table["partner"]],
                               labels=labels(lang), title=title, lang=lang)
    blocs = (" / " if lang == "en" else "、").join(_name(g.code, lang) for g in ranking.groups)
    return Chart("ranking", title, text("chart_ranking_caption", lang, blocs=blocs or "-",
                                        year=ranking.period.year, provider=r_name), svg)


def _shares_chart(history: list[Any], ranking: Any, partner: Economy, lang: str) -> Chart | None:
    if len(history) < 2:
        return None
    leaders = list(ranking.table.head(5)["partner"])
    series = {code: {} for code in leaders}
    for item in history:
        shares = dict(zip(item.table["partner"], item.table["share_pct"], strict=True))
        for code in leaders:
            value = shares.get(code)
            series[code][item.period.year] = None if value is None or pd.isna(value) else float(value)
    named = {_name(code, lang): points for code, points in series.items()}
    r_name = ranking.reporter.short_name(lang)
    years = [h.period.year for h in history]
    title = text("chart_shares", lang, provider=r_name, first=years[0], last=years[-1])
    svg = charts.shares_chart(named, highlight=_name(partner.code, lang), labels=labels(lang),
                              title=title, lang=lang)
    return Chart("shares", title, text("chart_shares_caption", lang, year=ranking.period.year),
                 svg)


def _call(name: str, provider: Economy, partner: Economy | None, year: int, extra: str = "",
          lang: str = "en") -> str:
    args = ", ".join([repr(provider.code)] + ([repr(partner.code)] if partner else [])
                     + [str(year)] + ([extra] if extra else []))
    return text("fn_call", lang, call=name, args=args)


# --- assembling -------------------------------------------------------------------------------


def assemble_brief(provider: str = "CHN", partner: str = "ASEAN", year: int | None = None, *,
                   lang: str | None = None, warehouse: str | Path | None = None,
                   today: dt.date | None = None) -> Brief:
    """Gather the brief's content from the services.

    Parameters
    ----------
    provider, partner
        The capacity provider (the monitor's reporter) and the partner: ISO3 codes, names or
        blocs (CHN, 'Viet Nam', ASEAN). A bloc partner's members on the year's last day are the
        host countries of the cooperation-areas section.
    year
        The year; default: the latest complete year the warehouse holds (:func:`latest_year`).
    lang
        ``en`` or ``zh`` (default: setting ``lang``).
    warehouse
        The warehouse file (default: the user's, else the embedded demo).
    today
        The date printed in the title block (default: today).

    Raises
    ------
    InputError
        Unknown country or bloc, unknown language, a year without data for the pair.
    """
    language = check_lang(str(get_setting("lang", lang)))
    rep, par = economy(provider, role="provider"), economy(partner, role="partner")
    if year is None:
        year = latest_year(rep.code, par.code, warehouse=warehouse)
    blocs = _ranking_blocs(par)
    hosts = sections.host_countries(rep, par, year)
    # The sections below the headlines, the data-sources list and matplotlib's import do not
    # depend on the monitor's figures: they run in worker threads (DuckDB and much of pandas
    # release the GIL) while this thread asks the monitor. Charts are drawn here, one at a time.
    with ThreadPoolExecutor(max_workers=_WORKERS, thread_name_prefix="capcoop-brief") as pool:
        plotting = pool.submit(charts.preload)
        pending = (pool.submit(sections.opportunities_section, rep, par, hosts, year, language,
                               warehouse),
                   pool.submit(sections.dependencies_section, rep, par, year, language, warehouse),
                   pool.submit(sections.supplies_section, par, year, language, warehouse),
                   pool.submit(sections.sources_section, warehouse, language))
        heads = monitor_service.headlines(rep.code, par.code, year, lang=language, blocs=blocs,
                                          warehouse=warehouse)
        report = monitor_service.monitor(rep.code, par.code, year, blocs=blocs,
                                         since=year - TREND_YEARS + 1, warehouse=warehouse)
        history = monitor_service.ranking_history(rep.code, year - _SHARE_YEARS + 1, year,
                                                  blocs=blocs, warehouse=warehouse)
        # the history's last ranking is the year's ranking (same rows, same selection)
        ranking = history[-1] if history and history[-1].period.year == year else \
            monitor_service.partner_ranking(rep.code, year, blocs=blocs, warehouse=warehouse)
        plotting.result()
        figures = [_trend_chart(report, language), _ranking_chart(ranking, par, language)]
        shares = _shares_chart(history, ranking, par, language)
        figures += [shares] if shares is not None else []
        *sections_done, sources = [future.result() for future in pending]
        body = tuple(sections_done)
    loads = {int(load["load_id"]): load for load in sources.loads}
    notes, selection = _Notes(), report.summary.selection
    call = _call("headlines", rep, par, year, f"lang={language!r}", language)
    statements = tuple(
        Statement(s.text, notes.add(_statement_note(s, selection, loads, call, language)),
                  tuple({"name": f.name, "value": f.value, "formula": f.formula} for f in s.facts))
        for s in heads.statements)
    stored = [f.rows for s in heads.statements for f in s.facts if f.name == "total"]
    key_note = notes.add(" ".join(
        _provenance_text(stored, selection, loads, language)
        + [_call("monitor", rep, par, year, f"since={year - TREND_YEARS + 1}", language)]))
    service_notes = list(dict.fromkeys([*heads.notes, *report.record()["notes"], *ranking.notes,
                                        *(n for section in body for n in section.service_notes)]))
    sources = sections.with_notes(sources, service_notes)
    warning = charts.font_warning(language)
    r_name, p_name = rep.short_name(language), par.short_name(language)
    return Brief(
        rep, par, year, language, heads.warehouse, sources.is_demo, today or dt.date.today(),
        text("title", language, provider=r_name, partner=p_name, year=year), statements,
        _key_figures(report, language), key_note, tuple(figures), body, sources,
        tuple(notes.items), (warning,) if warning else (),
        {"provider": rep.code, "partner": par.code, "year": year, "lang": language,
         "ranking_blocs": blocs, "hosts": list(hosts)})

