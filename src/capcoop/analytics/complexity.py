"""Economic complexity: presence, diversity/ubiquity, ECI/PCI, density, COI/COG, fitness.

Pure numerics: DataFrames in, value objects and DataFrames out; nothing here opens a file or
the warehouse. Definitions follow the Growth Lab's Stata package ``ecomplexity`` (Bustos &
Yildirim), the reference behind the Atlas of Economic Complexity; ``convention="py-ecomplexity"``
reproduces the pip package ``ecomplexity`` 0.5.3 instead. The three differences (presence
threshold ``>`` vs ``>=``, proximity diagonal 0 vs 1, standard deviation over location × product
rows vs over locations) are documented in ``docs/methods/complexity.md``.

Glossary (symbols in the maths, names in the API)

=============  ===================================================  =========================
symbol         meaning                                              API name
=============  ===================================================  =========================
``x_cp``       exports of location *c* in product *p*               ``exports``
``RCA_cp``     Balassa index                                        ``rca``
``RPOP_cp``    exports per capita relative to the world's           ``rpop``
``M_cp``       presence, 1 when ``RCA_cp > threshold``              ``presence`` / ``mcp``
``k_c,0``      diversity, :math:`\\sum_p M_{cp}`                    ``diversity``
``k_p,0``      ubiquity, :math:`\\sum_c M_{cp}`                     ``ubiquity``
``ECI, PCI``   economic / product complexity index                  ``eci``, ``pci``
``φ``          product proximity (P × P)                            ``proximity``
``ω_cp``       density                                              ``density``
``COI, COG``   complexity outlook index / gain                      ``coi``, ``cog``
``F_c, Q_p``   fitness and complexity (Tacchella et al. 2012)       ``fitness_complexity``
=============  ===================================================  =========================

Locations and products whose total is zero (or not positive) are left out of a year, as Stata
does; they are reported in ``excluded_locations`` / ``excluded_products`` and not output.
Long tables with several periods: :func:`capcoop.analytics.complexity_panel.complexity_table`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import linalg, sparse
from scipy.sparse import csgraph

from capcoop.analytics.indicators import _preview, align, check_matrix
from capcoop.analytics.proximity import (
    PROXIMITY_KINDS,
    ProximityKind,
    ProximityOperator,
    outlook_arrays,
    proximity_array,
    single_blas_thread,
)
from capcoop.errors import InputError

__all__ = ["Convention", "PresenceTest", "CONVENTIONS", "PRESENCE_TESTS", "OUTPUT_COLUMNS",
           "ComplexityResult", "presence_matrix", "revealed_per_capita_advantage", "eci_pci",
           "fitness_complexity", "economic_complexity"]

Convention = Literal["stata", "py-ecomplexity"]
PresenceTest = Literal["rca", "rpop", "both"]
CONVENTIONS: tuple[str, ...] = ("stata", "py-ecomplexity")
PRESENCE_TESTS: tuple[str, ...] = ("rca", "rpop", "both")
#: Columns of the long output, after the keys (``rpop`` only with a population test,
#: ``rca`` not when the presence matrix is supplied).
OUTPUT_COLUMNS: tuple[str, ...] = ("rca", "mcp", "eci", "pci", "diversity", "ubiquity",
                                   "density", "coi", "cog")


@dataclass(frozen=True)
class _Rules:
    """What distinguishes the two conventions."""

    inclusive: bool  # M = RCA >= t (pip) instead of RCA > t (Stata)
    self_proximity: float  # φ_pp: 0 (Stata subtracts I) or 1 (pip)
    long_sd: bool  # sd over the C × P rows with ddof 1 (Stata `summarize`) or over C, ddof 0


_RULES = {"stata": _Rules(False, 0.0, True), "py-ecomplexity": _Rules(True, 1.0, False)}


@dataclass(frozen=True)
class _Settings:
    rca_threshold: float = 1.0
    presence_test: str = "rca"
    rpop_threshold: float = 1.0
    proximity: str = "symmetric"
    convention: str = "stata"

    def validate(self) -> _Rules:
        for name, value, allowed in (("presence_test", self.presence_test, PRESENCE_TESTS),
                                     ("proximity", self.proximity, PROXIMITY_KINDS),
                                     ("convention", self.convention, CONVENTIONS)):
            if value not in allowed:
                raise InputError(f"{name}={value!r} is not supported; expected one of "
                                 f"{', '.join(repr(a) for a in allowed)}")
        for name, value in (("rca_threshold", self.rca_threshold),
                            ("rpop_threshold", self.rpop_threshold)):
            if not (isinstance(value, (int, float)) and np.isfinite(value) and value >= 0):
                raise InputError(f"{name}={value!r} must be a finite number >= 0 (1 is standard)")
        return _RULES[self.convention]


@dataclass
class _Solution:
    """One year's arrays; rows/cols index the kept labels of the input matrix."""

    rows: np.ndarray
    cols: np.ndarray
    rca: np.ndarray | None
    rpop: np.ndarray | None
    presence: np.ndarray
    diversity: np.ndarray
    ubiquity: np.ndarray
    eci: np.ndarray
    pci: np.ndarray
    density: np.ndarray
    coi: np.ndarray
    cog: np.ndarray
    eigenvalue: float


