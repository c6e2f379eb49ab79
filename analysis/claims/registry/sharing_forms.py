"""Claims of §4.1's privacy-preserving sharing: synthetic data, aggregates and secure training.

Each arm imposes one form on every community in the ``privacy_preserving_sharing`` world
(``communities.strategy``); the control is raw sharing with an entity on its terms, or the same
form under other terms. Each ablation is the form's own knockout (the records handed over
instead, or the overhead's fee made affordable), so a claim is reproduced only when its
mechanism, and not the arm's other differences, carries the effect.
"""

from __future__ import annotations

from hetsim.analysis.claims.model import Arm, Claim

WORLD = "privacy_preserving_sharing"
SHARE = Arm(WORLD, overrides=('communities.strategy="share"',))
SYNTHETIC = Arm(WORLD, overrides=('communities.strategy="synthetic"',))
AGGREGATE = Arm(WORLD, overrides=('communities.strategy="aggregate"',))
SECURE = Arm(WORLD, overrides=('communities.strategy="secure"',))
MENU = Arm(WORLD)  # communities choose: local, adopt, share and the three forms
NO_FORMS = Arm(WORLD, overrides=('communities.strategies=["local","adopt","share"]',))
# the forms cost a community as much exposure and control as handing its records over
AS_DEAR_AS_SHARING = tuple(
    f"strategy.{form}.{key}={value}"
    for form in ("synthetic", "aggregate", "secure")
    for key, value in (("privacy_cost", 0.5), ("sovereignty_loss", 1.0))
)
SECURE_HE = Arm(WORLD, overrides=('communities.strategy="secure"', "strategy.secure.overhead=1e5"))

CLAIMS: tuple[Claim, ...] = (
    Claim(
        id="synthetic_keeps_sovereignty",
        text="sharing synthetic data instead of records keeps data sovereignty",
        section="§4.1",
        source="privacy_preserving_sharing header; scripts/privacy_preserving_sharing.py",
        metric="data_sovereignty_mean",
        direction=1,
        treatment=SYNTHETIC,
        control=SHARE,
        ablation=('strategy.synthetic.samples="records"',),
        ablation_text="the community hands over its real records instead of samples",
    ),
    Claim(
        id="aggregate_keeps_sovereignty",
        text="sharing aggregate statistics instead of records keeps data sovereignty",
        section="§4.1",
        source="privacy_preserving_sharing header; scripts/privacy_preserving_sharing.py",
        metric="data_sovereignty_mean",
        direction=1,
        treatment=AGGREGATE,
        control=SHARE,
        ablation=('strategy.aggregate.fit_from="records"',),
        ablation_text="the records are handed over and the entity fits on them",
    ),
    Claim(
        id="aggregate_costs_accuracy",
        text="a model fitted from aggregate statistics is less accurate than one fitted on the "
        "records",
        section="§4.1",
        source="privacy_preserving_sharing header; scripts/privacy_preserving_sharing.py",
        metric="accuracy_mean",
        direction=-1,
        treatment=AGGREGATE,
        control=SHARE,
        ablation=('strategy.aggregate.fit_from="records"',),
        ablation_text="the entity fits its logistic model on the records the statistics summarise",
    ),
    Claim(
        id="private_sharing_draws_dependency",
        text="offering privacy-preserving sharing draws communities that trained their own "
        "models into dependency on entities",
        section="§4.1, §3",
        source="privacy_preserving_sharing header",
        metric="dependency_share",
        direction=1,
        treatment=MENU,
        control=NO_FORMS,
        ablation=AS_DEAR_AS_SHARING,
        ablation_text="the forms cost as much exposure and control as handing the records over",
    ),
    Claim(
        id="secure_unaffordable_at_he_overheads",
        text="at homomorphic-encryption overheads communities cannot afford secure training",
        section="§4.1",
        source="secure strategy docstring; scripts/privacy_preserving_sharing.py",
        metric="strategy_secure_share",
        direction=-1,
        treatment=SECURE_HE,
        control=SECURE,
        ablation=("communities.budget=1000000.0",),
        ablation_text="communities rich enough to pay any fee",
    ),
)
