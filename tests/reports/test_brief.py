"""The cooperation brief on the embedded demo: self-contained HTML, the PDF of the same content,
headline numbers exactly as the services compute them, Chinese output, sourced footnotes,
sections that degrade when a service or its data is missing, and clear errors."""

from __future__ import annotations

import html as htmllib
import re
import types
from pathlib import Path

import pandas as pd
import pytest

from capcoop.analytics.trade import format_usd
from capcoop.errors import InputError, UnknownCountryError
from capcoop.reports import assemble_brief, charts, latest_year, render_html, sections, write_brief
from capcoop.services import monitor
from capcoop.services.info import warehouse_info
from capcoop.warehouse.connection import open_writer

BLOCS = ["ASEAN", "EU"]


@pytest.fixture(scope="module")
def english(tmp_path_factory):
    """The default brief (no arguments) written with its PDF."""
    return write_brief(out=tmp_path_factory.mktemp("brief_en"))


@pytest.fixture(scope="module")
def chinese(tmp_path_factory):
    return write_brief("CHN", "ASEAN", 2020, lang="zh", out=tmp_path_factory.mktemp("brief_zh"))


def _text(html: str) -> str:
    """The visible text of an HTML document (tags removed, entities decoded)."""
    body = re.sub(r"<style.*?</style>", "", html, flags=re.S)
    return htmllib.unescape(re.sub(r"<[^>]+>", "", body))


def _pdf_text(path: Path, html: str) -> str:
    """Text of the PDF (pypdf); without pypdf, the text WeasyPrint laid out for it."""
    try:
        import pypdf
    except ImportError:
        import weasyprint

        def walk(box):
            yield getattr(box, "text", "") or ""
            for child in getattr(box, "children", []) or []:
                yield from walk(child)

        document = weasyprint.HTML(string=html).render()
        return " ".join(t for page in document.pages for t in walk(page._page_box))
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(str(path)).pages)


# --- defaults and self-containment ----------------------------------------------------------


def test_defaults_are_china_asean_and_the_latest_year(english):
    brief = english.brief
    assert (brief.provider.code, brief.partner.code, brief.lang) == ("CHN", "ASEAN", "en")
    assert brief.year == latest_year("CHN", "ASEAN")
    with pytest.raises(InputError):  # the year after the latest has no data
        monitor.headlines("CHN", "ASEAN", brief.year + 1)
    assert brief.is_demo and "demo" in brief.warehouse
    assert english.html.name == f"capcoop-brief-CHN-ASEAN-{brief.year}-en.html"


def test_html_is_self_contained(english):
    html = english.html.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html, flags=re.I)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", html, flags=re.I)
    assert not re.search(r"<link\b|<script\b|@import|@font-face", html, flags=re.I)
    for tag in re.findall(r"<img\b[^>]*>", html, flags=re.I):
        assert re.search(r'src="data:', tag), tag
    svgs = re.findall(r"<svg\b.*?</svg>", html, flags=re.S)
    assert len(svgs) == len(english.brief.charts) >= 2
    ids = re.findall(r'\bid="([^"]+)"', "".join(svgs))
    assert len(ids) == len(set(ids)), "chart element ids clash"
    assert "<style>" in html and "@page" in html and "size: A4" in html


def test_headline_statements_are_the_services_word_for_word(english):
    brief = english.brief
    text = _text(english.html.read_text(encoding="utf-8"))
    heads = monitor.headlines("CHN", "ASEAN", brief.year, lang="en", blocs=BLOCS)
    assert [s.text for s in brief.statements] == [s.text for s in heads.statements]
    for statement in heads.statements:
        assert statement.text in text
    summary = monitor.monitor("CHN", "ASEAN", brief.year, blocs=BLOCS).summary
    for value in (summary.current.exports, summary.current.imports, summary.current.total,
                  summary.current.balance):
        assert format_usd(value) in text
    assert f"{summary.share_of_reporter_total_pct:.1f}%" in text
    assert f"{summary.total_yoy_pct:+.1f}%" in text


def test_every_statement_has_a_footnote_naming_source_table_and_file(english):
    brief = english.brief
    loads = {row["file"] for row in warehouse_info()["loads"] if row["target"] == "trade_flows"}
    notes = {n.number: n.text for n in brief.footnotes}
    for statement in brief.statements:
        note = notes[statement.footnote]
        assert "capcoop.services.monitor.headlines('CHN', 'ASEAN'" in note
    stored = [notes[s.footnote] for s in brief.statements[:2]] + [notes[brief.key_footnote]]
    for note in stored:
        assert "imf-dots" in note and "trade_flows" in note
        assert any(name in note for name in loads)
    html = english.html.read_text(encoding="utf-8")
    for statement in brief.statements:
        assert f'href="#fn-{statement.footnote}"' in html and f'id="fn-{statement.footnote}"' in html


