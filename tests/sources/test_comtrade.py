"""UN Comtrade: API JSON, API-named and classic bulk CSVs, profile tables, mirror conventions."""

import csv
import json

import pytest

from capcoop.errors import SourceFormatError
from capcoop.services.ingest import ingest_files
from capcoop.sources import comtrade
from capcoop.warehouse.connection import open_reader
from shared_data import shared_data

COMTRADR = ("trade", "comtrade_comtradr", "csv")
CIPF = ("trade", "comtrade_china_profile_cipf", "reports")
LEGACY_HEADER = ("Classification,Year,Period,Period Desc.,Aggregate Level,Is Leaf Code,"
                 "Trade Flow Code,Trade Flow,Reporter Code,Reporter,Reporter ISO,Partner Code,"
                 "Partner,Partner ISO,Commodity Code,Commodity,Qty Unit Code,Qty Unit,Qty,"
                 "Netweight (kg),Trade Value (US$),Flag")


def _record(**changes):
    """One Comtrade Plus API record (China's exports to the USA, 2018, all goods)."""
    record = {"typeCode": "C", "freqCode": "A", "refPeriodId": 20180101, "refYear": 2018,
              "refMonth": 52, "period": "2018", "reporterCode": 156, "reporterISO": "CHN",
              "reporterDesc": "China", "flowCode": "X", "flowDesc": "Export", "partnerCode": 842,
              "partnerISO": "USA", "partnerDesc": "USA", "partner2Code": 0, "partner2ISO": "W00",
              "partner2Desc": "World", "classificationCode": "H5",
              "classificationSearchCode": "HS", "isOriginalClassification": True,
              "cmdCode": "TOTAL", "cmdDesc": "All Commodities", "aggrLevel": 0, "isLeaf": False,
              "customsCode": "C00", "customsDesc": "TOTAL CPC", "mosCode": "0", "motCode": 0,
              "motDesc": "TOTAL MOT", "qtyUnitCode": -1, "qtyUnitAbbr": "N/A", "qty": None,
              "isQtyEstimated": False, "netWgt": None, "isNetWgtEstimated": False,
              "grossWgt": None, "isGrossWgtEstimated": False, "cifvalue": None,
              "fobvalue": 479278747159.0, "primaryValue": 479278747159.0,
              "legacyEstimationFlag": 0, "isReported": True, "isAggregate": False}
    return record | changes


def _json(tmp_path, *records, error="", name="query.json"):
    path = tmp_path / name
    path.write_text(json.dumps({"elapsedTime": "0.1 secs", "count": len(records),
                                "data": list(records), "error": error}), encoding="utf-8")
    return path


def _rows(parsed):
    """Key -> value_usd of the parsed rows (month None for annual rows)."""
    frame = parsed.batches[0].data.astype(object).where(lambda f: f.notna(), None)
    return {(r.basis, r.freq, r.year, r.month, r.reporter, r.partner, r.flow, r.classification,
             r.product): r.value_usd for r in frame.itertuples()}


def _snapshot(db):
    with open_reader(db) as (con, _):
        flows = con.execute("SELECT count(*), bit_xor(hash(year, month, reporter, partner, flow, "
                            "product, value_usd, basis, load_id)) FROM trade_flows").fetchone()
        loads = con.execute("SELECT load_id, file, rows FROM provenance ORDER BY 1").fetchall()
    return flows, loads


def _values(db, where, params):
    with open_reader(db) as (con, _):
        return con.execute(f"SELECT basis, reporter, partner, flow, value_usd FROM trade_flows "
                           f"WHERE {where} ORDER BY ALL", params).fetchall()


# --- synthetic files: no shared data needed -------------------------------------------------


