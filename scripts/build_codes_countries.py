"""Build ``src/capcoop/codes/data/countries.csv`` from the reference data in ``../shared/data``.

The table has one row per entry (a country or territory, an aggregate such as World or an IMF
region, or a historical entity such as the USSR), keyed by ``iso3`` -- the ISO 3166 alpha-3 code,
or a capcoop pseudo-code for entries without one (``AGG_*``/``HIST_*`` from IMF DOTS, ``CT_<n>``
for UN Comtrade areas with numeric code ``n``).

Sources (each folder's PROVENANCE.md gives origin, commit and licence):

- ``reference/country-codes/country-codes.csv`` -- ISO2/ISO3, M49, English and Chinese names,
  regions, LDC/LLDC/SIDS flags (datahub country-codes, ODC-PDDL);
- ``reference/country-codes/unsd-m49-zh.csv`` -- UNSD Chinese short names (越南);
- ``reference/country-codes/baci_country_codes_V202301.csv`` and
  ``trade/baci_reference/country_codes_V20*.csv`` -- CEPII BACI numeric codes (Etalab 2.0);
- ``trade2/imf_dots_samleblanc/dots_name_code_map.csv`` -- IMF DOTS names, aggregates and
  historical pseudo-codes;
- ``trade/comtrade_comtradr/csv/{reporter,partner}.csv`` -- UN Comtrade reporter/partner lists.

The few facts no source gives (Kosovo's ISO2, Chinese names of historical entities, common
Chinese short forms) are in the ``MANUAL_*`` tables below, each with its reason.

Usage::

    python scripts/build_codes_countries.py            # rewrite the package CSV
    python scripts/build_codes_countries.py --check    # exit 1 if the CSV is out of date

The data folder is ``$CAPCOOP_SHARED_DATA`` or ``../shared/data`` next to the repository.
:func:`build_csv` is the pure entry point used by the regeneration test.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from capcoop.codes.countries import normalize_key

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "src" / "capcoop" / "codes" / "data" / "countries.csv"
COLUMNS = [
    "iso3", "iso2", "m49", "baci", "baci_other", "comtrade", "comtrade_other",
    "name_en", "name_zh", "dots_name", "comtrade_name", "region", "subregion",
    "ldc", "lldc", "sids", "kind", "aliases",
]
PRIMARY_NAMES = ("name_en", "name_zh", "dots_name", "comtrade_name")
BACI_RELEASES = ("V202301", "V202201", "V202001")  # newest first: a code's newest entry wins

# Entries no ISO source has. Kosovo: DOTS uses XKX; XK is the user-assigned ISO2 used by the
# European Commission, the IMF and the World Bank; region follows UN M49 for its neighbours.
MANUAL_ROWS = {
    "XKX": {"iso2": "XK", "name_en": "Kosovo", "name_zh": "科索沃", "region": "Europe",
            "subregion": "Southern Europe", "kind": "country"},
    "WLD": {"m49": "001", "name_en": "World", "kind": "aggregate"},  # name_zh from UNSD
}
# Standard Chinese names of historical entities (the sources give English names only).
MANUAL_ZH = {
    "SUN": "苏联", "YUG": "南斯拉夫", "CSK": "捷克斯洛伐克", "DDR": "民主德国",
    "BLX": "比利时-卢森堡", "ANT": "荷属安的列斯", "SCG": "塞尔维亚和黑山",
    "YAR": "阿拉伯也门共和国", "YMD": "民主也门",
}
# Common short forms people type, where the UN name is a formal one (越南 needs none).
MANUAL_ALIASES = {
    "BRN": ["文莱"], "LAO": ["老挝"], "KOR": ["韩国"], "PRK": ["朝鲜"], "USA": ["美国"],
    "GBR": ["英国"], "RUS": ["俄罗斯"], "IRN": ["伊朗"], "SYR": ["叙利亚"], "TZA": ["坦桑尼亚"],
    "VEN": ["委内瑞拉"], "BOL": ["玻利维亚"], "MDA": ["摩尔多瓦"], "ARE": ["阿联酋"],
    "TWN": ["中国台湾"],
    "WLD": ["W00"],  # Comtrade Plus API partnerISO for World (comtrade_comtradr vignette_data_5)
}
# BACI codes whose BACI ISO3 is missing or names the continuing state rather than the entity.
BACI_TARGETS = {
    490: "TWN",         # "Other Asia, nes" = Taiwan; ISO3 "N/A" in BACI
    58: "BLX",          # Belgium-Luxembourg (BACI: BEL); same entity as DOTS' BLX
    711: "HIST_SACCA",  # Southern African Customs Union (BACI: ZAF); DOTS' SACCA
}
# Comtrade ids mapped by hand; None = an own CT_<id> row even though Comtrade gives an ISO3.
COMTRADE_TARGETS: dict[int, str | None] = {
    0: "WLD", 97: "AGG_EU", 490: "TWN", 58: "BLX", 711: "HIST_SACCA", 412: "XKX",
    886: "YAR",             # Arab Rep. of Yemen (...1990); Comtrade: YEM
    459: "HIST_MYS_WEST",   # Peninsula Malaysia (...1963) = DOTS "Malaysia, West"
    839: "AGG_SPECIAL",     # "Special Categories", same concept and name as in DOTS
    492: None,              # "Europe EU, nes" carries Monaco's ISO3 MCO and M49 code 492
}
COMTRADE_SKIP = {975}  # "ASEAN": a bloc, see capcoop.codes.blocs; not a country entry


@dataclass
class Sources:
    """The raw source tables, every cell a string (``keep_default_na=False`` keeps Namibia's NA)."""

    iso: pd.DataFrame
    unsd_zh: pd.DataFrame
    baci: dict[str, pd.DataFrame]
    dots: pd.DataFrame
    comtrade: pd.DataFrame


def read_csv(path: Path) -> pd.DataFrame:
    """Read a source CSV as strings; BACI's older releases are cp1252, the rest UTF-8."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError(f"cannot decode {path} as UTF-8 or cp1252")


def load_sources(root: Path) -> Sources:
    """Read every source table from the shared data folder ``root``."""
    ref = root / "reference" / "country-codes"
    baci = {r: read_csv(root / "trade" / "baci_reference" / f"country_codes_{r}.csv")
            for r in BACI_RELEASES}
    copy = read_csv(ref / "baci_country_codes_V202301.csv")
    if not copy.equals(baci["V202301"]):
        raise ValueError("the two copies of BACI country_codes_V202301.csv differ")
    comtrade_dir = root / "trade" / "comtrade_comtradr" / "csv"
    comtrade = pd.concat([read_csv(comtrade_dir / "reporter.csv"),
                          read_csv(comtrade_dir / "partner.csv")]).drop_duplicates("id")
    return Sources(
        iso=read_csv(ref / "country-codes.csv"),
        unsd_zh=read_csv(ref / "unsd-m49-zh.csv"),
        baci=baci,
        dots=read_csv(root / "trade2" / "imf_dots_samleblanc" / "dots_name_code_map.csv"),
        comtrade=comtrade,
    )


def clean_name(text: str) -> str:
    """Tidy a UN name: collapse spaces, drop UNTERM footnote stars, '(the)' and a leading 'the '."""
    name = " ".join(text.split()).rstrip("* ").strip()
    name = name.removesuffix(" (the)")
    return name[4:] if name.startswith("the ") else name


def new_row(iso3: str, **values: object) -> dict:
    """An empty table row for ``iso3`` with ``values`` filled in."""
    row: dict = {c: "" for c in COLUMNS}
    row.update(iso3=iso3, baci=None, comtrade=None, ldc=False, lldc=False, sids=False,
               baci_other=[], comtrade_other=[], aliases=set())
    row.update(values)
    return row


def iso_rows(src: Sources) -> dict[str, dict]:
    """One row per ISO 3166 entry, with UN names (en, zh), regions and LDC/LLDC/SIDS flags."""
    zh = dict(zip(src.unsd_zh["ISO-alpha3 Code"], src.unsd_zh["Country or Area"], strict=True))
    rows = {}
    for r in src.iso.to_dict("records"):
        iso3 = r["ISO3166-1-Alpha-3"]
        aliases = {clean_name(r[c]) for c in ("CLDR display name", "UNTERM English Short",
                   "UNTERM English Formal", "official_name_cn", "UNTERM Chinese Short",
                   "UNTERM Chinese Formal")}
        rows[iso3] = new_row(
            iso3, iso2=r["ISO3166-1-Alpha-2"], m49=r["M49"].zfill(3),
            name_en=r["official_name_en"], name_zh=zh.get(iso3) or r["official_name_cn"],
            region=r["Region Name"], subregion=r["Sub-region Name"],
            ldc=r["Least Developed Countries (LDC)"] == "x",
            lldc=r["Land Locked Developing Countries (LLDC)"] == "x",
            sids=r["Small Island Developing States (SIDS)"] == "x",
            kind="country", aliases=aliases - {""},
        )
    return rows


def add_manual_rows(rows: dict[str, dict], src: Sources) -> None:
    """Add Kosovo and World, which the ISO table lacks."""
    for iso3, values in MANUAL_ROWS.items():
        rows[iso3] = new_row(iso3, **values)
    rows["WLD"]["name_zh"] = src.unsd_zh["Global Name"].iloc[0]  # 世界


def add_dots(rows: dict[str, dict], dots: pd.DataFrame) -> None:
    """Attach DOTS names; add DOTS aggregates and historical entities as rows of their own."""
    for r in dots.to_dict("records"):
        code, name = r["code"], r["dots_name"]
        if r["kind"] == "country" and r["iso3"] not in rows:
            raise ValueError(f"DOTS country {name!r} has unknown ISO3 {r['iso3']!r}")
        if code not in rows:
            kind = "aggregate" if r["kind"] == "aggregate" else "historical"
            rows[code] = new_row(code, name_en=name, name_zh=MANUAL_ZH.get(code, ""), kind=kind)
        rows[code]["dots_name"] = name


def baci_codes(src: Sources) -> dict[int, dict]:
    """Each BACI code's newest record across releases (older releases fill in retired codes)."""
    codes: dict[int, dict] = {}
    for release in BACI_RELEASES:
        for r in src.baci[release].to_dict("records"):
            codes.setdefault(int(r["country_code"]), r)
    return codes


def add_baci(rows: dict[str, dict], src: Sources) -> None:
    """Attach BACI codes: the current code in ``baci``, retired/alternative ones in ``baci_other``."""
    targets: dict[str, list[int]] = defaultdict(list)
    for code, r in sorted(baci_codes(src).items()):
        iso3 = BACI_TARGETS.get(code, r["iso_3digit_alpha"])
        if iso3 == "N/A":
            iso3 = f"CT_{code}"  # BACI reuses Comtrade's numeric codes; the Comtrade pass names it
            rows.setdefault(iso3, new_row(iso3, name_en=r["country_name_abbreviation"], kind="aggregate"))
        rows[iso3]["aliases"] |= {r["country_name_abbreviation"], r["country_name_full"]}
        targets[iso3].append(code)
    for iso3, codes in targets.items():
        primary = pick_primary(codes, rows[iso3], current=set(codes) & latest_baci(src))
        rows[iso3]["baci"] = primary
        rows[iso3]["baci_other"] = [c for c in codes if c != primary]


def latest_baci(src: Sources) -> set[int]:
    """Codes present in the newest BACI release."""
    return {int(c) for c in src.baci[BACI_RELEASES[0]]["country_code"]}


def pick_primary(codes: list[int], row: dict, current: set[int], preferred: int | None = None) -> int:
    """The one code of several that is the row's own: ``preferred``, then its M49, then the current one."""
    for wanted in (preferred, int(row["m49"]) if row["m49"] else None):
        if wanted in codes:
            return wanted
    live = [c for c in codes if c in current] or codes
    if len(live) == 1:
        return live[0]
    raise ValueError(f"cannot choose a primary code for {row['iso3']} among {codes}")


def comtrade_target(r: dict, rows: dict[str, dict]) -> str:
    """The row a Comtrade entry belongs to (creating a ``CT_<id>`` row for a non-ISO area)."""
    cid, iso = int(r["id"]), r["iso_3"].strip()
    target = COMTRADE_TARGETS.get(cid, iso if iso in rows else None)
    if target is None:
        target = f"CT_{cid}"
        kind = "historical" if r["exit_year"] else "aggregate"
        rows.setdefault(target, new_row(target, name_en=r["country"].strip(), kind=kind))
    return target


def add_comtrade(rows: dict[str, dict], comtrade: pd.DataFrame) -> None:
    """Attach Comtrade names and codes; Comtrade's own area codes (S19, _X) become aliases."""
    entries: dict[str, list[dict]] = defaultdict(list)
    for r in comtrade.to_dict("records"):
        if int(r["id"]) not in COMTRADE_SKIP:
            entries[comtrade_target(r, rows)].append(r)
    iso_codes = {code for row in rows.values() for code in (row["iso3"], row["iso2"])}
    for iso3, found in entries.items():
        row, ids = rows[iso3], [int(r["id"]) for r in found]
        current = {int(r["id"]) for r in found if not r["exit_year"]}
        primary = pick_primary(ids, row, current, preferred=row["baci"])
        row["comtrade"], row["comtrade_other"] = primary, [i for i in ids if i != primary]
        for r in found:
            if int(r["id"]) == primary:
                row["comtrade_name"] = r["country"].strip()
            row["aliases"] |= {r["country"].strip(), r["note"].strip()}
            if r["iso_3"].strip() not in iso_codes:
                row["aliases"].add(r["iso_3"].strip())


def build_rows(src: Sources) -> dict[str, dict]:
    """Assemble every row from the sources, before alias clean-up."""
    rows = iso_rows(src)
    add_manual_rows(rows, src)
    add_dots(rows, src.dots)
    add_baci(rows, src)
    add_comtrade(rows, src.comtrade)
    for iso3, names in MANUAL_ALIASES.items():
        rows[iso3]["aliases"] |= set(names)
    return rows


def owners(rows: dict[str, dict], fields: tuple[str, ...]) -> dict[str, set[str]]:
    """Normalised key -> the codes whose ``fields`` (or codes) carry it."""
    keys: dict[str, set[str]] = defaultdict(set)
    for row in rows.values():
        for field in fields:
            values = row[field] if field == "aliases" else [row[field]]
            for value in values:
                if value:
                    keys[normalize_key(value)].add(row["iso3"])
    return keys


def resolve_aliases(rows: dict[str, dict]) -> list[str]:
    """Keep each row's aliases that add a new key and point at that row only.

    An alias is dropped when it repeats the row's own code or name, when it is another row's
    code or name, or when two rows claim it. Returns notes on the drops that lose information.
    """
    primary = owners(rows, ("iso3", "iso2") + PRIMARY_NAMES)
    clashes = {k: sorted(v) for k, v in primary.items() if len(v) > 1}
    if clashes:
        raise ValueError(f"codes or primary names shared by several rows: {clashes}")
    claimed = owners(rows, ("aliases",))
    notes = []
    for row in rows.values():
        kept: dict[str, str] = {}
        for alias in sorted(row["aliases"]):
            key = normalize_key(alias)
            if not key or primary.get(key) == {row["iso3"]}:
                continue
            if key in primary or len(claimed[key]) > 1:
                others = sorted((primary.get(key) or claimed[key]) - {row["iso3"]})
                notes.append(f"alias {alias!r} of {row['iso3']} dropped: also means {others}")
                continue
            kept.setdefault(key, alias)
        row["aliases"] = set(kept.values())
    return sorted(notes)


def numeric_clashes(rows: dict[str, dict]) -> list[str]:
    """Numbers that mean different rows as M49, BACI or Comtrade codes (M49 wins, then BACI)."""
    meaning: dict[int, dict[str, str]] = defaultdict(dict)
    for row in rows.values():
        for scheme, codes in (("m49", [int(row["m49"])] if row["m49"] else []),
                              ("baci", [row["baci"], *row["baci_other"]]),
                              ("comtrade", [row["comtrade"], *row["comtrade_other"]])):
            for code in codes:
                if code is not None:
                    meaning[code][scheme] = row["iso3"]
    return [f"{code}: {m}" for code, m in sorted(meaning.items()) if len(set(m.values())) > 1]


def to_frame(rows: dict[str, dict]) -> pd.DataFrame:
    """The rows as the shipped table: sorted by code, lists joined, flags as true/false."""
    records = []
    for iso3 in sorted(rows):
        row = dict(rows[iso3])
        row["baci"] = "" if row["baci"] is None else str(row["baci"])
        row["comtrade"] = "" if row["comtrade"] is None else str(row["comtrade"])
        row["baci_other"] = " ".join(str(c) for c in sorted(row["baci_other"]))
        row["comtrade_other"] = " ".join(str(c) for c in sorted(row["comtrade_other"]))
        row["aliases"] = "|".join(sorted(row["aliases"], key=lambda a: (normalize_key(a), a)))
        for flag in ("ldc", "lldc", "sids"):
            row[flag] = "true" if row[flag] else "false"
        records.append(row)
    return pd.DataFrame.from_records(records, columns=COLUMNS)


def build_table(src: Sources) -> tuple[pd.DataFrame, list[str]]:
    """The countries table and notes on the clashes met while building it."""
    rows = build_rows(src)
    notes = resolve_aliases(rows)
    notes += [f"numeric code {n} (M49 wins, then BACI)" for n in numeric_clashes(rows)]
    return to_frame(rows), notes


def build_csv(root: Path) -> str:
    """The exact text of ``countries.csv`` built from the shared data folder ``root``."""
    table, _ = build_table(load_sources(root))
    return table.to_csv(index=False, lineterminator="\n")


def default_root() -> Path:
    """``$CAPCOOP_SHARED_DATA`` or ``../shared/data`` next to the repository."""
    env = os.environ.get("CAPCOOP_SHARED_DATA")
    return Path(env) if env else REPO.parent / "shared" / "data"


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: write (or ``--check``) the package CSV and print the clash notes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=default_root(), help="shared data folder")
    parser.add_argument("--out", type=Path, default=OUT, help="CSV to write")
    parser.add_argument("--check", action="store_true", help="only compare, exit 1 if stale")
    args = parser.parse_args(argv)
    table, notes = build_table(load_sources(args.data))
    text = table.to_csv(index=False, lineterminator="\n")
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    if args.check:
        same = args.out.is_file() and args.out.read_text(encoding="utf-8") == text
        print(f"{args.out}: {'up to date' if same else 'STALE'}")
        return 0 if same else 1
    args.out.write_text(text, encoding="utf-8", newline="")
    print(f"wrote {len(table)} rows to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
