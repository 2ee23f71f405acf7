"""Trade indicators: hand-computed known answers, invariants and label alignment."""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from capcoop.analytics import indicators as ind
from capcoop.errors import InputError

X = pd.DataFrame({"p1": [6.0, 2.0, 0.0], "p2": [4.0, 8.0, 5.0], "p3": [0.0, 0.0, 5.0]},
                 index=["A", "B", "C"])  # world: p1 8, p2 17, p3 5, total 30


def test_rca_variants_known_answers():
    rca = ind.revealed_comparative_advantage(X)
    assert rca.loc["A", "p1"] == pytest.approx((6 / 10) / (8 / 30))  # 2.25
    assert rca.loc["C", "p3"] == pytest.approx((5 / 10) / (5 / 30))  # 3.0
    sym = ind.revealed_comparative_advantage(X, variant="symmetric")
    assert sym.loc["A", "p1"] == pytest.approx((2.25 - 1) / (2.25 + 1))
    cont = ind.revealed_comparative_advantage(X, variant="continuous")
    assert cont.loc["A", "p1"] == pytest.approx(2.25 / 3.25)
    np.testing.assert_allclose(cont, (1 + sym) / 2)
    # share-weighted mean of RCA over locations is 1 for every product
    weights = X.sum(axis=1) / X.to_numpy().sum()
    np.testing.assert_allclose((rca.mul(weights, axis=0)).sum(), 1.0)
    with pytest.raises(InputError, match="unknown RCA variant 'log'"):
        ind.revealed_comparative_advantage(X, variant="log")  # type: ignore[arg-type]


def test_shares_sum_to_one():
    np.testing.assert_allclose(ind.export_shares(X).sum(axis=1), 1.0)
    shares = ind.market_shares(X)
    np.testing.assert_allclose(shares.sum(axis=0), 1.0)
    assert shares.loc["C", "p3"] == 1.0 and shares.loc["A", "p1"] == 0.75


def test_export_similarity_and_complementarity():
    sim = ind.export_similarity(X)
    # A = (.6, .4, 0), B = (.2, .8, 0): Σ min = .2 + .4 = .6
    assert sim.loc["A", "B"] == pytest.approx(60.0)
    np.testing.assert_allclose(np.diag(sim), 100.0)
    np.testing.assert_allclose(sim, sim.T)
    imports = pd.DataFrame({"p1": [1.0], "p2": [1.0], "p3": [2.0]}, index=["VNM"])
    tc = ind.trade_complementarity(X, imports)
    # WITS form: 100 (1 - Σ|m - x| / 2); C = (0, .5, .5) vs (.25, .25, .5): Σ|.| = .5
    assert tc.loc["C", "VNM"] == pytest.approx(100 * (1 - 0.5 / 2))
    assert tc.loc["A", "VNM"] == pytest.approx(100 * (1 - (0.35 + 0.15 + 0.5) / 2))


def test_complementarity_aligns_products_by_label():
    imports = pd.DataFrame({"p3": [2.0], "p2": [1.0], "p1": [1.0]}, index=["VNM"])
    in_order = imports[["p1", "p2", "p3"]]
    pd.testing.assert_frame_equal(ind.trade_complementarity(X, imports),
                                  ind.trade_complementarity(X, in_order))
    wider = imports.assign(p4=3.0)
    with pytest.raises(ind.LabelMismatchError, match=r"only in imports: \['p4'\]"):
        ind.trade_complementarity(X, wider)
    inner = ind.trade_complementarity(X, wider, join="inner")
    outer = ind.trade_complementarity(X, wider, join="outer")
    assert inner.loc["C", "VNM"] == pytest.approx(75.0)
    assert outer.loc["C", "VNM"] < inner.loc["C", "VNM"]


def test_grubel_lloyd_by_product_and_aggregate():
    exports = pd.Series({"p1": 3.0, "p2": 5.0, "p3": 0.0, "p4": 0.0})
    imports = pd.Series({"p1": 1.0, "p2": 5.0, "p3": 2.0, "p4": 0.0})
    gl = ind.grubel_lloyd(exports, imports)
    assert gl["p1"] == pytest.approx(0.5) and gl["p2"] == 1.0 and gl["p3"] == 0.0
    assert np.isnan(gl["p4"])  # no trade: undefined, documented
    # aggregate = 1 - Σ|X - M| / Σ(X + M) = 1 - 4/16, the trade-weighted mean of GL_p
    assert ind.grubel_lloyd_aggregate(exports, imports) == pytest.approx(0.75)
    weights = (exports + imports) / (exports + imports).sum()
    assert (gl.fillna(0) * weights).sum() == pytest.approx(0.75)
    frames = ind.grubel_lloyd_aggregate(X, X.iloc[::-1].set_axis(X.index))
    assert frames.index.tolist() == ["A", "B", "C"]
    with pytest.raises(InputError, match="no trade at all"):
        ind.grubel_lloyd_aggregate(exports * 0, imports * 0)


def test_herfindahl_hirschman_raw_and_normalised():
    hhi = ind.herfindahl_hirschman(X)
    assert hhi["A"] == pytest.approx(0.6 ** 2 + 0.4 ** 2)
    norm = ind.herfindahl_hirschman(X, normalized=True)
    assert norm["A"] == pytest.approx((0.52 - 1 / 3) / (1 - 1 / 3))
    wide = ind.herfindahl_hirschman(X, normalized=True, n_categories=5205)
    assert wide["A"] > norm["A"]
    equal = pd.DataFrame({"p1": [1.0], "p2": [1.0], "p3": [1.0]}, index=["E"])
    assert ind.herfindahl_hirschman(equal, normalized=True)["E"] == pytest.approx(0.0)
    with pytest.raises(InputError, match="smaller than"):
        ind.herfindahl_hirschman(X, n_categories=2)


