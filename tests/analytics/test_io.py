"""Input-output engine: published worked examples, inoperability cases, invariants and errors."""

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from capcoop.analytics import io
from capcoop.analytics.io_system import IOSystem
from capcoop.errors import InputError
from shared_data import shared_data

PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def small_systems() -> dict:
    return json.loads(shared_data("io", "pymrio_testmrio",
                                  "expected_results_small_systems.json").read_text())


def iim_cases() -> dict:
    return json.loads(shared_data("io", "iim_stigrs", "expected_results.json").read_text())


# --------------------------------------------------------------------------- Miller & Blair


MB_Z = np.array([[150.0, 500.0], [200.0, 100.0]])
MB_X = np.array([1000.0, 2000.0])


def test_miller_blair_chapter2_coefficients_and_inverse():
    """Miller & Blair (2009) ch. 2, Tables 2.3-2.4 (as encoded in pymrio's test suite)."""
    case = small_systems()["miller_blair_2009_ch2"]
    Z, x = np.array(case["Z"]), np.array(case["x"])
    A = io.technical_coefficients(Z, x)
    np.testing.assert_allclose(A, case["A_expected"], atol=1e-12)
    L = io.leontief_inverse(A)
    np.testing.assert_allclose(L, case["L_expected"], atol=1e-8)
    np.testing.assert_allclose(L @ (np.eye(2) - A), np.eye(2), atol=1e-12)


def test_miller_blair_new_final_demand_and_labour():
    """The book's new-demand example: f = (600, 1500) gives x = (1247.5, 1841.6) and labour
    inputs 0.3 and 0.25 per unit give (374.25, 460.4)."""
    case = small_systems()["miller_blair_2009_ch2"]
    A = io.technical_coefficients(np.array(case["Z"]), np.array(case["x"]))
    x_new = io.demand_shock(A, np.array(case["f_new_derived"], dtype=float))
    np.testing.assert_allclose(x_new, case["x_new_expected"], atol=0.05)
    labour = np.array(case["labor_coefficients"]) * x_new
    np.testing.assert_allclose(labour, case["labor_total_expected_for_x_new"], atol=0.02)
    # the same through an explicit L
    L = io.leontief_inverse(A)
    np.testing.assert_allclose(io.demand_shock(None, case["f_new_derived"], leontief=L), x_new,
                               rtol=1e-13)


def test_output_multipliers_are_column_sums_of_L_miller_blair():
    A = io.technical_coefficients(MB_Z, MB_X)
    L = io.leontief_inverse(A)
    # Miller & Blair: output multipliers 1.5182 and 1.4521 for the two sectors
    np.testing.assert_allclose(io.output_multipliers(L), [1.5182, 1.4521], atol=1e-4)


# --------------------------------------------------------------------------- two-region MRIO


def mrio_case():
    case = small_systems()["pymrio_small_mrio_2reg_3sec"]
    Z, Y = np.array(case["Z"]), np.array(case["Y"])
    industries = [(r, s) for r in case["regions"] for s in case["sectors"]]
    system = IOSystem(Z=Z, Y=Y, industries=industries,
                      final_demand=[(r, "final") for r in case["regions"]],
                      F=np.array(case["F_extensions"], dtype=float), stressors=("s1", "s2"),
                      F_Y=np.array(case["F_Y"], dtype=float))
    return case, system


def test_two_region_mrio_A_B_L_G():
    case, system = mrio_case()
    A = io.technical_coefficients(system.Z, system.x)
    np.testing.assert_allclose(A, case["A_expected"], atol=1e-8)
    B = io.ghosh_coefficients(system.Z, system.x)
    np.testing.assert_allclose(B, case["B_ghosh_expected"], atol=1e-8)
    L = io.leontief_inverse(A)
    np.testing.assert_allclose(L, case["L_expected"], rtol=1e-12)
    G = io.ghosh_inverse(B)
    np.testing.assert_allclose(G, case["G_ghosh_inverse_computed"], atol=1e-8)
    np.testing.assert_allclose(io.ghosh_from_leontief(L, system.x), G, rtol=1e-12)
    # x = L y reproduces gross output
    np.testing.assert_allclose(io.demand_shock(A, system.y), system.x, rtol=1e-12)


def test_two_region_stressor_multipliers_reproduce_footprints():
    """M = S L applied to final demand gives back total production-based stressors."""
    _, system = mrio_case()
    table = io.multipliers(system)
    assert list(table.index) == list(system.industries)
    M = table[["s1_multiplier", "s2_multiplier"]].to_numpy().T
    np.testing.assert_allclose((M @ system.y).sum(), system.F.sum(), rtol=1e-12)
    np.testing.assert_allclose(table["output_multiplier"],
                               io.leontief_inverse(io.technical_coefficients(system.Z, system.x))
                               .sum(axis=0), rtol=1e-14)


