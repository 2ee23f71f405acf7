"""SingStat: wide monthly by-market tables (CSV export and API JSON), S$ kept in value_local."""

import json
import math

import pytest

from capcoop.errors import InputError, SourceFormatError
from capcoop.services.ingest import ingest_files
from capcoop.sources import singstat
from capcoop.warehouse.connection import open_reader
from shared_data import shared_data

FOLDER = ("trade", "singstat_singapore_merchandise_trade")
IMPORTS = "Merchandise Trade By Region And Selected Market (Imports), Monthly"
DOMESTIC = "Merchandise Trade By Region And Selected Market (Domestic Exports), Monthly"


def _table(title=DOMESTIC, unit="Million Dollars", months="2025 Jan ,2024 Dec ", rows=None):
    """A small export in Table Builder's layout: 10 lines of titles, the data, footnotes."""
    rows = rows if rows is not None else [
        "Total All Markets,24672,23684.7", "  Asia,15000.5,14000", "    China,2871.4,-",
        "    Korea, Rep Of,900.1,na", "    Viet Nam,100,99.9", "    Other Markets Asia,1,2",
        "  Africa,20,21", "    Cote D'ivoire,4.4,0.5"]
    head = [",,", "Theme: Trade & Investment,,", "Subject: Merchandise Trade,,",
            "Topic: Exports by Region/ Market,,", f'"Table Title: {title}",,', ",,",
            "Data last updated: 17/02/2025,,", "Source: ENTERPRISE SINGAPORE,,", ",,",
            f",,{unit}", f"Data Series,{months}"]
    quoted = [f'"{r.split(",")[0]}, {r.split(",")[1].strip()}",' + ",".join(r.split(",")[2:])
              if r.strip().startswith("Korea") else r for r in rows]
    tail = [",,", "Footnotes:,,", "Data are available from January 2003.,,", ",,",
            "Notation:,,", " -     nil or negligible or not significant,,"]
    return "\n".join(head + quoted + tail) + "\n"


