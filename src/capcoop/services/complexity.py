"""Use cases: economic complexity and trade indicators of a file or of the warehouse.

One function per question; each reads its rows (a CSV/Parquet file a researcher brings, or the
warehouse through :func:`~capcoop.warehouse.connection.open_reader` with bound SQL parameters),
calls the pure analytics once per period and returns a :class:`TableReport`: the result table,
what was left out, where the numbers come from (``origin``, labelled ``demo`` for the embedded
warehouse) and the provenance of the computation.
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from capcoop import __version__
from capcoop.analytics import indicators as ind
from capcoop.analytics.complexity_panel import complexity_table
from capcoop.errors import InputError
from capcoop.warehouse.connection import open_reader

__all__ = ["Columns", "IndicatorOptions", "TableReport", "WarehouseQuery", "INDICATORS",
           "FILE_SUFFIXES", "read_table", "write_table", "complexity_from_file",
           "complexity_from_warehouse", "indicator_from_file", "indicator_from_warehouse"]

FILE_SUFFIXES = (".csv", ".csv.gz", ".parquet", ".pq")
#: Indicator name -> what it needs besides the main table.
INDICATORS: dict[str, str] = {
    "rca": "exports by location × product",
    "market-share": "exports by location × product",
    "hhi": "values by location × product (or × partner)",
    "diversification": "exports by location × product",
    "similarity": "exports by location × product",
    "complementarity": "exports (--input) and imports (--imports) by location × product",
    "intra-industry": "exports (--input) and imports (--imports) by location × product",
    "intensity": "exports by exporter × partner (partner in --product-col)",
    "prody": "exports by location × product and GDP per capita (--gdp or WDI)",
    "expy": "exports by location × product and GDP per capita (--gdp or WDI)",
}
DEFAULT_GDP_INDICATOR = "NY.GDP.PCAP.PP.CD"


@dataclass(frozen=True)
class Columns:
    """Column names of a long table: time (optional), location, product, value."""

    location: str
    product: str
    value: str
    time: str | None = None

    @property
    def keys(self) -> list[str]:
        return [c for c in (self.time, self.location, self.product) if c]


@dataclass(frozen=True)
class WarehouseQuery:
    """Which rows of the warehouse: year, classification, source, product digits."""

    year: int | None = None
    classification: str | None = None
    source: str | None = None
    digits: int | None = None
    warehouse: str | Path | None = None


@dataclass(frozen=True)
class TableReport:
    """A result table with its origin (file or warehouse label), exclusions and provenance."""

    table: pd.DataFrame
    origin: str
    is_demo: bool = False
    excluded: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["time", "kind", "label"]))
    provenance: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """Counts and provenance, for the CLI's summary line and JSON."""
        return {"rows": len(self.table), "columns": list(self.table.columns),
                "origin": self.origin, "excluded": len(self.excluded)} | self.provenance


# --------------------------------------------------------------------------- reading


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_table(path: str | Path, columns: Columns) -> pd.DataFrame:
    """Read the named columns of a CSV (optionally gzipped) or Parquet file.

    Location and product codes are read as text (HS codes keep their leading zeros).
    """
    wanted = list(dict.fromkeys(columns.keys + [columns.value]))
    return _read_columns(path, wanted, text=(columns.location, columns.product))


def _read_columns(path: str | Path, wanted: list[str], *, text: tuple[str, ...],
                  optional: tuple[str, ...] = ()) -> pd.DataFrame:
    path = Path(path)
    if not path.is_file():
        raise InputError(f"input file '{path}' does not exist",
                         hint="pass the path of a .csv or .parquet file")
    name = path.name.lower()
    if name.endswith((".parquet", ".pq")):
        reader, header = _parquet_reader(path)
    elif name.endswith((".csv", ".csv.gz", ".txt", ".tsv")):
        reader, header = _csv_reader(path, text)
    else:
        raise InputError(f"cannot read '{path.name}': unknown file type",
                         hint=f"use one of {', '.join(FILE_SUFFIXES)}")
    absent = [c for c in wanted if c not in set(header)]
    if absent:
        shown = ", ".join(repr(c) for c in list(header)[:15])
        raise InputError(f"'{path.name}' has no column {', '.join(repr(c) for c in absent)}; "
                         f"its columns are {shown}",
                         hint="name the columns with --time-col, --location-col, --product-col "
                              "and --value-col")
    frame = reader(wanted + [c for c in optional if c in set(header) and c not in wanted])
    for key in text:
        frame[key] = frame[key].astype("string").str.strip()
    return frame


