"""`hetsim rank`: every shipped intervention compared with the baseline, ranked per outcome."""

from __future__ import annotations

import pandas as pd


def test_rank_compares_every_shipped_intervention_and_orders_them_by_effect(tmp_path):
    from hetsim import api

    result = api.rank(
        "status_quo", seeds=2, steps=3, set=["communities.count=6"], out=tmp_path / "r", workers=1
    )
    assert result.exit_code == 0
    table = pd.read_csv(tmp_path / "r" / "ranking.csv")
    assert set(table["intervention"]) == set(api.list_interventions())
    comparison = pd.read_csv(tmp_path / "r" / "comparison.csv")
    primary = comparison[
        (comparison["window"] == "last10pct") & (comparison["outcome"] == "primary")
    ]
    assert list(dict.fromkeys(table["metric"])) == list(dict.fromkeys(primary["metric"]))
    for metric, part in table.groupby("metric"):
        assert part["diff_mean"].is_monotonic_decreasing, metric  # largest increase first
        assert list(part["rank"]) == list(range(1, len(part) + 1))
        # the effects and intervals are the paired comparison's, row for row
        same = primary[primary["metric"] == metric].set_index("intervention")
        mine = part.set_index("intervention")
        pd.testing.assert_series_equal(
            mine["diff_ci_low"].sort_index(), same["diff_ci_low"].sort_index()
        )
    assert (tmp_path / "r" / "ranking.png").exists()
    assert (tmp_path / "r" / "report.html").exists()  # compare's own report, too


def test_rank_refuses_bad_input_with_exit_2(tmp_path, capsys):
    from hetsim.cli import main

    assert main(["rank", "status_quo", "--seeds", "0", "--out", str(tmp_path / "r")]) == 2
    assert "--seeds" in capsys.readouterr().err
