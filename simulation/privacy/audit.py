"""Auditing differential privacy from evidence: a lower bound on the ε a training really has.

A regulator cannot read the noise an entity adds; it can only observe models. This module
implements the canary audit of the DP-auditing literature (Jagielski, Ullman & Oprea 2020;
Nasr et al. 2021): the auditor has the entity train ``trials`` models with its own procedure on a
dataset ``D`` of records the auditor obtained and ``trials`` models on ``D`` plus one *canary*
record, queries every trained model on the canary, and tests which world each model came from.
Any membership test on an ``(epsilon, delta)``-DP training satisfies
``TPR <= exp(epsilon) FPR + delta`` and ``1 - FPR <= exp(epsilon) (1 - TPR) + delta``
(Kairouz et al. 2015), so Clopper-Pearson bounds on the test's rates give a lower bound on ε
that holds with the audit's confidence, whatever the training really did:
``epsilon >= log((TPR_lo - delta) / FPR_hi)``.

What the auditor uses, and nothing else: records it can obtain (fresh people of its
jurisdiction), the entity's training procedure run on the auditor's data (a
:data:`TrainingPipeline`: an opaque callable, so the audit is structurally unable to see the
noise multiplier or the ε the entity trains with), and *query access* to the models that
procedure trains (their scores on the canary; no weights).

The canary follows ClipBKD (Jagielski et al. 2020): a record far out along the direction in
which the auditor's records vary least, labelled positive, so its clipped gradient keeps pushing
the model the same way and the rest of the data barely interferes. The threshold of the test is
chosen on half of the models and the rates are counted on the other half (choosing and counting
on the same models would overstate the bound).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import stats

__all__ = [
    "AuditEvidence",
    "TrainingPipeline",
    "canary_record",
    "estimate_epsilon_lower_bound",
]

#: ``(X (K, n, r), y (K, n), weight (K, n), query (q, r), rng) -> (K, q)`` logits: trains ``K``
#: models with the entity's own procedure (rows of weight 0 are absent) and answers queries.
TrainingPipeline = Callable[
    [np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.random.Generator], np.ndarray
]


@dataclass(frozen=True)
class AuditEvidence:
    """What an ε audit saw: the test's counts on the held-out models and the bounds they give."""

    trials: int  # models trained per world (with and without the canary)
    evaluated: int  # models per world the rates are counted on (the other half set the threshold)
    threshold: float  # canary score above which a model is said to contain the canary
    true_positives: int  # models trained with the canary that the test flagged
    false_positives: int  # models trained without it that the test flagged
    tpr_lower: float  # Clopper-Pearson lower bound of the true-positive rate
    fpr_upper: float  # Clopper-Pearson upper bound of the false-positive rate
    confidence: float  # joint confidence of the two bounds
    epsilon_lower_bound: float  # ε the training has at least, at that confidence
    largest_certifiable: float  # the most this audit could certify (its power)


def largest_certifiable_epsilon(trials: int, confidence: float, delta: float) -> float:
    """The largest ε a canary audit of ``trials`` models per world can certify at
    ``confidence``: the bound its best possible evidence gives (every held-out model with the
    canary flagged, none without), however little noise the training adds. A claimed ε at or
    above it can never be shown false by such an audit."""
    m = trials - trials // 2
    alpha = (1.0 - confidence) / 2.0
    tpr_lo, _ = _clopper_pearson(m, m, alpha)
    _, fpr_hi = _clopper_pearson(0, m, alpha)
    return _epsilon_bound(tpr_lo, fpr_hi, delta)


def canary_record(records: np.ndarray, scale: float = 8.0) -> np.ndarray:
    """A ClipBKD canary: ``scale`` record spreads out along the records' least-variance axis."""
    centred = records - records.mean(axis=0)
    *_, vt = np.linalg.svd(centred, full_matrices=False)
    spread = np.sqrt(np.mean(np.sum(centred**2, axis=1)))
    return records.mean(axis=0) + scale * max(spread, 1.0) * vt[-1]


def _clopper_pearson(successes: int, trials: int, alpha: float) -> tuple[float, float]:
    """One-sided ``1 - alpha`` lower and upper Clopper-Pearson bounds of a binomial rate."""
    lower = stats.beta.ppf(alpha, successes, trials - successes + 1) if successes else 0.0
    upper = (
        stats.beta.ppf(1 - alpha, successes + 1, trials - successes) if successes < trials else 1.0
    )
    return float(lower), float(upper)


