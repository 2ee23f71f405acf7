"""UNDP Vaccine Equity: latest and history layouts, the real files' figures, rejected copies."""

import datetime as dt

import pytest

from capcoop.errors import SourceFormatError
from capcoop.services.ingest import ingest_files
from capcoop.sources import undp_vaccines
from capcoop.warehouse.connection import open_reader
from shared_data import shared_data

FOLDER = ("vaccines", "undp_vaccine_equity")
HISTORY_HEADER = ",".join(undp_vaccines._HISTORY_COLUMNS) + "\n"


def _history(tmp_path, *rows):
    path = tmp_path / "Data_history_snapshots_long.csv"
    path.write_text(HISTORY_HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def _row(date="2022-03-23", iso3="VNM", delivered="100", secured="250.5", pop="1000"):
    # commit_date,commit,countryname,iso3,vaccinesdelivered,total_donations,total_vaccinations,
    # persons_1plus,persons_fully,boosters,vaccines_used,n_types,first_date,secured,donationsoftotal,
    # deliveredpopulation,utilrate_lag,pop_total,population
    return (f"{date},abc,Name,{iso3},{delivered},10,90,60,50,,\"A,B\",2,01jan2021,{secured},10,"
            f"10,90,{pop},1001")


def _values(parsed):
    frame = parsed.batches[0].data
    return {(r.country, r.date.isoformat(), r.indicator): r.value for r in frame.itertuples()}


def test_history_rows_are_long_and_dated(tmp_path):
    parsed = undp_vaccines.parse(_history(tmp_path, _row(), _row("2022-04-01", delivered="120"),
                                          _row(iso3="WBG"), _row(iso3="XAA"), _row(iso3="")))
    values = _values(parsed)
    assert values[("VNM", "2022-03-23", "doses_delivered")] == 100
    assert values[("VNM", "2022-04-01", "doses_delivered")] == 120
    assert values[("VNM", "2022-03-23", "doses_secured_per100")] == 250.5
    assert values[("VNM", "2022-03-23", "population")] == 1000  # pop_total, not population
    assert ("PSE", "2022-03-23", "people_fully_vaccinated") in values  # WBG is Palestine
    assert not any(k[0] == "BES" for k in values)  # Bonaire skipped
    assert ("VNM", "2022-03-23", "boosters") not in values  # blank: no row
    assert parsed.parameters["skipped_rows"] == 1


def test_same_day_snapshots_keep_the_later(tmp_path):
    parsed = undp_vaccines.parse(_history(tmp_path, _row(delivered="1"), _row(delivered="2")))
    assert _values(parsed)[("VNM", "2022-03-23", "doses_delivered")] == 2
    assert parsed.parameters["same_day_repeats_dropped"] == 1


@pytest.mark.parametrize(("row", "message"), [
    (_row(delivered="-5"), "negative"),
    (_row(delivered="many"), "not a number"),
    (_row(iso3="QQQ"), "unknown country code 'QQQ'"),
    (_row(date="23/03/2022"), "not a date"),
])
def test_bad_rows_are_rejected_with_their_line(tmp_path, row, message):
    with pytest.raises(SourceFormatError, match=message) as info:
        undp_vaccines.parse(_history(tmp_path, _row("2022-01-01"), row))
    assert "line 3" in str(info.value)


def test_latest_file_needs_a_date_in_its_name(tmp_path):
    path = tmp_path / "Data.csv"
    path.write_text("countryname,iso3\nViet Nam,VNM\n", encoding="utf-8")
    with pytest.raises(SourceFormatError, match="header|column"):
        undp_vaccines.parse(path)
    with pytest.raises(SourceFormatError, match="no snapshot date"):
        undp_vaccines.snapshot_date(path)
    assert undp_vaccines.snapshot_date("Data_latest_2023-11-15.csv") == dt.date(2023, 11, 15)


def test_fetch_names_the_download_with_its_date(tmp_path):
    body = b"countryname,iso3\n"
    path = undp_vaccines.fetch(cache_dir=tmp_path, transport=lambda url: body,
                               today=dt.date(2024, 1, 2))
    assert path.name == "Data_latest_2024-01-02.csv" and path.read_bytes() == body


def test_real_latest_file_matches_provenance():
    path = shared_data(*FOLDER, "Data_latest_2023-11-15.csv")
    values = _values(undp_vaccines.parse(path))
    # PROVENANCE.md: VNM 292.8 M delivered, 39.6 M donated; KHM 50.7 M / 18.7 M; SGP donated 0;
    # CHN 3.84 bn delivered.
    assert values[("VNM", "2023-11-15", "doses_delivered")] == 292_825_728
    assert values[("VNM", "2023-11-15", "doses_donated")] == 39_563_360
    assert values[("KHM", "2023-11-15", "doses_delivered")] == 50_730_495
    assert values[("SGP", "2023-11-15", "doses_donated")] == 0
    assert values[("CHN", "2023-11-15", "doses_delivered")] == 3_840_184_700
    fully = values[("VNM", "2023-11-15", "people_fully_vaccinated")]
    pop = values[("VNM", "2023-11-15", "population")]
    assert 100 * fully / pop == pytest.approx(88.311996, abs=1e-4)  # the file's per-100 figure


def test_real_history_loads_idempotently(tmp_path):
    folder = shared_data(*FOLDER)
    db = tmp_path / "w.duckdb"
    first = ingest_files("undp-vaccines", [folder], warehouse=db)[0].result
    again = ingest_files("undp-vaccines", [folder], warehouse=db)[0].result
    assert first.status == "loaded" and again.status == "unchanged"
    with open_reader(db) as (con, _):
        dates, countries, last = con.execute(
            "SELECT count(DISTINCT date), count(DISTINCT country), max(date) "
            "FROM vaccine_supplies").fetchone()
        vnm = con.execute("SELECT arg_max(value, date) FROM vaccine_supplies WHERE country='VNM' "
                          "AND indicator='doses_delivered' AND date <= '2022-12-31'").fetchone()[0]
    assert (dates, last) == (83, dt.date(2023, 11, 15))
    assert countries == 236  # 254 codes less BES parts and territories with no figures
    assert vnm == 280_743_228  # the 2022-08-31 .. 2023-03-01 snapshots
