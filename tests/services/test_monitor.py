"""The trade monitor's use cases: a synthetic warehouse with known answers, then real data.

Real-data tests use ``../shared/data`` (skipped with a reason when absent) and check published
facts, each cited next to its assertion.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from capcoop.errors import InputError, UnknownCountryError
from capcoop.services import monitor as mon
from capcoop.services.ingest import ingest_files
from capcoop.warehouse import trade_queries as tq
from capcoop.warehouse.connection import demo_warehouse_path, open_writer
from shared_data import shared_data

ASEAN10 = ("BRN", "IDN", "KHM", "LAO", "MMR", "MYS", "PHL", "SGP", "THA", "VNM")
_COLUMNS = ["source", "basis", "freq", "year", "month", "reporter", "partner", "flow",
            "classification", "product", "value_usd", "value_local", "currency", "estimate"]


def _row(source, year, reporter, partner, flow, value, *, month=None, basis="reported",
         estimate=False, currency="USD", classification="TOTAL", product="TOTAL"):
    usd, local = (value, None) if currency == "USD" else (None, value)
    return (source, basis, "A" if month is None else "M", year, month, reporter, partner, flow,
            classification, product, usd, local, currency, estimate)


def _toy_rows() -> list[tuple]:
    rows = []
    # China (source 'toy'): the EU (with the UK) leads in 2018-2019, ASEAN in 2020 (UK gone).
    chn = {2018: {"GBR": (50, 20), "DEU": (100, 40), "FRA": (60, 30), "VNM": (70, 35),
                  "THA": (60, 25), "USA": (150, 20)},
           2019: {"GBR": (50, 20), "DEU": (100, 40), "FRA": (60, 30), "VNM": (80, 40),
                  "THA": (70, 30), "USA": (150, 20)},
           2020: {"GBR": (50, 20), "DEU": (100, 40), "FRA": (60, 30), "VNM": (100, 50),
                  "THA": (90, 40), "MYS": (10, 5), "USA": (150, 20)}}
    for year, partners in chn.items():
        for partner, (x, m) in partners.items():
            rows += [_row("toy", year, "CHN", partner, "X", x), _row("toy", year, "CHN", partner, "M", m)]
        x_all = sum(x for x, _ in partners.values()) + 10  # 10 not allocated to a partner
        m_all = sum(m for _, m in partners.values())
        rows += [_row("toy", year, "CHN", "WLD", "X", x_all), _row("toy", year, "CHN", "WLD", "M", m_all),
                 _row("toy", year, "CHN", "AGG_EU", "X", 999.0)]  # an aggregate: never counted
    # Viet Nam and Thailand declare their side for 2020 (Malaysia does not report).
    rows += [_row("toy", 2020, "VNM", "CHN", "M", 95), _row("toy", 2020, "VNM", "CHN", "X", 45, estimate=True),
             _row("toy", 2020, "VNM", "THA", "X", 30), _row("toy", 2020, "VNM", "WLD", "X", 75),
             _row("toy", 2020, "VNM", "WLD", "M", 95),
             _row("toy", 2020, "THA", "CHN", "M", 85), _row("toy", 2020, "THA", "CHN", "X", 35),
             _row("toy", 2020, "THA", "VNM", "X", 25), _row("toy", 2020, "THA", "USA", "X", 40),
             _row("toy", 2020, "THA", "WLD", "X", 100), _row("toy", 2020, "THA", "WLD", "M", 85)]
    # Indonesia monthly (source 'toym'): 2024-01..2025-10, with Timor-Leste and China.
    for year, last in ((2024, 12), (2025, 10)):
        for month in range(1, last + 1):
            rows += [_row("toym", year, "IDN", "TLS", "X", 1, month=month),
                     _row("toym", year, "IDN", "CHN", "X", 10 + (year - 2024) * month, month=month),
                     _row("toym", year, "IDN", "CHN", "M", 5, month=month)]
    # Singapore in S$ with domestic exports and re-exports (source 'toys').
    for month in range(1, 4):
        rows += [_row("toys", 2021, "SGP", "CHN", "XD", 2, month=month, currency="SGD"),
                 _row("toys", 2021, "SGP", "CHN", "XR", 3, month=month, currency="SGD"),
                 _row("toys", 2021, "SGP", "CHN", "M", 4, month=month, currency="SGD")]
    # Reconciled product-level flows (BACI-like, source 'toyr'): Korea <-> Japan.
    for year, scale in ((2020, 1.0), (2021, 2.0)):
        for exporter, importer, hs, v in (("KOR", "JPN", "010121", 5), ("KOR", "JPN", "720851", 7),
                                          ("JPN", "KOR", "854140", 3), ("KOR", "USA", "854140", 4)):
            rows.append(_row("toyr", year, exporter, importer, "X", v * scale, basis="reconciled",
                             classification="HS92", product=hs))
    return rows


@pytest.fixture(scope="module")
def toy(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("monitor") / "toy.duckdb"
    frame = pd.DataFrame(_toy_rows(), columns=_COLUMNS).assign(load_id=1)
    with open_writer(path) as (con, _):
        con.register("rows_", frame)
        con.execute(f"INSERT INTO trade_flows ({', '.join(frame.columns)}) "
                    f"SELECT {', '.join(frame.columns)} FROM rows_")
    return path


# --- known answers on the synthetic warehouse -------------------------------------------------


def test_bilateral_summary_known_answer(toy):
    s = mon.bilateral_summary("CHN", "ASEAN", 2020, warehouse=toy, since=2018)
    assert (s.current.exports, s.current.imports, s.current.total) == (200.0, 95.0, 295.0)
    assert s.previous.total == 220.0 and s.total_yoy_pct == pytest.approx(100 * (295 / 220 - 1))
    assert s.reporter_total == 775.0  # declared World rows (X 560 + 10 unallocated, M 205), not AGG_EU
    assert s.share_of_reporter_total_pct == pytest.approx(100 * 295 / 775)
    assert s.cagr_pct == pytest.approx(100 * ((295 / 190) ** 0.5 - 1))
    assert s.series["total"].tolist() == [190.0, 220.0, 295.0]
    # ASEAN's side: VNM + THA declare 45 + 35 exports and 95 + 85 imports with China; ASEAN's
    # trade outside the bloc is (75 - 30) + (100 - 25) exports and 95 + 85 imports
    assert s.partner_side_total == 260.0 and s.partner_total == 300.0
    assert any("MYS" in n for n in s.notes)  # Malaysia declared nothing for 2020
    assert s.record()["warehouse"] == str(toy)


def test_ranking_uses_membership_of_each_period(toy):
    r2019 = mon.partner_ranking("CHN", 2019, warehouse=toy)
    r2020 = mon.partner_ranking("CHN", 2020, warehouse=toy)
    top19, top20 = r2019.table.set_index("partner"), r2020.table.set_index("partner")
    assert r2019.table["partner"].iloc[0] == "EU" and "GBR" in top19.loc["EU", "members"]
    assert top19.loc["EU", "total"] == 300.0 and "GBR" not in top19.index
    assert r2020.table["partner"].tolist()[:3] == ["ASEAN", "EU", "USA"]
    assert top20.loc["EU", "total"] == 230.0 and top20.loc["GBR", "total"] == 70.0
    assert top20.loc["EU", "yoy_pct"] == pytest.approx(0.0)  # the 27 of 2020 in both years
    assert "AGG_EU" not in top20.index and "WLD" not in top20.index
    # shares of the declared World total plus the unallocated 10 make 100
    assert r2020.table["share_pct"].sum() + r2020.unallocated_share_pct == pytest.approx(100.0)
    assert r2020.unallocated_share_pct == pytest.approx(100 * 10 / 775)


def test_blocs_option_and_ties(toy):
    none = mon.partner_ranking("CHN", 2020, warehouse=toy, blocs="none").table.set_index("partner")
    grouped = mon.partner_ranking("CHN", 2020, warehouse=toy).table.set_index("partner")
    assert grouped.loc["ASEAN", "total"] == none.loc[["VNM", "THA", "MYS"], "total"].sum()
    assert grouped.loc["EU", "total"] == none.loc[["DEU", "FRA"], "total"].sum()
    exports = mon.partner_ranking("CHN", 2020, warehouse=toy, blocs="none", by="exports").table
    assert exports[["partner", "rank"]].values.tolist()[:2] == [["USA", 1], ["DEU", 2]]
    assert exports.loc[exports["partner"].isin(["DEU", "VNM"]), "rank"].tolist() == [2, 2]  # tie


def test_streaks_and_monitor_contract(toy):
    assert mon.partner_streak("CHN", "EU", 2019, warehouse=toy).streak_length == 2
    report = mon.monitor("CHN", "ASEAN", 2020, warehouse=toy).record()
    for key in ("reporter", "partner", "period", "basis", "exports_usd", "imports_usd", "total_usd",
                "balance_usd", "total_yoy_pct", "share_of_reporter_total_pct", "partner_rank",
                "rank1_streak_years", "notes"):
        assert key in report
    assert (report["partner_rank"], report["rank1_streak_years"], report["balance_usd"]) == (1, 1, 105.0)
    viet = mon.monitor("CHN", "VNM", 2020, warehouse=toy).record()
    assert viet["partner_rank"] == 3  # ranked as a country: ASEAN is not grouped for its members


def test_bloc_reporter_sums_members_and_drops_intra_trade(toy):
    r = mon.partner_ranking("ASEAN", 2020, warehouse=toy)
    table = r.table.set_index("partner")
    assert table.loc["CHN", "total"] == 260.0 and table.loc["USA", "total"] == 40.0
    assert not {"VNM", "THA", "ASEAN"} & set(table.index)
    assert r.world_total == 300.0
    assert any("MYS" in n for n in r.notes)


def test_mirror_and_estimates(toy):
    s = mon.bilateral_summary("CHN", "VNM", 2020, warehouse=toy, basis="mirror")
    assert (s.current.exports, s.current.imports) == (95.0, 45.0)  # Viet Nam's imports / exports
    assert any("estimate" in n for n in s.notes) and mon.CIF_FOB_CAVEAT in s.notes
    c = mon.mirror_comparison("CHN", "ASEAN", 2020, warehouse=toy)
    total = c.table[(c.table["partner"] == "ASEAN") & (c.table["flow"] == "total")].iloc[0]
    assert (total["reported"], total["mirror"], total["gap"]) == (295.0, 260.0, -35.0)
    assert any("MYS" in n and "did not report" in n for n in c.notes)


def test_year_to_date_and_timor_leste(toy):
    s = mon.bilateral_summary("IDN", "CHN", 2025, months="1-8", warehouse=toy)
    assert s.period.label == "2025-01..2025-08" and s.complete
    assert s.current.exports == sum(10 + m for m in range(1, 9)) and s.previous.exports == 80.0
    gap = mon.bilateral_summary("IDN", "CHN", 2025, months="1-11", warehouse=toy)
    assert gap.current.total is None and not gap.complete
    assert any("11" in n and "missing" in n for n in gap.notes)
    before = mon.partner_ranking("IDN", 2025, months="1-9", warehouse=toy).table
    after = mon.partner_ranking("IDN", 2025, months="1-10", warehouse=toy).table
    assert "TLS" in set(before["partner"])  # Timor-Leste joined ASEAN on 2025-10-26
    assert "TLS" not in set(after["partner"]) and "TLS" in after.iloc[1]["members"]
    assert after["partner"].tolist() == ["CHN", "ASEAN"]


def test_local_currency_and_components(toy):
    s = mon.bilateral_summary("SGP", "CHN", 2021, months="1-3", warehouse=toy)
    assert s.currency == "SGD" and s.current.exports == 15.0  # XD + XR
    record = s.record()
    assert record["exports_usd"] is None and record["exports_sgd"] == 15.0


def test_reconciled_and_products(toy):
    s = mon.bilateral_summary("KOR", "JPN", 2021, warehouse=toy)
    assert s.selection.basis == "reconciled"
    assert (s.current.exports, s.current.imports, s.total_yoy_pct) == (24.0, 6.0, 100.0)
    c = mon.product_composition("KOR", "JPN", 2021, digits=2, warehouse=toy)
    assert c.products["product"].tolist() == ["72", "01"] and c.products["share_pct"].sum() == 100.0
    assert set(c.sectors["sector"]) >= {"steel"}
    assert c.movers.iloc[0]["change"] == 7.0


def test_derived_totals_answer_like_products_and_go_stale(tmp_path):
    path = tmp_path / "baci.duckdb"
    rows = [r for r in _toy_rows() if r[0] == "toyr"]
    frame = pd.DataFrame(rows, columns=_COLUMNS).assign(load_id=1)
    with open_writer(path) as (con, _):
        con.register("rows_", frame)
        con.execute(f"INSERT INTO trade_flows ({', '.join(frame.columns)}) "
                    f"SELECT {', '.join(frame.columns)} FROM rows_")
        con.execute("INSERT INTO provenance VALUES (1, 'toyr', NULL, 'toyr.csv', 'x', ?, "
                    "'trade_flows', 0, NULL, NULL, now()::TIMESTAMP)", [len(frame)])
    before = mon.bilateral_summary("KOR", "JPN", 2021, warehouse=path)
    with open_writer(path) as (con, _):
        first = tq.derive_product_totals(con, source="toyr", classification="HS92")
        again = tq.derive_product_totals(con, source="toyr", classification="HS92")
    assert (first.status, first.rows, again.status) == ("loaded", 6, "unchanged")
    after = mon.bilateral_summary("KOR", "JPN", 2021, warehouse=path)
    assert after.selection.classification == "TOTAL" and before.selection.classification == "HS92"
    assert (after.current.exports, after.current.imports) == (before.current.exports, before.current.imports)
    with open_writer(path) as (con, _):  # a newer product load makes the totals stale
        con.execute("INSERT INTO provenance VALUES (9, 'toyr', NULL, 'new.csv', 'y', 1, "
                    "'trade_flows', 0, NULL, NULL, now()::TIMESTAMP)")
    stale = mon.bilateral_summary("KOR", "JPN", 2021, warehouse=path)
    assert stale.selection.classification == "HS92" and "predate" in stale.notes[0]


def test_compiled_sql_is_cached_on_disk_and_portable(tmp_path, monkeypatch):
    monkeypatch.setenv("CAPCOOP_CACHE_DIR", str(tmp_path))
    legs = tq.legs_for("mirror")
    fresh = tq._compile("totals", legs, 6, "duckdb")
    tq.compiled_sql.cache_clear()
    assert tq.compiled_sql("totals", legs) == fresh  # miss: compiles and writes
    assert len(list((tmp_path / "sql").glob("monitor-*.sql"))) == 1
    tq.compiled_sql.cache_clear()
    assert tq.compiled_sql("totals", legs) == fresh  # hit: read back
    assert "_monitor_subjects" in tq.compiled_sql("totals", legs, dialect="postgres")
    tq.compiled_sql.cache_clear()


@pytest.mark.parametrize("call, error, quoted", [
    (lambda w: mon.monitor("CHN", "XYZ", 2020, warehouse=w), UnknownCountryError, "XYZ"),
    (lambda w: mon.monitor("CHN", "ASEAN", 2031, warehouse=w), InputError, "2031"),
    (lambda w: mon.monitor("CHN", "RCEP", 2020, warehouse=w), InputError, "RCEP"),
    (lambda w: mon.monitor("CHN", "ASEAN", 2020, basis="guess", warehouse=w), InputError, "guess"),
    (lambda w: mon.monitor("CHN", "WLD", 2020, warehouse=w), InputError, "WLD"),
    (lambda w: mon.monitor("CHN", "CHN", 2020, warehouse=w), InputError, "CHN"),
    (lambda w: mon.partner_ranking("CHN", 2020, blocs="ASEAN,ASEAN+3", warehouse=w), InputError, "ASEAN+3"),
    (lambda w: mon.partner_ranking("CHN", 2020, blocs="VNM", warehouse=w), InputError, "VNM"),
    (lambda w: mon.partner_ranking("CHN", 2020, by="weight", warehouse=w), InputError, "weight"),
    (lambda w: mon.product_composition("CHN", "VNM", 2020, warehouse=w), InputError, "product"),
    (lambda w: mon.headlines("CHN", "ASEAN", 2020, lang="fr", warehouse=w), InputError, "fr"),
])
def test_bad_arguments_give_clear_errors(toy, call, error, quoted):
    with pytest.raises(error) as err:
        call(toy)
    assert quoted in str(err.value) and err.value.hint


def test_headlines_on_the_synthetic_warehouse(toy):
    en = mon.headlines("CHN", "ASEAN", 2020, warehouse=toy, lang="en")
    assert en.statements[0].text.startswith("In 2020 ASEAN became China's largest trading partner")
    assert "ahead of the EU ($230" in en.statements[0].text
    zh = mon.headlines("CHN", "ASEAN", 2019, warehouse=toy, lang="zh")
    assert zh.statements[0].text.startswith("2019年，东盟是中国第二大贸易伙伴") and "欧盟" in zh.text
    assert len(en.explain_rows())


# --- real data ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dots(tmp_path_factory) -> Path:
    """IMF DOTS for China, Hong Kong, Macao and ASEAN (as reporter or partner), 1960-2020."""
    demo = demo_warehouse_path()
    if demo.exists():
        with duckdb.connect(str(demo), read_only=True) as con:
            if con.execute("SELECT count(*) FROM trade_flows WHERE source = 'imf-dots' "
                           "AND year = 1990 AND reporter = 'CHN'").fetchone()[0]:
                return demo
    path = shared_data("trade2", "imf_dots_samleblanc", "dots_annual_asean_china_1960_2020_long.csv.gz")
    target = tmp_path_factory.mktemp("dots") / "dots.duckdb"
    ingest_files("imf-dots", [path], warehouse=target)
    return target


def test_china_largest_partner_2019_and_2020(dots):
    # GAC via Xinhua (urdupoint.com, 14 Jan 2020): in 2019 the EU remained China's biggest trading
    # partner, ASEAN overtook the United States to become the second, the US ranked third.
    r2019 = mon.partner_ranking("CHN", 2019, warehouse=dots).table
    assert r2019["partner"].tolist()[:3] == ["EU", "ASEAN", "USA"]
    # GAC (Global Times via ciie.org, 13 Sep 2021): China-ASEAN trade reached $685.28 billion in
    # 2020 and ASEAN became China's largest trading partner; "up 7 percent" (Global Times,
    # via kwglobaltrade.com, Jan 2021).
    report = mon.monitor("CHN", "ASEAN", 2020, warehouse=dots).record()
    assert report["partner_rank"] == 1 and report["rank1_streak_years"] == 1
    assert report["total_usd"] == pytest.approx(685.28e9, rel=0.01)
    assert report["total_yoy_pct"] == pytest.approx(7.0, abs=0.5)
    assert report["share_of_reporter_total_pct"] == pytest.approx(14.7, abs=0.3)


def test_streaks_as_published(dots):
    # China has been ASEAN's largest trading partner for 12 consecutive years in 2020 (GAC, via
    # ciie.org, 13 Sep 2021), i.e. since 2009 -- from ASEAN members' own declarations.
    run = mon.partner_streak("ASEAN", "CHN", 2020, warehouse=dots)
    assert (run.streak_length, run.since) == (12, 2009)
    # "The EU has been China's top trade partner since 2004 when it overtook Japan" (AFP citing
    # Insee, news24x7world.com, Dec 2020): 16 years up to 2019, Japan first in 2003.
    eu = mon.partner_streak("CHN", "EU", 2019, warehouse=dots)
    assert (eu.streak_length, eu.since, eu.leaders[2003][0]) == (16, 2004, "JPN")


def test_headlines_2019_2020(dots):
    h2020 = mon.headlines("CHN", "ASEAN", 2020, warehouse=dots, lang="en").text
    assert "ASEAN became China's largest trading partner, ahead of the EU" in h2020
    assert "12th consecutive year (since 2009)" in h2020
    h2019 = mon.headlines("CHN", "ASEAN", 2019, warehouse=dots, lang="zh").text
    assert "东盟是中国第二大贸易伙伴" in h2019 and "第一大贸易伙伴为欧盟" in h2019
    assert "中国连续11年保持东盟第一大贸易伙伴地位" in h2019


def test_invariants_for_china_and_each_asean_member(dots):
    for reporter in ("CHN", *ASEAN10):
        grouped = mon.partner_ranking(reporter, 2020, warehouse=dots)
        table = grouped.table.set_index("partner")
        assert table["share_pct"].sum() + grouped.unallocated_share_pct == pytest.approx(100.0)
        assert not set(table.index) & {"WLD", "AGG_EU", "AGG_ADV"}
        if reporter in ("CHN", "VNM"):  # bloc total = sum of its members ranked on their own
            single = mon.partner_ranking(reporter, 2020, warehouse=dots, blocs="none").table
            single = single.set_index("partner")
            for bloc in ("ASEAN", "EU"):
                members = [m for m in table.loc[bloc, "members"] if m in single.index]
                assert table.loc[bloc, "total"] == pytest.approx(single.loc[members, "total"].sum())
    history = mon.ranking_history("VNM", 2010, 2020, warehouse=dots, blocs="none")
    assert [r.period.year for r in history] == list(range(2010, 2021))


def test_reported_and_mirror_differ_where_the_data_differ(dots):
    # PROVENANCE check values: China -> Viet Nam exports 2020 = 114,157.1 US$ mn (China's
    # declaration), Viet Nam's imports from China = 84,374.3 (Viet Nam's).
    c = mon.mirror_comparison("CHN", "VNM", 2020, warehouse=dots).table.set_index("flow")
    assert c.loc["exports", "reported"] == pytest.approx(114_157.1e6, rel=1e-6)
    assert c.loc["exports", "mirror"] == pytest.approx(84_374.3e6, rel=1e-6)
    assert c.loc["exports", "gap"] < 0


@pytest.fixture(scope="module")
def singstat(tmp_path_factory) -> Path:
    folder = shared_data("trade", "singstat_singapore_merchandise_trade")
    target = tmp_path_factory.mktemp("singstat") / "sgp.duckdb"
    ingest_files("singstat", [folder / f"{t}.csv" for t in ("M451491", "M451501", "M451511")],
                 warehouse=target)
    return target


def test_singstat_published_facts_and_year_to_date(singstat):
    # Singapore's top five trading partners (mothership.sg, 20 Nov 2018, citing SingStat): China
    # S$137.1bn, Malaysia 108.2, the EU 98.4, the US 79.9, Hong Kong 69.6 -- the 2017 figures.
    top = mon.partner_ranking("SGP", 2017, blocs="EU", warehouse=singstat).table.head(5)
    assert top["partner"].tolist() == ["CHN", "MYS", "EU", "USA", "HKG"]
    assert (top["total"] / 1e9).round(1).tolist() == [137.1, 108.2, 98.4, 79.9, 69.6]
    # 2020: total trade S$969.1bn and China ~14% of it (thinkchina.sg, citing Enterprise
    # Singapore); 2021: China 14.2% of merchandise trade (MTI written reply, Oct 2022).
    r2020 = mon.partner_ranking("SGP", 2020, blocs="none", warehouse=singstat)
    assert r2020.world_total / 1e9 == pytest.approx(969.1, abs=0.05)
    assert r2020.table.iloc[0]["partner"] == "CHN"
    share = mon.bilateral_summary("SGP", "CHN", 2021, warehouse=singstat)
    assert share.share_of_reporter_total_pct == pytest.approx(14.2, abs=0.05)
    # Year to date: January-August 2021 vs 2020 is the sum of the eight months of each year.
    ytd = mon.bilateral_summary("SGP", "CHN", 2021, months="1-8", warehouse=singstat)
    months = [mon.bilateral_summary("SGP", "CHN", 2021, months=str(m), warehouse=singstat).current.total
              for m in (1, 8)]
    assert ytd.complete and ytd.currency == "SGD" and months[0] < ytd.current.total
    assert ytd.current.total > ytd.previous.total  # 2021 recovered from 2020
    late = mon.bilateral_summary("SGP", "CHN", 2025, months="1-8", warehouse=singstat)
    assert not late.complete and late.current.total is None  # the data stop in January 2025


@pytest.fixture(scope="module")
def comtrade(tmp_path_factory) -> Path:
    """Partners' declarations about China (Comtrade, 2014-2025) and China's balance table."""
    folder = shared_data("trade", "comtrade_china_profile_cipf", "reports")
    target = tmp_path_factory.mktemp("comtrade") / "comtrade.duckdb"
    files = ("China_2.1.1_top_export_partners_reverse.xlsx", "China_3.1.1_top_import_partners.xlsx",
             "China_1.1_trade_balance_2014-2025.xlsx")
    ingest_files("comtrade", [folder / f for f in files], warehouse=target)
    return target


def test_comtrade_mirror_for_china_2014_2023(comtrade, dots):
    # China's mirror figures with the US are the US declarations: US exports to China $130.4bn
    # and general imports from China $505.6bn (customs value) in 2017 (USITC, "Shifts in U.S.
    # Merchandise Trade 2017: China"); $120.15bn and $539.68bn in 2018 (US Census via Caixin,
    # 15 Aug 2019). Comtrade carries US imports valued CIF: 2-6 % above the customs (FOB-like)
    # value -- the CIF/FOB margin the mirror caveat explains.
    for year, imports_from_china, exports_to_china in ((2017, 505.6e9, 130.4e9),
                                                       (2018, 539.68e9, 120.15e9)):
        usa = mon.bilateral_summary("CHN", "USA", year, basis="mirror", warehouse=comtrade)
        assert usa.current.imports == pytest.approx(exports_to_china, rel=0.006)
        assert 1.02 < usa.current.exports / imports_from_china < 1.06
        assert mon.CIF_FOB_CAVEAT in usa.notes
    for year in range(2014, 2024):
        r = mon.partner_ranking("CHN", year, basis="mirror", blocs="none", warehouse=comtrade)
        # regression snapshot: the US and Hong Kong (re-exports) declare the most trade with
        # China every year (Hong Kong ahead in 2021 only)
        assert set(r.table["partner"].head(2)) == {"USA", "HKG"}
        # the published mirror World totals (Comtrade "X<M" and "M<X") are within a few per
        # cent of the sum over the partners in these tables (re-imports and areas left out)
        assert 0 < r.unallocated_share_pct < 6
    # Reported (China's own declarations, IMF DOTS) and mirror differ where the data differ.
    reported = mon.bilateral_summary("CHN", "USA", 2018, warehouse=dots).current
    mirrored = mon.bilateral_summary("CHN", "USA", 2018, basis="mirror", warehouse=comtrade).current
    assert reported.exports < mirrored.exports and reported.imports > mirrored.imports


def test_kept_streaks_follow_writes_and_are_not_shared(tmp_path):
    path = tmp_path / "toy.duckdb"
    frame = pd.DataFrame(_toy_rows(), columns=_COLUMNS).assign(load_id=1)
    with open_writer(path) as (con, _):
        con.register("rows_", frame)
        con.execute(f"INSERT INTO trade_flows ({', '.join(frame.columns)}) "
                    f"SELECT {', '.join(frame.columns)} FROM rows_")
    eu = mon.partner_streak("CHN", "EU", 2019, warehouse=path)
    assert (eu.streak_length, eu.since) == (2, 2018)
    eu.ranks[2019] = 5  # a caller's change does not reach the next answer
    assert mon.partner_streak("CHN", "EU", 2019, warehouse=path).ranks[2019] == 1
    assert mon.monitor("CHN", "ASEAN", 2020, warehouse=path).record()["rank1_streak_years"] == 1
    # China's exports to Viet Nam in 2019: 180 instead of 80, so ASEAN (320) passes the EU (300).
    extra = pd.DataFrame([_row("toy", 2019, "CHN", "VNM", "X", 180)], columns=_COLUMNS).assign(load_id=2)
    with open_writer(path) as (con, _):
        con.register("rows_", extra)
        con.execute("DELETE FROM trade_flows WHERE year = 2019 AND reporter = 'CHN' "
                    "AND partner = 'VNM' AND flow = 'X'")
        con.execute(f"INSERT INTO trade_flows ({', '.join(extra.columns)}) "
                    f"SELECT {', '.join(extra.columns)} FROM rows_")
    after = mon.partner_streak("CHN", "EU", 2019, warehouse=path)
    assert (after.current_rank, after.streak_length) == (2, 0)
    report = mon.monitor("CHN", "ASEAN", 2020, warehouse=path).record()
    assert (report["partner_rank"], report["rank1_streak_years"], report["rank1_since"]) == (1, 2, 2019)
    en = mon.headlines("CHN", "ASEAN", 2020, warehouse=path, lang="en")
    assert "remained China's largest trading partner for the 2nd consecutive year" in en.text


def test_repeated_questions_give_the_same_answers(dots):
    from capcoop.services.monitor import rankings
    rankings._STREAKS.clear()
    first = [mon.headlines("CHN", "ASEAN", 2020, warehouse=dots, lang=lang) for lang in ("en", "zh")]
    assert "12th consecutive year (since 2009)" in first[0].text
    assert "中国连续12年保持东盟第一大贸易伙伴地位（自2009年起）" in first[1].text
    report = mon.monitor("CHN", "ASEAN", 2020, warehouse=dots).record()
    assert (report["partner_rank"], report["rank1_streak_years"]) == (1, 1)
    run = mon.partner_streak("ASEAN", "CHN", 2020, warehouse=dots)
    eu = mon.partner_streak("CHN", "EU", 2019, warehouse=dots)
    assert ((run.streak_length, run.since), (eu.streak_length, eu.since)) == ((12, 2009), (16, 2004))
    again = [mon.headlines("CHN", "ASEAN", 2020, warehouse=dots, lang=lang) for lang in ("en", "zh")]
    for old, new in zip(first, again, strict=True):
        assert new.record() == old.record()
        pd.testing.assert_frame_equal(new.explain_rows(), old.explain_rows())
    assert mon.monitor("CHN", "ASEAN", 2020, warehouse=dots).record() == report
    rankings._STREAKS.clear()  # computed afresh: the same ranks, leaders and streaks
    fresh = mon.partner_streak("ASEAN", "CHN", 2020, warehouse=dots)
    assert (fresh.ranks, fresh.streak_length, fresh.since) == (run.ranks, 12, 2009)
    assert {y: (a, c) for y, (a, _, c, _) in fresh.leaders.items()} == \
        {y: (a, c) for y, (a, _, c, _) in run.leaders.items()}
    assert mon.monitor("CHN", "ASEAN", 2020, warehouse=dots).record()["rank1_streak_years"] == 1