def test_value_added_multipliers_sum_to_one_in_a_balanced_table():
    _, system = mrio_case()  # V is the residual x - colsum(Z), so the table balances
    table = io.multipliers(system)
    np.testing.assert_allclose(table["value_added_multiplier"], 1.0, rtol=1e-12)


def test_type1_income_multiplier_miller_blair_definition():
    V = np.array([[300.0, 500.0], [50.0, 900.0]])  # compensation, other value added
    system = IOSystem(Z=MB_Z, Y=np.array([[350.0], [1700.0]]), industries=[("r", "a"), ("r", "b")],
                      final_demand=[("r", "f")], V=V, factors=("compensation", "other"))
    table = io.multipliers(system, income_factor="Compensation")
    h = V[0] / MB_X
    L = io.leontief_inverse(io.technical_coefficients(MB_Z, MB_X))
    np.testing.assert_allclose(table["income_multiplier_type1"], (h @ L) / h, rtol=1e-14)
    np.testing.assert_allclose(table["compensation_multiplier"], h @ L, rtol=1e-14)
    assert (table["income_multiplier_type1"] >= 1).all()


def test_supply_shock_matches_ghosh_inverse():
    _, system = mrio_case()
    B = io.ghosh_coefficients(system.Z, system.x)
    G = io.ghosh_inverse(B)
    dv = np.array([-1.0, 0, 0, 2.0, 0, 0])
    np.testing.assert_allclose(io.supply_shock(B, dv), dv @ G, rtol=1e-12)
    np.testing.assert_allclose(io.supply_shock(None, dv, ghosh=G), dv @ G, rtol=1e-12)
    # x' = v' G reproduces gross output from value added
    v = system.value_added()[0]
    np.testing.assert_allclose(io.supply_shock(B, v), system.x, rtol=1e-12)


# --------------------------------------------------------------------------- inoperability


def _read_case(name: str) -> pd.DataFrame:
    return pd.read_csv(shared_data("io", "iim_stigrs", name))


@pytest.mark.parametrize("name", ["test_case1", "test_case2", "test_case3"])
def test_inoperability_literature_cases(name):
    """Haimes & Jiang (2001) and follow-ups, as tested in stigrs/iim."""
    case = iim_cases()[name]
    A_star = _read_case(case["file"])
    c = np.zeros(len(A_star.columns))
    c[list(A_star.columns).index(case["perturbed_sector"])] = case["c_star"]
    result = io.inoperability(A_star.to_numpy(), c)
    np.testing.assert_allclose(result.q, case["q_expected"], atol=case["tolerance"])
    np.testing.assert_allclose(result.q_raw, case["q_unclipped_computed"], atol=1e-6)
    assert ((result.q >= 0) & (result.q <= 1)).all()


def test_inoperability_case4_coefficients_and_supply_side_matrix():
    """Xu et al. (2011): A = Z/x (eq. 31); the supply-side interdependency matrix is Aᵀ (eq. 34)."""
    case = iim_cases()["test_case4"]
    table = _read_case(case["file"]).to_numpy(dtype=float)
    Z, x = table[:-1], table[-1]
    A = io.technical_coefficients(Z, x)
    np.testing.assert_allclose(A, case["A_tech_coeff_expected_Xu2011_eq31"], atol=case["tolerance"])
    np.testing.assert_allclose(A.T, case["interdependency_matrix_supply_side_expected_Xu2011_eq34"],
                               atol=case["tolerance"])


def test_inoperability_loss_equals_leontief_shock():
    """x̂ q with A* = x̂⁻¹ A x̂ and c* = x̂⁻¹ Δy is exactly L Δy (unclipped)."""
    _, system = mrio_case()
    A = io.technical_coefficients(system.Z, system.x)
    dy = np.array([0.0, 0.0, -3.0, 0.0, -1.0, 0.0])
    result = io.inoperability(io.interdependency_matrix(A, system.x), -dy / system.x,
                              x=system.x, cap=False)
    np.testing.assert_allclose(result.loss, -io.demand_shock(A, dy), rtol=1e-12)
    assert result.total_loss == pytest.approx(-io.demand_shock(A, dy).sum())


# --------------------------------------------------------------------------- capacity cut


