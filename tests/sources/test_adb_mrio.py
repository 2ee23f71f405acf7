"""ADB MRIO sector accounts: layouts, price bases on the key, ADB codes, identities, rejected copies."""

import pandas as pd
import pytest

from capcoop.errors import SourceFormatError
from capcoop.services.ingest import ingest_files
from capcoop.sources import adb_mrio
from capcoop.warehouse.connection import open_reader
from shared_data import shared_data

FOLDER = ("io", "adb_mrio_summary_ksreyes")
SUMMARY_HEADER = ("t,s,adb_code,iso_a3,i,i5,i15,x,zuse,va,zsales,y,dom_sales,dom_sales_interm,"
                  "dom_sales_final,exports,exports_interm,exports_final")
GVC_HEADER = ("t,s,adb_code,iso_a3,agg,i,Exports,va,GVC_trade_f,GVC_trade_b,GVC_trade,GVC_prod,"
              "GVCP_trade_f,GVCP_trade_b,GVCP_trade,GVCP_prod")
FILES = {"summary_62econ_current_2000_2022.csv": 405790,  # (63 - ROW) x 35 x 17 years x 11
         "summary_62econ_const2010_2007_2022.csv": 381920,  # 62 x 35 x 16 x 11
         "summary_72econ_2017_2022.csv": 166320,  # 72 x 35 x 6 x 11
         "gvc_participation_72econ_2017_2022.csv": 209662}


def _summary_row(year, s, adb, iso, sector, x=100.0, va=40.0, y=30.0, dom=70.0, dom_i=50.0):
    _, _, _, i15, i5 = adb_mrio.SECTORS[sector - 1]
    zuse, zsales, dom_f = x - va, x - y, dom - dom_i
    values = (x, zuse, va, zsales, y, dom, dom_i, dom_f, x - dom, zsales - dom_i, y - dom_f)
    return ",".join([str(year), str(s), adb, iso, str(sector), str(i5), str(i15)] +
                    [f"{v:.6f}" for v in values])


def _write(tmp_path, name, header, rows):
    path = tmp_path / name
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _accounts(parsed):
    frame = parsed.batches[0].data
    return {(r.country, r.sector, r.year, r.indicator): (r.value, r.unit)
            for r in frame.itertuples()}


def _snapshot(db):
    with open_reader(db) as (con, _):
        rows = con.execute("SELECT count(*), bit_xor(hash(country, sector, year, indicator, value, "
                           "unit, load_id)) FROM sector_accounts").fetchone()
        loads = con.execute("SELECT load_id, file, rows FROM provenance ORDER BY ALL").fetchall()
    return rows, loads


# --- synthetic files: no shared data needed -------------------------------------------------


def test_summary_rows_use_iso3_adb_sector_codes_and_skip_rest_of_world(tmp_path):
    path = _write(tmp_path, "summary.csv", SUMMARY_HEADER, [
        _summary_row(2022, 8, "PRC", "CHN", 14, x=3628954.0, va=595475.9),
        _summary_row(2022, 48, "VIE", "VNM", 1), _summary_row(2022, 73, "ROW", "ROW", 1)])
    accounts = _accounts(adb_mrio.parse(path))
    assert len(accounts) == 2 * 11
    assert accounts[("CHN", "c14", 2022, "output")] == (3628954.0, "USD million current")
    assert accounts[("CHN", "c14", 2022, "value_added")][0] == pytest.approx(595475.9)
    assert accounts[("VNM", "c1", 2022, "exports")] == (30.0, "USD million current")  # x - dom
    assert not any(key[0] == "ROW" for key in accounts)


def test_constant_prices_carry_their_base_year_in_indicator_and_unit(tmp_path):
    path = _write(tmp_path, "summary_62econ_const2010_2007_2022.csv", SUMMARY_HEADER,
                  [_summary_row(2022, 8, "PRC", "CHN", 14)])
    parsed = adb_mrio.parse(path)
    accounts = _accounts(parsed)
    assert accounts[("CHN", "c14", 2022, "output_const2010")] == (100.0,
                                                                  "USD million constant 2010")
    assert all(key[3].endswith("_const2010") for key in accounts)
    assert parsed.parameters["price_basis"] == "constant 2010"


