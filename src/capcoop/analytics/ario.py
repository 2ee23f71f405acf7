"""A weekly ARIO-style recovery simulation: capacity loss, inventories, rationing, recovery.

Pure numpy. After Hallegatte (2008, *Risk Analysis* 28(3); 2014, *Risk Analysis* 34(1)) and the
BoARIO implementation (Juhel 2023), simplified to what a capacity cut needs; the rules are in
``docs/methods/io.md`` (with why BoARIO itself is not wrapped).

Each week ``t`` (flows are annual table values / 52):

1. Capacity ``cap_i = α_i (1 − d_i(t)) x̄_i`` with ``d_i(t)`` the capacity lost (the cut during
   the shock, then a linear recovery) and ``α_i ≥ 1`` the overproduction factor.
2. Orders to supplier ``i`` from customer ``j``: ``O_ij = A_ij p̃_j + (S*_ij − S_ij) / τ_s``
   (inputs for the planned output ``p̃_j`` plus closing the inventory gap over ``τ_s`` weeks,
   never negative); final demand ``ȳ_i`` is fixed at baseline. Total demand
   ``D_i = Σ_j O_ij + ȳ_i``.
3. Production ``p_j = min(cap_j, D_j, min_i S_ij / A_ij)``: capacity, demand, and inputs in
   stock (Leontief technology, no substitution).
4. Proportional rationing: every customer of ``i`` receives ``r_i = p_i / D_i`` of its order.
   Unserved final demand is lost (no backlog).
5. Inventories: ``S_ij += r_i O_ij − A_ij p_j``; target ``S*_ij = h_j A_ij x̄_j`` (``h`` weeks).
6. Overproduction: ``α`` moves toward ``α_max`` while demand exceeds capacity, back toward 1
   otherwise, at rate ``1/τ_α`` per week.
7. Planned output for next week ``p̃ = min(D, cap)``.

With no shock every quantity stays at its baseline (orders = ``A x̄ + ȳ = x̄``), and the
cumulative loss obeys ``loss = L (unserved final demand − inventory change)`` exactly, so once
inventories are back at target, losses are non-negative.

The loop runs on the non-zero cells of ``A`` only and stops early once the economy is back at
baseline (:data:`STOP_TOLERANCE`); both give the dense formulation's answers (tested).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse

from capcoop.analytics.io import leontief_inverse, technical_coefficients
from capcoop.analytics.io_system import IOSystem
from capcoop.errors import InputError

__all__ = ["ARIOParameters", "ARIOResult", "simulate_recovery"]

WEEKS_PER_YEAR = 52.0
#: Early stop of the weekly loop: every industry's weekly output, planned output and
#: inventory-gap orders within this share of the largest cumulative output deviation so far
#: (see ``docs/methods/io.md``); later weeks are then baseline.
STOP_TOLERANCE = 1e-11


@dataclass(frozen=True)
class ARIOParameters:
    """Behavioural parameters (defaults after Hallegatte 2008, converted to weeks).

    Attributes
    ----------
    inventory_weeks
        Target inventory of every input, in weeks of use (``h``); Hallegatte (2008) uses 90
        days ≈ 13 weeks. A scalar or one value per industry (the *buying* industry).
    inventory_restoration_weeks
        ``τ_s``: weeks over which an inventory gap is closed by extra orders (30 days ≈ 4).
    overproduction_max
        ``α_max``: the highest capacity relative to baseline when demand exceeds it (1.25).
    overproduction_weeks
        ``τ_α``: weeks for overproduction to build up or relax (1 year = 52 in Hallegatte
        2008; shorter values speed catching up).
    """

    inventory_weeks: float | np.ndarray = 13.0
    inventory_restoration_weeks: float = 4.0
    overproduction_max: float = 1.25
    overproduction_weeks: float = 52.0

    def validate(self, n: int) -> np.ndarray:
        """Check the values; returns ``inventory_weeks`` as an ``n`` array."""
        h = np.broadcast_to(np.asarray(self.inventory_weeks, dtype=float), (n,)).copy() \
            if np.ndim(self.inventory_weeks) == 0 or np.size(self.inventory_weeks) == n else None
        if h is None or not np.all(np.isfinite(h)) or np.any(h < 1):
            raise InputError(f"inventory_weeks {self.inventory_weeks!r} must be >= 1 week, one value "
                             f"or one per industry ({n})",
                             hint="e.g. inventory_weeks=13 (about 90 days)")
        for name, value, low in (("inventory_restoration_weeks", self.inventory_restoration_weeks, 1),
                                 ("overproduction_max", self.overproduction_max, 1),
                                 ("overproduction_weeks", self.overproduction_weeks, 1)):
            if not np.isfinite(value) or value < low:
                raise InputError(f"{name} must be >= {low}; got {value!r}",
                                 hint=f"see ARIOParameters for the default of {name}")
        return h


@dataclass(frozen=True)
class ARIOResult:
    """Weekly paths of a recovery simulation.

    Attributes
    ----------
    output
        ``weeks × industries`` production per week (table money unit per week), week 0 first.
    baseline
        Baseline production per week per industry.
    final_demand_shortfall
        ``weeks × industries`` final demand left unserved per week.
    capacity_loss
        ``weeks × industries`` share of capacity lost to the shock (``d_i(t)``).
    inventory_change
        Total change of the inventories each industry holds of every input over the horizon.
    parameters
        What was simulated (shock, durations, behavioural parameters).
    """

    output: pd.DataFrame
    baseline: pd.Series
    final_demand_shortfall: pd.DataFrame
    capacity_loss: pd.DataFrame
    inventory_change: pd.Series
    parameters: dict = field(default_factory=dict)

    @property
    def cumulative_loss(self) -> pd.Series:
        """Output lost over the horizon by ``(region, sector)``: ``Σ_t (x̄ − p(t))``."""
        return (self.baseline - self.output).sum(axis=0)

    @property
    def loss_path(self) -> pd.Series:
        """Total output lost each week, all industries."""
        return (self.baseline - self.output).sum(axis=1)

    def weeks_to_recover(self, tolerance: float = 1e-3) -> int | None:
        """First week from which total output stays within ``tolerance`` (relative) of baseline,
        after the shock started; None when it never does within the horizon."""
        gap = np.abs(self.loss_path.to_numpy()) / self.baseline.sum()
        start = int(self.parameters.get("start_week", 0))
        outside = np.nonzero(gap[start:] > tolerance)[0]
        if outside.size == 0:
            return start
        last = start + int(outside[-1]) + 1
        return last if last < len(gap) else None


def simulate_recovery(system: IOSystem, cuts: dict[tuple[str, str], float], *, weeks: int = 8,
                      recovery_weeks: int = 0, horizon_weeks: int = 104, start_week: int = 1,
                      parameters: ARIOParameters | None = None) -> ARIOResult:
    """Simulate a productive-capacity loss and the recovery, week by week.

    Parameters
    ----------
    system
        Annual table; its ``Z`` and ``x`` give the technology ``A`` and the baseline, final
        demand is ``ȳ = x̄ − A x̄`` so the baseline is an exact equilibrium.
    cuts
        ``{(region, sector): share}``: capacity lost, shares in ``[0, 1]`` (0: the baseline run).
    weeks
        How many weeks the full cut lasts.
    recovery_weeks
        Weeks over which capacity then returns linearly to baseline (0: at once).
    horizon_weeks
        Weeks simulated in all (including ``start_week`` weeks of baseline first).
    start_week
        Week in which the cut starts (weeks before are baseline).
    parameters
        Behavioural parameters (:class:`ARIOParameters`).

    Returns
    -------
    :class:`ARIOResult` with the weekly output path and the cumulative loss by industry;
    ``parameters["weeks_simulated"]`` is how many weeks ran before the economy was back at
    baseline to within :data:`STOP_TOLERANCE` (the rest of the horizon is baseline).
    """
    parameters = parameters or ARIOParameters()
    n = system.n
    h = parameters.validate(n)
    _check_timing(weeks, recovery_weeks, horizon_weeks, start_week)
    shock = _shock_vector(system, cuts)
    x_bar = system.x / WEEKS_PER_YEAR
    A = technical_coefficients(system.Z, system.x)
    if not _column_sums_below_one(A):
        leontief_inverse(A)  # refuses a non-productive or singular system
    y_bar = x_bar - A @ x_bar
    if np.any(y_bar < -1e-9 * max(1.0, float(x_bar.max()))):
        i = int(np.argmin(y_bar))
        raise InputError(f"{system.industries[i]} sells more to other industries than it produces "
                         f"(final demand {y_bar[i] * WEEKS_PER_YEAR:g} {system.unit}/year)",
                         hint="the ARIO model needs x ≥ A x; check the table's gross output")
    y_bar = np.clip(y_bar, 0.0, None)
    d = _capacity_loss_path(shock, weeks, recovery_weeks, horizon_weeks, start_week)
    paths = _run(A, x_bar, y_bar, h, d, parameters)
    index = pd.RangeIndex(horizon_weeks, name="week")
    frame = lambda values: pd.DataFrame(values, index=index, columns=system.industries)  # noqa: E731
    return ARIOResult(
        output=frame(paths["output"]), baseline=pd.Series(x_bar, index=system.industries),
        final_demand_shortfall=frame(paths["shortfall"]), capacity_loss=frame(d),
        inventory_change=pd.Series(paths["inventory_change"], index=system.industries),
        parameters={"cuts": {f"{r}/{s}": float(v) for (r, s), v in cuts.items()},
                    "weeks": weeks, "recovery_weeks": recovery_weeks,
                    "horizon_weeks": horizon_weeks, "start_week": start_week,
                    "inventory_weeks": parameters.inventory_weeks
                    if np.ndim(parameters.inventory_weeks) == 0 else "per industry",
                    "inventory_restoration_weeks": parameters.inventory_restoration_weeks,
                    "overproduction_max": parameters.overproduction_max,
                    "overproduction_weeks": parameters.overproduction_weeks,
                    "unit": f"{system.unit} per week", "table": system.name, "year": system.year,
                    "weeks_simulated": int(paths["weeks_simulated"]),
                    "stop_tolerance": STOP_TOLERANCE})


def _column_sums_below_one(A: np.ndarray) -> bool:
    """A cheap sufficient test that ``A`` is productive: non-negative with every column sum
    below 1 (positive value added everywhere) bounds the spectral radius below 1, so
    ``I − A`` is invertible with ``(I − A)⁻¹ ≥ 0``; otherwise the full check runs."""
    return bool(A.size == 0 or (A.min() >= 0 and A.sum(axis=0).max() < 1))


def _check_timing(weeks: int, recovery_weeks: int, horizon_weeks: int, start_week: int) -> None:
    for name, value, low in (("weeks", weeks, 1), ("recovery_weeks", recovery_weeks, 0),
                             ("start_week", start_week, 0), ("horizon_weeks", horizon_weeks, 1)):
        if int(value) != value or value < low:
            raise InputError(f"{name} must be a whole number >= {low}; got {value!r}",
                             hint="durations are counted in weeks, e.g. weeks=8")
    if start_week + weeks > horizon_weeks:
        raise InputError(f"horizon_weeks {horizon_weeks} ends before the cut does "
                         f"(week {start_week + weeks})",
                         hint="simulate longer than the cut, e.g. horizon_weeks=104")


def _shock_vector(system: IOSystem, cuts: dict[tuple[str, str], float]) -> np.ndarray:
    if not cuts:
        raise InputError("no capacity cut given", hint="pass cuts={(region, sector): share}")
    shock = np.zeros(system.n)
    for (region, sector), share in cuts.items():
        share = float(share)
        if not 0 <= share <= 1:
            raise InputError(f"cut {share!r} for ({region}, {sector}) is not a share in [0, 1]",
                             hint="give 0.3 for a 30% cut")
        shock[system.position(region, sector)] = share
    return shock


def _capacity_loss_path(shock: np.ndarray, weeks: int, recovery_weeks: int, horizon: int,
                        start: int) -> np.ndarray:
    """``d_i(t)``: full cut for ``weeks``, then a linear return over ``recovery_weeks``."""
    t = np.arange(horizon, dtype=float)[:, None]
    since = t - start
    level = np.where((since >= 0) & (since < weeks), 1.0, 0.0)
    if recovery_weeks:
        ramp = 1.0 - (since - weeks + 1) / (recovery_weeks + 1)
        level = np.where((since >= weeks) & (since < weeks + recovery_weeks), ramp, level)
    return level * shock[None, :]


def _run(A: np.ndarray, x_bar: np.ndarray, y_bar: np.ndarray, h: np.ndarray, d: np.ndarray,
         parameters: ARIOParameters) -> dict[str, np.ndarray | int]:
    """The weekly loop on the non-zero cells of ``A`` only (inventories and orders live on its
    pattern: a cell with ``A_ij = 0`` never orders nor stocks anything), cells sorted by buying
    industry so each week's per-industry minimum is one contiguous reduction and order totals
    one sparse product."""
    horizon, n = d.shape
    cols, rows = np.nonzero(A.T)  # column-major order: the cells each industry j buys
    a = A[rows, cols]
    m = a.size
    starts = np.searchsorted(cols, np.arange(n))
    buys = np.bincount(cols, minlength=n) > 0
    positive = bool(np.all(a > 0))
    target = a * (h * x_bar)[cols]  # S*_ij = h_j A_ij x̄_j
    stock = target.copy()
    counts = np.diff(np.append(starts, m))  # cells per buying industry: v[cols] = repeat
    work, ratio = np.empty(m), np.empty(m)
    # Σ_j O_ij as a sparse product; ``orders`` is the matrix's own data, refilled each week
    order_matrix = sparse.csc_array((np.zeros(m), rows, np.append(starts, m)), shape=(n, n))
    orders = order_matrix.data
    ones = np.ones(n)
    alpha = np.ones(n)
    planned = x_bar.copy()
    tau_s, tau_a = parameters.inventory_restoration_weeks, parameters.overproduction_weeks
    output, shortfall = np.empty((horizon, n)), np.empty((horizon, n))
    over = np.flatnonzero(np.any(d != 0.0, axis=1))
    quiet_from = int(over[-1]) + 1 if over.size else 0  # no capacity loss from this week on
    deviation = np.zeros(n)  # Σ_t |x̄ − p(t)| so far
    bound = np.full(n, np.inf)
    weeks_simulated = horizon
    for t in range(horizon):
        capacity = alpha * (1.0 - d[t]) * x_bar
        # O_ij = max(A_ij p̃_j + (S*_ij − S_ij) / τ_s, 0)
        np.multiply(a, np.repeat(planned, counts), out=orders)
        np.subtract(target, stock, out=work)
        work /= tau_s
        orders += work
        np.maximum(orders, 0.0, out=orders)
        demand = order_matrix @ ones + y_bar
        with np.errstate(divide="ignore", invalid="ignore"):
            # inputs in stock bound production: p_j ≤ min_i S_ij / A_ij
            np.divide(stock, a, out=ratio)
            if not positive:
                ratio[a <= 0] = np.inf
            if m:
                bound[buys] = np.minimum.reduceat(ratio, starts[buys])
            p = np.minimum(np.minimum(capacity, demand), bound)
            served = np.where(demand > 0, p / np.where(demand > 0, demand, 1.0), 1.0)
        # S_ij += r_i O_ij − A_ij p_j
        orders *= np.take(served, rows, out=work, mode="clip")
        stock += orders
        np.multiply(a, np.repeat(p, counts), out=work)
        stock -= work
        output[t], shortfall[t] = p, (1.0 - served) * y_bar
        scarce = demand > capacity * (1 + 1e-12)
        alpha += np.where(scarce, parameters.overproduction_max - alpha, 1.0 - alpha) / tau_a
        planned = np.minimum(demand, alpha * (1.0 - d[min(t + 1, horizon - 1)]) * x_bar)
        deviation += np.abs(x_bar - p)
        if t + 1 >= quiet_from and t + 1 < horizon and _settled(
                x_bar, p, planned, scarce, target, stock, rows, tau_s, deviation.max()):
            output[t + 1:], shortfall[t + 1:] = x_bar, 0.0
            weeks_simulated = t + 1
            break
    return {"output": output, "shortfall": shortfall, "weeks_simulated": weeks_simulated,
            "inventory_change": np.bincount(rows, weights=stock - target, minlength=n)}


def _settled(x_bar: np.ndarray, p: np.ndarray, planned: np.ndarray, scarce: np.ndarray,
             target: np.ndarray, stock: np.ndarray, rows: np.ndarray, tau_s: float,
             scale: float) -> bool:
    """Whether the economy is back at baseline to within :data:`STOP_TOLERANCE` × ``scale``
    (the largest cumulative output deviation so far): nobody short, every industry's output
    and planned output that close to baseline, and the orders still owed to inventory gaps,
    ``Σ_j |S*_ij − S_ij| / τ_s`` per supplier, that small. Baseline is a fixed point of the
    rules, so the weeks after differ from it by no more than this (decaying) remainder."""
    limit = STOP_TOLERANCE * scale
    if scarce.any() or np.abs(x_bar - p).max() > limit or np.abs(x_bar - planned).max() > limit:
        return False
    gap = np.bincount(rows, weights=np.abs(target - stock), minlength=x_bar.size) / tau_s
    return bool(gap.max() <= limit)
