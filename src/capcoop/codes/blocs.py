"""Blocs of countries (ASEAN, EU, RCEP, ASEAN+3, user-defined) with dated membership.

Built-in blocs live in ``codes/data/blocs.toml`` (hand-maintained, every date cited). Users add
their own in a TOML file of the same schema named by the setting ``blocs_file`` (environment
variable ``CAPCOOP_BLOCS_FILE``); see ``docs/codes.md``.

Membership rule
---------------
``joined`` is the first day of membership and ``left`` the **last** day (``None`` while still a
member). A country is a member on day ``d`` iff ``joined <= d <= left``. For an annual or
monthly period a country counts as a member iff it is a member on the period's **last day**.

Examples: the United Kingdom's last EU day was 2020-01-31 (``left = 2020-01-31``), so the EU has
28 members for 2019 and for January 2020 but 27 for 2020 and for February 2020. Croatia joined
on 2013-07-01: it counts for 2013 but not for June 2013. Viet Nam joined ASEAN on 1995-07-28:
it counts for July 1995 and for 1995, not for June 1995 or 1994.
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from capcoop.codes.countries import country, is_iso3, normalize_key
from capcoop.errors import InputError, UnknownBlocError, UnknownCountryError
from capcoop.settings import get_setting

__all__ = ["Membership", "Bloc", "bloc", "blocs", "is_bloc"]

BUILT_IN = "built-in"
_BLOC_FIELDS = {"name_en", "name_zh", "aliases", "members"}
_MEMBER_FIELDS = {"iso3", "joined", "left"}


@dataclass(frozen=True)
class Membership:
    """One spell of membership: ``joined`` is the first day, ``left`` the last (None: ongoing)."""

    iso3: str
    joined: dt.date
    left: dt.date | None = None

    def active_on(self, day: dt.date) -> bool:
        """True iff ``joined <= day <= left`` (``left`` None counts as open-ended)."""
        return self.joined <= day and (self.left is None or day <= self.left)


@dataclass(frozen=True)
class Bloc:
    """A named group of countries whose membership changes over time.

    Parameters
    ----------
    code
        The bloc's code ("ASEAN", "EU", "RCEP", "ASEAN+3").
    name_en, name_zh
        English and Chinese names.
    memberships
        Every membership spell; a country may have several (leave and rejoin).
    source
        "built-in", or the path of the user file that defined the bloc.
    aliases
        Other names accepted by :func:`bloc` ("ASEAN3", "APT").
    """

    code: str
    name_en: str
    name_zh: str
    memberships: tuple[Membership, ...]
    source: str
    aliases: tuple[str, ...] = ()

    def members_on(self, day: dt.date | str) -> frozenset[str]:
        """ISO3 codes of the members on ``day`` (a date or an ISO string such as '2020-01-31')."""
        when = _as_date(day)
        return frozenset(m.iso3 for m in self.memberships if m.active_on(when))

    def members_for_period(self, year: int, month: int | None = None) -> frozenset[str]:
        """Members for a year (``month`` None) or a month: those who are members on its last day."""
        return self.members_on(period_end(year, month))

    def ever_members(self) -> frozenset[str]:
        """Every country that has ever been a member."""
        return frozenset(m.iso3 for m in self.memberships)


def period_end(year: int, month: int | None = None) -> dt.date:
    """The last day of a year (``month`` None) or of a month: ``period_end(2020, 2)`` is 2020-02-29."""
    if isinstance(year, bool) or not isinstance(year, int) or not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise InputError(f"year must be an integer such as 2020, got {year!r}")
    if month is None:
        return dt.date(year, 12, 31)
    if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
        raise InputError(f"month must be an integer from 1 to 12 (or None for the whole year), "
                         f"got {month!r}")
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _as_date(day: object) -> dt.date:
    if isinstance(day, dt.datetime):
        return day.date()
    if isinstance(day, dt.date):
        return day
    if isinstance(day, str):
        try:
            return dt.date.fromisoformat(day.strip())
        except ValueError:
            pass
    raise InputError(f"expected a date such as 2020-01-31, got {day!r}")


# --- reading TOML files -------------------------------------------------------------------


def _field_error(source: str, code: str, field: str, problem: str) -> InputError:
    return InputError(f"blocs file '{source}': bloc '{code}', field '{field}': {problem}",
                      hint="see the schema in docs/codes.md (section 'User-defined blocs')")


def _parse_date(value: object, source: str, code: str, field: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise _field_error(source, code, field, f"expected a date such as 1995-07-28, got {value!r}")


def _member_iso3(value: object, source: str, code: str, field: str) -> str:
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise _field_error(source, code, field, f"expected a country code, got {value!r}")
    try:
        found = country(value)
    except UnknownCountryError as err:
        raise _field_error(source, code, field, str(err)) from None
    if found.kind != "country":
        raise _field_error(source, code, field,
                           f"{value!r} is {found.name_en} ({found.kind}), not a country")
    return found.iso3


def _parse_membership(entry: object, source: str, code: str, position: int) -> Membership:
    where = f"members[{position}]"
    if not isinstance(entry, dict):
        raise _field_error(source, code, where, f"expected a table such as "
                           f"{{ iso3 = \"VNM\", joined = 1995-07-28 }}, got {entry!r}")
    unknown = sorted(set(entry) - _MEMBER_FIELDS)
    if unknown:
        raise _field_error(source, code, f"{where}.{unknown[0]}",
                           f"unknown field; allowed: {sorted(_MEMBER_FIELDS)}")
    for required in ("iso3", "joined"):
        if required not in entry:
            raise _field_error(source, code, f"{where}.{required}", "missing")
    iso3 = _member_iso3(entry["iso3"], source, code, f"{where}.iso3")
    joined = _parse_date(entry["joined"], source, code, f"{where}.joined")
    left = _parse_date(entry["left"], source, code, f"{where}.left") if "left" in entry else None
    if left is not None and left < joined:
        raise _field_error(source, code, f"{where}.left",
                           f"last day {left} is before the first day {joined}")
    return Membership(iso3, joined, left)


def _check_overlaps(memberships: tuple[Membership, ...], source: str, code: str) -> None:
    spells = sorted(memberships, key=lambda m: (m.iso3, m.joined))
    for before, after in zip(spells, spells[1:], strict=False):
        if before.iso3 == after.iso3 and (before.left is None or after.joined <= before.left):
            raise _field_error(source, code, "members",
                               f"two memberships of {before.iso3} overlap "
                               f"(from {before.joined} and from {after.joined})")


def _text_list(value: object, source: str, code: str, field: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _field_error(source, code, field, f"expected a list of names, got {value!r}")
    return tuple(v.strip() for v in value)


def _parse_bloc(code: str, table: object, source: str) -> Bloc:
    if not isinstance(table, dict):
        raise _field_error(source, code, "-", f"expected a table [blocs.{code}], got {table!r}")
    unknown = sorted(set(table) - _BLOC_FIELDS)
    if unknown:
        raise _field_error(source, code, unknown[0], f"unknown field; allowed: {sorted(_BLOC_FIELDS)}")
    name_en, name_zh = table.get("name_en"), table.get("name_zh", "")
    if not isinstance(name_en, str) or not name_en.strip():
        raise _field_error(source, code, "name_en", f"expected a non-empty name, got {name_en!r}")
    if not isinstance(name_zh, str):
        raise _field_error(source, code, "name_zh", f"expected a name, got {name_zh!r}")
    members = table.get("members")
    if not isinstance(members, list) or not members:
        raise _field_error(source, code, "members", f"expected a non-empty list, got {members!r}")
    memberships = tuple(_parse_membership(e, source, code, i) for i, e in enumerate(members))
    _check_overlaps(memberships, source, code)
    aliases = _text_list(table.get("aliases", []), source, code, "aliases")
    return Bloc(code.strip(), name_en.strip(), name_zh.strip(), memberships, source, aliases)


def parse_blocs(text: str, source: str) -> list[Bloc]:
    """Parse the TOML ``text`` of a blocs file; ``source`` names it in messages and in ``Bloc.source``.

    Raises
    ------
    InputError
        When the TOML is malformed or a bloc breaks the schema; the message names the file,
        the bloc and the field.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise InputError(f"blocs file '{source}' is not valid TOML: {err}",
                         hint="check the line named above against docs/codes.md") from None
    extra = sorted(set(data) - {"blocs"})
    if extra or not isinstance(data.get("blocs"), dict):
        raise InputError(f"blocs file '{source}' must hold only [blocs.<CODE>] tables, "
                         f"found {extra or 'no [blocs] table'}",
                         hint="write each bloc as [blocs.MYBLOC] (see docs/codes.md)")
    return [_parse_bloc(code, table, source) for code, table in data["blocs"].items()]