def test_gvc_levels_become_total_and_group_sectors(tmp_path):
    row = "2022,8,PRC,CHN,{agg},{i},3912442.0,17963170.0,721132.3,685411.9,1406544.2,1576897.0,"
    path = _write(tmp_path, "gvcp.csv", GVC_HEADER, [
        row.format(agg=0, i=0) + "0.18,0.17,0.35,0.08",
        row.format(agg=5, i=3) + "0.1,0.2,0.3,0.4",
        row.format(agg=15, i=4) + ",,,0.4",
        row.format(agg=35, i=14) + "0.16,0.2,0.36,0.1"])
    accounts = _accounts(adb_mrio.parse(path))
    assert accounts[("CHN", "TOTAL", 2022, "exports")] == (3912442.0, "USD million current")
    assert accounts[("CHN", "c5_3", 2022, "gvc_trade")] == (1406544.2, "USD million current")
    assert accounts[("CHN", "c15_4", 2022, "gvc_participation_production")] == (0.4, "share")
    assert ("CHN", "c15_4", 2022, "gvc_participation_trade") not in accounts  # blank share
    assert ("CHN", "c14", 2022, "exports") not in accounts  # repeats the summary file
    assert accounts[("CHN", "c14", 2022, "gvc_participation_trade")] == (0.36, "share")


def test_upstream_layout_reads_e_as_domestic_sales(tmp_path):
    frame = pd.DataFrame({"t": [2022, 2022], "s": [8, 63], "i": [14, 14], "i5": [3, 3],
                          "i15": [4, 4], "x": [100.0, 5.0], "zuse": [60.0, 3.0], "va": [40.0, 2.0],
                          "zsales": [70.0, 4.0], "y": [30.0, 1.0], "e": [80.0, 5.0],
                          "ez": [60.0, 4.0], "ey": [20.0, 1.0]})
    frame.to_parquet(tmp_path / "summary_62econ_current.parquet")
    accounts = _accounts(adb_mrio.parse(tmp_path / "summary_62econ_current.parquet"))
    assert accounts[("CHN", "c14", 2022, "domestic_sales")][0] == 80.0
    assert accounts[("CHN", "c14", 2022, "exports")][0] == 20.0
    assert accounts[("CHN", "c14", 2022, "exports_final")][0] == 10.0
    assert {key[0] for key in accounts} == {"CHN"}  # s = 63 is ROW of the 62-economy table


def test_fetch_names_the_file_after_its_price_basis(tmp_path):
    seen = []
    path = adb_mrio.fetch("summary62-const.parquet", cache_dir=tmp_path,
                          transport=lambda url: seen.append(url) or b"PAR1")
    assert path.name == "summary_62econ_const2010.parquet"
    assert seen == ["https://raw.githubusercontent.com/ksreyes/mrio-processing/"
                    "fc12ede6aa7c12104101da76d94d69c291373f18/data/summary62-const.parquet"]


def test_sector_names_cover_every_code_written():
    names = adb_mrio.sector_names().set_index("sector")["name"]
    assert names["c14"] == "Electrical and optical equipment"
    assert names["c15_4"] == "Heavy manufacturing" and names["TOTAL"] == "All sectors"
    assert len(names) == 35 + 15 + 5 + 1


@pytest.mark.parametrize(("row", "message"), [
    (_summary_row(2022, 8, "PRC", "CHE", 14), r"ADB code 'PRC' is 'CHN', not 'CHE'.*line 2"),
    (_summary_row(2022, 8, "CHX", "CHX", 14), r"unknown country code 'CHX'.*did you mean"),
    (_summary_row(2022, 8, "PRC", "CHN", 14, x=-100.0, va=-40.0, y=-30.0, dom=-70.0, dom_i=-50.0),
     r"negative value.*line 2.*column 'x'"),
    (_summary_row(2022, 8, "PRC", "CHN", 14).replace(",4,", ",5,", 1),
     r"sector c14 belongs to group 4 of i15"),
    (_summary_row(2022, 8, "PRC", "CHN", 36 - 1).replace(",35,", ",36,", 1),
     r"not a sector code.*'36'"),
    (_summary_row(2022, 8, "PRC", "CHN", 14).replace("40.000000", "41.000000", 1),
     r"accounting identity x = zuse \+ va"),
    (_summary_row(2022, 8, "PRC", "CHN", 14).replace("100.000000", "1e2x", 1), "not a number"),
])
def test_bad_summary_rows_are_rejected(tmp_path, row, message):
    path = _write(tmp_path, "summary.csv", SUMMARY_HEADER, [row])
    with pytest.raises(SourceFormatError, match=message):
        adb_mrio.parse(path)


def test_repeated_rows_and_unknown_layouts_are_rejected(tmp_path):
    row = _summary_row(2022, 8, "PRC", "CHN", 14)
    with pytest.raises(SourceFormatError, match=r"duplicate row.*'CHN'.*repeats line 2.*line 3"):
        adb_mrio.parse(_write(tmp_path, "summary.csv", SUMMARY_HEADER, [row, row]))
    sectors = _write(tmp_path, "sectors_35.csv", "c_ind,c_name,c_name_short,c_abv", [])
    with pytest.raises(SourceFormatError, match="missing column"):
        adb_mrio.parse(sectors)


