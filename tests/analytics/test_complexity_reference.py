"""Validation on real data in ../shared/data: published outputs, the pip package, the Atlas.

* R ``economiccomplexity`` 2.0 (pachadotdev, commit 423d5b4): ``economiccomplexity_output``
  was produced by ``dev/economiccomplexity_output.R`` = ``balassa_index(world_trade_avg_1998_
  to_2000)`` (discrete, cutoff 1, RCA >= 1) then ``complexity_measures()`` with its defaults,
  i.e. **method = "fitness", iterations = 20, extremality = 1** (20 counts the starting vector:
  19 updates). Its "complexity_index_*" are fitness and complexity normalised to mean 1.
* OEC (Datawheel py-economic-complexity, commit 782f6a6): ``tests/test_rca.py`` asserts the
  summary statistics of the RCA of HS sections 1 and 9 in ``fixture_exports.csv``.
* pip ``ecomplexity`` 0.5.3: every output agrees with ``convention="py-ecomplexity"``.
"""

import contextlib
import io
import warnings

import numpy as np
import pandas as pd
import pytest

from capcoop.analytics import indicators as ind
from capcoop.analytics.complexity import fitness_complexity
from capcoop.analytics.complexity_panel import complexity_table
from shared_data import shared_data

pytestmark = pytest.mark.shared_data
COLUMNS = ["rca", "mcp", "diversity", "ubiquity", "eci", "pci", "density", "coi", "cog"]
ASEAN = ["BRN", "KHM", "IDN", "LAO", "MYS", "MMR", "PHL", "SGP", "THA", "VNM"]


def pip_ecomplexity(rows: pd.DataFrame, time: str, location: str, product: str, value: str):
    from ecomplexity import ecomplexity

    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        return ecomplexity(rows[[time, location, product, value]],
                           {"time": time, "loc": location, "prod": product, "val": value},
                           verbose=False, check_logsupermodularity=False)


def compare_with_pip(rows, time, location, product, value, *, convention="py-ecomplexity"):
    ours = complexity_table(rows, time=time, location=location, product=product, value=value,
                            convention=convention).table
    ours = ours.astype({location: str, product: str})
    theirs = pip_ecomplexity(rows, time, location, product, value).astype(
        {location: str, product: str})
    merged = ours.merge(theirs, on=[time, location, product], suffixes=("", "_pip"),
                        validate="1:1")
    assert len(merged) == len(ours) == len(theirs)
    return merged


def test_r_economiccomplexity_outputs_are_fitness_complexity_with_20_iterations():
    folder = shared_data("trade", "complexity_reference", "economiccomplexity_R")
    trade = pd.read_csv(folder / "world_trade_avg_1998_to_2000.csv", dtype={"product": str})
    x = ind.export_matrix(trade, location="country", product="product", value="value")
    presence = (ind.revealed_comparative_advantage(x) >= 1).astype(float)  # R: data >= cutoff
    fitness, complexity = fitness_complexity(presence, iterations=19)
    country = pd.read_csv(folder / "output_complexity_index_country.csv").set_index("country")
    product = pd.read_csv(folder / "output_complexity_index_product.csv",
                          dtype={"product": str}).set_index("product")
    assert len(country) == 226 and len(product) == 785
    np.testing.assert_allclose(fitness[country.index], country["complexity_index_country"],
                               rtol=1e-12)
    np.testing.assert_allclose(complexity[product.index], product["complexity_index_product"],
                               rtol=1e-12)


def test_oec_rca_known_answers():
    path = shared_data("trade", "complexity_reference", "oec_datawheel_tests",
                       "fixture_exports.csv")
    rows = pd.read_csv(path)
    x = ind.export_matrix(rows, location="Exporter Country ID", product="Section ID",
                          value="Trade Value")
    rca = ind.revealed_comparative_advantage(x)
    for section, stats in {1: (226, 3.484895, 8.261088, 0.0, 0.1291, 0.718371, 2.165564,
                               47.724923),
                           9: (226, 1.959028, 6.469812, 0.0, 0.040933, 0.267903, 1.264129,
                               75.963223)}.items():
        assert tuple(rca[section].describe().round(6)) == stats


def test_pip_agreement_on_the_stata_fixture_and_oec_sections():
    from test_complexity import stata_input

    merged = compare_with_pip(stata_input(), "year", "origin", "hs92", "export_val")
    for column in COLUMNS:
        np.testing.assert_allclose(merged[column], merged[f"{column}_pip"], rtol=1e-8,
                                   atol=1e-12, err_msg=column)
    path = shared_data("trade", "complexity_reference", "oec_datawheel_tests",
                       "global_exports.csv")
    oec = pd.read_csv(path).assign(year=2021)
    merged = compare_with_pip(oec, "year", "Country ID", "Section ID", "Trade Value")
    for column in COLUMNS:
        np.testing.assert_allclose(merged[column], merged[f"{column}_pip"], rtol=1e-8,
                                   atol=1e-12, err_msg=column)


