"""Trade-monitor numerics: known answers, invariants (Hypothesis) and the data-gap rules."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from capcoop.analytics.trade import (
    INTRA,
    WORLD,
    Period,
    add_flow_components,
    cagr_pct,
    change_phrase,
    flow_table,
    format_usd,
    missing_months,
    money_values,
    ordinal,
    parse_period,
    partner_units,
    pct_change,
    period_gaps,
    prefer_stored_mirror,
    rank_partners,
    rank_phrase,
    rank_within,
    share_pct,
    shares_pct,
    streak,
    sum_complete_periods,
    top_movers,
    world_totals,
)
from capcoop.errors import InputError

values = st.floats(min_value=0.0, max_value=1e12, allow_nan=False)
positive = st.floats(min_value=1e-3, max_value=1e12, allow_nan=False)


# --- periods ------------------------------------------------------------------------------------


def test_periods_label_describe_and_shift():
    ytd = parse_period(2021, "1-8")
    assert (ytd.kind, ytd.label, ytd.months) == ("months", "2021-01..2021-08", tuple(range(1, 9)))
    assert ytd.describe() == "January\u2013August 2021"
    assert ytd.describe("zh") == "2021年1—8月"
    assert ytd.previous() == Period(2020, 1, 8)
    assert parse_period(2021, "8").label == "2021-08"
    assert parse_period(2020).label == "2020" and parse_period(2020).months == tuple(range(1, 13))
    assert Period(2020, 1, 10).membership_month == 10


@pytest.mark.parametrize("year, months, quoted", [
    (2020, "13", "13"), (2020, "8-1", "8"), (2020, "Jan", "Jan"), (1800, None, "1800"),
    (2020, "0-3", "0"),
])
def test_bad_periods_are_input_errors_quoting_the_value(year, months, quoted):
    with pytest.raises(InputError) as err:
        parse_period(year, months)
    assert quoted in str(err.value)


# --- growth, CAGR, shares -------------------------------------------------------------------------


def test_known_answers():
    # China-ASEAN trade, IMF DOTS as China reports it: 641,955.3 (2019) -> 686,866.5 (2020) US$ mn
    assert pct_change(686_866.5, 641_955.3) == pytest.approx(6.996, abs=1e-3)
    assert cagr_pct(100.0, 200.0, 10) == pytest.approx(7.1773, abs=1e-4)  # 2 ** 0.1 - 1
    assert share_pct(686_866.5, 4_658_282.1) == pytest.approx(14.745, abs=1e-3)
    assert pct_change(5.0, 0.0) is None and pct_change(None, 3.0) is None
    assert cagr_pct(0.0, 5.0, 3) is None and share_pct(1.0, 0.0) is None


@given(first=positive, growth=st.floats(min_value=-90, max_value=500), years=st.integers(1, 40))
def test_cagr_compounds_back_to_the_last_value(first, growth, years):
    last = first * (1 + growth / 100) ** years
    rate = cagr_pct(first, last, years)
    assert first * (1 + rate / 100) ** years == pytest.approx(last, rel=1e-9)


@given(st.lists(values, min_size=1, max_size=30))
def test_shares_sum_to_100(items):
    shares = shares_pct(pd.Series(items))
    if sum(items) > 0:
        assert shares.sum() == pytest.approx(100.0)
    else:
        assert shares.isna().all()


@given(previous=positive, current=values)
def test_pct_change_inverts(previous, current):
    change = pct_change(current, previous)
    assert previous * (1 + change / 100) == pytest.approx(current, rel=1e-9, abs=previous * 1e-12)


def test_flow_table_totals_and_balance():
    long = pd.DataFrame({"partner": ["A", "A", "B", "B", "C"], "flow": ["X", "M", "X", "XD", "M"],
                         "value": [3.0, 1.0, 2.0, 99.0, 5.0]})
    table = flow_table(long, ["partner"]).set_index("partner")
    assert table.loc["A"].tolist() == [3.0, 1.0, 4.0, 2.0]
    assert table.loc["C"].tolist() == [0.0, 5.0, 5.0, -5.0]  # no X row: no declared exports
    assert table.loc["B", "total"] == 2.0  # components (XD) are never added to X


# --- ranks and streaks ----------------------------------------------------------------------------


def test_ties_share_the_best_rank():
    table = pd.DataFrame({"partner": ["D", "C", "B", "A"], "total": [1.0, 5.0, 5.0, 9.0]})
    ranked = rank_partners(table)
    assert ranked[["partner", "rank", "tied"]].values.tolist() == [
        ["A", 1, False], ["B", 2, True], ["C", 2, True], ["D", 4, False]]
    with pytest.raises(InputError, match="'volume'"):
        rank_partners(table, by="volume")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 20), min_size=1, max_size=25), st.randoms(use_true_random=False))
def test_ranking_ignores_row_order_and_rank_within_agrees(numbers, rnd):
    table = pd.DataFrame({"partner": [f"P{i:02d}" for i in range(len(numbers))],
                          "total": [float(n) for n in numbers]})
    shuffled = table.sample(frac=1.0, random_state=rnd.randint(0, 10_000))
    a, b = rank_partners(table), rank_partners(shuffled)
    assert a[["partner", "rank"]].values.tolist() == b[["partner", "rank"]].values.tolist()
    for _, row in a.iterrows():  # rank = 1 + number of strictly larger values
        assert row["rank"] == 1 + sum(n > row["total"] for n in numbers)
    two = pd.concat([table.assign(year=2019), shuffled.assign(year=2020)])
    within = rank_within(two, by="total", group="year", key="partner")
    assert within[within["year"] == 2020][["partner", "rank"]].values.tolist() == \
        a[["partner", "rank"]].values.tolist()


def test_streak_known_cases():
    ranks = {2008: 2, 2009: 1, 2010: 1, 2011: 1, 2012: 1}
    run = streak(ranks, end=2012)
    assert (run.length, run.since, run.stopped_by, run.at_least) == (4, 2009, "condition", False)
    assert streak(ranks, end=2008).length == 0
    assert streak({2018: 1, 2019: 1, 2020: 1}, end=2020).stopped_by == "data start"
    gap = streak({2015: 1, 2017: 1, 2018: 1}, end=2018)
    assert (gap.length, gap.since, gap.stopped_by) == (2, 2017, "missing")
    assert streak({2019: 2, 2020: 2}, end=2020, rank=2).length == 2
    assert streak({2019: 1}, end=2020).stopped_by == "missing"


@given(st.lists(st.sampled_from([1, 2, 3, None]), min_size=1, max_size=30))
def test_streak_counts_the_trailing_run(ranks_list):
    ranks = {2000 + i: r for i, r in enumerate(ranks_list)}
    end = 2000 + len(ranks_list) - 1
    expected = 0
    for r in reversed(ranks_list):
        if r != 1:
            break
        expected += 1
    run = streak(ranks, end=end)
    assert run.length == expected
    assert run.since == (end - expected + 1 if expected else None)


def test_missing_months_and_movers():
    assert missing_months([1, 2, 3, 5], Period(2021, 1, 5)) == (4,)
    assert missing_months(range(1, 13), Period(2021)) == ()
    movers = top_movers(pd.Series({"a": 10.0, "b": 1.0}), pd.Series({"a": 4.0, "c": 9.0}), 2)
    assert movers["item"].tolist() == ["c", "a"]
    assert movers.loc[0, "change"] == -9.0 and movers.loc[1, "change_pct"] == pytest.approx(150.0)


# --- partner units and world totals -----------------------------------------------------------


def _values(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["year", "subject", "counterpart", "flow", "value"])
    return frame.assign(estimates=0.0, rows=1)


KINDS = {"WLD": "aggregate", "AGG_EU": "aggregate", "BLOC": "bloc"}


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(st.sampled_from(["AAA", "BBB", "CCC", "DDD", "EEE"]),
                       st.tuples(values, values), min_size=1))
def test_bloc_total_is_the_sum_of_its_members_and_aggregates_are_not_added(trade):
    rows = [(2020, "SUB", c, f, v) for c, (x, m) in trade.items() for f, v in (("X", x), ("M", m))]
    x_sum, m_sum = sum(x for x, _ in trade.values()), sum(m for _, m in trade.values())
    rows += [(2020, "SUB", "AGG_EU", "X", x_sum), (2020, "SUB", WORLD, "X", x_sum),
             (2020, "SUB", WORLD, "M", m_sum)]
    own = pd.DataFrame({"year": [2020], "subject": ["SUB"]})
    bloc = {"AAA", "BBB"}
    units = pd.DataFrame([(2020, c, "BLOC") for c in sorted(bloc)], columns=["year", "counterpart", "unit"])
    table = partner_units(_values(rows), own, units, KINDS).set_index("unit")
    members = [trade[c] for c in bloc if c in trade]
    if members:
        assert table.loc["BLOC", "exports"] == pytest.approx(sum(x for x, _ in members))
        assert table.loc["BLOC", "kind"] == "bloc"
    ranked = table[table["kind"].isin(["country", "bloc"])]
    assert ranked["total"].sum() == pytest.approx(x_sum + m_sum)
    world = world_totals(_values(rows), own, KINDS).iloc[0]
    assert world["declared"] and world["total"] == pytest.approx(x_sum + m_sum)
    assert world["partner_sum"] == pytest.approx(ranked["total"].sum())  # shares sum to 100


def test_bloc_subject_excludes_intra_trade_from_partners_and_world():
    # members A and B; A trades 10 with B (intra), 5 with C; B declares no World row
    rows = [(2020, "A", "B", "X", 10.0), (2020, "A", "C", "X", 5.0), (2020, "A", WORLD, "X", 15.0),
            (2020, "B", "A", "M", 9.0), (2020, "B", "C", "M", 4.0)]
    own = pd.DataFrame({"year": [2020, 2020], "subject": ["A", "B"]})
    units = pd.DataFrame([(2020, "A", INTRA), (2020, "B", INTRA)], columns=["year", "counterpart", "unit"])
    table = partner_units(_values(rows), own, units, KINDS).set_index("unit")
    assert table.loc["C", ["exports", "imports"]].tolist() == [5.0, 4.0]
    assert table.loc[INTRA, "kind"] == "intra"
    world = world_totals(_values(rows), own, KINDS).iloc[0]
    # A: WLD 15 - intra 10 = 5 exports; B: no WLD row, sum over countries outside = 4 imports
    assert (world["exports"], world["imports"], bool(world["declared"])) == (5.0, 4.0, False)


# --- raw sums to period values --------------------------------------------------------------------


def _raw(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["year", "month", "subject", "counterpart", "flow", "basis",
                                        "value_usd", "value_local", "currency"])
    return frame.assign(currency_min=frame["currency"], rows=1,
                        usd_rows=frame["value_usd"].notna().astype(int),
                        estimates=0)


def test_components_stored_mirror_and_currency():
    raw = _raw([(2021, 1, "SGP", "CHN", "XD", "reported", None, 2.0, "SGD"),
                (2021, 1, "SGP", "CHN", "XR", "reported", None, 3.0, "SGD"),
                (2021, 1, "SGP", "USA", "X", "reported", None, 7.0, "SGD"),
                (2021, 1, "SGP", "USA", "XD", "reported", None, 1.0, "SGD")])
    valued, currency, notes = money_values(raw)
    assert currency == "SGD" and "SGD" in notes[0]
    flows = add_flow_components(valued).groupby(["counterpart", "flow"])["value"].sum()
    assert flows[("CHN", "X")] == 5.0 and flows[("USA", "X")] == 7.0  # XD+XR only without X
    both = _raw([(2020, 0, "CHN", WORLD, "X", "reported", 9.0, None, "USD"),
                 (2020, 0, "CHN", WORLD, "X", "mirror", 8.0, None, "USD"),
                 (2020, 0, "CHN", "VNM", "X", "reported", 1.0, None, "USD")])
    kept = prefer_stored_mirror(both)
    assert sorted(kept["value_usd"]) == [1.0, 8.0]


def test_months_missing_are_never_summed():
    raw = _raw([(2021, m, "SGP", "CHN", "M", "reported", float(m), None, "USD") for m in (1, 2, 3)]
               + [(2021, 1, "MYS", "CHN", "M", "reported", 100.0, None, "USD")])
    raw["value"] = raw["value_usd"]
    no_data, gaps = period_gaps(raw, {2021: frozenset({"SGP", "MYS", "BRN"})}, {2021: (1, 2, 3)})
    assert no_data[2021] == frozenset({"BRN"}) and gaps[2021] == {"MYS": (2, 3)}
    summed = sum_complete_periods(raw, gaps)
    assert summed["subject"].tolist() == ["SGP"] and summed["value"].tolist() == [6.0]


# --- words --------------------------------------------------------------------------------------


def test_statement_words():
    assert format_usd(686_866_457_480.0) == "$686.9 billion"
    assert format_usd(686_866_457_480.0, "zh") == "6869亿美元"
    assert format_usd(4.658e12) == "$4.66 trillion" and format_usd(4.658e12, "zh") == "4.66万亿美元"
    assert format_usd(None) == "n/a"
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 112)] == \
        ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "112th"]
    assert rank_phrase(1) == "largest" and rank_phrase(2) == "second-largest"
    assert rank_phrase(12) == "12th-largest"
    assert [rank_phrase(n, "zh") for n in (1, 2, 10, 12, 20)] == \
        ["第一大", "第二大", "第十大", "第十二大", "第二十大"]
    assert change_phrase(6.996) == "up 7.0% year on year"
    assert change_phrase(-3.25, "zh") == "同比下降3.2%" or change_phrase(-3.25, "zh") == "同比下降3.3%"
    assert not math.isnan(len(change_phrase(None)))