def _write(tmp_path, text, name="M451501.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _rows(parsed):
    return {(r.partner, r.year, r.month): r.value_local
            for r in parsed.batches[0].data.itertuples()}


def _snapshot(db):
    with open_reader(db) as (con, _):
        flows = con.execute("SELECT count(*), bit_xor(hash(year, month, partner, flow, "
                            "value_local, load_id)) FROM trade_flows").fetchone()
        loads = con.execute("SELECT load_id, file, rows FROM provenance ORDER BY 1").fetchall()
    return flows, loads


# --- synthetic files: no shared data needed -------------------------------------------------


def test_wide_csv_becomes_monthly_rows_in_singapore_dollars(tmp_path):
    parsed = singstat.parse(_write(tmp_path, _table()))
    frame = parsed.batches[0].data
    assert parsed.release == "2025-02-17"
    assert parsed.parameters == {"table": DOMESTIC, "flow": "XD", "skipped_region_rows": 3}
    assert _rows(parsed) == {
        ("WLD", 2025, 1): 24672e6, ("WLD", 2024, 12): 23684.7e6,
        ("CHN", 2025, 1): 2871.4e6, ("CHN", 2024, 12): 0.0,         # "-" is nil
        ("KOR", 2025, 1): pytest.approx(900.1e6),                    # "na": no row for Dec
        ("VNM", 2025, 1): 100e6, ("VNM", 2024, 12): pytest.approx(99.9e6),
        ("CIV", 2025, 1): pytest.approx(4.4e6), ("CIV", 2024, 12): 0.5e6,
    }
    assert set(frame["reporter"]) == {"SGP"} and set(frame["flow"]) == {"XD"}
    assert set(frame["currency"]) == {"SGD"} and frame["value_usd"].isna().all()
    assert set(frame["basis"]) == {"reported"} and set(frame["freq"]) == {"M"}


def test_thousand_dollars_are_scaled_and_other_units_rejected(tmp_path):
    parsed = singstat.parse(_write(tmp_path, _table(unit="Thousand Dollars")))
    assert _rows(parsed)[("WLD", 2025, 1)] == 24672e3
    with pytest.raises(SourceFormatError, match="unsupported unit") as caught:
        singstat.parse(_write(tmp_path, _table(unit="Million US Dollars")))
    assert (caught.value.line, caught.value.value) == (10, "Million US Dollars")


def test_other_tables_are_rejected_with_the_supported_list(tmp_path):
    title = "Merchandise Trade By Commodity Section, (At Current Prices), Monthly"
    with pytest.raises(SourceFormatError, match="not a SingStat by-market trade table") as caught:
        singstat.parse(_write(tmp_path, _table(title=title), name="M451001.csv"))
    assert caught.value.line == 5 and "M451001 (by commodity section)" in str(caught.value)


BAD_CELLS = [
    # rows of the table, message, line, column, value
    (["Total All Markets,1,2", "  Asia,1,1", "    China,1,-0.5"], "negative value", 14,
     "2024 Dec ", "-0.5"),
    (["Total All Markets,1,2", "  Asia,1,1", "    China,1 234,5"], "non-numeric value", 14,
     "2025 Jan ", "1 234"),
    (["Total All Markets,1,2", "  Asia,1,1", "    Chinaa,1,2"], "unknown market", 14,
     "Data Series", "Chinaa"),
    (["Total All Markets,1,2", "  Asia,1,1", "    China,1,2", "    China,1,2"],
     "duplicate row .*partner='CHN'.*on line 14", 15, None, None),
    (["Total All Markets,1,2", "  Asia,1,1", "    China,1,2,3"], "more values than month",
     14, "column 4", "3"),
    (["All Markets,1,2"], "unexpected row", 12, "Data Series", "All Markets"),
]


@pytest.mark.parametrize(("rows", "message", "line", "column", "value"), BAD_CELLS)
def test_bad_cells_name_the_line_month_and_value(tmp_path, rows, message, line, column, value):
    with pytest.raises(SourceFormatError, match=message) as caught:
        singstat.parse(_write(tmp_path, _table(rows=rows)))
    assert (caught.value.file, caught.value.line) == ("M451501.csv", line)
    if column is not None:
        assert (caught.value.column, caught.value.value) == (column, value)


def test_unknown_market_carries_suggestions(tmp_path):
    rows = ["Total All Markets,1,2", "  Asia,1,1", "    Thiland,1,2"]
    with pytest.raises(SourceFormatError, match="did you mean 'THA'"):
        singstat.parse(_write(tmp_path, _table(rows=rows)))


@pytest.mark.parametrize(("months", "message"), [("2025 Jan ,2025 Janvier", "not a month"),
                                                 ("2025 Jan ,2025 Jan", "month column repeated")])
def test_month_headers_are_checked(tmp_path, months, message):
    with pytest.raises(SourceFormatError, match=message) as caught:
        singstat.parse(_write(tmp_path, _table(months=months)))
    assert caught.value.line == 11


def _api_response(title=IMPORTS, unit="Million Dollars"):
    def row(number, text, *values):
        return {"seriesNo": number, "rowText": text, "uoM": unit, "footnote": "",
                "columns": [{"key": k, "value": v} for k, v in zip(["2024 Dec", "2025 Jan"],
                                                                    values, strict=True)]}
    return {"Data": {"id": "M451491", "title": title, "dataLastUpdated": "17/02/2025",
                     "row": [row("1", "Total All Markets", "56135.9", "54746.4"),
                             row("1.2", "Asia", "30000", "29000"),
                             row("1.2.6", "China", "7168", "6801.2"),
                             row("1.2.40", "Other Markets Asia", "5", "6")]},
            "DataCount": 4, "StatusCode": 200, "Message": ""}


def test_api_json_gives_the_same_rows_as_the_csv_export(tmp_path):
    path = tmp_path / "M451491.json"
    path.write_text(json.dumps(_api_response()), encoding="utf-8")
    parsed = singstat.parse(path)
    assert parsed.release == "2025-02-17" and parsed.parameters["flow"] == "M"
    assert _rows(parsed) == {("WLD", 2024, 12): pytest.approx(56135.9e6),
                             ("WLD", 2025, 1): pytest.approx(54746.4e6),
                             ("CHN", 2024, 12): 7168e6, ("CHN", 2025, 1): pytest.approx(6801.2e6)}
    bad = _api_response(unit="Percent")
    path.write_text(json.dumps(bad), encoding="utf-8")
    with pytest.raises(SourceFormatError, match="unsupported unit in data row 1"):
        singstat.parse(path)


def test_fetch_downloads_the_api_table_once(tmp_path):
    calls = []

    def transport(url):
        calls.append(url)
        return json.dumps(_api_response()).encode()

    path = singstat.fetch("M451491", cache_dir=tmp_path, transport=transport)
    assert singstat.fetch("M451491", cache_dir=tmp_path, transport=transport) == path
    assert calls == ["https://tablebuilder.singstat.gov.sg/api/table/tabledata/M451491"]
    assert path.name == "M451491.json" and len(_rows(singstat.parse(path))) == 4
    with pytest.raises(InputError, match="unsupported SingStat table 'M451001'"):
        singstat.fetch("M451001", cache_dir=tmp_path, transport=transport)


def test_ingest_twice_is_a_no_op_and_a_rejected_file_changes_nothing(tmp_path):
    db = tmp_path / "w.duckdb"
    good = _write(tmp_path, _table())
    first = ingest_files("singstat", [good], warehouse=db)[0].result
    before = _snapshot(db)
    again = ingest_files("singstat", [good], warehouse=db)[0].result
    bad = _write(tmp_path, _table(rows=["Total All Markets,1,-2"]), name="bad.csv")
    with pytest.raises(SourceFormatError, match="negative value"):
        ingest_files("singstat", [bad], warehouse=db)
    assert (first.rows, again.status) == (9, "unchanged") and _snapshot(db) == before
    with open_reader(db) as (con, _):
        nulls = con.execute("SELECT count(*) FROM trade_flows WHERE value_usd IS NULL "
                            "AND currency = 'SGD'").fetchone()[0]
    assert nulls == 9


# --- the real files in ../shared/data ------------------------------------------------------

TABLE_FILES = {"M451491.csv": "M", "M451501.csv": "XD", "M451511.csv": "XR"}


@pytest.fixture(scope="module")
def singapore(tmp_path_factory):
    db = tmp_path_factory.mktemp("singstat") / "w.duckdb"
    reports = ingest_files("singstat", [shared_data(*FOLDER, n) for n in TABLE_FILES],
                           warehouse=db)
    return db, reports


def _value(db, flow, partner, year, month):
    with open_reader(db) as (con, _):
        rows = con.execute("SELECT value_local, value_usd, currency FROM trade_flows WHERE "
                           "reporter = 'SGP' AND flow = ? AND partner = ? AND year = ? AND "
                           "month = ?", [flow, partner, year, month]).fetchall()
    assert len(rows) == 1 and rows[0][1] is None and rows[0][2] == "SGD"
    return rows[0][0]


@pytest.mark.shared_data
def test_real_tables_load_with_known_values(singapore):
    db, reports = singapore
    # 160 series less 5 regions and 5 "Other Markets" rows = 150 markets (with World) x 265 months
    assert [r.result.rows for r in reports] == [150 * 265] * 3
    assert _value(db, "M", "CHN", 2024, 12) == pytest.approx(7168.0e6)
    assert _value(db, "M", "WLD", 2025, 1) == pytest.approx(54746.4e6)
    assert _value(db, "XR", "VNM", 2025, 1) == pytest.approx(1840.1e6)
    # total exports = domestic exports + re-exports (no X rows are stored)
    total = _value(db, "XD", "WLD", 2025, 1) + _value(db, "XR", "WLD", 2025, 1)
    assert total == pytest.approx((24672.0 + 34735.6) * 1e6)
    with open_reader(db) as (con, _):
        flows = [r[0] for r in con.execute("SELECT DISTINCT flow FROM trade_flows ORDER BY 1")
                 .fetchall()]
        span = con.execute("SELECT min(year::INT * 100 + month), max(year::INT * 100 + month) "
                           "FROM trade_flows").fetchone()
    assert flows == ["M", "XD", "XR"] and span == (200301, 202501)


@pytest.mark.shared_data
def test_markets_add_up_to_the_world_row(singapore):
    db = singapore[0]
    with open_reader(db) as (con, _):
        world, markets = con.execute(
            "SELECT sum(value_local) FILTER (partner = 'WLD'), "
            "sum(value_local) FILTER (partner <> 'WLD') FROM trade_flows "
            "WHERE flow = 'M' AND year = 2024").fetchone()
    # the skipped "Other Markets" residuals are the only gap (rounding aside)
    assert 0.97 * world < markets < world


@pytest.mark.shared_data
def test_reloading_is_a_no_op_and_the_commodity_table_is_refused(singapore):
    db, _ = singapore
    before = _snapshot(db)
    again = ingest_files("singstat", [shared_data(*FOLDER, "M451491.csv")], warehouse=db)
    assert again[0].result.status == "unchanged" and _snapshot(db) == before
    with pytest.raises(SourceFormatError, match="M451001 \\(by commodity section\\)"):
        ingest_files("singstat", [shared_data(*FOLDER, "M451001.csv")], warehouse=db)
    assert _snapshot(db) == before


def _corrupt_copy(tmp_path, line, edit):
    text = shared_data(*FOLDER, "M451511.csv").read_text(encoding="utf-8-sig").split("\n")
    text[line - 1] = edit(text[line - 1])
    path = tmp_path / "M451511_corrupt.csv"
    path.write_text("\n".join(text), encoding="utf-8")
    return path


def _cell(index, value):
    def edit(text):
        cells = text.split(",")
        cells[index] = value
        return ",".join(cells)
    return edit


CORRUPTIONS = {
    "negative value": (50, _cell(2, "-7.5"), "negative value", "2024 Dec ", "-7.5"),
    "non-numeric value": (83, _cell(1, "n.a"), "non-numeric value", "2025 Jan ", "n.a"),
    "unknown market": (83, _cell(0, "    Vietnamm"), "unknown market", "Data Series",
                       "Vietnamm"),
    "extra column": (50, lambda t: t + ",12.5", "more values than month columns", None, None),
    "duplicated row": (51, lambda t: "    China" + t[t.index(","):], "duplicate row", None,
                       None),
    "wrong unit": (10, lambda t: t.replace("Million Dollars", "Million US Dollars"),
                   "unsupported unit", None, "Million US Dollars"),
}


@pytest.mark.shared_data
@pytest.mark.parametrize("name", list(CORRUPTIONS))
def test_corrupted_copies_are_rejected_and_change_nothing(singapore, tmp_path, name):
    db = singapore[0]
    line, edit, message, column, value = CORRUPTIONS[name]
    before = _snapshot(db)
    with pytest.raises(SourceFormatError, match=message) as caught:
        ingest_files("singstat", [_corrupt_copy(tmp_path, line, edit)], warehouse=db)
    assert (caught.value.file, caught.value.line) == ("M451511_corrupt.csv", line)
    if column is not None:
        assert caught.value.column == column
    if value is not None:
        assert caught.value.value == value
    assert _snapshot(db) == before
    assert not math.isnan(_value(db, "XR", "VNM", 2025, 1))