@lru_cache(maxsize=1)
def _built_in() -> tuple[Bloc, ...]:
    path = resources.files("capcoop.codes") / "data" / "blocs.toml"
    return tuple(parse_blocs(path.read_text(encoding="utf-8"), BUILT_IN))


@lru_cache(maxsize=8)
def _user_file(path: str, mtime_ns: int, size: int) -> tuple[Bloc, ...]:
    """The blocs of one user file; the cache key includes its mtime and size, so edits show."""
    found = parse_blocs(Path(path).read_text(encoding="utf-8"), path)
    _check_user_codes(found)
    return tuple(found)


def _user_blocs() -> tuple[Bloc, ...]:
    setting = get_setting("blocs_file")
    if not setting:
        return ()
    path = Path(str(setting)).expanduser()
    if not path.is_file():
        raise InputError(f"blocs file '{path}' (setting blocs_file / CAPCOOP_BLOCS_FILE) "
                         "does not exist", hint="fix the path or unset CAPCOOP_BLOCS_FILE")
    stat = path.stat()
    return _user_file(str(path), stat.st_mtime_ns, stat.st_size)


def _check_user_codes(user: list[Bloc]) -> None:
    """A user bloc's code and aliases must not be country codes (VNM, VN)."""
    for item in user:
        for key in (item.code, *item.aliases):
            if is_iso3(key) or _is_iso2(key):
                raise InputError(f"blocs file '{item.source}': bloc '{item.code}' uses "
                                 f"'{key}', which is a country code",
                                 hint="choose a bloc code that is not an ISO2/ISO3 country code")


