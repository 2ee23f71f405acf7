"""Dependency indicators and disruption scenarios: known answers and invariants (Hypothesis)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from capcoop.analytics.dependencies import (
    NO_EXPORTS_RATIO,
    DisruptionRule,
    Thresholds,
    dependency_indicators,
    disruption_losses,
    hhi,
    substitution,
)
from capcoop.errors import InputError


def test_hhi_known_answers():
    # equal shares of n suppliers give 1/n; one supplier gives 1
    assert hhi([1, 1, 1, 1]) == pytest.approx(0.25)
    assert hhi([7]) == 1.0
    # 60/30/10 -> 0.36 + 0.09 + 0.01
    assert hhi([60, 30, 10]) == pytest.approx(0.46)
    assert np.isnan(hhi([0, 0]))


def _screen(**kwargs):
    imports = pd.DataFrame({"item": ["a", "a", "a", "b"], "supplier": ["CHN", "USA", "DEU", "CHN"],
                            "value_usd": [60.0, 30.0, 10.0, 5.0]})
    world = pd.DataFrame({"item": ["a"] * 5 + ["b", "b"],
                          "exporter": ["CHN", "USA", "DEU", "JPN", "VNM", "CHN", "USA"],
                          "value_usd": [600.0, 300.0, 100.0, 100.0, 40.0, 50.0, 1.0]})
    return dependency_indicators(imports, world, pd.Series({"a": 200.0}), members={"VNM"}, **kwargs)


def test_screen_hand_computed_figures():
    out = _screen().set_index("item")
    a, b = out.loc["a"], out.loc["b"]
    assert a["hhi"] == pytest.approx(0.46) and a["top_supplier"] == "CHN"
    assert a["top_share"] == pytest.approx(0.6) and a["second_supplier"] == "USA"
    assert a["world_imports_usd"] == pytest.approx(1140.0)
    assert a["top_supplier_world_share"] == pytest.approx(600 / 1140)
    # alternatives: every exporter but CHN (top) and VNM (the importer): 300 + 100 + 100
    assert a["alternative_exports_usd"] == pytest.approx(500.0)
    assert a["substitutability"] == pytest.approx(500 / 60)
    assert a["import_export_ratio"] == pytest.approx(0.5)
    assert not a["eu_dependent"] and not a["cepii_dependent"]
    # b: one supplier, no own exports (CEPII's 9999 convention), tiny alternatives
    assert b["hhi"] == 1.0 and b["import_export_ratio"] == NO_EXPORTS_RATIO
    assert b["substitutability"] == pytest.approx(1 / 5)
    assert b["eu_dependent"] and b["eu_critical"] and b["cepii_dependent"]
    assert list(out.index) == ["b", "a"]  # most criteria met first


def test_thresholds_are_parameters():
    loose = _screen(thresholds=Thresholds(hhi=0.45, import_export_ratio=0.4)).set_index("item")
    assert loose.loc["a", "eu_dependent"]
    with pytest.raises(InputError, match="hhi=1.5"):
        Thresholds(hhi=1.5).checked()


def test_bloc_extra_share_criterion():
    imports = pd.DataFrame({"item": ["a"], "supplier": ["CHN"], "value_usd": [40.0]})
    world = pd.DataFrame({"item": ["a"], "exporter": ["CHN"], "value_usd": [40.0]})
    out = dependency_indicators(imports, world, pd.Series(dtype=float), members={"THA", "VNM"},
                                total_imports=pd.Series({"a": 100.0}))
    assert out.loc[0, "extra_bloc_share"] == pytest.approx(0.4)
    assert out.loc[0, "criteria"]["extra_bloc_demand"] is False
    assert not out.loc[0, "eu_dependent"]  # 0.4 <= 0.5: intra-bloc supply dominates


def test_substitution_known_answer():
    # CHN(0) ships 100 to VNM(1); USA(2) ships 20 to VNM and 80 to THA(3), JPN(4) 10 to VNM, 40 to THA
    f = np.zeros((5, 5))
    f[0, 1], f[2, 1], f[2, 3], f[4, 1], f[4, 3] = 100, 20, 80, 10, 40
    out = substitution(f, 0, 0.3, DisruptionRule(spare_share=0.5, shared_capacity=False))
    assert out["loss"][1] == pytest.approx(30.0)
    # shares 2/3 USA, 1/3 JPN -> requests 20 and 10; caps 0.5*80 = 40 and 0.5*40 = 20
    assert out["replacement"][2, 1] == pytest.approx(20.0)
    assert out["replacement"][4, 1] == pytest.approx(10.0)
    assert out["shortfall"][1] == pytest.approx(0.0)
    # with a 10% spare share, USA is capped at 8 and JPN at 4: the cap binds for both
    tight = substitution(f, 0, 0.3, DisruptionRule(spare_share=0.1, shared_capacity=False))
    assert tight["replacement"][:, 1].sum() == pytest.approx(12.0)
    assert tight["shortfall"][1] == pytest.approx(18.0)


def test_water_filling_moves_overflow_to_uncapped_suppliers():
    f = np.zeros((4, 4))
    f[0, 1], f[2, 1], f[2, 3], f[3, 1], f[3, 2] = 100, 50, 10, 50, 1000
    out = substitution(f, 0, 0.2, DisruptionRule(spare_share=0.5, shared_capacity=False))
    # requests 10 each; supplier 2 capped at 5, the other 5 goes to supplier 3
    assert out["replacement"][2, 1] == pytest.approx(5.0)
    assert out["replacement"][3, 1] == pytest.approx(15.0)


def test_sole_supplier_gets_nothing_with_importer_weights():
    flows = pd.DataFrame({"product": ["p", "p"], "exporter": ["CHN", "USA"],
                          "importer": ["VNM", "THA"], "value_usd": [100.0, 500.0]})
    table, _ = disruption_losses(flows, "CHN", 0.5)
    assert table.loc[0, "net_shortfall_usd"] == pytest.approx(50.0)
    world, repl = disruption_losses(flows, "CHN", 0.5, DisruptionRule(weights="world"))
    assert world.loc[0, "replacement_usd"] == pytest.approx(50.0)  # 10% of USA's 500
    assert repl.loc[0, "supplier"] == "USA"


def test_bad_inputs():
    with pytest.raises(InputError, match="cut"):
        substitution(np.zeros((2, 2)), 0, 1.5)
    with pytest.raises(InputError, match="square"):
        substitution(np.zeros((2, 3)), 0, 0.5)
    with pytest.raises(InputError, match="weights"):
        DisruptionRule(weights="size").checked()


matrices = st.integers(2, 6).flatmap(lambda n: arrays(
    float, (n, n), elements=st.one_of(st.just(0.0), st.floats(0, 1e6))))


@settings(max_examples=150, deadline=None)
@given(f=matrices, cut=st.floats(0, 1), spare=st.floats(0, 1), shared=st.booleans(),
       weights=st.sampled_from(["importer", "world"]))
def test_disruption_invariants(f, cut, spare, shared, weights):
    rule = DisruptionRule(spare, weights, shared)
    out = substitution(f, 0, cut, rule)
    tol = 1e-6 * max(1.0, f.sum())
    received = out["replacement"].sum(axis=0)
    assert (out["shortfall"] >= -tol).all()
    assert (out["shortfall"] <= out["loss"] + tol).all()          # net shortfall <= direct loss
    assert (received <= out["loss"] + tol).all()                  # never replaces more than lost
    assert (out["replacement"] <= out["capacity"] + tol).all()    # within each pair's capacity
    g = f.copy()
    np.fill_diagonal(g, 0)
    assert (out["replacement"].sum(axis=1) <= spare * g.sum(axis=1) + tol).all() or not shared
    zero = substitution(f, 0, 0.0, rule)
    assert zero["loss"].sum() == 0 and zero["shortfall"].sum() == 0


@settings(max_examples=100, deadline=None)
@given(f=matrices, low=st.floats(0, 1), high=st.floats(0, 1), spare=st.floats(0, 1),
       shared=st.booleans())
def test_shortfall_and_loss_monotone_in_cut(f, low, high, spare, shared):
    low, high = sorted((low, high))
    rule = DisruptionRule(spare, "importer", shared)
    a, b = substitution(f, 0, low, rule), substitution(f, 0, high, rule)
    tol = 1e-6 * max(1.0, f.sum())
    assert (a["loss"] <= b["loss"] + tol).all()
    assert (a["shortfall"] <= b["shortfall"] + tol).all()
