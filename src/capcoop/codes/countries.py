"""Country codes and names: resolve any code or name to one :class:`Country`.

The table ships with the package (``codes/data/countries.csv``). It is built by
``scripts/build_codes_countries.py`` from ISO 3166 / UN M49 (datahub country-codes, UNSD),
CEPII BACI, IMF DOTS and UN Comtrade reference lists, and has one row per entry:

- ``kind="country"``: an ISO 3166 country or territory, plus Kosovo (``XKX``);
- ``kind="aggregate"``: World (``WLD``), IMF DOTS aggregates (``AGG_EU``, ``AGG_ADV``, ...) and
  UN Comtrade areas without an ISO code (``CT_899`` "Areas, nes", ``CT_837`` "Bunkers", ...);
- ``kind="historical"``: entities that no longer exist (``SUN``, ``YUG``, ``CSK``, ``DDR``,
  ``BLX``, ``ANT``, ``SCG``, ``YAR``, ``YMD``, ``HIST_SACCA``, ``HIST_MYS_WEST``, ``CT_<n>``).

Sources recognise aggregates and historical entities through the same lookup as countries and
can then skip them explicitly; :func:`is_iso3` is true for ``kind="country"`` only.

Resolution rule of :func:`country`
----------------------------------
1. Digits only (``'704'``, ``704``) -- a numeric code, tried in this order:
   UN M49, the current CEPII BACI code, a retired BACI code (381 Italy before V202301),
   the UN Comtrade code, a retired Comtrade code. So ``country(704)`` is Viet Nam (M49),
   ``country(699)`` is India (699 is no M49 code; it is India's BACI code) and
   ``country(490)`` is Taiwan (BACI's "Other Asia, nes"). Use :func:`from_baci` when the
   number is known to be a BACI code.
2. Other text, ignoring case: an ISO3 code or capcoop pseudo-code (``AGG_EU``), then an ISO2
   code (``'VN'``; Namibia's ``'NA'`` too), then a name -- English (``'Viet Nam'``,
   ``'Vietnam'``), Chinese (``'越南'``), IMF DOTS (``'China, P.R.: Mainland'``), UN Comtrade
   (``'Other Asia, nes'``) or another alias. Names also ignore accents and spacing.
"""

from __future__ import annotations

import difflib
import numbers
import shlex
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import pandas as pd

from capcoop.errors import InputError, UnknownCountryError

__all__ = ["Country", "country", "from_baci", "search_countries", "countries_table", "is_iso3"]

KINDS = ("country", "aggregate", "historical")
_NUMERIC_SCHEMES = ("m49", "baci", "baci_other", "comtrade", "comtrade_other")
_SEARCH_HINT = "see `capcoop codes countries --search {query}`"


@dataclass(frozen=True)
class Country:
    """One entry of the countries table.

    Parameters
    ----------
    iso3
        ISO 3166-1 alpha-3 code, or a capcoop pseudo-code for aggregates/historical entities.
    iso2
        ISO 3166-1 alpha-2 code ("" when none).
    m49
        UN M49 code as a 3-digit zero-padded string ("704"; "" when none).
    baci
        CEPII BACI numeric code (699 for India, 490 for Taiwan), or None.
    name_en, name_zh
        English (UN) and Chinese (UNSD short) names; name_zh is "" when no source has one.
    dots_name, comtrade_name
        The names IMF DOTS and UN Comtrade use ("" when the source lacks the entry).
    region, subregion
        UN M49 region and sub-region ("Asia", "South-eastern Asia").
    ldc, lldc, sids
        Least developed / landlocked developing / small island developing state (UN lists).
    kind
        "country", "aggregate" or "historical".
    """

    iso3: str
    iso2: str
    m49: str
    baci: int | None
    name_en: str
    name_zh: str
    dots_name: str
    comtrade_name: str
    region: str
    subregion: str
    ldc: bool
    lldc: bool
    sids: bool
    kind: str

    def label(self, lang: str = "en") -> str:
        """The name in ``lang`` ("en" or "zh"), falling back to English when there is no Chinese."""
        return self.name_zh if lang == "zh" and self.name_zh else self.name_en


