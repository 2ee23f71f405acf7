"""WB income groups: CLASS and OGHIST (CSV and xlsx), the FY -> GNI-year rule, China's path."""

import openpyxl
import pytest

from capcoop.errors import SourceFormatError
from capcoop.services.ingest import ingest_files
from capcoop.sources import wb_income
from capcoop.warehouse.connection import open_reader
from shared_data import shared_data

CLASS_HEADER = "Economy,Code,Region,Income group,Lending category\n"
HISTORY_HEADER = "iso3,country,fiscal_year,gni_reference_year,income_group\n"
FOLDER = ("reference", "wb-income-classification")
FILES = {"class_fy2025_list_of_economies.csv": 217, "CLASS_FY2025.xlsx": 217,
         "oghist_income_group_long_FY89-FY23.csv": 7227, "OGHIST_FY89-FY23.xlsx": 7227}


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _groups(parsed):
    frame = parsed.batches[0].data
    assert set(frame["scheme"]) == {"wb_income"}
    return {(r.country, r.year): r.value for r in frame.itertuples()}


def _snapshot(db):
    with open_reader(db) as (con, _):
        rows = con.execute("SELECT count(*), bit_xor(hash(country, scheme, year, value, load_id)) "
                           "FROM country_classifications").fetchone()
        loads = con.execute("SELECT load_id, file, rows FROM provenance ORDER BY ALL").fetchall()
    return rows, loads


# --- synthetic files: no shared data needed -------------------------------------------------


def test_fiscal_year_maps_to_the_gni_year_two_years_earlier():
    assert wb_income.gni_year("FY2025") == 2023
    assert wb_income.gni_year("FY12") == 2010
    assert wb_income.gni_year("fy89") == 1987
    assert wb_income.gni_year("FY00") == 1998
    with pytest.raises(ValueError, match="not a fiscal year"):
        wb_income.gni_year("2025")


def test_class_list_maps_groups_and_skips_aggregates_and_unclassified(tmp_path):
    path = _write(tmp_path, "CLASS_FY2025.csv", CLASS_HEADER + "\n".join([
        "China,CHN,East Asia & Pacific,Upper middle income,IBRD",
        "Viet Nam,VNM,East Asia & Pacific,Lower middle income,IBRD",
        "Afghanistan,AFG,South Asia,Low income,IDA",
        "Channel Islands,CHI,Europe & Central Asia,High income,",
        "Serbia,SCG,Europe & Central Asia,Upper middle income,IBRD",
        '"Venezuela, RB",VEN,Latin America & Caribbean,,IBRD',
        ",,,,",
        "East Asia & Pacific,EAS,,,",
        "World,WLD,,,"]) + "\n")
    parsed = wb_income.parse(path)
    assert _groups(parsed) == {("CHN", 2023): "UM", ("VNM", 2023): "LM", ("AFG", 2023): "L",
                               ("CT_830", 2023): "H", ("SRB", 2023): "UM"}
    assert parsed.release == "CLASS FY2025"


def test_history_maps_footnoted_groups_and_skips_unclassified(tmp_path):
    path = _write(tmp_path, "oghist.csv", HISTORY_HEADER + "\n".join([
        "CHN,China,FY89,1987,L", "CHN,China,FY12,2010,UM", "YEM,\"Yemen, Rep.\",FY89,1987,LM*",
        "ALB,Albania,FY89,1987,..", "ALB,Albania,FY90,1988,", "YUGf,Yugoslavia (former),FY89,1987,UM",
        "SUN,USSR (former),FY92,1990,UM"]) + "\n")
    assert _groups(wb_income.parse(path)) == {
        ("CHN", 1987): "L", ("CHN", 2010): "UM", ("YEM", 1987): "LM", ("YUG", 1987): "UM",
        ("SUN", 1990): "UM"}


@pytest.mark.parametrize(("row", "message"), [
    ("CHN,China,FY12,2011,UM", r"GNI year disagrees with FY12 \(expected 2010\).*line 2"),
    ("CHN,China,2012,2010,UM", r"not a fiscal year.*column 'fiscal_year'"),
    ("CHN,China,FY12,2010,M", r"unknown income group.*line 2.*'M'"),
    ("CHX,China,FY12,2010,UM", r"unknown country code 'CHX'.*did you mean"),
])
def test_bad_history_rows_are_rejected(tmp_path, row, message):
    path = _write(tmp_path, "oghist.csv", HISTORY_HEADER + row + "\n")
    with pytest.raises(SourceFormatError, match=message):
        wb_income.parse(path)


def test_class_list_needs_its_fiscal_year(tmp_path):
    path = _write(tmp_path, "class.csv", CLASS_HEADER + "China,CHN,East Asia & Pacific,"
                                                        "Upper middle income,IBRD\n")
    with pytest.raises(SourceFormatError, match="cannot tell the fiscal year"):
        wb_income.parse(path)


def test_duplicate_economy_and_wrong_columns_are_rejected(tmp_path):
    row = "China,CHN,East Asia & Pacific,Upper middle income,IBRD\n"
    dup = _write(tmp_path, "CLASS_FY2025.csv", CLASS_HEADER + row + row)
    with pytest.raises(SourceFormatError, match=r"duplicate row \(country='CHN', year=2023\).*line 3"):
        wb_income.parse(dup)
    wrong = _write(tmp_path, "CLASS_FY2024.csv", "Economy,Code,Region,Income group\n")
    with pytest.raises(SourceFormatError, match=r"missing column\(s\) \['Lending category'\]"):
        wb_income.parse(wrong)


