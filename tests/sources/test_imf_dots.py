"""IMF DOTS: both layouts, the PROVENANCE check values, overlapping files and rejected copies."""

import gzip

import pytest

from capcoop.errors import InputError, SourceFormatError
from capcoop.services.ingest import ingest_files
from capcoop.sources import imf_dots
from capcoop.warehouse.connection import open_reader
from shared_data import shared_data

LONG_HEADER = "year,reporter,flow,partner,value_usd_mn,imf_estimate_flag\n"
BULK_HEADER = ("Country Name,Country Code,Indicator Name,Indicator Code,Counterpart Country Name,"
               "Counterpart Country Code,Attribute")
EXPORTS = '"Goods, Value of Exports, Free on board (FOB), US Dollars",TXG_FOB_USD'
IMPORTS_FOB = '"Goods, Value of Imports, Free on board (FOB), US Dollars",TMG_FOB_USD'
SAMLEBLANC = ("trade2", "imf_dots_samleblanc")
ALL_REPORTERS = "dots_annual_all_reporters_2010_2020_long.csv.gz"
ASEAN_CHINA = "dots_annual_asean_china_1960_2020_long.csv.gz"


def _write(tmp_path, name, text):
    path = tmp_path / name
    if name.endswith(".gz"):
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _long_file(tmp_path, *rows, name="dots.csv"):
    return _write(tmp_path, name, LONG_HEADER + "".join(r + "\n" for r in rows))


def _rows(parsed):
    frame = parsed.batches[0].data
    return {(r.year, r.reporter, r.flow, r.partner): (r.value_usd, r.estimate)
            for r in frame.itertuples()}


def _snapshot(db):
    with open_reader(db) as (con, _):
        flows = con.execute("SELECT count(*), bit_xor(hash(year, reporter, partner, flow, "
                            "value_usd, estimate, load_id)) FROM trade_flows").fetchone()
        loads = con.execute("SELECT load_id, file, rows FROM provenance ORDER BY 1").fetchall()
    return flows, loads


def _value(db, year, reporter, flow, partner):
    with open_reader(db) as (con, _):
        row = con.execute("SELECT value_usd FROM trade_flows WHERE source = 'imf-dots' AND year = ? "
                          "AND reporter = ? AND flow = ? AND partner = ?",
                          [year, reporter, flow, partner]).fetchall()
    assert len(row) == 1
    return row[0][0]


# --- synthetic files: no shared data needed -------------------------------------------------


def test_long_layout_rows_in_us_dollars_with_aggregates_kept(tmp_path):
    path = _long_file(tmp_path, "2020,CHN,X_FOB,WLD,2598024.02673,0",
                      "2020,CHN,X_FOB,VNM,114157.1,0", "2020,VNM,M_CIF,CHN,84374.3,0",
                      "2020,LAO,X_FOB,AGG_EU,0.41,1")
    parsed = imf_dots.parse(path)
    frame = parsed.batches[0].data
    assert parsed.source == "imf-dots" and parsed.release == "unknown"
    assert _rows(parsed) == {
        (2020, "CHN", "X", "WLD"): (2598024.02673e6, False),
        (2020, "CHN", "X", "VNM"): (114157.1e6, False),
        (2020, "VNM", "M", "CHN"): (84374.3e6, False),
        (2020, "LAO", "X", "AGG_EU"): (0.41e6, True),
    }
    assert set(frame["basis"]) == {"reported"} and set(frame["freq"]) == {"A"}
    assert set(frame["classification"]) == set(frame["product"]) == {"TOTAL"}
    assert frame["month"].isna().all() and set(frame["currency"]) == {"USD"}


def test_negative_values_of_aggregate_reporters_are_skipped_and_counted(tmp_path):
    # Real case: DOTS 1960-63 World/Advanced Economies rows for Malaysia are negative residuals.
    path = _long_file(tmp_path, "1960,WLD,M_CIF,MYS,-2.7,0", "1960,CHN,M_CIF,MYS,1.5,0")
    parsed = imf_dots.parse(path)
    assert list(_rows(parsed)) == [(1960, "CHN", "M", "MYS")]
    assert parsed.parameters["skipped_negative_aggregate_rows"] == 1


