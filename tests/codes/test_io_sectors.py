"""The 35 ADB MRIO / WIOD sectors: names agree with both sources, NAICS partition, mapping rules."""

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from capcoop.codes.io_sectors import INFRA_DRIVERS, TAGS, io_sector, io_sector_of_naics, io_sectors
from capcoop.codes.products import hs_table, hs_to_isic
from capcoop.codes.sectors import cooperation_sectors, hs_codes_of_sector, sector_of_hs
from capcoop.errors import UnknownCodeError
from capcoop.sources.adb_mrio import SECTORS
from shared_data import shared_data

CONCORDANCE = ("reference", "concordance", "converted_from_rdata")


def _words(text):
    text = text.lower().replace("not elsewhere classified", "nec").replace("&", "and")
    return set(text.replace(",", " ").replace(";", " ").split()) - {"and", "of", "the", "except"}


def test_table_lists_c1_to_c35_with_adb_names():
    table = io_sectors()
    assert list(table.code) == [f"c{n}" for n in range(1, 36)]
    assert list(table.name_en) == [name for _, name, *_ in SECTORS]
    assert table.name_zh.str.len().gt(0).all()
    assert table.isic_rev3.str.len().gt(0).all() and table.naics.str.len().gt(0).all()


@pytest.mark.shared_data
def test_wiod_2013_uses_the_same_35_sectors():
    wiod = pd.read_csv(shared_data("io2", "wiod2013_bquast", "wiod2013_sectors_c1_c35.csv"))
    adb = io_sectors()
    assert list(wiod.code) == list(adb.code)
    for ours, theirs in zip(adb.name_en, wiod.wiod_2013_sector_name, strict=True):
        shared = _words(ours) & _words(theirs)
        assert len(shared) >= min(2, len(_words(theirs))), (ours, theirs)


def test_isic_rev3_divisions_cover_each_division_once():
    divisions = [d for text in io_sectors().isic_rev3 for d in text.split(";")]
    assert len(divisions) == len(set(divisions))
    # ISIC Rev.3 has 60 divisions; WIOD drops 99 (extra-territorial organisations)
    assert len(divisions) == 59 and "99" not in divisions


@pytest.mark.shared_data
def test_naics_prefixes_partition_every_naics_2017_industry():
    titles = pd.read_csv(shared_data(*CONCORDANCE, "naics2017_desc.csv"), dtype=str)
    industries = [c for c in titles.code if len(c) == 6 and c.isdigit() and c != "999999"]
    owners = io_sector_of_naics(industries)  # 999999 is "Unclassified", no industry
    assert owners.notna().all(), [c for c, o in zip(industries, owners, strict=True) if o is None]
    table = io_sectors()
    prefixes = [(p, code) for code, text in zip(table.code, table.naics, strict=True)
                for p in text.split(";")]
    for code in industries:
        assert sum(code.startswith(p) for p, _ in prefixes) == 1, code


@pytest.mark.shared_data
def test_naics_sectors_agree_with_the_census_naics_isic_concordance():
    """NAICS 2017 -> ISIC Rev.4 (Census) -> ISIC Rev.3 (UNSD) lands in the same sector mostly."""
    to4 = pd.read_csv(shared_data(*CONCORDANCE, "naics2017_isic4.csv"), dtype=str)
    to3 = pd.read_csv(shared_data(*CONCORDANCE, "isic4_isic3.csv"), dtype=str)
    col4 = [c for c in to3.columns if "4" in c and c.endswith("4d")][0]
    col3 = [c for c in to3.columns if "3" in c and c.endswith("4d")][0]
    division = {d: code for code, text in zip(io_sectors().code, io_sectors().isic_rev3,
                                              strict=True) for d in text.split(";")}
    links = to4.merge(to3, left_on="ISIC4_4d", right_on=col4)
    links["via_isic"] = links[col3].str[:2].map(division)
    links["ours"] = io_sector_of_naics(links.NAICS2017_6d).to_numpy()
    per_code = links.groupby("NAICS2017_6d").apply(
        lambda g: bool((g.ours == g.via_isic).any()), include_groups=False)
    assert per_code.mean() > 0.9, per_code.mean()