def test_capacity_cut_mixed_model_fixes_the_cut_and_matches_the_reduced_system():
    _, system = mrio_case()
    result = io.capacity_cut(system, region="reg1", sector="sector2", cut=0.3, weeks=8)
    table = result.table
    k = system.position("reg1", "sector2")
    assert table["output"].iloc[k] == pytest.approx(0.7 * system.x[k])
    assert table["loss"].iloc[k] == pytest.approx(0.3 * system.x[k] * 8 / 52)
    # every other industry: the Leontief shock of the cut industry's lost purchases, with the
    # cut industry's own output held fixed (solve the full system with that constraint)
    A = io.technical_coefficients(system.Z, system.x)
    rest = np.arange(system.n) != k
    dx = table["output"].to_numpy() - system.x
    np.testing.assert_allclose(dx[rest], (A @ dx)[rest], atol=1e-12)  # y unchanged for the rest
    assert (table["loss"] >= 0).all()
    assert table["shocked"].sum() == 1 and result.model == "mixed"


def test_capacity_cut_is_monotone_in_size():
    _, system = mrio_case()
    small = io.capacity_cut(system, region="reg2", sector="sector1", cut=0.1).table["loss"]
    big = io.capacity_cut(system, region="reg2", sector="sector1", cut=0.5).table["loss"]
    assert (big >= small - 1e-12).all() and big.sum() > small.sum()
    np.testing.assert_allclose(big, 5 * small, rtol=1e-12)  # the mixed model is linear


def test_capacity_cut_ghosh_model_propagates_downstream():
    _, system = mrio_case()
    result = io.capacity_cut(system, {("reg1", "sector3"): 0.5}, model="ghosh")
    B = io.ghosh_coefficients(system.Z, system.x)
    dv = np.zeros(system.n)
    k = system.position("reg1", "sector3")
    dv[k] = -0.5 * system.value_added()[0, k]
    np.testing.assert_allclose(result.table["output"] - system.x, io.supply_shock(B, dv),
                               atol=1e-12)
    L = io.leontief_inverse(io.technical_coefficients(system.Z, system.x))
    same = io.capacity_cut(system, {("reg1", "sector3"): 0.5}, model="ghosh", leontief=L)
    np.testing.assert_allclose(same.table["loss"], result.table["loss"], rtol=1e-10)


@pytest.mark.parametrize("kwargs, message", [
    ({"region": "reg9", "sector": "sector1", "cut": 0.3}, "unknown region 'reg9'"),
    ({"region": "reg1", "sector": "steel", "cut": 0.3}, "unknown sector 'steel'"),
    ({"region": "reg1", "sector": "sector1", "cut": 1.5}, "not a share"),
    ({"region": "reg1", "sector": "sector1", "cut": 0.3, "model": "cge"}, "unknown capacity-cut"),
    ({"region": "reg1", "sector": "sector1", "cut": 0.3, "weeks": 0}, "weeks must be positive"),
    ({}, "no capacity cut"),
])
def test_capacity_cut_bad_input(kwargs, message):
    _, system = mrio_case()
    with pytest.raises(InputError, match=message):
        io.capacity_cut(system, **kwargs)


def test_capacity_cut_labels_match_case_insensitively():
    _, system = mrio_case()
    assert system.position("REG2", "Sector3") == 5


# --------------------------------------------------------------------------- bad input


def test_non_productive_system_is_rejected():
    A = np.array([[0.6, 0.5], [0.5, 0.6]])  # spectral radius 1.1
    with pytest.raises(InputError, match="not productive.*spectral radius 1.1"):
        io.leontief_inverse(A)
    with pytest.raises(InputError, match="not productive"):
        io.demand_shock(A, [1.0, 0.0])
    assert not io.is_productive(A)
    assert io.is_productive(A * 0.8)


def test_singular_system_is_rejected():
    A = np.array([[1.0, 0.0], [0.2, 0.3]])  # I - A has a zero column
    with pytest.raises(InputError, match="singular"):
        io.leontief_inverse(A)


def test_non_square_and_negative_output_are_rejected():
    with pytest.raises(InputError, match="square"):
        io.technical_coefficients(np.ones((2, 3)), [1.0, 1.0, 1.0])
    with pytest.raises(InputError, match="gross output -5"):
        io.technical_coefficients(np.ones((2, 2)), [10.0, -5.0])
    with pytest.raises(InputError, match="Z must be square"):
        IOSystem(Z=np.ones((2, 3)), Y=np.ones((2, 1)), industries=[("r", "a"), ("r", "b")],
                 final_demand=[("r", "f")])
    with pytest.raises(InputError, match="dy has shape"):
        io.demand_shock(np.zeros((2, 2)), [1.0, 2.0, 3.0])


