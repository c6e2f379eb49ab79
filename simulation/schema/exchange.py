"""The ``[exchange]`` section (§3, §4.1): exchanges of data, models, money and trust."""

from __future__ import annotations

from pydantic import Field

from hetsim.simulation.schema.base import Probability, Section, Weight


class ExchangeSection(Section):
    """Exchanges of data, models, money and trust (§3, §4.1)."""

    data_sharing: bool = Field(True, description="communities may share data with entities")
    share_discount: Probability = Field(1.0, description="price waived for sharers")
    initial_trust: Probability = Field(
        0.5, description="trust of every community in every entity at the start (neutral)"
    )
    trust_learning_rate: Probability = Field(
        0.2, description="share of the gap to this step's satisfaction that trust moves (§3)"
    )
    word_of_mouth: Probability = Field(0.05, description="pull of trust toward reputation")
    sovereignty_terms: bool = Field(
        False, description="data is shared under the community's terms (§4.1 protocol)"
    )
    benefit_share: Probability = Field(
        0.5, description="share of data value returned to sovereign sharers"
    )
    consortium_facilitator: bool = Field(
        False, description="a facilitator lowers the expertise federated learning needs (§4.3)"
    )
    misuse_probability: Probability = Field(
        0.02, description="chance per step an entity misuses shared data (§3)"
    )
    compute_rent: float = Field(
        0.0004,
        gt=0.0,
        le=1e9,
        description="initial price of renting one unit of compute for a step: twice its cost "
        "(large_entities.compute_price × compute_depreciation), a provider's margin; the market "
        "moves it between that cost and the purchase price",
    )
    compute_rent_adjustment: Probability = Field(
        0.1,
        description="relative change of the rent per unit of relative excess demand (tâtonnement)",
    )
    rent_trust_floor: Probability = Field(
        0.3,
        description="trust below which a community will not let a provider's machines process "
        "its records (§2.2 compute market, §3 misuse): renting exposes the records to misuse "
        "like sharing them; one found misuse puts a provider trusted neutrally (0.5) below "
        "it (0.5 × misuse_trust_kept = 0.25)",
    )
    misuse_trust_kept: Probability = Field(
        0.5, description="share of its trust a community keeps in an entity that misused its data"
    )
    satisfaction_slope: Weight = Field(
        5.0,
        description="satisfaction gained per unit of value surplus (accuracy and gap against "
        "one's own thresholds): a surplus of 0.1 moves it from neutral 0.5 to 1",
    )
