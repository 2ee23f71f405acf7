"""The dashboard as a person uses it, in headless Chromium against a live server on loopback.

Each test loads a page, waits for its data (``data-state="ready"``), and checks what is shown
against the JSON API's own answer, so the browser and the API agree on every number.
"""

from __future__ import annotations

import re

import httpx
import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def _ready(watch, page: str) -> None:
    watch.page.wait_for_selector(f'#page-{page}[data-state="ready"]')


def _api(watch, path: str, **params):
    body = httpx.get(f"{watch.base}/api/{path}", params=params, timeout=60).json()
    assert body["ok"], body
    return body["data"]


def _submit(watch, form: str, page: str) -> None:
    watch.page.evaluate(f'document.getElementById("page-{page}").dataset.state = ""')
    watch.page.click(f"#{form} button[type=submit]")
    _ready(watch, page)


def _first_column(watch, table: str) -> list[str]:
    return watch.page.locator(f"#{table} tbody tr td:first-child").all_inner_texts()


def test_overview_shows_headlines_trend_and_the_demo_label(dashboard):
    dashboard.page.goto(dashboard.base + "/#overview")
    _ready(dashboard, "overview")
    expected = _api(dashboard, "headlines", reporter="CHN", partner="ASEAN", year=2020)
    shown = dashboard.page.inner_text("#headlines")
    assert expected["statements"][0]["text"] in shown
    assert dashboard.page.locator("#trend-chart .main-svg").count() >= 1
    assert "demo" in dashboard.page.inner_text("#warehouse")
    assert dashboard.page.locator("#trend-chart .bars .point").count() >= 10


def test_partners_bloc_selector_changes_chart_and_table(dashboard):
    dashboard.page.goto(dashboard.base + "/#partners")
    _ready(dashboard, "partners")
    before = _first_column(dashboard, "partners-table")
    assert dashboard.page.locator("#partners-chart .main-svg").count() >= 1
    assert dashboard.page.locator("#streak-chart .main-svg").count() >= 1
    api_rows = _api(dashboard, "partners", reporter="CHN", year=2020, blocs="ASEAN,EU", top=10)
    assert [r.split()[0] for r in before] == [str(r["rank"]) for r in api_rows]
    ranked = dashboard.page.locator("#partners-table tbody tr td:nth-child(2)").all_inner_texts()
    assert ranked[0] == api_rows[0]["partner"] == "ASEAN"
    dashboard.page.select_option("#bloc-select", "EU")
    _submit(dashboard, "partners-form", "partners")
    ranked = dashboard.page.locator("#partners-table tbody tr td:nth-child(2)").all_inner_texts()
    assert "ASEAN" not in ranked
    assert ranked[0] == _api(dashboard, "partners", reporter="CHN", year=2020, blocs="EU",
                             top=10)[0]["partner"]


def test_opportunities_host_grid_changes_the_ranking(dashboard):
    dashboard.page.goto(dashboard.base + "/#opportunities")
    _ready(dashboard, "opportunities")
    vnm = dashboard.page.locator("#opportunities-table tbody tr td:nth-child(3)").all_inner_texts()
    assert len(vnm) == 10
    api_vnm = _api(dashboard, "opportunities", provider="CHN", host="VNM", level="sector", top=10)
    assert vnm == [r["name"] for r in api_vnm]
    assert dashboard.page.locator("#opportunities-chart .main-svg").count() >= 1
    dashboard.page.evaluate('document.getElementById("page-opportunities").dataset.state = ""')
    dashboard.page.click('#host-grid button[data-host="SGP"]')
    _ready(dashboard, "opportunities")
    sgp = dashboard.page.locator("#opportunities-table tbody tr td:nth-child(3)").all_inner_texts()
    assert sgp == [r["name"] for r in _api(dashboard, "opportunities", provider="CHN", host="SGP",
                                            level="sector", top=10)]
    assert sgp != vnm


