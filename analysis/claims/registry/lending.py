"""Claims from Liu et al. 2018 (delayed impact of fair lending), outside the paper's sections."""

from __future__ import annotations

from hetsim.analysis.claims.model import Arm, Claim

CLAIMS: tuple[Claim, ...] = (
    Claim(
        id="equal_opportunity_lowers_repayment",
        text="equal opportunity lowers the disadvantaged group's repayment over time",
        section="Liu et al. 2018",
        source="README; lending_delayed_impact header",
        metric="lending_repayment_gap",
        direction=1,
        treatment=Arm(
            "lending_delayed_impact",
            overrides=('lending.policy_source="fixed"', 'lending.policy="equal_opportunity"'),
        ),
        control=Arm("lending_delayed_impact", overrides=('lending.policy_source="fixed"',)),
        ablation=("lending.shift_increment=0.0",),
        ablation_text="no delayed impact: repaying or defaulting does not move scores",
    ),
)
