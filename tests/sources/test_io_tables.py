"""Input-output table readers: real WIOD, NBS, OECD and pymrio files, publisher-layout fixtures
(ADB MRIO workbook, OECD ICIO CSV), bad files, and the warehouse round trip."""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pytest

from capcoop.errors import InputError, SourceFormatError
from capcoop.services.ingest import ingest_files
from capcoop.sources import get_source
from capcoop.sources.io_tables import (
    ADB_CATEGORIES,
    cells_frame,
    detect_format,
    read_adb_mrio,
    read_china_nbs,
    read_io_path,
    read_oecd_icio,
    read_oecd_niot,
    read_pymrio_text,
    read_wiod2013,
)
from capcoop.warehouse.connection import open_reader
from capcoop.warehouse.io_queries import io_system, io_tables

WIOD = ("io2", "wiod2013_bquast")
NBS = ("io2", "china_io_tables_ionet", "nbs")
NIOT = ("io2", "china_io_tables_ionet", "oecd_niot_2021ed", "OECD21ed_CHN_1995to2018_long_by_year.csv")
PYMRIO = ("io", "pymrio_testmrio", "test_mrio")


def _same(a, b) -> None:
    assert list(a.industries) == list(b.industries)
    assert list(a.final_demand) == list(b.final_demand)
    for name in ("Z", "Y", "x", "V", "F", "F_Y"):
        left, right = getattr(a, name), getattr(b, name)
        assert (left is None) == (right is None), name
        if left is not None:
            np.testing.assert_array_equal(left, right, err_msg=name)


# --- real files -------------------------------------------------------------------------------


def test_wiod_2011_matches_provenance(shared):
    table = read_wiod2013(shared(*WIOD, "wiod2013_wiot_2011_Z_F_GO.csv.gz"))
    s = table.system
    assert (s.n, s.Y.shape[1], s.year) == (1435, 205, 2011)
    assert s.regions[0] == "AUS" and s.regions[-1] == "ROW" and "ROU" in s.regions
    chn = np.array([r == "CHN" for r, _ in s.industries])
    idn = np.array([r == "IDN" for r, _ in s.industries])
    # PROVENANCE.md: China 22.27, Indonesia 1.66, world 141.8 trillion US$
    assert s.x[chn].sum() / 1e6 == pytest.approx(22.27, abs=0.005)
    assert s.x[idn].sum() / 1e6 == pytest.approx(1.66, abs=0.005)
    assert s.x.sum() / 1e6 == pytest.approx(141.8, abs=0.05)
    # CHN -> IDN intermediate deliveries 25.9 bn, IDN -> CHN 27.7 bn
    assert s.Z[np.ix_(chn, idn)].sum() / 1e3 == pytest.approx(25.9, abs=0.05)
    assert s.Z[np.ix_(idn, chn)].sum() / 1e3 == pytest.approx(27.7, abs=0.05)
    # rounding tolerance: each row Σ Z + Σ F = GO within 0.5 per cell (1,641 cells)
    gap = np.abs(s.Z.sum(axis=1) + s.Y.sum(axis=1) - s.x)
    assert gap.max() == table.checks["max_row_imbalance"] <= 0.5 * 1641
    assert np.median(gap) < 100
    np.testing.assert_allclose(s.Z.sum(axis=0) + s.V[0], s.x)


def test_nbs_competitive_and_noncompetitive_tables(shared):
    table = read_china_nbs(shared(*NBS, "china_2018_153.csv"))
    s = table.system
    assert (table.table_name, s.year, s.n, s.unit) == ("china-nbs-153", 2018, 153, "CNY 10,000")
    assert s.x.sum() == pytest.approx(2.4955e10, rel=1e-4)  # PROVENANCE: 249.5 trillion CNY
    np.testing.assert_allclose(s.Z.sum(axis=1) + s.Y.sum(axis=1), s.x, rtol=1e-9)
    np.testing.assert_allclose(s.Z.sum(axis=0) + s.V.sum(axis=0), s.x, rtol=1e-9)
    assert s.final_demand.get_level_values("category")[-1] == "IM"
    assert (s.Y[:, -1] <= 0).all()  # imports enter final demand negative
    domestic = read_china_nbs(shared(*NBS, "china_2020_42.csv"))
    d = domestic.system
    assert domestic.table_name == "china-nbs-42-domestic" and d.factors[0] == "imported_intermediates"
    np.testing.assert_allclose(d.Z.sum(axis=1) + d.Y.sum(axis=1), d.x, rtol=1e-9)
    np.testing.assert_allclose(d.Z.sum(axis=0) + d.V.sum(axis=0), d.x, rtol=1e-9)
    competitive = read_china_nbs(shared(*NBS, "china_2020_153.csv")).system
    assert d.x.sum() == pytest.approx(competitive.x.sum(), rel=1e-12)