def test_supply_chain_page_runs_a_disruption_scenario(dashboard):
    dashboard.page.goto(dashboard.base + "/#supply")
    _ready(dashboard, "supply")
    assert dashboard.page.locator("#dependencies-table tbody tr").count() >= 1
    assert dashboard.page.locator("#disruption-table tbody tr").count() >= 1  # runs on load
    dashboard.page.fill('#disruption-form input[name="cut"]', "60")
    _submit(dashboard, "disruption-form", "supply")
    assert dashboard.page.locator("#disruption-chart .main-svg").count() >= 1
    expected = _api(dashboard, "disruption", exporter="CHN", products="medical", cut=0.6,
                    importers="ASEAN")
    shown = dashboard.page.locator("#disruption-table tbody tr td:nth-child(2)").all_inner_texts()
    assert shown == [r["importer"] for r in expected]


def test_critical_supplies_coverage_and_allocation(dashboard):
    dashboard.page.goto(dashboard.base + "/#supplies")
    _ready(dashboard, "supplies")
    assert dashboard.page.locator("#coverage-chart .main-svg").count() >= 1
    dashboard.page.fill('#allocate-form input[name="doses"]', "10000000")
    _submit(dashboard, "allocate-form", "supplies")
    rows = _api(dashboard, "supplies/allocate", doses=10_000_000, region="ASEAN",
                method="population")
    assert sum(r["doses"] for r in rows) == 10_000_000
    assert dashboard.page.locator("#allocate-table tbody tr").count() == len(rows)
    assert dashboard.page.locator("#allocate-chart .main-svg").count() >= 1


def test_language_toggle_switches_labels_and_statements_to_chinese(dashboard):
    dashboard.page.goto(dashboard.base + "/#overview")
    _ready(dashboard, "overview")
    assert dashboard.page.inner_text('#nav a[data-page="overview"]') == "Overview"
    dashboard.page.evaluate('document.getElementById("page-overview").dataset.state = ""')
    dashboard.page.click("#lang-toggle")
    _ready(dashboard, "overview")
    assert dashboard.page.inner_text('#nav a[data-page="overview"]') == "概览"
    assert dashboard.page.get_attribute("html", "lang") == "zh-CN"
    zh = _api(dashboard, "headlines", reporter="CHN", partner="ASEAN", year=2020, lang="zh")
    shown = dashboard.page.inner_text("#headlines")
    assert zh["statements"][0]["text"] in shown
    assert re.search(r"[\u4e00-\u9fff]", shown)
    dashboard.page.click("#lang-toggle")  # back to English for the next test's fresh context


def test_bad_input_shows_the_api_error_without_console_errors(dashboard):
    dashboard.page.goto(dashboard.base + "/#overview")
    _ready(dashboard, "overview")
    dashboard.expect_client_errors = True
    dashboard.page.fill('#overview-form input[name="partner"]', "Atlantis")
    dashboard.page.click("#overview-form button[type=submit]")
    dashboard.page.wait_for_selector('#page-overview[data-state="error"]')
    message = dashboard.page.inner_text("#error")
    assert "Atlantis" in message


def test_supply_chain_page_propagates_a_production_shock(dashboard):
    dashboard.page.goto(dashboard.base + "/#supply")
    _ready(dashboard, "supply")
    dashboard.page.fill('#shock-form input[name="region"]', "CHN")
    dashboard.page.fill('#shock-form input[name="sector"]', "c14")
    _submit(dashboard, "shock-form", "supply")
    assert dashboard.page.locator("#shock-chart .main-svg").count() >= 1
    expected = _api(dashboard, "io/shock", table="wiod2013", year=2011, region="CHN",
                    sector="c14", cut=0.3, weeks=8)
    regions = dashboard.page.locator("#shock-table tbody tr td:nth-child(1)").all_inner_texts()
    assert regions == [r["region"] for r in expected[:15]]
    assert regions[0] == "CHN"