def _is_iso2(key: str) -> bool:
    if len(key.strip()) != 2 or not key.strip().isalpha():
        return False
    try:
        return country(key).iso2 == key.strip().upper()
    except UnknownCountryError:
        return False


# --- lookup -------------------------------------------------------------------------------


def _keys(item: Bloc) -> list[str]:
    return [normalize_key(k) for k in (item.code, *item.aliases, item.name_en, item.name_zh) if k]


def _register(registry: dict[str, Bloc], item: Bloc) -> None:
    for key in _keys(item):
        other = registry.get(key)
        if other is not None and other is not item:
            where = "the built-in bloc" if other.source == BUILT_IN else f"bloc in '{other.source}'"
            raise InputError(
                f"blocs file '{item.source}': bloc '{item.code}' clashes with {where} "
                f"'{other.code}' (both are called '{key}')",
                hint="rename the user bloc or its alias; built-in blocs cannot be redefined")
        registry[key] = item


def _registry() -> dict[str, Bloc]:
    registry: dict[str, Bloc] = {}
    for item in (*_built_in(), *_user_blocs()):
        _register(registry, item)
    return registry


def blocs() -> list[Bloc]:
    """Every bloc: the built-in ones (ASEAN, EU, RCEP, ASEAN+3), then the user-defined ones.

    Raises
    ------
    InputError
        When the user blocs file is missing or malformed, or a user bloc clashes with another.
    """
    return list(dict.fromkeys(_registry().values()))


def bloc(name: str) -> Bloc:
    """The bloc called ``name`` (its code, an alias or its name; case-insensitive).

    Raises
    ------
    UnknownBlocError
        When no bloc has that name; ``.suggestions`` lists close bloc codes.

    Examples
    --------
    >>> bloc("apt").code
    'ASEAN+3'
    """
    registry = _registry()
    key = normalize_key(name) if isinstance(name, str) else ""
    if key in registry:
        return registry[key]
    close = difflib.get_close_matches(key, registry, n=3, cutoff=0.6)
    codes = tuple(dict.fromkeys(registry[k].code for k in close))
    known = ", ".join(item.code for item in dict.fromkeys(registry.values()))
    hint = f"did you mean {' or '.join(repr(c) for c in codes)}? " if codes else ""
    raise UnknownBlocError(f"unknown bloc {name!r}",
                           hint=f"{hint}known blocs: {known} (see `capcoop codes blocs`)",
                           suggestions=codes)


def is_bloc(name: str) -> bool:
    """True when ``name`` is a bloc code, alias or name (built-in or user-defined)."""
    try:
        bloc(name)
    except UnknownBlocError:
        return False
    return True