def test_oecd_niot_years(shared):
    tables = read_oecd_niot(shared(*NIOT))
    assert [t.system.year for t in tables] == list(range(1995, 2019))
    last = tables[-1].system
    assert tables[-1].table_name == "oecd-niot-chn" and last.n == 45
    assert last.x.sum() / 1e6 == pytest.approx(35.0, abs=0.05)  # PROVENANCE: 35.0 trillion US$
    assert max(t.checks["max_row_imbalance"] for t in tables) <= 0.05 * 55


def test_pymrio_text_agrees_with_pymrio(shared):
    pymrio = pytest.importorskip("pymrio")
    table = read_pymrio_text(shared(*PYMRIO))
    s = table.system
    ref = pymrio.load_test()
    assert table.table_name == "pymrio-test" and s.year == 0
    np.testing.assert_allclose(s.Z, ref.Z.to_numpy())
    np.testing.assert_allclose(s.Y, ref.Y.to_numpy())
    assert list(s.industries) == list(ref.Z.index)
    np.testing.assert_allclose(s.V, ref.factor_inputs.F.to_numpy())
    np.testing.assert_allclose(s.F, ref.emissions.F.to_numpy())
    np.testing.assert_allclose(s.F_Y, ref.emissions.F_Y.to_numpy())
    ref.calc_all()
    np.testing.assert_allclose(s.x, ref.x.to_numpy()[:, 0])


def test_detect_format(shared):
    assert detect_format(shared(*WIOD, "wiod2013_wiot_2005_Z_F_GO.csv.gz")) == "wiod2013"
    assert detect_format(shared(*NBS, "china_2012_139.csv")) == "china-nbs"
    assert detect_format(shared(*NIOT)) == "oecd-niot"
    assert detect_format(shared(*PYMRIO)) == "pymrio-text"
    with pytest.raises(InputError, match="not found"):
        detect_format("/nonexistent/table.csv")


# --- warehouse --------------------------------------------------------------------------------


def test_ingest_is_idempotent_and_round_trips(shared, tmp_path):
    warehouse = tmp_path / "w.duckdb"
    files = {"wiod2013": [shared(*WIOD, "wiod2013_wiot_2005_Z_F_GO.csv.gz")],
             "pymrio-text": [shared(*PYMRIO)],
             "china-io": [shared(*NBS, "china_2020_42.csv")]}
    for source, paths in files.items():
        assert ingest_files(source, paths, warehouse=warehouse)[0].result.status == "loaded"
        assert ingest_files(source, paths, warehouse=warehouse)[0].result.status == "unchanged"
    with open_reader(warehouse) as (con, _):
        stored = io_tables(con)
        assert set(stored["table_name"]) == {"wiod2013", "pymrio-test", "china-nbs-42-domestic"}
        zeros = con.execute("SELECT count(*) FROM io_cells WHERE value = 0").fetchone()[0]
        nulls = con.execute("SELECT count(*) FROM io_cells WHERE row_region IS NULL OR "
                            "col_sector IS NULL").fetchone()[0]
        assert zeros == nulls == 0
        for name, year, path in (("wiod2013", 2005, files["wiod2013"][0]),
                                 ("pymrio-test", 0, files["pymrio-text"][0]),
                                 ("china-nbs-42-domestic", 2020, files["china-io"][0])):
            _same(io_system(con, name, year), read_io_path(path)[0].system)