# --------------------------------------------------------------------------- core numerics


def _balassa(x: np.ndarray) -> np.ndarray:
    # RCA_cp = (x_cp / x_c) / (x_p / x)
    return (x / x.sum(axis=1, keepdims=True)) / (x.sum(axis=0) / x.sum())


def _rpop(x: np.ndarray, population: np.ndarray) -> np.ndarray:
    # RPOP_cp = (x_cp / pop_c) / (x_p / Σ_c pop_c)      (Stata complexity_rpop)
    return (x / population[:, None]) / (x.sum(axis=0) / population.sum())


def _above(values: np.ndarray, threshold: float, rules: _Rules) -> np.ndarray:
    return values >= threshold if rules.inclusive else values > threshold


def _presence(x: np.ndarray, population: np.ndarray | None, settings: _Settings, rules: _Rules
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    rca = _balassa(x)
    rpop = _rpop(x, population) if population is not None else None
    if settings.presence_test == "rca":
        present = _above(rca, settings.rca_threshold, rules)
    elif settings.presence_test == "rpop":
        present = _above(rpop, settings.rpop_threshold, rules)
    else:  # Stata rca() + rpop(): present when either test passes
        present = _above(rca, settings.rca_threshold, rules) | \
            _above(rpop, settings.rpop_threshold, rules)
    return present.astype(np.float64), rca, rpop


def _check_connected(m: np.ndarray, rows: pd.Index, cols: pd.Index) -> None:
    n_r, n_c = m.shape
    edges = sparse.csr_matrix(m)
    graph = sparse.bmat([[None, edges], [edges.T, None]], format="csr")
    count, labels = csgraph.connected_components(graph, directed=False)
    if count > 1:
        groups = [[str(rows[i]) for i in np.flatnonzero(labels[:n_r] == g)] for g in range(count)]
        groups = [g for g in groups if g][:2]
        raise InputError(
            f"the presence matrix splits into {count} groups of locations and products that "
            f"share nothing (e.g. [{_preview(groups[0], 4)}] and "
            f"[{_preview(groups[1] if len(groups) > 1 else [], 4)}]); ECI and PCI are not "
            "defined for a disconnected network",
            hint="compute each group separately, or add locations/products that link them")


def _eigen_complexity(m: np.ndarray, rows: pd.Index, cols: pd.Index
                      ) -> tuple[np.ndarray, np.ndarray, float]:
    """Raw ECI/PCI (Stata's kc, kp before standardisation) on a matrix without empty lines."""
    kc, kp = m.sum(axis=1), m.sum(axis=0)
    if m.shape[0] < 2 or m.shape[1] < 2:
        raise InputError(f"ECI needs at least 2 locations and 2 products with M = 1; got "
                         f"{m.shape[0]} × {m.shape[1]}",
                         hint="add locations/products or lower the RCA threshold")
    _check_connected(m, rows, cols)
    # M̃_pp' = Σ_c M_cp M_cp' / (k_c k_p)  (Stata: Mptilde = ((M:/kp0):/kc0)'*M), second
    # eigenvector. Similar to the symmetric A Aᵀ / Aᵀ A with A = D_c^-½ M D_p^-½, so we take the
    # eigenvector of the smaller Gram matrix with a symmetric solver.
    a = m / np.sqrt(kc)[:, None] / np.sqrt(kp)[None, :]
    if m.shape[0] <= m.shape[1]:
        values, vectors = linalg.eigh(a @ a.T, subset_by_index=[m.shape[0] - 2, m.shape[0] - 1])
        u = vectors[:, 0] / np.sqrt(kc)  # eigenvector of M̃_cc
        kp_raw = (m.T @ u) / kp  # kp = D_p⁻¹ Mᵀ u is an eigenvector of M̃_pp
    else:
        values, vectors = linalg.eigh(a.T @ a, subset_by_index=[m.shape[1] - 2, m.shape[1] - 1])
        kp_raw = vectors[:, 0] / np.sqrt(kp)
    kc_raw = (m @ kp_raw) / kc  # Stata: kc = (M:/kc0) * kp
    return (*_orient(kc_raw, kp_raw, kc, kp, rows), float(values[0]))


def _orient(kc_raw: np.ndarray, kp_raw: np.ndarray, diversity: np.ndarray,
            ubiquity: np.ndarray, labels: pd.Index) -> tuple[np.ndarray, np.ndarray]:
    """Sign convention: ECI correlates positively with diversity (Stata's eigensign).

    When that correlation is zero (to rounding) the sign is the one that makes PCI fall with
    ubiquity, and failing that the one that makes the largest |ECI| positive (ties: the first
    label in sorted order), so that the result never depends on the order of the rows.
    """
    for values, raw, want in ((diversity, kc_raw, 1.0), (ubiquity, kp_raw, -1.0)):
        if np.ptp(values) > 0 and np.ptp(raw) > 0:
            rho = np.corrcoef(values, raw)[0, 1]
            if abs(rho) > 1e-9:
                sign = 1.0 if rho * want > 0 else -1.0
                return sign * kc_raw, sign * kp_raw
    size = np.abs(kc_raw)
    largest = np.flatnonzero(size >= size.max() * (1 - 1e-9))
    first = largest[np.argsort(labels[largest].astype(str))[0]]
    sign = 1.0 if kc_raw[first] >= 0 else -1.0
    return sign * kc_raw, sign * kp_raw


def _standardiser(values: np.ndarray, n_products: int, rules: _Rules) -> tuple[float, float]:
    """Mean and sd the Atlas's way: Stata ``summarize`` over the C × P rows (see module doc)."""
    mean = float(values.mean())
    squares = float(((values - mean) ** 2).sum())
    if rules.long_sd:
        rows = values.size * n_products
        # each location's value is repeated on its n_products rows; sample variance (ddof 1)
        sd = np.sqrt(n_products * squares / (rows - 1)) if rows > 1 else 0.0
    else:
        sd = np.sqrt(squares / values.size)
    return mean, float(sd)


def _solve(values: np.ndarray, rows: pd.Index, cols: pd.Index, *, settings: _Settings,
           rules: _Rules, population: np.ndarray | None = None,
           supplied: bool = False) -> _Solution:
    with single_blas_thread():
        return _solve_year(values, rows, cols, settings=settings, rules=rules,
                           population=population, supplied=supplied)


def _solve_year(values: np.ndarray, rows: pd.Index, cols: pd.Index, *, settings: _Settings,
                rules: _Rules, population: np.ndarray | None, supplied: bool) -> _Solution:
    keep_r = np.flatnonzero(values.sum(axis=1) > 0)
    keep_c = np.flatnonzero(values.sum(axis=0) > 0)
    if len(keep_r) == 0 or len(keep_c) == 0:
        raise InputError("no positive value: the matrix is empty or all zero",
                         hint="check the value column and the filters (year, classification)")
    x = values[np.ix_(keep_r, keep_c)]
    rows, cols = rows[keep_r], cols[keep_c]
    if supplied:
        m, rca, rpop = x, None, None
    else:
        pop = population[keep_r] if population is not None else None
        m, rca, rpop = _presence(x, pop, settings, rules)
    diversity, ubiquity = m.sum(axis=1), m.sum(axis=0)
    core_r, core_c = np.flatnonzero(diversity > 0), np.flatnonzero(ubiquity > 0)
    kc_core, kp_core, eigenvalue = _eigen_complexity(m[np.ix_(core_r, core_c)], rows[core_r],
                                                     cols[core_c])
    kc_raw = np.full(len(rows), np.nan)
    kp_raw = np.full(len(cols), np.nan)
    kc_raw[core_r], kp_raw[core_c] = kc_core, kp_core
    levels = m
    if settings.proximity == "continuous":
        if supplied:
            raise InputError("continuous proximity needs export values; a supplied presence "
                             "matrix has no RCA", hint="use proximity='symmetric'")
        levels = rpop if settings.presence_test == "rpop" else rca
    operator = ProximityOperator(m, kind=settings.proximity,  # type: ignore[arg-type]
                                 levels=levels, self_proximity=rules.self_proximity)
    dens, coi_raw, cog_raw = outlook_arrays(m, levels, operator, kp_raw)
    mean, sd = _standardiser(kc_core, len(cols), rules)
    if not sd > 0:
        raise InputError("ECI is undefined: every location has the same complexity "
                         "(the presence matrix has rank 1)",
                         hint="this happens when all locations export the same products")
    coi_mean, coi_sd = _standardiser(coi_raw, len(cols), rules)
    # ECI = (kc - mean)/sd; PCI and COG use ECI's mean and sd (Stata), COI its own
    return _Solution(
        keep_r, keep_c, rca, rpop, m, diversity, ubiquity, (kc_raw - mean) / sd,
        (kp_raw - mean) / sd, dens, (coi_raw - coi_mean) / coi_sd if coi_sd > 0 else
        np.zeros_like(coi_raw), cog_raw / sd, eigenvalue)


# --------------------------------------------------------------------------- value objects


@dataclass(frozen=True)
class ComplexityResult:
    """Economic complexity of one matrix (one year).

    Matrices are locations × products DataFrames, vectors are Series; every label kept in the
    computation appears, those left out are in ``excluded_locations``/``excluded_products``.
    ``eci``/``pci`` are NaN only for a location with diversity 0 / a product with ubiquity 0
    (possible with a threshold above 1), where they are undefined.
    """

    presence: pd.DataFrame
    rca: pd.DataFrame | None
    rpop: pd.DataFrame | None
    diversity: pd.Series
    ubiquity: pd.Series
    eci: pd.Series
    pci: pd.Series
    density: pd.DataFrame
    coi: pd.Series
    cog: pd.DataFrame
    eigenvalue: float
    excluded_locations: tuple[Any, ...] = ()
    excluded_products: tuple[Any, ...] = ()
    parameters: dict[str, Any] = field(default_factory=dict)

    def proximity_matrix(self) -> pd.DataFrame:
        """The product proximity φ (P × P) of this computation, built on demand.

        The computation itself never forms φ (see
        :class:`~capcoop.analytics.proximity.ProximityOperator`); at HS6 scale this matrix
        takes 200 MB.
        """
        kind = self.parameters.get("proximity", "symmetric")
        source = self.rpop if self.parameters.get("presence_test") == "rpop" else self.rca
        levels = source.to_numpy() if kind == "continuous" and source is not None else None
        phi = proximity_array(self.presence.to_numpy(), kind=kind, levels=levels,
                              self_proximity=_RULES[self.parameters.get(
                                  "convention", "stata")].self_proximity)
        return pd.DataFrame(phi, index=self.presence.columns, columns=self.presence.columns)

    def to_frame(self) -> pd.DataFrame:
        """Long form: one row per (location, product) with the columns of ``OUTPUT_COLUMNS``."""
        n_c, n_p = self.presence.shape
        columns: dict[str, Any] = {
            "location": np.repeat(self.presence.index.to_numpy(), n_p),
            "product": np.tile(self.presence.columns.to_numpy(), n_c)}
        for name, matrix in (("rca", self.rca), ("rpop", self.rpop)):
            if matrix is not None:
                columns[name] = matrix.to_numpy().ravel()
        columns |= {
            "mcp": self.presence.to_numpy().ravel().astype(np.int8),
            "eci": np.repeat(self.eci.to_numpy(), n_p), "pci": np.tile(self.pci.to_numpy(), n_c),
            "diversity": np.repeat(self.diversity.to_numpy(), n_p).astype(np.int32),
            "ubiquity": np.tile(self.ubiquity.to_numpy(), n_c).astype(np.int32),
            "density": self.density.to_numpy().ravel(), "coi": np.repeat(self.coi.to_numpy(), n_p),
            "cog": self.cog.to_numpy().ravel()}
        return pd.DataFrame(columns)


# --------------------------------------------------------------------------- public API


def revealed_per_capita_advantage(exports: pd.DataFrame, population: pd.Series, *,
                                  join: Literal["inner"] | None = None) -> pd.DataFrame:
    r"""RPOP: exports per capita relative to the world's (Stata ``rpop``).

    Notes
    -----
    .. math:: RPOP_{cp} = \frac{x_{cp} / pop_c}{x_p / \sum_c pop_c}

    References
    ----------
    Bustos, S. & Yildirim, M. A., Stata package ``ecomplexity`` (Growth Lab, Harvard), the
    ``rpop()`` option.

    Examples
    --------
    >>> x = pd.DataFrame({"p": [2.0, 2.0]}, index=["A", "B"])
    >>> revealed_per_capita_advantage(x, pd.Series({"A": 1.0, "B": 3.0}))["p"].to_dict()
    {'A': 2.0, 'B': 0.6666666666666666}
    """
    x, pop = _with_population(check_matrix(exports, "exports"), population, join)
    return pd.DataFrame(_rpop(x.to_numpy(), pop), index=x.index, columns=x.columns)


def _with_population(x: pd.DataFrame, population: pd.Series, join) -> tuple[pd.DataFrame,
                                                                            np.ndarray]:
    if not isinstance(population, pd.Series):
        raise InputError(f"population must be a Series by location, got {type(population).__name__}")
    x, pop = align(x, population.astype(np.float64), join=join,
                   names=("exports", "population"), fill=None)
    values = pop.to_numpy()
    bad = ~(np.isfinite(values) & (values > 0))
    if bad.any():
        raise InputError(f"population must be positive; {pop.index[bad][0]!r} has "
                         f"{values[bad][0]!r}", hint="drop that location or fix its population")
    return x, values


def presence_matrix(exports: pd.DataFrame, *, rca_threshold: float = 1.0,
                    presence_test: PresenceTest = "rca", population: pd.Series | None = None,
                    rpop_threshold: float = 1.0, convention: Convention = "stata") -> pd.DataFrame:
    r"""The presence matrix M: which location "makes" which product.

    Parameters
    ----------
    exports
        Locations × products export values.
    rca_threshold, rpop_threshold
        Thresholds of the tests (1 is standard).
    presence_test
        ``"rca"`` (default), ``"rpop"`` (needs ``population``) or ``"both"`` (either passes).
    population
        Population by location for the RPOP test.
    convention
        ``"stata"``: strictly above the threshold; ``"py-ecomplexity"``: at or above.

    Notes
    -----
    .. math:: M_{cp} = \mathbb{1}[RCA_{cp} > t] \quad(\text{or } \mathbb{1}[RPOP_{cp} > t])

    Locations and products with zero total are left out (no share is defined for them).

    References
    ----------
    Hausmann, R., Hidalgo, C. A. et al. (2014). The Atlas of Economic Complexity, 2nd ed.

    Examples
    --------
    >>> x = pd.DataFrame({"p1": [6.0, 2.0], "p2": [4.0, 8.0]}, index=["A", "B"])
    >>> presence_matrix(x).to_dict()
    {'p1': {'A': 1.0, 'B': 0.0}, 'p2': {'A': 0.0, 'B': 1.0}}
    """
    settings = _Settings(rca_threshold, presence_test, rpop_threshold, "symmetric", convention)
    rules = settings.validate()
    x, pop = _inputs(exports, population, settings)
    keep_r, keep_c = x.sum(axis=1).to_numpy() > 0, x.sum(axis=0).to_numpy() > 0
    if not keep_r.any():
        raise InputError("exports has no positive value")
    m, _, _ = _presence(x.to_numpy()[np.ix_(keep_r, keep_c)],
                        pop[keep_r] if pop is not None else None, settings, rules)
    return pd.DataFrame(m, index=x.index[keep_r], columns=x.columns[keep_c])


def _inputs(exports, population, settings: _Settings):
    x = check_matrix(exports, "exports")
    if settings.presence_test != "rca" and population is None:
        raise InputError(f"presence_test={settings.presence_test!r} needs population by location",
                         hint="pass population=Series indexed like the exports rows")
    if population is None:
        return x, None
    return _with_population(x, population, None)


def _supplied_presence(presence: pd.DataFrame) -> pd.DataFrame:
    m = check_matrix(presence, "presence")
    values = m.to_numpy()
    odd = ~np.isin(values, (0.0, 1.0))
    if odd.any():
        i, j = np.argwhere(odd)[0]
        raise InputError(f"a supplied presence matrix holds only 0 and 1; found "
                         f"{values[i, j]!r} at ({m.index[i]!r}, {m.columns[j]!r})",
                         hint="pass export values instead, or threshold them first")
    return m


def eci_pci(presence: pd.DataFrame, *, convention: Convention = "stata"
            ) -> tuple[pd.Series, pd.Series]:
    r"""Economic and product complexity indices by the eigenvector method.

    Parameters
    ----------
    presence
        Locations × products, 0/1. Empty rows/columns are left out.
    convention
        Standardisation rule (see Notes).

    Returns
    -------
    (Series, Series)
        ECI by location and PCI by product.

    Notes
    -----
    With diversity :math:`k_{c,0}` and ubiquity :math:`k_{p,0}`,

    .. math:: \tilde M_{pp'} = \sum_c \frac{M_{cp} M_{cp'}}{k_{c,0}\,k_{p,0}}

    PCI is the eigenvector :math:`K_p` of :math:`\tilde M` for its second largest eigenvalue,
    and :math:`K_c = \sum_p M_{cp} K_p / k_{c,0}` (the method of reflections' limit).
    Sign: chosen so that :math:`\operatorname{corr}(K_c, k_{c,0}) > 0` (if that correlation is
    zero, so that PCI falls with ubiquity). Standardisation (Stata ``ecomplexity``):

    .. math:: ECI_c = \frac{K_c - \bar K}{s},\quad PCI_p = \frac{K_p - \bar K}{s}

    with :math:`\bar K` the mean of :math:`K_c` over locations and *s* the sample standard
    deviation over the :math:`N_c N_p` location × product rows of the long data set, i.e.
    :math:`s^2 = N_p \sum_c (K_c - \bar K)^2 / (N_c N_p - 1)`. ``"py-ecomplexity"`` uses the
    population sd over locations instead, which is larger by
    :math:`\sqrt{N_c N_p/(N_c N_p - 1)}`.

    Raises :class:`~capcoop.errors.InputError` when the network is disconnected or the
    matrix has rank one (ECI undefined).

    References
    ----------
    Hidalgo, C. A. & Hausmann, R. (2009). The building blocks of economic complexity.
    PNAS, 106(26), 10570–10575.
    Hausmann, R., Hidalgo, C. A. et al. (2014). The Atlas of Economic Complexity, 2nd ed.

    Examples
    --------
    >>> m = pd.DataFrame([[1, 1, 1], [1, 1, 0], [1, 0, 0]], index=["A", "B", "C"],
    ...                  columns=["p", "q", "r"])
    >>> eci, pci = eci_pci(m)
    >>> (eci.round(4) + 0.0).tolist()
    [1.1547, 0.0, -1.1547]
    >>> (eci_pci(m, convention="py-ecomplexity")[0].round(4) + 0.0).tolist()
    [1.2247, 0.0, -1.2247]
    """
    settings = _Settings(convention=convention)
    rules = settings.validate()
    m = _supplied_presence(presence)
    keep_r, keep_c = m.sum(axis=1).to_numpy() > 0, m.sum(axis=0).to_numpy() > 0
    values = m.to_numpy()[np.ix_(keep_r, keep_c)]
    rows, cols = m.index[keep_r], m.columns[keep_c]
    kc, kp, _ = _eigen_complexity(values, rows, cols)
    mean, sd = _standardiser(kc, len(cols), rules)
    if not sd > 0:
        raise InputError("ECI is undefined: the presence matrix has rank 1")
    return (pd.Series((kc - mean) / sd, index=rows, name="eci"),
            pd.Series((kp - mean) / sd, index=cols, name="pci"))


def fitness_complexity(presence: pd.DataFrame, *, iterations: int = 20,
                       extremality: float = 1.0) -> tuple[pd.Series, pd.Series]:
    r"""Fitness of locations and complexity of products (Tacchella et al. 2012).

    Parameters
    ----------
    presence
        Locations × products, 0/1.
    iterations
        Number of update steps *n* (R ``economiccomplexity``'s ``iterations = 20`` counts the
        starting vector, i.e. equals ``iterations=19`` here).
    extremality
        γ of the generalised product update (1 = the original algorithm).

    Returns
    -------
    (Series, Series)
        Fitness :math:`F_c` and complexity :math:`Q_p`, each normalised to mean 1.

    Notes
    -----
    Starting from :math:`F^{(0)} = Q^{(0)} = 1`,

    .. math::
        \tilde F_c^{(n)} = \sum_p M_{cp} Q_p^{(n-1)}, \qquad
        \tilde Q_p^{(n)} = \Bigl(\sum_c M_{cp} \bigl(1/F_c^{(n-1)}\bigr)^{\gamma}\Bigr)^{-1/\gamma}

    then :math:`F^{(n)} = \tilde F^{(n)}/\overline{\tilde F^{(n)}}` and likewise for *Q*
    (simultaneous updates). Locations with diversity 0 and products with ubiquity 0 are left
    out. Fitness of poorly diversified locations tends to 0 as *n* grows; rankings converge
    long before the values.

    References
    ----------
    Tacchella, A., Cristelli, M., Caldarelli, G., Gabrielli, A. & Pietronero, L. (2012).
    A new metrics for countries' fitness and products' complexity. Scientific Reports, 2, 723.

    Examples
    --------
    >>> m = pd.DataFrame([[1, 1, 1], [1, 1, 0], [1, 0, 0]], index=["A", "B", "C"],
    ...                  columns=["p", "q", "r"])
    >>> fitness, _ = fitness_complexity(m, iterations=2)
    >>> fitness.round(4).to_dict()
    {'A': 1.8333, 'B': 0.8333, 'C': 0.3333}
    """
    if not (isinstance(iterations, (int, np.integer)) and iterations >= 1):
        raise InputError(f"iterations={iterations!r} must be an integer >= 1")
    if not (np.isfinite(extremality) and extremality > 0):
        raise InputError(f"extremality={extremality!r} must be a positive number")
    m = _supplied_presence(presence)
    keep_r, keep_c = m.sum(axis=1).to_numpy() > 0, m.sum(axis=0).to_numpy() > 0
    values = m.to_numpy()[np.ix_(keep_r, keep_c)]
    fitness, complexity = np.ones(values.shape[0]), np.ones(values.shape[1])
    with np.errstate(divide="ignore", over="ignore"):
        for _ in range(int(iterations)):
            new_f = values @ complexity
            new_q = 1.0 / (values.T @ (1.0 / fitness) ** extremality) ** (1.0 / extremality)
            fitness, complexity = new_f / new_f.mean(), new_q / new_q.mean()
    return (pd.Series(fitness, index=m.index[keep_r], name="fitness"),
            pd.Series(complexity, index=m.columns[keep_c], name="complexity"))


def economic_complexity(exports: pd.DataFrame | None = None, *,
                        presence: pd.DataFrame | None = None, rca_threshold: float = 1.0,
                        presence_test: PresenceTest = "rca",
                        population: pd.Series | None = None, rpop_threshold: float = 1.0,
                        proximity: ProximityKind = "symmetric",
                        convention: Convention = "stata") -> ComplexityResult:
    r"""Everything the Atlas computes for one country × product matrix (one year).

    Parameters
    ----------
    exports
        Locations × products export values (give this or ``presence``).
    presence
        A 0/1 presence matrix supplied directly (Stata's binary input; no RCA then).
    rca_threshold, presence_test, population, rpop_threshold
        The presence test, see :func:`presence_matrix`.
    proximity
        ``"symmetric"`` (default), ``"asymmetric"`` or ``"continuous"`` (density then weights
        RCA, or RPOP with the RPOP test, instead of M).
    convention
        ``"stata"`` (default, the Atlas) or ``"py-ecomplexity"`` (pip ``ecomplexity`` 0.5.3).

    Returns
    -------
    ComplexityResult

    Notes
    -----
    RCA, M, diversity/ubiquity, ECI/PCI: see :func:`presence_matrix` and :func:`eci_pci`.
    Proximity, density, COI and COG: :mod:`capcoop.analytics.proximity`. The outlook uses the
    raw eigenvector :math:`K_p`; then :math:`COI` is standardised on its own mean and sd
    (same rule as ECI) and :math:`COG` is divided by ECI's sd, as Stata does.

    References
    ----------
    Hausmann, R., Hidalgo, C. A., Bustos, S., Coscia, M., Simoes, A. & Yildirim, M. A. (2014).
    The Atlas of Economic Complexity, 2nd ed., MIT Press.
    Bustos, S. & Yildirim, M. A. ``ecomplexity`` for Stata, github.com/cid-harvard/ecomplexity.

    Examples
    --------
    >>> x = pd.DataFrame([[5, 7, 7, 9, 0], [0, 1, 8, 2, 6], [0, 1, 0, 0, 8], [8, 1, 1, 6, 6]],
    ...                  index=list("ABCD"), columns=["p1", "p2", "p3", "p4", "p5"], dtype=float)
    >>> result = economic_complexity(x)
    >>> result.diversity.to_dict()
    {'A': 4.0, 'B': 2.0, 'C': 1.0, 'D': 3.0}
    >>> result.eci.round(3).to_dict()
    {'A': 1.308, 'B': -0.436, 'C': -1.308, 'D': 0.436}
    """
    settings = _Settings(rca_threshold, presence_test, rpop_threshold, proximity, convention)
    rules = settings.validate()
    if (exports is None) == (presence is None):
        raise InputError("pass exactly one of exports= (values) or presence= (a 0/1 matrix)")
    if presence is not None:
        x, pop, supplied = _supplied_presence(presence), None, True
    else:
        x, pop = _inputs(exports, population, settings)
        supplied = False
    sol = _solve(x.to_numpy(), x.index, x.columns, settings=settings, rules=rules,
                 population=pop, supplied=supplied)
    return _result(sol, x, settings)


def _result(sol: _Solution, x: pd.DataFrame, settings: _Settings) -> ComplexityResult:
    rows, cols = x.index[sol.rows], x.columns[sol.cols]

    def matrix(values: np.ndarray | None) -> pd.DataFrame | None:
        return None if values is None else pd.DataFrame(values, index=rows, columns=cols)

    return ComplexityResult(
        presence=matrix(sol.presence), rca=matrix(sol.rca), rpop=matrix(sol.rpop),
        diversity=pd.Series(sol.diversity, index=rows, name="diversity"),
        ubiquity=pd.Series(sol.ubiquity, index=cols, name="ubiquity"),
        eci=pd.Series(sol.eci, index=rows, name="eci"), pci=pd.Series(sol.pci, index=cols,
                                                                       name="pci"),
        density=matrix(sol.density), coi=pd.Series(sol.coi, index=rows, name="coi"),
        cog=matrix(sol.cog), eigenvalue=sol.eigenvalue,
        excluded_locations=tuple(x.index.delete(sol.rows)),
        excluded_products=tuple(x.columns.delete(sol.cols)),
        parameters=settings.__dict__.copy())