def normalize_key(text: str) -> str:
    """Fold ``text`` for name matching: no case, accents, curly quotes or repeated spaces."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = plain.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    return " ".join(plain.casefold().split())


@lru_cache(maxsize=1)
def countries_table() -> pd.DataFrame:
    """The whole countries table, one row per entry (cached; copy it before modifying).

    Returns
    -------
    pandas.DataFrame
        Columns ``iso3, iso2, m49, baci, baci_other, comtrade, comtrade_other, name_en, name_zh,
        dots_name, comtrade_name, region, subregion, ldc, lldc, sids, kind, aliases``. Codes are
        strings (``m49`` keeps its leading zeros) except ``baci`` and ``comtrade`` (nullable
        ``Int64``); ``baci_other``/``comtrade_other`` list retired codes separated by spaces and
        ``aliases`` lists further names and source codes separated by ``|``.
    """
    return _read_table()


def _read_table() -> pd.DataFrame:
    """Read the shipped CSV with its proper types (the lookups use their own copy)."""
    path = resources.files("capcoop.codes") / "data" / "countries.csv"
    with path.open(encoding="utf-8") as handle:
        table = pd.read_csv(handle, dtype=str, keep_default_na=False)
    for column in ("baci", "comtrade"):
        table[column] = pd.array([int(v) if v else None for v in table[column]], dtype="Int64")
    for column in ("ldc", "lldc", "sids"):
        table[column] = table[column] == "true"
    return table


def _to_country(row: dict) -> Country:
    baci = row["baci"]
    return Country(
        iso3=row["iso3"], iso2=row["iso2"], m49=row["m49"],
        baci=None if pd.isna(baci) else int(baci),
        name_en=row["name_en"], name_zh=row["name_zh"], dots_name=row["dots_name"],
        comtrade_name=row["comtrade_name"], region=row["region"], subregion=row["subregion"],
        ldc=bool(row["ldc"]), lldc=bool(row["lldc"]), sids=bool(row["sids"]), kind=row["kind"],
    )


def _numbers(value: object) -> list[int]:
    """The integer codes in one numeric cell (a scalar, NA, or space-separated text)."""
    if isinstance(value, str):
        return [int(part) for part in value.split()]
    return [] if pd.isna(value) else [int(value)]


@dataclass(frozen=True)
class _Index:
    """Lookup dictionaries over the table, built once."""

    by_code: dict[str, Country]
    by_iso2: dict[str, str]
    by_number: dict[str, dict[int, str]]
    by_name: dict[str, str]
    search_keys: dict[str, tuple[str, ...]]


def _names(row: dict) -> list[str]:
    """A row's names, primary ones first."""
    aliases = row["aliases"].split("|") if row["aliases"] else []
    return [row["name_en"], row["name_zh"], row["dots_name"], row["comtrade_name"], *aliases]


@lru_cache(maxsize=1)
def _index() -> _Index:
    rows = _read_table().to_dict("records")
    by_number: dict[str, dict[int, str]] = {scheme: {} for scheme in _NUMERIC_SCHEMES}
    by_name: dict[str, str] = {}
    search_keys = {}
    for row in rows:
        for scheme in _NUMERIC_SCHEMES:
            for code in _numbers(row[scheme]):
                by_number[scheme].setdefault(code, row["iso3"])
        names = [normalize_key(name) for name in _names(row) if name]
        for key in names:
            by_name.setdefault(key, row["iso3"])
        codes = [row["iso3"].casefold(), row["iso2"].casefold(), row["m49"],
                 *(str(code) for code in _numbers(row["baci"]))]
        search_keys[row["iso3"]] = tuple(dict.fromkeys(k for k in codes + names if k))
    return _Index(
        by_code={row["iso3"]: _to_country(row) for row in rows},
        by_iso2={row["iso2"]: row["iso3"] for row in rows if row["iso2"]},
        by_number=by_number, by_name=by_name, search_keys=search_keys,
    )


