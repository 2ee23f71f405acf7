"""HS product codes: nomenclature, revision concordances, BEC end use and ISIC industries.

Pure lookups over package data built by ``scripts/build_codes_products.py`` (sources, licences
and rules in ``docs/products.md``). Codes are always strings that keep their leading zeros
(``'0101'``, never ``'101'``); :func:`normalize_hs` repairs codes that lost them.

Revisions are named ``HS92``, ``HS96``, ``HS02``, ``HS07``, ``HS12``, ``HS17`` and ``HS22``
(aliases such as ``'HS2017'``, ``'2017'`` or Comtrade's ``'H5'`` are accepted).
"""

from __future__ import annotations

import difflib
import numbers
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import pandas as pd

from capcoop.errors import InputError, UnknownProductError

__all__ = [
    "HS_REVISIONS",
    "HSProduct",
    "bec_categories",
    "convert_hs",
    "hs_product",
    "hs_table",
    "hs_to_bec",
    "hs_to_isic",
    "normalize_hs",
    "search_products",
]

#: The HS revisions capcoop knows, oldest first.
HS_REVISIONS = ("HS92", "HS96", "HS02", "HS07", "HS12", "HS17", "HS22")
_YEARS = ("1992", "1996", "2002", "2007", "2012", "2017", "2022")
_ALIASES = {
    alias: rev
    for i, (rev, year) in enumerate(zip(HS_REVISIONS, _YEARS, strict=True))
    for alias in (rev, f"HS{year}", year, year[2:], f"H{i}", f"HS{i}")
}
_BEC_REVISIONS = ("HS12", "HS17", "HS22")
_ISIC = ("ISIC3", "ISIC4")
_CODE = re.compile(r"\d{2}(?:\d{2}){0,2}")


@dataclass(frozen=True)
class HSProduct:
    """One HS code of one revision.

    ``code`` keeps its leading zeros; ``level`` is 2 (chapter), 4 (heading) or 6 (subheading);
    ``description`` is UN Comtrade's English short text; ``section`` is the HS section as a
    roman numeral (``'XV'``) and ``section_name`` its name, both None for Comtrade's chapter 99
    ("commodities not specified according to kind").
    """

    code: str
    revision: str
    level: int
    description: str
    section: str | None
    section_name: str | None


# ----------------------------------------------------------------------------- package data

def _read(name: str) -> pd.DataFrame:
    """A package data table with every column as text (empty cells become missing values)."""
    with resources.files("capcoop.codes").joinpath("data", name).open("rb") as handle:
        compression = "gzip" if name.endswith(".gz") else None
        frame = pd.read_csv(handle, dtype=str, keep_default_na=False, compression=compression)
    return frame.replace("", None)


@lru_cache(maxsize=1)
def _sections() -> dict[str, str]:
    table = _read("hs_sections.csv")
    return dict(zip(table.section, table.name, strict=True))


@lru_cache(maxsize=8)
def _table(revision: str) -> pd.DataFrame:
    codes = _all_codes()
    table = codes[codes.revision == revision].drop(columns="revision")
    table = table.assign(level=table.level.astype(int),
                         section_name=table.section.map(_sections()))
    return table.set_index("code", drop=False).rename_axis(None)


@lru_cache(maxsize=1)
def _all_codes() -> pd.DataFrame:
    return _read("hs_codes.csv.gz")


@lru_cache(maxsize=1)
def _links() -> pd.DataFrame:
    return _read("hs_concordance.csv.gz")


# ----------------------------------------------------------------------------- validation

def _revision(revision: str) -> str:
    """Canonical revision name for ``revision`` or an InputError listing the known ones."""
    key = str(revision).strip().upper().replace(" ", "")
    if key not in _ALIASES:
        raise InputError(f"unknown HS revision {revision!r}; expected one of "
                         f"{', '.join(HS_REVISIONS)}",
                         hint="Try revision='HS17' (aliases like 'HS2017' or 'H5' work too)")
    return _ALIASES[key]


