"""Sharing a scarce, indivisible supply (vaccine doses) among recipients: exact, bounded, monotone.

Glossary
--------
``N``  doses to share (an integer); ``w_i`` a recipient's weight (population, or unmet need);
``f_i`` its floor (guaranteed doses); ``a_i`` its capacity (the most it can absorb: doses to
reach full coverage, or a user cap; ``inf`` for none); ``t_i`` its priority tier (1 first).

Algorithm
---------
1. **Checks.** ``f_i <= a_i`` for every recipient and ``sum f <= N``, else :class:`InputError`.
   A recipient with ``w_i = 0`` has no claim beyond its floor: its capacity becomes ``f_i``.
2. **Saturation.** When ``N >= sum a`` every recipient gets ``a_i`` and ``N - sum a`` doses are
   *undistributable* (reported, never forced on anyone).
3. **Tiers.** Floors are reserved first. Tier 1 then takes ``min(rest, sum(a - f))`` of the rest,
   tier 2 the next, and so on: a lower tier gets doses only when the tiers above it are full.
4. **Continuous share** (reported as ``exact``) inside a tier with budget ``h``: water-filling
   ``x_i = clip(lambda * w_i, f_i, a_i)`` with ``lambda`` solving ``sum x_i = h`` (piecewise
   linear, solved exactly between breakpoints).
5. **Integers** by the Webster / Sainte-Laguë divisor method with bounds: the tier's ``h``
   doses are the ``h`` best "seats" ``(i, k)``, ``f_i <= k < a_i``, ranked by the priority
   ``w_i / (k + 1/2)`` (ties: the smaller recipient label first), i.e. what handing out doses one
   at a time to the highest priority gives. It is computed by a jump (round ``lambda * w_i``
   to nearest, clipped) and a few exact steps and exchanges with rational arithmetic.

Properties (tested with Hypothesis in ``tests/analytics/test_allocation.py``)
-----------------------------------------------------------------------------
* ``sum doses == min(N, sum a)`` exactly, ``f_i <= doses_i <= a_i``.
* **House monotone**: raising ``N`` never lowers anyone's doses (no Alabama paradox), because the
  allocation for ``N + 1`` is the one for ``N`` plus one seat. Largest-remainder (Hamilton)
  rounding of ``x`` would stay within one dose of the continuous share but can take a dose away
  when ``N`` grows; Webster may, rarely, differ from ``x_i`` by more than one dose.
* Permutation invariant: results depend on labels, not on the order recipients are listed in.

References
----------
Balinski, M. L. and Young, H. P. (2001). *Fair Representation*, 2nd ed. Brookings.
Pukelsheim, F. (2017). *Proportional Representation*, 2nd ed., ch. 4 (jump-and-step) and ch. 7
(minimum and maximum restrictions). Springer.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pandas as pd

from capcoop.errors import InputError

__all__ = ["Allocation", "allocate_doses", "doses_to_reach", "continuous_shares"]


@dataclass(frozen=True)
class Allocation:
    """The result of :func:`allocate_doses`; ``table`` has one row per recipient.

    ``table`` columns: ``recipient``, ``weight``, ``tier``, ``floor``, ``capacity`` (effective
    upper bound, ``inf`` for none), ``exact`` (continuous share) and ``doses`` (integers).
    """

    table: pd.DataFrame
    requested: int
    allocated: int
    absorbable: float

    @property
    def undistributable(self) -> int:
        """Doses nobody can absorb: ``requested - allocated`` (0 unless ``N > sum capacity``)."""
        return self.requested - self.allocated

    def doses(self) -> dict[str, int]:
        """``{recipient: doses}``."""
        return dict(zip(self.table["recipient"], self.table["doses"].astype(int), strict=True))


def doses_to_reach(population: float, covered: float, target_per100: float,
                   doses_per_person: int = 1) -> int:
    """Doses that bring ``covered`` people out of ``population`` to ``target_per100`` coverage.

    ``doses_per_person * ceil(max(0, target_per100 / 100 * population - covered))``; never
    negative (a recipient above the target needs nothing).
    """
    if not (0 <= target_per100 <= 100):
        raise InputError(f"target coverage {target_per100!r} is not between 0 and 100 per 100 "
                         "people", hint="give e.g. 70 for 70 people in 100")
    gap = target_per100 / 100.0 * population - covered
    return int(doses_per_person) * max(0, math.ceil(gap - 1e-9))


def allocate_doses(total: int, weights: Mapping[str, float] | pd.Series, *,
                   floors: Mapping[str, int] | pd.Series | None = None,
                   caps: Mapping[str, float] | pd.Series | None = None,
                   tiers: Mapping[str, int] | pd.Series | None = None) -> Allocation:
    """Share ``total`` indivisible doses in proportion to ``weights`` within floors and caps.

    Parameters
    ----------
    total
        Doses to share, an integer ``>= 0``.
    weights
        Recipient label -> weight ``>= 0`` (population, unmet need ...).
    floors, caps, tiers
        Recipient label -> floor (integer, default 0), capacity (integer or ``inf``, default
        ``inf``) and priority tier (integer ``>= 1``, default 1). Labels must be recipients.

    Returns
    -------
    Allocation
        Integer doses summing to ``min(total, sum of capacities)``, see the module docstring.

    Raises
    ------
    InputError
        Negative or non-integer amounts, unknown labels, a floor above a cap, or floors that need
        more than ``total``.
    """
    labels, w, tier, floor, cap = _inputs(total, weights, floors, caps, tiers)
    absorbable = float(cap.sum())
    if total >= absorbable:
        return _result(labels, w, tier, floor, cap, cap.astype(float), cap.astype(np.int64),
                       int(total), int(absorbable), absorbable)
    exact = np.zeros(len(labels))
    doses = np.zeros(len(labels), dtype=np.int64)
    rest = int(total) - int(floor.sum())
    for level in np.unique(tier):
        members = np.flatnonzero(tier == level)
        take = int(min(rest, float((cap[members] - floor[members]).sum())))
        budget = int(floor[members].sum()) + take
        rest -= take
        exact[members] = continuous_shares(budget, w[members], floor[members], cap[members])
        doses[members] = _webster(budget, [labels[i] for i in members], w[members],
                                  floor[members], cap[members], exact[members])
    return _result(labels, w, tier, floor, cap, exact, doses, int(total), int(total), absorbable)


def continuous_shares(budget: float, weights: np.ndarray, floors: np.ndarray,
                      caps: np.ndarray) -> np.ndarray:
    """Water-filling: ``x_i = clip(lambda * w_i, f_i, a_i)`` with ``sum x = budget``.

    ``sum_i clip(lambda * w_i, f_i, a_i)`` is piecewise linear and non-decreasing in ``lambda``
    with breakpoints ``f_i / w_i`` and ``a_i / w_i``; the root is found on the segment where the
    sum crosses ``budget`` (recipients with ``w_i = 0`` stay at ``f_i``). Requires
    ``sum f <= budget <= sum a``.
    """
    w, f, a = (np.asarray(v, dtype=float) for v in (weights, floors, caps))
    positive = w > 0
    if budget <= f.sum() or not positive.any():
        return f.copy()
    w = w / w.max()  # scale-free; keeps lambda in range for very unequal weights
    with np.errstate(divide="ignore", over="ignore"):
        points = np.concatenate([f[positive] / w[positive], a[positive] / w[positive]])
    points = np.unique(points[np.isfinite(points)])
    # sum of clip(lambda * w, f, a) at every breakpoint (lambda along rows)
    sums = np.clip(np.outer(points, w), f, a).sum(axis=1)
    above = np.flatnonzero(sums >= budget)
    if len(above) == 0:
        low, high = (float(points[-1]) if len(points) else 0.0), np.inf
    else:
        low = 0.0 if above[0] == 0 else float(points[above[0] - 1])
        high = float(points[above[0]])
    # Who moves with lambda on the segment [low, high]: judged strictly inside the segment, since
    # at a breakpoint rounding can leave a recipient a hair below the cap it has reached.
    probe = (low + high) / 2 if np.isfinite(high) else 2 * low + 1
    free = positive & (probe * w > f) & (probe * w < a)
    slope = w[free].sum()
    with np.errstate(over="ignore", invalid="ignore"):
        base = float(np.clip(low * w, f, a).sum())
        lam = low if slope == 0 else low + (budget - base) / slope
        return np.clip(lam * w, f, a)


def _result(labels, w, tier, floor, cap, exact, doses, requested, allocated, absorbable):
    table = pd.DataFrame({"recipient": labels, "weight": w, "tier": tier, "floor": floor,
                          "capacity": cap, "exact": exact, "doses": doses})
    return Allocation(table, requested, allocated, absorbable)


def _inputs(total, weights, floors, caps, tiers):
    """Validated recipient labels and aligned arrays: weight, tier, floor, effective capacity."""
    if isinstance(total, bool) or not float(total).is_integer() or total < 0:
        raise InputError(f"doses to share must be a whole number >= 0, got {total!r}",
                         hint="give e.g. 10000000")
    items = list(dict(weights).items()) if not isinstance(weights, pd.Series) else \
        list(weights.items())
    if not items:
        raise InputError("no recipients to share doses among",
                         hint="give at least one recipient with a weight")
    labels = [str(label) for label, _ in items]
    if len(set(labels)) != len(labels):
        raise InputError(f"recipients repeat: {sorted({x for x in labels if labels.count(x) > 1})}",
                         hint="list each recipient once")
    w = np.array([float(v) for _, v in items])
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        at = int(np.argmax(bad))
        raise InputError(f"weight of {labels[at]!r} is {w[at]!r}; weights must be finite and >= 0",
                         hint="use populations or doses needed, which are never negative")
    tier = _aligned(tiers, labels, "tier", 1).astype(np.int64)
    if (tier < 1).any():
        at = int(np.argmax(tier < 1))
        raise InputError(f"tier of {labels[at]!r} is {tier[at]}; tiers start at 1",
                         hint="give 1 for the first priority, 2 for the next ...")
    floor = _aligned(floors, labels, "floor", 0)
    cap = _aligned(caps, labels, "cap", math.inf)
    cap = np.where(w == 0, np.minimum(cap, floor), cap)  # no weight: no claim beyond the floor
    _check_floors(labels, floor, cap, total)
    return labels, w, tier, floor, cap


def _aligned(values, labels: list[str], what: str, default: float) -> np.ndarray:
    column = np.full(len(labels), float(default))
    if values is None:
        return column
    position = {label: i for i, label in enumerate(labels)}
    for label, value in (values.items() if hasattr(values, "items") else values):
        key = str(label)
        if key not in position:
            raise InputError(f"{what} given for {key!r}, which is not a recipient",
                             hint=f"recipients are {', '.join(labels)}")
        number = float(value)
        if math.isnan(number) or number < 0 or (math.isfinite(number) and number % 1 != 0):
            raise InputError(f"{what} of {key!r} is {value!r}; it must be a whole number >= 0",
                             hint=f"give the {what} in doses (or a tier number), e.g. 100000")
        column[position[key]] = number
    return column


def _check_floors(labels: list[str], floor: np.ndarray, cap: np.ndarray, total: int) -> None:
    over = floor > cap
    if over.any():
        at = int(np.argmax(over))
        raise InputError(f"floor of {labels[at]!r} ({int(floor[at]):,} doses) exceeds what it can "
                         f"receive ({cap[at]:,.0f})",
                         hint="lower that floor, or raise its cap (a recipient with no weight "
                              "can only receive its floor)")
    needed = int(floor.sum())
    if needed > total:
        raise InputError(f"floors need {needed:,} doses but only {int(total):,} are shared",
                         hint="lower the floors or raise the doses")


def _webster(budget: int, labels: list[str], weights: np.ndarray, floors: np.ndarray,
             caps: np.ndarray, exact: np.ndarray) -> np.ndarray:
    """The ``budget`` best seats of the tier (see the module docstring), computed exactly."""
    w = [Fraction(float(x)) for x in weights]
    f = [int(x) for x in floors]
    a = [math.inf if not math.isfinite(c) else int(c) for c in caps]
    n = [lo if not math.isfinite(x) else int(min(max(math.floor(x + 0.5), lo), hi))
         for x, lo, hi in zip(exact, f, a, strict=True)]

    def next_seat(i: int):  # priority of recipient i's next dose; larger ranks first
        return (w[i] * 2 / (2 * n[i] + 1), _Desc(labels[i])) if n[i] < a[i] and w[i] > 0 else None

    def last_seat(i: int):  # priority of the last dose recipient i holds above its floor
        return (w[i] * 2 / (2 * n[i] - 1), _Desc(labels[i])) if n[i] > f[i] else None

    def best(seats):
        found = [(s, i) for i, s in enumerate(seats) if s is not None]
        return max(found) if found else (None, None)

    def worst(seats):
        found = [(s, i) for i, s in enumerate(seats) if s is not None]
        return min(found) if found else (None, None)

    rng = range(len(n))
    while sum(n) < budget:
        n[best([next_seat(i) for i in rng])[1]] += 1
    while sum(n) > budget:
        n[worst([last_seat(i) for i in rng])[1]] -= 1
    while True:
        top, gain = best([next_seat(i) for i in rng])
        low, lose = worst([last_seat(i) for i in rng])
        if top is None or low is None or not top > low:
            return np.array(n, dtype=np.int64)
        n[gain] += 1
        n[lose] -= 1


class _Desc:
    """A label that sorts in reverse, so that on equal priority the smaller label ranks first."""

    __slots__ = ("label",)

    def __init__(self, label: str) -> None:
        self.label = label

    def __lt__(self, other: _Desc) -> bool:
        return self.label > other.label

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Desc) and self.label == other.label

    def __hash__(self) -> int:
        return hash(self.label)
