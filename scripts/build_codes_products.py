"""Build capcoop's product reference tables (HS, concordances, BEC, ISIC) from ../shared/data.

Reproducible: the same inputs give byte-identical files (gzip without a timestamp, rows sorted).
The pure part, :func:`build_tables`, turns the raw source frames into the shipped tables; a test
re-runs it on ``../shared/data`` and compares with the package data.

Usage::

    python scripts/build_codes_products.py [--shared-data PATH] [--out PATH]

Outputs (in ``src/capcoop/codes/data/``)

``hs_codes.csv.gz``
    revision, code, level, parent, description, section -- HS92 ... HS22 at 2, 4 and 6 digits.
``hs_sections.csv``
    section (roman numeral), number, name -- the 21 HS sections.
``hs_concordance.csv.gz``
    new_revision, old_revision, new_code, old_code, relationship -- the UNSD correlation links
    between adjacent HS revisions (6-digit).
``hs_bec.csv.gz`` / ``bec_categories.csv``
    revision, code, bec (HS22/HS17/HS12 -> BEC Rev.4) and the BEC titles with the SNA end use.
``hs_isic3.csv.gz`` / ``isic3_isic4.csv`` / ``isic_titles.csv.gz``
    revision, code, isic3 (every revision); ISIC Rev.3 -> Rev.4 links; ISIC titles.

The hand-maintained ``cooperation_sectors.csv`` in the same folder is not touched here.
Sources, licences and the rules are documented in ``docs/products.md``.
"""

from __future__ import annotations

import argparse
import gzip
import io
import os
import re
import sys
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
OUT_DIR = REPO / "src" / "capcoop" / "codes" / "data"

#: HS revisions, oldest first, with the year used in the Comtrade/UNSD tables and Comtrade's list.
REVISIONS = ("HS92", "HS96", "HS02", "HS07", "HS12", "HS17", "HS22")
YEAR = {"HS92": "1992", "HS96": "1996", "HS02": "2002", "HS07": "2007", "HS12": "2012",
        "HS17": "2017", "HS22": "2022"}
COMTRADE_LIST = {rev: f"cmd_h{i}" for i, rev in enumerate(REVISIONS)}

#: Input files, relative to the shared data folder.
SOURCE_FILES = {
    "hs22": "reference/hs-nomenclature/harmonized-system_hs2022.csv",
    "hs17": "reference/hs-nomenclature/harmonized-system_hs2017.csv",
    "sections": "reference/hs-nomenclature/sections.csv",
    "hs12_desc": "reference/concordance/converted_from_rdata/hs4_desc.csv",
    "baci_hs92": "trade/baci_reference/product_codes_HS92_V202301.csv",
    **{name: f"trade/comtrade_comtradr/csv/{name}.csv" for name in COMTRADE_LIST.values()},
    "cmd_b4": "trade/comtrade_comtradr/csv/cmd_b4.csv",
    "concordance": "trade/hs_concordance_comtrade/HS_consolidated_comtrade_concordances.csv",
    "bec_HS22": "reference/concordance/raw_unsd_wits/HS2022 to BEC Conversion and Correlation Tables.csv",
    "bec_HS17": "reference/concordance/raw_unsd_wits/HS2017 to BEC Conversion and Correlation Tables.csv",
    "bec_HS12": "reference/concordance/raw_unsd_wits/HS2012 to BEC Conversion and Correlation Tables.csv",
    "isic_HS22": "reference/concordance/converted_from_rdata/hs6_isic3.csv",
    "isic_HS17": "reference/concordance/converted_from_rdata/hs5_isic3.csv",
    "isic_HS12": "reference/concordance/converted_from_rdata/hs4_isic3.csv",
    "isic_HS07": "reference/concordance/raw_unsd_wits/JobID-48_Concordance_H3_to_I3.CSV",
    "isic_combined": "reference/concordance/converted_from_rdata/hs_isic3.csv",
    "isic4_isic3": "reference/concordance/converted_from_rdata/isic4_isic3.csv",
    "isic3_desc": "reference/concordance/converted_from_rdata/isic3_desc.csv",
    "isic4_desc": "reference/concordance/converted_from_rdata/isic4_desc.csv",
}

