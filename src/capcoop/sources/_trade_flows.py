"""What the trade-flow sources (IMF DOTS, UN Comtrade, SingStat) share.

Each source reads its own layout; this module turns the columns it found into canonical
``trade_flows`` rows and applies the checks every source makes, each raising
:class:`~capcoop.errors.SourceFormatError` with the file, the 1-based file line, the column and
the value:

- :func:`check_columns` -- the header has exactly the expected columns;
- :func:`resolve_countries` -- every code or name is known to :func:`capcoop.codes.countries.country`
  (the error carries its suggestions); aggregates (World ``WLD``, IMF ``AGG_*``) are kept as they
  are: they are rows of kind ``aggregate`` in the country table, so queries can tell them apart;
- :func:`parse_amounts` -- values are numbers and not negative;
- :func:`check_unique` -- no two rows of a file share a ``trade_flows`` key.
"""

from __future__ import annotations

import gzip
import io
import re
from pathlib import Path
from typing import IO

import pandas as pd

from capcoop.codes.countries import countries_table, country
from capcoop.errors import SourceFormatError, UnknownCountryError
from capcoop.sources._checks import column_difference, first_repeat, unknown_country_hint
from capcoop.sources.base import TABLE_KEYS, TableBatch

__all__ = ["TRADE_COLUMNS", "TRADE_KEY", "open_text", "read_text_cells", "check_columns", "resolve_countries",
           "parse_amounts", "country_kinds", "check_unique", "trade_batch"]

#: Columns of a ``trade_flows`` batch (the warehouse adds ``source`` and ``load_id``).
TRADE_COLUMNS = ("basis", "freq", "year", "month", "reporter", "partner", "flow",
                 "classification", "product", "value_usd", "value_local", "currency",
                 "quantity", "quantity_unit", "estimate")
TRADE_KEY = TABLE_KEYS["trade_flows"]
_PARSER_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_DEFAULTS = {"month": pd.NA, "value_usd": float("nan"), "value_local": float("nan"),
             "currency": "USD", "quantity": float("nan"), "quantity_unit": None,
             "estimate": False}


def open_text(path: Path) -> IO[str]:
    """Open a text file for reading, gunzipping ``.gz`` files; a UTF-8 BOM is skipped."""
    raw = gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")
    return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")


def read_text_cells(path: Path) -> pd.DataFrame:
    """A CSV(.gz) with a header line, every cell as text (blank cells ``""``, no NA guessing).

    A line with the wrong number of fields raises :class:`SourceFormatError` naming it.
    """
    try:
        with open_text(path) as handle:
            return pd.read_csv(handle, dtype=str, keep_default_na=False, skip_blank_lines=False)
    except pd.errors.ParserError as exc:
        found = _PARSER_FIELDS.search(str(exc))
        message = (f"malformed CSV: {found[3]} fields where the header has {found[1]}"
                   if found else f"malformed CSV: {str(exc).strip()}")
        raise SourceFormatError(message, file=path.name, line=int(found[2]) if found else None,
                                hint="every line must have as many fields as the header; "
                                     "numbers must not contain commas") from None


def check_columns(found: list[str], expected: list[str], *, file: str, layout: str,
                  line: int = 1) -> None:
    """Raise unless ``found`` holds exactly the ``expected`` column names (any order)."""
    missing, extra = column_difference(found, expected)
    if not missing and not extra:
        return
    parts = ([f"missing column(s) {missing}"] if missing else []) + \
        ([f"unexpected column(s) {extra}"] if extra else [])
    raise SourceFormatError(
        f"{layout}: {' and '.join(parts)}", file=file, line=line,
        column=(missing or extra)[0],
        hint=f"expected exactly the columns {expected}")


def resolve_countries(values: pd.Series, lines: pd.Series, *, file: str, column: str,
                      role: str) -> pd.Series:
    """Map codes or names to capcoop codes (ISO3, ``WLD``, ``AGG_*`` ...) with ``country()``.

    Each distinct value is resolved once; the first unknown one raises, naming the first line
    where it occurs and the resolver's suggestions.
    """
    mapping = {}
    for text in pd.unique(values):
        try:
            mapping[text] = country(text).iso3
        except UnknownCountryError as exc:
            line = int(lines[values == text].iloc[0])
            hint = unknown_country_hint(exc, known="the known codes and names")
            raise SourceFormatError(f"unknown {role} {text!r}", file=file, line=line,
                                    column=column, value=text, hint=hint) from None
    return values.map(mapping)


def parse_amounts(raw: pd.Series, lines: pd.Series, *, file: str, column: str | pd.Series,
                  what: str = "value", negative_ok: pd.Series | None = None) -> pd.Series:
    """Numbers from text cells; blanks become NaN, anything else non-numeric or negative raises.

    ``column`` is the column name, or a Series of names aligned with ``raw`` for wide files
    where each cell comes from its own column. ``negative_ok`` marks rows where a negative
    number is tolerated (the caller then decides what to do with it).
    """
    text = raw.astype("string").str.strip().fillna("")
    numbers = pd.to_numeric(text.where(text != ""), errors="coerce").astype("float64")
    negative = (numbers < 0) if negative_ok is None else (numbers < 0) & ~negative_ok
    problems = (("non-numeric", numbers.isna() & (text != ""),
                 "values must be plain numbers such as 1234.5"),
                ("negative", negative, "trade values cannot be negative; check the file"))
    for label, bad, hint in problems:
        if bad.any():
            first = bad.idxmax()
            name = column if isinstance(column, str) else str(column[first])
            raise SourceFormatError(f"{label} {what}", file=file, line=int(lines[first]),
                                    column=name, value=str(text[first]), hint=hint)
    return numbers.astype("float64")


def country_kinds(codes: pd.Series) -> pd.Series:
    """The kind (``country``, ``aggregate``, ``historical``) of each resolved capcoop code."""
    table = countries_table()
    return codes.map(dict(zip(table["iso3"], table["kind"], strict=True)))


def check_unique(frame: pd.DataFrame, lines: pd.Series, *, file: str,
                 keys: tuple[str, ...] = TRADE_KEY) -> None:
    """Raise on the first row whose key repeats an earlier row's, naming both lines."""
    found = first_repeat(frame, keys)
    if found is None:
        return
    position, first = found
    row = frame.iloc[position]
    earlier = int(lines.iloc[first])
    shown = ", ".join(f"{k}={row[k]!r}" for k in keys if not pd.isna(row[k]))
    raise SourceFormatError(
        f"duplicate row ({shown}); the same key is on line {earlier}", file=file,
        line=int(lines.iloc[position]),
        hint="each reporter, partner, flow, period and product may appear once per file")


def trade_batch(columns: dict[str, object], *, length: int) -> TableBatch:
    """A ``trade_flows`` batch from per-column values (Series or scalars); defaults fill the rest.

    ``month`` becomes a nullable small integer and ``estimate`` a boolean, as the table expects.
    """
    data = {c: columns.get(c, _DEFAULTS.get(c)) for c in TRADE_COLUMNS}
    frame = pd.DataFrame({c: _column(v, length) for c, v in data.items()})
    frame["year"] = frame["year"].astype("int16")
    frame["month"] = frame["month"].astype("Int8")
    frame["estimate"] = frame["estimate"].astype(bool)
    for name in ("value_usd", "value_local", "quantity"):
        frame[name] = frame[name].astype("float64")
    return TableBatch("trade_flows", frame)


def _column(value: object, length: int) -> object:
    if isinstance(value, pd.Series):
        return value.reset_index(drop=True)
    return pd.Series([value] * length, dtype="object" if value is None else None)