BAD_LONG = [
    # (rows, message, line, column, value)
    (["2020,CHN,X_FOB,VNM,1.0,0", "2020,CHN,X_FOB,THA,-3.5,0"], "negative value", 3,
     "value_usd_mn", "-3.5"),
    (["2020,CHN,X_FOB,VNM,n/a,0"], "non-numeric value", 2, "value_usd_mn", "n/a"),
    (["2020,VNN,X_FOB,CHN,1.0,0"], "unknown reporter", 2, "reporter", "VNN"),
    (["2020,CHN,X_FOB,Atlantis,1.0,0"], "unknown partner", 2, "partner", "Atlantis"),
    (["2020,CHN,X_CIF,VNM,1.0,0"], "unknown flow", 2, "flow", "X_CIF"),
    (["20x0,CHN,X_FOB,VNM,1.0,0"], "not a year", 2, "year", "20x0"),
    (["2020,CHN,X_FOB,VNM,1.0,2"], "unknown estimate flag", 2, "imf_estimate_flag", "2"),
    (["2020,CHN,X_FOB,VNM,,0"], "missing value", 2, "value_usd_mn", None),
]


@pytest.mark.parametrize(("rows", "message", "line", "column", "value"), BAD_LONG)
def test_bad_long_cells_name_file_line_column_and_value(tmp_path, rows, message, line, column,
                                                       value):
    path = _long_file(tmp_path, *rows)
    with pytest.raises(SourceFormatError, match=message) as caught:
        imf_dots.parse(path)
    error = caught.value
    assert (error.file, error.line, error.column) == ("dots.csv", line, column)
    if value is not None:
        assert error.value == value


def test_unknown_reporter_carries_suggestions(tmp_path):
    path = _long_file(tmp_path, "2020,VNN,X_FOB,CHN,1.0,0")
    with pytest.raises(SourceFormatError) as caught:
        imf_dots.parse(path)
    assert "'VNM'" in str(caught.value)


def test_repeated_key_names_both_lines(tmp_path):
    path = _long_file(tmp_path, "2020,CHN,X_FOB,VNM,1.0,0", "2020,CHN,X_FOB,THA,2.0,0",
                      "2020,CHN,X_FOB,VNM,1.0,0")
    with pytest.raises(SourceFormatError, match=r"duplicate row .*on line 2.*line 4"):
        imf_dots.parse(path)


@pytest.mark.parametrize(("header", "missing_or_extra"), [
    ("year,reporter,flow,partner,value_usd_mn\n", "missing column.*imf_estimate_flag"),
    ("year,reporter,flow,partner,value_usd_bn,imf_estimate_flag\n",
     "missing column.*value_usd_mn.*unexpected column.*value_usd_bn"),
    (LONG_HEADER.strip() + ",note\n", "unexpected column.*note"),
])
def test_wrong_columns_or_unit_say_what_was_expected(tmp_path, header, missing_or_extra):
    path = _write(tmp_path, "dots.csv", header + "2020,CHN,X_FOB,VNM,1.0,0\n")
    with pytest.raises(SourceFormatError, match=missing_or_extra) as caught:
        imf_dots.parse(path)
    assert caught.value.line == 1 and "expected exactly the columns" in str(caught.value)


def _bulk_wide(tmp_path, *rows, name="DOT_02-15-2022 timeSeries.csv"):
    return _write(tmp_path, name, f"{BULK_HEADER},2019,2020,\n" + "".join(r + "\n" for r in rows))


def test_bulk_wide_layout_with_status_flags_and_derived_indicators(tmp_path):
    path = _bulk_wide(
        tmp_path,
        f"China,924,{EXPORTS},India,534,Value,74924290000,66779540000,",
        f"China,924,{EXPORTS},India,534,Status,,e,",
        f"China,924,{IMPORTS_FOB},World,001,Value,1,2,",
        f'"China, P.R.: Mainland",924,{EXPORTS},Advanced Economies,110,Value,,5.5,')
    parsed = imf_dots.parse(path)
    assert parsed.release == "2022-02-15"
    assert parsed.parameters == {"layout": "bulk-wide", "skipped_derived_indicator_cells": 2}
    assert _rows(parsed) == {
        (2019, "CHN", "X", "IND"): (74924290000.0, False),
        (2020, "CHN", "X", "IND"): (66779540000.0, True),
        (2020, "CHN", "X", "AGG_ADV"): (5.5, False),
    }