def _suggest(code: object, revision: str) -> tuple[tuple[str, ...], str | None]:
    """Close matches for a code that is not in ``revision``, and a hint when there is one."""
    try:
        fixed = normalize_hs(code)  # type: ignore[arg-type]
    except InputError:
        return (), "HS codes are 2, 4 or 6 digits kept as text, e.g. '0101' or '854140'"
    if fixed != code and fixed in _table(revision).index:
        return (fixed,), f"HS codes keep their leading zeros: use {fixed!r} (see normalize_hs)"
    elsewhere = [rev for rev in HS_REVISIONS if rev != revision and fixed in _table(rev).index]
    if elsewhere and len(fixed) == 6:
        converted = convert_hs([fixed], elsewhere[-1], revision).to_code.dropna()
        return tuple(converted), (f"{fixed!r} is a code of {', '.join(elsewhere)}; pass "
                                  f"revision={elsewhere[-1]!r} or use one of the suggestions")
    if elsewhere:
        return (), f"{fixed!r} is a code of {', '.join(elsewhere)}; pass revision={elsewhere[-1]!r}"
    return _siblings(fixed, revision), f"see search_products(..., revision={revision!r})"


def _siblings(code: str, revision: str, limit: int = 5) -> tuple[str, ...]:
    """Codes of the same length sharing the longest prefixes with ``code`` (closest first)."""
    table = _table(revision)
    same_level = table.code[table.level == len(code)]
    found: dict[str, None] = {}
    for width in range(len(code) - 1, 1, -1):
        found.update(dict.fromkeys(same_level[same_level.str.startswith(code[:width])]))
        if len(found) >= limit:
            break
    found = found or dict.fromkeys(difflib.get_close_matches(code, same_level.tolist(), n=limit))
    return tuple(found)[:limit]


def _unknown(code: object, revision: str) -> UnknownProductError:
    suggestions, hint = _suggest(code, revision)
    return UnknownProductError(f"unknown {revision} product code {code!r}", hint=hint,
                               suggestions=suggestions)


def _six_digit(codes: Iterable[str] | str, revision: str) -> list[str]:
    """Codes (a lone string is one code) as 6-digit codes of ``revision``, deduplicated."""
    items = list(dict.fromkeys([codes] if isinstance(codes, str) else codes))
    known = _table(revision).index
    for code in items:
        if isinstance(code, str) and _CODE.fullmatch(code) and len(code) < 6 and code in known:
            raise InputError(f"{revision} code {code!r} is a {len(code)}-digit code; this "
                             "correspondence is defined on 6-digit subheadings",
                             hint="Try the 6-digit codes under it: "
                                  f"hs_table({revision!r}) rows whose code starts with {code!r}")
        if not isinstance(code, str) or code not in known:
            raise _unknown(code, revision)
    return items


# ----------------------------------------------------------------------------- nomenclature

def normalize_hs(code: str | int, digits: int | None = None) -> str:
    """Repair an HS code into its canonical text form (2, 4 or 6 digits, leading zeros kept).

    Parameters
    ----------
    code
        A code as text (``'0101'``, ``'8541.40'``, ``' 101 '``) or as an integer that lost its
        leading zero (``101``, ``10111``).
    digits
        The length the code should have (2, 4 or 6): shorter codes are zero-padded on the left.
        Without it, an odd length is taken to have lost one leading zero (``'101' -> '0101'``).

    Returns
    -------
    str
        The code as text.

    Raises
    ------
    InputError
        For anything that is not a 1-6 digit code (letters, negative numbers, floats, 8- or
        10-digit tariff lines) or that is longer than ``digits``.

    Examples
    --------
    >>> normalize_hs(101)
    '0101'
    >>> normalize_hs('8541.40')
    '854140'
    >>> normalize_hs(1, digits=4)
    '0001'
    """
    if digits is not None and digits not in (2, 4, 6):
        raise InputError(f"digits must be 2, 4 or 6, not {digits!r}", hint="Try digits=6")
    text = _code_text(code)
    if digits is not None:
        if len(text) > digits:
            raise InputError(f"HS code {code!r} has more than {digits} digits",
                             hint=f"Try {text[:digits]!r} if you mean the code it falls under")
        return text.zfill(digits)
    return text.zfill(len(text) + len(text) % 2)


def _code_text(code: str | int) -> str:
    if isinstance(code, bool) or not isinstance(code, str | numbers.Integral):
        raise InputError(f"HS code {code!r} must be text or an integer, not "
                         f"{type(code).__name__}", hint="Try a string such as '854140'")
    text = str(code).strip().replace(".", "").replace(" ", "")
    if not re.fullmatch(r"\d{1,6}", text):
        raise InputError(f"HS code {code!r} is not a code of 1 to 6 digits",
                         hint="HS codes look like '72', '7208' or '720851'; national tariff "
                              "lines (8-10 digits) must be cut to their first 6 digits")
    return text


