"""`capcoop codes ...`: lookups by any code or name, bloc members with dates, HS products, sectors."""

import json

from capcoop.cli.main import run


def _json(capsys, argv):
    assert run(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_countries_search_viet(capsys):
    rows = _json(capsys, ["codes", "countries", "--search", "viet", "--format", "json"])
    assert rows[0]["iso3"] == "VNM" and rows[0]["m49"] == "704" and rows[0]["name_zh"] == "越南"


def test_country_by_baci_code(capsys):
    (row,) = _json(capsys, ["codes", "countries", "699", "--format", "json"])
    assert row["iso3"] == "IND"


def test_blocs_asean_members_with_dates(capsys):
    rows = _json(capsys, ["codes", "blocs", "ASEAN", "--format", "json"])
    by_code = {r["iso3"]: r for r in rows}
    assert len(rows) == 11
    assert by_code["VNM"]["joined"] == "1995-07-28" and by_code["VNM"]["left"] is None
    assert by_code["TLS"]["joined"] == "2025-10-26"


def test_eu_members_for_a_period(capsys):
    members_2019 = _json(capsys, ["codes", "blocs", "EU", "--year", "2019", "--format", "json"])
    members_2020 = _json(capsys, ["codes", "blocs", "EU", "--year", "2020", "--format", "json"])
    assert (len(members_2019), len(members_2020)) == (28, 27)
    (gbr,) = [r for r in members_2019 if r["iso3"] == "GBR"]
    assert gbr["left"] == "2020-01-31"


def test_product_and_sector(capsys):
    (vaccines,) = _json(capsys, ["codes", "products", "300220", "--format", "json"])
    assert "accine" in vaccines["description"] and vaccines["section"] == "VI"
    sectors = {r["sector"] for r in _json(capsys, ["codes", "sectors", "--format", "json"])}
    assert {"steel", "cement_building", "medical", "renewables"} <= sectors
    codes = {r["hs"] for r in _json(capsys, ["codes", "sectors", "medical", "--format", "json"])}
    assert "300220" in codes


def test_unknown_codes_are_one_line_errors(capsys):
    assert run(["codes", "countries", "VNN"]) == 2
    assert "did you mean 'VNM'" in capsys.readouterr().err
    assert run(["codes", "blocs", "ASEN"]) == 2
    assert "ASEAN" in capsys.readouterr().err
