"""Tests for capcoop.codes.countries: codes resolve both ways, with known answers from the sources."""

from __future__ import annotations

import doctest
import importlib.util
import sys
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import capcoop.codes.countries as countries_module
from capcoop.codes.countries import (
    Country,
    countries_table,
    country,
    from_baci,
    is_iso3,
    normalize_key,
    search_countries,
)
from capcoop.errors import CapcoopError, InputError, UnknownCountryError
from shared_data import shared_data

REPO = Path(__file__).resolve().parents[2]
SHIPPED_CSV = REPO / "src" / "capcoop" / "codes" / "data" / "countries.csv"


# --- known answers ------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["VNM", "vnm", " VN ", "704", 704, "Viet Nam", "viet nam",
                                  "Vietnam", "越南", "越南社会主义共和国",
                                  "Socialist Republic of Viet Nam"])
def test_viet_nam_resolves_from_every_code_and_name(text):
    assert country(text).iso3 == "VNM"


def test_viet_nam_carries_every_code_and_name():
    vnm = country("VNM")
    assert (vnm.iso2, vnm.m49, vnm.baci) == ("VN", "704", 704)
    assert (vnm.name_en, vnm.name_zh) == ("Viet Nam", "越南")
    assert (vnm.dots_name, vnm.comtrade_name) == ("Vietnam", "Viet Nam")
    assert (vnm.region, vnm.subregion, vnm.kind) == ("Asia", "South-eastern Asia", "country")
    assert vnm.label("zh") == "越南" and vnm.label("en") == "Viet Nam"


@pytest.mark.parametrize(("code", "iso3"), [
    (699, "IND"), (842, "USA"), (251, "FRA"), (757, "CHE"), (579, "NOR"), (490, "TWN"),
    ("699", "IND"), (156, "CHN"), (704, "VNM"), (360, "IDN"),
    (381, "ITA"),  # Italy's code in BACI V202001/V202201, 380 since V202301
    (280, "DEU"),  # former Federal Republic of Germany, continued by Germany
    (58, "BLX"),   # Belgium-Luxembourg, a historical entity of its own
])
def test_from_baci_known_codes(code, iso3):
    assert from_baci(code).iso3 == iso3


@pytest.mark.parametrize(("number", "iso3"), [
    (704, "VNM"),   # M49
    (699, "IND"),   # not an M49 code, so BACI
    (356, "IND"),   # India's M49 code
    (250, "FRA"),   # M49
    (251, "FRA"),   # BACI (France incl. Monaco)
    (842, "USA"),   # BACI
    (840, "USA"),   # M49
    (490, "TWN"),   # BACI "Other Asia, nes"
    (158, "TWN"),   # M49 Taiwan
    (4, "AFG"), ("004", "AFG"), (1, "WLD"),
    (492, "MCO"),   # M49 Monaco wins over Comtrade's 492 "Europe EU, nes"
    (412, "XKX"),   # Comtrade's code for Kosovo
    (899, "CT_899"),  # Comtrade "Areas, nes"
])
def test_numbers_are_m49_first_then_baci_then_comtrade(number, iso3):
    assert country(number).iso3 == iso3


@pytest.mark.parametrize(("name", "iso3"), [
    ("China, P.R.: Mainland", "CHN"), ("China, P.R.: Hong Kong", "HKG"),
    ("Taiwan Province of China", "TWN"), ("Kosovo, Rep. of", "XKX"), ("Korea, Rep. of", "KOR"),
    ("Lao People's Dem. Rep.", "LAO"), ("Other Asia, nes", "TWN"), ("S19", "TWN"),
    ("Rep. of Korea", "KOR"), ("Côte d'Ivoire", "CIV"), ("cote d’ivoire", "CIV"),
    ("中国", "CHN"), ("老挝", "LAO"), ("柬埔寨", "KHM"), ("World", "WLD"), ("W00", "WLD"),
    ("USSR", "SUN"), ("European Union", "AGG_EU"), ("agg_eu", "AGG_EU"), ("_X", "CT_899"),
])
def test_dots_comtrade_and_chinese_names(name, iso3):
    assert country(name).iso3 == iso3


def test_namibia_na_is_a_code_not_missing():
    namibia = country("NA")
    assert namibia.iso3 == "NAM" and namibia.iso2 == "NA"
    assert countries_table().set_index("iso3").loc["NAM", "iso2"] == "NA"


def test_asean_members_are_south_eastern_asia_with_un_flags():
    for iso3 in ("BRN", "KHM", "IDN", "LAO", "MYS", "MMR", "PHL", "SGP", "THA", "VNM", "TLS"):
        assert country(iso3).subregion == "South-eastern Asia"
    assert country("KHM").ldc and country("MMR").ldc and country("TLS").ldc
    assert country("LAO").ldc and country("LAO").lldc
    assert country("SGP").sids and not country("THA").ldc


def test_kinds_of_special_entries():
    assert country("WLD").kind == "aggregate" and country("WLD").m49 == "001"
    assert country("WLD").name_zh == "世界"
    assert country("AGG_EU").kind == "aggregate"
    for code in ("SUN", "YUG", "CSK", "DDR", "BLX", "ANT", "SCG", "YAR", "YMD"):
        assert country(code).kind == "historical"
    assert country("HIST_SACCA").kind == "historical"
    assert from_baci(711).iso3 == "HIST_SACCA"  # So. African Customs Union


