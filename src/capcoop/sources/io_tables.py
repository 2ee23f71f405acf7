"""Input-output tables: readers for the published layouts and their rows for the warehouse.

Every reader turns one file (or folder) into :class:`IOTable` values: an
:class:`~capcoop.analytics.io_system.IOSystem` (flows, output, factor inputs, satellite
accounts) plus the names of its regions, sectors, final-demand categories, factors and
stressors. :func:`table_batches` turns them into rows of the canonical tables ``io_cells`` (long,
sparse: zero cells are not stored; empty fields are ``''``) and ``io_labels``. The source modules
``io_wiod``, ``io_china``, ``io_pymrio``, ``io_adb`` and ``io_icio`` wrap these readers for
``capcoop ingest``; :func:`read_io_path` reads any supported file directly (``capcoop io ...
--table PATH``).

Layouts (details and checks: ``docs/io-tables.md``)
---------------------------------------------------
``wiod2013``
    The WIOD 2013 release as converted from the R package ``wiod``: one wide CSV per year,
    ``row`` = ``<country>_c<k>``, 1,435 intermediate-use columns, 205 final-demand columns
    ``<country>_<CONS_h|CONS_np|CONS_g|GFCF|INVEN>``, ``GO``. US$ million, integers.
``china-nbs``
    NBS national tables (ionet): sector rows and columns by code, final use ``FU101`` ...
    ``EX``, imports ``IM``, statistical error ``ERR``, ``GO``; value-added rows ``VA001`` ...
    ``VA004``. 10,000 CNY. Competitive-import tables (imports in ``Z``; ``IM`` enters final
    demand with a minus sign) or, with an ``Origin`` column, non-competitive tables (``Z`` holds
    domestic flows; imported intermediates become factor ``imported_intermediates``).
``oecd-niot``
    OECD national IOTs (2021 ed.) stacked by year: ``year, Code, Description``, industries
    ``01`` ... ``45``, final demand ``HFCE`` ... ``IMPO``; rows ``TXS_IMP_FNL``, ``TXS_INT_FNL``,
    ``VALU``, ``OUTPUT``. US$ million.
``pymrio-text``
    pymrio's text export: a folder with tab-separated ``*_Z.txt`` (or ``Z.txt``), ``*_Y.txt``,
    and optionally ``factor_input.txt``, ``emissions.txt``, ``FDemissions.txt``.
``adb-mrio-table``
    ADB MRIO workbooks as published (Excel): data from row 8, column E; columns C and D of the
    data rows name economy and sector (``c1`` ... ``c35``); 5 final-demand columns per economy;
    rows r60-r69 below the industries; ``ToT`` in the last column.
``oecd-icio``
    OECD ICIO CSV (2023 ed.: ``<REG>_<IND>`` rows and columns, final demand
    ``<REG>_<HFCE|NPISH|GGFC|GFCF|INVNT|DPABR>``, rows ``TLS``, ``VA``, ``OUT``, column ``OUT``;
    the 2021 ed.'s ``<REG>_TAXSUB``, ``VALU``, ``OUTPUT`` and ``TOTAL`` are read too).

Errors name the file, the line (1-based, header = line 1) or Excel row, the column and the value:
a non-square intermediate block, negative or non-numeric values where they cannot be, duplicate
labels, rows that break the accounting identity beyond the layout's rounding tolerance.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from capcoop.analytics.io_system import IOSystem
from capcoop.errors import InputError, SourceFormatError, UnknownCountryError
from capcoop.sources.base import TableBatch

__all__ = ["IOTable", "LABEL_KINDS", "MATRICES", "table_batches", "cells_frame", "read_wiod2013",
           "read_china_nbs", "read_oecd_niot", "read_pymrio_text", "read_adb_mrio",
           "read_oecd_icio", "read_io_path", "detect_format", "region_code", "WIOD_SECTORS",
           "WIOD_CATEGORIES", "ADB_CATEGORIES", "ICIO_CATEGORIES"]

#: ``io_labels.kind`` values.
LABEL_KINDS = ("region", "sector", "category", "factor", "stressor")
#: ``io_cells.matrix`` values: Z, Y, x, V (factor inputs), F (stressors by industry) and F_Y
#: (stressors emitted by final demand directly).
MATRICES = ("Z", "Y", "x", "V", "F", "F_Y")

#: WIOD 2013 sectors c1..c35 (ISIC Rev. 3 / NACE 1.1 names from the WIOD documentation).
WIOD_SECTORS: tuple[str, ...] = (
    "Agriculture, Hunting, Forestry and Fishing", "Mining and Quarrying",
    "Food, Beverages and Tobacco", "Textiles and Textile Products",
    "Leather, Leather and Footwear", "Wood and Products of Wood and Cork",
    "Pulp, Paper, Paper, Printing and Publishing", "Coke, Refined Petroleum and Nuclear Fuel",
    "Chemicals and Chemical Products", "Rubber and Plastics", "Other Non-Metallic Mineral",
    "Basic Metals and Fabricated Metal", "Machinery, Nec", "Electrical and Optical Equipment",
    "Transport Equipment", "Manufacturing, Nec; Recycling", "Electricity, Gas and Water Supply",
    "Construction",
    "Sale, Maintenance and Repair of Motor Vehicles and Motorcycles; Retail Sale of Fuel",
    "Wholesale Trade and Commission Trade, Except of Motor Vehicles and Motorcycles",
    "Retail Trade, Except of Motor Vehicles and Motorcycles; Repair of Household Goods",
    "Hotels and Restaurants", "Inland Transport", "Water Transport", "Air Transport",
    "Other Supporting and Auxiliary Transport Activities; Activities of Travel Agencies",
    "Post and Telecommunications", "Financial Intermediation", "Real Estate Activities",
    "Renting of M&Eq and Other Business Activities",
    "Public Admin and Defence; Compulsory Social Security", "Education",
    "Health and Social Work", "Other Community, Social and Personal Services",
    "Private Households with Employed Persons")
#: WIOD 2013 final-demand categories in file order.
WIOD_CATEGORIES = {"CONS_h": "Final consumption expenditure by households",
                   "CONS_np": "Final consumption expenditure by NPISH",
                   "CONS_g": "Final consumption expenditure by government",
                   "GFCF": "Gross fixed capital formation",
                   "INVEN": "Changes in inventories and valuables"}
#: ADB MRIO final-demand columns F1..F5 of each economy.
ADB_CATEGORIES = {"F1": "Household final consumption", "F2": "Final consumption of NPISHs",
                  "F3": "Government final consumption", "F4": "Gross fixed capital formation",
                  "F5": "Changes in inventories and valuables"}
#: OECD ICIO final-demand categories (2023 edition; 2021 uses the same codes).
ICIO_CATEGORIES = {"HFCE": "Household final consumption expenditure",
                   "NPISH": "Final consumption expenditure of NPISHs",
                   "GGFC": "General government final consumption",
                   "GFCF": "Gross fixed capital formation",
                   "INVNT": "Changes in inventories and valuables",
                   "DPABR": "Direct purchases abroad by residents",
                   "NONRES": "Purchases on the domestic territory by non-residents",
                   "DISC": "Statistical discrepancy"}
_NBS_CATEGORIES = {"FU101": "Rural household consumption", "FU102": "Urban household consumption",
                   "FU103": "Government consumption", "TC": "Final consumption",
                   "FU201": "Gross fixed capital formation", "FU202": "Changes in inventories",
                   "EX": "Exports", "IM": "Imports (entered negative)",
                   "ERR": "Statistical error"}
_NBS_FACTORS = {"VA001": "Compensation of employees", "VA002": "Net taxes on production",
                "VA003": "Depreciation of fixed assets", "VA004": "Operating surplus",
                "imported_intermediates": "Imported intermediate inputs"}
_NIOT_CATEGORIES = {"HFCE": "Household final consumption expenditure",
                    "NPISH": "Final consumption expenditure of NPISHs",
                    "GGFC": "General government final consumption",
                    "GFCF": "Gross fixed capital formation",
                    "INVNT": "Changes in inventories and valuables",
                    "CONS_ABR": "Direct purchases abroad by residents",
                    "CONS_NONRES": "Direct purchases by non-residents",
                    "EXPO": "Exports", "IMPO": "Imports (negative)"}
_NIOT_FACTORS = ("TXS_IMP_FNL", "TXS_INT_FNL", "VALU")
#: Region codes of publishers that are not ISO3 (besides ADB's, see adb_mrio.ADB_CODES).
_REGION_ALIASES = {"ROM": "ROU", "ROW": "ROW", "RoW": "ROW"}


@dataclass(frozen=True)
class IOTable:
    """One input-output table as read from a file: the system and the names of its labels.

    Parameters
    ----------
    table_name
        The name it is stored under (``wiod2013``, ``china-nbs-153``, ``pymrio-test`` ...).
    system
        Flows, output, factor inputs and satellite accounts.
    labels
        Columns ``kind`` (:data:`LABEL_KINDS`), ``code``, ``name_en``, ``name_zh``, ``unit``.
    checks
        What was verified while reading (largest row imbalance, tolerance ...).
    """

    table_name: str
    system: IOSystem
    labels: pd.DataFrame
    checks: dict[str, float | str] = field(default_factory=dict)


# --- rows for the warehouse ------------------------------------------------------------------


def _pairs(index: pd.MultiIndex) -> tuple[np.ndarray, np.ndarray]:
    return (np.asarray(index.get_level_values(0), dtype=object),
            np.asarray(index.get_level_values(1), dtype=object))


def _matrix_rows(matrix: str, values: np.ndarray, rows: tuple[np.ndarray, np.ndarray],
                 cols: tuple[np.ndarray, np.ndarray]) -> pd.DataFrame:
    i, j = np.nonzero(values)
    return pd.DataFrame({"matrix": matrix, "row_region": rows[0][i], "row_sector": rows[1][i],
                         "col_region": cols[0][j], "col_sector": cols[1][j],
                         "value": values[i, j]})


def cells_frame(table: IOTable) -> pd.DataFrame:
    """The non-zero cells of ``table`` as ``io_cells`` rows (without ``source``/``load_id``)."""
    s = table.system
    industries, final = _pairs(s.industries), _pairs(s.final_demand)
    parts = [_matrix_rows("Z", s.Z, industries, industries),
             _matrix_rows("Y", s.Y, industries, final),
             _matrix_rows("x", s.x.reshape(-1, 1), industries, (np.array([""], dtype=object),) * 2)]
    if s.V is not None:
        names = np.asarray(s.factors, dtype=object)
        parts.append(_matrix_rows("V", s.V, (np.full(len(names), "", dtype=object), names),
                                  industries))
    if s.F is not None:
        names = np.asarray(s.stressors, dtype=object)
        blank = np.full(len(names), "", dtype=object)
        parts.append(_matrix_rows("F", s.F, (blank, names), industries))
        if s.F_Y is not None:
            parts.append(_matrix_rows("F_Y", s.F_Y, (blank, names), final))
    frame = pd.concat(parts, ignore_index=True)
    frame.insert(0, "table_name", table.table_name)
    frame.insert(1, "year", int(s.year if s.year is not None else 0))
    return frame


def table_batches(tables: Sequence[IOTable]) -> list[TableBatch]:
    """``io_cells`` and ``io_labels`` batches for ``tables``.

    A load replaces every stored cell of the same (table, year) from the same source, so cells
    that became zero in a newer file do not linger. Keys are unique by construction (the
    system's labels are checked for repeats), so the loader's own key check is skipped.
    """
    cells = pd.concat([cells_frame(t) for t in tables], ignore_index=True)
    labels = pd.concat([t.labels.assign(table_name=t.table_name) for t in tables],
                       ignore_index=True).drop_duplicates(["table_name", "kind", "code"],
                                                          keep="last")
    labels = labels[["table_name", "kind", "code", "name_en", "name_zh", "unit"]]
    return [TableBatch("io_cells", cells, replace_by=("table_name", "year"),
                       unique_key_checked=True),
            TableBatch("io_labels", labels.reset_index(drop=True))]


def _labels(kind: str, codes: Iterable[str], names: Iterable[str] | None = None,
            names_zh: Iterable[str] | None = None, unit: str = "") -> pd.DataFrame:
    codes = list(codes)
    return pd.DataFrame({"kind": kind, "code": codes,
                         "name_en": list(names) if names is not None else codes,
                         "name_zh": list(names_zh) if names_zh is not None else "",
                         "unit": unit})


def region_code(text: str) -> str:
    """ISO3 for a publisher's region code (``ROM`` -> ``ROU``); ``ROW`` for the rest of the world.

    Codes that are not countries (ICIO's ``CN1``, pymrio's ``reg1``) are kept as given.
    """
    from capcoop.sources.adb_mrio import ADB_CODES

    code = str(text).strip()
    code = _REGION_ALIASES.get(code, ADB_CODES.get(code, code))
    return code


def _region_labels(codes: Sequence[str], unit: str) -> pd.DataFrame:
    from capcoop.codes.countries import country

    names_en, names_zh = [], []
    for code in codes:
        try:
            found = country(code) if len(code) == 3 and code != "ROW" else None
        except (UnknownCountryError, InputError):
            found = None
        if code == "ROW":
            names_en.append("Rest of the world")
            names_zh.append("世界其他地区")
        else:
            names_en.append(found.name_en if found else code)
            names_zh.append(found.name_zh if found else "")
    return _labels("region", codes, names_en, names_zh, unit)


# --- shared validation -----------------------------------------------------------------------


def _numbers(frame: pd.DataFrame, file: str, *, lines: Sequence[int] | None = None,
             what: str = "a number") -> np.ndarray:
    """The frame as floats; a non-numeric cell raises naming line, column and value."""
    converted = frame.apply(pd.to_numeric, errors="coerce")
    bad = converted.isna().to_numpy() & ~frame.isna().to_numpy()
    if bad.any():
        r, c = (int(v[0]) for v in np.nonzero(bad))
        line = lines[r] if lines is not None else r + 2
        raise SourceFormatError(f"not {what}", file=file, line=int(line),
                                column=str(frame.columns[c]), value=frame.iat[r, c])
    return converted.fillna(0.0).to_numpy(dtype=float)


def _check_nonnegative(values: np.ndarray, labels: Sequence[str], file: str, *,
                       lines: Sequence[int], column: str, what: str) -> None:
    bad = np.flatnonzero(values < 0)
    if bad.size:
        at = int(bad[0])
        raise SourceFormatError(f"negative {what} for {labels[at]}", file=file,
                                line=int(lines[at]), column=column, value=float(values[at]),
                                hint=f"{what} cannot be negative; use the file as published")


def _check_unique(labels: Sequence[str], file: str, *, lines: Sequence[int], column: str) -> None:
    seen: dict[str, int] = {}
    for label, line in zip(labels, lines, strict=True):
        if label in seen:
            raise SourceFormatError(f"label {label!r} appears twice (first on line {seen[label]})",
                                    file=file, line=int(line), column=column, value=label,
                                    hint="each industry may appear once")
        seen[label] = int(line)


def _check_square(rows: Sequence[str], cols: Sequence[str], file: str, *,
                  row_lines: Sequence[int], column: str) -> None:
    """Rows and intermediate-use columns must name the same industries in the same order."""
    if len(rows) != len(cols):
        raise SourceFormatError(f"the intermediate block is not square: {len(rows)} industry rows "
                                f"but {len(cols)} industry columns", file=file,
                                hint="Z needs one row and one column per industry")
    for k, (r, c) in enumerate(zip(rows, cols, strict=True)):
        if r != c:
            raise SourceFormatError(f"row {k + 1} of the intermediate block is {r!r} but its "
                                    f"column {k + 1} is {c!r}", file=file,
                                    line=int(row_lines[k]), column=column, value=r,
                                    hint="rows and columns must list the industries in the same "
                                         "order")


def _check_balance(Z: np.ndarray, Y: np.ndarray, x: np.ndarray, labels: Sequence[str],
                   file: str, *, lines: Sequence[int], tolerance: np.ndarray | float,
                   rule: str) -> float:
    """Σ_j Z_ij + Σ_k Y_ik = x_i within ``tolerance``; returns the largest gap."""
    gap = np.abs(Z.sum(axis=1) + Y.sum(axis=1) - x)
    limit = np.broadcast_to(np.asarray(tolerance, dtype=float), gap.shape) + 1e-9 * np.abs(x)
    bad = np.flatnonzero(gap > limit)
    if bad.size:
        at = int(bad[0])
        raise SourceFormatError(
            f"row {labels[at]} breaks the identity intermediate + final use = output by "
            f"{gap[at]:.6g} (tolerance {limit[at]:.3g}, {rule})", file=file, line=int(lines[at]),
            value=float(x[at]), hint="a value was altered; use the file as published")
    return float(gap.max()) if gap.size else 0.0


def _open_text(path: Path):
    return gzip.open(path, "rt", encoding="utf-8-sig") if path.suffix == ".gz" else \
        open(path, encoding="utf-8-sig")


def _read_csv(path: Path, **kwargs) -> pd.DataFrame:
    try:
        return pd.read_csv(path, **kwargs)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, OSError) as exc:
        raise SourceFormatError(f"cannot read the file as CSV: {exc}", file=path.name) from None


def _split_label(label: str, file: str, *, line: int | None = None,
                 column: str | None = None) -> tuple[str, str]:
    region, sep, rest = str(label).partition("_")
    if not sep or not region or not rest:
        raise SourceFormatError("expected a label <region>_<code>", file=file, line=line,
                                column=column, value=label)
    return region, rest


# --- WIOD 2013 -------------------------------------------------------------------------------


def read_wiod2013(path: str | Path) -> IOTable:
    """Read a WIOD 2013 table converted from the R package ``wiod`` (one year per file).

    The year comes from the file name (``wiod2013_wiot_2011_Z_F_GO.csv.gz``). The package
    rounds every cell to whole US$ million, so each row may be off by up to 0.5 per cell: the
    identity Σ Z + Σ F = GO is checked to 0.5 × (cells in the row + 1). Value added is not in
    the file; factor ``value_added_residual`` = GO − Σ_i Z_ij (includes net taxes and
    international transport margins).
    """
    path = Path(path)
    year = _year_from_name(path)
    frame = _read_csv(path, index_col=0, dtype={0: str}, low_memory=False)
    columns = [str(c).strip() for c in frame.columns]
    if not frame.index.name or frame.index.name.strip() != "row" or "GO" not in columns:
        raise SourceFormatError("not a WIOD 2013 table: expected first column 'row' and a 'GO' "
                                "column", file=path.name, line=1,
                                value=frame.index.name)
    lines = list(range(2, len(frame) + 2))
    rows = [str(r).strip() for r in frame.index]
    cat_cols = [c for c in columns if c.split("_", 1)[-1] in WIOD_CATEGORIES]
    z_cols = [c for c in columns if c not in cat_cols and c != "GO"]
    _check_unique(rows, path.name, lines=lines, column="row")
    _check_square(rows, z_cols, path.name, row_lines=lines, column="row")
    values = _numbers(frame, path.name, lines=lines)
    position = {c: k for k, c in enumerate(columns)}
    Z = values[:, [position[c] for c in z_cols]]
    Y = values[:, [position[c] for c in cat_cols]]
    x = values[:, position["GO"]]
    industries = [_split_label(r, path.name, line=ln, column="row")
                  for r, ln in zip(rows, lines, strict=True)]
    _check_nonnegative(x, rows, path.name, lines=lines, column="GO", what="gross output")
    _check_nonnegative_block(Z, rows, z_cols, path.name, lines, "intermediate use")
    gap = _check_balance(Z, Y, x, rows, path.name, lines=lines,
                         tolerance=0.5 * (len(columns)), rule="integer rounding, 0.5 per cell")
    regions = list(dict.fromkeys(region_code(r) for r, _ in industries))
    pairs = [(region_code(r), s) for r, s in industries]
    final = [(region_code(r), c) for r, c in (_split_label(c, path.name, line=1, column=c)
                                              for c in cat_cols)]
    va = x - Z.sum(axis=0)
    unit = "USD million"
    system = IOSystem(Z, Y, pairs, final, x=x, V=va.reshape(1, -1),
                      factors=("value_added_residual",), name="wiod2013", year=year, unit=unit,
                      notes=("WIOD 2013 release (via the R package wiod): cells rounded to whole "
                             "US$ million; value added is the residual GO - column sums of Z",))
    sectors = list(dict.fromkeys(s for _, s in pairs))
    names = {f"c{k}": name for k, name in enumerate(WIOD_SECTORS, start=1)}
    labels = pd.concat([
        _region_labels(regions, unit),
        _labels("sector", sectors, [names.get(s, s) for s in sectors], unit=unit),
        _labels("category", list(WIOD_CATEGORIES), list(WIOD_CATEGORIES.values()), unit=unit),
        _labels("factor", ["value_added_residual"],
                ["Value added (residual: output - intermediate inputs)"], unit=unit)])
    return IOTable("wiod2013", system, labels,
                   {"max_row_imbalance": gap, "tolerance": "0.5 per cell (integer rounding)"})


def _check_nonnegative_block(Z: np.ndarray, rows: Sequence[str], cols: Sequence[str], file: str,
                             lines: Sequence[int], what: str) -> None:
    bad = np.argwhere(Z < 0)
    if bad.size:
        r, c = (int(v) for v in bad[0])
        raise SourceFormatError(f"negative {what} from {rows[r]} to {cols[c]}", file=file,
                                line=int(lines[r]), column=str(cols[c]), value=float(Z[r, c]),
                                hint="intermediate flows cannot be negative")


def _year_from_name(path: Path) -> int:
    # a year that follows a letter is part of a name (wiod2013, Mar2023), not the table's year
    found = re.findall(r"(?<![A-Za-z0-9])((?:19|20)\d\d)(?!\d)", path.name)
    if not found:
        raise SourceFormatError("the file name does not say the table's year (e.g. "
                                "wiod2013_wiot_2011_Z_F_GO.csv.gz)", file=path.name,
                                hint="keep the publisher's file name, which carries the year")
    return int(found[0])


# --- China: NBS tables -------------------------------------------------------------------------


def read_china_nbs(path: str | Path) -> IOTable:
    """Read an NBS national input-output table of China (ionet CSV, 10,000 CNY).

    Competitive-import tables: ``Z`` includes imported inputs, final demand is
    ``FU101 FU102 FU103 FU201 FU202 EX`` plus ``-IM`` and ``ERR``, and Σ Z + Σ Y = GO holds to
    1e-6 relative. Non-competitive tables (``Origin`` column): ``Z`` and final demand
    (``TC FU201 FU202 EX``) from the ``Domestic`` rows; the ``Imports`` rows' column sums become
    factor ``imported_intermediates``. Value-added rows ``VA001``-``VA004`` become factors.
    Stored as ``china-nbs-<sectors>`` (``-domestic`` for non-competitive tables).
    """
    path = Path(path)
    year = _year_from_name(path)
    frame = _read_csv(path, dtype=str, keep_default_na=False)
    frame.index = pd.RangeIndex(2, len(frame) + 2)
    frame.columns = [str(c).strip() for c in frame.columns]
    for needed in ("Code", "Description", "GO"):
        if needed not in frame.columns:
            raise SourceFormatError(f"not an NBS input-output table: no column {needed!r}",
                                    file=path.name, line=1)
    sectors = [c for c in frame.columns if c.isdigit()]
    noncompetitive = "Origin" in frame.columns
    codes = frame["Code"].str.strip()
    if noncompetitive:
        origin = frame["Origin"].str.strip()
        body = frame[(origin == "Domestic") & codes.str.isdigit()]
        imports = frame[(origin == "Imports") & codes.str.isdigit()]
    else:
        body = frame[codes.str.isdigit()]
        imports = None
    lines = list(body.index)
    rows = list(body["Code"].str.strip())
    _check_unique(rows, path.name, lines=lines, column="Code")
    _check_square(rows, sectors, path.name, row_lines=lines, column="Code")
    Z = _numbers(body[sectors], path.name, lines=lines)
    leaves = ["FU101", "FU102", "FU103", "FU201", "FU202", "EX"] if "FU101" in frame else \
        ["TC", "FU201", "FU202", "EX"]
    missing = [c for c in leaves if c not in frame.columns]
    if missing:
        raise SourceFormatError(f"no final-use column {missing[0]!r}", file=path.name, line=1)
    Y = _numbers(body[leaves], path.name, lines=lines)
    categories = list(leaves)
    if "IM" in frame.columns:
        Y = np.column_stack([Y, -_numbers(body[["IM"]], path.name, lines=lines)[:, 0]])
        categories.append("IM")
    if "ERR" in frame.columns:
        Y = np.column_stack([Y, _numbers(body[["ERR"]], path.name, lines=lines)[:, 0]])
        categories.append("ERR")
    x = _numbers(body[["GO"]], path.name, lines=lines)[:, 0]
    _check_nonnegative(x, rows, path.name, lines=lines, column="GO", what="gross output")
    gap = _check_balance(Z, Y, x, rows, path.name, lines=lines, tolerance=1e-6 * np.abs(x) + 1.0,
                         rule="published to full precision")
    factor_rows = frame[codes.isin(["VA001", "VA002", "VA003", "VA004"])]
    factors = list(factor_rows["Code"].str.strip())
    V = _numbers(factor_rows[sectors], path.name, lines=list(factor_rows.index))
    if imports is not None:
        imported = _numbers(imports[sectors], path.name, lines=list(imports.index)).sum(axis=0)
        V = np.vstack([imported, V])
        factors = ["imported_intermediates", *factors]
    unit = "CNY 10,000"
    name = f"china-nbs-{len(sectors)}" + ("-domestic" if noncompetitive else "")
    system = IOSystem(Z, Y, [("CHN", s) for s in rows], [("CHN", c) for c in categories], x=x,
                      V=V, factors=tuple(factors), name=name, year=year, unit=unit,
                      notes=(("non-competitive-import table: Z holds domestic flows only",)
                             if noncompetitive else
                             ("competitive-import table: Z includes imported inputs; imports "
                              "enter final demand with a minus sign",)))
    labels = pd.concat([
        _region_labels(["CHN"], unit),
        _labels("sector", rows, body["Description"].str.strip(),
                body["DescriptionInChinese"].str.strip() if "DescriptionInChinese" in body
                else None, unit),
        _labels("category", categories, [_NBS_CATEGORIES[c] for c in categories], unit=unit),
        _labels("factor", factors, [_NBS_FACTORS[f] for f in factors], unit=unit)])
    return IOTable(name, system, labels, {"max_row_imbalance": gap,
                                          "tolerance": "1e-6 relative + 1 (10,000 CNY)"})


# --- OECD national IOTs ----------------------------------------------------------------------


def read_oecd_niot(path: str | Path, *, years: Iterable[int] | None = None) -> list[IOTable]:
    """Read OECD national IOTs (2021 ed.) stacked by year, one :class:`IOTable` per year.

    The country comes from the file name (``OECD21ed_CHN_1995to2018_long_by_year.csv``); the
    table is stored as ``oecd-niot-<iso3>`` (lower case). Final demand includes ``EXPO`` and
    (negative) ``IMPO``; factors are ``TXS_IMP_FNL``, ``TXS_INT_FNL`` and ``VALU``. Values are
    rounded to 0.1 US$ million, so Σ Z + Σ Y = OUTPUT is checked to 0.05 per cell.
    """
    path = Path(path)
    match = re.search(r"_([A-Z]{3})_", path.name)
    if match is None:
        raise SourceFormatError("the file name does not name the country (e.g. "
                                "OECD21ed_CHN_1995to2018_long_by_year.csv)", file=path.name)
    iso3 = region_code(match.group(1))
    frame = _read_csv(path, dtype=str, keep_default_na=False)
    frame.index = pd.RangeIndex(2, len(frame) + 2)
    frame.columns = [str(c).strip() for c in frame.columns]
    for needed in ("year", "Code", "Description", *_NIOT_CATEGORIES):
        if needed not in frame.columns:
            raise SourceFormatError(f"not an OECD national IOT: no column {needed!r}",
                                    file=path.name, line=1)
    sectors = [c for c in frame.columns if c.isdigit()]
    wanted = set(years) if years is not None else None
    tables = []
    for year_text, block in frame.groupby("year", sort=True):
        if not str(year_text).strip().isdigit():
            raise SourceFormatError("not a year", file=path.name, line=int(block.index[0]),
                                    column="year", value=year_text)
        year = int(year_text)
        if wanted is None or year in wanted:
            tables.append(_niot_year(block, year, iso3, sectors, path.name))
    if not tables:
        raise SourceFormatError(f"no table for the years asked ({sorted(wanted or [])})",
                                file=path.name)
    return tables


def _niot_year(block: pd.DataFrame, year: int, iso3: str, sectors: list[str],
               file: str) -> IOTable:
    codes = block["Code"].str.strip()
    body = block[codes.isin(sectors)]
    lines, rows = list(body.index), list(body["Code"].str.strip())
    _check_unique(rows, file, lines=lines, column="Code")
    _check_square(rows, sectors, file, row_lines=lines, column="Code")
    Z = _numbers(body[sectors], file, lines=lines)
    Y = _numbers(body[list(_NIOT_CATEGORIES)], file, lines=lines)
    output = block[codes == "OUTPUT"]
    if len(output) != 1:
        raise SourceFormatError(f"year {year} has {len(output)} OUTPUT rows; expected 1",
                                file=file, column="Code")
    x = _numbers(output[sectors], file, lines=list(output.index))[0]
    _check_nonnegative(x, rows, file, lines=[int(output.index[0])] * len(rows), column="OUTPUT",
                       what="output")
    _check_nonnegative_block(Z, rows, sectors, file, lines, "intermediate use")
    gap = _check_balance(Z, Y, x, rows, file, lines=lines,
                         tolerance=0.05 * (len(sectors) + len(_NIOT_CATEGORIES) + 1),
                         rule="values rounded to 0.1")
    factor_rows = block[codes.isin(_NIOT_FACTORS)]
    V = _numbers(factor_rows[sectors], file, lines=list(factor_rows.index))
    factors = list(factor_rows["Code"].str.strip())
    unit = "USD million"
    name = f"oecd-niot-{iso3.lower()}"
    system = IOSystem(Z, Y, [(iso3, s) for s in rows], [(iso3, c) for c in _NIOT_CATEGORIES],
                      x=x, V=V, factors=tuple(factors), name=name, year=year, unit=unit,
                      notes=("OECD national IOT (2021 ed.): imports are a negative final-demand "
                             "column; Z includes imported inputs",))
    labels = pd.concat([
        _region_labels([iso3], unit),
        _labels("sector", rows, body["Description"].str.strip(), unit=unit),
        _labels("category", list(_NIOT_CATEGORIES), list(_NIOT_CATEGORIES.values()), unit=unit),
        _labels("factor", factors, list(factor_rows["Description"].str.strip()), unit=unit)])
    return IOTable(name, system, labels, {"max_row_imbalance": gap,
                                          "tolerance": "0.05 per cell (rounded to 0.1)"})


# --- pymrio text format ------------------------------------------------------------------------


def read_pymrio_text(folder: str | Path, *, table_name: str | None = None) -> IOTable:
    """Read an MRIO saved in pymrio's text format (a folder of tab-separated files).

    Files: ``*Z.txt`` (3 index columns region, sector, unit; 2 header rows region, sector),
    ``*Y.txt`` (header rows region, category), optional ``factor_input.txt`` (factor inputs),
    ``emissions.txt`` and ``FDemissions.txt`` (stressors by industry and by final demand).
    ``x`` = row sums of Z and Y (pymrio's convention). The year comes from ``metadata.json``
    (key ``year``) or a year in the folder name, else 0 (undated, as pymrio's test MRIO).
    The table name defaults to ``pymrio-<metadata name>`` (``pymrio-test`` for pymrio's test
    MRIO).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise SourceFormatError("pymrio text tables are folders", file=folder.name,
                                hint="give the folder that holds the *_Z.txt file")
    z_file = _one_file(folder, ("*_Z.txt", "Z.txt"), "intermediate flows (*_Z.txt)")
    y_file = _one_file(folder, ("*_Y.txt", "Y.txt"), "final demand (*_Y.txt)")
    meta = _metadata(folder)
    Z = _pymrio_frame(z_file)
    Y = _pymrio_frame(y_file)
    industries = [(str(r), str(s)) for r, s, *_ in Z.index]
    z_cols = [(str(r), str(s)) for r, s in Z.columns]
    lines = list(range(3, len(Z) + 3))
    labels_text = [f"{r}/{s}" for r, s in industries]
    _check_unique(labels_text, z_file.name, lines=lines, column="sector")
    _check_square(labels_text, [f"{r}/{s}" for r, s in z_cols], z_file.name, row_lines=lines,
                  column="sector")
    y_rows = [(str(r), str(s)) for r, s, *_ in Y.index]
    if y_rows != industries:
        raise SourceFormatError("final-demand rows do not list the industries of Z in order",
                                file=y_file.name, hint="export Z and Y from the same system")
    z = _numbers(Z.reset_index(drop=True), z_file.name, lines=lines)
    y = _numbers(Y.reset_index(drop=True), y_file.name, lines=lines)
    unit = str(Z.index[0][2]) if Z.index.nlevels > 2 else ""
    x = z.sum(axis=1) + y.sum(axis=1)
    _check_nonnegative(x, labels_text, z_file.name, lines=lines, column="row sums",
                       what="gross output")
    V, factors, F, stressors, units, F_Y = _pymrio_extensions(folder, industries, list(Y.columns))
    year = _pymrio_year(meta, folder)
    name = table_name or f"pymrio-{_slug(meta.get('name', folder.name)).removesuffix('mrio')}"
    system = IOSystem(z, y, industries, [(str(r), str(c)) for r, c in Y.columns], x=x, V=V,
                      factors=factors, F=F, stressors=stressors, stressor_units=units, F_Y=F_Y,
                      name=name, year=year, unit=unit or "unknown",
                      notes=(f"pymrio text format ({meta.get('description', folder.name)})",))
    regions = list(dict.fromkeys(r for r, _ in industries))
    sectors = list(dict.fromkeys(s for _, s in industries))
    categories = list(dict.fromkeys(c for _, c in Y.columns))
    labels = pd.concat([
        _labels("region", regions, unit=unit), _labels("sector", sectors, unit=unit),
        _labels("category", categories, unit=unit), _labels("factor", factors, unit=unit),
        _labels("stressor", stressors, unit="")])
    if stressors:
        labels.loc[labels["kind"] == "stressor", "unit"] = list(units)
    return IOTable(name, system, labels, {"max_row_imbalance": 0.0,
                                          "tolerance": "x is defined as row sums"})


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-") or "table"


def _one_file(folder: Path, patterns: Sequence[str], what: str) -> Path:
    for pattern in patterns:
        found = sorted(folder.glob(pattern))
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise SourceFormatError(f"several files for {what}: {[f.name for f in found]}",
                                    file=folder.name)
    raise SourceFormatError(f"no file for {what}", file=folder.name,
                            hint="a pymrio text folder holds Z and Y as tab-separated files")


def _metadata(folder: Path) -> dict:
    meta_file = folder / "metadata.json"
    if not meta_file.is_file():
        return {}
    try:
        return json.loads(meta_file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SourceFormatError(f"metadata.json is not JSON: {exc}", file=meta_file.name) from None


def _pymrio_year(meta: dict, folder: Path) -> int:
    if str(meta.get("year", "")).strip().isdigit():
        return int(meta["year"])
    found = re.findall(r"(?<![A-Za-z0-9])((?:19|20)\d\d)(?!\d)", folder.name)
    return int(found[0]) if found else 0


def _index_columns(path: Path) -> int:
    with open(path, encoding="utf-8") as handle:
        first = next(csv.reader(handle, delimiter="\t"), [])
    count = 0
    for cell in first:
        if cell.strip():
            break
        count += 1
    return count


def _pymrio_frame(path: Path, header_rows: int = 2) -> pd.DataFrame:
    n_index = _index_columns(path)
    if n_index < 1:
        raise SourceFormatError("expected index columns before the header labels", file=path.name,
                                line=1)
    try:
        frame = pd.read_csv(path, sep="\t", index_col=list(range(n_index)),
                            header=list(range(header_rows)), dtype=str)
    except (pd.errors.ParserError, ValueError) as exc:
        raise SourceFormatError(f"cannot read the tab-separated table: {exc}",
                                file=path.name) from None
    return frame


def _pymrio_extensions(folder: Path, industries: list[tuple[str, str]],
                       final: list[tuple[str, str]]):
    V = F = F_Y = None
    factors: tuple[str, ...] = ()
    stressors: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    factor_file = folder / "factor_input.txt"
    if factor_file.is_file():
        frame = _pymrio_frame(factor_file)
        _check_columns([(str(r), str(s)) for r, s in frame.columns], industries, factor_file)
        V = _numbers(frame.reset_index(drop=True), factor_file.name)
        factors = tuple(str(i[0] if isinstance(i, tuple) else i) for i in frame.index)
    emission_file = folder / "emissions.txt"
    if emission_file.is_file():
        frame = _pymrio_frame(emission_file)
        _check_columns([(str(r), str(s)) for r, s in frame.columns], industries, emission_file)
        F = _numbers(frame.reset_index(drop=True), emission_file.name)
        stressors = tuple(" - ".join(str(p) for p in i[:-1]) for i in frame.index)
        units = tuple(str(i[-1]) for i in frame.index)
        fd_file = folder / "FDemissions.txt"
        if fd_file.is_file():
            fd = _pymrio_frame(fd_file)
            _check_columns([(str(r), str(s)) for r, s in fd.columns],
                           [(str(r), str(s)) for r, s in final], fd_file)
            F_Y = _numbers(fd.reset_index(drop=True), fd_file.name)
    return V, factors, F, stressors, units, F_Y


def _check_columns(found: list[tuple[str, str]], expected: list[tuple[str, str]],
                   path: Path) -> None:
    if found != expected:
        raise SourceFormatError("the columns do not match the table's industries or final-demand "
                                "columns in order", file=path.name, line=1,
                                hint="export every account from the same system")


# --- ADB MRIO workbooks ------------------------------------------------------------------------

_ADB_FIRST_ROW = 8   # Excel row of the first industry
_ADB_FIRST_COL = 5   # Excel column E
_ADB_SECTORS = 35
_ADB_FOOTER = ("r60", "r61", "r62", "r63", "r64", "r65", "r66", "r69")
_ADB_FACTORS = {"r61": "Taxes less subsidies on products", "r62": "Cif/fob adjustments on exports",
                "r63": "Direct purchases abroad by residents",
                "r64": "Purchases on the domestic territory by non-residents",
                "r65": "Value added at basic prices", "r66": "International transport margins"}


def read_adb_mrio(path: str | Path, *, year: int | None = None,
                  sheet: str | int = 0) -> IOTable:
    """Read an ADB MRIO table in the publisher's Excel layout (``.xlsx``).

    Layout (as ADB publishes it and as K. Reyes's ``mrio`` R package reads it): industries
    from Excel row 8 and column E; column C names the economy (ADB codes: PRC, VIE ...; mapped
    to ISO3) and column D the sector (``c1`` ... ``c35``) of each data row; after G × 35
    industry columns come 5 final-demand columns per economy (F1-F5, economies in the row
    order) and ``ToT`` (total output) last. Below the industries eight rows: r60
    (intermediate total), r61-r66 (taxes less subsidies, cif/fob, purchases abroad, purchases
    by non-residents, value added, international transport margins; the factors) and r69
    (output). Checks: ToT = r69 per industry, and Σ Z + Σ Y = ToT (1e-6 relative).
    The year comes from ``year`` or the file name (``ADB-MRIO-2022_...xlsx``).
    """
    path = Path(path)
    year = year if year is not None else _year_from_name(path)
    try:
        sheet_frame = pd.read_excel(path, sheet_name=sheet, header=None, dtype=object)
    except Exception as exc:  # openpyxl raises many unrelated types for a bad workbook
        raise SourceFormatError(f"cannot read the workbook: {exc}", file=path.name) from None
    data = sheet_frame.iloc[_ADB_FIRST_ROW - 1:, :]
    width = data.shape[1] - (_ADB_FIRST_COL - 1)
    regions_n = (width - 1) / (_ADB_SECTORS + len(ADB_CATEGORIES))
    if regions_n != int(regions_n) or regions_n < 1:
        raise SourceFormatError(f"{width} data columns from column E do not make G × (35 + 5) + 1 "
                                "columns", file=path.name, line=_ADB_FIRST_ROW,
                                hint="use the ADB MRIO workbook as published")
    G = int(regions_n)
    n = G * _ADB_SECTORS
    if data.shape[0] < n + len(_ADB_FOOTER):
        raise SourceFormatError(f"{data.shape[0]} rows from row 8; expected {n} industries and "
                                f"{len(_ADB_FOOTER)} rows below them", file=path.name)
    excel_rows = list(range(_ADB_FIRST_ROW, _ADB_FIRST_ROW + n))
    econ = [str(v).strip() for v in data.iloc[:n, 2]]
    sector = [str(v).strip() for v in data.iloc[:n, 3]]
    for k, (code, line) in enumerate(zip(sector, excel_rows, strict=True)):
        if code != f"c{k % _ADB_SECTORS + 1}":
            raise SourceFormatError(f"expected sector c{k % _ADB_SECTORS + 1}", file=path.name,
                                    line=line, column="D", value=code)
    labels_text = [f"{e}_{s}" for e, s in zip(econ, sector, strict=True)]
    _check_unique(labels_text, path.name, lines=excel_rows, column="C")
    footer = data.iloc[n:n + len(_ADB_FOOTER), :]
    found = [str(v).strip() for v in footer.iloc[:, 3]]
    if found != list(_ADB_FOOTER):
        raise SourceFormatError(f"rows below the industries should be {list(_ADB_FOOTER)}",
                                file=path.name, line=_ADB_FIRST_ROW + n, column="D",
                                value=found[0] if found else None)
    values = data.iloc[:n + len(_ADB_FOOTER), _ADB_FIRST_COL - 1:]
    values.columns = [_excel_column(_ADB_FIRST_COL + k) for k in range(values.shape[1])]
    numbers = _numbers(values, path.name, lines=list(range(_ADB_FIRST_ROW,
                                                           _ADB_FIRST_ROW + len(values))))
    Z, Y = numbers[:n, :n], numbers[:n, n:n + G * len(ADB_CATEGORIES)]
    x_col, x_row = numbers[:n, -1], numbers[n + 7, :n]
    _check_nonnegative(x_col, labels_text, path.name, lines=excel_rows,
                       column=_excel_column(_ADB_FIRST_COL + width - 1), what="total output")
    _check_nonnegative_block(Z, labels_text, list(values.columns[:n]), path.name, excel_rows,
                             "intermediate use")
    off = np.flatnonzero(np.abs(x_col - x_row) > 1e-6 * np.abs(x_col) + 1e-6)
    if off.size:
        k = int(off[0])
        raise SourceFormatError(f"output of {labels_text[k]} differs between ToT "
                                f"({x_col[k]:g}) and row r69 ({x_row[k]:g})", file=path.name,
                                line=_ADB_FIRST_ROW + n + 7, column=values.columns[k],
                                value=float(x_row[k]))
    gap = _check_balance(Z, Y, x_col, labels_text, path.name, lines=excel_rows,
                         tolerance=1e-6 * np.abs(x_col) + 1e-6, rule="ADB tables balance")
    regions = [region_code(e) for e in econ[::_ADB_SECTORS]]
    pairs = [(region_code(e), s) for e, s in zip(econ, sector, strict=True)]
    final = [(r, c) for r in regions for c in ADB_CATEGORIES]
    V = numbers[n + 1:n + 7, :n]
    unit = "USD million"
    system = IOSystem(Z, Y, pairs, final, x=x_col, V=V, factors=tuple(_ADB_FACTORS),
                      name="adb-mrio", year=year, unit=unit,
                      notes=(f"ADB MRIO workbook, {G} economies (incl. rest of the world)",))
    from capcoop.sources.adb_mrio import SECTORS

    labels = pd.concat([
        _region_labels(regions, unit),
        _labels("sector", [f"c{s[0]}" for s in SECTORS], [s[1] for s in SECTORS], unit=unit),
        _labels("category", list(ADB_CATEGORIES), list(ADB_CATEGORIES.values()), unit=unit),
        _labels("factor", list(_ADB_FACTORS), list(_ADB_FACTORS.values()), unit=unit)])
    return IOTable(f"adb-mrio-{G}", system, labels,
                   {"max_row_imbalance": gap, "tolerance": "1e-6 relative"})


def _excel_column(number: int) -> str:
    name = ""
    while number:
        number, rest = divmod(number - 1, 26)
        name = chr(65 + rest) + name
    return name


# --- OECD ICIO CSV -------------------------------------------------------------------------------

_ICIO_OUTPUT_ROWS = ("OUT", "OUTPUT")
_ICIO_OUTPUT_COLS = ("OUT", "OUTPUT", "TOTAL")
_ICIO_FACTOR_ROWS = {"TLS": "Taxes less subsidies on intermediate and final products",
                     "VA": "Value added at basic prices", "VALU": "Value added at basic prices"}


def read_oecd_icio(path: str | Path, *, year: int | None = None) -> IOTable:
    """Read an OECD Inter-Country Input-Output table in the publisher's CSV layout.

    2023 edition: first column the row label, rows ``<REG>_<IND>`` (e.g. ``CHN_C26``) then
    ``TLS``, ``VA``, ``OUT``; columns ``<REG>_<IND>``, final demand ``<REG>_<CAT>``
    (:data:`ICIO_CATEGORIES`) and ``OUT``. 2021 edition: ``<REG>_TAXSUB`` rows (one per
    country, summed into factor ``TLS``), ``VALU``, ``OUTPUT`` and column ``TOTAL``. Checks:
    square Z in the same order, non-negative output, Σ Z + Σ Y = OUT (1e-6 relative + 0.01).
    The year comes from ``year`` or the file name (``2020.csv``, ``ICIO2023_2020.csv``).
    """
    path = Path(path)
    year = year if year is not None else _year_from_name(path)
    frame = _read_csv(path, index_col=0, dtype={0: str}, low_memory=False)
    frame.index = [str(i).strip() for i in frame.index]
    columns = [str(c).strip() for c in frame.columns]
    frame.columns = columns
    lines = list(range(2, len(frame) + 2))
    line_of = dict(zip(frame.index, lines, strict=False))
    out_col = next((c for c in _ICIO_OUTPUT_COLS if c in columns), None)
    out_row = next((r for r in _ICIO_OUTPUT_ROWS if r in line_of), None)
    if out_col is None or out_row is None:
        raise SourceFormatError("not an OECD ICIO table: no output row/column (OUT or OUTPUT)",
                                file=path.name, line=1)
    cat_cols = [c for c in columns if "_" in c and c.split("_", 1)[1] in ICIO_CATEGORIES]
    z_cols = [c for c in columns if c not in cat_cols and c != out_col]
    rows = [r for r in frame.index if "_" in r and not r.endswith("_TAXSUB")]
    row_lines = [line_of[r] for r in rows]
    _check_unique(rows, path.name, lines=row_lines, column=frame.index.name or "row")
    _check_square(rows, z_cols, path.name, row_lines=row_lines, column="row")
    body = frame.loc[rows]
    values = _numbers(body, path.name, lines=row_lines)
    position = {c: k for k, c in enumerate(columns)}
    Z = values[:, [position[c] for c in z_cols]]
    Y = values[:, [position[c] for c in cat_cols]]
    x = values[:, position[out_col]]
    _check_nonnegative(x, rows, path.name, lines=row_lines, column=out_col, what="output")
    gap = _check_balance(Z, Y, x, rows, path.name, lines=row_lines,
                         tolerance=1e-6 * np.abs(x) + 0.01, rule="ICIO tables balance")
    factors, V = _icio_factors(frame, z_cols, path.name, line_of)
    pairs = [_split_label(r, path.name, line=ln, column="row")
             for r, ln in zip(rows, row_lines, strict=True)]
    industries = [(region_code(r), s) for r, s in pairs]
    final = [(region_code(r), c) for r, c in (_split_label(c, path.name, line=1, column=c)
                                              for c in cat_cols)]
    unit = "USD million"
    G = len(dict.fromkeys(r for r, _ in industries))
    system = IOSystem(Z, Y, industries, final, x=x, V=V, factors=tuple(factors),
                      name="oecd-icio", year=year, unit=unit,
                      notes=(f"OECD ICIO, {G} regions",))
    regions = list(dict.fromkeys(r for r, _ in industries))
    sectors = list(dict.fromkeys(s for _, s in industries))
    categories = list(dict.fromkeys(c for _, c in final))
    labels = pd.concat([
        _region_labels(regions, unit), _labels("sector", sectors, unit=unit),
        _labels("category", categories, [ICIO_CATEGORIES[c] for c in categories], unit=unit),
        _labels("factor", factors, [_ICIO_FACTOR_ROWS.get(f, f) for f in factors], unit=unit)])
    return IOTable("oecd-icio", system, labels,
                   {"max_row_imbalance": gap, "tolerance": "1e-6 relative + 0.01"})


def _icio_factors(frame: pd.DataFrame, z_cols: list[str], file: str,
                  line_of: dict[str, int]) -> tuple[list[str], np.ndarray]:
    names, rows = [], []
    taxsub = [r for r in frame.index if r.endswith("_TAXSUB")]
    if taxsub:
        block = _numbers(frame.loc[taxsub, z_cols], file, lines=[line_of[r] for r in taxsub])
        names.append("TLS")
        rows.append(block.sum(axis=0))
    for code in ("TLS", "VA", "VALU"):
        if code in line_of:
            names.append("VA" if code == "VALU" else code)
            rows.append(_numbers(frame.loc[[code], z_cols], file, lines=[line_of[code]])[0])
    return names, np.vstack(rows) if rows else np.zeros((0, len(z_cols)))


# --- any supported file ------------------------------------------------------------------------


def detect_format(path: str | Path) -> str:
    """Which reader fits ``path``: ``pymrio-text``, ``adb-mrio-table``, ``wiod2013``,
    ``china-nbs``, ``oecd-niot`` or ``oecd-icio``.

    Raises
    ------
    InputError
        When the file or folder matches none of the supported layouts.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"file not found: '{path}'", hint="check the path")
    if path.is_dir():
        if list(path.glob("*Z.txt")):
            return "pymrio-text"
        raise InputError(f"folder '{path}' holds no pymrio text table (*_Z.txt)",
                         hint="give a table file or a pymrio text folder")
    suffixes = "".join(path.suffixes).lower()
    if suffixes.endswith((".xlsx", ".xlsm", ".xls")):
        return "adb-mrio-table"
    with _open_text(path) as handle:
        header = handle.readline().strip().split(",")
    first = [h.strip().strip('"') for h in header[:4]]
    if first and first[0] == "row" and "GO" in [h.strip().strip('"') for h in header[-2:]]:
        return "wiod2013"
    if first[:2] == ["year", "Code"]:
        return "oecd-niot"
    if first[:1] == ["Code"] and "GO" in [h.strip().strip('"') for h in header]:
        return "china-nbs"
    if any(h.strip().strip('"') in _ICIO_OUTPUT_COLS for h in header[-3:]):
        return "oecd-icio"
    raise InputError(f"'{path.name}' is in no supported input-output layout",
                     hint="supported: WIOD 2013 CSV, NBS/OECD national tables (ionet CSV), "
                          "pymrio text folders, ADB MRIO workbooks, OECD ICIO CSV")


def read_io_path(path: str | Path) -> list[IOTable]:
    """Read any supported table file or folder (see :func:`detect_format`).

    Returns one :class:`IOTable` per year in the file (only OECD national IOTs hold several).
    """
    kind = detect_format(path)
    readers = {"wiod2013": read_wiod2013, "china-nbs": read_china_nbs,
               "pymrio-text": read_pymrio_text, "adb-mrio-table": read_adb_mrio,
               "oecd-icio": read_oecd_icio}
    if kind == "oecd-niot":
        return read_oecd_niot(path)
    return [readers[kind](path)]
