"""Tests for capcoop.codes.sectors: the cooperation-sector taxonomy over HS codes."""

from __future__ import annotations

import doctest
import functools
import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import capcoop.codes.sectors as sectors_module
from capcoop.codes.products import hs_table
from capcoop.codes.sectors import (
    CooperationSector,
    cooperation_sector,
    cooperation_sector_table,
    cooperation_sectors,
    hs_codes_of_sector,
    sector_of_hs,
)
from capcoop.errors import InputError, UnknownProductError

REPO = Path(__file__).resolve().parents[2]
REQUIRED = ("steel", "cement_building", "rail_transport", "power_grid", "mining", "machinery",
            "electronics_ict", "energy_env", "renewables", "medical")
CHECKED_REVISIONS = ("HS92", "HS17", "HS22")


def _six_digit(revision: str) -> list[str]:
    table = hs_table(revision)
    return table.code[table.level == 6].tolist()


def _sectors_of(code: str) -> set[str]:
    return set(sector_of_hs([code]).sector)


def test_docstring_examples_run():
    failures, _ = doctest.testmod(sectors_module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert failures == 0


def test_required_sectors_exist_with_names_and_tags():
    sectors = {s.code: s for s in cooperation_sectors()}
    assert set(REQUIRED) <= set(sectors)
    for sector in sectors.values():
        assert isinstance(sector, CooperationSector)
        assert sector.name_en and sector.name_zh and sector.tags and sector.ranges
    assert sectors["medical"].tags == ("health",)
    assert "green" in sectors["renewables"].tags and "digital" in sectors["electronics_ict"].tags


@pytest.mark.parametrize(("code", "expected"), [
    ("300220", {"medical"}),              # HS17 vaccines for human medicine
    ("300241", {"medical"}),              # HS22 vaccines for human medicine
    ("401511", {"medical"}),              # surgical gloves
    ("2523", {"cement_building"}),
    ("252329", {"cement_building"}),      # Portland cement
    ("854140", {"renewables"}),           # HS17 PV cells (and LEDs)
    ("854142", {"renewables"}),           # HS22 PV cells not assembled
    ("854143", {"renewables"}),           # HS22 PV modules
    ("854141", {"energy_env"}),           # HS22 LEDs
    ("850231", {"power_grid", "renewables"}),  # wind generating sets: declared overlap
    ("841011", {"power_grid", "renewables"}),  # hydraulic turbines: declared overlap
    ("7208", {"steel"}),
    ("72", {"steel"}),
    ("730820", {"steel"}),                # towers and lattice masts
    ("8601", {"rail_transport"}),
    ("870421", {"rail_transport"}),       # goods vehicles
    ("890110", {"rail_transport"}),       # cruise ships
    ("260300", {"mining"}),               # copper ores
    ("270112", {"mining"}),               # bituminous coal
    ("252010", {"mining"}),               # natural gypsum
    ("252020", {"cement_building"}),      # plasters
    ("842139", {"energy_env"}),           # gas filtering and purifying machinery
    ("841861", {"energy_env"}),           # heat pumps
    ("842211", {"machinery"}),
    ("847130", {"electronics_ict"}),      # laptops
    ("851712", {"electronics_ict"}),      # mobile phones
    ("854470", {"electronics_ict"}),      # optical-fibre cables
    ("854460", {"power_grid"}),           # power cables above 1000 V
    ("850760", {"renewables"}),           # lithium-ion batteries
])
def test_known_memberships(code, expected):
    assert _sectors_of(code) == expected


@pytest.mark.parametrize("code", [
    "270900",  # crude petroleum: deliberately not mining (see the rationale)
    "271111",  # LNG
    "870323",  # passenger cars
    "0101",    # live horses
    "8541",    # heading only partly in sectors: not wholly inside any
    "85",
])
def test_codes_outside_the_taxonomy_get_no_row(code):
    assert sector_of_hs([code]).empty


def test_sector_of_hs_output_shape_and_order():
    result = sector_of_hs(["0101", "850231", "300220", "850231"])
    assert list(result.columns) == ["hs", "sector"]
    assert result.values.tolist() == [["850231", "power_grid"], ["850231", "renewables"],
                                      ["300220", "medical"]]


@pytest.mark.parametrize("bad", [101, "101", "85.41", None, "12345678"])
def test_sector_of_hs_rejects_malformed_codes(bad):
    with pytest.raises(InputError):
        sector_of_hs([bad])


def test_every_sector_has_codes_and_rationale():
    for sector in cooperation_sectors():
        assert hs_codes_of_sector(sector.code, "HS17") or hs_codes_of_sector(sector.code, "HS22")
        assert len(sector.rationale.splitlines()) == len(sector.ranges)
    table = cooperation_sector_table()
    assert (table.rationale.str.len() > 40).all()


def test_every_range_matches_codes_of_its_revision():
    for row in cooperation_sector_table().itertuples():
        sector = CooperationSector("x", "x", "x", (), ((row.hs_from, row.hs_to),), "x")
        assert any(sector.contains(c) for c in _six_digit(row.hs_revision)), row


def test_chapter_84_is_covered_by_machinery_and_the_sectors_that_take_from_it():
    for revision in CHECKED_REVISIONS:
        codes = [c for c in _six_digit(revision) if c.startswith("84")]
        assert set(sector_of_hs(codes).hs) == set(codes), revision


def test_overlaps_are_declared_in_the_rationale():
    table = cooperation_sector_table()
    sectors = cooperation_sectors()
    for revision in CHECKED_REVISIONS:
        matches = sector_of_hs(_six_digit(revision))
        for code, group in matches.groupby("hs"):
            for a, b in itertools.combinations(sorted(group.sector), 2):
                rows = table[table.sector.isin([a, b])]
                rows = [r for r in rows.itertuples()
                        if _row_contains(r, code, sectors)]
                declared = [r for r in rows
                            if f"`{b if r.sector == a else a}`" in r.rationale
                            and "overlap" in r.rationale.lower()]
                assert declared, f"{revision} {code} is in {a} and {b} without a declaration"


def _row_contains(row, code, sectors) -> bool:
    probe = CooperationSector("x", "x", "x", (), ((row.hs_from, row.hs_to),), "x")
    return probe.contains(code)


def test_sector_levels_use_containment():
    assert hs_codes_of_sector("renewables", "HS17", level=4) == ["8410"]
    assert hs_codes_of_sector("steel", "HS17", level=2) == ["72", "73"]
    assert hs_codes_of_sector("renewables", "HS22") == [
        "841011", "841012", "841013", "841090", "841912", "850171", "850172", "850180", "850231",
        "850760", "854142", "854143"]


def test_hs_codes_of_sector_rejects_bad_level():
    with pytest.raises(InputError, match="level"):
        hs_codes_of_sector("steel", level=3)


@pytest.mark.parametrize("key", ["steel", "STEEL", " Iron and steel ", "钢铁"])
def test_lookup_by_code_or_name(key):
    assert cooperation_sector(key).code == "steel"


@pytest.mark.parametrize(("key", "suggestion"), [("stel", "steel"), ("renewable", "renewables"),
                                                  ("medicine", "medical")])
def test_unknown_sector_suggests(key, suggestion):
    with pytest.raises(UnknownProductError) as caught:
        cooperation_sector(key)
    assert suggestion in caught.value.suggestions
    assert isinstance(caught.value, ValueError) and repr(key) in str(caught.value)


def test_taxonomy_file_is_consistent():
    table = cooperation_sector_table()
    for column in ("sector_name_en", "sector_name_zh", "tags"):
        assert (table.groupby("sector")[column].nunique() == 1).all()
    assert table.hs_revision.isin(["HS92", "HS96", "HS02", "HS07", "HS12", "HS17", "HS22"]).all()


def test_docs_render_every_taxonomy_row():
    docs = (REPO / "docs" / "products.md").read_text(encoding="utf-8")
    for row in cooperation_sector_table().itertuples():
        span = row.hs_from if row.hs_from == row.hs_to else f"{row.hs_from}–{row.hs_to}"
        assert f"| `{row.sector}` | {span} | {row.hs_revision} | {row.rationale} |" in docs, row


@settings(max_examples=60, deadline=None)
@given(st.sampled_from([c for c in _six_digit("HS22") if c[:2] in ("30", "72", "84", "85")]))
def test_membership_agrees_with_listing(code):
    listed = {s.code for s in cooperation_sectors() if code in _listing(s.code, "HS22")}
    assert listed == _sectors_of(code)


@functools.cache
def _listing(sector: str, revision: str) -> frozenset[str]:
    return frozenset(hs_codes_of_sector(sector, revision))


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(hs_table("HS17").code.tolist()))
def test_vectorised_lookup_agrees_with_contains(code):
    assert _sectors_of(code) == {s.code for s in cooperation_sectors() if s.contains(code)}


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(hs_table("HS17").code[hs_table("HS17").level == 4].tolist()))
def test_a_heading_in_a_sector_has_all_its_subheadings_there(heading):
    children = [c for c in _six_digit("HS17") if c.startswith(heading)]
    for sector in _sectors_of(heading):
        assert all(sector in _sectors_of(c) for c in children)
