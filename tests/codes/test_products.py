"""Tests for capcoop.codes.products: HS nomenclature, concordances, BEC end use, ISIC.

Known answers come from the sources named in docs/products.md: the UN Comtrade/datahub HS lists,
the UNSD HS correlation tables, the UNSD HS -> BEC Rev.4 tables and the WITS HS -> ISIC tables.
"""

from __future__ import annotations

import doctest
import gzip
import importlib.util
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import capcoop.codes.products as products_module
from capcoop.codes.products import (
    HS_REVISIONS,
    HSProduct,
    bec_categories,
    convert_hs,
    hs_product,
    hs_table,
    hs_to_bec,
    hs_to_isic,
    normalize_hs,
    search_products,
)
from capcoop.errors import CapcoopError, InputError, UnknownProductError
from shared_data import shared_data

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "src" / "capcoop" / "codes" / "data"
BUILDER = REPO / "scripts" / "build_codes_products.py"


def _six_digit(revision: str) -> list[str]:
    table = hs_table(revision)
    return table.code[table.level == 6].tolist()


def test_docstring_examples_run():
    failures, _ = doctest.testmod(products_module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert failures == 0


# ----------------------------------------------------------------------------- nomenclature

@pytest.mark.parametrize(("code", "revision", "text"), [
    ("300220", "HS17", "Vaccines; for human medicine"),
    ("300241", "HS22", "Vaccines, toxins, cultures of micro-organisms (excluding yeasts) and "
                       "similar products; for human medicine"),
    ("300220", "HS92", "Vaccines: for human medicine"),  # CEPII BACI HS92 product list
    ("72", "HS17", "Iron and steel"),
    ("854143", "HS22", "Electrical apparatus; photosensitive semiconductor devices, photovoltaic "
                       "cells assembled in modules or made up into panels"),
])
def test_known_descriptions(code, revision, text):
    assert hs_product(code, revision).description == text


def test_flat_rolled_heading_7208():
    product = hs_product("7208")
    assert product.description.startswith("Iron or non-alloy steel; flat-rolled products")
    assert (product.level, product.section) == (4, "XV")


@pytest.mark.parametrize(("code", "section", "name"), [
    ("72", "XV", "Base metals and articles of base metal"),
    ("720851", "XV", "Base metals and articles of base metal"),
    ("2523", "V", "Mineral products"),
    ("300220", "VI", "Products of the chemical or allied industries"),
    ("0101", "I", "Live animals; animal products"),
    ("8704", "XVII", "Vehicles, aircraft, vessels and associated transport equipment"),
])
def test_sections_follow_the_chapter(code, section, name):
    product = hs_product(code)
    assert (product.section, product.section_name) == (section, name)


def test_not_specified_pseudo_code_has_no_section():
    product = hs_product("999999", "HS92")
    assert product.description == "Commodities not specified according to kind"
    assert (product.section, product.section_name) == (None, None)


@pytest.mark.parametrize(("revision", "chapters", "headings", "subheadings"), [
    # counts of the source lists (datahub/Comtrade) including chapter 99 "not specified"
    ("HS22", 97, 1229, 5613), ("HS17", 97, 1223, 5388), ("HS92", 97, 1242, 5021),
])
def test_code_counts_match_the_sources(revision, chapters, headings, subheadings):
    counts = hs_table(revision).level.value_counts()
    assert (counts[2], counts[4], counts[6]) == (chapters, headings, subheadings)


@pytest.mark.parametrize("revision", HS_REVISIONS)
def test_tables_keep_leading_zeros_and_parents(revision):
    table = hs_table(revision)
    assert list(table.columns) == ["code", "level", "parent", "description", "section",
                                   "section_name"]
    assert table.code.str.fullmatch(r"\d{2}|\d{4}|\d{6}").all()
    assert (table.code.str.len() == table.level).all()
    assert "01" in set(table.code) and table.code.is_unique
    below = table[table.level > 2]
    assert (below.parent == below.code.str[:-2]).all()
    assert below.parent.isin(set(table.code)).all()
    assert table.description.notna().all()


def test_hs92_subheadings_match_the_concordance():
    assert "010111" in set(_six_digit("HS92")) and "010121" not in set(_six_digit("HS92"))
    assert "854142" in set(_six_digit("HS22")) and "854142" not in set(_six_digit("HS17"))


def test_revision_aliases():
    assert hs_table("HS2017").equals(hs_table("HS17"))
    assert hs_product("300241", "2022").revision == "HS22"
    assert hs_product("300220", "H0").revision == "HS92"


def test_unknown_revision_names_the_value():
    with pytest.raises(InputError, match="'HS18'"):
        hs_table("HS18")


def test_hs_table_is_a_copy():
    table = hs_table("HS17")
    table.loc[0, "description"] = "changed"
    assert hs_table("HS17").loc[0, "description"] == "Animals; live"


@pytest.mark.parametrize(("code", "suggestion"), [
    ("101", "0101"),          # lost its leading zero
    ("8541.40", "854140"),    # dotted form
    ("854142", "854140"),     # an HS22 code asked for in HS17: its HS17 source
    ("720899", "720810"),     # no such subheading: codes of the same heading
])
def test_unknown_codes_raise_with_suggestions(code, suggestion):
    with pytest.raises(UnknownProductError) as caught:
        hs_product(code, "HS17")
    assert suggestion in caught.value.suggestions
    assert repr(code) in str(caught.value)
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, CapcoopError)