def test_cells_are_sparse_and_keyed(shared):
    table = read_pymrio_text(shared(*PYMRIO))
    cells = cells_frame(table)
    key = ["matrix", "row_region", "row_sector", "col_region", "col_sector"]
    assert not cells.duplicated(key).any() and (cells["value"] != 0).all()
    x = cells[cells["matrix"] == "x"]
    assert (x["col_region"] == "").all() and len(x) == 48
    v = cells[cells["matrix"] == "V"]
    assert (v["row_region"] == "").all() and set(v["row_sector"]) == {"Value Added"}


def test_sources_are_registered():
    for name in ("wiod2013", "china-io", "pymrio-text", "adb-mrio-table", "oecd-icio"):
        assert get_source(name).SOURCE.targets == ("io_cells", "io_labels")


# --- bad files ----------------------------------------------------------------------------------


def _wiod_like(tmp_path, *, go=(10, 12), labels=("AUS_c1", "AUS_c2"), drop_column=False,
               cell="1"):
    header = ["row", *labels, "AUS_CONS_h", "GO"]
    if drop_column:
        header.remove(labels[1])
    lines = [",".join(header)]
    for k, label in enumerate(labels):
        values = [cell if k == 0 else "1", "1"][: len(header) - 3]
        lines.append(",".join([label, *values, str(go[k] - 2 + (1 if drop_column else 0)),
                               str(go[k])]))
    path = tmp_path / "wiod2013_wiot_2011_Z_F_GO.csv.gz"
    with gzip.open(path, "wt") as handle:
        handle.write("\n".join(lines) + "\n")
    return path


def test_small_wiod_like_file_reads(tmp_path):
    s = read_wiod2013(_wiod_like(tmp_path)).system
    np.testing.assert_array_equal(s.x, [10, 12])


def test_negative_output_names_line_and_column(tmp_path):
    with pytest.raises(SourceFormatError, match=r"negative gross output.*line 3.*'GO'.*-5"):
        read_wiod2013(_wiod_like(tmp_path, go=(10, -5)))


def test_duplicate_label_names_both_lines(tmp_path):
    with pytest.raises(SourceFormatError, match=r"'AUS_c1' appears twice \(first on line 2\).*line 3"):
        read_wiod2013(_wiod_like(tmp_path, labels=("AUS_c1", "AUS_c1")))


def test_non_square_block(tmp_path):
    with pytest.raises(SourceFormatError, match="not square: 2 industry rows but 1"):
        read_wiod2013(_wiod_like(tmp_path, drop_column=True))


def test_non_numeric_cell(tmp_path):
    with pytest.raises(SourceFormatError, match=r"not a number.*line 2.*'AUS_c1'.*'x1'"):
        read_wiod2013(_wiod_like(tmp_path, cell="x1"))


def test_broken_identity(tmp_path):
    path = tmp_path / "china_2020_2.csv"
    path.write_text("Code,Description,DescriptionInChinese,01,02,TIU,FU101,FU102,FU103,FU201,"
                    "FU202,EX,TFU,IM,GO\n"
                    "01,A,甲,1,2,3,1,1,1,1,1,1,6,0,9\n"
                    "02,B,乙,1,1,2,1,1,1,1,1,1,6,0,500\n", encoding="utf-8")
    with pytest.raises(SourceFormatError, match=r"row 02 breaks the identity.*line 3"):
        read_china_nbs(path)


# --- publisher layouts: small faithful fixtures -------------------------------------------------


