"""The brief's sections beyond the headlines: cooperation areas per host country, supply
dependencies, critical supplies, and data sources with licences and caveats.

Each section calls one service through its documented contract (``records()`` and ``meta()``)
and degrades to a note saying what to install or load when the service or its data is
missing; a missing section never stops the brief.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

from capcoop.errors import CapcoopError
from capcoop.reports.i18n import term, text
from capcoop.services.monitor import CIF_FOB_CAVEAT, Economy

__all__ = ["Table", "Block", "Section", "Sources", "host_countries", "opportunities_section",
           "dependencies_section", "supplies_section", "sources_section", "with_notes",
           "attribution_entries", "TOP_AREAS", "TOP_DEPENDENCIES"]

#: Cooperation areas listed per host country.
TOP_AREAS = 5
#: Dependencies listed per importer.
TOP_DEPENDENCIES = 8


@dataclass(frozen=True)
class Table:
    """Column labels and rows of display text."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Block:
    """A sub-section: a heading, an optional table and notes (a host country, an importer)."""

    heading: str
    table: Table | None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Section:
    """A section of the brief; ``available`` False means it shows only its notes (what to
    load or install). ``service_notes`` are the service's own notes, listed with the sources."""

    key: str
    title: str
    available: bool
    intro: str = ""
    blocks: tuple[Block, ...] = ()
    notes: tuple[str, ...] = ()
    service_notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sources:
    """Data sources and caveats: the warehouse's loads, licences, caveats and service notes."""

    warehouse: str
    is_demo: bool
    loads: tuple[dict[str, Any], ...]
    attribution: tuple[dict[str, str], ...]
    attribution_note: str
    caveats: tuple[str, ...]
    notes: tuple[str, ...] = ()


def _service(name: str) -> Any | None:
    """``capcoop.services.<name>`` or None when this installation does not have it."""
    module = f"capcoop.services.{name}"
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as err:
        if err.name == module:
            return None
        raise


def _reason(err: CapcoopError) -> str:
    return err.message + (f" ({err.hint})" if err.hint else "")


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    if isinstance(value, bool):
        return "✓" if value else ""
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(str(v) for v in value)
    return str(value)


# --- host countries and cooperation areas -----------------------------------------------------


def host_countries(provider: Economy, partner: Economy, year: int) -> tuple[str, ...]:
    """The host countries of the cooperation-areas section: a bloc partner's members at the end
    of ``year`` (dated membership) other than the provider, else the partner itself."""
    if not partner.is_bloc:
        return (partner.code,)
    members = partner.bloc.members_for_period(year) - provider.ever_members()  # type: ignore[union-attr]
    return tuple(sorted(members, key=lambda c: partner_name(c, "en")))


def partner_name(code: str, lang: str) -> str:
    """Short name of a country code in ``lang`` (the code itself when unknown)."""
    from capcoop.services.monitor import economy

    try:
        return economy(code).short_name(lang)
    except CapcoopError:
        return code


def _drivers(components: dict[str, Any], lang: str, n: int = 3) -> str:
    parts = sorted(((name, c.get("contribution")) for name, c in (components or {}).items()
                    if isinstance(c, dict) and c.get("contribution") is not None),
                   key=lambda item: -float(item[1]))
    return ("、" if lang == "zh" else ", ").join(
        f"{term(name, lang)} ({float(value):+.2f})" for name, value in parts[:n]
        if float(value) > 0) or "–"


def _area_name(record: dict[str, Any], lang: str) -> str:
    code = str(record.get("code") or "")
    name = record.get("name") or code
    if lang == "zh":
        try:
            from capcoop.codes.io_sectors import io_sector

            name = io_sector(code).name_zh or name
        except (ImportError, CapcoopError, AttributeError):
            pass
    return str(name)


def _area_table(records: Sequence[dict[str, Any]], lang: str) -> Table:
    rows = tuple((str(r.get("rank", i + 1)), _area_name(r, lang), _fmt(r.get("score")),
                  _drivers(r.get("components", {}), lang),
                  ("、" if lang == "zh" else ", ").join(term(str(t), lang)
                                                       for t in r.get("tags", []) or []) or "–")
                 for i, r in enumerate(records))
    return Table((text("rank_col", lang), text("area", lang), text("score", lang),
                  text("drivers", lang), text("tags", lang)), rows)


def _rank_areas(service: Any, provider: str, host: str, year: int,
                warehouse: str | Path | None) -> Any:
    """The service's sector ranking for ``year``, else for its default (latest) year."""
    try:
        return service.rank_opportunities(provider, host, level="sector", year=year,
                                          top=TOP_AREAS, warehouse=warehouse)
    except CapcoopError as first:
        try:
            return service.rank_opportunities(provider, host, level="sector", top=TOP_AREAS,
                                              warehouse=warehouse)
        except CapcoopError:
            raise first from None


def _scenario_name(meta: dict[str, Any]) -> str:
    scenario = (meta.get("parameters") or {}).get("scenario", "balanced")
    return str(scenario.get("name", "balanced") if isinstance(scenario, dict) else scenario)