def test_sources_section_lists_loads_licences_and_caveats(english):
    brief = english.brief
    text = _text(english.html.read_text(encoding="utf-8"))
    for load in warehouse_info()["loads"]:
        assert load["file"] in text and load["sha256"][:12] in text
    assert "CC BY 4.0" in text and "International Monetary Fund" in text
    assert monitor.CIF_FOB_CAVEAT in text
    assert any("imf-dots" in note for note in brief.sources.notes)


def test_pdf_exists_and_states_the_headline_figures(english):
    pdf = english.pdf
    assert pdf is not None and pdf.read_bytes()[:5] == b"%PDF-"
    assert english.pages is not None and english.pages >= 2
    try:
        import pypdf
    except ImportError:
        pass
    else:
        assert len(pypdf.PdfReader(str(pdf)).pages) == english.pages
    text = _pdf_text(pdf, english.html.read_text(encoding="utf-8"))
    summary = monitor.monitor("CHN", "ASEAN", english.brief.year, blocs=BLOCS).summary
    flat = " ".join(text.split())
    for value in (summary.current.total, summary.current.exports, summary.current.imports):
        assert format_usd(value) in flat
    assert f"{summary.share_of_reporter_total_pct:.1f}%" in flat


def test_host_countries_follow_dated_membership():
    china, asean = monitor.economy("CHN"), monitor.economy("ASEAN")
    assert "TLS" not in sections.host_countries(china, asean, 2020)
    assert set(sections.host_countries(china, asean, 2020)) == \
        set(asean.bloc.members_for_period(2020))
    assert len(sections.host_countries(china, asean, 1990)) == 6  # before Viet Nam joined
    assert sections.host_countries(china, monitor.economy("VNM"), 2020) == ("VNM",)


def test_opportunities_section_shows_the_services_ranking(english):
    section = {s.key: s for s in english.brief.sections}["opportunities"]
    try:
        from capcoop.services.opportunities import rank_opportunities
    except ImportError:
        assert not section.available and "capcoop.services.opportunities" in section.notes[0]
        return
    report = rank_opportunities("CHN", "ASEAN", level="sector", year=english.brief.year, top=5)
    for host, member in report.members.items():
        block = next(b for b in section.blocks
                     if b.heading == sections.partner_name(host, "en"))
        assert [row[1] for row in block.table.rows] == [r["name"] for r in member.records()]
        assert [row[2] for row in block.table.rows] == [f"{r['score']:,.2f}"
                                                        for r in member.records()]
    for host, reason in report.skipped.items():
        block = next(b for b in section.blocks if b.heading == sections.partner_name(host, "en"))
        assert block.table is None and reason in block.notes[0]


# --- Chinese ----------------------------------------------------------------------------------


def test_chinese_brief_has_chinese_labels_statements_and_charts(chinese):
    html = chinese.html.read_text(encoding="utf-8")
    text = _text(html)
    heads = monitor.headlines("CHN", "ASEAN", 2020, lang="zh", blocs=BLOCS)
    for statement in heads.statements:
        assert statement.text in text
    for label in ("要点", "贸易走势与贸易伙伴排名", "数据来源与说明", "注释", "主要数据"):
        assert label in text
    assert '<html lang="zh-CN">' in html
    svgs = "".join(re.findall(r"<svg\b.*?</svg>", html, flags=re.S))
    assert "出口" in svgs and "东盟" in svgs  # chart labels are Chinese text
    if charts.cjk_font() is not None:
        assert charts.cjk_font().family in svgs and not chinese.warnings


def test_chinese_pdf_states_the_figures_in_chinese(chinese):
    assert chinese.pdf is not None and chinese.pdf.read_bytes()[:5] == b"%PDF-"
    total = monitor.monitor("CHN", "ASEAN", 2020, blocs=BLOCS).summary.current.total
    flat = "".join(_pdf_text(chinese.pdf, chinese.html.read_text(encoding="utf-8")).split())
    assert format_usd(total, "zh") in flat


def test_missing_cjk_font_is_reported_with_the_package_to_install(monkeypatch):
    monkeypatch.setattr(charts, "cjk_font", lambda: None)
    message = charts.font_warning("zh")
    assert message is not None and charts.CJK_PACKAGE in message
    assert charts.font_warning("en") is None


