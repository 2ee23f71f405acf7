"""UN Comtrade: bilateral goods trade by product, as each reporter declares it.

Layouts read by :func:`parse` (told apart by the file type and the header):

``api``
    The Comtrade Plus API response (``.json``: ``{"data": [{...}], "error": ...}``) and CSVs with
    its field names -- camelCase (``reporterCode, partnerISO, flowCode, period, cmdCode,
    primaryValue`` ... as in bulk/preview downloads) or the snake_case names of the comtradr R
    package (``reporter_code``, ``primary_value``). At least a period (``period`` or
    ``refYear``), a reporter and a partner (code, ISO or name), a flow (``flowCode`` or
    ``flowDesc``), ``cmdCode`` and ``primaryValue`` must be present.
``legacy``
    The classic bulk CSV (``Classification, Year, Period, ..., Trade Flow Code, Reporter Code,
    Reporter ISO, Partner Code, ..., Commodity Code, ..., Trade Value (US$)``), flow codes
    1 = import, 2 = export, 3 = re-export, 4 = re-import.
``profile`` / ``balance``
    Excel tables made from API pulls (shared data ``trade/comtrade_china_profile_cipf``):
    rows of ``refYear, flowCode, reporterDesc, partnerDesc`` with a value in ``primaryValue``,
    ``partner_sum`` or ``cmd_partner_sum`` (ranks and shares are derived and ignored), and a
    country's trade balance table (``<Country>_1.1_trade_balance_*.xlsx``: ``period, M, M<X, X,
    X<M``).

Rows (table ``trade_flows``): ``value_usd`` = ``primaryValue`` (US$), ``quantity`` with its unit
where given, ``freq`` ``A`` or ``M`` (``period`` YYYYMM sets ``month``), ``classification``
``TOTAL`` for ``cmdCode`` TOTAL, else the revision (``H0`` ... ``H6`` -> ``HS92`` ... ``HS22``,
``S1``-``S4`` -> ``SITC1``-``SITC4``, ``HS`` when the revision is not given), ``product`` the
code as published. Comtrade flags estimated quantities, not values: ``estimate`` is False.

Basis. Every row is what its reporter declared: ``basis='reported'``. A table of partners'
declarations about China ("reverse" tables: e.g. each importer's imports from China) is loaded
as those partners' reported rows (reporter = the importer, partner ``CHN``, flow ``M``). Mirror
figures are derived from them later by reading the rows the other way round: China's mirror
exports to P = P's reported imports from China (``reporter=P, partner=CHN, flow=M``), China's
mirror imports from P = P's reported exports to China. Only a table that states mirror figures
explicitly is loaded with ``basis='mirror'``: the balance table's ``X<M`` (the country's exports
as the sum of partners' imports) and ``M<X`` columns; its ``X`` and ``M`` columns are the
country's reported totals. Both are against ``WLD``; a zero total there means "no data" and is
skipped.

Flows. ``X`` and ``M`` are kept; re-exports ``RX`` and re-imports ``RM`` keep their own flow
codes (they are *parts* of ``X`` and ``M``: never add them to those). Processing flows (``DX``,
``FM``, ``MIP``, ``MOP``, ``XIP``, ``XOP``) are skipped and counted in the load's parameters, as
are breakdown rows (a second partner, a customs procedure other than ``C00`` or a mode of
transport other than ``0``: the totals are kept) and a country's trade with itself (re-imports
recorded as imports from oneself).

Partners. Codes resolve through the Comtrade column of the country table first, then the ISO
code, then the name. Aggregates are kept (World ``0`` -> ``WLD``, "Areas, nes" -> ``CT_899``);
they are of kind ``aggregate`` in the country table, so never add them to country rows.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode

import pandas as pd

from capcoop.codes.countries import countries_table, country
from capcoop.errors import CapcoopError, SourceFormatError, UnknownCountryError
from capcoop.settings import get_setting
from capcoop.sources._comtrade_layouts import (
    BALANCE,
    check_balance_columns,
    profile_frame,
    read_csv,
    read_json,
    read_workbook,
)
from capcoop.sources._trade_flows import (
    check_unique,
    country_kinds,
    parse_amounts,
    trade_batch,
)
from capcoop.sources.base import ParsedFile, SourceInfo, Transport, fetch_url

__all__ = ["SOURCE", "parse", "fetch", "api_url"]

SOURCE = SourceInfo(
    name="comtrade",
    title="UN Comtrade: bilateral goods trade by reporter, partner, flow and product",
    publisher="United Nations Statistics Division",
    licence="UN Comtrade terms of use (attribution 'Source: UN Comtrade'; no redistribution)",
    url="https://comtradeplus.un.org/",
    formats="Comtrade Plus API JSON; CSV with API or comtradr names; classic bulk CSV; "
            "Excel profile tables built from the API",
    targets=("trade_flows",),
)

API_BASE = "https://comtradeapi.un.org"
FLOWS = {"X": "X", "M": "M", "RX": "RX", "RM": "RM", "1": "M", "2": "X", "3": "RX", "4": "RM",
         "Export": "X", "Import": "M", "Re-export": "RX", "Re-import": "RM"}
SKIPPED_FLOWS = {"DX", "FM", "MIP", "MOP", "XIP", "XOP", "Domestic Export", "Foreign Import",
                 "Import of goods for inward processing", "Import of goods after outward processing",
                 "Export of goods after inward processing", "Export of goods for outward processing"}
CLASSIFICATIONS = {"H0": "HS92", "H1": "HS96", "H2": "HS02", "H3": "HS07", "H4": "HS12",
                   "H5": "HS17", "H6": "HS22", "HS": "HS", "S1": "SITC1", "S2": "SITC2",
                   "S3": "SITC3", "S4": "SITC4", "ST": "SITC", "SS": "SITC", "B4": "BEC4",
                   "B5": "BEC5", "BE": "BEC"}
_NO_UNIT = {"", "N/A", "No Quantity", "-1"}


def parse(path: str | Path) -> ParsedFile:
    """Read and validate a Comtrade file; see the module docstring for layouts and conventions.

    Raises
    ------
    SourceFormatError
        On an unknown layout, missing or unexpected columns, an unknown reporter or partner, an
        unknown flow, a non-numeric or negative value, services data or a repeated key.
    """
    path = Path(path)
    if path.suffix.lower() == ".json":
        frame, layout = read_json(path), "api"
    elif path.suffix.lower() in (".xlsx", ".xls"):
        return _parse_excel(path)
    else:
        frame, layout = read_csv(path)
    batch, parameters = _batch(frame, path.name)
    return ParsedFile(SOURCE.name, "unknown", [batch], {"layout": layout} | parameters)


def api_url(reporter: str | int, period: str | int, *, partner: str | int | None = None,
            flow: str = "X,M", cmd: str = "TOTAL", freq: str = "A", classification: str = "HS",
            subscription_key: str | None = None) -> str:
    """The Comtrade Plus API URL of one query (the public preview endpoint without a key).

    ``reporter`` and ``partner`` are any code or name :func:`~capcoop.codes.countries.country`
    knows; they are sent as Comtrade codes (USA is 842, not M49 840).
    """
    query = {"reporterCode": _comtrade_code(reporter), "period": str(period), "flowCode": flow,
             "cmdCode": cmd, "includeDesc": "true"}
    if partner is not None:
        query["partnerCode"] = _comtrade_code(partner)
    endpoint = "data/v1/get" if subscription_key else "public/v1/preview"
    if subscription_key:
        query["subscription-key"] = subscription_key
    return f"{API_BASE}/{endpoint}/C/{freq}/{classification}?{urlencode(query)}"


def fetch(reporter: str | int, period: str | int, *, partner: str | int | None = None,
          flow: str = "X,M", cmd: str = "TOTAL", freq: str = "A", classification: str = "HS",
          subscription_key: str | None = None, cache_dir: str | Path | None = None,
          transport: Transport | None = None, refresh: bool = False) -> Path:
    """Download one Comtrade API query as JSON into the cache and return its path.

    Parameters are those of :func:`api_url`; ``cache_dir`` defaults to
    ``<cache_dir setting>/comtrade`` and ``transport`` (``url -> bytes``) to urllib. The key
    never appears in the file name nor in error messages.
    """
    url = api_url(reporter, period, partner=partner, flow=flow, cmd=cmd, freq=freq,
                  classification=classification, subscription_key=subscription_key)
    parts = ["comtrade", freq, classification, str(reporter), str(period), str(partner or "all"),
             flow, cmd]
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", "_".join(parts)) + ".json"
    folder = Path(cache_dir) if cache_dir else Path(str(get_setting("cache_dir"))) / SOURCE.name
    try:
        return fetch_url(url, folder, filename=name, transport=transport, refresh=refresh)
    except CapcoopError as exc:
        if not subscription_key:
            raise
        raise CapcoopError(exc.message.replace(subscription_key, "***"), hint=exc.hint) from None


def _comtrade_code(text: str | int) -> str:
    found = country(text)
    table = countries_table()
    code = table.loc[table["iso3"] == found.iso3, "comtrade"].iloc[0]
    if pd.isna(code):
        raise UnknownCountryError(f"{found.name_en} ({found.iso3}) has no UN Comtrade code",
                                  hint="pick a reporter listed by `capcoop codes countries`")
    return str(int(code))


# --- from API-named text columns to trade_flows rows ----------------------------------------


def _batch(frame: pd.DataFrame, file: str) -> tuple:
    """Validate the API-named columns, drop breakdowns and skipped flows, build the batch."""
    try:
        return _rows(frame, file)
    except SourceFormatError as exc:
        if "record" not in frame or exc.line is None:
            raise
        message = exc.message.split(" (file ")[0]
        raise SourceFormatError(f"{message} in data record {exc.line}", file=file,
                                column=exc.column, value=exc.value, hint=exc.hint) from None


def _rows(frame: pd.DataFrame, file: str) -> tuple:
    frame = frame.reset_index(drop=True)
    _reject_services(frame, file)
    breakdown = _breakdown(frame)
    flow = _flows(frame, file)
    keep = ~breakdown & flow.notna()
    skipped = {"skipped_breakdown_rows": int(breakdown.sum()),
               "skipped_flow_rows": int((~breakdown & flow.isna()).sum())}
    frame, flow = frame[keep].reset_index(drop=True), flow[keep].reset_index(drop=True)
    lines = frame["line"]
    columns = _periods(frame, file) | _products(frame, file) | _quantities(frame, file) | {
        "reporter": _parties(frame, "reporter", file), "flow": flow,
        "partner": _parties(frame, "partner", file), "basis": "reported",
        "value_usd": _values(frame, "primaryValue", file)}
    columns, lines, self_trade = _without_self_trade(columns, lines)
    batch = trade_batch(columns, length=len(lines))
    check_unique(batch.data, lines, file=file)
    return batch, skipped | {"skipped_self_trade_rows": self_trade}


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    return frame[name].str.strip() if name in frame else pd.Series("", index=frame.index)


def _first_error(frame: pd.DataFrame, bad: pd.Series, message: str, column: str, file: str,
                 hint: str) -> SourceFormatError:
    at = int(bad.to_numpy().argmax())
    return SourceFormatError(message, file=file, line=int(frame["line"].iloc[at]), column=column,
                             value=_column(frame, column).iloc[at], hint=hint)


def _reject_services(frame: pd.DataFrame, file: str) -> None:
    services = _column(frame, "typeCode").isin(["S"])
    if services.any():
        raise _first_error(frame, services, "services trade is not supported", "typeCode", file,
                           "download goods trade (typeCode C)")


def _breakdown(frame: pd.DataFrame) -> pd.Series:
    """Rows that split a total by second partner, customs procedure or mode of transport."""
    return (~_column(frame, "partner2Code").isin(["", "0"])
            | ~_column(frame, "customsCode").isin(["", "C00"])
            | ~_column(frame, "motCode").isin(["", "0"]))


def _flows(frame: pd.DataFrame, file: str) -> pd.Series:
    """X/M/RX/RM per row; NA for skipped processing flows; unknown flows raise."""
    name = "flowCode" if "flowCode" in frame else "flowDesc"
    raw = _column(frame, name)
    flow = raw.map(FLOWS)
    unknown = flow.isna() & ~raw.isin(SKIPPED_FLOWS)
    if unknown.any():
        raise _first_error(frame, unknown, "unknown flow", name, file,
                           "expected X, M, RX, RM (or legacy 1-4); processing flows are skipped")
    return flow


def _periods(frame: pd.DataFrame, file: str) -> dict:
    name = "period" if "period" in frame else "refYear"
    text = _column(frame, name)
    bad = ~text.str.fullmatch(r"\d{4}(0[1-9]|1[0-2])?")
    if bad.any():
        raise _first_error(frame, bad, "not a period", name, file,
                           "periods are years (2020) or months (202003)")
    monthly = text.str.len() == 6
    month = pd.to_numeric(text.str[4:6].where(monthly)).astype("Int8")
    return {"year": pd.to_numeric(text.str[:4]), "month": month,
            "freq": monthly.map({True: "M", False: "A"})}


def _products(frame: pd.DataFrame, file: str) -> dict:
    code = _column(frame, "cmdCode").replace("", "TOTAL")
    revision = _column(frame, "classificationCode").replace("", "HS")
    classification = revision.map(CLASSIFICATIONS)
    unknown = classification.isna()
    if unknown.any():
        raise _first_error(frame, unknown, "unsupported classification", "classificationCode",
                           file, f"expected one of {sorted(CLASSIFICATIONS)}")
    total = code == "TOTAL"
    return {"product": code, "classification": classification.where(~total, "TOTAL")}


def _quantities(frame: pd.DataFrame, file: str) -> dict:
    unit = _column(frame, "qtyUnitAbbr")
    quantity = parse_amounts(_column(frame, "qty"), frame["line"], file=file, column="qty",
                             what="quantity")
    no_unit = unit.isin(_NO_UNIT)
    return {"quantity": quantity.where(~no_unit), "quantity_unit": unit.where(~no_unit, None)}


def _values(frame: pd.DataFrame, name: str, file: str) -> pd.Series:
    values = parse_amounts(_column(frame, name), frame["line"], file=file, column=name)
    if values.isna().any():
        raise _first_error(frame, values.isna(), "missing value", name, file,
                           "every row needs a trade value in US$")
    return values


@lru_cache(maxsize=1)
def _comtrade_ids() -> dict[str, str]:
    """Comtrade numeric code (current or retired) -> capcoop code, from the country table."""
    table = countries_table()
    ids = {str(int(c)): iso3 for c, iso3 in zip(table["comtrade"], table["iso3"], strict=True)
           if not pd.isna(c)}
    for others, iso3 in zip(table["comtrade_other"], table["iso3"], strict=True):
        for code in str(others).split():
            ids.setdefault(code, iso3)
    return ids


def _parties(frame: pd.DataFrame, role: str, file: str) -> pd.Series:
    """Resolve each reporter/partner by Comtrade code, else ISO code, else name."""
    names = [n for n in (f"{role}Code", f"{role}ISO", f"{role}Desc") if n in frame]
    parts = [_column(frame, n) for n in names]
    keys = parts[0].str.cat(parts[1:], sep="\x1f") if len(parts) > 1 else parts[0]
    resolved = {}
    for key in pd.unique(keys):
        values = dict(zip(names, key.split("\x1f"), strict=True))
        try:
            resolved[key] = _resolve(values)
        except UnknownCountryError as exc:
            column = next((n for n, v in values.items() if v), names[0])
            close = ", ".join(repr(s) for s in exc.suggestions)
            raise _first_error(frame, keys == key, f"unknown {role}", column, file,
                               (f"did you mean {close}? " if close else "")
                               + "see `capcoop codes countries`") from None
    return keys.map(resolved)


def _resolve(values: dict[str, str]) -> str:
    """By the Comtrade code when there is one (it must be known), else the ISO code or name."""
    code = next((v for k, v in values.items() if k.endswith("Code")), "")
    if code:
        if code not in _comtrade_ids():
            raise UnknownCountryError(f"unknown Comtrade code {code!r}",
                                      suggestions=_named(values))
        return _comtrade_ids()[code]
    error = UnknownCountryError("no code, ISO code or name")
    for key in ("ISO", "Desc"):
        text = next((v for k, v in values.items() if k.endswith(key)), "")
        if text:
            try:
                return country(text).iso3
            except UnknownCountryError as exc:
                error = exc
    raise error


def _named(values: dict[str, str]) -> tuple[str, ...]:
    """What the row's ISO code or name resolves to, as a suggestion for an unknown code."""
    found = []
    for key, text in values.items():
        if text and not key.endswith("Code"):
            try:
                found.append(country(text).iso3)
            except UnknownCountryError:
                continue
    return tuple(dict.fromkeys(found))


