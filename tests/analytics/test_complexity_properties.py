"""Invariants of the complexity measures, checked with Hypothesis on random export matrices."""

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from capcoop.analytics.complexity import economic_complexity
from capcoop.analytics.proximity import ProximityOperator, proximity_array
from capcoop.errors import InputError

PROPERTY = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])


@st.composite
def export_matrices(draw, max_locations=9, max_products=12):
    """Lognormal flows (sizes spread over orders of magnitude) with a share of zeros."""
    n_c = draw(st.integers(3, max_locations))
    n_p = draw(st.integers(3, max_products))
    seed = draw(st.integers(0, 2**32 - 1))
    zeros = draw(st.floats(0.0, 0.6))
    rng = np.random.default_rng(seed)
    sizes = rng.normal(0, 1.5, (n_c, 1)) + rng.normal(0, 1.0, (1, n_p))
    values = np.round(np.exp(8 + sizes + rng.normal(0, 1.5, (n_c, n_p))))
    values *= rng.random((n_c, n_p)) >= zeros
    return pd.DataFrame(values, index=[f"c{i}" for i in range(n_c)],
                        columns=[f"p{j:02d}" for j in range(n_p)])


def computed(x: pd.DataFrame, **options):
    try:
        return economic_complexity(x, **options)
    except InputError:  # disconnected or rank-one networks: ECI is undefined, checked elsewhere
        assume(False)


@PROPERTY
@given(export_matrices())
def test_eci_is_standardised_the_atlas_way(x):
    r = computed(x)
    eci = r.eci.to_numpy()
    n_c, n_p = r.presence.shape
    assert abs(eci.mean()) < 1e-9
    # sd over the n_c × n_p location-product rows, ddof 1 (Stata `summarize`)
    assert abs(np.sqrt(n_p * (eci ** 2).sum() / (n_c * n_p - 1)) - 1) < 1e-9
    coi = r.coi.to_numpy()
    assert abs(coi.mean()) < 1e-9


@PROPERTY
@given(export_matrices())
def test_eci_sign_correlates_positively_with_diversity(x):
    r = computed(x)
    assume(np.ptp(r.diversity) > 0)
    rho = np.corrcoef(r.diversity, r.eci)[0, 1]
    assert rho > -1e-9  # > 0 unless ECI is uncorrelated with diversity (a documented tie rule)


@PROPERTY
@given(export_matrices(), st.sampled_from(["symmetric", "asymmetric"]))
def test_density_is_a_share_and_cog_vanishes_where_present(x, kind):
    r = computed(x, proximity=kind)
    dens = r.density.to_numpy()
    assert (dens >= -1e-12).all() and (dens <= 1 + 1e-12).all()
    assert (r.cog.to_numpy()[r.presence.to_numpy() == 1] == 0).all()
    assert not r.eci.isna().any() and not r.pci.isna().any()


def _second_eigen_gap(m):
    """Gap between the 2nd and 3rd largest eigenvalues of M̃ (ECI's eigenproblem)."""
    m = m[m.sum(axis=1) > 0][:, m.sum(axis=0) > 0]
    a = m / np.sqrt(m.sum(axis=1))[:, None] / np.sqrt(m.sum(axis=0))[None, :]
    values = np.sort(np.linalg.eigvalsh(a @ a.T))[::-1]
    return values[1] - values[2] if len(values) > 2 else np.inf


@PROPERTY
@given(export_matrices(), st.data())
def test_permuting_rows_and_columns_permutes_results(x, data):
    r = computed(x)
    # With a repeated second eigenvalue the ECI eigenvector is not unique (any vector of the
    # eigenspace is valid), so only well-posed matrices must permute exactly.
    assume(_second_eigen_gap(r.presence.loc[r.eci.index, r.pci.index].to_numpy()) > 1e-6)
    rows = data.draw(st.permutations(list(x.index)))
    cols = data.draw(st.permutations(list(x.columns)))
    p = computed(x.loc[rows, cols])
    for name in ("eci", "diversity", "coi"):
        np.testing.assert_allclose(getattr(p, name)[r.eci.index], getattr(r, name), atol=1e-9)
    for name in ("pci", "ubiquity"):
        np.testing.assert_allclose(getattr(p, name)[r.pci.index], getattr(r, name), atol=1e-9)
    for name in ("rca", "presence", "density", "cog"):
        np.testing.assert_allclose(getattr(p, name).loc[r.eci.index, r.pci.index],
                                   getattr(r, name), atol=1e-9)


@PROPERTY
@given(export_matrices())
def test_eci_is_the_average_pci_of_present_products(x):
    r = computed(x)
    m = r.presence.to_numpy()
    np.testing.assert_allclose(m @ r.pci.to_numpy() / m.sum(axis=1), r.eci, atol=1e-9)


@PROPERTY
@given(export_matrices(max_locations=12, max_products=25),
       st.sampled_from(["symmetric", "asymmetric", "continuous"]))
def test_proximity_operator_matches_the_dense_definition(x, kind):
    values = x.to_numpy()
    values = values[values.sum(axis=1) > 0][:, values.sum(axis=0) > 0]
    assume(values.size > 0)
    rca = (values / values.sum(axis=1, keepdims=True)) / (values.sum(axis=0) / values.sum())
    m = (rca > 1).astype(float)
    phi = proximity_array(m, kind=kind, levels=rca)
    op = ProximityOperator(m, kind=kind, levels=rca)
    np.testing.assert_allclose(op.times(rca), rca @ phi, atol=1e-9)
    np.testing.assert_allclose(op.times_transpose(m), m @ phi.T, atol=1e-9)
    np.testing.assert_allclose(op.row_sums(), phi.sum(axis=1), atol=1e-9)