# --- graceful degradation ---------------------------------------------------------------------


def test_sections_say_what_to_install_when_a_service_is_missing(monkeypatch):
    real = sections._service
    monkeypatch.setattr(sections, "_service",
                        lambda name: None if name in ("opportunities", "dependencies",
                                                      "supplies") else real(name))
    brief = assemble_brief("CHN", "ASEAN", 2020)
    by_key = {s.key: s for s in brief.sections}
    assert not any(s.available for s in by_key.values())
    assert "capcoop.services.opportunities" in by_key["opportunities"].notes[0]
    assert "capcoop.services.dependencies" in by_key["dependencies"].notes[0]
    assert "capcoop.services.supplies" in by_key["supplies"].notes[0]
    html = render_html(brief)
    assert html.count('class="unavailable"') >= 3 and brief.statements[0].text[:20] in \
        htmllib.unescape(html)


def test_a_service_error_becomes_a_note_with_its_hint(monkeypatch):
    def refuse(*args, **kwargs):
        raise InputError("no sector data for 2020", hint="load ADB MRIO with `capcoop ingest`")

    fake = types.SimpleNamespace(rank_opportunities=refuse, dependency_screen=refuse,
                                 coverage=refuse)
    monkeypatch.setattr(sections, "_service", lambda name: fake)
    china, asean = monitor.economy("CHN"), monitor.economy("ASEAN")
    for section in (sections.opportunities_section(china, asean, ("VNM",), 2020, "en", None),
                    sections.dependencies_section(china, asean, 2020, "en", None),
                    sections.supplies_section(asean, 2020, "en", None)):
        assert not section.available
        assert "no sector data for 2020" in section.notes[0]
        assert "capcoop ingest" in section.notes[0]


def test_supplies_section_renders_the_coverage_contract(monkeypatch):
    rows = [{"country": "VNM", "name": "Viet Nam", "date": "2022-06-30",
             "doses_secured_per100": 250.5, "doses_delivered_per100": 230.25,
             "people_vaccinated_per100": 85.0, "people_fully_vaccinated_per100": 80.0,
             "donated_pct": 20.0}]
    report = types.SimpleNamespace(records=lambda: rows,
                                   meta=lambda: {"parameters": {"date": "2022-06-30"},
                                                 "notes": ["snapshot dates"]})
    monkeypatch.setattr(sections, "_service",
                        lambda name: types.SimpleNamespace(coverage=lambda *a, **k: report))
    section = sections.supplies_section(monitor.economy("ASEAN"), 2020, "zh", None)
    assert section.available and "2022-06-30" in section.intro
    table = section.blocks[0].table
    assert table.rows[0][:3] == ("越南", "2022-06-30", "250.5")
    assert table.columns[0] == "国家" and section.service_notes == ("snapshot dates",)


@pytest.fixture(scope="module")
def toy_warehouse(tmp_path_factory) -> Path:
    """China's declared trade with Viet Nam, Thailand and the US in 2019-2020 only."""
    rows = []
    for year, scale in ((2019, 1.0), (2020, 1.2)):
        for partner, (x, m) in {"VNM": (80, 40), "THA": (70, 30), "USA": (150, 20)}.items():
            rows += [(year, partner, "X", x * scale * 1e9), (year, partner, "M", m * scale * 1e9)]
        rows += [(year, "WLD", "X", 300 * scale * 1e9), (year, "WLD", "M", 90 * scale * 1e9)]
    frame = pd.DataFrame(rows, columns=["year", "partner", "flow", "value_usd"]).assign(
        reporter="CHN", source="toy", basis="reported", freq="A", classification="TOTAL",
        product="TOTAL", load_id=1)
    path = tmp_path_factory.mktemp("toy") / "toy.duckdb"
    with open_writer(path) as (con, _):
        con.register("rows_", frame)
        con.execute(f"INSERT INTO trade_flows ({', '.join(frame.columns)}) "
                    f"SELECT {', '.join(frame.columns)} FROM rows_")
    return path