def _without_self_trade(columns: dict, lines: pd.Series) -> tuple[dict, pd.Series, int]:
    """Drop a country's trade with itself (re-imports booked as imports from oneself)."""
    own = (columns["reporter"] == columns["partner"]) & \
        (country_kinds(columns["reporter"]) == "country")
    if not own.any():
        return columns, lines, 0
    kept = {k: (v[~own].reset_index(drop=True) if isinstance(v, pd.Series) else v)
            for k, v in columns.items()}
    return kept, lines[~own].reset_index(drop=True), int(own.sum())


# --- Excel tables built from API pulls -------------------------------------------------------


def _parse_excel(path: Path) -> ParsedFile:
    text = read_workbook(path)
    if set(BALANCE) <= set(text.columns) and "period" in text.columns:
        return _parse_balance(text, path)
    frame = profile_frame(text, path.name)
    batch, parameters = _batch(frame, path.name)
    return ParsedFile(SOURCE.name, "unknown", [batch], {"layout": "profile"} | parameters)


def _parse_balance(text: pd.DataFrame, path: Path) -> ParsedFile:
    """A ``<Country>_1.1_trade_balance`` table: reported and mirror totals against World."""
    check_balance_columns(text, path.name)
    name = path.name.split("_")[0]
    try:
        reporter = country(name).iso3
    except UnknownCountryError:
        raise SourceFormatError(f"cannot tell the reporting country from the file name "
                                f"(read {name!r})", file=path.name, value=name,
                                hint="name the file <Country>_1.1_trade_balance_....xlsx") from None
    years = _periods(text, path.name)["year"]
    parts = []
    for column, (flow, basis) in BALANCE.items():
        values = _values(text, column, path.name)
        parts.append(pd.DataFrame({"year": years, "value_usd": values, "flow": flow,
                                   "basis": basis, "line": text["line"]}))
    rows = pd.concat(parts, ignore_index=True)
    kept = rows[rows["value_usd"] > 0].reset_index(drop=True)
    columns = {c: kept[c] for c in ("year", "value_usd", "flow", "basis")} | {
        "freq": "A", "reporter": reporter, "partner": "WLD", "classification": "TOTAL",
        "product": "TOTAL"}
    batch = trade_batch(columns, length=len(kept))
    check_unique(batch.data, kept["line"], file=path.name)
    return ParsedFile(SOURCE.name, "unknown", [batch],
                      {"layout": "balance", "skipped_zero_totals": len(rows) - len(kept)})
