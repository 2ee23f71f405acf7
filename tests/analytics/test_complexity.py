"""Economic complexity: known answers from the Stata ``ecomplexity`` package and worked examples.

Known answers: the Growth Lab's py-ecomplexity repository ships output of the Stata package
(``tests/fixtures/stata_*.csv``, MIT licence, cid-harvard/py-ecomplexity commit 554cc5d) for
trade_data_sample.csv (10 European countries × 30 HS92 products, 1995). ``data/`` holds the
1995 input and the published Stata rows for aut/blx/che/deu (symmetric), aut/blx (asymmetric)
and a sample of the continuous run. Stata's ``import delimited`` stores the values as float
(single precision): the fixture's ``export_val`` is the input rounded to float32, which is
what we feed in.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from capcoop.analytics.complexity import (
    eci_pci,
    economic_complexity,
    fitness_complexity,
    presence_matrix,
    revealed_per_capita_advantage,
)
from capcoop.analytics.complexity_panel import complexity_table
from capcoop.analytics.proximity import (
    ProximityOperator,
    complexity_outlook,
    density,
    distance,
    proximity,
    proximity_array,
)
from capcoop.errors import InputError

DATA = Path(__file__).parent / "data"
KEYS = ["origin", "hs92"]
WORKED = pd.DataFrame([[5, 7, 7, 9, 0], [0, 1, 8, 2, 6], [0, 1, 0, 0, 8], [8, 1, 1, 6, 6]],
                      index=list("ABCD"), columns=["p1", "p2", "p3", "p4", "p5"], dtype=float)


def stata_input() -> pd.DataFrame:
    rows = pd.read_csv(DATA / "stata_ecomplexity_1995_input.csv", dtype={"hs92": str})
    rows["export_val"] = rows["export_val"].astype(np.float32).astype(np.float64)
    return rows


@pytest.mark.parametrize("kind, expected", [
    ("symmetric", "stata_ecomplexity_1995_expected.csv"),
    ("asymmetric", "stata_ecomplexity_1995_asym_expected.csv"),
    ("continuous", "stata_ecomplexity_1995_cont_expected.csv"),
])
def test_reproduces_stata_ecomplexity(kind, expected):
    table = complexity_table(stata_input(), time="year", location="origin", product="hs92",
                             value="export_val", proximity=kind).table
    table = table.astype({"origin": str, "hs92": str})
    want = pd.read_csv(DATA / expected, dtype={"hs92": str}).rename(columns={"M": "mcp"})
    merged = want.merge(table, on=KEYS, suffixes=("_stata", ""), validate="1:1")
    assert len(merged) == len(want)
    compared = [c for c in ("rca", "mcp", "density", "eci", "pci", "diversity", "ubiquity",
                            "coi", "cog") if f"{c}_stata" in merged]
    assert len(compared) >= 3
    for column in compared:
        np.testing.assert_allclose(merged[column], merged[f"{column}_stata"], rtol=0,
                                   atol=1e-12, err_msg=column)


def test_worked_example_of_the_docs():
    result = economic_complexity(WORKED)
    assert result.presence.astype(int).values.tolist() == [
        [1, 1, 1, 1, 0], [0, 0, 1, 0, 1], [0, 0, 0, 0, 1], [1, 0, 0, 1, 1]]
    assert result.rca.loc["A", "p2"] == pytest.approx((7 / 28) / (10 / 76))  # 1.9
    assert result.eci.round(4).to_dict() == {"A": 1.3077, "B": -0.4359, "C": -1.3077,
                                              "D": 0.4359}
    assert result.pci.round(4).to_dict() == {"p1": 1.3077, "p2": 2.1794, "p3": 0.4359,
                                              "p4": 1.3077, "p5": -1.3077}
    # ω_Bp1 = (φ_p1,p3 + φ_p1,p5) / Σ φ_p1,· with φ = C / max(k, k')
    phi = result.proximity_matrix()
    assert phi.loc["p1", "p3"] == pytest.approx(0.5) and phi.loc["p1", "p5"] == pytest.approx(1 / 3)
    assert result.density.loc["B", "p1"] == pytest.approx((0.5 + 1 / 3) / phi.loc["p1"].sum())
    assert (result.cog.to_numpy()[result.presence.to_numpy() == 1] == 0).all()


def test_pci_is_the_mean_of_the_products_a_location_has():
    # the Atlas's normalisation (ECI's mean and sd applied to PCI) keeps ECI_c = mean PCI_p | M=1
    result = economic_complexity(WORKED)
    m = result.presence.to_numpy()
    np.testing.assert_allclose((m @ result.pci.to_numpy()) / m.sum(axis=1), result.eci, atol=1e-12)


def test_conventions_differ_only_by_the_documented_rules():
    nested = pd.DataFrame([[1, 1, 1], [1, 1, 0], [1, 0, 0]], index=list("ABC"),
                          columns=list("pqr"))
    stata, _ = eci_pci(nested)
    pip, _ = eci_pci(nested, convention="py-ecomplexity")
    # Stata: sd over the 9 location × product rows (ddof 1); pip: over 3 locations (ddof 0)
    np.testing.assert_allclose(pip.to_numpy()[[0, 2]] / stata.to_numpy()[[0, 2]], np.sqrt(9 / 8))
    exact_one = pd.DataFrame({"p": [1.0, 1.0], "q": [1.0, 1.0]}, index=["A", "B"])  # RCA == 1
    assert presence_matrix(exact_one).to_numpy().sum() == 0
    assert presence_matrix(exact_one, convention="py-ecomplexity").to_numpy().sum() == 4


@pytest.mark.parametrize("kind", ["symmetric", "asymmetric", "continuous"])
@pytest.mark.parametrize("self_value", [0.0, 1.0])
def test_proximity_operator_equals_the_dense_matrix(kind, self_value):
    rng = np.random.default_rng(11)
    m = (rng.random((17, 60)) < rng.random(60) * 0.6).astype(float)
    m[:, 5] = 0.0  # a product nobody has
    levels = rng.lognormal(size=m.shape) * (m + 0.2)
    phi = proximity_array(m, kind=kind, levels=levels, self_proximity=self_value)
    op = ProximityOperator(m, kind=kind, levels=levels, self_proximity=self_value)
    left = rng.normal(size=(7, 60))
    np.testing.assert_allclose(op.times(left), left @ phi, atol=1e-11)
    np.testing.assert_allclose(op.times_transpose(left), left @ phi.T, atol=1e-11)
    np.testing.assert_allclose(op.row_sums(), phi.sum(axis=1), atol=1e-11)


def test_proximity_density_distance_by_hand():
    m = pd.DataFrame([[1, 1, 0], [1, 0, 1], [0, 1, 0]], index=list("ABC"), columns=list("pqr"))
    phi = proximity(m)
    # C_pq = 1 (A), k_p = 2, k_q = 2 -> 1/2; C_qr = 0; diagonal 0 (Stata)
    assert phi.loc["p", "q"] == 0.5 and phi.loc["q", "r"] == 0 and phi.loc["p", "p"] == 0
    asym = proximity(m, kind="asymmetric")
    assert asym.loc["r", "p"] == 1.0 and asym.loc["p", "r"] == 0.5  # P(p|r) = 1, P(r|p) = 1/2
    dens = density(m, phi)
    assert dens.loc["C", "p"] == pytest.approx(0.5 / 1.0)  # C has q; φ_p· = (0, .5, .5)
    assert distance(dens).loc["C", "p"] == pytest.approx(0.5)
    coi, cog = complexity_outlook(m, dens, pd.Series([1.0, 0.0, -1.0], index=list("pqr")), phi)
    assert coi["C"] == pytest.approx(0.5 * 1.0 + 0.0 * -1.0)
    assert (cog.to_numpy()[m.to_numpy() == 1] == 0).all()


def test_fitness_complexity_by_hand():
    nested = pd.DataFrame([[1, 1, 1], [1, 1, 0], [1, 0, 0]], index=list("ABC"),
                          columns=list("pqr"))
    fitness, complexity = fitness_complexity(nested, iterations=1)
    np.testing.assert_allclose(fitness, [1.5, 1.0, 0.5])  # (3, 2, 1) / 2
    q = np.array([1 / 3, 1 / 2, 1.0])
    np.testing.assert_allclose(complexity, q / q.mean())
    with pytest.raises(InputError, match="iterations"):
        fitness_complexity(nested, iterations=0)


def test_rpop_and_both_tests():
    population = pd.Series({"A": 10.0, "B": 1.0, "C": 5.0, "D": 2.0})
    rpop = revealed_per_capita_advantage(WORKED, population)
    x = WORKED.to_numpy()
    expected = (x / population.to_numpy()[:, None]) / (x.sum(axis=0) / population.sum())
    np.testing.assert_allclose(rpop, expected)
    only = presence_matrix(WORKED, presence_test="rpop", population=population)
    both = presence_matrix(WORKED, presence_test="both", population=population)
    rca = presence_matrix(WORKED)
    assert ((both == 1) == ((only == 1) | (rca == 1))).all().all()
    result = economic_complexity(WORKED, presence_test="rpop", population=population)
    assert result.rpop is not None and (result.presence == only).all().all()
    with pytest.raises(InputError, match="needs population"):
        presence_matrix(WORKED, presence_test="rpop")
    with pytest.raises(InputError, match="positive"):
        presence_matrix(WORKED, presence_test="rpop", population=population * 0)


def test_supplied_presence_matches_the_computed_one():
    computed = economic_complexity(WORKED)
    supplied = economic_complexity(presence=computed.presence)
    assert supplied.rca is None
    pd.testing.assert_series_equal(supplied.eci, computed.eci)
    pd.testing.assert_frame_equal(supplied.cog, computed.cog)
    long = computed.presence.stack().rename("m").rename_axis(["c", "p"]).reset_index()
    table = complexity_table(long, location="c", product="p", value="m",
                             value_is_presence=True).table
    assert "rca" not in table.columns
    np.testing.assert_allclose(table["eci"].to_numpy()[::5], computed.eci.to_numpy())


def test_periods_are_computed_independently_in_one_call():
    rows = stata_input()
    later = rows.assign(year=1996, export_val=rows["export_val"] * np.linspace(0.5, 2.0,
                                                                                len(rows)))
    both = complexity_table(pd.concat([rows, later]), time="year", location="origin",
                            product="hs92", value="export_val").table
    alone = complexity_table(later, time="year", location="origin", product="hs92",
                             value="export_val").table
    second = both[both["year"] == 1996].reset_index(drop=True)
    pd.testing.assert_frame_equal(second, alone.reset_index(drop=True), check_categorical=False)
    assert set(both["year"]) == {1995, 1996} and len(both) == 2 * 300


def test_zero_total_products_and_locations_are_left_out_and_reported():
    rows = stata_input()
    extra = pd.DataFrame({"year": 1995, "origin": ["aut", "xxx"], "hs92": ["0000", "1704"],
                          "export_val": [0.0, 0.0]})
    panel = complexity_table(pd.concat([rows, extra]), time="year", location="origin",
                             product="hs92", value="export_val")
    assert set(map(tuple, panel.excluded[["kind", "label"]].to_numpy())) == {
        ("location", "xxx"), ("product", "0000")}
    assert "0000" not in set(panel.table["hs92"].astype(str))
    assert not panel.table.isna().any().any()


def test_threshold_above_one_leaves_documented_nans_only():
    x = stata_input().pivot(index="origin", columns="hs92", values="export_val")
    result = economic_complexity(x, rca_threshold=1.5)
    assert (result.diversity == 0).sum() == 1 and (result.ubiquity == 0).sum() == 5
    assert result.pci[result.ubiquity == 0].isna().all()
    # locations without any product above 2 have no ECI (undefined), the rest do
    undefined = result.diversity == 0
    assert result.eci[undefined].isna().all() and result.eci[~undefined].notna().all()
    assert result.density.notna().all().all() and result.coi.notna().all()


@pytest.mark.parametrize("frame, message", [
    (pd.DataFrame(), "empty"),
    (pd.DataFrame({"p": [1.0, np.nan]}, index=["A", "B"]), "missing"),
    (pd.DataFrame({"p": [1.0, -2.0]}, index=["A", "B"]), "negative"),
    (pd.DataFrame({"p": [0.0, 0.0]}, index=["A", "B"]), "no positive value"),
    (pd.DataFrame([[1.0, 0.0], [0.0, 1.0]], index=["A", "B"], columns=["p", "q"]),
     "disconnected"),
    (pd.DataFrame([[1.0, 1.0], [2.0, 2.0]], index=["A", "B"], columns=["p", "q"]),
     "at least 2 locations"),
])
def test_bad_matrices_raise_clear_errors(frame, message):
    with pytest.raises(InputError, match=message):
        economic_complexity(frame)


def test_bad_options_and_tables_raise_clear_errors():
    rows = stata_input()
    with pytest.raises(InputError, match="proximity='cosine'"):
        economic_complexity(WORKED, proximity="cosine")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="rca_threshold"):
        economic_complexity(WORKED, rca_threshold=-1)
    with pytest.raises(InputError, match="exactly one"):
        economic_complexity()
    with pytest.raises(InputError, match="only 0 and 1"):
        economic_complexity(presence=WORKED)
    with pytest.raises(InputError, match="key \\(1995, 'aut', '1704'\\) appears more"):
        complexity_table(pd.concat([rows, rows.head(1).assign(hs92="0101")] * 2),
                         time="year", location="origin", product="hs92", value="export_val")
    with pytest.raises(InputError, match="--missing zero"):
        complexity_table(rows.assign(export_val=rows["export_val"].where(rows.index != 3)),
                         time="year", location="origin", product="hs92", value="export_val")
    filled = complexity_table(rows.assign(export_val=rows["export_val"].where(rows.index != 3)),
                              time="year", location="origin", product="hs92",
                              value="export_val", missing="zero")
    assert len(filled.table) == 300
    with pytest.raises(InputError, match="year 1995: .*disconnected"):
        complexity_table(pd.DataFrame({"year": 1995, "c": ["A", "B"], "p": ["x", "y"],
                                       "v": [1.0, 1.0]}), time="year", location="c",
                         product="p", value="v")
    with pytest.raises(InputError, match="column\\(s\\) 'value' not found"):
        complexity_table(rows, location="origin", product="hs92", value="value")
