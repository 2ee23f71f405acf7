"""Relational queries of the trade monitor, written once with Ibis over ``trade_flows``.

Every question the monitor asks reduces to the same shape: take the rows of one source that
describe a *subject* economy (a country, or the members of a bloc in each period), turn each row
to the subject's point of view and sum by period, subject member, counterpart and flow. What
changes between bases is only how a stored row is turned:

================  ===================================================================
basis             rows used (subject's exports ``X`` / imports ``M``)
================  ===================================================================
``reported``      the subject's own declarations (``basis='reported'``, reporter = subject)
``mirror``        the partners' declarations read the other way round: a partner's imports
                  from the subject are the subject's exports, its exports the subject's
                  imports (``basis='reported'``, partner = subject). Sources that store
                  mirror rows already turned (``basis='mirror'``, reporter = subject) are
                  read as they are.
``reconciled``    harmonised flows stored once per exporter (BACI: ``flow='X'``): the
                  subject's exports are its rows as exporter, its imports the rows where it
                  is the importer.
================  ===================================================================

A :class:`Leg` describes one such reading. SingStat's domestic exports and re-exports
(``XD``, ``XR``) pass through as components (``XD``/``XR``, or ``MD``/``MR`` when turned);
the service uses them when a source has no total ``X`` row.

Values are data, not SQL text. Each query is an Ibis expression over ``trade_flows`` and small
named input tables -- ``_monitor_choice`` (one row: source, frequency, classification),
``_monitor_subjects`` (the subject's members per period: year, month, code; month 0 for annual
data) and ``_monitor_counterparts`` -- compiled once per shape (:func:`compiled_sql`, cached)
and run with the input frames registered on the connection. The same expressions compile for
other engines (``compiled_sql(..., dialect="trino")``; ``"pyspark"`` needs pyspark installed)
with the inputs registered as views.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import duckdb
import pandas as pd

from capcoop.analytics.trade import MAX_YEAR, MIN_YEAR
from capcoop.settings import get_setting

__all__ = ["Leg", "legs_for", "flow_coverage", "oriented_totals", "source_rows",
           "product_totals", "compiled_sql", "derive_product_totals", "stale_derived_totals",
           "BASES", "DERIVED_PREFIX"]

BASES = ("reported", "mirror", "reconciled")
_AS_IS = (("X", "X"), ("M", "M"), ("XD", "XD"), ("XR", "XR"))
_SWAPPED = (("X", "M"), ("M", "X"), ("XD", "MD"), ("XR", "MR"))

_PERIOD_CODES = {"year": "int32", "month": "int32", "code": "string"}


@lru_cache(maxsize=1)
def _tables() -> Any:
    """The unbound Ibis tables the queries are written over (Ibis is imported on first use)."""
    import ibis
    return SimpleNamespace(
        flows=ibis.table({
            "source": "string", "basis": "string", "freq": "string", "year": "int16",
            "month": "int8", "reporter": "string", "partner": "string", "flow": "string",
            "classification": "string", "product": "string", "value_usd": "float64",
            "value_local": "float64", "currency": "string", "estimate": "boolean",
            "load_id": "int64"}, name="trade_flows"),
        choice=ibis.table({"source": "string", "freq": "string", "classification": "string"},
                          name="_monitor_choice"),
        subjects=ibis.table(_PERIOD_CODES, name="_monitor_subjects"),
        counterparts=ibis.table(_PERIOD_CODES, name="_monitor_counterparts"),
        codes=ibis.table({"code": "string"}, name="_monitor_codes"),
        years=ibis.table({"year": "int32"}, name="_monitor_years"))


@dataclass(frozen=True)
class Leg:
    """One way of reading stored rows from the subject's point of view.

    Attributes
    ----------
    basis
        The stored ``basis`` the leg reads.
    swap
        False: the subject is the row's ``reporter``; True: the subject is the row's
        ``partner`` (the row is another economy's declaration about the subject).
    flows
        ``(stored flow, subject's flow)`` pairs; stored flows not listed are ignored.
    """

    basis: str
    swap: bool
    flows: tuple[tuple[str, str], ...]


def legs_for(basis: str) -> tuple[Leg, ...]:
    """The legs that give ``basis`` figures (see the module docstring).

    ``mirror`` has two legs: partners' ``reported`` rows turned round, and rows a source stores
    as ``basis='mirror'`` (Comtrade's World totals). :func:`oriented_totals` keeps ``basis`` in
    its output so that the caller can prefer one where both give the same figure.
    """
    if basis == "reported":
        return (Leg("reported", False, _AS_IS),)
    if basis == "mirror":
        return (Leg("reported", True, _SWAPPED), Leg("mirror", False, _AS_IS))
    if basis == "reconciled":
        return (Leg("reconciled", False, (("X", "X"),)), Leg("reconciled", True, (("X", "M"),)))
    raise ValueError(f"unknown basis {basis!r}; expected one of {BASES}")


# --- expressions ----------------------------------------------------------------------------


def _coverage_expr(totals_only: bool) -> Any:
    import ibis
    tables = _tables()
    flows, years = tables.flows, tables.years
    t = flows.join(years, flows.year.cast("int32") == years.year)
    t = t.select(*[t[c] for c in flows.columns])
    if totals_only:  # cheap: the storage skips row groups of product rows
        t = t.filter(t.classification == "TOTAL")
    parts = []
    for side in ("reporter", "partner"):
        rows = t.join(tables.codes, t[side] == tables.codes.code)
        parts.append(rows.group_by(
            source=rows.source, basis=rows.basis, freq=rows.freq,
            classification=rows.classification, year=rows.year.cast("int32"),
            month=rows.month.fill_null(0).cast("int32"), code=rows[side],
        ).aggregate(rows=rows.count(), usd_rows=rows.value_usd.count())
         .mutate(side=ibis.literal(side)))
    return ibis.union(*parts, distinct=False)


def _leg_expr(leg: Leg) -> Any:
    """One leg's rows turned to the subject's view, restricted to the subject's members."""
    tables = _tables()
    t = tables.flows.join(tables.choice, ["source", "freq", "classification"])
    t = t.filter(t.basis == leg.basis,
                 (t.classification != "TOTAL") | (t["product"] == "TOTAL"))
    subject, counterpart = ("partner", "reporter") if leg.swap else ("reporter", "partner")
    month = t.month.fill_null(0).cast("int32")
    subjects = tables.subjects
    t = t.join(subjects, [t.year.cast("int32") == subjects.year, month == subjects.month,
                          t[subject] == subjects.code])
    flow = t.flow.cases(*leg.flows, else_=None)
    turned = t.select(
        year=t.year.cast("int32"), month=t.month.fill_null(0).cast("int32"),
        subject=t[subject], counterpart=t[counterpart], flow=flow, stored_flow=t.flow,
        reporter=t.reporter, partner=t.partner, basis=t.basis, product=t["product"],
        value_usd=t.value_usd, value_local=t.value_local, currency=t.currency,
        estimate=t.estimate.cast("int32"), load_id=t.load_id,
    )
    return turned.filter(turned.flow.notnull())


def _subject_expr(legs: tuple[Leg, ...]) -> Any:
    import ibis
    parts = [_leg_expr(leg) for leg in legs]
    return parts[0] if len(parts) == 1 else ibis.union(*parts, distinct=False)


def _with_counterparts(rows: Any) -> Any:
    c = _tables().counterparts
    joined = rows.join(c, [rows.year == c.year, rows.month == c.month,
                           rows.counterpart == c.code])
    return joined.select(*[joined[name] for name in rows.columns])


def _totals_expr(legs: tuple[Leg, ...], local: bool) -> Any:
    rows = _subject_expr(legs)
    sums = {"value_usd": rows.value_usd.sum(), "rows": rows.count(),
            "estimates": rows.count(where=rows.estimate == 1)}
    if local:  # string aggregates cost: only for sources with values in another currency
        sums |= {"value_local": rows.value_local.sum(), "currency": rows.currency.max(),
                 "currency_min": rows.currency.min(), "usd_rows": rows.value_usd.count()}
    return rows.group_by("year", "month", "subject", "counterpart", "flow", "basis").aggregate(**sums)


def _source_rows_expr(legs: tuple[Leg, ...]) -> Any:
    rows = _with_counterparts(_subject_expr(legs))
    return rows.group_by(
        "basis", "year", "month", "reporter", "partner", "stored_flow", "subject",
        "counterpart", "flow", "currency", "load_id").aggregate(
        value_usd=rows.value_usd.sum(), value_local=rows.value_local.sum(),
        estimate=rows.estimate.max(), rows=rows.count())


def _products_expr(legs: tuple[Leg, ...], digits: int) -> Any:
    rows = _with_counterparts(_subject_expr(legs))
    return rows.group_by(year=rows.year, month=rows.month, flow=rows.flow,
                         product=rows["product"].substr(0, digits)).aggregate(
        value_usd=rows.value_usd.sum(), value_local=rows.value_local.sum(), rows=rows.count())


@lru_cache(maxsize=64)
def compiled_sql(query: str, legs: tuple[Leg, ...] = (), digits: int = 6,
                 dialect: str = "duckdb") -> str:
    """The SQL of one query shape (``coverage``, ``coverage_totals``, ``totals``,
    ``totals_local``, ``rows`` or ``products``).

    Compiled from the Ibis expression once per process, and kept in the cache directory
    (setting ``cache_dir``) under a key made of this module's source, the Ibis and sqlglot
    versions and the shape, so that a new process neither imports Ibis nor compiles again.
    The inputs are the named tables described in the module docstring.
    """
    path = _sql_cache_path(query, legs, digits, dialect)
    try:
        return path.read_text(encoding="utf-8") if path is not None else _compile(
            query, legs, digits, dialect)
    except OSError:
        pass
    sql = _compile(query, legs, digits, dialect)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)  # type: ignore[union-attr]
        partial = path.with_suffix(f".{id(sql)}.tmp")  # type: ignore[union-attr]
        partial.write_text(sql, encoding="utf-8")
        partial.replace(path)  # type: ignore[arg-type]
    except OSError:
        pass  # an unwritable cache only costs the compilation
    return sql


def _sql_cache_path(query: str, legs: tuple[Leg, ...], digits: int, dialect: str) -> Path | None:
    try:
        versions = [metadata.version(name) for name in ("ibis-framework", "sqlglot")]
        folder = Path(str(get_setting("cache_dir"))).expanduser() / "sql"
        source = Path(__file__).read_bytes()
    except (OSError, metadata.PackageNotFoundError):
        return None
    key = hashlib.sha256(source + repr((versions, query, legs, digits, dialect)).encode())
    return folder / f"monitor-{key.hexdigest()[:32]}.sql"


def _compile(query: str, legs: tuple[Leg, ...], digits: int, dialect: str) -> str:
    import ibis
    builders = {"coverage": lambda: _coverage_expr(False),
                "coverage_totals": lambda: _coverage_expr(True),
                "totals": lambda: _totals_expr(legs, False),
                "totals_local": lambda: _totals_expr(legs, True),
                "rows": lambda: _source_rows_expr(legs),
                "products": lambda: _products_expr(legs, int(digits))}
    if query not in builders:
        raise ValueError(f"unknown query shape {query!r}; expected one of {sorted(builders)}")
    return ibis.to_sql(builders[query](), dialect=dialect)


# --- execution ------------------------------------------------------------------------------


def _run(con: duckdb.DuckDBPyConnection, sql: str, inputs: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Run ``sql`` on a fresh cursor with each input frame registered under its name."""
    cursor = con.cursor()
    try:
        for name, frame in inputs.items():
            cursor.register(name, frame)
        return cursor.execute(sql).df()
    finally:
        cursor.close()


def _period_codes(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"year": frame["year"].to_numpy(dtype="int32"),
                         "month": frame["month"].to_numpy(dtype="int32"),
                         "code": [str(c) for c in frame["code"].tolist()]}).drop_duplicates()


def _choice(source: str, freq: str, classification: str) -> pd.DataFrame:
    return pd.DataFrame({"source": [source], "freq": [freq], "classification": [classification]})


def flow_coverage(con: duckdb.DuckDBPyConnection, *, codes: Sequence[str],
                  years: tuple[int, int] | None = None, totals_only: bool = False) -> pd.DataFrame:
    """What the warehouse holds about ``codes``, as reporter and as partner.

    Parameters
    ----------
    codes
        Economy codes (ISO3).
    years
        ``(first, last)`` inclusive; None for every year.
    totals_only
        Only rows of classification ``TOTAL`` (fast on product-level warehouses).

    Returns
    -------
    pandas.DataFrame
        ``[source, basis, freq, classification, year, month, code, rows, usd_rows, side]``:
        ``side`` is ``reporter`` (rows declared by ``code``) or ``partner`` (rows about ``code``
        declared by others), ``month`` 0 for annual rows, ``usd_rows`` the rows with a US$ value.
    """
    first, last = years if years is not None else (MIN_YEAR, MAX_YEAR)
    inputs = {"_monitor_codes": pd.DataFrame({"code": [str(c) for c in codes]}),
              "_monitor_years": pd.DataFrame({"year": range(int(first), int(last) + 1)},
                                             dtype="int32")}
    return _run(con, compiled_sql("coverage_totals" if totals_only else "coverage"), inputs)


def oriented_totals(con: duckdb.DuckDBPyConnection, *, source: str, legs: Sequence[Leg],
                    classification: str, freq: str, subjects: pd.DataFrame,
                    local: bool = False) -> pd.DataFrame:
    """Sums by period, subject member, counterpart and flow, from the subject's point of view.

    Parameters
    ----------
    source, classification, freq
        Which rows: one source, one classification (``TOTAL``, or an HS revision whose
        products are summed) and one frequency (``A`` or ``M``).
    legs
        How rows are read (:func:`legs_for`).
    local
        Also sum ``value_local`` with its currency, for sources whose rows lack US$ values
        (otherwise the columns ``value_local, currency, currency_min, usd_rows`` are absent).
    subjects
        ``[year, month, code]``: the subject's members in each period (``month`` 0 for annual
        data; one row per month for monthly data).

    Returns
    -------
    pandas.DataFrame
        ``[year, month, subject, counterpart, flow, basis, value_usd, value_local, currency,
        currency_min, rows, usd_rows, estimates]``: ``rows`` stored rows were summed, of which
        ``usd_rows`` had a US$ value and ``estimates`` were flagged as publisher estimates;
        ``currency_min`` differs from ``currency`` when the rows mix currencies.
    """
    inputs = {"_monitor_choice": _choice(source, freq, classification),
              "_monitor_subjects": _period_codes(subjects)}
    return _run(con, compiled_sql("totals_local" if local else "totals", tuple(legs)), inputs)


def source_rows(con: duckdb.DuckDBPyConnection, *, source: str, legs: Sequence[Leg],
                classification: str, freq: str, subjects: pd.DataFrame,
                counterparts: pd.DataFrame) -> pd.DataFrame:
    """The stored rows behind a set of figures (products summed), for ``--explain``.

    ``counterparts`` is ``[year, month, code]``: the counterpart economies of each period.

    Returns
    -------
    pandas.DataFrame
        ``[source, basis, year, month, reporter, partner, stored_flow, subject, counterpart,
        flow, currency, load_id, value_usd, value_local, estimate, rows]`` sorted by period,
        subject, counterpart and flow; ``rows`` counts the stored rows summed (products).
    """
    inputs = {"_monitor_choice": _choice(source, freq, classification),
              "_monitor_subjects": _period_codes(subjects),
              "_monitor_counterparts": _period_codes(counterparts)}
    frame = _run(con, compiled_sql("rows", tuple(legs)), inputs)
    frame.insert(0, "source", source)
    frame["estimate"] = frame["estimate"].astype(bool)
    return frame.sort_values(["year", "month", "subject", "counterpart", "flow"],
                             kind="mergesort").reset_index(drop=True)


def product_totals(con: duckdb.DuckDBPyConnection, *, source: str, legs: Sequence[Leg],
                   classification: str, freq: str, subjects: pd.DataFrame,
                   counterparts: pd.DataFrame, digits: int = 6) -> pd.DataFrame:
    """Trade by product (the HS code cut to ``digits``), period and flow.

    Returns
    -------
    pandas.DataFrame
        ``[year, month, flow, product, value_usd, value_local, rows]``.
    """
    if digits not in (2, 4, 6):
        raise ValueError(f"digits must be 2, 4 or 6, not {digits!r}")
    inputs = {"_monitor_choice": _choice(source, freq, classification),
              "_monitor_subjects": _period_codes(subjects),
              "_monitor_counterparts": _period_codes(counterparts)}
    return _run(con, compiled_sql("products", tuple(legs), digits), inputs)


# --- bilateral totals derived from product rows ----------------------------------------------

#: ``provenance.file`` of a derived load: ``derived:<source>:<classification>``.
DERIVED_PREFIX = "derived:"

_DERIVE_SQL = """
SELECT basis, freq, year, month, reporter, partner, flow, 'TOTAL' AS classification,
       'TOTAL' AS product, sum(value_usd) AS value_usd, sum(value_local) AS value_local,
       min(currency) AS currency, CAST(NULL AS DOUBLE) AS quantity,
       CAST(NULL AS VARCHAR) AS quantity_unit, bool_or(estimate) AS estimate
FROM trade_flows WHERE source = ? AND classification = ?
GROUP BY basis, freq, year, month, reporter, partner, flow
ORDER BY year, reporter, partner, flow
"""


def _product_loads(con: duckdb.DuckDBPyConnection, source: str) -> str:
    row = con.execute(
        "SELECT string_agg(load_id || ':' || rows, ',' ORDER BY load_id) FROM provenance "
        "WHERE source = ? AND target = 'trade_flows' AND file NOT LIKE ?",
        [source, DERIVED_PREFIX + "%"]).fetchone()
    return row[0] or ""


def derive_product_totals(con: duckdb.DuckDBPyConnection, *, source: str,
                          classification: str) -> Any:
    """Write bilateral totals (``classification = product = 'TOTAL'``) summing a source's
    product rows of one classification, as one atomic load with provenance.

    A product-level source such as BACI holds about ten million rows a year; the monitor answers
    from totals, which it prefers when a source has them. The load is idempotent (its checksum
    covers the source's product loads, so re-deriving after no change does nothing) and replaces
    the source's earlier totals of the same years and frequency. Run it on the writing connection
    (:func:`~capcoop.warehouse.connection.open_writer`) after each product-level load; until
    then :func:`stale_derived_totals` reports the totals as out of date.

    Returns
    -------
    capcoop.warehouse.loads.LoadResult
    """
    from capcoop.sources.base import SqlStage, TableBatch
    from capcoop.warehouse.loads import load_batches
    loads = _product_loads(con, source)
    digest = hashlib.sha256(f"{source}|{classification}|{loads}".encode()).hexdigest()
    # Supersede every derived total of the years (and frequency) derived, not only matching keys:
    # a pair whose product rows a newer release dropped must lose its total too.
    batch = TableBatch("trade_flows", SqlStage(_DERIVE_SQL, (source, classification)),
                       replace_by=("freq", "year", "classification", "product"))
    return load_batches(con, source=source, release=f"totals of {classification} products",
                        file=f"{DERIVED_PREFIX}{source}:{classification}", sha256=digest,
                        batches=[batch], parameters={"derived_from": classification,
                                                     "product_loads": loads})


def stale_derived_totals(con: duckdb.DuckDBPyConnection, source: str) -> bool:
    """True when ``source`` has derived totals older than one of its product-level loads."""
    row = con.execute(
        "SELECT max(load_id) FILTER (WHERE file LIKE ?), "
        "max(load_id) FILTER (WHERE file NOT LIKE ?) FROM provenance "
        "WHERE source = ? AND target = 'trade_flows'",
        [DERIVED_PREFIX + "%", DERIVED_PREFIX + "%", source]).fetchone()
    derived, loaded = row if row else (None, None)
    return derived is not None and loaded is not None and loaded > derived
