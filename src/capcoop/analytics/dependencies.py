"""Import-dependency screens and trade-disruption scenarios on bilateral trade flows.

Pure numerics on compact frames (no warehouse, no I/O). Definitions, thresholds and references:
``docs/methods/dependencies.md``.

Glossary (for one product or group ``p``)

=====================  ================================================================
``F[e, i]``            value of ``p`` shipped by exporter ``e`` to importer ``i`` (US$)
``M_i = sum_e F[e,i]`` the importer's imports (extra-bloc for a bloc importer)
``s_e = F[e,i]/M_i``   supplier ``e``'s share of those imports
``HHI = sum_e s_e^2``  supplier concentration, 0 (many small suppliers) to 1 (one supplier)
``W_e = sum_k F[e,k]`` ``e``'s exports of ``p`` to the world
=====================  ================================================================
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from capcoop.errors import InputError

__all__ = ["Thresholds", "DisruptionRule", "NO_EXPORTS_RATIO", "hhi", "dependency_indicators",
           "disruption_losses", "substitution", "SCREEN_COLUMNS"]

#: The import/export ratio reported when the importer exports none of the product (CEPII's
#: GeoDep convention: the product cannot be replaced by domestic supply).
NO_EXPORTS_RATIO = 9999.0

SCREEN_COLUMNS = (
    "item", "imports_usd", "suppliers", "hhi", "top_supplier", "top_supplier_usd", "top_share",
    "second_supplier", "second_share", "world_imports_usd", "share_of_world_imports",
    "top_supplier_world_exports_usd", "top_supplier_world_share", "world_export_hhi",
    "alternative_exports_usd", "substitutability", "own_exports_usd", "import_export_ratio",
    "extra_bloc_share", "criteria", "eu_dependent", "eu_critical", "cepii_dependent",
    "criteria_met")


@dataclass(frozen=True)
class Thresholds:
    """Criticality thresholds (documented defaults; every one can be changed).

    Parameters
    ----------
    hhi
        Supplier concentration of the importer's imports above which a product is concentrated
        (EU SWD(2021) 352 criterion 1 and CEPII GeoDep criterion 1: 0.4).
    extra_share
        For a bloc importer: share of extra-bloc imports in its total imports above which
        foreign supply matters (EU criterion 2: 0.5). Not applicable to a single country.
    import_export_ratio
        Imports over the importer's exports of the product above which domestic supply cannot
        replace imports (EU criterion 3 and CEPII criterion 3: 1).
    world_hhi
        Concentration of world exports above which the world supply is concentrated (CEPII
        GeoDep criterion 2: 0.4).
    substitutability
        Alternative suppliers' world exports over imports from the top supplier below which
        the top supplier is hard to replace (1: the rest of the world exports less than the
        importer buys from its top supplier).
    """

    hhi: float = 0.4
    extra_share: float = 0.5
    import_export_ratio: float = 1.0
    world_hhi: float = 0.4
    substitutability: float = 1.0

    def checked(self) -> Thresholds:
        """Self, after checking every threshold is a finite number >= 0 (HHIs and shares <= 1)."""
        for name, value in asdict(self).items():
            bounded = name in ("hhi", "extra_share", "world_hhi")
            if not isinstance(value, (int, float)) or not np.isfinite(value) or value < 0 \
                    or (bounded and value > 1):
                raise InputError(f"threshold {name}={value!r} is not allowed",
                                 hint=f"{name} must be a number in [0, {1 if bounded else 'inf'})")
        return self


def hhi(values: pd.Series | np.ndarray) -> float:
    """Herfindahl-Hirschman index of the shares of ``values``: ``sum_e (v_e / sum v)^2``.

    NaN when the values sum to zero. Values must be >= 0.

    Examples
    --------
    >>> hhi([50, 50])
    0.5
    """
    v = np.asarray(values, dtype=float)
    total = v.sum()
    return float(((v / total) ** 2).sum()) if total > 0 else float("nan")


def _ranked(frame: pd.DataFrame, key: str, who: str) -> pd.DataFrame:
    """Per ``item``: total, count, HHI, first and second ``who`` by value (ties by code)."""
    frame = frame[frame[key] > 0].sort_values(["item", key, who], ascending=[True, False, True])
    grouped = frame.groupby("item", sort=True)
    out = pd.DataFrame({"total": grouped[key].sum(), "count": grouped[key].size(),
                        "hhi": grouped[key].agg(hhi)})
    first = grouped.nth(0).set_index("item")
    second = grouped.nth(1).set_index("item")
    out["first"], out["first_value"] = first[who], first[key]
    out["second"], out["second_value"] = second[who], second[key]
    return out


def dependency_indicators(imports: pd.DataFrame, world: pd.DataFrame, own_exports: pd.Series,
                          *, members: Collection[str], total_imports: pd.Series | None = None,
                          thresholds: Thresholds | None = None) -> pd.DataFrame:
    """Supplier concentration, world-supply weight, substitutability and criticality flags.

    Parameters
    ----------
    imports
        ``[item, supplier, value_usd]``: the importer's imports of each item by supplier (for a
        bloc: extra-bloc imports, intra-bloc suppliers already removed or kept by the caller).
    world
        ``[item, exporter, value_usd]``: every exporter's exports of each item to the world.
    own_exports
        Item -> the importer's exports (extra-bloc for a bloc); missing items count as 0.
    members
        The importer's member codes (excluded from the alternative suppliers).
    total_imports
        Item -> the bloc's imports including intra-bloc trade, for the extra-bloc share; None
        for a single country (criterion 2 not applicable).
    thresholds
        :class:`Thresholds` (defaults when None).

    Returns
    -------
    pandas.DataFrame
        One row per item with :data:`SCREEN_COLUMNS`, ranked: most criteria met first, then by
        imports from the top supplier.

    Notes
    -----
    ``substitutability = (sum_{e not top, not member} W_e) / F[top, i]``;
    ``import_export_ratio = M_i / X_i`` (:data:`NO_EXPORTS_RATIO` when ``X_i = 0``);
    ``eu_dependent`` = HHI > t.hhi and ratio > t.import_export_ratio (and, for a bloc, the
    extra-bloc share > t.extra_share); ``eu_critical`` = eu_dependent and substitutability <
    t.substitutability; ``cepii_dependent`` = HHI > t.hhi, world-export HHI > t.world_hhi and
    ratio > t.import_export_ratio.
    """
    t = (thresholds or Thresholds()).checked()
    _check_columns(imports, ("item", "supplier", "value_usd"), "imports")
    _check_columns(world, ("item", "exporter", "value_usd"), "world")
    own = set(members)
    mine = _ranked(imports, "value_usd", "supplier")
    if mine.empty:
        return pd.DataFrame(columns=list(SCREEN_COLUMNS))
    w = world[world["item"].isin(mine.index) & (world["value_usd"] > 0)]
    world_total = w.groupby("item")["value_usd"].sum()
    world_hhi = w.groupby("item")["value_usd"].agg(hhi)
    w_by = w.groupby(["item", "exporter"])["value_usd"].sum()
    top_world = pd.Series([w_by.get((i, e), 0.0) for i, e in zip(mine.index, mine["first"],
                                                                 strict=True)], index=mine.index)
    outsiders = w[~w["exporter"].isin(own)].groupby("item")["value_usd"].sum()
    alternatives = outsiders.reindex(mine.index, fill_value=0.0) - top_world
    exports = own_exports.reindex(mine.index).fillna(0.0).astype(float)
    out = pd.DataFrame({
        "item": mine.index, "imports_usd": mine["total"], "suppliers": mine["count"],
        "hhi": mine["hhi"], "top_supplier": mine["first"], "top_supplier_usd": mine["first_value"],
        "top_share": mine["first_value"] / mine["total"], "second_supplier": mine["second"],
        "second_share": mine["second_value"] / mine["total"],
        "world_imports_usd": world_total.reindex(mine.index),
        "top_supplier_world_exports_usd": top_world,
        "world_export_hhi": world_hhi.reindex(mine.index),
        "alternative_exports_usd": alternatives.clip(lower=0.0),
        "own_exports_usd": exports}).reset_index(drop=True)
    out["share_of_world_imports"] = out["imports_usd"] / out["world_imports_usd"]
    out["top_supplier_world_share"] = out["top_supplier_world_exports_usd"] / out["world_imports_usd"]
    out["substitutability"] = out["alternative_exports_usd"] / out["top_supplier_usd"]
    out["import_export_ratio"] = np.where(out["own_exports_usd"] > 0,
                                          out["imports_usd"] / out["own_exports_usd"].where(
                                              out["own_exports_usd"] > 0), NO_EXPORTS_RATIO)
    out["extra_bloc_share"] = (None if total_imports is None else
                               (out["imports_usd"] / out["item"].map(total_imports)).to_numpy())
    return _flags(out, t, bloc=total_imports is not None)


def _check_columns(frame: pd.DataFrame, columns: tuple[str, ...], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(f"{name} frame lacks column(s) {missing}", hint=f"expected {list(columns)}")
    if (frame["value_usd"] < 0).any():
        raise InputError(f"{name} frame has negative trade values",
                         hint="trade values are US$ amounts >= 0")


def _flags(out: pd.DataFrame, t: Thresholds, *, bloc: bool) -> pd.DataFrame:
    """Apply the EU and CEPII criteria; rank by criteria met, then imports from the top."""
    c1 = out["hhi"] > t.hhi
    c2 = (out["extra_bloc_share"].astype(float) > t.extra_share) if bloc else \
        pd.Series(True, index=out.index)
    c3 = out["import_export_ratio"] > t.import_export_ratio
    world_c = out["world_export_hhi"].astype(float) > t.world_hhi
    low_sub = out["substitutability"].astype(float) < t.substitutability
    out["eu_dependent"] = c1 & c2 & c3
    out["eu_critical"] = out["eu_dependent"] & low_sub
    out["cepii_dependent"] = c1 & world_c & c3
    out["criteria"] = [
        {"import_concentration": bool(a), "extra_bloc_demand": (bool(b) if bloc else None),
         "import_export_ratio": bool(c), "world_export_concentration": bool(d),
         "low_substitutability": bool(e)}
        for a, b, c, d, e in zip(c1, c2, c3, world_c, low_sub, strict=True)]
    out["criteria_met"] = (c1.astype(int) + (c2.astype(int) if bloc else 0) + c3.astype(int)
                           + world_c.astype(int) + low_sub.astype(int))
    out = out.sort_values(["criteria_met", "top_supplier_usd", "item"],
                          ascending=[False, False, True], kind="mergesort")
    return out[list(SCREEN_COLUMNS)].reset_index(drop=True)


# --- disruption scenarios ------------------------------------------------------------------


@dataclass(frozen=True)
class DisruptionRule:
    """How alternative suppliers replace a lost supply (see ``docs/methods/dependencies.md``).

    Parameters
    ----------
    spare_share
        Share of an alternative supplier's exports to the rest of the world (every destination
        but the importer) it can divert to the importer in the period (default 0.1).
    weights
        ``'importer'``: the loss is spread over alternative suppliers in proportion to their
        existing shares of the importer's imports (a sole-supplier importer gets no
        replacement); ``'world'``: in proportion to their world exports.
    shared_capacity
        True: a supplier's diversions to all importers together never exceed ``spare_share``
        times its world exports (requests above that are scaled down proportionally).
    """

    spare_share: float = 0.1
    weights: str = "importer"
    shared_capacity: bool = True

    def checked(self) -> DisruptionRule:
        """Self, after validating every field."""
        if not isinstance(self.spare_share, (int, float)) or not 0 <= self.spare_share <= 1:
            raise InputError(f"spare_share={self.spare_share!r} is not a share",
                             hint="give a number between 0 and 1, e.g. 0.1")
        if self.weights not in ("importer", "world"):
            raise InputError(f"unknown substitution weights {self.weights!r}",
                             hint="use 'importer' or 'world'")
        return self


def _check_cut(cut: float) -> float:
    if not isinstance(cut, (int, float)) or not np.isfinite(cut) or not 0 <= cut <= 1:
        raise InputError(f"cut {cut!r} is not a share between 0 and 1",
                         hint="give the fall as a share, e.g. 0.3 for 30%")
    return float(cut)


def _capped_proportional(demand: np.ndarray, weights: np.ndarray, cap: np.ndarray) -> np.ndarray:
    """Allocate each column's ``demand`` over rows in proportion to ``weights``, never above
    ``cap``; what a capped row cannot take goes to the others (water-filling).

    ``alloc[:, i] = min(cap[:, i], w[:, i] * lambda_i)`` with ``lambda_i`` chosen so the
    column sums to ``min(demand_i, sum of capped rows with weight)``.
    """
    alloc = np.zeros_like(cap)
    usable = (weights > 0) & (cap > 0)
    for _ in range(cap.shape[0] + 1):
        remaining = demand - alloc.sum(axis=0)
        active = usable & (alloc < cap * (1 - 1e-12))
        w = np.where(active, weights, 0.0)
        total = w.sum(axis=0)
        step = np.divide(w * np.clip(remaining, 0.0, None), total, out=np.zeros_like(w),
                         where=total > 0)
        proposed = alloc + step
        alloc = np.minimum(proposed, cap)
        if np.allclose(alloc, proposed, rtol=0, atol=1e-9 * max(1.0, float(demand.max(initial=0)))):
            break
    return alloc


def substitution(flows: np.ndarray, exporter: int, cut: float,
                 rule: DisruptionRule | None = None) -> dict[str, np.ndarray]:
    """One product: direct loss and replacement for every importer when ``exporter`` cuts.

    Parameters
    ----------
    flows
        ``F[e, i]`` (exporters x importers, same economies on both axes, US$, diagonal 0).
    exporter
        Row index of the disrupted exporter.
    cut
        Fall of its shipments, a share in [0, 1].

    Returns
    -------
    dict
        ``loss`` (per importer), ``replacement`` (per supplier x importer), ``capacity`` (the
        per-pair spare capacity ``spare_share * sum_{k != i} F[j, k]``) and ``shortfall``.
    """
    r = (rule or DisruptionRule()).checked()
    cut = _check_cut(cut)
    f = np.asarray(flows, dtype=float)
    if f.ndim != 2 or f.shape[0] != f.shape[1] or (f < 0).any():
        raise InputError("flows must be a square matrix of non-negative values",
                         hint="rows and columns are the same economies")
    f = f.copy()
    np.fill_diagonal(f, 0.0)
    loss = cut * f[exporter]
    world = f.sum(axis=1)                                   # W_j
    capacity = r.spare_share * (world[:, None] - f)         # c_ji = s * sum_{k != i} F[j, k]
    capacity[exporter] = 0.0
    np.fill_diagonal(capacity, 0.0)
    weights = f.copy() if r.weights == "importer" else np.repeat(world[:, None], f.shape[1], 1)
    weights[exporter] = 0.0
    np.fill_diagonal(weights, 0.0)
    alloc = _capped_proportional(loss, weights, capacity)
    if r.shared_capacity:
        pool = r.spare_share * world                        # C_j = s * W_j
        drawn = alloc.sum(axis=1)
        scale = np.divide(pool, drawn, out=np.ones_like(pool), where=drawn > pool)
        alloc = alloc * np.minimum(scale, 1.0)[:, None]
    return {"loss": loss, "replacement": alloc, "capacity": capacity,
            "shortfall": np.clip(loss - alloc.sum(axis=0), 0.0, None)}


def disruption_losses(flows: pd.DataFrame, exporter: str, cut: float,
                      rule: DisruptionRule | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every importer's direct loss, replacement and net shortfall, summed over products.

    Parameters
    ----------
    flows
        ``[product, exporter, importer, value_usd]`` bilateral flows (any set of products).
    exporter
        The disrupted exporter's code.
    cut
        Fall of its shipments of every product, a share in [0, 1].

    Returns
    -------
    (importers, replacements)
        ``importers``: ``[importer, imports_usd, from_exporter_usd, direct_loss_usd,
        replacement_usd, net_shortfall_usd]`` for every importer buying from ``exporter``,
        ranked by net shortfall; ``replacements``: ``[importer, supplier, replacement_usd]``.
    """
    _check_columns(flows.rename(columns={"exporter": "supplier"}).assign(item=0),
                   ("product", "supplier", "importer", "value_usd"), "flows")
    r = (rule or DisruptionRule()).checked()
    cut = _check_cut(cut)
    frame = flows[flows["exporter"] != flows["importer"]]
    codes = np.array(sorted(set(frame["exporter"]) | set(frame["importer"])), dtype=object)
    index = {c: k for k, c in enumerate(codes)}
    n = len(codes)
    loss, repl = np.zeros(n), np.zeros((n, n))
    imports = frame.groupby("importer")["value_usd"].sum()
    if exporter in index:
        for _, part in frame.groupby("product", sort=True):
            f = np.zeros((n, n))
            np.add.at(f, (part["exporter"].map(index).to_numpy(),
                          part["importer"].map(index).to_numpy()), part["value_usd"].to_numpy())
            if f[index[exporter]].sum() <= 0:
                continue
            result = substitution(f, index[exporter], cut, r)
            loss += result["loss"]
            repl += result["replacement"]
    base = (frame[frame["exporter"] == exporter].groupby("importer")["value_usd"].sum())
    hit = base[base > 0].index
    pos = [index[c] for c in hit]
    table = pd.DataFrame({"importer": list(hit), "imports_usd": imports.reindex(hit).to_numpy(),
                          "from_exporter_usd": base[hit].to_numpy(),
                          "direct_loss_usd": loss[pos], "replacement_usd": repl[:, pos].sum(axis=0)})
    table["net_shortfall_usd"] = (table["direct_loss_usd"] - table["replacement_usd"]).clip(lower=0.0)
    table = table.sort_values(["net_shortfall_usd", "importer"], ascending=[False, True],
                              kind="mergesort").reset_index(drop=True)
    j, i = np.nonzero(repl[:, pos] > 0) if pos else (np.array([], int), np.array([], int))
    replacements = pd.DataFrame({"importer": [hit[k] for k in i], "supplier": codes[j],
                                 "replacement_usd": repl[:, pos][j, i]})
    return table, replacements.sort_values(["importer", "replacement_usd"],
                                           ascending=[True, False]).reset_index(drop=True)