def test_api_json_rows_with_world_monthly_and_re_exports(tmp_path):
    path = _json(tmp_path, _record(),
                 _record(partnerCode=0, partnerISO="W00", partnerDesc="World",
                         primaryValue=2.49e12),
                 _record(freqCode="M", period="202003", cmdCode="8542", primaryValue=5.5),
                 _record(flowCode="RX", partnerCode=344, partnerISO="HKG", primaryValue=7.0))
    parsed = comtrade.parse(path)
    assert parsed.source == "comtrade" and parsed.parameters["layout"] == "api"
    assert _rows(parsed) == {
        ("reported", "A", 2018, None, "CHN", "USA", "X", "TOTAL", "TOTAL"): 479278747159.0,
        ("reported", "A", 2018, None, "CHN", "WLD", "X", "TOTAL", "TOTAL"): 2.49e12,
        ("reported", "M", 2020, 3, "CHN", "USA", "X", "HS17", "8542"): 5.5,
        ("reported", "A", 2018, None, "CHN", "HKG", "RX", "TOTAL", "TOTAL"): 7.0,
    }


def test_breakdowns_processing_flows_and_self_trade_are_skipped_and_counted(tmp_path):
    path = _json(tmp_path, _record(),
                 _record(motCode=2100, primaryValue=1.0),          # by mode of transport
                 _record(customsCode="C01", primaryValue=2.0),     # by customs procedure
                 _record(partner2Code=392, primaryValue=3.0),      # by second partner
                 _record(flowCode="DX", primaryValue=4.0),         # domestic exports
                 _record(flowCode="RM", partnerCode=156, partnerISO="CHN", primaryValue=5.0))
    parsed = comtrade.parse(path)
    assert list(_rows(parsed).values()) == [479278747159.0]
    assert parsed.parameters == {"layout": "api", "skipped_breakdown_rows": 3,
                                 "skipped_flow_rows": 1, "skipped_self_trade_rows": 1}


def test_preview_records_without_iso_resolve_by_comtrade_code(tmp_path):
    # 842 is the USA's Comtrade code (M49 840); 490 is "Other Asia, nes" = Taiwan; 899 "Areas, nes"
    records = [_record(partnerCode=code, partnerISO=None, partnerDesc=None, primaryValue=1.0)
               for code in (842, 490, 899)]
    partners = {key[5] for key in _rows(comtrade.parse(_json(tmp_path, *records)))}
    assert partners == {"USA", "TWN", "CT_899"}


@pytest.mark.parametrize(("change", "message", "column", "value"), [
    ({"primaryValue": -5.5}, "negative value", "primaryValue", "-5.5"),
    ({"primaryValue": "12 bn"}, "non-numeric value", "primaryValue", "12 bn"),
    ({"primaryValue": None}, "missing value", "primaryValue", ""),
    ({"reporterCode": 999, "reporterISO": "XXX", "reporterDesc": "Atlantis"}, "unknown reporter",
     "reporterCode", "999"),
    ({"flowCode": "Z"}, "unknown flow", "flowCode", "Z"),
    ({"period": "2018Q1"}, "not a period", "period", "2018Q1"),
    ({"classificationCode": "EB"}, "unsupported classification", "classificationCode", "EB"),
    ({"typeCode": "S"}, "services trade is not supported", "typeCode", "S"),
])
def test_bad_api_records_name_the_record_column_and_value(tmp_path, change, message, column,
                                                          value):
    path = _json(tmp_path, _record(partnerCode=0, partnerISO="W00"), _record(**change))
    with pytest.raises(SourceFormatError, match=f"{message} in data record 2") as caught:
        comtrade.parse(path)
    assert (caught.value.file, caught.value.column, caught.value.value) == ("query.json", column,
                                                                            value)


def test_api_error_response_is_reported(tmp_path):
    path = _json(tmp_path, error="Invalid subscription key")
    with pytest.raises(SourceFormatError, match="API returned an error: Invalid subscription"):
        comtrade.parse(path)


def test_repeated_record_is_rejected(tmp_path):
    with pytest.raises(SourceFormatError, match="duplicate row .*reporter='CHN'.*partner='USA'"):
        comtrade.parse(_json(tmp_path, _record(), _record(primaryValue=1.0)))