def hs_table(revision: str = "HS17") -> pd.DataFrame:
    """Every code of an HS revision at 2, 4 and 6 digits.

    Parameters
    ----------
    revision
        ``'HS92'`` ... ``'HS22'``.

    Returns
    -------
    pandas.DataFrame
        Columns ``code``, ``level`` (2/4/6), ``parent`` (missing for chapters), ``description``,
        ``section`` (roman numeral) and ``section_name``; one row per code, in code order.
    """
    return _table(_revision(revision)).reset_index(drop=True).copy()


def hs_product(code: str, revision: str = "HS17") -> HSProduct:
    """Look up one HS code.

    Raises
    ------
    UnknownProductError
        When ``code`` is not a code of ``revision`` (also when it lost its leading zero, such as
        ``'101'``); ``suggestions`` lists close codes, e.g. the HS17 code an HS22 code came from.

    Examples
    --------
    >>> hs_product('300220').description
    'Vaccines; for human medicine'
    """
    rev = _revision(revision)
    table = _table(rev)
    if not isinstance(code, str) or code not in table.index:
        raise _unknown(code, rev)
    row = table.loc[code]
    return HSProduct(code=code, revision=rev, level=int(row.level), description=row.description,
                     section=_text(row.section), section_name=_text(row.section_name))


def _text(value: object) -> str | None:
    return None if pd.isna(value) else str(value)


def search_products(text: str, revision: str = "HS17", limit: int = 20) -> pd.DataFrame:
    """Codes whose description contains every word of ``text`` (or whose code starts with it).

    Matching ignores case; rows containing ``text`` as a phrase come first, then code order.
    A query of digits (``'8541'``, ``'85.41'``) returns that code and the codes under it.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`hs_table`, at most ``limit`` rows.
    """
    if not isinstance(limit, numbers.Integral) or isinstance(limit, bool) or limit < 1:
        raise InputError(f"limit must be a positive integer, not {limit!r}", hint="Try limit=20")
    query = str(text).strip().lower()
    if not query:
        raise InputError("search text is empty", hint="Try search_products('vaccine')")
    table = _table(_revision(revision)).reset_index(drop=True)
    digits = query.replace(".", "").replace(" ", "")
    if digits.isdigit():
        return table[table.code.str.startswith(digits)].head(limit).copy()
    lowered = table.description.str.lower()
    words = re.findall(r"\w+", query)
    match = pd.Series(True, index=table.index)
    for word in words:
        match &= lowered.str.contains(word, regex=False)
    phrase = lowered.str.contains(query, regex=False)
    found = table[match].assign(_rank=~phrase[match]).sort_values(["_rank", "code"], kind="stable")
    return found.drop(columns="_rank").head(limit).reset_index(drop=True)


# ----------------------------------------------------------------------------- concordances

@lru_cache(maxsize=16)
def _step(from_revision: str, to_revision: str) -> pd.DataFrame:
    """Links between two adjacent revisions as src, dst, share (see :func:`convert_hs`)."""
    links = _links()
    older = HS_REVISIONS.index(to_revision) < HS_REVISIONS.index(from_revision)
    new, old = (from_revision, to_revision) if older else (to_revision, from_revision)
    rows = links[(links.new_revision == new) & (links.old_revision == old)]
    src, dst = ("new_code", "old_code") if older else ("old_code", "new_code")
    pairs = pd.DataFrame({"src": rows[src], "dst": rows[dst]}).drop_duplicates()
    # share(s -> d) = (1 / n_d) / sum over d' linked to s of (1 / n_d'), n_d = sources of d
    inverse = 1.0 / pairs.groupby("dst").src.transform("size")
    pairs["share"] = inverse / inverse.groupby(pairs.src).transform("sum")
    return pairs.reset_index(drop=True)


def _path(from_revision: str, to_revision: str) -> list[tuple[str, str]]:
    """Adjacent revision pairs from one revision to another (empty when they are the same)."""
    i, j = HS_REVISIONS.index(from_revision), HS_REVISIONS.index(to_revision)
    step = 1 if j >= i else -1
    chain = [HS_REVISIONS[k] for k in range(i, j + step, step)]
    return list(zip(chain[:-1], chain[1:], strict=True))


