"""``capcoop brief``: runs with no arguments on the demo, prints where the files are, JSON
output, and clear errors for bad arguments."""

from __future__ import annotations

import json

import pytest

from capcoop.cli import main
from capcoop.cli.brief import register_brief_commands
from capcoop.reports import latest_year


@pytest.fixture(scope="module", autouse=True)
def registered():
    if "brief" not in {c.name for c in main.app.registered_commands}:
        register_brief_commands(main.app)


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = main.run([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_no_arguments_writes_the_demo_brief_and_prints_where(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = _run(capsys, "brief", "--no-pdf")
    assert code == 0, err
    year = latest_year("CHN", "ASEAN")
    html = tmp_path / f"capcoop-brief-CHN-ASEAN-{year}-en.html"
    assert html.exists() and str(html.resolve()) in " ".join(out.split())
    assert "demo" in out and "PDF:" not in out
    assert not list(tmp_path.glob("*.pdf"))


def test_pdf_and_json_output(capsys, tmp_path):
    code, out, err = _run(capsys, "brief", "--provider", "CHN", "--partner", "ASEAN", "--year",
                          "2020", "--lang", "zh", "--out", tmp_path / "briefs", "--format", "json")
    assert code == 0, err
    record = json.loads(out)
    assert record["parameters"] | {"provider": "CHN", "partner": "ASEAN", "year": 2020,
                                   "lang": "zh"} == record["parameters"]
    assert record["pdf"].endswith("capcoop-brief-CHN-ASEAN-2020-zh.pdf")
    with open(record["pdf"], "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    assert record["pages"] >= 2 and "demo" in record["warehouse"]
    assert set(record["sections"]) == {"opportunities", "dependencies", "supplies"}
    assert record["seconds"] > 0


@pytest.mark.parametrize(("args", "expected"), [
    (("--provider", "XYZ"), "unknown provider 'XYZ'"),
    (("--partner", "Atlantis"), "unknown partner 'Atlantis'"),
    (("--year", "2031"), "2031"),
    (("--lang", "fr"), "unknown language 'fr'"),
])
def test_bad_arguments_give_one_line_errors(capsys, tmp_path, args, expected):
    code, _, err = _run(capsys, "brief", "--no-pdf", "--out", tmp_path, *args)
    assert code == 2
    assert expected in err and "Try:" in err and "Traceback" not in err
    assert not list(tmp_path.glob("*.html"))


def test_help_shows_an_example(capsys):
    code, out, _ = _run(capsys, "brief", "--help")
    assert code == 0 and "capcoop brief --provider CHN --partner ASEAN" in " ".join(out.split())