# --- the real files in ../shared/data ---------------------------------------------------------


@pytest.mark.shared_data
@pytest.mark.parametrize(("name", "rows"), FILES.items())
def test_each_shared_file_loads_and_reloads_as_a_no_op(tmp_path, name, rows):
    path = shared_data(*FOLDER, name)
    db = tmp_path / "w.duckdb"
    first = ingest_files("adb-mrio", [path], warehouse=db)[0]
    before = _snapshot(db)
    again = ingest_files("adb-mrio", [path], warehouse=db)[0]
    assert (first.result.status, first.result.rows) == ("loaded", rows)
    assert (again.result.status, again.result.load_id) == ("unchanged", first.result.load_id)
    assert _snapshot(db) == before


def _value(db, country, sector, year, indicator):
    with open_reader(db) as (con, _):
        rows = con.execute("SELECT value FROM sector_accounts WHERE country = ? AND sector = ? "
                           "AND year = ? AND indicator = ?",
                           [country, sector, year, indicator]).fetchall()
    assert len(rows) == 1
    return rows[0][0]


@pytest.mark.shared_data
@pytest.mark.slow
def test_price_bases_and_editions_share_one_warehouse(tmp_path):
    db = tmp_path / "w.duckdb"
    reports = ingest_files("adb-mrio", [shared_data(*FOLDER, name) for name in FILES], warehouse=db)
    # the 72-economy table supersedes the 62-economy one for the 62 economies in 2017-2022
    assert reports[2].result.replaced_rows == 62 * 35 * 6 * 11
    # values straight from the CSVs (PRC = CHN, i = 14 electrical and optical equipment)
    assert _value(db, "CHN", "c14", 2022, "output") == 3628953.535098
    assert _value(db, "CHN", "c14", 2022, "output_const2010") == 3139961.920432
    # PROVENANCE: PRC 2022 exports = 3,912 bn US$, VIE 2022 = 383 bn US$
    assert _value(db, "CHN", "TOTAL", 2022, "exports") == 3912442.375173
    assert _value(db, "VNM", "TOTAL", 2022, "exports") == 382654.250767
    with open_reader(db) as (con, _):
        total = con.execute("SELECT sum(value) FROM sector_accounts WHERE country = 'CHN' AND "
                            "year = 2022 AND indicator = 'exports' AND sector LIKE 'c%' "
                            "AND sector NOT LIKE 'c%\\_%' ESCAPE '\\'").fetchone()[0]
        economies = con.execute("SELECT count(DISTINCT country) FROM sector_accounts").fetchone()
    assert total == pytest.approx(3912442, rel=1e-6)  # sector exports add up to the GVC total
    assert economies == (72,)


def _copy_with(tmp_path, edit):
    original = shared_data(*FOLDER, "summary_72econ_2017_2022.csv")
    lines = original.read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path / "bad" / original.name
    path.parent.mkdir()
    path.write_text("".join(edit(lines)), encoding="utf-8")
    return original, path


def _china_c14_2022(lines, change):
    return [change(line) if line.startswith("2022,8,PRC,CHN,14,") else line for line in lines]


@pytest.mark.shared_data
@pytest.mark.parametrize(("edit", "message"), [
    (lambda ls: _china_c14_2022(ls, lambda line: line.replace(",3628953.", ",-3628953.", 1)),
     "negative value"),
    (lambda ls: _china_c14_2022(ls, lambda line: line.replace("PRC,CHN", "PRX,CHX")),
     "unknown country code 'CHX'"),
    (lambda ls: [line.rsplit(",", 1)[0] + "\n" for line in ls], r"missing column\(s\)"),
    (lambda ls: ls + _china_c14_2022([line for line in ls if line.startswith("2022,8,PRC,CHN,14,")],
                                     lambda line: line), r"duplicate row"),
    (lambda ls: _china_c14_2022(ls, lambda line: line.replace(",3628953.", ",3.628953e+6x", 1)),
     "not a number"),
])
def test_corrupted_copies_are_rejected_and_leave_the_warehouse_unchanged(tmp_path, edit, message):
    original, bad = _copy_with(tmp_path, edit)
    db = tmp_path / "w.duckdb"
    ingest_files("adb-mrio", [original], warehouse=db)
    before = _snapshot(db)
    with pytest.raises(SourceFormatError, match=message):
        ingest_files("adb-mrio", [bad], warehouse=db)
    assert _snapshot(db) == before
