"""Supply-chain stability: import-dependency screens and trade-disruption scenarios.

``dependency_screen`` answers "which of Viet Nam's imports depend critically on one supplier";
``disruption_scenario`` answers "what happens to each importer if China's shipments of medical
supplies fall by 30%". Both read bilateral flows from ``trade_flows`` (one source, one year, one
classification), turn them into ``exporter -> importer`` values and hand them to
:mod:`capcoop.analytics.dependencies`. Methods and thresholds: ``docs/methods/dependencies.md``.

Which flows. A source with HS6 rows for the economies asked about is preferred (BACI, loaded
with ``capcoop ingest baci``; Comtrade HS files with ``capcoop ingest comtrade``); the one with
most rows in the year is taken, its most common classification. Reconciled rows (BACI) are read
as they are. Reported rows are read from the importer's side first (its declared imports, CIF)
and completed with the exporter's declared exports for the pairs no importer reports. Aggregate
partners (World, "Areas, nes") and a country's trade with itself are left out.

When the warehouse holds only totals (the embedded demo: IMF DOTS), both questions are answered
for all goods together (partner concentration of total imports) and the notes say that product
detail needs BACI or Comtrade.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from capcoop.analytics.dependencies import (
    NO_EXPORTS_RATIO,
    DisruptionRule,
    Thresholds,
    dependency_indicators,
    disruption_losses,
)
from capcoop.codes.blocs import bloc, is_bloc
from capcoop.codes.countries import countries_table, country
from capcoop.codes.product_groups import ProductSelection, select_products
from capcoop.codes.product_groups import product_groups as _all_groups
from capcoop.errors import InputError, UnknownCountryError
from capcoop.warehouse.connection import open_reader

__all__ = ["DependencyReport", "DisruptionReport", "dependency_screen", "disruption_scenario",
           "product_groups", "parse_cut", "PRODUCT_DETAIL_HINT"]

PRODUCT_DETAIL_HINT = (
    "product detail needs product-level trade: load CEPII BACI (`capcoop ingest baci "
    "BACI_HS17_Y2021_V202401.csv`) or UN Comtrade HS files (`capcoop ingest comtrade FILE`)")
INTRA_CHOICES = ("exclude", "include")


# --- economies ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Party:
    code: str
    name: str
    bloc: Any = None

    def members(self, year: int) -> frozenset[str]:
        if self.bloc is None:
            return frozenset({self.code})
        return self.bloc.members_on(dt.date(year, 12, 31))


def _party(text: str, role: str) -> _Party:
    if not isinstance(text, str) or not text.strip():
        raise InputError(f"{role} must be a country or a bloc, got {text!r}",
                         hint="give e.g. VNM, 'Viet Nam' or ASEAN")
    if is_bloc(text):
        found = bloc(text)
        return _Party(found.code, found.name_en, found)
    try:
        place = country(text)
    except UnknownCountryError as err:
        raise UnknownCountryError(f"unknown {role} {text!r}", hint=f"{err.hint}; or a bloc such "
                                  "as ASEAN", suggestions=err.suggestions) from None
    if place.kind == "aggregate":
        raise InputError(f"{role} {text!r} is '{place.name_en}', an aggregate, not an economy",
                         hint="give a country or a bloc such as ASEAN")
    return _Party(place.iso3, place.name_en)


def _members(party: _Party, year: int, role: str) -> frozenset[str]:
    members = party.members(year)
    if not members:
        raise InputError(f"{role} {party.code} has no members in {year}",
                         hint="choose a year in which the bloc existed")
    return members


@lru_cache(maxsize=1)
def _aggregates() -> pd.DataFrame:
    table = countries_table()
    return pd.DataFrame({"code": table.loc[table["kind"] == "aggregate", "iso3"].astype(str)})


# --- choosing and reading the flows ---------------------------------------------------------


@dataclass(frozen=True)
class _Choice:
    source: str
    classification: str
    year: int
    product_level: bool


_COVERAGE_SQL = """
SELECT source, classification, year, count(*) AS n
FROM trade_flows
WHERE freq = 'A' AND value_usd IS NOT NULL AND flow IN ('X', 'M')
  AND basis IN ('reported', 'reconciled')
  AND (reporter IN (SELECT code FROM _dep_codes) OR partner IN (SELECT code FROM _dep_codes))