def _balanced(n: int, k: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    Z = rng.uniform(0, 10, (n, n)) * (rng.random((n, n)) < 0.6)
    Y = rng.uniform(0, 20, (n, k))
    return Z, Y, Z.sum(axis=1) + Y.sum(axis=1)


def _adb_workbook(path, economies=("PRC", "VIE", "ROW"), *, break_output=False):
    """An ADB MRIO workbook in the published layout: 7 header rows, data from E8."""
    G, N, f = len(economies), 35, len(ADB_CATEGORIES)
    n = G * N
    Z, Y, x = _balanced(n, G * f, seed=3)
    va_parts = np.vstack([np.zeros(n), np.full(n, 0.0), np.zeros(n), np.zeros(n),
                          x - Z.sum(axis=0), np.zeros(n)])
    rows = [[None] * (4 + n + G * f + 1) for _ in range(7)]
    rows[4][4:] = [f"c{k % N + 1}" for k in range(n)] + [f"F{k % f + 1}" for k in range(G * f)] \
        + ["ToT"]
    rows[5][4:] = [e for e in economies for _ in range(N)] + \
        [e for e in economies for _ in range(f)] + [""]
    for k in range(n):
        rows.append(["", f"sector {k % N + 1}", economies[k // N], f"c{k % N + 1}",
                     *Z[k], *Y[k], x[k]])
    footer = {"r60": Z.sum(axis=0), **{f"r6{j}": va_parts[j - 1] for j in range(1, 7)},
              "r69": x + (5.0 if break_output else 0.0)}
    for code, values in footer.items():
        rows.append(["", code, "", code, *values, *([None] * (G * f + 1))])
    pd.DataFrame(rows).to_excel(path, header=False, index=False)
    return Z, Y, x


def test_adb_mrio_workbook_fixture(tmp_path):
    path = tmp_path / "ADB-MRIO-2022_Mar2023.xlsx"
    Z, Y, x = _adb_workbook(path)
    table = read_adb_mrio(path)
    s = table.system
    assert (table.table_name, s.year, s.n) == ("adb-mrio-3", 2022, 105)
    assert s.regions == ("CHN", "VNM", "ROW")  # ADB codes PRC, VIE become ISO3
    np.testing.assert_allclose(s.Z, Z)
    np.testing.assert_allclose(s.Y, Y)
    np.testing.assert_allclose(s.Z.sum(axis=0) + s.V.sum(axis=0), x)
    assert list(s.final_demand[:5]) == [("CHN", c) for c in ADB_CATEGORIES]
    assert detect_format(path) == "adb-mrio-table"


def test_adb_mrio_output_mismatch(tmp_path):
    path = tmp_path / "ADB-MRIO-2021.xlsx"
    _adb_workbook(path, economies=("PRC", "ROW"), break_output=True)
    with pytest.raises(SourceFormatError, match=r"differs between ToT.*r69.*line 85.*column .E."):
        read_adb_mrio(path)


def _icio_csv(path, edition=2023):
    regions, industries = ("CHN", "VNM", "ROW"), ("A01", "C26", "H49")
    cats = ("HFCE", "NPISH", "GGFC", "GFCF", "INVNT", "DPABR")
    labels = [f"{r}_{i}" for r in regions for i in industries]
    Z, Y, x = _balanced(len(labels), len(regions) * len(cats), seed=5)
    frame = pd.DataFrame(np.column_stack([Z, Y, x]), index=labels,
                         columns=labels + [f"{r}_{c}" for r in regions for c in cats]
                         + ["OUT" if edition == 2023 else "TOTAL"])
    va = x - Z.sum(axis=0)
    extra = {"TLS": 0.1 * va, "VA": 0.9 * va, "OUT": x} if edition == 2023 else \
        {**{f"{r}_TAXSUB": 0.05 * va for r in regions[:2]}, "VALU": 0.9 * va, "OUTPUT": x}
    for name, values in extra.items():
        frame.loc[name] = np.concatenate([values, np.zeros(frame.shape[1] - len(labels))])
    frame.index.name = "V1"
    frame.to_csv(path)
    return Z, Y, x


@pytest.mark.parametrize("edition", [2023, 2021])
def test_oecd_icio_fixture(tmp_path, edition):
    path = tmp_path / f"ICIO{edition}_2019.csv"
    Z, Y, x = _icio_csv(path, edition)
    table = read_oecd_icio(path)
    s = table.system
    assert s.year == 2019 and s.regions == ("CHN", "VNM", "ROW") and s.n == 9
    np.testing.assert_allclose(s.Z, Z)
    np.testing.assert_allclose(s.x, x)
    np.testing.assert_allclose(s.Z.sum(axis=0) + s.V.sum(axis=0), x)
    assert s.factors == ("TLS", "VA") and detect_format(path) == "oecd-icio"
