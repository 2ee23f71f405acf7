"""CEPII BACI: parse, validate and load ``t,i,j,k,v,q`` year files (CSV or the publisher's zip).

Synthetic files (written in ``tmp_path``) test the parser on a fresh clone; the real sample
``trade/baci_sample_hs92_2021`` (exporters AFG and ZAF, HS92 2021, V202301; 71,192 rows; see its
PROVENANCE.md) is used when ``../shared/data`` is present and skipped with a reason otherwise.
"""

from __future__ import annotations

import gc
import gzip
import hashlib
import shutil
import zipfile
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from capcoop.errors import InputError, SourceFormatError
from capcoop.services.ingest import ingest_files
from capcoop.sources import baci
from capcoop.sources.base import SqlStage
from shared_data import shared_data

SAMPLE = ("trade", "baci_sample_hs92_2021", "BACI_HS92_Y2021_V202301_exporters_AFG_ZAF.csv")
SAMPLE_ROWS = 71_192
HEADER = '"t","i","j","k","v","q"'
NAME = "BACI_HS92_Y2021_V202301.csv"
#: A few real-looking rows: AFG->AGO, AFG->IND (BACI 699), ZAF->TWN (490), ZAF->USA (842).
ROWS = [
    '2021,4,24,382390,52.051,"       13.235"',
    '2021,4,699,70310,10254.444,"    22351.100"',
    '2021,710,490,30269,145.376,"           NA"',
    '2021,710,842,10600,5.698,"        0.027"',
]


# --- helpers --------------------------------------------------------------------------------

def write_csv(folder: Path, rows: list[str], *, name: str = NAME, header: str = HEADER) -> Path:
    path = folder / name
    path.write_text("\r\n".join([header, *rows]) + "\r\n")
    return path


def ingest(path: Path, warehouse: Path):
    return ingest_files("baci", [path], warehouse=warehouse)[0]


