"""Build the embedded demo warehouse from the openly licensed data in ../shared/data.

Reproducible: the same inputs give the same tables (only ``loaded_at`` differs). Every file goes
through capcoop's own parsers and atomic loads, so the demo's provenance table names each source
file with its sha256. The result, gzip-compressed, replaces ``src/capcoop/data/demo.duckdb.gz``
atomically (capcoop unpacks it on first use, see ``demo_warehouse_path``) and
``src/capcoop/data/ATTRIBUTION.md`` is rewritten from :data:`DEMO_INPUTS`.

Usage::

    python scripts/build_demo.py [--shared-data PATH] [--out PATH]

What is embedded and why (licence decisions) is in the ``licence`` field of each input; sources
whose terms forbid redistribution (the AEI China Global Investment Tracker), data without an open
licence (the Growth Lab Atlas matrix) and non-commercial data (Open Trade Statistics, CC BY-NC 4.0)
are never embedded.
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

import duckdb  # noqa: E402

from capcoop.services.ingest import ingest_files  # noqa: E402
from capcoop.warehouse.connection import open_writer  # noqa: E402
from capcoop.warehouse.reference import refresh_reference_tables  # noqa: E402


@dataclass(frozen=True)
class DemoInput:
    """One embedded input: source parser, files (relative to shared/data), attribution."""

    source: str
    files: tuple[str, ...]
    title: str
    publisher: str
    licence: str


DEMO_INPUTS: tuple[DemoInput, ...] = (
    DemoInput("imf-dots",
              ("trade2/imf_dots_samleblanc/dots_annual_all_reporters_2010_2020_long.csv.gz",
               "trade2/imf_dots_samleblanc/dots_annual_asean_china_1960_2020_long.csv.gz"),
              "Direction of Trade Statistics (DOTS), bilateral goods trade totals: all reporters "
              "2010-2020 and every year 1960-2020 of China's, Hong Kong's, Macao's and the ASEAN "
              "members' trade",
              "International Monetary Fund",
              "IMF terms of use: data may be reused and redistributed with attribution "
              "(source: IMF, Direction of Trade Statistics)"),
    DemoInput("wdi", ("reference/wdi",),
              "World Development Indicators (68 indicators: GDP, population, urbanisation, "
              "electricity, logistics, emissions ...)", "World Bank", "CC BY 4.0"),
    DemoInput("wb-income",
              ("reference/wb-income-classification/oghist_income_group_long_FY89-FY23.csv",
               "reference/wb-income-classification/class_fy2025_list_of_economies.csv"),
              "World Bank country income classification, FY1989-FY2025", "World Bank", "CC BY 4.0"),
    DemoInput("adb-mrio",
              ("io/adb_mrio_summary_ksreyes/summary_62econ_current_2000_2022.csv",
               "io/adb_mrio_summary_ksreyes/summary_72econ_2017_2022.csv"),
              "ADB Multi-Regional Input-Output tables: country x 35-sector accounts",
              "Asian Development Bank", "CC BY 3.0 IGO (ADB open data)"),
    DemoInput("export-matrix",
              ("trade2/wto_manufactures_exports_mitsuoxv/WtoData_20200510015454.csv.gz",),
              "WTO exports of manufactures to the world by 13 product groups, 1990-2018",
              "World Trade Organization", "WTO data: free reuse with attribution"),
    DemoInput("wiod2013",
              ("io2/wiod2013_bquast/wiod2013_wiot_2011_Z_F_GO.csv.gz",
               "io2/wiod2013_bquast/wiod2013_wiot_2005_Z_F_GO.csv.gz"),
              "World Input-Output Database, 2013 release: world input-output tables 2005 and "
              "2011 (41 regions x 35 sectors; via the R package wiod by B. Quast and O. Reiter)",
              "WIOD consortium (Timmer, Dietzenbacher, Los, Stehrer & de Vries 2015)",
              "WIOD: free to use with citation of Timmer et al. (2015), 'An Illustrated User "
              "Guide to the World Input-Output Database', Review of International Economics"),
    DemoInput("china-io",
              ("io2/china_io_tables_ionet/nbs/china_2020_153.csv",
               "io2/china_io_tables_ionet/nbs/china_2020_42.csv",
               "io2/china_io_tables_ionet/oecd_niot_2021ed/"
               "OECD21ed_CHN_1995to2018_long_by_year.csv"),
              "China's national input-output tables: NBS 2020 (153 sectors; 42 sectors with the "
              "domestic/imported split) and OECD national IOTs for China 1995-2018 (via the R "
              "package ionet)",
              "National Bureau of Statistics of China; OECD",
              "NBS official statistics, reuse with attribution; OECD Input-Output Tables 2021 "
              "edition (OECD terms: reuse with attribution)"),
    DemoInput("pymrio-text", ("io/pymrio_testmrio/test_mrio",),
              "pymrio's test MRIO (a small synthetic 6-region x 8-sector system for examples "
              "and checks)",
              "pymrio (IndEcol)", "LGPL-3.0 (pymrio repository)"),
    DemoInput("epa-ghg",
              ("reference/sector-emission-factors/"
               "SupplyChainGHGEmissionFactors_v1.2_NAICS_CO2e_USD2021.csv",),
              "Supply Chain GHG Emission Factors v1.2 by NAICS-6 (USEEIO v2.0, 2019 GHG data, "
              "kg CO2e per 2021 US$, purchaser price)",
              "US Environmental Protection Agency, Office of Research and Development",
              "Public domain (US government work; EPA ScienceHub licence); cite "
              "doi:10.23719/1528686"),
    DemoInput("undp-vaccines", ("vaccines/undp_vaccine_equity",),
              "Global Dashboard for Vaccine Equity: COVID-19 doses secured, delivered, donated, "
              "administered, people vaccinated and population by country, 83 snapshots "
              "2022-03-23 to 2023-11-15",
              "UNDP, WHO and University of Oxford (data: UNICEF COVID-19 Market Dashboard, WHO, "
              "IMF-WHO Vaccine Supply Tracker, Our World in Data, UN WPP 2020)",
              "No licence file; published openly by UNDP. Attribution required to UNDP and each "
              "original source (WHO data terms, OWID CC BY 4.0, UN WPP CC BY 3.0 IGO, IMF reuse "
              "with attribution; UNICEF's terms for its market dashboard to be confirmed)"),
)


def shared_data_root(explicit: str | None) -> Path:
    """The shared data folder: --shared-data, CAPCOOP_SHARED_DATA or ../shared/data."""
    for candidate in (explicit, os.environ.get("CAPCOOP_SHARED_DATA"),
                      str(REPO.parent / "shared" / "data")):
        if candidate and (Path(candidate) / "README.md").is_file():
            return Path(candidate)
    raise SystemExit("shared data not found: pass --shared-data PATH")


def build(shared: Path, out: Path) -> Path:
    """Ingest every input into a fresh file, add reference tables, then move it to ``out``."""
    workdir = Path(tempfile.mkdtemp(prefix="capcoop-demo-"))
    target = workdir / "demo.duckdb"
    for item in DEMO_INPUTS:
        paths = [shared / f for f in item.files]
        for report in ingest_files(item.source, paths, warehouse=target):
            print(f"{item.source:14} {Path(report.file).name:60} {report.result.rows:>9,} rows")
    with open_writer(target) as (con, _):
        refresh_reference_tables(con)
    compacted = compact(target, workdir / "compact.duckdb")
    out.parent.mkdir(parents=True, exist_ok=True)
    packed = workdir / "demo.duckdb.gz"
    # mtime 0 and no file name in the header: the same warehouse gives the same bytes
    with open(compacted, "rb") as source, open(packed, "wb") as raw, \
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as gz:
        shutil.copyfileobj(source, gz, 1 << 20)
    shutil.move(str(packed), str(out))
    shutil.rmtree(workdir, ignore_errors=True)
    return out


def compact(source: Path, target: Path) -> Path:
    """Copy every table into a fresh file: superseded rows leave no free blocks behind (~25% smaller)."""
    con = duckdb.connect(str(target))
    try:
        con.execute("ATTACH ? AS src (READ_ONLY)", [str(source)])
        con.execute(f"COPY FROM DATABASE src TO {target.stem}")
        con.execute("DETACH src")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return target


def attribution_text() -> str:
    """The ATTRIBUTION.md shipped next to the demo warehouse."""
    lines = ["# Attribution of the embedded demo warehouse", "",
             "capcoop's demo warehouse (`demo.duckdb.gz`, unpacked on first use) is derived by `scripts/build_demo.py` from the",
             "sources below. Values are re-encoded in capcoop's canonical tables; the `provenance`",
             "table names every input file with its sha256. Reference codes come from the package",
             "data described in `docs/codes.md` and `docs/products.md`.", ""]
    for item in DEMO_INPUTS:
        lines += [f"## {item.title}", f"- Publisher: {item.publisher}",
                  f"- Licence / terms: {item.licence}",
                  f"- Files: {', '.join(Path(f).name for f in item.files)}", ""]
    lines += ["Not embedded: the Growth Lab Atlas and Open Trade Statistics country x HS4 matrices",
              "(no open licence / CC BY-NC 4.0), the AEI China Global Investment Tracker (all rights",
              "reserved), UN Comtrade extracts (Comtrade terms). See docs/data.md.", ""]
    return "\n".join(lines)


def main() -> None:
    """Command-line entry: build the demo and write the attribution file."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared-data")
    parser.add_argument("--out",
                        default=str(REPO / "src" / "capcoop" / "data" / "demo.duckdb.gz"))
    args = parser.parse_args()
    out = build(shared_data_root(args.shared_data), Path(args.out))
    (out.parent / "ATTRIBUTION.md").write_text(attribution_text(), encoding="utf-8")
    print(f"demo warehouse: {out} ({out.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