GROUP BY ALL
"""


def _choose(cur: Any, codes: frozenset[str], year: int | None, source: str | None,
            side: str) -> _Choice:
    """Source, classification and year: product-level rows first, then totals."""
    cur.register("_dep_codes", pd.DataFrame({"code": sorted(codes)}))
    cov = cur.execute(_COVERAGE_SQL).df()
    if source is not None:
        if not (cov["source"] == source).any():
            have = ", ".join(sorted(set(cov["source"]))) or "none"
            raise InputError(f"source {source!r} has no trade rows for {side}",
                             hint=f"sources with rows for it: {have}")
        cov = cov[cov["source"] == source]
    for product_level in (True, False):
        part = cov[(cov["classification"] != "TOTAL") == product_level]
        if year is not None:
            part = part[part["year"] == year]
        if part.empty:
            continue
        latest = int(part["year"].max())
        part = part[part["year"] == latest]
        best = part.sort_values(["n", "source", "classification"],
                                ascending=[False, True, True]).iloc[0]
        return _Choice(str(best["source"]), str(best["classification"]), latest, product_level)
    if cov.empty:
        raise InputError(f"the warehouse has no trade rows for {side}",
                         hint="load trade data with `capcoop ingest` (see `capcoop sources`)")
    years = sorted(set(cov["year"]))
    raise InputError(f"no trade rows for {side} in {year}",
                     hint=f"choose a year between {years[0]} and {years[-1]}")


def _flows_sql(choice: _Choice, filtered: bool) -> str:
    """``[product, exporter, importer, value_usd]``: importer-declared first, then exporters'."""
    products = ("AND length(product) = 6 AND EXISTS (SELECT 1 FROM _dep_ranges r "
                "WHERE product BETWEEN r.lo AND r.hi)") if filtered else \
        ("AND length(product) = 6" if choice.product_level else "AND product = 'TOTAL'")
    return f"""
WITH base AS (
  SELECT reporter, partner, flow, basis, product, value_usd FROM trade_flows
  WHERE source = ? AND freq = 'A' AND year = ? AND classification = ?
    AND value_usd IS NOT NULL AND flow IN ('X', 'M') AND basis IN ('reported', 'reconciled')
    AND reporter <> partner {products}
    AND reporter NOT IN (SELECT code FROM _dep_aggregates)
    AND partner NOT IN (SELECT code FROM _dep_aggregates)),
m AS (SELECT partner AS exporter, reporter AS importer, product, value_usd FROM base
      WHERE flow = 'M' AND basis = 'reported'),
x AS (SELECT reporter AS exporter, partner AS importer, product, value_usd FROM base
      WHERE flow = 'X'),
flows AS (
  SELECT product, exporter, importer, sum(value_usd) AS value_usd FROM (
    SELECT * FROM m
    UNION ALL
    SELECT x.* FROM x ANTI JOIN m ON x.exporter = m.exporter AND x.importer = m.importer
                                 AND x.product = m.product)
  GROUP BY ALL)
"""


def _prepare(cur: Any, selection: ProductSelection, choice: _Choice) -> tuple[str, list]:
    cur.register("_dep_aggregates", _aggregates())
    filtered = choice.product_level and not selection.all_goods
    if filtered:
        ranges = selection.ranges
        cur.register("_dep_ranges", pd.DataFrame({"lo": [a.ljust(6, "0") for a, _ in ranges],
                                                  "hi": [b.ljust(6, "9") for _, b in ranges]}))
    return _flows_sql(choice, filtered), [choice.source, choice.year, choice.classification]