@pytest.mark.slow
def test_pip_agreement_on_the_atlas_and_the_documented_stata_differences():
    path = shared_data("trade3", "atlas_hs92_hs4_2016_scca", "atlas_exports_2016_country_hs4.csv")
    atlas = pd.read_csv(path, dtype={"hs92_code": str}).assign(year=2016)
    atlas = atlas[atlas["hs92_code"] < "3000"]  # chapters 01-29: ~300 products keep pip quick
    keys = ("year", "country_code", "hs92_code", "export_value_usd")
    merged = compare_with_pip(atlas, *keys)
    for column in COLUMNS:
        np.testing.assert_allclose(merged[column], merged[f"{column}_pip"], rtol=1e-8,
                                   atol=1e-12, err_msg=column)
    stata = compare_with_pip(atlas, *keys, convention="stata")
    n_c, n_p = stata["country_code"].nunique(), stata["hs92_code"].nunique()
    factor = np.sqrt(n_c * n_p / (n_c * n_p - 1))  # pip's sd over locations is smaller
    for column in ("rca", "mcp", "diversity", "ubiquity"):
        np.testing.assert_array_equal(stata[column], stata[f"{column}_pip"])
    np.testing.assert_allclose(stata["eci_pip"], stata["eci"] * factor, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(stata["pci_pip"] - stata["eci_pip"],
                               (stata["pci"] - stata["eci"]) * factor, rtol=1e-8, atol=1e-10)
    assert not np.allclose(stata["density"], stata["density_pip"])  # diagonal 0 vs 1


def _filtered_world(name: str) -> tuple[pd.DataFrame, str, str, str, int]:
    """The Atlas's country filter: population >= 1 million and exports >= US$ 1 bn."""
    if name == "atlas":
        path = shared_data("trade3", "atlas_hs92_hs4_2016_scca",
                           "atlas_exports_2016_country_hs4.csv")
        rows = pd.read_csv(path, dtype={"hs92_code": str})
        keys, year = ("country_code", "hs92_code", "export_value_usd"), 2016
    else:
        path = shared_data("trade3", "ots_hs4_2017_economiccomplexity",
                           "world_trade_2017_country_hs4.csv")
        rows = pd.read_csv(path, dtype={"product_code": str}).dropna()
        rows["reporter_iso"] = rows["reporter_iso"].str.upper()
        keys, year = ("reporter_iso", "product_code", "export_value_usd"), 2017
    pop = pd.read_csv(shared_data("reference", "wdi", "indicators", "sp.pop.totl.csv"))
    pop = pop[pop["Year"] == year].set_index("Country Code")["Value"]
    totals = rows.groupby(keys[0])[keys[2]].sum()
    keep = totals.index[(totals >= 1e9) & (pop.reindex(totals.index) >= 1e6)]
    return rows[rows[keys[0]].isin(keep)], *keys, year


@pytest.mark.parametrize("name", ["atlas", "ots"])
def test_china_and_asean_on_full_world_hs4_matrices(name):
    rows, location, product, value, year = _filtered_world(name)
    table = complexity_table(rows, location=location, product=product, value=value).table
    by_country = table.groupby(location, observed=True)[["diversity", "eci"]].first()
    by_country.index = by_country.index.astype(str)
    rank = by_country["eci"].rank(ascending=False)
    assert 130 <= len(by_country) <= 145
    # see docs/methods/complexity.md, "China and ASEAN": stable across the two sources
    assert 20 <= rank["CHN"] <= 28 and by_country["diversity"].idxmax() == "CHN"
    assert rank["SGP"] <= 6
    assert max(rank["MYS"], rank["THA"]) <= 32 and rank["PHL"] <= 45
    assert all(by_country.loc[c, "eci"] < -0.6 for c in ("KHM", "LAO", "MMR"))
    assert abs(by_country.loc["VNM", "eci"]) < 0.2 and abs(by_country.loc["IDN", "eci"]) < 0.2
    # ECI is the mean PCI of the products a country exports with RCA > 1
    chn = table[(table[location] == "CHN") & (table["mcp"] == 1)]
    assert chn["pci"].mean() == pytest.approx(by_country.loc["CHN", "eci"], abs=1e-9)
