"""§2.4.1 Decisions that change people: does a fair lending policy help the group it protects?

Question. Liu et al. (2018, "Delayed Impact of Fair Machine Learning") show that a fairness
constraint on a lender can help or harm the disadvantaged group over time, depending on where
the constrained bar sits against the point above which a loan raises a borrower's expected
credit score: demographic parity can cause active harm where equal opportunity or the profit
maximiser do not. Does the same hold inside the ecosystem, where each community lends with
the model it deploys and loans move its own people's credit scores and data?

Set-up. The `lending_delayed_impact` world (40 communities, 10 applicants a quarter each, 40
quarters), every lender under one fixed policy: the profit maximiser (`max_utility`),
`demographic_parity` or `equal_opportunity`, and, as a fourth arm, each community's own
notion. Repaying raises a borrower's score by 0.75 sd, defaulting lowers it by 1.5 sd (Liu et
al. §6: +75 / -150 FICO points), so a loan improves the borrower in expectation only above a
repayment probability of 2/3. Two utilities: interest 1.0 (ml-fairness-gym's experiments:
the lender breaks even at 1/2, below that point) and interest 0.25 (Liu et al. §6's loss
four times the gain: break-even at 4/5, above it). Seeds are paired across arms.

What to look for. `credit_change` of group a = 1 (the minority, with the merit deficit):
below zero is active harm. With Liu's utility every policy should leave it above zero and
the constrained policies lend more to it; with break-even below the improvement point every
policy harms it, the constrained ones most.

Run:  python scenarios/scripts/lending_delayed_impact.py results/lending  [--fast]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import stats

import hetsim

SCENARIO = "lending_delayed_impact"
ARMS = {
    "max_utility": ['lending.policy_source="fixed"', 'lending.policy="max_utility"'],
    "demographic_parity": ['lending.policy_source="fixed"', 'lending.policy="demographic_parity"'],
    "equal_opportunity": ['lending.policy_source="fixed"', 'lending.policy="equal_opportunity"'],
    "own_notion": ['lending.policy_source="community"'],
}
UTILITIES = {"interest 1.0 (ml-fairness-gym)": 1.0, "interest 0.25 (Liu et al. §6)": 0.25}
FULL = {"seeds": 12, "steps": 40, "set": []}
FAST = {"seeds": 2, "steps": 4, "set": ["communities.count=8", "annotators.count=8"]}
GROUPS = {0: "majority", 1: "minority"}


def one_run(overrides: list[str], seed: int, steps: int) -> list[dict]:
    """Per group: credit-score change over the run, approval and default rates."""
    lending = hetsim.run(SCENARIO, seed=seed, steps=steps, set=overrides).lending
    last = lending[lending["step"] == lending["step"].max()]
    rows = []
    for group in GROUPS:
        mine = lending[lending["group"] == group]
        loans = mine["loans"].sum()
        rows.append(
            {
                "group": group,
                "credit_change": last.loc[last["group"] == group, "credit_score"].mean(),
                "approval_rate": loans / max(mine["applicants"].sum(), 1),
                "default_rate": mine["defaulted"].sum() / loans if loans else np.nan,
            }
        )
    return rows


def summarise(runs: pd.DataFrame) -> pd.DataFrame:
    """Means over seeds with 95% t-intervals of the credit change and of its paired difference
    from max_utility on the same seed, per utility × arm × group."""
    out = []
    for (utility, arm, group), part in runs.groupby(["utility", "arm", "group"], sort=False):
        change = part["credit_change"].to_numpy()
        half = stats.t.ppf(0.975, len(change) - 1) * stats.sem(change) if len(change) > 1 else 0
        baseline = runs[
            (runs["utility"] == utility) & (runs["arm"] == "max_utility") & (runs["group"] == group)
        ].set_index("seed")["credit_change"]
        paired = part.set_index("seed")["credit_change"] - baseline
        spread = stats.sem(paired) if len(paired) > 1 and paired.std() > 0 else 0.0
        paired_half = stats.t.ppf(0.975, max(len(paired) - 1, 1)) * spread
        out.append(
            {
                "utility": utility,
                "arm": arm,
                "group": GROUPS[group],
                "credit_change": change.mean(),
                "ci_low": change.mean() - half,
                "ci_high": change.mean() + half,
                "vs_max_utility": paired.mean(),
                "vs_ci_low": paired.mean() - paired_half,
                "vs_ci_high": paired.mean() + paired_half,
                "approval_rate": part["approval_rate"].mean(),
                "default_rate": part["default_rate"].mean(),
                "seeds": len(change),
            }
        )
    return pd.DataFrame(out)


def plot(table: pd.DataFrame, path: Path) -> None:
    """Mean credit-score change by group and policy, one panel per utility."""
    fig, axes = plt.subplots(1, len(UTILITIES), figsize=(11, 4), sharey=False)
    for ax, utility in zip(np.atleast_1d(axes), UTILITIES, strict=True):
        part = table[table["utility"] == utility]
        x = np.arange(len(ARMS))
        for offset, name in ((-0.2, "majority"), (0.2, "minority")):
            rows = part[part["group"] == name].set_index("arm").loc[list(ARMS)]
            err = [rows["credit_change"] - rows["ci_low"], rows["ci_high"] - rows["credit_change"]]
            ax.bar(x + offset, rows["credit_change"], 0.4, yerr=err, label=name, capsize=3)
        ax.axhline(0.0, color="black", linewidth=0.8)
        ax.set_xticks(x, [arm.replace("_", "\n") for arm in ARMS])
        ax.set_title(utility)
        ax.set_ylabel("credit-score change over the run (sd)")
    np.atleast_1d(axes)[0].legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(out: Path, fast: bool = False) -> pd.DataFrame:
    """Run every arm on paired seeds; write lending_delayed_impact.png and .csv into ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    size = FAST if fast else FULL
    rows = []
    for utility, rate in UTILITIES.items():
        for arm, overrides in ARMS.items():
            for seed in range(size["seeds"]):
                chosen = [*size["set"], f"lending.interest_rate={rate}", *overrides]
                for row in one_run(chosen, seed, size["steps"]):
                    rows.append({"utility": utility, "arm": arm, "seed": seed, **row})
    table = summarise(pd.DataFrame(rows))
    plot(table, out / "lending_delayed_impact.png")
    table.to_csv(out / "lending_delayed_impact.csv", index=False)
    return table


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--fast", action="store_true")
    args = parser.parse_args()
    print(main(args.out, args.fast).to_string(index=False))