def test_bulk_long_layout_equals_wide(tmp_path):
    wide = _bulk_wide(tmp_path, f"Brazil,223,{EXPORTS},China,924,Value,1.5,2.5,")
    long = _write(tmp_path, "long.csv", f"{BULK_HEADER},year,value_usd\n"
                  f"Brazil,223,{EXPORTS},China,924,Value,2019,1.5\n"
                  f"Brazil,223,{EXPORTS},China,924,Value,2020,2.5\n")
    assert _rows(imf_dots.parse(wide)) == _rows(imf_dots.parse(long))


def test_bulk_monthly_columns_give_monthly_rows(tmp_path):
    path = _write(tmp_path, "m.csv", f"{BULK_HEADER},2020M01,2020M02\n"
                  f"Brazil,223,{EXPORTS},China,924,Value,1,2\n")
    frame = imf_dots.parse(path).batches[0].data
    assert list(zip(frame["freq"], frame["year"], frame["month"], strict=True)) == [("M", 2020, 1),
                                                                       ("M", 2020, 2)]


@pytest.mark.parametrize(("row", "message", "column", "value"), [
    (f"Brazil,223,{EXPORTS},China,924,Value,1,-2,", "negative value", "2020", "-2"),
    (f"Brazil,223,{EXPORTS},China,924,Value,1,x,", "non-numeric value", "2020", "x"),
    (f"Brasil do Sul,223,{EXPORTS},China,924,Value,1,2,", "unknown reporter", "Country Name",
     "Brasil do Sul"),
    ('Brazil,223,"Goods, Value of Exports, FOB, National Currency",TXG_FOB_USD,China,924,'
     "Value,1,2,", "not in US dollars", "Indicator Name", None),
    ('Brazil,223,"Goods, Value of Exports, FOB, National Currency",TXG_FOB_XDC,China,924,'
     "Value,1,2,", "unsupported indicator", "Indicator Code", "TXG_FOB_XDC"),
    (f"Brazil,223,{EXPORTS},China,924,Scale,1,2,", "unknown attribute", "Attribute", "Scale"),
])
def test_bad_bulk_cells_are_rejected(tmp_path, row, message, column, value):
    path = _bulk_wide(tmp_path, f"Brazil,223,{EXPORTS},India,534,Value,1,2,", row)
    with pytest.raises(SourceFormatError, match=message) as caught:
        imf_dots.parse(path)
    assert (caught.value.line, caught.value.column) == (3, column)
    if value is not None:
        assert caught.value.value == value


def test_bulk_period_columns_must_be_years_or_months(tmp_path):
    path = _write(tmp_path, "q.csv", f"{BULK_HEADER},2020Q1\nBrazil,223,{EXPORTS},China,924,"
                  "Value,1\n")
    with pytest.raises(SourceFormatError, match="unexpected column.*'2020Q1'"):
        imf_dots.parse(path)


def test_ingest_twice_is_a_no_op_and_a_rejected_file_changes_nothing(tmp_path):
    db = tmp_path / "w.duckdb"
    good = _long_file(tmp_path, "2020,CHN,X_FOB,VNM,114157.1,0", name="good.csv.gz")
    first = ingest_files("imf-dots", [good], warehouse=db)[0].result
    before = _snapshot(db)
    again = ingest_files("imf-dots", [good], warehouse=db)[0].result
    bad = _long_file(tmp_path, "2020,CHN,X_FOB,THA,5,0", "2020,CHN,X_FOB,VNM,-1,0", name="bad.csv")
    with pytest.raises(SourceFormatError, match="negative value.*line 3"):
        ingest_files("imf-dots", [bad], warehouse=db)
    assert (first.status, first.rows, again.status) == ("loaded", 1, "unchanged")
    assert _snapshot(db) == before
    assert _value(db, 2020, "CHN", "X", "VNM") == pytest.approx(114157.1e6)


