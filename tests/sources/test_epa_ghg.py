"""EPA supply-chain GHG factors: both files load, reload as no-ops, PROVENANCE values, bad copies."""

import pytest

from capcoop.errors import SourceFormatError
from capcoop.services.ingest import ingest_files
from capcoop.sources import epa_ghg, get_source
from capcoop.warehouse.connection import open_reader
from shared_data import shared_data

FOLDER = ("reference", "sector-emission-factors")
CO2E, BY_GAS = epa_ghg.FILES["co2e"], epa_ghg.FILES["by-gas"]
HEADER = ('"NAICS Code 2017","NAICS Title 2017","GHG","Unit","Supply Chain Emission Factors '
          'without Margins","Margins of Supply Chain Emission Factors","Supply Chain Emission '
          'Factors with Margins","Reference USEEIO Code"\n')
UNIT = '"kg CO2e/2021 USD, purchaser price"'


def _write(tmp_path, text, name="factors.csv"):
    path = tmp_path / name
    path.write_text(HEADER + text, encoding="utf-8")
    return path


def _values(parsed):
    frame = parsed.batches[0].data
    return {(r.code, r.attribute): r.value for r in frame.itertuples()}


def _snapshot(db):
    with open_reader(db) as (con, _):
        rows = con.execute("SELECT count(*), bit_xor(hash(code, attribute, value, load_id)) "
                           "FROM code_attributes").fetchone()
        loads = con.execute("SELECT load_id, file, rows FROM provenance ORDER BY ALL").fetchall()
    return rows, loads


def test_the_source_is_registered():
    assert get_source("epa_ghg") is epa_ghg
    assert epa_ghg.SOURCE.targets == ("code_attributes",)


def test_all_gases_file_gives_three_attributes_per_code(tmp_path):
    path = _write(tmp_path, f'327310,"Cement Manufacturing","All GHGs",{UNIT},3.701,0.157,3.858,'
                            '"327310"\n')
    parsed = epa_ghg.parse(path)
    assert _values(parsed) == {("327310", "ghg_kg_co2e_per_usd"): 3.858,
                               ("327310", "ghg_kg_co2e_per_usd_no_margins"): 3.701,
                               ("327310", "ghg_kg_co2e_per_usd_margins"): 0.157}
    frame = parsed.batches[0].data
    assert set(frame.classification) == {"NAICS2017"}
    assert set(frame.unit) == {"kg CO2e per 2021 USD"}


def test_by_gas_file_names_each_gas():
    assert epa_ghg.gas_attribute("HFCs and PFCs, unspecified") == \
        "ghg_kg_per_usd_hfcs_and_pfcs_unspecified"
    assert epa_ghg.gas_attribute("Carbon dioxide") == "ghg_kg_per_usd_carbon_dioxide"


@pytest.mark.parametrize(("row", "message"), [
    (f'32731,"Cement","All GHGs",{UNIT},3.701,0.157,3.858,"x"',
     r"not a 6-digit NAICS.*line 2.*'32731'"),
    (f'327310,"Cement","All GHGs",{UNIT},3.701,-0.157,3.544,"x"',
     r"cannot be negative.*line 2.*column 'Margins"),
    (f'327310,"Cement","All GHGs",{UNIT},3.701,0.157,3.958,"x"',
     r"not the sum.*line 2.*'3.958'"),
    (f'327310,"Cement","All GHGs",{UNIT},n/a,0.157,3.858,"x"', r"not a number.*'n/a'"),
    ('327310,"Cement","All GHGs","kg/USD",3.701,0.157,3.858,"x"', r"unexpected unit.*'kg/USD'"),
])
def test_bad_rows_are_rejected_naming_line_column_and_value(tmp_path, row, message):
    with pytest.raises(SourceFormatError, match=message):
        epa_ghg.parse(_write(tmp_path, row + "\n"))


def test_repeated_code_and_wrong_header_are_rejected(tmp_path):
    row = f'327310,"Cement","All GHGs",{UNIT},3.701,0.157,3.858,"x"\n'
    with pytest.raises(SourceFormatError, match=r"duplicate row.*line 3"):
        epa_ghg.parse(_write(tmp_path, row + row))
    bad = tmp_path / "bad.csv"
    bad.write_text("NAICS,Value\n1,2\n", encoding="utf-8")
    with pytest.raises(SourceFormatError, match=r"missing column"):
        epa_ghg.parse(bad)