def _csv(tmp_path, header, *rows, name="comtrade.csv"):
    path = tmp_path / name
    path.write_text(header + "\n" + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def test_classic_bulk_csv_with_legacy_flow_codes(tmp_path):
    path = _csv(tmp_path, LEGACY_HEADER,
                'H4,2015,2015,2015,6,1,1,Import,764,Thailand,THA,704,Viet Nam,VNM,030613,'
                '"Shrimps, frozen",8,Weight in kilograms,1500,1500,25000.5,0',
                "H4,2015,2015,2015,0,0,2,Export,764,Thailand,THA,0,World,WLD,TOTAL,All,"
                "1,No Quantity,,,214375000000,0",
                "H4,2015,2015,2015,0,0,3,Re-Export,764,Thailand,THA,0,World,WLD,TOTAL,All,"
                "1,No Quantity,,,1000,0")
    parsed = comtrade.parse(path)
    frame = parsed.batches[0].data
    assert parsed.parameters["layout"] == "legacy"
    assert list(zip(frame["flow"], frame["partner"], frame["classification"], frame["product"],
                    strict=True)) == [("M", "VNM", "HS12", "030613"), ("X", "WLD", "TOTAL", "TOTAL"),
                                      ("RX", "WLD", "TOTAL", "TOTAL")]
    assert frame["quantity"].iloc[0] == 1500 and frame["quantity_unit"].iloc[0] == \
        "Weight in kilograms"
    assert frame["quantity"].iloc[1:].isna().all()


def test_comtradr_snake_case_csv_is_read_like_the_api(tmp_path):
    header = "reporter_iso,reporter_desc,flow_desc,partner_iso,partner_desc,cmd_code,cmd_desc," \
             "primary_value,ref_year"
    path = _csv(tmp_path, header, "AUT,Austria,Import,ALB,Albania,4401,Fuel wood,7.087,2018")
    assert _rows(comtrade.parse(path)) == {
        ("reported", "A", 2018, None, "AUT", "ALB", "M", "HS", "4401"): 7.087}


@pytest.mark.parametrize(("header", "message"), [
    ("reporterCode,partnerCode,flowCode,period,cmdCode", "missing column primaryValue"),
    ("reporterCode,partnerCode,flowCode,period,cmdCode,primaryValue,remark",
     r"unexpected column\(s\) \['remark'\]"),
    ("reporterCode,flowCode,period,cmdCode,primaryValue",
     "missing column partnerCode or partnerISO or partnerDesc"),
])
def test_api_csv_columns_are_checked(tmp_path, header, message):
    path = _csv(tmp_path, header, ",".join(["156", "0", "X", "2018", "TOTAL", "1", "x"]
                                           [:len(header.split(","))]))
    with pytest.raises(SourceFormatError, match=message) as caught:
        comtrade.parse(path)
    assert caught.value.line == 1


def test_api_url_uses_comtrade_codes_and_fetch_hides_the_key(tmp_path):
    assert comtrade.api_url("USA", 2022, partner="Viet Nam") == (
        "https://comtradeapi.un.org/public/v1/preview/C/A/HS?reporterCode=842&period=2022&"
        "flowCode=X%2CM&cmdCode=TOTAL&includeDesc=true&partnerCode=704")
    calls = []

    def transport(url):
        calls.append(url)
        return json.dumps({"data": [_record()], "error": ""}).encode()

    path = comtrade.fetch("CHN", 2018, partner="USA", subscription_key="SECRET",
                          cache_dir=tmp_path, transport=transport)
    assert "SECRET" not in path.name and path.parent == tmp_path
    assert calls[0].startswith("https://comtradeapi.un.org/data/v1/get/C/A/HS?reporterCode=156")
    assert "subscription-key=SECRET" in calls[0]
    assert comtrade.fetch("CHN", 2018, partner="USA", subscription_key="SECRET",
                          cache_dir=tmp_path, transport=transport) == path and len(calls) == 1
    assert list(_rows(comtrade.parse(path)).values()) == [479278747159.0]


def test_ingest_twice_is_a_no_op_and_a_rejected_file_changes_nothing(tmp_path):
    db = tmp_path / "w.duckdb"
    good = _json(tmp_path, _record(), name="good.json")
    first = ingest_files("comtrade", [good], warehouse=db)[0].result
    before = _snapshot(db)
    again = ingest_files("comtrade", [good], warehouse=db)[0].result
    bad = _json(tmp_path, _record(partnerCode=704, partnerISO="VNM"),
                _record(primaryValue=-1.0), name="bad.json")
    with pytest.raises(SourceFormatError, match="negative value in data record 2"):
        ingest_files("comtrade", [bad], warehouse=db)
    assert (first.rows, again.status) == (1, "unchanged")
    assert _snapshot(db) == before


# --- the real files in ../shared/data ------------------------------------------------------

COMTRADR_FILES = {  # file -> rows loaded (self-trade rows dropped: Thailand's re-imports)
    "vignette_data_1__example_1.csv": 20, "vignette_data_2__example_2.csv": 33,
    "vignette_data_3__example_3.csv": 1556, "vignette_data_5__data_eu_imports_world.csv": 5004,
    "vignette_data_7__q.csv": 1, "vignette_data_8__hs0.csv": 2, "vignette_data_9__hs5.csv": 4,
    "vignette_data_10__hs0_all.csv": 100,
}


@pytest.mark.shared_data
def test_comtradr_api_extracts_load_with_the_checked_value(tmp_path):
    db = tmp_path / "w.duckdb"
    paths = [shared_data(*COMTRADR, name) for name in COMTRADR_FILES]
    reports = ingest_files("comtrade", paths, warehouse=db)
    assert {r.file.rsplit("/", 1)[-1]: r.result.rows for r in reports} == COMTRADR_FILES
    # PROVENANCE: China -> USA 2018 = 479.3 bn USD, matches Comtrade
    assert _values(db, "year = 2018 AND reporter = 'CHN' AND partner = 'USA' AND product = "
                       "'TOTAL'", []) == [("reported", "CHN", "USA", "X", 479278747159.0)]
    # Thailand's shrimp re-imports were booked against Thailand itself: dropped as self-trade
    assert reports[2].result.status == "loaded"
    assert _values(db, "reporter = partner", []) == []
    before = _snapshot(db)
    again = ingest_files("comtrade", paths, warehouse=db)
    assert {r.result.status for r in again} == {"unchanged"} and _snapshot(db) == before


@pytest.mark.shared_data
@pytest.mark.slow
def test_comtradr_eu_imports_snake_case_file(tmp_path):
    path = shared_data(*COMTRADR, "vignette_data_4__data_eu_imports.csv.gz")
    parsed = comtrade.parse(path)
    # 173,358 rows; 417 are EU members' imports from themselves
    assert len(parsed.batches[0].data) == 173_358 - 417
    assert parsed.parameters["skipped_self_trade_rows"] == 417


@pytest.fixture(scope="module")
def china_profile(tmp_path_factory):
    """China's partner tables (partners' declarations) and its balance table, loaded once."""
    db = tmp_path_factory.mktemp("cipf") / "w.duckdb"
    names = ["China_2.1.1_top_export_partners_reverse.xlsx", "China_3.1.1_top_import_partners.xlsx",
             "China_1.1_trade_balance_2014-2025.xlsx",
             "China_2.3_exports_products_partners_HS-AG6-2014-2025_reverse.xlsx"]
    reports = ingest_files("comtrade", [shared_data(*CIPF, n) for n in names], warehouse=db)
    return db, {n: r.result for n, r in zip(names, reports, strict=True)}


@pytest.mark.shared_data
def test_partner_declarations_about_china_load_as_reported_rows(china_profile):
    db, results = china_profile
    rows = {name.split("_")[1]: result.rows for name, result in results.items()}
    # 2.1.1: 1,862 rows less 11 "China imports from China" rows; 1.1: 12 years x 4 less 2 zeros
    assert rows == {"2.1.1": 1851, "3.1.1": 1794, "1.1": 46, "2.3": 1453}
    # the USA's declared imports from China, 2014, and Viet Nam's, 2020 (DOTS: 84,374.3 mn)
    imports = "year = ? AND reporter = ? AND flow = 'M' AND product = 'TOTAL'"
    assert _values(db, imports, [2014, "USA"]) == [("reported", "USA", "CHN", "M",
                                                   486296238006.0)]
    assert _values(db, imports, [2020, "VNM"]) == [("reported", "VNM", "CHN", "M",
                                                   pytest.approx(84197786487.899))]


@pytest.mark.shared_data
def test_explicit_mirror_totals_and_their_derivation_from_partner_rows(china_profile):
    db = china_profile[0]
    balance = dict(((b, f), v) for b, _, _, f, v in _values(
        db, "year = 2014 AND reporter = 'CHN' AND partner = 'WLD'", []))
    assert balance == {("reported", "X"): 2342292696320.0, ("reported", "M"): 1959234625162.0,
                       ("mirror", "X"): pytest.approx(2530534598369.038),
                       ("mirror", "M"): pytest.approx(1525788239817.909)}
    with open_reader(db) as (con, _):
        derived = con.execute(
            "SELECT sum(value_usd) FROM trade_flows WHERE year = 2014 AND partner = 'CHN' "
            "AND flow = 'M' AND product = 'TOTAL' AND basis = 'reported'").fetchone()[0]
    # the published mirror total also counts China's own re-imports (144.88 bn, dropped here)
    assert balance[("mirror", "X")] - derived == pytest.approx(144880436618.0, rel=1e-9)


def _corrupt_copy(tmp_path, edit):
    """A copy of the real example_2 extract (China's exports to KOR/MEX/USA), edited."""
    with open(shared_data(*COMTRADR, "vignette_data_2__example_2.csv"), encoding="utf-8") as f:
        rows = list(csv.reader(f))
    edit(rows)
    path = tmp_path / "corrupt.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def _set(line, column, value):
    def edit(rows):
        rows[line - 1][rows[0].index(column)] = value
    return edit


CORRUPTIONS = {
    "negative value": (_set(5, "primary_value", "-1.0"), "negative value", 5, "primaryValue"),
    "non-numeric value": (_set(7, "primary_value", "n.a."), "non-numeric value", 7,
                          "primaryValue"),
    "unknown partner": (_set(9, "partner_code", "9999"), "unknown partner", 9, "partnerCode"),
    "missing column": (lambda rows: [r.pop(rows[0].index("primary_value")) for r in rows[::-1]],
                       "missing column primaryValue", 1, "primaryValue"),
    "duplicated row": (lambda rows: rows.append(rows[3]), "duplicate row.*on line 4", 35, None),
}


@pytest.mark.shared_data
@pytest.mark.parametrize("name", list(CORRUPTIONS))
def test_corrupted_copies_are_rejected_and_change_nothing(tmp_path, name):
    db = tmp_path / "w.duckdb"
    ingest_files("comtrade", [shared_data(*COMTRADR, "vignette_data_2__example_2.csv")],
                 warehouse=db)
    before = _snapshot(db)
    edit, message, line, column = CORRUPTIONS[name]
    with pytest.raises(SourceFormatError, match=message) as caught:
        ingest_files("comtrade", [_corrupt_copy(tmp_path, edit)], warehouse=db)
    assert (caught.value.file, caught.value.line) == ("corrupt.csv", line)
    if name == "unknown partner":  # the row's own ISO code and name are offered
        assert "did you mean 'MEX'?" in str(caught.value)
    if column:
        assert caught.value.column == column
    assert _snapshot(db) == before
