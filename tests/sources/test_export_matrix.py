"""Export matrices: Atlas HS92, OTS HS07, WTO groups and the generic layout; PROVENANCE values."""

import gzip

import pytest

from capcoop.errors import InputError, SourceFormatError
from capcoop.services.ingest import ingest_files
from capcoop.sources import export_matrix
from capcoop.warehouse.connection import open_reader
from shared_data import shared_data

ATLAS_HEADER = ("country_code,country_name,hs92_code,product_name,export_value_usd,"
                "country_label,product_label")
OTS_HEADER = "reporter_iso,product_code,export_value_usd"
GENERIC_HEADER = "classification,year,country,product,export_usd"
WTO_HEADER = ",".join(f'"{c}"' for c in export_matrix._WTO_COLUMNS)
ATLAS = ("trade3", "atlas_hs92_hs4_2016_scca", "atlas_exports_2016_country_hs4.csv")
OTS = ("trade3", "ots_hs4_2017_economiccomplexity", "world_trade_2017_country_hs4.csv")
WTO = ("trade2", "wto_manufactures_exports_mitsuoxv", "WtoData_20200510015454.csv.gz")


def _write(tmp_path, name, header, rows):
    path = tmp_path / name
    text = header + "\n" + "\n".join(rows) + "\n"
    if name.endswith(".gz"):
        path.write_bytes(gzip.compress(text.encode("cp1252")))
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _wto_row(code, iso3, name, product, year, value, unit="USM", partner="000"):
    cells = ["Merchandise trade values", "ITS_MTV_AX",
             "Merchandise exports by product group and destination \u2013 annual", code, iso3, name,
             partner, "", "World", "SITC3", "Merchandise - SITC Revision 3 (aggregates)", product,
             export_matrix.WTO_GROUPS.get(product, "?"), "A", "Annual", "A", "Annual", unit,
             "Million US dollar", str(year), "", "", "", value]
    return ",".join(f'"{c}"' for c in cells)


def _exports(parsed):
    frame = parsed.batches[0].data
    return {(r.classification, r.year, r.country, r.product): r.export_usd
            for r in frame.itertuples()}


def _snapshot(db):
    with open_reader(db) as (con, _):
        rows = con.execute("SELECT count(*), bit_xor(hash(classification, year, country, product, "
                           "export_usd, load_id)) FROM country_product_exports").fetchone()
        loads = con.execute("SELECT load_id, file, rows FROM provenance ORDER BY ALL").fetchall()
    return rows, loads


# --- synthetic files: no shared data needed -------------------------------------------------


def test_atlas_layout_takes_the_year_from_the_file_name(tmp_path):
    path = _write(tmp_path, "atlas_exports_2016_country_hs4.csv", ATLAS_HEADER, [
        "CHN,China,8525,Transmission apparatus,148436600000,045,1000",
        "VNM,Vietnam,0106,Other live animals,188,230,0707",
        'VNM,Vietnam,5209+5211,"Woven fabrics of cotton",1000,230,0800'])
    parsed = export_matrix.parse(path)
    assert _exports(parsed) == {("HS92", 2016, "CHN", "8525"): 148436600000.0,
                                ("HS92", 2016, "VNM", "0106"): 188.0,
                                ("HS92", 2016, "VNM", "5209+5211"): 1000.0}
    assert parsed.parameters == {"layout": "Atlas HS92"}


def test_ots_layout_reads_lower_case_iso3_and_skips_blanks(tmp_path):
    path = _write(tmp_path, "world_trade_2017_country_hs4.csv", OTS_HEADER,
                  ["chn,8517,331420300000", "afg,0101,", "vnm,0102,387017"])
    assert _exports(export_matrix.parse(path)) == {("HS07", 2017, "CHN", "8517"): 331420300000.0,
                                                   ("HS07", 2017, "VNM", "0102"): 387017.0}


def test_wto_layout_converts_millions_and_resolves_economy_codes(tmp_path):
    path = _write(tmp_path, "wto.csv.gz", WTO_HEADER, [
        _wto_row("156", "CHN", "China", "MA", 2018, "2318152.580766"),
        _wto_row("158", "CHT", "Chinese Taipei", "MAMTOTIC", 2018, "100.5"),
        _wto_row("892", "SRB", "Serbia", "MACL", 2018, "1"),
        _wto_row("201", "", "Czech and Slovak Federal Republic", "MA", 1990, "2"),
        _wto_row("280", "", "Germany, Federal Republic of", "MA", 1990, "3"),
        _wto_row("000", "", "World", "MA", 2018, "14000000")])
    assert _exports(export_matrix.parse(path)) == {
        ("WTO_MANUF", 2018, "CHN", "MA"): pytest.approx(2318152.580766e6),
        ("WTO_MANUF", 2018, "TWN", "MAMTOTIC"): 100.5e6,
        ("WTO_MANUF", 2018, "SRB", "MACL"): 1e6,
        ("WTO_MANUF", 1990, "CSK", "MA"): 2e6,
        ("WTO_MANUF", 2018, "WLD", "MA"): 14e12}