def test_other_revision_is_named_in_the_hint():
    with pytest.raises(UnknownProductError, match="code of HS22"):
        hs_product("300241", "HS17")


@pytest.mark.parametrize("bad", ["abc", "", 101, None, "12345678"])
def test_garbage_codes_raise_unknown_product(bad):
    with pytest.raises(UnknownProductError):
        hs_product(bad)


# ----------------------------------------------------------------------------- search

def test_search_finds_vaccines():
    found = search_products("vaccines for human medicine")
    assert found.code.iloc[0] == "300220"
    assert "300241" in set(search_products("vaccine", "HS22").code)


def test_search_by_code_prefix_lists_the_heading_and_children():
    found = search_products("85.41")
    assert found.code.iloc[0] == "8541" and found.code.str.startswith("8541").all()


def test_search_respects_limit_and_matches_every_word():
    assert search_products("portland cement", limit=3).code.tolist() == ["2523", "252321",
                                                                          "252329"]
    found = search_products("medicine human")
    assert found.code.tolist() == ["300220", "300670"]  # both words, in any order


def test_search_ranks_phrase_matches_first():
    # 252310 "Cement clinker" holds the phrase; heading 2523 has both words apart
    assert search_products("cement clinker").code.tolist()[:2] == ["252310", "2523"]


@pytest.mark.parametrize(("text", "limit"), [("", 5), ("   ", 5), ("steel", 0), ("steel", True)])
def test_search_rejects_bad_arguments(text, limit):
    with pytest.raises(InputError):
        search_products(text, limit=limit)


# ----------------------------------------------------------------------------- normalize_hs

@pytest.mark.parametrize(("value", "digits", "expected"), [
    ("0101", None, "0101"), ("101", None, "0101"), (101, None, "0101"), (10111, None, "010111"),
    ("8541.40", None, "854140"), (" 72 ", None, "72"), (1, 4, "0001"), ("101", 6, "000101"),
    (854140, 6, "854140"), (1, None, "01"),
])
def test_normalize_hs_known_answers(value, digits, expected):
    assert normalize_hs(value, digits) == expected


@pytest.mark.parametrize(("value", "digits"), [
    ("abc", None), ("", None), (-101, None), (1.5, None), (True, None), ("12345678", None),
    ("854140", 4), ("0101", 3), (None, None), ("85-41", None),
])
def test_normalize_hs_rejects_garbage(value, digits):
    with pytest.raises(InputError):
        normalize_hs(value, digits)


@given(st.integers(min_value=0, max_value=999_999))
def test_normalize_hs_is_idempotent(number):
    once = normalize_hs(number)
    assert normalize_hs(once) == once
    assert len(once) in (2, 4, 6) and int(once) == number


@settings(max_examples=50, deadline=None)
@given(st.sampled_from(_six_digit("HS17")))
def test_normalize_restores_codes_stored_as_integers(code):
    assert normalize_hs(int(code), digits=6) == code
    assert normalize_hs(int(code)) == code


# ----------------------------------------------------------------------------- concordances

def test_renumbered_vaccines_convert_one_to_one():
    # UNSD HS2022 -> HS2017 table: 300241 <- 300220 (1:1)
    assert convert_hs(["300220"], "HS17", "HS22").values.tolist() == [["300220", "300241", 1.0]]
    assert convert_hs(["300241"], "HS22", "HS17").values.tolist() == [["300241", "300220", 1.0]]
    assert convert_hs(["300241"], "HS22", "HS92").values.tolist() == [["300241", "300220", 1.0]]


