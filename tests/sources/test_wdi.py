"""WDI: indicator CSVs, the index (all 68 in one load), API JSON, PROVENANCE values, rejected copies."""

import json

import pytest

from capcoop.errors import SourceFormatError
from capcoop.services.ingest import ingest_files
from capcoop.sources import wdi
from capcoop.warehouse.connection import open_reader
from shared_data import shared_data

HEADER = "Country Name,Country Code,Year,Value\n"
INDEX_HEADER = ("code,title,license,rows,min_year,max_year,n_country_codes,last_commit_date,"
                "original_path\n")


def _indicator(folder, code, *rows):
    path = folder / f"{code}.csv"
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def _index(folder, *entries):
    lines = [f'{code},"{title}",CC-BY-4.0,{rows},2019,2020,2,2026-07-01,indicators/{code}/data.csv'
             for code, title, rows in entries]
    path = folder / "indicators_index.csv"
    path.write_text(INDEX_HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def _values(parsed):
    frame = parsed.batches[0].data
    return {(r.country, r.indicator, r.year): r.value for r in frame.itertuples()}


def _snapshot(db):
    with open_reader(db) as (con, _):
        values = con.execute("SELECT count(*), bit_xor(hash(country, indicator, year, value, "
                             "load_id)) FROM country_indicators").fetchone()
        names = con.execute("SELECT count(*), bit_xor(hash(indicator, name, unit)) "
                            "FROM indicator_definitions").fetchone()
        loads = con.execute("SELECT load_id, file, rows, target FROM provenance ORDER BY ALL").fetchall()
    return values, names, loads


def _value(db, country, indicator, year):
    with open_reader(db) as (con, _):
        rows = con.execute("SELECT value FROM country_indicators WHERE source = 'wdi' AND "
                           "country = ? AND indicator = ? AND year = ?",
                           [country, indicator, year]).fetchall()
    assert len(rows) == 1
    return rows[0][0]


# --- synthetic files: no shared data needed -------------------------------------------------


def test_indicator_csv_keeps_economies_and_world_and_skips_wb_aggregates(tmp_path):
    path = _indicator(tmp_path, "ny.gdp.pcap.cd", "China,CHN,2020,10627.46",
                      '"Bahamas, The",BHS,2020,27478.4', "World,WLD,2020,10941.2",
                      "East Asia & Pacific,EAS,2020,11475.1", "Lower middle income,LMC,2020,2272.1",
                      "Channel Islands,CHI,2020,66437.1")
    parsed = wdi.parse(path)
    assert _values(parsed) == {("CHN", "NY.GDP.PCAP.CD", 2020): 10627.46,
                               ("BHS", "NY.GDP.PCAP.CD", 2020): 27478.4,
                               ("WLD", "NY.GDP.PCAP.CD", 2020): 10941.2,
                               ("CT_830", "NY.GDP.PCAP.CD", 2020): 66437.1}
    assert [b.target for b in parsed.batches] == ["country_indicators"]  # no index: no names
    assert parsed.batches[0].replace_by == ("indicator",)


def test_index_parses_every_member_with_names_and_units(tmp_path):
    members = tmp_path / "indicators"
    members.mkdir()
    _indicator(members, "sp.pop.totl", "Viet Nam,VNM,2020,97468029", "Viet Nam,VNM,2019,96484000")
    _indicator(members, "sl.uem.totl.zs", "Viet Nam,VNM,2020,2.1")
    index = _index(tmp_path, ("sp.pop.totl", "Population, total", 2),
                   ("sl.uem.totl.zs", "Unemployment, total (% of total labor force) "
                                      "(modeled ILO estimate)", 1))
    for path in (index, tmp_path):  # the index file or its folder
        parsed = wdi.parse(path)
        assert len(_values(parsed)) == 3
        names = parsed.batches[1].data
        assert names.to_dict("list") == {
            "indicator": ["SP.POP.TOTL", "SL.UEM.TOTL.ZS"],
            "name": ["Population, total",
                     "Unemployment, total (% of total labor force) (modeled ILO estimate)"],
            "unit": [None, "% of total labor force"]}
        assert parsed.release == "datahub world-development-indicators 2026-07-01"
    single = wdi.parse(members / "sp.pop.totl.csv")  # the index next to it gives the name
    assert single.batches[1].data["name"].tolist() == ["Population, total"]


def test_index_row_count_must_match_member(tmp_path):
    (tmp_path / "indicators").mkdir()
    _indicator(tmp_path / "indicators", "sp.pop.totl", "Viet Nam,VNM,2020,97468029")
    index = _index(tmp_path, ("sp.pop.totl", "Population, total", 5))
    with pytest.raises(SourceFormatError, match="1 data rows but the index says 5"):
        wdi.parse(index)
    _index(tmp_path, ("sp.pop.totl", "Population, total", 1), ("it.net.bbnd.p2", "Broadband", 1))
    with pytest.raises(SourceFormatError, match=r"indicator file not found.*line 3"):
        wdi.parse(index)


def test_unit_comes_from_the_last_parenthesis_that_is_not_a_qualifier():
    assert wdi.unit_from_title("GDP per capita (current US$)") == "current US$"
    assert wdi.unit_from_title("Industry (including construction), value added (% of GDP)") \
        == "% of GDP"
    assert wdi.unit_from_title("Rail lines (total route-km)") == "total route-km"
    assert wdi.unit_from_title("Labor force, total") is None


@pytest.mark.parametrize(("rows", "message"), [
    (["China,CHN,2020,abc"], r"not a number.*line 2.*column 'Value'.*'abc'"),
    (["China,CHN,2020,"], r"missing value.*line 2"),
    (["China,CHN,2020,1", "Viet Nam,VNN,2020,2"],
     r"unknown country code 'VNN'.*line 3.*column 'Country Code'.*did you mean 'VNM'"),
    (["Switzerland?,CH,2020,1"], r"unknown country code 'CH'.*line 2"),  # ISO2 is no ISO3
    (["China,CHN,2020,1", "China,CHN,2020,2"],
     r"duplicate row \(country='CHN', year=2020\) repeats line 2.*line 3"),
    (["China,CHN,2020,1", "China,CHN,20x0,2"], r"not a year.*line 3.*'20x0'"),
    (["China,CHN,2020,-5"], r"negative value.*line 2.*'-5'"),
])
def test_bad_rows_are_rejected_with_line_column_and_value(tmp_path, rows, message):
    path = _indicator(tmp_path, "sp.pop.totl", *rows)
    with pytest.raises(SourceFormatError, match=message):
        wdi.parse(path)


def test_signed_indicators_accept_negative_values(tmp_path):
    path = _indicator(tmp_path, "ny.gdp.mktp.kd.zg", "China,CHN,2020,-1.5")
    assert _values(wdi.parse(path)) == {("CHN", "NY.GDP.MKTP.KD.ZG", 2020): -1.5}


@pytest.mark.parametrize(("header", "message"), [
    ("Country Name,Country Code,Year\n", r"missing column\(s\) \['Value'\].*expected the columns"),
    ("Country Name,Country Code,Year,Value,Note\n", r"unexpected column\(s\) \['Note'\]"),
])
def test_missing_or_extra_columns_are_named(tmp_path, header, message):
    path = tmp_path / "sp.pop.totl.csv"
    path.write_text(header + "China,CHN,2020,1" + (",x" if "Note" in header else "") + "\n")
    with pytest.raises(SourceFormatError, match=message):
        wdi.parse(path)


def test_file_name_must_be_an_indicator_code(tmp_path):
    path = _indicator(tmp_path, "gdp", "China,CHN,2020,1")
    with pytest.raises(SourceFormatError, match="not a WDI indicator code"):
        wdi.parse(path)


def _api_body(*records, pages=1):
    meta = {"page": 1, "pages": pages, "per_page": 20000, "total": len(records),
            "lastupdated": "2025-07-01"}
    return json.dumps([meta, [
        {"indicator": {"id": "NY.GDP.PCAP.CD", "value": "GDP per capita (current US$)"},
         "country": {"id": "XX", "value": "x"}, "countryiso3code": iso, "date": year,
         "value": value, "unit": "", "obs_status": "", "decimal": 1}
        for iso, year, value in records]]).encode()


def test_fetch_downloads_the_api_json_which_parse_reads(tmp_path):
    seen = []

    def transport(url):
        seen.append(url)
        return _api_body(("CHN", "2020", 10627.46), ("EAS", "2020", 11475.1), ("", "2020", 1.0),
                         ("VNM", "2020", None))

    path = wdi.fetch("ny.gdp.pcap.cd", cache_dir=tmp_path, transport=transport)
    assert seen == ["https://api.worldbank.org/v2/country/all/indicator/NY.GDP.PCAP.CD"
                    "?format=json&per_page=20000"]
    parsed = wdi.parse(path)
    assert _values(parsed) == {("CHN", "NY.GDP.PCAP.CD", 2020): 10627.46}
    assert parsed.batches[1].data["unit"].tolist() == ["current US$"]
    assert parsed.release == "WB API v2, last updated 2025-07-01"


def test_partial_api_response_is_rejected(tmp_path):
    path = tmp_path / "wdi_NY.GDP.PCAP.CD.json"
    path.write_bytes(_api_body(("CHN", "2020", 1.0), pages=2))
    with pytest.raises(SourceFormatError, match="partial response"):
        wdi.parse(path)


# --- the real WDI copy in ../shared/data ------------------------------------------------------


@pytest.fixture(scope="module")
def wdi_warehouse(tmp_path_factory):
    index = shared_data("reference", "wdi", "indicators_index.csv")
    db = tmp_path_factory.mktemp("wdi") / "w.duckdb"
    report = ingest_files("wdi", [index], warehouse=db)[0]
    return db, index, report


@pytest.mark.shared_data
@pytest.mark.slow
def test_index_loads_all_68_indicators_in_one_load(wdi_warehouse):
    db, _, report = wdi_warehouse
    assert report.result.status == "loaded"
    # 608,021 data rows in the 68 files minus 114,187 rows of the 47 WB aggregates present
    assert report.result.tables == {"country_indicators": 493834, "indicator_definitions": 68}
    with open_reader(db) as (con, _):
        loads = con.execute("SELECT DISTINCT load_id FROM provenance").fetchall()
        indicators = con.execute("SELECT count(DISTINCT indicator) FROM country_indicators").fetchone()
        aggregates = con.execute("SELECT count(*) FROM country_indicators WHERE country IN "
                                 "('EAS', 'LMC', 'HIC', 'EUU', 'ARB')").fetchone()
        unit = con.execute("SELECT unit FROM indicator_definitions "
                           "WHERE indicator = 'EG.ELC.ACCS.ZS'").fetchone()
    assert len(loads) == 1 and indicators == (68,) and aggregates == (0,)
    assert unit == ("% of population",)


@pytest.mark.shared_data
@pytest.mark.slow
def test_known_values_from_the_csv_and_provenance(wdi_warehouse):
    db = wdi_warehouse[0]
    assert _value(db, "CHN", "NY.GDP.PCAP.CD", 2020) == pytest.approx(10627.4637989619)
    assert _value(db, "VNM", "NY.GDP.PCAP.CD", 2023) == pytest.approx(4322.8, abs=0.05)
    assert _value(db, "VNM", "EG.ELC.ACCS.ZS", 2023) == pytest.approx(99.8, abs=0.05)
    assert _value(db, "VNM", "SP.URB.TOTL.IN.ZS", 2023) == pytest.approx(38.1, abs=0.05)
    assert _value(db, "WLD", "SP.POP.TOTL", 2020) > 7.5e9


@pytest.mark.shared_data
@pytest.mark.slow
def test_reingesting_the_index_is_a_no_op(wdi_warehouse):
    db, index, report = wdi_warehouse
    before = _snapshot(db)
    again = ingest_files("wdi", [index], warehouse=db)[0]
    assert (again.result.status, again.result.load_id) == ("unchanged", report.result.load_id)
    assert _snapshot(db) == before


def _corrupt(tmp_path, edit):
    original = shared_data("reference", "wdi", "indicators", "ny.gdp.pcap.cd.csv")
    lines = original.read_text(encoding="utf-8").splitlines(keepends=True)
    folder = tmp_path / "bad"
    folder.mkdir()
    path = folder / original.name
    path.write_text("".join(edit(lines)), encoding="utf-8")
    return original, path


def _replace_china_2020(lines, new):
    return [new if line.startswith("China,CHN,2020,") else line for line in lines]


@pytest.mark.shared_data
@pytest.mark.parametrize(("edit", "message"), [
    (lambda ls: _replace_china_2020(ls, "China,CHN,2020,-10627.46\n"), "negative value"),
    (lambda ls: _replace_china_2020(ls, "China,CHX,2020,10627.46\n"), "unknown country code 'CHX'"),
    (lambda ls: [ls[0].replace(",Value", "")] + [line.rsplit(",", 1)[0] + "\n" for line in ls[1:]],
     r"missing column\(s\) \['Value'\]"),
    (lambda ls: ls + [line for line in ls if line.startswith("China,CHN,2020,")],
     r"duplicate row \(country='CHN', year=2020\)"),
    (lambda ls: _replace_china_2020(ls, "China,CHN,2020,10,627.46\n"), "cannot read the file"),
    (lambda ls: _replace_china_2020(ls, "China,CHN,2020,n/a\n"), "not a number"),
])
def test_corrupted_copies_are_rejected_and_leave_the_warehouse_unchanged(tmp_path, edit, message):
    original, bad = _corrupt(tmp_path, edit)
    db = tmp_path / "w.duckdb"
    ingest_files("wdi", [original], warehouse=db)
    before = _snapshot(db)
    with pytest.raises(SourceFormatError, match=message):
        ingest_files("wdi", [bad], warehouse=db)
    assert _snapshot(db) == before
