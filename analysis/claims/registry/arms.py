"""The arms and ablations several sections' claims share (one definition each)."""

from __future__ import annotations

from hetsim.analysis.claims.model import Arm

SQ = Arm("status_quo")
NO_SHARING = Arm("status_quo", overrides=("exchange.data_sharing=false",))
PATCHWORK = Arm("regulatory_patchwork")
PRIVACY = Arm("privacy_fairness")
NO_DP = Arm("privacy_fairness", overrides=("communities.values.local_epsilon=inf",))
PRETRAINED = Arm("pretrained_adaptation")
ANNOTATION = Arm("annotation_mismatch")

# The scaling race (§2.2, §3): entities turn revenue into compute, which depreciates. Switched
# off, an entity keeps the compute it started with.
NO_SCALING = ("large_entities.invest_fraction=0.0", "large_entities.compute_depreciation=0.0")
NO_SCALING_TEXT = "no scaling race: entities neither invest in compute nor lose it"
# A refugee influx early enough that reduced runs see many steps after it (the scenario file
# has it at step 40 of 100).
EARLY_INFLUX = (
    'data.shocks=[{step = 10, kind = "group_share", fraction = 0.5, size = 0.5}, '
    '{step = 10, kind = "covariate", fraction = 0.5, size = -0.3}]',
)
# Fairness washing as a decision (§3), switched off: a fixed propensity to wash.
FIXED_WASHING = ('large_entities.washing_rule="fixed"',)
FIXED_WASHING_TEXT = "washing is a fixed propensity, not a decision weighing expected sanctions"