def test_a_warehouse_with_trade_only_still_gives_a_brief(toy_warehouse, tmp_path):
    files = write_brief("CHN", "VNM", warehouse=toy_warehouse, out=tmp_path, pdf=False)
    brief = files.brief
    assert brief.year == 2020 and files.pdf is None and files.html.exists()
    assert not brief.is_demo and str(toy_warehouse) in brief.warehouse
    by_key = {s.key: s for s in brief.sections}
    assert not by_key["opportunities"].available and not by_key["supplies"].available
    assert by_key["opportunities"].notes and by_key["supplies"].notes
    text = _text(files.html.read_text(encoding="utf-8"))
    summary = monitor.monitor("CHN", "VNM", 2020, warehouse=toy_warehouse).summary
    assert format_usd(summary.current.total) == format_usd(1.2 * (80 + 40) * 1e9)
    assert format_usd(summary.current.total) in text
    assert "demo" not in brief.warehouse


# --- errors -----------------------------------------------------------------------------------


def test_unknown_country_is_refused_with_suggestions():
    with pytest.raises(UnknownCountryError, match="unknown partner 'ASEANN'"):
        assemble_brief("CHN", "ASEANN", 2020)
    with pytest.raises(UnknownCountryError, match="unknown provider 'XYZ'"):
        assemble_brief("XYZ", "ASEAN", 2020)


def test_a_year_without_data_names_the_years_there_are():
    last = latest_year("CHN", "ASEAN")
    with pytest.raises(InputError) as err:
        assemble_brief("CHN", "ASEAN", last + 3)
    assert str(last + 3) in err.value.message and str(last) in (err.value.hint or "")


def test_unknown_language_is_refused():
    with pytest.raises(InputError, match="unknown language 'fr'"):
        assemble_brief("CHN", "ASEAN", 2020, lang="fr")


def test_out_must_be_a_folder(tmp_path):
    target = tmp_path / "file.txt"
    target.write_text("x")
    with pytest.raises(InputError, match="is a file, not a folder"):
        write_brief(out=target, pdf=False)


def test_attribution_file_entries_are_parsed():
    from importlib import resources

    markdown = (resources.files("capcoop") / "data" / "ATTRIBUTION.md").read_text("utf-8")
    entries, closing = sections.attribution_entries(markdown)
    assert len(entries) == markdown.count("\n## ")
    assert all(e["publisher"] and e["licence"] and e["files"] for e in entries)
    assert closing.startswith("Not embedded")


# --- what the brief's speed relies on ---------------------------------------------------------


def test_the_last_year_of_the_ranking_history_is_the_years_ranking():
    """The brief takes the year's partner ranking from the ranking history (one computation)."""
    for reporter, year in (("CHN", 2020), ("VNM", 2020), ("CHN", 2015)):
        one = monitor.partner_ranking(reporter, year, blocs=BLOCS)
        last = monitor.ranking_history(reporter, year - 9, year, blocs=BLOCS)[-1]
        assert last.period == one.period and last.selection == one.selection
        pd.testing.assert_frame_equal(last.table, one.table)
        assert (last.notes, last.world_total, last.currency) == (one.notes, one.world_total,
                                                                  one.currency)


def test_the_brief_cites_the_rows_behind_the_headlines(english):
    """The footnotes count the stored rows the headlines read for their explanation."""
    heads = monitor.headlines("CHN", "ASEAN", english.brief.year, blocs=BLOCS)
    total = next(f for s in heads.statements for f in s.facts if f.name == "total")
    assert len(total.rows) > 0
    keys = ["source", "year", "month", "reporter", "partner", "stored_flow", "load_id"]
    rows = len(total.rows.drop_duplicates(subset=keys))
    assert f"{rows} stored rows" in english.brief.footnotes[english.brief.key_footnote - 1].text


def test_headlines_without_explanation_say_the_same(english):
    year = english.brief.year
    full = monitor.headlines("CHN", "ASEAN", year, blocs=BLOCS)
    short = monitor.headlines("CHN", "ASEAN", year, blocs=BLOCS, explain=False)
    assert short.text == full.text and short.notes == full.notes
    assert [[(f.name, f.value, f.formula) for f in s.facts] for s in short.statements] == \
        [[(f.name, f.value, f.formula) for f in s.facts] for s in full.statements]
    assert all("load_id" not in f.rows.columns for s in short.statements for f in s.facts)
    assert len(full.explain_rows()) > len(short.explain_rows())


def test_listing_the_loads_does_not_import_ibis():
    import os
    import subprocess
    import sys

    code = ("import sys; from capcoop.reports import sections; "
            "s = sections.sources_section(None, 'en'); assert s.loads; "
            "print('ibis' in sys.modules)")
    env = {k: v for k, v in os.environ.items() if k != "CAPCOOP_WAREHOUSE"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, env=env)
    assert result.stdout.strip() == "False"