def test_zero_output_industry_gets_zero_coefficients():
    Z = np.array([[1.0, 0.0, 2.0], [0.0, 0.0, 0.0], [3.0, 0.0, 1.0]])
    x = np.array([10.0, 0.0, 20.0])
    A = io.technical_coefficients(Z, x)
    assert np.all(A[:, 1] == 0) and np.all(io.ghosh_coefficients(Z, x)[1] == 0)
    L = io.leontief_inverse(A)
    assert L[1, 1] == 1.0 and np.all(L[1, [0, 2]] == 0)


def test_negative_coefficients_use_the_spectral_radius():
    A = np.array([[0.2, -0.1], [0.3, 0.4]])
    L = io.leontief_inverse(A)
    np.testing.assert_allclose(L @ (np.eye(2) - A), np.eye(2), atol=1e-14)
    with pytest.raises(InputError, match="not productive"):
        io.leontief_inverse(np.array([[1.2, -0.1], [0.0, 0.1]]))


# --------------------------------------------------------------------------- properties


@st.composite
def productive_systems(draw, max_n=9):
    """Random sparse non-negative flows with positive value added (column sums of A < 1) and
    non-negative final demand (x ≥ row sums of Z)."""
    n = draw(st.integers(1, max_n))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    Z = np.exp(rng.normal(3, 2, (n, n))) * (rng.random((n, n)) < draw(st.floats(0.2, 1.0)))
    va_share = draw(st.floats(0.02, 0.9))
    x = np.maximum(Z.sum(axis=0) / (1 - va_share), Z.sum(axis=1)) + rng.random(n)
    return Z, x


@PROPERTY
@given(productive_systems())
def test_leontief_inverse_invariants(system):
    Z, x = system
    A = io.technical_coefficients(Z, x)
    L = io.leontief_inverse(A)
    n = len(x)
    np.testing.assert_allclose(L @ (np.eye(n) - A), np.eye(n), atol=1e-9)
    assert np.all(L >= np.eye(n) - 1e-12)  # L = I + A + A² + … ≥ I
    assert np.all(io.output_multipliers(L) >= 1 - 1e-12)
    G = io.ghosh_inverse(io.ghosh_coefficients(Z, x))
    np.testing.assert_allclose(G, io.ghosh_from_leontief(L, x), rtol=1e-7, atol=1e-9)


@PROPERTY
@given(productive_systems(), st.integers(0, 2**32 - 1), st.floats(-3, 3))
def test_shocks_are_linear(system, seed, scale):
    Z, x = system
    A = io.technical_coefficients(Z, x)
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=len(x)), rng.normal(size=len(x))
    both = io.demand_shock(A, a + scale * b)
    np.testing.assert_allclose(both, io.demand_shock(A, a) + scale * io.demand_shock(A, b),
                               rtol=1e-8, atol=1e-8 * np.abs(both).max())
    stacked = io.demand_shock(A, np.column_stack([a, b]))
    np.testing.assert_allclose(stacked[:, 1], io.demand_shock(A, b), rtol=1e-10, atol=1e-12)


@PROPERTY
@given(productive_systems(), st.integers(0, 2**32 - 1))
def test_results_are_permutation_equivariant(system, seed):
    Z, x = system
    rng = np.random.default_rng(seed)
    p = rng.permutation(len(x))
    A = io.technical_coefficients(Z, x)
    Ap = io.technical_coefficients(Z[np.ix_(p, p)], x[p])
    np.testing.assert_allclose(Ap, A[np.ix_(p, p)], rtol=1e-15)
    np.testing.assert_allclose(io.leontief_inverse(Ap), io.leontief_inverse(A)[np.ix_(p, p)],
                               rtol=1e-8, atol=1e-10)
    dy = rng.normal(size=len(x))
    np.testing.assert_allclose(io.demand_shock(Ap, dy[p]), io.demand_shock(A, dy)[p],
                               rtol=1e-8, atol=1e-8)


@PROPERTY
@given(productive_systems(), st.integers(0, 2**32 - 1), st.floats(0.01, 1.0))
def test_capacity_cut_losses_are_non_negative_and_bounded(system, seed, cut):
    Z, x = system
    n = len(x)
    sys_ = IOSystem(Z=Z, Y=np.zeros((n, 0)), x=x, industries=[("r", f"s{i}") for i in range(n)],
                    final_demand=[])
    k = int(np.random.default_rng(seed).integers(n))
    table = io.capacity_cut(sys_, region="r", sector=f"s{k}", cut=cut).table
    assert (table["loss"] >= 0).all()
    # with final demand >= 0 nobody upstream loses a larger share than the cut industry
    assert (table["loss_share"] <= cut + 1e-9).all()
