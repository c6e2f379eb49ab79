"""The ``[learning]`` section (§4): regularisation, differential privacy, split learning, energy."""

from __future__ import annotations

from pydantic import Field

from hetsim.simulation.schema.base import Amount, Section


class LearningSection(Section):
    """Real training (§4): regularisation, scaling curve, cost."""

    l2: float = Field(1.0, gt=0.0, le=1e6, description="L2 penalty of every logistic model")
    max_iter: int = Field(25, ge=1, le=200, description="Newton steps a fit may take at most")
    warm_start: bool = Field(True, description="a fit starts from the model it retrains")
    capacity_compute: Amount = Field(
        6000.0,
        description="compute h buying half the model's capacity, κ = c / (c + h) (0: full "
        "capacity for all). κ's elasticity to compute, 1 - κ, is 0.5 at c = h, the exponent of "
        "compute-optimal model size (Hoffmann et al. 2022, N ∝ C^0.50); h sits at the compute "
        "that trains on a full entity pool (large_entities.pool_size, 6,000 records). "
        "docs/scaling.md sweeps it",
    )
    dp_iterations: int = Field(30, ge=1, le=1000, description="noisy gradient steps of DP fits")
    dp_clip: float = Field(1.0, gt=0.0, le=1e6, description="per-record gradient clipping norm")
    dp_delta: float = Field(
        1e-5, gt=0.0, lt=1.0, description="δ of the (ε, δ) guarantee, below 1 / records"
    )
    dp_sampling_rate: float = Field(
        1.0,
        gt=0.0,
        le=1.0,
        description="Poisson sampling rate of each DP step (1: full-batch DP-GD; Abadi et al. "
        "2016 sample lots of about 1% of the records)",
    )
    kwh_per_gflop: Amount = Field(
        1.0e-9,
        description="energy per GFLOP of training and inference: an A100 (400 W, 312 dense "
        "TFLOP/s) at 40% model FLOP utilisation (Chowdhery et al. 2022) in a data centre of "
        "PUE 1.1 (Patterson et al. 2021): 400 / (0.4 × 312e12) × 1.1 J/FLOP ≈ 1.0e-9 kWh/GFLOP",
    )
    split_hidden: int = Field(
        8, ge=1, le=256, description="width of the cut layer of split networks (§4.3)"
    )
    split_epochs: int = Field(
        20, ge=1, le=1000, description="split-learning rounds (forward + backward) per step"
    )
    split_learning_rate: float = Field(
        0.5, gt=0.0, le=10.0, description="gradient step of split learning"
    )