def _epsilon_bound(tpr_lo: float, fpr_hi: float, delta: float) -> float:
    """Largest ε the two DP inequalities force from rates known to be at least/at most these."""
    bounds = [0.0]
    if tpr_lo - delta > 0 and fpr_hi > 0:
        bounds.append(np.log((tpr_lo - delta) / fpr_hi))
    if 1 - fpr_hi - delta > 0 and 1 - tpr_lo > 0:
        bounds.append(np.log((1 - fpr_hi - delta) / (1 - tpr_lo)))
    return float(max(bounds))


def _best_threshold(scores_in: np.ndarray, scores_out: np.ndarray, delta: float) -> float:
    """Threshold maximising the ε point estimate (rates smoothed by one count) on these models."""
    candidates = np.unique(np.concatenate([scores_in, scores_out]))
    m_in, m_out = scores_in.size, scores_out.size
    tpr = (np.sum(scores_in[None, :] > candidates[:, None], axis=1) + 0.5) / (m_in + 1)
    fpr = (np.sum(scores_out[None, :] > candidates[:, None], axis=1) + 0.5) / (m_out + 1)
    point = np.maximum(np.log(np.maximum(tpr - delta, 1e-12) / fpr), np.log((1 - fpr) / (1 - tpr)))
    return float(candidates[int(np.argmax(point))])


def estimate_epsilon_lower_bound(
    train: TrainingPipeline,
    records_x: np.ndarray,
    records_y: np.ndarray,
    delta: float,
    rng: np.random.Generator,
    trials: int = 200,
    confidence: float = 0.95,
    canary_scale: float = 8.0,
) -> tuple[float, AuditEvidence]:
    """Lower bound on the ε of ``train`` from a canary membership test (see the module doc).

    Args:
        train: The entity's training procedure, run on the auditor's data (opaque).
        records_x: ``(n, r)`` records the auditor obtained (the dataset ``D``).
        records_y: ``(n,)`` their labels.
        delta: δ of the guarantee being audited.
        rng: Randomness of the audit and of the trainings it asks for.
        trials: Models trained per world; half choose the threshold, half are counted.
        confidence: Joint confidence of the bound (each rate bound at half the error).
        canary_scale: How far out the canary lies, in record spreads (0: the mean record).

    Returns:
        ``(epsilon_lower_bound, evidence)``; the bound is 0 when the evidence shows nothing.
    """
    x = np.asarray(records_x, dtype=np.float64)
    y = np.asarray(records_y, dtype=np.float64)
    if x.ndim != 2 or y.shape != (x.shape[0],):
        raise ValueError(f"records must be (n, r) and (n,), got {x.shape} and {y.shape}")
    if trials < 4 or not 0.0 < confidence < 1.0:
        raise ValueError(f"need trials >= 4 and confidence in (0, 1), got {trials}, {confidence}")
    n, r = x.shape
    canary = canary_record(x, canary_scale)
    # D + canary: the canary row is present (weight 1) in the first `trials` models only
    X = np.broadcast_to(np.vstack([x, canary])[None], (2 * trials, n + 1, r)).copy()
    Y = np.broadcast_to(np.append(y, 1.0)[None], (2 * trials, n + 1)).copy()
    weight = np.ones((2 * trials, n + 1))
    weight[trials:, n] = 0.0
    scores = np.asarray(train(X, Y, weight, canary[None], rng), dtype=np.float64)[:, 0]
    scores_in, scores_out = scores[:trials], scores[trials:]
    half = trials // 2
    threshold = _best_threshold(scores_in[:half], scores_out[:half], delta)
    m = trials - half
    tp = int(np.sum(scores_in[half:] > threshold))
    fp = int(np.sum(scores_out[half:] > threshold))
    alpha = (1.0 - confidence) / 2.0
    tpr_lo, _ = _clopper_pearson(tp, m, alpha)
    _, fpr_hi = _clopper_pearson(fp, m, alpha)
    eps_lo = _epsilon_bound(tpr_lo, fpr_hi, delta)
    ceiling = largest_certifiable_epsilon(trials, confidence, delta)
    evidence = AuditEvidence(
        trials, m, threshold, tp, fp, tpr_lo, fpr_hi, confidence, eps_lo, ceiling
    )
    return eps_lo, evidence
