"""How the UN Comtrade layouts are read: into text columns named as in the Comtrade Plus API.

:mod:`capcoop.sources.comtrade` turns the columns into ``trade_flows`` rows; this module only
recognises a layout, checks its columns and renames them. Every frame returned has a ``line``
column (the 1-based file line; for JSON, the 1-based record number and a ``record`` column).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from capcoop.errors import SourceFormatError
from capcoop.sources._trade_flows import open_text, read_text_cells

__all__ = ["API_FIELDS", "LEGACY_FIELDS", "BALANCE", "read_json", "read_csv", "read_workbook",
           "profile_frame", "check_balance_columns"]

API_FIELDS = (
    "datasetCode typeCode freqCode refPeriodId refYear refMonth period reporterCode reporterISO "
    "reporterDesc flowCode flowDesc flowCategory partnerCode partnerISO partnerDesc partner2Code "
    "partner2ISO partner2Desc classificationCode classificationSearchCode "
    "isOriginalClassification cmdCode cmdDesc aggrLevel isLeaf customsCode customsDesc mosCode "
    "mosDesc motCode motDesc qtyUnitCode qtyUnitAbbr qty isQtyEstimated altQtyUnitCode "
    "altQtyUnitAbbr altQty isAltQtyEstimated netWgt isNetWgtEstimated grossWgt "
    "isGrossWgtEstimated cifvalue fobvalue primaryValue legacyEstimationFlag isReported "
    "isAggregate").split()
_SNAKE_EXCEPTIONS = {"reporter_iso": "reporterISO", "partner_iso": "partnerISO",
                     "partner2iso": "partner2ISO", "partner2code": "partner2Code",
                     "partner2desc": "partner2Desc", "CIFValue": "cifvalue", "FOBValue": "fobvalue",
                     "cifValue": "cifvalue", "fobValue": "fobvalue"}
LEGACY_FIELDS = {
    "Classification": "classificationCode", "Year": "refYear", "Period": "period",
    "Period Desc.": "periodDesc", "Aggregate Level": "aggrLevel", "Is Leaf Code": "isLeaf",
    "Trade Flow Code": "flowCode", "Trade Flow": "flowDesc", "Reporter Code": "reporterCode",
    "Reporter": "reporterDesc", "Reporter ISO": "reporterISO", "Partner Code": "partnerCode",
    "Partner": "partnerDesc", "Partner ISO": "partnerISO", "2nd Partner Code": "partner2Code",
    "2nd Partner": "partner2Desc", "2nd Partner ISO": "partner2ISO",
    "Customs Proc. Code": "customsCode", "Customs": "customsDesc",
    "Mode of Transport Code": "motCode", "Mode of Transport": "motDesc",
    "Commodity Code": "cmdCode", "Commodity": "cmdDesc", "Qty Unit Code": "qtyUnitCode",
    "Qty Unit": "qtyUnitAbbr", "Qty": "qty", "Alt Qty Unit Code": "altQtyUnitCode",
    "Alt Qty Unit": "altQtyUnitAbbr", "Alt Qty": "altQty", "Netweight (kg)": "netWgt",
    "Gross weight (kg)": "grossWgt", "Trade Value (US$)": "primaryValue",
    "CIF Trade Value (US$)": "cifvalue", "FOB Trade Value (US$)": "fobvalue",
    "Flag": "legacyEstimationFlag"}
PROFILE_VALUES = ("primaryValue", "partner_sum", "cmd_partner_sum", "partner_cmd_sum")
PROFILE_DERIVED = {"Unnamed: 0", "cmdDesc"} | {
    f"{prefix}_{suffix}" for prefix in ("partner", "cmd_partner", "partner_cmd")
    for suffix in ("rank", "perc", "upper_sum", "upper_perc")}
BALANCE = {"X": ("X", "reported"), "M": ("M", "reported"), "X<M": ("X", "mirror"),
           "M<X": ("M", "mirror")}
_BALANCE_DERIVED = re.compile(r"^(trade_balance|trade_volume) \(.*\)$|^var[MX]_perc$")


def read_json(path: Path) -> pd.DataFrame:
    with open_text(path) as handle:
        try:
            body = json.load(handle)
        except json.JSONDecodeError as exc:
            raise SourceFormatError(f"not valid JSON: {exc.msg}", file=path.name,
                                    line=exc.lineno) from None
    records = body.get("data") if isinstance(body, dict) else body
    if isinstance(body, dict) and body.get("error") and not records:
        raise SourceFormatError(f"the Comtrade API returned an error: {body['error']}",
                                file=path.name, hint="check the query and the subscription key")
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise SourceFormatError("expected a Comtrade API response with a 'data' list of records",
                                file=path.name, column="data")
    frame = pd.DataFrame(records, dtype=object).map(_cell_text)
    frame = frame.rename(columns=_api_name)
    _check_api_columns(list(frame.columns), path.name)
    # JSON has no useful lines: errors name the record (1-based) in the `line` position.
    return frame.assign(line=range(1, len(frame) + 1), record=True)


def read_csv(path: Path) -> tuple[pd.DataFrame, str]:
    table = read_text_cells(path)
    columns = [str(c).strip() for c in table.columns]
    if "Trade Flow Code" in columns or "Trade Value (US$)" in columns:
        _check_known(columns, list(LEGACY_FIELDS), path.name, "classic bulk CSV")
        table.columns = [LEGACY_FIELDS[c] for c in columns]
        _require(list(table.columns), path.name, "classic bulk CSV")
        layout = "legacy"
    else:
        table.columns = [_api_name(c) for c in columns]
        _check_api_columns(list(table.columns), path.name)
        layout = "api"
    return table.assign(line=range(2, len(table) + 2)), layout


def _api_name(column: str) -> str:
    if column in _SNAKE_EXCEPTIONS:
        return _SNAKE_EXCEPTIONS[column]
    head, *rest = column.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _check_known(columns: list[str], known: list[str], file: str, layout: str) -> None:
    extra = [c for c in columns if c not in known]
    if extra:
        raise SourceFormatError(f"{layout}: unexpected column(s) {extra}", file=file, line=1,
                                column=extra[0], hint=f"the {layout} columns are {known}")


def _check_api_columns(columns: list[str], file: str) -> None:
    _check_known(columns, API_FIELDS, file, "Comtrade API layout")
    _require(columns, file, "Comtrade API layout")


def _require(columns: list[str], file: str, layout: str) -> None:
    """A period, reporter, partner, flow, commodity and value column must be present."""
    required = [("period", "refYear"), ("reporterCode", "reporterISO", "reporterDesc"),
                ("partnerCode", "partnerISO", "partnerDesc"), ("flowCode", "flowDesc"),
                ("cmdCode",), ("primaryValue",)]
    for group in required:
        if not any(c in columns for c in group):
            raise SourceFormatError(
                f"{layout}: missing column {' or '.join(group)} (as named in the API)",
                file=file, line=1, column=group[0],
                hint="expected at least a period, reporter, partner, flow, commodity and "
                     "trade value column")


def read_workbook(path: Path) -> pd.DataFrame:
    """The first sheet of an Excel table as text cells, with each row's spreadsheet line."""
    table = pd.read_excel(path, sheet_name=0, dtype=object)
    table.columns = [str(c).strip() for c in table.columns]
    return table.map(_cell_text).assign(line=range(2, len(table) + 2))


