"""``capcoop serve``: loopback by default, a warning elsewhere, the warehouse checked first."""

from __future__ import annotations

import pytest

from capcoop.cli import main
from capcoop.cli.serve import is_loopback
from capcoop.warehouse.connection import demo_warehouse_path


@pytest.fixture
def runs(monkeypatch):
    """Capture uvicorn.run instead of serving."""
    import uvicorn

    calls: list[tuple[tuple, dict]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: calls.append((a, k)))
    monkeypatch.delenv("CAPCOOP_API_TOKEN", raising=False)
    monkeypatch.setenv("CAPCOOP_WAREHOUSE", "")  # recorded, so serve's own setting is undone
    monkeypatch.delenv("CAPCOOP_WAREHOUSE")
    return calls


@pytest.mark.parametrize("host, expected", [("127.0.0.1", True), ("localhost", True),
                                            ("::1", True), ("[::1]", True), ("127.0.0.2", True),
                                            ("0.0.0.0", False), ("192.168.1.5", False),
                                            ("example.org", False), ("::", False)])
def test_is_loopback(host, expected):
    assert is_loopback(host) is expected


def test_serve_binds_to_loopback_by_default(runs, capsys, monkeypatch):
    assert main.run(["serve", "--warehouse", str(demo_warehouse_path())]) == 0
    (args, kwargs), = runs
    assert args == ("capcoop.api.app:create_app",) and kwargs["factory"] is True
    assert kwargs["host"] == "127.0.0.1" and kwargs["port"] == 8000 and kwargs["workers"] == 1
    err = capsys.readouterr().err
    assert "warning" not in err and "demo" in err and "CAPCOOP_API_TOKEN" in err
    import os

    assert os.environ["CAPCOOP_WAREHOUSE"] == str(demo_warehouse_path())


def test_serve_warns_when_binding_elsewhere(runs, capsys):
    assert main.run(["serve", "--host", "0.0.0.0", "--port", "9001",
                     "--warehouse", str(demo_warehouse_path())]) == 0
    assert runs[0][1]["host"] == "0.0.0.0" and runs[0][1]["port"] == 9001
    err = capsys.readouterr().err
    assert "warning" in err and "0.0.0.0" in err and "--host 127.0.0.1" in err


def test_serve_says_when_writes_are_enabled(runs, capsys, monkeypatch):
    monkeypatch.setenv("CAPCOOP_API_TOKEN", "secret")
    assert main.run(["serve", "--warehouse", str(demo_warehouse_path())]) == 0
    err = capsys.readouterr().err
    assert "writes enabled" in err and "secret" not in err


def test_serve_refuses_a_missing_warehouse_before_starting(runs, capsys, tmp_path):
    assert main.run(["serve", "--warehouse", str(tmp_path / "none.duckdb")]) == 2
    assert runs == [] and "none.duckdb" in capsys.readouterr().err


def test_serve_help_has_an_example(capsys):
    main.run(["serve", "--help"])
    assert "Example: capcoop serve" in capsys.readouterr().out