def test_is_iso3_counts_countries_only():
    assert is_iso3("VNM") and is_iso3("vnm") and is_iso3("TWN") and is_iso3("XKX")
    assert not is_iso3("WLD") and not is_iso3("SUN") and not is_iso3("AGG_EU")
    assert not is_iso3("VNN") and not is_iso3("") and not is_iso3(704)


# --- errors -------------------------------------------------------------------------------


def test_unknown_code_suggests_the_close_one():
    with pytest.raises(UnknownCountryError) as caught:
        country("VNN")
    err = caught.value
    assert isinstance(err, ValueError) and isinstance(err, CapcoopError)
    assert err.suggestions[0] == "VNM"
    assert str(err).startswith("unknown country 'VNN'; did you mean 'VNM' (Viet Nam)?")
    assert "capcoop codes countries --search VNN" in str(err)


@pytest.mark.parametrize(("text", "suggestion"), [("Vietnm", "VNM"), ("Chnia", "CHN"),
                                                  ("Thiland", "THA"), ("CNH", "CHN")])
def test_misspelt_names_get_suggestions(text, suggestion):
    with pytest.raises(UnknownCountryError) as caught:
        country(text)
    assert suggestion in caught.value.suggestions


@pytest.mark.parametrize("bad", ["", "   ", "9999", 9999, -4, "ZZZ", None, 704.0, True])
def test_unresolvable_input_raises_unknown_country(bad):
    with pytest.raises(UnknownCountryError):
        country(bad)


def test_from_baci_rejects_m49_code_with_a_hint():
    with pytest.raises(UnknownCountryError, match="356 is the M49 code of India.*699"):
        from_baci(356)
    with pytest.raises(UnknownCountryError, match="unknown BACI country code 'abc'"):
        from_baci("abc")


# --- search -------------------------------------------------------------------------------


def test_search_finds_viet_nam_first():
    assert search_countries("viet")[0].iso3 == "VNM"
    assert "VNM" in [c.iso3 for c in search_countries("越")]


def test_search_ranks_exact_prefix_and_fuzzy():
    assert [c.iso3 for c in search_countries("korea", limit=2)] == ["KOR", "PRK"]
    assert search_countries("thiland")[0].iso3 == "THA"
    assert search_countries("704")[0].iso3 == "VNM"
    assert len(search_countries("a", limit=5)) == 5


@pytest.mark.parametrize(("text", "limit"), [("", 10), ("viet", 0), ("viet", -1)])
def test_search_rejects_empty_text_or_bad_limit(text, limit):
    with pytest.raises(InputError):
        search_countries(text, limit=limit)


# --- the table ----------------------------------------------------------------------------


def test_table_is_cached_and_keyed_by_unique_codes():
    table = countries_table()
    assert table is countries_table()
    assert table["iso3"].is_unique
    assert set(table["kind"]) == {"country", "aggregate", "historical"}
    assert {"TWN", "XKX", "WLD", "SUN", "AGG_EU"} <= set(table["iso3"])
    assert table["m49"].str.fullmatch(r"(\d{3})?").all()
    iso2 = table.loc[table["iso2"] != "", "iso2"]
    assert iso2.is_unique and iso2.str.fullmatch(r"[A-Z]{2}").all()


def test_every_row_resolves_back_from_each_of_its_codes_and_names():
    for row in countries_table().to_dict("records"):
        keys = [row["iso3"], row["iso2"], row["m49"], row["name_en"], row["name_zh"],
                row["dots_name"], row["comtrade_name"], *filter(None, row["aliases"].split("|"))]
        for key in filter(None, keys):
            assert country(key).iso3 == row["iso3"], key
        if pd.notna(row["baci"]):
            assert from_baci(int(row["baci"])).iso3 == row["iso3"]


rows = st.sampled_from(countries_table().to_dict("records"))


@settings(max_examples=200)
@given(rows, st.sampled_from(["iso3", "iso2", "m49", "name_en", "name_zh", "dots_name"]),
       st.sampled_from([str.lower, str.upper, lambda s: f"  {s} "]))
def test_any_key_in_any_case_resolves_to_its_row(row, field, transform):
    key = row[field]
    if key:
        assert country(transform(key)).iso3 == row["iso3"]


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.text(max_size=12), st.integers(min_value=-10, max_value=100_000)))
def test_country_either_resolves_or_raises_unknown_country(text):
    try:
        found = country(text)
    except UnknownCountryError as err:
        assert "unknown country" in str(err) or "must be given" in str(err)
    else:
        assert isinstance(found, Country)


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=1, max_size=8).filter(normalize_key), st.integers(min_value=1, max_value=20))
def test_search_returns_at_most_limit_countries(text, limit):
    found = search_countries(text, limit=limit)
    assert len(found) <= limit and all(isinstance(c, Country) for c in found)


def test_docstring_examples():
    assert doctest.testmod(countries_module).failed == 0


# --- the shipped CSV is the builder's output -----------------------------------------------


def _builder():
    path = REPO / "scripts" / "build_codes_countries.py"
    spec = importlib.util.spec_from_file_location("build_codes_countries", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


@pytest.mark.shared_data
def test_shipped_csv_is_reproduced_by_the_builder():
    root = shared_data("reference", "country-codes").parents[1]
    assert _builder().build_csv(root) == SHIPPED_CSV.read_text(encoding="utf-8")


def test_shipped_csv_keeps_codes_as_text():
    text = SHIPPED_CSV.read_text(encoding="utf-8")
    assert "\nAFG,AF,004,4," in text and "\nNAM,NA,516," in text
    assert not text.startswith("\ufeff") and "\r" not in text