#: Links missing from the UNSD/Comtrade correlation tables, added by hand (documented in
#: docs/products.md): HS2007 291636 "Binapacryl (ISO)" was renumbered 291616 in HS2012 with the
#: same text, but the HS2012->HS2007 table has no row for it.
CONCORDANCE_PATCHES = (("HS12", "HS07", "291616", "291636", "1:1"),)

#: Comtrade's pseudo-code for "commodities not specified according to kind" (chapter 99): kept in
#: every revision (trade data carry it) with no section, and linked 1:1 across revisions.
NOT_SPECIFIED = "999999"

#: The SNA end use of each BEC Rev.4 basic category (UN Statistics Division, Classification by
#: Broad Economic Categories, Series M No. 53 Rev.4: the three basic classes of goods). 51
#: passenger motor cars, 321 motor spirit and 7 goods n.e.s. are left unallocated by the UN
#: because their use is mixed; 32 appears in the HS tables only when an HS code spans both 321
#: and 322, so it is unallocated as well.
END_USE = {
    "41": "capital", "521": "capital",
    "111": "intermediate", "121": "intermediate", "21": "intermediate", "22": "intermediate",
    "31": "intermediate", "322": "intermediate", "42": "intermediate", "53": "intermediate",
    "112": "consumption", "122": "consumption", "522": "consumption", "61": "consumption",
    "62": "consumption", "63": "consumption",
    "51": None, "321": None, "32": None, "7": None,
}



# ----------------------------------------------------------------------------- reading (I/O)

def shared_data_root(explicit: str | None = None) -> Path:
    """The shared data folder: ``--shared-data``, ``$CAPCOOP_SHARED_DATA`` or ``../shared/data``."""
    candidates = [explicit, os.environ.get("CAPCOOP_SHARED_DATA"),
                  str(REPO.parent / "shared" / "data"), str(REPO.parent.parent / "shared" / "data")]
    for candidate in candidates:
        if candidate and (Path(candidate) / "README.md").is_file():
            return Path(candidate)
    raise SystemExit("shared data not found; pass --shared-data PATH or set CAPCOOP_SHARED_DATA")


def read_sources(root: Path) -> dict[str, pd.DataFrame]:
    """Read every input file as text columns (codes keep their leading zeros)."""
    frames = {}
    for name, rel in SOURCE_FILES.items():
        encoding = "latin-1" if rel.endswith(".CSV") else "utf-8-sig"
        frames[name] = pd.read_csv(root / rel, dtype=str, keep_default_na=False,
                                   encoding=encoding)
    return frames


# ----------------------------------------------------------------------------- pure building

def _clean_text(text: str) -> str:
    """Strip Comtrade's ``"<code> - "`` prefix, leading dashes and doubled spaces."""
    text = re.sub(r"^\s*\d{2,6}\s+-\s+", "", text)
    text = re.sub(r"^[\s\-]+", "", text)
    text = re.sub(r"\s*:\s*-+\s*", ": ", text)  # HS1996 style "Horses :-- Pure-bred ..."
    return re.sub(r"\s{2,}", " ", text).strip()


def _official_six_digit(concordance: pd.DataFrame) -> dict[str, set[str]]:
    """The 6-digit codes of each revision: every code in a correlation table of that revision."""
    codes: dict[str, set[str]] = {rev: set() for rev in REVISIONS}
    for new, old in zip(REVISIONS[1:], REVISIONS[:-1], strict=True):
        links = concordance[(concordance.new_revision == new) & (concordance.old_revision == old)]
        codes[new] |= set(links.new_code)
        codes[old] |= set(links.old_code)
    return codes


def _with_structure(six: pd.DataFrame, headings: pd.DataFrame) -> pd.DataFrame:
    """6-digit rows plus the 4- and 2-digit rows above them (descriptions from ``headings``)."""
    wanted = set(six.code.str[:4]) | set(six.code.str[:2])
    upper = headings[headings.code.isin(wanted)]
    missing = wanted - set(upper.code)
    if missing:
        raise ValueError(f"headings/chapters without a description: {sorted(missing)[:10]}")
    return pd.concat([upper, six], ignore_index=True)


def _comtrade_codes(frame: pd.DataFrame) -> pd.DataFrame:
    """Comtrade code list -> code, description (2/4/6-digit numeric codes only)."""
    rows = frame[frame.id.str.fullmatch(r"\d{2}|\d{4}|\d{6}")]
    return pd.DataFrame({"code": rows.id, "description": rows.text.map(_clean_text)})


