"""Input-output models: Leontief and Ghosh inverses, multipliers, shocks and inoperability.

Pure numpy/scipy: arrays (or an :class:`~capcoop.analytics.io_system.IOSystem`) in, arrays and
DataFrames out. Notation follows Miller & Blair (2009), *Input-Output Analysis: Foundations and
Extensions*, 2nd ed.; the formulas are in ``docs/methods/io.md``.

Glossary (symbols in the maths, names in the API)

==========  ==========================================================  ======  ==================
symbol      meaning                                                     shape   API name
==========  ==========================================================  ======  ==================
``Z``       intermediate flows, ``Z[i, j]`` = sales of i to j           n × n   ``Z``
``x``       gross output                                                n       ``x``
``y``       final demand (row sums of ``Y``)                            n       ``y``
``A``       technical coefficients ``Z x̂⁻¹`` (inputs per unit output)   n × n   ``technical_coefficients``
``L``       Leontief inverse ``(I − A)⁻¹``                              n × n   ``leontief_inverse``
``B``       allocation (Ghosh) coefficients ``x̂⁻¹ Z``                   n × n   ``ghosh_coefficients``
``G``       Ghosh inverse ``(I − B)⁻¹``                                 n × n   ``ghosh_inverse``
``S``, f    stressor/factor coefficients ``F x̂⁻¹``                     s × n   ``stressor_coefficients``
``M``       multipliers ``S L``                                         s × n   ``multipliers``
``A*``      interdependency matrix ``x̂⁻¹ A x̂`` (Haimes & Santos)       n × n   ``interdependency_matrix``
``c*``      demand perturbation as a share of output                    n       ``inoperability``
``q``       inoperability, output lost as a share of baseline            n       ``inoperability``
==========  ==========================================================  ======  ==================

Industries with zero gross output have no input structure: their column of ``A`` (and row of
``B``, ``S``'s column) is set to zero instead of dividing by zero — the convention pymrio uses,
so the two agree on tables with empty industries. A system is *productive* when the spectral
radius of ``A`` is below 1, i.e. ``I − A`` is a non-singular M-matrix and ``L ≥ 0``; otherwise
:func:`leontief_inverse` and the shocks raise :class:`~capcoop.errors.InputError`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import linalg

from capcoop.analytics.io_system import IOSystem
from capcoop.errors import InputError

__all__ = [
    "CAPACITY_MODELS",
    "CapacityCutResult",
    "InoperabilityResult",
    "capacity_cut",
    "demand_shock",
    "economic_loss",
    "ghosh_coefficients",
    "ghosh_inverse",
    "ghosh_from_leontief",
    "inoperability",
    "interdependency_matrix",
    "is_productive",
    "leontief_inverse",
    "multipliers",
    "output_multipliers",
    "spectral_radius",
    "stressor_coefficients",
    "supply_shock",
    "technical_coefficients",
]

CapacityModel = Literal["mixed", "ghosh"]
#: The static models :func:`capacity_cut` offers; the first is the default.
CAPACITY_MODELS: tuple[str, ...] = ("mixed", "ghosh")

_NEGATIVE_TOL = 1e-10  # entries of L this far below zero still count as non-negative


# --------------------------------------------------------------------------- coefficients


def _square(matrix: np.ndarray, name: str) -> np.ndarray:
    arr = np.asarray(matrix, dtype=float)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise InputError(f"{name} must be a square matrix; got shape {arr.shape}",
                         hint=f"pass the n × n {name} of the industries")
    if not np.all(np.isfinite(arr)):
        raise InputError(f"{name} contains NaN or infinite values",
                         hint="fill missing cells with 0 and check for zero divisors")
    return arr


def _output(x: np.ndarray, n: int) -> np.ndarray:
    out = np.asarray(x, dtype=float).reshape(-1)
    if out.shape != (n,):
        raise InputError(f"x has {out.size} entries for {n} industries",
                         hint="give one gross output per industry")
    if not np.all(np.isfinite(out)) or np.any(out < 0):
        bad = out[~np.isfinite(out) | (out < 0)][0]
        raise InputError(f"gross output {bad:g} is not a finite non-negative number",
                         hint="gross output must be >= 0")
    return out


def _reciprocal(x: np.ndarray) -> np.ndarray:
    """1/x with 0 where x == 0 (no output: no coefficients)."""
    inv = np.zeros_like(x)
    np.divide(1.0, x, out=inv, where=x != 0)
    return inv


def technical_coefficients(Z: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Technical coefficients ``A = Z x̂⁻¹``: inputs from i per unit of j's output.

    Notes
    -----
    ``A[i, j] = Z[i, j] / x[j]``; columns of industries with ``x[j] == 0`` are zero (Miller &
    Blair 2009, eq. 2.4).
    """
    Z = _square(Z, "Z")
    return Z * _reciprocal(_output(x, Z.shape[0]))[None, :]


