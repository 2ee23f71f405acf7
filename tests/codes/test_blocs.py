"""Tests for capcoop.codes.blocs: dated membership, the period rule, user-defined blocs."""

from __future__ import annotations

import datetime as dt
import doctest
import textwrap

import pytest
from hypothesis import given
from hypothesis import strategies as st

import capcoop.codes.blocs as blocs_module
from capcoop.codes.blocs import Bloc, Membership, bloc, blocs, is_bloc, period_end
from capcoop.codes.countries import is_iso3
from capcoop.errors import InputError, UnknownBlocError

D = dt.date.fromisoformat
ONE_DAY = dt.timedelta(days=1)

# The dates as stated by the ASEAN Secretariat, EUR-Lex and the RCEP depositary (see blocs.toml).
ASEAN_JOINED = {
    "IDN": "1967-08-08", "MYS": "1967-08-08", "PHL": "1967-08-08", "SGP": "1967-08-08",
    "THA": "1967-08-08", "BRN": "1984-01-07", "VNM": "1995-07-28", "LAO": "1997-07-23",
    "MMR": "1997-07-23", "KHM": "1999-04-30", "TLS": "2025-10-26",
}
EU_SPELLS = {
    **dict.fromkeys(["BEL", "DEU", "FRA", "ITA", "LUX", "NLD"], ("1958-01-01", None)),
    "DNK": ("1973-01-01", None), "IRL": ("1973-01-01", None), "GBR": ("1973-01-01", "2020-01-31"),
    "GRC": ("1981-01-01", None), "PRT": ("1986-01-01", None), "ESP": ("1986-01-01", None),
    **dict.fromkeys(["AUT", "FIN", "SWE"], ("1995-01-01", None)),
    **dict.fromkeys(["CYP", "CZE", "EST", "HUN", "LVA", "LTU", "MLT", "POL", "SVK", "SVN"],
                    ("2004-05-01", None)),
    "BGR": ("2007-01-01", None), "ROU": ("2007-01-01", None), "HRV": ("2013-07-01", None),
}
RCEP_JOINED = {
    **dict.fromkeys(["BRN", "KHM", "LAO", "SGP", "THA", "VNM", "CHN", "JPN", "NZL", "AUS"],
                    "2022-01-01"),
    "KOR": "2022-02-01", "MYS": "2022-03-18", "IDN": "2023-01-02", "PHL": "2023-06-02",
}


def spells(item: Bloc) -> dict[str, tuple[str, str | None]]:
    return {m.iso3: (m.joined.isoformat(), m.left and m.left.isoformat()) for m in item.memberships}


# --- the built-in data matches the cited dates ---------------------------------------------


def test_asean_dates():
    assert spells(bloc("ASEAN")) == {k: (v, None) for k, v in ASEAN_JOINED.items()}


def test_eu_dates_including_the_uk_exit():
    assert spells(bloc("EU")) == EU_SPELLS


def test_rcep_dates_and_myanmar_left_out():
    assert spells(bloc("RCEP")) == {k: (v, None) for k, v in RCEP_JOINED.items()}
    assert "MMR" not in bloc("RCEP").ever_members()


def test_asean_plus_three_dates_follow_the_later_of_asean_date_and_first_summit():
    first_summit = D("1997-12-15")
    expected = {k: max(D(v), first_summit) for k, v in ASEAN_JOINED.items()}
    expected |= dict.fromkeys(["CHN", "JPN", "KOR"], first_summit)
    item = bloc("ASEAN+3")
    assert {m.iso3: m.joined for m in item.memberships} == expected
    assert all(m.left is None for m in item.memberships)


def test_built_in_members_are_known_countries_and_sources_say_built_in():
    for item in blocs():
        assert item.source == "built-in"
        assert all(is_iso3(code) for code in item.ever_members())


# --- the membership rule ---------------------------------------------------------------------


def all_spells():
    return [(item.code, m) for item in blocs() for m in item.memberships]