def test_fetch_downloads_the_named_edition(tmp_path):
    seen = []
    path = epa_ghg.fetch("by-gas", cache_dir=tmp_path, transport=lambda u: seen.append(u) or b"x")
    assert seen == [epa_ghg.URL.format(name=BY_GAS)] and path.name == BY_GAS
    with pytest.raises(SourceFormatError, match="unknown edition"):
        epa_ghg.fetch("ch4", cache_dir=tmp_path, transport=lambda u: b"")


# --- the real files in ../shared/data ---------------------------------------------------------


@pytest.mark.shared_data
@pytest.mark.parametrize(("name", "rows"), [(CO2E, 1016 * 3), (BY_GAS, 16256 * 3)])
def test_each_shared_file_loads_and_reloads_as_a_no_op(tmp_path, name, rows):
    path = shared_data(*FOLDER, name)
    db = tmp_path / "w.duckdb"
    first = ingest_files("epa-ghg", [path], warehouse=db)[0]
    before = _snapshot(db)
    again = ingest_files("epa-ghg", [path], warehouse=db)[0]
    assert (first.result.status, first.result.rows) == ("loaded", rows)
    assert (again.result.status, again.result.load_id) == ("unchanged", first.result.load_id)
    assert _snapshot(db) == before


@pytest.mark.shared_data
def test_values_quoted_in_provenance_and_the_gases_add_up():
    co2e = _values(epa_ghg.parse(shared_data(*FOLDER, CO2E)))
    # PROVENANCE.md: cement 3.858, steel mills 0.979, transformers 0.28, landfill 10.99 (max)
    assert co2e[("327310", "ghg_kg_co2e_per_usd")] == 3.858
    assert co2e[("331110", "ghg_kg_co2e_per_usd")] == 0.979
    assert co2e[("335311", "ghg_kg_co2e_per_usd")] == 0.28
    with_margins = {k[0]: v for k, v in co2e.items() if k[1] == "ghg_kg_co2e_per_usd"}
    assert max(with_margins, key=with_margins.get) == "562212"
    assert not any(code.startswith("2211") for code in with_margins)  # EPA excludes electricity
    gases = _values(epa_ghg.parse(shared_data(*FOLDER, BY_GAS)))
    # CO2 is most of cement's footprint and below the CO2e total
    co2 = gases[("327310", "ghg_kg_per_usd_carbon_dioxide")]
    assert 0.7 * co2e[("327310", "ghg_kg_co2e_per_usd")] < co2 < co2e[("327310",
                                                                        "ghg_kg_co2e_per_usd")]


def _copy_with(tmp_path, edit):
    original = shared_data(*FOLDER, CO2E)
    lines = original.read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path / "bad" / original.name
    path.parent.mkdir()
    path.write_text("".join(edit(lines)), encoding="utf-8")
    return original, path


def _cement(lines, old, new):
    return [line.replace(old, new) if line.startswith("327310,") else line for line in lines]


@pytest.mark.shared_data
@pytest.mark.parametrize(("edit", "message"), [
    (lambda ls: _cement(ls, ",3.858,", ",38.58,"), r"not the sum.*line \d+.*'38.58'"),
    (lambda ls: _cement(ls, "327310,", "32731X,"), r"not a 6-digit.*column 'NAICS Code 2017'"),
    (lambda ls: _cement(ls, "All GHGs", "Methane"), r"not 'All GHGs'|unexpected unit"),
    (lambda ls: ls + [line for line in ls if line.startswith("327310,")],
     r"duplicate row \(code='327310'"),
    (lambda ls: [ls[0].replace('"Reference USEEIO Code"', '"USEEIO"'), *ls[1:]],
     r"missing column\(s\) \['Reference USEEIO Code'\]"),
])
def test_corrupted_copies_are_rejected_and_leave_the_warehouse_unchanged(tmp_path, edit, message):
    original, bad = _copy_with(tmp_path, edit)
    db = tmp_path / "w.duckdb"
    ingest_files("epa-ghg", [original], warehouse=db)
    before = _snapshot(db)
    with pytest.raises(SourceFormatError, match=message):
        ingest_files("epa-ghg", [bad], warehouse=db)
    assert _snapshot(db) == before