def convert_hs(codes: Iterable[str], from_revision: str, to_revision: str) -> pd.DataFrame:
    """Map 6-digit codes of one HS revision to another, with weights for splits.

    Parameters
    ----------
    codes
        6-digit codes of ``from_revision`` (a single string is one code).
    from_revision, to_revision
        Any two of ``HS92`` ... ``HS22``; non-adjacent revisions are chained through the ones
        between them.

    Returns
    -------
    pandas.DataFrame
        Columns ``from_code``, ``to_code`` and ``weight``. The weights of each ``from_code``
        sum to 1. A code with no link in the UNSD table (e.g. HS17 300219 towards HS22) gets
        one row with a missing ``to_code`` and weight 1, so totals are kept and the gap shows.

    Notes
    -----
    Each step between adjacent revisions uses the UNSD correlation links. A source code ``s``
    linked to target codes ``d`` shares its weight in proportion to ``1 / n_d``, where ``n_d``
    is the number of source codes linked to ``d``:

    ``w(s -> d) = (1 / n_d) / sum_{d' linked to s} (1 / n_d')``

    For a plain 1:n split (each target fed only by ``s``) this is the equal split ``1/n``. In
    many-to-many groups it keeps a source's weight on its own successors instead of spreading
    it evenly over catch-all targets fed by hundreds of codes (HS22 heading 8549, e-waste, is
    linked to about 1,000 HS17 codes). It is exact when every target code has the same value
    and takes equal parts from its sources; there is no official value-based weight.
    Across several steps the weights multiply and are summed over paths:
    ``w(a -> c) = sum_b w(a -> b) * w(b -> c)``.

    Examples
    --------
    >>> convert_hs(['300220'], 'HS17', 'HS22').values.tolist()
    [['300220', '300241', 1.0]]
    >>> convert_hs(['300290'], 'HS17', 'HS22').weight.tolist()
    [0.25, 0.25, 0.25, 0.25]
    """
    src_rev, dst_rev = _revision(from_revision), _revision(to_revision)
    items = _six_digit(codes, src_rev)
    frame = pd.DataFrame({"from_code": items, "code": items, "weight": 1.0})
    for step_from, step_to in _path(src_rev, dst_rev):
        frame = _apply_step(frame, _step(step_from, step_to))
    result = (frame.groupby(["from_code", "code"], dropna=False).weight.sum()
              .reset_index().rename(columns={"code": "to_code"}))
    order = result.from_code.map({code: i for i, code in enumerate(items)})
    result = result.iloc[order.argsort(kind="stable")]  # input order, to_code sorted within
    return result.reset_index(drop=True)[["from_code", "to_code", "weight"]]


def _apply_step(frame: pd.DataFrame, step: pd.DataFrame) -> pd.DataFrame:
    """Move each row's weight from ``code`` to its linked codes (a missing code stays missing)."""
    merged = frame.merge(step, left_on="code", right_on="src", how="left")
    return pd.DataFrame({"from_code": merged.from_code, "code": merged.dst,
                         "weight": merged.weight * merged.share.fillna(1.0)})


# ----------------------------------------------------------------------------- BEC and ISIC

@lru_cache(maxsize=1)
def _bec_links() -> pd.DataFrame:
    return _read("hs_bec.csv.gz")


@lru_cache(maxsize=1)
def _bec_categories() -> pd.DataFrame:
    return _read("bec_categories.csv")


def bec_categories() -> pd.DataFrame:
    """BEC Rev.4 categories with their SNA end use.

    Returns
    -------
    pandas.DataFrame
        Columns ``bec``, ``title`` and ``end_use`` (``'capital'``, ``'intermediate'``,
        ``'consumption'`` or missing for 51 passenger cars, 321 motor spirit, 32 and 7).
    """
    return _bec_categories().copy()