@pytest.mark.parametrize(("code", "spell"), all_spells(), ids=lambda v: getattr(v, "iso3", v))
def test_membership_around_every_accession_and_exit(code, spell):
    item = bloc(code)
    assert spell.iso3 not in item.members_on(spell.joined - ONE_DAY)
    assert spell.iso3 in item.members_on(spell.joined)
    assert spell.iso3 in item.members_on(spell.joined + ONE_DAY)
    if spell.left is not None:
        assert spell.iso3 in item.members_on(spell.left - ONE_DAY)
        assert spell.iso3 in item.members_on(spell.left)
        assert spell.iso3 not in item.members_on(spell.left + ONE_DAY)


def test_uk_last_day_in_the_eu_is_31_january_2020():
    eu = bloc("EU")
    assert "GBR" in eu.members_on(D("2020-01-31"))
    assert "GBR" not in eu.members_on(D("2020-02-01"))
    assert "GBR" not in eu.members_on(D("1972-12-31")) and "GBR" in eu.members_on(D("1973-01-01"))


@pytest.mark.parametrize(("year", "month", "count"), [
    (2019, None, 28), (2020, 1, 28), (2020, None, 27), (2020, 2, 27),
    (2013, 6, 27), (2013, 7, 28), (1957, None, 0), (1958, None, 6), (1972, None, 6),
    (1973, None, 9), (1995, None, 15), (2004, 4, 15), (2004, 5, 25), (2007, None, 27),
])
def test_eu_member_counts_by_period(year, month, count):
    assert len(bloc("EU").members_for_period(year, month)) == count


@pytest.mark.parametrize(("code", "iso3", "year", "month", "member"), [
    ("EU", "HRV", 2013, None, True), ("EU", "HRV", 2013, 6, False), ("EU", "HRV", 2013, 7, True),
    ("ASEAN", "TLS", 2025, None, True), ("ASEAN", "TLS", 2025, 10, True),
    ("ASEAN", "TLS", 2025, 9, False), ("ASEAN", "TLS", 2024, None, False),
    ("ASEAN", "VNM", 1994, None, False), ("ASEAN", "VNM", 1995, 6, False),
    ("ASEAN", "VNM", 1995, 7, True), ("ASEAN", "VNM", 1995, None, True),
    ("ASEAN", "KHM", 1999, None, True), ("ASEAN", "KHM", 1999, 4, True),
    ("ASEAN", "KHM", 1999, 3, False), ("ASEAN", "BRN", 1984, 1, True),
    ("ASEAN", "BRN", 1983, None, False), ("RCEP", "KOR", 2022, 1, False),
    ("RCEP", "KOR", 2022, 2, True), ("RCEP", "PHL", 2023, 5, False), ("RCEP", "PHL", 2023, 6, True),
    ("ASEAN+3", "CHN", 1997, 11, False), ("ASEAN+3", "CHN", 1997, None, True),
])
def test_period_rule_counts_members_on_the_last_day(code, iso3, year, month, member):
    assert (iso3 in bloc(code).members_for_period(year, month)) is member


@pytest.mark.parametrize(("code", "year", "count"), [
    ("ASEAN", 1967, 5), ("ASEAN", 1984, 6), ("ASEAN", 1995, 7), ("ASEAN", 1997, 9),
    ("ASEAN", 2020, 10), ("ASEAN", 2025, 11), ("RCEP", 2021, 0), ("RCEP", 2022, 12),
    ("RCEP", 2023, 14), ("ASEAN+3", 1996, 0), ("ASEAN+3", 1998, 12), ("ASEAN+3", 2020, 13),
])
def test_member_counts_by_year(code, year, count):
    assert len(bloc(code).members_for_period(year)) == count


def test_period_end_handles_leap_years_and_rejects_bad_periods():
    assert period_end(2020, 2) == D("2020-02-29") and period_end(2019, 2) == D("2019-02-28")
    assert period_end(2020) == D("2020-12-31")
    for year, month in [(2020, 13), (2020, 0), ("2020", None), (2020, True)]:
        with pytest.raises(InputError):
            period_end(year, month)


def test_members_on_accepts_datetimes_and_iso_text_but_not_nonsense():
    asean = bloc("ASEAN")
    assert asean.members_on(dt.datetime(2020, 6, 1, 12)) == asean.members_on("2020-06-01")
    with pytest.raises(InputError, match="expected a date"):
        asean.members_on("June 2020")