def test_fetch_downloads_once_into_the_cache(tmp_path):
    calls = []

    def transport(url):
        calls.append(url)
        return (LONG_HEADER + "2020,CHN,X_FOB,VNM,1.0,0\n").encode()

    url = "https://example.imf.org/bulk/dots.csv"
    path = imf_dots.fetch(url, cache_dir=tmp_path, transport=transport)
    again = imf_dots.fetch(url, cache_dir=tmp_path, transport=transport)
    assert path == again == tmp_path / "dots.csv" and calls == [url]
    assert _rows(imf_dots.parse(path)) == {(2020, "CHN", "X", "VNM"): (1e6, False)}
    with pytest.raises(InputError, match="not a download URL"):
        imf_dots.fetch("dots.csv", cache_dir=tmp_path, transport=transport)


# --- the real files in ../shared/data ------------------------------------------------------


@pytest.fixture(scope="module")
def dots_warehouse(tmp_path_factory):
    """The all-reporters file, then the overlapping ASEAN-China file, loaded once."""
    db = tmp_path_factory.mktemp("dots") / "w.duckdb"
    first = ingest_files("imf-dots", [shared_data(*SAMLEBLANC, ALL_REPORTERS)], warehouse=db)
    with open_reader(db) as (con, _):
        overlap_before = con.execute(
            "SELECT year, reporter, flow, partner, value_usd, estimate FROM trade_flows "
            "WHERE reporter IN ('BRN','KHM','IDN','LAO','MYS','MMR','PHL','SGP','THA','VNM',"
            "'CHN','HKG','MAC') OR partner IN ('BRN','KHM','IDN','LAO','MYS','MMR','PHL','SGP',"
            "'THA','VNM','CHN','HKG','MAC') ORDER BY ALL").fetchall()
    second = ingest_files("imf-dots", [shared_data(*SAMLEBLANC, ASEAN_CHINA)], warehouse=db)
    return db, first[0].result, second[0].result, overlap_before


@pytest.mark.shared_data
@pytest.mark.slow
def test_real_files_load_with_provenance_check_values(dots_warehouse):
    db, first, second, _ = dots_warehouse
    assert (first.status, first.rows) == ("loaded", 748_930)
    # 329,106 rows in the file minus 13 negative aggregate residuals (World/AE x Malaysia 1960-63)
    assert (second.status, second.rows) == ("loaded", 329_093)
    # published to 0.1 US$ mn: 2,598,024.0 / 114,157.1 / 84,374.3
    assert _value(db, 2020, "CHN", "X", "WLD") == pytest.approx(2_598_024.0e6, abs=0.05e6)
    assert _value(db, 2020, "CHN", "X", "VNM") == pytest.approx(114_157.1e6, abs=0.05e6)
    assert _value(db, 2020, "VNM", "M", "CHN") == pytest.approx(84_374.3e6, abs=0.05e6)


@pytest.mark.shared_data
@pytest.mark.slow
def test_overlapping_files_give_one_row_per_key_with_identical_values(dots_warehouse):
    db, first, second, overlap_before = dots_warehouse
    with open_reader(db) as (con, _):
        total, keys = con.execute(
            "SELECT count(*), count(DISTINCT (basis, freq, year, reporter, partner, flow)) "
            "FROM trade_flows").fetchone()
        overlap_after = con.execute(
            "SELECT year, reporter, flow, partner, value_usd, estimate FROM trade_flows "
            "WHERE year >= 2010 AND (reporter IN ('BRN','KHM','IDN','LAO','MYS','MMR','PHL',"
            "'SGP','THA','VNM','CHN','HKG','MAC') OR partner IN ('BRN','KHM','IDN','LAO','MYS',"
            "'MMR','PHL','SGP','THA','VNM','CHN','HKG','MAC')) ORDER BY ALL").fetchall()
        by_load = dict(con.execute("SELECT load_id, count(*) FROM trade_flows GROUP BY 1")
                       .fetchall())
    # every 2010-2020 row of the ASEAN-China file was already in the all-reporters file
    assert second.replaced_rows == 94_847
    assert total == keys == 748_930 + 329_093 - 94_847
    assert by_load == {first.load_id: 748_930 - 94_847, second.load_id: 329_093}
    assert overlap_after == overlap_before