@pytest.mark.parametrize(("row", "message"), [
    (_wto_row("156", "CHN", "China", "MA", 2018, "5", unit="USD"),
     r"expected 'USM' \(million US dollars\).*line 2.*column 'Unit Code'.*'USD'"),
    (_wto_row("156", "CHN", "China", "MA", 2018, "5", partner="842"),
     r"expected '000' \(exports to the World\)"),
    (_wto_row("156", "CHN", "China", "AG", 2018, "5"), r"not a WTO_MANUF product code.*'AG'"),
    (_wto_row("999", "", "Atlantis", "MA", 2018, "5"), r"unknown country code '999'"),
])
def test_wto_rows_of_other_units_flows_or_groups_are_rejected(tmp_path, row, message):
    path = _write(tmp_path, "wto.csv", WTO_HEADER, [row])
    with pytest.raises(SourceFormatError, match=message):
        export_matrix.parse(path)


def test_generic_layout_needs_a_known_classification(tmp_path):
    path = _write(tmp_path, "mine.csv", GENERIC_HEADER,
                  ["HS17,2022,Viet Nam,851712,4.1e10", "hs92,2016,CHN,85,1", "WTO_MANUF,2018,THA,MA,2"])
    assert _exports(export_matrix.parse(path)) == {("HS17", 2022, "VNM", "851712"): 4.1e10,
                                                   ("HS92", 2016, "CHN", "85"): 1.0,
                                                   ("WTO_MANUF", 2018, "THA", "MA"): 2.0}
    bad = _write(tmp_path, "bad.csv", GENERIC_HEADER, ["SITC4,2022,VNM,0011,1"])
    with pytest.raises(SourceFormatError, match=r"unknown classification.*'SITC4'"):
        export_matrix.parse(bad)


@pytest.mark.parametrize(("rows", "message"), [
    (["CHN,101,5"], r"not a HS07 product code.*leading zeros.*line 2.*'101'"),
    (["CHX,0101,5"], r"unknown country code 'CHX'.*did you mean"),
    (["chn,0101,-5"], r"negative value.*line 2.*'-5'"),
    (["chn,0101,five"], r"not a number.*'five'"),
    (["chn,0101,5", "vnm,0101,6", "chn,0101,7"],
     r"duplicate row \(classification='HS07', year=2017, country='CHN', product='0101'\) "
     r"repeats line 2.*line 4"),
])
def test_bad_ots_rows_are_rejected(tmp_path, rows, message):
    path = _write(tmp_path, "world_trade_2017_country_hs4.csv", OTS_HEADER, rows)
    with pytest.raises(SourceFormatError, match=message):
        export_matrix.parse(path)


def test_year_must_be_in_the_name_when_the_layout_has_none(tmp_path):
    path = _write(tmp_path, "world_trade_country_hs4.csv", OTS_HEADER, ["chn,0101,5"])
    with pytest.raises(SourceFormatError, match="cannot tell the year"):
        export_matrix.parse(path)


def test_unknown_header_names_the_closest_layout(tmp_path):
    path = _write(tmp_path, "x_2017.csv", "reporter_iso,product_code,export_value", ["chn,0101,5"])
    with pytest.raises(SourceFormatError, match=r"missing column\(s\) \['export_value_usd'\].*"
                                                r"unexpected column\(s\) \['export_value'\].*"
                                                r"Open Trade Statistics"):
        export_matrix.parse(path)


def test_fetch_downloads_the_wto_export(tmp_path):
    body = (WTO_HEADER + "\n" + _wto_row("156", "CHN", "China", "MA", 2018, "5") + "\n").encode()
    path = export_matrix.fetch(cache_dir=tmp_path, transport=lambda url: body)
    assert _exports(export_matrix.parse(path)) == {("WTO_MANUF", 2018, "CHN", "MA"): 5e6}
    with pytest.raises(InputError, match="unknown dataset 'atlas'"):
        export_matrix.fetch("atlas", cache_dir=tmp_path, transport=lambda url: b"")


# --- the real files in ../shared/data ---------------------------------------------------------