def _cell_text(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def profile_frame(text: pd.DataFrame, file: str) -> pd.DataFrame:
    """A profile table (one value column among ``PROFILE_VALUES``) in API field names."""
    columns = [c for c in text.columns if c != "line"]
    values = [c for c in PROFILE_VALUES if c in columns]
    required = ["refYear", "flowCode", "reporterDesc", "partnerDesc"]
    missing = [c for c in required if c not in columns] + ([] if len(values) == 1 else
                                                         [" or ".join(PROFILE_VALUES)])
    known = set(required) | set(PROFILE_VALUES) | PROFILE_DERIVED | {"cmdCode"}
    extra = [c for c in columns if c not in known]
    if missing or extra:
        raise SourceFormatError(
            f"Comtrade profile table: missing {missing}, unexpected {extra}", file=file, line=1,
            column=(missing or extra)[0], hint=f"expected {required}, one value column of "
            f"{list(PROFILE_VALUES)}, optionally cmdCode and derived ranks/shares")
    frame = text.rename(columns={values[0]: "primaryValue"})
    if "cmdCode" in frame:
        odd = frame["cmdCode"].str.fullmatch(r"\d+") & (frame["cmdCode"].str.len() % 2 == 1)
        frame["cmdCode"] = frame["cmdCode"].where(~odd, "0" + frame["cmdCode"])  # Excel ate it
    return frame[[c for c in frame.columns if c not in PROFILE_DERIVED]]


def check_balance_columns(text: pd.DataFrame, file: str) -> None:
    """A balance table has ``period``, the four totals and derived balances/volumes only."""
    extra = [c for c in text.columns if c not in {"line", "period", *BALANCE}
             and not _BALANCE_DERIVED.match(c)]
    if extra:
        raise SourceFormatError(f"Comtrade balance table: unexpected column(s) {extra}",
                                file=file, line=1, column=extra[0],
                                hint=f"expected period, {list(BALANCE)} and derived balances")