def ghosh_coefficients(Z: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Allocation (Ghosh) coefficients ``B = x̂⁻¹ Z``: sales of i to j per unit of i's output.

    Notes
    -----
    ``B[i, j] = Z[i, j] / x[i]``; rows of industries with ``x[i] == 0`` are zero (Miller &
    Blair 2009, eq. 12.1).
    """
    Z = _square(Z, "Z")
    return Z * _reciprocal(_output(x, Z.shape[0]))[:, None]


def stressor_coefficients(F: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Factor/stressor coefficients ``S = F x̂⁻¹`` (e.g. value added or CO₂ per unit output)."""
    F = np.atleast_2d(np.asarray(F, dtype=float))
    x = _output(x, F.shape[1])
    return F * _reciprocal(x)[None, :]


def interdependency_matrix(A: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Haimes & Santos interdependency matrix ``A* = x̂⁻¹ A x̂``.

    Notes
    -----
    ``A*[i, j] = A[i, j] x[j] / x[i] = Z[i, j] / x[i]``: the share of i's output that j's
    operation needs, so a loss ``q[j]`` of j's output idles ``A*[i, j] q[j]`` of i's (Santos &
    Haimes 2004, eq. 9). Rows of zero-output industries are zero.
    """
    A = _square(A, "A")
    x = _output(x, A.shape[0])
    return _reciprocal(x)[:, None] * A * x[None, :]


# --------------------------------------------------------------------------- inverses


def _leontief_factor(A: np.ndarray, name: str = "A") -> tuple[np.ndarray, np.ndarray]:
    """LU factors of ``I − A``; raises InputError when singular."""
    A = _square(A, name)
    n = A.shape[0]
    M = np.eye(n) - A
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", linalg.LinAlgWarning)
        lu, piv = linalg.lu_factor(M, overwrite_a=True, check_finite=False)
    diag = np.abs(np.diag(lu))
    if n and (diag.min() <= np.finfo(float).eps * n * max(diag.max(), 1.0)):
        i = int(np.argmin(diag))
        raise InputError(f"I − {name} is singular (pivot {i} is {diag[i]:.3g}); the system has no "
                         "unique solution", hint=f"check {name}: a column summing to 1 or an "
                         "industry that only supplies itself makes the system singular")
    return lu, piv


def _check_productive(A: np.ndarray, solution: np.ndarray, name: str) -> None:
    """Raise unless ``A`` is productive (spectral radius < 1).

    For non-negative ``A`` this is exact: ``I − A`` is a non-singular M-matrix iff ``(I − A)⁻¹``
    exists and is non-negative, iff ``(I − A) z = 1`` has a solution ``z > 0`` (Berman & Plemmons
    1994, thm. 6.2.3). ``solution`` is either ``L`` or that ``z``. For ``A`` with negative cells
    (some tables book negative flows) the spectral radius is computed directly.
    """
    if np.any(A < 0):
        rho = spectral_radius(A)
        if rho >= 1:
            raise _not_productive(name, f"spectral radius {rho:.6g}")
        return
    if solution.ndim == 1:
        bad = not np.all(solution > 0)
    else:
        bad = solution.min() < -_NEGATIVE_TOL * max(1.0, float(np.abs(solution).max()))
    if bad or not np.all(np.isfinite(solution)):
        raise _not_productive(name, f"spectral radius {spectral_radius(A):.6g}")


def _not_productive(name: str, detail: str) -> InputError:
    return InputError(f"the system is not productive: {name} has {detail} >= 1, so (I − {name})⁻¹ "
                      "has negative entries", hint=f"check {name}'s column sums (inputs per unit "
                      "of output above 1) and the gross output x used to build it")


def spectral_radius(A: np.ndarray) -> float:
    """Largest absolute eigenvalue of ``A`` (dense eigenvalues; fine up to a few thousand)."""
    A = _square(A, "A")
    if A.shape[0] == 0:
        return 0.0
    return float(np.max(np.abs(linalg.eigvals(A, check_finite=False))))


def is_productive(A: np.ndarray) -> bool:
    """Whether ``A`` is productive: spectral radius below 1 and ``I − A`` invertible."""
    A = _square(A, "A")
    col, row = np.abs(A).sum(axis=0), np.abs(A).sum(axis=1)
    if A.shape[0] == 0 or min(col.max(), row.max()) < 1:  # a norm bounds the spectral radius
        return True
    return spectral_radius(A) < 1


def leontief_inverse(A: np.ndarray, *, check: bool = True, name: str = "A") -> np.ndarray:
    """Leontief inverse ``L = (I − A)⁻¹`` (total requirements per unit of final demand).

    Parameters
    ----------
    A
        ``n × n`` technical coefficients.
    check
        Raise :class:`~capcoop.errors.InputError` when ``A`` is not productive (spectral radius
        ≥ 1, which shows as negative entries of ``L`` for non-negative ``A``) or ``I − A`` is
        singular. Default True.
    name
        What ``A`` is called in error messages (``B`` for the Ghosh inverse).

    Notes
    -----
    One LU factorisation of ``I − A`` and a solve against ``I`` (LAPACK ``getrf``/``getrs``,
    what ``numpy.linalg.inv`` does too); Miller & Blair (2009), eq. 2.11.
    Use :func:`demand_shock` without ``L`` when only ``L Δy`` is needed: it solves instead.
    """
    A = _square(A, name)
    factors = _leontief_factor(A, name)
    # solve (I − A) L = I with the LU factors (LAPACK getrs, level-3 BLAS); as accurate as
    # getri and several times faster with OpenBLAS, whose getri is not blocked
    L = linalg.lu_solve(factors, np.eye(A.shape[0]), overwrite_b=True, check_finite=False)
    if check:
        _check_productive(A, L, name)
    return L


def ghosh_inverse(B: np.ndarray, *, check: bool = True) -> np.ndarray:
    """Ghosh inverse ``G = (I − B)⁻¹`` (Miller & Blair 2009, eq. 12.7)."""
    return leontief_inverse(B, check=check, name="B")


def ghosh_from_leontief(L: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``G = x̂⁻¹ L x̂`` from an existing ``L`` (Miller & Blair 2009, eq. 12.10), no inversion.

    Exact where every ``x > 0``; rows of zero-output industries are zero.
    """
    L = _square(L, "L")
    x = _output(x, L.shape[0])
    return _reciprocal(x)[:, None] * L * x[None, :]


# --------------------------------------------------------------------------- multipliers


def output_multipliers(L: np.ndarray) -> np.ndarray:
    """Simple output multipliers: column sums of ``L`` (Miller & Blair 2009, eq. 6.2)."""
    return _square(L, "L").sum(axis=0)


def multipliers(system: IOSystem, *, leontief: np.ndarray | None = None,
                income_factor: str | None = None) -> pd.DataFrame:
    """Multipliers per industry, one row per ``(region, sector)``.

    Parameters
    ----------
    system
        The table.
    leontief
        ``L`` when already computed (else it is computed here).
    income_factor
        Name of the row of ``system.V`` holding labour income (e.g. ``"compensation"``); adds the
        type I income multiplier.

    Returns
    -------
    DataFrame indexed like ``system.industries`` with columns ``output_multiplier`` (column
    sums of ``L``), ``value_added_multiplier`` (``v L`` with ``v`` = value added per unit of
    output, see :meth:`IOSystem.value_added`; 1 in a balanced table), ``<factor>_multiplier``
    for each row of ``V`` and ``<stressor>_multiplier`` for each row of ``F`` (``f L`` with
    ``f = F x̂⁻¹``: total, direct plus indirect, per unit of final demand), and
    ``income_multiplier_type1`` when ``income_factor`` is given.

    Notes
    -----
    Type I income multiplier of j = ``(h L)_j / h_j`` with ``h`` = labour income per unit of
    output (Miller & Blair 2009, eq. 6.14); NaN where ``h_j = 0``.
    """
    L = leontief_inverse(technical_coefficients(system.Z, system.x)) if leontief is None else _square(leontief, "L")
    out = {"output_multiplier": L.sum(axis=0),
           "value_added_multiplier": stressor_coefficients(system.value_added(), system.x)[0] @ L}
    if system.V is not None:
        S = stressor_coefficients(system.V, system.x)
        for name, row in zip(system.factors, S @ L, strict=True):
            out[f"{_slug(name)}_multiplier"] = row
    if system.F is not None:
        S = stressor_coefficients(system.F, system.x)
        for name, row in zip(system.stressors, S @ L, strict=True):
            out[f"{_slug(name)}_multiplier"] = row
    if income_factor is not None:
        h = stressor_coefficients(system.factor(income_factor), system.x)[0]
        with np.errstate(divide="ignore", invalid="ignore"):
            out["income_multiplier_type1"] = np.where(h > 0, (h @ L) / np.where(h > 0, h, 1), np.nan)
    return pd.DataFrame(out, index=system.industries)


def _slug(name: str) -> str:
    return "_".join("".join(c if c.isalnum() else " " for c in name.lower()).split())


# --------------------------------------------------------------------------- shocks


def demand_shock(A: np.ndarray | None, dy: np.ndarray, *, leontief: np.ndarray | None = None,
                 check: bool = True) -> np.ndarray:
    """Output change ``Δx = L Δy`` caused by a final-demand change ``Δy``.

    Parameters
    ----------
    A
        Technical coefficients (ignored when ``leontief`` is given; may then be None).
    dy
        Final-demand change, ``n`` or ``n × k`` (one shock per column).
    leontief
        ``L`` when already computed: then ``Δx = L Δy`` is a product. Otherwise
        ``(I − A) Δx = Δy`` is solved by LU without forming ``L`` (cheaper for a few shocks).
    check
        Raise when ``A`` is not productive (only when solving).

    Notes
    -----
    Miller & Blair (2009), eq. 2.12. Linear: shocks add up and scale.
    """
    if leontief is not None:
        L = _square(leontief, "L")
        return L @ _shock_vector(dy, L.shape[0], "dy")
    if A is None:
        raise InputError("demand_shock needs A or leontief", hint="pass the coefficients A")
    A = _square(A, "A")
    dy = _shock_vector(dy, A.shape[0], "dy")
    factors = _leontief_factor(A)
    if check:
        z = linalg.lu_solve(factors, np.ones(A.shape[0]), check_finite=False)
        _check_productive(A, z, "A")
    return linalg.lu_solve(factors, dy, check_finite=False)


def supply_shock(B: np.ndarray | None, dv: np.ndarray, *, ghosh: np.ndarray | None = None,
                 check: bool = True) -> np.ndarray:
    """Output change ``Δxᵀ = Δvᵀ G`` caused by a change ``Δv`` of primary inputs (Ghosh model).

    Parameters
    ----------
    B
        Allocation coefficients (ignored when ``ghosh`` is given).
    dv
        Primary-input change per industry, ``n`` (or ``n × k``, one shock per column).
    ghosh
        ``G`` when already computed.

    Notes
    -----
    Miller & Blair (2009), eq. 12.8: ``xᵀ = vᵀ G`` so ``Δx = Gᵀ Δv``; solved as
    ``(I − B)ᵀ Δx = Δv`` without forming ``G``. The Ghosh model assumes fixed *allocation*
    shares, which is implausible as a description of production (Oosterhaven 1988); read it as
    the forward-linkage exposure of customers to a supplier's loss.
    """
    if ghosh is not None:
        G = _square(ghosh, "G")
        return G.T @ _shock_vector(dv, G.shape[0], "dv")
    if B is None:
        raise InputError("supply_shock needs B or ghosh", hint="pass the coefficients B")
    B = _square(B, "B")
    dv = _shock_vector(dv, B.shape[0], "dv")
    factors = _leontief_factor(B, "B")
    if check:
        z = linalg.lu_solve(factors, np.ones(B.shape[0]), check_finite=False)
        _check_productive(B, z, "B")
    return linalg.lu_solve(factors, dv, trans=1, check_finite=False)


def _shock_vector(d: np.ndarray, n: int, name: str) -> np.ndarray:
    arr = np.asarray(d, dtype=float)
    if arr.shape[:1] != (n,) or arr.ndim > 2:
        raise InputError(f"{name} has shape {arr.shape}; expected ({n},) or ({n}, k)",
                         hint="give one change per industry, in table order")
    if not np.all(np.isfinite(arr)):
        raise InputError(f"{name} contains NaN or infinite values", hint="use 0 for no change")
    return arr


# --------------------------------------------------------------------------- inoperability


@dataclass(frozen=True)
class InoperabilityResult:
    """Inoperability ``q`` (share of output lost) per industry.

    Attributes
    ----------
    q
        Inoperability, clipped to ``[0, 1]`` when ``cap`` was set (an industry cannot lose more
        than all of its output).
    q_raw
        The linear solution ``(I − A*)⁻¹ c*`` before clipping.
    loss
        Economic loss ``x̂ q`` in the table's money unit when ``x`` was given, else None.
    """

    q: np.ndarray
    q_raw: np.ndarray
    loss: np.ndarray | None = None

    @property
    def total_loss(self) -> float | None:
        """Total economic loss, ``xᵀ q``."""
        return None if self.loss is None else float(self.loss.sum())


def inoperability(A_star: np.ndarray, c_star: np.ndarray, *, x: np.ndarray | None = None,
                  cap: bool = True) -> InoperabilityResult:
    """Demand-side inoperability input-output model: ``q = (I − A*)⁻¹ c*``.

    Parameters
    ----------
    A_star
        Interdependency matrix (:func:`interdependency_matrix`).
    c_star
        Demand perturbation, the final-demand loss as a share of each industry's output
        (``c* = x̂⁻¹ Δy``).
    x
        Baseline gross output; when given, ``loss = x̂ q``.
    cap
        Clip ``q`` to ``[0, 1]`` (default). The linear model can return shares above 1 when
        the perturbation is large; an industry cannot lose more than its output.

    Notes
    -----
    Haimes & Jiang (2001); Santos & Haimes (2004), eq. 10. With ``A* = x̂⁻¹ A x̂`` and
    ``c* = x̂⁻¹ Δy`` the unclipped ``x̂ q`` equals the Leontief ``L Δy``.
    """
    A_star = _square(A_star, "A*")
    c = _shock_vector(c_star, A_star.shape[0], "c*")
    factors = _leontief_factor(A_star, "A*")
    z = linalg.lu_solve(factors, np.ones(A_star.shape[0]), check_finite=False)
    _check_productive(A_star, z, "A*")
    q_raw = linalg.lu_solve(factors, c, check_finite=False)
    q = np.clip(q_raw, 0.0, 1.0) if cap else q_raw
    loss = None if x is None else economic_loss(q, x)
    return InoperabilityResult(q=q, q_raw=q_raw, loss=loss)


def economic_loss(q: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Economic loss ``x̂ q``: inoperability times baseline output (Santos & Haimes 2004)."""
    q = np.asarray(q, dtype=float)
    x = _output(x, q.shape[0])
    return x * q if q.ndim == 1 else x[:, None] * q


# --------------------------------------------------------------------------- capacity cut


@dataclass(frozen=True)
class CapacityCutResult:
    """Output lost across all industries when some industries' capacity is cut.

    Attributes
    ----------
    table
        One row per ``(region, sector)``: ``baseline_output`` (annual, table unit),
        ``output`` (annual rate during the cut), ``loss`` (over the cut's duration),
        ``loss_share`` (share of baseline output lost while the cut lasts), ``shocked`` (bool).
    model
        ``mixed`` or ``ghosh``.
    weeks
        How long the cut lasts; ``loss`` = annual-rate loss × weeks / 52.
    description
        What the model assumes, in one paragraph.
    """

    table: pd.DataFrame
    model: str
    weeks: float
    description: str

    @property
    def total_loss(self) -> float:
        """Total output lost over the cut, all industries."""
        return float(self.table["loss"].sum())


_DESCRIPTIONS = {
    "mixed": "Mixed exogenous/endogenous Leontief model (Miller & Blair 2009, sec. 13.1): the cut "
             "industries' output is fixed at (1 − cut) of baseline; every other industry's output "
             "follows from unchanged final demand and the cut industries' reduced purchases, "
             "Δx_r = (I − A_rr)⁻¹ A_rs Δx_s (backward, upstream propagation). Equivalent to the "
             "inoperability model with the cut industries' inoperability fixed. Suppliers lose "
             "orders; customers are assumed to find the missing inputs elsewhere (no forward "
             "shortage) — use the dynamic ARIO model for rationing and inventories.",
    "ghosh": "Supply-driven Ghosh model (Miller & Blair 2009, ch. 12): the cut industries' "
             "primary inputs fall by the cut share, Δxᵀ = Δvᵀ G (forward, downstream "
             "propagation under fixed allocation shares). An upper-bound view of customers' "
             "exposure; its fixed-allocation assumption is implausible for production "
             "(Oosterhaven 1988), so treat it as a screen, not a forecast.",
}


def capacity_cut(system: IOSystem, cuts: dict[tuple[str, str], float] | None = None, *,
                 region: str | None = None, sector: str | None = None, cut: float | None = None,
                 weeks: float = 52.0, model: CapacityModel = "mixed",
                 leontief: np.ndarray | None = None) -> CapacityCutResult:
    """Propagate a capacity cut in one or more ``(region, sector)`` industries to all others.

    Parameters
    ----------
    system
        The table (annual flows).
    cuts
        ``{(region, sector): share}`` with shares in ``(0, 1]``; or use ``region``, ``sector``
        and ``cut`` for one industry.
    weeks
        How long the cut lasts; annual-rate losses are scaled by ``weeks / 52``.
    model
        ``"mixed"`` (default): backward propagation with the cut industries' output fixed —
        consistent with Leontief demand logic and exact at the shocked industry, so it is the
        default. ``"ghosh"``: forward propagation through the supply-driven model.
    leontief
        Unused by ``mixed`` (it solves a reduced system); ``ghosh`` derives ``G`` from it when
        given.

    Returns
    -------
    :class:`CapacityCutResult`
    """
    cuts = _cut_map(system, cuts, region, sector, cut)
    if model not in CAPACITY_MODELS:
        raise InputError(f"unknown capacity-cut model {model!r}",
                         hint=f"use one of {', '.join(CAPACITY_MODELS)}")
    if not np.isfinite(weeks) or weeks <= 0:
        raise InputError(f"weeks must be positive; got {weeks!r}", hint="e.g. weeks=8")
    x = system.x
    shocked = np.zeros(system.n, dtype=bool)
    share = np.zeros(system.n)
    for position, value in cuts.items():
        shocked[position], share[position] = True, value
    if model == "mixed":
        dx = _mixed_model(technical_coefficients(system.Z, x), x, shocked, share)
    else:
        dv = -share * system.value_added()[0]
        dx = (supply_shock(None, dv, ghosh=ghosh_from_leontief(leontief, x)) if leontief is not None
              else supply_shock(ghosh_coefficients(system.Z, x), dv))
    loss_rate = np.clip(-dx, 0.0, None)
    with np.errstate(divide="ignore", invalid="ignore"):
        loss_share = np.where(x > 0, loss_rate / np.where(x > 0, x, 1), 0.0)
    table = pd.DataFrame({"baseline_output": x, "output": x + dx,
                          "loss": loss_rate * weeks / 52.0, "loss_share": loss_share,
                          "shocked": shocked}, index=system.industries)
    return CapacityCutResult(table=table, model=model, weeks=float(weeks),
                             description=_DESCRIPTIONS[model])


def _mixed_model(A: np.ndarray, x: np.ndarray, shocked: np.ndarray,
                 share: np.ndarray) -> np.ndarray:
    """Δx with the shocked outputs fixed: ``Δx_r = (I − A_rr)⁻¹ A_rs Δx_s``."""
    dx = np.zeros_like(x)
    dx[shocked] = -share[shocked] * x[shocked]
    rest = ~shocked
    if rest.any():
        A_rr = A[np.ix_(rest, rest)]
        rhs = A[np.ix_(rest, shocked)] @ dx[shocked]
        dx[rest] = demand_shock(A_rr, rhs)
    return dx


def _cut_map(system: IOSystem, cuts: dict | None, region: str | None, sector: str | None,
             cut: float | None) -> dict[int, float]:
    if cuts is None:
        if region is None or sector is None or cut is None:
            raise InputError("no capacity cut given",
                             hint="pass cuts={(region, sector): share} or region, sector and cut")
        cuts = {(region, sector): cut}
    if not cuts:
        raise InputError("no capacity cut given", hint="name at least one (region, sector)")
    out: dict[int, float] = {}
    for key, value in cuts.items():
        value = float(value)
        if not (0 < value <= 1):
            raise InputError(f"cut {value!r} for {key} is not a share in (0, 1]",
                             hint="give 0.3 for a 30% cut")
        out[system.position(*key)] = value
    return out