def table(warehouse: Path, sql: str = "SELECT * EXCLUDE (load_id) FROM product_flows ORDER BY ALL"):
    """Rows of a query; ``product_flows`` is trade_flows without the bilateral totals that ingest
    derives from the product rows."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        con.execute("CREATE TEMP VIEW product_flows AS "
                    "SELECT * FROM trade_flows WHERE classification <> 'TOTAL'")
        return con.execute(sql).fetchall()
    finally:
        con.close()


def snapshot(warehouse: Path):
    """Everything a load may change: the rows (in full) and the provenance records."""
    return (table(warehouse, "SELECT * FROM trade_flows ORDER BY ALL"),
            table(warehouse, "SELECT load_id, source, release, file, sha256, rows, replaced_rows "
                             "FROM provenance ORDER BY load_id"))


def rejected(path: Path, warehouse: Path) -> SourceFormatError:
    """The error a rejected file raises, after checking the warehouse did not change."""
    before = snapshot(warehouse)
    with pytest.raises(SourceFormatError) as caught:
        ingest(path, warehouse)
    assert snapshot(warehouse) == before
    return caught.value


@pytest.fixture
def warehouse(tmp_path) -> Path:
    """A warehouse already holding one unrelated BACI load (HS92 2020), so 'unchanged' is real."""
    db = tmp_path / "w.duckdb"
    folder = tmp_path / "seed"
    folder.mkdir()
    ingest(write_csv(folder, ['2020,4,24,382390,1.0,"1.0"'], name="BACI_HS92_Y2020_V202301.csv"),
           db)
    return db


# --- file names, header, stage --------------------------------------------------------------

@pytest.mark.parametrize(("name", "revision", "release"), [
    ("BACI_HS92_Y2021_V202301.csv", "HS92", "V202301"),
    ("BACI_HS92_Y2021_V202301_exporters_AFG_ZAF.csv", "HS92", "V202301"),
    ("BACI_HS17_Y2019_V202401b.csv", "HS17", "V202401b"),
    ("baci_hs22_y2022_v202501.csv", "HS22", "V202501"),
])
def test_revision_and_release_come_from_the_file_name(tmp_path, name, revision, release):
    parsed = baci.parse(write_csv(tmp_path, ROWS[:1], name=name))
    assert (parsed.source, parsed.release, parsed.parameters["revision"]) == \
        ("baci", release, revision)
    [batch] = parsed.batches
    assert batch.target == "trade_flows"
    assert isinstance(batch.data, SqlStage) and "read_csv(?" in batch.data.sql
    assert str(tmp_path / name) in batch.data.params
    assert batch.replace_by == ("classification", "year", "reporter")


@pytest.mark.parametrize("name", ["trade_2021.csv", "BACI_HS93_Y2021_V202301.csv",
                                  "BACI_HS92_Y2021.csv"])
def test_file_name_without_revision_and_release_is_refused(tmp_path, name):
    with pytest.raises(SourceFormatError, match="keep the publisher's file name"):
        baci.parse(write_csv(tmp_path, ROWS, name=name))


@pytest.mark.parametrize(("header", "message"), [
    ('"t","i","j","k","v"', r"missing column\(s\) \['q'\]"),
    ("t,i,j,k,v,q,extra", r"unexpected column\(s\) \['extra'\]"),
    ("year,exporter,importer,hs6,value_usd,tons",
     r"found \['year', 'exporter', .*expected \['t', 'i', 'j', 'k', 'v', 'q'\]"),
])
def test_header_must_be_t_i_j_k_v_q(tmp_path, header, message):
    path = write_csv(tmp_path, ROWS, header=header)
    with pytest.raises(SourceFormatError, match=message) as caught:
        baci.parse(path)
    assert (caught.value.file, caught.value.line) == (NAME, 1)
    assert "thousand US$" in str(caught.value)


def test_columns_in_another_order_are_read_by_name(tmp_path):
    rows = ['52.051,2021,4,24,382390,"       13.235"']
    db = tmp_path / "w.duckdb"
    ingest(write_csv(tmp_path, rows, header="v,t,i,j,k,q"), db)
    assert table(db, "SELECT reporter, partner, product, value_usd FROM product_flows") == \
        [("AFG", "AGO", "382390", 52.051 * 1000)]


def test_gzipped_csv_is_read(tmp_path):
    path = tmp_path / (NAME + ".gz")
    with gzip.open(path, "wt") as handle:
        handle.write("\n".join([HEADER, *ROWS]) + "\n")
    db = tmp_path / "w.duckdb"
    assert ingest(path, db).result.rows == 4


def test_a_folder_is_refused(tmp_path):
    with pytest.raises(SourceFormatError, match="a folder was given"):
        baci.parse(tmp_path)


# --- mapping to trade_flows -----------------------------------------------------------------

def test_rows_map_to_trade_flows(tmp_path):
    db = tmp_path / "w.duckdb"
    report = ingest(write_csv(tmp_path, ROWS), db)
    assert (report.result.status, report.result.rows) == ("loaded", 4)
    assert table(db) == [
        ("baci", "reconciled", "A", 2021, None, "AFG", "AGO", "X", "HS92", "382390",
         52.051 * 1000, None, "USD", 13.235, "t", False),
        ("baci", "reconciled", "A", 2021, None, "AFG", "IND", "X", "HS92", "070310",
         10254.444 * 1000, None, "USD", 22351.1, "t", False),
        ("baci", "reconciled", "A", 2021, None, "ZAF", "TWN", "X", "HS92", "030269",
         145.376 * 1000, None, "USD", None, "t", False),
        ("baci", "reconciled", "A", 2021, None, "ZAF", "USA", "X", "HS92", "010600",
         5.698 * 1000, None, "USD", 0.027, "t", False),
    ]
    [(release, parameters)] = table(db, "SELECT release, parameters FROM provenance "
                                            "WHERE file NOT LIKE 'derived:%'")
    assert release == "V202301" and '"revision": "HS92"' in parameters


def test_historical_and_retired_codes_keep_capcoop_codes(tmp_path):
    rows = ['1991,810,280,720839,10.0,"1.0"', '1991,736,58,720839,10.0,"NA"']
    db = tmp_path / "w.duckdb"
    ingest(write_csv(tmp_path, rows, name="BACI_HS92_Y1991_V202301.csv"), db)
    assert table(db, "SELECT reporter, partner FROM product_flows ORDER BY ALL") == \
        [("SDN", "BLX"), ("SUN", "DEU")]


def test_same_file_twice_is_a_no_op(tmp_path, warehouse):
    path = write_csv(tmp_path, ROWS)
    first = ingest(path, warehouse)
    before = snapshot(warehouse)
    second = ingest(path, warehouse)
    assert second.result.status == "unchanged" and second.result.load_id == first.result.load_id
    assert snapshot(warehouse) == before


def test_ingest_derives_bilateral_totals_and_keeps_them_current(tmp_path, warehouse):
    reports = ingest_files("baci", [write_csv(tmp_path, ROWS)], warehouse=warehouse)
    assert [r.file for r in reports[1:]] == ["derived:baci:HS92"]
    totals = "SELECT year, reporter, partner, value_usd FROM trade_flows WHERE product = 'TOTAL' " \
             "ORDER BY ALL"
    summed = "SELECT year, reporter, partner, sum(value_usd) FROM product_flows GROUP BY ALL ORDER BY ALL"
    assert table(warehouse, totals) == table(warehouse, summed)
    again = ingest_files("baci", [write_csv(tmp_path, ROWS)], warehouse=warehouse)
    assert [r.result.status for r in again] == ["unchanged"]  # nothing new, nothing re-derived
    newer = tmp_path / "newer"
    newer.mkdir()
    fix = ['2021,4,24,382390,60.0,"       13.235"']
    reports = ingest_files("baci", [write_csv(newer, fix, name="BACI_HS92_Y2021_V202401.csv")],
                           warehouse=warehouse)
    assert reports[-1].file == "derived:baci:HS92" and reports[-1].result.status == "loaded"
    assert table(warehouse, totals) == table(warehouse, summed)


def test_a_file_replaces_only_its_own_exporters_of_that_year(tmp_path, warehouse):
    ingest(write_csv(tmp_path, ROWS), warehouse)  # AFG and ZAF, 2021
    newer = tmp_path / "newer"
    newer.mkdir()
    fix = ['2021,4,24,382390,60.0,"       13.235"']  # AFG only, another release
    report = ingest(write_csv(newer, fix, name="BACI_HS92_Y2021_V202401.csv"), warehouse)
    assert report.result.replaced_rows == 2  # AFG's two 2021 rows
    rows = table(warehouse, "SELECT year, reporter, value_usd FROM product_flows ORDER BY ALL")
    assert rows == [(2020, "AFG", 1000.0), (2021, "AFG", 60000.0),
                    (2021, "ZAF", 5.698 * 1000), (2021, "ZAF", 145.376 * 1000)]


# --- rejections (synthetic) -----------------------------------------------------------------

@pytest.mark.parametrize(("line", "bad", "message", "column", "value"), [
    (3, '2021,4,699,70310,-10.5,"1.0"', "negative", "v", "-10.5"),
    (3, '2021,4,699,70310,abc,"1.0"', "value (v, thousand US$) is not a number", "v", "abc"),
    (3, '2021,4,699,70310,NA,"1.0"', "missing value", "v", None),
    (3, '2021,999,699,70310,1.0,"1.0"', "unknown BACI country code 999 (exporter); look it up "
     "with `capcoop codes countries --search 999`", "i", "999"),
    (3, '2021,4,1000,70310,1.0,"1.0"', "unknown BACI country code 1000 (importer)", "j", "1000"),
    (3, '2021,4,699,1234567,1.0,"1.0"', "HS6 code (k) is not 6 digits", "k", "1234567"),
    (3, '2021,4,699,123,1.0,"1.0"', "HS6 code (k) is not 6 digits", "k", "000123"),
    (3, '2021,4,699,7031a,1.0,"1.0"', "HS6 code (k) is not a whole number", "k", "7031a"),
    (3, '2021,4,699,70310,1.0,"  n/a"', "quantity (q, tons) is not a number or NA", "q", "  n/a"),
    (3, '2021,4,699,70310,1.0,"-2.0"', "quantity (q, tons) is negative", "q", "-2.0"),
    (3, '1900,4,699,70310,1.0,"1.0"', "year outside 1988-2100", "t", "1900"),
    (3, '2020,4,699,70310,1.0,"1.0"', "differs from the year in the file name (2021)", "t",
     "2020"),
    (3, '99999,4,699,70310,1.0,"1.0"', "year (t) is not a whole number", "t", "99999"),
    (3, '2021,4,699,70310,1.0', "fewer fields", "q", "2021,4,699,70310,1.0"),
    (3, '2021,4,699,70310,1.0,"1.0",7', "more fields", None, '2021,4,699,70310,1.0,"1.0",7'),
])
def test_bad_rows_are_rejected_with_file_line_column_and_value(tmp_path, warehouse, line, bad,
                                                                message, column, value):
    rows = list(ROWS)
    rows[line - 2] = bad
    error = rejected(write_csv(tmp_path, rows), warehouse)
    assert message in error.message
    assert (error.file, error.line, error.column, error.value) == (NAME, line, column, value)


@pytest.mark.parametrize("position", ["adjacent", "far"])
def test_repeated_rows_are_rejected_naming_both_lines(tmp_path, warehouse, position):
    rows = ROWS[:1] + ROWS if position == "adjacent" else ROWS + ROWS[:1]
    error = rejected(write_csv(tmp_path, rows), warehouse)
    repeat = 3 if position == "adjacent" else 6
    assert error.message.startswith("duplicate row: exporter AFG, importer AGO, product 382390 "
                                    "in 2021 repeats line 2 (")
    assert (error.file, error.line, error.column, error.value) == (NAME, repeat, "k", "382390")


def test_unsorted_file_without_repeats_loads(tmp_path):
    db = tmp_path / "w.duckdb"
    report = ingest(write_csv(tmp_path, ROWS[::-1] + ['2021,4,24,100190,1.0,"NA"']), db)
    assert report.result.rows == 5


def test_rejected_file_then_fixed_file(tmp_path, warehouse):
    bad = write_csv(tmp_path, [ROWS[0].replace("52.051", "-1")])
    rejected(bad, warehouse)
    fixed = tmp_path / "fixed"
    fixed.mkdir()
    assert ingest(write_csv(fixed, ROWS), warehouse).result.rows == 4


# --- the publisher's zip --------------------------------------------------------------------

def _zip(folder: Path, files: dict[str, str], name: str = "BACI_HS92_V202301.zip") -> Path:
    path = folder / name
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for member, text in files.items():
            archive.writestr(member, text)
    return path


def test_zip_of_year_files_loads_each_year(tmp_path):
    rows_2020 = [r.replace("2021,", "2020,", 1) for r in ROWS[:2]]
    path = _zip(tmp_path, {
        "BACI_HS92_Y2020_V202301.csv": "\n".join([HEADER, *rows_2020]) + "\n",
        "BACI_HS92_Y2021_V202301.csv": "\n".join([HEADER, *ROWS]) + "\n",
        "country_codes_V202301.csv": "country_code,country_name_abbreviation,country_name_full,"
                                     "iso_2digit_alpha,iso_3digit_alpha\n4,Afghanistan,"
                                     "Afghanistan,AF,AFG\n",
        "product_codes_HS92_V202301.csv": "code,description\n10111,Horses\n",
        "Readme.txt": "BACI",
    })
    parsed = baci.parse(path)
    assert parsed.parameters["members"] == ["BACI_HS92_Y2020_V202301.csv",
                                            "BACI_HS92_Y2021_V202301.csv"]
    extracted = Path(parsed.batches[0].data.params[-1]).parent
    del parsed
    gc.collect()
    assert not extracted.exists()  # the temporary copy goes with the parsed file
    db = tmp_path / "w.duckdb"
    report = ingest(path, db)
    assert report.result.tables == {"trade_flows": 6}
    assert table(db, "SELECT year, count(*) FROM product_flows GROUP BY 1 ORDER BY 1") == \
        [(2020, 2), (2021, 4)]
    assert table(db, "SELECT count(*) FROM provenance WHERE file NOT LIKE 'derived:%'") == [(2,)]


def test_zip_errors_name_the_member(tmp_path, warehouse):
    bad = [ROWS[0], ROWS[1].replace("10254.444", "-3")]
    path = _zip(tmp_path, {"BACI_HS92_Y2021_V202301.csv": "\n".join([HEADER, *bad]) + "\n"})
    error = rejected(path, warehouse)
    assert error.message.startswith("BACI_HS92_Y2021_V202301.csv: value (v, thousand US$)")
    assert (error.file, error.line, error.value) == ("BACI_HS92_V202301.zip", 3, "-3.0")


def test_zip_without_year_files_is_refused(tmp_path):
    path = _zip(tmp_path, {"Readme.txt": "BACI"})
    with pytest.raises(SourceFormatError, match="holds no BACI year file"):
        baci.parse(path)


# --- fetch ----------------------------------------------------------------------------------

class FakeTransport:
    def __init__(self, body: bytes) -> None:
        self.body, self.urls = body, []

    def __call__(self, url: str) -> bytes:
        self.urls.append(url)
        return self.body


def test_fetch_downloads_the_publishers_zip_once(tmp_path):
    transport = FakeTransport(b"zip bytes")
    path = baci.fetch("hs17", "V202401", cache_dir=tmp_path, transport=transport)
    assert transport.urls == ["https://www.cepii.fr/DATA_DOWNLOAD/baci/data/BACI_HS17_V202401.zip"]
    assert path == tmp_path / "BACI_HS17_V202401.zip" and path.read_bytes() == b"zip bytes"
    assert baci.fetch("HS17", "V202401", cache_dir=tmp_path, transport=transport) == path
    assert len(transport.urls) == 1  # served from the cache


def test_fetch_defaults_to_the_cache_setting(tmp_path, monkeypatch):
    monkeypatch.setenv("CAPCOOP_CACHE_DIR", str(tmp_path))
    path = baci.fetch(transport=FakeTransport(b"x"))
    assert path == tmp_path / "baci" / "BACI_HS92_V202301.zip"


def test_fetch_checksum_mismatch_removes_the_file(tmp_path):
    expected = hashlib.sha256(b"the real zip").hexdigest()
    with pytest.raises(InputError, match="checksum mismatch for BACI_HS92_V202301.zip"):
        baci.fetch(cache_dir=tmp_path, transport=FakeTransport(b"truncated"), sha256=expected)
    assert not (tmp_path / "BACI_HS92_V202301.zip").exists()
    path = baci.fetch(cache_dir=tmp_path, transport=FakeTransport(b"the real zip"),
                      sha256=expected)
    assert path.read_bytes() == b"the real zip"


@pytest.mark.parametrize(("revision", "release", "message"), [
    ("HS93", "V202301", r"unknown HS revision 'HS93'; expected one of \['HS92'"),
    ("HS92", "2023", "invalid BACI release '2023'"),
])
def test_fetch_refuses_unknown_revision_or_release(tmp_path, revision, release, message):
    transport = FakeTransport(b"")
    with pytest.raises(InputError, match=message):
        baci.fetch(revision, release, cache_dir=tmp_path, transport=transport)
    assert transport.urls == []


# --- the publisher's code lists -------------------------------------------------------------

def test_country_codes_both_layouts(tmp_path):
    old = tmp_path / "country_codes_V202301.csv"
    old.write_text("country_code,country_name_abbreviation,country_name_full,iso_2digit_alpha,"
                   'iso_3digit_alpha\n490,"Other Asia, nes","Other Asia, not elsewhere specified",'
                   "N/A,N/A\n516,Namibia,Namibia,NA,NAM\n")
    new = tmp_path / "country_codes_V202401.csv"
    new.write_text("country_code,country_name,country_iso2,country_iso3\n516,Namibia,NA,NAM\n")
    frame = baci.parse_country_codes(old)
    assert frame.to_dict("records") == [
        {"code": 490, "name": "Other Asia, nes", "name_full": "Other Asia, not elsewhere specified",
         "iso2": None, "iso3": None},
        {"code": 516, "name": "Namibia", "name_full": "Namibia", "iso2": "NA", "iso3": "NAM"}]
    assert baci.parse_country_codes(new).to_dict("records") == [
        {"code": 516, "name": "Namibia", "name_full": None, "iso2": "NA", "iso3": "NAM"}]


def test_country_codes_other_layout_is_refused(tmp_path):
    path = tmp_path / "codes.csv"
    path.write_text("code,name\n4,Afghanistan\n")
    with pytest.raises(SourceFormatError, match="not a BACI country list"):
        baci.parse_country_codes(path)


def test_product_codes_keep_leading_zeros(tmp_path):
    path = tmp_path / "product_codes_HS92_V202301.csv"
    path.write_text('code,description\n10111,"Horses: live, pure-bred"\n999999,Other\n')
    frame = baci.parse_product_codes(path)
    assert frame["code"].tolist() == ["010111", "999999"]
    path.write_text("code,description\n10111,Horses\n1011x,Bad\n")
    with pytest.raises(SourceFormatError, match="line 3, column 'code', value '1011x'"):
        baci.parse_product_codes(path)


def test_every_current_baci_country_code_is_known():
    """The publisher's V202301 list resolves fully through capcoop's country table."""
    frame = baci.parse_country_codes(shared_data("trade", "baci_reference",
                                                 "country_codes_V202301.csv"))
    lookup = baci.baci_to_iso3()
    unknown = [code for code in frame["code"] if lookup[code] is None]
    assert unknown == []
    assert (lookup[490], lookup[699], lookup[842], lookup[156], lookup[704]) == \
        ("TWN", "IND", "USA", "CHN", "VNM")
    named = frame.dropna(subset=["iso3"])  # 490 has no ISO code at CEPII ("N/A")
    differs = {c: (iso, lookup[c]) for c, iso in zip(named["code"], named["iso3"], strict=True)
               if lookup[c] != iso}
    # CEPII reuses BEL and ZAF for Belgium-Luxembourg and the customs union before 1999/2000;
    # capcoop keeps them apart from Belgium (56) and South Africa (710)
    assert differs == {58: ("BEL", "BLX"), 711: ("ZAF", "HIST_SACCA")}


def test_real_product_codes():
    frame = baci.parse_product_codes(shared_data("trade", "baci_reference",
                                                 "product_codes_HS92_V202301.csv"))
    assert len(frame) == 5_021 and frame["code"].str.len().eq(6).all()
    assert frame["code"].iloc[[0, -1]].tolist() == ["010111", "999999"]  # 999999: not specified


# --- the real sample (shared data) ----------------------------------------------------------

@pytest.fixture(scope="module")
def sample() -> Path:
    return shared_data(*SAMPLE)


@pytest.fixture(scope="module")
def loaded(sample, tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("baci") / "w.duckdb"
    report = ingest(sample, db)
    assert report.result.status == "loaded"
    return db


def test_sample_loads_every_row(sample, loaded):
    data_rows = sum(1 for _ in open(sample, "rb")) - 1
    assert data_rows == SAMPLE_ROWS
    assert table(loaded, "SELECT count(*) FROM product_flows") == [(SAMPLE_ROWS,)]
    by_reporter = table(loaded, "SELECT reporter, count(*) FROM product_flows GROUP BY 1 ORDER BY 1")
    assert by_reporter == [("AFG", 3_070), ("ZAF", 68_122)]  # PROVENANCE.md: i=4, i=710
    [(importers, products, na, total)] = table(
        loaded, "SELECT count(DISTINCT partner), count(DISTINCT product), "
                "count(*) - count(quantity), sum(value_usd) FROM product_flows")
    assert (importers, products, na) == (211, 4_422, 2_306)
    assert total == pytest.approx(69.37e9, rel=1e-3)  # "sum v ~ 69.37 bn USD"


@pytest.mark.parametrize(("reporter", "partner", "product", "v", "q"), [
    ("AFG", "AGO", "382390", 52.051, 13.235),    # line 2
    ("AFG", "AZE", "081310", 1.624, 0.5),        # line 12: k=81310, leading zero
    ("AFG", "IND", "070310", 10254.444, 22351.1),  # line 2049: BACI 699 is India
    ("AFG", "USA", "010600", 5.698, 0.027),      # line 2916: BACI 842 is the USA
    ("ZAF", "TWN", "030269", 145.376, 114.0),    # line 38040: BACI 490 is Taiwan
    ("ZAF", "CHN", "010600", 0.034, None),       # line 12775: q is "NA"
])
def test_sample_known_rows(loaded, reporter, partner, product, v, q):
    rows = table(loaded, "SELECT value_usd, quantity FROM product_flows WHERE reporter = '"
                 f"{reporter}' AND partner = '{partner}' AND product = '{product}'")
    assert rows == [(v * 1000, q)]


def test_sample_reingest_is_a_no_op(sample, loaded):
    before = snapshot(loaded)
    report = ingest(sample, loaded)
    assert (report.result.status, report.result.rows) == ("unchanged", 0)
    assert snapshot(loaded) == before


def _corrupt(sample: Path, folder: Path, line: int | None, edit) -> Path:
    lines = sample.read_bytes().decode().split("\r\n")
    if line is None:
        lines = edit(lines)
    else:
        lines[line - 1] = edit(lines[line - 1])
    path = folder / sample.name
    path.write_bytes("\r\n".join(lines).encode())
    return path


@pytest.mark.parametrize(("line", "edit", "message", "column", "value"), [
    (2049, lambda s: s.replace(",10254.444,", ",-10254.444,"), "negative", "v", "-10254.444"),
    (12, lambda s: s.replace("2021,4,", "2021,999,", 1), "unknown BACI country code 999", "i",
     "999"),
    (2916, lambda s: s.replace(",5.698,", ",abc,"), "is not a number", "v", "abc"),
])
def test_sample_corrupted_lines_are_rejected(sample, loaded, tmp_path, line, edit, message,
                                             column, value):
    path = _corrupt(sample, tmp_path, line, edit)
    error = rejected(path, loaded)
    assert message in error.message
    assert (error.file, error.line, error.column, error.value) == (sample.name, line, column, value)


def test_sample_missing_column_is_rejected(sample, loaded, tmp_path):
    path = _corrupt(sample, tmp_path, None,
                    lambda lines: [",".join(row.split(",")[:5]) for row in lines])
    error = rejected(path, loaded)
    assert "missing column(s) ['q']" in error.message and "found ['t', 'i', 'j', 'k', 'v']" in \
        error.message
    assert (error.file, error.line, error.column) == (sample.name, 1, "q")


def test_sample_duplicated_row_is_rejected(sample, loaded, tmp_path):
    path = _corrupt(sample, tmp_path, None, lambda lines: lines[:-1] + [lines[2048], ""])
    error = rejected(path, loaded)
    assert error.message.startswith("duplicate row: exporter AFG, importer IND, product 070310 "
                                    "in 2021 repeats line 2049 (")
    assert (error.file, error.line, error.column, error.value) == \
        (sample.name, SAMPLE_ROWS + 2, "k", "070310")


def test_sample_into_another_warehouse_is_identical(sample, loaded, tmp_path):
    """Loading is deterministic: a second warehouse holds exactly the same rows."""
    other = tmp_path / "other.duckdb"
    shutil.copy(sample, tmp_path / sample.name)
    ingest(tmp_path / sample.name, other)
    assert table(other) == table(loaded)
    assert pd.Series([r[9] for r in table(other)]).str.len().eq(6).all()