def _csv_reader(path: Path, text: tuple[str, ...]):
    separator = "\t" if path.name.lower().endswith(".tsv") else ","
    try:
        header = pd.read_csv(path, sep=separator, nrows=0, encoding="utf-8-sig").columns
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read '{path.name}' as CSV: {exc}") from None

    def read(names: list[str]) -> pd.DataFrame:
        try:
            return pd.read_csv(path, sep=separator, usecols=names, encoding="utf-8-sig",
                               dtype={c: str for c in text if c in names}, low_memory=False)
        except (ValueError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read '{path.name}' as CSV: {exc}") from None

    return read, list(header)


def _parquet_reader(path: Path):
    import pyarrow.parquet as pq

    try:
        header = pq.read_schema(path).names
    except Exception as exc:  # pyarrow raises several types for a broken file
        raise InputError(f"cannot read '{path.name}' as Parquet: {exc}") from None
    return (lambda names: pd.read_parquet(path, columns=names)), header


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a result to CSV (optionally .gz) or Parquet, chosen by the file suffix."""
    path = Path(path)
    name = path.name.lower()
    if name.endswith((".parquet", ".pq")):
        frame.to_parquet(path, index=False)
    elif name.endswith((".csv", ".csv.gz")):
        frame.to_csv(path, index=False, float_format="%.17g")
    else:
        raise InputError(f"cannot write '{path.name}': unknown file type",
                         hint="end the output name with .csv, .csv.gz or .parquet")
    return path


# --------------------------------------------------------------------------- warehouse


def _resolve_matrix(con, query: WarehouseQuery) -> tuple[str, str, int]:
    """Pick (source, classification, year) of ``country_product_exports`` or explain."""
    rows = con.execute(
        "SELECT source, classification, year, count(*) FROM country_product_exports "
        "WHERE (? IS NULL OR source = ?) AND (? IS NULL OR classification = ?) "
        "AND (? IS NULL OR year = ?) GROUP BY ALL ORDER BY year DESC",
        [query.source, query.source, query.classification, query.classification,
         query.year, query.year]).fetchall()
    if not rows:
        available = con.execute(
            "SELECT DISTINCT source, classification, year FROM country_product_exports "
            "ORDER BY ALL").fetchall()
        shown = ", ".join(f"{s}/{c}/{y}" for s, c, y in available[:12]) or "none"
        raise InputError(f"no country × product exports for source={query.source!r}, "
                         f"classification={query.classification!r}, year={query.year!r}; "
                         f"the warehouse has (source/classification/year): {shown}",
                         hint="load a matrix with `capcoop ingest export-matrix FILE` or pick "
                              "one of those")
    pairs = sorted({(s, c) for s, c, _, _ in rows})
    if len(pairs) > 1:
        raise InputError("several matrices match: " + ", ".join(f"--source {s} "
                                                                f"--classification {c}"
                                                                for s, c in pairs),
                         hint="choose one with --source and --classification")
    source, classification, year, _ = rows[0]  # latest year when --year is not given
    return source, classification, int(year)


def _warehouse_exports(query: WarehouseQuery) -> tuple[pd.DataFrame, str, bool, dict]:
    with open_reader(query.warehouse) as (con, location):
        source, classification, year = _resolve_matrix(con, query)
        digits = query.digits
        if digits is not None and not 1 <= digits <= 10:
            raise InputError(f"--digits {digits} is not a product level; use e.g. 2, 4 or 6")
        frame = con.execute(
            "SELECT year, country, CASE WHEN ? IS NULL THEN product ELSE substr(product, 1, ?) "
            "END AS product, sum(export_usd) AS export_usd, list(DISTINCT load_id) AS loads "
            "FROM country_product_exports WHERE source = ? AND classification = ? AND year = ? "
            "GROUP BY ALL", [digits, digits, source, classification, year]).df()
    loads = sorted({int(v) for lst in frame.pop("loads") for v in lst})
    provenance = {"source": source, "classification": classification, "year": year,
                  "digits": digits, "load_ids": loads, "warehouse": location.label}
    return frame, location.label, location.is_demo, provenance


_WAREHOUSE_COLUMNS = Columns(location="country", product="product", value="export_usd",
                             time="year")


# --------------------------------------------------------------------------- complexity


def complexity_from_file(path: str | Path, columns: Columns, **options: Any) -> TableReport:
    """Economic complexity of a long file, period by period (see ``complexity_table``).

    ``options`` are the keyword arguments of
    :func:`capcoop.analytics.complexity_panel.complexity_table` (``rca_threshold``,
    ``proximity``, ``convention``, ``missing``, ``value_is_presence`` ...).
    """
    path = Path(path)
    frame = read_table(path, columns)
    panel = complexity_table(frame, location=columns.location, product=columns.product,
                             value=columns.value, time=columns.time, **options)
    return TableReport(panel.table, str(path), False, panel.excluded,
                       _provenance({"file": str(path), "sha256": _sha256(path)},
                                   panel.parameters))


def complexity_from_warehouse(query: WarehouseQuery, **options: Any) -> TableReport:
    """Economic complexity of one year of ``country_product_exports``."""
    frame, label, demo, provenance = _warehouse_exports(query)
    c = _WAREHOUSE_COLUMNS
    panel = complexity_table(frame, location=c.location, product=c.product, value=c.value,
                             time=c.time, **options)
    return TableReport(panel.table, label, demo, panel.excluded,
                       _provenance(provenance, panel.parameters))


def _provenance(origin: dict[str, Any], parameters: dict[str, Any]) -> dict[str, Any]:
    return {"provenance": origin | {"parameters": parameters, "capcoop_version": __version__}}


# --------------------------------------------------------------------------- indicators


def _periods(frame: pd.DataFrame, time: str | None) -> Iterator[tuple[Any, pd.DataFrame]]:
    if time is None:
        yield None, frame
        return
    yield from frame.groupby(time, sort=True)


def _matrix(part: pd.DataFrame, columns: Columns, missing: str) -> pd.DataFrame:
    return ind.export_matrix(part, location=columns.location, product=columns.product,
                             value=columns.value, missing=missing)  # type: ignore[arg-type]


def _long(matrix: pd.DataFrame, row: str, col: str, value: str) -> pd.DataFrame:
    out = matrix.rename_axis(index=row, columns=col).stack().rename(value).reset_index()
    return out


def _by_period(frame: pd.DataFrame, columns: Columns,
               compute: Callable[[Any, pd.DataFrame], pd.DataFrame]) -> pd.DataFrame:
    parts = []
    for label, part in _periods(frame, columns.time):
        try:
            result = compute(label, part)
        except InputError as exc:
            where = f"{columns.time} {label}: " if columns.time else ""
            raise InputError(where + exc.message, hint=exc.hint) from None
        if columns.time:
            result.insert(0, columns.time, label)
        parts.append(result)
    return pd.concat(parts, ignore_index=True)


@dataclass(frozen=True)
class IndicatorOptions:
    """Options of ``capcoop indicators`` (each indicator reads the ones it needs)."""

    variant: str = "balassa"
    normalized: bool = True
    n_categories: int | None = None
    locations: tuple[str, ...] = ()
    by_product: bool = False
    missing: str = "raise"
    join: str | None = None


def _selected(matrix: pd.DataFrame, locations: tuple[str, ...], what: str) -> pd.DataFrame:
    if not locations:
        return matrix
    unknown = [loc for loc in locations if loc not in matrix.index]
    if unknown:
        raise InputError(f"{what} has no location {', '.join(repr(u) for u in unknown)}",
                         hint="location codes must match the file's (e.g. 'chn' vs 'CHN')")
    return matrix.loc[list(locations)]


def _single(kind: str, part: pd.DataFrame, columns: Columns, opts: IndicatorOptions,
            gdp: pd.Series | None) -> pd.DataFrame:
    x = _matrix(part, columns, opts.missing)
    loc, prod = columns.location, columns.product
    if kind == "rca":
        return _long(ind.revealed_comparative_advantage(x, variant=opts.variant), loc, prod,
                     "rca")
    if kind == "market-share":
        shares = _long(ind.market_shares(x), loc, prod, "market_share")
        composition = _long(ind.export_shares(x), loc, prod, "export_share")
        return shares.merge(composition, on=[loc, prod], how="left")
    if kind == "hhi":
        raw = ind.herfindahl_hirschman(x, n_categories=opts.n_categories)
        out = raw.rename("hhi").rename_axis(loc).reset_index()
        if opts.normalized:
            out["hhi_normalized"] = ind.herfindahl_hirschman(
                x, normalized=True, n_categories=opts.n_categories).to_numpy()
        out["categories"] = opts.n_categories or x.shape[1]
        return out
    if kind == "diversification":
        return ind.export_diversification(x, n_categories=opts.n_categories).rename_axis(
            loc).reset_index()
    if kind == "similarity":
        sim = ind.export_similarity(x)
        sim = sim.loc[_selected(sim, opts.locations, "the table").index]
        return _long(sim, f"{loc}_a", f"{loc}_b", "similarity")
    if kind == "intensity":
        return _long(ind.trade_intensity(x), loc, prod, "intensity")
    if kind in ("prody", "expy"):
        return _income(kind, x, gdp, columns, opts)
    raise InputError(f"unknown indicator {kind!r}; expected one of {', '.join(INDICATORS)}")


def _income(kind: str, x: pd.DataFrame, gdp: pd.Series | None, columns: Columns,
            opts: IndicatorOptions) -> pd.DataFrame:
    if gdp is None or gdp.empty:
        raise InputError(f"{kind} needs GDP per capita for this period",
                         hint="pass --gdp FILE, or load WDI into the warehouse")
    join = "inner" if opts.join == "inner" else None
    product_income = ind.prody(x, gdp, join=join)  # type: ignore[arg-type]
    if kind == "prody":
        return product_income.rename_axis(columns.product).reset_index()
    return ind.expy(x, product_income, join=join).rename_axis(  # type: ignore[arg-type]
        columns.location).reset_index()


def _paired(kind: str, exports: pd.DataFrame, imports: pd.DataFrame, columns: Columns,
            opts: IndicatorOptions) -> pd.DataFrame:
    x, m = _matrix(exports, columns, opts.missing), _matrix(imports, columns, opts.missing)
    join = opts.join
    loc, prod = columns.location, columns.product
    if kind == "complementarity":
        x = _selected(x, opts.locations, "the exports")
        tc = ind.trade_complementarity(x, m, join=join)  # type: ignore[arg-type]
        return _long(tc, "exporter", "importer", "complementarity")
    x, m = ind.align(x, m, join=join, names=("exports", "imports"))  # type: ignore[arg-type]
    if opts.by_product:
        gl = ind.grubel_lloyd(x, m)
        return _long(gl, loc, prod, "grubel_lloyd")  # undefined (no trade) cells are dropped
    agg = ind.grubel_lloyd_aggregate(x, m)
    return agg.rename("grubel_lloyd").rename_axis(loc).reset_index()


def _with_notes(run: Callable[[], pd.DataFrame]) -> tuple[pd.DataFrame, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ind.ExcludedLabelsWarning)
        table = run()
    notes = [str(w.message) for w in caught if issubclass(w.category, ind.ExcludedLabelsWarning)]
    return table, notes


def _gdp_from_file(path: str | Path, columns: Columns, gdp_column: str) -> pd.DataFrame:
    """GDP per capita: the location column, ``gdp_column`` and, if present, the time column."""
    return _read_columns(path, [columns.location, gdp_column], text=(columns.location,),
                         optional=(columns.time,) if columns.time else ())


def _gdp_for(gdp: pd.DataFrame | None, columns: Columns, gdp_column: str, label
             ) -> pd.Series | None:
    if gdp is None:
        return None
    part = gdp
    if columns.time and columns.time in gdp.columns:
        part = gdp[gdp[columns.time] == label]
    series = pd.to_numeric(part.set_index(columns.location)[gdp_column], errors="coerce")
    return series[series.notna() & ~series.index.duplicated()]


def indicator_from_file(kind: str, path: str | Path, columns: Columns, *,
                        options: IndicatorOptions = IndicatorOptions(),
                        imports: str | Path | None = None, gdp: str | Path | None = None,
                        gdp_column: str = "gdp_pc") -> TableReport:
    """One trade indicator of a long file, period by period.

    ``imports`` (same columns) is needed by ``complementarity`` and ``intra-industry``;
    ``gdp`` (the location column, optionally the time column, and ``gdp_column``) by
    ``prody``/``expy``. Labels not shared by the two files raise unless ``options.join``
    is ``"inner"`` (or ``"outer"`` for trade flows).
    """
    if kind not in INDICATORS:
        raise InputError(f"unknown indicator {kind!r}; expected one of {', '.join(INDICATORS)}")
    path = Path(path)
    frame = read_table(path, columns)
    origin = {"file": str(path), "sha256": _sha256(path)}
    if kind in ("complementarity", "intra-industry"):
        if imports is None:
            raise InputError(f"{kind} needs imports by product", hint="pass --imports FILE")
        other = read_table(imports, columns)
        origin |= {"imports": str(imports), "imports_sha256": _sha256(Path(imports))}
        table, notes = _with_notes(lambda: _paired_periods(kind, frame, other, columns, options))
    else:
        gdp_frame = _gdp_from_file(gdp, columns, gdp_column) if gdp is not None else None
        if gdp is not None:
            origin |= {"gdp": str(gdp), "gdp_sha256": _sha256(Path(gdp))}
        table, notes = _with_notes(lambda: _by_period(
            frame, columns, lambda label, part: _single(
                kind, part, columns, options, _gdp_for(gdp_frame, columns, gdp_column, label))))
    return TableReport(table, str(path), False, _notes_frame(notes),
                       _provenance(origin, {"indicator": kind} | options.__dict__))


def _paired_periods(kind, exports, imports, columns, options) -> pd.DataFrame:
    other = dict(iter(_periods(imports, columns.time)))

    def compute(label, part):
        if label not in other:
            raise InputError(f"the imports file has no rows for {columns.time} {label}")
        return _paired(kind, part, other[label], columns, options)

    return _by_period(exports, columns, compute)


def _notes_frame(notes: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"time": [None] * len(notes), "kind": ["note"] * len(notes),
                         "label": notes})


def indicator_from_warehouse(kind: str, query: WarehouseQuery, *,
                             options: IndicatorOptions = IndicatorOptions(),
                             gdp_indicator: str = DEFAULT_GDP_INDICATOR) -> TableReport:
    """A trade indicator of one year of ``country_product_exports``.

    ``prody``/``expy`` take GDP per capita from ``country_indicators`` (WDI code
    ``gdp_indicator``, same year). Indicators that need imports or bilateral flows
    (complementarity, intra-industry, intensity) need files: the export matrix has neither.
    """
    if kind in ("complementarity", "intra-industry", "intensity"):
        raise InputError(f"{kind} needs {INDICATORS[kind]}; the warehouse's export matrix "
                         "has no imports or partners",
                         hint=f"run `capcoop indicators {kind} --input FILE ...`")
    frame, label, demo, provenance = _warehouse_exports(query)
    gdp = None
    if kind in ("prody", "expy"):
        gdp = _warehouse_gdp(query, provenance["year"], gdp_indicator)
        provenance["gdp_indicator"] = gdp_indicator
    c = _WAREHOUSE_COLUMNS
    table, notes = _with_notes(lambda: _by_period(
        frame, c, lambda _, part: _single(kind, part, c, options, gdp)))
    return TableReport(table, label, demo, _notes_frame(notes),
                       _provenance(provenance, {"indicator": kind} | options.__dict__))


def _warehouse_gdp(query: WarehouseQuery, year: int, code: str) -> pd.Series:
    with open_reader(query.warehouse) as (con, _):
        rows = con.execute("SELECT country, value FROM country_indicators WHERE indicator = ? "
                           "AND year = ? AND value > 0", [code.upper(), year]).fetchall()
    if not rows:
        raise InputError(f"the warehouse has no {code} values for {year}",
                         hint="load WDI (`capcoop ingest wdi ...`) or pass --gdp-indicator")
    return pd.Series({c: float(v) for c, v in rows}, dtype=np.float64)