def _total(db, classification, country, product=None):
    sql = ("SELECT sum(export_usd), count(*) FROM country_product_exports WHERE classification = ? "
           "AND country = ?" + (" AND product = ?" if product else ""))
    with open_reader(db) as (con, _):
        return con.execute(sql, [classification, country] + ([product] if product else [])).fetchone()


@pytest.mark.shared_data
@pytest.mark.parametrize(("parts", "rows"), [(ATLAS, 162910), (OTS, 176971), (WTO, 12967)])
def test_each_shared_file_loads_and_reloads_as_a_no_op(tmp_path, parts, rows):
    path = shared_data(*parts)
    db = tmp_path / "w.duckdb"
    first = ingest_files("export-matrix", [path], warehouse=db)[0]
    before = _snapshot(db)
    again = ingest_files("export-matrix", [path], warehouse=db)[0]
    # WTO: 12,980 rows minus 13 of FR Germany (280) and Ethiopia incl. Eritrea (230), 1990
    assert (first.result.status, first.result.rows) == ("loaded", rows)
    assert (again.result.status, again.result.load_id) == ("unchanged", first.result.load_id)
    assert _snapshot(db) == before


@pytest.mark.shared_data
@pytest.mark.slow
def test_known_values_from_provenance(tmp_path):
    db = tmp_path / "w.duckdb"
    ingest_files("export-matrix", [shared_data(*ATLAS), shared_data(*OTS), shared_data(*WTO)],
                 warehouse=db)
    chn_atlas, lines = _total(db, "HS92", "CHN")
    assert chn_atlas == pytest.approx(2314.9e9, abs=0.05e9) and lines == 1231
    assert _total(db, "HS92", "CHN", "8525")[0] == pytest.approx(148.4e9, abs=0.05e9)
    assert _total(db, "HS92", "VNM", "8525")[0] == pytest.approx(33.7e9, abs=0.05e9)
    assert _total(db, "HS92", "VNM", "8517")[0] == pytest.approx(9.7e9, abs=0.05e9)
    chn_ots, lines = _total(db, "HS07", "CHN")
    assert chn_ots == pytest.approx(2948.3e9, abs=0.05e9) and lines == 1222
    assert _total(db, "HS07", "CHN", "8517")[0] == pytest.approx(331e9, abs=0.5e9)
    assert _total(db, "WTO_MANUF", "CHN", "MA")[0] == pytest.approx(
        (44312.311 + 125007.141852 + 219858.752695 + 700341.557987 + 1476531.567443
         + 2143717.816277 + 2318152.580766) * 1e6)
    with open_reader(db) as (con, _):
        world = con.execute("SELECT sum(export_usd) FROM country_product_exports "
                            "WHERE classification = 'HS92'").fetchone()[0]
    assert world == pytest.approx(16.17e12, abs=0.005e12)


def _copy_with(tmp_path, edit):
    original = shared_data(*ATLAS)
    lines = original.read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path / "bad" / original.name
    path.parent.mkdir()
    path.write_text("".join(edit(lines)), encoding="utf-8")
    return original, path


def _china_8525(lines, change):
    return [change(line) if line.startswith("CHN,China,8525,") else line for line in lines]


@pytest.mark.shared_data
@pytest.mark.slow
@pytest.mark.parametrize(("edit", "message"), [
    (lambda ls: _china_8525(ls, lambda line: line.replace(",1484", ",-1484", 1)), "negative value"),
    (lambda ls: _china_8525(ls, lambda line: line.replace("CHN,", "CHX,", 1)),
     "unknown country code 'CHX'"),
    (lambda ls: [line.split(",", 1)[1] for line in ls], r"missing column\(s\) \['country_code'\]"),
    (lambda ls: ls + [line for line in ls if line.startswith("CHN,China,8525,")],
     r"duplicate row \(classification='HS92', year=2016, country='CHN', product='8525'\)"),
    (lambda ls: _china_8525(ls, lambda line: line.replace(",1484", ",US$1484", 1)), "not a number"),
    (lambda ls: _china_8525(ls, lambda line: line.replace(",8525,", ",852,", 1)),
     "not a HS92 product code"),
])
def test_corrupted_copies_are_rejected_and_leave_the_warehouse_unchanged(tmp_path, edit, message):
    original, bad = _copy_with(tmp_path, edit)
    db = tmp_path / "w.duckdb"
    ingest_files("export-matrix", [original], warehouse=db)
    before = _snapshot(db)
    with pytest.raises(SourceFormatError, match=message):
        ingest_files("export-matrix", [bad], warehouse=db)
    assert _snapshot(db) == before
