r"""Cooperation opportunities: rank areas (sectors, products) for a provider and a host.

Pure numerics. The caller (:mod:`capcoop.services.opportunities`) gathers, for one provider P
and one host H, a *candidate frame*: one row per area with the raw indicators below; this
module turns them into seven components, standardises each within the host, weighs them,
explains every number and measures how robust the ranking is to the weights.

Raw indicators (columns of the candidate frame, index = area code)
==================  =========================================================  ==========
column              meaning                                                    transform
==================  =========================================================  ==========
``provider_scale``  provider's output (sector) or exports (product), US$       ln
``provider_rca``    provider's revealed comparative advantage (Balassa)        ln(1 + x)
``provider_growth`` provider's output/exports growth, % a year                  none
``provider_surplus`` output growth minus domestic-absorption growth, points    none
``host_absorption`` host's absorption (domestic sales + imports) or imports    ln(1 + x)
``host_growth``     growth of the host's absorption, % a year                  none
``infra_gap``       host's infrastructure gap for the area's driver, 0..1      (uplift)
``export_potential`` supply share × host demand × ease of trade, US$           ln(1 + x)
``density``         relatedness of the area to the host's capabilities, 0..1   none
``sophistication``  PRODY of the area, US$ (PPP) per person                    ln
``emission_intensity`` kg CO2e per US$ of output                               ln
``tags``            ``;``-joined strategic tags                                 boosts
==================  =========================================================  ==========

Components (``z`` is within-host: :math:`z = (v - \bar v)/s_v` over the candidates, ddof 0;
a missing value gets z = 0, the host's average)

* ``capacity``: value = mean of the z of ln scale, ln(1 + RCA), growth, surplus;
* ``demand``: value = mean of the z of ln(1 + absorption × (1 + uplift × infra_gap)) and growth;
* ``complementarity``: value = export potential (US$), z of ln(1 + value);
* ``feasibility``: value = density, z of value;
* ``stage_fit``: value = :math:`-|\ln PRODY_a - \ln y_H|` (0 is a perfect fit), z of value;
* ``environment``: value = emission intensity, z of ln(value); its weight is
  :math:`-w_{env} \times penalty \times (1 + burden_H)`, a cost;
* ``strategic``: value = the largest of the scenario's boosts over the area's tags; z = value minus
  its mean over the candidates (centred, not scaled: a boost of 1 is one standard deviation).

:math:`score_a = \sum_k w_k z_{ak}`; each row carries value, z, weight and contribution
:math:`w_k z_{ak}` of every component, and the contributions add up to the score. Ranking is
by score, except that an area with neither host demand nor feasibility (absorption 0 and
density 0) is not *viable* and comes after every viable area. Ties break on the code, and
candidates are processed in code order, so the input row order never matters.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from capcoop.errors import InputError

__all__ = ["COMPONENTS", "INDICATORS", "Scenario", "Ranking", "scenarios", "scenario",
           "parse_weights", "standardise", "pollution_burden", "infrastructure_gaps",
           "stage_fit", "effective_weights", "score_opportunities", "weight_sensitivity",
           "cooperation_sector_attributes", "TOP_N_DEFAULT"]

COMPONENTS: tuple[str, ...] = ("capacity", "demand", "complementarity", "feasibility",
                               "stage_fit", "environment", "strategic")
#: Raw indicator -> (component, transform before standardising).
INDICATORS: dict[str, tuple[str, str]] = {
    "provider_scale": ("capacity", "log"), "provider_rca": ("capacity", "log1p"),
    "provider_growth": ("capacity", "none"), "provider_surplus": ("capacity", "none"),
    "host_absorption": ("demand", "log1p"), "host_growth": ("demand", "none"),
    "export_potential": ("complementarity", "log1p"), "density": ("feasibility", "none"),
    "sophistication": ("stage_fit", "log"), "emission_intensity": ("environment", "log"),
}
TOP_N_DEFAULT = 10
#: Scales of the pollution burden: WHO interim target 1 for PM2.5 (µg/m³), 10 t CO2 per person.
PM25_SCALE, CO2_PC_SCALE = 35.0, 10.0
#: Benchmarks of the infrastructure gaps (see :func:`infrastructure_gaps`).
KWH_PC_BENCHMARK, RAIL_DENSITY_BENCHMARK, GCF_BENCHMARK = 5000.0, 30.0, 40.0


# --------------------------------------------------------------------------- scenarios


@dataclass(frozen=True)
class Scenario:
    """A named preset: component weights and the parameters that shape components."""

    name: str
    description: str
    weights: dict[str, float]
    environment_penalty: float = 1.0
    infrastructure_uplift: float = 1.0
    sensitivity_sigma: float = 0.25
    top_n: int = TOP_N_DEFAULT
    boosts: dict[str, float] = field(default_factory=dict)

    def with_weights(self, overrides: Mapping[str, float] | None) -> Scenario:
        """A copy with some weights replaced (validated: known components, finite, >= 0)."""
        if not overrides:
            return self
        checked = _check_weights(overrides)
        return replace(self, weights=self.weights | checked)

    def record(self) -> dict[str, Any]:
        """JSON-ready description (name, description, weights and parameters)."""
        return {"name": self.name, "description": self.description, "weights": dict(self.weights),
                "environment_penalty": self.environment_penalty,
                "infrastructure_uplift": self.infrastructure_uplift,
                "sensitivity_sigma": self.sensitivity_sigma, "top_n": self.top_n,
                "boosts": dict(self.boosts)}


def _check_weights(weights: Mapping[str, float]) -> dict[str, float]:
    out = {}
    for key, value in weights.items():
        if key not in COMPONENTS:
            raise InputError(f"unknown weight {key!r}; expected one of {', '.join(COMPONENTS)}",
                             hint="e.g. --weights environment=0.3,strategic=0.2")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise InputError(f"weight {key}={value!r} is not a number") from None
        if not (math.isfinite(number) and number >= 0):
            raise InputError(f"weight {key}={value!r} must be a finite number >= 0",
                             hint="a cost such as the environment is penalised by a positive "
                                  "weight")
        out[key] = number
    return out


@lru_cache(maxsize=1)
def _scenario_file() -> dict[str, Any]:
    text = (resources.files("capcoop.analytics") / "data" / "opportunity_scenarios.toml"
            ).read_text(encoding="utf-8")
    return tomllib.loads(text)


def scenarios() -> dict[str, Scenario]:
    """The scenario presets of ``analytics/data/opportunity_scenarios.toml``, by name."""
    out = {}
    for name, spec in _scenario_file().items():
        if name == "cooperation_sectors":
            continue
        weights = {k: 0.0 for k in COMPONENTS} | _check_weights(spec["weights"])
        out[name] = Scenario(
            name=name, description=spec.get("description", ""), weights=weights,
            environment_penalty=float(spec.get("environment_penalty", 1.0)),
            infrastructure_uplift=float(spec.get("infrastructure_uplift", 1.0)),
            sensitivity_sigma=float(spec.get("sensitivity_sigma", 0.25)),
            top_n=int(spec.get("top_n", TOP_N_DEFAULT)),
            boosts={k: float(v) for k, v in spec.get("boosts", {}).items()})
    return out


def scenario(name: str) -> Scenario:
    """One preset by name (``balanced``, ``infrastructure-first``, ``green-and-digital`` ...)."""
    presets = scenarios()
    if name not in presets:
        raise InputError(f"unknown scenario {name!r}; expected one of {', '.join(presets)}",
                         hint="list them with `capcoop opportunities --list-scenarios`")
    return presets[name]


def cooperation_sector_attributes() -> dict[str, dict[str, Any]]:
    """Strategic tags and infrastructure driver of each cooperation sector (product level)."""
    return {k: {"tags": list(v.get("tags", [])), "infra_driver": v.get("infra_driver", "")}
            for k, v in _scenario_file().get("cooperation_sectors", {}).items()}


def parse_weights(text: str | None) -> dict[str, float]:
    """Parse ``"environment=0.3,strategic=0.2"`` into a validated dict.

    Examples
    --------
    >>> parse_weights("environment=0.3, strategic=0.2")
    {'environment': 0.3, 'strategic': 0.2}
    """
    if not text:
        return {}
    pairs = {}
    for item in text.split(","):
        if not item.strip():
            continue
        key, sep, value = item.partition("=")
        if not sep:
            raise InputError(f"weight {item.strip()!r} is not of the form name=value",
                             hint="e.g. --weights environment=0.3,strategic=0.2")
        pairs[key.strip()] = value.strip()
    return _check_weights(pairs)


# --------------------------------------------------------------------------- host-level inputs


def _finite(value: float | None) -> bool:
    return value is not None and isinstance(value, (int, float)) and math.isfinite(value)


def pollution_burden(pm25: float | None, co2_per_capita: float | None) -> float:
    r"""The host's pollution burden, 0..1: the mean of the available capped ratios.

    .. math:: burden_H = \mathrm{mean}\{\min(1, PM2.5_H / 35),\ \min(1, CO2pc_H / 10)\}

    35 µg/m³ is the WHO interim target 1 for annual PM2.5; 10 t is a high per-capita CO2
    level. 0 when neither is known.

    Examples
    --------
    >>> pollution_burden(17.5, 20.0)
    0.75
    """
    parts = []
    if _finite(pm25):
        parts.append(min(1.0, max(0.0, pm25) / PM25_SCALE))
    if _finite(co2_per_capita):
        parts.append(min(1.0, max(0.0, co2_per_capita) / CO2_PC_SCALE))
    return float(np.mean(parts)) if parts else 0.0


def infrastructure_gaps(indicators: Mapping[str, float | None]) -> dict[str, float]:
    r"""Infrastructure gaps of a host by driver (``power``, ``transport``, ``construction``).

    Each gap is the mean of the available capped terms, in 0..1 (0: no gap, or unknown):

    * power: :math:`1 - access/100` (``EG.ELC.ACCS.ZS``) and
      :math:`1 - \min(1, kWh_{pc}/5000)` (``EG.USE.ELEC.KH.PC``);
    * transport: :math:`(5 - LPI)/4` (``LP.LPI.OVRL.XQ``, 1..5) and
      :math:`1 - \min(1, rail\ km\ per\ 1000\ km^2 / 30)` (``IS.RRS.TOTL.KM`` over the land
      area ``SP.POP.TOTL / EN.POP.DNST``);
    * construction (steel, cement, building): :math:`\min(1, GCF/40)` (gross capital formation,
      % of GDP, ``NE.GDI.TOTL.ZS``) and :math:`1 - urban/100` (``SP.URB.TOTL.IN.ZS``).

    Keys of ``indicators`` are the WDI codes above (upper case).

    Examples
    --------
    >>> gaps = infrastructure_gaps({"EG.ELC.ACCS.ZS": 80.0, "NE.GDI.TOTL.ZS": 20.0,
    ...                             "SP.URB.TOTL.IN.ZS": 50.0})
    >>> {k: round(v, 3) for k, v in gaps.items()}
    {'power': 0.2, 'transport': 0.0, 'construction': 0.5}
    """
    def get(code: str) -> float | None:
        value = indicators.get(code)
        return float(value) if _finite(value) else None

    def mean(parts: list[float | None]) -> float:
        known = [min(1.0, max(0.0, p)) for p in parts if p is not None]
        return float(np.mean(known)) if known else 0.0

    access, kwh = get("EG.ELC.ACCS.ZS"), get("EG.USE.ELEC.KH.PC")
    lpi, rail = get("LP.LPI.OVRL.XQ"), get("IS.RRS.TOTL.KM")
    pop, dens = get("SP.POP.TOTL"), get("EN.POP.DNST")
    rail_gap = None
    if rail is not None and pop and dens:
        area_1000km2 = pop / dens / 1000.0
        rail_gap = 1.0 - min(1.0, rail / area_1000km2 / RAIL_DENSITY_BENCHMARK)
    gcf, urban = get("NE.GDI.TOTL.ZS"), get("SP.URB.TOTL.IN.ZS")
    return {
        "power": mean([None if access is None else 1.0 - access / 100.0,
                       None if kwh is None else 1.0 - min(1.0, kwh / KWH_PC_BENCHMARK)]),
        "transport": mean([None if lpi is None else (5.0 - lpi) / 4.0, rail_gap]),
        "construction": mean([None if gcf is None else gcf / GCF_BENCHMARK,
                              None if urban is None else 1.0 - urban / 100.0]),
    }


def stage_fit(sophistication: pd.Series, host_income: float) -> pd.Series:
    r"""Development-stage fit: :math:`-|\ln PRODY_a - \ln y_H|` (0 = the host's income level).

    Examples
    --------
    >>> stage_fit(pd.Series({"a": 10000.0, "b": 40000.0}), 20000.0).round(3).to_dict()
    {'a': -0.693, 'b': -0.693}
    """
    if not (_finite(host_income) and host_income > 0):
        return pd.Series(np.nan, index=sophistication.index, name="stage_fit")
    values = pd.to_numeric(sophistication, errors="coerce").where(lambda s: s > 0)
    return -(np.log(values) - math.log(host_income)).abs().rename("stage_fit")


# --------------------------------------------------------------------------- scoring


def standardise(values: np.ndarray) -> np.ndarray:
    r"""Within-host z-scores: :math:`(v - \bar v)/s_v` over the finite values (ddof 0).

    NaN becomes 0 (the average); a constant vector gives zeros.

    Examples
    --------
    >>> standardise(np.array([1.0, 2.0, 3.0, np.nan])).round(4).tolist()
    [-1.2247, 0.0, 1.2247, 0.0]
    """
    values = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(values)
    out = np.zeros_like(values)
    if finite.sum() < 2:
        return out
    mean = values[finite].mean()
    sd = values[finite].std()
    if not sd > 1e-12 * max(1.0, abs(mean)):
        return out
    out[finite] = (values[finite] - mean) / sd
    return out


def _transform(values: pd.Series, how: str) -> np.ndarray:
    x = pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        if how == "log":
            return np.where(x > 0, np.log(np.where(x > 0, x, 1.0)), np.nan)
        if how == "log1p":
            return np.where(x >= 0, np.log1p(np.where(x >= 0, x, 0.0)), np.nan)
    return x


def _tag_list(value: Any) -> list[str]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, str):
        return [t for t in (p.strip() for p in value.split(";")) if t]
    return [str(t) for t in value if str(t)]


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name]
    return pd.Series(np.nan, index=frame.index, name=name)


@dataclass(frozen=True)
class Ranking:
    """A scored and ranked candidate set for one host.

    ``table`` has one row per area in rank order with ``rank``, ``score``, ``viable``, and for
    each component *k*: ``k_value``, ``k_z``, ``k_weight``, ``k_contribution``; ``indicators``
    holds the raw indicators and their within-host z (``<indicator>_z``); ``weights`` are the
    effective weights (environment negative).
    """

    table: pd.DataFrame
    indicators: pd.DataFrame
    weights: dict[str, float]
    z: pd.DataFrame
    viable: pd.Series
    notes: tuple[str, ...] = ()


def _candidates(frame: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise InputError(f"candidates must be a DataFrame, got {type(frame).__name__}")
    if frame.empty:
        raise InputError("no candidate areas to rank",
                         hint="check the year and that the provider and host have data")
    index = frame.index.astype(str)
    if index.duplicated().any():
        raise InputError(f"candidate codes repeat: {sorted(set(index[index.duplicated()]))[:5]}")
    out = frame.copy()
    out.index = index
    return out.sort_index(kind="stable")  # canonical order: results never depend on row order


def _components(frame: pd.DataFrame, scen: Scenario) -> tuple[pd.DataFrame, pd.DataFrame,
                                                              pd.DataFrame]:
    """Values, z and the indicator table (raw + z) of every component."""
    raw: dict[str, np.ndarray] = {}
    ind_z: dict[str, np.ndarray] = {}
    transformed: dict[str, np.ndarray] = {}
    for name, (_, how) in INDICATORS.items():
        raw[name] = _transform(_column(frame, name), "none")
        source = raw[name]
        if name == "host_absorption":  # infrastructure gaps uplift the host's demand
            gap = np.nan_to_num(_transform(_column(frame, "infra_gap"), "none"))
            raw["infra_gap"] = gap
            source = source * (1.0 + scen.infrastructure_uplift * np.clip(gap, 0.0, 1.0))
        transformed[name] = _transform(pd.Series(source), how)
        ind_z[name] = standardise(transformed[name])
    values: dict[str, np.ndarray] = {}
    zs: dict[str, np.ndarray] = {}
    for comp, members in (("capacity", ("provider_scale", "provider_rca", "provider_growth",
                                        "provider_surplus")),
                          ("demand", ("host_absorption", "host_growth"))):
        # value = mean of the members' z over the members known for the area
        known = np.column_stack([np.where(np.isfinite(transformed[m]), ind_z[m], np.nan)
                                 for m in members])
        counts = np.isfinite(known).sum(axis=1)
        value = np.where(counts > 0, np.nansum(known, axis=1) / np.maximum(counts, 1), np.nan)
        values[comp], zs[comp] = value, standardise(value)
    for comp, column in (("complementarity", "export_potential"), ("feasibility", "density"),
                         ("environment", "emission_intensity")):
        values[comp], zs[comp] = raw[column], ind_z[column]
    fit = _transform(_column(frame, "stage_fit"), "none")
    values["stage_fit"], zs["stage_fit"] = fit, standardise(fit)
    tags = [_tag_list(v) for v in _column(frame, "tags").tolist()]
    boost = np.array([max((scen.boosts.get(t, 0.0) for t in ts), default=0.0) for ts in tags],
                     dtype=np.float64)
    values["strategic"], zs["strategic"] = boost, boost - boost.mean()
    table = dict(raw) | {f"{name}_z": ind_z[name] for name in INDICATORS}
    table |= {"stage_fit": fit, "tags": tags}
    index = frame.index
    return (pd.DataFrame(values, index=index), pd.DataFrame(zs, index=index),
            pd.DataFrame(table, index=index))


def effective_weights(scen: Scenario, burden: float = 0.0) -> dict[str, float]:
    r"""Weights as applied: the environmental one is :math:`-w \cdot penalty \cdot (1 + burden)`."""
    weights = {k: float(scen.weights.get(k, 0.0)) for k in COMPONENTS}
    weights["environment"] = -weights["environment"] * scen.environment_penalty * \
        (1.0 + min(1.0, max(0.0, burden)))
    return weights


def _viable(frame: pd.DataFrame) -> pd.Series:
    """An area is viable unless the host neither demands it nor could make it."""
    demand = pd.to_numeric(_column(frame, "host_absorption"), errors="coerce")
    dens = pd.to_numeric(_column(frame, "density"), errors="coerce")
    no_demand = demand.notna() & (demand <= 0)
    no_feasibility = dens.notna() & (dens <= 0)
    return ~(no_demand & no_feasibility)


def _order(score: np.ndarray, viable: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Positions in rank order: viable first, then score descending, then code."""
    return np.lexsort((codes, -score, ~viable))


def score_opportunities(candidates: pd.DataFrame, scen: Scenario, *,
                        pollution: float = 0.0) -> Ranking:
    r"""Score and rank the candidate areas of one host.

    Parameters
    ----------
    candidates
        One row per area (index = code) with the raw indicator columns of the module table;
        ``stage_fit`` (see :func:`stage_fit`) and ``tags`` too. Missing columns count as
        unknown (z = 0). Optional ``name`` is carried through.
    scen
        The scenario (weights, penalty, uplift, boosts); see :func:`scenario`.
    pollution
        The host's pollution burden, 0..1 (:func:`pollution_burden`).

    Returns
    -------
    Ranking

    Notes
    -----
    :math:`score_a = \sum_k w_k z_{ak}`, contributions :math:`w_k z_{ak}`; see the module
    docstring for each component.

    Examples
    --------
    >>> frame = pd.DataFrame({"host_absorption": [10.0, 100.0, 1000.0],
    ...                       "density": [0.1, 0.2, 0.3]}, index=["a", "b", "c"])
    >>> ranking = score_opportunities(frame, scenario("balanced"))
    >>> ranking.table["rank"].to_dict()
    {'c': 1, 'b': 2, 'a': 3}
    """
    frame = _candidates(candidates)
    values, zs, table = _components(frame, scen)
    weights = effective_weights(scen, pollution)
    contributions = np.column_stack([zs[k].to_numpy() * weights[k] for k in COMPONENTS])
    score = contributions.sum(axis=1)
    viable = _viable(frame).to_numpy()
    cols: dict[str, Any] = {}
    if "name" in frame.columns:
        cols["name"] = frame["name"].astype(object).to_numpy()
    cols |= {"score": score, "viable": viable}
    for i, k in enumerate(COMPONENTS):
        cols |= {f"{k}_value": values[k].to_numpy(), f"{k}_z": zs[k].to_numpy(),
                 f"{k}_weight": np.full(len(score), weights[k]),
                 f"{k}_contribution": contributions[:, i]}
    order = _order(score, viable, frame.index.to_numpy(dtype=str))
    out = pd.DataFrame(cols, index=frame.index).iloc[order]
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return Ranking(out, table.iloc[order], weights, zs.iloc[order],
                   pd.Series(viable[order], index=out.index), _notes(values))


def _notes(values: pd.DataFrame) -> tuple[str, ...]:
    notes = []
    for k in COMPONENTS:
        if k != "strategic" and values[k].isna().all():
            notes.append(f"component {k!r} has no data for this host: it counts 0 for every "
                         "area")
    return tuple(notes)


def weight_sensitivity(ranking: Ranking, *, draws: int, seed: int = 0, sigma: float = 0.25,
                       top_n: int = TOP_N_DEFAULT) -> pd.Series:
    r"""Probability that each area stays in the top N when the weights are perturbed.

    Each draw multiplies every weight by an independent log-normal factor
    :math:`w_k' = w_k e^{\sigma \varepsilon_k}`, :math:`\varepsilon_k \sim N(0, 1)` (signs are
    kept, so the environment remains a cost), recomputes the scores from the same z and ranks
    them with the same rule (viable first). Seeded with ``numpy.random.default_rng(seed)``.

    Returns
    -------
    Series
        :math:`P(rank \le N)` by area, in the ranking's order.

    Examples
    --------
    >>> frame = pd.DataFrame({"host_absorption": [10.0, 100.0, 1000.0]}, index=list("abc"))
    >>> ranking = score_opportunities(frame, scenario("balanced"))
    >>> weight_sensitivity(ranking, draws=50, top_n=1).to_dict()
    {'c': 1.0, 'b': 0.0, 'a': 0.0}
    """
    if not (isinstance(draws, int) and draws >= 1):
        raise InputError(f"sensitivity draws must be a positive integer, got {draws!r}")
    if not (isinstance(top_n, int) and top_n >= 1):
        raise InputError(f"top_n must be a positive integer, got {top_n!r}")
    if not (math.isfinite(sigma) and sigma >= 0):
        raise InputError(f"sensitivity sigma must be >= 0, got {sigma!r}")
    codes = ranking.z.index.to_numpy(dtype=str)
    canonical = np.argsort(codes, kind="stable")  # draws never depend on the row order
    z = ranking.z[list(COMPONENTS)].to_numpy()[canonical]
    viable = ranking.viable.to_numpy()[canonical]
    base = np.array([ranking.weights[k] for k in COMPONENTS])
    rng = np.random.default_rng(seed)
    factors = np.exp(sigma * rng.standard_normal((draws, len(COMPONENTS))))
    scores = z @ (base[None, :] * factors).T  # n × draws
    # rank per draw: viable areas first, then score; the top N of each draw counts
    hits = np.zeros(len(codes))
    for d in range(draws):
        order = _order(scores[:, d], viable, codes[canonical])
        hits[order[:min(top_n, len(order))]] += 1
    p = pd.Series(hits / draws, index=codes[canonical], name="p_top_n")
    return p.loc[ranking.z.index]