def _lookup_number(number: int) -> Country | None:
    index = _index()
    for scheme in _NUMERIC_SCHEMES:
        code = index.by_number[scheme].get(number)
        if code is not None:
            return index.by_code[code]
    return None


def _lookup_text(text: str) -> Country | None:
    index = _index()
    upper = text.upper()
    code = upper if upper in index.by_code else index.by_iso2.get(upper)
    code = code or index.by_name.get(normalize_key(text))
    return index.by_code[code] if code else None


def country(text: str | int) -> Country:
    """Resolve any country code or name to its :class:`Country`.

    Parameters
    ----------
    text
        An ISO3 or ISO2 code, a numeric code (M49, BACI or Comtrade; ``str`` or ``int``), or
        an English, Chinese, IMF DOTS or UN Comtrade name. Case and accents are ignored.

    Returns
    -------
    Country

    Raises
    ------
    UnknownCountryError
        When nothing matches; ``.suggestions`` holds the ISO3 codes of close matches.

    Notes
    -----
    Numbers are tried as UN M49 first, then as BACI codes (current, then retired), then as UN
    Comtrade codes: ``country(704)`` is Viet Nam by M49, ``country(699)`` is India by BACI
    because 699 is not an M49 code. See the module docstring for the full rule.

    Examples
    --------
    >>> country("越南").iso3, country(704).iso3, country("vn").iso3
    ('VNM', 'VNM', 'VNM')
    """
    if isinstance(text, bool) or not isinstance(text, (str, numbers.Integral)):
        raise UnknownCountryError(
            f"a country must be given as a code or name (str or int), got {text!r}",
            hint="pass an ISO3 code such as 'VNM', an M49 number such as 704, or a name")
    found = _resolve(text)
    if found is None:
        raise _unknown(text)
    return found


def _resolve(text: str | int) -> Country | None:
    """Apply the resolution rule (module docstring) to a str or int; None when nothing matches."""
    if not isinstance(text, str):
        return _lookup_number(int(text)) if text >= 0 else None
    stripped = text.strip()
    if stripped.isascii() and stripped.isdigit():
        return _lookup_number(int(stripped))
    return _lookup_text(stripped) if stripped else None


def from_baci(code: int | str) -> Country:
    """The :class:`Country` of a CEPII BACI numeric country code (699 → India, 490 → Taiwan).

    Retired codes of older releases resolve too (381 → Italy, 58 → Belgium-Luxembourg).

    Raises
    ------
    UnknownCountryError
        When ``code`` is not a BACI code; the hint names the country if it is an M49 code.
    """
    text = str(code).strip()
    number = int(text) if text.isascii() and text.isdigit() and not isinstance(code, bool) else None
    index = _index()
    for scheme in ("baci", "baci_other"):
        iso3 = index.by_number[scheme].get(number) if number is not None else None
        if iso3:
            return index.by_code[iso3]
    raise UnknownCountryError(f"unknown BACI country code {code!r}", hint=_baci_hint(number))


def _baci_hint(number: int | None) -> str:
    m49 = _index().by_number["m49"].get(number) if number is not None else None
    if m49:
        found = _index().by_code[m49]
        return (f"{number} is the M49 code of {found.name_en}, whose BACI code is {found.baci}; "
                "use country() for M49 codes")
    return "BACI codes are numbers such as 156 (China), 704 (Viet Nam), 699 (India), 490 (Taiwan)"


