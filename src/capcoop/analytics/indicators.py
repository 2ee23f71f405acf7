"""Trade indicators: pure, label-aligned functions on country × product (or partner) matrices.

Every function takes pandas objects and returns pandas objects; nothing here reads files or the
warehouse. Matrices are DataFrames with **locations in the index** (reporters, exporters) and
**products or partners in the columns**; values are non-negative trade flows in one currency.
Two inputs are aligned by *label*, never by position: when their labels differ the function
raises :class:`LabelMismatchError` unless the caller passes ``join="inner"`` (keep the common
labels) or ``join="outer"`` (union, missing flows count as zero).

Glossary (symbols inside the maths, spelled-out names in the API)

=============  ==============================================================  ==========
symbol         meaning                                                         shape
=============  ==============================================================  ==========
``x_cp``       exports of location *c* in product *p* (US$)                    C × P
``x_c``        total exports of *c*, :math:`\\sum_p x_{cp}`                     C
``x_p``        world exports of *p*, :math:`\\sum_c x_{cp}`                     P
``x``          world total, :math:`\\sum_{cp} x_{cp}`                           scalar
``m_ip``       imports of *i* in product *p*                                   I × P
``RCA_cp``     Balassa's revealed comparative advantage                        C × P
``s_ck``       share of category *k* (product or partner) in *c*'s total       C × K
``Y_c``        GDP per capita of *c*                                           C
=============  ==============================================================  ==========

Locations or products whose total is zero carry no information for shares; functions that
divide by such totals drop them and emit an :class:`ExcludedLabelsWarning` naming them
(never a silent NaN column).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Literal

import numpy as np
import pandas as pd

from capcoop.errors import InputError

__all__ = [
    "LabelMismatchError", "ExcludedLabelsWarning", "export_matrix", "align",
    "revealed_comparative_advantage", "export_shares", "market_shares",
    "trade_complementarity", "export_similarity", "grubel_lloyd", "grubel_lloyd_aggregate",
    "herfindahl_hirschman", "trade_intensity", "export_diversification", "prody", "expy",
]

Join = Literal["inner", "outer"] | None
RcaVariant = Literal["balassa", "symmetric", "continuous"]
_CHUNK_CELLS = 4_000_000  # float64 cells per temporary block (≈ 32 MB)


class LabelMismatchError(InputError):
    """Two inputs that must share labels (locations, products) do not."""


class ExcludedLabelsWarning(UserWarning):
    """Some locations or products were left out because a share is undefined for them."""


# --------------------------------------------------------------------------- validation


def _preview(labels: Iterable[object], limit: int = 5) -> str:
    items = [repr(str(v)) for v in labels]
    more = f" and {len(items) - limit} more" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more


def check_matrix(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """Validate a non-negative numeric matrix; return it as float64 (a copy).

    Raises :class:`~capcoop.errors.InputError` for a non-DataFrame, an empty matrix,
    repeated labels, non-numeric or missing values and negative values, quoting the cell.
    """
    if not isinstance(frame, pd.DataFrame):
        raise InputError(f"{name} must be a pandas DataFrame (locations × products), "
                         f"got {type(frame).__name__}",
                         hint="pivot long data with capcoop.analytics.indicators.export_matrix")
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        raise InputError(f"{name} is empty ({frame.shape[0]} rows × {frame.shape[1]} columns)",
                         hint="pass at least one location and one product with a positive value")
    for axis, labels in (("location", frame.index), ("product", frame.columns)):
        if labels.has_duplicates:
            raise InputError(f"{name} repeats {axis} labels: "
                             f"{_preview(labels[labels.duplicated()].unique())}",
                             hint=f"aggregate the rows first so that each {axis} appears once")
    try:
        values = frame.to_numpy(dtype=np.float64, copy=True)
    except (TypeError, ValueError):
        raise InputError(f"{name} holds non-numeric values",
                         hint="convert the value column to numbers") from None
    _check_values(values, frame.index, frame.columns, name)
    return pd.DataFrame(values, index=frame.index, columns=frame.columns)


def _check_values(values: np.ndarray, rows: pd.Index, cols: pd.Index, name: str) -> None:
    bad = ~np.isfinite(values)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise InputError(f"{name} has {int(bad.sum())} missing or infinite value(s), first at "
                         f"({rows[i]!r}, {cols[j]!r}) = {float(values[i, j])!r}",
                         hint="fill missing flows with 0 (no trade) or drop those rows")
    negative = values < 0
    if negative.any():
        i, j = np.argwhere(negative)[0]
        raise InputError(f"{name} has {int(negative.sum())} negative value(s), first at "
                         f"({rows[i]!r}, {cols[j]!r}) = {float(values[i, j])!r}",
                         hint="trade flows must be >= 0; check the sign convention of the file")


def _check_series(series: pd.Series, name: str) -> pd.Series:
    if not isinstance(series, pd.Series):
        raise InputError(f"{name} must be a pandas Series, got {type(series).__name__}")
    frame = check_matrix(series.to_frame(name), name)
    return frame[name]


def export_matrix(data: pd.DataFrame, *, location: str, product: str, value: str,
                  missing: Literal["raise", "zero"] = "raise") -> pd.DataFrame:
    """Pivot long rows ``(location, product, value)`` into a locations × products matrix.

    Parameters
    ----------
    data
        One row per (location, product); absent pairs mean zero trade.
    location, product, value
        Column names in ``data``.
    missing
        ``"raise"`` (default) rejects missing values; ``"zero"`` reads them as no trade.

    Returns
    -------
    DataFrame
        Float64 matrix, rows and columns sorted by label.

    Raises
    ------
    InputError
        Unknown column names, repeated (location, product) pairs, missing or negative values.

    Examples
    --------
    >>> rows = pd.DataFrame({"c": ["A", "A", "B"], "p": ["x", "y", "x"], "v": [1.0, 2.0, 3.0]})
    >>> export_matrix(rows, location="c", product="p", value="v").to_dict()
    {'x': {'A': 1.0, 'B': 3.0}, 'y': {'A': 2.0, 'B': 0.0}}
    """
    absent = [c for c in (location, product, value) if c not in data.columns]
    if absent:
        raise InputError(f"column(s) {_preview(absent)} not found; the table has "
                         f"{_preview(data.columns, 12)}",
                         hint="name the columns with --location-col/--product-col/--value-col")
    values = pd.to_numeric(data[value], errors="coerce")
    text_bad = values.isna() & data[value].notna()
    if text_bad.any():
        row = int(np.flatnonzero(text_bad.to_numpy())[0])
        raise InputError(f"column {value!r} holds a non-numeric value {data[value].iloc[row]!r} "
                         f"(row {row + 1})", hint="clean the value column")
    if missing == "zero":
        values = values.fillna(0.0)
    elif missing != "raise":
        raise InputError(f"missing={missing!r} is not supported; expected 'raise' or 'zero'")
    keys = data[[location, product]]
    dup = keys.duplicated()
    if dup.any():
        first = keys[dup].iloc[0]
        raise InputError(f"({first[location]!r}, {first[product]!r}) appears more than once "
                         f"({int(dup.sum())} repeated pair(s))",
                         hint="aggregate first (e.g. sum over partners) so each pair appears once")
    loc_codes, loc_labels = pd.factorize(keys[location], sort=True)
    prod_codes, prod_labels = pd.factorize(keys[product], sort=True)
    matrix = np.zeros((len(loc_labels), len(prod_labels)))
    matrix[loc_codes, prod_codes] = values.to_numpy(dtype=np.float64)
    frame = pd.DataFrame(matrix, index=pd.Index(loc_labels, name=location),
                         columns=pd.Index(prod_labels, name=product))
    return check_matrix(frame, "the value column")


def align(left: pd.DataFrame | pd.Series, right: pd.DataFrame | pd.Series, *, join: Join,
          names: tuple[str, str], fill: float | None = 0.0, axes: tuple[int, ...] | None = None
          ) -> tuple[pd.DataFrame | pd.Series, pd.DataFrame | pd.Series]:
    """Align two pandas objects by label on ``axes`` (default: every axis they share).

    ``join=None`` raises :class:`LabelMismatchError` when labels differ, quoting the labels
    present on one side only; ``"inner"`` keeps the common labels; ``"outer"`` takes the union
    and fills the gaps with ``fill`` (zero trade), which is refused when ``fill`` is None.
    """
    if join not in (None, "inner", "outer"):
        raise InputError(f"join={join!r} is not supported; expected None, 'inner' or 'outer'")
    if join == "outer" and fill is None:
        raise InputError("join='outer' would invent values here; use join='inner'")
    if axes is None:
        axes = (0,) if isinstance(left, pd.Series) or isinstance(right, pd.Series) else (0, 1)
    for axis in axes:
        a, b = left.axes[axis], right.axes[axis]
        if a.equals(b):
            continue
        only_a, only_b = a.difference(b), b.difference(a)
        if join is None and (len(only_a) or len(only_b)):
            raise LabelMismatchError(
                f"{names[0]} and {names[1]} have different labels: only in {names[0]}: "
                f"[{_preview(only_a)}]; only in {names[1]}: [{_preview(only_b)}]",
                hint="pass join='inner' to keep the common labels (or join='outer' to treat "
                     "the missing flows as zero)")
        target = a.intersection(b, sort=True) if join == "inner" else a.union(b, sort=True)
        if join is None:
            target = a
        if join == "inner" and len(target) == 0:
            raise LabelMismatchError(f"{names[0]} and {names[1]} share no labels",
                                     hint="check that both use the same code system")
        left = left.reindex(target, axis=axis, fill_value=fill)
        right = right.reindex(target, axis=axis, fill_value=fill)
    return left, right


def _drop_zero_totals(x: pd.DataFrame, name: str, *, rows: bool = True,
                      cols: bool = True) -> pd.DataFrame:
    """Drop all-zero rows/columns, warning with their labels (shares are undefined there)."""
    keep_r = x.sum(axis=1).to_numpy() > 0 if rows else np.ones(len(x.index), bool)
    keep_c = x.sum(axis=0).to_numpy() > 0 if cols else np.ones(len(x.columns), bool)
    if not keep_r.any() or not keep_c.any():
        raise InputError(f"{name} has no positive value", hint="pass a matrix with trade flows")
    if keep_r.all() and keep_c.all():
        return x
    dropped = [f"{(~keep_r).sum()} location(s) [{_preview(x.index[~keep_r])}]" if
               (~keep_r).any() else "",
               f"{(~keep_c).sum()} product(s) [{_preview(x.columns[~keep_c])}]" if
               (~keep_c).any() else ""]
    warnings.warn(f"{name}: left out {' and '.join(d for d in dropped if d)} with zero total",
                  ExcludedLabelsWarning, stacklevel=3)
    return x.loc[keep_r, keep_c]


def _row_shares(x: pd.DataFrame) -> pd.DataFrame:
    return x.div(x.sum(axis=1), axis=0)


# --------------------------------------------------------------------------- indicators


def revealed_comparative_advantage(exports: pd.DataFrame, *,
                                   variant: RcaVariant = "balassa") -> pd.DataFrame:
    r"""Revealed comparative advantage of every location in every product.

    Parameters
    ----------
    exports
        Locations × products export values (non-negative).
    variant
        ``"balassa"`` (default), ``"symmetric"`` or ``"continuous"``.

    Returns
    -------
    DataFrame
        Same labels as ``exports`` minus locations/products whose total is zero (dropped with an
        :class:`ExcludedLabelsWarning`).

    Notes
    -----
    Balassa (1965):

    .. math:: RCA_{cp} = \frac{x_{cp} / x_c}{x_p / x}

    (share of *p* in *c*'s exports over the share of *p* in world exports; 1 = world average).
    The symmetric index (Dalum, Laursen & Villumsen 1998) maps it to [-1, 1):
    :math:`RSCA = (RCA - 1)/(RCA + 1)`. The continuous variant maps it to [0, 1):
    :math:`RCA/(1 + RCA) = (1 + RSCA)/2`; both are monotone in RCA, so rankings and the
    presence test ``RCA > 1`` (``RSCA > 0``, ``RCA/(1+RCA) > ½``) are unchanged.

    References
    ----------
    Balassa, B. (1965). Trade liberalisation and "revealed" comparative advantage.
    The Manchester School, 33(2), 99–123.
    Dalum, B., Laursen, K. & Villumsen, G. (1998). Structural change in OECD export specialisation
    patterns. International Review of Applied Economics, 12(3), 423–443.

    Examples
    --------
    >>> x = pd.DataFrame({"p1": [6.0, 2.0], "p2": [4.0, 8.0]}, index=["A", "B"])
    >>> revealed_comparative_advantage(x).round(4).to_dict()
    {'p1': {'A': 1.5, 'B': 0.5}, 'p2': {'A': 0.6667, 'B': 1.3333}}
    """
    x = _drop_zero_totals(check_matrix(exports, "exports"), "exports")
    values = x.to_numpy()
    # RCA_cp = (x_cp / x_c) / (x_p / x)
    rca = (values / values.sum(axis=1, keepdims=True)) / (values.sum(axis=0) / values.sum())
    if variant == "symmetric":
        rca = (rca - 1.0) / (rca + 1.0)
    elif variant == "continuous":
        rca = rca / (1.0 + rca)
    elif variant != "balassa":
        raise InputError(f"unknown RCA variant {variant!r}; expected 'balassa', 'symmetric' "
                         "or 'continuous'")
    return pd.DataFrame(rca, index=x.index, columns=x.columns)


def export_shares(exports: pd.DataFrame) -> pd.DataFrame:
    r"""Composition of each location's exports: :math:`s_{cp} = x_{cp} / x_c` (rows sum to 1).

    Locations with zero total are dropped with an :class:`ExcludedLabelsWarning`.

    Examples
    --------
    >>> x = pd.DataFrame({"p1": [6.0, 2.0], "p2": [4.0, 8.0]}, index=["A", "B"])
    >>> export_shares(x).to_dict()
    {'p1': {'A': 0.6, 'B': 0.2}, 'p2': {'A': 0.4, 'B': 0.8}}
    """
    x = _drop_zero_totals(check_matrix(exports, "exports"), "exports", cols=False)
    return _row_shares(x)


def market_shares(exports: pd.DataFrame) -> pd.DataFrame:
    r"""Each location's share of world exports of each product: :math:`x_{cp} / x_p`.

    Columns sum to 1. Products nobody exports are dropped with an :class:`ExcludedLabelsWarning`.
    The share in total world exports, :math:`x_c / x`, is ``market_shares`` of the row sums
    (``market_shares(exports.sum(axis=1).to_frame("total"))``).

    Examples
    --------
    >>> x = pd.DataFrame({"p1": [6.0, 2.0], "p2": [4.0, 8.0]}, index=["A", "B"])
    >>> market_shares(x).round(4).to_dict()
    {'p1': {'A': 0.75, 'B': 0.25}, 'p2': {'A': 0.3333, 'B': 0.6667}}
    """
    x = _drop_zero_totals(check_matrix(exports, "exports"), "exports", rows=False)
    return x / x.sum(axis=0)


def _sum_of_minimum_shares(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``out[i, j] = Σ_k min(a[i, k], b[j, k])`` in blocks that bound the temporary memory."""
    out = np.empty((a.shape[0], b.shape[0]))
    step = max(1, _CHUNK_CELLS // max(1, b.size))
    for start in range(0, a.shape[0], step):
        block = a[start:start + step, None, :]
        out[start:start + step] = np.minimum(block, b[None, :, :]).sum(axis=2)
    return out


def trade_complementarity(exports: pd.DataFrame, imports: pd.DataFrame, *,
                          join: Join = None) -> pd.DataFrame:
    r"""Trade complementarity index between every exporter and every importer (0–100).

    Parameters
    ----------
    exports
        Exporters × products export values.
    imports
        Importers × products import values; products must match ``exports`` (see ``join``).
    join
        How to reconcile different product sets: None (raise), ``"inner"``, ``"outer"``.

    Returns
    -------
    DataFrame
        Exporters in the index, importers in the columns; 100 = the exporter's export basket
        matches the importer's import basket exactly, 0 = no product in common.

    Notes
    -----
    Michaely (1996), as published by WITS:

    .. math:: TC_{ji} = 100\,\Bigl(1 - \tfrac12 \sum_p \lvert m_{ip}/m_i - x_{jp}/x_j\rvert\Bigr)

    Because both share vectors sum to one, :math:`\tfrac12\sum|a-b| = 1 - \sum\min(a, b)`,
    so the index is computed as :math:`100 \sum_p \min(m_{ip}/m_i,\, x_{jp}/x_j)`.

    References
    ----------
    Michaely, M. (1996). Trade preferential agreements in Latin America: an ex-ante assessment.
    World Bank Policy Research Working Paper 1583. WITS, "Trade Complementarity Index".

    Examples
    --------
    >>> x = pd.DataFrame({"p1": [1.0], "p2": [3.0]}, index=["CHN"])
    >>> m = pd.DataFrame({"p1": [1.0], "p2": [1.0]}, index=["VNM"])
    >>> float(trade_complementarity(x, m).loc["CHN", "VNM"])
    75.0
    """
    x = check_matrix(exports, "exports")
    m = check_matrix(imports, "imports")
    x, m = align(x, m, join=join, names=("exports", "imports"), axes=(1,))
    x = _drop_zero_totals(x, "exports", cols=False)
    m = _drop_zero_totals(m, "imports", cols=False)
    # TC = 100 * (1 - Σ|m_s - x_s| / 2)  ==  100 * Σ min(m_s, x_s)  (shares sum to one)
    tc = 100.0 * _sum_of_minimum_shares(_row_shares(x).to_numpy(), _row_shares(m).to_numpy())
    return pd.DataFrame(tc, index=x.index, columns=m.index)


def export_similarity(exports: pd.DataFrame, other: pd.DataFrame | None = None, *,
                      join: Join = None) -> pd.DataFrame:
    r"""Finger–Kreinin export similarity between locations (0–100).

    Parameters
    ----------
    exports
        Locations × products export values (to the world or to one market).
    other
        Optional second matrix (e.g. the same exporters' sales to another market); default:
        compare every pair of rows of ``exports``.
    join
        Product alignment with ``other``: None (raise on mismatch), ``"inner"``, ``"outer"``.

    Returns
    -------
    DataFrame
        Rows of ``exports`` × rows of ``other``; symmetric with 100 on the diagonal when
        ``other`` is None.

    Notes
    -----
    .. math:: S(a, b) = 100 \sum_p \min\bigl(x_{ap}/x_a,\; x_{bp}/x_b\bigr)

    References
    ----------
    Finger, J. M. & Kreinin, M. E. (1979). A measure of "export similarity" and its possible
    uses. The Economic Journal, 89(356), 905–912.

    Examples
    --------
    >>> x = pd.DataFrame({"p1": [6.0, 2.0], "p2": [4.0, 8.0]}, index=["A", "B"])
    >>> round(float(export_similarity(x).loc["A", "B"]), 6)
    60.0
    """
    x = check_matrix(exports, "exports")
    y = x if other is None else check_matrix(other, "other")
    if other is not None:
        x, y = align(x, y, join=join, names=("exports", "other"), axes=(1,))
    x = _drop_zero_totals(x, "exports", cols=False)
    y = x if other is None else _drop_zero_totals(y, "other", cols=False)
    s = 100.0 * _sum_of_minimum_shares(_row_shares(x).to_numpy(), _row_shares(y).to_numpy())
    return pd.DataFrame(s, index=x.index, columns=y.index)


def grubel_lloyd(exports: pd.Series | pd.DataFrame, imports: pd.Series | pd.DataFrame, *,
                 join: Join = None) -> pd.Series | pd.DataFrame:
    r"""Grubel–Lloyd intra-industry trade index by product (0–1).

    Parameters
    ----------
    exports, imports
        Flows by product (a Series) or by location × product (DataFrames) with the same labels.
    join
        Label alignment: None (raise on mismatch), ``"inner"``, ``"outer"`` (missing = 0).

    Returns
    -------
    Series or DataFrame
        :math:`GL_p`; 1 = exports equal imports (all trade is intra-industry), 0 = one-way trade.
        Where a product is neither exported nor imported the index is undefined and the cell
        is NaN (documented, not an error).

    Notes
    -----
    .. math:: GL_p = 1 - \frac{\lvert X_p - M_p\rvert}{X_p + M_p}
              = \frac{2\min(X_p, M_p)}{X_p + M_p}

    References
    ----------
    Grubel, H. G. & Lloyd, P. J. (1975). Intra-Industry Trade: The Theory and Measurement of
    International Trade in Differentiated Products. London: Macmillan.

    Examples
    --------
    >>> grubel_lloyd(pd.Series({"p1": 3.0, "p2": 5.0}), pd.Series({"p1": 1.0, "p2": 5.0}))
    p1    0.5
    p2    1.0
    dtype: float64
    """
    x, m = _aligned_flows(exports, imports, join)
    total = x + m
    with np.errstate(invalid="ignore", divide="ignore"):
        # GL_p = 1 - |X_p - M_p| / (X_p + M_p)
        return 1.0 - (x - m).abs() / total.where(total > 0)


def grubel_lloyd_aggregate(exports: pd.Series | pd.DataFrame, imports: pd.Series | pd.DataFrame,
                           *, join: Join = None) -> float | pd.Series:
    r"""Grubel–Lloyd index aggregated over products (trade-weighted mean of :math:`GL_p`).

    Returns a float for Series input, or one value per location (row) for DataFrames.

    Notes
    -----
    .. math:: GL = 1 - \frac{\sum_p \lvert X_p - M_p\rvert}{\sum_p (X_p + M_p)}
              = \sum_p \frac{X_p + M_p}{\sum_q (X_q + M_q)}\, GL_p

    Raises :class:`~capcoop.errors.InputError` when there is no trade at all.

    References
    ----------
    Grubel, H. G. & Lloyd, P. J. (1975), op. cit., ch. 2.

    Examples
    --------
    >>> grubel_lloyd_aggregate(pd.Series({"p1": 3.0, "p2": 5.0}), pd.Series({"p1": 1.0, "p2": 5.0}))
    0.8571428571428572
    """
    x, m = _aligned_flows(exports, imports, join)
    gap = (x - m).abs()
    total = x + m
    if isinstance(x, pd.Series):
        if total.sum() <= 0:
            raise InputError("no trade at all: the aggregate Grubel–Lloyd index is undefined")
        return float(1.0 - gap.sum() / total.sum())
    total_by_row = total.sum(axis=1)
    if (total_by_row <= 0).any():
        raise InputError("location(s) with no trade at all: "
                         f"[{_preview(total_by_row.index[total_by_row <= 0])}]",
                         hint="drop them; the aggregate index is undefined without trade")
    return 1.0 - gap.sum(axis=1) / total_by_row


def _aligned_flows(exports, imports, join):
    if isinstance(exports, pd.Series) != isinstance(imports, pd.Series):
        raise InputError("exports and imports must both be Series or both be DataFrames")
    if isinstance(exports, pd.Series):
        x, m = _check_series(exports, "exports"), _check_series(imports, "imports")
    else:
        x, m = check_matrix(exports, "exports"), check_matrix(imports, "imports")
    return align(x, m, join=join, names=("exports", "imports"))


def herfindahl_hirschman(values: pd.DataFrame, *, normalized: bool = False,
                         n_categories: int | None = None) -> pd.Series:
    r"""Herfindahl–Hirschman concentration of each row over its columns.

    Pass exports or imports by product (products in the columns) for product concentration,
    or by partner (partners in the columns) for market / supplier concentration.

    Parameters
    ----------
    values
        Locations × categories (products or partners).
    normalized
        Rescale to [0, 1] so that 0 = equal shares over ``n_categories`` categories.
    n_categories
        *N* of the normalisation: the size of the universe of categories. Default: the number
        of columns of ``values`` (pass e.g. 5,205 for all HS6 subheadings).

    Returns
    -------
    Series
        One value per location with a positive total (others dropped with a warning).

    Notes
    -----
    .. math:: H_c = \sum_k s_{ck}^2, \qquad s_{ck} = v_{ck} / \sum_j v_{cj}

    .. math:: H^*_c = \frac{H_c - 1/N}{1 - 1/N}

    :math:`H_c` ranges from :math:`1/N` (equal shares) to 1 (one category). WITS and UNCTAD
    publish the normalised form; the US DoJ scale multiplies :math:`H_c` by 10,000.

    References
    ----------
    Hirschman, A. O. (1964). The paternity of an index. American Economic Review, 54(5), 761.
    UNCTAD (2023). Handbook of Statistics, "Concentration index" technical note.

    Examples
    --------
    >>> v = pd.DataFrame({"p1": [1.0, 1.0], "p2": [1.0, 0.0]}, index=["A", "B"])
    >>> herfindahl_hirschman(v).to_dict(), herfindahl_hirschman(v, normalized=True).to_dict()
    ({'A': 0.5, 'B': 1.0}, {'A': 0.0, 'B': 1.0})
    """
    v = _drop_zero_totals(check_matrix(values, "values"), "values", cols=False)
    n = v.shape[1] if n_categories is None else int(n_categories)
    if n < v.shape[1]:
        raise InputError(f"n_categories={n} is smaller than the {v.shape[1]} columns given")
    shares = _row_shares(v).to_numpy()
    hhi = pd.Series((shares ** 2).sum(axis=1), index=v.index, name="hhi")
    if not normalized:
        return hhi
    if n < 2:
        raise InputError("the normalised HHI needs at least 2 categories (N = 1 gives 0/0)",
                         hint="pass normalized=False or a larger n_categories")
    # H* = (H - 1/N) / (1 - 1/N)
    return ((hhi - 1.0 / n) / (1.0 - 1.0 / n)).rename("hhi_normalized")


def trade_intensity(bilateral: pd.DataFrame) -> pd.DataFrame:
    r"""Trade intensity index of every exporter towards every partner.

    Parameters
    ----------
    bilateral
        Exporters × partners export values covering the world (the column sums are read as
        world exports to each partner, the total as world exports).

    Returns
    -------
    DataFrame
        :math:`TII_{ij}`; above 1 means *i* exports more to *j* than *j*'s weight in world
        imports would predict.

    Notes
    -----
    Brown (1949), Kojima (1964); the WITS form:

    .. math:: TII_{ij} = \frac{x_{ij} / X_i}{x_{wj} / X_w},\qquad
              X_i = \sum_j x_{ij},\; x_{wj} = \sum_i x_{ij},\; X_w = \sum_{ij} x_{ij}

    (formally Balassa's RCA with partners in place of products).

    References
    ----------
    Kojima, K. (1964). The pattern of international trade among advanced countries.
    Hitotsubashi Journal of Economics, 5(1), 16–36. WITS, "Trade Intensity Index".

    Examples
    --------
    >>> b = pd.DataFrame({"USA": [8.0, 2.0], "JPN": [2.0, 8.0]}, index=["CHN", "KOR"])
    >>> round(float(trade_intensity(b).loc["CHN", "USA"]), 6)
    1.6
    """
    return revealed_comparative_advantage(bilateral).rename_axis(
        index=bilateral.index.name, columns=bilateral.columns.name)


def export_diversification(exports: pd.DataFrame, *, min_value: float = 0.0,
                           n_categories: int | None = None) -> pd.DataFrame:
    r"""Export diversification: number of products exported and the entropy of the basket.

    Parameters
    ----------
    exports
        Locations × products export values.
    min_value
        A product counts as exported when its value is strictly above ``min_value``.
    n_categories
        *N* for the normalised entropy (default: the number of columns).

    Returns
    -------
    DataFrame
        ``products`` (count), ``entropy`` (nats) and ``entropy_normalized`` (0–1) per location
        with a positive total.

    Notes
    -----
    .. math:: n_c = \#\{p : x_{cp} > v_{min}\},\qquad
              E_c = -\sum_p s_{cp}\ln s_{cp}\ (0\ln 0 = 0),\qquad
              E^*_c = E_c / \ln N

    :math:`e^{E_c}` is the "equivalent number" of equally sized products; the Theil index of
    concentration is :math:`\ln N - E_c`.

    References
    ----------
    Theil, H. (1967). Economics and Information Theory. Amsterdam: North-Holland.
    Cadot, O., Carrère, C. & Strauss-Kahn, V. (2011). Export diversification: what's behind the
    hump? Review of Economics and Statistics, 93(2), 590–605.

    Examples
    --------
    >>> x = pd.DataFrame({"p1": [1.0, 1.0], "p2": [1.0, 0.0]}, index=["A", "B"])
    >>> export_diversification(x).round(4).to_dict("index")["A"]
    {'products': 2.0, 'entropy': 0.6931, 'entropy_normalized': 1.0}
    """
    x = _drop_zero_totals(check_matrix(exports, "exports"), "exports", cols=False)
    n = x.shape[1] if n_categories is None else int(n_categories)
    s = _row_shares(x).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        # E_c = -Σ_p s_cp ln s_cp  with 0 ln 0 = 0
        entropy = -np.where(s > 0, s * np.log(s), 0.0).sum(axis=1)
    normalized = entropy / np.log(n) if n > 1 else np.zeros_like(entropy)
    return pd.DataFrame({"products": (x.to_numpy() > min_value).sum(axis=1).astype(float),
                         "entropy": entropy, "entropy_normalized": normalized},
                        index=x.index)


def prody(exports: pd.DataFrame, gdp_per_capita: pd.Series, *,
          join: Literal["inner"] | None = None) -> pd.Series:
    r"""PRODY: the income level associated with each product (Hausmann, Hwang & Rodrik 2007).

    Parameters
    ----------
    exports
        Locations × products export values.
    gdp_per_capita
        GDP per capita by location (e.g. WDI ``NY.GDP.PCAP.PP.CD``), same labels as the rows.
    join
        None raises when a location lacks GDP; ``"inner"`` computes PRODY from the locations
        that have it (HHR's practice).

    Returns
    -------
    Series
        PRODY by product, in the unit of ``gdp_per_capita``.

    Notes
    -----
    .. math:: PRODY_p = \sum_c \frac{x_{cp}/x_c}{\sum_{c'} x_{c'p}/x_{c'}}\, Y_c

    a weighted mean of exporters' incomes whose weights are each exporter's revealed
    comparative advantage in *p* (export shares, not export values).

    References
    ----------
    Hausmann, R., Hwang, J. & Rodrik, D. (2007). What you export matters. Journal of Economic
    Growth, 12(1), 1–25.

    Examples
    --------
    >>> x = pd.DataFrame({"p1": [6.0, 2.0], "p2": [4.0, 8.0]}, index=["A", "B"])
    >>> prody(x, pd.Series({"A": 1000.0, "B": 3000.0})).round(2).to_dict()
    {'p1': 1500.0, 'p2': 2333.33}
    """
    x = check_matrix(exports, "exports")
    if not isinstance(gdp_per_capita, pd.Series):
        raise InputError("gdp_per_capita must be a pandas Series by location")
    y = pd.to_numeric(gdp_per_capita, errors="coerce").astype(np.float64)
    bad = ~(np.isfinite(y) & (y > 0))
    if bad.any():
        raise InputError(f"gdp_per_capita must be positive; got {float(y[bad].iloc[0])!r} for "
                         f"{y.index[bad][0]!r}", hint="drop locations without GDP (join='inner')")
    xs, ys = align(x, y, join=join, names=("exports", "gdp_per_capita"), fill=None)
    xs = _drop_zero_totals(xs, "exports")
    s = _row_shares(xs).to_numpy()
    # PRODY_p = Σ_c [s_cp / Σ_c' s_c'p] Y_c
    weights = s / s.sum(axis=0)
    return pd.Series(weights.T @ ys.loc[xs.index].to_numpy(), index=xs.columns, name="prody")


def expy(exports: pd.DataFrame, product_income: pd.Series, *,
         join: Literal["inner"] | None = None) -> pd.Series:
    r"""EXPY: the income level of a location's export basket (Hausmann, Hwang & Rodrik 2007).

    Parameters
    ----------
    exports
        Locations × products export values.
    product_income
        PRODY by product (see :func:`prody`).
    join
        None raises when a product lacks PRODY; ``"inner"`` uses the products that have it
        (shares are then taken over those products).

    Notes
    -----
    .. math:: EXPY_c = \sum_p \frac{x_{cp}}{x_c}\, PRODY_p

    References
    ----------
    Hausmann, R., Hwang, J. & Rodrik, D. (2007), op. cit.

    Examples
    --------
    >>> x = pd.DataFrame({"p1": [6.0, 2.0], "p2": [4.0, 8.0]}, index=["A", "B"])
    >>> expy(x, prody(x, pd.Series({"A": 1000.0, "B": 3000.0}))).round(2).to_dict()
    {'A': 1833.33, 'B': 2166.67}
    """
    x = check_matrix(exports, "exports")
    p = _check_series(product_income, "product_income")
    xs, ps = align(x.T, p, join=join, names=("exports", "product_income"), fill=None)
    xs = _drop_zero_totals(xs.T, "exports", cols=False)
    return pd.Series(_row_shares(xs).to_numpy() @ ps.to_numpy(), index=xs.index, name="expy")