def test_cooperation_sector_is_the_largest_share_of_the_sectors_hs_codes():
    """Rule: the cooperation sector holding the most (>= 20%) of the sector's HS17 codes."""
    division = {d: code for code, text in zip(io_sectors().code, io_sectors().isic_rev3,
                                              strict=True) for d in text.split(";")}
    table = hs_table("HS17")
    codes = table[table.code.str.len() == 6].code.tolist()
    isic = hs_to_isic(codes, "HS17", "ISIC3")
    isic["io"] = isic.isic.str[:2].map(division)
    joined = isic.merge(sector_of_hs(codes).rename(columns={"hs": "code"}), on="code", how="left")
    total = isic.groupby("io").weight.sum()
    share = joined.groupby(["io", "sector"]).weight.sum().unstack(fill_value=0).div(total, axis=0)
    expected = {io: row.idxmax() for io, row in share.iterrows() if row.max() >= 0.2}
    shipped = {r.code: r.cooperation_sector for r in io_sectors().itertuples()
               if r.cooperation_sector}
    assert shipped == expected


def test_goods_tags_follow_where_the_tagged_sectors_hs_codes_land():
    """A goods sector carries a theme when >= 20% of that theme's HS codes map to it."""
    division = {d: code for code, text in zip(io_sectors().code, io_sectors().isic_rev3,
                                              strict=True) for d in text.split(";")}
    theme = {"energy_env": ("energy_conservation", "environmental_protection"),
             "renewables": ("renewable_energy",), "electronics_ict": ("ict_digital",),
             "medical": ("medical",), "power_grid": ("infrastructure",),
             "steel": ("infrastructure",), "cement_building": ("infrastructure",),
             "rail_transport": ("infrastructure",)}
    expected: dict[str, set[str]] = {}
    for sector in cooperation_sectors():
        if sector.code not in theme:
            continue
        isic = hs_to_isic(hs_codes_of_sector(sector.code), "HS17", "ISIC3")
        shares = isic.groupby(isic.isic.str[:2].map(division)).weight.sum() / isic.weight.sum()
        for io in shares[shares >= 0.2].index:
            expected.setdefault(io, set()).update(theme[sector.code])
    goods = {f"c{n}" for n in range(1, 17)}
    shipped = {r.code: set(r.tags.split(";")) for r in io_sectors().itertuples()
               if r.tags and r.code in goods}
    assert shipped == expected


def test_every_tag_and_driver_is_known():
    for record in (io_sector(n) for n in range(1, 36)):
        assert set(record.tags) <= set(TAGS)
        assert record.infra_driver in (None, *INFRA_DRIVERS)
    drivers = io_sectors().set_index("code").infra_driver
    assert drivers["c17"] == "power" and drivers["c15"] == "transport"
    assert drivers["c18"] == drivers["c11"] == drivers["c12"] == "construction"


def test_lookup_by_code_number_and_name():
    assert io_sector("c14").name_en == "Electrical and optical equipment"
    assert io_sector("C14") == io_sector(14) == io_sector("Electrical and optical equipment")
    assert io_sector("建筑业").code == "c18"
    assert io_sector("c12").naics == ("331", "332") and io_sector("c12").number == 12
    with pytest.raises(UnknownCodeError, match="unknown input-output sector 'c36'") as info:
        io_sector("c36")
    with pytest.raises(UnknownCodeError) as info:
        io_sector("Constructon")
    assert "c18" in info.value.suggestions


@given(st.from_regex(r"[1-9][0-9]{5}", fullmatch=True))
def test_naics_lookup_gives_one_sector_or_none(code):
    owner = io_sector_of_naics([code])[0]
    assert owner is None or io_sector(owner).code == owner
    if owner is not None:
        assert any(code.startswith(p) for p in io_sector(owner).naics)