@pytest.mark.shared_data
@pytest.mark.slow
def test_reloading_a_real_file_is_a_no_op(dots_warehouse):
    db = dots_warehouse[0]
    before = _snapshot(db)
    report = ingest_files("imf-dots", [shared_data(*SAMLEBLANC, ALL_REPORTERS)], warehouse=db)
    assert report[0].result.status == "unchanged"
    assert _snapshot(db) == before


def _corrupt_copy(tmp_path, edit, lines=3000):
    """The first ``lines`` data lines of the real ASEAN-China file, edited by ``edit(list)``."""
    with gzip.open(shared_data(*SAMLEBLANC, ASEAN_CHINA), "rt", encoding="utf-8") as handle:
        text = [next(handle) for _ in range(lines + 1)]
    edit(text)
    return _write(tmp_path, "corrupt.csv.gz", "".join(text))


def _set_field(index, value, line):
    def edit(text):
        fields = text[line - 1].rstrip("\n").split(",")
        fields[index] = value
        text[line - 1] = ",".join(fields) + "\n"
    return edit


CORRUPTIONS = {
    "negative value": (_set_field(4, "-12.5", 101), "negative value", 101, "value_usd_mn"),
    "unknown reporter": (_set_field(1, "XYZ", 250), "unknown reporter", 250, "reporter"),
    "non-numeric value": (_set_field(4, "twelve", 777), "non-numeric value", 777,
                          "value_usd_mn"),
    "decimal comma": (_set_field(4, "12,5", 777), "malformed CSV: 7 fields where the header has 6", 777, None),
    "missing column": (lambda text: text.__setitem__(
        slice(None), [",".join(t.rstrip("\n").split(",")[:5]) + "\n" for t in text]),
        "missing column.*imf_estimate_flag", 1, "imf_estimate_flag"),
    "duplicated row": (lambda text: text.append(text[41]), "duplicate row.*on line 42", 3002,
                       None),
}


@pytest.mark.shared_data
@pytest.mark.slow
@pytest.mark.parametrize("name", list(CORRUPTIONS))
def test_corrupted_copies_are_rejected_and_change_nothing(dots_warehouse, tmp_path, name):
    db = dots_warehouse[0]
    edit, message, line, column = CORRUPTIONS[name]
    path = _corrupt_copy(tmp_path, edit)
    before = _snapshot(db)
    with pytest.raises(SourceFormatError, match=message) as caught:
        ingest_files("imf-dots", [path], warehouse=db)
    if line is not None:
        assert (caught.value.file, caught.value.line) == ("corrupt.csv.gz", line)
    if column is not None:
        assert caught.value.column == column
    assert _snapshot(db) == before


@pytest.mark.shared_data
def test_imf_bulk_files_long_and_wide_agree(tmp_path):
    folder = ("trade", "imf_dots_multiatsm")
    long = shared_data(*folder, "DOTS_annual_BRA_CHN_IND_MEX_RUS_URY_1948_2020_long.csv")
    wide = shared_data(*folder, "DOTS_annual_BRA_CHN_IND_MEX_RUS_URY_1948_2020_wide.csv")
    db = tmp_path / "w.duckdb"
    first = ingest_files("imf-dots", [long], warehouse=db)[0].result
    second = ingest_files("imf-dots", [wide], warehouse=db)[0].result
    assert (first.rows, second.rows, second.replaced_rows) == (3050, 3050, 3050)
    # PROVENANCE: China exports to India 2019 = 74.9 bn USD (IMF bulk values are full dollars)
    assert _value(db, 2019, "CHN", "X", "IND") == pytest.approx(74.9e9, rel=1e-3)
    with open_reader(db) as (con, _):
        reporters = [r[0] for r in con.execute(
            "SELECT DISTINCT reporter FROM trade_flows ORDER BY 1").fetchall()]
    assert reporters == ["BRA", "CHN", "IND", "MEX", "RUS", "URY"]
