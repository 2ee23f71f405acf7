"""Build the HS -> NAICS 2017 concordance and the NAICS 2017 titles shipped in ``codes/data``.

Sources (``reference/concordance/PROVENANCE.md``): the R package ``concordance`` v2.1.0 (Liao,
Kim, Miyano & Zhang; MIT licence), whose HS -> NAICS tables come from Pierce & Schott (2018,
"A concordance between ten-digit U.S. Harmonized System codes and SIC/NAICS product classes and
industries", built from US Census import and export concordances), and its NAICS 2017 titles
(US Census):

- ``converted_from_rdata/hs5_naics.csv`` -- HS 2017 6-digit -> NAICS 6-digit;
- ``converted_from_rdata/hs6_naics.csv`` -- HS 2022 6-digit -> NAICS 6-digit;
- ``converted_from_rdata/naics2017_desc.csv`` -- NAICS 2017 codes and titles (2 to 6 digits).

The NAICS codes in the Pierce & Schott tables are of mixed vintage (2002 to 2017: ``331111``
iron and steel mills is ``331110`` in 2017) and include Census's special codes (``910000`` waste
and scrap, ``920000`` used merchandise, ``930000``/``980000``/``990000`` goods returned and
special classification provisions). Each code is bridged to NAICS 2017:

1. ``exact``: the code is a 2017 industry;
2. otherwise the 2017 industries sharing its 5-digit prefix (``5-digit``), else its 4-digit
   prefix (``4-digit``), shared equally;
3. the special codes and codes with no 2017 industry under their 4-digit prefix: ``none``
   (``naics2017`` empty).

Output ``hs_naics.csv.gz``: ``revision`` (HS17, HS22), ``hs`` (6 digits), ``naics_source`` (the
code in the source table, empty when it gives none), ``naics2017``, ``match`` and ``weight``. An
HS code linked to n NAICS codes gives each 1/n (equal split: no public value weights), further
split equally across the 2017 industries a code bridges to; the weights of each HS code sum to 1.
One row per (revision, hs, naics2017): source codes bridging to the same 2017 industry are
merged (``naics_source`` ``;``-joined, ``match`` the closest of them).
``naics2017.csv.gz``: ``code``, ``title`` for NAICS 2017 sectors to 6-digit industries.

Usage::

    python scripts/build_codes_naics.py                 # rewrite the package files
    python scripts/build_codes_naics.py --shared-data PATH

:func:`build_tables` is the pure entry point used by the regeneration test.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
# The codes builders share how they find the shared data and write tables (atomic, reproducible gzip).
sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_codes_products import shared_data_root, write_table  # noqa: E402

OUT_DIR = REPO / "src" / "capcoop" / "codes" / "data"
_FOLDER = "reference/concordance/converted_from_rdata"
SOURCE_FILES = {"HS17": f"{_FOLDER}/hs5_naics.csv", "HS22": f"{_FOLDER}/hs6_naics.csv",
                "titles": f"{_FOLDER}/naics2017_desc.csv"}
COLUMNS = ["revision", "hs", "naics_source", "naics2017", "match", "weight"]
_MATCH_RANK = {"exact": 0, "5-digit": 1, "4-digit": 2, "none": 3}


def read_sources(root: Path) -> dict[str, pd.DataFrame]:
    """Read every input file as text columns (codes keep their leading zeros)."""
    return {name: pd.read_csv(root / rel, dtype=str, keep_default_na=False, encoding="utf-8")
            for name, rel in SOURCE_FILES.items()}


def build_titles(titles: pd.DataFrame) -> pd.DataFrame:
    """NAICS 2017 codes (2-6 digits, ranges such as ``31-33`` kept) and titles, sorted."""
    out = titles.rename(columns={"desc": "title"})[["code", "title"]]
    out = out.assign(code=out.code.str.strip(), title=out.title.str.strip())
    return out.drop_duplicates("code").sort_values("code", kind="stable").reset_index(drop=True)


def bridge(codes: pd.Series, industries: set[str]) -> pd.DataFrame:
    """Each source NAICS code -> (naics2017, match, share) rows, shares summing to 1 per code."""
    rows = []
    for code in sorted(set(codes)):
        if code in industries:
            rows.append((code, code, "exact", 1.0))
            continue
        for digits, match in ((5, "5-digit"), (4, "4-digit")):
            found = sorted(i for i in industries if code and i.startswith(code[:digits]))
            if found:
                rows += [(code, i, match, 1.0 / len(found)) for i in found]
                break
        else:
            rows.append((code, "", "none", 1.0))
    return pd.DataFrame(rows, columns=["naics_source", "naics2017", "match", "share"])


def build_links(revision: str, raw: pd.DataFrame, industries: set[str]) -> pd.DataFrame:
    """One revision's HS -> NAICS 2017 links with weights."""
    hs_col = raw.columns[0]
    pairs = (raw[[hs_col, "NAICS_6d"]].rename(columns={hs_col: "hs", "NAICS_6d": "naics_source"})
             .drop_duplicates())
    pairs["part"] = 1.0 / pairs.groupby("hs").naics_source.transform("size")
    bridged = bridge(pairs.naics_source, industries)
    out = pairs.merge(bridged, on="naics_source", how="left")
    out["weight"] = out.part * out.share
    out["rank"] = out["match"].map(_MATCH_RANK)
    out = (out.sort_values(["hs", "naics2017", "rank", "naics_source"], kind="stable")
           .groupby(["hs", "naics2017"], sort=False)
           .agg(naics_source=("naics_source", ";".join), match=("match", "first"),
                weight=("weight", "sum")).reset_index())
    out["weight"] = out.weight.round(12)
    out.insert(0, "revision", revision)
    return out[COLUMNS].reset_index(drop=True)


def build_tables(src: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Every output file name -> its table."""
    titles = build_titles(src["titles"])
    industries = {c for c in titles.code if len(c) == 6 and c.isdigit()}
    links = pd.concat([build_links(rev, src[rev], industries) for rev in ("HS17", "HS22")],
                      ignore_index=True)
    return {"hs_naics.csv.gz": links, "naics2017.csv.gz": titles}


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