def hs_to_bec(codes: Iterable[str], revision: str = "HS17") -> pd.DataFrame:
    """BEC Rev.4 category and SNA end use (capital/intermediate/consumption) of 6-digit codes.

    Returns
    -------
    pandas.DataFrame
        Columns ``code``, ``bec``, ``end_use`` and ``weight`` (shares of a code over its BEC
        categories, summing to 1). A code without a BEC link (monetary gold 710820, coin 711890)
        gets one row with missing ``bec`` and ``end_use``.

    Notes
    -----
    HS22, HS17 and HS12 use the UNSD HS -> BEC Rev.4 tables directly; older revisions go
    through :func:`convert_hs` to HS12 first. End use follows the UN rule in the BEC Rev.4
    manual: capital = 41, 521; intermediate = 111, 121, 21, 22, 31, 322, 42, 53;
    consumption = 112, 122, 522, 61, 62, 63. 51 (passenger motor cars), 321 (motor spirit) and
    7 (goods n.e.s.) are not allocated because their use is mixed, and neither is 32 (an HS
    code spanning 321 and 322); their ``end_use`` is None.

    Examples
    --------
    >>> hs_to_bec(['870421']).end_use.tolist()
    ['capital']
    """
    rev = _revision(revision)
    items = _six_digit(codes, rev)
    base = rev if rev in _BEC_REVISIONS else "HS12"
    mapped = (convert_hs(items, rev, base).rename(columns={"from_code": "code"})
              if base != rev else pd.DataFrame({"code": items, "to_code": items, "weight": 1.0}))
    links = _bec_links()
    links = links[links.revision == base]
    links = links.assign(share=1.0 / links.groupby("code").bec.transform("size"))
    merged = mapped.merge(links[["code", "bec", "share"]], left_on="to_code", right_on="code",
                          how="left", suffixes=("", "_bec"))
    merged["weight"] = merged.weight * merged.share.fillna(1.0)
    result = merged.groupby(["code", "bec"], dropna=False, sort=False).weight.sum().reset_index()
    end_use = dict(zip(_bec_categories().bec, _bec_categories().end_use, strict=True))
    result["end_use"] = pd.Series([_text(end_use.get(b)) if isinstance(b, str) else None
                                   for b in result.bec], dtype=object, index=result.index)
    return result[["code", "bec", "end_use", "weight"]]


@lru_cache(maxsize=1)
def _isic3_links() -> pd.DataFrame:
    return _read("hs_isic3.csv.gz")


@lru_cache(maxsize=1)
def _isic_titles() -> dict[tuple[str, str], str]:
    table = _read("isic_titles.csv.gz")
    return dict(zip(zip(table.isic, table.code, strict=True), table.title, strict=True))


@lru_cache(maxsize=16)
def _isic_map(revision: str, isic: str) -> pd.DataFrame:
    """code, isic, share for one HS revision and ISIC revision."""
    links = _isic3_links()
    pairs = links[links.revision == revision][["code", "isic3"]]
    pairs = pairs.assign(share=1.0 / pairs.groupby("code").isic3.transform("size"))
    if isic == "ISIC3":
        return pairs.rename(columns={"isic3": "isic"})
    to4 = _read("isic3_isic4.csv")
    to4 = to4.assign(part=1.0 / to4.groupby("isic3").isic4.transform("size"))
    merged = pairs.merge(to4, on="isic3", how="left")
    merged["isic4"] = merged.isic4.fillna(merged.isic3)  # '9999' (unallocated) has no link
    merged["share"] = merged.share * merged.part.fillna(1.0)
    return (merged.groupby(["code", "isic4"], sort=False).share.sum().reset_index()
            .rename(columns={"isic4": "isic"}))


def hs_to_isic(codes: Iterable[str], revision: str = "HS17", isic: str = "ISIC3") -> pd.DataFrame:
    """ISIC industry (Rev.3 or Rev.4, 4-digit class) of 6-digit HS codes.

    Parameters
    ----------
    codes
        6-digit codes of ``revision``.
    revision
        Any of ``HS92`` ... ``HS22``.
    isic
        ``'ISIC3'`` (default) or ``'ISIC4'``.

    Returns
    -------
    pandas.DataFrame
        Columns ``code``, ``isic``, ``isic_title`` and ``weight`` (shares summing to 1 per code).
        ISIC3 class ``'9999'`` is WITS' "not allocated" (waste and scrap, some animal products).

    Notes
    -----
    ISIC Rev.3 comes from the WITS/UNSD tables: HS22, HS17, HS12 via the concordance package
    (one ISIC class per code), HS07 from WITS' HS2007 table, HS92-HS02 from WITS' combined-HS
    table. ISIC Rev.4 follows the ISIC Rev.3 -> Rev.4 correspondence with an equal split over
    the Rev.4 classes linked to each Rev.3 class.
    """
    key = str(isic).strip().upper().replace(" ", "").replace("REV.", "").replace("REV", "")
    if key not in _ISIC:
        raise InputError(f"unknown ISIC revision {isic!r}; expected 'ISIC3' or 'ISIC4'",
                         hint="Try isic='ISIC4'")
    rev = _revision(revision)
    items = _six_digit(codes, rev)
    mapped = _isic_map(rev, key)
    mapped = mapped[mapped.code.isin(items)]
    result = pd.DataFrame({"code": items}).merge(mapped, on="code", how="left")
    titles = _isic_titles()
    result["isic_title"] = [titles.get((key, c)) if isinstance(c, str) else None
                            for c in result.isic]
    result["weight"] = result.share.fillna(1.0)
    return result[["code", "isic", "isic_title", "weight"]]