def _score(query: str, keys: tuple[str, ...]) -> float:
    """How well ``query`` matches a row's keys: 3 exact, 2 prefix, 1 substring, <1 fuzzy."""
    best = 0.0
    for key in keys:
        if key == query:
            return 3.0
        if key.startswith(query):
            best = max(best, 2.0)
        elif query in key:
            best = max(best, 1.0)
        elif best < 1.0:
            matcher = difflib.SequenceMatcher(None, query, key)
            if matcher.real_quick_ratio() >= 0.75 and matcher.quick_ratio() >= 0.75:
                ratio = matcher.ratio()
                best = max(best, ratio if ratio >= 0.75 else 0.0)
    return best


def search_countries(text: str, limit: int = 10) -> list[Country]:
    """Countries whose codes or names contain or resemble ``text``, best match first.

    Matching ignores case and accents and covers ISO3/ISO2/M49/BACI codes and English, Chinese,
    DOTS and Comtrade names. Exact matches come first, then prefixes, then substrings, then
    fuzzy matches (typos such as 'Thiland'); ties list countries before aggregates and
    historical entities. ``search_countries('viet')`` finds Viet Nam.

    Raises
    ------
    InputError
        When ``text`` is empty or ``limit`` is below 1.
    """
    query = normalize_key(text) if isinstance(text, str) else ""
    if not query or isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise InputError(
            f"cannot search countries for {text!r} with limit {limit!r}",
            hint="give some text such as 'viet' and a limit of at least 1")
    index = _index()
    scored = [(_score(query, keys), iso3) for iso3, keys in index.search_keys.items()]
    hits = [(s, index.by_code[iso3]) for s, iso3 in scored if s > 0]
    hits.sort(key=lambda hit: (-hit[0], KINDS.index(hit[1].kind), hit[1].iso3))
    return [found for _, found in hits[:limit]]


def is_iso3(code: str) -> bool:
    """True when ``code`` (any case) is the ISO3 code of a current country or territory.

    Taiwan (``TWN``) and Kosovo (``XKX``) count; aggregates (``WLD``, ``AGG_EU``) and
    historical entities (``SUN``) do not.
    """
    if not isinstance(code, str):
        return False
    found = _index().by_code.get(code.strip().upper())
    return found is not None and found.kind == "country"


def _closeness(code: str, candidate: str) -> tuple[int, int]:
    """(letters in the same place, length of the common prefix) of two equal-length codes."""
    pairs = list(zip(code, candidate, strict=True))
    prefix = next((i for i, (a, b) in enumerate(pairs) if a != b), len(pairs))
    return sum(a == b for a, b in pairs), prefix


def _close_codes(text: str) -> list[Country]:
    """Country codes of the same length as ``text`` that differ from it in one letter, closest first."""
    code = text.strip().upper()
    if not (code.isalpha() and len(code) in (2, 3)):
        return []
    candidates = [(c, c.iso3 if len(code) == 3 else c.iso2)
                  for c in _index().by_code.values() if c.kind == "country"]
    scored = [(_closeness(code, key), c) for c, key in candidates if len(key) == len(code)]
    scored = [(s, c) for s, c in scored if s[0] == len(code) - 1]
    best = max((s for s, _ in scored), default=None)
    return sorted((c for s, c in scored if s == best), key=lambda c: c.iso3)


def _unknown(text: object) -> UnknownCountryError:
    raw = str(text).strip()
    found = _close_codes(raw) if isinstance(text, str) else []
    if normalize_key(raw) and not raw.isdigit():
        found += [c for c in search_countries(raw, limit=3) if c not in found]
    found = found[:3]
    search = _SEARCH_HINT.format(query=shlex.quote(raw) if raw else "...")
    if found:
        options = [f"'{c.iso3}' ({c.name_en})" for c in found]
        listed = options[0] if len(options) == 1 else f"{', '.join(options[:-1])} or {options[-1]}"
        hint = f"did you mean {listed}? ({search})"
    else:
        hint = f"expected an ISO3 code such as 'VNM', an M49 number such as 704, or a name ({search})"
    return UnknownCountryError(f"unknown country {text!r}", hint=hint,
                               suggestions=tuple(c.iso3 for c in found))