def test_workbooks_are_read_like_the_csvs(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "List of economies"
    sheet.append(["Economy", "Code", "Region", "Income group", "Lending category"])
    sheet.append(["China", "CHN", "East Asia & Pacific", "Upper middle income", "IBRD"])
    book.create_sheet("Notes").append(["... divided among income groups according to 2023 "
                                       "gross national income (GNI) per capita ..."])
    book.save(tmp_path / "CLASS.xlsx")
    assert _groups(wb_income.parse(tmp_path / "CLASS.xlsx")) == {("CHN", 2023): "UM"}

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Country Analytical History"
    sheet.append([None, "World Bank Analytical Classifications"])
    sheet.append([None, "Bank's fiscal year:", "FY89", "FY90"])
    sheet.append([None, "Data for calendar year :", 1987, 1988])
    sheet.append([None, "Low income (L)", "<= 480", "<= 545"])
    sheet.append(["CHN", "China", "L", "L"])
    sheet.append(["ALB", "Albania", "..", "LM"])
    book.save(tmp_path / "OGHIST.xlsx")
    assert _groups(wb_income.parse(tmp_path / "OGHIST.xlsx")) == {
        ("CHN", 1987): "L", ("CHN", 1988): "L", ("ALB", 1988): "LM"}
    sheet["C6"] = "X"
    book.save(tmp_path / "OGHIST.xlsx")
    with pytest.raises(SourceFormatError, match=r"unknown income group.*line 6.*'X'"):
        wb_income.parse(tmp_path / "OGHIST.xlsx")


def test_fetch_saves_the_workbook_in_the_cache(tmp_path):
    seen = []
    path = wb_income.fetch("history", cache_dir=tmp_path,
                           transport=lambda url: seen.append(url) or b"PK\x03\x04")
    assert seen == [wb_income.OGHIST_URL] and path == tmp_path / "OGHIST.xlsx"
    with pytest.raises(SourceFormatError, match="unknown edition"):
        wb_income.fetch("latest", cache_dir=tmp_path, transport=lambda url: b"")


# --- the real files in ../shared/data ---------------------------------------------------------


@pytest.mark.shared_data
@pytest.mark.parametrize(("name", "rows"), FILES.items())
def test_each_shared_file_loads_and_reloads_as_a_no_op(tmp_path, name, rows):
    path = shared_data(*FOLDER, name)
    db = tmp_path / "w.duckdb"
    first = ingest_files("wb-income", [path], warehouse=db)[0]
    before = _snapshot(db)
    again = ingest_files("wb-income", [path], warehouse=db)[0]
    assert (first.result.status, first.result.rows) == ("loaded", rows)
    assert (again.result.status, again.result.load_id) == ("unchanged", first.result.load_id)
    assert _snapshot(db) == before


@pytest.mark.shared_data
def test_china_rises_from_low_to_upper_middle_income(tmp_path):
    db = tmp_path / "w.duckdb"
    ingest_files("wb-income", [shared_data(*FOLDER, "oghist_income_group_long_FY89-FY23.csv"),
                               shared_data(*FOLDER, "class_fy2025_list_of_economies.csv")],
                 warehouse=db)
    with open_reader(db) as (con, _):
        path = dict(con.execute("SELECT year, value FROM country_classifications "
                                "WHERE country = 'CHN' ORDER BY year").fetchall())
    assert all(path[y] == "L" for y in range(1987, 1997)) and path[1998] == "L"
    assert path[1997] == "LM" and all(path[y] == "LM" for y in range(1999, 2010))
    assert all(path[y] == "UM" for y in (*range(2010, 2022), 2023))
    assert 2022 not in path  # FY24 is in neither file


@pytest.mark.shared_data
def test_workbooks_and_their_csv_extracts_agree():
    for csv_name, xlsx_name in (("class_fy2025_list_of_economies.csv", "CLASS_FY2025.xlsx"),
                                ("oghist_income_group_long_FY89-FY23.csv",
                                 "OGHIST_FY89-FY23.xlsx")):
        assert _groups(wb_income.parse(shared_data(*FOLDER, csv_name))) == \
            _groups(wb_income.parse(shared_data(*FOLDER, xlsx_name)))


def _copy_with(tmp_path, edit):
    original = shared_data(*FOLDER, "oghist_income_group_long_FY89-FY23.csv")
    lines = original.read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path / "bad" / original.name
    path.parent.mkdir()
    path.write_text("".join(edit(lines)), encoding="utf-8")
    return original, path


def _china_fy12(lines, new):
    return [new if line.startswith("CHN,China,FY12,") else line for line in lines]


@pytest.mark.shared_data
@pytest.mark.parametrize(("edit", "message"), [
    (lambda ls: _china_fy12(ls, "CHN,China,FY12,2010,Upper\n"), "unknown income group"),
    (lambda ls: _china_fy12(ls, "CHX,China,FY12,2010,UM\n"), "unknown country code 'CHX'"),
    (lambda ls: [line.rsplit(",", 1)[0] + "\n" for line in ls], r"missing column\(s\)"),
    (lambda ls: ls + [line for line in ls if line.startswith("CHN,China,FY12,")],
     r"duplicate row \(country='CHN', year=2010\)"),
    (lambda ls: _china_fy12(ls, "CHN,China,FY12,twenty-ten,UM\n"), "GNI year disagrees"),
])
def test_corrupted_copies_are_rejected_and_leave_the_warehouse_unchanged(tmp_path, edit, message):
    original, bad = _copy_with(tmp_path, edit)
    db = tmp_path / "w.duckdb"
    ingest_files("wb-income", [original], warehouse=db)
    before = _snapshot(db)
    with pytest.raises(SourceFormatError, match=message):
        ingest_files("wb-income", [bad], warehouse=db)
    assert _snapshot(db) == before