def _host_reports(report: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """Per-host reports and skipped hosts (with reasons) of a bloc or single-host result."""
    if hasattr(report, "members"):
        return dict(report.members), dict(getattr(report, "skipped", {}) or {})
    return {str(report.meta()["parameters"]["host"]): report}, {}


def _host_block(host: str, reports: dict[str, Any], skipped: dict[str, str], lang: str,
                year: int) -> Block:
    name = partner_name(host, lang)
    if host not in reports:
        reason = skipped.get(host, text("unavailable", lang))
        return Block(name, None, (text("opp_failed", lang, host=name, reason=reason),))
    report = reports[host]
    used = (report.meta().get("parameters") or {}).get("year")
    notes = (text("opp_year_note", lang, year=year, used=used),) \
        if used is not None and used != year else ()
    return Block(name, _area_table(report.records()[:TOP_AREAS], lang), notes)


def opportunities_section(provider: Economy, partner: Economy, hosts: Sequence[str], year: int,
                          lang: str, warehouse: str | Path | None) -> Section:
    """Top cooperation areas per host country, from
    :func:`capcoop.services.opportunities.rank_opportunities` (sector level; a bloc partner is
    ranked in one call, every member with its own explanation)."""
    title = text("s_opportunities", lang)
    service = _service("opportunities")
    if service is None:
        return Section("opportunities", title, False, notes=(text("opp_missing", lang),))
    try:
        report = _rank_areas(service, provider.code, partner.code, year, warehouse)
    except CapcoopError as err:
        name = partner.short_name(lang)
        return Section("opportunities", title, False, notes=(
            text("opp_failed", lang, host=name, reason=_reason(err)),))
    reports, skipped = _host_reports(report)
    blocks = tuple(_host_block(h, reports, skipped, lang, year) for h in hosts)
    scenario = _scenario_name(report.meta())
    names = ("、" if lang == "zh" else ", ").join(partner_name(h, lang) for h in hosts)
    intro = (text("hosts_intro", lang, hosts=names, partner=partner.short_name(lang), year=year,
                  provider=provider.short_name(lang), scenario=scenario) if partner.is_bloc else
             text("host_one_intro", lang, partner=partner.short_name(lang),
                  provider=provider.short_name(lang), scenario=scenario))
    available = any(b.table is not None for b in blocks)
    return Section("opportunities", title, available, intro, blocks)


# --- supply dependencies ------------------------------------------------------------------------

_FLAGS = ("eu_critical", "eu_dependent", "cepii_dependent")


def _supplier(record: dict[str, Any], prefix: str, lang: str) -> str:
    code, share = record.get(f"{prefix}_supplier"), record.get(f"{prefix}_share")
    if not code:
        return "–"
    return partner_name(str(code), lang) + (f" {100 * float(share):.1f}%" if share is not None
                                            else "")


def _dependency_table(records: Sequence[dict[str, Any]], lang: str) -> Table:
    """Rows of :func:`capcoop.services.dependencies.dependency_screen` (its ranking order)."""
    from capcoop.analytics.trade import format_usd

    rows = []
    for r in records[:TOP_DEPENDENCIES]:
        product = term(str(r.get("description") or r.get("product") or "–"), lang)
        if r.get("product") and r.get("product") not in ("TOTAL", product):
            product = f"{r['product']} {product}"
        flags = ", ".join(term(f, lang) for f in _FLAGS if r.get(f)) or "–"
        rows.append((product, format_usd(r.get("imports_usd"), lang), _supplier(r, "top", lang),
                     _supplier(r, "second", lang), _fmt(r.get("hhi"), 3),
                     _fmt(r.get("substitutability"), 1), _fmt(r.get("criteria_met")), flags))
    columns = tuple(text(k, lang) for k in ("dep_product", "dep_imports", "dep_top",
                                            "dep_second", "dep_hhi", "dep_subst",
                                            "dep_criteria", "dep_flags"))
    return Table(columns, tuple(rows))


def dependencies_section(provider: Economy, partner: Economy, year: int, lang: str,
                         warehouse: str | Path | None) -> Section:
    """The partner's most concentrated imports, from
    :func:`capcoop.services.dependencies.dependency_screen` (its ranking, most criteria met
    first), with the service's notes (e.g. that product detail needs product-level trade)."""
    title = text("s_dependencies", lang)
    service = _service("dependencies")
    if service is None:
        return Section("dependencies", title, False, notes=(text("dep_missing", lang),))
    name = partner.short_name(lang)
    try:
        report = service.dependency_screen(partner.code, year=year, top=TOP_DEPENDENCIES,
                                           warehouse=warehouse)
        records = report.records()
    except CapcoopError as err:
        reason = _reason(err)
        return Section("dependencies", title, False, notes=(
            text("dep_failed", lang, importer=name, reason=reason),
            *_load_notes(reason, lang, "dep_load")))
    if not records:
        return Section("dependencies", title, False, notes=(text("dep_load", lang),))
    meta = report.meta()
    notes = [text("dep_intro", lang, importer=name, year=meta.get("year", year))]
    if meta.get("level") == "all goods" or all(r.get("product") == "TOTAL" for r in records):
        notes.append(text("dep_totals_only", lang))
    block = Block(name, _dependency_table(records, lang), (),)
    return Section("dependencies", title, True, " ".join(notes), (block,),
                   service_notes=tuple(meta.get("notes", [])))


# --- critical supplies ----------------------------------------------------------------------------


_COVERAGE = ("doses_secured_per100", "doses_delivered_per100", "people_vaccinated_per100",
             "people_fully_vaccinated_per100", "donated_pct")


def _coverage_table(records: Sequence[dict[str, Any]], lang: str) -> Table:
    """Rows of :func:`capcoop.services.supplies.coverage`: per-100 coverages by country."""
    rows = tuple((partner_name(str(r.get("country")), lang), _fmt(r.get("date")),
                  *(_fmt(r.get(k), 1) for k in _COVERAGE)) for r in records)
    columns = ("sup_country", "sup_date", "sup_secured", "sup_delivered", "sup_vaccinated",
               "sup_full", "sup_donated")
    return Table(tuple(text(k, lang) for k in columns), rows)


def _load_notes(reason: str, lang: str, key: str) -> tuple[str, ...]:
    """The generic "what to load" note, unless the service's message already says it."""
    return () if "capcoop ingest" in reason else (text(key, lang),)


def supplies_section(partner: Economy, year: int, lang: str,
                     warehouse: str | Path | None) -> Section:
    """Vaccine supplies and coverage in the partner (latest data in the ledger), from
    :func:`capcoop.services.supplies.coverage`."""
    title = text("s_supplies", lang)
    service = _service("supplies")
    if service is None:
        return Section("supplies", title, False, notes=(text("sup_missing", lang),))
    name = partner.short_name(lang)
    try:
        report = service.coverage(partner.code, warehouse=warehouse)
        records = report.records()
    except CapcoopError as err:
        reason = _reason(err)
        return Section("supplies", title, False, notes=(
            text("sup_failed", lang, region=name, reason=reason),
            *_load_notes(reason, lang, "sup_load")))
    if not records:
        return Section("supplies", title, False, notes=(text("sup_load", lang),))
    meta = report.meta()
    as_of = (meta.get("parameters") or {}).get("date") or "–"
    return Section("supplies", title, True, text("sup_intro", lang, region=name, date=as_of),
                   (Block("", _coverage_table(records, lang)),),
                   service_notes=tuple(meta.get("notes", [])))


# --- data sources and caveats -------------------------------------------------------------------


def attribution_entries(markdown: str) -> tuple[tuple[dict[str, str], ...], str]:
    """The ``## title`` entries of an attribution file (title, publisher, licence, files) and
    its closing paragraph (what is not embedded)."""
    entries, closing = [], ""
    for chunk in re.split(r"^## ", markdown, flags=re.MULTILINE)[1:]:
        head, _, body = chunk.partition("\n")
        entry = {"title": head.strip()}
        for key, label in (("publisher", "Publisher"), ("licence", "Licence / terms"),
                           ("files", "Files")):
            found = re.search(rf"^- {re.escape(label)}:\s*(.+)$", body, flags=re.MULTILINE)
            entry[key] = found.group(1).strip() if found else ""
        tail = [p for p in re.split(r"\n\s*\n", body)
                if p.strip() and not p.strip().startswith("- ")]
        if tail:
            closing = " ".join(tail[-1].split())
        entries.append(entry)
    return tuple(entries), closing


def _demo_attribution() -> tuple[tuple[dict[str, str], ...], str]:
    path = resources.files("capcoop") / "data" / "ATTRIBUTION.md"
    try:
        return attribution_entries(path.read_text(encoding="utf-8"))
    except OSError:
        return (), ""


def _source_attribution(names: Iterable[str]) -> tuple[dict[str, str], ...]:
    from capcoop.sources import source_infos

    infos = {info.name: info for info in source_infos()}
    return tuple({"title": infos[n].title, "publisher": infos[n].publisher,
                  "licence": infos[n].licence, "files": infos[n].url}
                 for n in dict.fromkeys(names) if n in infos)


def sources_section(warehouse: str | Path | None, lang: str) -> Sources:
    """The warehouse's loads (provenance rows), licences and the caveats every brief carries."""
    from capcoop.warehouse.connection import open_reader
    from capcoop.warehouse.queries import list_loads

    with open_reader(warehouse) as (con, location):
        loads = tuple(list_loads(con))
    is_demo = location.is_demo
    if is_demo:
        entries, closing = _demo_attribution()
    else:
        entries, closing = _source_attribution(str(load["source"]) for load in loads), ""
    caveats = [CIF_FOB_CAVEAT] + ([text("demo_label", lang)] if is_demo else [])
    return Sources(location.label, is_demo, loads, entries, closing, tuple(caveats))


def with_notes(sources: Sources, notes: Iterable[str]) -> Sources:
    """``sources`` with the services' notes on the figures added (duplicates dropped)."""
    return replace(sources, notes=tuple(dict.fromkeys([*sources.notes, *notes])))