# --- lookup --------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "code"), [
    ("ASEAN", "ASEAN"), ("asean", "ASEAN"), ("东盟", "ASEAN"), ("eu", "EU"), ("EEC", "EU"),
    ("European Union", "EU"), ("rcep", "RCEP"), ("ASEAN+3", "ASEAN+3"), ("ASEAN3", "ASEAN+3"),
    ("apt", "ASEAN+3"), ("10+3", "ASEAN+3"),
])
def test_bloc_names_and_aliases(name, code):
    assert bloc(name).code == code
    assert is_bloc(name)


def test_unknown_bloc_suggests_close_codes():
    with pytest.raises(UnknownBlocError) as caught:
        bloc("ASAEN")
    assert isinstance(caught.value, ValueError)
    assert caught.value.suggestions[0] == "ASEAN"
    assert "unknown bloc 'ASAEN'; did you mean 'ASEAN'" in str(caught.value)
    assert not is_bloc("VNM") and not is_bloc("")


# --- properties ------------------------------------------------------------------------------

days = st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2040, 12, 31))
built_in = st.sampled_from(blocs())


@given(built_in, days)
def test_members_on_any_day_are_ever_members_and_follow_the_rule(item, day):
    members = item.members_on(day)
    assert members <= item.ever_members()
    expected = {m.iso3 for m in item.memberships
                if m.joined <= day and (m.left is None or day <= m.left)}
    assert members == expected


@given(built_in, days, days, days)
def test_membership_is_one_unbroken_spell(item, a, b, c):
    first, middle, last = sorted((a, b, c))
    assert item.members_on(first) & item.members_on(last) <= item.members_on(middle)


@given(built_in, st.integers(1950, 2040), st.integers(1, 12))
def test_period_membership_is_membership_on_the_last_day(item, year, month):
    assert item.members_for_period(year, month) == item.members_on(period_end(year, month))
    assert item.members_for_period(year) == item.members_for_period(year, 12)


def test_docstring_examples():
    assert doctest.testmod(blocs_module).failed == 0


# --- user-defined blocs ----------------------------------------------------------------------

MEKONG = """
[blocs.MEKONG]
name_en = "Lancang-Mekong Cooperation"
name_zh = "澜湄合作"
aliases = ["LMC"]
members = [
  { iso3 = "CHN", joined = 2016-03-23 },
  { iso3 = "Viet Nam", joined = 2016-03-23 },
  { iso3 = "KH", joined = 2016-03-23 },
  { iso3 = 418, joined = "2016-03-23" },
  { iso3 = "THA", joined = 2016-03-23, left = 2030-12-31 },
  { iso3 = "MMR", joined = 2016-03-23 },
]
"""


@pytest.fixture
def user_file(tmp_path, monkeypatch):
    """Write TOML text to a temporary blocs file named by CAPCOOP_BLOCS_FILE."""
    path = tmp_path / "my_blocs.toml"

    def write(text: str):
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        monkeypatch.setenv("CAPCOOP_BLOCS_FILE", str(path))
        return path

    return write


def test_user_bloc_is_loaded_and_its_members_validated(user_file):
    path = user_file(MEKONG)
    mekong = bloc("lmc")
    assert mekong.code == "MEKONG" and mekong.source == str(path)
    assert mekong.ever_members() == {"CHN", "VNM", "KHM", "LAO", "THA", "MMR"}
    assert "THA" not in mekong.members_for_period(2031)
    assert [b.code for b in blocs()] == ["ASEAN", "EU", "RCEP", "ASEAN+3", "MEKONG"]
    assert is_bloc("澜湄合作") and bloc("ASEAN").source == "built-in"


def test_user_file_edits_are_picked_up(user_file):
    user_file(MEKONG)
    assert is_bloc("MEKONG")
    user_file(MEKONG.replace("MEKONG", "LANCANG").replace('"LMC"', '"LANCANG-MEKONG"'))
    assert is_bloc("LANCANG") and not is_bloc("MEKONG")


