"""NAICS 2017 industries and the HS -> NAICS 2017 concordance.

Shipped tables (built by ``scripts/build_codes_naics.py`` from the R package ``concordance``,
MIT licence, whose HS -> NAICS links are Pierce & Schott's (2018) US Census-based concordance):

``codes/data/hs_naics.csv.gz``
    HS 2017 and HS 2022 subheadings -> NAICS 2017 6-digit industries with weights (an HS code
    linked to several industries is split equally; the weights of each code sum to 1). Older
    NAICS vintages in the source are bridged to 2017 by 5- then 4-digit prefix; ``match`` says
    which (``exact``, ``5-digit``, ``4-digit``). Census's special codes (waste and scrap
    ``910000``, used merchandise ``920000``, returned goods and special provisions ``930000``,
    ``980000``, ``990000``) have no industry: ``match`` ``none``, ``naics2017`` missing.
``codes/data/naics2017.csv.gz``
    NAICS 2017 codes (2 to 6 digits) and titles.

Other HS revisions (HS92 ... HS12) go through :func:`capcoop.codes.products.convert_hs` to HS 2017
first, multiplying the weights. ``docs/io-sectors.md`` documents the concordance and its caveats
(US-specific, Census-based: a bridge to US emission factors, not a statistical standard).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from importlib import resources

import pandas as pd

from capcoop.codes.products import _revision, _six_digit, convert_hs
from capcoop.errors import UnknownCodeError

__all__ = ["hs_to_naics", "naics_table", "naics_title", "DIRECT_REVISIONS"]

#: HS revisions with a direct link table; others are converted to HS17 first.
DIRECT_REVISIONS = ("HS17", "HS22")


def _read(name: str) -> pd.DataFrame:
    path = resources.files("capcoop.codes").joinpath("data", name)
    with path.open("rb") as handle:
        return pd.read_csv(handle, dtype=str, keep_default_na=False, compression="gzip")


@lru_cache(maxsize=1)
def _links() -> pd.DataFrame:
    frame = _read("hs_naics.csv.gz")
    frame["weight"] = frame.weight.astype(float)
    frame["naics2017"] = frame.naics2017.replace("", None)
    return frame


@lru_cache(maxsize=1)
def _titles() -> dict[str, str]:
    table = _read("naics2017.csv.gz")
    return dict(zip(table.code, table.title, strict=True))


def naics_table() -> pd.DataFrame:
    """NAICS 2017 codes (2 to 6 digits) and titles: columns ``code``, ``title``."""
    return pd.DataFrame(list(_titles().items()), columns=["code", "title"])


def naics_title(code: str | int) -> str:
    """The title of a NAICS 2017 code (``'327310'`` -> ``'Cement Manufacturing'``).

    Raises
    ------
    UnknownCodeError
        When the code is not a NAICS 2017 code; suggestions are codes sharing its prefix.
    """
    text = str(code).strip()
    titles = _titles()
    if text in titles:
        return titles[text]
    prefix = text[:4]
    close = tuple(c for c in titles if c.startswith(prefix) and len(c) == len(text))[:5]
    raise UnknownCodeError(f"unknown NAICS 2017 code {code!r}",
                           hint=(f"did you mean {', '.join(close)}? " if close else "") +
                           "NAICS 2017 codes have 2 to 6 digits (e.g. 327310)",
                           suggestions=close)


def hs_to_naics(codes: Iterable[str] | str, revision: str = "HS17") -> pd.DataFrame:
    """NAICS 2017 industries of 6-digit HS codes, with weights.

    Parameters
    ----------
    codes
        6-digit codes of ``revision`` (a single string is one code).
    revision
        ``HS92`` ... ``HS22``; HS17 and HS22 are linked directly, the others through HS17.

    Returns
    -------
    pandas.DataFrame
        Columns ``code`` (the input code), ``naics`` (NAICS 2017, missing for Census's special
        codes and for codes absent from the concordance), ``match`` (``exact``, ``5-digit``,
        ``4-digit``, ``none``, or ``missing`` when the concordance has no row) and ``weight``
        (summing to 1 per input code). Rows follow the input order.

    Raises
    ------
    UnknownProductError
        For a code that is not a 6-digit code of ``revision``.

    Examples
    --------
    >>> hs_to_naics(["252329"]).naics.tolist()
    ['327310']
    """
    rev = _revision(revision)
    items = _six_digit(codes, rev)
    links = _links()
    if rev in DIRECT_REVISIONS:
        steps = pd.DataFrame({"code": items, "hs": items, "part": 1.0})
        table = rev
    else:
        conv = convert_hs(items, rev, "HS17")
        steps = conv.rename(columns={"from_code": "code", "to_code": "hs", "weight": "part"})
        table = "HS17"
    mapped = steps.merge(links[links.revision == table], on="hs", how="left")
    mapped["match"] = mapped["match"].fillna("missing")
    mapped["weight"] = mapped.part * mapped.weight.fillna(1.0)
    out = (mapped.groupby(["code", "naics2017", "match"], dropna=False, sort=False).weight.sum()
           .reset_index().rename(columns={"naics2017": "naics"}))
    order = out.code.map({code: i for i, code in enumerate(dict.fromkeys(items))})
    out = out.iloc[order.argsort(kind="stable")].reset_index(drop=True)
    out["naics"] = out.naics.astype(object).where(out.naics.notna(), None)
    return out[["code", "naics", "match", "weight"]]
