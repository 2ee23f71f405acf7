"""HS -> NAICS 2017 concordance: shipped data, weights, vintage bridge, rebuild from shared data."""

import gzip
import importlib.util
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from capcoop.codes.naics import hs_to_naics, naics_table, naics_title
from capcoop.codes.products import hs_table
from capcoop.errors import InputError, UnknownCodeError, UnknownProductError
from shared_data import shared_data

REPO = Path(__file__).resolve().parents[2]
BUILDER = REPO / "scripts" / "build_codes_naics.py"
DATA = REPO / "src" / "capcoop" / "codes" / "data"
HS17 = hs_table("HS17").query("code.str.len() == 6").code.tolist()


def test_known_links():
    assert hs_to_naics(["252329"]).naics.tolist() == ["327310"]  # portland cement
    # iron and steel: the source's 2002 code 331111 bridges to 2017's 331110
    steel = hs_to_naics(["720810"])
    assert steel.naics.tolist() == ["331110"] and steel.weight.tolist() == [1.0]
    assert hs_to_naics("854143", "HS22").naics.tolist() == ["334413"]  # HS22 PV modules
    assert naics_title("327310") == "Cement Manufacturing"
    assert {"code", "title"} == set(naics_table().columns)


def test_special_census_codes_have_no_industry():
    scrap = hs_to_naics(["720449"])  # ferrous waste and scrap: Census 910000
    assert scrap.naics.isna().all() and set(scrap["match"]) == {"none"}


def test_older_revisions_go_through_hs17():
    hs12 = hs_to_naics(["252329", "720810"], "HS12")
    assert hs12.groupby("code").weight.sum().round(9).tolist() == [1.0, 1.0]
    assert hs12.naics.tolist() == ["327310", "331110"]


def test_unknown_codes_are_refused():
    with pytest.raises(UnknownProductError):
        hs_to_naics(["720800"])
    with pytest.raises(InputError, match="4-digit code"):
        hs_to_naics(["2523"])
    with pytest.raises(UnknownCodeError, match="unknown NAICS 2017 code '327319'"):
        naics_title("327319")


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from(HS17), min_size=1, max_size=20, unique=True))
def test_weights_sum_to_one_per_code_in_input_order(codes):
    result = hs_to_naics(codes)
    assert list(dict.fromkeys(result.code)) == codes
    assert result.groupby("code").weight.sum().sub(1).abs().max() < 1e-9
    assert set(result["match"]) <= {"exact", "5-digit", "4-digit", "none", "missing"}


def test_every_hs17_and_hs22_subheading_is_covered():
    assert set(hs_to_naics(HS17)["match"]) - {"missing"} and \
        (hs_to_naics(HS17)["match"] == "missing").sum() <= 5
    hs22 = hs_table("HS22").query("code.str.len() == 6").code.tolist()
    assert (hs_to_naics(hs22, "HS22")["match"] == "missing").sum() == 0


@pytest.mark.shared_data
def test_builder_reproduces_the_shipped_tables():
    root = shared_data("reference", "concordance").parents[1]
    spec = importlib.util.spec_from_file_location("build_codes_naics", BUILDER)
    builder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(builder)
    for name, frame in builder.build_tables(builder.read_sources(root)).items():
        built = frame.to_csv(index=False, lineterminator="\n").encode("utf-8")
        assert built == gzip.decompress((DATA / name).read_bytes()), f"rerun {BUILDER.name}"