def test_plain_split_uses_equal_weights():
    # UNSD: HS2017 300290 split into HS2022 300249, 300251, 300259 and 300290
    result = convert_hs("300290", "HS17", "HS22")
    assert result.to_code.tolist() == ["300249", "300251", "300259", "300290"]
    assert result.weight.tolist() == pytest.approx([0.25] * 4)


def test_solar_split_keeps_weight_on_its_own_successors():
    # HS2022 split 854140 into LEDs 854141, PV cells 854142/854143 and other 854149; the UNSD
    # table also links it to the e-waste heading 8549, which draws on ~1,000 HS17 codes
    result = convert_hs(["854140"], "HS17", "HS22").set_index("to_code").weight
    main = result[["854141", "854142", "854143", "854149"]]
    assert main.sum() > 0.99 and main.max() - main.min() < 1e-12
    assert result.drop(main.index).index.str.startswith("8549").all()


def test_merge_round_trip_returns_to_the_source():
    # HS2017 300211-300219 were all carved out of HS2012 300210 (UNSD HS2017 -> HS2012, n:1)
    forward = convert_hs(["300210"], "HS12", "HS17")
    assert set(forward.to_code) == {"300211", "300212", "300213", "300214", "300215", "300219"}
    back = convert_hs(forward.to_code.tolist(), "HS17", "HS12")
    assert set(back.to_code) == {"300210"} and (back.weight == 1.0).all()
    assert convert_hs(["854142", "854143"], "HS22", "HS17").to_code.tolist() == ["854140"] * 2


def test_patched_link_for_binapacryl():
    assert convert_hs(["291636"], "HS07", "HS12").values.tolist() == [["291636", "291616", 1.0]]


def test_code_without_link_keeps_its_weight_on_a_missing_target():
    result = convert_hs(["300219"], "HS17", "HS22")
    assert len(result) == 1 and result.to_code.isna().all() and result.weight.iloc[0] == 1.0


def test_same_revision_is_the_identity():
    codes = ["720851", "010121"]
    result = convert_hs(codes, "HS17", "HS17")
    assert result.values.tolist() == [[c, c, 1.0] for c in codes]


def test_output_follows_input_order_without_duplicates():
    result = convert_hs(["854140", "300220", "854140"], "HS17", "HS22")
    assert list(dict.fromkeys(result.from_code)) == ["854140", "300220"]


def test_convert_rejects_headings_and_unknown_codes():
    with pytest.raises(InputError, match="6-digit"):
        convert_hs(["8541"], "HS17", "HS22")
    with pytest.raises(UnknownProductError) as caught:
        convert_hs(["854142"], "HS17", "HS22")
    assert "854140" in caught.value.suggestions


@settings(max_examples=40, deadline=None)
@given(source=st.sampled_from(HS_REVISIONS), target=st.sampled_from(HS_REVISIONS),
       data=st.data())
def test_weights_per_code_sum_to_one(source, target, data):
    codes = data.draw(st.lists(st.sampled_from(_six_digit(source)), min_size=1, max_size=8))
    result = convert_hs(codes, source, target)
    sums = result.groupby("from_code").weight.sum()
    assert set(sums.index) == set(codes)
    assert sums.to_numpy() == pytest.approx([1.0] * len(sums))
    assert (result.weight > 0).all()
    assert result.to_code.dropna().isin(set(_six_digit(target))).all()


# ----------------------------------------------------------------------------- BEC end use

@pytest.mark.parametrize(("code", "bec", "end_use"), [
    ("870421", "521", "capital"),        # goods vehicles: transport equipment, industrial
    ("870490", "521", "capital"),
    ("847130", "41", "capital"),         # portable computers
    ("270900", "31", "intermediate"),    # crude petroleum: fuels, primary
    ("720851", "22", "intermediate"),    # flat-rolled steel: industrial supplies, processed
    ("854140", "42", "intermediate"),    # PV cells: parts of capital goods
    ("870321", "51", None),              # passenger cars: not allocated by the UN rule
    ("271012", "32", None),              # light oils incl. motor spirit (321 and 322 mixed)
])
def test_bec_end_use_known_codes(code, bec, end_use):
    row = hs_to_bec([code]).iloc[0]
    assert (row.bec, row.end_use, row.weight) == (bec, end_use, 1.0)


def test_all_goods_vehicles_are_capital_goods():
    codes = [c for c in _six_digit("HS17") if c.startswith("8704")]
    assert set(hs_to_bec(codes).end_use) == {"capital"}


