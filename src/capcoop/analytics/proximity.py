"""Product proximity, density, distance and the complexity outlook (COI, COG).

Pure numerics on a presence matrix ``M`` (locations × products, 0/1). The complexity
computation never forms the P × P proximity matrix: :class:`ProximityOperator` multiplies by
it in O(C²P) through the low rank of ``MᵀM`` (the original algebra is written beside each
shortcut). The dense matrix (:func:`proximity_array`, :func:`proximity`) is there for users and
for the tests that check the operator against it. Public functions take and return DataFrames.

Conventions follow the Growth Lab's Stata ``ecomplexity`` package (the Atlas's reference):
the proximity matrix has **zero on its diagonal** (a product is not its own neighbour, Stata's
``- I(Npx)``) and density is taken along the rows of the proximity matrix. The pip package
``ecomplexity`` keeps 1 on the diagonal; ``self_proximity=1.0`` reproduces it (see
``docs/methods/complexity.md``).

Symbols: ``C = MᵀM`` (co-occurrence counts), ``k_p`` ubiquity, ``φ`` proximity (P × P),
``ω`` density (C × P), ``PCI`` product complexity (raw eigenvector in the outlook formulas).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

import numpy as np
import pandas as pd

from capcoop.errors import InputError

__all__ = ["ProximityKind", "PROXIMITY_KINDS", "ProximityOperator", "single_blas_thread",
           "proximity", "density", "distance", "complexity_outlook", "proximity_array",
           "density_array", "outlook_arrays"]

try:  # optional: lets the many small matrix products run on one BLAS thread
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover - without it BLAS keeps its own thread count
    threadpool_limits = None

ProximityKind = Literal["symmetric", "asymmetric", "continuous"]
PROXIMITY_KINDS: tuple[str, ...] = ("symmetric", "asymmetric", "continuous")
_ROW_BLOCK_CELLS = 2_500_000  # proximity rows computed per block (bounds temporaries ≈ 20 MB)


@contextmanager
def single_blas_thread() -> Iterator[None]:
    """Run BLAS on one thread (when ``threadpoolctl`` is installed).

    The complexity kernels are many small and medium matrix products (C × C blocks); on one
    thread they avoid the synchronisation cost that multi-threaded BLAS pays on small
    problems, which dominates on a shared or busy machine.
    """
    if threadpool_limits is None:
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def _check_kind(kind: str) -> None:
    if kind not in PROXIMITY_KINDS:
        raise InputError(f"unknown proximity kind {kind!r}; expected one of "
                         f"{', '.join(repr(k) for k in PROXIMITY_KINDS)}")


def proximity_array(presence: np.ndarray, *, kind: ProximityKind = "symmetric",
                    levels: np.ndarray | None = None, self_proximity: float = 0.0) -> np.ndarray:
    """Proximity φ (P × P, float64) from a 0/1 presence array; see :func:`proximity`.

    ``levels`` (RCA) is required for ``kind="continuous"``. Co-occurrence counts are computed
    in float32 blocks, which is exact for integer counts below 2**24 locations.
    """
    _check_kind(kind)
    n_products = presence.shape[1]
    if kind == "continuous":
        if levels is None:
            raise InputError("continuous proximity needs RCA levels, not only a presence matrix",
                             hint="pass export values (not a supplied M) or use 'symmetric'")
        phi = _continuous(levels)
    else:
        phi = _discrete(presence, asymmetric=kind == "asymmetric")
    np.fill_diagonal(phi, self_proximity)
    return phi if n_products else phi.reshape(0, 0)


def _discrete(presence: np.ndarray, *, asymmetric: bool) -> np.ndarray:
    m32 = np.ascontiguousarray(presence, dtype=np.float32)
    ubiquity = presence.sum(axis=0)
    n = presence.shape[1]
    phi = np.empty((n, n))
    step = max(1, _ROW_BLOCK_CELLS // max(1, n))
    for start in range(0, n, step):
        rows = slice(start, start + step)
        co = (m32[:, rows].T @ m32).astype(np.float64)  # C_pp' = Σ_c M_cp M_cp'
        if asymmetric:
            # φ_pp' = C_pp' / k_p  = P(M_p' = 1 | M_p = 1)     (Stata: P1 = C :/ S')
            denominator = np.broadcast_to(ubiquity[rows, None], co.shape)
        else:
            # φ_pp' = min(C_pp'/k_p, C_pp'/k_p') = C_pp' / max(k_p, k_p')
            denominator = np.maximum(ubiquity[rows, None], ubiquity[None, :])
        np.divide(co, denominator, out=phi[rows], where=denominator > 0)
        phi[rows][denominator == 0] = 0.0
    return phi


def _continuous(levels: np.ndarray) -> np.ndarray:
    # φ_pp' = (1 + ρ(RCA_·p, RCA_·p')) / 2, ρ = Pearson correlation across locations
    centred = levels - levels.mean(axis=0)
    norm = np.sqrt((centred ** 2).sum(axis=0))
    with np.errstate(invalid="ignore", divide="ignore"):
        scaled = np.where(norm > 0, centred / norm, 0.0)  # constant columns: ρ := 0
    rho = scaled.T @ scaled
    np.clip(rho, -1.0, 1.0, out=rho)
    rho += 1.0
    rho *= 0.5
    return rho


def density_array(levels: np.ndarray, phi: np.ndarray) -> np.ndarray:
    """Density ω (C × P): ``ω_cp = Σ_p' L_cp' φ_pp' / Σ_p' φ_pp'`` (0 where φ's row is 0)."""
    return _divide_columns(levels @ phi.T, phi.sum(axis=1))


def _divide_columns(numerator: np.ndarray, row_sums: np.ndarray) -> np.ndarray:
    inverse = np.divide(1.0, row_sums, out=np.zeros_like(row_sums), where=row_sums > 0)
    numerator *= inverse[None, :]
    return numerator


class ProximityOperator:
    """Products with φ without forming it: ``L φ``, ``L φᵀ`` and φ's row sums.

    φ is P × P but, for every kind, a product with it costs O(C² P) instead of O(C P²) and
    needs no P × P memory, because the co-occurrence matrix ``C = MᵀM`` has rank ≤ C:

    * symmetric: ``φ_pp' = C_pp' / max(k_p, k_p')`` and the weight depends on (p, p') only
      through their ubiquity classes (at most C + 1 distinct values). Sorting products by
      ubiquity, for a target p in class j:
      ``(L φ)_cp = Σ_c' M_c'p [ (1/v_j) Σ_{g≤j} H_g + Σ_{g>j} H_g / v_g ](c, c')`` with
      ``H_g = L_g M_gᵀ`` over the products of class g (prefix and suffix sums of C × C blocks);
    * asymmetric: ``φ_pp' = C_pp'/k_p`` so ``L φᵀ = ((L Mᵀ) M) / k`` and ``L φ = ((L/k) Mᵀ) M``;
    * continuous: ``φ = (1 + ZᵀZ)/2`` (Z = standardised RCA columns) so
      ``L φ = ((L 1) 1ᵀ + (L Zᵀ) Z) / 2``.

    The closed forms include the diagonal term ``φ_pp`` of the formula (1 for a present
    product); it is replaced by ``self_proximity`` afterwards, exactly as the dense
    :func:`proximity_array` fills its diagonal.
    """

    def __init__(self, presence: np.ndarray, *, kind: ProximityKind = "symmetric",
                 levels: np.ndarray | None = None, self_proximity: float = 0.0) -> None:
        _check_kind(kind)
        self.m, self.kind, self.self_value = presence, kind, float(self_proximity)
        self.k = presence.sum(axis=0)
        if kind == "continuous":
            if levels is None:
                raise InputError("continuous proximity needs RCA levels, not only a presence "
                                 "matrix", hint="pass export values or use 'symmetric'")
            centred = levels - levels.mean(axis=0)
            norm = np.sqrt((centred ** 2).sum(axis=0))
            self.z = np.divide(centred, norm, out=np.zeros_like(centred), where=norm > 0)
            self.formula_diagonal = (1.0 + (norm > 0)) / 2.0  # (1 + ρ_pp) / 2
        else:
            self.formula_diagonal = (self.k > 0).astype(np.float64)  # C_pp / k_p = 1

    def row_sums(self) -> np.ndarray:
        """``Σ_p' φ_pp'`` for every product p."""
        if self.kind == "asymmetric":
            kc = self.m.sum(axis=1)
            # Σ_p' C_pp' = Σ_c M_cp k_c
            raw = np.divide(self.m.T @ kc, self.k, out=np.zeros_like(self.k), where=self.k > 0)
        else:
            raw = self.times(np.ones((1, self.m.shape[1])), diagonal=False)[0]
        return raw - self.formula_diagonal + self.self_value

    def times(self, left: np.ndarray, *, diagonal: bool = True) -> np.ndarray:
        """``L φ``: ``out_cp = Σ_p' L_cp' φ_p'p``."""
        if self.kind == "symmetric":
            out = self._symmetric(left)
        elif self.kind == "continuous":
            out = 0.5 * (left.sum(axis=1, keepdims=True) + (left @ self.z.T) @ self.z)
        else:
            inverse = np.divide(1.0, self.k, out=np.zeros_like(self.k), where=self.k > 0)
            out = ((left * inverse) @ self.m.T) @ self.m
        return self._fix_diagonal(out, left) if diagonal else out

    def times_transpose(self, left: np.ndarray) -> np.ndarray:
        """``L φᵀ``: ``out_cp = Σ_p' L_cp' φ_pp'`` (equals :meth:`times` unless asymmetric)."""
        if self.kind != "asymmetric":
            return self.times(left)
        out = (left @ self.m.T) @ self.m
        out = np.divide(out, self.k, out=np.zeros_like(out), where=self.k > 0)
        return self._fix_diagonal(out, left)

    def _fix_diagonal(self, out: np.ndarray, left: np.ndarray) -> np.ndarray:
        out += left * (self.self_value - self.formula_diagonal)
        return out

    def _symmetric(self, left: np.ndarray) -> np.ndarray:
        m, k = self.m, self.k
        present = np.flatnonzero(k > 0)
        order = present[np.argsort(k[present], kind="stable")]
        values, starts = np.unique(k[order], return_index=True)
        bounds = np.append(starts, len(order))
        # products sorted by ubiquity, one contiguous row block per ubiquity class
        lt = np.ascontiguousarray(left[:, order].T)
        mt = np.ascontiguousarray(m[:, order].T)
        suffix = (lt / k[order][:, None]).T @ mt  # Σ_g H_g / v_g, peeled off class by class
        prefix, kernel = np.zeros_like(suffix), np.empty_like(suffix)
        out_t = np.empty((len(order), left.shape[0]))
        for j, v in enumerate(values):
            block_rows = slice(bounds[j], bounds[j + 1])
            block = lt[block_rows].T @ mt[block_rows]  # H_j = L_j M_jᵀ
            prefix += block  # P_j = Σ_{g<=j} H_g
            block *= 1.0 / v
            suffix -= block  # S_j = Σ_{g>j} H_g / v_g
            np.multiply(prefix, 1.0 / v, out=kernel)
            kernel += suffix  # K_j = P_j / v_j + S_j
            out_t[block_rows] = mt[block_rows] @ kernel.T  # (L φ)_{·, class j} = K_j M_{·, j}
        out = np.zeros((left.shape[0], m.shape[1]))
        out[:, order] = out_t.T
        return out


def outlook_arrays(presence: np.ndarray, levels: np.ndarray, operator: ProximityOperator,
                   pci_raw: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Density, raw COI and raw COG from a proximity operator.

    ``pci_raw`` may hold NaN for products outside the complexity core; they contribute
    nothing to COI or COG.
    """
    row_sums = operator.row_sums()
    absent = 1.0 - presence
    pci = np.nan_to_num(pci_raw, nan=0.0)
    weight = np.divide(pci, row_sums, out=np.zeros_like(row_sums), where=row_sums > 0)
    # COG_cp = (1 - M_cp) Σ_p' (1 - M_cp') φ_p'p PCI_p' / Σ_p'' φ_p'p''    (Stata coicog)
    #        = (1 - M) ∘ (((1 - M) diag(PCI / rowsum φ)) φ)
    gain_left = absent * weight[None, :]
    if operator.kind == "asymmetric":
        numerator, gain = operator.times_transpose(levels), operator.times(gain_left)
    else:  # φ symmetric: one pass for both
        both = operator.times(np.vstack([levels, gain_left]))
        numerator, gain = both[:len(levels)], both[len(levels):]
    # ω_cp = Σ_p' L_cp' φ_pp' / Σ_p' φ_pp'
    dens = _divide_columns(numerator, row_sums)
    # COI_c = Σ_p (1 - M_cp) ω_cp PCI_p
    coi = (absent * dens) @ pci
    gain *= absent
    return dens, coi, gain


class _DenseOperator(ProximityOperator):
    """The same interface over an explicit φ (for a proximity matrix the caller supplies)."""

    def __init__(self, phi: np.ndarray, *, symmetric: bool) -> None:
        self.phi, self.kind = phi, "symmetric" if symmetric else "asymmetric"

    def row_sums(self) -> np.ndarray:
        return self.phi.sum(axis=1)

    def times(self, left: np.ndarray, *, diagonal: bool = True) -> np.ndarray:
        return left @ self.phi

    def times_transpose(self, left: np.ndarray) -> np.ndarray:
        return left @ self.phi.T


# --------------------------------------------------------------------------- public API


def _presence_frame(presence: pd.DataFrame) -> np.ndarray:
    if not isinstance(presence, pd.DataFrame):
        raise InputError(f"presence must be a DataFrame of 0/1, got {type(presence).__name__}")
    values = presence.to_numpy(dtype=np.float64)
    if not np.isin(values, (0.0, 1.0)).all():
        bad = values[~np.isin(values, (0.0, 1.0))][0]
        raise InputError(f"presence must hold only 0 and 1; found {bad!r}",
                         hint="threshold RCA first (capcoop.analytics.complexity.presence_matrix)")
    return values


def proximity(presence: pd.DataFrame, *, kind: ProximityKind = "symmetric",
              rca: pd.DataFrame | None = None, self_proximity: float = 0.0) -> pd.DataFrame:
    r"""Product proximity: how often two products are exported together.

    Parameters
    ----------
    presence
        Locations × products, 0/1 (``M``).
    kind
        ``"symmetric"`` (default, the Atlas's), ``"asymmetric"`` or ``"continuous"``.
    rca
        RCA matrix with the labels of ``presence``; required for ``"continuous"``.
    self_proximity
        Value on the diagonal: 0 (Stata, default) or 1 (pip ``ecomplexity``).

    Returns
    -------
    DataFrame
        Products × products; ``φ.loc[p, q]`` is the proximity of *q* seen from *p*.

    Notes
    -----
    With :math:`C_{pp'} = \sum_c M_{cp} M_{cp'}` and ubiquity :math:`k_p = \sum_c M_{cp}`:

    * symmetric, the minimum of the two conditional probabilities (Hidalgo et al. 2007):
      :math:`\phi_{pp'} = \min\{P(p'|p), P(p|p')\} = C_{pp'} / \max(k_p, k_{p'})`;
    * asymmetric: :math:`\phi_{pp'} = P(p'|p) = C_{pp'} / k_p`;
    * continuous: :math:`\phi_{pp'} = (1 + \rho_{pp'})/2` with :math:`\rho` the Pearson
      correlation of the RCA columns across locations (0 when a column is constant).

    References
    ----------
    Hidalgo, C. A., Klinger, B., Barabási, A.-L. & Hausmann, R. (2007). The product space
    conditions the development of nations. Science, 317(5837), 482–487.

    Examples
    --------
    >>> m = pd.DataFrame([[1, 1, 0], [1, 0, 1], [0, 1, 0]], index=list("ABC"),
    ...                  columns=["p", "q", "r"])
    >>> proximity(m).round(2).to_dict("index")["p"]
    {'p': 0.0, 'q': 0.5, 'r': 0.5}
    """
    values = _presence_frame(presence)
    levels = None
    if kind == "continuous":
        if rca is None:
            raise InputError("kind='continuous' needs the rca matrix")
        if not (rca.index.equals(presence.index) and rca.columns.equals(presence.columns)):
            raise InputError("rca and presence must have the same labels in the same order")
        levels = rca.to_numpy(dtype=np.float64)
    phi = proximity_array(values, kind=kind, levels=levels, self_proximity=self_proximity)
    return pd.DataFrame(phi, index=presence.columns, columns=presence.columns)


def density(levels: pd.DataFrame, proximity_matrix: pd.DataFrame) -> pd.DataFrame:
    r"""Density: the share of a product's neighbours that a location already has.

    Parameters
    ----------
    levels
        Locations × products: the presence ``M`` (discrete proximity) or RCA (continuous).
    proximity_matrix
        Products × products, as returned by :func:`proximity`; its labels must equal the
        columns of ``levels``.

    Notes
    -----
    .. math:: \omega_{cp} = \frac{\sum_{p'} M_{cp'}\,\phi_{pp'}}{\sum_{p'} \phi_{pp'}}

    With Stata's zero diagonal a product does not count towards its own density. A product
    with no neighbour at all (row of φ all zero) gets density 0.

    References
    ----------
    Hidalgo et al. (2007), op. cit.; Hausmann, Hidalgo et al. (2014). The Atlas of Economic
    Complexity, 2nd ed., MIT Press ("distance").

    Examples
    --------
    >>> m = pd.DataFrame([[1, 1, 0], [1, 0, 1], [0, 1, 0]], index=list("ABC"),
    ...                  columns=["p", "q", "r"])
    >>> density(m, proximity(m)).round(3).loc["C"].to_dict()
    {'p': 0.5, 'q': 0.0, 'r': 0.0}
    """
    if not proximity_matrix.index.equals(levels.columns) or \
            not proximity_matrix.columns.equals(levels.columns):
        raise InputError("proximity labels must equal the product columns of levels, in order",
                         hint="reindex the proximity matrix with levels.columns")
    values = density_array(levels.to_numpy(dtype=np.float64), proximity_matrix.to_numpy())
    return pd.DataFrame(values, index=levels.index, columns=levels.columns)


def distance(density_matrix: pd.DataFrame) -> pd.DataFrame:
    r"""Distance to each product: :math:`d_{cp} = 1 - \omega_{cp}` (the Atlas's "distance").

    Examples
    --------
    >>> distance(pd.DataFrame({"p": [0.25]}, index=["A"])).loc["A", "p"]
    np.float64(0.75)
    """
    return 1.0 - density_matrix


def complexity_outlook(presence: pd.DataFrame, density_matrix: pd.DataFrame,
                       pci: pd.Series, proximity_matrix: pd.DataFrame
                       ) -> tuple[pd.Series, pd.DataFrame]:
    r"""Complexity outlook index (per location) and gain (per location × product), unscaled.

    :func:`capcoop.analytics.complexity.economic_complexity` returns them standardised the
    Atlas's way; this function gives the raw sums for any ``pci`` you pass.

    Notes
    -----
    .. math:: COI_c = \sum_p (1 - M_{cp})\,\omega_{cp}\,PCI_p

    .. math:: COG_{cp} = (1 - M_{cp}) \sum_{p'} (1 - M_{cp'})\,
              \frac{\phi_{p'p}}{\sum_{p''}\phi_{p'p''}}\,PCI_{p'}

    COG is the increase in COI that acquiring *p* brings through the densities of the
    products *c* still lacks (Stata ``coicog``; the loss of *p*'s own outlook term is not
    subtracted, as in the Atlas).

    References
    ----------
    Hausmann, R., Hidalgo, C. A. et al. (2014). The Atlas of Economic Complexity, 2nd ed.,
    MIT Press, "Technical box 5.1".

    Examples
    --------
    >>> m = pd.DataFrame([[1, 1, 0], [1, 0, 1], [0, 1, 0]], index=list("ABC"),
    ...                  columns=["p", "q", "r"])
    >>> phi = proximity(m)
    >>> coi, cog = complexity_outlook(m, density(m, phi), pd.Series([1.0, 0.0, -1.0],
    ...                               index=m.columns), phi)
    >>> round(float(coi["C"]), 3)
    0.5
    """
    values = _presence_frame(presence)
    pci_values = pci.reindex(presence.columns).to_numpy(dtype=np.float64)
    if np.isnan(pci_values).all():
        raise InputError("pci has no value for the products of presence",
                         hint="pass a Series indexed by the same product labels")
    phi = proximity_matrix.loc[presence.columns, presence.columns].to_numpy()
    dens = density_matrix.loc[presence.index, presence.columns].to_numpy(dtype=np.float64)
    absent = 1.0 - values
    coi = pd.Series((absent * dens) @ np.nan_to_num(pci_values), index=presence.index,
                    name="coi")
    operator = _DenseOperator(phi, symmetric=bool(np.array_equal(phi, phi.T)))
    _, _, gain = outlook_arrays(values, values, operator, pci_values)
    return coi, pd.DataFrame(gain, index=presence.index, columns=presence.columns)
