"""Agreement with pymrio (the reference Python IO library) on its test MRIO, to 1e-9."""

import warnings

import numpy as np
import pandas as pd
import pytest

from capcoop.analytics import io
from capcoop.analytics.io_system import IOSystem
from shared_data import shared_data

pymrio = pytest.importorskip("pymrio")

TOL = 1e-9


def _read(name: str) -> pd.DataFrame:
    """pymrio's text layout: tab-separated, 3 index columns (region, sector, unit), 2 header rows."""
    path = shared_data("io", "pymrio_testmrio", "test_mrio", name)
    return pd.read_csv(path, sep="\t", index_col=[0, 1, 2], header=[0, 1])


@pytest.fixture(scope="module")
def both():
    Z, Y = _read("trade_flows_Z.txt"), _read("finald_demand_Y.txt")
    F = pd.read_csv(shared_data("io", "pymrio_testmrio", "test_mrio", "emissions.txt"), sep="\t",
                    index_col=[0, 1, 2], header=[0, 1])
    V = pd.read_csv(shared_data("io", "pymrio_testmrio", "test_mrio", "factor_input.txt"),
                    sep="\t", index_col=[0, 1], header=[0, 1])
    industries = pd.MultiIndex.from_tuples([idx[:2] for idx in Z.index])
    system = IOSystem(Z=Z.to_numpy(), Y=Y.to_numpy(), industries=industries,
                      final_demand=pd.MultiIndex.from_tuples(list(Y.columns)),
                      F=F.to_numpy(), stressors=tuple(i[0] for i in F.index),
                      stressor_units=tuple(i[2] for i in F.index),
                      V=V.to_numpy(), factors=tuple(i[0] for i in V.index), name="pymrio-test")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mrio = pymrio.load_test().calc_all()
    return system, mrio


def max_rel_diff(a, b) -> float:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    size = np.maximum(np.abs(a), np.abs(b))
    counted = size > 1e-300
    return float((np.abs(a - b)[counted] / size[counted]).max()) if counted.any() else 0.0


def test_same_table_as_pymrio(both):
    system, mrio = both
    assert list(system.industries) == list(mrio.Z.index)
    assert max_rel_diff(system.Z, mrio.Z) == 0.0
    assert max_rel_diff(system.x, mrio.x.to_numpy().ravel()) < TOL


def test_A_L_and_ghosh_agree_with_pymrio(both):
    system, mrio = both
    A = io.technical_coefficients(system.Z, system.x)
    assert max_rel_diff(A, mrio.A) < TOL
    L = io.leontief_inverse(A)
    assert max_rel_diff(L, mrio.L) < TOL
    B = io.ghosh_coefficients(system.Z, system.x)
    assert max_rel_diff(B, pymrio.calc_B(mrio.Z, mrio.x)) < TOL
    G = pymrio.calc_G(pymrio.calc_B(mrio.Z, mrio.x))
    assert max_rel_diff(io.ghosh_inverse(B), G) < TOL


def test_multipliers_agree_with_pymrio(both):
    system, mrio = both
    table = io.multipliers(system)
    assert max_rel_diff(table["output_multiplier"], mrio.L.sum(axis=0)) < TOL
    M = mrio.emissions.M  # pymrio: M = S L for the satellite account
    for stressor, name in zip(system.stressors, M.index, strict=True):
        assert stressor == (name[0] if isinstance(name, tuple) else name)
        column = "_".join(stressor.lower().replace("-", " ").split()) + "_multiplier"
        assert max_rel_diff(table[column], M.loc[name].to_numpy().ravel()) < TOL
    va = mrio.factor_inputs.M
    assert max_rel_diff(table["value_added_multiplier"], va.to_numpy().ravel()) < TOL


def test_final_demand_shock_agrees_with_pymrio(both):
    system, mrio = both
    rng = np.random.default_rng(7)
    dy = rng.normal(0, 1, system.n) * system.y * 0.1  # ±10 % of each industry's final demand
    ours = io.demand_shock(io.technical_coefficients(system.Z, system.x), dy)
    theirs = pymrio.calc_x_from_L(mrio.L, pd.Series(dy, index=mrio.L.index))
    assert max_rel_diff(ours, np.asarray(theirs).ravel()) < TOL
    # and a whole scenario: pymrio's x for a new Y equals ours
    Y_new = mrio.Y * 1.05
    x_new = pymrio.calc_x_from_L(mrio.L, Y_new.sum(axis=1))
    assert max_rel_diff(io.demand_shock(None, system.y * 1.05, leontief=io.leontief_inverse(
        io.technical_coefficients(system.Z, system.x))), np.asarray(x_new).ravel()) < TOL