def test_code_in_two_bec_classes_is_split():
    # UNSD HS2017 -> BEC: 010130 (live asses) is both 111 and 41
    result = hs_to_bec(["010130"])
    assert sorted(result.bec) == ["111", "41"] and result.weight.sum() == pytest.approx(1.0)


def test_monetary_gold_has_no_bec():
    row = hs_to_bec(["710820"]).iloc[0]
    assert pd.isna(row.bec) and row.end_use is None


@pytest.mark.parametrize("revision", ["HS92", "HS02", "HS22"])
def test_bec_for_every_revision(revision):
    assert hs_to_bec(["870421", "270900"], revision).end_use.tolist() == ["capital",
                                                                          "intermediate"]


def test_bec_end_use_rule():
    rule = bec_categories().set_index("bec").end_use
    assert {b for b, u in rule.items() if u == "capital"} == {"41", "521"}
    assert {b for b, u in rule.items() if u == "consumption"} == {"112", "122", "522", "61",
                                                                  "62", "63"}
    assert {b for b, u in rule.items() if u == "intermediate"} == {
        "111", "121", "21", "22", "31", "322", "42", "53"}
    assert rule[["51", "321", "7"]].isna().all()


# ----------------------------------------------------------------------------- ISIC

@pytest.mark.parametrize(("code", "revision", "isic", "title"), [
    ("252329", "HS17", "2694", "Manufacture of cement, lime and plaster"),
    ("720851", "HS17", "2710", "Manufacture of basic iron and steel"),
    ("300220", "HS92", "2423", "Manufacture of pharmaceuticals, medicinal chemicals and "
                               "botanical products"),
    ("300241", "HS22", "2423", "Manufacture of pharmaceuticals, medicinal chemicals and "
                               "botanical products"),
])
def test_isic3_known_codes(code, revision, isic, title):
    row = hs_to_isic([code], revision).iloc[0]
    assert (row.isic, row.isic_title, row.weight) == (isic, title, 1.0)


def test_isic4_splits_over_linked_classes():
    cement = hs_to_isic(["252329"], isic="ISIC4")
    assert cement.values.tolist() == [["252329", "2394", "Manufacture of cement, lime and "
                                       "plaster", 1.0]]
    steel = hs_to_isic(["720851"], isic="isic4")
    assert set(steel.isic) == {"2410", "2431"} and steel.weight.sum() == pytest.approx(1.0)


@pytest.mark.parametrize("revision", HS_REVISIONS)
def test_every_subheading_has_an_isic_class(revision):
    codes = [c for c in _six_digit(revision) if c != "999999"]
    result = hs_to_isic(codes, revision)
    assert result.isic.notna().all()
    assert result.groupby("code").weight.sum().to_numpy() == pytest.approx([1.0] * len(codes))


def test_unknown_isic_revision():
    with pytest.raises(InputError, match="'ISIC5'"):
        hs_to_isic(["252329"], isic="ISIC5")


# ----------------------------------------------------------------------------- package data

def test_package_data_is_small():
    files = [p for p in DATA.iterdir() if p.name.startswith(("hs_", "bec_", "isic"))]
    assert sum(p.stat().st_size for p in files) < 3_000_000


def test_hsproduct_is_frozen():
    product = hs_product("2523")
    assert isinstance(product, HSProduct)
    with pytest.raises(AttributeError):
        product.code = "2524"  # type: ignore[misc]


def _load_builder():
    spec = importlib.util.spec_from_file_location("build_codes_products", BUILDER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@pytest.mark.shared_data
def test_builder_reproduces_the_shipped_tables():
    root = shared_data("reference", "hs-nomenclature").parents[1]
    builder = _load_builder()
    tables = builder.build_tables(builder.read_sources(root))
    for name, frame in tables.items():
        shipped = (DATA / name).read_bytes()
        if name.endswith(".gz"):
            shipped = gzip.decompress(shipped)
        built = frame.to_csv(index=False, lineterminator="\n").encode("utf-8")
        assert built == shipped, f"{name} differs from a rebuild; run {BUILDER.name}"


def test_builder_cleans_comtrade_texts():
    clean = _load_builder()._clean_text
    assert clean("010111 - Horses :-- Pure-bred breeding animals") == \
        "Horses: Pure-bred breeding animals"
    assert clean("291611 - --  Acrylic acid and its salts") == "Acrylic acid and its salts"
    assert re.fullmatch(r"[^\s].*[^\s]", clean("  01 - Live animals  "))