def _datahub_codes(frame: pd.DataFrame) -> pd.DataFrame:
    rows = frame[frame.hscode.str.fullmatch(r"\d{2}|\d{4}|\d{6}")]
    return pd.DataFrame({"code": rows.hscode, "description": rows.description.str.strip()})


def _unchanged_codes(concordance: pd.DataFrame, new: str, old: str) -> set[str]:
    """6-digit codes that keep their number and scope from ``old`` to ``new`` (a 1:1 link)."""
    links = concordance[(concordance.new_revision == new) & (concordance.old_revision == old)]
    same = links[(links.relationship == "1:1") & (links.new_code == links.old_code)]
    return set(same.new_code)


def _borrowed_texts(comtrade: dict[str, pd.DataFrame], texts: dict[str, pd.DataFrame],
                    concordance: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """HS96/HS02/HS07 texts: a 6-digit code unchanged since the previous or until the next
    revision takes that revision's self-contained text; the others get Comtrade's text prefixed
    with their heading's (Comtrade's lists for these revisions give only the subheading's own
    words, e.g. "-- Other").

    Preference: the next revision (HS07 <- HS12, HS02 <- HS07, HS96 <- HS02, each after its own
    borrowing), then the previous one (HS96 <- HS92, HS02 <- HS96, HS07 <- HS02).
    """
    chosen: dict[str, dict[str, str]] = {rev: {} for rev in ("HS96", "HS02", "HS07")}
    out = {**{rev: _with_heading(comtrade[rev]) for rev in chosen}, **texts}
    for rev, later in (("HS07", "HS12"), ("HS02", "HS07"), ("HS96", "HS02")):
        later_text = _text_map(out[later], chosen.get(later, {}))
        chosen[rev] = {c: later_text[c] for c in _unchanged_codes(concordance, later, rev)
                       if c in later_text}
    for rev, earlier in (("HS96", "HS92"), ("HS02", "HS96"), ("HS07", "HS02")):
        earlier_text = _text_map(out[earlier], chosen.get(earlier, {}))
        for code in _unchanged_codes(concordance, rev, earlier) - set(chosen[rev]):
            if code in earlier_text:
                chosen[rev][code] = earlier_text[code]
    return {rev: _apply_texts(out[rev], chosen[rev]) for rev in chosen}


def _with_heading(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix each 6-digit text with its heading's text: "<heading>: <subheading>"."""
    heading = dict(zip(frame.code, frame.description.str.rstrip(". "), strict=True))
    return frame.assign(description=[
        f"{heading[c[:4]]}: {d}" if len(c) == 6 and c[:4] in heading else d
        for c, d in zip(frame.code, frame.description, strict=True)])


def _text_map(frame: pd.DataFrame, overrides: dict[str, str]) -> dict[str, str]:
    return {**dict(zip(frame.code, frame.description, strict=True)), **overrides}


def _apply_texts(frame: pd.DataFrame, texts: dict[str, str]) -> pd.DataFrame:
    return frame.assign(description=[texts.get(c, d) for c, d in
                                     zip(frame.code, frame.description, strict=True)])


def build_concordance(src: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Adjacent-revision HS correlation links (UNSD, consolidated by the Harvard Growth Lab)."""
    raw = src["concordance"]
    parts = []
    for new, old in zip(REVISIONS[1:], REVISIONS[:-1], strict=True):
        rows = raw[raw.adjustment == f"{YEAR[new]} to {YEAR[old]}"]
        parts.append(pd.DataFrame({
            "new_revision": new, "old_revision": old,
            "new_code": rows["code.after"].str.zfill(6), "old_code": rows["code.before"].str.zfill(6),
            "relationship": rows["Relationship"]}))
    not_specified = [(new, old, NOT_SPECIFIED, NOT_SPECIFIED, "1:1")
                     for new, old in zip(REVISIONS[1:], REVISIONS[:-1], strict=True)]
    patches = pd.DataFrame(list(CONCORDANCE_PATCHES) + not_specified, columns=parts[0].columns)
    table = pd.concat(parts + [patches], ignore_index=True)
    return table.drop_duplicates().sort_values(
        ["new_revision", "new_code", "old_code"], ignore_index=True)


def build_hs_codes(src: dict[str, pd.DataFrame], concordance: pd.DataFrame) -> pd.DataFrame:
    """One table of HS92 ... HS22 codes at 2, 4 and 6 digits with descriptions and sections."""
    six_digit = _official_six_digit(concordance)
    comtrade = {rev: _comtrade_codes(src[COMTRADE_LIST[rev]]) for rev in REVISIONS}
    texts = {"HS22": _datahub_codes(src["hs22"]), "HS17": _datahub_codes(src["hs17"])}
    hs12 = src["hs12_desc"].rename(columns={"desc": "description"})[["code", "description"]]
    texts["HS12"] = pd.concat([hs12, comtrade["HS12"]]).drop_duplicates("code")
    baci = src["baci_hs92"].assign(code=lambda f: f.code.str.zfill(6))[["code", "description"]]
    texts["HS92"] = pd.concat([baci, comtrade["HS92"]]).drop_duplicates("code")
    texts.update(_borrowed_texts(comtrade, texts, concordance))
    tables = [_revision_table(rev, texts[rev], six_digit[rev]) for rev in REVISIONS]
    table = pd.concat(tables, ignore_index=True)
    table["section"] = table.code.str[:2].map(_chapter_sections(src))
    orphans = set(table.code[table.section.isna()].str[:2]) - {NOT_SPECIFIED[:2]}
    if orphans:
        raise ValueError(f"chapters without a section: {sorted(orphans)}")
    return table.sort_values(["code", "revision"], ignore_index=True)[
        ["revision", "code", "level", "parent", "description", "section"]]


def _revision_table(revision: str, texts: pd.DataFrame, six_digit: set[str]) -> pd.DataFrame:
    texts = texts.drop_duplicates("code")
    six = texts[texts.code.isin(six_digit)]
    if len(six) != len(six_digit):
        raise ValueError(f"{revision}: no description for {sorted(six_digit - set(six.code))[:10]}")
    table = _with_structure(six, texts[texts.code.str.len() < 6])
    level = table.code.str.len()
    return table.assign(revision=revision, level=level,
                        parent=table.code.where(level > 2, "").str[:-2])


def _chapter_sections(src: dict[str, pd.DataFrame]) -> dict[str, str]:
    chapters = pd.concat([src["hs22"], src["hs17"]])
    chapters = chapters[(chapters.level == "2") & (chapters.section != "TOTAL")]
    return dict(zip(chapters.hscode, chapters.section, strict=True))


def build_sections(src: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The 21 HS sections: roman numeral, number and name (first letter capitalised)."""
    sections = src["sections"]
    names = sections.name.str.strip()
    return pd.DataFrame({"section": sections.section, "number": range(1, len(sections) + 1),
                         "name": names.str[:1].str.upper() + names.str[1:]})


def build_bec(src: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """HS22/HS17/HS12 -> BEC Rev.4 links (UNSD correlation tables)."""
    parts = []
    for rev in ("HS22", "HS17", "HS12"):
        raw = src[f"bec_{rev}"]
        hs, bec = raw.columns[0], raw.columns[1]
        rows = raw[raw[hs].str.fullmatch(r"\d{6}") & raw[bec].str.fullmatch(r"\d{1,3}")]
        parts.append(pd.DataFrame({"revision": rev, "code": rows[hs], "bec": rows[bec]}))
    table = pd.concat(parts, ignore_index=True).drop_duplicates()
    return table.sort_values(["revision", "code", "bec"], ignore_index=True)


def build_bec_categories(src: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """BEC Rev.4 titles (Comtrade) with the SNA end use of each basic category."""
    raw = src["cmd_b4"]
    rows = raw[raw.id != "TOTAL"]
    table = pd.DataFrame({"bec": rows.id, "title": rows.text.map(_clean_text)})
    table["end_use"] = table.bec.map(END_USE)
    return table.sort_values("bec", ignore_index=True)


def build_isic3(src: dict[str, pd.DataFrame], hs_codes: pd.DataFrame,
                concordance: pd.DataFrame) -> pd.DataFrame:
    """HS (every revision, 6-digit) -> ISIC Rev.3 4-digit classes."""
    direct = {rev: _isic_pairs(src[f"isic_{rev}"]) for rev in ("HS22", "HS17", "HS12")}
    direct["HS07"] = _isic_pairs(src["isic_HS07"])
    combined = _isic_pairs(src["isic_combined"])
    parts = []
    for rev in REVISIONS:
        codes = set(hs_codes.code[(hs_codes.revision == rev) & (hs_codes.level == 6)])
        pairs = direct.get(rev, combined)
        pairs = pairs[pairs.code.isin(codes)]
        missing = codes - set(pairs.code) - {NOT_SPECIFIED}
        if missing:  # fall back to the ISIC of the successor codes in the next revision
            pairs = pd.concat([pairs, _isic_via_successor(rev, missing, direct, combined,
                                                          concordance)])
        if missing - set(pairs.code):
            raise ValueError(f"{rev}: no ISIC for {sorted(missing - set(pairs.code))[:10]}")
        parts.append(pairs.assign(revision=rev))
    table = pd.concat(parts, ignore_index=True).drop_duplicates()
    return table.sort_values(["revision", "code", "isic3"], ignore_index=True)[
        ["revision", "code", "isic3"]]


def _isic_pairs(raw: pd.DataFrame) -> pd.DataFrame:
    """code, isic3 from a concordance-package table (7 columns) or a WITS file (4 columns)."""
    isic_column = 3 if raw.shape[1] == 7 else 2
    pairs = pd.DataFrame({"code": raw.iloc[:, 0], "isic3": raw.iloc[:, isic_column]})
    return pairs[pairs.code.str.fullmatch(r"\d{6}") & pairs.isic3.str.fullmatch(r"\d{4}")]


def _isic_via_successor(rev, missing, direct, combined, concordance) -> pd.DataFrame:
    later = REVISIONS[REVISIONS.index(rev) + 1]
    links = concordance[(concordance.new_revision == later) & concordance.old_code.isin(missing)]
    pairs = direct.get(later, combined)
    found = links.merge(pairs, left_on="new_code", right_on="code")
    return pd.DataFrame({"code": found.old_code, "isic3": found.isic3})


def build_isic_links(src: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """ISIC Rev.3 -> ISIC Rev.4 class links (UNSD correspondence via the concordance package)."""
    raw = src["isic4_isic3"]
    table = pd.DataFrame({"isic3": raw.ISIC3_4d, "isic4": raw.ISIC4_4d}).drop_duplicates()
    return table.sort_values(["isic3", "isic4"], ignore_index=True)


def build_isic_titles(src: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Titles of ISIC Rev.3 and Rev.4 sections, divisions, groups and classes."""
    parts = [pd.DataFrame({"isic": rev, "code": src[key].code, "title": src[key].desc.str.strip()})
             for rev, key in (("ISIC3", "isic3_desc"), ("ISIC4", "isic4_desc"))]
    return pd.concat(parts, ignore_index=True).sort_values(["isic", "code"], ignore_index=True)


def build_tables(src: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Every shipped table, keyed by file name (pure: frames in, frames out)."""
    concordance = build_concordance(src)
    hs_codes = build_hs_codes(src, concordance)
    return {
        "hs_codes.csv.gz": hs_codes,
        "hs_sections.csv": build_sections(src),
        "hs_concordance.csv.gz": concordance,
        "hs_bec.csv.gz": build_bec(src),
        "bec_categories.csv": build_bec_categories(src),
        "hs_isic3.csv.gz": build_isic3(src, hs_codes, concordance),
        "isic3_isic4.csv": build_isic_links(src),
        "isic_titles.csv.gz": build_isic_titles(src),
    }


# ----------------------------------------------------------------------------- writing (I/O)

def write_table(frame: pd.DataFrame, path: Path) -> None:
    """Write CSV (gzip without timestamp when the name ends in .gz) atomically."""
    data = frame.to_csv(index=False, lineterminator="\n").encode("utf-8")
    if path.suffix == ".gz":
        buffer = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0) as gz:
            gz.write(data)
        data = buffer.getvalue()
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared-data", help="the shared data folder (default ../shared/data)")
    parser.add_argument("--out", default=str(OUT_DIR), help="output folder")
    args = parser.parse_args(argv)
    tables = build_tables(read_sources(shared_data_root(args.shared_data)))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        write_table(frame, out / name)
        print(f"{name}: {len(frame):,} rows, {(out / name).stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