@pytest.mark.parametrize("clash", [
    '[blocs.ASEAN]\nname_en = "Mine"\nmembers = [{ iso3 = "VNM", joined = 2000-01-01 }]',
    '[blocs.asean]\nname_en = "Mine"\nmembers = [{ iso3 = "VNM", joined = 2000-01-01 }]',
    '[blocs.MINE]\nname_en = "Mine"\naliases = ["APT"]\nmembers = [{ iso3 = "VNM", joined = 2000-01-01 }]',
    '[blocs.MINE]\nname_en = "European Union"\nmembers = [{ iso3 = "FRA", joined = 2000-01-01 }]',
])
def test_user_bloc_cannot_shadow_a_built_in_one(user_file, clash):
    user_file(clash)
    with pytest.raises(InputError, match="clashes with the built-in bloc") as caught:
        bloc("ASEAN")
    assert "my_blocs.toml" in str(caught.value)


def test_user_bloc_code_cannot_be_a_country_code(user_file):
    user_file('[blocs.VNM]\nname_en = "Mine"\nmembers = [{ iso3 = "VNM", joined = 2000-01-01 }]')
    with pytest.raises(InputError, match="'VNM', which is a country code"):
        blocs()


@pytest.mark.parametrize(("member", "field", "problem"), [
    ('{ iso3 = "VNM" }', "members[0].joined", "missing"),
    ('{ joined = 2000-01-01 }', "members[0].iso3", "missing"),
    ('{ iso3 = "VNN", joined = 2000-01-01 }', "members[0].iso3", "did you mean 'VNM'"),
    ('{ iso3 = "WLD", joined = 2000-01-01 }', "members[0].iso3", "not a country"),
    ('{ iso3 = "VNM", joined = "2000-13-01" }', "members[0].joined", "expected a date"),
    ('{ iso3 = "VNM", joined = 2000-01-01, left = 1999-01-01 }', "members[0].left", "before"),
    ('{ iso3 = "VNM", joind = 2000-01-01 }', "members[0].joind", "unknown field"),
    ('"VNM"', "members[0]", "expected a table"),
])
def test_malformed_member_names_file_bloc_and_field(user_file, member, field, problem):
    path = user_file(f'[blocs.MINE]\nname_en = "Mine"\nmembers = [{member}]\n')
    with pytest.raises(InputError) as caught:
        blocs()
    message = str(caught.value)
    assert f"blocs file '{path}'" in message and "bloc 'MINE'" in message
    assert f"field '{field}'" in message and problem in message


@pytest.mark.parametrize(("body", "field"), [
    ('members = [{ iso3 = "VNM", joined = 2000-01-01 }]', "name_en"),
    ('name_en = "Mine"', "members"),
    ('name_en = "Mine"\nmembers = []', "members"),
    ('name_en = "Mine"\naliases = "M"\nmembers = [{ iso3 = "VNM", joined = 2000-01-01 }]', "aliases"),
    ('name_en = "Mine"\ncolour = "red"\nmembers = [{ iso3 = "VNM", joined = 2000-01-01 }]', "colour"),
    ('name_en = "Mine"\nmembers = [{ iso3 = "VNM", joined = 2000-01-01 },'
     ' { iso3 = "VNM", joined = 2001-01-01 }]', "members"),
])
def test_malformed_bloc_names_the_field(user_file, body, field):
    user_file(f"[blocs.MINE]\n{body}\n")
    with pytest.raises(InputError, match=rf"bloc 'MINE', field '{field}'"):
        blocs()


def test_rejoining_after_leaving_is_two_spells(user_file):
    user_file('[blocs.MINE]\nname_en = "Mine"\nmembers = ['
              '{ iso3 = "GBR", joined = 1973-01-01, left = 2020-01-31 },'
              '{ iso3 = "GBR", joined = 2030-01-01 }]\n')
    mine = bloc("MINE")
    assert mine.memberships[0] == Membership("GBR", D("1973-01-01"), D("2020-01-31"))
    assert [bool(mine.members_for_period(y)) for y in (2019, 2020, 2029, 2030)] == \
        [True, False, False, True]


@pytest.mark.parametrize("text", ["[blocs.MINE\nname_en = 1", 'name = "no blocs table"'])
def test_invalid_toml_or_layout_names_the_file(user_file, text):
    path = user_file(text)
    with pytest.raises(InputError, match=f"blocs file '{path}'"):
        blocs()


def test_missing_user_file_is_an_input_error(tmp_path, monkeypatch):
    monkeypatch.setenv("CAPCOOP_BLOCS_FILE", str(tmp_path / "nope.toml"))
    with pytest.raises(InputError, match="nope.toml.*does not exist"):
        is_bloc("ASEAN")
