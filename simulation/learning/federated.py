"""Federated averaging for consortia of communities (FedAvg with a proximal local solver).

Stages paper §4.3 (collaborative training): collaborators keep their data local and a central
aggregator builds the shared model "on the simple aggregation of collaborators learning
parameters. Therefore, the final model does not necessarily guarantee the best performance for
all collaborators especially in light of their data and embedded value heterogeneity."
(McMahan et al. 2017; the proximal local objective is FedProx, Li et al. 2020.)

One round, for every consortium at once:

1. the server sends its global model ``(W, b)`` to the consortium's clients;
2. each client minimises its local objective, starting from the global model,
   ``sum_i s_i logloss_i(w, c) + 0.5 * local_l2 * ||w - W||^2 + 0.5 * l2 * (n_j / N) ||w||^2``
   with a few (``local_steps``) Newton steps of :func:`simulation.learning.logistic.fit_logistic`
   (``prior`` = the pull centre, ``coef_init`` = ``W``, ``intercept_init`` = ``b``).  The
   proximal term (FedProx) keeps small clients from running away from the global model; the
   optional ridge ``l2`` is split across clients by sample share ``n_j / N`` so that the
   consortium's summed objective carries exactly ``0.5 * l2 * ||w||^2``.  Both quadratic
   terms combine into one centred penalty: ``l2_eff = local_l2 + l2 n_j/N`` centred at
   ``local_l2 W / l2_eff``;
3. the server averages the clients' weights and intercepts, weighted by each client's sample
   count (sum of its row weights).

All clients of all consortia are fitted in **one** ``fit_logistic`` call per round (a client
belonging to several consortia appears once per consortium).  When clients are IID and rounds
are many, the fixed point approaches the centralised fit on the pooled data, up to FedProx's
known client-drift bias (local optima differ from the global one; the bias shrinks as
``local_l2`` grows and the intercept, which ``fit_logistic`` does not pull, adds a little);
when a client's concept differs, the average serves the typical members and fails the outlier
(§4.3).

Randomness (optional) is used only for partial participation: with ``participation < 1`` each
client takes part in a round with that probability, drawn from the ``rng`` passed in.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from hetsim.simulation.learning.logistic import FitResult, fit_logistic

__all__ = ["FedAvgResult", "fedavg"]


class FedAvgResult(NamedTuple):
    """Outcome of :func:`fedavg`; unpacks as ``coef, intercept, local``.

    Attributes:
        coef: ``(n_consortia, d)`` global weights.
        intercept: ``(n_consortia,)`` global intercepts.
        local: The last round's local fits, one row per (consortium, client) pair in the
            order of ``members`` concatenated; ``local.coef`` is ``(n_pairs, d)``.
    """

    coef: np.ndarray
    intercept: np.ndarray
    local: FitResult


def fedavg(
    X: np.ndarray,
    y: np.ndarray,
    weight: np.ndarray,
    members: list[np.ndarray],
    rounds: int,
    local_l2: float,
    rng: np.random.Generator | None = None,
    coef_init: np.ndarray | None = None,
    intercept_init: np.ndarray | None = None,
    l2: float = 0.0,
    local_steps: int = 3,
    participation: float = 1.0,
) -> FedAvgResult:
    """Run ``rounds`` of FedAvg (FedProx local solver) for several consortia at once.

    Args:
        X: ``(C, n, d)`` every client's features (padded rows have weight 0).
        y: ``(C, n)`` labels in ``[0, 1]``.
        weight: ``(C, n)`` row weights; a client's sample count is its weight sum.
        members: One integer array per consortium: indices into the ``C`` clients.
        rounds: Communication rounds (``>= 1``).
        local_l2: Proximal strength pulling local weights toward the global model.
        rng: Needed only when ``participation < 1``.
        coef_init: ``(n_consortia, d)`` initial global weights (default 0).
        intercept_init: ``(n_consortia,)`` initial global intercepts (default 0).
        l2: Ridge on the consortium model, split across clients by sample share (0 = none).
        local_steps: Newton steps per client per round.
        participation: Probability that a client takes part in a round.

    Returns:
        A :class:`FedAvgResult` ``(coef, intercept, local)``.  A consortium whose
        participating clients hold no data in a round keeps its global model.

    Raises:
        ValueError: On bad shapes, indices out of range, or ``participation < 1`` without
            an ``rng``.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 3:
        raise ValueError(f"X must have shape (C, n, d), got {X.shape}")
    C, n, d = X.shape
    y = np.asarray(y, dtype=np.float64)
    weight = np.asarray(weight, dtype=np.float64)
    if y.shape != (C, n) or weight.shape != (C, n):
        raise ValueError(f"y and weight must have shape {(C, n)}")
    if rounds < 1:
        raise ValueError("rounds must be >= 1")
    if participation < 1.0 and rng is None:
        raise ValueError("partial participation needs an rng")
    G = len(members)
    client = (
        np.concatenate([np.asarray(m, dtype=np.int64) for m in members])
        if G
        else np.zeros(0, dtype=np.int64)
    )
    if client.size and (client.min() < 0 or client.max() >= C):
        raise ValueError("member indices out of range")
    cons = np.repeat(np.arange(G), [len(m) for m in members])  # pair -> consortium

    coef = np.zeros((G, d)) if coef_init is None else np.array(coef_init, dtype=np.float64)
    icpt = np.zeros(G) if intercept_init is None else np.array(intercept_init, dtype=np.float64)
    if coef.shape != (G, d) or icpt.shape != (G,):
        raise ValueError("coef_init / intercept_init do not match the consortia")

    Xp, yp, wp = X[client], y[client], weight[client]
    count = wp.sum(axis=1)  # sample count per pair
    total = np.bincount(cons, weights=count, minlength=G)
    share = np.divide(count, total[cons], out=np.zeros_like(count), where=total[cons] > 0)
    lam = local_l2 + l2 * share
    pull = np.divide(local_l2, lam, out=np.zeros_like(lam), where=lam > 0)

    local: FitResult | None = None  # the last round's local fits (rounds >= 1)
    for _ in range(rounds):
        glob_w, glob_b = coef[cons], icpt[cons]
        local = fit_logistic(
            Xp,
            yp,
            sample_weight=wp,
            l2=lam,
            prior=pull[:, None] * glob_w,
            coef_init=glob_w,
            intercept_init=glob_b,
            max_iter=local_steps,
        )
        part = count.copy()
        if participation < 1.0:
            assert rng is not None  # checked above
            part *= rng.random(count.size) < participation
        mass = np.bincount(cons, weights=part, minlength=G)
        has = mass > 0
        new_w = np.zeros((G, d))
        np.add.at(new_w, cons, part[:, None] * local.coef)
        new_b = np.bincount(cons, weights=part * local.intercept, minlength=G)
        coef[has] = new_w[has] / mass[has, None]
        icpt[has] = new_b[has] / mass[has]
    assert local is not None  # rounds >= 1
    return FedAvgResult(coef=coef, intercept=icpt, local=local)