def test_trade_intensity_is_rca_over_partners():
    bilateral = pd.DataFrame({"USA": [8.0, 2.0], "JPN": [2.0, 8.0]}, index=["CHN", "KOR"])
    tii = ind.trade_intensity(bilateral)
    # (8/10) / (10/20)
    assert tii.loc["CHN", "USA"] == pytest.approx(1.6)
    pd.testing.assert_frame_equal(tii, ind.revealed_comparative_advantage(bilateral))


def test_export_diversification():
    div = ind.export_diversification(X)
    assert div.loc["C", "products"] == 2
    assert div.loc["C", "entropy"] == pytest.approx(np.log(2))
    assert div.loc["C", "entropy_normalized"] == pytest.approx(np.log(2) / np.log(3))


def test_prody_expy_hausmann_hwang_rodrik():
    x = pd.DataFrame({"p1": [6.0, 2.0], "p2": [4.0, 8.0]}, index=["A", "B"])
    gdp = pd.Series({"A": 1000.0, "B": 3000.0})
    product_income = ind.prody(x, gdp)
    # weights of p1: A .6, B .2 -> (.75, .25)
    assert product_income["p1"] == pytest.approx(0.75 * 1000 + 0.25 * 3000)
    expy = ind.expy(x, product_income)
    assert expy["A"] == pytest.approx(0.6 * 1500 + 0.4 * product_income["p2"])
    with pytest.raises(ind.LabelMismatchError, match="only in exports: \\['B'\\]"):
        ind.prody(x, gdp.drop("B"))
    assert ind.prody(x, gdp.drop("B"), join="inner")["p1"] == pytest.approx(1000.0)
    with pytest.raises(InputError, match="would invent values"):
        ind.prody(x, gdp, join="outer")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="positive"):
        ind.prody(x, gdp * -1)


def test_zero_totals_are_dropped_with_a_warning_not_a_nan_column():
    x = X.assign(p9=0.0)
    with pytest.warns(ind.ExcludedLabelsWarning, match="1 product\\(s\\) \\['p9'\\]"):
        rca = ind.revealed_comparative_advantage(x)
    assert "p9" not in rca.columns and not rca.isna().any().any()


@pytest.mark.parametrize("frame, message", [
    (pd.DataFrame(), "empty"),
    (pd.DataFrame({"p": [np.nan]}, index=["A"]), "missing"),
    (pd.DataFrame({"p": [-1.0]}, index=["A"]), "negative"),
    (pd.DataFrame({"p": ["x"]}, index=["A"]), "non-numeric"),
    (pd.DataFrame([[1.0, 2.0]], index=["A"], columns=["p", "p"]), "repeats product"),
    (pd.DataFrame({"p": [0.0]}, index=["A"]), "no positive value"),
])
def test_bad_matrices_raise(frame, message):
    with pytest.raises(InputError, match=message):
        ind.revealed_comparative_advantage(frame)


def test_export_matrix_from_long_rows():
    rows = pd.DataFrame({"c": ["A", "A", "B"], "p": ["0101", "0102", "0101"],
                         "v": [1.0, 2.0, 3.0]})
    m = ind.export_matrix(rows, location="c", product="p", value="v")
    assert m.loc["B", "0102"] == 0.0 and list(m.columns) == ["0101", "0102"]
    with pytest.raises(InputError, match="\\('A', '0101'\\) appears more than once"):
        ind.export_matrix(pd.concat([rows, rows.head(1)]), location="c", product="p", value="v")
    with pytest.raises(InputError, match="'value' not found"):
        ind.export_matrix(rows, location="c", product="p", value="value")
    with_gap = rows.assign(v=[1.0, None, 3.0])
    with pytest.raises(InputError, match="missing"):
        ind.export_matrix(with_gap, location="c", product="p", value="v")
    assert ind.export_matrix(with_gap, location="c", product="p", value="v",
                             missing="zero").loc["A", "0102"] == 0.0


matrices = arrays(np.float64, st.tuples(st.integers(2, 6), st.integers(2, 8)),
                  elements=st.one_of(st.just(0.0), st.floats(1e-3, 1e9)))


@settings(max_examples=60, deadline=None)
@given(matrices)
def test_indicator_invariants(values):
    x = pd.DataFrame(values, index=[f"c{i}" for i in range(values.shape[0])],
                     columns=[f"p{j}" for j in range(values.shape[1])])
    if values.sum(axis=1).min() <= 0 or values.sum(axis=0).min() <= 0:
        return  # zero totals: covered by the warning test
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        hhi = ind.herfindahl_hirschman(x)
        assert ((hhi >= 1 / x.shape[1] - 1e-12) & (hhi <= 1 + 1e-12)).all()
        sim = ind.export_similarity(x).to_numpy()
        assert ((sim >= -1e-9) & (sim <= 100 + 1e-9)).all()
        np.testing.assert_allclose(sim, sim.T, atol=1e-9)
        tc = ind.trade_complementarity(x, x).to_numpy()
        np.testing.assert_allclose(tc, sim, atol=1e-9)  # TC(x, x) = FK similarity
        rca = ind.revealed_comparative_advantage(x)
        share = values.sum(axis=1) / values.sum()
        np.testing.assert_allclose(share @ rca.to_numpy(), 1.0, rtol=1e-9)
        gl = ind.grubel_lloyd(x, x.iloc[::-1].set_axis(x.index)).to_numpy()
        defined = gl[~np.isnan(gl)]
        assert ((defined >= -1e-12) & (defined <= 1 + 1e-12)).all()
