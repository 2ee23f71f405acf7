"""Row-level validation shared by the CSV-based sources (WDI, WB income, ADB MRIO, export matrices).

The primitives :func:`column_difference`, :func:`first_repeat` and :func:`unknown_country_hint`
also serve the trade-flow checks of :mod:`capcoop.sources._trade_flows`.

Every helper raises :class:`~capcoop.errors.SourceFormatError` naming the file, the 1-based line,
the column and the offending value. :func:`read_text_table` numbers the rows by their line in the
file (the header is line 1, the first data row line 2) and keeps that number as the frame's index,
so rows keep their line however they are filtered later. Line numbers assume no quoted field spans
several lines, which holds for every layout these sources read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from capcoop.codes.countries import country
from capcoop.errors import SourceFormatError, UnknownCountryError

__all__ = ["HEADER_LINE", "ISO3_PATTERN", "read_text_table", "read_header", "detect_layout",
           "require_columns", "parse_numbers", "parse_years", "resolve_countries",
           "reject_duplicates", "first_line", "column_difference", "first_repeat",
           "unknown_country_hint"]

#: The line of the header row in every file these helpers read.
HEADER_LINE = 1
#: What a code in an ISO3 column looks like (any case).
ISO3_PATTERN = r"[A-Za-z]{3}"

_ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")


def read_text_table(path: Path, *, encodings: Sequence[str] = _ENCODINGS) -> pd.DataFrame:
    """Read a CSV (optionally gzip-compressed) with every cell as text and blanks as ``""``.

    The index is each row's line number in the file. The first encoding that decodes the whole
    file is used (UTF-8, then Windows-1252, then Latin-1).
    """
    last_error: Exception | None = None
    for encoding in encodings:
        try:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding)
        except UnicodeDecodeError as exc:
            last_error = exc
            continue
        except pd.errors.EmptyDataError:
            raise SourceFormatError("the file is empty", file=path.name) from None
        except pd.errors.ParserError as exc:
            raise SourceFormatError(f"cannot read the file as CSV: {exc}", file=path.name,
                                    hint="check for rows with more fields than the header"
                                    ) from None
        frame.columns = [str(c).strip() for c in frame.columns]
        frame.index = pd.RangeIndex(HEADER_LINE + 1, HEADER_LINE + 1 + len(frame), name="line")
        return frame
    raise SourceFormatError(f"cannot decode the file: {last_error}", file=path.name)


def read_header(path: Path) -> list[str]:
    """The column names of a CSV (optionally gzip-compressed), stripped, without reading rows."""
    for encoding in _ENCODINGS:
        try:
            header = pd.read_csv(path, nrows=0, encoding=encoding).columns
        except UnicodeDecodeError:
            continue
        except (pd.errors.EmptyDataError, pd.errors.ParserError) as exc:
            raise SourceFormatError(f"cannot read a CSV header: {exc}", file=path.name) from None
        return [str(c).strip() for c in header]
    raise SourceFormatError("cannot decode the file's header", file=path.name)


def detect_layout(columns: Iterable[str], layouts: Mapping[str, Sequence[str]], file: str) -> str:
    """The name of the layout whose columns are exactly ``columns`` (order ignored).

    When none matches, the error describes the closest layout's missing and extra columns.
    """
    present = list(columns)
    for name, expected in layouts.items():
        if set(expected) == set(present):
            return name
    closest = max(layouts, key=lambda name: len(set(layouts[name]) & set(present)))
    require_columns(present, layouts[closest], file, layout=closest)
    return closest  # unreachable: require_columns raised


def require_columns(columns: Iterable[str], expected: Sequence[str], file: str, *,
                    layout: str | None = None) -> None:
    """Raise unless ``columns`` are exactly ``expected`` (order ignored), naming the difference."""
    missing, extra = column_difference(columns, expected)
    if not missing and not extra:
        return
    what = f" for the {layout} layout" if layout else ""
    problems = "; ".join(part for part in (
        f"missing column(s) {missing}" if missing else "",
        f"unexpected column(s) {extra}" if extra else "") if part)
    raise SourceFormatError(f"{problems}{what}; expected the columns {list(expected)}", file=file,
                            line=HEADER_LINE, column=(missing or extra)[0],
                            hint="check that this is the publisher's file, unedited")


def column_difference(columns: Iterable[str], expected: Sequence[str]
                      ) -> tuple[list[str], list[str]]:
    """The ``expected`` columns missing from ``columns`` and the ``columns`` not expected."""
    present = list(columns)
    return ([c for c in expected if c not in present],
            [c for c in present if c not in expected])


def first_repeat(frame: pd.DataFrame, keys: Sequence[str]) -> tuple[int, int] | None:
    """Positions of the first row whose ``keys`` repeat an earlier row's and of that earlier row.

    None when every key is unique; blank (NA) keys compare equal, as in ``DataFrame.duplicated``.
    """
    repeated = frame.duplicated(list(keys), keep="first").to_numpy()
    if not repeated.any():
        return None
    position = int(repeated.argmax())
    groups = frame.groupby(list(keys), dropna=False, sort=False).ngroup().to_numpy()
    return position, int((groups == groups[position]).argmax())


def unknown_country_hint(error: UnknownCountryError, *, limit: int | None = None,
                         known: str = "the known codes") -> str:
    """The hint for an unknown country: up to ``limit`` suggestions, then where to look."""
    suggestions = ", ".join(repr(s) for s in error.suggestions[:limit])
    return (f"did you mean {suggestions}? " if suggestions else "") + \
        f"see `capcoop codes countries` for {known}"


def first_line(mask: pd.Series) -> int:
    """The line (index label) of the first True in ``mask``."""
    return int(mask.index[np.argmax(mask.to_numpy())])


def parse_numbers(frame: pd.DataFrame, column: str, file: str, *, nonnegative: bool = False,
                  blank_ok: bool = False) -> pd.Series:
    """The column as floats; blanks become NaN when ``blank_ok``, anything else non-numeric raises.

    ``nonnegative`` rejects values below zero (quantities that cannot be negative).
    """
    text = frame[column].astype(str).str.strip()
    values = pd.to_numeric(text.where(text != "", None), errors="coerce").astype(float)
    bad = ~np.isfinite(values) & ((text != "") | (not blank_ok))
    if bad.any():
        at = int(np.argmax(bad.to_numpy()))
        raise SourceFormatError("not a number" if text.iloc[at] else "missing value", file=file,
                                line=int(text.index[at]), column=column, value=text.iloc[at],
                                hint="values must be plain numbers such as 1234.5")
    if nonnegative and (values < 0).any():
        at = int(np.argmax((values < 0).to_numpy()))
        raise SourceFormatError("negative value where the quantity cannot be negative", file=file,
                                line=int(text.index[at]), column=column, value=text.iloc[at])
    return values


def parse_years(frame: pd.DataFrame, column: str, file: str, *, lowest: int = 1900,
                highest: int = 2100) -> pd.Series:
    """The column as int16 years; anything that is not a whole year in range raises."""
    text = frame[column].astype(str).str.strip()
    values = pd.to_numeric(text, errors="coerce")
    bad = values.isna() | (values % 1 != 0) | (values < lowest) | (values > highest)
    if bad.any():
        at = int(np.argmax(bad.to_numpy()))
        raise SourceFormatError(f"not a year between {lowest} and {highest}", file=file,
                                line=int(text.index[at]), column=column, value=text.iloc[at])
    return values.astype("int16")


def resolve_countries(codes: pd.Series, file: str, column: str, *,
                      skip: frozenset[str] = frozenset(), aliases: Mapping[str, str] | None = None,
                      fallback: pd.Series | None = None, pattern: str | None = ISO3_PATTERN
                      ) -> pd.Series:
    """ISO3 codes through :func:`capcoop.codes.countries.country`; codes in ``skip`` give None.

    Parameters
    ----------
    codes
        The codes as found in ``column`` (indexed by line).
    skip
        Codes that are not economies (publisher aggregates); their rows map to None.
    aliases
        Publisher codes the country table does not know, mapped to the code or name to look up
        instead (e.g. the World Bank's ``YUGf`` -> ``YUG``).
    fallback
        A second code column of the same rows, tried when a code is unknown (e.g. WTO's ISO3A
        code next to its numeric code).
    pattern
        A regular expression every code (not an alias) must match before it is looked up;
        default three letters, so that an ISO3 column does not silently accept an ISO2 code or
        a name (``"CH"`` would otherwise resolve to Switzerland). None accepts any code or name.

    Each distinct code is resolved once. An unknown code raises with the line where it first
    occurs and the resolver's suggestions.
    """
    text = codes.astype(str).str.strip()
    other = "" if fallback is None else fallback.astype(str).str.strip()
    pairs = pd.DataFrame({"code": text, "other": other})
    mapping: dict[str, str | None] = {}
    for code, alternative in pairs.drop_duplicates().itertuples(index=False):
        key = f"{code}\x1f{alternative}"
        if code in skip:
            mapping[key] = None
            continue
        try:
            if pattern and code not in (aliases or {}) and not re.fullmatch(pattern, code):
                raise UnknownCountryError(f"not a code of the form {pattern}")
            mapping[key] = _lookup(code, alternative, aliases or {})
        except UnknownCountryError as exc:
            hint = unknown_country_hint(exc, limit=3)
            raise SourceFormatError(f"unknown country code {code!r}", file=file,
                                    line=first_line(text == code), column=column, value=code,
                                    hint=hint) from None
    resolved = (pairs["code"] + "\x1f" + pairs["other"]).map(mapping).astype(object)
    return resolved.where(resolved.notna(), None)


def _lookup(code: str, other: str, aliases: Mapping[str, str]) -> str:
    try:
        return country(aliases.get(code, code)).iso3
    except UnknownCountryError:
        if other and other != code:
            try:
                return country(aliases.get(other, other)).iso3
            except UnknownCountryError:
                pass
        raise


def reject_duplicates(frame: pd.DataFrame, keys: Sequence[str], file: str) -> None:
    """Raise on the first row whose ``keys`` repeat an earlier row, naming both lines."""
    found = first_repeat(frame, keys)
    if found is None:
        return
    at, first = found
    key = tuple(_plain(frame[k].iloc[at]) for k in keys)
    earlier = int(frame.index[first])
    shown = ", ".join(f"{k}={v!r}" for k, v in zip(keys, key, strict=True))
    raise SourceFormatError(f"duplicate row ({shown}) repeats line {earlier}", file=file,
                            line=int(frame.index[at]), column=keys[0], value=key[0],
                            hint="each key may appear once per file; remove the repeat")


def _plain(value: object) -> object:
    """A numpy scalar as the Python value (so messages show 2020, not np.int16(2020))."""
    return value.item() if isinstance(value, np.generic) else value