def _screen_frames(cur: Any, selection: ProductSelection, choice: _Choice,
                   members: frozenset[str]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The importer's imports by supplier, world exports by exporter, the importer's exports."""
    cte, params = _prepare(cur, selection, choice)
    cur.register("_dep_members", pd.DataFrame({"code": sorted(members)}))
    mine = "importer IN (SELECT code FROM _dep_members)"
    imports = cur.execute(cte + f"SELECT * FROM flows WHERE {mine}", params).df()
    world = cur.execute(cte + "SELECT product, exporter, sum(value_usd) AS value_usd FROM flows "
                        f"WHERE product IN (SELECT product FROM flows WHERE {mine}) "
                        "GROUP BY ALL", params).df()
    exports = cur.execute(cte + "SELECT product, importer, sum(value_usd) AS value_usd FROM flows "
                          "WHERE exporter IN (SELECT code FROM _dep_members) GROUP BY ALL",
                          params).df()
    return imports, world, exports


# --- reports --------------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and value != value:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return _jsonable(value.item())
    return value


def _frame_records(frame: pd.DataFrame) -> list[dict]:
    return [{k: _jsonable(v) for k, v in row.items()} for row in frame.to_dict("records")]


@dataclass(frozen=True)
class DependencyReport:
    """A dependency screen: one row per product, group or all goods.

    ``records()`` rows: ``rank, product, description, level`` and the indicators of
    :data:`capcoop.analytics.dependencies.SCREEN_COLUMNS` (``item`` renamed ``product``;
    shares are fractions 0-1, values US$).
    """

    importer: str
    importer_name: str
    members: tuple[str, ...]
    year: int
    level: str
    table: pd.DataFrame
    parameters: dict
    sources: tuple[dict, ...]
    notes: tuple[str, ...]
    warehouse: str
    total_items: int = 0

    def records(self) -> list[dict]:
        """JSON-ready rows, ranked (most criteria met first)."""
        return _frame_records(self.table)

    def meta(self) -> dict:
        """Warehouse label, importer, year, parameters, sources and notes."""
        flagged = {k: int(self.table[k].sum()) for k in ("eu_dependent", "eu_critical",
                                                         "cepii_dependent")} if len(self.table) else {}
        return {"warehouse": self.warehouse, "importer": self.importer,
                "importer_name": self.importer_name, "members": list(self.members),
                "year": self.year, "level": self.level, "parameters": self.parameters,
                "sources": list(self.sources), "notes": list(self.notes),
                "rows": len(self.table), "rows_screened": self.total_items,
                "flagged_in_rows": flagged}


@dataclass(frozen=True)
class DisruptionReport:
    """A disruption scenario: one row per importer hit, ranked by net shortfall.

    ``records()`` rows: ``rank, importer, name, imports_usd, from_exporter_usd,
    direct_loss_usd, replacement_usd, net_shortfall_usd, shortfall_pct_of_imports,
    replaced_pct, top_replacements`` (list of ``{"supplier", "replacement_usd"}``).
    """

    exporter: str
    year: int
    cut: float
    level: str
    table: pd.DataFrame
    totals: dict
    parameters: dict
    sources: tuple[dict, ...]
    notes: tuple[str, ...]
    warehouse: str
    replacements: pd.DataFrame = field(default_factory=pd.DataFrame)

    def records(self) -> list[dict]:
        """JSON-ready rows, largest net shortfall first."""
        return _frame_records(self.table)

    def meta(self) -> dict:
        """Warehouse label, scenario, substitution rule, totals, sources and notes."""
        return {"warehouse": self.warehouse, "exporter": self.exporter, "year": self.year,
                "cut": self.cut, "level": self.level, "parameters": self.parameters,
                "totals": self.totals, "sources": list(self.sources), "notes": list(self.notes)}


def product_groups() -> list[dict]:
    """Every named product group (cooperation sectors and sub-groups) with ranges and sources."""
    return [g.as_record() for g in _all_groups()]


def _sources(con: Any, choice: _Choice) -> tuple[dict, ...]:
    rows = con.cursor().execute(
        "SELECT source, release, file, sha256, loaded_at FROM provenance WHERE source = ? "
        "AND target = 'trade_flows' ORDER BY load_id", [choice.source]).df()
    return tuple({"source": r["source"], "release": r["release"], "file": r["file"],
                  "sha256": r["sha256"], "loaded_at": str(r["loaded_at"])}
                 for r in rows.to_dict("records")) or ({"source": choice.source},)


@lru_cache(maxsize=4096)
def _description(code: str, classification: str) -> str | None:
    from capcoop.codes.products import hs_product
    revision = classification if classification.startswith("HS") and len(classification) == 4 \
        else "HS17"
    try:
        return hs_product(code, revision).description
    except (InputError, LookupError):
        return None


def _describe(label: str, selection: ProductSelection, classification: str) -> str | None:
    if label == "TOTAL":
        return "All goods"
    for group in selection.groups:
        if group.code == label:
            return group.name_en
    return _description(label, classification)


def _level_notes(choice: _Choice, selection: ProductSelection) -> list[str]:
    notes = [f"flows from source {choice.source}, {choice.classification}, {choice.year} "
             "(importer-declared values first, exporters' declarations for the other pairs)"]
    if not choice.product_level:
        asked = f" ('{', '.join(selection.labels())}' was asked)" if not selection.all_goods else ""
        notes.append("the warehouse holds only total trade for these economies, so the answer "
                     f"is for all goods together{asked}; {PRODUCT_DETAIL_HINT}")
    else:
        notes.append("world totals are sums over the importers the warehouse holds: complete "
                     "for BACI, partial for Comtrade extracts (then world shares are upper "
                     "bounds and substitutability lower bounds)")
    return notes


# --- the dependency screen ------------------------------------------------------------------


def dependency_screen(importer: str, *, products: str | Sequence[str] | None = None,
                      year: int | None = None, top: int | None = None, by: str = "product",
                      intra: str = "exclude", thresholds: Thresholds | dict | None = None,
                      source: str | None = None,
                      warehouse: str | Path | None = None) -> DependencyReport:
    """Screen an importer's imports for concentrated, hard-to-replace suppliers.

    Parameters
    ----------
    importer
        A country or a bloc (dated membership: members on 31 December of ``year``).
    products
        Group codes (``'medical'``, ``'vaccines'``) and/or HS codes (``'3004,300220'``); None
        screens every product (or all goods when the warehouse holds only totals).
    year
        Default: the latest year with data.
    top
        Keep the first ``top`` rows of the ranking.
    by
        ``'product'``: one row per HS code (6 digits, or the codes as given when they are
        shorter); ``'group'``: one row per group or code named in ``products``.
    intra
        For a bloc: ``'exclude'`` intra-bloc trade (suppliers and exports are extra-bloc, as in
        the EU method; default) or ``'include'`` it (members count as suppliers).
    thresholds
        :class:`~capcoop.analytics.dependencies.Thresholds` or a dict of its fields.
    source
        Read this source only (e.g. ``'baci'``).

    Raises
    ------
    InputError
        Bad arguments, or no data for the importer (the hint says what to load).
    """
    thr = _thresholds(thresholds)
    if by not in ("product", "group") or intra not in INTRA_CHOICES or \
            (top is not None and top < 1):
        raise InputError(f"by={by!r}, intra={intra!r}, top={top!r} is not possible",
                         hint="by product|group, intra exclude|include, top >= 1")
    party = _party(importer, "importer")
    selection = select_products(products)
    with open_reader(warehouse) as (con, location):
        cur = con.cursor()
        choice = _choose(cur, party.bloc.ever_members() if party.bloc else {party.code},
                         year, source, party.code)
        members = _members(party, choice.year, "importer")
        imports, world, exports = _screen_frames(cur, selection, choice, members)
        sources = _sources(con, choice)
    level = "product" if choice.product_level else "all goods"
    frames = _items(imports, world, exports, selection, choice, by)
    table = _screen(frames, members, party, intra, thr)
    total = len(table)
    table = table.head(top) if top else table
    table.insert(0, "rank", range(1, len(table) + 1))
    table = table.rename(columns={"item": "product"})
    table.insert(2, "description", [_describe(p, selection, choice.classification)
                                    for p in table["product"]])
    table.insert(3, "level", "group" if by == "group" and choice.product_level else level)
    notes = _level_notes(choice, selection) + _screen_notes(party, intra, imports)
    params = {"products": selection.labels() or None, "year": choice.year, "top": top, "by": by,
              "intra": intra, "thresholds": thr.__dict__, "source": choice.source,
              "classification": choice.classification,
              "no_exports_ratio": NO_EXPORTS_RATIO}
    return DependencyReport(party.code, party.name, tuple(sorted(members)), choice.year, level,
                            table.reset_index(drop=True), params, sources, tuple(notes),
                            location.label, total)


def _thresholds(value: Thresholds | dict | None) -> Thresholds:
    if value is None or isinstance(value, Thresholds):
        return (value or Thresholds()).checked()
    try:
        return Thresholds(**value).checked()
    except TypeError:
        raise InputError(f"unknown threshold(s) in {sorted(value)}",
                         hint=f"known: {sorted(Thresholds().__dict__)}") from None


def _items(imports: pd.DataFrame, world: pd.DataFrame, exports: pd.DataFrame,
           selection: ProductSelection, choice: _Choice, by: str) -> dict[str, pd.DataFrame]:
    """Relabel product rows as the items of the screen (HS code, group or TOTAL)."""
    if not choice.product_level or selection.all_goods:
        return {"imports": imports.assign(item=imports["product"]),
                "world": world.assign(item=world["product"]),
                "exports": exports.assign(item=exports["product"])}
    codes = pd.concat([imports["product"], world["product"], exports["product"]]).unique()
    member = selection.membership(list(codes))
    if by == "product":  # an HS code shorter than 6 digits stays one item; groups split
        short = {label for label, _ in selection.items if label.isdigit() and len(label) < 6}
        member["item"] = [i if i in short else p for p, i in zip(member["product"],
                                                                  member["item"], strict=True)]
        member = member.drop_duplicates()
    out = {}
    for name, frame in (("imports", imports), ("world", world), ("exports", exports)):
        out[name] = frame.merge(member, on="product", how="inner")
    return out


def _screen(frames: dict[str, pd.DataFrame], members: frozenset[str], party: _Party, intra: str,
            thr: Thresholds) -> pd.DataFrame:
    imports, world, exports = frames["imports"], frames["world"], frames["exports"]
    bloc_like = party.bloc is not None
    outside = ~imports["exporter"].isin(members)
    kept = imports[outside] if (bloc_like and intra == "exclude") else imports
    supplied = kept.groupby(["item", "exporter"], as_index=False)["value_usd"].sum() \
        .rename(columns={"exporter": "supplier"})
    worlds = world.groupby(["item", "exporter"], as_index=False)["value_usd"].sum()
    ex = exports[~exports["importer"].isin(members)] if (bloc_like and intra == "exclude") \
        else exports
    own = ex.groupby("item")["value_usd"].sum()
    total = imports.groupby("item")["value_usd"].sum() if (bloc_like and intra == "exclude") \
        else None
    return dependency_indicators(supplied, worlds, own, members=members, total_imports=total,
                                 thresholds=thr)


def _screen_notes(party: _Party, intra: str, imports: pd.DataFrame) -> list[str]:
    notes = []
    if party.bloc is not None:
        notes.append(f"{party.code} is screened as one importer; intra-bloc trade is "
                     + ("excluded: suppliers, imports and exports are extra-bloc (EU method)"
                        if intra == "exclude" else "included: members count as suppliers"))
    else:
        notes.append("EU criterion 2 (extra-bloc share of imports) applies to blocs only; for "
                     "a country it is not tested")
    if imports.empty:
        notes.append("no imports found for the importer in the selection")
    notes.append("import dependence is measured as the share of world imports and the "
                 "import/export ratio: apparent consumption needs production data the "
                 "warehouse does not hold")
    return notes


# --- disruption scenarios -------------------------------------------------------------------


def parse_cut(cut: str | float) -> float:
    """A fall as a share: ``'30%'`` -> 0.3, ``0.3`` -> 0.3, ``'30'`` -> 0.3 (a number above 1
    is read as per cent).

    Raises
    ------
    InputError
        When the text is not a number or the share is outside [0, 1].
    """
    text = str(cut).strip()
    try:
        value = float(text.rstrip("%")) / 100 if text.endswith("%") else float(text)
    except ValueError:
        raise InputError(f"cut {cut!r} is not a number", hint="write e.g. 30% or 0.3") from None
    if not text.endswith("%") and value > 1:
        value /= 100
    if not 0 <= value <= 1:
        raise InputError(f"cut {cut!r} is outside 0-100%", hint="write e.g. 30% or 0.3")
    return value


def disruption_scenario(exporter: str, products: str | Sequence[str] | None, cut: str | float,
                        *, year: int | None = None, importers: str | None = None,
                        spare_share: float = 0.1, weights: str = "importer",
                        shared_capacity: bool = True, top: int | None = None,
                        source: str | None = None,
                        warehouse: str | Path | None = None) -> DisruptionReport:
    """"Exporter X's shipments of products G fall by ``cut``": who loses, who replaces, net.

    Parameters
    ----------
    exporter
        The disrupted exporter (a country).
    products
        Group codes and/or HS codes (None: all goods).
    cut
        The fall, ``'30%'`` or ``0.3``.
    importers
        Report only these importers (a country or a bloc's members); default every importer.
    spare_share, weights, shared_capacity
        The substitution rule (:class:`~capcoop.analytics.dependencies.DisruptionRule`).

    Returns
    -------
    DisruptionReport
    """
    share = parse_cut(cut)
    rule = DisruptionRule(spare_share, weights, shared_capacity).checked()
    if top is not None and top < 1:
        raise InputError(f"top={top!r} is not possible", hint="top >= 1")
    who = _party(exporter, "exporter")
    if who.bloc is not None:
        raise InputError(f"exporter {exporter!r} is a bloc", hint="give one exporting country, "
                         "e.g. CHN")
    selection = select_products(products)
    with open_reader(warehouse) as (con, location):
        cur = con.cursor()
        choice = _choose(cur, frozenset({who.code}), year, source, who.code)
        cte, params = _prepare(cur, selection, choice)
        flows = cur.execute(cte + "SELECT * FROM flows", params).df()
        sources = _sources(con, choice)
    table, repl = disruption_losses(flows, who.code, share, rule)
    keep = None
    if importers:
        target = _party(importers, "importers")
        keep = _members(target, choice.year, "importers")
        table = table[table["importer"].isin(keep)].reset_index(drop=True)
    totals = {k: float(table[k].sum()) for k in ("from_exporter_usd", "direct_loss_usd",
                                                 "replacement_usd", "net_shortfall_usd")}
    table = _disruption_rows(table.head(top) if top else table, repl)
    level = "product" if choice.product_level else "all goods"
    notes = _level_notes(choice, selection) + [
        f"substitution rule: alternative suppliers divert up to {rule.spare_share:.0%} of their "
        "exports to the rest of the world, spread in proportion to "
        + ("their existing shares of each importer's imports" if rule.weights == "importer"
           else "their world exports")
        + ("; a supplier's diversions to all importers together stay within that share of its "
           "world exports" if rule.shared_capacity else ""),
        "a first-round, partial-equilibrium estimate: no price response, inventories or "
        "input-output propagation to downstream industries"]
    parameters = {"exporter": who.code, "products": selection.labels() or None,
                  "cut": share, "year": choice.year, "importers": importers,
                  "spare_share": rule.spare_share, "weights": rule.weights,
                  "shared_capacity": rule.shared_capacity, "top": top, "source": choice.source,
                  "classification": choice.classification}
    return DisruptionReport(who.code, choice.year, share, level, table, totals, parameters,
                            sources, tuple(notes), location.label, repl)


def _disruption_rows(table: pd.DataFrame, repl: pd.DataFrame) -> pd.DataFrame:
    names = countries_table().set_index("iso3")["name_en"]
    out = table.copy()
    out.insert(0, "rank", range(1, len(out) + 1))
    out.insert(2, "name", [names.get(c) for c in out["importer"]])
    out["shortfall_pct_of_imports"] = 100 * out["net_shortfall_usd"] / out["imports_usd"]
    out["replaced_pct"] = (100 * out["replacement_usd"]
                           / out["direct_loss_usd"].where(out["direct_loss_usd"] > 0))
    top = {imp: [{"supplier": s, "replacement_usd": float(v)} for s, v in
                 zip(part["supplier"].head(3), part["replacement_usd"].head(3), strict=True)]
           for imp, part in repl.groupby("importer")}
    out["top_replacements"] = [top.get(c, []) for c in out["importer"]]
    return out.reset_index(drop=True)
