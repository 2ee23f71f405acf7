"""The opportunity engine: contributions, the environmental penalty, viability, row order."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from capcoop.analytics import opportunities as opp
from capcoop.errors import InputError

COLUMNS = ("provider_scale", "provider_rca", "provider_growth", "provider_surplus",
           "host_absorption", "host_growth", "infra_gap", "export_potential", "density",
           "sophistication", "emission_intensity", "stage_fit")
positive = st.floats(0.01, 1e6, allow_nan=False)


@st.composite
def candidate_frames(draw, min_size=4, max_size=30):
    n = draw(st.integers(min_size, max_size))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    frame = pd.DataFrame({
        "provider_scale": rng.lognormal(5, 2, n), "provider_rca": rng.lognormal(0, 1, n),
        "provider_growth": rng.normal(5, 5, n), "provider_surplus": rng.normal(0, 3, n),
        "host_absorption": rng.lognormal(5, 2, n), "host_growth": rng.normal(4, 4, n),
        "infra_gap": rng.uniform(0, 1, n), "export_potential": rng.lognormal(3, 2, n),
        "density": rng.uniform(0, 1, n), "sophistication": rng.lognormal(9, 0.5, n),
        "emission_intensity": rng.lognormal(-1, 1, n), "stage_fit": -rng.uniform(0, 2, n),
        "tags": rng.choice(["", "ict_digital", "renewable_energy;infrastructure"], n)},
        index=[f"a{i:02d}" for i in range(n)])
    return frame


def _scen(**weights) -> opp.Scenario:
    return opp.scenario("balanced").with_weights(weights)


@settings(max_examples=60, deadline=None)
@given(candidate_frames(), st.floats(0, 1))
def test_contributions_add_up_to_the_score(frame, burden):
    table = opp.score_opportunities(frame, _scen(), pollution=burden).table
    parts = table[[f"{k}_contribution" for k in opp.COMPONENTS]].sum(axis=1)
    np.testing.assert_allclose(parts, table["score"], rtol=0, atol=1e-12)
    for k in opp.COMPONENTS:
        np.testing.assert_allclose(table[f"{k}_z"] * table[f"{k}_weight"],
                                   table[f"{k}_contribution"], atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(candidate_frames(), st.floats(0, 0.5), st.floats(0.01, 2.0))
def test_a_heavier_environmental_weight_never_lifts_a_dirtier_area(frame, w, extra):
    before = opp.score_opportunities(frame, _scen(environment=w)).table
    after = opp.score_opportunities(frame, _scen(environment=w + extra)).table
    rank0, rank1 = before["rank"], after["rank"]
    intensity = frame["emission_intensity"]
    for a in frame.index:
        for b in frame.index:
            if intensity[a] > intensity[b] and rank0[a] > rank0[b]:
                assert rank1[a] > rank1[b], (a, b)


@settings(max_examples=60, deadline=None)
@given(candidate_frames(min_size=10), st.data())
def test_no_demand_and_no_feasibility_never_in_the_top_decile(frame, data):
    dead = data.draw(st.sampled_from(list(frame.index)))
    frame = frame.copy()
    frame.loc[dead, ["host_absorption", "density", "export_potential"]] = 0.0
    frame.loc[dead, ["provider_scale", "provider_rca"]] = 1e9  # everything else excellent
    frame.loc[dead, "tags"] = "ict_digital"
    table = opp.score_opportunities(frame, _scen()).table
    assert table.loc[dead, "rank"] > math.ceil(len(frame) / 10)
    assert not table.loc[dead, "viable"]


@settings(max_examples=40, deadline=None)
@given(candidate_frames(), st.integers(0, 1000))
def test_invariant_to_row_order(frame, seed):
    shuffled = frame.sample(frac=1.0, random_state=seed)
    a = opp.score_opportunities(frame, _scen())
    b = opp.score_opportunities(shuffled, _scen())
    pd.testing.assert_frame_equal(a.table, b.table)
    pa = opp.weight_sensitivity(a, draws=30, seed=3, top_n=3)
    pb = opp.weight_sensitivity(b, draws=30, seed=3, top_n=3)
    pd.testing.assert_series_equal(pa, pb)


def test_known_answer_two_components():
    """Hand computation: only demand and feasibility vary."""
    frame = pd.DataFrame({"host_absorption": [math.e - 1, math.e ** 2 - 1, math.e ** 3 - 1],
                          "density": [0.4, 0.1, 0.2]}, index=["x", "y", "z"])
    scen = opp.Scenario("t", "", {k: 0.0 for k in opp.COMPONENTS} |
                        {"demand": 1.0, "feasibility": 0.5}, infrastructure_uplift=0.0)
    table = opp.score_opportunities(frame, scen).table
    zd = np.array([-1, 0, 1]) * math.sqrt(1.5)  # ln(1 + a) = 1, 2, 3
    mean, sd = 0.7 / 3, math.sqrt(((0.4 - 0.7 / 3) ** 2 + (0.1 - 0.7 / 3) ** 2
                                   + (0.2 - 0.7 / 3) ** 2) / 3)
    zf = (np.array([0.4, 0.1, 0.2]) - mean) / sd
    expected = pd.Series(zd + 0.5 * zf, index=["x", "y", "z"])
    np.testing.assert_allclose(table["score"].loc[expected.index], expected)
    assert list(table.index) == ["z", "y", "x"]  # x -0.557 < y -0.535 < z 1.091


def test_environmental_weight_is_negative_and_scaled_by_burden():
    weights = opp.effective_weights(opp.scenario("low-carbon"), burden=0.5)
    assert weights["environment"] == pytest.approx(-0.30 * 2.0 * 1.5)


def test_strategic_boost_is_centred_not_scaled():
    frame = pd.DataFrame({"host_absorption": [1.0, 2.0, 3.0, 4.0],
                          "tags": ["ict_digital", "", "", ""]}, index=list("abcd"))
    z = opp.score_opportunities(frame, opp.scenario("green-and-digital")).z["strategic"]
    assert z.loc["a"] == pytest.approx(1.5 - 1.5 / 4) and z.loc["b"] == pytest.approx(-0.375)


def test_sensitivity_is_seeded_and_bounded():
    frame = pd.DataFrame({"host_absorption": [10.0, 11.0, 1000.0], "density": [0.5, 0.4, 0.1]},
                         index=list("abc"))
    ranking = opp.score_opportunities(frame, _scen())
    p1 = opp.weight_sensitivity(ranking, draws=100, seed=1, top_n=1)
    p2 = opp.weight_sensitivity(ranking, draws=100, seed=1, top_n=1)
    pd.testing.assert_series_equal(p1, p2)
    assert p1.sum() == pytest.approx(1.0) and ((p1 >= 0) & (p1 <= 1)).all()
    assert opp.weight_sensitivity(ranking, draws=10, sigma=0.0, top_n=1).iloc[0] == 1.0


def test_scenarios_are_data_and_complete():
    presets = opp.scenarios()
    assert {"balanced", "infrastructure-first", "green-and-digital", "low-carbon"} <= set(presets)
    for scen in presets.values():
        assert set(scen.weights) == set(opp.COMPONENTS)
        assert sum(scen.weights.values()) == pytest.approx(1.0)
    assert presets["infrastructure-first"].infrastructure_uplift > \
        presets["balanced"].infrastructure_uplift


@pytest.mark.parametrize("text,match", [("foo=1", "unknown weight 'foo'"),
                                        ("demand=-1", "must be a finite number >= 0"),
                                        ("demand", "name=value"), ("demand=x", "not a number")])
def test_bad_weights_are_refused(text, match):
    with pytest.raises(InputError, match=match):
        opp.parse_weights(text)


def test_bad_inputs():
    with pytest.raises(InputError, match="unknown scenario 'greenest'"):
        opp.scenario("greenest")
    with pytest.raises(InputError, match="no candidate"):
        opp.score_opportunities(pd.DataFrame(), _scen())
    with pytest.raises(InputError, match="repeat"):
        opp.score_opportunities(pd.DataFrame({"density": [1, 2]}, index=["a", "a"]), _scen())


def test_infrastructure_gaps_and_burden_known_values():
    gaps = opp.infrastructure_gaps({"EG.ELC.ACCS.ZS": 100.0, "EG.USE.ELEC.KH.PC": 2500.0,
                                    "LP.LPI.OVRL.XQ": 3.0, "IS.RRS.TOTL.KM": 300.0,
                                    "SP.POP.TOTL": 1e6, "EN.POP.DNST": 100.0})
    # power: mean(0, 0.5); transport: mean(0.5, 1 - (300 / 10) / 30 = 0)
    assert gaps == {"power": 0.25, "transport": 0.25, "construction": 0.0}
    assert opp.pollution_burden(None, None) == 0.0
    assert opp.pollution_burden(70.0, None) == 1.0
